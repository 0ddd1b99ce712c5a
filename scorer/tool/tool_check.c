/*
 * scorer check ADDRESS...|-: every address goes into the async engine at
 * once (the same engine as batch), reports are printed in input order.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_batch.h"

struct opts {
	int json;
	int quiet;     /* no report printed: the exit status only */
	sc_check_opts_t check; /* --enrolled: when the address was set */
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
		sc_status_t st = sc_check_async_ex(ctx, addr[i], &o->check,
		                                   on_done, &slots[i]);

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
	if (!o->quiet)
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
	fputs("usage: scorer check [OPTIONS] ADDRESS...\n"
	      "       scorer check [OPTIONS] -\n"
	      "\n"
	      "Rate each address: the verdict (secure, insecure, error), the "
	      "grade and score,\nand each finding with what to fix.  All "
	      "addresses are checked at once.  With -,\nthe addresses are "
	      "read from standard input, one a line (blank lines and #\n"
	      "comments skipped; scorer batch is made for long lists).  "
	      "Options may come\nanywhere before --; after it, every argument "
	      "is an address.\n"
	      "\n"
	      "  -j, --json                  one JSON object per address "
	      "(a JSON array\n"
	      "                              for several)\n"
	      "  -q, --quiet                 print no report: the exit status "
	      "says it all\n"
	      "      --enrolled DATE         when the addresses were set as "
	      "recovery addresses\n"
	      "                              (YYYY-MM-DD or RFC 3339): a "
	      "domain registered\n"
	      "                              later is domain.re_registered\n",
	      fp);
	tool_common_help(fp);
	fputs("  -h, --help                  this help\n"
	      "\n"
	      "Exit status: 0 every address secure, 1 any insecure (all "
	      "assessed), 2 a usage\nerror or an address that could not be "
	      "assessed.\n", fp);
}

/* The addresses to check, in order: the arguments, with "-" replaced by
 * the lines of standard input (read as `scorer batch` reads a plain
 * list; collect() below). */
struct addrs {
	char **a;
	int n, cap;
	int bad;       /* lines of standard input that were no address */
};

static int
add_addr(struct addrs *l, const char *s)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		char **p = cap > 0 && cap < (1 << 30)
		           ? realloc(l->a, (size_t)cap * sizeof(*p)) : NULL;

		if (p == NULL)
			return -1;
		l->a = p;
		l->cap = cap;
	}
	if ((l->a[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int
read_stdin(struct addrs *l)
{
	struct batch_in in;
	struct batch_rec rec;
	int r, oom = 0;

	memset(&in, 0, sizeof(in));
	if (batch_in_open(&in, stdin, "standard input", BATCH_IN_PLAIN,
	                  NULL) != 0)
		return -1;
	while (!oom && (r = batch_in_next(&in, &rec)) > 0) {
		if (rec.address == NULL) {
			fprintf(stderr, "scorer check: standard input, line "
			        "%lu: %s\n", rec.line,
			        rec.error ? rec.error : "out of memory");
			l->bad++;
		} else {
			oom = add_addr(l, rec.address) != 0;
		}
		batch_rec_clear(&rec);
	}
	batch_in_close(&in);
	if (oom || r < 0)
		fputs(oom ? "scorer: out of memory\n" :
		      "scorer check: cannot read standard input\n", stderr);
	return oom || r < 0 ? -1 : 0;
}

/* -1 on an error (printed). */
static int
collect(struct addrs *l, char **arg, int n)
{
	int i, seen_stdin = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(arg[i], "-") != 0) {
			if (add_addr(l, arg[i]) != 0) {
				fputs("scorer: out of memory\n", stderr);
				return -1;
			}
			continue;
		}
		if (seen_stdin++) {
			fputs("scorer check: - (standard input) given twice\n",
			      stderr);
			return -1;
		}
		if (read_stdin(l) != 0)
			return -1;
	}
	return 0;
}

int
tool_check(int argc, char **argv)
{
	enum { OPT_ENROLLED = TOOL_OPT_OWN };
	static const struct option own[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "enrolled", required_argument, NULL, OPT_ENROLLED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tool_common common = { NULL, 0, NULL, NULL };
	struct opts o = { 0, 0, { sizeof(sc_check_opts_t), 0, 0 } };
	struct addrs list = { NULL, 0, 0, 0 };
	struct option *longopts = tool_longopts(own);
	sc_ctx_t *ctx = NULL;
	int c, i, r, day, rc = TOOL_EXIT_ERROR;

	if (longopts == NULL || sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		free(longopts);
		return TOOL_EXIT_ERROR;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "jqh" TOOL_COMMON_SHORTOPTS,
	                        longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; continue;
		case 'q': o.quiet = 1; continue;
		case OPT_ENROLLED:
			if (tool_parse_date(optarg, &o.check.enrolled,
			                    &day) != 0) {
				fprintf(stderr, "scorer check: --enrolled: a date "
				        "(YYYY-MM-DD or RFC 3339, such as "
				        "2024-05-01T12:00:00Z), not '%s'\n",
				        optarg);
				tool_usage_error("check");
				goto done;
			}
			o.check.flags |= SC_CHECK_ENROLLED |
			                 (day ? SC_CHECK_ENROLLED_DAY : 0);
			continue;
		case 'h':
			check_usage(stdout);
			rc = 0;
			goto done;
		case '?':
		case ':':
			tool_usage_error("check");
			goto done;
		}
		r = tool_common_opt(ctx, &common, c, optarg);
		if (r == 0)
			continue;
		if (r > 0)
			tool_usage_error("check");
		goto done;
	}
	if (optind >= argc) {
		fputs("scorer check: no address given\n", stderr);
		tool_usage_error("check");
		goto done;
	}
	if (tool_common_setup(ctx, &common) != 0 ||
	    collect(&list, argv + optind, argc - optind) != 0)
		goto done;
	rc = list.n > 0 ? run(ctx, &o, list.a, list.n) : TOOL_EXIT_SECURE;
	if (list.bad > 0)
		rc = TOOL_EXIT_ERROR;
done:
	for (i = 0; i < list.n; i++)
		free(list.a[i]);
	free(list.a);
	free(longopts);
	sc_ctx_free(ctx);
	return rc;
}
