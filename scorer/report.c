/*
 * Building a report from a request and its domain's assessment, and the
 * accessors of scorer.h.  A report owns or shares (by counted reference)
 * everything it shows, so it outlives the context that made it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "report.h"

/* texts: the rules' texts the finding points at, or NULL if it owns
 * copies of them. */
static void
finding_clear(sc_finding_t *f, const struct sc_ruletexts *texts)
{
	sc_free((char *)f->detail);
	if (texts != NULL)
		return;
	sc_free((char *)f->title);
	sc_free((char *)f->why);
	sc_free((char *)f->fix);
}

static void
findings_free(sc_finding_t *f, size_t n, struct sc_ruletexts *texts)
{
	size_t i;

	for (i = 0; i < n; i++)
		finding_clear(&f[i], texts);
	sc_free(f);
	sc_ruletexts_release(texts);
}

void
sc_report_free(sc_report_t *rep)
{
	if (rep == NULL)
		return;
	findings_free(rep->own, rep->nown, rep->own_texts);
	if (!rep->finding_shared)
		sc_free(rep->finding);
	sc_findset_unref(rep->dom_findings);
	sc_recset_unref(rep->records);
	sc_text_unref(rep->checks_text);
	sc_free(rep->interception_why);
	sc_free(rep->headline);
	sc_free(rep->address);
	sc_free(rep->domain);
	sc_free(rep);
}

/* A finding from a hit and its rule; an id without a rule (a custom rules
 * directory may leave some out) is shown as info worth no points.  The
 * rule's texts are pointed at when texts holds them, else copied. */
static sc_status_t
fill_finding(const struct sc_rules *rules, const struct sc_ruletexts *texts,
             const struct sc_hit *hit, sc_finding_t *f)
{
	const struct sc_rule *r = sc_rules_find(rules, hit->id);

	memset(f, 0, sizeof(*f));
	f->id = hit->id; /* a static string of the check: outlives the rules */
	f->severity = r != NULL ? r->f.severity : SC_SEV_INFO;
	f->category = r != NULL ? r->f.category : SC_CAT_DELIVERY;
	/* An unknown is not a weakness: no points (docs/verdict.md). */
	f->points = r != NULL && !hit->missing ? r->f.points : 0;
	f->unverified = hit->missing;
	f->detail = sc_strdup(hit->detail);
	f->title = r != NULL ? r->f.title : hit->id;
	f->why = r != NULL ? r->f.why : "";
	f->fix = r != NULL ? r->f.fix : "";
	if (texts == NULL) {
		f->title = sc_strdup(f->title);
		f->why = sc_strdup(f->why);
		f->fix = sc_strdup(f->fix);
	}
	if (f->detail == NULL || f->title == NULL || f->why == NULL ||
	    f->fix == NULL)
		return SC_ENOMEM;
	return SC_OK;
}

/* hits as findings in a new array *out of *n, pointing at the rules'
 * texts through a new reference in *texts (NULL: copied).  On failure
 * the caller frees what is there with findings_free(). */
static sc_status_t
fill_findings(const struct sc_rules *rules, const struct sc_hits *hits,
              sc_finding_t **out, size_t *n, struct sc_ruletexts **texts)
{
	size_t i;

	*out = NULL;
	*n = 0;
	*texts = NULL;
	if (hits->n == 0)
		return SC_OK;
	if ((*out = sc_calloc(hits->n, sizeof(**out))) == NULL)
		return SC_ENOMEM;
	*texts = sc_rules_hold_texts(rules);
	for (i = 0; i < hits->n; i++) {
		(*n)++;
		if (fill_finding(rules, *texts, &hits->hit[i], &(*out)[i]) !=
		    SC_OK)
			return SC_ENOMEM;
	}
	return SC_OK;
}

/* The bytes a record of lk takes in a recset's block (record_put()). */
static size_t
record_size(const struct sc_lookup *lk)
{
	size_t i, n = strlen(lk->name) + 1 + lk->n * sizeof(char *);

	for (i = 0; i < lk->n; i++)
		n += lk->qtype == 15 /* MX: "PREF HOST." */
		     ? strlen(lk->rr[i].text) + 16
		     : strnlen(lk->rr[i].text, lk->rr[i].len) + 1;
	return n;
}

/* Fill r from lk, its strings laid out from *at on (record_size() bytes,
 * pointer-aligned at the start). */
static void
record_put(const struct sc_lookup *lk, sc_record_t *r, char **at)
{
	const char **data = (const char **)(void *)*at;
	char *p = *at + lk->n * sizeof(char *);
	size_t i, len;

	r->type = sc_dns_type_str(lk->qtype);
	r->outcome = lk->done ? lk->outcome : SC_DNS_SKIPPED;
	r->authenticated = lk->ad;
	r->elapsed_ms = lk->elapsed_ms;
	r->data = lk->n > 0 ? data : NULL;
	r->count = lk->n;
	for (i = 0; i < lk->n; i++) {
		data[i] = p;
		if (lk->qtype == 15) {
			len = strlen(lk->rr[i].text) + 16;
			p += snprintf(p, len, "%u %s.", lk->rr[i].pref,
			              lk->rr[i].text) + 1;
		} else {
			len = strnlen(lk->rr[i].text, lk->rr[i].len);
			memcpy(p, lk->rr[i].text, len);
			p[len] = '\0';
			p += len + 1;
		}
	}
	len = strlen(lk->name) + 1;
	memcpy(p, lk->name, len);
	r->name = p;
	p += len;
	/* Keep the next record's pointer array aligned. */
	*at = p + (sizeof(char *) - (uintptr_t)p % sizeof(char *)) %
	      sizeof(char *);
}

/* ---- the domain's part, shared by its reports ------------------------ */

struct sc_recset *
sc_recset_ref(struct sc_recset *rs)
{
	if (rs != NULL)
		sc_ref_hold(&rs->refs);
	return rs;
}

void
sc_recset_unref(struct sc_recset *rs)
{
	if (rs == NULL || !sc_ref_drop(&rs->refs))
		return;
	sc_free(rs->record);            /* the records and their strings */
	sc_text_unref(rs->text);
	sc_free(rs);
}

sc_status_t
sc_recset_build(const struct sc_domain *dom, struct sc_recset **out)
{
	const struct sc_lookup *lk;
	struct sc_recset *rs;
	struct sc_jw jw = { 0 };
	size_t n = 0, size = 0;
	char *at;

	*out = NULL;
	if ((rs = sc_calloc(1, sizeof(*rs))) == NULL)
		return SC_ENOMEM;
	rs->refs = 1;
	/* The queries made: a question asked twice was sent once.  All
	 * their strings in one block after the records: a domain's records
	 * are built, and freed, once each. */
	for (lk = dom->lookups; lk != NULL; lk = lk->next)
		if (lk->same == NULL) {
			n++;
			size += record_size(lk) + sizeof(char *);
		}
	if (n > 0) {
		size += n * sizeof(*rs->record);
		if ((rs->record = sc_calloc(1, size)) == NULL)
			goto fail;
		at = (char *)(rs->record + n);
		for (lk = dom->lookups; lk != NULL; lk = lk->next)
			if (lk->same == NULL)
				record_put(lk, &rs->record[rs->n++], &at);
	}
	sc_text_begin(&jw, 64 + n * 160);
	sc_json_records(&jw, rs->record, rs->n);
	if ((rs->text = sc_text_end(&jw)) == NULL)
		goto fail;
	*out = rs;
	return SC_OK;
fail:
	sc_recset_unref(rs);
	return SC_ENOMEM;
}

struct sc_findset *
sc_findset_ref(struct sc_findset *fs)
{
	if (fs != NULL)
		sc_ref_hold(&fs->refs);
	return fs;
}

void
sc_findset_unref(struct sc_findset *fs)
{
	if (fs == NULL || !sc_ref_drop(&fs->refs))
		return;
	findings_free(fs->finding, fs->n, fs->texts);
	sc_text_unref(fs->text);
	sc_free(fs);
}

sc_status_t
sc_findset_build(const struct sc_rules *rules, const struct sc_hits *hits,
                 struct sc_findset **out)
{
	struct sc_findset *fs;
	struct sc_jw jw = { 0 };

	*out = NULL;
	if ((fs = sc_calloc(1, sizeof(*fs))) == NULL)
		return SC_ENOMEM;
	fs->refs = 1;
	if (fill_findings(rules, hits, &fs->finding, &fs->n, &fs->texts) !=
	    SC_OK)
		goto fail;
	sc_findings_sort(fs->finding, fs->n);
	sc_text_begin(&jw, 64 + fs->n * 640);
	sc_json_findings(&jw, fs->finding, fs->n);
	if ((fs->text = sc_text_end(&jw)) == NULL)
		goto fail;
	*out = fs;
	return SC_OK;
fail:
	sc_findset_unref(fs);
	return SC_ENOMEM;
}

/* ---- a report ---------------------------------------------------------- */

/* The report's findings: the domain's shared array as it is when the
 * address adds none (no copy: the common case of a batch), else both in
 * an array of the report's, to be sorted by sc_score(). */
static sc_status_t
merge_findings(sc_report_t *rep)
{
	const struct sc_findset *fs = rep->dom_findings;
	size_t nd = fs != NULL ? fs->n : 0;

	if (rep->nown == 0 && fs != NULL) {
		rep->finding = fs->finding;
		rep->nfinding = fs->n;
		rep->finding_shared = 1;
		return SC_OK;
	}
	if (nd + rep->nown == 0)
		return SC_OK;
	rep->finding = sc_calloc(nd + rep->nown, sizeof(*rep->finding));
	if (rep->finding == NULL)
		return SC_ENOMEM;
	if (nd > 0)
		memcpy(rep->finding, fs->finding, nd * sizeof(*rep->finding));
	memcpy(rep->finding + nd, rep->own, rep->nown * sizeof(*rep->own));
	rep->nfinding = nd + rep->nown;
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
	                 : fill_findings(&req->ctx->rules, &hits, &rep->own,
	                                 &rep->nown, &rep->own_texts);
	sc_hits_clear(&hits);
	if (st != SC_OK || (st = merge_findings(rep)) != SC_OK)
		return st;
	sc_score(&req->ctx->rules, rep, 1);
	rep->verdict = SC_VERDICT_ERROR;
	rep->score = rep->grade = -1;
	if ((st = sc_headline(rep, req->reason)) != SC_OK)
		return st;
	rep->interception_why = sc_strdup("the address is invalid");
	return rep->interception_why != NULL ? SC_OK : SC_ENOMEM;
}

/* The answer to "can recovery mail be read on the way?" (interception.c),
 * copied like everything else the report shows. */
static sc_status_t
set_interception(sc_report_t *rep, const struct sc_domain *dom)
{
	const struct sc_interception *iv = dom->interception;

	if (iv == NULL) {
		rep->interception_why = sc_strdup("the interception check was "
		                                  "switched off");
		return rep->interception_why != NULL ? SC_OK : SC_ENOMEM;
	}
	rep->interception = iv->verdict;
	rep->interception_via = iv->via;
	rep->interception_why = sc_strdup(iv->detail);
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
	rep->threat_model = req->ctx->threat_model;
	rep->skipped = req->ctx->skip;
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
	if ((st = dom->status) != SC_OK)
		goto done;
	/* The domain's part is shared, not copied (report.h). */
	rep->dom_findings = sc_findset_ref(dom->findset);
	rep->records = sc_recset_ref(dom->recset);
	rep->checks_text = sc_text_ref(dom->described_text);
	if ((st = fill_findings(&req->ctx->rules, &req->hits, &rep->own,
	                        &rep->nown, &rep->own_texts)) != SC_OK ||
	    (st = merge_findings(rep)) != SC_OK)
		goto done;
	sc_score(&req->ctx->rules, rep, 0); /* its findings say what is missing */
	if ((st = sc_headline(rep, NULL)) != SC_OK)
		goto done;
	st = set_interception(rep, dom);
done:
	if (st != SC_OK) {
		sc_report_free(rep);
		return st;
	}
	*out = rep;
	return SC_OK;
}

/* What one check saw: the member of the shared "checks" text, parsed on
 * demand (a batch never asks; the text report asks a few per address). */
sc_status_t
sc_report_check_json(const sc_report_t *rep, const char *check, char **out)
{
	json_t *all, *d;
	json_error_t err;
	char *text;

	if (rep == NULL || check == NULL || out == NULL)
		return SC_EINVAL;
	*out = NULL;
	if (rep->checks_text == NULL)
		return SC_ENOTFOUND;
	/* A TXT record may hold a NUL byte: the text has it as \u0000. */
	all = json_loadb(rep->checks_text->s, rep->checks_text->len,
	                 JSON_ALLOW_NUL, &err);
	if (all == NULL)
		return json_error_code(&err) == json_error_out_of_memory
		       ? SC_ENOMEM : SC_EINTERNAL;
	if ((d = json_object_get(all, check)) == NULL) {
		json_decref(all);
		return SC_ENOTFOUND;
	}
	text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                     JSON_ENCODE_ANY);
	json_decref(all);
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
	return rep != NULL && rep->grade >= 0 ? sc_grades[rep->grade] : NULL;
}

int
sc_report_score(const sc_report_t *rep)
{
	return rep != NULL ? rep->score : -1;
}

sc_threat_model_t
sc_report_threat_model(const sc_report_t *rep)
{
	return rep != NULL ? rep->threat_model : SC_THREAT_FULL;
}

const char *
sc_report_headline(const sc_report_t *rep)
{
	return rep != NULL && rep->headline != NULL ? rep->headline : "";
}

const char *
sc_report_skipped(const sc_report_t *rep, size_t i)
{
	size_t k;

	if (rep == NULL)
		return NULL;
	for (k = 0; k < sc_ncheck && k < 32; k++)
		if ((rep->skipped & (UINT32_C(1) << k)) && i-- == 0)
			return sc_checks[k]->name;
	return NULL;
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
	return rep != NULL && rep->records != NULL ? rep->records->n : 0;
}

const sc_record_t *
sc_report_record(const sc_report_t *rep, size_t i)
{
	return i < sc_report_record_count(rep) ? &rep->records->record[i]
	                                       : NULL;
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
