/*
 * SPF record syntax (RFC 7208 4.5, 4.6, 5, 6) and macro expansion (7):
 * pure functions, record text in, terms out, no I/O.  The evaluator that
 * uses them is spf.c.
 */
#ifndef SC_SPF_PARSE_H
#define SC_SPF_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "scorer.h"

/* Hostile records stay cheap: a real record has a few dozen terms. */
#define SPF_MAX_TERMS 1024
/* Longest macro expansion kept (7.3); longer is treated as invalid. */
#define SPF_MAX_EXPANSION 8192

enum spf_kind {
	SPF_ALL, SPF_INCLUDE, SPF_A, SPF_MX, SPF_PTR, SPF_IP4, SPF_IP6,
	SPF_EXISTS, SPF_REDIRECT, SPF_EXP, SPF_UNKNOWN_MOD
};

struct spf_term {
	enum spf_kind kind;
	char qual;               /* '+', '-', '~' or '?' (mechanisms) */
	char *spec;              /* domain-spec, or NULL when absent */
	int cidr4, cidr6;        /* prefix lengths (32 and 128 by default) */
	unsigned char addr[16];  /* ip4 (4 octets) or ip6 network */
	size_t pos, len;         /* the term's place in the record */
};

struct spf_record {
	struct spf_term *term;
	size_t n;
	int redirect, exp;       /* index of the modifier, or -1 */
	int has_all;             /* 6.1: an "all" cancels redirect= */
};

/* A syntax error: where, and why. */
struct spf_error {
	size_t pos, len;         /* the offending term */
	char msg[160];
};

/* RFC 7208 4.5: does this TXT string start an SPF record ("v=spf1",
 * any case, then a space or the end)? */
int sc_spf_is_record(const char *txt, size_t len);

/* Parse a record; every term is checked before any is evaluated (4.6).
 * Returns SC_OK, SC_EINVAL (a syntax error: permerror; err says where and
 * why) or SC_ENOMEM.  rec is cleared with sc_spf_record_clear() in every
 * case. */
sc_status_t sc_spf_parse(const char *txt, size_t len, struct spf_record *rec,
                         struct spf_error *err);
void sc_spf_record_clear(struct spf_record *rec);

/* Is `spec` (NUL-terminated) a valid macro-string, and, when domain is
 * set, a valid domain-spec (macro-string domain-end, 7.1)?  exp allows
 * the letters c, r and t, which only explanations may use. */
int sc_spf_check_spec(const char *spec, size_t len, int domain, int exp,
                      char *why, size_t whylen);

/* Does a macro-string use %{p} (which needs a PTR lookup first)? */
int sc_spf_spec_uses_p(const char *spec);

/* The values macros expand to (7.3). */
struct spf_macro_env {
	const char *sender;      /* s */
	const char *local;       /* l */
	const char *odomain;     /* o */
	const char *domain;      /* d */
	int family;              /* 4 or 6: i, c, v */
	const unsigned char *ip;
	const char *ptr;         /* p: a validated name, or NULL: "unknown" */
	const char *helo;        /* h */
	const char *receiver;    /* r, NULL: "unknown" */
	long long now;           /* t */
};

/* Expand a macro-string.  For a domain-spec (exp == 0), a result longer
 * than 253 octets loses labels on the left (7.3).  *out is the caller's
 * (sc_free).  SC_OK, SC_EINVAL (bad syntax, or longer than
 * SPF_MAX_EXPANSION), SC_ENOMEM. */
sc_status_t sc_spf_expand(const char *spec, const struct spf_macro_env *env,
                          int exp, char **out);

/* Is this a name a query can carry (labels of 1..63 octets, at most 253
 * in all, a trailing dot allowed)?  multi: at least two labels (4.3). */
int sc_spf_valid_name(const char *name, int multi);

/* An address as text, for "ip4:" "ip6:" and the macros. */
void sc_spf_ip_str(int family, const unsigned char *ip, char *buf,
                   size_t len);

#endif
