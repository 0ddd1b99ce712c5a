/*
 * SMTP replies (RFC 5321 4.2): a pure, incremental parser.  Bytes in, as
 * they come off the wire; a reply out once its last line is in.  No I/O:
 * the STARTTLS probe (starttls.c) feeds it, and unit tests feed it canned
 * bytes.
 *
 * The servers it reads are not ours and may be hostile, so every length
 * is bounded: a line longer than SC_SMTP_LINE_MAX, or a reply of more than
 * SC_SMTP_MAX_LINES lines, is an error, never a reason to keep reading.
 */
#ifndef SC_SMTP_H
#define SC_SMTP_H

#include <stddef.h>

/* RFC 5321 4.5.3.1.5 allows 512 octets per reply line and 4.5.3.1.6 1000
 * per text line; real servers stay well inside both.  The margin takes
 * the odd long EHLO line, and still stops a 1 MB "line" at 1 KB. */
#define SC_SMTP_LINE_MAX 1024
/* An EHLO reply has a line per extension: a few dozen at most. */
#define SC_SMTP_MAX_LINES 100

enum sc_smtp_status {
	SC_SMTP_MORE = 0,     /* the reply is not complete: feed more */
	SC_SMTP_DONE,         /* a reply is complete */
	SC_SMTP_ETOOLONG,     /* a line is longer than SC_SMTP_LINE_MAX */
	SC_SMTP_ETOOMANY,     /* more than SC_SMTP_MAX_LINES lines */
	SC_SMTP_EMALFORMED,   /* not "NNN[ -]text": bad code, separator,
	                       * codes that differ between lines, a NUL */
	SC_SMTP_ENOMEM
};

/* One complete reply.  line[i] is the text after "NNN-" or "NNN " of line
 * i, NUL-terminated, CR/LF removed, every byte outside printable ASCII
 * replaced by '?' (it ends up in reports). */
struct sc_smtp_reply {
	int code;                         /* 200..599 */
	size_t nline;
	char *line[SC_SMTP_MAX_LINES];
};

struct sc_smtp_parser {
	struct sc_smtp_reply reply;       /* being built, then complete */
	char buf[SC_SMTP_LINE_MAX + 2];   /* the current line so far */
	size_t len;
	int failed;                       /* the last error, sticky */
};

void sc_smtp_parser_init(struct sc_smtp_parser *p);
/* Free the reply's lines and start afresh (also after an error). */
void sc_smtp_parser_reset(struct sc_smtp_parser *p);

/*
 * Feed len bytes.  *used receives how many were consumed: on SC_SMTP_DONE
 * the bytes after the reply's last line are not, and belong to whatever
 * comes next.  The reply stays in p->reply until the next reset.  Lines
 * end with CRLF; a bare LF is accepted too, as most clients do.  Errors
 * are sticky until sc_smtp_parser_reset().
 */
enum sc_smtp_status sc_smtp_parse(struct sc_smtp_parser *p, const char *data,
                                  size_t len, size_t *used);

/* Does an EHLO reply announce the extension keyword (case-insensitive,
 * RFC 5321 4.1.1.1: lines after the first, keyword up to a space)? */
int sc_smtp_has_ext(const struct sc_smtp_reply *r, const char *keyword);

const char *sc_smtp_status_str(enum sc_smtp_status st);

#endif
