/*
 * A program outside the tree, built against an installed scorer with
 * `pkg-config --cflags --libs scorer` alone (tests/install/run.sh).
 */
#include <stdio.h>

#include <scorer.h>

int
main(int argc, char **argv)
{
	sc_ctx_t *ctx = NULL;
	sc_report_t *rep = NULL;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: hello RULES-DIR ADDRESS\n");
		return 2;
	}
	if (sc_ctx_new(&ctx) != SC_OK ||
	    sc_ctx_set_rules_dir(ctx, argv[1]) != SC_OK) {
		fprintf(stderr, "hello: %s\n", sc_ctx_errmsg(ctx));
		goto done;
	}
	if (sc_check(ctx, argv[2], &rep) != SC_OK)
		goto done;
	printf("%s %s %s %s\n", sc_version(), sc_report_address(rep),
	       sc_verdict_str(sc_report_verdict(rep)),
	       sc_report_finding_count(rep) > 0
	               ? sc_report_finding(rep, 0)->id : "-");
	rc = 0;
done:
	sc_report_free(rep);
	sc_ctx_free(ctx);
	return rc;
}
