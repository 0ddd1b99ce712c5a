/*
 * The SMTP STARTTLS probe (probe.c): for an address and port, connect,
 * read the banner, EHLO, STARTTLS, complete a TLS handshake with SNI = the
 * MX name, and QUIT.  Never MAIL, RCPT or DATA.  Each address and port is
 * probed once per table however many ask; the results live in the table
 * until it is freed.  Below the checks: it knows no domain, only who
 * waits (a completion callback).
 */
#ifndef SC_PROBE_H
#define SC_PROBE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "loop.h"
#include "scorer.h"
#include "smtp.h"
#include "tls.h"

/* How far a probe got: the outcome the findings are made of. */
enum sc_probe_outcome {
	SC_PROBE_PENDING = 0,   /* still running (or queued) */
	SC_PROBE_UNREACHABLE,   /* no connection, refused, hung up, timed
	                         * out, or no session: could not verify */
	SC_PROBE_NO_STARTTLS,   /* a session, but STARTTLS not offered (or
	                         * refused when asked) */
	SC_PROBE_TLS            /* the handshake completed: see tls */
};

/* The evidence of one address (IP + port), shared by every domain. */
struct sc_probe_result {
	enum sc_probe_outcome outcome;
	char error[256];          /* why UNREACHABLE / NO_STARTTLS, in words */
	int timed_out;            /* UNREACHABLE because a timer ran out */
	unsigned elapsed_ms;
	char *banner;             /* "220 mx.example ESMTP", first line only */
	char **ext;               /* EHLO keywords with their parameters */
	size_t next;
	int starttls_offered;
	struct sc_tls_result tls;
};

struct sc_probe;
struct sc_probe_table;

/* A probe ended: tell the one who waited (arg and tag as given). */
typedef void (*sc_probe_cb)(void *arg, const void *tag,
                            const struct sc_probe_result *res);

/* A table of probes on loop, verifying certificates against trust
 * (borrowed: it must outlive the table).  SC_ENOMEM, or the TLS set-up's
 * status with the reason in err. */
sc_status_t sc_probe_table_new(struct sc_loop *loop, X509_STORE *trust,
                               struct sc_probe_table **out, char *err,
                               size_t errlen);
/* Stop every probe and free the table and its results.  NULL is fine. */
void sc_probe_table_free(struct sc_probe_table *tab);

/*
 * The probe of addr:port, started (or queued: a table runs a bounded
 * number of connections at once) if new, with SNI sni and budget_ms for
 * the whole session.  *probe and *res (owned by the table, valid until it
 * is freed) are set.  While the result is pending, cb(arg, tag, res) runs
 * once when it ends, never from inside this call, unless forgotten first
 * (sc_probe_forget()).  SC_OK, or SC_ENOMEM.
 */
sc_status_t sc_probe_join(struct sc_probe_table *tab, const char *addr,
                          unsigned port, const char *sni,
                          unsigned budget_ms, sc_probe_cb cb, void *arg,
                          const void *tag, struct sc_probe **probe,
                          const struct sc_probe_result **res);
/* Whoever waits on p with arg and tag is not called back. */
void sc_probe_forget(struct sc_probe *p, const void *arg, const void *tag);
/* At most n sessions open at once to one address (IP, whatever the
 * port; at least 1; default 2): politeness towards a mail provider's
 * hosts.  Probes beyond wait in line, without holding up those to other
 * addresses. */
void sc_probe_table_set_per_addr(struct sc_probe_table *tab, unsigned n);
/* Sessions open now to addr (all addresses when NULL). */
unsigned sc_probe_sessions(const struct sc_probe_table *tab,
                           const char *addr);
/* How many probes ended, and how many of them connected at all. */
void sc_probe_counts(const struct sc_probe_table *tab, unsigned long *ended,
                     unsigned long *connected);

/* Free a result's contents (for canned results in tests). */
void sc_probe_result_clear(struct sc_probe_result *r);

#endif
