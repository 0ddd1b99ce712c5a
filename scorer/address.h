/*
 * Address syntax: RFC 5321 (Mailbox) and RFC 5322 (addr-spec), with
 * RFC 6531 (SMTPUTF8) UTF-8 local parts and IDNA 2008 domains (libidn2).
 * A pure parser: bytes in, struct out, no I/O.
 */
#ifndef SC_ADDRESS_H
#define SC_ADDRESS_H

#include <stddef.h>

#include "scorer.h"

/*
 * Every string is NUL-terminated and owned by the struct.  For an address
 * literal ("a@[192.0.2.1]", "a@[IPv6:2001:db8::1]") both domain strings
 * hold the literal with its brackets, lower-cased.  docs/address.md says
 * what is accepted and why.
 */
struct sc_address {
	char *local;        /* local part as given (quotes kept) */
	char *domain_utf8;  /* domain as given, lower-cased, no trailing dot;
	                     * IDNA labels in U-label form after UTS #46
	                     * mapping (BÜCHER.de, xn--bcher-kva.de ->
	                     * bücher.de) */
	char *domain_ascii; /* A-label form, lower-cased, no trailing dot */
	int smtputf8;       /* the local part holds non-ASCII: needs SMTPUTF8 */
	int quoted;         /* the local part is a quoted-string */
	int literal;        /* the domain is an address literal [..] */
};

/*
 * Parse in[0..len).  On success returns SC_OK and fills *out (the caller
 * frees it with sc_address_clear()).  On invalid syntax returns SC_EINVAL
 * and writes a one-line reason for a person ("local part longer than 64
 * octets") to err; *out is then empty.  SC_ENOMEM on allocation failure.
 * err is always NUL-terminated when errlen > 0 (truncated if need be) and
 * may be NULL; positions in it count octets from 1.  in need not be
 * NUL-terminated, and a NUL inside in[0..len) is refused.
 */
sc_status_t sc_address_parse(const char *in, size_t len,
                             struct sc_address *out, char *err,
                             size_t errlen);

void sc_address_clear(struct sc_address *a);

#endif
