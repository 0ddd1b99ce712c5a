/*
 * scorer: is this recovery email address really secure?
 * The entry point: dispatches to the commands, and `scorer help`.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "tool_file.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "check", tool_check,
	  "rate addresses: verdict, grade, score and what to fix" },
	{ "batch", tool_batch,
	  "rate a list of any length, one record a line (JSON Lines, CSV)" },
	{ "report", tool_report, "one HTML page from the records of batch" },
	{ "diff", tool_diff,
	  "what changed between two runs of batch; exit 1 if anything got "
	  "worse" },
	{ "spf", tool_spf, "evaluate SPF for a client IP and a sender" },
	{ "explain", tool_explain,
	  "what a finding means and how to fix it; --list for all" },
	{ "corpus", tool_corpus,
	  "build, query and describe a local breach corpus" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *out)
{
	size_t i;

	fputs("usage: scorer COMMAND [OPTIONS] [ARGUMENTS]\n"
	      "       scorer help [COMMAND]\n"
	      "       scorer -h|--help | -V|--version\n"
	      "\n"
	      "Is this recovery email address really secure?\n"
	      "\n"
	      "Commands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("  help     the options of a command\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help     this help\n"
	      "  -V, --version  the version\n"
	      "\n"
	      "'scorer COMMAND --help' or 'scorer help COMMAND' describes a "
	      "command and its\noptions; options may come anywhere before "
	      "'--'.  Exit status of check:\n0 every address secure, 1 any "
	      "insecure, 2 a usage error or an address that\ncould not be "
	      "assessed; of the others, see their help.  Manual: "
	      "scorer(1).\n", out);
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* argv[0] of the command is "scorer NAME", so that getopt's messages
 * name it. */
static int
run(const struct command *cmd, int argc, char **argv)
{
	static char name[32];

	snprintf(name, sizeof(name), "scorer %s", cmd->name);
	argv[0] = name;
	return cmd->run(argc, argv);
}

/* scorer help [COMMAND]: the command's own --help. */
static int
help(int argc, char **argv)
{
	static char opt[] = "--help";
	const struct command *cmd;
	char *args[3];

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 || (cmd = find(argv[1])) == NULL) {
		fprintf(stderr, argc > 2 ? "scorer help: one command at a time\n"
		        : "scorer help: no command '%s'\n", argv[1]);
		usage(stderr);
		return TOOL_EXIT_ERROR;
	}
	args[0] = argv[1];
	args[1] = opt;
	args[2] = NULL;
	return run(cmd, 2, args);
}

static int
dispatch(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("scorer %s\n", sc_version());
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	if ((cmd = find(argv[1])) != NULL)
		return run(cmd, argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr, "scorer: unknown option '%s' (options come "
		        "after the command)\n", argv[1]);
	else
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
