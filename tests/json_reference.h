/*
 * What the report's strings were before the JSON writer: jansson's
 * string, or, for bytes that are not UTF-8 (an address as typed, a TXT
 * record), printable ASCII with '?' for the rest.  The reference that
 * sc_jw_str() is held to, by tests/check_json_write.c and
 * fuzz/fuzz_json_write.c.  NULL only when out of memory.
 */
#ifndef SC_JSON_REFERENCE_H
#define SC_JSON_REFERENCE_H

#include <stdlib.h>

#include <jansson.h>

static inline json_t *
sc_json_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	char *copy;
	size_t i;

	if (j != NULL || (copy = malloc(len + 1)) == NULL)
		return j;
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f
		          ? s[i] : '?';
	j = json_stringn(copy, len);
	free(copy);
	return j;
}

#endif /* SC_JSON_REFERENCE_H */
