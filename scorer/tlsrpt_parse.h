/*
 * TLS-RPT records (RFC 8460 3): a pure parser, record text in, struct
 * out.  No I/O and no allocation: the struct points into the text by
 * offset.
 */
#ifndef SC_TLSRPT_PARSE_H
#define SC_TLSRPT_PARSE_H

#include <stddef.h>

#include "dmarc_parse.h" /* struct sc_span */

#define SC_TLSRPT_MAX_URI 8

struct sc_tlsrpt_record {
	struct sc_span rua[SC_TLSRPT_MAX_URI];
	size_t nrua, rua_total;  /* kept, and seen */
	size_t nfield;           /* fields after v, rua included */
	size_t nerror;           /* syntax errors; the first below */
	size_t pos;              /* 0-based byte offset of the first error */
	char reason[160];
};

/* What a TXT record at _smtp._tls.DOMAIN is (RFC 8460 3). */
enum sc_tlsrpt_kind {
	SC_TLSRPT_OTHER = 0,  /* not TLS-RPT: discarded */
	SC_TLSRPT_ATTEMPT,    /* meant as TLS-RPT, not starting with the
	                       * version: discarded by senders */
	SC_TLSRPT_RECORD      /* starts with v=TLSRPTv1 */
};

enum sc_tlsrpt_kind sc_tlsrpt_kind(const char *text, size_t len);

/* Parse one record: 0 when it is valid, -1 otherwise (the first error in
 * rec->pos and rec->reason).  text may hold any bytes, NUL included. */
int sc_tlsrpt_parse(const char *text, size_t len,
                    struct sc_tlsrpt_record *rec);

#endif
