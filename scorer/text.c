/*
 * Text from the network, made fit for a finding's detail and for a
 * terminal.
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

size_t
sc_utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
sc_terminal_safe(char *s)
{
	unsigned char *r = (unsigned char *)s, *w, *end;
	size_t len;

	/* Most text is printable ASCII and stays where it is: skip it. */
	while (*r >= 0x20 && *r < 0x7f)
		r++;
	if (*r == '\0')
		return;
	end = r + strlen((char *)r);
	w = r;
	while (*r != '\0') {
		if (*r >= 0x20 && *r < 0x7f) {
			*w++ = *r++;
			continue;
		}
		len = sc_utf8_len(r, (size_t)(end - r));
		/* C0 controls and DEL (ESC starts a terminal's escape
		 * sequences, BEL ends some); C1 controls, U+0080..U+009F,
		 * which some terminals also obey (U+009B is CSI). */
		if (len == 0 || len == 1 ||
		    (len == 2 && r[0] == 0xc2 && r[1] < 0xa0)) {
			*w++ = '?';
			r += len > 0 ? len : 1;
			continue;
		}
		memmove(w, r, len);
		w += len;
		r += len;
	}
	*w = '\0';
}
