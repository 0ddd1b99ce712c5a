/*
 * Check "breach" (an address-level check): is the address, as given or in
 * its provider-canonical form, in breach data?
 *
 *   - a local corpus (--breach-corpus): looked up at once, memory-mapped;
 *   - a range API (--breach-api): only the first 6 hex digits of the SHA-1
 *     leave the machine (k-anonymity); the answer lists every suffix under
 *     that prefix and the match is made here.  The address and its full
 *     hash appear in no request, header or message.
 *
 * The range answers are cached for the context, one fetch per prefix with
 * a list of waiting keys, so addresses that share a prefix cost one
 * request.  The cache is referenced by every request that uses it (and by
 * a DNS lookup of the API host in flight) and freed with the last one.
 * A service that cannot be reached is "could not verify"
 * (breach.unverified), never "not breached".
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "breach.h"
#include "checks.h"
#include "hash.h"
#include "internal.h"

#define PREFIX_BUCKETS 256
#define MAX_TRIES 3
#define BACKOFF_MS 250u
#define MAX_BODY (4u << 20)
#define API_KEY_HEADER "hibp-api-key"

enum dns_state { DNS_IDLE, DNS_RUNNING, DNS_READY, DNS_FAILED };
enum prefix_state { P_QUEUED, P_FETCHING, P_BACKOFF, P_DONE, P_FAILED };

/* One prefix of the range API: its fetch, its answer, who waits. */
struct sc_prefix {
	struct sc_breach *b;
	char hex[2 * SC_RANGE_PREFIX + 1];
	enum prefix_state state;
	struct sc_range range;
	char error[200];
	struct sc_fetch fetch;
	unsigned tries;
	uint64_t deadline;
	struct sc_timer timer;
	struct sc_breach_key *waiters;
	struct sc_prefix *hnext;
	struct sc_prefix *qnext;      /* waiting for the API host's address */
};

/* Context-wide state: the check's context slot (sc_check_ctx_slot()). */
struct sc_breach {
	struct sc_ctx *ctx;
	unsigned refs;

	struct sc_corpus *corpus;
	char corpus_error[300];
	struct sc_canon canon;
	char setup_error[300];

	/* the range API */
	char *base;                   /* URL without its trailing '/' */
	char *host;
	unsigned port;
	char *header;                 /* the API key header, or NULL */
	enum dns_state dns;
	struct sc_lookup lk_a, lk_aaaa;
	unsigned dns_pending;
	char *resolve;                /* "host:port:addr,..." for curl */
	char dns_error[200];
	struct sc_prefix *bucket[PREFIX_BUCKETS];
	struct sc_prefix *queue;
};

static void prefix_fetch(struct sc_prefix *p);

/* ---- context-wide state ------------------------------------------------ */

static void
breach_free(struct sc_breach *b)
{
	size_t i;

	for (i = 0; i < PREFIX_BUCKETS; i++) {
		struct sc_prefix *p, *next;

		for (p = b->bucket[i]; p != NULL; p = next) {
			next = p->hnext;
			sc_http_cancel(&b->ctx->http, &p->fetch);
			sc_fetch_clear(&p->fetch);
			sc_timer_stop(&b->ctx->loop, &p->timer);
			sc_range_clear(&p->range);
			sc_free(p);
		}
	}
	sc_lookup_free_data(&b->lk_a);
	sc_lookup_free_data(&b->lk_aaaa);
	sc_free(b->lk_a.name);
	sc_free(b->lk_aaaa.name);
	sc_corpus_unload(b->corpus);
	sc_canon_clear(&b->canon);
	sc_free(b->base);
	sc_free(b->host);
	sc_free(b->header);
	sc_free(b->resolve);
	if (*sc_check_ctx_slot(b->ctx, &sc_check_breach) == b)
		*sc_check_ctx_slot(b->ctx, &sc_check_breach) = NULL;
	sc_free(b);
}

static void
breach_unref(struct sc_breach *b)
{
	if (--b->refs == 0)
		breach_free(b);
}

/* "scheme://[user@]host[:port][/path]": the host and port curl will
 * connect to, so that our DNS engine resolves the host first. */
static int
parse_url(struct sc_breach *b, const char *url)
{
	size_t n;
	int https, rc = sc_url_split(url, &b->host, &b->port, &https);

	if (rc != 0)
		return rc;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((b->base = sc_strndup(url, n)) == NULL)
		return -2;
	return 0;
}

static int
host_is_literal(const char *host)
{
	unsigned char buf[16];

	return host[0] == '[' || inet_pton(AF_INET, host, buf) == 1 ||
	       strcasecmp(host, "localhost") == 0;
}

static sc_status_t
setup_api(struct sc_breach *b)
{
	const char *key = b->ctx->breach_api_key, *k;
	int rc = parse_url(b, b->ctx->breach_api);

	if (rc == -2)
		return SC_ENOMEM;
	if (rc != 0) {
		snprintf(b->setup_error, sizeof(b->setup_error),
		         "the breach API URL is not http(s)://HOST[:PORT][/PATH]");
		return SC_OK;
	}
	if (key != NULL && *key != '\0') {
		for (k = key; *k != '\0'; k++)
			if ((unsigned char)*k < 0x20 || *k == 0x7f) {
				snprintf(b->setup_error, sizeof(b->setup_error),
				         "the breach API key holds a control "
				         "character");
				return SC_OK;
			}
		b->header = sc_malloc(strlen(API_KEY_HEADER) + strlen(key) + 3);
		if (b->header == NULL)
			return SC_ENOMEM;
		sprintf(b->header, "%s: %s", API_KEY_HEADER, key);
	}
	b->dns = host_is_literal(b->host) ? DNS_READY : DNS_IDLE;
	return SC_OK;
}

/* The context's breach state, made on first use.  Opening the corpus and
 * reading canonical.ini happen here, once; their failures are kept and
 * reported with every address. */
static sc_status_t
breach_get(struct sc_ctx *ctx, struct sc_breach **out)
{
	struct sc_breach *b = sc_check_ctx(ctx, &sc_check_breach);
	const char *dir;
	char err[300];
	sc_status_t st;

	if (b != NULL) {
		*out = b;
		return SC_OK;
	}
	if ((dir = sc_ctx_rules_dir(ctx)) == NULL ||
	    (b = sc_calloc(1, sizeof(*b))) == NULL)
		return SC_ENOMEM;
	b->ctx = ctx;
	st = sc_canon_load(dir, &b->canon, err, sizeof(err));
	if (st == SC_ERULES)
		snprintf(b->setup_error, sizeof(b->setup_error), "%s", err);
	if (st != SC_ENOMEM && ctx->breach_corpus != NULL) {
		st = sc_corpus_load(ctx->breach_corpus, &b->corpus,
		                    b->corpus_error, sizeof(b->corpus_error));
		if (st != SC_OK && b->corpus_error[0] == '\0')
			snprintf(b->corpus_error, sizeof(b->corpus_error), "%s",
			         sc_strerror(st));
		/* An index without a record would call every address "not
		 * breached": refused, as a text list without a hash is. */
		if (st == SC_OK && b->corpus->n == 0) {
			sc_corpus_unload(b->corpus);
			b->corpus = NULL;
			snprintf(b->corpus_error, sizeof(b->corpus_error),
			         "%.200s: the index holds no hash", ctx->breach_corpus);
		}
	}
	if (st != SC_ENOMEM && ctx->breach_api != NULL)
		st = setup_api(b);
	if (st == SC_ENOMEM) {
		breach_free(b);
		return SC_ENOMEM;
	}
	/* The context's own reference: the corpus stays open and the
	 * prefix cache warm for the life of the context, not only while a
	 * batch of checks is in flight. */
	b->refs = 1;
	*sc_check_ctx_slot(ctx, &sc_check_breach) = b;
	*out = b;
	return SC_OK;
}

/* The context's reference, after the requests (which hold their own). */
static void
breach_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	breach_unref(state);
}

/* ---- prefixes and their waiters ---------------------------------------- */

static unsigned
prefix_bucket(const char *hex)
{
	unsigned char v[SC_RANGE_PREFIX];

	(void)sc_hex_decode(hex, SC_RANGE_PREFIX, v);
	return (unsigned)(v[0] ^ v[1] ^ v[2]) % PREFIX_BUCKETS;
}

/* Give every waiting key the prefix's outcome and let its request go. */
static void
prefix_settle(struct sc_prefix *p)
{
	struct sc_breach_key *k = p->waiters, *next;

	p->waiters = NULL;
	for (; k != NULL; k = next) {
		next = k->wnext;
		k->wnext = NULL;
		k->prefix = NULL;
		if (p->state == P_DONE) {
			k->hit = sc_range_find(&p->range,
			                       k->hash + SC_RANGE_PREFIX);
			k->api = k->hit != NULL ? SC_BAPI_FOUND : SC_BAPI_ABSENT;
		} else {
			k->api = SC_BAPI_FAILED;
			k->api_error = p->error;
		}
		sc_req_release(k->owner->req);
	}
}

static void
prefix_fail(struct sc_prefix *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
prefix_fail(struct sc_prefix *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	p->state = P_FAILED;
	prefix_settle(p);
}

static void
on_retry(void *arg)
{
	prefix_fetch(arg);
}

/* Try again after delay_ms if tries and time are left; else fail with
 * what the last answer was. */
static void
prefix_retry(struct sc_prefix *p, uint64_t delay_ms, const char *what)
{
	uint64_t now = sc_now_ms();

	if (p->tries >= MAX_TRIES || now + delay_ms >= p->deadline) {
		prefix_fail(p, "the breach range API failed: %s (%u %s)", what,
		            p->tries, p->tries == 1 ? "try" : "tries");
		return;
	}
	p->state = P_BACKOFF;
	sc_timer_start(&p->b->ctx->loop, &p->timer, (unsigned)delay_ms,
	               on_retry, p);
}

static void
on_fetch(struct sc_fetch *f, void *arg)
{
	struct sc_prefix *p = arg;
	char what[SC_FETCH_ERROR_SIZE + 64], err[160];
	uint64_t backoff = (uint64_t)BACKOFF_MS << (p->tries - 1);

	if (f->outcome == SC_FETCH_OK && f->status == 200) {
		sc_status_t st = sc_range_parse(f->body, f->len, &p->range, err,
		                                sizeof(err));

		sc_fetch_clear(f);
		if (st == SC_OK) {
			p->state = P_DONE;
			prefix_settle(p);
		} else {
			prefix_fail(p, "the breach range API answered garbage: %s",
			            st == SC_ENOMEM ? "out of memory" : err);
		}
		return;
	}
	if (f->outcome == SC_FETCH_OK && f->status == 429) {
		snprintf(what, sizeof(what), "rate limited, HTTP 429");
		sc_fetch_clear(f);
		prefix_retry(p, f->retry_after >= 0 ?
		                (uint64_t)f->retry_after * 1000 : backoff, what);
		return;
	}
	if (f->outcome == SC_FETCH_OK && f->status >= 500) {
		snprintf(what, sizeof(what), "HTTP %ld", f->status);
		sc_fetch_clear(f);
		prefix_retry(p, backoff, what);
		return;
	}
	if (f->outcome == SC_FETCH_OK)
		snprintf(what, sizeof(what), "HTTP %ld%s", f->status,
		         f->status == 401 || f->status == 403 ?
		         " (is the API key right?)" : "");
	else if (f->outcome == SC_FETCH_TIMEOUT)
		snprintf(what, sizeof(what), "no answer in time");
	else
		snprintf(what, sizeof(what), "%s", f->error);
	sc_fetch_clear(f);
	/* A refused or reset connection may be a server restarting: try
	 * again like a 5xx.  A timeout has used the time up already. */
	if (f->outcome == SC_FETCH_CONNECT)
		prefix_retry(p, backoff, what);
	else
		prefix_fail(p, "the breach range API failed: %s", what);
}

static void
prefix_fetch(struct sc_prefix *p)
{
	struct sc_breach *b = p->b;
	uint64_t now = sc_now_ms();
	char url[2048];
	sc_status_t st;

	if (now + 50 >= p->deadline) {
		prefix_fail(p, "the breach range API did not answer in time");
		return;
	}
	if ((size_t)snprintf(url, sizeof(url), "%s/range/%s", b->base, p->hex)
	    >= sizeof(url)) {
		prefix_fail(p, "the breach API URL is too long");
		return;
	}
	memset(&p->fetch, 0, sizeof(p->fetch));
	p->fetch.max_body = MAX_BODY;
	p->fetch.timeout_ms = (unsigned)(p->deadline - now);
	p->fetch.ca_file = b->ctx->ca_file;
	p->fetch.resolve = b->resolve;
	p->fetch.header = b->header;
	p->tries++;
	p->state = P_FETCHING;
	st = sc_http_get(&b->ctx->http, &p->fetch, url, on_fetch, p);
	if (st != SC_OK)
		prefix_fail(p, "the breach range API request could not be "
		            "made: %s", st == SC_EIO ? sc_http_error()
		                                     : sc_strerror(st));
}

/* ---- the API host's address (our DNS engine, then CURLOPT_RESOLVE) ----- */

#define API_ADDRS 8            /* of each family, handed to curl */

static void
dns_finish(struct sc_breach *b)
{
	struct sc_prefix *p, *next;
	int none;

	b->resolve = sc_http_resolve_list(b->host, b->port, &b->lk_a,
	                                  &b->lk_aaaa, API_ADDRS, &none);
	if (b->resolve == NULL && none)
		snprintf(b->dns_error, sizeof(b->dns_error),
		         "the breach API host %s has no address (%s)", b->host,
		         sc_dns_outcome_str(b->lk_a.outcome));
	else if (b->resolve == NULL)
		snprintf(b->dns_error, sizeof(b->dns_error), "out of memory");
	b->dns = b->resolve != NULL ? DNS_READY : DNS_FAILED;
	p = b->queue;
	b->queue = NULL;
	for (; p != NULL; p = next) {
		next = p->qnext;
		p->qnext = NULL;
		if (b->dns == DNS_READY)
			prefix_fetch(p);
		else
			prefix_fail(p, "%s", b->dns_error);
	}
}

static void
on_dns(struct sc_lookup *lk, void *arg)
{
	struct sc_breach *b = arg;

	(void)lk;
	if (--b->dns_pending == 0)
		dns_finish(b);
	breach_unref(b);
}

/* Each lookup holds a reference: its sc_lookup lives in b, and c-ares
 * reads it when the answer comes, even after we stopped waiting. */
static void
dns_start(struct sc_breach *b)
{
	struct sc_dns *dns = &b->ctx->dns;

	b->dns = DNS_RUNNING;
	b->refs += 3;
	b->dns_pending = 3; /* one of our own while both start */
	if (sc_dns_lookup(dns, &b->lk_a, b->host, ns_t_a, on_dns, b) != SC_OK) {
		b->lk_a.outcome = SC_DNS_ERROR;
		b->dns_pending--;
		b->refs--;
	}
	if (sc_dns_lookup(dns, &b->lk_aaaa, b->host, ns_t_aaaa, on_dns, b) !=
	    SC_OK) {
		b->lk_aaaa.outcome = SC_DNS_ERROR;
		b->dns_pending--;
		b->refs--;
	}
	on_dns(NULL, b);
}

/* Wait for the prefix of key (fetching it if nobody has yet). */
static void
key_wait(struct sc_breach *b, struct sc_breach_req *br,
         struct sc_breach_key *k)
{
	char hex[2 * SC_RANGE_PREFIX + 1];
	struct sc_prefix *p;
	unsigned h;

	sc_hex_upper(k->hash, SC_RANGE_PREFIX, hex);
	h = prefix_bucket(hex);
	for (p = b->bucket[h]; p != NULL; p = p->hnext)
		if (strcmp(p->hex, hex) == 0)
			break;
	if (p != NULL && (p->state == P_DONE || p->state == P_FAILED)) {
		k->hit = p->state == P_DONE ?
		         sc_range_find(&p->range, k->hash + SC_RANGE_PREFIX) :
		         NULL;
		k->api = p->state == P_FAILED ? SC_BAPI_FAILED :
		         k->hit != NULL ? SC_BAPI_FOUND : SC_BAPI_ABSENT;
		k->api_error = p->error;
		return;
	}
	if (p == NULL && (p = sc_calloc(1, sizeof(*p))) == NULL) {
		k->api = SC_BAPI_FAILED;
		k->api_error = "out of memory";
		return;
	}
	/* Hold the request before anything can settle the prefix. */
	k->api = SC_BAPI_PENDING;
	k->owner = br;
	k->prefix = p;
	k->wnext = p->waiters;
	p->waiters = k;
	sc_req_hold(br->req);
	if (p->b != NULL)
		return; /* a fetch is under way */
	p->b = b;
	memcpy(p->hex, hex, sizeof(hex));
	p->deadline = sc_now_ms() + b->ctx->timeout_ms;
	p->hnext = b->bucket[h];
	b->bucket[h] = p;
	switch (b->dns) {
	case DNS_READY:
		prefix_fetch(p);
		break;
	case DNS_FAILED:
		prefix_fail(p, "%s", b->dns_error);
		break;
	case DNS_IDLE:
	case DNS_RUNNING:
		p->state = P_QUEUED;
		p->qnext = b->queue;
		b->queue = p;
		if (b->dns == DNS_IDLE)
			dns_start(b);
		break;
	}
}

/* ---- the check ---------------------------------------------------------- */

static sc_status_t
add_key(struct sc_breach_req *br, const char *addr, char *canonical)
{
	struct sc_breach_key *k = &br->key[br->nkey];
	sc_status_t st = sc_sha1(addr, strlen(addr), k->hash);

	if (st != SC_OK) {
		sc_free(canonical);
		return st;
	}
	k->canonical = canonical;
	br->nkey++;
	return SC_OK;
}

static sc_status_t
breach_start(struct sc_req *req)
{
	struct sc_ctx *ctx = req->ctx;
	struct sc_breach_req *br;
	struct sc_breach *b;
	char *norm, *canon = NULL;
	sc_status_t st;
	int i;

	if (ctx->breach_corpus == NULL && ctx->breach_api == NULL)
		return SC_OK;
	if ((st = breach_get(ctx, &b)) != SC_OK)
		return st;
	if ((br = sc_calloc(1, sizeof(*br))) == NULL)
		return SC_ENOMEM;
	br->req = req;
	br->b = b;
	b->refs++;
	*sc_req_state(req, &sc_check_breach) = br;
	if (b->setup_error[0] != '\0') {
		br->setup_error = b->setup_error;
		return SC_OK;
	}
	if ((norm = sc_breach_normalize(req->input)) == NULL)
		return SC_ENOMEM;
	st = sc_canon_apply(&b->canon, norm, &canon);
	if (st == SC_OK)
		st = add_key(br, norm, NULL);
	sc_free(norm);
	if (st == SC_OK && canon != NULL)
		st = add_key(br, canon, canon);
	else
		sc_free(canon);
	if (st != SC_OK)
		return st;
	if (ctx->breach_corpus != NULL) {
		br->used_corpus = 1;
		if (b->corpus == NULL)
			br->corpus_error = b->corpus_error;
		for (i = 0; i < br->nkey && b->corpus != NULL; i++)
			br->key[i].local_found = sc_corpus_find(b->corpus,
			    br->key[i].hash, &br->key[i].local_count);
	}
	for (i = 0; ctx->breach_api != NULL && i < br->nkey; i++)
		key_wait(b, br, &br->key[i]);
	return SC_OK;
}

/* "as given" or "as its canonical form x@y" */
static void
form_of(const struct sc_breach_key *k, char *buf, size_t len)
{
	if (k->canonical == NULL)
		snprintf(buf, len, "the address as given");
	else
		snprintf(buf, len, "its canonical form %s", k->canonical);
}

static void
breach_assess(const struct sc_req *req, struct sc_hits *out)
{
	/* sc_req_state() only finds the slot; nothing is written. */
	struct sc_breach_req *br =
	    *sc_req_state((struct sc_req *)req, &sc_check_breach);
	char detail[900], form[320];
	const char *unverified = NULL;
	size_t k = 0;
	int i;

	if (br == NULL)
		return;
	detail[0] = '\0';
	for (i = 0; i < br->nkey; i++) {
		const struct sc_breach_key *key = &br->key[i];

		form_of(key, form, sizeof(form));
		if (key->local_found && k < sizeof(detail)) {
			char n[48] = "";

			if (key->local_count > 0)
				snprintf(n, sizeof(n), ", seen %lu times",
				         (unsigned long)key->local_count);
			k += (size_t)snprintf(detail + k, sizeof(detail) - k,
			                      "%sfound in the local breach corpus "
			                      "(%s%s)", k ? "; " : "", form, n);
		}
		if (key->api == SC_BAPI_FOUND && k < sizeof(detail)) {
			char n[480] = "";

			if (key->hit->names != NULL)
				snprintf(n, sizeof(n), ", in: %s", key->hit->names);
			else if (key->hit->count > 0)
				snprintf(n, sizeof(n), ", seen %lu times",
				         (unsigned long)key->hit->count);
			k += (size_t)snprintf(detail + k, sizeof(detail) - k,
			                      "%sfound by the breach range API "
			                      "(%s%s)", k ? "; " : "", form, n);
		}
		if (key->api == SC_BAPI_FAILED)
			unverified = key->api_error;
		else if (key->api == SC_BAPI_PENDING)
			unverified = "the breach range API did not answer in time";
	}
	if (k > 0)
		sc_hits_add(out, "breach.found", "%s", detail);
	if (br->setup_error != NULL)
		unverified = br->setup_error;
	if (br->corpus_error != NULL)
		sc_hits_add_missing(out, "breach.unverified", "the breach corpus "
		                    "could not be read: %s", br->corpus_error);
	if (unverified != NULL)
		sc_hits_add_missing(out, "breach.unverified", "%s", unverified);
}

/* Detach from prefixes still being fetched (the request may go before
 * the fetch ends), then drop the reference on the shared state. */
static void
breach_clear(struct sc_req *req)
{
	void **slot = sc_req_state(req, &sc_check_breach);
	struct sc_breach_req *br = *slot;
	int i;

	if (br == NULL)
		return;
	for (i = 0; i < br->nkey; i++) {
		struct sc_breach_key *k = &br->key[i], **pp;

		for (pp = k->prefix != NULL ? &k->prefix->waiters : NULL;
		     pp != NULL && *pp != NULL; pp = &(*pp)->wnext)
			if (*pp == k) {
				*pp = k->wnext;
				break;
			}
		sc_free(k->canonical);
	}
	*slot = NULL;
	breach_unref(br->b);
	sc_free(br);
}

static const char *const breach_ids[] = {
	"breach.found", "breach.unverified", NULL
};

const struct sc_check sc_check_breach = {
	.name = "breach",
	.ids = breach_ids,
	.ctx_free = breach_ctx_free,
	.start_address = breach_start,
	.assess_address = breach_assess,
	.clear_address = breach_clear,
};

/* ---- public: the canonical form ---------------------------------------- */

sc_status_t
sc_address_canonical(sc_ctx_t *ctx, const char *address, char **out)
{
	struct sc_canon canon;
	const char *dir;
	char err[300], *norm;
	sc_status_t st;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || address == NULL || out == NULL)
		return SC_EINVAL;
	if ((dir = sc_ctx_rules_dir(ctx)) == NULL)
		return SC_ENOMEM;
	st = sc_canon_load(dir, &canon, err, sizeof(err));
	if (st != SC_OK)
		return st == SC_ERULES ? sc_ctx_error(ctx, st, "%s", err) : st;
	if ((norm = sc_breach_normalize(address)) == NULL) {
		sc_canon_clear(&canon);
		return SC_ENOMEM;
	}
	st = sc_canon_apply(&canon, norm, out);
	sc_free(norm);
	sc_canon_clear(&canon);
	return st;
}
