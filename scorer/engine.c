/*
 * Requests, the per-domain cache and the loop that drives them.
 *
 * Many addresses at one domain cost one set of lookups: a request joins
 * the domain's job (or its finished assessment) and is answered when the
 * job is done.  Completions are queued and handed out from
 * sc_engine_perform(), never from inside sc_check_async(), so a caller's
 * callback never runs re-entrantly.
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "internal.h"
#include "report.h"

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static void
queue_done(struct sc_ctx *ctx, struct sc_req *req)
{
	if (req->queued)
		return;
	req->queued = 1;
	sc_timer_stop(&ctx->loop, &req->deadline);
	req->next = NULL;
	*ctx->queue_tail = req;
	ctx->queue_tail = &req->next;
}

/* Answer a request once its domain is done and its own operations are
 * over: assess the address-level checks, then queue the report. */
static void
req_maybe_done(struct sc_req *req)
{
	const struct sc_check *c;
	size_t i;

	if (req->queued || req->waiting_domain || req->pending > 0)
		return;
	for (i = 0; (c = sc_check_at(req->ctx, i)) != NULL; i++)
		if (c->assess_address != NULL && sc_check_enabled(req->ctx, c))
			c->assess_address(req, &req->hits);
	queue_done(req->ctx, req);
}

void
sc_req_hold(struct sc_req *req)
{
	req->pending++;
}

void
sc_req_release(struct sc_req *req)
{
	if (req->expired || req->pending == 0)
		return;
	if (--req->pending == 0)
		req_maybe_done(req);
}

void **
sc_req_state(struct sc_req *req, const struct sc_check *check)
{
	return &req->state_of[sc_check_index(check)];
}

static void
on_req_deadline(void *arg)
{
	struct sc_req *req = arg;

	req->expired = 1;
	req->pending = 0;
	req_maybe_done(req);
}

/* Each check's findings, and what it saw for the report's "checks",
 * written once here as the text every report of the domain shows. */
static void
assess(struct sc_domain *dom)
{
	struct sc_jw jw = { 0 };
	const struct sc_check *c;
	size_t i;

	/* The judgements others read, once the evidence is in. */
	for (i = 0; (c = sc_check_at(dom->ctx, i)) != NULL &&
	            dom->status == SC_OK; i++)
		if (c->finish != NULL && sc_check_enabled(dom->ctx, c))
			c->finish(dom);
	sc_text_begin(&jw, 2048);
	sc_jw_lit(&jw, "{");
	for (i = 0; (c = sc_check_at(dom->ctx, i)) != NULL &&
	            dom->status == SC_OK; i++) {
		if (!sc_check_enabled(dom->ctx, c))
			continue;
		if (c->assess != NULL)
			c->assess(dom, &dom->hits);
		sc_describe(c, dom, &jw);
	}
	sc_jw_lit(&jw, "}");
	if (dom->hits.failed)
		dom->status = SC_ENOMEM;
	if (dom->status != SC_OK) {
		sc_jw_clear(&jw);
		return;
	}
	if ((dom->described_text = sc_text_end(&jw)) == NULL ||
	    sc_recset_build(dom, &dom->recset) != SC_OK ||
	    sc_findset_build(&dom->ctx->rules, &dom->hits,
	                     &dom->findset) != SC_OK)
		dom->status = SC_ENOMEM;
}

/* The job is over (all answered, or the deadline passed): assess once and
 * release every waiting request. */
static void
domain_finish(struct sc_domain *dom)
{
	struct sc_ctx *ctx = dom->ctx;
	struct sc_lookup *lk;
	struct sc_req *req, *next;

	if (dom->state == SC_JOB_DONE)
		return;
	sc_timer_stop(&ctx->loop, &dom->deadline);
	/* At the deadline: give up what is still asked.  (With nothing
	 * pending every lookup is answered already.) */
	if (dom->pending > 0)
		for (lk = dom->lookups; lk != NULL; lk = lk->next)
			sc_dns_abandon(lk);
	dom->pending = 0;
	dom->state = SC_JOB_DONE;
	dom->elapsed_ms = (unsigned)(sc_now_ms() - dom->started);
	if (dom->status == SC_OK)
		assess(dom);
	for (req = dom->waiters; req != NULL; req = next) {
		next = req->next;
		req->waiting_domain = 0;
		req_maybe_done(req);
	}
	dom->waiters = NULL;
}

static void
on_deadline(void *arg)
{
	domain_finish(arg);
}

static void
lookup_done(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;

	(void)lk;
	if (dom->state == SC_JOB_DONE)
		return;
	if (--dom->pending == 0)
		domain_finish(dom);
}

static void copies_answer(struct sc_domain *dom, struct sc_lookup *lk);

static void
lookup_done_chained(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;

	/* The check's own callback first: it may start follow-up lookups,
	 * which must count as pending before this one stops counting. */
	if (dom->state != SC_JOB_DONE && lk->then != NULL)
		lk->then(lk, dom);
	if (lk->same == NULL)
		copies_answer(dom, lk);
	lookup_done(lk, dom);
	sc_engine_answer_due(dom->ctx);
}

/* ---- one query per question and job ------------------------------------
 * Checks ask what they need without knowing what the others asked: SPF's
 * "mx" and "a" mechanisms ask the MX and the MX hosts' addresses that the
 * "mx" check asked already (15 % of a batch's queries).  The second asker
 * gets a copy of the first answer: a lookup of its own, so each check
 * keeps reading its evidence as before. */

/* The lookup of dom that sends the query for this question, if any. */
static struct sc_lookup *
asked(const struct sc_domain *dom, const char *name, int qtype)
{
	struct sc_lookup *lk;

	for (lk = dom->lookups; lk != NULL; lk = lk->next)
		if (lk->same == NULL && lk->qtype == qtype &&
		    sc_dns_name_eq(lk->name, name))
			return lk;
	return NULL;
}

static void
copy_answer(struct sc_domain *dom, struct sc_lookup *lk)
{
	if (lk->done)             /* abandoned at the deadline */
		return;
	if (sc_lookup_copy_answer(lk, lk->same) != 0)
		dom->status = SC_ENOMEM;
	lk->done = 1;
	lk->elapsed_ms = (unsigned)(sc_now_ms() - lk->started);
	lookup_done_chained(lk, dom);
}

/* first is answered: so are the lookups waiting for a copy of it. */
static void
copies_answer(struct sc_domain *dom, struct sc_lookup *first)
{
	struct sc_lookup *lk;

	for (lk = first->next; lk != NULL; lk = lk->next)
		if (lk->same == first && dom->state != SC_JOB_DONE)
			copy_answer(dom, lk);
}

/* Copies of answers that were in before they were asked for: handed out
 * after the asker's call returned, from the loop's side. */
void
sc_engine_answer_due(struct sc_ctx *ctx)
{
	struct sc_lookup *lk;

	while ((lk = ctx->due) != NULL) {
		ctx->due = lk->due;
		lk->due = NULL;
		copy_answer(lk->arg, lk);
	}
}

static void
ask_again(struct sc_domain *dom, struct sc_lookup *lk,
          struct sc_lookup *first)
{
	lk->same = first;
	lk->cb = lookup_done_chained;
	lk->arg = dom;
	lk->started = sc_now_ms();
	if (first->done) {
		lk->due = dom->ctx->due;
		dom->ctx->due = lk;
	}
}

struct sc_lookup *
sc_domain_lookup(struct sc_domain *dom, const char *name, int qtype,
                 sc_lookup_cb cb)
{
	struct sc_lookup *lk, *first;

	if (dom->state == SC_JOB_DONE || dom->status != SC_OK)
		return NULL;
	lk = sc_calloc(1, sizeof(*lk));
	if (lk == NULL || (lk->name = sc_strdup(name)) == NULL) {
		sc_free(lk);
		dom->status = SC_ENOMEM;
		return NULL;
	}
	first = asked(dom, name, qtype);
	*dom->tail = lk;
	dom->tail = &lk->next;
	lk->then = cb;
	lk->qtype = qtype;
	dom->pending++;
	if (first != NULL) {
		ask_again(dom, lk, first);
		return lk;
	}
	if (sc_dns_lookup(&dom->ctx->dns, lk, name, qtype, lookup_done_chained,
	                  dom) != SC_OK) {
		/* Keep it in the list (it is freed with the job) as a failure. */
		lk->done = 1;
		lk->outcome = SC_DNS_ERROR;
		lk->error = "out of memory";
		dom->status = SC_ENOMEM;
		dom->pending--;
		return NULL;
	}
	return lk;
}

void
sc_domain_hold(struct sc_domain *dom)
{
	if (dom->state != SC_JOB_DONE)
		dom->pending++;
}

void
sc_domain_release(struct sc_domain *dom)
{
	if (dom->state == SC_JOB_DONE || dom->pending == 0)
		return;
	if (--dom->pending == 0)
		domain_finish(dom);
}

/* Is name[d], a '.', escaped ("\.": a dot inside a label, as c-ares
 * writes names from answers)?  An odd run of backslashes before it. */
static int
escaped_dot(const char *name, const char *d)
{
	size_t n = 0;

	while (d - n > name && d[-1 - (ptrdiff_t)n] == '\\')
		n++;
	return n % 2 == 1;
}

char *
sc_registrable(const struct sc_ctx *ctx, const char *name)
{
	const char *r;

	if (ctx->psl == NULL)
		return NULL;
	r = psl_registrable_domain(ctx->psl, name);
	/* libpsl splits at every dot, also at an escaped one: widen to the
	 * whole label ("mx.ex\.ample.com" is in ex\.ample.com, not in
	 * ample.com). */
	while (r != NULL && r > name && escaped_dot(name, r - 1)) {
		r--;
		while (r > name && !(r[-1] == '.' && !escaped_dot(name, r - 1)))
			r--;
	}
	return r != NULL ? sc_strdup(r) : NULL;
}

/* Copies due to dom's lookups are forgotten with dom (none are due by
 * the time a job is freed today: this keeps it so). */
static void
forget_due(struct sc_domain *dom)
{
	struct sc_lookup **p = &dom->ctx->due;

	while (*p != NULL)
		if ((*p)->arg == dom)
			*p = (*p)->due;
		else
			p = &(*p)->due;
}

static void
domain_free(struct sc_domain *dom)
{
	struct sc_lookup *lk, *next;
	const struct sc_check *c;
	size_t i;

	forget_due(dom);
	/* A job freed while running (context teardown) still has its
	 * deadline armed: the loop must not keep a pointer into it. */
	sc_timer_stop(&dom->ctx->loop, &dom->deadline);
	if (dom->state != SC_JOB_DONE)  /* else domain_finish() did */
		for (lk = dom->lookups; lk != NULL; lk = lk->next)
			sc_dns_abandon(lk); /* detach queries in flight */
	for (lk = dom->lookups; lk != NULL; lk = next) {
		next = lk->next;
		sc_lookup_free_data(lk);
		sc_free(lk->name);
		sc_free(lk);
	}
	for (i = 0; i < dom->nhost; i++) {
		sc_free(dom->host[i].name);
		sc_free(dom->host[i].regdom);
	}
	sc_free(dom->host);
	for (i = 0; (c = sc_check_at(dom->ctx, i)) != NULL; i++)
		if (c->clear != NULL)
			c->clear(dom);
	sc_text_unref(dom->described_text);
	sc_recset_unref(dom->recset);
	sc_findset_unref(dom->findset);
	sc_hits_clear(&dom->hits);
	sc_free(dom->name);
	sc_free(dom->regdom);
	sc_free(dom);
}

static void
lru_unlink(struct sc_ctx *ctx, struct sc_domain *dom)
{
	if (dom->lru_prev != NULL)
		dom->lru_prev->lru_next = dom->lru_next;
	else
		ctx->lru_head = dom->lru_next;
	if (dom->lru_next != NULL)
		dom->lru_next->lru_prev = dom->lru_prev;
	else
		ctx->lru_tail = dom->lru_prev;
	dom->lru_prev = dom->lru_next = NULL;
}

/* First out: a retired job, once no request holds it. */
static void
lru_push_head(struct sc_ctx *ctx, struct sc_domain *dom)
{
	dom->lru_prev = NULL;
	dom->lru_next = ctx->lru_head;
	if (ctx->lru_head != NULL)
		ctx->lru_head->lru_prev = dom;
	else
		ctx->lru_tail = dom;
	ctx->lru_head = dom;
}

/* Most recently used at the tail. */
static void
lru_push(struct sc_ctx *ctx, struct sc_domain *dom)
{
	dom->lru_prev = ctx->lru_tail;
	dom->lru_next = NULL;
	if (ctx->lru_tail != NULL)
		ctx->lru_tail->lru_next = dom;
	else
		ctx->lru_head = dom;
	ctx->lru_tail = dom;
}

static void
bucket_unlink(struct sc_ctx *ctx, struct sc_domain *dom)
{
	struct sc_domain **pp = &ctx->bucket[hash_name(dom->name) %
	                                     SC_DOMAIN_BUCKETS];

	while (*pp != NULL && *pp != dom)
		pp = &(*pp)->hnext;
	if (*pp == dom)
		*pp = dom->hnext;
}

/* Forget finished jobs that no request points at, oldest first, until
 * the cache is back under its size.  Running jobs are never evicted. */
static void
evict(struct sc_ctx *ctx)
{
	struct sc_domain *dom = ctx->lru_head, *next;

	while (ctx->ndomain > ctx->cache_max && dom != NULL) {
		next = dom->lru_next;
		if (dom->state == SC_JOB_DONE && dom->refs == 0) {
			lru_unlink(ctx, dom);
			bucket_unlink(ctx, dom);
			domain_free(dom);
			ctx->ndomain--;
			ctx->stats.evictions++;
		}
		dom = next;
	}
}

/* Forget every finished job no request points at (between checks that
 * is all of them): what the next check needs is asked afresh. */
void
sc_engine_forget_done(struct sc_ctx *ctx)
{
	size_t max = ctx->cache_max;

	ctx->cache_max = 0;
	evict(ctx);
	ctx->cache_max = max;
}

static struct sc_domain *
domain_find(struct sc_ctx *ctx, const char *name)
{
	struct sc_domain *d;

	for (d = ctx->bucket[hash_name(name) % SC_DOMAIN_BUCKETS]; d != NULL;
	     d = d->hnext)
		if (!d->retired && strcmp(d->name, name) == 0) {
			lru_unlink(ctx, d);
			lru_push(ctx, d);
			return d;
		}
	return NULL;
}

/* A finished job that lacks evidence (a lookup timed out, a server did
 * not answer) would make every later user of the domain "could not be
 * assessed" for as long as it stays cached, and a big provider's domain
 * stays cached for the whole batch.  Once a timeout has passed since it
 * ended, the next check asks again with a new job, at most
 * DOMAIN_RETRIES times; the old one lives on for the requests that hold
 * it and is the first evicted.  Waiting a timeout bounds a dead domain to
 * one job at a time.  The checks' own per-run tables (STARTTLS probes,
 * RDAP) keep their answers; nameserver questions cut short by a job's
 * time are asked again. */
#define DOMAIN_RETRIES 2 /* evidence a run cannot get (port 25 blocked)
                            * costs no more than this */

static int
domain_stale(const struct sc_domain *dom)
{
	if (dom->state != SC_JOB_DONE || dom->retries >= DOMAIN_RETRIES ||
	    (dom->status == SC_OK && !sc_hits_missing(&dom->hits)))
		return 0;
	return sc_now_ms() - dom->started >=
	       (uint64_t)dom->elapsed_ms + dom->ctx->timeout_ms;
}

/* Start a new job: every check starts its lookups.  The job holds one
 * pending count of its own while they start, so that a lookup answered
 * at once cannot finish the job before the last check started. */
static sc_status_t
domain_start(struct sc_ctx *ctx, const char *name, struct sc_domain **out)
{
	struct sc_domain *dom = sc_calloc(1, sizeof(*dom));
	uint32_t b;
	const struct sc_check *c;
	size_t i;

	if (dom == NULL)
		return SC_ENOMEM;
	dom->ctx = ctx;
	dom->tail = &dom->lookups;
	dom->started = sc_now_ms();
	if ((dom->name = sc_strdup(name)) == NULL) {
		sc_free(dom);
		return SC_ENOMEM;
	}
	dom->regdom = sc_registrable(ctx, name);
	b = hash_name(name) % SC_DOMAIN_BUCKETS;
	dom->hnext = ctx->bucket[b];
	ctx->bucket[b] = dom;
	lru_push(ctx, dom);
	ctx->ndomain++;
	sc_timer_start(&ctx->loop, &dom->deadline, ctx->timeout_ms, on_deadline,
	               dom);
	dom->pending = 1;
	for (i = 0; (c = sc_check_at(ctx, i)) != NULL && dom->status == SC_OK;
	     i++)
		if (c->start != NULL && sc_check_enabled(ctx, c) &&
		    c->start(dom) != SC_OK && dom->status == SC_OK)
			dom->status = SC_ENOMEM;
	if (dom->state != SC_JOB_DONE &&
	    (--dom->pending == 0 || dom->status != SC_OK))
		domain_finish(dom);
	*out = dom;
	return SC_OK;
}

static void
live_add(struct sc_ctx *ctx, struct sc_req *req)
{
	req->live_next = ctx->live;
	if (ctx->live != NULL)
		ctx->live->live_prev = req;
	ctx->live = req;
}

static void
live_remove(struct sc_ctx *ctx, struct sc_req *req)
{
	if (req->live_prev != NULL)
		req->live_prev->live_next = req->live_next;
	else if (ctx->live == req)
		ctx->live = req->live_next;
	if (req->live_next != NULL)
		req->live_next->live_prev = req->live_prev;
	req->live_prev = req->live_next = NULL;
}

static void
req_free(struct sc_req *req)
{
	const struct sc_check *c;
	size_t i;

	for (i = 0; (c = sc_check_at(req->ctx, i)) != NULL; i++)
		if (c->clear_address != NULL)
			c->clear_address(req);
	if (req->ctx != NULL)
		sc_timer_stop(&req->ctx->loop, &req->deadline);
	if (req->dom != NULL)
		req->dom->refs--;
	sc_hits_clear(&req->hits);
	sc_address_clear(&req->addr);
	sc_free(req->input);
	sc_free(req);
}

/* The address's own checks, with a hold of our own so that an operation
 * that ends at once cannot answer the request before the last started. */
static sc_status_t
start_address_checks(struct sc_req *req)
{
	struct sc_ctx *ctx = req->ctx;
	const struct sc_check *c;
	size_t i;

	sc_timer_start(&ctx->loop, &req->deadline, ctx->timeout_ms,
	               on_req_deadline, req);
	sc_req_hold(req);
	for (i = 0; (c = sc_check_at(ctx, i)) != NULL; i++)
		if (c->start_address != NULL && sc_check_enabled(ctx, c) &&
		    c->start_address(req) == SC_ENOMEM)
			req->hits.failed = 1;
	sc_req_release(req);
	return SC_OK;
}

sc_status_t
sc_engine_submit(struct sc_ctx *ctx, const char *address,
                 const sc_check_opts_t *opts, sc_done_cb done, void *userdata)
{
	struct sc_req *req;
	struct sc_domain *dom;
	unsigned retries = 0;
	sc_status_t st;

	req = sc_calloc(1, sizeof(*req));
	if (req == NULL || (req->input = sc_strdup(address)) == NULL) {
		sc_free(req);
		return sc_ctx_error(ctx, SC_ENOMEM, "out of memory");
	}
	req->ctx = ctx;
	req->done = done;
	req->userdata = userdata;
	req->started = sc_now_ms();
	if (opts != NULL && (opts->flags & SC_CHECK_ENROLLED)) {
		req->has_enrolled = 1;
		req->enrolled = opts->enrolled;
		req->enrolled_day = (opts->flags & SC_CHECK_ENROLLED_DAY) != 0;
	}
	st = sc_address_parse(address, strlen(address), &req->addr,
	                      req->reason, sizeof(req->reason));
	if (st == SC_ENOMEM) {
		req_free(req);
		return sc_ctx_error(ctx, SC_ENOMEM, "out of memory");
	}
	ctx->running++;
	live_add(ctx, req);
	if (st != SC_OK) {
		queue_done(ctx, req); /* a report with address.invalid */
		return SC_OK;
	}
	req->valid = 1;
	ctx->stats.addresses++;
	dom = domain_find(ctx, req->addr.domain_ascii);
	if (dom != NULL && domain_stale(dom)) {
		retries = dom->retries + 1;
		dom->retired = 1;
		lru_unlink(ctx, dom);
		lru_push_head(ctx, dom);
		dom = NULL;
	}
	if (dom != NULL)
		ctx->stats.domain_hits++;
	else
		ctx->stats.domain_misses++;
	if (dom == NULL) {
		if (domain_start(ctx, req->addr.domain_ascii, &dom) != SC_OK) {
			ctx->running--;
			live_remove(ctx, req);
			req_free(req);
			return sc_ctx_error(ctx, SC_ENOMEM, "out of memory");
		}
		dom->retries = retries;
	}
	req->dom = dom;
	dom->refs++;
	if (dom->state != SC_JOB_DONE) {
		req->waiting_domain = 1;
		req->next = dom->waiters;
		dom->waiters = req;
	}
	return start_address_checks(req);
}

/* Hand out the reports that are ready.  A callback may submit more
 * checks; those are queued behind and handed out in a later round. */
void
sc_engine_forget(struct sc_ctx *ctx, void *ud)
{
	struct sc_req *req;

	for (req = ctx->live; req != NULL; req = req->live_next)
		if (req->userdata == ud)
			req->done = NULL;
}

size_t
sc_engine_deliver(struct sc_ctx *ctx)
{
	struct sc_req *req;
	size_t n = 0;

	/* Before any job can be evicted: a copy due belongs to a job. */
	sc_engine_answer_due(ctx);
	while ((req = ctx->queue) != NULL) {
		sc_report_t *rep = NULL;
		sc_status_t st;

		ctx->queue = req->next;
		if (ctx->queue == NULL)
			ctx->queue_tail = &ctx->queue;
		live_remove(ctx, req);
		st = sc_report_build(req, &rep);
		ctx->running--;
		ctx->in_callback = 1;
		if (req->done != NULL)
			req->done(req->userdata, st, rep);
		else
			sc_report_free(rep);
		ctx->in_callback = 0;
		req_free(req);
		n++;
		if (ctx->free_deferred)
			break; /* freed on the way out: hand out no more */
	}
	if (ctx->ndomain > ctx->cache_max)
		evict(ctx);
	return n;
}

sc_status_t
sc_engine_perform(struct sc_ctx *ctx, int timeout_ms, size_t *running)
{
	uint64_t end = sc_now_ms() + (timeout_ms > 0 ? (unsigned)timeout_ms : 0);
	sc_status_t st = SC_OK;

	size_t delivered = sc_engine_deliver(ctx);

	/* With a timeout, return as soon as a report was handed out, so a
	 * caller that bounds its work in flight can refill at once. */
	while (ctx->running > 0 && (timeout_ms < 0 || delivered == 0) &&
	       !ctx->free_deferred) {
		int wait = -1;

		if (timeout_ms >= 0) {
			uint64_t now = sc_now_ms();

			wait = now >= end ? 0 : (int)(end - now);
		}
		st = sc_loop_once(&ctx->loop, wait);
		delivered += sc_engine_deliver(ctx);
		if (st != SC_OK || (timeout_ms >= 0 && sc_now_ms() >= end))
			break;
	}
	if (running != NULL)
		*running = ctx->running;
	return st;
}

/* Tear down: abandon every lookup first, so that c-ares' destruction
 * callbacks find nothing to do; then the requests (whose checks may still
 * hold context-wide state), then the jobs. */
void
sc_engine_clear(struct sc_ctx *ctx)
{
	struct sc_domain *dom, *next;
	struct sc_lookup *lk;
	size_t b;

	for (b = 0; b < SC_DOMAIN_BUCKETS; b++)
		for (dom = ctx->bucket[b]; dom != NULL; dom = dom->hnext) {
			dom->state = SC_JOB_DONE;
			for (lk = dom->lookups; lk != NULL; lk = lk->next)
				sc_dns_abandon(lk);
		}
	sc_dns_clear(&ctx->dns);
	ctx->due = NULL;
	while (ctx->live != NULL) {
		struct sc_req *req = ctx->live;

		live_remove(ctx, req);
		req_free(req);
	}
	ctx->queue = NULL;
	ctx->queue_tail = &ctx->queue;
	for (b = 0; b < SC_DOMAIN_BUCKETS; b++) {
		for (dom = ctx->bucket[b]; dom != NULL; dom = next) {
			next = dom->hnext;
			domain_free(dom);
		}
		ctx->bucket[b] = NULL;
	}
	ctx->running = 0;
}

static void
hits_vadd(struct sc_hits *hits, const char *id, int missing, const char *fmt,
          va_list ap)
{
	char buf[1024];

	if (hits->failed)
		return;
	if (hits->n == hits->cap) {
		size_t cap = hits->cap ? hits->cap * 2 : 8;
		void *p = sc_realloc(hits->hit, cap * sizeof(*hits->hit));

		if (p == NULL) {
			hits->failed = 1;
			return;
		}
		hits->hit = p;
		hits->cap = cap;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap); /* the caller's va_end */
	sc_terminal_safe(buf); /* details quote names and records */
	hits->hit[hits->n].id = id;
	hits->hit[hits->n].missing = missing;
	hits->hit[hits->n].detail = sc_strdup(buf);
	if (hits->hit[hits->n].detail == NULL) {
		hits->failed = 1;
		return;
	}
	hits->n++;
}

void
sc_hits_add(struct sc_hits *hits, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hits_vadd(hits, id, 0, fmt, ap);
	va_end(ap);
}

void
sc_hits_add_missing(struct sc_hits *hits, const char *id, const char *fmt,
                    ...)
{
	va_list ap;

	va_start(ap, fmt);
	hits_vadd(hits, id, 1, fmt, ap);
	va_end(ap);
}

int
sc_hits_missing(const struct sc_hits *hits)
{
	size_t i;

	for (i = 0; i < hits->n; i++)
		if (hits->hit[i].missing)
			return 1;
	return 0;
}

void
sc_hits_clear(struct sc_hits *hits)
{
	size_t i;

	for (i = 0; i < hits->n; i++)
		sc_free(hits->hit[i].detail);
	sc_free(hits->hit);
	memset(hits, 0, sizeof(*hits));
}
