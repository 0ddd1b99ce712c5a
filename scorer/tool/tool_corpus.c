/*
 * scorer corpus build|lookup|info: the local breach corpus by hand.
 * Public API only (sc_corpus_*, sc_address_canonical).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static void
corpus_usage(FILE *out)
{
	fputs("usage: scorer corpus build [--memory MB] [--quiet] "
	      "[--allow-empty] IN OUT\n"
	      "       scorer corpus lookup [--rules DIR] FILE ADDRESS|SHA1...\n"
	      "       scorer corpus info FILE\n"
	      "\n"
	      "The local breach corpus (scorer check --breach-corpus).\n"
	      "  build   compile a text hash list (HASH or HASH:COUNT a line, "
	      "the SHA-1 of\n"
	      "          the lower-cased address) into an index, in bounded "
	      "memory\n"
	      "  lookup  is each address (as given, or its canonical form) or "
	      "SHA-1 in FILE?\n"
	      "  info    what a corpus file holds\n"
	      "\n"
	      "      --memory MB  build: memory for sorting (256)\n"
	      "  -q, --quiet      build: no progress bar and no summary "
	      "(malformed lines\n"
	      "                   are still reported)\n"
	      "      --allow-empty  build: an index of no records instead of "
	      "an error\n"
	      "                   for a list with no hash\n"
	      "      --rules DIR  lookup: the rules whose canonical.ini "
	      "gives the canonical\n"
	      "                   forms (default: the installed ones)\n"
	      "  -h, --help       this help\n"
	      "\n"
	      "Exit status: 0; for lookup 0 none found, 1 some found; 2 an "
	      "error.\n", out);
}

/* ---- build ---------------------------------------------------------- */

struct bar {
	int on;
	const char *phase;
	int last;
};

static void
on_progress(void *ud, const char *phase, unsigned long long done,
            unsigned long long total)
{
	struct bar *b = ud;
	int pct = total > 0 ? (int)(done * 100 / total) : -1, i;
	char line[32];

	if (!b->on || (pct == b->last && phase == b->phase))
		return;
	if (b->phase != NULL && strcmp(b->phase, phase) != 0)
		fputc('\n', stderr);
	b->phase = phase;
	b->last = pct;
	for (i = 0; i < 30; i++)
		line[i] = pct >= 0 && i < pct * 30 / 100 ? '#' : '.';
	line[30] = '\0';
	if (pct >= 0)
		fprintf(stderr, "\r%-8s [%s] %3d%%  %llu", phase, line, pct, done);
	else
		fprintf(stderr, "\r%-8s %llu", phase, done);
	fflush(stderr);
}

static void
print_stats(const sc_corpus_stats_t *st)
{
	size_t i;

	fprintf(stderr, "scorer corpus: %llu lines, %llu hashes, %llu "
	        "distinct, %llu duplicates, %llu blank, %llu malformed",
	        st->lines, st->hashes, st->records, st->duplicates, st->blank,
	        st->malformed);
	if (st->runs > 0)
		fprintf(stderr, " (%u sorted runs merged)", st->runs);
	fputc('\n', stderr);
	if (st->malformed == 0)
		return;
	fputs("scorer corpus: malformed lines (skipped):", stderr);
	for (i = 0; i < st->nbad; i++)
		fprintf(stderr, " %llu", st->bad_line[i]);
	if (st->malformed > st->nbad)
		fprintf(stderr, " and %llu more", st->malformed - st->nbad);
	fputc('\n', stderr);
}

static int
cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "allow-empty", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct bar bar = { 0, NULL, -2 };
	sc_corpus_stats_t st = { .size = sizeof(st) };
	unsigned long mb = 0;
	unsigned flags = 0;
	sc_status_t rc;
	int c, quiet = 0;
	char *end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mb = strtoul(optarg, &end, 10);
			if (end == optarg || *end != '\0' || mb == 0 ||
			    mb > 1024 * 1024) {
				fprintf(stderr, "scorer corpus: --memory wants "
				        "megabytes, not '%s'\n", optarg);
				return TOOL_EXIT_ERROR;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h':
			corpus_usage(stdout);
			return 0;
		case 'e': flags |= SC_CORPUS_ALLOW_EMPTY; break;
		default:
			return tool_usage_error("corpus");
		}
	}
	if (argc - optind != 2) {
		fputs("scorer corpus build: IN and OUT are needed\n", stderr);
		return tool_usage_error("corpus");
	}
	/* The bar only on a terminal: logs and pipes get the summary. */
	bar.on = !quiet && isatty(STDERR_FILENO);
	rc = sc_corpus_build_ex(argv[optind], argv[optind + 1],
	                        (size_t)mb << 20, flags, on_progress, &bar, &st);
	if (bar.phase != NULL)
		fputc('\n', stderr);
	if (rc != SC_OK) {
		fprintf(stderr, "scorer corpus: %s\n",
		        st.errmsg[0] ? st.errmsg : sc_strerror(rc));
		return TOOL_EXIT_ERROR;
	}
	if (!quiet || st.malformed > 0)
		print_stats(&st);
	return 0;
}

/* ---- lookup ------------------------------------------------------------ */

static void
print_hit(const char *key, const char *form, unsigned long long count)
{
	printf("%s: found (%s", key, form);
	if (count > 0)
		printf(", count %llu", count);
	puts(")");
}

static int
lookup_one(sc_ctx_t *ctx, sc_corpus_t *corpus, const char *key)
{
	unsigned long long count;
	char *canon = NULL, form[600];
	int found, any = 0;

	if (sc_corpus_lookup(corpus, key, &found, &count) != SC_OK) {
		fprintf(stderr, "scorer corpus: '%s': not an address or a "
		        "SHA-1\n", key);
		return -1;
	}
	if (found) {
		print_hit(key, "as given", count);
		any = 1;
	}
	if (strchr(key, '@') != NULL &&
	    sc_address_canonical(ctx, key, &canon) == SC_OK && canon != NULL) {
		if (sc_corpus_lookup(corpus, canon, &found, &count) == SC_OK &&
		    found) {
			snprintf(form, sizeof(form), "as its canonical form %s",
			         canon);
			print_hit(key, form, count);
			any = 1;
		}
		sc_free(canon);
	}
	if (!any)
		printf("%s: not found\n", key);
	return any;
}

/* The options of lookup and info: --rules (lookup only) and --help.
 * The index of the first operand, or -1 (help printed: exit 0) or -2 (a
 * usage error, printed). */
static int
sub_opts(int argc, char **argv, const char **rules)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", rules ? longopts :
	                        longopts + 1, NULL)) != -1) {
		if (c == 'R') {
			*rules = optarg;
		} else if (c == 'h') {
			corpus_usage(stdout);
			return -1;
		} else {
			tool_usage_error("corpus");
			return -2;
		}
	}
	return optind;
}

static int
cmd_lookup(int argc, char **argv)
{
	const char *rules = NULL;
	sc_corpus_t *corpus = NULL;
	sc_ctx_t *ctx = NULL;
	int i, rc = 0, r;
	char err[512];

	if ((i = sub_opts(argc, argv, &rules)) < 0)
		return i == -1 ? 0 : TOOL_EXIT_ERROR;
	if (argc - i < 2) {
		fputs("scorer corpus lookup: FILE and an address or SHA-1 are "
		      "needed\n", stderr);
		return tool_usage_error("corpus");
	}
	if (sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	if (tool_use_rules(ctx, rules) != 0) {
		sc_ctx_free(ctx);
		return TOOL_EXIT_ERROR;
	}
	if (sc_corpus_open(argv[i], &corpus, err, sizeof(err)) != SC_OK) {
		fprintf(stderr, "scorer corpus: %s\n", err);
		sc_ctx_free(ctx);
		return TOOL_EXIT_ERROR;
	}
	for (i++; i < argc; i++) {
		r = lookup_one(ctx, corpus, argv[i]);
		if (r < 0)
			rc = TOOL_EXIT_ERROR;
		else if (r > 0 && rc == 0)
			rc = 1;
	}
	sc_corpus_close(corpus);
	sc_ctx_free(ctx);
	return rc;
}

/* ---- info ----------------------------------------------------------- */

static int
cmd_info(int argc, char **argv)
{
	sc_corpus_t *corpus = NULL;
	sc_corpus_info_t info = { .size = sizeof(info) };
	char err[512];
	int i;

	if ((i = sub_opts(argc, argv, NULL)) < 0)
		return i == -1 ? 0 : TOOL_EXIT_ERROR;
	if (argc - i != 1) {
		fputs("scorer corpus info: one FILE is needed\n", stderr);
		return tool_usage_error("corpus");
	}
	argv += i - 1;
	if (sc_corpus_open(argv[1], &corpus, err, sizeof(err)) != SC_OK) {
		fprintf(stderr, "scorer corpus: %s\n", err);
		return TOOL_EXIT_ERROR;
	}
	sc_corpus_info(corpus, &info);
	printf("file:         %s\n", argv[1]);
	printf("format:       %s\n", info.from_text ?
	       "text hash list (compiled on the fly)" : "index");
	printf("version:      %u\n", info.version);
	printf("records:      %llu\n", info.records);
	printf("counts:       %s\n", info.has_counts ? "yes" : "no");
	if (info.has_counts)
		printf("total count:  %llu\n", info.total);
	printf("prefix bits:  %u\n", info.prefix_bits);
	printf("record size:  %u bytes\n", info.record_size);
	printf("index size:   %llu bytes", info.bytes);
	if (info.records > 0)
		printf(" (%.2f bytes a hash)", (double)info.bytes /
		       (double)info.records);
	putchar('\n');
	if (info.from_text)
		printf("malformed:    %llu lines skipped\n", info.malformed);
	sc_corpus_close(corpus);
	return 0;
}

int
tool_corpus(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} sub[] = {
		{ "build", cmd_build },
		{ "lookup", cmd_lookup },
		{ "info", cmd_info },
	};
	static char name[32];
	size_t i;

	if (argc < 2) {
		corpus_usage(stderr);
		return TOOL_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		corpus_usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (strcmp(argv[1], sub[i].name) != 0)
			continue;
		/* getopt's messages name "scorer corpus build" */
		snprintf(name, sizeof(name), "scorer corpus %s", sub[i].name);
		argv[1] = name;
		return sub[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "scorer corpus: unknown command '%s'\n", argv[1]);
	return tool_usage_error("corpus");
}
