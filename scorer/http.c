/*
 * The libcurl adapter (curl's own multi socket API, as its documentation's
 * hiperfifo example drives it): the only file that talks to libcurl.
 *
 * libcurl is loaded with dlopen() at the first fetch, not linked: its
 * dependencies (37 shared objects in all on Debian 12, GnuTLS, Kerberos
 * and LDAP among them, with their constructors) cost 4.7 ms of CPU at the
 * start of every process, four fifths of a one-address `scorer check`
 * that fetches nothing (docs/bench.md).  Its headers are used as usual;
 * the functions are reached through the table below, under their own
 * names.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* curl.h's type-checking wrappers would call the functions by name. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dns.h"
#include "http.h"

/* The OpenSSL flavour, which on_ssl_ctx() needs (Debian's libcurl4;
 * libcurl3-gnutls is libcurl-gnutls.so.4). */
#define LIBCURL_DEFAULT "libcurl.so.4"

static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lc;

/* curl.h names these as macros of themselves (for its type checks). */
#undef curl_multi_setopt
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init lc.global_init
#define curl_global_cleanup lc.global_cleanup
#define curl_multi_init lc.multi_init
#define curl_multi_cleanup lc.multi_cleanup
#define curl_multi_setopt lc.multi_setopt
#define curl_multi_socket_action lc.multi_socket_action
#define curl_multi_add_handle lc.multi_add_handle
#define curl_multi_remove_handle lc.multi_remove_handle
#define curl_multi_info_read lc.multi_info_read
#define curl_easy_init lc.easy_init
#define curl_easy_cleanup lc.easy_cleanup
#define curl_easy_setopt lc.easy_setopt
#define curl_easy_getinfo lc.easy_getinfo
#define curl_easy_strerror lc.easy_strerror
#define curl_slist_append lc.slist_append
#define curl_slist_free_all lc.slist_free_all

/* Loaded once a process (the table never changes after), under a lock:
 * contexts may start on several threads.  lc_state: 0 not tried, 1
 * loaded, -1 failed (lc_error says why; tried again next time). */
static pthread_mutex_t lc_lock = PTHREAD_MUTEX_INITIALIZER;
static int lc_state;
static const char *lc_name = LIBCURL_DEFAULT;
static char lc_error[200];

static int
lc_load(void)
{
	void *h;
	int state;

	pthread_mutex_lock(&lc_lock);
	if (lc_state != 1) {
		lc_state = -1;
		if ((h = dlopen(lc_name, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			snprintf(lc_error, sizeof(lc_error), "cannot load "
			         "libcurl: %s", dlerror());
			goto done;
		}
#define SYM(field, name)                                                   \
	if ((*(void **)&lc.field = dlsym(h, name)) == NULL) {                 \
		snprintf(lc_error, sizeof(lc_error), "%s has no %s", lc_name, \
		         name);                                               \
		goto done;                                                    \
	}
		SYM(global_init, "curl_global_init")
		SYM(global_cleanup, "curl_global_cleanup")
		SYM(multi_init, "curl_multi_init")
		SYM(multi_cleanup, "curl_multi_cleanup")
		SYM(multi_setopt, "curl_multi_setopt")
		SYM(multi_socket_action, "curl_multi_socket_action")
		SYM(multi_add_handle, "curl_multi_add_handle")
		SYM(multi_remove_handle, "curl_multi_remove_handle")
		SYM(multi_info_read, "curl_multi_info_read")
		SYM(easy_init, "curl_easy_init")
		SYM(easy_cleanup, "curl_easy_cleanup")
		SYM(easy_setopt, "curl_easy_setopt")
		SYM(easy_getinfo, "curl_easy_getinfo")
		SYM(easy_strerror, "curl_easy_strerror")
		SYM(slist_append, "curl_slist_append")
		SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
		/* The handle stays open for the process: the table and the
		 * contexts' handles point into it. */
		lc_state = 1;
	}
done:
	state = lc_state;
	pthread_mutex_unlock(&lc_lock);
	return state == 1;
}

const char *
sc_http_error(void)
{
	return lc_error;
}

void
sc_http_test_library(const char *soname)
{
	pthread_mutex_lock(&lc_lock);
	lc_name = soname != NULL ? soname : LIBCURL_DEFAULT;
	lc_state = 0;
	pthread_mutex_unlock(&lc_lock);
}

/* f->error is handed to curl as CURLOPT_ERRORBUFFER. */
typedef char sc_error_size_fits[CURL_ERROR_SIZE == SC_FETCH_ERROR_SIZE ? 1 : -1];
#include "internal.h"

#define USER_AGENT "scorer/" SC_VERSION " (+recovery address check)"

static void check_done(struct sc_http *http);

static void
on_io(int fd, int revents, void *arg)
{
	struct sc_http *http = arg;
	int flags = ((revents & SC_EV_IN) ? CURL_CSELECT_IN : 0) |
	            ((revents & SC_EV_OUT) ? CURL_CSELECT_OUT : 0);

	curl_multi_socket_action(http->multi, fd, flags, &http->running);
	check_done(http);
}

static void
on_timer(void *arg)
{
	struct sc_http *http = arg;

	curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0,
	                         &http->running);
	check_done(http);
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct sc_http *http = userp;
	int ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= SC_EV_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= SC_EV_OUT;
	/* REMOVE gives ev 0, which stops watching.  Out of memory here
	 * leaves the transfer to its timeout rather than hanging. */
	(void)sc_loop_watch(http->loop, s, ev, on_io, http);
	return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct sc_http *http = userp;

	(void)multi;
	if (timeout_ms < 0)
		sc_timer_stop(http->loop, &http->timer);
	else
		sc_timer_start(http->loop, &http->timer, (unsigned)timeout_ms,
		               on_timer, http);
	return 0;
}

sc_status_t
sc_http_init(struct sc_http *http, struct sc_loop *loop)
{
	memset(http, 0, sizeof(*http));
	http->loop = loop;
	return SC_OK;
}

/* libcurl and the multi handle, at the first fetch: curl_global_init()
 * initialises OpenSSL, more than half of the CPU of a context's first
 * DNS-only check (2.3 of 4 million instructions), which a run that
 * fetches nothing never needs. */
static sc_status_t
http_start(struct sc_http *http)
{
	if (http->multi != NULL)
		return SC_OK;
	if (!lc_load())
		return SC_EIO;
	/* Thread-safe and reference-counted in libcurl >= 7.84 (Debian 12
	 * has 7.88), so each context may call it. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return SC_ENOMEM;
	http->multi = curl_multi_init();
	if (http->multi == NULL) {
		curl_global_cleanup();
		return SC_ENOMEM;
	}
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
	return SC_OK;
}

void
sc_http_clear(struct sc_http *http)
{
	if (http->multi == NULL)
		return;
	curl_multi_cleanup(http->multi);
	curl_global_cleanup();
	sc_timer_stop(http->loop, &http->timer);
	http->multi = NULL;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sc_fetch *f = userp;
	size_t n = size * nmemb;
	char *p;

	if (f->len + n > f->max_body) {
		f->truncated = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	p = sc_realloc(f->body, f->len + n + 1);
	if (p == NULL)
		return 0;
	memcpy(p + f->len, data, n);
	f->body = p;
	f->len += n;
	p[f->len] = '\0';
	return n;
}

/* Retry-After in seconds (RFC 9110 10.2.3); an HTTP date is read as
 * "unknown" (-1), and the caller backs off on its own. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sc_fetch *f = userp;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		char buf[32], *end;
		size_t k = n - (sizeof(name) - 1);
		long v;

		if (k >= sizeof(buf))
			k = sizeof(buf) - 1;
		memcpy(buf, data + sizeof(name) - 1, k);
		buf[k] = '\0';
		v = strtol(buf, &end, 10);
		/* An hour at most: a larger value (or one that would
		 * overflow in milliseconds) holds no run longer. */
		if (end != buf && v >= 0)
			f->retry_after = v > 3600 ? 3600 : v;
	}
	return n;
}

/* Add the extra trust anchors to the system store, rather than replace
 * it as CURLOPT_CAINFO would. */
static CURLcode
on_ssl_ctx(CURL *easy, void *sslctx, void *userp)
{
	struct sc_fetch *f = userp;
	X509_STORE *store;

	(void)easy;
	if (f->http->trust != NULL) {
		/* The context's store, shared: set1 takes a reference. */
		if ((store = f->http->trust(f->http->trust_arg)) == NULL)
			return CURLE_SSL_CACERT_BADFILE;
		SSL_CTX_set1_cert_store(sslctx, store);
		return CURLE_OK;
	}
	store = SSL_CTX_get_cert_store(sslctx);
	if (f->ca_file != NULL && X509_STORE_load_file(store, f->ca_file) != 1)
		return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

static sc_status_t
setup_easy(struct sc_fetch *f, const char *url)
{
	CURL *e = f->easy;

	if ((f->resolve != NULL &&
	     (f->resolve_list = curl_slist_append(NULL, f->resolve)) == NULL) ||
	    (f->header != NULL &&
	     (f->headers = curl_slist_append(NULL, f->header)) == NULL))
		return SC_ENOMEM;
	if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK)
		return SC_EINVAL;
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)f->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)f->timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)f->max_body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->error);
	curl_easy_setopt(e, CURLOPT_PRIVATE, f);
	curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, f);
	if (f->http->trust != NULL) {
		/* on_ssl_ctx brings the anchors: spare curl loading its
		 * bundle for every transfer. */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	/* An MTA-STS host (mta-sts.DOMAIN) is asked once a run: a
	 * connection kept for it would only hold its TLS state (tens of KB)
	 * in curl's cache, up to four per transfer in flight. */
	if (f->once)
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	if (f->resolve_list != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, f->resolve_list);
	if (f->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
	return SC_OK;
}

void
sc_fetch_clear(struct sc_fetch *f)
{
	/* Only a fetch that was started holds anything of libcurl's, and
	 * then libcurl is loaded (canned fetches in tests have neither). */
	if (f->easy != NULL)
		curl_easy_cleanup(f->easy);
	if (f->resolve_list != NULL)
		curl_slist_free_all(f->resolve_list);
	if (f->headers != NULL)
		curl_slist_free_all(f->headers);
	sc_free(f->body);
	sc_free(f->content_type);
	f->content_type = NULL;
	sc_free(f->location);
	f->location = NULL;
	f->easy = NULL;
	f->resolve_list = f->headers = NULL;
	f->body = NULL;
	f->len = 0;
}

enum sc_fetch_outcome
sc_http_classify(int code, int truncated)
{
	switch ((CURLcode)code) {
	case CURLE_OK:
		return truncated ? SC_FETCH_TOO_BIG : SC_FETCH_OK;
	case CURLE_FILESIZE_EXCEEDED:
		return SC_FETCH_TOO_BIG;
	case CURLE_WRITE_ERROR: /* our write callback said "too big" */
		return truncated ? SC_FETCH_TOO_BIG : SC_FETCH_FAILED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CACERT_BADFILE:
		return SC_FETCH_CERT;
	case CURLE_OPERATION_TIMEDOUT:
		return SC_FETCH_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		return SC_FETCH_CONNECT;
	default:
		return SC_FETCH_FAILED;
	}
}

sc_status_t
sc_http_get(struct sc_http *http, struct sc_fetch *f, const char *url,
            sc_fetch_cb cb, void *arg)
{
	sc_status_t st;

	f->code = CURLE_OK;
	f->outcome = SC_FETCH_OK;
	f->status = 0;
	f->connected = 0;
	f->retry_after = -1;
	f->truncated = 0;
	sc_free(f->content_type); /* a fetch struct may be reused */
	f->content_type = NULL;
	sc_free(f->location);
	f->location = NULL;
	f->error[0] = '\0';
	f->cb = cb;
	f->arg = arg;
	f->http = http;
	f->started = sc_now_ms();
	if (f->max_body == 0)
		f->max_body = 64 * 1024;
	if (f->timeout_ms == 0)
		f->timeout_ms = 10000;
	if ((st = http_start(http)) != SC_OK)
		return st;
	if ((f->easy = curl_easy_init()) == NULL)
		return SC_ENOMEM;
	if ((st = setup_easy(f, url)) != SC_OK ||
	    curl_multi_add_handle(http->multi, f->easy) != CURLM_OK) {
		sc_fetch_clear(f);
		return st != SC_OK ? st : SC_ENOMEM;
	}
	f->active = 1;
	return SC_OK;
}

void
sc_http_cancel(struct sc_http *http, struct sc_fetch *f)
{
	if (!f->active)
		return;
	curl_multi_remove_handle(http->multi, f->easy);
	f->active = 0;
}

static void
check_done(struct sc_http *http)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(http->multi, &left)) != NULL) {
		struct sc_fetch *f = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&f);
		f->code = msg->data.result;
		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
		{
			curl_off_t us = 0;

			curl_easy_getinfo(f->easy, CURLINFO_CONNECT_TIME_T, &us);
			f->connected = us > 0;
		}
		{
			char *ct = NULL;

			/* A copy: curl's string dies with the handle.  Out of
			 * memory leaves it NULL, read as "no Content-Type". */
			if (curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE,
			                      &ct) == CURLE_OK && ct != NULL)
				f->content_type = sc_strdup(ct);
			/* Where a 3xx points, resolved against the URL asked:
			 * the caller decides whether to go there. */
			ct = NULL;
			if (curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL,
			                      &ct) == CURLE_OK && ct != NULL)
				f->location = sc_strdup(ct);
		}
		curl_multi_remove_handle(http->multi, f->easy);
		f->active = 0;
		f->elapsed_ms = (unsigned)(sc_now_ms() - f->started);
		if (f->error[0] == '\0')
			strncpy(f->error, curl_easy_strerror(f->code),
			        sizeof(f->error) - 1);
		f->outcome = sc_http_classify(f->code, f->truncated);
		f->cb(f, f->arg);
	}
}

int
sc_url_split(const char *url, char **host, unsigned *port, int *https)
{
	const char *s = strstr(url, "://"), *h, *end, *colon;
	size_t n;

	*host = NULL;
	if (s == NULL)
		return -1;
	if ((size_t)(s - url) == 5 && strncasecmp(url, "https", 5) == 0)
		*https = 1;
	else if ((size_t)(s - url) == 4 && strncasecmp(url, "http", 4) == 0)
		*https = 0;
	else
		return -1;
	*port = *https ? 443 : 80;
	h = s + 3;
	end = h + strcspn(h, "/?#");
	for (s = h; s < end; s++)
		if (*s == '@')
			h = s + 1;
	if (*h == '[') {
		colon = memchr(h, ']', (size_t)(end - h));
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - h) + 1;
		colon++;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon != NULL ? colon : end) - h);
	}
	if (n == 0)
		return -1;
	if (colon != NULL && colon < end && *colon == ':') {
		char *e;
		long v = strtol(colon + 1, &e, 10);

		if (e != end || v <= 0 || v > 65535)
			return -1;
		*port = (unsigned)v;
	} else if (colon != NULL && colon != end) {
		return -1;
	}
	return (*host = sc_strndup(h, n)) != NULL ? 0 : -2;
}

static int
has_addr(const struct sc_lookup *lk)
{
	return lk != NULL && lk->done && lk->outcome == SC_DNS_OK && lk->n > 0;
}

char *
sc_http_resolve_list(const char *host, unsigned port,
                     const struct sc_lookup *a, const struct sc_lookup *aaaa,
                     size_t max, int *none)
{
	const struct sc_lookup *set[2] = { a, aaaa };
	size_t cap = strlen(host) + 16, len, i, k, naddr = 0;
	char *s;

	*none = 0;
	for (k = 0; k < 2; k++)
		for (i = 0; has_addr(set[k]) && i < set[k]->n && i < max; i++) {
			cap += strlen(set[k]->rr[i].text) + 3;
			naddr++;
		}
	if (naddr == 0) {
		*none = 1;
		return NULL;
	}
	if ((s = sc_malloc(cap)) == NULL)
		return NULL;
	len = (size_t)snprintf(s, cap, "%s:%u:", host, port);
	for (k = 0; k < 2; k++)
		for (i = 0; has_addr(set[k]) && i < set[k]->n && i < max; i++)
			len += (size_t)snprintf(s + len, cap - len,
			                        k == 0 ? "%s%s" : "%s[%s]",
			                        s[len - 1] != ':' ? "," : "",
			                        set[k]->rr[i].text);
	return s;
}
