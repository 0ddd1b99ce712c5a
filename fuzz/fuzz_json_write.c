/* The JSON writer (scorer/json_write.c) against jansson, byte for byte:
 * any bytes as a report string (sc_jw_str, with the non-UTF-8 fallback of
 * sc_json_string), and, when they are UTF-8, as a jansson value written by
 * sc_jw_value (a string, a key, an array of the input's pieces). */
#include "fuzz.h"

#include <jansson.h>

#include "engine.h"
#include "json_write.h"
#include "../tests/json_reference.h"

static void
same(const char *got, const char *want)
{
	if (got == NULL || want == NULL || strcmp(got, want) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct sc_jw jw = { 0 };
	json_t *j, *o;
	char *want, *got;
	struct sc_text *t;

	/* Any bytes: what every report string goes through. */
	j = sc_json_string(s, size);
	want = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	sc_jw_str(&jw, s, size);
	got = sc_jw_finish(&jw, NULL);
	same(got, want);
	sc_free(got);
	free(want);
	json_decref(j);

	/* UTF-8 input: a jansson tree with it as a value and as a key. */
	if ((j = json_stringn(s, size)) == NULL)
		return 0;
	o = json_object();
	if (o == NULL || memchr(s, '\0', size) != NULL ||
	    json_object_set_new(o, "k", json_pack("[O, O, {}]", j, j)) != 0 ||
	    json_object_set(o, json_string_value(j), j) != 0) {
		json_decref(o);
		json_decref(j);
		return 0;
	}
	want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	t = sc_text_json(o);
	same(t != NULL ? t->s : NULL, want);
	if (t->len != strlen(want))
		abort();
	sc_text_unref(t);
	free(want);
	json_decref(o);
	json_decref(j);
	return 0;
}
