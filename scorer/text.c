/*
 * Text from the network, made fit for a finding's detail.
 */
#include <string.h>

#include "internal.h"
#include "parse.h"

void
sc_excerpt(char *buf, size_t size, const char *s, size_t len, size_t max)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	for (i = 0; i < len && i < max && n + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len && n + 4 < size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

void
sc_printable(char *buf, size_t size, const char *s, size_t len)
{
	sc_excerpt(buf, size, s, len, 120);
}
