/* The tool's text helpers (tool_json.c): JSON strings written straight
 * to a stream, a field at a time, without building a tree; UTF-8; numbers
 * and times for people. */
#ifndef SC_TOOL_JSON_H
#define SC_TOOL_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* The length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one. */
size_t tool_utf8_len(const unsigned char *s);

/* s as a JSON string, quotes included (RFC 8259 7): '"', '\\' and
 * control characters escaped, bytes that are not UTF-8 written as '?',
 * so that any C string makes valid JSON.  NULL is written as null. */
void tool_json_str(FILE *out, const char *s);

/* n with thousands separators into buf: "1,234,567". */
const char *tool_num(char buf[32], unsigned long n);

/* t as "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC) into buf. */
const char *tool_utc(char buf[32], time_t t);

#endif
