/*
 * JSON text for the tool's own records (the batch's compact record, the
 * diff's changes): strings are escaped and made valid UTF-8 on the way
 * out, one byte at a time, with no tree in between.
 */
#include <string.h>

#include "tool_json.h"

size_t
tool_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

void
tool_json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	while (*p) {
		const unsigned char *run = p;

		/* Plain ASCII, most of every record: one write a run, not one
		 * a character (stdio's per-call cost was a sixth of a batch's
		 * instructions). */
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (*p == '\0')
			break;
		switch (*p) {
		case '"': fputs("\\\"", out); p++; continue;
		case '\\': fputs("\\\\", out); p++; continue;
		case '\n': fputs("\\n", out); p++; continue;
		case '\r': fputs("\\r", out); p++; continue;
		case '\t': fputs("\\t", out); p++; continue;
		default: break;
		}
		if (*p < 0x20) {
			fprintf(out, "\\u%04x", *p);
			p++;
		} else if ((n = tool_utf8_len(p)) == 0) {
			putc('?', out);
			p++;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	putc('"', out);
}

const char *
tool_num(char buf[32], unsigned long n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%lu", n), i, j = 0;

	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}

const char *
tool_utc(char buf[32], time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "1970-01-01T00:00:00Z");
	return buf;
}
