/*
 * scorer: is this recovery email address really secure?
 *
 * The public C API.  One opaque context per caller (sc_ctx_t), one status
 * enum (sc_status_t), and a report object per checked address.
 *
 * Ownership, in one place:
 *   - Strings passed in are copied; the caller keeps its own.
 *   - A context is created by sc_ctx_new() and freed by sc_ctx_free().
 *   - A report handed to the caller (sc_check(), the completion callback of
 *     sc_check_async()) belongs to the caller, who frees it with
 *     sc_report_free().  Pointers obtained from a report (strings, findings,
 *     records) are borrowed: valid until that report is freed.
 *   - Strings returned through a `char **` out-parameter are the caller's and
 *     are freed with sc_free().
 *   - Pointers returned by sc_strerror(), sc_ctx_errmsg(), sc_version() and
 *     sc_rule_*() are borrowed (static, or owned by the context).
 *
 * Threads: there is no global state.  A context and the reports it makes
 * may be used by one thread at a time; different contexts in different
 * threads at once are safe.
 */
#ifndef SCORER_H
#define SCORER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SC_BUILDING_LIBRARY) && defined(__GNUC__)
#define SC_EXTERN __attribute__((visibility("default")))
#else
#define SC_EXTERN
#endif

#define SC_VERSION "0.2.0"
/** 0xXXYYZZ: major, minor, patch. */
#define SC_VERSION_NUM 0x000200

/**
 * Status of an API call.  A status is not a verdict: an insecure address is
 * a successful call whose report says "insecure".  Codes are only appended.
 */
typedef enum {
	SC_OK = 0,
	SC_ENOMEM = 1,    /**< out of memory */
	SC_EINVAL = 2,    /**< bad argument (NULL, out of range, bad syntax) */
	SC_ERULES = 3,    /**< rules directory missing or malformed */
	SC_EDNS = 4,      /**< the DNS engine could not be set up */
	SC_EIO = 5,       /**< a file could not be read or written */
	SC_ENOTFOUND = 6, /**< no such item (e.g. an unknown finding id) */
	SC_EBUSY = 7,     /**< call not allowed now (e.g. from a callback) */
	SC_EINTERNAL = 8  /**< a bug: please report it */
} sc_status_t;

/** Verdict of a report. */
typedef enum {
	SC_VERDICT_SECURE = 0,
	SC_VERDICT_INSECURE = 1,
	SC_VERDICT_ERROR = 2 /**< the assessment could not be completed */
} sc_verdict_t;

/** Severity of a finding, most severe first. */
typedef enum {
	SC_SEV_CRITICAL = 0,
	SC_SEV_HIGH = 1,
	SC_SEV_MEDIUM = 2,
	SC_SEV_LOW = 3,
	SC_SEV_INFO = 4
} sc_severity_t;

/** What an attacker gains through a finding. */
typedef enum {
	SC_CAT_TAKEOVER = 0,     /**< someone else can receive the mail */
	SC_CAT_INTERCEPTION = 1, /**< mail can be read on the way */
	SC_CAT_SPOOFING = 2,     /**< mail can be forged in the domain's name */
	SC_CAT_EXPOSURE = 3,     /**< the mailbox or its secrets are exposed */
	SC_CAT_DELIVERY = 4      /**< recovery mail may not arrive */
} sc_category_t;

typedef struct sc_ctx sc_ctx_t;
typedef struct sc_report sc_report_t;

/** One finding of a report.  Borrowed from the report. */
typedef struct sc_finding {
	const char *id;         /**< stable id, e.g. "domain.nxdomain" */
	sc_severity_t severity;
	sc_category_t category;
	const char *detail;     /**< what was seen, for this address; fit
	                         *   for a terminal (control characters and
	                         *   invalid UTF-8 from the network are '?') */
	const char *title;      /**< one line, from the rules */
	const char *why;        /**< why it matters for a recovery address */
	const char *fix;        /**< how to fix it */
	int points;             /**< points deducted from the score (0 when
	                         *   unverified) */
	int unverified;         /**< 1: "could not verify": evidence the
	                         *   verdict needs was not obtained (a lookup
	                         *   failed, a server could not be reached);
	                         *   the verdict is then error unless another
	                         *   finding makes it insecure.  \since 0.2.0 */
} sc_finding_t;

/** DNS outcome of one lookup, as recorded in a report. */
typedef enum {
	SC_DNS_OK = 0,       /**< records of the type were returned */
	SC_DNS_NODATA = 1,   /**< the name exists, no records of the type */
	SC_DNS_NXDOMAIN = 2, /**< the name does not exist */
	SC_DNS_SERVFAIL = 3,
	SC_DNS_REFUSED = 4,
	SC_DNS_TIMEOUT = 5,
	SC_DNS_ERROR = 6,    /**< any other failure (bad answer, network) */
	SC_DNS_SKIPPED = 7   /**< not asked (the deadline passed first) */
} sc_dns_outcome_t;

/** One DNS lookup seen while checking: the raw evidence. */
typedef struct sc_record {
	const char *name;         /**< query name, A-label form */
	const char *type;         /**< "MX", "A", "AAAA", "TXT", ... */
	sc_dns_outcome_t outcome;
	int authenticated;        /**< AD flag of a validating resolver */
	unsigned elapsed_ms;
	size_t count;             /**< number of entries in data[] */
	const char *const *data;  /**< answers in presentation form */
} sc_record_t;

/* ---- context ---------------------------------------------------------- */

/*
 * Options are set before the first check (sc_check(), sc_check_async()),
 * which sets the engine up: afterwards a setter returns SC_EBUSY and
 * changes nothing.  Two may also change between checks, while none is in
 * flight: sc_ctx_set_rules_dir() and sc_ctx_set_cache_size().  Every call
 * that can fail clears the context's message first: sc_ctx_errmsg() is
 * about the last call, or "" when it said nothing more than its status.
 */

/**
 * Create a context with the default options.
 * \param out receives the context; the caller frees it with sc_ctx_free().
 * \return SC_OK, SC_EINVAL (out is NULL) or SC_ENOMEM.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_new(sc_ctx_t **out);

/**
 * Free a context and everything it owns; checks in flight are dropped
 * without their callbacks.  NULL is allowed.  Called from a completion or
 * event callback, the context is freed when the library call that ran
 * the callback (sc_perform(), sc_socket_action() ...) returns; it must
 * not be used after this call either way.  \since 0.1.0
 */
SC_EXTERN void sc_ctx_free(sc_ctx_t *ctx);

/**
 * Add a DNS resolver, "HOST" or "HOST:PORT" ("[v6]:PORT" for IPv6).  The
 * first call replaces the system's resolvers (/etc/resolv.conf).
 * \return SC_OK, SC_EINVAL (bad syntax) or SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_add_resolver(sc_ctx_t *ctx, const char *server);

/**
 * Use the rules in DIR instead of the installed ones.  The rules are read
 * now, so a malformed file is reported here, naming file and line in
 * sc_ctx_errmsg(), and the context keeps the rules it had.  Between
 * checks, the domains cached so far are forgotten (their findings were
 * rated by the old rules), and the findings sc_rule_lookup() and
 * sc_rule_at() gave are no longer valid; reports already made keep
 * theirs.
 * \return SC_OK, SC_EINVAL, SC_ERULES or SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_rules_dir(sc_ctx_t *ctx, const char *dir);

/**
 * The rules directory the context uses: the one given to
 * sc_ctx_set_rules_dir(), or else the default, chosen once: the
 * environment variable SCORER_RULES_DIR (ignored by set-user-ID
 * programs); the installed rules found from where the library is (or the
 * program it is linked into statically), so that an install under any
 * prefix finds its own; the directory the library was built for.  The
 * directory may not exist: loading the rules says so.
 * \return borrowed, valid until the next sc_ctx_set_rules_dir() or
 *         sc_ctx_free(); NULL when ctx is NULL or out of memory.
 *         \since 0.1.0
 */
SC_EXTERN const char *sc_ctx_rules_dir(sc_ctx_t *ctx);

/**
 * Longest time one address may take, in milliseconds (default 10000).
 * Lookups still unanswered then are recorded as timeouts.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_timeout_ms(sc_ctx_t *ctx, unsigned ms);

/**
 * Treat loopback addresses as routable mail servers (default off).  For
 * labs and demos only: a real MX on 127.0.0.1 is a misconfiguration.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_allow_loopback(sc_ctx_t *ctx, int allow);

/**
 * The SMTP port the STARTTLS probe connects to (default 25).  Another port
 * is for labs: real MX hosts listen on 25.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_smtp_port(sc_ctx_t *ctx, unsigned port);

/**
 * The most STARTTLS sessions open at once to one MX address (an IP
 * address, whatever the port), 1..32 (default 2): politeness towards mail
 * providers whose hosts serve many domains.  Each address is probed once
 * per context however many domains share it; probes beyond the limit
 * wait, without holding up those to other addresses, and at most 32
 * sessions are open in all.  SC_EINVAL outside 1..32, SC_EBUSY after the
 * first check.  \since 0.2.0
 */
SC_EXTERN sc_status_t sc_ctx_set_mx_sessions(sc_ctx_t *ctx, unsigned n);

/**
 * The HTTPS port for MTA-STS policy fetches (default 443; for labs).
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_https_port(sc_ctx_t *ctx, unsigned port);

/**
 * The port of the direct, non-recursive questions the "ns" check sends
 * to each address of each nameserver of the domain (default 53).  Another
 * port is for labs: real nameservers listen on 53.
 * \return SC_OK, SC_EINVAL (0 or above 65535), SC_EBUSY.  \since 0.2.0
 */
SC_EXTERN sc_status_t sc_ctx_set_ns_port(sc_ctx_t *ctx, unsigned port);

/**
 * The RDAP bootstrap file (RFC 9224, IANA's dns.json) the "rdap" check
 * finds registries' servers in, instead of rdap-dns.json of the rules
 * directory; NULL goes back to that one.  Copied; the file is read when
 * the rules are (now, when they are loaded already).
 * \return SC_OK, SC_EINVAL (not a regular file), SC_ERULES (not a
 *         bootstrap file; sc_ctx_errmsg() says why), SC_ENOMEM,
 *         SC_EBUSY.  \since 0.2.0
 */
SC_EXTERN sc_status_t sc_ctx_set_rdap_bootstrap(sc_ctx_t *ctx,
                                                const char *path);

/**
 * The most RDAP requests the "rdap" check sends to one server a second
 * (default 2; 0.5 is one every two seconds).  A question that cannot be
 * sent before an address's deadline is not queued: the report says
 * rdap.unavailable.
 * \return SC_OK, SC_EINVAL (not above 0, or above 1000), SC_EBUSY.
 * \since 0.2.0
 */
SC_EXTERN sc_status_t sc_ctx_set_rdap_rate(sc_ctx_t *ctx, double per_second);

/**
 * Extra trust anchors (PEM file) for TLS certificates, added to the
 * system's store (default: none).  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_ca_file(sc_ctx_t *ctx, const char *path);

/**
 * Look addresses up in a local breach corpus: a text hash list or an
 * index built by `scorer corpus build` (default: none).  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_breach_corpus(sc_ctx_t *ctx,
                                               const char *path);

/**
 * Look addresses up in a k-anonymity range API at url (only the first 6
 * hex digits of the address's hash are sent); key may be NULL.  Both are
 * copied.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_breach_api(sc_ctx_t *ctx, const char *url,
                                            const char *key);

/**
 * Switch a check off by name (e.g. "starttls", "breach" for a DNS-only
 * pass); before the first check.  sc_check_name() lists the names.
 * \return SC_OK, SC_EINVAL ("domain" cannot be skipped), SC_ENOTFOUND,
 *         SC_EBUSY.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_skip_check(sc_ctx_t *ctx, const char *name);

/** The name of check i (0-based), NULL past the last.  \since 0.1.0 */
SC_EXTERN const char *sc_check_name(size_t i);

/**
 * The detailed message of the last call on this context, when it failed
 * and had more to say than sc_strerror() of its status; otherwise "".
 * Borrowed; valid until the next call on the context.  \since 0.1.0
 */
SC_EXTERN const char *sc_ctx_errmsg(const sc_ctx_t *ctx);

/**
 * How many domains' results a context keeps (default 4000, about 40 MB).  Finished
 * domains beyond it are forgotten, least recently used first, so a batch
 * over millions of addresses runs in bounded memory.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_cache_size(sc_ctx_t *ctx, size_t domains);

/** Counters of a context, for summaries and benchmarks. */
typedef struct sc_stats {
	size_t size;            /**< the caller sets sizeof(sc_stats_t) before
	                         *   the call; the library fills as many
	                         *   members as both know, and says how many
	                         *   bytes here (\since 0.2.0) */
	size_t addresses;       /**< checks submitted */
	size_t domain_hits;     /**< checks served by a cached or running job */
	size_t domain_misses;   /**< checks that started a domain job */
	size_t domains_cached;  /**< jobs in the cache now */
	size_t evictions;       /**< jobs forgotten to bound memory */
} sc_stats_t;

/**
 * Copy the context's counters into *out, whose size member the caller
 * sets first (`sc_stats_t st = { sizeof(st) };`): the struct may grow, and
 * a program built against an older header still gets what it knows.
 * \return SC_OK, SC_EINVAL (NULL, or out->size 0).  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_get_stats(const sc_ctx_t *ctx, sc_stats_t *out);

/* ---- checking --------------------------------------------------------- */

/**
 * Check one address and wait for the report.  Runs the same asynchronous
 * engine as sc_check_async(), until this address is done.
 * \param address UTF-8 address; copied.
 * \param out receives the report (caller frees with sc_report_free()).  An
 *        invalid address is a report with verdict SC_VERDICT_ERROR and the
 *        finding address.invalid, not an API error.
 * \return SC_OK, SC_EINVAL (NULL arguments), SC_ENOMEM, SC_EDNS.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_check(sc_ctx_t *ctx, const char *address,
                               sc_report_t **out);

/**
 * Completion callback of sc_check_async().  The report belongs to the
 * callee, who frees it with sc_report_free().  status is SC_OK whenever a
 * report is given; otherwise report is NULL.
 */
typedef void (*sc_done_cb)(void *userdata, sc_status_t status,
                           sc_report_t *report);

/**
 * Start checking an address; done() is called from sc_perform() when the
 * report is ready.  Many checks may be in flight on one context; addresses
 * at one domain share one set of lookups.
 * \return SC_OK, SC_EINVAL, SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_check_async(sc_ctx_t *ctx, const char *address,
                                     sc_done_cb done, void *userdata);

/**
 * Run the event loop: with timeout_ms -1, until no check is in flight;
 * otherwise until at least one completion callback ran, or timeout_ms
 * passed (0: just process what is ready).  Callbacks run from here.
 * \param running receives the number of checks still in flight; may be NULL.
 * \return SC_OK, SC_EBUSY (called from a callback), SC_EINTERNAL.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_perform(sc_ctx_t *ctx, int timeout_ms,
                                 size_t *running);

/**
 * What a service knows about one address, for sc_check_ex() and
 * sc_check_async_ex().  As the structs the library fills, it starts with
 * its size, which the caller sets (`sc_check_opts_t o = { .size =
 * sizeof(o) };`): members are only ever appended, and the library reads
 * only those both know.  flags says which members are set.
 */
typedef struct sc_check_opts {
	size_t size;          /**< sizeof(sc_check_opts_t) */
	unsigned flags;       /**< SC_CHECK_ENROLLED ... */
	long long enrolled;   /**< when the user set this address as their
	                       *   recovery address, in seconds since
	                       *   1970-01-01 UTC: a registration of its
	                       *   domain that began later is
	                       *   domain.re_registered */
} sc_check_opts_t;

/** sc_check_opts_t.enrolled is set.  \since 0.2.0 */
#define SC_CHECK_ENROLLED 1u
/**
 * With SC_CHECK_ENROLLED: enrolled is 00:00 UTC of the calendar day the
 * user enrolled, the time of day unknown.  Only a registration that began
 * after that day's end everywhere (12:00 UTC the next day) is taken to be
 * later, and findings name the day.  \since 0.2.0
 */
#define SC_CHECK_ENROLLED_DAY 2u

/**
 * sc_check() with what the caller knows about the address (opts may be
 * NULL; it is copied).
 * \return as sc_check(); SC_EINVAL also for an opts->size of 0 and for a
 *         flag this library does not know (sc_ctx_errmsg() says which).
 *         \since 0.2.0
 */
SC_EXTERN sc_status_t sc_check_ex(sc_ctx_t *ctx, const char *address,
                                  const sc_check_opts_t *opts,
                                  sc_report_t **out);

/**
 * sc_check_async() with what the caller knows about the address (opts
 * may be NULL; it is copied).
 * \return as sc_check_async(); SC_EINVAL also for an opts->size of 0 or
 *         an unknown flag.
 * \since 0.2.0
 */
SC_EXTERN sc_status_t sc_check_async_ex(sc_ctx_t *ctx, const char *address,
                                        const sc_check_opts_t *opts,
                                        sc_done_cb done, void *userdata);

/* ---- event-loop integration (curl's multi socket shape) --------------- */

#define SC_POLL_IN 1      /**< watch the socket for reading */
#define SC_POLL_OUT 2     /**< watch the socket for writing */
#define SC_POLL_REMOVE 4  /**< stop watching the socket */
#define SC_SOCKET_TIMEOUT (-1) /**< sc_socket_action(): the timer fired */

/**
 * Told when a socket of the library needs watching: what is
 * SC_POLL_IN|SC_POLL_OUT (the full new set), or SC_POLL_REMOVE.
 */
typedef void (*sc_socket_fn)(void *userdata, int fd, int what);

/**
 * Told when the library's timer must fire: call
 * sc_socket_action(ctx, SC_SOCKET_TIMEOUT, 0, ...) after timeout_ms
 * milliseconds (0: as soon as possible); -1 deletes the timer.
 */
typedef void (*sc_timeout_fn)(void *userdata, long timeout_ms);

/**
 * Let the caller's event loop (libuv, libev, epoll ...) drive the library
 * instead of sc_perform(): no thread and no poll() of ours.  Set before
 * the first check.  Completion callbacks then run from sc_socket_action().
 * \return SC_OK, SC_EINVAL (either function NULL), SC_EBUSY.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_ctx_set_event_callbacks(sc_ctx_t *ctx,
                                                 sc_socket_fn socket_fn,
                                                 sc_timeout_fn timeout_fn,
                                                 void *userdata);

/**
 * Report readiness: fd is ready for events (SC_POLL_IN|SC_POLL_OUT), or fd
 * is SC_SOCKET_TIMEOUT when the timer fired.  Runs what is ready and the
 * completion callbacks of finished checks.
 * \param running receives the number of checks still in flight; may be
 *        NULL.
 * \return SC_OK, SC_EINVAL, SC_EBUSY (from a callback).  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_socket_action(sc_ctx_t *ctx, int fd, int events,
                                       size_t *running);

/* ---- reports ---------------------------------------------------------- */

/** Free a report.  NULL is allowed.  \since 0.1.0 */
SC_EXTERN void sc_report_free(sc_report_t *report);

/** The address as given.  \since 0.1.0 */
SC_EXTERN const char *sc_report_address(const sc_report_t *report);
/** The domain in A-label form, or "" when the address was invalid.
 *  \since 0.1.0 */
SC_EXTERN const char *sc_report_domain(const sc_report_t *report);
/** The verdict (docs/verdict.md); SC_VERDICT_ERROR for a NULL report.
 *  \since 0.1.0 */
SC_EXTERN sc_verdict_t sc_report_verdict(const sc_report_t *report);
/**
 * "A+", "A", "B", "C", "D" or "F"; NULL when the verdict is
 * SC_VERDICT_ERROR (\since 0.2.0: an assessment that could not be
 * completed has no grade).  \since 0.1.0
 */
SC_EXTERN const char *sc_report_grade(const sc_report_t *report);
/**
 * 0..100; -1 when the verdict is SC_VERDICT_ERROR (\since 0.2.0).
 * \since 0.1.0
 */
SC_EXTERN int sc_report_score(const sc_report_t *report);
/** Wall time the check took, in milliseconds.  \since 0.1.0 */
SC_EXTERN unsigned sc_report_elapsed_ms(const sc_report_t *report);

/** How many findings the report holds.  \since 0.1.0 */
SC_EXTERN size_t sc_report_finding_count(const sc_report_t *report);
/** Finding i (0-based), most severe first; NULL when out of range.
 *  Borrowed from the report.  \since 0.1.0 */
SC_EXTERN const sc_finding_t *sc_report_finding(const sc_report_t *report,
                                                size_t i);

/** How many DNS lookups the report lists.  \since 0.1.0 */
SC_EXTERN size_t sc_report_record_count(const sc_report_t *report);
/** DNS lookup i in the order they were made; NULL when out of range.
 *  Borrowed from the report.  \since 0.1.0 */
SC_EXTERN const sc_record_t *sc_report_record(const sc_report_t *report,
                                              size_t i);

/**
 * Serialise a report to JSON (one object, no trailing newline), the same
 * document `scorer check --json` prints; schema in docs/json.md.
 * \param out receives a NUL-terminated string; free with sc_free().
 * \return SC_OK, SC_EINVAL, SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_report_json(const sc_report_t *report, char **out);

/**
 * What one check saw, as JSON: the same object as the member `check` of
 * the report's "checks" (e.g. "spf": the include tree; "dmarc": the policy
 * that applies).  See docs/json.md.
 * \param out receives a NUL-terminated string; free with sc_free().
 * \return SC_OK, SC_EINVAL, SC_ENOTFOUND (no such check in this report),
 *         SC_ENOMEM, SC_EINTERNAL (a bug).  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_report_check_json(const sc_report_t *report,
                                           const char *check, char **out);

/* ---- rules ------------------------------------------------------------ */

/**
 * Look up the rule for a finding id in the context's rules.  The returned
 * finding has id, severity, category, title, why, fix and points set (as
 * the context's threat model rates it), and detail "" (borrowed from the
 * context, valid until sc_ctx_set_rules_dir() or sc_ctx_free()).
 * \return SC_OK, SC_EINVAL, SC_ENOTFOUND.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_rule_lookup(sc_ctx_t *ctx, const char *id,
                                     const sc_finding_t **rule);

/**
 * Rule i (0-based) of the context's rules, in the order of findings.ini,
 * as sc_rule_lookup() gives it: to list every finding id.  Loads the
 * default rules when none are loaded yet.
 * \return SC_OK, SC_EINVAL, SC_ENOTFOUND (i is past the last rule),
 *         SC_ERULES (the rules cannot be read; sc_ctx_errmsg() says why),
 *         SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_rule_at(sc_ctx_t *ctx, size_t i,
                                 const sc_finding_t **rule);

/* ---- helpers ---------------------------------------------------------- */

/** A status in words ("out of memory"); static.  \since 0.1.0 */
SC_EXTERN const char *sc_strerror(sc_status_t status);
/** "secure", "insecure", "error"; static.  \since 0.1.0 */
SC_EXTERN const char *sc_verdict_str(sc_verdict_t verdict);
/** "critical" .. "info"; static.  \since 0.1.0 */
SC_EXTERN const char *sc_severity_str(sc_severity_t severity);
/** "takeover" .. "delivery"; static.  \since 0.1.0 */
SC_EXTERN const char *sc_category_str(sc_category_t category);
/** "ok", "nodata", "nxdomain" ...; static.  \since 0.1.0 */
SC_EXTERN const char *sc_dns_outcome_str(sc_dns_outcome_t outcome);
/** Free memory the library handed out through a `char **`.  \since 0.1.0 */
SC_EXTERN void sc_free(void *ptr);
/** The library version string, e.g. "0.1.0".  \since 0.1.0 */
SC_EXTERN const char *sc_version(void);

/* ---- SPF (RFC 7208) ---------------------------------------------------- */

/** Result of SPF check_host() (RFC 7208 2.6).  Codes are only appended. */
typedef enum {
	SC_SPF_NONE = 0,      /**< no SPF record, or no usable domain */
	SC_SPF_NEUTRAL = 1,   /**< the domain makes no assertion ("?all") */
	SC_SPF_PASS = 2,      /**< the client is authorised */
	SC_SPF_FAIL = 3,      /**< the client is not authorised ("-all") */
	SC_SPF_SOFTFAIL = 4,  /**< probably not authorised ("~all") */
	SC_SPF_TEMPERROR = 5, /**< a DNS error (timeout, SERVFAIL): try later */
	SC_SPF_PERMERROR = 6  /**< the records are malformed or over a limit */
} sc_spf_result_t;

/**
 * Evaluate SPF for a client, as a receiving mail server does (RFC 7208
 * check_host()), and wait for the result.  Runs the same asynchronous
 * engine and resolvers as sc_check(); the context's timeout bounds the
 * whole evaluation, and what is unanswered by then is a temperror.
 * \param ip the client's address, IPv4 or IPv6 text; copied.
 * \param sender the MAIL FROM address; NULL or "" means the null sender,
 *        for which "postmaster@" helo is checked (RFC 7208 2.4); copied.
 * \param helo the HELO/EHLO name; may be NULL when sender is given.
 * \param result receives the result.
 * \param explanation receives, when not NULL, a string the caller frees
 *        with sc_free(): for SC_SPF_FAIL the domain's expanded exp= text or
 *        a default; for a permerror or temperror, why; otherwise "".
 *        Fit for a terminal: control characters and invalid UTF-8 the
 *        domain's records held are '?'.
 * \return SC_OK whenever an evaluation completed (whatever its result),
 *         SC_EINVAL (NULL arguments, ip not an address, no sender and no
 *         helo), SC_ENOMEM, SC_EDNS, SC_EBUSY (from a callback).
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_spf_check_host(sc_ctx_t *ctx, const char *ip,
                                        const char *sender, const char *helo,
                                        sc_spf_result_t *result,
                                        char **explanation);

/** "pass", "fail", "softfail", "neutral", "none", "permerror",
 * "temperror" (RFC 7208 2.6), or "?" for an unknown value.  \since 0.1.0 */
SC_EXTERN const char *sc_spf_result_str(sc_spf_result_t result);

/* ---- breach corpus ---------------------------------------------------- */

/*
 * A local breach corpus: the SHA-1 hashes (upper-case hex) of addresses,
 * lower-cased and trimmed, as a text list ("HASH" or "HASH:COUNT" a line)
 * or as an index compiled from one.  docs/breach.md has the format.
 */

/** An open corpus.  Freed with sc_corpus_close(). */
typedef struct sc_corpus sc_corpus_t;

/** How many malformed line numbers sc_corpus_stats_t lists. */
#define SC_CORPUS_BAD_LINES 10

/** What a build saw.  Filled by sc_corpus_build(), also on failure. */
typedef struct sc_corpus_stats {
	size_t size;                   /**< the caller sets
	                                *   sizeof(sc_corpus_stats_t) before the
	                                *   call, as for sc_stats_t (\since
	                                *   0.2.0) */
	unsigned long long lines;      /**< lines read */
	unsigned long long hashes;     /**< good lines */
	unsigned long long records;    /**< distinct hashes in the index */
	unsigned long long duplicates; /**< good lines repeating a hash (their
	                                *   counts are added up) */
	unsigned long long blank;      /**< empty lines, skipped */
	unsigned long long malformed;  /**< lines that are neither HASH nor
	                                *   HASH:COUNT, skipped and counted */
	size_t nbad;                   /**< entries used in bad_line[] */
	unsigned long long bad_line[SC_CORPUS_BAD_LINES]; /**< line numbers
	                                *   (from 1) of the first malformed */
	unsigned runs;                 /**< sorted runs spilled to temporary
	                                *   files (0: sorted in memory) */
	char errmsg[256];              /**< why the build failed, or "" */
} sc_corpus_stats_t;

/**
 * Progress of a build: phase is "reading" (done and total in bytes of the
 * input; total 0 when unknown) or "merging" (in records).  Called a few
 * hundred times per build at most.
 */
typedef void (*sc_corpus_progress_cb)(void *userdata, const char *phase,
                                      unsigned long long done,
                                      unsigned long long total);

/**
 * Compile the text hash list in into the index out (written to a
 * temporary file next to out, then renamed).  Memory stays within about
 * mem_bytes (0: 256 MiB) whatever the size of the input: sorted runs go
 * to temporary files and are merged.  Malformed lines are skipped and
 * counted in stats.
 * \param progress may be NULL.
 * \param stats may be NULL; the caller's.
 * \return SC_OK, SC_EINVAL (NULL arguments, in is already an index, is
 *         not a hash list or holds no hash, out is a directory or in
 *         itself), SC_EIO (stats->errmsg says what), SC_ENOMEM.
 *         \since 0.1.0
 */
SC_EXTERN sc_status_t sc_corpus_build(const char *in, const char *out,
                                      size_t mem_bytes,
                                      sc_corpus_progress_cb progress,
                                      void *userdata,
                                      sc_corpus_stats_t *stats);

/** sc_corpus_build_ex(): build an empty index when the list holds no
 * hash, instead of failing. */
#define SC_CORPUS_ALLOW_EMPTY 1u

/**
 * sc_corpus_build() with flags: 0, or SC_CORPUS_ALLOW_EMPTY.
 * \return as sc_corpus_build(); SC_EINVAL for an unknown flag.
 * \since 0.1.0
 */
SC_EXTERN sc_status_t sc_corpus_build_ex(const char *in, const char *out,
                                         size_t mem_bytes, unsigned flags,
                                         sc_corpus_progress_cb progress,
                                         void *userdata,
                                         sc_corpus_stats_t *stats);

/**
 * Open a corpus: an index (memory-mapped, checked for consistency) or a
 * text list (compiled into an unlinked temporary index; a list without a
 * single good line is refused).
 * \param out receives the corpus; the caller frees it with
 *        sc_corpus_close().
 * \param err receives a message on failure (may be NULL).
 * \return SC_OK, SC_EINVAL, SC_EIO (missing, unreadable, truncated,
 *         wrong magic or version), SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_corpus_open(const char *path, sc_corpus_t **out,
                                     char *err, size_t errlen);

/** Close a corpus.  NULL is allowed.  \since 0.1.0 */
SC_EXTERN void sc_corpus_close(sc_corpus_t *corpus);

/**
 * Look a key up: an address (hashed as given, lower-cased and trimmed) or
 * a SHA-1 as 40 hex digits.  Anything else is SC_EINVAL, not "not found".
 * \param found receives 1 when the key is in the corpus, else 0.
 * \param count receives its count (0: the list gave none); may be NULL.
 * \return SC_OK (found or not), SC_EINVAL (NULL arguments, a key that is
 *         neither), SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_corpus_lookup(const sc_corpus_t *corpus,
                                       const char *key, int *found,
                                       unsigned long long *count);

/** What sc_corpus_info() tells. */
typedef struct sc_corpus_info {
	size_t size;                   /**< the caller sets
	                                *   sizeof(sc_corpus_info_t) before the
	                                *   call, as for sc_stats_t (\since
	                                *   0.2.0) */
	unsigned version;              /**< index format version */
	unsigned prefix_bits;          /**< bits of the prefix table */
	unsigned record_size;          /**< bytes per record */
	int has_counts;                /**< the list gave counts */
	int from_text;                 /**< compiled from a text list */
	unsigned long long records;    /**< distinct hashes */
	unsigned long long total;      /**< sum of the counts */
	unsigned long long bytes;      /**< size of the index */
	unsigned long long malformed;  /**< from_text: lines skipped */
} sc_corpus_info_t;

/** Describe an open corpus.  
eturn SC_OK, SC_EINVAL.  \since 0.1.0 */
SC_EXTERN sc_status_t sc_corpus_info(const sc_corpus_t *corpus,
                                     sc_corpus_info_t *info);

/**
 * The provider-canonical form of an address (dots and "+tag" ignored at
 * gmail.com, "+tag" at outlook.com ...), per canonical.ini of the
 * context's rules directory; breach lookups try it besides the address
 * as given.
 * \param out receives the canonical form, lower-cased (free with
 *        sc_free()), or NULL when the provider defines none or it is the
 *        address itself.
 * \return SC_OK, SC_EINVAL, SC_ERULES (canonical.ini malformed),
 *         SC_ENOMEM.  \since 0.1.0
 */
SC_EXTERN sc_status_t sc_address_canonical(sc_ctx_t *ctx,
                                           const char *address, char **out);

/* ---- interception (since 0.1.0) ----------------------------------------- */

/**
 * Can an attacker on the path read recovery mail to the address?  Codes
 * are only appended.
 */
typedef enum {
	SC_INTERCEPTION_PROTECTED = 0, /**< every MX host takes mail over
	                                *   STARTTLS, and senders must
	                                *   authenticate it: MTA-STS in mode
	                                *   enforce, or validated DANE */
	SC_INTERCEPTION_EXPOSED = 1,   /**< STARTTLS can be stripped or its
	                                *   certificate replaced (or there is
	                                *   none) */
	SC_INTERCEPTION_UNKNOWN = 2    /**< the evidence does not decide (an MX
	                                *   could not be probed, a lookup
	                                *   failed, the domain takes no mail,
	                                *   the address is invalid) */
} sc_interception_t;

/**
 * The report's answer to "can recovery mail be read on the way?".
 * \param why receives, when not NULL, one line (borrowed from the
 *        report): for a protected address how ("MTA-STS: ...", "DANE:
 *        ..."), otherwise which path is missing and how to add one.
 * \return the verdict; SC_INTERCEPTION_UNKNOWN for a NULL report.
 * \since 0.1.0
 */
SC_EXTERN sc_interception_t sc_report_interception(const sc_report_t *report,
                                                   const char **why);

/**
 * How a protected address is protected: "mta-sts", "dane", or NULL when
 * it is not (borrowed, static).  \since 0.1.0
 */
SC_EXTERN const char *sc_report_interception_via(const sc_report_t *report);

/** "protected", "exposed" or "unknown".  \since 0.1.0 */
SC_EXTERN const char *sc_interception_verdict_str(sc_interception_t v);

/* ---- threat model and the verdict's reason (since 0.2.0) ---------------- */

/**
 * Which attacker the verdict answers (docs/verdict.md).  Codes are only
 * appended.
 */
typedef enum {
	SC_THREAT_FULL = 0,   /**< the default: one who takes the mailbox or
	                       *   domain over, or reads the mail on the
	                       *   network path (STARTTLS stripped, a
	                       *   certificate of their own) */
	SC_THREAT_REMOTE = 1  /**< takeover only: the user accepts the risk of
	                       *   an attacker on the network path */
} sc_threat_model_t;

/**
 * Choose the threat model; the rules' [model.NAME] section of scoring.ini
 * sets the severity of each finding under it.  Before the first check.
 * \return SC_OK, SC_EINVAL (unknown model), SC_EBUSY (after the first
 *         check).  \since 0.2.0
 */
SC_EXTERN sc_status_t sc_ctx_set_threat_model(sc_ctx_t *ctx,
                                              sc_threat_model_t model);

/** "full" or "remote"; NULL for an unknown code.  \since 0.2.0 */
SC_EXTERN const char *sc_threat_model_str(sc_threat_model_t model);

/** The threat model the report was judged under.  \since 0.2.0 */
SC_EXTERN sc_threat_model_t sc_report_threat_model(const sc_report_t *report);

/**
 * The verdict's reason in one line (borrowed from the report): for
 * insecure the worst finding, for error what is missing and what to do,
 * for secure what the claim covers (the checks skipped, the threat
 * model).  \since 0.2.0
 */
SC_EXTERN const char *sc_report_headline(const sc_report_t *report);

/**
 * The name of the i-th check (0-based) that was switched off with
 * sc_ctx_skip_check() for this report, or NULL past the last: the verdict
 * covers only the checks that ran (static string).  \since 0.2.0
 */
SC_EXTERN const char *sc_report_skipped(const sc_report_t *report, size_t i);

/**
 * A condition of the run rather than of one address, i-th (0-based), in
 * one line, or NULL past the last (borrowed; valid until the next call on
 * the context): every MX host probed refused or ignored port 25 (the
 * network blocks it), or the resolver answered "does not exist" without
 * proof.  Say it once, not per address.  \since 0.2.0
 */
SC_EXTERN const char *sc_ctx_notice(sc_ctx_t *ctx, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* SCORER_H */
