#!/usr/bin/env python3
"""The progress line of `scorer batch` on a terminal, for tests/e2e/batch.sh.

    progress.py SCORER RULES WORKDIR

Runs scorer batch with its stderr on a pseudo-terminal (pty), against a
DNS server of our own on loopback that answers every query at once with
REFUSED, except those for slow.test, which it never answers: the run
writes the records before slow.test, then waits on it until --timeout.
Checks what the terminal got: a bar with a percentage and the total when
the input is a regular file, the rate, an ETA, the domain waited on
(after 2 s), a final line at 100 %; a count without a bar when the input
is a pipe; and nothing at all with --quiet or when stderr is no terminal.

Prints "ok NAME" / "FAIL NAME: why" lines; batch.sh counts them.
Only the standard library.
"""
import fcntl
import os
import pty
import re
import select
import socket
import struct
import subprocess
import sys
import termios
import threading

results = []


def check(name, ok, why=""):
    results.append(f"ok progress-{name}" if ok else
                   f"FAIL progress-{name}: {why}")


def dns_server(sock):
    """REFUSED for everything but names under slow.test (dropped)."""
    while True:
        try:
            data, peer = sock.recvfrom(4096)
        except OSError:
            return
        if len(data) < 12 or b"\x04slow\x04test\x00" in data.lower():
            continue
        flags = struct.unpack("!H", data[2:4])[0]
        # QR=1, the opcode and RD kept, RA=1, RCODE=5 (REFUSED)
        flags = 0x8000 | (flags & 0x7900) | 0x0080 | 5
        sock.sendto(data[:2] + struct.pack("!H", flags) + data[4:], peer)


def run_on_pty(argv, stdin, width=160):
    """Run argv with stderr on a pty; return (exit status, what it wrote)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack("HHHH", 24, width, 0, 0))
    p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=slave)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed
                chunk = b""
            if not chunk and p.poll() is not None:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    return p.wait(), out.decode("utf-8", "replace")


def main():
    scorer, rules, work = sys.argv[1:4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    threading.Thread(target=dns_server, args=(sock,), daemon=True).start()

    # 200 quick lines, then one that waits, then 200 more.
    path = os.path.join(work, "progress.txt")
    with open(path, "w") as f:
        for i in range(200):
            f.write(f"u{i}@fast{i}.test\n")
        f.write("who@slow.test\n")
        for i in range(200, 400):
            f.write(f"u{i}@fast{i}.test\n")
    base = [scorer, "batch", "--rules", rules, "--resolver",
            f"127.0.0.1:{port}", "--timeout", "4", "--skip",
            "starttls,mta_sts,breach", "--output", os.devnull]

    rc, out = run_on_pty(base + ["--input", path], subprocess.DEVNULL)
    # Each redraw starts with CR and "erase line"; the summary follows
    # the last one (the pty writes "\r\n" for each newline).
    frames = [f.split("\r\n")[0] for f in re.split(r"\r\x1b\[K", out)
              if f.strip()]
    check("exit", rc == 0, f"exit {rc}: {out[-300:]!r}")
    bar = [f for f in frames if re.search(r"\d+\.\d% \[[#.]{20}\]", f)]
    check("bar", len(bar) >= 2, f"no bar in {frames[:3]!r}")
    check("total", any(re.search(r" of ~[0-9,]+", f) for f in bar),
          f"no estimated total in {bar[:3]!r}")
    check("rate", any(re.search(r"\d+/s", f) for f in bar), "no rate")
    check("eta", any(re.search(r"ETA \d+:\d\d", f) for f in bar),
          f"no ETA in {bar[-3:]!r}")
    wait = [f for f in frames if re.search(r"waiting \d+ s on slow\.test", f)]
    check("waiting", len(wait) >= 1, f"no waiting domain in {frames[-4:]!r}")
    check("not-before-2s", not any(re.search(r"waiting [01] s", f)
                                   for f in frames), "named before 2 s")
    last = frames[-1] if frames else ""
    check("final", "100.0% [" + "#" * 20 + "]" in last and
          " 401 of 401" in last and "scorer batch: 401 records" in out,
          f"last frame {last!r}")
    check("width", all(len(f) < 160 for f in frames),
          "a frame wider than the terminal")
    rc, out = run_on_pty(base + ["--input", path, "--timeout", "1"],
                         subprocess.DEVNULL, width=40)
    frames = [f.split("\r\n")[0] for f in re.split(r"\r\x1b\[K", out)
              if f.strip()]
    check("narrow", rc == 0 and frames and all(len(f) < 40 for f in frames),
          f"frames {frames[-2:]!r}")

    # From a pipe: no total, so no bar, only the count.
    with open(path, "rb") as f:
        data = f.read()
    r, w = os.pipe()
    threading.Thread(target=lambda: (os.write(w, data), os.close(w)),
                     daemon=True).start()
    rc, out = run_on_pty(base + ["--input", "-", "--timeout", "1"], r)
    os.close(r)
    frames = [f.split("\r\n")[0] for f in re.split(r"\r\x1b\[K", out)
              if f.strip()]
    check("pipe", rc == 0 and frames and
          all("[" not in f for f in frames) and
          re.search(r"401 records", frames[-1]) is not None,
          f"exit {rc}, frames {frames[-2:]!r}")

    # --quiet on a terminal, and no terminal: no progress at all.
    rc, out = run_on_pty(base + ["--input", path, "--quiet", "--timeout",
                                 "1"], subprocess.DEVNULL)
    check("quiet", rc == 0 and "\r" not in out, f"exit {rc}: {out[:200]!r}")
    p = subprocess.run(base + ["--input", path, "--timeout", "1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    check("no-terminal", p.returncode == 0 and b"\r" not in p.stderr,
          f"exit {p.returncode}: {p.stderr[:200]!r}")
    print("\n".join(results))


if __name__ == "__main__":
    main()
