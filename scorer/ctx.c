/*
 * The context: options, the lazily built engine, and the small public
 * helpers (status and enum names).  No global state: everything a check
 * needs hangs off the context.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "internal.h"
#include "tls.h"

#define DEFAULT_TIMEOUT_MS 10000u

/* Three tries, and c-ares doubles the per-try timeout each round (t, 2t,
 * 4t): with t an eighth of the deadline, all three fit in it, so a lost
 * packet is retried (and the next resolver tried) before we give up. */
static void
derive_dns_timeouts(struct sc_ctx *ctx)
{
	ctx->dns_tries = 3;
	ctx->dns_timeout_ms = ctx->timeout_ms / 8;
	if (ctx->dns_timeout_ms < 100)
		ctx->dns_timeout_ms = 100;
	if (ctx->dns_timeout_ms > 3000)
		ctx->dns_timeout_ms = 3000;
}

/*
 * Every option setter starts here: a call clears the message of the call
 * before (sc_ctx_errmsg() never shows a stale one), and options are fixed
 * once the first check has set the engine up (scorer.h says which two may
 * change between checks).  NULL ctx: SC_EINVAL.
 */
static sc_status_t
option(struct sc_ctx *ctx, const char *what)
{
	if (ctx == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0';
	if (ctx->ready)
		return sc_ctx_error(ctx, SC_EBUSY, "%s must be set before the "
		                    "first check", what);
	return SC_OK;
}

sc_status_t
sc_ctx_new(sc_ctx_t **out)
{
	struct sc_ctx *ctx;

	if (out == NULL)
		return SC_EINVAL;
	*out = NULL;
	ctx = sc_calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return SC_ENOMEM;
	ctx->timeout_ms = DEFAULT_TIMEOUT_MS;
	ctx->cache_max = 4000;
	ctx->smtp_port = 25;
	ctx->mx_sessions = 2;
	ctx->https_port = 443;
	ctx->ns_port = 53;
	ctx->rdap_rate = 2.0;
	derive_dns_timeouts(ctx);
	ctx->queue_tail = &ctx->queue;
	sc_loop_init(&ctx->loop);
	*out = ctx;
	return SC_OK;
}

static void
ctx_destroy(struct sc_ctx *ctx)
{
	/* Tearing down runs callbacks too (an outside loop is told to stop
	 * watching our sockets): an sc_ctx_free() from one of them is
	 * ignored, as the context is going anyway. */
	ctx->depth++;
	ctx->free_deferred = 1;
	/* The checks' lists first: freeing their big blocks makes glibc
	 * merge every small free chunk it holds, and after the jobs are freed
	 * that is tens of thousands (a third of a short batch's exit).  What
	 * the jobs and requests point into (probes, breach lookups) goes
	 * after them. */
	sc_checks_ctx_free(ctx, 1);
	sc_engine_clear(ctx);
	sc_checks_ctx_free(ctx, 0);
	sc_http_clear(&ctx->http);
	sc_loop_clear(&ctx->loop);
	if (ctx->rules_loaded)
		sc_rules_clear(&ctx->rules);
	if (ctx->psl != NULL)
		psl_free(ctx->psl);
	X509_STORE_free(ctx->trust);
	sc_free(ctx->servers);
	sc_free(ctx->rules_dir);
	sc_free(ctx->ca_file);
	sc_free(ctx->breach_corpus);
	sc_free(ctx->breach_api);
	sc_free(ctx->breach_api_key);
	sc_free(ctx->rdap_bootstrap);
	sc_free(ctx);
}

/* A completion or event callback may free the context it was called
 * from; the call that ran it (sc_perform() ...) still has the context in
 * hand, and other checks may be ready to hand out.  So from inside a
 * library call the context is only marked, and the outermost call frees
 * it on its way out, after its last use; the checks still in flight are
 * dropped without their callbacks, as sc_ctx_free() does at any time. */
void
sc_ctx_free(sc_ctx_t *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->depth > 0) {
		ctx->free_deferred = 1;
		return;
	}
	ctx_destroy(ctx);
}

void
sc_ctx_enter(struct sc_ctx *ctx)
{
	ctx->depth++;
}

sc_status_t
sc_ctx_leave(struct sc_ctx *ctx, sc_status_t st)
{
	if (--ctx->depth == 0 && ctx->free_deferred)
		ctx_destroy(ctx);
	return st;
}

sc_status_t
sc_ctx_add_resolver(sc_ctx_t *ctx, const char *server)
{
	char why[200], norm[320];
	size_t len;
	char *p;
	sc_status_t st;

	if ((st = option(ctx, "resolvers")) != SC_OK)
		return st;
	if (server == NULL)
		return SC_EINVAL;
	len = strlen(server);
	if (len == 0 || len > 300)
		return sc_ctx_error(ctx, SC_EINVAL, "bad resolver: %s",
		                    len == 0 ? "empty" : "longer than 300 bytes");
	if (strpbrk(server, ", \t\r\n") != NULL)
		return sc_ctx_error(ctx, SC_EINVAL, "bad resolver '%s': one "
		                    "address a call", server);
	/* Checked now, as the header promises: c-ares would only refuse it
	 * at the first check, and every check would then fail alike. */
	if (sc_dns_server_check(server, norm, sizeof(norm), why,
	                        sizeof(why)) != 0)
		return sc_ctx_error(ctx, SC_EINVAL, "bad resolver: %s", why);
	server = norm;
	len = strlen(norm);
	p = sc_malloc((ctx->servers ? strlen(ctx->servers) + 1 : 0) + len + 1);
	if (p == NULL)
		return SC_ENOMEM;
	if (ctx->servers != NULL)
		sprintf(p, "%s,%s", ctx->servers, server);
	else
		strcpy(p, server);
	sc_free(ctx->servers);
	ctx->servers = p;
	return SC_OK;
}

/* Read the rules and each check's data from dir; replace the current
 * ones only when all of them load, so a bad --rules leaves the context as
 * it was. */
static sc_status_t
load_rules(struct sc_ctx *ctx, const char *dir)
{
	struct sc_rules rules;
	const char *missing;
	char err[512];
	sc_status_t st;

	memset(&rules, 0, sizeof(rules));
	st = sc_rules_load(dir, &rules, err, sizeof(err));
	if (st != SC_OK)
		return st == SC_ENOMEM ? st : sc_ctx_error(ctx, SC_ERULES, "%s", err);
	if ((missing = sc_checks_missing_rule(&rules)) != NULL) {
		sc_rules_clear(&rules);
		return sc_ctx_error(ctx, SC_ERULES,
		                    "%s/findings.ini: no rule for '%s' (every "
		                    "finding scorer reports needs one)", dir,
		                    missing);
	}
	if ((st = sc_checks_ctx_init(ctx, dir)) != SC_OK) {
		sc_rules_clear(&rules);
		return st;
	}
	/* The context's rules always carry its threat model: whoever reads
	 * a rating reads the model's. */
	sc_rules_apply_model(&rules, (int)ctx->threat_model);
	if (ctx->rules_loaded)
		sc_rules_clear(&ctx->rules);
	ctx->rules = rules;
	ctx->rules_loaded = 1;
	return SC_OK;
}

const char *
sc_ctx_rules_dir(sc_ctx_t *ctx)
{
	char buf[PATH_MAX];

	if (ctx == NULL)
		return NULL;
	/* Chosen once, so that the rules, the lists and canonical.ini all
	 * come from one directory. */
	if (ctx->rules_dir == NULL)
		ctx->rules_dir = sc_strdup(sc_rules_default_dir(buf, sizeof(buf)));
	return ctx->rules_dir;
}

/* The rules of the directory in use, unless some are loaded. */
static sc_status_t
load_default_rules(struct sc_ctx *ctx)
{
	const char *dir;

	if (ctx->rules_loaded)
		return SC_OK;
	if ((dir = sc_ctx_rules_dir(ctx)) == NULL)
		return SC_ENOMEM;
	return load_rules(ctx, dir);
}

sc_status_t
sc_ctx_set_rules_dir(sc_ctx_t *ctx, const char *dir)
{
	sc_status_t st;
	char *copy;

	if (ctx == NULL || dir == NULL || *dir == '\0')
		return SC_EINVAL;
	ctx->errmsg[0] = '\0';
	/* Between checks too (not while any is in flight).  The cached
	 * domains' findings were rated by the old rules: they are forgotten,
	 * so that every later report is rated by the new ones. */
	if (ctx->running > 0)
		return sc_ctx_error(ctx, SC_EBUSY, "checks are in flight");
	if ((copy = sc_strdup(dir)) == NULL)
		return SC_ENOMEM;
	st = load_rules(ctx, dir);
	if (st != SC_OK) {
		sc_free(copy);
		return st;
	}
	sc_engine_forget_done(ctx);
	sc_free(ctx->rules_dir);
	ctx->rules_dir = copy;
	return SC_OK;
}

sc_status_t
sc_ctx_set_timeout_ms(sc_ctx_t *ctx, unsigned ms)
{	sc_status_t st;

	if ((st = option(ctx, "the timeout")) != SC_OK)
		return st;
	if (ms == 0)
		return sc_ctx_error(ctx, SC_EINVAL, "a timeout of 0 ms");
	ctx->timeout_ms = ms;
	derive_dns_timeouts(ctx);
	return SC_OK;
}

sc_status_t
sc_ctx_set_cache_size(sc_ctx_t *ctx, size_t domains)
{
	if (ctx == NULL || domains == 0)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0';
	ctx->cache_max = domains; /* any time: it only bounds the cache */
	return SC_OK;
}

sc_status_t
sc_ctx_get_stats(const sc_ctx_t *ctx, sc_stats_t *out)
{
	sc_stats_t st;

	if (ctx == NULL || out == NULL)
		return SC_EINVAL;
	st = ctx->stats;
	st.domains_cached = ctx->ndomain;
	return sc_struct_out(out, &st, sizeof(st));
}

/* An option that is a number in 1..max ("port 0 is not 1..65535"). */
static sc_status_t
set_number(struct sc_ctx *ctx, const char *what, const char *noun,
           unsigned v, unsigned max, unsigned *slot)
{
	sc_status_t st;

	if ((st = option(ctx, what)) != SC_OK)
		return st;
	if (v == 0 || v > max)
		return sc_ctx_error(ctx, SC_EINVAL, "%s %u is not 1..%u", noun, v,
		                    max);
	*slot = v;
	return SC_OK;
}

sc_status_t
sc_ctx_set_smtp_port(sc_ctx_t *ctx, unsigned port)
{
	if (ctx == NULL)
		return SC_EINVAL;
	return set_number(ctx, "the SMTP port", "port", port, 65535,
	                  &ctx->smtp_port);
}

sc_status_t
sc_ctx_set_mx_sessions(sc_ctx_t *ctx, unsigned n)
{
	if (ctx == NULL)
		return SC_EINVAL;
	return set_number(ctx, "the sessions per MX address",
	                  "sessions per MX address:", n, 32, &ctx->mx_sessions);
}

sc_status_t
sc_ctx_set_https_port(sc_ctx_t *ctx, unsigned port)
{
	if (ctx == NULL)
		return SC_EINVAL;
	return set_number(ctx, "the HTTPS port", "port", port, 65535,
	                  &ctx->https_port);
}

sc_status_t
sc_ctx_set_ns_port(sc_ctx_t *ctx, unsigned port)
{
	if (ctx == NULL)
		return SC_EINVAL;
	return set_number(ctx, "the nameserver port", "port", port, 65535,
	                  &ctx->ns_port);
}

/* Replace *slot with a copy of value (NULL clears it). */
static sc_status_t
set_string(char **slot, const char *value)
{
	char *copy = NULL;

	if (value != NULL && (copy = sc_strdup(value)) == NULL)
		return SC_ENOMEM;
	sc_free(*slot);
	*slot = copy;
	return SC_OK;
}

sc_status_t
sc_ctx_set_ca_file(sc_ctx_t *ctx, const char *path)
{
	char why[300];
	sc_status_t st;

	if ((st = option(ctx, "the CA file")) != SC_OK)
		return st;
	if (path != NULL && *path == '\0')
		return SC_EINVAL;
	/* Checked now, not at the first TLS handshake of a batch. */
	if (path != NULL && sc_tls_ca_file_check(path, why, sizeof(why)) != 0)
		return sc_ctx_error(ctx, SC_EINVAL, "%s", why);
	return set_string(&ctx->ca_file, path);
}

sc_status_t
sc_ctx_set_breach_corpus(sc_ctx_t *ctx, const char *path)
{
	struct stat sb;
	sc_status_t st;

	if ((st = option(ctx, "the breach corpus")) != SC_OK)
		return st;
	if (path != NULL && *path == '\0')
		return SC_EINVAL;
	/* A corpus is mapped or compiled whole: a device or a FIFO
	 * (/dev/zero) is refused now.  A missing file is reported with
	 * each address (breach.unverified), as an unreadable one is. */
	if (path != NULL && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return sc_ctx_error(ctx, SC_EINVAL, "%s: %s", path,
		                    S_ISDIR(sb.st_mode) ? "is a directory"
		                                        : "not a regular file");
	return set_string(&ctx->breach_corpus, path);
}

sc_status_t
sc_ctx_set_breach_api(sc_ctx_t *ctx, const char *url, const char *key)
{
	sc_status_t st;

	if ((st = option(ctx, "the breach API")) != SC_OK)
		return st;
	if (url != NULL && *url == '\0')
		return SC_EINVAL;
	if (set_string(&ctx->breach_api, url) != SC_OK ||
	    set_string(&ctx->breach_api_key, key) != SC_OK)
		return SC_ENOMEM;
	return SC_OK;
}

sc_status_t
sc_ctx_set_rdap_bootstrap(sc_ctx_t *ctx, const char *path)
{
	struct stat sb;
	char *prev;
	sc_status_t st;

	if ((st = option(ctx, "the RDAP bootstrap file")) != SC_OK)
		return st;
	if (path != NULL && *path == '\0')
		return SC_EINVAL;
	/* Read whole: a device or a FIFO (/dev/zero) is refused now. */
	if (path != NULL && stat(path, &sb) != 0)
		return sc_ctx_error(ctx, SC_EINVAL, "%s: %s", path,
		                    strerror(errno));
	if (path != NULL && !S_ISREG(sb.st_mode))
		return sc_ctx_error(ctx, SC_EINVAL, "%s: not a regular file",
		                    path);
	prev = ctx->rdap_bootstrap;
	ctx->rdap_bootstrap = NULL;
	if (path != NULL && (ctx->rdap_bootstrap = sc_strdup(path)) == NULL) {
		ctx->rdap_bootstrap = prev;
		return SC_ENOMEM;
	}
	/* Rules already loaded read the file now, as the header promises;
	 * a file that is no bootstrap leaves the context as it was. */
	if (ctx->rules_loaded &&
	    (st = load_rules(ctx, sc_ctx_rules_dir(ctx))) != SC_OK) {
		sc_free(ctx->rdap_bootstrap);
		ctx->rdap_bootstrap = prev;
		return st;
	}
	sc_free(prev);
	return SC_OK;
}

sc_status_t
sc_ctx_set_rdap_rate(sc_ctx_t *ctx, double per_second)
{
	sc_status_t st;

	if ((st = option(ctx, "the RDAP rate")) != SC_OK)
		return st;
	/* NaN fails both comparisons. */
	if (!(per_second > 0 && per_second <= 1000))
		return sc_ctx_error(ctx, SC_EINVAL, "an RDAP rate of %g "
		                    "requests a second is not in (0, 1000]",
		                    per_second);
	ctx->rdap_rate = per_second;
	return SC_OK;
}

sc_status_t
sc_ctx_set_allow_loopback(sc_ctx_t *ctx, int allow)
{
	sc_status_t st;

	if ((st = option(ctx, "allow-loopback")) != SC_OK)
		return st;
	ctx->allow_loopback = allow != 0;
	return SC_OK;
}

X509_STORE *
sc_ctx_trust(struct sc_ctx *ctx)
{
	char err[300];

	if (ctx->trust == NULL &&
	    sc_tls_store_new(ctx->ca_file, &ctx->trust, err, sizeof(err)) !=
	        SC_OK)
		sc_ctx_error(ctx, SC_EIO, "--ca-file: %s", err);
	return ctx->trust;
}

static X509_STORE *
http_trust(void *arg)
{
	return sc_ctx_trust(arg);
}

sc_status_t
sc_ctx_ready(struct sc_ctx *ctx)
{
	sc_status_t st;

	if (ctx->ready)
		return SC_OK;
	if ((st = load_default_rules(ctx)) != SC_OK)
		return st;
	if (ctx->psl == NULL) {
		/* The system's list (Debian's publicsuffix) is fresher than
		 * the copy built into libpsl. */
		ctx->psl = psl_latest(NULL);
		if (ctx->psl == NULL)
			return sc_ctx_error(ctx, SC_ENOMEM,
			                    "cannot load the public suffix list");
	}
	st = sc_dns_init(&ctx->dns, &ctx->loop, ctx->servers,
	                 ctx->dns_timeout_ms, ctx->dns_tries, ctx->errmsg,
	                 sizeof(ctx->errmsg));
	if (st != SC_OK)
		return st;
	if ((st = sc_http_init(&ctx->http, &ctx->loop)) != SC_OK) {
		sc_dns_clear(&ctx->dns);
		return sc_ctx_error(ctx, st, "cannot set up libcurl");
	}
	ctx->http.trust = http_trust;
	ctx->http.trust_arg = ctx;
	ctx->ready = 1;
	return SC_OK;
}

sc_status_t
sc_check_async(sc_ctx_t *ctx, const char *address, sc_done_cb done,
               void *userdata)
{
	return sc_check_async_ex(ctx, address, NULL, done, userdata);
}

/* Flags this library knows: an unknown one is refused rather than
 * ignored, so that a caller never believes a fact was weighed. */
#define KNOWN_OPTS (SC_CHECK_ENROLLED | SC_CHECK_ENROLLED_DAY)

sc_status_t
sc_check_async_ex(sc_ctx_t *ctx, const char *address,
                  const sc_check_opts_t *opts, sc_done_cb done,
                  void *userdata)
{
	sc_check_opts_t o = { 0, 0, 0 };
	sc_status_t st;

	if (ctx == NULL || address == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0'; /* this call's message, or none */
	if (opts != NULL) {
		/* The members both know (the caller's struct may be older
		 * or newer than ours); the rest stays unset. */
		if (opts->size < sizeof(size_t))
			return sc_ctx_error(ctx, SC_EINVAL, "sc_check_opts_t's "
			                    "size is not set");
		memcpy(&o, opts, opts->size < sizeof(o) ? opts->size
		                                        : sizeof(o));
		if (opts->size < offsetof(sc_check_opts_t, flags) +
		                 sizeof(o.flags))
			o.flags = 0;
		if ((o.flags & ~(unsigned)KNOWN_OPTS) != 0)
			return sc_ctx_error(ctx, SC_EINVAL, "unknown option "
			                    "flags 0x%x in sc_check_opts_t",
			                    o.flags & ~(unsigned)KNOWN_OPTS);
		if ((o.flags & SC_CHECK_ENROLLED) &&
		    opts->size < offsetof(sc_check_opts_t, enrolled) +
		                 sizeof(o.enrolled))
			return sc_ctx_error(ctx, SC_EINVAL, "SC_CHECK_ENROLLED "
			                    "in an sc_check_opts_t too small to "
			                    "hold enrolled");
		if ((o.flags & SC_CHECK_ENROLLED_DAY) &&
		    !(o.flags & SC_CHECK_ENROLLED))
			return sc_ctx_error(ctx, SC_EINVAL, "SC_CHECK_ENROLLED_DAY "
			                    "without SC_CHECK_ENROLLED");
		opts = &o;
	}
	sc_ctx_enter(ctx);
	if ((st = sc_ctx_ready(ctx)) != SC_OK)
		return sc_ctx_leave(ctx, st);
	st = sc_engine_submit(ctx, address, opts, done, userdata);
	/* A report may be ready at once (an invalid address, a domain that
	 * was assessed before).  sc_perform() hands it out first thing, but
	 * an outside loop calls sc_socket_action() only when a socket or the
	 * timer is due, and none may be: ask for the timer now. */
	if (st == SC_OK && ctx->ext_socket != NULL && ctx->queue != NULL)
		sc_loop_ext_now(&ctx->loop);
	return sc_ctx_leave(ctx, st);
}

/* Adapters between the public callback types and the loop's.  They run
 * deep inside the loop (c-ares' and libcurl's socket callbacks), where
 * sc_socket_action() or sc_perform() would re-enter it: those say
 * SC_EBUSY from here as from a completion callback.  The flag is restored,
 * not cleared, since a completion callback may be what got us here. */
static void
ext_socket(void *ud, int fd, int what)
{
	struct sc_ctx *ctx = ud;
	int w = ((what & SC_EV_IN) ? SC_POLL_IN : 0) |
	        ((what & SC_EV_OUT) ? SC_POLL_OUT : 0) |
	        ((what & SC_EV_REMOVE) ? SC_POLL_REMOVE : 0);
	int was = ctx->in_callback;

	ctx->in_callback = 1;
	ctx->ext_socket(ctx->ext_ud, fd, w);
	ctx->in_callback = was;
}

static void
ext_timer(void *ud, long ms)
{
	struct sc_ctx *ctx = ud;
	int was = ctx->in_callback;

	ctx->in_callback = 1;
	ctx->ext_timeout(ctx->ext_ud, ms);
	ctx->in_callback = was;
}

sc_status_t
sc_ctx_set_event_callbacks(sc_ctx_t *ctx, sc_socket_fn socket_fn,
                           sc_timeout_fn timeout_fn, void *userdata)
{
	sc_status_t st;

	if ((st = option(ctx, "event callbacks")) != SC_OK)
		return st;
	if (socket_fn == NULL || timeout_fn == NULL)
		return SC_EINVAL;
	ctx->ext_socket = socket_fn;
	ctx->ext_timeout = timeout_fn;
	ctx->ext_ud = userdata;
	ctx->loop.ext.socket_cb = ext_socket;
	ctx->loop.ext.timer_cb = ext_timer;
	ctx->loop.ext.ud = ctx;
	return SC_OK;
}

sc_status_t
sc_socket_action(sc_ctx_t *ctx, int fd, int events, size_t *running)
{
	if (ctx == NULL || ctx->ext_socket == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0'; /* this call's message, or none */
	if (ctx->in_callback)
		return sc_ctx_error(ctx, SC_EBUSY,
		                    "sc_socket_action() called from a callback");
	sc_ctx_enter(ctx);
	sc_loop_action(&ctx->loop,
	               fd == SC_SOCKET_TIMEOUT ? -1 : fd,
	               ((events & SC_POLL_IN) ? SC_EV_IN : 0) |
	               ((events & SC_POLL_OUT) ? SC_EV_OUT : 0));
	if (!ctx->free_deferred)
		sc_engine_deliver(ctx);
	if (running != NULL)
		*running = ctx->free_deferred ? 0 : ctx->running;
	return sc_ctx_leave(ctx, SC_OK);
}

sc_status_t
sc_perform(sc_ctx_t *ctx, int timeout_ms, size_t *running)
{
	sc_status_t st;

	if (ctx == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0'; /* this call's message, or none */
	if (ctx->in_callback)
		return sc_ctx_error(ctx, SC_EBUSY,
		                    "sc_perform() called from a callback");
	sc_ctx_enter(ctx);
	st = sc_engine_perform(ctx, timeout_ms, running);
	if (running != NULL && ctx->free_deferred)
		*running = 0;
	return sc_ctx_leave(ctx, st);
}

struct blocking {
	int finished;
	sc_status_t status;
	sc_report_t *report;
};

static void
on_blocking_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct blocking *b = userdata;

	b->finished = 1;
	b->status = status;
	b->report = report;
}

/* The blocking call is the async engine run until this address is done,
 * as curl_easy_perform() runs the multi interface. */
sc_status_t
sc_check(sc_ctx_t *ctx, const char *address, sc_report_t **out)
{
	return sc_check_ex(ctx, address, NULL, out);
}

sc_status_t
sc_check_ex(sc_ctx_t *ctx, const char *address, const sc_check_opts_t *opts,
            sc_report_t **out)
{
	struct blocking b = { 0, SC_OK, NULL };
	sc_status_t st;

	if (out == NULL)
		return SC_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return SC_EINVAL;
	if (ctx->in_callback)
		return sc_ctx_error(ctx, SC_EBUSY, "sc_check() from a callback");
	sc_ctx_enter(ctx);
	if ((st = sc_check_async_ex(ctx, address, opts, on_blocking_done,
	                            &b)) != SC_OK)
		return sc_ctx_leave(ctx, st);
	while (st == SC_OK && !b.finished && !ctx->free_deferred)
		st = sc_engine_perform(ctx, 1000, NULL);
	if (!b.finished) {
		/* The request lives on, but b is about to go: it must not be
		 * called back into a dead stack frame later. */
		sc_engine_forget(ctx, &b);
		if (st == SC_OK)
			st = SC_EBUSY; /* the context was freed from a callback */
		return sc_ctx_leave(ctx, st);
	}
	*out = b.report;
	return sc_ctx_leave(ctx, b.status);
}

sc_status_t
sc_ctx_set_threat_model(sc_ctx_t *ctx, sc_threat_model_t model)
{
	sc_status_t st;

	if ((st = option(ctx, "the threat model")) != SC_OK)
		return st;
	if (sc_model_name((int)model) == NULL)
		return sc_ctx_error(ctx, SC_EINVAL, "unknown threat model %d "
		                    "(full or remote)", (int)model);
	ctx->threat_model = model;
	if (ctx->rules_loaded)
		sc_rules_apply_model(&ctx->rules, (int)model);
	return SC_OK;
}

/* Conditions of the run, said once (scorer.h): the checks' notices. */
const char *
sc_ctx_notice(sc_ctx_t *ctx, size_t i)
{
	if (ctx == NULL)
		return NULL;
	return sc_checks_notice(ctx, i, ctx->notice, sizeof(ctx->notice));
}

sc_status_t
sc_rule_lookup(sc_ctx_t *ctx, const char *id, const sc_finding_t **rule)
{
	const struct sc_rule *r;
	sc_status_t st;

	if (ctx == NULL || id == NULL || rule == NULL)
		return SC_EINVAL;
	ctx->errmsg[0] = '\0'; /* this call's message, or none */
	*rule = NULL;
	if ((st = load_default_rules(ctx)) != SC_OK)
		return st;
	r = sc_rules_find(&ctx->rules, id);
	if (r == NULL)
		return sc_ctx_error(ctx, SC_ENOTFOUND, "no rule for '%s'", id);
	*rule = &r->f;
	return SC_OK;
}

sc_status_t
sc_rule_at(sc_ctx_t *ctx, size_t i, const sc_finding_t **rule)
{
	sc_status_t st;

	if (ctx == NULL || rule == NULL)
		return SC_EINVAL;
	*rule = NULL;
	if ((st = load_default_rules(ctx)) != SC_OK)
		return st;
	if (i >= ctx->rules.nrule)
		return SC_ENOTFOUND;
	*rule = &ctx->rules.rule[i].f;
	return SC_OK;
}
