/*
 * DNS through c-ares, on the context's event loop.  Each lookup records
 * what a person needs to judge it: the outcome (answer, NODATA, NXDOMAIN,
 * SERVFAIL, timeout ...), the AD flag of a validating resolver, the time
 * it took, and the answers in presentation form.
 */
#ifndef SC_DNS_H
#define SC_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <ares.h>

#include "dns_batch.h"
#include "loop.h"
#include "scorer.h"

/* One answer: `text` is the host (MX, NS, CNAME), the address (A, AAAA)
 * or the joined strings (TXT, RFC 7208 3.3); `pref` the MX preference. */
struct sc_rr {
	unsigned pref;
	char *text;
	size_t len;    /* of text, which may hold NUL bytes (TXT) */
};

struct sc_lookup;
typedef void (*sc_lookup_cb)(struct sc_lookup *lk, void *arg);

struct sc_lookup {
	char *name;
	int qtype;                 /* ns_t_mx, ns_t_a ... */
	sc_dns_outcome_t outcome;
	int ad;
	int cname;                 /* the answer followed a CNAME chain: its
	                            * records belong to another name, */
	char *target;              /* this one (the chain's end); freed with
	                            * the answers */
	int done;
	uint64_t started;
	unsigned elapsed_ms;
	size_t n;
	struct sc_rr *rr;
	const char *error;         /* c-ares' words for an ERROR outcome */
	/* For an NXDOMAIN: does the authority section prove it (RFC 2308
	 * 2.1: the SOA of a zone that encloses the name asked, or a name of
	 * its CNAME chain)?  nx_zone is the SOA's owner, when there was one
	 * ("." for the root), also when it encloses nothing (an RPZ policy
	 * zone); freed with the answers. */
	enum sc_nx_proof { SC_NX_NO_SOA, SC_NX_PROVEN, SC_NX_FOREIGN_SOA }
	    nx_proof;
	char *nx_zone;
	sc_lookup_cb cb;
	void *arg;
	sc_lookup_cb then;         /* the owner's own follow-up, if any */
	void *query;               /* the query in flight, while it is */
	struct sc_dns *dns;        /* while queued (see sc_dns.queue) */
	struct sc_lookup *qprev, *qnext;
	int queued;
	struct sc_lookup *next;    /* owner's list, in the order asked */
	/* Set by an owner that asks a question once however often its
	 * parts ask it (engine.c): the lookup whose answer this one copies
	 * rather than sending a query, and the owner's list of copies due. */
	struct sc_lookup *same, *due;
};

/* At most this many queries are in flight at once; the rest wait in a
 * queue.  A burst of thousands of answers would overflow the socket's
 * receive buffer (about 200 KiB by default) and lose answers, which then
 * cost a retry timeout each. */
#define SC_DNS_MAX_INFLIGHT 128

/* Our socket's receive buffer, for the same reason (the kernel may cap
 * it at net.core.rmem_max). */
#define SC_DNS_RCVBUF (1024 * 1024)

struct sc_dns {
	ares_channel channel;
	struct sc_dns_batch batch;     /* its UDP sockets' I/O */
	struct sc_loop *loop;
	struct sc_timer timer;
	unsigned inflight;
	unsigned try_ms;               /* c-ares' first per-try timeout */
	struct sc_lookup *queue_head, *queue_tail;
	/* Query ids: c-ares' ares_send() keeps the id of the message it is
	 * given, so we draw them, unpredictably (getrandom), in batches. */
	unsigned char idpool[256];
	size_t idleft;
};

/* Set up c-ares on loop.  servers: NULL for /etc/resolv.conf, else a
 * c-ares CSV ("127.0.0.1:5353,[::1]:53").  timeout_ms is per try. */
sc_status_t sc_dns_init(struct sc_dns *dns, struct sc_loop *loop,
                        const char *servers, unsigned timeout_ms,
                        unsigned tries, char *err, size_t errlen);
/* The servers asked, "127.0.0.1:53,[::1]:53" (the first few), into buf;
 * "" when c-ares cannot say. */
void sc_dns_servers_str(const struct sc_dns *dns, char *buf, size_t size);
/* Is server one resolver: an IPv4 address, an IPv6 address, or either
 * with a port ("192.0.2.1:53", "[2001:db8::1]:53")?  0 and the form
 * c-ares takes in out[outlen] ("[::1]" becomes "::1"), or -1 with why[]
 * saying what is wrong, for a person.  Names are refused: finding a
 * resolver by its name would need a resolver. */
int sc_dns_server_check(const char *server, char *out, size_t outlen,
                        char *why, size_t whylen);
/* Cancels what is in flight: each callback runs with outcome ERROR. */
void sc_dns_clear(struct sc_dns *dns);

/* Start a lookup of name/qtype.  The lookup struct is the caller's (it
 * must live until cb ran).  On SC_OK cb runs exactly once: usually from
 * the loop, but from inside this call when the name cannot be asked at
 * all or c-ares fails at once, so callers count the lookup as pending
 * before they call.  On any other status cb never runs. */
sc_status_t sc_dns_lookup(struct sc_dns *dns, struct sc_lookup *lk,
                          const char *name, int qtype, sc_lookup_cb cb,
                          void *arg);

/* Mark an unfinished lookup as given up (the deadline passed): the late
 * answer, if any, is then dropped, and the lookup may be freed at once
 * (the query in flight no longer points at it). */
void sc_dns_abandon(struct sc_lookup *lk);

void sc_lookup_free_data(struct sc_lookup *lk);

/* The lookup is done with an answer: records, NODATA or NXDOMAIN (not a
 * timeout, a failure, or not asked). */
int sc_lookup_answered(const struct sc_lookup *lk);

/* dst takes src's outcome and answers (src is done; dst's own data, if
 * any, is replaced).  0, or -1 when out of memory: dst is then an ERROR. */
int sc_lookup_copy_answer(struct sc_lookup *dst, const struct sc_lookup *src);

/* A name in presentation form (RFC 1035 5.1), as c-ares hands names out
 * of answers ("\DDD" for an octet that is not printable, "\." for a dot
 * inside a label), to wire labels in out[cap]: the length, or -1 when it
 * cannot be a DNS name (a bad escape, an empty or 64-octet label, over
 * 255 octets).  c-ares' own ares_create_query() knows no "\DDD", so
 * every query is built from this (an MX, NS or CNAME target asked again
 * is asked under its own name). */
int sc_dns_name_wire(const char *name, unsigned char *out, size_t cap);
/* Two names in presentation form, the same as DNS compares them: label
 * by label, ASCII case folded (RFC 4343), whatever their escapes, a final
 * dot or none.  1 or 0; text that is no name equals only itself. */
int sc_dns_name_eq(const char *a, const char *b);

/* Test hook for the fuzzer only (fuzz/fuzz_dns.c): turn the raw DNS
 * message buf[0..len) into lk's outcome and answers, as a real answer to
 * a query of lk->qtype would be.  The caller frees with
 * sc_lookup_free_data(). */
void sc_dns_parse_answer_for_fuzz(struct sc_lookup *lk,
                                  const unsigned char *buf, int len);
const char *sc_dns_type_str(int qtype);

/* A fresh, unpredictable query id from the engine's pool (RFC 5452 9.2),
 * also for questions sent beside c-ares (nsprobe.c). */
unsigned short sc_dns_new_id(struct sc_dns *dns);

#endif
