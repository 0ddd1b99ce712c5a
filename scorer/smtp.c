/*
 * SMTP reply parser (RFC 5321 4.2).  Pure: bytes in, a reply out.
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 *
 * One bounded tokenizer: bytes collect in a fixed line buffer, and a line
 * is judged when its LF arrives; nothing grows with what the server sends
 * except the line list, which is capped at SC_SMTP_MAX_LINES.
 */
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "smtp.h"

void
sc_smtp_parser_init(struct sc_smtp_parser *p)
{
	memset(p, 0, sizeof(*p));
}

void
sc_smtp_parser_reset(struct sc_smtp_parser *p)
{
	size_t i;

	for (i = 0; i < p->reply.nline; i++)
		sc_free(p->reply.line[i]);
	sc_smtp_parser_init(p);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A copy of the text that is safe to print and to put in JSON. */
static char *
clean_copy(const char *s, size_t n)
{
	char *out = sc_malloc(n + 1);
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

/* Judge the line in p->buf (CR/LF removed): DONE for the last line of a
 * reply, MORE for a continuation, or an error. */
static enum sc_smtp_status
take_line(struct sc_smtp_parser *p)
{
	const char *s = p->buf;
	size_t n = p->len;
	int code, last;
	char *text;

	if (n < 3 || s[0] < '2' || s[0] > '5' || !is_digit(s[1]) ||
	    !is_digit(s[2]))
		return SC_SMTP_EMALFORMED;
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (n == 3)
		last = 1; /* "250" alone: a last line without text */
	else if (s[3] == ' ')
		last = 1;
	else if (s[3] == '-')
		last = 0;
	else
		return SC_SMTP_EMALFORMED;
	/* 4.2.1: every line of a multiline reply carries the same code. */
	if (p->reply.nline > 0 && code != p->reply.code)
		return SC_SMTP_EMALFORMED;
	if (p->reply.nline == SC_SMTP_MAX_LINES)
		return SC_SMTP_ETOOMANY;
	text = clean_copy(s + (n > 3 ? 4 : 3), n > 3 ? n - 4 : 0);
	if (text == NULL)
		return SC_SMTP_ENOMEM;
	p->reply.code = code;
	p->reply.line[p->reply.nline++] = text;
	return last ? SC_SMTP_DONE : SC_SMTP_MORE;
}

enum sc_smtp_status
sc_smtp_parse(struct sc_smtp_parser *p, const char *data, size_t len,
              size_t *used)
{
	size_t i;

	*used = 0;
	if (p->failed)
		return (enum sc_smtp_status)p->failed;
	for (i = 0; i < len; i++) {
		char c = data[i];
		enum sc_smtp_status st;

		if (c == '\0') {
			p->failed = SC_SMTP_EMALFORMED;
			break;
		}
		if (c != '\n') {
			/* The CR of CRLF has room: buf holds LINE_MAX + 2. */
			if (p->len >= SC_SMTP_LINE_MAX + 1) {
				p->failed = SC_SMTP_ETOOLONG;
				break;
			}
			p->buf[p->len++] = c;
			continue;
		}
		if (p->len > 0 && p->buf[p->len - 1] == '\r')
			p->len--;
		p->buf[p->len] = '\0';
		st = take_line(p);
		p->len = 0;
		if (st == SC_SMTP_DONE) {
			*used = i + 1;
			return st;
		}
		if (st != SC_SMTP_MORE) {
			p->failed = (int)st;
			break;
		}
	}
	*used = i;
	return p->failed ? (enum sc_smtp_status)p->failed : SC_SMTP_MORE;
}

int
sc_smtp_has_ext(const struct sc_smtp_reply *r, const char *keyword)
{
	size_t i, k = strlen(keyword);

	/* Line 0 is the server's greeting ("mx.example.com Hello ..."). */
	for (i = 1; i < r->nline; i++) {
		const char *l = r->line[i];

		if (strncasecmp(l, keyword, k) == 0 &&
		    (l[k] == '\0' || l[k] == ' '))
			return 1;
	}
	return 0;
}

const char *
sc_smtp_status_str(enum sc_smtp_status st)
{
	switch (st) {
	case SC_SMTP_MORE: return "incomplete reply";
	case SC_SMTP_DONE: return "complete reply";
	case SC_SMTP_ETOOLONG: return "reply line too long";
	case SC_SMTP_ETOOMANY: return "too many reply lines";
	case SC_SMTP_EMALFORMED: return "malformed reply";
	case SC_SMTP_ENOMEM: return "out of memory";
	}
	return "?";
}
