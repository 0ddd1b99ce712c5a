/*
 * TLSA records (RFC 6698 2.1), pure: bytes in, structs out, no I/O.
 *
 *   sc_tlsa_msg_parse()   the TLSA records of a raw DNS answer (dns.c's
 *                         parse_tlsa: c-ares 1.18 has no TLSA parser)
 *   sc_tlsa_text_parse()  "USAGE SELECTOR MTYPE HEX", the presentation
 *                         form dns.c stores, back into a record (dane.c)
 *
 * Both take hostile input: every length is checked against the bytes
 * that are really there.
 */
#ifndef SC_TLSA_PARSE_H
#define SC_TLSA_PARSE_H

#include <stddef.h>

#include "scorer.h"

/* RFC 7218 acronyms of the fields (RFC 6698 7.2-7.4). */
enum {
	SC_TLSA_PKIX_TA = 0,
	SC_TLSA_PKIX_EE = 1,
	SC_TLSA_DANE_TA = 2,
	SC_TLSA_DANE_EE = 3
};
enum { SC_TLSA_SEL_CERT = 0, SC_TLSA_SEL_SPKI = 1 };
enum { SC_TLSA_MT_FULL = 0, SC_TLSA_MT_SHA256 = 1, SC_TLSA_MT_SHA512 = 2 };

/* A record; data borrowed from the message (msg_parse) or owned by the
 * caller's buffer (text_parse). */
struct sc_tlsa {
	unsigned usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

/*
 * The TLSA (type 52, class IN) records of the answer section of the DNS
 * message msg[0..len), whatever their owner (a CNAME chain may lead to
 * them), in order, at most max into out; *n receives how many.
 * \return 0, or -1 when the message is malformed (truncated, a name that
 *         runs past the end, an rdata shorter than 3 octets).
 */
int sc_tlsa_msg_parse(const unsigned char *msg, size_t len,
                      struct sc_tlsa *out, size_t max, size_t *n);

/* Longest certificate association data kept: a whole certificate
 * (matching type 0) is rarely over a few KiB. */
#define SC_TLSA_DATA_MAX 8192

/*
 * Parse "U S M HEX" (decimal fields 0..255, an even number of hex digits,
 * at least one octet); the data is decoded into buf (size bufsize).
 * \return 0, or -1 when malformed or the data does not fit.
 */
int sc_tlsa_text_parse(const char *text, size_t len, struct sc_tlsa *out,
                       unsigned char *buf, size_t bufsize);

/* "DANE-EE", "DANE-TA", "PKIX-EE", "PKIX-TA" or "unassigned". */
const char *sc_tlsa_usage_str(unsigned usage);

#endif
