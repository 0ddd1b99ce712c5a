/*
 * startup: what a program embedding libscorer pays before its first
 * answer: sc_ctx_new(), the options, and one sc_check() of ADDRESS
 * against RESOLVER, timed in CPU (this thread) and on the clock.  Run in
 * a fresh process each time by bench/batch_bench.sh (docs/bench.md); not
 * part of any test.
 *
 *   startup RULES RESOLVER ADDRESS [SKIP]
 *
 * SKIP: checks to switch off, comma-separated (default
 * starttls,mta_sts,breach: the lab of the batch bench serves DNS only).
 * Prints "cpu_us C wall_us W verdict V".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <scorer.h>

static double
us(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	const char *skip = argc > 4 ? argv[4] : "starttls,mta_sts,breach";
	char buf[256], *tok, *save = NULL;
	sc_ctx_t *ctx = NULL;
	sc_report_t *rep = NULL;
	double c0, w0, c1, w1;
	sc_status_t st;

	if (argc < 4) {
		fprintf(stderr, "usage: startup RULES RESOLVER ADDRESS [SKIP]\n");
		return 2;
	}
	c0 = us(CLOCK_THREAD_CPUTIME_ID);
	w0 = us(CLOCK_MONOTONIC);
	if (sc_ctx_new(&ctx) != SC_OK ||
	    sc_ctx_set_rules_dir(ctx, argv[1]) != SC_OK ||
	    sc_ctx_add_resolver(ctx, argv[2]) != SC_OK ||
	    sc_ctx_set_allow_loopback(ctx, 1) != SC_OK)
		return 1;
	snprintf(buf, sizeof(buf), "%s", skip);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		if (sc_ctx_skip_check(ctx, tok) != SC_OK)
			return 1;
	st = sc_check(ctx, argv[3], &rep);
	c1 = us(CLOCK_THREAD_CPUTIME_ID);
	w1 = us(CLOCK_MONOTONIC);
	if (st != SC_OK)
		return 1;
	printf("cpu_us %.0f wall_us %.0f verdict %s\n", c1 - c0, w1 - w0,
	       sc_verdict_str(sc_report_verdict(rep)));
	sc_report_free(rep);
	sc_ctx_free(ctx);
	return 0;
}
