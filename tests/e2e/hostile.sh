#!/usr/bin/env bash
# The hostile lab: servers that answer what no honest server would, run
# on loopback by this script (a DNS server and an HTTP range API, both
# small Python fixtures written to a temporary directory).  Every case
# must end in a report (a finding, or dns.unverified) within the deadline,
# never a crash or a hang, and under a generous memory bound (peak RSS
# of `scorer check`, /usr/bin/time).  The range API's log must show the
# 6-digit prefix only: never the address nor its full hash.
#
#   SCORER=build/scorer tests/e2e/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SCORER=${SCORER:-$PWD/build/scorer}
RULES=${RULES:-$PWD/rules}
MAX_KB=${HOSTILE_MAX_KB:-65536}  # 64 MiB
DEADLINE=4                       # --timeout per domain, seconds
WORK=$(mktemp -d "${TMPDIR:-/tmp}/scorer-hostile.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	[ -n "${HOSTILE_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
passed=0
failed=0
pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

cat >"$WORK/dns.py" <<'PY'
# A hostile DNS server: UDP and TCP on 127.0.0.1:PORT (argv[1]).
import socket, struct, sys, threading
port = int(sys.argv[1])
def qname(m):
    o, labels = 12, []
    while m[o]:
        labels.append(m[o + 1:o + 1 + m[o]].decode()); o += 1 + m[o]
    return ".".join(labels).lower(), struct.unpack(">H", m[o + 1:o + 3])[0], o + 5
def wire(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
def txt(owner, s):
    rd = b"".join(bytes([len(c)]) + c for c in
                  [s[i:i + 255] for i in range(0, len(s), 255)])
    return wire(owner) + struct.pack(">HHIH", 16, 1, 60, len(rd)) + rd
def answer(m, tcp):
    name, qt, end = qname(m)
    rrs, tc, rcode = [], 0, 0
    if name.startswith("silent."):
        return None
    if name == "bigtxt.test" and qt == 16:
        # 60 kB of TXT: truncated over UDP, whole over TCP
        if not tcp:
            tc = 0x200
        else:
            rrs = [txt(name, b"v=spf1 " + b"a" * 200 + b" -all")] + \
                  [txt(name, (b"junk%03d " % i) * 25) for i in range(240)]
    elif name == "othername.test":
        rrs = [wire("victim.example") + struct.pack(">HHIH", 1, 1, 60, 4) +
               bytes([192, 0, 2, 1])]
        if qt == 16:
            rrs = [txt("victim.example", b"v=spf1 +all")]
    elif name in ("loop-a.test", "loop-b.test") and qt == 16:
        other = "loop-b.test" if name == "loop-a.test" else "loop-a.test"
        rrs = [txt(name, b"v=spf1 redirect=" + other.encode())]
    elif name in ("loop-a.test", "loop-b.test", "breach.test") and qt == 15:
        rrs = [wire(name) + struct.pack(">HHIH", 15, 1, 60, 2 + len(wire("mx." + name))) +
               b"\0\x0a" + wire("mx." + name)]
    elif name.startswith("mx.") and qt == 1:
        rrs = [wire(name) + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 25])]
    elif name.endswith("esc.test"):
        # Terminal escapes in every record a report quotes: ESC ] title
        # BEL, ESC [ 2J (clear), a C1 CSI (U+009B), a lone 0x9b byte.
        bad = b"\x1b]0;owned\x07\x1b[2J\xc2\x9b31m\x9b"
        if qt == 16 and name == "esc.test":
            rrs = [txt(name, b"v=spf1 include:" + bad + b" -all")]
        elif qt == 16 and name.startswith(("_dmarc.", "_smtp._tls.",
                                            "_mta-sts.")):
            rrs = [txt(name, {"_dmarc": b"v=DMARC1; p=" + bad,
                              "_smtp": b"v=TLSRPTv1; rua=" + bad,
                              "_mta-sts": b"v=STSv1; id=" + bad
                              }[name.split(".")[0]])]
        elif qt == 15 and name == "esc.test":
            host = b"\x07mx\x1b"
            rd = b"\0\x0a" + bytes([len(host)]) + host + wire(name)
            rrs = [wire(name) + struct.pack(">HHIH", 15, 1, 60, len(rd)) + rd]
    elif name.endswith(".test") and name.count(".") == 1 and name not in \
            ("loop-a.test", "loop-b.test", "breach.test", "bigtxt.test"):
        rcode = 3
    h = struct.pack(">HHHHHH", struct.unpack(">H", m[:2])[0],
                    0x8180 | tc | rcode, 1, len(rrs), 0, 0)
    return h + m[12:end] + b"".join(rrs)
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        m, a = s.recvfrom(4096)
        r = answer(m, False)
        if r:
            s.sendto(r, a)
def tcp_conn(c):
    try:
        while True:
            h = c.recv(2)
            if len(h) < 2:
                return
            n = struct.unpack(">H", h)[0]; m = b""
            while len(m) < n:
                m += c.recv(n - len(m))
            r = answer(m, True)
            if r:
                c.sendall(struct.pack(">H", len(r)) + r)
    finally:
        c.close()
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
tcp()
PY

cat >"$WORK/range.py" <<'PY'
# A hostile range API: GET /MODE/range/PREFIX; every path logged.
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        with open(sys.argv[2], "a") as f:
            f.write(self.path + "\n")
        mode = self.path.split("/")[1]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if mode == "huge":                  # 1 GB, streamed
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b"0123456789ABCDEF0123456789ABCDEF012:1\r\n" * 1000
            try:
                for _ in range((1 << 30) // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        body = {"garbage": b"\x00\xff<html>{[}not a range" * 50,
                "json": b'[{"hashSuffix": 12, "websites": {"a": []}}, 7, null]'
                }.get(mode, b"")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # bounded: 5 s
	local _
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
DNS_PORT=$(free_port)
python3 "$WORK/dns.py" "$DNS_PORT" & pids+=($!)
HTTP_PORT=$(free_port)
python3 "$WORK/range.py" "$HTTP_PORT" "$WORK/range.log" & pids+=($!)
wait_port "$DNS_PORT" || { echo "FAIL setup: no DNS fixture"; exit 1; }
wait_port "$HTTP_PORT" || { echo "FAIL setup: no range API fixture"; exit 1; }

# run NAME ADDRESS WANT [scorer options...]: a JSON report within the
# deadline (plus slack), WANT (an extended regex) in it, peak RSS bounded.
run() {
	local name=$1 addr=$2 want=$3 rc=0 kb t0 ms
	shift 3
	t0=$(date +%s%N)
	timeout -k 5 $((DEADLINE * 3 + 10)) /usr/bin/time -f "%M" -o "$WORK/$name.rss" \
		"$SCORER" check --json --rules "$RULES" \
		--resolver "127.0.0.1:$DNS_PORT" --timeout "$DEADLINE" \
		--skip starttls "$@" "$addr" >"$WORK/$name.json" \
		2>"$WORK/$name.err" || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	kb=$(tail -n 1 "$WORK/$name.rss" 2>/dev/null || echo 0)
	echo "# $name: exit $rc, ${ms} ms, peak ${kb} kB" >>"$WORK/figures"
	if [ "$rc" -gt 2 ]; then
		fail "$name" "exit $rc ($(head -c 300 "$WORK/$name.err"))"
	elif ! jq -e . "$WORK/$name.json" >/dev/null 2>&1; then
		fail "$name" "no JSON report"
	elif ! grep -Eq "$want" "$WORK/$name.json"; then
		fail "$name" "no /$want/ in the report"
	elif [ "$ms" -gt $((DEADLINE * 3 * 1000)) ]; then
		fail "$name" "took ${ms} ms"
	elif [ "${kb:-0}" -gt "$MAX_KB" ]; then
		fail "$name" "peak RSS ${kb} kB > ${MAX_KB} kB"
	else
		pass "$name (${ms} ms, ${kb} kB)"
	fi
}

skip=(--skip "mta_sts,breach")
run dns-60k-txt-tcp user@bigtxt.test '"verdict"' "${skip[@]}"
run dns-other-name user@othername.test 'dns\.unverified' "${skip[@]}"
# Records for another name must not be taken for ours (dns.c checks the
# owner names): victim.example's "v=spf1 +all" is not othername.test's.
if grep -q 'spf\.permissive' "$WORK/dns-other-name.json"; then
	fail dns-other-name-not-taken "a finding came from another name's records"
else
	pass dns-other-name-not-taken
fi
run dns-no-answer user@silent.test 'dns\.unverified' "${skip[@]}"
run spf-redirect-loop user@loop-a.test 'spf\.' "${skip[@]}"
api=http://127.0.0.1:$HTTP_PORT
run breach-garbage user@breach.test '"verdict"' --skip mta_sts \
	--breach-api "$api/garbage"
run breach-bad-json user@breach.test '"verdict"' --skip mta_sts \
	--breach-api "$api/json"
run breach-1gb user@breach.test '"verdict"' --skip mta_sts \
	--breach-api "$api/huge"

# Bytes from the network never reach a terminal raw: records full of
# terminal escapes (ESC, BEL, C1 CSI, invalid UTF-8) in SPF, DMARC,
# TLS-RPT, MTA-STS and an MX host name, through every command that prints
# what it saw: check (text and JSON), spf (text and JSON), batch (JSON
# Lines and CSV).  Only newlines may be control characters in the output.
esc() {
	local name=$1
	shift
	timeout -k 5 60 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
	if [ ! -s "$WORK/$name.out" ]; then
		fail "$name" "no output ($(head -c 200 "$WORK/$name.err"))"
	elif LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/$name.out" \
		"$WORK/$name.err"; then
		fail "$name" "control characters reach the terminal"
	elif LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$WORK/$name.out" \
		"$WORK/$name.err"; then
		fail "$name" "C1 control characters reach the terminal"
	else
		pass "$name"
	fi
}
common=(--rules "$RULES" --resolver "127.0.0.1:$DNS_PORT" --timeout "$DEADLINE"
	--skip starttls,breach)
esc escapes-check-text "$SCORER" check "${common[@]}" u@esc.test
if grep -q 'spf\.invalid\|spf\.' "$WORK/escapes-check-text.out" &&
	grep -q 'owned' "$WORK/escapes-check-text.out"; then
	pass escapes-check-text-says-what
else
	fail escapes-check-text-says-what "the SPF finding does not quote the record"
fi
esc escapes-check-json "$SCORER" check --json "${common[@]}" u@esc.test
esc escapes-spf-text "$SCORER" spf --rules "$RULES" --resolver \
	"127.0.0.1:$DNS_PORT" --ip 192.0.2.1 --sender u@esc.test
esc escapes-spf-json "$SCORER" spf --json --rules "$RULES" --resolver \
	"127.0.0.1:$DNS_PORT" --ip 192.0.2.1 --sender u@esc.test
printf 'u@esc.test\nv@esc.test\n' >"$WORK/esc.txt"
esc escapes-batch-jsonl "$SCORER" batch "${common[@]}" --input "$WORK/esc.txt"
esc escapes-batch-csv "$SCORER" batch "${common[@]}" --format csv \
	--input "$WORK/esc.txt"

# Privacy: the range API saw 6-hex-digit prefixes, never the address nor
# its full hash (upper or lower case).
full=$(printf '%s' user@breach.test | sha1sum | cut -c1-40)
if [ ! -s "$WORK/range.log" ]; then
	fail privacy-range-api "the range API was never asked"
elif grep -qiE "$full|user@breach|user%40breach" "$WORK/range.log"; then
	fail privacy-range-api "the full hash or address reached the API"
elif grep -vqE '^/[a-z]+/range/[0-9A-Fa-f]{6}$' "$WORK/range.log"; then
	fail privacy-range-api "unexpected request: $(grep -vE '^/[a-z]+/range/[0-9A-Fa-f]{6}$' "$WORK/range.log" | head -1)"
else
	pass privacy-range-api
fi

cat "$WORK/figures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
