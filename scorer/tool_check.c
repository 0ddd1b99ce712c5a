/*
 * scorer check ADDRESS...: every address goes into the async engine at
 * once (the same engine as batch), reports are printed in input order.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct opts {
	int json;
};

struct slot {
	sc_report_t *report;
	sc_status_t status;
	int done;
};

static void
on_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct slot *s = userdata;

	s->status = status;
	s->report = report;
	s->done = 1;
}

static int
exit_code(struct slot *slots, int n)
{
	int i, rc = TOOL_EXIT_SECURE;

	for (i = 0; i < n; i++) {
		if (slots[i].report == NULL ||
		    sc_report_verdict(slots[i].report) == SC_VERDICT_ERROR)
			return TOOL_EXIT_ERROR;
		if (sc_report_verdict(slots[i].report) == SC_VERDICT_INSECURE)
			rc = TOOL_EXIT_INSECURE;
	}
	return rc;
}

static void
print_reports(const struct opts *o, struct slot *slots, char **addr, int n)
{
	int i, colour = !o->json && tool_want_colour(stdout);

	if (o->json && n > 1)
		fputs("[", stdout);
	for (i = 0; i < n; i++) {
		char *js = NULL;

		if (slots[i].report == NULL) {
			fprintf(stderr, "scorer: %s: %s\n", addr[i],
			        sc_strerror(slots[i].status));
			continue;
		}
		if (!o->json) {
			tool_text_report(stdout, slots[i].report, colour);
			continue;
		}
		if (sc_report_json(slots[i].report, &js) != SC_OK) {
			fprintf(stderr, "scorer: %s: out of memory\n", addr[i]);
			continue;
		}
		fputs(js, stdout);
		if (n > 1 && i + 1 < n)
			fputs(",", stdout);
		fputs("\n", stdout);
		sc_free(js);
	}
	if (o->json && n > 1)
		fputs("]\n", stdout);
}

static int
run(sc_ctx_t *ctx, const struct opts *o, char **addr, int n)
{
	struct slot *slots = calloc((size_t)n, sizeof(*slots));
	int i, rc;

	if (slots == NULL) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		sc_status_t st = sc_check_async(ctx, addr[i], on_done, &slots[i]);

		if (st != SC_OK) {
			fprintf(stderr, "scorer: %s: %s\n", addr[i],
			        *sc_ctx_errmsg(ctx) ? sc_ctx_errmsg(ctx)
			                            : sc_strerror(st));
			slots[i].status = st;
			slots[i].done = 1;
		}
	}
	if (sc_perform(ctx, -1, NULL) != SC_OK)
		fprintf(stderr, "scorer: event loop: %s\n", sc_ctx_errmsg(ctx));
	print_reports(o, slots, addr, n);
	tool_print_notices(ctx);
	rc = exit_code(slots, n);
	for (i = 0; i < n; i++)
		sc_report_free(slots[i].report);
	free(slots);
	return rc;
}

static void
check_usage(FILE *fp)
{
	fprintf(fp, "usage: scorer check [--json] [options] ADDRESS...\n"
	        "  --json                  one JSON object per address "
	        "(an array for several)\n%s", tool_common_usage);
}

int
tool_check(int argc, char **argv)
{
	static const struct option own[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool_common common = { NULL, 0, NULL, NULL };
	struct opts o = { 0 };
	struct option *longopts = tool_longopts(own);
	sc_ctx_t *ctx = NULL;
	int c, r, rc = TOOL_EXIT_ERROR;

	if (longopts == NULL || sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		free(longopts);
		return TOOL_EXIT_ERROR;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'j') {
			o.json = 1;
			continue;
		}
		if (c == 'h') {
			check_usage(stdout);
			rc = 0;
			goto done;
		}
		r = tool_common_opt(ctx, &common, c, optarg);
		if (r == 0)
			continue;
		if (r > 0)
			check_usage(stderr);
		goto done;
	}
	if (optind >= argc) {
		fputs("scorer check: no address given\n", stderr);
		check_usage(stderr);
		goto done;
	}
	if (tool_common_setup(ctx, &common) != 0)
		goto done;
	rc = run(ctx, &o, argv + optind, argc - optind);
done:
	free(longopts);
	sc_ctx_free(ctx);
	return rc;
}
