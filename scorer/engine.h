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
};

struct sc_hits {
	struct sc_hit *hit;
	size_t n, cap;
	int incomplete;   /* evidence missing: the verdict cannot be secure */
	int failed;       /* out of memory while adding */
};

/* Add a finding; printf-style detail.  Failure to allocate is remembered
 * in hits->failed and surfaces as SC_ENOMEM for the whole check. */
void sc_hits_add(struct sc_hits *hits, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sc_hits_clear(struct sc_hits *hits);

/* One MX host of a domain and what its name resolved to. */
struct sc_mxhost {
	char *name;                   /* "" for the null MX */
	unsigned pref;
	struct sc_lookup *a, *aaaa;
	struct sc_lookup *regdom_ns;  /* NS of its registrable domain, asked
	                               * only when the host does not exist */
	char *regdom;
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

	struct sc_lookup *lookups;    /* every lookup, in the order asked */
	struct sc_lookup **tail;

	/* evidence of the checks "domain" and "mx" */
	struct sc_lookup *mx, *a, *aaaa;
	struct sc_lookup *regdom_ns;  /* when the domain itself is NXDOMAIN */
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
};

/* For address-level checks: an operation of req started / ended.  The
 * request is answered when its domain is done and nothing is held.  After
 * the deadline, sc_req_release() is a no-op; a check must stop touching a
 * request in its clear_address hook, which runs before the request is
 * freed. */
void sc_req_hold(struct sc_req *req);
void sc_req_release(struct sc_req *req);
void **sc_req_state(struct sc_req *req, const struct sc_check *check);

/* A check: starts its lookups on a domain job and assesses the evidence.
 * assess is pure: evidence in, findings out, so unit tests can feed it
 * canned evidence.  A check keeps its own evidence in the domain's state
 * slot (dom->state_of[index in sc_checks]) and frees it in clear. */
struct sc_check {
	const char *name;
	const char *const *ids;   /* the finding ids it may report, NULL-ended:
	                           * a rules set must have a rule for each */
	sc_status_t (*start)(struct sc_domain *dom);
	void (*assess)(const struct sc_domain *dom, struct sc_hits *out);
	/* Optional: what the check saw, for the report's "checks" member:
	 * one JSON value (an object) written to out, straight as text, since
	 * a batch describes every domain it sees.  Out of memory in the
	 * check's own work: sc_jw_fail(out). */
	void (*describe)(const struct sc_domain *dom, struct sc_jw *out);
	/* Optional: free the check's state slot. */
	void (*clear)(struct sc_domain *dom);

	/* Optional, for checks of the address itself (not its domain): start
	 * its operations (sc_req_hold/sc_req_release), assess them (pure),
	 * and stop and free them (also when the deadline passed first). */
	sc_status_t (*start_address)(struct sc_req *req);
	void (*assess_address)(const struct sc_req *req, struct sc_hits *out);
	void (*clear_address)(struct sc_req *req);
};


extern const struct sc_check sc_check_domain;
extern const struct sc_check sc_check_mx;
extern const struct sc_check sc_check_starttls;
extern const struct sc_check sc_check_disposable;
extern const struct sc_check sc_check_lookalike;
extern const struct sc_check sc_check_dmarc;
extern const struct sc_check sc_check_tlsrpt;
extern const struct sc_check sc_check_spf;
extern const struct sc_check sc_check_mta_sts;
extern const struct sc_check sc_check_breach;
extern const struct sc_check sc_check_dane;
extern const struct sc_check sc_check_interception;

/* The answer to "can recovery mail be read on the way?" for a finished
 * job (interception.c), from the states of starttls, mta_sts and dane. */
struct sc_interception {
	sc_interception_t verdict;
	const char *via;              /* "mta-sts", "dane" or NULL (static) */
	char detail[2048];            /* why; for exposed: what to fix */
	int nomem;                    /* out of memory: no verdict */
};
void sc_interception_eval(const struct sc_domain *dom,
                          struct sc_interception *out);
/* For interception.c: is a valid MTA-STS policy in mode enforce in place
 * that lists every MX host?  The "mta_sts" check's own judgement, in
 * words in why.  1 yes, 0 no, -1 out of memory. */
int sc_mta_sts_enforced(const struct sc_domain *dom, char *why,
                        size_t whylen);
/* Drop the context's breach state (breach.c), after the requests. */
void sc_breach_clear_ctx(struct sc_ctx *ctx);
extern const struct sc_check *const sc_checks[];
extern const size_t sc_ncheck;

/* Not switched off with sc_ctx_skip_check(). */
int sc_check_enabled(const struct sc_ctx *ctx, const struct sc_check *check);

/* The state slot of a check in a domain job. */
void **sc_check_state(struct sc_domain *dom, const struct sc_check *check);
void *sc_check_state_get(const struct sc_domain *dom,
                         const struct sc_check *check);

/* The first finding id some check may report that has no rule, or NULL. */
const char *sc_checks_missing_rule(const struct sc_rules *rules);

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
	unsigned https_port;
	char *ca_file;
	char *breach_corpus;
	char *breach_api;
	char *breach_api_key;
	struct sc_breach *breach;      /* breach.c's shared state, or NULL */

	/* lazily built on the first check, so options can change first */
	int ready;
	struct sc_loop loop;
	struct sc_dns dns;
	struct sc_http http;
	X509_STORE *trust;            /* system anchors + ca_file, built once */
	struct sc_rules rules;
	int rules_loaded;
	struct sc_domainset *disposable;
	struct sc_domainset *providers;
	struct sc_lookalike *lookalike;  /* providers, prepared */
	psl_ctx_t *psl;
	/* Does the resolver validate?  The answer to dane.c's ". SOA"
	 * probe, kept a while so that a batch asks once, not per domain. */
	int root_ad;
	uint64_t root_ad_until;       /* monotonic ms; 0: not known */

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
	struct sc_starttls *starttls; /* probes by address (starttls.c) */
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

/* The registrable domain of name per the public suffix list, or NULL;
 * caller frees. */
char *sc_registrable(const struct sc_ctx *ctx, const char *name);

/* RFC 7505: the domain publishes a null MX. */
int sc_domain_null_mx(const struct sc_domain *dom);
/* Start the A/AAAA lookups of every MX host (check "mx"). */
sc_status_t sc_mx_start_hosts(struct sc_domain *dom);

/* The context's trust store (built on first use; borrowed), or NULL with
 * the reason in ctx->errmsg. */
X509_STORE *sc_ctx_trust(struct sc_ctx *ctx);

/* "name":{...} of check c for dom, into the "checks" object being written
 * (nothing if c describes nothing). */
void sc_describe(const struct sc_check *c, const struct sc_domain *dom,
                 struct sc_jw *jw);
/* What check c writes for dom as a jansson tree (for tests and tools that
 * want one); NULL when out of memory or the check describes nothing. */
json_t *sc_describe_json(const struct sc_check *c,
                         const struct sc_domain *dom);


/* Engine entry points, used by ctx.c */
sc_status_t sc_engine_submit(struct sc_ctx *ctx, const char *address,
                             sc_done_cb done, void *userdata);
sc_status_t sc_engine_perform(struct sc_ctx *ctx, int timeout_ms,
                              size_t *running);
void sc_engine_clear(struct sc_ctx *ctx);
/* Stop and free the STARTTLS probes of ctx (starttls.c), after the jobs. */
void sc_starttls_clear_ctx(struct sc_ctx *ctx);
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
