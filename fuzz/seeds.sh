#!/usr/bin/env bash
# Seed corpora for the fuzz targets, generated into OUT/<target>/ (default
# build/fuzz/seeds) from the unit tests' string literals, the lab's data,
# the rules and the conformance suites in tests/conformance/data, plus the
# small hand seeds in fuzz/seeds/<target>/.  Nothing large is committed:
# run this again after a clean.
#
#   fuzz/seeds.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/fuzz/seeds}
conf=${CONFORMANCE_DIR:-$PWD/tests/conformance/data}
mkdir -p "$out"
for d in fuzz/seeds/*/; do
	name=$(basename "$d")
	mkdir -p "$out/$name"
	cp -f "$d"* "$out/$name/" 2>/dev/null || true
done

OUT=$out CONF=$conf python3 - <<'PY'
import glob, hashlib, json, os, re, struct

out, conf = os.environ["OUT"], os.environ["CONF"]

def put(target, data, limit=400):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(os.listdir(d)) >= limit:
        return
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

# C string literals of a test file, adjacent ones joined, escapes decoded.
lit = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
def literals(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    res = []
    for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
        s = "".join(lit.findall(m.group(0)))
        b = re.sub(rb'\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)',
                   lambda e: esc(e.group(1)), s.encode("utf-8"))
        res.append(b)
    return res
def esc(e):
    t = e.decode("latin-1")
    if t[0] == "x": return bytes([int(t[1:], 16)])
    if t[0] in "01234567": return bytes([int(t, 8) & 255])
    return {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0"}.get(t, t.encode())

def from_tests(target, files, pred):
    for f in files:
        for b in literals(f):
            if pred(b):
                put(target, b)

tests = sorted(glob.glob("tests/check_*.c"))
from_tests("address", ["tests/check_address.c"], lambda b: b"@" in b)
from_tests("dmarc", tests, lambda b: b"DMARC" in b or b"p=" in b)
from_tests("tlsrpt", tests, lambda b: b"TLSRPT" in b)
from_tests("mta_sts_txt", tests, lambda b: b"STS" in b and b"\n" not in b)
from_tests("mta_sts_policy", tests, lambda b: b"version:" in b)
from_tests("spf", tests, lambda b: b.lower().startswith(b"v=spf1"))
from_tests("json_write", ["tests/check_json_write.c", "tests/check_dmarc.c",
           "tests/check_spf.c"], lambda b: len(b) > 0)
from_tests("spf_macro", tests, lambda b: b"%{" in b or b"%%" in b)
from_tests("rdap", ["tests/check_rdap_parse.c"],
           lambda b: b.startswith(b"{") and b"services" not in b)
from_tests("rdap_bootstrap", ["tests/check_rdap_parse.c"],
           lambda b: b"services" in b)
if os.path.exists("rules/rdap-dns.json"):
    put("rdap_bootstrap", open("rules/rdap-dns.json", "rb").read())
from_tests("breach_range", ["tests/check_breach.c"],
           lambda b: b"hashSuffix" in b or re.match(rb"^[0-9A-Fa-f]{30,}", b))
for b in [b for f in ["tests/check_smtp.c", "tests/check_starttls.c"]
          if os.path.exists(f) for b in literals(f)]:
    if re.match(rb"^[2-5][0-9][0-9][ -]", b):
        put("smtp", bytes([0]) + b)
        put("smtp", bytes([255]) + b)
for f in glob.glob("tests/lab/mta-sts/*.txt") + glob.glob("tests/lab/**/*.txt", recursive=True):
    put("mta_sts_policy", open(f, "rb").read()[:4096])

# Addresses from the isemail suites.
try:
    text = open(os.path.join(conf, "isemail-hapi/tests.json"), encoding="utf-8").read()
    for m in re.findall(r'"((?:[^"\\]|\\.)*@(?:[^"\\]|\\.)*)"', text)[:300]:
        put("address", json.loads('"%s"' % m))
except (OSError, ValueError):
    pass
try:
    text = open(os.path.join(conf, "isemail-dominicsayers/tests.xml"), encoding="utf-8").read()
    for m in re.findall(r"<address>(.*?)</address>", text, re.S)[:300]:
        put("address", m.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
except OSError:
    pass

# SPF records and macro strings from the SPF suites (YAML, read loosely).
for y in glob.glob(os.path.join(conf, "spf-*/*.yml")):
    text = open(y, encoding="utf-8", errors="replace").read()
    for m in re.findall(r'(?i)(v=spf1[^"\'\n]*)', text)[:400]:
        put("spf", m)
        for spec in re.findall(r"[:=]([^ ]*%[^ ]*)", m):
            put("spf_macro", b"\0" + spec.encode())
            put("spf_macro", b"\1" + spec.encode())

# Rules: the real ones and every bad set of tests/data.
def rules_seed(d):
    a = os.path.join(d, "findings.ini"); b = os.path.join(d, "scoring.ini")
    fa = open(a, "rb").read() if os.path.isfile(a) else b""
    fb = open(b, "rb").read() if os.path.isfile(b) else b""
    put("rules", fa + b"\n---\n" + fb)
rules_seed("rules")
for d in glob.glob("tests/data/rules-*"):
    if os.path.isdir(d):
        rules_seed(d)
if os.path.exists("rules/canonical.ini"):
    put("canonical", open("rules/canonical.ini", "rb").read() +
        b"\n---\nFirst.Last+tag@googlemail.com")
for f in glob.glob("tests/data/domainset-*.txt"):
    put("domainset", open(f, "rb").read())
for f in glob.glob("rules/*.txt"):
    put("domainset", b"".join(open(f, "rb").readlines()[:300]))

# Breach hash lists and an index header (valid fields, table cut short).
put("corpus_line", b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n"
    b"da39a3ee5e6b4b0d3255bfef95601890afd80709\n\n# c\nZZ:1\n")
lists = [b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n"
         b"da39a3ee5e6b4b0d3255bfef95601890afd80709\r\n\n# c\nZZ:1\n",
         b"".join(hashlib.sha1(b"%d" % i).hexdigest().encode() + b":%d\n" % i
                  for i in range(200))]
for l in lists:
    put("corpus_build", l)
# Index seeds follow the magic (the target writes it): a header whose
# table is cut short, and a whole valid index of three hashes.
def index(hashes):
    hashes = sorted(hashes)
    bits = 16
    n = len(hashes)
    table = [sum(1 for h in hashes if (h[0] << 8 | h[1]) < i)
             for i in range((1 << bits) + 1)]
    hdr = struct.pack("<IIQIIQI4xQQ", 1, 64, n, bits, 22 | 18 << 16, n, 1,
                      64, 64 + ((1 << bits) + 1) * 8)
    return (hdr + b"".join(struct.pack("<Q", v) for v in table) +
            b"".join(h[2:] + struct.pack("<I", 1) for h in hashes))
put("corpus_index", index([])[:200])
put("corpus_index", index([hashlib.sha1(x).digest() for x in
                           (b"a@example.com", b"password", b"x")]))

# DNS answers: one per type, with compression and several TXT strings.
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
def msg(qname, qtype, rrs, rcode=0, flags=0x8180):
    h = struct.pack(">HHHHHH", 0x1234, flags | rcode, 1, len(rrs), 0, 0)
    q = name(qname) + struct.pack(">HH", qtype, 1)
    body = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", t, 1, 300, len(rd)) + rd
                    for t, rd in rrs)
    return h + q + body
sel = {15: 0, 1: 1, 28: 2, 16: 3, 2: 4, 12: 5, 52: 6, 6: 7}
def dns(qtype, rrs, **kw):
    put("dns", bytes([sel[qtype]]) + msg("example.com", qtype, rrs, **kw))
dns(15, [(15, struct.pack(">H", 10) + name("mx1.example.com")),
         (15, struct.pack(">H", 20) + b"\x03mx2\xc0\x0c")])
dns(1, [(1, bytes([192, 0, 2, 1])), (1, bytes([192, 0, 2, 2]))])
dns(28, [(28, bytes(15) + b"\x01")])
dns(16, [(16, b"\x0fv=spf1 -all ok\x05more!"), (16, b"\x08v=DMARC1")])
dns(2, [(2, name("ns1.example.com"))])
dns(12, [(12, name("host.example.com"))])
dns(52, [(52, b"\x03\x01\x01" + bytes(32))])
dns(6, [], rcode=3)
dns(16, [(5, name("alias.example.com"))])
# Nameserver replies to "example.com SOA" (nsprobe.c; the first byte picks
# the zone, 0: example.com): with authority, a referral, REFUSED, and one
# truncated.
soa = (6, name("ns.example.com") + name("host.example.com") + bytes(20))
put("nsprobe", b"\0" + msg("example.com", 6, [soa], flags=0x8580))
put("nsprobe", b"\0" + msg("example.com", 6, [], flags=0x8100))
put("nsprobe", b"\0" + msg("example.com", 6, [], flags=0x8000, rcode=5))
put("nsprobe", b"\0" + msg("example.com", 6, [], flags=0x8700))
PY
n=0
for d in "$out"/*/; do
	n=$((n + $(find "$d" -type f | wc -l)))
done
echo "seeds.sh: $n seeds in $out"
