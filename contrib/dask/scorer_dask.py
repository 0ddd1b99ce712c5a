#!/usr/bin/env python3
"""Run `scorer batch` over a list of addresses on a Dask cluster.

    scorer_dask.py --scheduler tcp://HOST:8786 --input users.txt \\
                   --output results.jsonl [--partition-lines 10000] \\
                   [--scorer /usr/local/bin/scorer] [-- BATCH OPTIONS...]

The driver numbers the input's lines as `scorer batch` would (blank lines
and "#" comments are skipped but keep their place), cuts them into
partitions of --partition-lines records, and submits one task a partition
to the cluster: the task runs `scorer batch --numbered --quiet` on the
worker with the partition on its standard input and returns the records.
The driver writes them in input order as they come (a partition waits for
the ones before it), so the output is what one `scorer batch` process
would write, with the same line numbers.

A task is checked before it counts: its records must carry exactly the
partition's line numbers, in order, one each.  When a worker dies mid-run
the scheduler runs its tasks again on the others; a task that fails (a
scorer that could not start, records missing) is retried (--retries).
Nothing is lost or written twice: the driver writes each partition once,
when its turn comes.

Exit status: 0 done, 1 done and a partition met the --fail-on given in
the batch options, 2 an error (a partition failed every retry, the
cluster could not be reached, the input or output could not be used).

Needs Dask distributed (Debian: python3-distributed) on the driver and
the workers, and the scorer binary (and its rules) on every worker.
"""
import argparse
import os
import re
import subprocess
import sys
import time

NUMBER = {
    "jsonl": re.compile(rb'^\{"line":(\d+),'),
    "csv": re.compile(rb'^"?(\d+)"?,'),
}


class PartitionError(Exception):
    pass


def run_partition(scorer, options, fmt, first, lines, payload):
    """On a worker: scorer batch on one partition; its records, checked.

    lines: the line numbers the records must carry, in order.  Raises
    PartitionError (which Dask retries) on anything else.
    """
    import distributed  # on the worker

    argv = [scorer, "batch", "--numbered", "--quiet"] + list(options)
    p = subprocess.run(argv, input=payload, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if p.returncode not in (0, 1):
        raise PartitionError(
            f"partition at line {first}: scorer batch exited "
            f"{p.returncode}: {p.stderr.decode('utf-8', 'replace')[-500:]}")
    out = p.stdout.splitlines(keepends=True)
    if fmt == "csv" and out and out[0].startswith((b"line,", b'"line",')):
        out = out[1:]  # each partition writes the header; the driver once
    got = []
    for rec in out:
        m = NUMBER[fmt].match(rec)
        if m is None or not rec.endswith(b"\n"):
            raise PartitionError(f"partition at line {first}: a record "
                                 f"without a line number: {rec[:80]!r}")
        got.append(int(m.group(1)))
    if got != lines:
        raise PartitionError(
            f"partition at line {first}: {len(got)} records for "
            f"{len(lines)} lines")
    try:
        worker = distributed.get_worker().name
    except ValueError:
        worker = "local"
    return b"".join(out), p.returncode, str(worker)


def partitions(path, size):
    """(first line, line numbers, numbered payload) for each partition."""
    lines, payload = [], []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s.startswith(b"#"):
                continue  # as scorer batch skips them, number kept
            lines.append(n)
            payload.append(b"%d\t%s\n" % (n, s))
            if len(lines) == size:
                yield lines[0], lines, b"".join(payload)
                lines, payload = [], []
    if lines:
        yield lines[0], lines, b"".join(payload)


def csv_header(scorer, options):
    """The header line a CSV output starts with: what one process writes
    for an empty input."""
    p = subprocess.run([scorer, "batch", "--numbered", "--quiet"] +
                       list(options), input=b"", stdout=subprocess.PIPE,
                       check=True)
    return p.stdout


def main():
    ap = argparse.ArgumentParser(
        description="scorer batch on a Dask cluster, output in input order")
    ap.add_argument("--scheduler", help="the scheduler's address "
                    "(tcp://HOST:8786)")
    ap.add_argument("--scheduler-file", help="or the file a scheduler "
                    "started with --scheduler-file wrote")
    ap.add_argument("--input", required=True, help="one address a line")
    ap.add_argument("--output", default="-", help="JSON Lines (or CSV with "
                    "--format csv among the batch options); - for stdout")
    ap.add_argument("--partition-lines", type=int, default=10000,
                    help="records a task takes (10000)")
    ap.add_argument("--scorer", default="scorer", help="the scorer binary "
                    "on the workers (scorer, from their PATH)")
    ap.add_argument("--retries", type=int, default=3,
                    help="times a failed task is run again (3)")
    ap.add_argument("--verbose", action="store_true",
                    help="say which worker ran each partition")
    ap.add_argument("options", nargs="*", help="after --: options of "
                    "scorer batch (--resolver, --skip, --format csv, ...)")
    a = ap.parse_args()
    if bool(a.scheduler) == bool(a.scheduler_file):
        ap.error("give --scheduler or --scheduler-file")
    if a.partition_lines < 1:
        ap.error("--partition-lines must be at least 1")
    for opt in ("--input", "--output", "--resume", "--numbered", "--column",
                "--summary"):
        if any(o == opt or o.startswith(opt + "=") for o in a.options):
            ap.error(f"{opt} is the driver's to set, not a batch option here")
    fmt = "csv" if re.search(r"(^| )--format(=| )csv( |$)",
                             " ".join(a.options)) else "jsonl"

    from distributed import Client, as_completed

    started = time.monotonic()
    try:
        client = Client(address=a.scheduler, scheduler_file=a.scheduler_file,
                        timeout="30s")
    except (OSError, TimeoutError) as e:
        print(f"scorer_dask: cannot reach the scheduler: {e}",
              file=sys.stderr)
        return 2
    out = sys.stdout.buffer if a.output == "-" else None
    status, records, done = 0, 0, {}
    try:
        futures = {}
        parts = 0
        for i, (first, lines, payload) in enumerate(
                partitions(a.input, a.partition_lines)):
            f = client.submit(run_partition, a.scorer, a.options, fmt, first,
                              lines, payload, retries=a.retries, pure=False,
                              key=f"scorer-batch-{os.getpid()}-{i}")
            futures[f] = i
            parts += 1
        if out is None:
            out = open(a.output + ".part", "wb")
        if fmt == "csv":
            out.write(csv_header(a.scorer, a.options))
        nxt, workers = 0, {}
        for f in as_completed(futures):
            i = futures[f]
            try:
                done[i] = f.result()
            except Exception as e:  # a task that failed every retry
                print(f"scorer_dask: {e}", file=sys.stderr)
                return 2
            f.release()
            # Write what is next in input order; hold the rest.
            while nxt in done:
                data, rc, worker = done.pop(nxt)
                out.write(data)
                out.flush()
                records += data.count(b"\n")
                status = max(status, rc)
                workers[worker] = workers.get(worker, 0) + 1
                if a.verbose:
                    print(f"scorer_dask: partition {nxt} from {worker}",
                          file=sys.stderr)
                nxt += 1
        if out is not sys.stdout.buffer:
            out.close()
            os.replace(a.output + ".part", a.output)
    except OSError as e:
        print(f"scorer_dask: {e}", file=sys.stderr)
        return 2
    finally:
        client.close()
        if a.output != "-" and os.path.exists(a.output + ".part"):
            os.unlink(a.output + ".part")  # a failed run leaves nothing
    print(f"scorer_dask: {records} records in {parts} partitions on "
          f"{len(workers)} workers ({', '.join(sorted(workers))}) in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
