/*
 * A program outside the tree, built against an installed scorer with
 * `pkg-config --cflags --libs scorer` alone (tests/install/run.sh).
 *
 *   hello [RULES-DIR] ADDRESS
 *
 * Without RULES-DIR the library picks its rules (sc_ctx_rules_dir()).
 * Prints "VERSION ADDRESS VERDICT FIRST-FINDING", then "rules: DIR" and
 * "title: TITLE" of the first finding, which tell which rules were read.
 */
#include <stdio.h>

#include <scorer.h>

int
main(int argc, char **argv)
{
	sc_ctx_t *ctx = NULL;
	sc_report_t *rep = NULL;
	const sc_finding_t *f;
	int rc = 1;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: hello [RULES-DIR] ADDRESS\n");
		return 2;
	}
	if (sc_ctx_new(&ctx) != SC_OK ||
	    (argc == 3 && sc_ctx_set_rules_dir(ctx, argv[1]) != SC_OK)) {
		fprintf(stderr, "hello: %s\n", sc_ctx_errmsg(ctx));
		goto done;
	}
	if (sc_check(ctx, argv[argc - 1], &rep) != SC_OK) {
		fprintf(stderr, "hello: %s\n", sc_ctx_errmsg(ctx));
		goto done;
	}
	f = sc_report_finding_count(rep) > 0 ? sc_report_finding(rep, 0) : NULL;
	printf("%s %s %s %s\nrules: %s\ntitle: %s\n", sc_version(),
	       sc_report_address(rep), sc_verdict_str(sc_report_verdict(rep)),
	       f != NULL ? f->id : "-", sc_ctx_rules_dir(ctx),
	       f != NULL ? f->title : "-");
	rc = 0;
done:
	sc_report_free(rep);
	sc_ctx_free(ctx);
	return rc;
}
