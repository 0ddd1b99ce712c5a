/*
 * Reports as JSON, with jansson (it escapes and validates UTF-8 for us).
 * The schema is documented in docs/json.md; fields are only ever added.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "internal.h"
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

static json_t *
jstr(const char *s)
{
	return s == NULL ? json_null() : sc_json_string(s, strlen(s));
}

/* json_object_set_new() consumes the value even on failure. */
static int
set(json_t *obj, const char *key, json_t *val)
{
	return val == NULL || json_object_set_new(obj, key, val) != 0 ? -1 : 0;
}

static json_t *
finding_json(const sc_finding_t *f)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (set(o, "id", json_string(f->id)) ||
	    set(o, "severity", json_string(sc_severity_str(f->severity))) ||
	    set(o, "category", json_string(sc_category_str(f->category))) ||
	    set(o, "points", json_integer(f->points)) ||
	    set(o, "title", jstr(f->title)) || set(o, "detail", jstr(f->detail)) ||
	    set(o, "why", jstr(f->why)) || set(o, "fix", jstr(f->fix))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
record_json(const sc_record_t *r)
{
	json_t *o = json_object(), *data = json_array();
	size_t i;

	if (o == NULL || data == NULL)
		goto fail;
	for (i = 0; i < r->count; i++)
		if (json_array_append_new(data, jstr(r->data[i])) != 0)
			goto fail;
	if (set(o, "name", jstr(r->name)) || set(o, "type", json_string(r->type)) ||
	    set(o, "status", json_string(sc_dns_outcome_str(r->outcome))) ||
	    set(o, "authenticated", json_boolean(r->authenticated)) ||
	    set(o, "elapsed_ms", json_integer(r->elapsed_ms))) {
		json_decref(data);
		goto fail;
	}
	if (set(o, "data", data))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
array_of(const sc_report_t *rep, int findings)
{
	json_t *a = json_array();
	size_t i, n = findings ? rep->nfinding : rep->nrecord;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_t *v = findings ? finding_json(&rep->finding[i])
		                     : record_json(&rep->record[i]);

		if (v == NULL || json_array_append_new(a, v) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* {"verdict": "protected|exposed|unknown", "via": "mta-sts"|"dane"|null,
 *  "detail": "..."} */
static json_t *
interception_json(const sc_report_t *rep)
{
	const char *why = NULL;
	sc_interception_t v = sc_report_interception(rep, &why);
	const char *via = sc_report_interception_via(rep);

	return json_pack("{s:s, s:o, s:o}",
	                 "verdict", sc_interception_verdict_str(v),
	                 "via", via != NULL ? json_string(via) : json_null(),
	                 "detail", jstr(why));
}

sc_status_t
sc_report_json(const sc_report_t *rep, char **out)
{
	json_t *o;
	sc_status_t st = SC_ENOMEM;
	char *text;

	if (rep == NULL || out == NULL)
		return SC_EINVAL;
	*out = NULL;
	if ((o = json_object()) == NULL)
		return SC_ENOMEM;
	if (set(o, "address", jstr(rep->address)) ||
	    set(o, "domain", jstr(rep->domain)) ||
	    set(o, "verdict", json_string(sc_verdict_str(rep->verdict))) ||
	    set(o, "grade", json_string(sc_report_grade(rep))) ||
	    set(o, "score", json_integer(rep->score)) ||
	    set(o, "elapsed_ms", json_integer(rep->elapsed_ms)) ||
	    set(o, "interception", interception_json(rep)) ||
	    set(o, "findings", array_of(rep, 1)) ||
	    set(o, "records", array_of(rep, 0)) ||
	    set(o, "checks", rep->checks != NULL ? json_incref(rep->checks)
	                                         : json_object()) ||
	    set(o, "scorer_version", json_string(SC_VERSION)))
		goto done;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		goto done;
	/* Hand out memory the caller frees with sc_free(). */
	*out = sc_strdup(text);
	free(text);
	st = *out != NULL ? SC_OK : SC_ENOMEM;
done:
	json_decref(o);
	return st;
}
