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

/* {"verdict": "protected|exposed|unknown", "via": "mta-sts"|"dane"|null,
 *  "detail": "..."} */
static void
interception_write(struct sc_jw *jw, const sc_report_t *rep)
{
	const char *why = NULL;
	sc_interception_t v = sc_report_interception(rep, &why);
	const struct sc_jw_kv kv[] = {
		{ "verdict", sc_interception_verdict_str(v) },
		{ "via", sc_report_interception_via(rep) },
		{ "detail", why },
	};

	sc_jw_lit(jw, "{");
	sc_jw_str_fields(jw, kv, SC_ARRAY_LEN(kv));
	sc_jw_lit(jw, "}");
}

/* The report, written field by field: no tree is built (a batch writes one
 * per input line), and the domain's "checks" part is spliced in as the
 * text the domain's job serialised once (json_write.h).  Key order and
 * bytes are what json_dumps(JSON_COMPACT) gave for the tree this replaced
 * (tests/check_json_write.c). */
static void
report_write(struct sc_jw *jw, const sc_report_t *rep)
{
	const struct sc_jw_kv head[] = {
		{ "address", rep->address }, { "domain", rep->domain },
		{ "verdict", sc_verdict_str(rep->verdict) },
		{ "headline", sc_report_headline(rep) },
		{ "grade", sc_report_grade(rep) },
	};
	const struct sc_findset *fs = rep->dom_findings;
	const struct sc_recset *rs = rep->records;
	const char *skip;
	size_t i;

	/* A finding is about 500 bytes (when not spliced in as text). */
	sc_jw_expect(jw, 1024 + (rep->finding_shared && fs->text != NULL
	                         ? fs->text->len : rep->nfinding * 640) +
	             (rs != NULL && rs->text != NULL ? rs->text->len : 0) +
	             (rep->checks_text != NULL ? rep->checks_text->len : 0));
	sc_jw_lit(jw, "{");
	sc_jw_str_fields(jw, head, SC_ARRAY_LEN(head));
	if (rep->score >= 0)
		sc_jw_int_field(jw, "score", rep->score);
	else
		sc_jw_lit(jw, ",\"score\":null");
	sc_jw_lit(jw, ",\"threat_model\":");
	sc_jw_cstr(jw, sc_threat_model_str(rep->threat_model));
	sc_jw_lit(jw, ",\"skipped\":[");
	for (i = 0; (skip = sc_report_skipped(rep, i)) != NULL; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_cstr(jw, skip);
	}
	sc_jw_lit(jw, "]");
	sc_jw_int_field(jw, "elapsed_ms", rep->elapsed_ms);
	sc_jw_lit(jw, ",\"interception\":");
	interception_write(jw, rep);
	/* The domain's parts as the texts written once for all its reports
	 * (the findings only when the address adds none of its own). */
	sc_jw_lit(jw, ",\"findings\":");
	if (rep->finding_shared && fs->text != NULL)
		sc_jw_raw(jw, fs->text->s, fs->text->len);
	else
		sc_json_findings(jw, rep->finding, rep->nfinding);
	sc_jw_lit(jw, ",\"records\":");
	if (rs != NULL && rs->text != NULL)
		sc_jw_raw(jw, rs->text->s, rs->text->len);
	else if (rs != NULL)
		sc_json_records(jw, rs->record, rs->n);
	else
		sc_jw_lit(jw, "[]");
	sc_jw_lit(jw, ",\"checks\":");
	if (rep->checks_text != NULL)
		sc_jw_raw(jw, rep->checks_text->s, rep->checks_text->len);
	else
		sc_jw_lit(jw, "{}");
	sc_jw_lit(jw, ",\"scorer_version\":");
	sc_jw_cstr(jw, SC_VERSION);
	sc_jw_lit(jw, "}");
}

sc_status_t
sc_report_json(const sc_report_t *rep, char **out)
{
	struct sc_jw jw = { 0 };

	if (rep == NULL || out == NULL)
		return SC_EINVAL;
	report_write(&jw, rep);
	/* sc_malloc'd: the caller frees it with sc_free(). */
	*out = sc_jw_finish(&jw, NULL);
	return *out != NULL ? SC_OK : SC_ENOMEM;
}
