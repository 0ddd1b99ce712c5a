/*
 * DMARC records (RFC 7489 6.3/6.4, with the DMARCbis tags np, psd and t):
 * a pure parser, record text in, struct out.  No I/O and no allocation:
 * the struct points into the text by offset, so it cannot outlive the
 * caller's copy of the record but can never leak or fail for memory.
 */
#ifndef SC_DMARC_PARSE_H
#define SC_DMARC_PARSE_H

#include <stddef.h>

/* More rua/ruf URIs than this are counted but not kept: RFC 7489 6.2 lets
 * receivers stop after two, and nobody sensible lists more. */
#define SC_DMARC_MAX_URI 8

enum sc_dmarc_policy {
	SC_DMARC_UNSET = 0,
	SC_DMARC_NONE,
	SC_DMARC_QUARANTINE,
	SC_DMARC_REJECT
};

/* A part of the record text: text + off, len bytes. */
struct sc_span {
	size_t off, len;
};

/* One report URI (RFC 7489 6.2): the whole URI without its "!size"
 * suffix, and the host that receives the reports (the domain of a mailto:
 * address, the host of an http(s): URI; len 0 for other schemes). */
struct sc_dmarc_uri {
	struct sc_span uri;
	struct sc_span host;
	int mailto;
};

struct sc_dmarc_error {
	size_t pos;          /* 0-based byte offset into the record */
	const char *tag;     /* static: the tag it concerns, or NULL */
	int fatal;           /* the record gives no policy (RFC 7489 6.6.3) */
	char reason[160];
};

struct sc_dmarc_record {
	enum sc_dmarc_policy p, sp, np;  /* UNSET when absent */
	int pct;                         /* 0..100, 100 when absent */
	int has_pct;
	struct sc_dmarc_uri rua[SC_DMARC_MAX_URI];
	size_t nrua, rua_total;          /* kept, and seen */
	struct sc_dmarc_uri ruf[SC_DMARC_MAX_URI];
	size_t nruf, ruf_total;
	char adkim, aspf;                /* 'r' or 's'; 'r' when absent */
	struct sc_span fo;               /* len 0: "0", the default */
	unsigned long ri;                /* 86400 when absent */
	char psd;                        /* 'y', 'n' or 'u' (DMARCbis) */
	char t;                          /* 'y' or 'n' (DMARCbis) */
	size_t ntag;                     /* tags seen, known or not */
	size_t nerror;                   /* syntax errors seen; first in err */
	struct sc_dmarc_error err;
};

/* What a TXT record at a _dmarc name is (RFC 7489 6.6.3). */
enum sc_dmarc_kind {
	SC_DMARC_OTHER = 0,   /* not DMARC at all: discarded silently */
	SC_DMARC_ATTEMPT,     /* meant as DMARC, but not starting with
	                       * v=DMARC1: discarded by receivers */
	SC_DMARC_RECORD       /* starts with v=DMARC1: a DMARC record */
};

enum sc_dmarc_kind sc_dmarc_kind(const char *text, size_t len);

/*
 * Parse one record.  Returns 0 when it is free of errors, -1 otherwise;
 * then rec->err holds the first error.  Errors in v, p, sp, np, in the
 * tag-list syntax, or a repeated tag, are fatal: the record gives no
 * policy.  An error in another known tag only makes receivers ignore
 * that tag (RFC 7489 6.3), so the rest of rec is still filled in, with
 * the tag at its default.  Unknown tags are ignored.  Never fails
 * otherwise; text may hold any bytes, NUL included.
 */
int sc_dmarc_parse(const char *text, size_t len, struct sc_dmarc_record *rec);

const char *sc_dmarc_policy_str(enum sc_dmarc_policy p);

#endif
