/*
 * MTA-STS (RFC 8461): pure parsers for the TXT record at _mta-sts.DOMAIN
 * (3.1) and the policy file (3.2), the MX pattern match (4.1) and the
 * media type test (3.2).  Bytes in, a struct out: no I/O, and any bytes
 * (NUL included) are handled by length.
 */
#ifndef SC_MTA_STS_PARSE_H
#define SC_MTA_STS_PARSE_H

#include <stddef.h>

#include "scorer.h"

#define SC_STS_ID_MAX 32               /* RFC 8461 3.1: 1*32 alphanumerics */
#define SC_STS_MAX_AGE_MAX 31557600UL  /* RFC 8461 3.2: about a year */
#define SC_STS_WHY_LEN 160

/* ---- the TXT record (RFC 8461 3.1) ------------------------------------ */

enum sc_sts_txt_kind {
	SC_STS_TXT_OTHER = 0, /* not MTA-STS at all: ignored */
	SC_STS_TXT_STRAY,     /* mentions v=STS but does not begin with
	                       * "v=STSv1": senders discard it (3.1), yet it
	                       * was surely meant as the record */
	SC_STS_TXT_VALID,     /* begins with v=STSv1 and is well-formed */
	SC_STS_TXT_INVALID    /* begins with v=STSv1 but is malformed */
};

struct sc_sts_txt {
	char id[SC_STS_ID_MAX + 1];    /* when VALID */
	char why[SC_STS_WHY_LEN];      /* when INVALID or STRAY */
};

/* What one TXT string is; fills out->id or out->why. */
enum sc_sts_txt_kind sc_sts_txt_parse(const char *text, size_t len,
                                      struct sc_sts_txt *out);

/* ---- the policy file (RFC 8461 3.2) ----------------------------------- */

enum sc_sts_mode {
	SC_STS_MODE_NONE = 0,
	SC_STS_MODE_TESTING,
	SC_STS_MODE_ENFORCE
};

struct sc_sts_policy {
	enum sc_sts_mode mode;
	unsigned long max_age;
	const char **mx;   /* nmx patterns, NUL-terminated, into buf */
	size_t nmx;
	char *buf;         /* private: a copy of the text */
};

/*
 * Parse a policy file strictly by the ABNF of RFC 8461 3.2: CRLF or LF line
 * ends, "key: value" fields, version STSv1, a mode, a max_age and, unless
 * the mode is none, at least one mx line; unknown keys are ignored,
 * duplicate known keys (mx apart) are an error.  Empty lines are only
 * tolerated at the very end.
 * \return SC_OK (out filled; free with sc_sts_policy_clear()), SC_EINVAL
 *         (malformed; why says where and why, out is empty) or SC_ENOMEM.
 */
sc_status_t sc_sts_policy_parse(const char *text, size_t len,
                                struct sc_sts_policy *out, char *why,
                                size_t whylen);
void sc_sts_policy_clear(struct sc_sts_policy *p);

const char *sc_sts_mode_str(enum sc_sts_mode mode);

/*
 * RFC 8461 4.1: does MX host match pattern?  Case-insensitive; one final
 * dot on either is ignored; "*.example.com" matches exactly one more
 * label in front (mail.example.com, not example.com nor a.b.example.com),
 * and a "*" anywhere else matches nothing.
 */
int sc_sts_mx_match(const char *pattern, const char *host);

/* RFC 8461 3.2: the media type is text/plain; parameters (charset) are
 * ignored.  NULL (no Content-Type) is not text/plain. */
int sc_sts_media_type_ok(const char *content_type);

#endif
