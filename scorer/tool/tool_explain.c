/*
 * scorer explain ID...: the rule behind a finding, for people; --list:
 * every finding id with its severity and title; --json for programs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tool.h"

static void
explain_usage(FILE *fp)
{
	fputs("usage: scorer explain [OPTIONS] FINDING-ID...\n"
	      "       scorer explain --list [OPTIONS]\n"
	      "\n"
	      "What a finding means: its severity, category and points, why "
	      "it matters for\na recovery address and how to fix it.  --list "
	      "names every finding id.\n"
	      "\n"
	      "      --list       every finding id, its severity and title\n"
	      "  -j, --json       JSON: an object per finding (an array for "
	      "several, and\n"
	      "                   for --list)\n"
	      "      --rules DIR  rules to read (default: the installed ones)\n"
	      "  -h, --help       this help\n"
	      "\n"
	      "Exit status: 0, or 2 for an unknown id, unreadable rules or a "
	      "usage error.\n", fp);
}

/* The rule as JSON; with full, why and fix too.  NULL: out of memory. */
static json_t *
rule_json(const sc_finding_t *r, int full)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", r->id,
	                      "severity", sc_severity_str(r->severity),
	                      "category", sc_category_str(r->category),
	                      "points", r->points, "title", r->title);

	if (o != NULL && full &&
	    (json_object_set_new(o, "why", json_string(r->why)) != 0 ||
	     json_object_set_new(o, "fix", json_string(r->fix)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Print and free j; 0, or -1 when it is NULL (out of memory) or the
 * write fails. */
static int
put_json(json_t *j)
{
	int rc = j != NULL && json_dumpf(j, stdout, JSON_COMPACT) == 0 &&
	         putchar('\n') != EOF ? 0 : -1;

	json_decref(j);
	return rc;
}

static int
list(sc_ctx_t *ctx, int json)
{
	const sc_finding_t *r;
	json_t *arr = json ? json_array() : NULL;
	size_t i;

	for (i = 0; sc_rule_at(ctx, i, &r) == SC_OK; i++) {
		if (!json)
			printf("%-28s %-8s %s\n", r->id,
			       sc_severity_str(r->severity), r->title);
		else if (arr != NULL && json_array_append_new(arr,
		                                    rule_json(r, 0)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (json && put_json(arr) != 0) {
		fputs("scorer explain: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	return 0;
}

static int
explain(sc_ctx_t *ctx, int json, char **id, int n)
{
	const sc_finding_t *r;
	json_t *arr = json && n > 1 ? json_array() : NULL;
	int i, rc = 0;

	for (i = 0; i < n; i++) {
		if (sc_rule_lookup(ctx, id[i], &r) != SC_OK) {
			fprintf(stderr, "scorer explain: unknown finding id "
			        "'%s' (scorer explain --list names them)\n",
			        id[i]);
			rc = TOOL_EXIT_ERROR;
			continue;
		}
		if (json && n == 1) {
			if (put_json(rule_json(r, 1)) != 0)
				rc = TOOL_EXIT_ERROR;
		} else if (json) {
			if (arr != NULL &&
			    json_array_append_new(arr, rule_json(r, 1)) != 0) {
				json_decref(arr);
				arr = NULL;
			}
		} else {
			/* As the default threat model (full) rates it;
			 * "0 points", never "-0 points". */
			printf("%s%s (%s, %s, %s%d point%s)\n%s\n\nWhy it "
			       "matters: %s\n\nHow to fix it: %s\n",
			       i > 0 ? "\n" : "", r->id,
			       sc_severity_str(r->severity),
			       sc_category_str(r->category),
			       r->points > 0 ? "-" : "", r->points,
			       r->points == 1 ? "" : "s", r->title, r->why,
			       r->fix);
		}
	}
	if (json && n > 1 && put_json(arr) != 0) {
		fputs("scorer explain: out of memory\n", stderr);
		rc = TOOL_EXIT_ERROR;
	}
	return rc;
}

int
tool_explain(int argc, char **argv)
{
	enum { OPT_LIST = TOOL_OPT_OWN, OPT_RULES };
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, OPT_LIST },
		{ "json", no_argument, NULL, 'j' },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *rules_dir = NULL;
	sc_ctx_t *ctx = NULL;
	int c, all = 0, json = 0, rc = TOOL_EXIT_ERROR;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LIST: all = 1; break;
		case 'j': json = 1; break;
		case OPT_RULES: rules_dir = optarg; break;
		case 'h':
			explain_usage(stdout);
			return 0;
		default:
			return tool_usage_error("explain");
		}
	}
	if (all == (optind < argc)) {
		fputs(all ? "scorer explain: --list takes no finding id\n" :
		      "scorer explain: no finding id given\n", stderr);
		return tool_usage_error("explain");
	}
	if (sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	if (tool_use_rules(ctx, rules_dir) == 0)
		rc = all ? list(ctx, json)
		         : explain(ctx, json, argv + optind, argc - optind);
	sc_ctx_free(ctx);
	return rc;
}
