/*
 * The engine: a context, the addresses in flight, and the per-domain jobs
 * they share.  address -> domain job (DNS evidence, gathered by the
 * checks) -> assessment (each check's findings) -> rules -> report.
 */
#ifndef SC_ENGINE_H
#define SC_ENGINE_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>
#include <libpsl.h>
#include <openssl/x509.h>

#include "address.h"
#include "dns.h"
#include "json_write.h"
#include "http.h"
#include "domainset.h"
#include "loop.h"
#include "rules.h"

#define SC_MAX_CHECKS 32

/* A finding before the rules give it severity, title and points. */
struct sc_hit {
	const char *id;   /* static string */
	char *detail;
	int missing;      /* "could not verify": evidence the verdict needs
	                   * was not obtained (sc_hits_add_missing()) */
};

struct sc_hits {
	struct sc_hit *hit;
	size_t n, cap;
	int failed;       /* out of memory while adding */
};

/* Add a finding; printf-style detail.  Failure to allocate is remembered
 * in hits->failed and surfaces as SC_ENOMEM for the whole check. */
void sc_hits_add(struct sc_hits *hits, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A finding that says evidence is missing (a lookup failed, a server
 * could not be reached): unless the threat model rates the finding info
 * (evidence it does not need), the verdict cannot be secure; it costs no
 * points, since an unknown is not a weakness (docs/verdict.md). */
void sc_hits_add_missing(struct sc_hits *hits, const char *id,
                         const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sc_hits_clear(struct sc_hits *hits);
/* Does a finding in hits say that evidence is missing? */
int sc_hits_missing(const struct sc_hits *hits);

/* One MX host of a domain and what its name resolved to. */
struct sc_mxhost {
	char *name;                   /* "" for the null MX */
	unsigned pref;
	struct sc_lookup *a, *aaaa;
	struct sc_lookup *regdom_ns;  /* NS of its registrable domain, asked
	                               * only when the host does not exist */
	char *regdom;
	int dane_authenticated;       /* validated TLSA records match every
	                               * address's chain: the "dane" check's
	                               * judgement (its finish hook) */
};

enum sc_job_state { SC_JOB_RUNNING, SC_JOB_DONE };

struct sc_req;
struct sc_check;

/* Everything learnt about one domain, shared by every address there. */
struct sc_domain {
	struct sc_ctx *ctx;
	char *name;                   /* A-label, lower case */
	char *regdom;                 /* registrable domain (libpsl) or NULL */
	enum sc_job_state state;
	unsigned pending;             /* lookups not yet answered */
	struct sc_timer deadline;
	uint64_t started;
	unsigned elapsed_ms;
	int retired;                  /* missing evidence, asked again by a
	                               * newer job: no longer found by name */
	unsigned retries;             /* jobs of this name before it, each
	                               * retired for missing evidence */

	struct sc_lookup *lookups;    /* every lookup, in the order asked */
	struct sc_lookup **tail;

	/* evidence of the checks "domain" and "mx" */
	struct sc_lookup *mx, *a, *aaaa;
	struct sc_lookup *regdom_ns;  /* when the domain itself is NXDOMAIN */
	/* The resolver's ". NS" (resolver.c): this job's own lookup, or
	 * what the context knew when the job asked (root_known). */
	struct sc_lookup *root;
	int root_known, root_ok, root_ad;
	struct sc_interception *interception; /* the "interception" check's
	                               * judgement, once DONE (NULL: off) */
	struct sc_mxhost *host;
	size_t nhost;

	void *state_of[SC_MAX_CHECKS]; /* each check's own evidence */

	struct sc_hits hits;          /* assessment, once DONE */
	/* Once DONE: each check's description as JSON text, and the
	 * reports' other shared parts (report.h). */
	struct sc_text *described_text;
	struct sc_recset *recset;
	struct sc_findset *findset;
	sc_status_t status;           /* SC_OK, or why no assessment */
	struct sc_req *waiters;
	struct sc_domain *hnext;      /* cache chain */
	struct sc_domain *lru_prev, *lru_next; /* least recently used first */
	unsigned refs;                /* live requests that point here */
};

/* One address being checked. */
struct sc_req {
	struct sc_ctx *ctx;
	char *input;
	struct sc_address addr;
	int valid;
	char reason[256];
	struct sc_domain *dom;
	sc_done_cb done;
	void *userdata;
	uint64_t started;
	struct sc_req *next;          /* on a domain's waiters, or the queue */
	struct sc_req *live_prev, *live_next; /* every request not delivered */

	/* The address's own checks (a breach lookup is per address, not per
	 * domain): operations under way, a deadline, findings, state. */
	unsigned pending;
	int waiting_domain;           /* still on dom->waiters */
	int expired;                  /* the deadline passed: late ends ignored */
	int queued;
	struct sc_timer deadline;
	struct sc_hits hits;
	void *state_of[SC_MAX_CHECKS];
	/* What the caller knows of the address (sc_check_ex()). */
	int has_enrolled;
	long long enrolled;           /* seconds since the epoch, UTC */
	int enrolled_day;             /* enrolled is a day's 00:00 UTC */
};

/* For address-level checks: an operation of req started / ended.  The
 * request is answered when its domain is done and nothing is held.  After
 * the deadline, sc_req_release() is a no-op; a check must stop touching a
 * request in its clear_address hook, which runs before the request is
 * freed. */
void sc_req_hold(struct sc_req *req);
void sc_req_release(struct sc_req *req);
void **sc_req_state(struct sc_req *req, const struct sc_check *check);

/*
 * A check, as the core sees it: a table of hooks (OpenSMTPD's table
 * backends, curl's Curl_ssl).  The core names no check; it calls these in
 * the registry's order (checks.c).  Every hook is optional but name.
 *
 * Per context, a check may keep one state of its own (a list loaded from
 * the rules directory, a table of probes shared by domains):
 *   ctx_init  builds it for the rules directory `dir`, given the state in
 *             place (`old`, NULL the first time).  A state that does not
 *             come from the rules is returned as it is.  Staged: when any
 *             check fails, every new state is freed and the old ones stay,
 *             so a bad rules directory changes nothing (say why with
 *             sc_ctx_error());
 *   ctx_free  frees a state; `ctx_free_early` ones go before the jobs
 *             (nothing of a job points into them: big blocks freed first
 *             let glibc merge the small ones), the others after;
 *   notice    a condition of the run it saw (sc_ctx_notice()): 1 and
 *             the line in buf, or 0.
 * A state made on demand is kept in sc_check_ctx_slot().
 *
 * Per domain job:
 *   start     asks its lookups (or other work, held with
 *             sc_domain_hold());
 *   finish    runs once when the job's evidence is complete, before any
 *             assess: a judgement others read (it may store one on the
 *             domain, as interception does in dom->interception);
 *   assess    is pure: evidence in, findings out, so unit tests can feed
 *             it canned evidence;
 *   describe  writes what the check saw, for the report's "checks"
 *             member: one JSON value (an object) straight as text, since a
 *             batch describes every domain it sees; out of memory in the
 *             check's own work: sc_jw_fail(out);
 *   clear     frees the check's slot of the domain (sc_check_state()).
 * Per address (a breach lookup is the address's, not its domain's):
 * start_address, assess_address, clear_address (also when the deadline
 * passed first; sc_req_hold()/sc_req_release() count its operations).
 */
struct sc_check {
	const char *name;
	const char *const *ids;   /* the finding ids it may report, NULL-ended:
	                           * a rules set must have a rule for each */
	int required;             /* cannot be skipped (sc_ctx_skip_check) */

	sc_status_t (*ctx_init)(struct sc_ctx *ctx, const char *dir, void *old,
	                        void **out);
	void (*ctx_free)(struct sc_ctx *ctx, void *state);
	int ctx_free_early;
	int (*notice)(const struct sc_ctx *ctx, const void *state, char *buf,
	              size_t size);

	sc_status_t (*start)(struct sc_domain *dom);
	void (*finish)(struct sc_domain *dom);
	void (*assess)(const struct sc_domain *dom, struct sc_hits *out);
	void (*describe)(const struct sc_domain *dom, struct sc_jw *out);
	void (*clear)(struct sc_domain *dom);

	sc_status_t (*start_address)(struct sc_req *req);
	void (*assess_address)(const struct sc_req *req, struct sc_hits *out);
	void (*clear_address)(struct sc_req *req);
};

/* The answer to "can recovery mail be read on the way?" for a finished
 * job: the judgement the "interception" check stores on the domain in its
 * finish hook (dom->interception), which reports copy. */
struct sc_interception {
	sc_interception_t verdict;
	const char *via;              /* "mta-sts", "dane" or NULL (static) */
	char detail[2048];            /* why; for exposed: what is missing */
	int nomem;                    /* out of memory: no verdict */
	int missing;                  /* unknown for want of evidence that
	                               * decides (not for a skipped check) */
	int cause_reported;           /* ... which another finding names */
	int narrowed;                 /* judged without the STARTTLS probe
	                               * (skipped): by the policies alone */
};

/* The registry (checks.c): the table, in the order checks start and
 * assess, and the core's ways into it.  Which checks there are is
 * checks.h's business, not the core's. */
extern const struct sc_check *const sc_checks[];
extern const size_t sc_ncheck;

/* The i-th check the context runs (the registry's, then a test's own),
 * or NULL past the last: what the core iterates over. */
const struct sc_check *sc_check_at(const struct sc_ctx *ctx, size_t i);
/* Tests only: run check c after the registry's on this context (its
 * state slots are the spare ones).  Before the rules are loaded. */
void sc_ctx_test_check(struct sc_ctx *ctx, const struct sc_check *c);

/* The state slot index of check (its place in the registry; the spare
 * last one for a test's own check). */
size_t sc_check_index(const struct sc_check *check);

/* Not switched off with sc_ctx_skip_check(). */
int sc_check_enabled(const struct sc_ctx *ctx, const struct sc_check *check);

/* The state slot of a check in a domain job. */
void **sc_check_state(struct sc_domain *dom, const struct sc_check *check);
void *sc_check_state_get(const struct sc_domain *dom,
                         const struct sc_check *check);
/* The check's state slot of the context (ctx_init's, or one made on
 * demand by the check itself). */
void **sc_check_ctx_slot(struct sc_ctx *ctx, const struct sc_check *check);
void *sc_check_ctx(const struct sc_ctx *ctx, const struct sc_check *check);

/* The first finding id some check may report that has no rule, or NULL. */
const char *sc_checks_missing_rule(const struct sc_rules *rules);
/* Every check's ctx_init for the rules directory dir, staged (see struct
 * sc_check): SC_OK and the new states in place, or the old ones kept. */
sc_status_t sc_checks_ctx_init(struct sc_ctx *ctx, const char *dir);
/* Every check's ctx_free: early ones (before the jobs) or the others. */
void sc_checks_ctx_free(struct sc_ctx *ctx, int early);
/* The i-th notice of the checks, into buf, or NULL. */
const char *sc_checks_notice(const struct sc_ctx *ctx, size_t i, char *buf,
                             size_t size);
/* "name":{...} of check c for dom, into the "checks" object being written
 * (nothing if c describes nothing). */
void sc_describe(const struct sc_check *c, const struct sc_domain *dom,
                 struct sc_jw *jw);
/* What check c writes for dom as a jansson tree (for tests and tools that
 * want one); NULL when out of memory or the check describes nothing. */
json_t *sc_describe_json(const struct sc_check *c,
                         const struct sc_domain *dom);

#define SC_DOMAIN_BUCKETS 1024

struct sc_ctx {
	/* options */
	char *servers;                /* c-ares CSV, NULL: system */
	char *rules_dir;
	unsigned timeout_ms;
	unsigned dns_timeout_ms;
	unsigned dns_tries;
	int allow_loopback;
	uint32_t skip;                /* bit i: sc_checks[i] switched off */
	unsigned smtp_port;
	unsigned mx_sessions;         /* STARTTLS sessions at once per address */
	unsigned https_port;
	unsigned ns_port;             /* direct questions to nameservers */
	char *rdap_bootstrap;         /* NULL: the rules' rdap-dns.json */
	double rdap_rate;             /* RDAP requests a second per server */
	char *ca_file;
	char *breach_corpus;
	char *breach_api;
	char *breach_api_key;
	sc_threat_model_t threat_model;

	/* lazily built on the first check, so options can change first */
	int ready;
	struct sc_loop loop;
	struct sc_dns dns;
	struct sc_http http;
	X509_STORE *trust;            /* system anchors + ca_file, built once */
	struct sc_rules rules;
	int rules_loaded;
	psl_ctx_t *psl;
	/* Each check's own context state (struct sc_check: ctx_init). */
	void *check_ctx[SC_MAX_CHECKS];
	const struct sc_check *test_check; /* sc_ctx_test_check() */
	char notice[512];             /* sc_ctx_notice()'s line */

	struct sc_domain *bucket[SC_DOMAIN_BUCKETS];
	struct sc_domain *lru_head, *lru_tail;
	size_t ndomain;               /* jobs in the cache */
	size_t cache_max;             /* evict finished jobs beyond this */
	struct sc_stats stats;
	struct sc_req *queue, **queue_tail; /* reports ready to hand out */
	struct sc_req *live;          /* every request not yet delivered */
	struct sc_lookup *due;        /* copies of answers already in, to
	                               * hand out from the loop (engine.c) */
	size_t running;
	int in_callback;
	/* Library calls in progress on this context (sc_perform() ...):
	 * sc_ctx_free() from a callback run by one of them only sets
	 * free_deferred, and the outermost call frees the context on its
	 * way out (ctx.c). */
	unsigned depth;
	int free_deferred;
	sc_socket_fn ext_socket;      /* the caller's loop drives ours */
	sc_timeout_fn ext_timeout;
	void *ext_ud;
	char errmsg[512];
};

sc_status_t sc_ctx_error(struct sc_ctx *ctx, sc_status_t st,
                         const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Around a public call that may run the caller's callbacks: leave()
 * frees the context when a callback asked for it (sc_ctx_free()) and this
 * is the outermost call; it returns st.  After leave() the context may be
 * gone. */
void sc_ctx_enter(struct sc_ctx *ctx);
sc_status_t sc_ctx_leave(struct sc_ctx *ctx, sc_status_t st);

/* Set up loop, DNS, rules and lists if not yet done. */
sc_status_t sc_ctx_ready(struct sc_ctx *ctx);

/* For checks: start a lookup owned by dom; cb may be NULL.  Counts it as
 * pending; the job completes when no lookup is pending.  A question the
 * job asked already (an SPF "mx" after the MX check's own) sends no
 * query: the lookup gets a copy of that answer, never before this call
 * has returned. */
struct sc_lookup *sc_domain_lookup(struct sc_domain *dom, const char *name,
                                   int qtype, sc_lookup_cb cb);
/* For checks whose work on a domain is not a DNS lookup (a STARTTLS
 * probe, an HTTPS fetch): hold the job open while it runs, release it when
 * done.  Both are no-ops once the job is done (the deadline passed): the
 * check must then cancel or detach its work in its clear hook. */
void sc_domain_hold(struct sc_domain *dom);
void sc_domain_release(struct sc_domain *dom);

/* Where mail for a domain goes (delivery.c), from the core evidence of
 * its job: an address literal ([192.0.2.1]) instead of a domain; RFC
 * 7505's null MX; MX records that all name the root (a null MX or look-
 * alikes such as "MX 10 ."); mail can arrive (not NXDOMAIN, an MX that
 * names a host, or an address without MX records; unknown counts as
 * yes). */
int sc_domain_is_literal(const struct sc_domain *dom);
int sc_domain_null_mx(const struct sc_domain *dom);
int sc_domain_mx_nowhere(const struct sc_domain *dom);
int sc_domain_takes_mail(const struct sc_domain *dom);

/* The registrable domain of name per the public suffix list, or NULL;
 * caller frees. */
char *sc_registrable(const struct sc_ctx *ctx, const char *name);


/* The context's trust store (built on first use; borrowed), or NULL with
 * the reason in ctx->errmsg. */
X509_STORE *sc_ctx_trust(struct sc_ctx *ctx);

/* Engine entry points, used by ctx.c */
sc_status_t sc_engine_submit(struct sc_ctx *ctx, const char *address,
                             const sc_check_opts_t *opts, sc_done_cb done,
                             void *userdata);
sc_status_t sc_engine_perform(struct sc_ctx *ctx, int timeout_ms,
                              size_t *running);
void sc_engine_clear(struct sc_ctx *ctx);
/* Forget the finished jobs no request points at (new rules: their
 * findings were rated by the old ones). */
void sc_engine_forget_done(struct sc_ctx *ctx);
/* Requests whose userdata is ud will not be called back (their reports
 * are freed on delivery). */
void sc_engine_forget(struct sc_ctx *ctx, void *ud);
/* Hand out the reports that are ready; how many. */
size_t sc_engine_deliver(struct sc_ctx *ctx);
/* Hand out the copied answers that are due (sc_domain_lookup()). */
void sc_engine_answer_due(struct sc_ctx *ctx);

/* Build the report of a request from its domain's assessment. */
sc_status_t sc_report_build(const struct sc_req *req, sc_report_t **out);

#endif
