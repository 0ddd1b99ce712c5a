// Peer figure for the batch benchmark: what mailauth (Postal Systems, the
// npm package `mailauth`) does per domain for a recovery-address check,
// over the same Knot lab as `scorer batch`.  Run by bench/mailauth_peer.sh,
// which installs mailauth under build/ and times this process with GNU time.
//
//   node bench/mailauth_peer.mjs MAILAUTH_DIR DNS_HOST DNS_PORT DOMAINS_FILE [CONCURRENCY]
//
// MAILAUTH_DIR holds node_modules/mailauth (bench/mailauth/package.json
// installed there); DOMAINS_FILE has one domain or address a line (an
// address is cut to its domain).  CONCURRENCY domains are in flight at once
// (default 1000, like scorer's --concurrency).
//
// Per domain, with mailauth's own functions where it has one:
//   MX       mailauth has no MX-lookup API of its own (MX is only looked up
//            inside SPF's "mx" mechanism), so this is the same resolver
//            function that mailauth is given: Resolver.resolve(d, 'MX').
//   SPF      spf() of mailauth/lib/spf, as authenticate() calls it: sender
//            postmaster@DOMAIN, client IP 192.0.2.1, HELO [192.0.2.1]; the
//            full evaluation (include, a, mx, redirect, ... with mailauth's
//            10-lookup and 2-void limits).
//   DMARC    dmarc() of mailauth/lib/dmarc (its getDmarcRecord() fetches
//            _dmarc.DOMAIN TXT, then the organisational domain's when it
//            differs), with spfDomains from the SPF result as authenticate()
//            passes them and no DKIM domains.
//   MTA-STS  resolvePolicy() of mailauth/lib/mta-sts: the _mta-sts.DOMAIN TXT
//            record, which is the DNS part of getPolicy().  getPolicy() would
//            go on to an A/AAAA lookup of mta-sts.DOMAIN and an HTTPS GET of
//            the policy (15 s timeout); the lab has no HTTPS policy hosts, so
//            that part is left out by default.  MAILAUTH_MTA_STS=policy runs
//            getPolicy() instead (its errors are caught and counted).
//
// Every DNS query goes to DNS_HOST:DNS_PORT: one dns.promises.Resolver with
// setServers(), whose resolve(name, rrtype) is wrapped (to count queries by
// type and outcome) and passed as mailauth's `resolver` option, the
// documented way to give mailauth its DNS (its default is
// dns.promises.resolve).  MAILAUTH_DNS_TIMEOUT_MS and MAILAUTH_DNS_TRIES set
// the Resolver's timeout and tries (node's defaults otherwise).
// MAILAUTH_PEER_TRACE=FILE writes one JSON line a domain (for checking
// answers by hand).
//
// Prints on stdout, for bench/mailauth_peer.sh:
//   version X.Y.Z
//   domains N
//   elapsed S            (the lookup loop alone, seconds)
//   lookups TEXT         (outcome counters, one line)
// A domain's error never stops the run: it is counted.

import { createRequire } from 'node:module';
import { readFileSync, createWriteStream } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import dns from 'node:dns';

const [dir, host, port, file, concArg] = process.argv.slice(2);
if (!dir || !host || !port || !file) {
    console.error('usage: node mailauth_peer.mjs MAILAUTH_DIR DNS_HOST DNS_PORT DOMAINS_FILE [CONCURRENCY]');
    process.exit(2);
}
const concurrency = Number(concArg || 1000);
if (!Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`mailauth_peer: bad concurrency ${concArg}`);
    process.exit(2);
}

// mailauth is CommonJS and lives under build/, not next to this script, so
// it is loaded with a require() rooted in MAILAUTH_DIR.
const require = createRequire(join(resolvePath(dir), 'package.json'));
const { version } = require('mailauth/package.json');
const { spf } = require('mailauth/lib/spf');
const { dmarc } = require('mailauth/lib/dmarc');
const { resolvePolicy, getPolicy } = require('mailauth/lib/mta-sts');

const CLIENT_IP = '192.0.2.1';
const HELO = `[${CLIENT_IP}]`;
const MTA = 'mx.peer.invalid';
const STS_MODE = process.env.MAILAUTH_MTA_STS === 'policy' ? 'policy' : 'txt';

// ---- the resolver given to mailauth ----------------------------------------
const resolverOpts = {};
if (process.env.MAILAUTH_DNS_TIMEOUT_MS) resolverOpts.timeout = Number(process.env.MAILAUTH_DNS_TIMEOUT_MS);
if (process.env.MAILAUTH_DNS_TRIES) resolverOpts.tries = Number(process.env.MAILAUTH_DNS_TRIES);
const res = new dns.promises.Resolver(resolverOpts);
const server = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
res.setServers([server]);

const queries = {}; // rrtype -> count
const answers = {}; // 'ok' | error code -> count
const bump = (o, k) => {
    o[k] = (o[k] || 0) + 1;
};
const resolver = async (name, rrtype) => {
    rrtype = rrtype || 'A';
    bump(queries, rrtype);
    try {
        const r = await res.resolve(name, rrtype);
        bump(answers, 'ok');
        return r;
    } catch (err) {
        bump(answers, err.code || 'other');
        throw err;
    }
};

// ---- per-domain work ----------------------------------------------------------
const count = { mx: {}, spf: {}, dmarc: {}, sts: {}, domain: {} };
const trace = process.env.MAILAUTH_PEER_TRACE ? createWriteStream(process.env.MAILAUTH_PEER_TRACE) : null;

const isNoData = err => err && (err.code === 'ENOTFOUND' || err.code === 'ENODATA');

async function lookupMx(domain) {
    try {
        const mx = await resolver(domain, 'MX');
        const list = mx.map(m => `${m.priority} ${m.exchange || '.'}`);
        if (mx.length === 1 && mx[0].exchange === '') return { result: 'null', mx: list };
        return { result: mx.length ? 'found' : 'none', mx: list };
    } catch (err) {
        return { result: isNoData(err) ? 'none' : 'error', error: err.code || err.message };
    }
}

async function lookupSpfDmarc(domain) {
    const sender = `postmaster@${domain}`;
    const s = await spf({ sender, ip: CLIENT_IP, helo: HELO, mta: MTA, resolver });
    const spfResult = s.status.result;
    const d = await dmarc({
        headerFrom: sender,
        spfDomains: [].concat((spfResult === 'pass' && s.domain) || []),
        dkimDomains: [],
        resolver
    });
    return {
        spf: { result: spfResult, rr: s.rr, lookups: s.lookups?.count },
        dmarc: { result: d.status.result, p: d.p, rr: d.rr, error: d.error }
    };
}

async function lookupSts(domain) {
    try {
        if (STS_MODE === 'policy') {
            const { policy, status } = await getPolicy(domain, null, { resolver });
            return { result: status, id: policy.id, mode: policy.mode, error: policy.error?.code || policy.error?.message };
        }
        const id = await resolvePolicy(domain, { resolver });
        return { result: id ? 'found' : 'none', id };
    } catch (err) {
        return { result: 'error', error: err.code || err.message };
    }
}

async function checkDomain(domain) {
    let out;
    try {
        const [mx, sd, sts] = await Promise.all([lookupMx(domain), lookupSpfDmarc(domain), lookupSts(domain)]);
        out = { domain, mx, spf: sd.spf, dmarc: sd.dmarc, sts };
        bump(count.mx, mx.result);
        bump(count.spf, sd.spf.result);
        bump(count.dmarc, sd.dmarc.result);
        bump(count.sts, sts.result);
        const failed =
            mx.result === 'error' ||
            sd.spf.result === 'temperror' ||
            sd.dmarc.result === 'temperror' ||
            sts.result === 'error' ||
            sts.result === 'errored';
        bump(count.domain, failed ? 'error' : 'ok');
    } catch (err) {
        // not expected (mailauth turns DNS errors into results), but a
        // domain must never stop the run
        out = { domain, exception: String(err?.stack || err) };
        bump(count.domain, 'exception');
    }
    if (trace) trace.write(JSON.stringify(out) + '\n');
}

// ---- the run -------------------------------------------------------------------
const domains = readFileSync(file, 'utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(l => l.slice(l.lastIndexOf('@') + 1).toLowerCase());

const t0 = process.hrtime.bigint();
let next = 0;
async function worker() {
    while (next < domains.length) {
        const d = domains[next++];
        await checkDomain(d);
    }
}
await Promise.all(Array.from({ length: Math.min(concurrency, domains.length) }, worker));
const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
if (trace) await new Promise(r => trace.end(r));

const fmt = o =>
    Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-';
const nq = Object.values(queries).reduce((a, b) => a + b, 0);
const lookups = [
    `MX (${fmt(count.mx)})`,
    `SPF (${fmt(count.spf)})`,
    `DMARC (${fmt(count.dmarc)})`,
    `MTA-STS ${STS_MODE === 'policy' ? 'getPolicy' : 'TXT'} (${fmt(count.sts)})`,
    `DNS queries ${(nq / (domains.length || 1)).toFixed(2)} a domain (${fmt(queries)}; answers: ${fmt(answers)})`,
    `domains ${fmt(count.domain)}`
].join('; ');

process.stdout.write(`version ${version}\ndomains ${domains.length}\nelapsed ${elapsed.toFixed(3)}\nlookups ${lookups}\n`);
