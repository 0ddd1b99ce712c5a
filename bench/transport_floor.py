#!/usr/bin/env python3
"""The kernel's share of a DNS client's CPU, per transport.

Sends every query of QUERIES (lines "NAME TYPE", as bench/batch_bench.sh
writes them from a run's records) to HOST:PORT once, at most 128 in
flight, in writes of BATCH queries, and prints the system (kernel) CPU
time it took per query.  User time is Python's and is not the point: the
kernel's part is what any client in any language pays for the same
datagrams or segments.

  udp: one datagram per query, one recv() per answer;
  tcp: one connection, queries pipelined (RFC 7766), BATCH of them per
       write, answers read in large chunks.

Usage: transport_floor.py HOST PORT QUERIES udp|tcp [BATCH]
Output: "MODE BATCH ANSWERED TOTAL SYS_S SYS_US_PER_QUERY"
"""
import os
import socket
import struct
import sys

TYPES = {'A': 1, 'NS': 2, 'SOA': 6, 'MX': 15, 'TXT': 16, 'AAAA': 28,
         'TLSA': 52}
INFLIGHT = 128


def query(name, qtype, qid):
    """A query as scorer sends it: RD, EDNS with a 1232-octet size, DO."""
    head = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 1)
    labels = b''.join(bytes([len(p)]) + p.encode()
                      for p in name.rstrip('.').split('.') if p)
    opt = b'\0' + struct.pack('>HHIH', 41, 1232, 0x8000, 0)
    return head + labels + b'\0' + struct.pack('>HH', TYPES[qtype], 1) + opt


def run_udp(host, port, qs, batch):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.settimeout(2)
    got = sent = inflight = 0
    while got < len(qs):
        if sent < len(qs) and inflight < INFLIGHT:
            chunk = qs[sent:sent + batch]
            for q in chunk:
                s.send(q)
            sent += len(chunk)
            inflight += len(chunk)
            continue
        try:
            s.recv(65536)
        except socket.timeout:
            break
        got += 1
        inflight -= 1
    return got


def run_tcp(host, port, qs, batch):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(2)
    got = sent = inflight = 0
    buf = b''
    while got < len(qs):
        if sent < len(qs) and inflight < INFLIGHT:
            chunk = qs[sent:sent + batch]
            s.sendall(b''.join(struct.pack('>H', len(q)) + q for q in chunk))
            sent += len(chunk)
            inflight += len(chunk)
            continue
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            break
        if not data:
            break
        buf += data
        while len(buf) >= 2:
            n = struct.unpack('>H', buf[:2])[0]
            if len(buf) < 2 + n:
                break
            buf = buf[2 + n:]
            got += 1
            inflight -= 1
    return got


def main():
    if len(sys.argv) < 5 or sys.argv[4] not in ('udp', 'tcp'):
        sys.exit(__doc__)
    host, port, path, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    with open(path) as f:
        qs = [query(*line.split()[:2], i & 0xffff)
              for i, line in enumerate(f) if line.strip()]
    t0 = os.times()
    got = (run_udp if mode == 'udp' else run_tcp)(host, port, qs, batch)
    t1 = os.times()
    sys_s = t1.system - t0.system
    print(f"{mode} {batch} {got} {len(qs)} {sys_s:.2f} "
          f"{1e6 * sys_s / max(got, 1):.2f}")


if __name__ == '__main__':
    main()
