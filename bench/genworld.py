#!/usr/bin/env python3
"""genworld.py: a lab world for the batch benchmark (bench/batch_bench.sh).

    bench/genworld.py [--domains N] [--users N,...] [--layout big|zones]
                      [--zipf S] [--seed N] OUTDIR

writes
    OUTDIR/zones/root.zone     the root: NXDOMAIN for anything outside
    OUTDIR/zones/bench.zone    the TLD "bench." (layout big: with every
                               domain's records in it, no delegations)
    OUTDIR/zones/D.bench.zone  one zone per domain (layout zones only)
    OUTDIR/domains.txt         the N domains, one a line ("fresh" list)
    OUTDIR/addr-domains.txt    one address per domain (the DNS-only pass)
    OUTDIR/users-K.txt         K addresses over the domains, Zipf-skewed
    OUTDIR/postures.tsv        domain<TAB>posture, for reading results

Only the Python 3 standard library; deterministic for a given --seed, so
two runs compare.  The zones follow tests/lab/zones/ (TTL 60, SOA and NS
ns.lab., loopback addresses) and load in tests/lab/lab.sh with
LAB_ZONES=OUTDIR/zones.

Postures, drawn per domain with fixed shares (see POSTURES): sound
set-ups with one or two MX hosts of their own, domains hosted at a few
shared mail providers (MX and an SPF include: the provider's records), null
MX, no MX with an A record, no mail at all, MX hosts that do not exist,
MX hosts under a registrable domain that does not exist, MX hosts on
private addresses, and expired domains (no zone: NXDOMAIN from bench.).
SPF and DMARC vary independently of the MX set-up.

Users: rank r of the domains (a random permutation, so that providers
are not the first names) holds a share proportional to 1/r^s (Zipf,
s = 1.1 by default): with 10,000 domains the top ten hold about 40 % and
the top hundred about two thirds of the users, as big mailbox providers
do; the tail has a user or two.
"""
import argparse
import bisect
import itertools
import os
import random
import sys

TTL = 60
SOA = "@\tSOA\tns.lab. hostmaster.lab. 2024010101 3600 600 86400 60\n" \
      "@\tNS\tns.lab.\n"

# (name, share): the mail set-up of a domain.
POSTURES = [
    ("good", 0.50),          # MX 10 mx1, MX 20 mx2, both with A records
    ("good1", 0.12),         # a single MX host with A (and AAAA ::1)
    ("hosted", 0.12),        # MX at a shared provider, SPF include
    ("nullmx", 0.04),        # MX 0 . (RFC 7505)
    ("implicit", 0.06),      # no MX, an A record
    ("nomail", 0.03),        # neither MX nor A
    ("dangling", 0.04),      # MX host name does not exist
    ("dangling_regdom", 0.03),  # MX host under an absent domain
    ("private", 0.03),       # MX host on 10.x / 192.168.x
    ("nxdomain", 0.03),      # expired: no zone at all
]
SPF = [
    ('"v=spf1 mx -all"', 0.55),
    ('"v=spf1 mx ~all"', 0.15),
    ('"v=spf1 a mx ip4:127.0.0.0/24 -all"', 0.08),
    ('"v=spf1 +all"', 0.02),
    ('"v=spf1 mx -al"', 0.02),     # permerror
    (None, 0.18),                  # no SPF
]
DMARC = [
    ('"v=DMARC1; p=reject; adkim=s; aspf=s"', 0.35),
    ('"v=DMARC1; p=quarantine"', 0.15),
    ('"v=DMARC1; p=none; rua=mailto:dmarc@{d}"', 0.20),
    ('"v=DMARC1; p=rejekt"', 0.02),  # invalid
    (None, 0.28),                    # no DMARC
]
PROVIDERS = 8  # shared mail hosts mail.pK.bench (hosted posture)


def pick(rng, table):
    x = rng.random()
    acc = 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[-1][0]


def host_ip(i, k):
    """A loopback address for host k of domain i (127.0.0.0/8)."""
    n = i * 2 + k
    return "127.%d.%d.%d" % (1 + (n >> 16) % 250, (n >> 8) & 255,
                              1 + (n & 255) % 254)


def domain_records(rng, i, posture):
    """The records of domain i, relative to its own origin."""
    out = []
    if posture in ("good", "good1"):
        out.append("@\tMX\t10 mx1")
        out.append("mx1\tA\t%s" % host_ip(i, 0))
        if posture == "good":
            out.append("@\tMX\t20 mx2")
            out.append("mx2\tA\t%s" % host_ip(i, 1))
        else:
            out.append("mx1\tAAAA\t::1")
        out.append("@\tA\t%s" % host_ip(i, 0))
    elif posture == "hosted":
        p = i % PROVIDERS
        out.append("@\tMX\t10 mx1.p%d.bench." % p)
        out.append("@\tMX\t20 mx2.p%d.bench." % p)
    elif posture == "nullmx":
        out.append("@\tMX\t0 .")
    elif posture == "implicit":
        out.append("@\tA\t%s" % host_ip(i, 0))
    elif posture == "nomail":
        # Something at the apex, or the name would not exist in the big
        # layout (NXDOMAIN instead of NODATA).
        out.append("@\tTXT\t\"site-verification=%08x\"" % (i * 2654435761
                                                            & 0xffffffff))
    elif posture == "dangling":
        out.append("@\tMX\t10 mx")
    elif posture == "dangling_regdom":
        out.append("@\tMX\t10 mail.lapsed-%d.bench." % i)
    elif posture == "private":
        out.append("@\tMX\t10 mx1")
        out.append("mx1\tA\t10.%d.%d.%d" % ((i >> 16) & 255,
                                             (i >> 8) & 255, i & 255 or 1))
    spf = pick(rng, SPF)
    if posture == "hosted" and spf is not None:
        spf = '"v=spf1 include:_spf.p%d.bench -all"' % (i % PROVIDERS)
    if spf is not None and posture != "nomail":
        out.append("@\tTXT\t%s" % spf)
    dmarc = pick(rng, DMARC)
    if dmarc is not None and posture != "nomail":
        out.append("_dmarc\tTXT\t%s" % dmarc.replace("{d}", "%s.bench" %
                                                    name_of(i)))
    return out


def provider_records():
    out = []
    for p in range(PROVIDERS):
        o = "p%d" % p
        for k in (1, 2):
            out.append("mx%d.%s\tA\t127.254.%d.%d" % (k, o, p, k))
        out.append("_spf.%s\tTXT\t\"v=spf1 ip4:127.254.%d.0/24 -all\""
                   % (o, p))
    return out


# Names are d00000..d99999; a world of more than 100,000 domains (the
# scale run) numbers them with six digits.
NAME_WIDTH = [5]


def name_of(i):
    return "d%0*d" % (NAME_WIDTH[0], i)


def write_zones(outdir, n, postures, seed, layout):
    zdir = os.path.join(outdir, "zones")
    os.makedirs(zdir, exist_ok=True)
    for f in os.listdir(zdir):
        if f.endswith(".zone"):
            os.unlink(os.path.join(zdir, f))
    with open(os.path.join(zdir, "root.zone"), "w") as f:
        f.write("; genworld.py: the root, NXDOMAIN for the rest\n")
        f.write("$ORIGIN .\n$TTL %d\n%sns.lab.\tA\t127.0.0.1\n" % (TTL, SOA))
    rng = random.Random(seed + 1)
    big = open(os.path.join(zdir, "bench.zone"), "w")
    big.write("; genworld.py: the TLD bench. (%s layout)\n" % layout)
    big.write("$ORIGIN bench.\n$TTL %d\n%s" % (TTL, SOA))
    big.write("\n".join(provider_records()) + "\n")
    for i in range(n):
        posture = postures[i]
        recs = domain_records(rng, i, posture)
        if posture == "nxdomain":
            continue
        d = name_of(i) + ".bench."
        if layout == "big":
            big.write("$ORIGIN %s\n" % d)
            big.write("\n".join(recs) + "\n")
        else:
            with open(os.path.join(zdir, d[:-1] + ".zone"), "w") as f:
                f.write("$ORIGIN %s\n$TTL %d\n%s" % (d, TTL, SOA))
                f.write("\n".join(recs) + "\n")
    big.close()


class Zipf:
    """Ranks 1..n with P(r) proportional to r^-s, by inverse CDF."""

    def __init__(self, n, s):
        w = [r ** -s for r in range(1, n + 1)]
        self.cdf = list(itertools.accumulate(w))
        self.total = self.cdf[-1]

    def draw(self, rng):
        return bisect.bisect_left(self.cdf, rng.random() * self.total)


def write_users(outdir, k, domains, zipf, seed):
    rng = random.Random(seed * 1000003 + k)
    path = os.path.join(outdir, "users-%d.txt" % k)
    with open(path, "w") as f:
        buf = []
        for u in range(k):
            d = domains[zipf.draw(rng)]
            buf.append("u%d.%x@%s.bench\n" % (u, rng.getrandbits(20), d))
            if len(buf) >= 65536:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--domains", type=int, default=10000)
    ap.add_argument("--users", default="100000,1000000",
                    help="sizes of the user lists, comma-separated")
    ap.add_argument("--layout", choices=("big", "zones"), default="big",
                    help="big: every domain inside bench.zone; zones: a "
                    "zone file per domain")
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    n = a.domains
    if n < 1 or n > 999999:
        sys.exit("genworld.py: --domains must be 1..999999")
    if n > 100000:
        NAME_WIDTH[0] = 6
    rng = random.Random(a.seed)
    postures = [pick(rng, POSTURES) for _ in range(n)]
    os.makedirs(a.outdir, exist_ok=True)
    write_zones(a.outdir, n, postures, a.seed, a.layout)
    names = [name_of(i) for i in range(n)]
    with open(os.path.join(a.outdir, "domains.txt"), "w") as f:
        f.write("".join("%s.bench\n" % d for d in names))
    with open(os.path.join(a.outdir, "addr-domains.txt"), "w") as f:
        f.write("".join("postmaster@%s.bench\n" % d for d in names))
    with open(os.path.join(a.outdir, "postures.tsv"), "w") as f:
        f.write("".join("%s.bench\t%s\n" % (names[i], postures[i])
                        for i in range(n)))
    # Popularity is independent of the name: rank r -> a shuffled domain.
    ranked = names[:]
    random.Random(a.seed + 2).shuffle(ranked)
    if a.users:
        zipf = Zipf(n, a.zipf)
        for k in (int(x) for x in a.users.split(",") if x):
            write_users(a.outdir, k, ranked, zipf, a.seed)
    counts = {}
    for p in postures:
        counts[p] = counts.get(p, 0) + 1
    print("genworld: %d domains (%s layout) in %s: %s" % (
        n, a.layout, a.outdir,
        ", ".join("%s %d" % (p, counts.get(p, 0)) for p, _ in POSTURES)))


if __name__ == "__main__":
    main()
