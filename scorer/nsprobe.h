/*
 * The nameserver probe (nsprobe.c): one non-recursive question, "ZONE
 * SOA?", sent straight to one address of a delegated nameserver (not to
 * the resolver), over UDP and again over TCP when the answer is truncated
 * (RFC 1035 4.2, RFC 7766 5).  Does the server answer for the zone with
 * authority (the AA bit, RFC 1035 4.1.1), or is the delegation lame (RFC
 * 1912 2.8: REFUSED, SERVFAIL, an answer without AA, or none at all)?
 *
 * Each address, port and zone is asked once per table however many
 * domains wait for it, and a table runs a bounded number of questions at
 * once.  Below the checks, as probe.c is: it knows no domain, only who
 * waits (a completion callback).
 */
#ifndef SC_NSPROBE_H
#define SC_NSPROBE_H

#include <stddef.h>

#include "loop.h"
#include "scorer.h"

struct sc_dns;

/* How a question ended. */
enum sc_nsq_outcome {
	SC_NSQ_PENDING = 0,   /* queued or under way */
	SC_NSQ_AUTH,          /* NOERROR, AA, and the zone's SOA: it serves
	                       * the zone */
	SC_NSQ_REFUSED,       /* rcode REFUSED: it does not serve the zone */
	SC_NSQ_SERVFAIL,      /* rcode SERVFAIL */
	SC_NSQ_NOT_AUTH,      /* an answer without AA (a referral, a
	                       * cache), or with AA but without the zone's
	                       * SOA (NXDOMAIN, no data) */
	SC_NSQ_RCODE,         /* another error rcode (FORMERR, NOTIMP ...) */
	SC_NSQ_BADREPLY,      /* a message that answers nothing we asked
	                       * (garbled, another question) */
	SC_NSQ_TIMEOUT,       /* no answer in time */
	SC_NSQ_UNREACHABLE,   /* its host said no one listens there (ICMP
	                       * port unreachable, TCP reset) */
	SC_NSQ_LOCAL          /* the question could not be sent from here
	                       * (no route to the address family, no
	                       * socket): no evidence about the server */
};

/* What one question found: a copy of it is the evidence a domain keeps. */
struct sc_nsq_result {
	enum sc_nsq_outcome outcome;
	int rcode;                /* of the answer, or -1 */
	int aa;                   /* its AA bit */
	int tcp;                  /* asked over TCP (the UDP answer was
	                           * truncated) */
	int cut;                  /* ended by our limit (the question's
	                           * budget) or on TCP after a truncated
	                           * answer (refused, reset, closed, too
	                           * slow: our path may block TCP 53):
	                           * nothing about the server, and a later
	                           * question asks again */
	unsigned elapsed_ms;
	char why[128];            /* the outcome in words */
};

/* An answer to "zone SOA?", parsed (pure; nsprobe.c uses it, and the fuzz
 * target feeds it bytes). */
struct sc_nsq_reply {
	unsigned id;
	int qr, aa, tc, rcode;
	int question_ok;          /* the question section is ours (name,
	                           * type SOA, class IN) */
	int soa;                  /* an SOA record owned by the zone in the
	                           * answer section */
};

/* Parse msg[0..len) as a reply to "zone SOA IN" (zone in presentation
 * form, as sc_dns_name_wire() takes it).  0, or -1 when it is not a DNS
 * message (too short, a name that runs off the end). */
int sc_nsq_parse_reply(const unsigned char *msg, size_t len,
                       const char *zone, struct sc_nsq_reply *out);

/* The query: "zone SOA IN", id, RD clear.  Its length in buf[cap], or -1
 * when the zone is no DNS name. */
int sc_nsq_build_query(const char *zone, unsigned id, unsigned char *buf,
                       size_t cap);

/* The outcome a reply makes (for the parsed reply of a question). */
enum sc_nsq_outcome sc_nsq_judge(const struct sc_nsq_reply *r);

/* "authoritative", "refused", "servfail", "not authoritative", ... */
const char *sc_nsq_outcome_str(enum sc_nsq_outcome o);

/* Did the server answer at all (any DNS message)?  For the question
 * whether the network lets direct queries through. */
int sc_nsq_answered(enum sc_nsq_outcome o);

struct sc_nsq;
struct sc_nsq_table;

typedef void (*sc_nsq_cb)(void *arg, const void *tag,
                          const struct sc_nsq_result *res);

/* A table of questions on loop; query ids are drawn from dns's pool.
 * try_ms is the first try's timeout over UDP (doubled each try), tries
 * the number of UDP tries.  NULL when out of memory. */
struct sc_nsq_table *sc_nsq_table_new(struct sc_loop *loop,
                                      struct sc_dns *dns, unsigned try_ms,
                                      unsigned tries);
/* Stop every question and free the table.  NULL is fine. */
void sc_nsq_table_free(struct sc_nsq_table *tab);

/*
 * The question "zone SOA?" to addr:port, sent (or queued) if new, within
 * budget_ms.  *res (owned by the table: valid until the callback ran, or
 * until the caller forgot the question) is set.  While it is pending,
 * cb(arg, tag, res) runs once when it ends, never from inside this call,
 * unless forgotten first (sc_nsq_forget()).  An ended question may be
 * dropped from the table later (the table is bounded): copy what is
 * kept.  SC_OK or SC_ENOMEM.
 */
sc_status_t sc_nsq_join(struct sc_nsq_table *tab, const char *addr,
                        unsigned port, const char *zone, unsigned budget_ms,
                        sc_nsq_cb cb, void *arg, const void *tag,
                        struct sc_nsq **q, const struct sc_nsq_result **res);
/* Whoever waits on q with arg and tag is not called back. */
void sc_nsq_forget(struct sc_nsq *q, const void *arg, const void *tag);
/* Questions ended (not cut short), and how many of them got any answer. */
void sc_nsq_counts(const struct sc_nsq_table *tab, unsigned long *ended,
                   unsigned long *answered);
/* Answers with authority (SC_NSQ_AUTH) in the run: some server was
 * reached as itself, not through a proxy that answers in its place. */
unsigned long sc_nsq_authoritative(const struct sc_nsq_table *tab);

#endif
