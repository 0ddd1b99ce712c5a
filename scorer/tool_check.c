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
	const char *rules;
	double timeout;
	int allow_loopback;
	unsigned https_port;     /* 0: the library's default (443) */
	const char *ca_file;
	unsigned smtp_port;      /* 0: the library's default (25) */
	const char *breach_corpus;
	const char *breach_api;
	const char *breach_api_key;
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
parse_timeout(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v > 0) || v > 3600)
		return -1;
	*out = v;
	return 0;
}

/* A TCP port, 1..65535. */
static int
parse_port(const char *arg, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end != '\0' || *arg == '-' || v == 0 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
setup(sc_ctx_t *ctx, const struct opts *o)
{
	if (tool_use_rules(ctx, o->rules) != 0)
		return -1;
	if (o->timeout > 0 &&
	    sc_ctx_set_timeout_ms(ctx, (unsigned)(o->timeout * 1000)) != SC_OK)
		return -1;
	sc_ctx_set_allow_loopback(ctx, o->allow_loopback);
	if (o->https_port != 0 &&
	    sc_ctx_set_https_port(ctx, o->https_port) != SC_OK)
		return -1;
	if (o->smtp_port != 0 &&
	    sc_ctx_set_smtp_port(ctx, o->smtp_port) != SC_OK)
		return -1;
	/* A CA file that cannot be read would fail every TLS check later,
	 * as "input/output error": say which file, now. */
	if (o->ca_file != NULL) {
		FILE *f = fopen(o->ca_file, "r");

		if (f == NULL) {
			fprintf(stderr, "scorer: --ca-file: cannot read %s\n",
			        o->ca_file);
			return -1;
		}
		fclose(f);
	}
	if (o->ca_file != NULL && sc_ctx_set_ca_file(ctx, o->ca_file) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return -1;
	}
	/* The key from the environment keeps it out of ps and shell
	 * history; --breach-api-key wins when both are given. */
	if ((o->breach_corpus != NULL &&
	     sc_ctx_set_breach_corpus(ctx, o->breach_corpus) != SC_OK) ||
	    (o->breach_api != NULL &&
	     sc_ctx_set_breach_api(ctx, o->breach_api,
	                           o->breach_api_key != NULL ? o->breach_api_key
	                           : getenv("SCORER_BREACH_API_KEY")) != SC_OK)) {
		fputs("scorer: bad --breach-corpus or --breach-api\n", stderr);
		return -1;
	}
	return 0;
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
	rc = exit_code(slots, n);
	for (i = 0; i < n; i++)
		sc_report_free(slots[i].report);
	free(slots);
	return rc;
}

static void
check_usage(void)
{
	fputs("usage: scorer check [--json] [--resolver HOST[:PORT]]... "
	      "[--rules DIR]\n"
	      "                    [--timeout SECONDS] [--allow-loopback] "
	      "[--https-port N]\n"
	      "                    [--smtp-port N] [--ca-file FILE] "
	      "[--breach-corpus FILE]\n"
	      "                    [--breach-api URL [--breach-api-key KEY]] "
	      "ADDRESS...\n", stderr);
}

int
tool_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "rules", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "allow-loopback", no_argument, NULL, 'L' },
		{ "https-port", required_argument, NULL, 'H' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "smtp-port", required_argument, NULL, 'S' },
		{ "breach-corpus", required_argument, NULL, 'B' },
		{ "breach-api", required_argument, NULL, 'A' },
		{ "breach-api-key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL, NULL };
	sc_ctx_t *ctx = NULL;
	int c, rc = TOOL_EXIT_ERROR;

	if (sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'R': o.rules = optarg; break;
		case 'L': o.allow_loopback = 1; break;
		case 'C': o.ca_file = optarg; break;
		case 'B': o.breach_corpus = optarg; break;
		case 'A': o.breach_api = optarg; break;
		case 'K': o.breach_api_key = optarg; break;
		case 'S':
			if (parse_port(optarg, &o.smtp_port) != 0) {
				fprintf(stderr, "scorer: --smtp-port wants a port "
				        "(1..65535), not '%s'\n", optarg);
				goto done;
			}
			break;
		case 'H':
			if (parse_port(optarg, &o.https_port) != 0) {
				fprintf(stderr, "scorer: --https-port wants a port "
				        "(1..65535), not '%s'\n", optarg);
				goto done;
			}
			break;
		case 'r':
			if (sc_ctx_add_resolver(ctx, optarg) != SC_OK) {
				fprintf(stderr, "scorer: --resolver: %s\n",
				        sc_ctx_errmsg(ctx));
				goto done;
			}
			break;
		case 't':
			if (parse_timeout(optarg, &o.timeout) != 0) {
				fprintf(stderr, "scorer: --timeout wants seconds "
				        "(0 < s <= 3600), not '%s'\n", optarg);
				goto done;
			}
			break;
		case 'h':
			check_usage();
			rc = 0;
			goto done;
		default:
			check_usage();
			goto done;
		}
	}
	if (optind >= argc) {
		fputs("scorer check: no address given\n", stderr);
		check_usage();
		goto done;
	}
	if (setup(ctx, &o) != 0)
		goto done;
	rc = run(ctx, &o, argv + optind, argc - optind);
done:
	sc_ctx_free(ctx);
	return rc;
}
