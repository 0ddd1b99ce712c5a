/*
 * Check "mta_sts": does the domain protect mail to it from STARTTLS
 * stripping with MTA-STS (RFC 8461)?
 *
 *   _mta-sts.DOMAIN TXT  exactly one "v=STSv1; id=..." record (3.1)
 *   mta-sts.DOMAIN A/AAAA, asked through our own resolvers, then
 *   https://mta-sts.DOMAIN/.well-known/mta-sts.txt  over valid HTTPS, no
 *                        redirects, 200, text/plain (3.2, 3.3)
 *   the policy           parsed strictly (3.2), every MX host matched
 *                        against its mx patterns (4.1)
 *
 * Findings: mta_sts.missing (also for mode none, which asks nothing of
 * senders), mta_sts.invalid, mta_sts.testing, mta_sts.policy_unavailable,
 * mta_sts.mx_mismatch (enforce only: under testing an unlisted MX still
 * gets mail, which mta_sts.testing already says is unprotected), and
 * dns.unverified when a lookup failed.  A domain that takes no mail gets
 * no MTA-STS finding: its own finding says so.
 *
 * The domain job is held open while the HTTPS fetch runs
 * (sc_domain_hold()); the fetch is cancelled in the clear hook, which runs
 * before the job is freed, so a late answer never touches freed memory.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include "mta_sts.h"
#include "checks.h"
#include "internal.h"
#include "resolver.h"
#include "mta_sts_parse.h"

#define POLICY_MAX (64 * 1024) /* a real policy is a few hundred bytes */
#define MAX_ADDRS 4            /* of each family, handed to curl */
#define WELL_KNOWN "/.well-known/mta-sts.txt"

static char *
prefixed(const char *prefix, const char *name)
{
	size_t p = strlen(prefix), n = strlen(name);
	char *s = sc_malloc(p + n + 1);

	if (s != NULL) {
		memcpy(s, prefix, p);
		memcpy(s + p, name, n + 1);
	}
	return s;
}

static struct sc_mta_sts_state *
state_of(struct sc_domain *dom)
{
	return *sc_check_state(dom, &sc_check_mta_sts);
}

static int
has_addr(const struct sc_lookup *lk)
{
	return lk != NULL && lk->done && lk->outcome == SC_DNS_OK && lk->n > 0;
}

/* ---- the TXT record (RFC 8461 3.1) ------------------------------------ */

enum txt_result { TXT_MISSING, TXT_VALID, TXT_INVALID };

struct txt_pick {
	enum txt_result r;
	const struct sc_rr *rr;   /* the record used (or the malformed one) */
	size_t nsts;              /* records beginning with v=STSv1 */
	struct sc_sts_txt parsed;
};

/* "records that do not begin with v=STSv1; are discarded"; unless exactly
 * one is left and it is valid, there is no policy. */
static void
pick_txt(const struct sc_lookup *lk, struct txt_pick *p)
{
	const struct sc_rr *stray = NULL;
	struct sc_sts_txt t, stray_t;
	size_t i;

	memset(p, 0, sizeof(*p));
	memset(&stray_t, 0, sizeof(stray_t));
	p->r = TXT_MISSING;
	for (i = 0; lk != NULL && lk->outcome == SC_DNS_OK && i < lk->n; i++) {
		const struct sc_rr *rr = &lk->rr[i];

		switch (sc_sts_txt_parse(rr->text, rr->len, &t)) {
		case SC_STS_TXT_VALID:
		case SC_STS_TXT_INVALID:
			if (p->nsts++ == 0) {
				p->rr = rr;
				p->parsed = t;
			}
			break;
		case SC_STS_TXT_STRAY:
			if (stray == NULL) {
				stray = rr;
				stray_t = t;
			}
			break;
		default:
			break;
		}
	}
	if (p->nsts > 1) {
		p->r = TXT_INVALID;
	} else if (p->nsts == 1) {
		p->r = p->parsed.id[0] != '\0' ? TXT_VALID : TXT_INVALID;
	} else if (stray != NULL) {
		p->r = TXT_INVALID;
		p->rr = stray;
		p->parsed = stray_t;
	}
}

/* ---- gathering the evidence ------------------------------------------- */

static void on_fetch(struct sc_fetch *f, void *arg);

/* Time left for the fetch: a margin before the job's deadline, so that a
 * stalled server ends as a timeout of the fetch (with curl's words) rather
 * than as an unfinished job.  Senders wait longer; we only must finish. */
static unsigned
fetch_timeout(const struct sc_domain *dom)
{
	uint64_t now = sc_now_ms(), end = dom->started + dom->ctx->timeout_ms;
	uint64_t left = end > now ? end - now : 0, margin = left / 8;

	if (margin < 100)
		margin = 100;
	return left > margin + 50 ? (unsigned)(left - margin) : 50;
}

/* Both address lookups of mta-sts.DOMAIN are in: fetch the policy. */
static void
maybe_fetch(struct sc_domain *dom, struct sc_mta_sts_state *st)
{
	struct sc_ctx *ctx = dom->ctx;
	struct sc_fetch *f;
	char *host = NULL, *resolve = NULL;
	size_t n;
	int none;
	sc_status_t rc;

	if (st->fetch != NULL || st->a == NULL || st->aaaa == NULL ||
	    !st->a->done || !st->aaaa->done || dom->state == SC_JOB_DONE ||
	    dom->status != SC_OK || (!has_addr(st->a) && !has_addr(st->aaaa)))
		return;
	host = prefixed("mta-sts.", dom->name);
	n = strlen(dom->name) + sizeof("https://mta-sts.:65535" WELL_KNOWN);
	st->url = sc_malloc(n);
	if (host == NULL || st->url == NULL ||
	    /* curl connects where our resolvers said, and asks none of
	     * its own. */
	    (resolve = sc_http_resolve_list(host, ctx->https_port, st->a,
	                                    st->aaaa, MAX_ADDRS, &none)) ==
	        NULL ||
	    (ctx->ca_file != NULL &&
	     (st->ca_file = sc_strdup(ctx->ca_file)) == NULL) ||
	    (f = st->fetch = sc_calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	/* The URL carries a port only when it is not 443 (labs); the name,
	 * hence SNI and Host, stays mta-sts.DOMAIN (3.3). */
	if (ctx->https_port == 443)
		snprintf(st->url, n, "https://%s" WELL_KNOWN, host);
	else
		snprintf(st->url, n, "https://%s:%u" WELL_KNOWN, host,
		         ctx->https_port);
	f->max_body = POLICY_MAX;
	f->timeout_ms = fetch_timeout(dom);
	f->ca_file = st->ca_file;
	f->resolve = resolve;
	f->once = 1;
	sc_domain_hold(dom);
	st->held = 1;
	rc = sc_http_get(&ctx->http, f, st->url, on_fetch, dom);
	f->resolve = NULL; /* copied by curl; ours is freed below */
	if (rc != SC_OK) {
		/* We run inside a lookup's callback, which still counts as
		 * pending: this release cannot finish the job under us. */
		st->held = 0;
		sc_domain_release(dom);
		if (rc == SC_ENOMEM)
			goto nomem;
		st->fetch_done = 1;
		f->outcome = SC_FETCH_FAILED;
		f->code = 2; /* CURLE_FAILED_INIT, as curl would say */
		snprintf(f->error, sizeof(f->error), "the fetch could not be "
		         "started (%s)", rc == SC_EIO ? sc_http_error()
		                                      : sc_strerror(rc));
	}
	sc_free(host);
	sc_free(resolve);
	return;
nomem:
	dom->status = SC_ENOMEM;
	sc_free(host);
	sc_free(resolve);
}

static void
on_addr(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_mta_sts_state *st = state_of(dom);

	(void)lk;
	if (st != NULL)
		maybe_fetch(dom, st);
}

static void
on_txt(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_mta_sts_state *st = state_of(dom);
	struct txt_pick p;
	char *host;

	if (st == NULL)
		return;
	pick_txt(lk, &p);
	/* 3.1: without exactly one valid record, senders stop here. */
	if (p.r != TXT_VALID)
		return;
	if ((host = prefixed("mta-sts.", dom->name)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	st->a = sc_domain_lookup(dom, host, ns_t_a, on_addr);
	st->aaaa = sc_domain_lookup(dom, host, ns_t_aaaa, on_addr);
	sc_free(host);
	/* Either may have ended inside sc_domain_lookup(), before st->a or
	 * st->aaaa was set, when its callback could not see both. */
	maybe_fetch(dom, st);
}

/* The answer is in.  The Content-Type is read from curl's handle here,
 * while it still exists (http.c does not keep it). */
static void
on_fetch(struct sc_fetch *f, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_mta_sts_state *st = state_of(dom);

	if (st == NULL || st->fetch != f)
		return;
	st->fetch_done = 1;
	if (f->content_type != NULL &&
	    (st->content_type = sc_strdup(f->content_type)) == NULL &&
	    dom->state != SC_JOB_DONE)
		dom->status = SC_ENOMEM;
	if (st->held) {
		st->held = 0;
		sc_domain_release(dom); /* may finish the job: last */
	}
}

static sc_status_t
mta_sts_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_mta_sts);
	struct sc_mta_sts_state *st;
	char *name;

	if (sc_domain_is_literal(dom))
		return SC_OK;
	if ((st = *slot = sc_calloc(1, sizeof(*st))) == NULL ||
	    (name = prefixed("_mta-sts.", dom->name)) == NULL)
		return dom->status = SC_ENOMEM;
	st->txt = sc_domain_lookup(dom, name, ns_t_txt, on_txt);
	sc_free(name);
	return dom->status;
}

static void
mta_sts_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_mta_sts);
	struct sc_mta_sts_state *st = *slot;

	if (st == NULL)
		return;
	if (st->fetch != NULL) {
		/* Cancel first: its callback must not run on freed memory. */
		sc_http_cancel(&dom->ctx->http, st->fetch);
		sc_fetch_clear(st->fetch);
		sc_free(st->fetch);
	}
	sc_free(st->url);
	sc_free(st->content_type);
	sc_free(st->ca_file);
	sc_free(st);
	*slot = NULL;
}

/* ---- judging the evidence (pure) -------------------------------------- */

enum verdict {
	V_SKIP,        /* nothing to say (literal, takes no mail) */
	V_UNVERIFIED,  /* a lookup failed */
	V_MISSING,     /* no record */
	V_INVALID,     /* record or policy malformed */
	V_UNAVAILABLE, /* record, but no policy over valid HTTPS */
	V_UNREACHABLE, /* record, but the policy host not reached from here
	                * (could not verify: our network may be the cause) */
	V_NONE,        /* policy of mode none */
	V_TESTING,
	V_ENFORCE
};

struct eval {
	enum verdict v;
	char why[512];               /* the finding's detail */
	struct txt_pick txt;
	const struct sc_mta_sts_state *st;
	struct sc_sts_policy policy; /* when parsed: free with _clear */
	int have_policy;
	int nomem;
};

static const char *
outcome_or(const struct sc_lookup *lk)
{
	return lk == NULL ? "not asked" : sc_dns_outcome_str(lk->outcome);
}

static int
unusable(struct eval *ev, enum verdict v)
{
	ev->v = v;
	return -1;
}

/* Why the fetched answer cannot serve as a policy, in ev->why, and the
 * verdict in ev->v: V_UNREACHABLE when the server was never reached (no
 * evidence either way), V_UNAVAILABLE when what it did answer is no
 * policy.  0 when it can serve. */
static int
judge_fetch(const struct sc_domain *dom, struct eval *ev)
{
	const struct sc_mta_sts_state *st = ev->st;
	const struct sc_fetch *f = st->fetch;
	const char *url = st->url != NULL ? st->url : "the policy URL";
	char ct[80];

	if (f == NULL) {
		snprintf(ev->why, sizeof(ev->why), "the policy of %s was not "
		         "fetched before the time limit", dom->name);
		return unusable(ev, V_UNREACHABLE);
	}
	if (!st->fetch_done) {
		snprintf(ev->why, sizeof(ev->why), "%s did not answer within "
		         "the time limit", url);
		return unusable(ev, V_UNREACHABLE);
	}
	if (!f->connected && (f->outcome == SC_FETCH_CONNECT ||
	                      f->outcome == SC_FETCH_TIMEOUT)) {
		snprintf(ev->why, sizeof(ev->why), "could not connect to %s: "
		         "%s (curl error %d)", url, f->error, f->code);
		return unusable(ev, V_UNREACHABLE);
	}
	if (f->truncated || f->outcome == SC_FETCH_TOO_BIG) {
		snprintf(ev->why, sizeof(ev->why), "the policy at %s is larger "
		         "than %d KiB: not read (a policy is a few lines)", url,
		         POLICY_MAX / 1024);
		return unusable(ev, V_UNAVAILABLE);
	}
	if (f->outcome == SC_FETCH_CERT) {
		snprintf(ev->why, sizeof(ev->why), "the certificate of "
		         "mta-sts.%s is not valid, so senders do not use the "
		         "policy (RFC 8461 3.3): %s (curl error %d)", dom->name,
		         f->error, f->code);
		return unusable(ev, V_UNAVAILABLE);
	}
	if (f->outcome != SC_FETCH_OK) {
		snprintf(ev->why, sizeof(ev->why), "fetching %s failed: %s "
		         "(curl error %d)", url, f->error, f->code);
		return unusable(ev, V_UNAVAILABLE);
	}
	if (f->status >= 300 && f->status < 400) {
		snprintf(ev->why, sizeof(ev->why), "%s answered HTTP %ld, a "
		         "redirect, which senders must not follow (RFC 8461 "
		         "3.3)", url, f->status);
		return unusable(ev, V_UNAVAILABLE);
	}
	if (f->status != 200) {
		snprintf(ev->why, sizeof(ev->why), "%s answered HTTP %ld, not "
		         "200", url, f->status);
		return unusable(ev, V_UNAVAILABLE);
	}
	if (!sc_sts_media_type_ok(st->content_type)) {
		sc_printable(ct, sizeof(ct), st->content_type ? st->content_type : "",
		          st->content_type ? strlen(st->content_type) : 0);
		snprintf(ev->why, sizeof(ev->why), "%s is served as \"%s\", "
		         "not text/plain, so senders may refuse it (RFC 8461 "
		         "3.2)", url, st->content_type ? ct : "(no Content-Type)");
		return unusable(ev, V_UNAVAILABLE);
	}
	return 0;
}

static void
evaluate(const struct sc_domain *dom, struct eval *ev)
{
	const struct sc_mta_sts_state *st =
		sc_check_state_get(dom, &sc_check_mta_sts);
	char txt[128], why[SC_STS_WHY_LEN];
	sc_status_t rc;

	memset(ev, 0, sizeof(*ev));
	ev->st = st;
	if (st == NULL || sc_domain_is_literal(dom)) {
		ev->v = V_SKIP;
		return;
	}
	if (!sc_lookup_answered(st->txt)) {
		ev->v = V_UNVERIFIED;
		snprintf(ev->why, sizeof(ev->why), "the MTA-STS lookup of "
		         "_mta-sts.%s failed (%s)", dom->name, st->txt != NULL
		         ? sc_dns_outcome_str(st->txt->outcome)
		         : "not asked before the deadline");
		return;
	}
	if (!sc_domain_takes_mail(dom)) {
		ev->v = V_SKIP;
		return;
	}
	pick_txt(st->txt, &ev->txt);
	if (ev->txt.rr != NULL)
		sc_printable(txt, sizeof(txt), ev->txt.rr->text, ev->txt.rr->len);
	if (ev->txt.r == TXT_MISSING) {
		ev->v = V_MISSING;
		snprintf(ev->why, sizeof(ev->why), "_mta-sts.%s holds no "
		         "MTA-STS record (%s): senders apply no policy, and "
		         "STARTTLS to %s can be stripped", dom->name,
		         st->txt->outcome == SC_DNS_OK ? "only other TXT records"
		                                       : outcome_or(st->txt),
		         dom->name);
		return;
	}
	if (ev->txt.r == TXT_INVALID) {
		ev->v = V_INVALID;
		if (ev->txt.nsts > 1)
			snprintf(ev->why, sizeof(ev->why), "_mta-sts.%s holds "
			         "%zu records beginning with v=STSv1; senders "
			         "apply no policy unless there is exactly one "
			         "(RFC 8461 3.1)", dom->name, ev->txt.nsts);
		else
			snprintf(ev->why, sizeof(ev->why), "the TXT record "
			         "\"%s\" at _mta-sts.%s is malformed: %s; senders "
			         "ignore it (RFC 8461 3.1)", txt, dom->name,
			         ev->txt.parsed.why);
		return;
	}
	/* A valid record: now the policy host. */
	if (!has_addr(st->a) && !has_addr(st->aaaa)) {
		if (sc_lookup_answered(st->a) && sc_lookup_answered(st->aaaa)) {
			ev->v = V_UNAVAILABLE;
			snprintf(ev->why, sizeof(ev->why), "_mta-sts.%s announces "
			         "a policy, but mta-sts.%s does not resolve (A: "
			         "%s, AAAA: %s), so the policy cannot be fetched",
			         dom->name, dom->name, outcome_or(st->a),
			         outcome_or(st->aaaa));
		} else {
			ev->v = V_UNVERIFIED;
			snprintf(ev->why, sizeof(ev->why), "the address lookups "
			         "of the MTA-STS policy host mta-sts.%s failed "
			         "(A: %s, AAAA: %s)", dom->name, outcome_or(st->a),
			         outcome_or(st->aaaa));
		}
		return;
	}
	if (judge_fetch(dom, ev) != 0)
		return;
	rc = sc_sts_policy_parse(st->fetch->body, st->fetch->len, &ev->policy,
	                         why, sizeof(why));
	if (rc == SC_ENOMEM) {
		ev->nomem = 1;
		ev->v = V_SKIP;
		return;
	}
	if (rc != SC_OK) {
		ev->v = V_INVALID;
		snprintf(ev->why, sizeof(ev->why), "the policy at %s is "
		         "malformed: %s; senders ignore it (RFC 8461 3.2)",
		         st->url, why);
		return;
	}
	ev->have_policy = 1;
	switch (ev->policy.mode) {
	case SC_STS_MODE_NONE: ev->v = V_NONE; break;
	case SC_STS_MODE_TESTING: ev->v = V_TESTING; break;
	case SC_STS_MODE_ENFORCE: ev->v = V_ENFORCE; break;
	}
}

/* The hosts mail goes to: the MX hosts, or without MX the domain itself
 * (RFC 5321 5.1), which the policy must then cover as well. */
static size_t
host_count(const struct sc_domain *dom)
{
	if (dom->nhost > 0)
		return dom->nhost;
	return dom->mx != NULL && dom->mx->outcome == SC_DNS_NODATA ? 1 : 0;
}

static const char *
host_name(const struct sc_domain *dom, size_t i)
{
	return dom->nhost > 0 ? dom->host[i].name : dom->name;
}

static int
covered(const struct sc_sts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (sc_sts_mx_match(p->mx[i], host))
			return 1;
	return 0;
}

/* The hosts no pattern covers, "a, b", into buf; how many. */
static size_t
uncovered(const struct sc_domain *dom, const struct sc_sts_policy *p,
          char *buf, size_t size)
{
	size_t i, n = 0, len = 0;

	buf[0] = '\0';
	for (i = 0; i < host_count(dom); i++) {
		const char *h = host_name(dom, i);

		if (h[0] == '\0' || covered(p, h))
			continue;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			                        n > 0 ? ", " : "", h);
		n++;
	}
	return n;
}

static void
patterns(const struct sc_sts_policy *p, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nmx && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		                        i > 0 ? ", " : "", p->mx[i]);
}

static void
mta_sts_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	struct eval ev;
	char hosts[256], pats[256];
	size_t n;

	evaluate(dom, &ev);
	if (ev.nomem)
		out->failed = 1;
	switch (ev.v) {
	case V_SKIP:
		break;
	case V_UNVERIFIED:
		sc_hits_dns_unverified(out, dom, "%s", ev.why);
		break;
	case V_MISSING:
		sc_hits_add(out, "mta_sts.missing", "%s", ev.why);
		break;
	case V_INVALID:
		sc_hits_add(out, "mta_sts.invalid", "%s", ev.why);
		break;
	case V_UNAVAILABLE:
		sc_hits_add(out, "mta_sts.policy_unavailable", "%s; senders "
		            "without a cached copy fall back to opportunistic "
		            "TLS", ev.why);
		break;
	case V_UNREACHABLE:
		sc_hits_add_missing(out, "mta_sts.unreachable", "%s. This means "
		                    "\"could not verify\", not \"insecure\": "
		                    "the network this ran from may block it",
		                    ev.why);
		break;
	case V_NONE:
		/* 5: mode none tells senders to drop the policy: the same as
		 * publishing none. */
		sc_hits_add(out, "mta_sts.missing", "the policy at %s has mode "
		            "none: senders apply no MTA-STS policy, as if none "
		            "were published", ev.st->url);
		break;
	case V_TESTING:
		n = uncovered(dom, &ev.policy, hosts, sizeof(hosts));
		sc_hits_add(out, "mta_sts.testing", "the policy at %s has mode "
		            "testing: senders report TLS failures but still "
		            "deliver without TLS%s%s", ev.st->url,
		            n > 0 ? "; MX hosts it does not list (mail to them "
		                    "would fail under enforce): " : "",
		            n > 0 ? hosts : "");
		break;
	case V_ENFORCE:
		n = uncovered(dom, &ev.policy, hosts, sizeof(hosts));
		if (n == 0)
			break;
		patterns(&ev.policy, pats, sizeof(pats));
		sc_hits_add(out, "mta_sts.mx_mismatch", "MX host%s %s of %s "
		            "match%s no mx pattern of the enforced policy (%s): "
		            "senders that apply it refuse to deliver there "
		            "(RFC 8461 4.1)", n > 1 ? "s" : "", hosts, dom->name,
		            n > 1 ? "" : "es", pats);
		break;
	}
	sc_sts_policy_clear(&ev.policy);
}

/* ---- what the check saw ----------------------------------------------- */

static void
describe_policy(struct sc_jw *out, const struct sc_sts_policy *p)
{
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "mode");
	sc_jw_cstr(out, sc_sts_mode_str(p->mode));
	sc_jw_key(out, "max_age");
	sc_jw_int(out, (long long)p->max_age);
	sc_jw_key(out, "mx");
	sc_jw_lit(out, "[");
	for (i = 0; i < p->nmx; i++) {
		sc_jw_elem(out);
		sc_jw_cstr(out, p->mx[i]);
	}
	sc_jw_lit(out, "]}");
}

/* Which hosts mail goes to the policy's patterns cover (none without a
 * policy).  The MX hosts are unique (sc_mx_start_hosts() lists each
 * once), so are the keys. */
static void
describe_covered(struct sc_jw *out, const struct sc_domain *dom,
                 const struct eval *ev)
{
	size_t i;

	sc_jw_key(out, "mx_covered");
	sc_jw_lit(out, "{");
	for (i = 0; ev->have_policy && i < host_count(dom); i++) {
		const char *h = host_name(dom, i);

		if (h[0] == '\0')
			continue;
		sc_jw_sep(out);
		sc_jw_cstr(out, h);
		sc_jw_lit(out, ":");
		sc_jw_bool(out, covered(&ev->policy, h));
	}
	sc_jw_lit(out, "}");
}

/* Why there is no usable policy, when the verdict says so. */
static int
no_policy(const struct eval *ev)
{
	return ev->v == V_UNVERIFIED || ev->v == V_MISSING ||
	       ev->v == V_INVALID || ev->v == V_UNAVAILABLE ||
	       ev->v == V_UNREACHABLE;
}

int
sc_mta_sts_enforced(const struct sc_domain *dom, char *why, size_t whylen)
{
	const char *uncovered = NULL;
	struct eval ev;
	size_t i, n = 0;
	int r = 0;

	evaluate(dom, &ev);
	snprintf(why, whylen, "no MTA-STS policy");
	if (ev.nomem) {
		r = -1;
	} else if (no_policy(&ev)) {
		snprintf(why, whylen, "%s", ev.why);
		if (ev.v == V_UNVERIFIED || ev.v == V_UNREACHABLE)
			r = 2;
	} else if (!ev.have_policy) {
		snprintf(why, whylen, "no usable MTA-STS policy");
	} else if (ev.policy.mode != SC_STS_MODE_ENFORCE) {
		snprintf(why, whylen, "the MTA-STS policy is in mode %s, not "
		         "enforce", sc_sts_mode_str(ev.policy.mode));
	} else {
		for (i = 0; i < host_count(dom) && uncovered == NULL; i++) {
			const char *h = host_name(dom, i);

			if (h[0] == '\0')
				continue;
			n++;
			if (!covered(&ev.policy, h))
				uncovered = h;
		}
		if (uncovered != NULL) {
			snprintf(why, whylen, "the enforced MTA-STS policy does "
			         "not list MX host %s", uncovered);
		} else if (n > 0) {
			r = 1;
			snprintf(why, whylen, "an MTA-STS policy in mode enforce "
			         "covers every MX host");
		}
	}
	sc_sts_policy_clear(&ev.policy);
	return r;
}

static void
mta_sts_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_mta_sts_state *st;
	struct eval ev;

	evaluate(dom, &ev);
	st = ev.st;
	sc_jw_lit(out, "{");
	sc_jw_key(out, "txt");
	if (ev.txt.rr != NULL)
		sc_jw_str(out, ev.txt.rr->text, ev.txt.rr->len);
	else
		sc_jw_null(out);
	sc_jw_key(out, "id");
	sc_jw_cstr(out, ev.txt.r == TXT_VALID ? ev.txt.parsed.id : NULL);
	sc_jw_key(out, "policy_url");
	sc_jw_cstr(out, st != NULL ? st->url : NULL);
	sc_jw_key(out, "http_status");
	/* 0: no HTTP answer at all (a connection or TLS failure). */
	if (st != NULL && st->fetch != NULL && st->fetch_done &&
	    st->fetch->status != 0)
		sc_jw_int(out, st->fetch->status);
	else
		sc_jw_null(out);
	sc_jw_key(out, "policy");
	if (ev.have_policy)
		describe_policy(out, &ev.policy);
	else
		sc_jw_null(out);
	describe_covered(out, dom, &ev);
	sc_jw_key(out, "error");
	sc_jw_cstr(out, no_policy(&ev) ? ev.why : NULL);
	sc_jw_lit(out, "}");
	/* Out of memory parsing the policy: what it says is unknown, which
	 * is not the same as having none. */
	if (ev.nomem)
		sc_jw_fail(out);
	sc_sts_policy_clear(&ev.policy);
}

static const char *const mta_sts_ids[] = {
	"mta_sts.missing", "mta_sts.invalid", "mta_sts.testing",
	"mta_sts.policy_unavailable", "mta_sts.unreachable",
	"mta_sts.mx_mismatch", "dns.unverified", NULL
};

const struct sc_check sc_check_mta_sts = {
	.name = "mta_sts",
	.ids = mta_sts_ids,
	.start = mta_sts_start,
	.assess = mta_sts_assess,
	.describe = mta_sts_describe,
	.clear = mta_sts_clear,
};
