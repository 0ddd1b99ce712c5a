/*
 * Check "rdap": where does the registration stand of the address's
 * registrable domain, and of those of its MX hosts and nameservers?  A
 * domain about to be released, about to expire, registered days ago, or
 * registered again since the user chose the address is how recovery
 * mail ends up with a stranger who registered it.
 *
 *   the server  IANA's bootstrap file for DNS (RFC 9224), shipped in
 *               rules/rdap-dns.json or given with --rdap-bootstrap: the
 *               entry of the longest suffix, its https URL only;
 *   the query   GET BASE/domain/NAME (RFC 9082 3.1.3), Accept
 *               application/rdap+json, over valid HTTPS, the host asked
 *               through our own resolvers; redirects followed to https
 *               only (RFC 9224's referrals), at most three; a body of
 *               1 MiB at most, read with jansson (rdap_parse.c);
 *   politeness  each registrable domain once per context (its answer is
 *               kept, a failure too); per server a rate limit (2 requests
 *               a second unless --rdap-rate) and a 429's Retry-After
 *               honoured for the whole server.  A domain job waits no
 *               longer than its deadline: a question that cannot be sent
 *               in time is not queued at all, and one whose job is gone
 *               is not sent.
 *
 * Findings: domain.pending_delete, domain.expiring (within
 * expiring_days), domain.renewal_due (within renewal_due_days),
 * domain.recently_registered, domain.transfer_unlocked, for the
 * address's domain and for those of its MX and NS hosts (the detail says
 * whose); domain.re_registered per address, when the registration is
 * later than the date the user enrolled the address (sc_check_ex()).
 *
 * RDAP is supplementary evidence (docs/verdict.md, "Exceptions"): when
 * it cannot be had, rdap.unavailable (info) says why, and the verdict
 * rests on the DNS evidence.  docs/rdap.md.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "checks.h"
#include "internal.h"
#include "rdap.h"

#define BOOTSTRAP_FILE "rdap-dns.json"
#define LIMITS_FILE "rdap.ini"
#define FILE_MAX (8u << 20)        /* IANA's file is about 100 KiB */
#define BODY_MAX (1u << 20)        /* an RDAP answer is a few KiB */
#define MAX_REDIRECTS 3
#define MAX_TRIES 3                /* 429s honoured before giving up */
#define DEFAULT_BACKOFF_MS 2000u   /* a 429 without Retry-After */
#define MAX_ENTRIES 65536          /* answers kept per context */
#define BUCKETS 1024
#define MARGIN_MS 250              /* end before the job's own deadline */
#define SERVER_ADDRS 4             /* of each family, handed to curl */
#define SECONDS_PER_DAY 86400

/* ---- the context's state -------------------------------------------------
 * What comes from the rules (the bootstrap file, the thresholds) is
 * read anew with each rules directory; the servers and the answers
 * already had are the run's, shared by the states of successive rules
 * directories (counted). */

struct rdap_server;
struct rdap_entry;

struct rdap_rt {
	struct sc_ctx *ctx;
	unsigned refs;
	struct rdap_server *servers;
	struct rdap_entry *bucket[BUCKETS];
	struct rdap_entry *done, **dtail; /* settled, oldest first */
	size_t ndone;
	unsigned long requests;       /* sent, for docs and tests */
};

struct rdap_ctx {
	struct sc_rdap_bootstrap boot;
	char boot_error[300];         /* why there is no bootstrap, or "" */
	char source[80];              /* the bootstrap's publication date */
	struct sc_rdap_limits lim;
	struct rdap_rt *rt;           /* made on the first question */
};

enum dns_state { DNS_IDLE, DNS_RUNNING, DNS_READY, DNS_FAILED };

/* One RDAP server (host and port): its address and its rate limit. */
struct rdap_server {
	struct rdap_rt *rt;
	char *host;
	unsigned port;
	enum dns_state dns;
	struct sc_lookup lk_a, lk_aaaa;
	unsigned dns_pending;
	char *resolve;                /* for CURLOPT_RESOLVE, or NULL for a
	                               * literal address */
	char dns_error[200];
	uint64_t dns_retry_ms;        /* a failed look-up is asked again
	                               * from then on */
	uint64_t next_ms;             /* the next request may go then */
	int busy;                     /* a request is under way: one at a
	                               * time, so that the rate holds where
	                               * the server sees it */
	uint64_t backoff_until;       /* after a 429 */
	struct rdap_entry *queue, **qtail;
	size_t nqueued;
	struct sc_timer timer;
	struct rdap_server *next;
};

struct rdap_waiter {
	struct sc_domain *dom;
	struct sc_rdap_item *item;
	struct rdap_waiter *next;
};

enum entry_state { E_QUEUED, E_FETCHING, E_DONE };

/* One registrable domain: asked once per context. */
struct rdap_entry {
	struct rdap_rt *rt;
	char *name;
	struct rdap_server *srv;      /* where it is queued or asked */
	char *url;                    /* the URL being asked */
	char *first_url;              /* the first one, for the report */
	enum entry_state state;
	struct sc_fetch fetch;
	int fetching;
	unsigned tries, redirects;
	uint64_t deadline;
	int ok;
	struct sc_rdap_domain rd;
	long long at;
	char error[240];              /* as sc_rdap_item's */
	struct rdap_waiter *waiters;
	struct rdap_entry *hnext, *qnext, *dnext;
};

static double
rate_of(const struct sc_ctx *ctx)
{
	return ctx->rdap_rate > 0 ? ctx->rdap_rate : 2.0;
}

static uint64_t
interval_ms(const struct sc_ctx *ctx)
{
	double ms = 1000.0 / rate_of(ctx);

	return ms < 1 ? 1 : (uint64_t)(ms + 0.5);
}

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static void server_pump(struct rdap_server *srv);

static void
entry_free(struct rdap_entry *e)
{
	struct rdap_waiter *w, *next;

	if (e->fetching)
		sc_http_cancel(&e->rt->ctx->http, &e->fetch);
	sc_fetch_clear(&e->fetch);
	for (w = e->waiters; w != NULL; w = next) {
		next = w->next;
		w->item->e = NULL;
		sc_free(w);
	}
	sc_free(e->name);
	sc_free(e->url);
	sc_free(e->first_url);
	sc_free(e);
}

static void
entry_unlink(struct rdap_entry *e)
{
	struct rdap_entry **pp = &e->rt->bucket[name_hash(e->name) % BUCKETS];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
}

/* Forget the look-ups of the server's name: to ask them again after a
 * failure, or before the server is freed. */
static void
dns_reset(struct rdap_server *srv)
{
	sc_lookup_free_data(&srv->lk_a);
	sc_lookup_free_data(&srv->lk_aaaa);
	sc_free(srv->lk_a.name);
	sc_free(srv->lk_aaaa.name);
	memset(&srv->lk_a, 0, sizeof(srv->lk_a));
	memset(&srv->lk_aaaa, 0, sizeof(srv->lk_aaaa));
	srv->dns_error[0] = '\0';
	srv->dns = DNS_IDLE;
}

static void
rt_free(struct rdap_rt *rt)
{
	struct rdap_server *s, *sn;
	size_t b;

	for (b = 0; b < BUCKETS; b++) {
		struct rdap_entry *e, *next;

		for (e = rt->bucket[b]; e != NULL; e = next) {
			next = e->hnext;
			entry_free(e);
		}
	}
	for (s = rt->servers; s != NULL; s = sn) {
		sn = s->next;
		sc_timer_stop(&rt->ctx->loop, &s->timer);
		dns_reset(s);
		sc_free(s->host);
		sc_free(s->resolve);
		sc_free(s);
	}
	sc_free(rt);
}

static void
rt_unref(struct rdap_rt *rt)
{
	if (rt != NULL && --rt->refs == 0)
		rt_free(rt);
}

/* A whole file into memory (at most FILE_MAX bytes, a regular file):
 * SC_OK, SC_EIO with why, SC_ENOMEM.  ENOENT is told apart in *missing. */
static sc_status_t
read_file(const char *path, char **out, size_t *len, int *missing, char *why,
          size_t whylen)
{
	struct stat sb;
	FILE *fp;
	char *buf;
	size_t n;

	*out = NULL;
	*missing = 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		*missing = errno == ENOENT;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return SC_EIO;
	}
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (unsigned long long)sb.st_size > FILE_MAX) {
		snprintf(why, whylen, "%s: %s", path, S_ISREG(sb.st_mode)
		         ? "larger than 8 MiB" : "not a regular file");
		fclose(fp);
		return SC_EIO;
	}
	if ((buf = sc_malloc((size_t)sb.st_size + 1)) == NULL) {
		fclose(fp);
		return SC_ENOMEM;
	}
	n = fread(buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return SC_OK;
}

/* rdap.ini of dir, or the defaults when the file is not there. */
static sc_status_t
load_limits(struct sc_ctx *ctx, const char *dir, struct sc_rdap_limits *lim)
{
	char path[4096], why[400], *text;
	size_t len;
	int missing;
	sc_status_t st;

	sc_rdap_limits_default(lim);
	snprintf(path, sizeof(path), "%s/%s", dir, LIMITS_FILE);
	st = read_file(path, &text, &len, &missing, why, sizeof(why));
	if (st == SC_ENOMEM)
		return st;
	if (st != SC_OK)
		return missing ? SC_OK : sc_ctx_error(ctx, SC_ERULES, "%s", why);
	st = sc_rdap_limits_parse(text, lim, why, sizeof(why));
	sc_free(text);
	if (st == SC_ERULES)
		return sc_ctx_error(ctx, st, "%s/%s", dir, why);
	return st;
}

static sc_status_t
bootstrap_load(const char *path, struct sc_rdap_bootstrap *out,
                       int *missing, char *why, size_t whylen)
{
	char *text, perr[200];
	size_t len;
	sc_status_t st;

	memset(out, 0, sizeof(*out));
	st = read_file(path, &text, &len, missing, why, whylen);
	if (st != SC_OK)
		return st;
	st = sc_rdap_bootstrap_parse(text, len, out, perr, sizeof(perr));
	sc_free(text);
	if (st == SC_EINVAL)
		snprintf(why, whylen, "%.200s: %.180s", path, perr);
	return st;
}

/* The bootstrap file (--rdap-bootstrap, else DIR/rdap-dns.json) and the
 * thresholds.  A rules directory without a bootstrap file is no error:
 * every domain then says rdap.unavailable, naming the file. */
static sc_status_t
rdap_ctx_init(struct sc_ctx *ctx, const char *dir, void *old, void **out)
{
	struct rdap_ctx *rc, *prev = old;
	char path[4096], why[400];
	int missing;
	sc_status_t st;

	if ((rc = sc_calloc(1, sizeof(*rc))) == NULL)
		return SC_ENOMEM;
	if ((st = load_limits(ctx, dir, &rc->lim)) != SC_OK) {
		sc_free(rc);
		return st;
	}
	if (ctx->rdap_bootstrap != NULL)
		snprintf(path, sizeof(path), "%s", ctx->rdap_bootstrap);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, BOOTSTRAP_FILE);
	st = bootstrap_load(path, &rc->boot, &missing, why,
	                            sizeof(why));
	if (st == SC_ENOMEM || (st != SC_OK && !missing)) {
		sc_free(rc);
		return st == SC_ENOMEM ? st
		       : sc_ctx_error(ctx, SC_ERULES, "the RDAP bootstrap "
		                      "file %s", why);
	}
	if (st != SC_OK)
		snprintf(rc->boot_error, sizeof(rc->boot_error), "there is no "
		         "RDAP bootstrap file (%.240s)", why);
	snprintf(rc->source, sizeof(rc->source), "%s",
	         rc->boot.publication[0] ? rc->boot.publication : "undated");
	/* The run's servers and answers go on with the new rules. */
	if (prev != NULL && (rc->rt = prev->rt) != NULL)
		rc->rt->refs++;
	*out = rc;
	return SC_OK;
}

static void
rdap_ctx_free(struct sc_ctx *ctx, void *state)
{
	struct rdap_ctx *rc = state;

	(void)ctx;
	rt_unref(rc->rt);
	sc_rdap_bootstrap_clear(&rc->boot);
	sc_free(rc);
}

static struct rdap_rt *
runtime(struct sc_ctx *ctx, struct rdap_ctx *rc)
{
	if (rc->rt == NULL && (rc->rt = sc_calloc(1, sizeof(*rc->rt))) != NULL) {
		rc->rt->ctx = ctx;
		rc->rt->refs = 1;
		rc->rt->dtail = &rc->rt->done;
	}
	return rc->rt;
}

/* ---- settling an entry: every waiter gets a copy ------------------------- */

static void
item_copy(struct sc_rdap_item *it, const struct rdap_entry *e)
{
	it->settled = 1;
	it->ok = e->ok;
	it->rd = e->rd;
	it->at = e->at;
	/* Out of memory only loses the URL from the report's "checks". */
	sc_free(it->url);
	it->url = e->first_url != NULL ? sc_strdup(e->first_url) : NULL;
	snprintf(it->error, sizeof(it->error), "%s", e->error);
}

/* Drop the oldest settled entries beyond the bound (their domains kept
 * copies). */
static void
trim(struct rdap_rt *rt)
{
	while (rt->ndone > MAX_ENTRIES && rt->done != NULL) {
		struct rdap_entry *e = rt->done;

		rt->done = e->dnext;
		if (rt->done == NULL)
			rt->dtail = &rt->done;
		rt->ndone--;
		entry_unlink(e);
		entry_free(e);
	}
}

static void settle_v(struct rdap_entry *e, int ok, int keep, const char *fmt,
                     va_list ap);

/* The answer (ok), or why none: kept for the run (one request per
 * registrable domain, a failure too). */
static void
settle(struct rdap_entry *e, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
settle(struct rdap_entry *e, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	settle_v(e, ok, 1, fmt, ap);
	va_end(ap);
}

/* Never asked: the waiters learn why, and the entry goes (a later job may
 * ask again). */
static void
drop(struct rdap_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
drop(struct rdap_entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	settle_v(e, 0, 0, fmt, ap);
	va_end(ap);
}

static void
settle_v(struct rdap_entry *e, int ok, int keep, const char *fmt,
         va_list ap)
{
	struct rdap_waiter *w, *next;

	if (e->state == E_DONE)
		return;
	e->state = E_DONE;
	e->ok = ok;
	e->at = (long long)time(NULL);
	if (fmt != NULL)
		vsnprintf(e->error, sizeof(e->error), fmt, ap);
	if (keep) {
		e->dnext = NULL;
		*e->rt->dtail = e;
		e->rt->dtail = &e->dnext;
		e->rt->ndone++;
	}
	w = e->waiters;
	e->waiters = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		item_copy(w->item, e);
		w->item->e = NULL;
		if (w->item->held) {
			w->item->held = 0;
			sc_domain_release(w->dom); /* may finish the job */
		}
		sc_free(w);
	}
	if (!keep) {
		entry_unlink(e);
		entry_free(e);
		return;
	}
	trim(e->rt);
}

/* ---- the servers: an address, a queue, a rate ----------------------------- */

static void
dns_done(struct rdap_server *srv)
{
	int none;

	srv->resolve = sc_http_resolve_list(srv->host, srv->port, &srv->lk_a,
	                                    &srv->lk_aaaa, SERVER_ADDRS, &none);
	if (srv->resolve != NULL)
		srv->dns = DNS_READY;
	else {
		/* Held for one check's timeout, then asked again: a
		 * resolver's passing failure must not cost a batch of
		 * millions its RDAP evidence, nor may every domain ask it
		 * anew while it lasts. */
		srv->dns = DNS_FAILED;
		srv->dns_retry_ms = sc_now_ms() + srv->rt->ctx->timeout_ms;
		snprintf(srv->dns_error, sizeof(srv->dns_error), none
		         ? "the RDAP server %s has no address (A: %s, AAAA: %s)"
		         : "out of memory resolving %s%s%s", srv->host,
		         none ? sc_dns_outcome_str(srv->lk_a.outcome) : "",
		         none ? sc_dns_outcome_str(srv->lk_aaaa.outcome) : "");
	}
	server_pump(srv);
}

static void
on_server_dns(struct sc_lookup *lk, void *arg)
{
	struct rdap_server *srv = arg;

	(void)lk;
	if (--srv->dns_pending == 0)
		dns_done(srv);
}

static int
literal(const char *host)
{
	unsigned char buf[16];

	return host[0] == '[' || inet_pton(AF_INET, host, buf) == 1;
}

/* The host's addresses, through our resolvers (so that they are the
 * user's choice, and recorded), on the context's engine. */
static void
dns_start(struct rdap_server *srv)
{
	struct sc_dns *dns = &srv->rt->ctx->dns;

	srv->dns = DNS_RUNNING;
	srv->dns_pending = 3; /* one of our own while both start */
	if (sc_dns_lookup(dns, &srv->lk_a, srv->host, ns_t_a, on_server_dns,
	                  srv) != SC_OK) {
		srv->lk_a.outcome = SC_DNS_ERROR;
		srv->dns_pending--;
	}
	if (sc_dns_lookup(dns, &srv->lk_aaaa, srv->host, ns_t_aaaa,
	                  on_server_dns, srv) != SC_OK) {
		srv->lk_aaaa.outcome = SC_DNS_ERROR;
		srv->dns_pending--;
	}
	on_server_dns(NULL, srv);
}

static void entry_fetch(struct rdap_entry *e);

static void
on_server_timer(void *arg)
{
	server_pump(arg);
}

static struct rdap_entry *
dequeue(struct rdap_server *srv)
{
	struct rdap_entry *e = srv->queue;

	srv->queue = e->qnext;
	if (srv->queue == NULL)
		srv->qtail = &srv->queue;
	e->qnext = NULL;
	srv->nqueued--;
	return e;
}

/* Send what the rate allows; wake up for the rest. */
static void
server_pump(struct rdap_server *srv)
{
	struct sc_ctx *ctx = srv->rt->ctx;

	if (srv->dns == DNS_FAILED && srv->queue != NULL &&
	    sc_now_ms() >= srv->dns_retry_ms)
		dns_reset(srv);
	if (srv->dns == DNS_IDLE) {
		dns_start(srv);
		return;
	}
	if (srv->dns == DNS_RUNNING)
		return;
	while (srv->queue != NULL && !srv->busy) {
		uint64_t now = sc_now_ms(), at = srv->next_ms;
		struct rdap_entry *e;

		if (srv->backoff_until > at)
			at = srv->backoff_until;
		e = srv->queue;
		/* No one waits any more (their jobs ended), or too late:
		 * not sent. */
		if (e->waiters == NULL || now >= e->deadline) {
			dequeue(srv);
			drop(e, "%s was not asked before the check's deadline "
			     "(%zu more requests queued for %s at %g a second)",
			     e->name, srv->nqueued, srv->host, rate_of(ctx));
			continue;
		}
		if (srv->dns == DNS_FAILED) {
			dequeue(srv);
			settle(e, 0, "%s", srv->dns_error);
			continue;
		}
		if (now < at) {
			sc_timer_start(&ctx->loop, &srv->timer,
			               (unsigned)(at - now), on_server_timer, srv);
			return;
		}
		dequeue(srv);
		srv->next_ms = now + interval_ms(ctx);
		srv->busy = 1;
		entry_fetch(e);
	}
}

static struct rdap_server *
server_get(struct rdap_rt *rt, const char *host, unsigned port)
{
	struct rdap_server *s;

	for (s = rt->servers; s != NULL; s = s->next)
		if (s->port == port && strcasecmp(s->host, host) == 0)
			return s;
	if ((s = sc_calloc(1, sizeof(*s))) == NULL ||
	    (s->host = sc_strdup(host)) == NULL) {
		sc_free(s);
		return NULL;
	}
	s->rt = rt;
	s->port = port;
	s->qtail = &s->queue;
	/* A literal address needs no resolver, nor CURLOPT_RESOLVE. */
	s->dns = literal(host) ? DNS_READY : DNS_IDLE;
	s->next = rt->servers;
	rt->servers = s;
	return s;
}

/* Put e in the queue of the server of url (at its head for a redirect:
 * it already had its turn).  0, -1 with e settled. */
static int
enqueue(struct rdap_entry *e, const char *url, int head)
{
	struct rdap_server *srv;
	char *host, *copy;
	unsigned port;
	int https, rc = sc_url_split(url, &host, &port, &https);

	if (rc == -2 || (rc == 0 && (copy = sc_strdup(url)) == NULL)) {
		sc_free(host);
		settle(e, 0, "out of memory");
		return -1;
	}
	if (rc != 0 || !https) {
		sc_free(host);
		settle(e, 0, "%s is not an https URL: not asked (an attacker "
		       "on the path could answer a plain http one)",
		       rc != 0 ? "the server's URL" : url);
		return -1;
	}
	srv = server_get(e->rt, host, port);
	sc_free(host);
	if (srv == NULL) {
		sc_free(copy);
		settle(e, 0, "out of memory");
		return -1;
	}
	sc_free(e->url);
	e->url = copy;
	e->srv = srv;
	e->state = E_QUEUED;
	if (head) {
		e->qnext = srv->queue;
		srv->queue = e;
		if (srv->qtail == &srv->queue)
			srv->qtail = &e->qnext;
	} else {
		e->qnext = NULL;
		*srv->qtail = e;
		srv->qtail = &e->qnext;
	}
	srv->nqueued++;
	server_pump(srv);
	return 0;
}

/* ---- one request ---------------------------------------------------------- */

static void on_fetch(struct sc_fetch *f, void *arg);

static void
entry_fetch(struct rdap_entry *e)
{
	struct sc_ctx *ctx = e->rt->ctx;
	uint64_t now = sc_now_ms();
	sc_status_t st;

	memset(&e->fetch, 0, sizeof(e->fetch));
	e->fetch.max_body = BODY_MAX;
	e->fetch.timeout_ms = e->deadline > now + 100
	                      ? (unsigned)(e->deadline - now) : 100;
	e->fetch.ca_file = ctx->ca_file;
	e->fetch.resolve = e->srv->resolve;
	e->fetch.header = "Accept: application/rdap+json";
	e->state = E_FETCHING;
	e->tries++;
	e->rt->requests++;
	st = sc_http_get(&ctx->http, &e->fetch, e->url, on_fetch, e);
	if (st != SC_OK) {
		e->srv->busy = 0;
		settle(e, 0, "the RDAP request could not be made: %s",
		       sc_strerror(st));
		return;
	}
	e->fetching = 1;
}

/* A 429: the whole server waits Retry-After (or a backoff of its own),
 * and e goes first when it may. */
static void
rate_limited(struct rdap_entry *e, long retry_after)
{
	struct rdap_server *srv = e->srv;
	uint64_t now = sc_now_ms(), wait;

	wait = retry_after >= 0 ? (uint64_t)retry_after * 1000
	       : (uint64_t)DEFAULT_BACKOFF_MS << (e->tries - 1);
	if (now + wait > srv->backoff_until)
		srv->backoff_until = now + wait;
	if (e->tries >= MAX_TRIES || srv->backoff_until >= e->deadline) {
		settle(e, 0, "the RDAP server %s limits the rate (HTTP 429 to "
		       "%u request%s, Retry-After %s%ld s): %s", srv->host,
		       e->tries, e->tries == 1 ? "" : "s",
		       retry_after >= 0 ? "" : "none, waited ",
		       retry_after >= 0 ? retry_after : (long)(wait / 1000),
		       e->tries >= MAX_TRIES ? "given up"
		                             : "not asked again in time");
		return;
	}
	(void)enqueue(e, e->url, 1);
}

/* The server's turn is over: the next request goes an interval after
 * this one's answer came in.  The server saw this request before it
 * answered, so the next reaches it at least an interval later, however
 * long this one took to leave (a slow handshake, a busy machine); timing
 * from when it was sent would let that delay eat into the interval. */
static void
server_done(struct rdap_server *srv)
{
	uint64_t next = sc_now_ms() + interval_ms(srv->rt->ctx);

	if (next > srv->next_ms)
		srv->next_ms = next;
	srv->busy = 0;
}

static void fetch_done(struct rdap_entry *e, struct sc_fetch *f);

static void
on_fetch(struct sc_fetch *f, void *arg)
{
	struct rdap_entry *e = arg;
	struct rdap_server *srv = e->srv;

	e->fetching = 0;
	server_done(srv);
	fetch_done(e, f); /* may move e to another server's queue */
	server_pump(srv);
}

static void
fetch_done(struct rdap_entry *e, struct sc_fetch *f)
{
	char why[200];
	sc_status_t st;

	if (f->outcome == SC_FETCH_OK && f->status == 200) {
		st = sc_rdap_domain_parse(f->body, f->len, &e->rd, why,
		                          sizeof(why));
		sc_fetch_clear(f);
		if (st == SC_OK && e->rd.ldh_name[0] != '\0' &&
		    strcasecmp(e->rd.ldh_name, e->name) != 0)
			settle(e, 0, "the RDAP server answered for %s, not for "
			       "%s", e->rd.ldh_name, e->name);
		else if (st == SC_OK)
			settle(e, 1, NULL);
		else
			settle(e, 0, "the RDAP answer for %s is not a domain "
			       "object: %s", e->name,
			       st == SC_ENOMEM ? "out of memory" : why);
		return;
	}
	if (f->outcome == SC_FETCH_OK && f->status == 429) {
		long ra = f->retry_after;

		sc_fetch_clear(f);
		rate_limited(e, ra);
		return;
	}
	if (f->outcome == SC_FETCH_OK && f->status >= 300 && f->status < 400 &&
	    f->location != NULL) {
		char *to = sc_strdup(f->location);

		sc_fetch_clear(f);
		if (to == NULL) {
			settle(e, 0, "out of memory");
		} else if (++e->redirects > MAX_REDIRECTS) {
			settle(e, 0, "more than %d redirects from %.150s",
			       MAX_REDIRECTS, e->first_url);
		} else if (strncasecmp(to, "https://", 8) != 0) {
			char u[120];

			sc_printable(u, sizeof(u), to, strlen(to));
			settle(e, 0, "the RDAP server redirected to %s, which "
			       "is not https: not followed", u);
		} else {
			(void)enqueue(e, to, 1);
		}
		sc_free(to);
		return;
	}
	if (f->outcome == SC_FETCH_OK && f->status == 404)
		snprintf(why, sizeof(why), "the RDAP server does not know %s "
		         "(HTTP 404)", e->name);
	else if (f->outcome == SC_FETCH_OK)
		snprintf(why, sizeof(why), "the RDAP server answered HTTP %ld",
		         f->status);
	else if (f->outcome == SC_FETCH_TOO_BIG)
		snprintf(why, sizeof(why), "the RDAP answer is larger than "
		         "%u KiB: not read", BODY_MAX / 1024);
	else if (f->outcome == SC_FETCH_TIMEOUT)
		snprintf(why, sizeof(why), "the RDAP server did not answer in "
		         "time (%u ms)", f->timeout_ms);
	else if (f->outcome == SC_FETCH_CERT)
		snprintf(why, sizeof(why), "the RDAP server's certificate is "
		         "not valid: %.150s", f->error);
	else
		snprintf(why, sizeof(why), "the RDAP request failed: %.150s",
		         f->error);
	sc_fetch_clear(f);
	settle(e, 0, "%s", why);
}

/* ---- joining an entry ----------------------------------------------------- */

static struct rdap_entry *
entry_find(struct rdap_rt *rt, const char *name)
{
	struct rdap_entry *e;

	for (e = rt->bucket[name_hash(name) % BUCKETS]; e != NULL;
	     e = e->hnext)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
item_fail(struct sc_rdap_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
item_fail(struct sc_rdap_item *it, const char *fmt, ...)
{
	va_list ap;

	it->settled = 1;
	it->ok = 0;
	it->at = (long long)time(NULL);
	va_start(ap, fmt);
	vsnprintf(it->error, sizeof(it->error), fmt, ap);
	va_end(ap);
}

static int
wait_on(struct sc_domain *dom, struct sc_rdap_item *it, struct rdap_entry *e)
{
	struct rdap_waiter *w = sc_malloc(sizeof(*w));

	if (w == NULL)
		return -1;
	w->dom = dom;
	w->item = it;
	w->next = e->waiters;
	e->waiters = w;
	it->e = e;
	it->held = 1;
	sc_domain_hold(dom);
	return 0;
}

/* What the time left allows: a request that would leave the queue after
 * the job's deadline is not queued at all (the batch goes on, and the
 * server is spared a request no one waits for). */
static int
fits(const struct sc_domain *dom, const struct rdap_server *srv)
{
	uint64_t now = sc_now_ms(), at = srv->next_ms, end;

	if (srv->backoff_until > at)
		at = srv->backoff_until;
	if (at < now)
		at = now;
	at += srv->nqueued * interval_ms(dom->ctx);
	end = dom->started + dom->ctx->timeout_ms;
	return at + MARGIN_MS < end;
}

static void
ask(struct sc_domain *dom, struct rdap_ctx *rc, struct sc_rdap_item *it)
{
	const struct sc_rdap_service *svc;
	struct rdap_rt *rt;
	struct rdap_entry *e;
	struct rdap_server *srv;
	char *host, url[600];
	unsigned port;
	int https, n;
	const char *tld;

	if (rc->boot_error[0] != '\0') {
		item_fail(it, "%s", rc->boot_error);
		return;
	}
	if ((rt = runtime(dom->ctx, rc)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	if ((e = entry_find(rt, it->name)) != NULL) {
		if (e->state == E_DONE)
			item_copy(it, e);
		else if (wait_on(dom, it, e) != 0)
			dom->status = SC_ENOMEM;
		return;
	}
	tld = strrchr(it->name, '.');
	tld = tld != NULL ? tld + 1 : it->name;
	if ((svc = sc_rdap_bootstrap_find(&rc->boot, it->name)) == NULL) {
		item_fail(it, "the RDAP bootstrap file (of %s) names no server "
		          "for .%s: its registry may publish no RDAP", rc->source,
		          tld);
		return;
	}
	if (!svc->https) {
		item_fail(it, "the registry of .%s offers RDAP over plain http "
		          "only (%s): not asked, since anyone on the path could "
		          "answer", tld, svc->url);
		return;
	}
	n = snprintf(url, sizeof(url), "%sdomain/%s", svc->url, it->name);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		item_fail(it, "the RDAP URL for %s is too long", it->name);
		return;
	}
	if ((n = sc_url_split(url, &host, &port, &https)) != 0) {
		if (n == -2)
			dom->status = SC_ENOMEM;
		else
			item_fail(it, "the bootstrap's URL %s is malformed",
			          svc->url);
		return;
	}
	srv = server_get(rt, host, port);
	sc_free(host);
	if (srv == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	if (!fits(dom, srv)) {
		item_fail(it, "not asked: %zu requests wait for %s already, "
		          "at %g a second (--rdap-rate), longer than the check "
		          "may take", srv->nqueued, srv->host,
		          rate_of(dom->ctx));
		return;
	}
	if ((e = sc_calloc(1, sizeof(*e))) == NULL ||
	    (e->name = sc_strdup(it->name)) == NULL) {
		sc_free(e);
		dom->status = SC_ENOMEM;
		return;
	}
	e->rt = rt;
	e->deadline = dom->started + dom->ctx->timeout_ms - MARGIN_MS / 2;
	if ((e->first_url = sc_strdup(url)) == NULL) {
		sc_free(e->name);
		sc_free(e);
		dom->status = SC_ENOMEM;
		return;
	}
	e->hnext = rt->bucket[name_hash(e->name) % BUCKETS];
	rt->bucket[name_hash(e->name) % BUCKETS] = e;
	if (wait_on(dom, it, e) != 0) {
		entry_unlink(e);
		entry_free(e);
		dom->status = SC_ENOMEM;
		return;
	}
	/* Last: the entry may settle at once (a DNS failure known). */
	(void)enqueue(e, url, 0);
}

/* ---- the domain job ------------------------------------------------------- */

static struct sc_rdap_state *
state_of(struct sc_domain *dom)
{
	return *sc_check_state(dom, &sc_check_rdap);
}

static int
has_address(const struct sc_rdap_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->item[i]->role == SC_RDAP_ADDRESS)
			return 1;
	return 0;
}

struct sc_rdap_item *
sc_rdap_claim(struct sc_rdap_state *st, char *reg, const char *host,
              enum sc_rdap_role role, int *nomem)
{
	struct sc_rdap_item *it;
	size_t i;

	*nomem = 0;
	for (i = 0; i < st->n; i++)
		if (strcmp(st->item[i]->name, reg) == 0) {
			/* The NS answer may come first and name the address's
			 * own domain (ns1.example.com for example.com): it is
			 * still the address's domain, whose registration date
			 * domain.re_registered compares. */
			it = st->item[i];
			if (role == SC_RDAP_ADDRESS &&
			    it->role != SC_RDAP_ADDRESS) {
				it->role = SC_RDAP_ADDRESS;
				sc_free(it->via);
				it->via = NULL;
			}
			sc_free(reg);
			return NULL;
		}
	/* The last slot is the address's own domain's, should the NS set
	 * (up to eight hosts in eight domains) come first and fill the
	 * rest. */
	if (st->n == SC_RDAP_MAX_ITEMS ||
	    (st->n == SC_RDAP_MAX_ITEMS - 1 && role != SC_RDAP_ADDRESS &&
	     !has_address(st))) {
		sc_free(reg);
		return NULL;
	}
	/* One allocation each, as many as asked (most jobs ask one or
	 * two): entries waited for point at them, so they never move. */
	if ((it = sc_calloc(1, sizeof(*it))) == NULL ||
	    (role != SC_RDAP_ADDRESS && (it->via = sc_strdup(host)) == NULL)) {
		sc_free(it);
		sc_free(reg);
		*nomem = 1;
		return NULL;
	}
	it->name = reg;
	it->role = role;
	st->item[st->n++] = it;
	return it;
}

/* Ask about the registrable domain of host (or name itself), once per
 * job, whoever else's it is. */
static void
want(struct sc_domain *dom, const char *host, enum sc_rdap_role role)
{
	struct sc_rdap_state *st = state_of(dom);
	struct rdap_ctx *rc = sc_check_ctx(dom->ctx, &sc_check_rdap);
	struct sc_rdap_item *it;
	char *reg;
	size_t i;
	int nomem;

	if (st == NULL || rc == NULL || host[0] == '\0' ||
	    strcmp(host, ".") == 0)
		return;
	if ((reg = sc_registrable(dom->ctx, host)) == NULL)
		return;
	for (i = 0; reg[i] != '\0'; i++)
		reg[i] = (char)(reg[i] >= 'A' && reg[i] <= 'Z' ? reg[i] + 32
		                                               : reg[i]);
	if ((it = sc_rdap_claim(st, reg, host, role, &nomem)) != NULL)
		ask(dom, rc, it);
	else if (nomem)
		dom->status = SC_ENOMEM;
}

/* The MX answer: the address's domain (unless it does not exist: its
 * registration is gone, domain.nxdomain says so) and its MX hosts'. */
static void
on_mx(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	size_t i;

	if (lk->outcome == SC_DNS_NXDOMAIN)
		return;
	want(dom, dom->name, SC_RDAP_ADDRESS);
	for (i = 0; lk->outcome == SC_DNS_OK && i < lk->n; i++)
		want(dom, lk->rr[i].text, SC_RDAP_MX);
}

static void
on_ns(struct sc_lookup *lk, void *arg)
{
	size_t i;

	for (i = 0; lk->outcome == SC_DNS_OK && i < lk->n; i++)
		want(arg, lk->rr[i].text, SC_RDAP_NS);
}

static sc_status_t
rdap_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_rdap);
	const struct rdap_ctx *rc = sc_check_ctx(dom->ctx, &sc_check_rdap);
	struct sc_rdap_state *st;

	if (sc_domain_is_literal(dom) || dom->regdom == NULL)
		return SC_OK;
	if ((st = *slot = sc_calloc(1, sizeof(*st))) == NULL)
		return dom->status = SC_ENOMEM;
	if (rc != NULL) {
		st->lim = rc->lim;
		snprintf(st->bootstrap, sizeof(st->bootstrap), "%s", rc->source);
	} else {
		sc_rdap_limits_default(&st->lim);
	}
	/* The job's own questions again (copies, no queries): the MX hosts
	 * and the nameservers of the registrable domain. */
	st->mx = sc_domain_lookup(dom, dom->name, ns_t_mx, on_mx);
	st->ns = sc_domain_lookup(dom, dom->regdom, ns_t_ns, on_ns);
	return dom->status;
}

/* An item still waiting (the deadline passed first) is detached. */
static void
rdap_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_rdap);
	struct sc_rdap_state *st = *slot;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		struct sc_rdap_item *it = st->item[i];
		struct rdap_waiter **pw;

		for (pw = it->e != NULL ? &it->e->waiters : NULL;
		     pw != NULL && *pw != NULL; pw = &(*pw)->next)
			if ((*pw)->item == it) {
				struct rdap_waiter *w = *pw;

				*pw = w->next;
				sc_free(w);
				break;
			}
		sc_free(it->name);
		sc_free(it->via);
		sc_free(it->url);
		sc_free(it);
	}
	sc_free(st);
	*slot = NULL;
}

/* ---- judging the evidence (pure) ------------------------------------------ */

/* "the address's domain example.com", "example.net (the domain of MX
 * host mx.example.net)", for details. */
static void
whose(const struct sc_rdap_item *it, char *buf, size_t size)
{
	switch (it->role) {
	case SC_RDAP_ADDRESS:
		snprintf(buf, size, "the address's domain %s", it->name);
		break;
	case SC_RDAP_MX:
		snprintf(buf, size, "%s (the domain of MX host %s)", it->name,
		         it->via);
		break;
	case SC_RDAP_NS:
		snprintf(buf, size, "%s (the domain of nameserver %s)",
		         it->name, it->via);
		break;
	}
}

static long long
days(long long seconds)
{
	return seconds >= 0 ? seconds / SECONDS_PER_DAY
	                    : -((-seconds + SECONDS_PER_DAY - 1) /
	                        SECONDS_PER_DAY);
}

/* The latest of registration and reregistration: when the current
 * registration began. */
static int
registered(const struct sc_rdap_domain *rd, long long *t)
{
	if (!rd->has_registered && !rd->has_reregistered)
		return 0;
	*t = rd->has_registered ? rd->registered : rd->reregistered;
	if (rd->has_reregistered && rd->reregistered > *t)
		*t = rd->reregistered;
	return 1;
}

static void
assess_item(const struct sc_rdap_state *st, const struct sc_rdap_item *it,
            struct sc_hits *out)
{
	const struct sc_rdap_domain *rd = &it->rd;
	char who[400], date[32];
	long long t;

	whose(it, who, sizeof(who));
	if (!it->settled) {
		sc_hits_add(out, "rdap.unavailable", "no RDAP answer for %s "
		            "before the check's deadline", who);
		return;
	}
	if (!it->ok) {
		sc_hits_add(out, "rdap.unavailable", "no registration data for "
		            "%s: %s", who, it->error);
		return;
	}
	if (rd->status & (SC_RDAP_PENDING_DELETE | SC_RDAP_REDEMPTION))
		sc_hits_add(out, "domain.pending_delete", "the registration of "
		            "%s is in %s (status: %s): it is about to be released "
		            "for anyone to register", who,
		            rd->status & SC_RDAP_PENDING_DELETE ? "pending delete"
		            : "its redemption period", rd->statuses);
	/* A deletion under way says more than the expiry that led to it. */
	else if (rd->has_expires) {
		long long left = days(rd->expires - it->at);

		sc_rfc3339_format(rd->expires, date, sizeof(date));
		if (left < 0)
			sc_hits_add(out, "domain.expiring", "the registration of "
			            "%s expired on %s, %lld day%s ago: unless it is "
			            "renewed in its grace period it will be released",
			            who, date, -left, left == -1 ? "" : "s");
		else if (left <= (long long)st->lim.expiring_days)
			sc_hits_add(out, "domain.expiring", "the registration of "
			            "%s expires on %s, in %lld day%s", who, date,
			            left, left == 1 ? "" : "s");
		else if (left <= (long long)st->lim.renewal_days)
			sc_hits_add(out, "domain.renewal_due", "the registration "
			            "of %s expires on %s, in %lld days", who, date,
			            left);
	}
	if (registered(rd, &t) && t <= it->at &&
	    days(it->at - t) < (long long)st->lim.recent_days) {
		sc_rfc3339_format(t, date, sizeof(date));
		sc_hits_add(out, "domain.recently_registered", "%s was "
		            "registered on %s, %lld day%s ago", who, date,
		            days(it->at - t), days(it->at - t) == 1 ? "" : "s");
	}
	/* Only a status list says whether transfers are locked: a registry
	 * that gives none tells nothing either way. */
	if (rd->nstatus > 0 &&
	    !(rd->status & (SC_RDAP_CLIENT_XFER_LOCK | SC_RDAP_SERVER_XFER_LOCK)))
		sc_hits_add(out, "domain.transfer_unlocked", "%s has no transfer "
		            "lock (status: %s)", who, rd->statuses);
}

static void
rdap_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_rdap_state *st = sc_check_state_get(dom, &sc_check_rdap);
	size_t i;

	for (i = 0; st != NULL && i < st->n; i++)
		assess_item(st, st->item[i], out);
}

/* Per address: the registration began after the user chose it. */
static void
rdap_assess_address(const struct sc_req *req, struct sc_hits *out)
{
	const struct sc_rdap_state *st;
	char reg[32], enr[32];
	long long t, after;
	size_t i;

	if (!req->has_enrolled || req->dom == NULL ||
	    (st = sc_check_state_get(req->dom, &sc_check_rdap)) == NULL)
		return;
	/* A day without a time: the user enrolled at some moment of it, in
	 * some time zone, and a registration the same day may have come
	 * first.  Only one after the day's end everywhere (UTC-12) is
	 * certainly later: domain.re_registered must not guess. */
	after = req->enrolled + (req->enrolled_day ? 36 * 3600 : 0);
	for (i = 0; i < st->n; i++) {
		const struct sc_rdap_item *it = st->item[i];

		if (it->role != SC_RDAP_ADDRESS || !it->ok ||
		    !registered(&it->rd, &t) || t <= after)
			continue;
		sc_rfc3339_format(t, reg, sizeof(reg));
		sc_rfc3339_format(req->enrolled, enr, sizeof(enr));
		if (req->enrolled_day)
			enr[10] = '\0'; /* the day, as given */
		sc_hits_add(out, "domain.re_registered", "%s was registered on "
		            "%s, after this address was enrolled (%s): the domain "
		            "changed hands since the user chose it", it->name, reg,
		            enr);
	}
}

/* ---- what the check saw --------------------------------------------------- */

static const char *
role_str(enum sc_rdap_role r)
{
	return r == SC_RDAP_ADDRESS ? "address" : r == SC_RDAP_MX ? "mx" : "ns";
}

static void
describe_date(struct sc_jw *out, const char *key, int has, long long t)
{
	char buf[32];

	sc_jw_sep(out);
	sc_jw_cstr(out, key);
	sc_jw_lit(out, ":");
	if (!has) {
		sc_jw_null(out);
		return;
	}
	sc_rfc3339_format(t, buf, sizeof(buf));
	sc_jw_cstr(out, buf);
}

static void
rdap_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_rdap_state *st = sc_check_state_get(dom, &sc_check_rdap);
	long long t = 0;
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "bootstrap");
	sc_jw_cstr(out, st != NULL ? st->bootstrap : NULL);
	sc_jw_key(out, "domains");
	sc_jw_lit(out, "[");
	for (i = 0; st != NULL && i < st->n; i++) {
		const struct sc_rdap_item *it = st->item[i];
		int reg = it->ok && registered(&it->rd, &t);

		sc_jw_elem(out);
		sc_jw_lit(out, "{");
		sc_jw_key(out, "domain");
		sc_jw_cstr(out, it->name);
		sc_jw_key(out, "role");
		sc_jw_cstr(out, role_str(it->role));
		sc_jw_key(out, "host");
		sc_jw_cstr(out, it->via);
		sc_jw_key(out, "url");
		sc_jw_cstr(out, it->url);
		sc_jw_key(out, "status");
		sc_jw_cstr(out, it->ok ? it->rd.statuses : NULL);
		describe_date(out, "registered", reg, t);
		describe_date(out, "expires", it->ok && it->rd.has_expires,
		              it->rd.expires);
		sc_jw_key(out, "transfer_locked");
		if (it->ok && it->rd.nstatus > 0)
			sc_jw_bool(out, (it->rd.status & (SC_RDAP_CLIENT_XFER_LOCK |
			                 SC_RDAP_SERVER_XFER_LOCK)) != 0);
		else
			sc_jw_null(out);
		sc_jw_key(out, "error");
		sc_jw_cstr(out, it->ok ? NULL : it->settled ? it->error
		           : "no answer before the check's deadline");
		sc_jw_lit(out, "}");
	}
	sc_jw_lit(out, "]}");
}

static const char *const rdap_ids[] = {
	"domain.pending_delete", "domain.expiring", "domain.renewal_due",
	"domain.recently_registered", "domain.transfer_unlocked",
	"domain.re_registered", "rdap.unavailable", NULL
};

const struct sc_check sc_check_rdap = {
	.name = "rdap",
	.ids = rdap_ids,
	.ctx_init = rdap_ctx_init,
	.ctx_free = rdap_ctx_free,
	.start = rdap_start,
	.assess = rdap_assess,
	.describe = rdap_describe,
	.clear = rdap_clear,
	.assess_address = rdap_assess_address,
};
