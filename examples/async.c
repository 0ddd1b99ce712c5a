/*
 * The async tier: start a check per address, then let sc_perform() run
 * them all at once on one thread; each report is printed as it completes.
 * Addresses at one domain share one set of lookups.
 *
 *   async [--resolver HOST:PORT]... [--rules DIR] [--allow-loopback]
 *         [--ns-port N] ADDRESS...
 *
 * Build against an installed scorer:
 *
 *   cc -o async async.c $(pkg-config --cflags --libs scorer)
 *
 * Prints "ADDRESS VERDICT GRADE SCORE" and the findings of each address
 * in the order they complete.  Exit status: 0 all secure, 1 any insecure,
 * 2 any error or bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <scorer.h>

struct tally {
	int insecure;
	int error;
	int done;
};

static int
usage(void)
{
	fprintf(stderr, "usage: async [--resolver HOST:PORT]... [--rules DIR] "
	                "[--allow-loopback] [--ns-port N] ADDRESS...\n");
	return 2;
}

static int
fail(const sc_ctx_t *ctx, const char *what, sc_status_t st)
{
	fprintf(stderr, "async: %s: %s (%s)\n", what, sc_strerror(st),
	        sc_ctx_errmsg(ctx));
	return 2;
}

static void
print_report(const sc_report_t *rep)
{
	size_t i;

	printf("%s %s %s %d\n", sc_report_address(rep),
	       sc_verdict_str(sc_report_verdict(rep)),
	       /* An address that could not be assessed has no grade. */
	       sc_report_grade(rep) != NULL ? sc_report_grade(rep) : "-",
	       sc_report_score(rep));
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		printf("  %s %s: %s\n", sc_severity_str(f->severity), f->id,
		       f->detail);
	}
}

/* Runs from inside sc_perform().  The report is ours to free; it may be
 * kept past this call.  Starting more checks from here is allowed;
 * sc_perform() and sc_check() are not (SC_EBUSY). */
static void
on_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct tally *t = userdata;

	t->done++;
	if (status != SC_OK) {
		/* No report: the library itself failed (out of memory). */
		fprintf(stderr, "async: a check failed: %s\n",
		        sc_strerror(status));
		t->error++;
		return;
	}
	print_report(report);
	/* Each line as it comes, even when stdout is a pipe. */
	fflush(stdout);
	if (sc_report_verdict(report) == SC_VERDICT_INSECURE)
		t->insecure++;
	else if (sc_report_verdict(report) == SC_VERDICT_ERROR)
		t->error++;
	sc_report_free(report);
}

int
main(int argc, char **argv)
{
	struct tally t = { 0, 0, 0 };
	sc_ctx_t *ctx = NULL;
	size_t running = 0;
	sc_status_t st;
	int i, naddr = 0, rc = 2;

	if ((st = sc_ctx_new(&ctx)) != SC_OK) {
		fprintf(stderr, "async: %s\n", sc_strerror(st));
		return 2;
	}
	/* Options first: they must be set before the first check. */
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--resolver") == 0 && i + 1 < argc) {
			if ((st = sc_ctx_add_resolver(ctx, argv[++i])) != SC_OK) {
				rc = fail(ctx, "--resolver", st);
				goto done;
			}
		} else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			if ((st = sc_ctx_set_rules_dir(ctx, argv[++i])) != SC_OK) {
				rc = fail(ctx, "--rules", st);
				goto done;
			}
		} else if (strcmp(argv[i], "--allow-loopback") == 0) {
			sc_ctx_set_allow_loopback(ctx, 1);
		} else if (strcmp(argv[i], "--ns-port") == 0 && i + 1 < argc) {
			/* A lab's nameservers listen elsewhere than 53. */
			st = sc_ctx_set_ns_port(ctx, (unsigned)atoi(argv[++i]));
			if (st != SC_OK) {
				rc = fail(ctx, "--ns-port", st);
				goto done;
			}
		} else {
			rc = usage();
			goto done;
		}
	}
	if (i == argc) {
		rc = usage();
		goto done;
	}

	/* sc_check_async() starts the lookups but never calls on_done()
	 * itself, not even for an invalid address: reports are handed out
	 * by sc_perform() only. */
	for (; i < argc; i++, naddr++) {
		if ((st = sc_check_async(ctx, argv[i], on_done, &t)) != SC_OK) {
			rc = fail(ctx, argv[i], st);
			goto done;
		}
	}

	/* -1: until every check is done.  A service with other work would
	 * call sc_perform(ctx, 100, &running) in its own loop instead. */
	if ((st = sc_perform(ctx, -1, &running)) != SC_OK) {
		rc = fail(ctx, "sc_perform", st);
		goto done;
	}
	if (running != 0 || t.done != naddr) {
		fprintf(stderr, "async: %d of %d reports, %zu running\n", t.done,
		        naddr, running);
		goto done;
	}
	rc = t.error > 0 ? 2 : t.insecure > 0 ? 1 : 0;
done:
	/* Checks still in flight (after an error above) are dropped without
	 * their callbacks being called. */
	sc_ctx_free(ctx);
	return rc;
}
