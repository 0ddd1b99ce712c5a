#!/usr/bin/env python3
"""smtp_peer.py: a peer for the STARTTLS probe of the pipeline benchmark
(bench/pipeline_bench.sh, docs/bench.md): the same check, in bulk, the
way a Python tool would write it with asyncio and ssl from the standard
library.  For each "ADDRESS NAME" line of HOSTS: connect to ADDRESS:PORT,
read the banner, EHLO, STARTTLS if offered, a TLS handshake with SNI =
NAME verified against CAFILE and the name (as scorer judges: the chain,
the dates, the name), the version and cipher noted, QUIT.  At most
CONCURRENCY sessions at once and 2 to one address.  Prints one line:

    probes N tls T failed F elapsed_s E probes_per_s R user_s U sys_s S

Usage: smtp_peer.py HOSTS PORT CAFILE CONCURRENCY
"""
import asyncio
import resource
import ssl
import sys
import time

STEP_S = 10


async def reply(reader):
    """One SMTP reply: (code, lines)."""
    lines = []
    while True:
        line = await asyncio.wait_for(reader.readline(), STEP_S)
        if not line or len(line) < 4:
            raise ConnectionError("short reply")
        lines.append(line[4:].strip().decode("ascii", "replace"))
        if line[3:4] == b" ":
            return int(line[:3]), lines


async def probe(addr, name, port, ctx):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(addr, port), STEP_S)
    try:
        code, _ = await reply(reader)
        if code != 220:
            return "unreachable"
        writer.write(b"EHLO peer.invalid\r\n")
        code, ext = await reply(reader)
        if code != 250 or not any(e.upper().startswith("STARTTLS")
                                  for e in ext[1:]):
            return "no_starttls"
        writer.write(b"STARTTLS\r\n")
        code, _ = await reply(reader)
        if code != 220:
            return "no_starttls"
        await asyncio.wait_for(
            writer.start_tls(ctx, server_hostname=name), STEP_S)
        tls = writer.get_extra_info("ssl_object")
        if tls is None or tls.version() is None or tls.cipher() is None:
            return "unreachable"
        writer.write(b"QUIT\r\n")
        return "tls"
    finally:
        writer.close()


async def main():
    hosts_file, port, cafile, conc = sys.argv[1:5]
    port, conc = int(port), int(conc)
    hosts = [line.split() for line in open(hosts_file) if line.strip()]
    ctx = ssl.create_default_context(cafile=cafile)
    sem = asyncio.Semaphore(conc)
    per_addr = {}
    counts = {"tls": 0, "failed": 0}

    async def one(addr, name):
        lock = per_addr.setdefault(addr, asyncio.Semaphore(2))
        async with sem, lock:
            try:
                r = await probe(addr, name, port, ctx)
            except (OSError, asyncio.TimeoutError, ssl.SSLError,
                    ConnectionError):
                r = "failed"
        counts[r if r in counts else "failed"] += 1

    t0 = time.monotonic()
    await asyncio.gather(*(one(a, n) for a, n in hosts))
    t1 = time.monotonic()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    n = len(hosts)
    print("probes %d tls %d failed %d elapsed_s %.3f probes_per_s %.1f "
          "user_s %.3f sys_s %.3f" % (n, counts["tls"], counts["failed"],
                                      t1 - t0, n / (t1 - t0), ru.ru_utime,
                                      ru.ru_stime))


if __name__ == "__main__":
    asyncio.run(main())
