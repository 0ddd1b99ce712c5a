/*
 * Building a report from a request and its domain's assessment, and the
 * accessors of scorer.h.  A report copies everything it shows, so it
 * outlives the context that made it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "report.h"

static void
finding_clear(sc_finding_t *f)
{
	sc_free((char *)f->detail);
	sc_free((char *)f->title);
	sc_free((char *)f->why);
	sc_free((char *)f->fix);
}

static void
record_clear(sc_record_t *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		sc_free((char *)r->data[i]);
	sc_free((void *)r->data);
	sc_free((char *)r->name);
}

void
sc_report_free(sc_report_t *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nfinding; i++)
		finding_clear(&rep->finding[i]);
	for (i = 0; i < rep->nrecord; i++)
		record_clear(&rep->record[i]);
	sc_free(rep->finding);
	sc_free(rep->record);
	json_decref(rep->checks);
	sc_text_unref(rep->checks_text);
	sc_free(rep->interception_why);
	sc_free(rep->address);
	sc_free(rep->domain);
	sc_free(rep);
}

/* A finding from a hit and its rule; an id without a rule (a custom rules
 * directory may leave some out) is shown as info worth no points. */
static sc_status_t
fill_finding(const struct sc_rules *rules, const struct sc_hit *hit,
             sc_finding_t *f)
{
	const struct sc_rule *r = sc_rules_find(rules, hit->id);

	memset(f, 0, sizeof(*f));
	f->id = hit->id; /* a static string of the check: outlives the rules */
	f->severity = r != NULL ? r->f.severity : SC_SEV_INFO;
	f->category = r != NULL ? r->f.category : SC_CAT_DELIVERY;
	f->points = r != NULL ? r->f.points : 0;
	f->detail = sc_strdup(hit->detail);
	f->title = sc_strdup(r != NULL ? r->f.title : hit->id);
	f->why = sc_strdup(r != NULL ? r->f.why : "");
	f->fix = sc_strdup(r != NULL ? r->f.fix : "");
	if (f->detail == NULL || f->title == NULL || f->why == NULL ||
	    f->fix == NULL)
		return SC_ENOMEM;
	return SC_OK;
}

static sc_status_t
add_findings(sc_report_t *rep, const struct sc_rules *rules,
             const struct sc_hits *hits)
{
	size_t i;

	sc_finding_t *p;

	if (hits->n == 0)
		return SC_OK;
	p = sc_realloc(rep->finding,
	               (rep->nfinding + hits->n) * sizeof(*rep->finding));
	if (p == NULL)
		return SC_ENOMEM;
	rep->finding = p;
	for (i = 0; i < hits->n; i++) {
		sc_finding_t *f = &rep->finding[rep->nfinding++];

		if (fill_finding(rules, &hits->hit[i], f) != SC_OK)
			return SC_ENOMEM;
	}
	return SC_OK;
}

static sc_status_t
copy_record(const struct sc_lookup *lk, sc_record_t *r)
{
	const char **data;
	size_t i;

	r->name = sc_strdup(lk->name);
	if (r->name == NULL)
		return SC_ENOMEM;
	r->type = sc_dns_type_str(lk->qtype);
	r->outcome = lk->done ? lk->outcome : SC_DNS_SKIPPED;
	r->authenticated = lk->ad;
	r->elapsed_ms = lk->elapsed_ms;
	if (lk->n == 0)
		return SC_OK;
	data = sc_calloc(lk->n, sizeof(*data));
	if (data == NULL)
		return SC_ENOMEM;
	r->data = data;
	for (i = 0; i < lk->n; i++) {
		char *s;

		if (lk->qtype == 15 /* MX */) {
			size_t len = strlen(lk->rr[i].text) + 16;

			if ((s = sc_malloc(len)) != NULL)
				snprintf(s, len, "%u %s.", lk->rr[i].pref,
				         lk->rr[i].text);
		} else {
			s = sc_strndup(lk->rr[i].text, lk->rr[i].len);
		}
		if (s == NULL)
			return SC_ENOMEM;
		data[i] = s;
		r->count++;
	}
	return SC_OK;
}

static sc_status_t
add_records(sc_report_t *rep, const struct sc_domain *dom)
{
	const struct sc_lookup *lk;
	size_t n = 0, i = 0;

	for (lk = dom->lookups; lk != NULL; lk = lk->next)
		n++;
	if (n == 0)
		return SC_OK;
	rep->record = sc_calloc(n, sizeof(*rep->record));
	if (rep->record == NULL)
		return SC_ENOMEM;
	for (lk = dom->lookups; lk != NULL; lk = lk->next, i++) {
		rep->nrecord++;
		if (copy_record(lk, &rep->record[i]) != SC_OK)
			return SC_ENOMEM;
	}
	return SC_OK;
}

/* An invalid address: one finding, verdict error, whatever the rules say
 * about its severity. */
static sc_status_t
build_invalid(const struct sc_req *req, sc_report_t *rep)
{
	struct sc_hits hits;
	sc_status_t st;

	memset(&hits, 0, sizeof(hits));
	sc_hits_add(&hits, "address.invalid", "%s", req->reason);
	st = hits.failed ? SC_ENOMEM
	                 : add_findings(rep, &req->ctx->rules, &hits);
	sc_hits_clear(&hits);
	if (st != SC_OK)
		return st;
	sc_score(&req->ctx->rules, rep, 1);
	rep->verdict = SC_VERDICT_ERROR;
	rep->interception_why = sc_strdup("the address is invalid");
	return rep->interception_why != NULL ? SC_OK : SC_ENOMEM;
}

/* The answer to "can recovery mail be read on the way?" (interception.c),
 * copied like everything else the report shows. */
static sc_status_t
set_interception(sc_report_t *rep, const struct sc_domain *dom)
{
	struct sc_interception iv;

	if (!sc_check_enabled(dom->ctx, &sc_check_interception)) {
		rep->interception_why = sc_strdup("the interception check was "
		                                  "switched off");
		return rep->interception_why != NULL ? SC_OK : SC_ENOMEM;
	}
	sc_interception_eval(dom, &iv);
	if (iv.nomem)
		return SC_ENOMEM;
	rep->interception = iv.verdict;
	rep->interception_via = iv.via;
	rep->interception_why = sc_strdup(iv.detail);
	return rep->interception_why != NULL ? SC_OK : SC_ENOMEM;
}

sc_status_t
sc_report_build(const struct sc_req *req, sc_report_t **out)
{
	const struct sc_domain *dom = req->dom;
	sc_report_t *rep;
	sc_status_t st;

	*out = NULL;
	rep = sc_calloc(1, sizeof(*rep));
	if (rep == NULL)
		return SC_ENOMEM;
	rep->address = sc_strdup(req->input);
	rep->domain = sc_strdup(req->valid ? req->addr.domain_ascii : "");
	rep->elapsed_ms = (unsigned)(sc_now_ms() - req->started);
	rep->interception = SC_INTERCEPTION_UNKNOWN;
	if (rep->address == NULL || rep->domain == NULL) {
		st = SC_ENOMEM;
		goto done;
	}
	if (!req->valid) {
		st = build_invalid(req, rep);
		goto done;
	}
	if (req->hits.failed) {
		st = SC_ENOMEM;
		goto done;
	}
	if ((st = dom->status) != SC_OK ||
	    (st = add_findings(rep, &req->ctx->rules, &dom->hits)) != SC_OK ||
	    (st = add_findings(rep, &req->ctx->rules, &req->hits)) != SC_OK ||
	    (st = add_records(rep, dom)) != SC_OK)
		goto done;
	/* Shared, not copied, where jansson counts references atomically:
	 * the description is never changed once the job is assessed, so a
	 * report may go to another thread and outlive the job.  (A copy per
	 * address cost a batch of 100,000 addresses 6 % of its CPU and 17 MB
	 * at peak.) */
#if JSON_HAVE_ATOMIC_BUILTINS || JSON_HAVE_SYNC_BUILTINS
	rep->checks = json_incref(dom->described);
#else
	if (dom->described != NULL &&
	    (rep->checks = json_deep_copy(dom->described)) == NULL) {
		st = SC_ENOMEM;
		goto done;
	}
#endif
	/* The text counts its references itself, whatever jansson does. */
	rep->checks_text = sc_text_ref(dom->described_text);
	sc_score(&req->ctx->rules, rep,
	         dom->hits.incomplete || req->hits.incomplete);
	st = set_interception(rep, dom);
done:
	if (st != SC_OK) {
		sc_report_free(rep);
		return st;
	}
	*out = rep;
	return SC_OK;
}

sc_status_t
sc_report_check_json(const sc_report_t *rep, const char *check, char **out)
{
	json_t *d;
	char *text;

	if (rep == NULL || check == NULL || out == NULL)
		return SC_EINVAL;
	*out = NULL;
	d = rep->checks != NULL ? json_object_get(rep->checks, check) : NULL;
	if (d == NULL)
		return SC_ENOTFOUND;
	text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                     JSON_ENCODE_ANY);
	if (text == NULL)
		return SC_ENOMEM;
	*out = sc_strdup(text);
	free(text);
	return *out != NULL ? SC_OK : SC_ENOMEM;
}

const char *
sc_report_address(const sc_report_t *rep)
{
	return rep != NULL ? rep->address : NULL;
}

const char *
sc_report_domain(const sc_report_t *rep)
{
	return rep != NULL ? rep->domain : NULL;
}

sc_verdict_t
sc_report_verdict(const sc_report_t *rep)
{
	return rep != NULL ? rep->verdict : SC_VERDICT_ERROR;
}

const char *
sc_report_grade(const sc_report_t *rep)
{
	return rep != NULL ? sc_grades[rep->grade] : NULL;
}

int
sc_report_score(const sc_report_t *rep)
{
	return rep != NULL ? rep->score : 0;
}

unsigned
sc_report_elapsed_ms(const sc_report_t *rep)
{
	return rep != NULL ? rep->elapsed_ms : 0;
}

size_t
sc_report_finding_count(const sc_report_t *rep)
{
	return rep != NULL ? rep->nfinding : 0;
}

const sc_finding_t *
sc_report_finding(const sc_report_t *rep, size_t i)
{
	return rep != NULL && i < rep->nfinding ? &rep->finding[i] : NULL;
}

size_t
sc_report_record_count(const sc_report_t *rep)
{
	return rep != NULL ? rep->nrecord : 0;
}

const sc_record_t *
sc_report_record(const sc_report_t *rep, size_t i)
{
	return rep != NULL && i < rep->nrecord ? &rep->record[i] : NULL;
}

sc_interception_t
sc_report_interception(const sc_report_t *rep, const char **why)
{
	if (why != NULL)
		*why = rep != NULL && rep->interception_why != NULL
		       ? rep->interception_why : "";
	return rep != NULL ? rep->interception : SC_INTERCEPTION_UNKNOWN;
}

const char *
sc_report_interception_via(const sc_report_t *rep)
{
	return rep != NULL ? rep->interception_via : NULL;
}
