/*
 * scorer spf --ip IP --sender ADDRESS [--helo NAME]: SPF check_host() as
 * a receiving server runs it (RFC 7208), through sc_spf_check_host().
 * A tool for mail administrators, and the way the conformance suites run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static void
spf_usage(FILE *out)
{
	fputs("usage: scorer spf [OPTIONS] --ip IP --sender ADDRESS "
	      "[--helo NAME]\n"
	      "       scorer spf [OPTIONS] --ip IP --helo NAME\n"
	      "\n"
	      "SPF check_host() as a receiving server runs it (RFC 7208): "
	      "prints the result\n(pass, fail, softfail, neutral, none, "
	      "permerror, temperror) and the\nexplanation.  Without --sender "
	      "(the null sender), postmaster@HELO is checked.\n"
	      "\n"
	      "      --ip IP                 the client's address (IPv4 or "
	      "IPv6)\n"
	      "      --sender ADDRESS        the MAIL FROM address\n"
	      "      --helo NAME             the HELO/EHLO name\n"
	      "  -j, --json                  {\"result\": ..., "
	      "\"explanation\": ...}\n"
	      "  -r, --resolver HOST[:PORT]  DNS resolver to ask "
	      "(repeatable)\n"
	      "  -t, --timeout SECONDS       longest time the evaluation may "
	      "take (10)\n"
	      "      --rules DIR             rules to use (default: the "
	      "installed ones)\n"
	      "  -h, --help                  this help\n"
	      "\n"
	      "Exit status: 0 whenever the evaluation ran (whatever the "
	      "result), 2 a usage\nerror or a failure.\n", out);
}

/* JSON string escaping for the one object we print. */
static void
put_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
print_result(int json, sc_spf_result_t r, const char *expl)
{
	if (!json) {
		printf("%s\n", sc_spf_result_str(r));
		if (expl != NULL && expl[0] != '\0')
			printf("%s\n", expl);
		return;
	}
	printf("{\"result\":\"%s\",\"explanation\":", sc_spf_result_str(r));
	put_json_string(stdout, expl != NULL ? expl : "");
	printf("}\n");
}

int
tool_spf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "sender", required_argument, NULL, 's' },
		{ "helo", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "rules", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ip = NULL, *sender = NULL, *helo = NULL, *rules = NULL;
	sc_ctx_t *ctx = NULL;
	sc_spf_result_t r;
	char *expl = NULL, *end;
	double timeout = 0;
	int c, json = 0, rc = TOOL_EXIT_ERROR;
	sc_status_t st;

	if (sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "jr:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': ip = optarg; break;
		case 's': sender = optarg; break;
		case 'H': helo = optarg; break;
		case 'j': json = 1; break;
		case 'R': rules = optarg; break;
		case 'r':
			if (sc_ctx_add_resolver(ctx, optarg) != SC_OK) {
				fprintf(stderr, "scorer: --resolver: %s\n",
				        sc_ctx_errmsg(ctx));
				goto done;
			}
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(timeout > 0) ||
			    timeout > 3600) {
				fprintf(stderr, "scorer: --timeout wants seconds "
				        "(0 < s <= 3600), not '%s'\n", optarg);
				goto done;
			}
			break;
		case 'h':
			spf_usage(stdout);
			rc = 0;
			goto done;
		default:
			tool_usage_error("spf");
			goto done;
		}
	}
	if (ip == NULL || optind != argc ||
	    ((sender == NULL || sender[0] == '\0') &&
	     (helo == NULL || helo[0] == '\0'))) {
		fputs(optind != argc ? "scorer spf: no operand is taken\n" :
		      "scorer spf: --ip and --sender or --helo are needed\n",
		      stderr);
		tool_usage_error("spf");
		goto done;
	}
	if (tool_use_rules(ctx, rules) != 0)
		goto done;
	if (timeout > 0 &&
	    sc_ctx_set_timeout_ms(ctx, (unsigned)(timeout * 1000)) != SC_OK)
		goto done;
	st = sc_spf_check_host(ctx, ip, sender, helo, &r, &expl);
	if (st != SC_OK) {
		fprintf(stderr, "scorer spf: %s\n", *sc_ctx_errmsg(ctx) ?
		        sc_ctx_errmsg(ctx) : sc_strerror(st));
		goto done;
	}
	print_result(json, r, expl);
	rc = 0;
done:
	sc_free(expl);
	sc_ctx_free(ctx);
	return rc;
}
