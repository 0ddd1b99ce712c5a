/*
 * SPF check_host() (RFC 7208 4-6) as a state machine on the engine.
 *
 * Terms are evaluated left to right, as 4.6.2 requires (the first match
 * decides and the lookup limits depend on the order), so the evaluator
 * asks one term's lookups at a time: the MX or PTR names of one term are
 * asked together and counted, and the evaluation moves on once when the
 * count is back to zero.  include and redirect push a frame; the frames
 * form the tree the report shows.
 *
 * Who asks the DNS is the owner's business (spf_ask_fn): the check "spf"
 * asks through its domain job, sc_spf_check_host() through its own list
 * of lookups on the context's loop.  Both run this same code.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "internal.h"
#include "spf.h"

/* What a spoofer gets (RFC 5737 TEST-NET-1: no real sender uses it). */
#define SPOOF_IP "192.0.2.1"
/* The explanation when the domain gives none (6.2 leaves it to us). */
#define DEFAULT_EXP "%{c} is not authorised to send mail for %{o}"

enum { F_FETCH, F_SELECT, F_TERMS };
enum { T_START, T_ANSWER, T_ADDRS, T_CHILD };

struct spf_frame {
	char *domain;           /* <domain> of this check_host() */
	char *txt;              /* its record */
	struct spf_record rec;
	int phase, tphase;
	size_t ti;              /* current term */
	char *target;           /* expanded target of the current term */
	int chain;              /* the root, or reached by redirects only */
	int authorises;         /* a "+" match here passes the sender */
	int redirecting;        /* the current "term" is the redirect */
	struct spf_node *node;
	struct sc_lookup *txt_lk;
	struct spf_frame *up;
};

static void frame_return(struct spf_eval *ev, sc_spf_result_t result);
static void p_start(struct spf_eval *ev);

/* ---- small helpers ---------------------------------------------------- */

static int
lookup_failed(const struct sc_lookup *lk)
{
	return lk == NULL || !lk->done ||
	       (lk->outcome != SC_DNS_OK && lk->outcome != SC_DNS_NODATA &&
	        lk->outcome != SC_DNS_NXDOMAIN);
}

static int
lookup_void(const struct sc_lookup *lk)
{
	return lk->outcome == SC_DNS_NODATA || lk->outcome == SC_DNS_NXDOMAIN ||
	       (lk->outcome == SC_DNS_OK && lk->n == 0);
}

/* Compare two names, ignoring case and one trailing dot. */
static int
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la > 0 && a[la - 1] == '.';
	lb -= lb > 0 && b[lb - 1] == '.';
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Is name equal to domain, or a subdomain of it (5.5)? */
static int
within(const char *name, const char *domain)
{
	size_t ln = strlen(name), ld = strlen(domain);

	ln -= ln > 0 && name[ln - 1] == '.';
	ld -= ld > 0 && domain[ld - 1] == '.';
	if (ln < ld || strncasecmp(name + ln - ld, domain, ld) != 0)
		return 0;
	return ln == ld || name[ln - ld - 1] == '.';
}

static int
in_net(const unsigned char *ip, const unsigned char *net, int bits)
{
	int i;

	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff
		                               : (unsigned char)(0xff << (8 - bits));

		if ((ip[i] & mask) != (net[i] & mask))
			return 0;
	}
	return 1;
}

/* Does an A/AAAA answer hold an address within ip/bits? */
static int
answer_matches(const struct spf_eval *ev, const struct sc_lookup *lk,
               int bits)
{
	unsigned char a[16];
	size_t i;

	if (lk == NULL || lk->outcome != SC_DNS_OK)
		return 0;
	for (i = 0; i < lk->n; i++)
		if (inet_pton(ev->family == 4 ? AF_INET : AF_INET6,
		              lk->rr[i].text, a) == 1 &&
		    in_net(ev->ip, a, bits))
			return 1;
	return 0;
}

static char *
fmt_alloc(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return sc_strdup(buf);
}

/* The reverse name of the client address (5.5). */
static void
reverse_name(const struct spf_eval *ev, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (ev->family == 4) {
		snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", ev->ip[3],
		         ev->ip[2], ev->ip[1], ev->ip[0]);
		return;
	}
	for (i = 16; i > 0 && o + 4 < len; i--) {
		buf[o++] = hex[ev->ip[i - 1] & 15];
		buf[o++] = '.';
		buf[o++] = hex[ev->ip[i - 1] >> 4];
		buf[o++] = '.';
	}
	snprintf(buf + o, len - o, "ip6.arpa");
}

static int
addr_qtype(const struct spf_eval *ev)
{
	return ev->family == 4 ? ns_t_a : ns_t_aaaa;
}

/* Ask the owner for a lookup; counted as pending first, since the
 * answer may come back before ask() returns. */
static struct sc_lookup *
ask(struct spf_eval *ev, const char *name, int qtype)
{
	struct sc_lookup *lk;

	ev->pending++;
	lk = ev->ask(ev->owner, name, qtype);
	if (lk == NULL)
		ev->pending--;
	return lk;
}

/* ---- ending ----------------------------------------------------------- */

static void
free_frame(struct spf_frame *f)
{
	sc_spf_record_clear(&f->rec);
	sc_free(f->domain);
	sc_free(f->txt);
	sc_free(f->target);
	sc_free(f);
}

static void
pop_all(struct spf_eval *ev)
{
	while (ev->top != NULL) {
		struct spf_frame *up = ev->top->up;

		free_frame(ev->top);
		ev->top = up;
	}
	ev->depth = 0;
}

static char *
term_text(const struct spf_frame *f, const struct spf_term *t)
{
	if (f == NULL || t == NULL || f->txt == NULL)
		return NULL;
	return sc_strndup(f->txt + t->pos, t->len);
}

/* A permerror or temperror ends the whole evaluation: include passes
 * both up (5.2), and so does redirect (6.1). */
static void
fail_eval(struct spf_eval *ev, const struct spf_term *t,
          sc_spf_result_t result, enum spf_perm perm, const char *fmt, ...)
{
	struct spf_frame *f = ev->top;
	va_list ap;

	ev->result = result;
	ev->perm = perm;
	sc_free(ev->reason);
	va_start(ap, fmt);
	ev->reason = fmt_alloc(fmt, ap);
	va_end(ap);
	sc_free(ev->term);
	sc_free(ev->term_domain);
	ev->term = term_text(f, t);
	ev->term_domain = f != NULL ? sc_strdup(f->domain) : NULL;
	if (f != NULL && f->node->error == NULL && ev->reason != NULL)
		f->node->error = sc_strdup(ev->reason);
	pop_all(ev);
	ev->finished = 1;
}

static void
oom(struct spf_eval *ev)
{
	fail_eval(ev, NULL, SC_SPF_TEMPERROR, SPF_PERM_NONE, "out of memory");
}

static struct spf_macro_env
macro_env(const struct spf_eval *ev, const char *domain)
{
	struct spf_macro_env env;

	memset(&env, 0, sizeof(env));
	env.sender = ev->sender;
	env.local = ev->local;
	env.odomain = ev->odomain;
	env.domain = domain;
	env.family = ev->family;
	env.ip = ev->ip;
	env.ptr = ev->p_name;
	env.helo = ev->helo;
	env.receiver = ev->receiver;
	env.now = ev->now;
	return env;
}

static void
finish_with_explanation(struct spf_eval *ev, const char *text)
{
	struct spf_macro_env env = macro_env(ev, ev->exp_domain != NULL ?
	                                     ev->exp_domain : ev->odomain);
	char *out = NULL;

	/* 6.2: a syntax error in the explanation means "as if no exp". */
	if (text == NULL || sc_spf_expand(text, &env, 1, &out) != SC_OK ||
	    out == NULL) {
		sc_free(out);
		out = NULL;
		(void)sc_spf_expand(DEFAULT_EXP, &env, 1, &out);
	}
	ev->explanation = out;
	ev->finished = 1;
}

/* 6.2: the exp= TXT must be exactly one record of printable ASCII. */
static void
exp_answered(struct spf_eval *ev)
{
	const struct sc_lookup *lk = ev->exp_lk;
	char why[80];

	if (lk != NULL && lk->outcome == SC_DNS_OK && lk->n == 1 &&
	    strlen(lk->rr[0].text) == lk->rr[0].len &&
	    sc_spf_check_spec(lk->rr[0].text, lk->rr[0].len, 0, 1, why,
	                      sizeof(why))) {
		if (sc_spf_spec_uses_p(lk->rr[0].text) && ev->p_state == 0) {
			p_start(ev); /* back here once %{p} is known */
			return;
		}
		finish_with_explanation(ev, lk->rr[0].text);
	}
	else
		finish_with_explanation(ev, NULL);
}

static void
root_done(struct spf_eval *ev, sc_spf_result_t result)
{
	char *target = NULL;

	if (ev->over_lookups) {
		fail_eval(ev, NULL, SC_SPF_PERMERROR, SPF_PERM_LOOKUPS,
		          "%u DNS-querying terms, more than the limit of %d",
		          ev->lookups, SPF_MAX_LOOKUPS);
		return;
	}
	if (ev->over_voids) {
		fail_eval(ev, NULL, SC_SPF_PERMERROR, SPF_PERM_VOIDS,
		          "%u lookups found nothing, more than the limit of %d",
		          ev->voids, SPF_MAX_VOIDS);
		return;
	}
	ev->result = result;
	if (result != SC_SPF_FAIL || ev->audit) {
		ev->finished = 1;
		return;
	}
	if (ev->exp_spec != NULL) {
		struct spf_macro_env env = macro_env(ev, ev->exp_domain);

		if (sc_spf_expand(ev->exp_spec, &env, 0, &target) == SC_OK &&
		    sc_spf_valid_name(target, 0)) {
			ev->exp_asked = 1;
			ev->exp_lk = ask(ev, target, ns_t_txt);
			sc_free(target);
			if (ev->exp_lk != NULL)
				return; /* exp_answered() when it comes */
			finish_with_explanation(ev, NULL);
			return;
		}
		sc_free(target);
	}
	finish_with_explanation(ev, NULL);
}

static sc_spf_result_t
qual_result(char q)
{
	switch (q) {
	case '-': return SC_SPF_FAIL;
	case '~': return SC_SPF_SOFTFAIL;
	case '?': return SC_SPF_NEUTRAL;
	default: return SC_SPF_PASS;
	}
}

/* A frame decided on its own (a term matched, or neutral by default). */
static void
decide(struct spf_eval *ev, struct spf_frame *f, const struct spf_term *t,
       sc_spf_result_t result)
{
	if (f->chain) {
		/* 6.2: the exp= of the record that decided, never that of an
		 * include, nor of a record that redirected elsewhere. */
		sc_free(ev->exp_spec);
		sc_free(ev->exp_domain);
		ev->exp_spec = NULL;
		ev->exp_domain = sc_strdup(f->domain);
		if (f->rec.exp >= 0)
			ev->exp_spec = sc_strdup(f->rec.term[f->rec.exp].spec);
		sc_free(ev->term);
		sc_free(ev->term_domain);
		ev->term = term_text(f, t);
		ev->term_domain = sc_strdup(f->domain);
	}
	frame_return(ev, result);
}

static void
next_term(struct spf_frame *f)
{
	f->ti++;
	f->tphase = T_START;
	sc_free(f->target);
	f->target = NULL;
}

static const struct spf_term *
current_term(const struct spf_frame *f)
{
	if (f->redirecting)
		return &f->rec.term[f->rec.redirect];
	return f->ti < f->rec.n ? &f->rec.term[f->ti] : NULL;
}

/* A frame is done: hand its result to the include or redirect that
 * asked for it (5.2, 6.1), or end the evaluation. */
static void
frame_return(struct spf_eval *ev, sc_spf_result_t result)
{
	struct spf_frame *f = ev->top, *up = f->up;
	const char *via = f->node->via;
	const struct spf_term *t;

	if (up == NULL) {
		free_frame(f);
		ev->top = NULL;
		ev->depth = 0;
		root_done(ev, result);
		return;
	}
	t = current_term(up);
	if (result == SC_SPF_NONE) {
		/* 5.2, 6.1: a target without a policy is a permerror */
		if (f->node->error == NULL)
			f->node->error = sc_strdup("no SPF record");
		ev->top = up;
		ev->depth--;
		fail_eval(ev, t, SC_SPF_PERMERROR, SPF_PERM_NO_RECORD,
		          "%s target %s has no SPF record", via, f->domain);
		free_frame(f);
		return;
	}
	ev->top = up;
	ev->depth--;
	free_frame(f);
	if (via != NULL && strcmp(via, "redirect") == 0) {
		/* 6.1: the redirect's result is this record's result */
		frame_return(ev, result);
		return;
	}
	/* 5.2: include matches on pass only */
	if (result == SC_SPF_PASS)
		decide(ev, up, t, qual_result(t->qual));
	else
		next_term(up);
}

/* ---- counting (RFC 7208 4.6.4) ---------------------------------------- */

static int
count_lookup(struct spf_eval *ev, struct spf_frame *f,
             const struct spf_term *t)
{
	f->node->lookups++;
	if (++ev->lookups <= SPF_MAX_LOOKUPS)
		return 0;
	if (ev->audit && ev->lookups <= SPF_AUDIT_CAP) {
		ev->over_lookups = 1; /* walk on, to report the real count */
		return 0;
	}
	fail_eval(ev, t, SC_SPF_PERMERROR, SPF_PERM_LOOKUPS,
	          ev->audit ? "more than %d DNS-querying terms"
	                    : "more than %d DNS-querying terms",
	          ev->audit ? SPF_AUDIT_CAP : SPF_MAX_LOOKUPS);
	return -1;
}

static int
count_void(struct spf_eval *ev, struct spf_frame *f, const struct spf_term *t)
{
	f->node->voids++;
	if (++ev->voids <= SPF_MAX_VOIDS)
		return 0;
	if (ev->audit && ev->voids <= SPF_AUDIT_CAP) {
		ev->over_voids = 1;
		return 0;
	}
	fail_eval(ev, t, SC_SPF_PERMERROR, SPF_PERM_VOIDS,
	          "more than %d lookups found nothing", SPF_MAX_VOIDS);
	return -1;
}

/* ---- the permissive threshold ----------------------------------------- */

static void
note_v4(struct spf_eval *ev, const unsigned char *a, int bits)
{
	uint32_t lo = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	              (uint32_t)a[2] << 8 | a[3];
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);

	if (ev->nv4 == ev->capv4) {
		size_t cap = ev->capv4 ? ev->capv4 * 2 : 16;
		void *p;

		if (cap > 4 * SPF_MAX_TERMS)
			return; /* enough to judge */
		if ((p = sc_realloc(ev->v4, cap * sizeof(*ev->v4))) == NULL)
			return;
		ev->v4 = p;
		ev->capv4 = cap;
	}
	ev->v4[ev->nv4][0] = lo & mask;
	ev->v4[ev->nv4][1] = (lo & mask) | ~mask;
	ev->nv4++;
}

/* The "+" ranges of a record whose passes reach the sender. */
static void
note_ranges(struct spf_eval *ev, const struct spf_frame *f)
{
	size_t i;

	if (!f->authorises)
		return;
	for (i = 0; i < f->rec.n; i++) {
		const struct spf_term *t = &f->rec.term[i];
		int wide = 0;

		if (t->qual != '+')
			continue;
		if (t->kind == SPF_IP4)
			note_v4(ev, t->addr, t->cidr4);
		else if (t->kind == SPF_IP6)
			wide = t->cidr6 < 24;
		else if (t->kind == SPF_A || t->kind == SPF_MX)
			wide = t->cidr4 < 8 || t->cidr6 < 24;
		if (t->kind == SPF_IP4 || wide) {
			if (wide)
				ev->wide_v6 = 1;
			if (ev->wide_term == NULL || wide) {
				sc_free(ev->wide_term);
				ev->wide_term = term_text(f, t);
			}
		}
	}
}

static int
cmp_range(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

uint64_t
sc_spf_v4_space(const struct spf_eval *ev)
{
	uint64_t total = 0;
	uint32_t (*r)[2];
	size_t i;
	int64_t lo = -1, hi = -1;

	if (ev->nv4 == 0)
		return 0;
	r = sc_calloc(ev->nv4, sizeof(*r));
	if (r == NULL)
		return 0;
	memcpy(r, ev->v4, ev->nv4 * sizeof(*r));
	qsort(r, ev->nv4, sizeof(*r), cmp_range);
	for (i = 0; i < ev->nv4; i++) {
		if (lo >= 0 && (int64_t)r[i][0] <= hi + 1) {
			if ((int64_t)r[i][1] > hi)
				hi = r[i][1];
			continue;
		}
		if (lo >= 0)
			total += (uint64_t)(hi - lo + 1);
		lo = r[i][0];
		hi = r[i][1];
	}
	total += (uint64_t)(hi - lo + 1);
	sc_free(r);
	return total;
}

int
sc_spf_too_wide(const struct spf_eval *ev)
{
	return ev->wide_v6 || sc_spf_v4_space(ev) > ((uint64_t)1 << 24);
}

/* ---- frames ----------------------------------------------------------- */

static int
push(struct spf_eval *ev, const char *domain, const char *via, int chain,
     int authorises)
{
	struct spf_frame *f = sc_calloc(1, sizeof(*f));
	struct spf_node *n = sc_calloc(1, sizeof(*n));
	struct spf_node *parent = ev->top != NULL ? ev->top->node : NULL;

	if (f == NULL || n == NULL || (f->domain = sc_strdup(domain)) == NULL ||
	    (n->domain = sc_strdup(domain)) == NULL) {
		if (f != NULL)
			sc_free(f->domain);
		sc_free(f);
		sc_free(n);
		oom(ev);
		return -1;
	}
	f->rec.redirect = f->rec.exp = -1;
	n->via = via;
	n->up = parent;
	if (parent == NULL) {
		ev->root = n;
	} else if (parent->last == NULL) {
		parent->child = parent->last = n;
	} else {
		parent->last->next = n;
		parent->last = n;
	}
	f->node = n;
	f->chain = chain;
	f->authorises = authorises;
	f->up = ev->top;
	ev->top = f;
	ev->depth++;
	return 0;
}

/* 4.4, 4.5: the one "v=spf1" record of the domain. */
static void
select_record(struct spf_eval *ev, struct spf_frame *f)
{
	const struct sc_lookup *lk = f->txt_lk;
	struct spf_error err;
	size_t i, n = 0, which = 0;
	sc_status_t st;

	if (f->up == NULL)
		ev->root_outcome = lk->outcome;
	if (lookup_failed(lk)) {
		fail_eval(ev, NULL, SC_SPF_TEMPERROR, SPF_PERM_NONE,
		          "the TXT lookup of %s failed (%s)", f->domain,
		          sc_dns_outcome_str(lk->done ? lk->outcome
		                                      : SC_DNS_TIMEOUT));
		return;
	}
	for (i = 0; lk->outcome == SC_DNS_OK && i < lk->n; i++)
		if (sc_spf_is_record(lk->rr[i].text, lk->rr[i].len)) {
			n++;
			which = i;
		}
	if (f->up == NULL)
		ev->nroot_records = n;
	if (n == 0) {
		frame_return(ev, SC_SPF_NONE);
		return;
	}
	if (n > 1) {
		fail_eval(ev, NULL, SC_SPF_PERMERROR, SPF_PERM_MULTIPLE,
		          "%s publishes %zu SPF records (4.5 allows one)",
		          f->domain, n);
		return;
	}
	f->txt = sc_strndup(lk->rr[which].text, lk->rr[which].len);
	f->node->record = sc_strndup(lk->rr[which].text, lk->rr[which].len);
	if (f->txt == NULL || f->node->record == NULL) {
		oom(ev);
		return;
	}
	st = sc_spf_parse(lk->rr[which].text, lk->rr[which].len, &f->rec, &err);
	if (st == SC_ENOMEM) {
		oom(ev);
		return;
	}
	if (st != SC_OK) {
		struct spf_term bad;

		memset(&bad, 0, sizeof(bad));
		bad.pos = err.pos;
		bad.len = err.len;
		fail_eval(ev, &bad, SC_SPF_PERMERROR, SPF_PERM_SYNTAX,
		          "%s: \"%.*s\" in the record of %s", err.msg,
		          (int)(err.len > 100 ? 100 : err.len),
		          lk->rr[which].text + err.pos, f->domain);
		return;
	}
	note_ranges(ev, f);
	f->phase = F_TERMS;
	f->ti = 0;
	f->tphase = T_START;
}

/* ---- %{p} (7.3): a validated name of the client ------------------------ */

static void
p_step(struct spf_eval *ev)
{
	const char *d = ev->top != NULL ? ev->top->domain :
	                ev->exp_domain != NULL ? ev->exp_domain : ev->odomain;
	const char *best = NULL;
	size_t i;

	if (ev->p_state == 1) {
		const struct sc_lookup *lk = ev->pq[0];

		ev->p_state = 3;
		if (lk == NULL || lk->outcome != SC_DNS_OK)
			return;
		for (i = 0; i < lk->n && i < SPF_MAX_ADDR_NAMES; i++)
			if ((ev->pq[1 + i] = ask(ev, lk->rr[i].text,
			                         addr_qtype(ev))) != NULL)
				ev->npq = i + 2;
		if (ev->npq > 1)
			ev->p_state = 2;
		return;
	}
	/* p_state 2: prefer <domain> itself, then a subdomain, then any */
	for (i = 1; i < ev->npq; i++) {
		const struct sc_lookup *lk = ev->pq[i];

		if (!answer_matches(ev, lk, ev->family == 4 ? 32 : 128))
			continue;
		if (same_name(lk->name, d)) {
			best = lk->name;
			break;
		}
		if (within(lk->name, d) && (best == NULL || !within(best, d)))
			best = lk->name;
		else if (best == NULL)
			best = lk->name;
	}
	ev->p_state = 3;
	if (best != NULL && (ev->p_name = sc_strdup(best)) == NULL)
		oom(ev);
}

static void
p_start(struct spf_eval *ev)
{
	char rev[80];

	reverse_name(ev, rev, sizeof(rev));
	ev->p_state = 1;
	ev->pq[0] = ask(ev, rev, ns_t_ptr);
	ev->npq = 1;
}

/* ---- terms (RFC 7208 5) ----------------------------------------------- */

static void
matched(struct spf_eval *ev, struct spf_frame *f, const struct spf_term *t)
{
	decide(ev, f, t, qual_result(t->qual));
}

/* The target of a/mx/ptr/exists/include/redirect, expanded (4.8). */
static int
expand_target(struct spf_eval *ev, struct spf_frame *f,
              const struct spf_term *t)
{
	struct spf_macro_env env = macro_env(ev, f->domain);
	sc_status_t st;

	sc_free(f->target);
	f->target = NULL;
	if (t->spec == NULL) {
		f->target = sc_strdup(f->domain);
		st = f->target != NULL ? SC_OK : SC_ENOMEM;
	} else {
		st = sc_spf_expand(t->spec, &env, 0, &f->target);
	}
	if (st == SC_ENOMEM) {
		oom(ev);
		return -1;
	}
	if (st != SC_OK) /* longer than any name: treated as invalid */
		f->target = sc_strdup("");
	return f->target == NULL ? (oom(ev), -1) : 0;
}

static int
on_stack(const struct spf_eval *ev, const char *domain)
{
	const struct spf_frame *f;

	for (f = ev->top; f != NULL; f = f->up)
		if (same_name(f->domain, domain))
			return 1;
	return 0;
}

/* include or redirect: check_host() on the target, in a new frame. */
static void
recurse(struct spf_eval *ev, struct spf_frame *f, const struct spf_term *t,
        int is_redirect)
{
	if (on_stack(ev, f->target)) {
		/* The same question again: only the limit would stop it. */
		fail_eval(ev, t, SC_SPF_PERMERROR, SPF_PERM_LOOP,
		          "%s loops back to %s", is_redirect ? "redirect"
		                                             : "include",
		          f->target);
		return;
	}
	f->tphase = T_CHILD;
	if (is_redirect)
		(void)push(ev, f->target, "redirect", f->chain, f->authorises);
	else
		(void)push(ev, f->target, "include", 0,
		           f->authorises && t->qual == '+');
}

static void
start_dns_term(struct spf_eval *ev, struct spf_frame *f,
               const struct spf_term *t)
{
	char rev[80];

	if (count_lookup(ev, f, t) != 0 || expand_target(ev, f, t) != 0)
		return;
	if (t->kind == SPF_INCLUDE || t->kind == SPF_REDIRECT) {
		recurse(ev, f, t, t->kind == SPF_REDIRECT);
		return;
	}
	if (!sc_spf_valid_name(f->target, 0)) {
		/* 4.3 by analogy: a name no query can carry does not exist */
		next_term(f);
		return;
	}
	ev->nq = 1;
	if (t->kind == SPF_PTR) {
		reverse_name(ev, rev, sizeof(rev));
		ev->q[0] = ask(ev, rev, ns_t_ptr);
	} else {
		ev->q[0] = ask(ev, f->target,
		               t->kind == SPF_MX ? ns_t_mx :
		               t->kind == SPF_EXISTS ? ns_t_a : addr_qtype(ev));
	}
	if (ev->q[0] == NULL) {
		fail_eval(ev, t, SC_SPF_TEMPERROR, SPF_PERM_NONE,
		          "could not start a DNS lookup of %s", f->target);
		return;
	}
	f->tphase = T_ANSWER;
}

/* MX hosts (5.4) or PTR names (5.5): look up their addresses. */
static void
ask_addresses(struct spf_eval *ev, struct spf_frame *f,
              const struct spf_term *t)
{
	const struct sc_lookup *lk = ev->q[0];
	size_t i;

	ev->nq = 1;
	for (i = 0; i < lk->n && ev->nq <= SPF_MAX_ADDR_NAMES; i++) {
		const char *name = lk->rr[i].text;

		if (name[0] == '\0' || strcmp(name, ".") == 0)
			continue; /* the null MX (RFC 7505) */
		/* 5.5: only names within the target can match, so only
		 * those are worth validating */
		if (t->kind == SPF_PTR && !within(name, f->target))
			continue;
		if (t->kind == SPF_PTR && i >= SPF_MAX_ADDR_NAMES)
			break; /* 4.6.4: names past the tenth are ignored */
		if ((ev->q[ev->nq] = ask(ev, name, addr_qtype(ev))) == NULL) {
			fail_eval(ev, t, SC_SPF_TEMPERROR, SPF_PERM_NONE,
			          "could not start a DNS lookup of %s", name);
			return;
		}
		ev->nq++;
	}
	if (ev->nq == 1)
		next_term(f);
	else
		f->tphase = T_ADDRS;
}

static void
dns_answered(struct spf_eval *ev, struct spf_frame *f,
             const struct spf_term *t)
{
	const struct sc_lookup *lk = ev->q[0];
	int bits = ev->family == 4 ? t->cidr4 : t->cidr6;

	if (t->kind == SPF_PTR) {
		/* 5.5: a failed PTR lookup just does not match */
		if (lk->outcome != SC_DNS_OK) {
			if (lookup_void(lk) && count_void(ev, f, t) != 0)
				return;
			next_term(f);
			return;
		}
		ask_addresses(ev, f, t);
		return;
	}
	if (lookup_failed(lk)) {
		fail_eval(ev, t, SC_SPF_TEMPERROR, SPF_PERM_NONE,
		          "the %s lookup of %s failed (%s)",
		          sc_dns_type_str(lk->qtype), lk->name,
		          sc_dns_outcome_str(lk->done ? lk->outcome
		                                      : SC_DNS_TIMEOUT));
		return;
	}
	if (lookup_void(lk)) {
		if (count_void(ev, f, t) == 0)
			next_term(f);
		return;
	}
	switch (t->kind) {
	case SPF_EXISTS:
		matched(ev, f, t);
		return;
	case SPF_A:
		if (answer_matches(ev, lk, bits))
			matched(ev, f, t);
		else
			next_term(f);
		return;
	case SPF_MX:
		if (lk->n > SPF_MAX_ADDR_NAMES) {
			fail_eval(ev, t, SC_SPF_PERMERROR, SPF_PERM_MX_NAMES,
			          "%s has %zu MX records; \"mx\" may look up "
			          "at most %d (4.6.4)", lk->name, lk->n,
			          SPF_MAX_ADDR_NAMES);
			return;
		}
		ask_addresses(ev, f, t);
		return;
	default:
		next_term(f);
		return;
	}
}

static void
addrs_answered(struct spf_eval *ev, struct spf_frame *f,
               const struct spf_term *t)
{
	int bits = ev->family == 4 ? t->cidr4 : t->cidr6;
	const struct sc_lookup *bad = NULL;
	size_t i;

	if (t->kind == SPF_PTR)
		bits = ev->family == 4 ? 32 : 128;
	for (i = 1; i < ev->nq; i++) {
		if (answer_matches(ev, ev->q[i], bits)) {
			matched(ev, f, t);
			return;
		}
		if (lookup_failed(ev->q[i]) && bad == NULL)
			bad = ev->q[i];
	}
	/* 5.5 skips names whose lookup failed; 5.4 cannot tell a match */
	if (bad != NULL && t->kind == SPF_MX) {
		fail_eval(ev, t, SC_SPF_TEMPERROR, SPF_PERM_NONE,
		          "the address lookup of MX host %s failed (%s)",
		          bad->name, sc_dns_outcome_str(bad->done ? bad->outcome
		                                                  : SC_DNS_TIMEOUT));
		return;
	}
	next_term(f);
}

static void
end_of_terms(struct spf_eval *ev, struct spf_frame *f)
{
	const struct spf_term *t;

	/* 6.1: redirect applies only when no mechanism matched and the
	 * record has no "all" */
	if (f->rec.redirect < 0 || f->rec.has_all) {
		decide(ev, f, NULL, SC_SPF_NEUTRAL); /* 4.7 */
		return;
	}
	t = &f->rec.term[f->rec.redirect];
	if (sc_spf_spec_uses_p(t->spec) && ev->p_state == 0) {
		p_start(ev); /* back here once %{p} is known */
		return;
	}
	f->redirecting = 1;
	start_dns_term(ev, f, t);
}

static void
term_step(struct spf_eval *ev, struct spf_frame *f)
{
	const struct spf_term *t;

	if (f->redirecting) {
		/* its frame returns through frame_return(); never stepped */
		fail_eval(ev, NULL, SC_SPF_TEMPERROR, SPF_PERM_NONE,
		          "internal error: a redirect lost its frame");
		return;
	}
	if (f->ti >= f->rec.n) {
		end_of_terms(ev, f);
		return;
	}
	t = &f->rec.term[f->ti];
	switch (f->tphase) {
	case T_ANSWER:
		dns_answered(ev, f, t);
		return;
	case T_ADDRS:
		addrs_answered(ev, f, t);
		return;
	case T_CHILD:
		return;
	default:
		break;
	}
	switch (t->kind) {
	case SPF_REDIRECT:
	case SPF_EXP:
	case SPF_UNKNOWN_MOD:
		next_term(f);
		return;
	case SPF_ALL:
		matched(ev, f, t);
		return;
	case SPF_IP4:
	case SPF_IP6:
		if (ev->family == (t->kind == SPF_IP4 ? 4 : 6) &&
		    in_net(ev->ip, t->addr, t->kind == SPF_IP4 ? t->cidr4
		                                               : t->cidr6))
			matched(ev, f, t);
		else
			next_term(f);
		return;
	default:
		break;
	}
	if (t->spec != NULL && sc_spf_spec_uses_p(t->spec) && ev->p_state == 0) {
		p_start(ev);
		return;
	}
	start_dns_term(ev, f, t);
}

/* One unit of work; called whenever nothing is pending. */
static void
step(struct spf_eval *ev)
{
	struct spf_frame *f = ev->top;

	if (ev->p_state == 1 || ev->p_state == 2) {
		p_step(ev);
		return;
	}
	if (f == NULL) {
		if (ev->exp_asked)
			exp_answered(ev);
		else
			ev->finished = 1;
		return;
	}
	switch (f->phase) {
	case F_FETCH:
		/* 4.3: a malformed or single-label domain has no policy */
		if (!sc_spf_valid_name(f->domain, 1)) {
			if (f->up == NULL)
				ev->root_outcome = SC_DNS_NXDOMAIN;
			frame_return(ev, SC_SPF_NONE);
			return;
		}
		f->phase = F_SELECT;
		f->txt_lk = ask(ev, f->domain, ns_t_txt);
		if (f->txt_lk == NULL)
			fail_eval(ev, NULL, SC_SPF_TEMPERROR, SPF_PERM_NONE,
			          "could not start a DNS lookup of %s",
			          f->domain);
		return;
	case F_SELECT:
		select_record(ev, f);
		return;
	default:
		term_step(ev, f);
		return;
	}
}

static void
run(struct spf_eval *ev)
{
	if (ev->stepping)
		return;
	ev->stepping = 1;
	while (!ev->finished && ev->pending == 0)
		step(ev);
	ev->stepping = 0;
	if (ev->finished && ev->on_done != NULL) {
		void (*done)(struct spf_eval *) = ev->on_done;

		ev->on_done = NULL;
		done(ev);
	}
}

void
sc_spf_eval_answer(struct spf_eval *ev)
{
	if (ev->pending > 0)
		ev->pending--;
	if (ev->pending == 0 && !ev->finished)
		run(ev);
}

void
sc_spf_eval_expire(struct spf_eval *ev)
{
	if (ev->finished)
		return;
	if (ev->top == NULL && ev->exp_asked) {
		/* 6.2: a DNS error on the exp= lookup only loses the text */
		finish_with_explanation(ev, NULL);
		return;
	}
	fail_eval(ev, NULL, SC_SPF_TEMPERROR, SPF_PERM_NONE,
	          "no answer from the DNS within the timeout");
}

void
sc_spf_eval_start(struct spf_eval *ev)
{
	if (push(ev, ev->odomain, NULL, 1, 1) != 0) {
		run(ev);
		return;
	}
	run(ev);
}

/* ---- set-up and tear-down ---------------------------------------------- */

static int
parse_ip(struct spf_eval *ev, const char *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                          0xff, 0xff };
	unsigned char a[16];

	if (inet_pton(AF_INET, ip, a) == 1) {
		ev->family = 4;
		memcpy(ev->ip, a, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	/* 5: an IPv4-mapped IPv6 client is the IPv4 client it maps */
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		ev->family = 4;
		memcpy(ev->ip, a + 12, 4);
		return 0;
	}
	ev->family = 6;
	memcpy(ev->ip, a, 16);
	return 0;
}

sc_status_t
sc_spf_eval_init(struct spf_eval *ev, const char *ip, const char *sender,
                 const char *helo, spf_ask_fn ask_fn, void *owner)
{
	const char *at, *dom, *local;
	size_t llen;

	memset(ev, 0, sizeof(*ev));
	ev->ask = ask_fn;
	ev->owner = owner;
	ev->now = (long long)time(NULL);
	if (ip == NULL || parse_ip(ev, ip) != 0)
		return SC_EINVAL;
	if (sender == NULL || sender[0] == '\0') {
		/* 2.4: the null sender is checked as postmaster@HELO */
		if (helo == NULL || helo[0] == '\0')
			return SC_EINVAL;
		local = "postmaster";
		llen = strlen(local);
		dom = helo;
	} else if ((at = strrchr(sender, '@')) != NULL) {
		local = sender;
		llen = (size_t)(at - sender);
		dom = at + 1;
		if (llen == 0) { /* 4.3: no local-part: "postmaster" */
			local = "postmaster";
			llen = strlen(local);
		}
	} else {
		local = "postmaster";
		llen = strlen(local);
		dom = sender;
	}
	ev->local = sc_strndup(local, llen);
	ev->odomain = sc_strdup(dom);
	ev->helo = sc_strdup(helo != NULL && helo[0] != '\0' ? helo : dom);
	ev->sender = sc_malloc(llen + strlen(dom) + 2);
	if (ev->local == NULL || ev->odomain == NULL || ev->helo == NULL ||
	    ev->sender == NULL) {
		sc_spf_eval_clear(ev);
		return SC_ENOMEM;
	}
	memcpy(ev->sender, local, llen);
	ev->sender[llen] = '@';
	strcpy(ev->sender + llen + 1, dom);
	return SC_OK;
}

static void
free_nodes(struct spf_node *n)
{
	while (n != NULL) {
		struct spf_node *next = n->next;

		free_nodes(n->child);
		sc_free(n->domain);
		sc_free(n->record);
		sc_free(n->error);
		sc_free(n);
		n = next;
	}
}

void
sc_spf_eval_clear(struct spf_eval *ev)
{
	pop_all(ev);
	free_nodes(ev->root);
	sc_free(ev->sender);
	sc_free(ev->local);
	sc_free(ev->odomain);
	sc_free(ev->helo);
	sc_free(ev->receiver);
	sc_free(ev->p_name);
	sc_free(ev->exp_spec);
	sc_free(ev->exp_domain);
	sc_free(ev->reason);
	sc_free(ev->term);
	sc_free(ev->term_domain);
	sc_free(ev->explanation);
	sc_free(ev->v4);
	sc_free(ev->wide_term);
	memset(ev, 0, sizeof(*ev));
}

const char *
sc_spf_result_str(sc_spf_result_t r)
{
	switch (r) {
	case SC_SPF_NONE: return "none";
	case SC_SPF_NEUTRAL: return "neutral";
	case SC_SPF_PASS: return "pass";
	case SC_SPF_FAIL: return "fail";
	case SC_SPF_SOFTFAIL: return "softfail";
	case SC_SPF_TEMPERROR: return "temperror";
	case SC_SPF_PERMERROR: return "permerror";
	default: return "?";
	}
}

/* ---- the check "spf": the domain's policy for everybody else ----------- */

/* sc_domain_lookup() calls `then` with the domain, so the evaluator is
 * found through the check's state slot. */
static void
dom_answer(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct spf_eval *ev = sc_check_state_get(dom, &sc_check_spf);

	(void)lk;
	if (ev != NULL)
		sc_spf_eval_answer(ev);
}

static struct sc_lookup *
dom_ask_then(void *owner, const char *name, int qtype)
{
	return sc_domain_lookup(owner, name, qtype, dom_answer);
}

static sc_status_t
spf_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_spf);
	struct spf_eval *ev;
	char *sender;
	size_t len;
	sc_status_t st;

	if (dom->name[0] == '[')
		return SC_OK; /* an address literal has no policy */
	len = strlen(dom->name) + sizeof("postmaster@");
	if ((ev = sc_calloc(1, sizeof(*ev))) == NULL ||
	    (sender = sc_malloc(len)) == NULL) {
		sc_free(ev);
		return SC_ENOMEM;
	}
	snprintf(sender, len, "postmaster@%s", dom->name);
	st = sc_spf_eval_init(ev, SPOOF_IP, sender, dom->name, dom_ask_then,
	                      dom);
	sc_free(sender);
	if (st != SC_OK) {
		sc_free(ev);
		return st;
	}
	ev->audit = 1;
	*slot = ev;
	sc_spf_eval_start(ev);
	return dom->status;
}

static void
spf_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_spf);

	if (*slot != NULL) {
		sc_spf_eval_clear(*slot);
		sc_free(*slot);
		*slot = NULL;
	}
}

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

static void
assess_permerror(const struct sc_domain *dom, const struct spf_eval *ev,
                 struct sc_hits *out)
{
	switch (ev->perm) {
	case SPF_PERM_LOOKUPS:
	case SPF_PERM_VOIDS:
		return; /* reported from the counts */
	case SPF_PERM_MULTIPLE:
		if (ev->nroot_records > 1) {
			sc_hits_add(out, "spf.multiple",
			            "%s publishes %zu TXT records that start with "
			            "\"v=spf1\": receivers return permerror and "
			            "ignore SPF", dom->name, ev->nroot_records);
			return;
		}
		break;
	default:
		break;
	}
	sc_hits_add(out, "spf.invalid",
	            "SPF evaluation for %s ends in permerror: %s%s%s%s",
	            dom->name, or_dash(ev->reason),
	            ev->term != NULL ? " (term \"" : "",
	            ev->term != NULL ? ev->term : "",
	            ev->term != NULL ? "\")" : "");
}

static void
assess_counts(const struct sc_domain *dom, const struct spf_eval *ev,
              struct sc_hits *out)
{
	if (ev->over_lookups || ev->perm == SPF_PERM_LOOKUPS)
		sc_hits_add(out, "spf.too_many_lookups",
		            "evaluating the SPF record of %s takes %s%u "
		            "DNS-querying terms (include, a, mx, ptr, exists, "
		            "redirect); RFC 7208 allows %d, so receivers return "
		            "permerror", dom->name,
		            ev->lookups > SPF_AUDIT_CAP ? "more than " : "",
		            ev->lookups > SPF_AUDIT_CAP ? SPF_AUDIT_CAP
		                                        : ev->lookups,
		            SPF_MAX_LOOKUPS);
	if (ev->over_voids || ev->perm == SPF_PERM_VOIDS)
		sc_hits_add(out, "spf.void_lookups",
		            "%u lookups made while evaluating the SPF record of "
		            "%s found no record (NXDOMAIN or no data); RFC 7208 "
		            "allows %d, so receivers return permerror", ev->voids,
		            dom->name, SPF_MAX_VOIDS);
}

static void
assess_wide(const struct sc_domain *dom, const struct spf_eval *ev,
            struct sc_hits *out)
{
	uint64_t v4 = sc_spf_v4_space(ev);

	if (!sc_spf_too_wide(ev))
		return;
	if (ev->wide_v6)
		sc_hits_add(out, "spf.permissive",
		            "the SPF policy of %s authorises a huge range (\"%s\"):"
		            " more than an IPv6 /24 or an IPv4 /8, so almost any "
		            "server passes", dom->name, or_dash(ev->wide_term));
	else
		sc_hits_add(out, "spf.permissive",
		            "the SPF policy of %s authorises %llu IPv4 addresses "
		            "(e.g. \"%s\"), more than a /8 (16777216): almost any "
		            "server passes", dom->name, (unsigned long long)v4,
		            or_dash(ev->wide_term));
}

static void
spf_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct spf_eval *ev = sc_check_state_get(dom, &sc_check_spf);

	if (ev == NULL)
		return;
	if (!ev->finished) {
		/* the deadline passed: a temperror, never "no record" */
		out->incomplete = 1;
		sc_hits_add(out, "dns.unverified",
		            "the SPF evaluation of %s did not finish: a lookup "
		            "got no answer in time (temperror)", dom->name);
		return;
	}
	assess_counts(dom, ev, out);
	switch (ev->result) {
	case SC_SPF_NONE:
		if (ev->root_outcome != SC_DNS_NXDOMAIN) /* domain.nxdomain */
			sc_hits_add(out, "spf.missing",
			            "%s publishes no SPF record (no TXT record "
			            "starting with \"v=spf1\")", dom->name);
		return;
	case SC_SPF_TEMPERROR:
		out->incomplete = 1;
		sc_hits_add(out, "dns.unverified",
		            "the SPF policy of %s could not be evaluated "
		            "(temperror): %s", dom->name, or_dash(ev->reason));
		return;
	case SC_SPF_PERMERROR:
		assess_permerror(dom, ev, out);
		break;
	case SC_SPF_PASS:
		sc_hits_add(out, "spf.permissive",
		            "the SPF policy of %s passes any server (an arbitrary "
		            "address such as %s gets \"pass\" from \"%s\")",
		            dom->name, SPOOF_IP, or_dash(ev->term));
		return;
	case SC_SPF_NEUTRAL:
		if (ev->term != NULL)
			sc_hits_add(out, "spf.permissive",
			            "the SPF policy of %s ends in \"%s\": mail "
			            "from any server gets \"neutral\", the same as "
			            "no SPF at all", dom->name, ev->term);
		else
			sc_hits_add(out, "spf.permissive",
			            "the SPF record of %s has no \"all\" term, so "
			            "mail from any other server gets \"neutral\", "
			            "the same as no SPF at all", dom->name);
		return;
	case SC_SPF_SOFTFAIL:
		sc_hits_add(out, "spf.softfail",
		            "the SPF policy of %s ends in \"%s\": forged mail is "
		            "only marked (softfail), not rejected", dom->name,
		            or_dash(ev->term));
		break;
	default:
		break;
	}
	assess_wide(dom, ev, out);
}

/* The DNS-querying terms and void lookups of n's record and of every
 * record below it.  A node's totals come before its children in the text,
 * so they are summed apart: each node is visited once per ancestor, which
 * the evaluation bounds (SPF_AUDIT_CAP lookups, one per include or
 * redirect), as it bounds the depth of the recursion. */
static void
node_totals(const struct spf_node *n, unsigned *lookups, unsigned *voids)
{
	const struct spf_node *c;

	*lookups += n->lookups;
	*voids += n->voids;
	for (c = n->child; c != NULL; c = c->next)
		node_totals(c, lookups, voids);
}

static void
describe_node(const struct spf_node *n, struct sc_jw *out)
{
	const struct spf_node *c;
	unsigned l = 0, v = 0;

	node_totals(n, &l, &v);
	sc_jw_lit(out, "{");
	sc_jw_key(out, "domain");
	sc_jw_cstr(out, n->domain);
	if (n->via != NULL) {
		sc_jw_key(out, "via");
		sc_jw_cstr(out, n->via);
	}
	sc_jw_key(out, "record");
	sc_jw_cstr(out, n->record);
	sc_jw_key(out, "lookups");
	sc_jw_int(out, l);
	sc_jw_key(out, "void_lookups");
	sc_jw_int(out, v);
	if (n->error != NULL) {
		sc_jw_key(out, "error");
		sc_jw_cstr(out, n->error);
	}
	sc_jw_key(out, "children");
	sc_jw_lit(out, "[");
	for (c = n->child; c != NULL; c = c->next) {
		sc_jw_elem(out);
		describe_node(c, out);
	}
	sc_jw_lit(out, "]}");
}

static void
spf_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct spf_eval *ev = sc_check_state_get(dom, &sc_check_spf);

	sc_jw_lit(out, "{");
	if (ev == NULL) {
		sc_jw_lit(out, "}");
		return;
	}
	sc_jw_key(out, "record");
	sc_jw_cstr(out, ev->root != NULL ? ev->root->record : NULL);
	sc_jw_key(out, "result_for_all");
	sc_jw_cstr(out, ev->finished ? sc_spf_result_str(ev->result)
	                             : "temperror");
	sc_jw_key(out, "spoofer_ip");
	sc_jw_lit(out, "\"" SPOOF_IP "\"");
	sc_jw_key(out, "lookups");
	sc_jw_int(out, ev->lookups);
	sc_jw_key(out, "void_lookups");
	sc_jw_int(out, ev->voids);
	sc_jw_key(out, "ipv4_authorised");
	sc_jw_int(out, (long long)sc_spf_v4_space(ev));
	if (ev->reason != NULL) {
		sc_jw_key(out, "error");
		sc_jw_cstr(out, ev->reason);
	}
	if (ev->term != NULL) {
		sc_jw_key(out, "term");
		sc_jw_cstr(out, ev->term);
	}
	sc_jw_key(out, "tree");
	if (ev->root != NULL)
		describe_node(ev->root, out);
	else
		sc_jw_null(out);
	sc_jw_lit(out, "}");
}

static const char *const spf_ids[] = {
	"spf.missing", "spf.multiple", "spf.invalid", "spf.permissive",
	"spf.softfail", "spf.too_many_lookups", "spf.void_lookups",
	"dns.unverified", NULL
};

const struct sc_check sc_check_spf = {
	.name = "spf",
	.ids = spf_ids,
	.start = spf_start,
	.assess = spf_assess,
	.describe = spf_describe,
	.clear = spf_clear,
};

/* ---- sc_spf_check_host(): a real client, on the context's loop --------- */

/* The lookups live until c-ares is done with them: when the deadline
 * passes first, the run is orphaned and freed by its last callback (or
 * by the context's teardown, which cancels every query). */
struct spf_run {
	struct spf_eval ev;
	struct sc_dns *dns;
	struct sc_lookup *lookups;
	unsigned inflight;
	int orphaned;
};

static void
run_free(struct spf_run *run)
{
	struct sc_lookup *lk, *next;

	for (lk = run->lookups; lk != NULL; lk = next) {
		next = lk->next;
		sc_lookup_free_data(lk);
		sc_free(lk->name);
		sc_free(lk);
	}
	sc_spf_eval_clear(&run->ev);
	sc_free(run);
}

static void
run_answer(struct sc_lookup *lk, void *arg)
{
	struct spf_run *run = arg;

	(void)lk;
	run->inflight--;
	if (run->orphaned) {
		if (run->inflight == 0)
			run_free(run);
		return;
	}
	sc_spf_eval_answer(&run->ev);
}

static struct sc_lookup *
run_ask(void *owner, const char *name, int qtype)
{
	struct spf_run *run = owner;
	struct sc_lookup *lk = sc_calloc(1, sizeof(*lk));

	if (lk == NULL)
		return NULL;
	lk->next = run->lookups;
	run->lookups = lk;
	run->inflight++;
	if (sc_dns_lookup(run->dns, lk, name, qtype, run_answer, run) != SC_OK) {
		run->inflight--;
		return NULL;
	}
	return lk;
}

static sc_status_t
give(char **explanation, const char *text)
{
	if (explanation == NULL)
		return SC_OK;
	*explanation = sc_strdup(text != NULL ? text : "");
	if (*explanation == NULL)
		return SC_ENOMEM;
	/* exp= text and permerror reasons quote the domain's records. */
	sc_terminal_safe(*explanation);
	return SC_OK;
}

sc_status_t
sc_spf_check_host(sc_ctx_t *ctx, const char *ip, const char *sender,
                  const char *helo, sc_spf_result_t *result,
                  char **explanation)
{
	struct spf_run *run;
	uint64_t deadline;
	sc_status_t st;
	const char *text;

	if (explanation != NULL)
		*explanation = NULL;
	if (ctx == NULL || ip == NULL || result == NULL)
		return SC_EINVAL;
	*result = SC_SPF_TEMPERROR;
	if (ctx->in_callback)
		return sc_ctx_error(ctx, SC_EBUSY,
		                    "sc_spf_check_host() from a callback");
	sc_ctx_enter(ctx);
	if ((st = sc_ctx_ready(ctx)) != SC_OK)
		return sc_ctx_leave(ctx, st);
	if ((run = sc_calloc(1, sizeof(*run))) == NULL)
		return sc_ctx_leave(ctx, sc_ctx_error(ctx, SC_ENOMEM,
		                                      "out of memory"));
	run->dns = &ctx->dns;
	st = sc_spf_eval_init(&run->ev, ip, sender, helo, run_ask, run);
	if (st != SC_OK) {
		sc_free(run);
		return sc_ctx_leave(ctx, st == SC_ENOMEM ?
		       sc_ctx_error(ctx, st, "out of memory") :
		       sc_ctx_error(ctx, st, "'%s' is not an IP address, or "
		                    "neither sender nor HELO name given", ip));
	}
	deadline = sc_now_ms() + ctx->timeout_ms;
	sc_spf_eval_start(&run->ev);
	/* (An outside loop's callbacks may free the context meanwhile.) */
	while (!run->ev.finished && st == SC_OK && !ctx->free_deferred) {
		uint64_t now = sc_now_ms();

		if (now >= deadline)
			break;
		st = sc_loop_once(&ctx->loop, (int)(deadline - now));
	}
	sc_spf_eval_expire(&run->ev);
	if (run->ev.finished) {
		*result = run->ev.result;
		text = run->ev.result == SC_SPF_FAIL ? run->ev.explanation :
		       run->ev.result == SC_SPF_PERMERROR ||
		       run->ev.result == SC_SPF_TEMPERROR ? run->ev.reason : "";
	} else {
		*result = SC_SPF_TEMPERROR;
		text = "no answer from the DNS within the timeout";
	}
	if (st == SC_OK)
		st = give(explanation, text);
	else
		sc_ctx_error(ctx, st, "event loop failed");
	if (run->inflight > 0) {
		sc_spf_eval_clear(&run->ev);
		run->orphaned = 1;
	} else {
		run_free(run);
	}
	return sc_ctx_leave(ctx, st);
}
