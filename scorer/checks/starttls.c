/*
 * Check "starttls": can an attacker on the path between a sending service
 * and the mailbox strip STARTTLS or present a certificate of their own?
 *
 * For each address of each MX host (a few at most), the probe of probe.c
 * runs once per context however many domains share the address; the
 * domains that wait for it are held (sc_domain_hold) until it ends or
 * their deadline passes.  This file judges what the probes saw.  A
 * domain's assessment is made once, so late answers cannot alter a
 * report already given.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "checks.h"
#include "internal.h"
#include "ipaddr.h"
#include "starttls.h"

#define MARGIN_MS 250        /* end before the domain's own deadline */
#define MIN_BUDGET_MS 200
#define MAX_ADDRS_PER_HOST 4 /* a host with 50 A records gets 4 probes */

/* The context's probe table (the check's context state), made on first
 * use (with the TLS context, so a bad --ca-file shows here: SC_EIO). */
static sc_status_t
table(struct sc_ctx *ctx, struct sc_probe_table **out)
{
	void **slot = sc_check_ctx_slot(ctx, &sc_check_starttls);
	X509_STORE *trust;
	char err[300];
	sc_status_t st;

	if ((*out = *slot) != NULL)
		return SC_OK;
	if ((trust = sc_ctx_trust(ctx)) == NULL)
		return SC_EIO;
	st = sc_probe_table_new(&ctx->loop, trust, out, err, sizeof(err));
	if (st != SC_OK)
		return st == SC_ENOMEM ? st : sc_ctx_error(ctx, st, "%s", err);
	sc_probe_table_set_per_addr(*out, ctx->mx_sessions);
	*slot = *out;
	return SC_OK;
}

/* After the jobs, which point into it. */
static void
starttls_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	sc_probe_table_free(state);
}

/* Every probe of the run failed to connect: port 25 is blocked here,
 * not on every MX host of the Internet.  Said once, with what to do. */
static int
starttls_notice(const struct sc_ctx *ctx, const void *state, char *buf,
                size_t size)
{
	unsigned long ended, connected;

	sc_probe_counts(state, &ended, &connected);
	if (ended == 0 || connected > 0)
		return 0;
	snprintf(buf, size, "no MX host could be reached on port %u (%lu "
	         "tried): outgoing port %u is probably blocked on this "
	         "network, so no STARTTLS evidence was obtained. Run from a "
	         "network that allows it, or skip the STARTTLS probe (--skip "
	         "starttls), which narrows the verdict to the checks that ran",
	         ctx->smtp_port, ended, ctx->smtp_port);
	return 1;
}

/* An entry's probe ended. */
static void
resolve_entry(struct sc_starttls_entry *e)
{
	e->hostname_ok = e->res->tls.done &&
	                 sc_tls_name_matches(&e->res->tls, e->host);
}

/* A probe a domain waited for ended: its entry (found by the host
 * string's address, which stays put while the entry array grows) gets
 * the answer, and the domain is released. */
static void
on_probe(void *arg, const void *tag, const struct sc_probe_result *res)
{
	struct sc_domain *dom = arg;
	struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i;

	for (i = 0; st != NULL && i < st->n; i++) {
		struct sc_starttls_entry *e = &st->e[i];

		if (e->res != res || e->host != tag || !e->held)
			continue;
		e->held = 0;
		/* After the domain's deadline its report is made: the
		 * release is a no-op and the entry stays as it was assessed
		 * (timed out). */
		if (dom->state != SC_JOB_DONE) {
			resolve_entry(e);
			sc_domain_release(dom);
		}
		return;
	}
}

/* ---- the check --------------------------------------------------------- */

static struct sc_starttls_state *
state_of(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_starttls);
	struct sc_starttls_state *st = *slot;

	if (st == NULL && (st = sc_calloc(1, sizeof(*st))) != NULL) {
		st->port = dom->ctx->smtp_port;
		*slot = st;
	}
	return st;
}

static int
usable(const struct sc_domain *dom, const char *addr)
{
	enum sc_ipclass c = sc_ip_classify(addr);

	/* Private and reserved addresses are not probed: mail from the
	 * Internet cannot reach them either (mx.private_address says so),
	 * and a domain must not make us scan someone's internal network. */
	return c == SC_IP_PUBLIC ||
	       (c == SC_IP_LOOPBACK && dom->ctx->allow_loopback);
}

/* Room for one more entry, kept in MX preference order (stable). */
static struct sc_starttls_entry *
entry_add(struct sc_starttls_state *st, unsigned pref, size_t *index)
{
	size_t i;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		void *q = sc_realloc(st->e, cap * sizeof(*st->e));

		if (q == NULL)
			return NULL;
		st->e = q;
		st->cap = cap;
	}
	for (i = st->n; i > 0 && st->e[i - 1].pref > pref; i--)
		;
	memmove(&st->e[i + 1], &st->e[i], (st->n - i) * sizeof(*st->e));
	memset(&st->e[i], 0, sizeof(*st->e));
	st->n++;
	*index = i;
	return &st->e[i];
}

static unsigned
budget(const struct sc_domain *dom)
{
	uint64_t end = dom->started + dom->ctx->timeout_ms, now = sc_now_ms();
	unsigned ms = end > now + MARGIN_MS ? (unsigned)(end - now - MARGIN_MS)
	                                    : 0;

	return ms < MIN_BUDGET_MS ? MIN_BUDGET_MS : ms;
}

static void
add_address(struct sc_domain *dom, struct sc_starttls_state *st,
            struct sc_probe_table *tab, const struct sc_mxhost *h,
            const char *addr)
{
	struct sc_starttls_entry *e;
	size_t i, idx, count = 0;

	for (i = 0; i < st->n; i++) {
		if (strcmp(st->e[i].host, h->name) != 0)
			continue;
		if (strcmp(st->e[i].addr, addr) == 0)
			return;
		count++;
	}
	if (count >= MAX_ADDRS_PER_HOST)
		return;
	if ((e = entry_add(st, h->pref, &idx)) == NULL ||
	    (e->host = sc_strdup(h->name)) == NULL ||
	    (e->addr = sc_strdup(addr)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	e->pref = h->pref;
	if (sc_probe_join(tab, addr, st->port, h->name, budget(dom), on_probe,
	                  dom, e->host, &e->probe, &e->res) != SC_OK) {
		dom->status = SC_ENOMEM;
		return;
	}
	if (e->res->outcome != SC_PROBE_PENDING) {
		resolve_entry(e);
		return;
	}
	e->held = 1;
	sc_domain_hold(dom);
}

void
sc_starttls_host_addrs(struct sc_domain *dom, const struct sc_mxhost *h,
                       const struct sc_lookup *lk)
{
	struct sc_starttls_state *st;
	struct sc_probe_table *tab;
	sc_status_t st_tab;
	size_t i;

	if (dom->state == SC_JOB_DONE || dom->status != SC_OK ||
	    lk->outcome != SC_DNS_OK || h->name == NULL ||
	    h->name[0] == '\0' || !sc_check_enabled(dom->ctx, &sc_check_starttls))
		return;
	if ((st = state_of(dom)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	for (i = 0; i < lk->n && dom->status == SC_OK; i++) {
		if (!usable(dom, lk->rr[i].text))
			continue;
		if ((st_tab = table(dom->ctx, &tab)) != SC_OK) {
			dom->status = st_tab;
			return;
		}
		add_address(dom, st, tab, h, lk->rr[i].text);
	}
}

const STACK_OF(X509) *
sc_starttls_chain(const struct sc_domain *dom, const char *host,
                  const char *addr)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i;

	for (i = 0; st != NULL && i < st->n; i++)
		if (strcmp(st->e[i].host, host) == 0 &&
		    strcmp(st->e[i].addr, addr) == 0 && st->e[i].res != NULL)
			return st->e[i].res->tls.chain;
	return NULL;
}

/* ---- assessment (pure: the entries in, findings out) -------------------- */

enum { F_UNREACHABLE, F_NO_STARTTLS, F_INVALID, F_EXPIRED, F_NAME, F_OLD,
       F_COUNT };

static const char *const flag_id[F_COUNT] = {
	"starttls.unreachable", "starttls.unsupported", "tls.cert_invalid",
	"tls.cert_expired", "tls.hostname_mismatch", "tls.old_protocol"
};

/* A host whose validated TLSA records match its chain is authenticated
 * by DANE, and DANE senders do not look at the CA, the name or (for
 * DANE-EE) the dates (RFC 7672 3.1.1): those would be false alarms.  The
 * "dane" check's judgement, stored on the host by its finish hook. */
static int
dane_authenticated(const struct sc_domain *dom, const char *host)
{
	size_t j;

	for (j = 0; j < dom->nhost; j++)
		if (strcmp(dom->host[j].name, host) == 0)
			return dom->host[j].dane_authenticated;
	return 0;
}

static void
flags_of(const struct sc_domain *dom, const struct sc_starttls_entry *e,
         int f[F_COUNT])
{
	const struct sc_probe_result *r = e->res;

	memset(f, 0, F_COUNT * sizeof(*f));
	if (r == NULL || r->outcome == SC_PROBE_PENDING ||
	    r->outcome == SC_PROBE_UNREACHABLE) {
		f[F_UNREACHABLE] = 1;
		return;
	}
	if (r->outcome == SC_PROBE_NO_STARTTLS) {
		f[F_NO_STARTTLS] = 1;
		return;
	}
	if (!dane_authenticated(dom, e->host)) {
		f[F_INVALID] = !r->tls.trusted || r->tls.not_yet_valid;
		f[F_EXPIRED] = r->tls.expired;
		f[F_NAME] = !e->hostname_ok;
	}
	/* The version negotiated is the best both sides speak, and we speak
	 * up to TLS 1.3: anything older is the server's best. */
	f[F_OLD] = r->tls.version_num != 0 && r->tls.version_num < TLS1_2_VERSION;
}

#define NOT_INSECURE "This means \"could not verify\", not \"insecure\": " \
	"many networks block outgoing port 25"

static void
emit(const struct sc_starttls_state *st, const struct sc_starttls_entry *e,
     int k, struct sc_hits *out)
{
	const struct sc_probe_result *r = e->res;
	const struct sc_tls_cert *leaf = r != NULL && r->tls.ncert > 0
	                                 ? &r->tls.cert[0] : NULL;

	switch (k) {
	case F_UNREACHABLE:
		if (r == NULL || r->outcome == SC_PROBE_PENDING)
			sc_hits_add_missing(out, flag_id[k], "could not check "
			    "MX host %s (%s port %u): timed out, no answer "
			    "before the check's deadline. " NOT_INSECURE,
			    e->host, e->addr, st->port);
		else
			sc_hits_add_missing(out, flag_id[k], "could not check "
			    "MX host %s (%s port %u): %s. " NOT_INSECURE,
			    e->host, e->addr, st->port, r->error);
		break;
	case F_NO_STARTTLS:
		sc_hits_add(out, flag_id[k], "MX host %s (%s) takes mail "
		            "without encryption: %s. Anyone on the path can "
		            "read mail to this address, reset links included",
		            e->host, e->addr, r->error);
		break;
	case F_INVALID:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) is not trusted: %s%s", e->host, e->addr,
		            r->tls.not_yet_valid && r->tls.trusted
		                ? "it is not valid yet"
		                : r->tls.verify_error,
		            r->tls.self_signed ? " (self-signed)" : "");
		break;
	case F_EXPIRED:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) has expired (valid until %s)", e->host, e->addr,
		            leaf != NULL ? leaf->not_after : "?");
		break;
	case F_NAME:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) does not name it: it is issued to %s", e->host,
		            e->addr, leaf != NULL ? leaf->subject
		                                  : "nobody (no certificate)");
		break;
	case F_OLD:
		sc_hits_add(out, flag_id[k], "MX host %s (%s) speaks %s at "
		            "best; TLS 1.2 is the oldest version without known "
		            "weaknesses", e->host, e->addr, r->tls.version);
		break;
	}
}

/* One finding per id and MX host: its first address that shows it.  An
 * unreachable server is evidence missing (starttls.unreachable): under
 * MTA-STS enforce the probe still decides whether senders deliver at
 * all, so the verdict is error unless the threat model does not need it
 * (docs/verdict.md).  When every probe of a run fails, port 25 is
 * probably blocked: sc_ctx_notice() says so once. */
static void
starttls_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i, j;
	int k;

	for (i = 0; st != NULL && i < st->n; i++) {
		int f[F_COUNT];

		flags_of(dom, &st->e[i], f);
		for (k = 0; k < F_COUNT; k++) {
			int seen = 0;

			if (!f[k])
				continue;
			for (j = 0; j < i && !seen; j++) {
				int g[F_COUNT];

				if (strcmp(st->e[j].host, st->e[i].host) != 0)
					continue;
				flags_of(dom, &st->e[j], g);
				seen = g[k];
			}
			if (!seen)
				emit(st, &st->e[i], k, out);
		}
	}
}

/* ---- description ------------------------------------------------------- */

static const char *
outcome_str(enum sc_probe_outcome o)
{
	switch (o) {
	case SC_PROBE_PENDING: return "timeout";
	case SC_PROBE_UNREACHABLE: return "unreachable";
	case SC_PROBE_NO_STARTTLS: return "no_starttls";
	case SC_PROBE_TLS: return "tls";
	}
	return "?";
}

static void
describe_cert(const struct sc_tls_cert *c, struct sc_jw *out)
{
	sc_jw_lit(out, "{");
	sc_jw_key(out, "subject");
	sc_jw_cstr(out, c->subject);
	sc_jw_key(out, "issuer");
	sc_jw_cstr(out, c->issuer);
	sc_jw_key(out, "not_before");
	sc_jw_cstr(out, c->not_before);
	sc_jw_key(out, "not_after");
	sc_jw_cstr(out, c->not_after);
	sc_jw_key(out, "sha256");
	sc_jw_cstr(out, c->sha256);
	sc_jw_lit(out, "}");
}

static void
describe_tls(const struct sc_starttls_entry *e, struct sc_jw *out)
{
	const struct sc_tls_result *t = &e->res->tls;
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "version");
	sc_jw_cstr(out, t->version);
	sc_jw_key(out, "cipher");
	sc_jw_cstr(out, t->cipher);
	sc_jw_key(out, "trusted");
	sc_jw_bool(out, t->trusted);
	sc_jw_key(out, "expired");
	sc_jw_bool(out, t->expired);
	sc_jw_key(out, "self_signed");
	sc_jw_bool(out, t->self_signed);
	sc_jw_key(out, "hostname_match");
	sc_jw_bool(out, e->hostname_ok);
	sc_jw_key(out, "chain");
	sc_jw_lit(out, "[");
	for (i = 0; i < t->ncert; i++) {
		sc_jw_elem(out);
		describe_cert(&t->cert[i], out);
	}
	sc_jw_lit(out, "]");
	/* after the chain, where reports have always had it */
	if (t->verify_error[0] != '\0') {
		sc_jw_key(out, "verify_error");
		sc_jw_cstr(out, t->verify_error);
	}
	sc_jw_lit(out, "}");
}

/* What the server said before TLS: its banner, and its EHLO reply unless
 * the connection was lost before it. */
static void
describe_smtp(const struct sc_probe_result *r, struct sc_jw *out)
{
	size_t i;

	if (r->banner == NULL)
		return;
	sc_jw_key(out, "banner");
	sc_jw_cstr(out, r->banner);
	if (r->outcome == SC_PROBE_UNREACHABLE)
		return;
	sc_jw_key(out, "starttls");
	sc_jw_bool(out, r->starttls_offered);
	sc_jw_key(out, "ehlo");
	sc_jw_lit(out, "[");
	for (i = 0; i < r->next; i++) {
		sc_jw_elem(out);
		sc_jw_cstr(out, r->ext[i]);
	}
	sc_jw_lit(out, "]");
}

static void
describe_entry(const struct sc_starttls_entry *e, struct sc_jw *out)
{
	const struct sc_probe_result *r = e->res;
	enum sc_probe_outcome o = r != NULL ? r->outcome : SC_PROBE_PENDING;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "address");
	sc_jw_cstr(out, e->addr);
	sc_jw_key(out, "status");
	sc_jw_cstr(out, outcome_str(o));
	/* a probe not answered in time has nothing more to say */
	if (r != NULL && o != SC_PROBE_PENDING) {
		sc_jw_key(out, "elapsed_ms");
		sc_jw_int(out, r->elapsed_ms);
		if (r->error[0] != '\0') {
			sc_jw_key(out, "error");
			sc_jw_cstr(out, r->error);
		}
		describe_smtp(r, out);
		if (o == SC_PROBE_TLS) {
			sc_jw_key(out, "tls");
			describe_tls(e, out);
		}
	}
	sc_jw_lit(out, "}");
}

/* {"port": 25, "hosts": [{"host", "preference", "addresses": [...]}]};
 * the entries come grouped by host, one host object per run of them. */
static void
starttls_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "port");
	sc_jw_int(out, st != NULL ? st->port : dom->ctx->smtp_port);
	sc_jw_key(out, "hosts");
	sc_jw_lit(out, "[");
	for (i = 0; st != NULL && i < st->n; i++) {
		const struct sc_starttls_entry *e = &st->e[i];

		if (i == 0 || strcmp(st->e[i - 1].host, e->host) != 0) {
			if (i > 0)
				sc_jw_lit(out, "]}");
			sc_jw_elem(out);
			sc_jw_lit(out, "{");
			sc_jw_key(out, "host");
			sc_jw_cstr(out, e->host);
			sc_jw_key(out, "preference");
			sc_jw_int(out, e->pref);
			sc_jw_key(out, "addresses");
			sc_jw_lit(out, "[");
		}
		sc_jw_elem(out);
		describe_entry(e, out);
	}
	if (st != NULL && st->n > 0)
		sc_jw_lit(out, "]}");
	sc_jw_lit(out, "]}");
}

/* Free the domain's entries; a probe still running forgets the domain. */
static void
starttls_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_starttls);
	struct sc_starttls_state *st = *slot;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		struct sc_starttls_entry *e = &st->e[i];

		if (e->probe != NULL && e->held)
			sc_probe_forget(e->probe, dom, e->host);
		sc_free(e->host);
		sc_free(e->addr);
	}
	sc_free(st->e);
	sc_free(st);
	*slot = NULL;
}

static const char *const starttls_ids[] = {
	"starttls.unsupported", "starttls.unreachable", "tls.cert_invalid",
	"tls.cert_expired", "tls.hostname_mismatch", "tls.old_protocol", NULL
};

const struct sc_check sc_check_starttls = {
	.name = "starttls",
	.ids = starttls_ids,
	.ctx_free = starttls_ctx_free,
	.notice = starttls_notice,
	.start = NULL, /* started by the "mx" check as addresses come in */
	.assess = starttls_assess,
	.describe = starttls_describe,
	.clear = starttls_clear,
};
