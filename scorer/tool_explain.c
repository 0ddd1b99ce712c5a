/* scorer explain ID: the rule behind a finding, for people. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

int
tool_explain(int argc, char **argv)
{
	const sc_finding_t *rule;
	const char *rules_dir = NULL;
	sc_ctx_t *ctx = NULL;
	int rc = TOOL_EXIT_ERROR;
	sc_status_t st;

	if (argc == 4 && strcmp(argv[1], "--rules") == 0) {
		rules_dir = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: scorer explain [--rules DIR] FINDING-ID\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	if (sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	if (tool_use_rules(ctx, rules_dir) != 0)
		goto done;
	st = sc_rule_lookup(ctx, argv[1], &rule);
	if (st != SC_OK) {
		fprintf(stderr, "scorer: unknown finding id '%s'\n", argv[1]);
		goto done;
	}
	/* Severity and points as the default threat model (full) has them. */
	printf("%s (%s, %s, %s%d point%s)\n%s\n\nWhy it matters: %s\n\n"
	       "How to fix it: %s\n", rule->id, sc_severity_str(rule->severity),
	       sc_category_str(rule->category), rule->points > 0 ? "-" : "",
	       rule->points, rule->points == 1 ? "" : "s", rule->title,
	       rule->why, rule->fix);
	rc = 0;
done:
	sc_ctx_free(ctx);
	return rc;
}
