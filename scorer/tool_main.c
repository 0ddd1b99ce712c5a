/*
 * scorer: is this recovery email address really secure?
 * The entry point: dispatches to the commands.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "tool_file.h"

static void
usage(FILE *out)
{
	fputs("usage: scorer check [--json] [--resolver HOST[:PORT]]... "
	      "[--rules DIR]\n"
	      "                    [--timeout SECONDS] [--allow-loopback] "
	      "ADDRESS...\n"
	      "       scorer batch [--input FILE] [--output FILE] "
	      "[options]: see scorer batch --help\n"
	      "       scorer report [--output FILE|-] RESULTS.jsonl\n"
	      "       scorer explain FINDING-ID\n"
	      "       scorer corpus build|lookup|info ...\n"
	      "       scorer spf --ip IP --sender ADDRESS [--helo NAME] [--json]\n"
	      "       scorer --help | --version\n"
	      "\n"
	      "check     rate each address: verdict, grade, score, findings\n"
	      "explain   what a finding means and how to fix it\n"
	      "\n"
	      "Exit status: 0 every address secure, 1 any insecure, 2 usage "
	      "error or any\naddress that could not be assessed.  See "
	      "scorer(1).\n", out);
}

static int
dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("scorer %s\n", sc_version());
		return 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return tool_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "batch") == 0)
		return tool_batch(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return tool_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return tool_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "corpus") == 0)
		return tool_corpus(argc - 1, argv + 1);
	if (strcmp(argv[1], "spf") == 0)
		return tool_spf(argc - 1, argv + 1);
	fprintf(stderr, "scorer: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return TOOL_EXIT_ERROR;
}

int
main(int argc, char **argv)
{
	/* What every command printed is checked here, once: a write that
	 * failed (a full disk, /dev/full, a closed pipe) is an error, not a
	 * success. */
	return tool_stdout_done(dispatch(argc, argv));
}
