/*
 * sc_spf_check_host(): RFC 7208 check_host() for a real client, as the
 * public API offers it (scorer.h), on the context's loop and DNS engine.
 * The evaluator is spf.c's, the same one the check "spf" runs inside a
 * domain job; here it asks through a list of lookups of its own.
 */
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "spf.h"

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
