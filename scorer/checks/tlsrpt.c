/*
 * Check "tlsrpt": does the domain ask senders to report failed TLS
 * deliveries (RFC 8460)?  One lookup, _smtp._tls.DOMAIN TXT.
 *
 * Findings: tlsrpt.missing, tlsrpt.invalid, and dns.unverified when the
 * lookup failed.  A domain that takes no mail (NXDOMAIN, null MX, neither
 * MX nor address) gets no TLS-RPT finding: no mail, no TLS to report on,
 * and its own finding already says so.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include "tlsrpt.h"
#include "checks.h"
#include "internal.h"
#include "resolver.h"
#include "tlsrpt_parse.h"

static sc_status_t
tlsrpt_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_tlsrpt);
	struct sc_tlsrpt_state *st;
	char *name;
	size_t n;

	if (sc_domain_is_literal(dom))
		return SC_OK;
	n = strlen(dom->name);
	if ((st = *slot = sc_calloc(1, sizeof(*st))) == NULL ||
	    (name = sc_malloc(n + sizeof("_smtp._tls."))) == NULL)
		return dom->status = SC_ENOMEM;
	memcpy(name, "_smtp._tls.", 11);
	memcpy(name + 11, dom->name, n + 1);
	/* No follow-up, so the lookup may well finish inside this call. */
	st->lk = sc_domain_lookup(dom, name, ns_t_txt, NULL);
	sc_free(name);
	return dom->status;
}

static void
tlsrpt_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_tlsrpt);

	sc_free(*slot);
	*slot = NULL;
}

enum outcome { O_SKIPPED, O_UNVERIFIED, O_MISSING, O_MULTIPLE, O_RECORD };

struct eval {
	enum outcome outcome;
	const struct sc_lookup *lk;
	const struct sc_rr *rr;       /* the record, or the attempt */
	size_t nrecord, nattempt;
	struct sc_tlsrpt_record rec;
	int errors;
};

/* RFC 8460 3: records that do not begin with "v=TLSRPTv1" are discarded;
 * unless exactly one is left, the domain has no TLS-RPT. */
static void
evaluate(const struct sc_domain *dom, const struct sc_tlsrpt_state *st,
         struct eval *ev)
{
	const struct sc_rr *attempt = NULL;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	if (st == NULL || sc_domain_is_literal(dom)) {
		ev->outcome = O_SKIPPED;
		return;
	}
	ev->lk = st->lk;
	if (!sc_lookup_answered(st->lk)) {
		ev->outcome = O_UNVERIFIED;
		return;
	}
	for (i = 0; st->lk->outcome == SC_DNS_OK && i < st->lk->n; i++) {
		const struct sc_rr *rr = &st->lk->rr[i];

		switch (sc_tlsrpt_kind(rr->text, rr->len)) {
		case SC_TLSRPT_RECORD:
			if (ev->nrecord++ == 0)
				ev->rr = rr;
			break;
		case SC_TLSRPT_ATTEMPT:
			if (ev->nattempt++ == 0)
				attempt = rr;
			break;
		default:
			break;
		}
	}
	if (ev->nrecord > 1) {
		ev->outcome = O_MULTIPLE;
		return;
	}
	if (ev->nrecord == 0)
		ev->rr = attempt;
	if (ev->rr == NULL) {
		ev->outcome = O_MISSING;
		return;
	}
	ev->outcome = O_RECORD;
	ev->errors = sc_tlsrpt_parse(ev->rr->text, ev->rr->len, &ev->rec) != 0;
}

static void
tlsrpt_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_tlsrpt_state *st =
		sc_check_state_get(dom, &sc_check_tlsrpt);
	struct eval ev;
	char text[160];

	evaluate(dom, st, &ev);
	if (ev.outcome == O_SKIPPED)
		return;
	if (ev.outcome == O_UNVERIFIED) {
		sc_hits_dns_unverified(out, dom,
		    "the TLS-RPT lookup of _smtp._tls.%s failed (%s)",
		    dom->name, ev.lk != NULL
		    ? sc_dns_outcome_str(ev.lk->outcome)
		    : "not asked before the deadline");
		return;
	}
	if (!sc_domain_takes_mail(dom))
		return;
	switch (ev.outcome) {
	case O_MISSING:
		sc_hits_add(out, "tlsrpt.missing",
		            "_smtp._tls.%s holds no TLS-RPT record: failed TLS "
		            "deliveries to %s go unreported", dom->name, dom->name);
		break;
	case O_MULTIPLE:
		sc_hits_add(out, "tlsrpt.invalid",
		            "_smtp._tls.%s holds %zu TLS-RPT records: senders then "
		            "assume there is none (RFC 8460 3)", dom->name,
		            ev.nrecord);
		break;
	case O_RECORD:
		if (!ev.errors)
			break;
		sc_printable(text, sizeof(text), ev.rr->text, ev.rr->len);
		sc_hits_add(out, "tlsrpt.invalid",
		            "the TLS-RPT record \"%s\" at _smtp._tls.%s is "
		            "malformed at character %zu: %s%s", text, dom->name,
		            ev.rec.pos + 1, ev.rec.reason,
		            ev.nrecord == 0 ? "; senders ignore it (RFC 8460 3)"
		                            : "");
		break;
	default:
		break;
	}
}

static void
tlsrpt_describe(const struct sc_domain *dom, struct sc_jw *jw)
{
	static const char *const names[] = {
		"skipped", "unverified", "missing", "invalid", "ok"
	};
	const struct sc_tlsrpt_state *st =
		sc_check_state_get(dom, &sc_check_tlsrpt);
	struct eval ev;
	size_t i;

	evaluate(dom, st, &ev);
	sc_jw_lit(jw, "{");
	sc_jw_key(jw, "status");
	sc_jw_cstr(jw, ev.outcome == O_RECORD && ev.errors ? "invalid"
	                                                   : names[ev.outcome]);
	if (ev.outcome == O_SKIPPED)
		goto done;
	sc_jw_key(jw, "found_at");
	sc_jw_cstr(jw, ev.lk != NULL ? ev.lk->name : NULL);
	if (ev.outcome == O_MULTIPLE) {
		sc_jw_key(jw, "records_found");
		sc_jw_int(jw, (long long)ev.nrecord);
	}
	sc_jw_key(jw, "record");
	if (ev.outcome != O_RECORD) {
		sc_jw_null(jw);
		goto done;
	}
	sc_jw_str(jw, ev.rr->text, ev.rr->len);
	sc_jw_key(jw, "rua");
	sc_jw_lit(jw, "[");
	for (i = 0; i < ev.rec.nrua; i++) {
		sc_jw_elem(jw);
		sc_jw_str(jw, ev.rr->text + ev.rec.rua[i].off,
		          ev.rec.rua[i].len);
	}
	sc_jw_lit(jw, "]");
	if (ev.errors) {
		sc_jw_key(jw, "error");
		sc_jw_lit(jw, "{");
		sc_jw_key(jw, "position");
		sc_jw_int(jw, (long long)ev.rec.pos + 1);
		sc_jw_key(jw, "reason");
		sc_jw_cstr(jw, ev.rec.reason);
		sc_jw_lit(jw, "}");
	}
done:
	sc_jw_lit(jw, "}");
}

static const char *const tlsrpt_ids[] = {
	"tlsrpt.missing", "tlsrpt.invalid", "dns.unverified", NULL
};

const struct sc_check sc_check_tlsrpt = {
	.name = "tlsrpt",
	.ids = tlsrpt_ids,
	.start = tlsrpt_start,
	.assess = tlsrpt_assess,
	.describe = tlsrpt_describe,
	.clear = tlsrpt_clear,
};
