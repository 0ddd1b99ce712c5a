/*
 * The blocking tier: check one address and wait for the report.
 *
 *   blocking [--resolver HOST:PORT]... [--rules DIR] [--allow-loopback]
 *            [--ns-port N] ADDRESS
 *
 * Build against an installed scorer:
 *
 *   cc -o blocking blocking.c $(pkg-config --cflags --libs scorer)
 *
 * Prints "ADDRESS VERDICT GRADE SCORE", then one line per finding.  Exit
 * status as `scorer check`: 0 secure, 1 insecure, 2 error or bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <scorer.h>

static int
usage(void)
{
	fprintf(stderr, "usage: blocking [--resolver HOST:PORT]... "
	                "[--rules DIR] [--allow-loopback] [--ns-port N] "
	                "ADDRESS\n");
	return 2;
}

/* A setter failed: the status says what kind of failure, the context's
 * message says exactly what (which file and line of a bad rules dir). */
static int
fail(const sc_ctx_t *ctx, const char *what, sc_status_t st)
{
	fprintf(stderr, "blocking: %s: %s (%s)\n", what, sc_strerror(st),
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
	/* Findings are borrowed from the report: no copy, no free. */
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		printf("  %s %s: %s\n", sc_severity_str(f->severity), f->id,
		       f->detail);
	}
}

int
main(int argc, char **argv)
{
	sc_ctx_t *ctx = NULL;
	sc_report_t *rep = NULL;
	const char *address = NULL;
	sc_status_t st;
	int i, rc = 2;

	if ((st = sc_ctx_new(&ctx)) != SC_OK) {
		fprintf(stderr, "blocking: %s\n", sc_strerror(st));
		return 2;
	}
	for (i = 1; i < argc; i++) {
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
		} else if (strncmp(argv[i], "--", 2) != 0 && address == NULL) {
			address = argv[i];
		} else { /* an unknown option, or a second address */
			rc = usage();
			goto done;
		}
	}
	if (address == NULL) {
		rc = usage();
		goto done;
	}

	/* A status other than SC_OK means no report: the library could not
	 * run (no memory, no DNS engine).  An invalid or insecure address
	 * is SC_OK with a report that says so. */
	if ((st = sc_check(ctx, address, &rep)) != SC_OK) {
		rc = fail(ctx, address, st);
		goto done;
	}
	print_report(rep);
	switch (sc_report_verdict(rep)) {
	case SC_VERDICT_SECURE: rc = 0; break;
	case SC_VERDICT_INSECURE: rc = 1; break;
	case SC_VERDICT_ERROR: rc = 2; break;
	}
done:
	/* The report is ours; both frees accept NULL. */
	sc_report_free(rep);
	sc_ctx_free(ctx);
	return rc;
}
