/*
 * The keys a breach lookup uses: the SHA-1 of the address, lower-cased
 * and trimmed, in upper-case hex (the convention of the Have I Been Pwned
 * range search for accounts), and the provider-canonical form of the
 * address (rules/canonical.ini) that a breach list may hold instead.
 */
#ifndef SC_HASH_H
#define SC_HASH_H

#include <stddef.h>

#include "corpus.h"
#include "scorer.h"

/* s without surrounding ASCII blanks, ASCII lower-cased (UTF-8 bytes are
 * kept as they are); the caller frees it.  NULL when out of memory. */
char *sc_breach_normalize(const char *s);

/* SHA-1 of s[0..len): SC_OK, or SC_EINTERNAL when OpenSSL fails. */
sc_status_t sc_sha1(const void *s, size_t len, unsigned char out[SC_SHA1_LEN]);

/* n bytes as 2n upper-case hex digits and a NUL. */
void sc_hex_upper(const unsigned char *in, size_t n, char *out);

/* 2n hex digits (either case) into n bytes: 0, or -1 on a bad digit. */
int sc_hex_decode(const char *s, size_t n, unsigned char *out);

/* One provider of canonical.ini. */
struct sc_canon_rule {
	char *name;
	char **domain;            /* the domains it serves, lower case */
	size_t ndomain;
	char *canonical_domain;   /* the domain every alias maps to, or NULL */
	int ignore_dots;          /* dots in the local part do not count */
	char subaddress[8];       /* characters that start a "+tag" */
};

struct sc_canon {
	struct sc_canon_rule *rule;
	size_t n;
};

/* Parse canonical.ini text; on a bad line, SC_ERULES and a message naming
 * the line in err.  Pure. */
sc_status_t sc_canon_parse(const char *text, struct sc_canon *out,
                           char *err, size_t errlen);
/* DIR/canonical.ini; a missing file is an empty set (SC_OK). */
sc_status_t sc_canon_load(const char *dir, struct sc_canon *out, char *err,
                          size_t errlen);
void sc_canon_clear(struct sc_canon *c);

/* The canonical form of a normalised address, or *out = NULL when its
 * provider defines none or it is the address itself. */
sc_status_t sc_canon_apply(const struct sc_canon *c, const char *addr,
                           char **out);

#endif
