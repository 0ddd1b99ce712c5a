/*
 * SPF check_host() (RFC 7208 4-6) on the asynchronous engine, and the
 * check "spf" that rates a domain's policy.  One evaluator serves both:
 * the check runs it for an arbitrary spoofer address (192.0.2.1) on a
 * domain job, sc_spf_check_host() for a real client on the context loop.
 */
#ifndef SC_SPF_H
#define SC_SPF_H

#include "dns.h"
#include "spf_parse.h"

#define SPF_MAX_LOOKUPS 10      /* 4.6.4: DNS-querying terms */
#define SPF_MAX_VOIDS 2         /* 4.6.4: lookups that find nothing */
#define SPF_MAX_ADDR_NAMES 10   /* 4.6.4: MX / PTR names looked up */
/* The domain assessment walks on past the limits to report the real
 * count, up to here (a bound on hostile include trees). */
#define SPF_AUDIT_CAP 40

/* Why an evaluation ended in permerror, for the findings. */
enum spf_perm {
	SPF_PERM_NONE, SPF_PERM_SYNTAX, SPF_PERM_MULTIPLE, SPF_PERM_LOOKUPS,
	SPF_PERM_VOIDS, SPF_PERM_NO_RECORD, SPF_PERM_MX_NAMES, SPF_PERM_LOOP
};

/* A record visited: the root, an include or a redirect target. */
struct spf_node {
	char *domain;
	char *record;           /* NULL: none found (or not fetched) */
	const char *via;        /* "include", "redirect"; NULL at the root */
	unsigned lookups;       /* DNS-querying terms of this record only */
	unsigned voids;
	char *error;            /* why this record erred, or NULL */
	struct spf_node *up, *child, *last, *next;
};

struct spf_frame;

/* Start a lookup for the evaluator; the owner calls sc_spf_eval_answer()
 * when it is answered (possibly before this returns).  The lookup must
 * stay alive as long as the evaluator.  NULL: could not be started. */
typedef struct sc_lookup *(*spf_ask_fn)(void *owner, const char *name,
                                        int qtype);

struct spf_eval {
	/* the question */
	int family;                 /* 4 or 6 */
	unsigned char ip[16];
	char *sender, *local, *odomain, *helo, *receiver;
	long long now;
	int audit;                  /* domain assessment: count past limits */
	spf_ask_fn ask;
	void *owner;
	void (*on_done)(struct spf_eval *ev);

	/* under way */
	struct spf_frame *top;
	unsigned depth;
	unsigned pending;
	int stepping, finished;
	struct sc_lookup *q[1 + SPF_MAX_ADDR_NAMES];
	size_t nq;
	int p_state;                /* %{p}: 0 not asked, 1 PTR, 2 A, 3 done */
	struct sc_lookup *pq[1 + SPF_MAX_ADDR_NAMES];
	size_t npq;
	char *p_name;
	char *exp_spec, *exp_domain;
	int exp_asked;
	struct sc_lookup *exp_lk;

	/* the answer */
	unsigned lookups, voids;
	int over_lookups, over_voids;
	sc_spf_result_t result;
	enum spf_perm perm;
	char *reason;               /* permerror/temperror: why */
	char *term;                 /* the term at fault or that matched */
	char *term_domain;          /* whose record holds it */
	char *explanation;
	struct spf_node *root;
	size_t nroot_records;       /* v=spf1 records at the first domain */
	sc_dns_outcome_t root_outcome;
	/* address space authorised with "+" (the permissive threshold) */
	uint32_t (*v4)[2];
	size_t nv4, capv4;
	int wide_v6;                /* a "+ip6" prefix shorter than /24 */
	char *wide_term;            /* the term that authorises too much */
};

/* Set up an evaluation of check_host(ip, domain of sender, sender).
 * sender may be NULL or "" (then postmaster@helo, RFC 7208 2.4).
 * SC_OK, SC_EINVAL (ip is not an address), SC_ENOMEM. */
sc_status_t sc_spf_eval_init(struct spf_eval *ev, const char *ip,
                             const char *sender, const char *helo,
                             spf_ask_fn ask, void *owner);
/* Start; may finish at once (ev->finished). */
void sc_spf_eval_start(struct spf_eval *ev);
/* A lookup the evaluator asked for was answered. */
void sc_spf_eval_answer(struct spf_eval *ev);
/* The deadline passed: a temperror, unless only the exp= text is
 * missing (then the default explanation). */
void sc_spf_eval_expire(struct spf_eval *ev);
void sc_spf_eval_clear(struct spf_eval *ev);

/* The IPv4 space authorised with "+", in addresses (merged ranges). */
uint64_t sc_spf_v4_space(const struct spf_eval *ev);
/* Does the evaluation authorise too much (more than a /8 of IPv4 in all,
 * or an IPv6 prefix shorter than /24)? */
int sc_spf_too_wide(const struct spf_eval *ev);

#endif
