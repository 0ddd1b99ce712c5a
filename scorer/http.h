/*
 * HTTPS through libcurl's multi socket interface, on the context's event
 * loop (as dns.c does for c-ares).  Names are resolved by our own DNS
 * engine first and handed to curl with CURLOPT_RESOLVE, so every lookup
 * goes to the resolvers the user chose and is recorded as evidence.
 */
#ifndef SC_HTTP_H
#define SC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "scorer.h"

/* libcurl stays inside http.c: its handles are opaque here, and what a
 * transfer ended with is told as an outcome of ours (sc_http_classify()),
 * not as a CURLcode the checks would each have to interpret. */
struct curl_slist;

/* How a fetch ended. */
enum sc_fetch_outcome {
	SC_FETCH_OK = 0,      /* a complete HTTP answer: see status */
	SC_FETCH_TOO_BIG,     /* the body exceeded max_body (truncated) */
	SC_FETCH_CERT,        /* the server's certificate was not accepted */
	SC_FETCH_TIMEOUT,     /* no (whole) answer in time */
	SC_FETCH_CONNECT,     /* refused, reset, or nothing came back: a
	                       * server restarting may answer the next try */
	SC_FETCH_FAILED       /* anything else: error says what */
};

#define SC_FETCH_ERROR_SIZE 256   /* libcurl's CURL_ERROR_SIZE */

struct sc_http {
	void *multi;              /* CURLM */
	struct sc_loop *loop;
	struct sc_timer timer;
	int running;
	/* The trust anchors to verify with (shared, built once per context)
	 * instead of curl loading the system bundle for every transfer;
	 * NULL: curl's own defaults plus f->ca_file. */
	struct x509_store_st *(*trust)(void *arg);
	void *trust_arg;
};

struct sc_fetch;
typedef void (*sc_fetch_cb)(struct sc_fetch *f, void *arg);

struct sc_fetch {
	/* set by the caller before sc_http_get() */
	size_t max_body;          /* larger answers fail (truncated = 1) */
	unsigned timeout_ms;      /* whole transfer */
	const char *ca_file;      /* extra trust anchors, or NULL */
	const char *resolve;      /* "host:port:addr[,addr]" or NULL */
	const char *header;       /* one extra request header, or NULL */
	int once;                 /* the host is asked once: do not keep the
	                           * connection for reuse */

	/* results, valid in the callback */
	enum sc_fetch_outcome outcome;
	int code;                 /* libcurl's code, for messages only */
	long status;              /* HTTP status, 0 if none */
	int connected;            /* curl's connection was made (for https,
	                           * with its TLS handshake): a failure after
	                           * it is the server's, one before it may be
	                           * our network's */
	char *body;               /* NUL-terminated; owned by the fetch */
	size_t len;
	int truncated;            /* body exceeded max_body */
	long retry_after;         /* seconds from Retry-After, or -1 */
	char *content_type;       /* Content-Type as sent, or NULL; owned */
	char *location;           /* a redirect's target, made absolute, or
	                           * NULL (never followed here); owned */
	char error[SC_FETCH_ERROR_SIZE];
	unsigned elapsed_ms;

	/* private */
	struct sc_http *http;
	void *easy;               /* CURL */
	struct curl_slist *resolve_list, *headers;
	uint64_t started;
	sc_fetch_cb cb;
	void *arg;
	int active;
};

/* Set up on loop; libcurl itself (and with it OpenSSL) is initialised at
 * the first sc_http_get(), so a run that fetches nothing never pays for
 * it. */
sc_status_t sc_http_init(struct sc_http *http, struct sc_loop *loop);
void sc_http_clear(struct sc_http *http);

/* GET url; cb runs once from the loop (never from inside this call).
 * SC_ENOMEM also when libcurl cannot be initialised, SC_EIO when it cannot
 * be loaded (sc_http_error() says why).
 * No redirects are followed, certificates are verified against the
 * system store plus ca_file. */
sc_status_t sc_http_get(struct sc_http *http, struct sc_fetch *f,
                        const char *url, sc_fetch_cb cb, void *arg);

/* Why libcurl could not be loaded (after sc_http_get() said SC_EIO). */
const char *sc_http_error(void);
/* Tests: load libcurl from soname instead (NULL: the default) at the next
 * fetch, so that a failed load can be seen.  Not thread-safe. */
void sc_http_test_library(const char *soname);

/* Stop a fetch that is under way; its callback will not run. */
void sc_http_cancel(struct sc_http *http, struct sc_fetch *f);

/* Free the results of a finished (or cancelled) fetch. */
void sc_fetch_clear(struct sc_fetch *f);

/* "scheme://[user@]host[:port][/path]": the host (brackets kept around an
 * IPv6 literal) in *host (the caller frees), the port (443 or 80 unless
 * given) and whether the scheme is https.  0, -1 when url is not an http
 * or https URL, -2 out of memory. */
int sc_url_split(const char *url, char **host, unsigned *port, int *https);

struct sc_lookup;
/* "host:port:addr,[v6addr],..." for CURLOPT_RESOLVE, from the answered
 * A and AAAA lookups (either may be NULL), at most max addresses of each
 * family, so that curl connects where our resolvers said and asks none
 * of its own.  NULL when out of memory, or when neither has an address
 * (*none is then 1). */
char *sc_http_resolve_list(const char *host, unsigned port,
                           const struct sc_lookup *a,
                           const struct sc_lookup *aaaa, size_t max,
                           int *none);

/* The outcome of a transfer that ended with libcurl's code (a CURLcode),
 * truncated when the body went over max_body.  For http.c, and for tests
 * that build canned fetches. */
enum sc_fetch_outcome sc_http_classify(int code, int truncated);

#endif
