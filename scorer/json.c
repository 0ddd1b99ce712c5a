/*
 * Reports as JSON: the report written straight as text (json_write.c),
 * and jansson values for the parts that are built as trees.
 * The schema is documented in docs/json.md; fields are only ever added.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "internal.h"
#include "json_write.h"
#include "report.h"

json_t *
sc_json_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	char *copy;
	size_t i;

	if (j != NULL)
		return j;
	/* Not UTF-8 (an address as typed, a TXT record): JSON must be, so
	 * such bytes become '?' rather than making the whole report fail. */
	if ((copy = sc_malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f
		          ? s[i] : '?';
	j = json_stringn(copy, len);
	sc_free(copy);
	return j;
}

void
sc_json_put(json_t *o, const char *key, json_t *v, int *failed)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		*failed = 1;
}

/* The report, written field by field: no tree is built (a batch writes one
 * per input line), and the domain's "checks" part is spliced in as the
 * text the domain's job serialised once (json_write.h).  Key order and
 * bytes are what json_dumps(JSON_COMPACT) gave for the tree this replaced. */
#define KEY(jw, k) sc_jw_raw((jw), "\"" k "\":", sizeof(k) + 2)

static void
finding_write(struct sc_jw *jw, const sc_finding_t *f)
{
	KEY(jw, "id");
	sc_jw_cstr(jw, f->id);
	sc_jw_lit(jw, ",");
	KEY(jw, "severity");
	sc_jw_cstr(jw, sc_severity_str(f->severity));
	sc_jw_lit(jw, ",");
	KEY(jw, "category");
	sc_jw_cstr(jw, sc_category_str(f->category));
	sc_jw_lit(jw, ",");
	KEY(jw, "points");
	sc_jw_int(jw, f->points);
	sc_jw_lit(jw, ",");
	KEY(jw, "title");
	sc_jw_cstr(jw, f->title);
	sc_jw_lit(jw, ",");
	KEY(jw, "detail");
	sc_jw_cstr(jw, f->detail);
	sc_jw_lit(jw, ",");
	KEY(jw, "why");
	sc_jw_cstr(jw, f->why);
	sc_jw_lit(jw, ",");
	KEY(jw, "fix");
	sc_jw_cstr(jw, f->fix);
}

static void
record_write(struct sc_jw *jw, const sc_record_t *r)
{
	size_t i;

	KEY(jw, "name");
	sc_jw_cstr(jw, r->name);
	sc_jw_lit(jw, ",");
	KEY(jw, "type");
	sc_jw_cstr(jw, r->type);
	sc_jw_lit(jw, ",");
	KEY(jw, "status");
	sc_jw_cstr(jw, sc_dns_outcome_str(r->outcome));
	sc_jw_lit(jw, ",");
	KEY(jw, "authenticated");
	if (r->authenticated)
		sc_jw_lit(jw, "true");
	else
		sc_jw_lit(jw, "false");
	sc_jw_lit(jw, ",");
	KEY(jw, "elapsed_ms");
	sc_jw_int(jw, r->elapsed_ms);
	sc_jw_lit(jw, ",");
	KEY(jw, "data");
	sc_jw_lit(jw, "[");
	for (i = 0; i < r->count; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_cstr(jw, r->data[i]);
	}
	sc_jw_lit(jw, "]");
}

static void
array_write(struct sc_jw *jw, const sc_report_t *rep, int findings)
{
	size_t i, n = findings ? rep->nfinding : rep->nrecord;

	sc_jw_lit(jw, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_lit(jw, "{");
		if (findings)
			finding_write(jw, &rep->finding[i]);
		else
			record_write(jw, &rep->record[i]);
		sc_jw_lit(jw, "}");
	}
	sc_jw_lit(jw, "]");
}

/* {"verdict": "protected|exposed|unknown", "via": "mta-sts"|"dane"|null,
 *  "detail": "..."} */
static void
interception_write(struct sc_jw *jw, const sc_report_t *rep)
{
	const char *why = NULL;
	sc_interception_t v = sc_report_interception(rep, &why);

	sc_jw_lit(jw, "{");
	KEY(jw, "verdict");
	sc_jw_cstr(jw, sc_interception_verdict_str(v));
	sc_jw_lit(jw, ",");
	KEY(jw, "via");
	sc_jw_cstr(jw, sc_report_interception_via(rep));
	sc_jw_lit(jw, ",");
	KEY(jw, "detail");
	sc_jw_cstr(jw, why);
	sc_jw_lit(jw, "}");
}

sc_status_t
sc_report_json(const sc_report_t *rep, char **out)
{
	struct sc_jw jw = { 0 };

	if (rep == NULL || out == NULL)
		return SC_EINVAL;
	sc_jw_lit(&jw, "{");
	KEY(&jw, "address");
	sc_jw_cstr(&jw, rep->address);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "domain");
	sc_jw_cstr(&jw, rep->domain);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "verdict");
	sc_jw_cstr(&jw, sc_verdict_str(rep->verdict));
	sc_jw_lit(&jw, ",");
	KEY(&jw, "grade");
	sc_jw_cstr(&jw, sc_report_grade(rep));
	sc_jw_lit(&jw, ",");
	KEY(&jw, "score");
	sc_jw_int(&jw, rep->score);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "elapsed_ms");
	sc_jw_int(&jw, rep->elapsed_ms);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "interception");
	interception_write(&jw, rep);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "findings");
	array_write(&jw, rep, 1);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "records");
	array_write(&jw, rep, 0);
	sc_jw_lit(&jw, ",");
	KEY(&jw, "checks");
	if (rep->checks_text != NULL)
		sc_jw_raw(&jw, rep->checks_text->s, rep->checks_text->len);
	else if (rep->checks != NULL)
		sc_jw_value(&jw, rep->checks);
	else
		sc_jw_lit(&jw, "{}");
	sc_jw_lit(&jw, ",");
	KEY(&jw, "scorer_version");
	sc_jw_cstr(&jw, SC_VERSION);
	sc_jw_lit(&jw, "}");
	/* sc_malloc'd: the caller frees it with sc_free(). */
	*out = sc_jw_finish(&jw, NULL);
	return *out != NULL ? SC_OK : SC_ENOMEM;
}
