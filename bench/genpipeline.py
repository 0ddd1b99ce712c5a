#!/usr/bin/env python3
"""genpipeline.py: a lab world for the full-pipeline benchmark
(bench/pipeline_bench.sh, docs/bench.md): domains whose MX hosts are real
SMTP servers on many loopback addresses, and MTA-STS policies on HTTPS.

    bench/genpipeline.py [--domains N] [--mx-addrs A] [--sts-share F]
                         [--seed N] OUTDIR

writes
    OUTDIR/zones/root.zone, OUTDIR/zones/pipe.zone   the DNS (Knot)
    OUTDIR/addr-domains.txt   one address per domain
    OUTDIR/addr-probe.txt     one domain per MX address (its first
                              user): the probe pass, where probes are
                              nearly all the work
    OUTDIR/mx-addrs.txt       the A MX addresses (Postfix listens on each)
    OUTDIR/mx-hosts.txt       "ADDRESS NAME" of each MX address in use
    OUTDIR/sts-hosts.txt      mta-sts.DOMAIN of the domains with a policy
    OUTDIR/cert-groups.txt    those names, 100 to a line: a certificate
                              each (a hosting provider's SAN certificate)
    OUTDIR/nginx/mta-sts.conf a server block per certificate, for
                              tests/lab/nginx.sh (NGINX_SNIPPETS)
    OUTDIR/postures.tsv       domain, MX hosts, policy or not

The mix follows the batch bench's skew: 8 mail providers (two MX hosts
each, the first 16 addresses) hold 45 % of the domains, the first
providers most (weights 1/r); the other 55 % have MX hosts of a hosting
pool, the other A - 16 addresses, each host shared by N * 0.55 / (A - 16)
domains on average (two MX records for half of them).  SPF, DMARC and
TLS-RPT vary; a share F of the domains (0.4) publish _mta-sts with a
policy at mta-sts.DOMAIN (127.0.0.1, nginx) in mode enforce for
*.mx.pipe, the MX hosts' names, whose certificate (*.mx.pipe) Postfix
presents.  Standard library only; deterministic per --seed.
"""
import argparse
import os
import random
import sys

TTL = 60
SOA = "@\tSOA\tns.lab. hostmaster.lab. 2024010101 3600 600 86400 60\n" \
      "@\tNS\tns.lab.\n"
PROVIDERS = 8
GROUP = 100  # names per policy certificate


def mx_addr(k):
    """The k-th MX address: 127.20.0.1 .. (250 a /24)."""
    return "127.20.%d.%d" % (k // 250, k % 250 + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--domains", type=int, default=10000)
    ap.add_argument("--mx-addrs", type=int, default=256)
    ap.add_argument("--sts-share", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    n, na = a.domains, a.mx_addrs
    if not 1 <= n <= 99999 or not 2 * PROVIDERS + 1 <= na <= 62500:
        sys.exit("genpipeline.py: --domains 1..99999, --mx-addrs 17..62500")
    rng = random.Random(a.seed)
    zdir = os.path.join(a.outdir, "zones")
    os.makedirs(zdir, exist_ok=True)
    os.makedirs(os.path.join(a.outdir, "nginx"), exist_ok=True)
    with open(os.path.join(zdir, "root.zone"), "w") as f:
        f.write("; genpipeline.py: the root, NXDOMAIN for the rest\n")
        f.write("$ORIGIN .\n$TTL %d\n%sns.lab.\tA\t127.0.0.1\n" % (TTL, SOA))
    pweights = [1.0 / (r + 1) for r in range(PROVIDERS)]
    out = ["; genpipeline.py: the TLD pipe.", "$ORIGIN pipe.",
           "$TTL %d" % TTL, SOA.rstrip("\n")]
    for k in range(na):
        out.append("h%d.mx\tA\t%s" % (k, mx_addr(k)))
    for p in range(PROVIDERS):
        out.append("_spf.p%d\tTXT\t\"v=spf1 ip4:127.20.0.%d/31 -all\""
                   % (p, 2 * p + 1))
    sts, postures, first_user = [], [], {}
    names = ["s%05d" % i for i in range(n)]
    for i, d in enumerate(names):
        out.append("$ORIGIN %s.pipe." % d)
        if rng.random() < 0.45:
            p = rng.choices(range(PROVIDERS), weights=pweights)[0]
            hosts = [2 * p, 2 * p + 1]
            spf = '"v=spf1 include:_spf.p%d.pipe -all"' % p
        else:
            hosts = [rng.randrange(2 * PROVIDERS, na)]
            if rng.random() < 0.5:
                hosts.append(rng.randrange(2 * PROVIDERS, na))
            spf = '"v=spf1 mx -all"' if rng.random() < 0.85 else None
        for pref, k in enumerate(hosts):
            out.append("@\tMX\t%d h%d.mx.pipe." % (10 * (pref + 1), k))
            first_user.setdefault(k, d)
        if spf is not None:
            out.append("@\tTXT\t%s" % spf)
        if rng.random() < 0.7:
            out.append('_dmarc\tTXT\t"v=DMARC1; p=reject"')
        if rng.random() < 0.3:
            out.append('_smtp._tls\tTXT\t"v=TLSRPTv1; '
                       'rua=mailto:tlsrpt@%s.pipe"' % d)
        policy = rng.random() < a.sts_share
        if policy:
            out.append('_mta-sts\tTXT\t"v=STSv1; id=20240101"')
            out.append("mta-sts\tA\t127.0.0.1")
            sts.append("mta-sts.%s.pipe" % d)
        postures.append("%s.pipe\t%s\t%s" % (
            d, ",".join("h%d" % k for k in hosts),
            "sts" if policy else "-"))
    with open(os.path.join(zdir, "pipe.zone"), "w") as f:
        f.write("\n".join(out) + "\n")

    def lines(name, items):
        with open(os.path.join(a.outdir, name), "w") as f:
            f.write("".join("%s\n" % x for x in items))

    lines("addr-domains.txt", ("postmaster@%s.pipe" % d for d in names))
    lines("addr-probe.txt", ("postmaster@%s.pipe" % first_user[k]
                             for k in sorted(first_user)))
    lines("mx-addrs.txt", (mx_addr(k) for k in range(na)))
    lines("mx-hosts.txt", ("%s h%d.mx.pipe" % (mx_addr(k), k)
                           for k in sorted(first_user)))
    lines("sts-hosts.txt", sts)
    lines("postures.tsv", postures)
    groups = [sts[i:i + GROUP] for i in range(0, len(sts), GROUP)]
    lines("cert-groups.txt", (" ".join(g) for g in groups))
    with open(os.path.join(a.outdir, "nginx", "mta-sts.conf"), "w") as f:
        f.write("# genpipeline.py: MTA-STS policy hosts, a SAN certificate "
                "per %d names\n" % GROUP)
        f.write("server_names_hash_max_size 65536;\n"
                "server_names_hash_bucket_size 128;\n")
        for g in groups:
            f.write("server {\n    listen 127.0.0.1:@PORT@ ssl;\n"
                    "    server_name %s;\n"
                    "    ssl_certificate @PKI@/%s.pem;\n"
                    "    ssl_certificate_key @PKI@/%s.key;\n"
                    "    location = /.well-known/mta-sts.txt {\n"
                    "        default_type text/plain;\n"
                    "        return 200 \"version: STSv1\\r\\nmode: enforce"
                    "\\r\\nmx: *.mx.pipe\\r\\nmax_age: 604800\\r\\n\";\n"
                    "    }\n    location / { return 404; }\n}\n"
                    % (" ".join(g), g[0], g[0]))
    print("genpipeline: %d domains, %d MX addresses (%d probed), %d "
          "policies in %d certificates, in %s" % (
              n, na, len(first_user), len(sts), len(groups), a.outdir))


if __name__ == "__main__":
    main()
