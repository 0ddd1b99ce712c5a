/* The scorer command line: it uses only the public API (scorer.h). */
#ifndef SC_TOOL_H
#define SC_TOOL_H

#include <getopt.h>
#include <stdio.h>

#include "scorer.h"

#define TOOL_EXIT_SECURE 0
#define TOOL_EXIT_INSECURE 1
#define TOOL_EXIT_ERROR 2

int tool_check(int argc, char **argv);
int tool_explain(int argc, char **argv);
int tool_corpus(int argc, char **argv);
int tool_spf(int argc, char **argv);

/* Apply --rules DIR, or the library's default rules (sc_ctx_rules_dir():
 * $SCORER_RULES_DIR, the installed ones), or ../rules next to the binary
 * (a build tree) when those do not exist.  Prints the error and returns
 * non-zero on failure. */
int tool_use_rules(sc_ctx_t *ctx, const char *dir);

/* The context's notices (conditions of the run, sc_ctx_notice()), once
 * each on stderr (tool_text.c). */
void tool_print_notices(sc_ctx_t *ctx);

/*
 * Command lines are GNU style: getopt_long() with permutation, so options
 * may come anywhere before "--" and operands after it; short forms for
 * the common ones (-j JSON, -o output, -r resolver, -t timeout, -q quiet,
 * -h help).  A command prints its own --help; on a usage error getopt has
 * named the option (argv[0] is "scorer COMMAND") and the command points
 * at its --help (tool_usage_error()).
 */

/* "Try 'scorer CMD --help'" on stderr; returns TOOL_EXIT_ERROR. */
int tool_usage_error(const char *cmd);

/* The options check and batch share (tool_opts.c): the ones with a short
 * form use it as their code. */
#define TOOL_COMMON_SHORTOPTS "r:t:"
enum {
	TOOL_OPT_RESOLVER = 'r',
	TOOL_OPT_TIMEOUT = 't',
	TOOL_OPT_RULES = 256,
	TOOL_OPT_LOOPBACK,
	TOOL_OPT_SMTP_PORT,
	TOOL_OPT_HTTPS_PORT,
	TOOL_OPT_CA_FILE,
	TOOL_OPT_BREACH_CORPUS,
	TOOL_OPT_BREACH_API,
	TOOL_OPT_BREACH_KEY,
	TOOL_OPT_SKIP,
	TOOL_OPT_CACHE,
	TOOL_OPT_THREAT,
	TOOL_OPT_MX_SESSIONS,
	TOOL_OPT_NS_PORT,
	TOOL_OPT_RDAP_BOOTSTRAP,
	TOOL_OPT_RDAP_RATE,
	TOOL_OPT_OWN = 512 /* a command's own long-only options from here */
};

struct tool_common {
	const char *rules;
	double timeout;
	const char *breach_api;
	const char *breach_api_key;
};

extern const struct option tool_common_longopts[];
/* Their --help text. */
void tool_common_help(FILE *fp);
/* The command's own options followed by the common ones (free()). */
struct option *tool_longopts(const struct option *own);
/* A number from min to max for option opt of command cmd; -1 (message
 * printed) when arg is not one. */
int tool_number(const char *cmd, const char *opt, const char *arg,
                size_t min, size_t max, size_t *out);
/* 0: applied, 1: not a common option, -1: bad value (message printed). */
int tool_common_opt(sc_ctx_t *ctx, struct tool_common *o, int c,
                    const char *arg);
/* A date as --enrolled and --enrolled-column take it: YYYY-MM-DD
 * (00:00 UTC, and *day set: SC_CHECK_ENROLLED_DAY) or an RFC 3339 date
 * and time (2024-05-01T12:00:00Z, +02:00 offsets allowed), in seconds
 * since the epoch.  0, or -1. */
int tool_parse_date(const char *s, long long *out, int *day);

/* After the command line: rules and the breach API.  -1 on error. */
int tool_common_setup(sc_ctx_t *ctx, const struct tool_common *o);

int tool_batch(int argc, char **argv);
/* scorer report: an HTML page from batch's JSON Lines (tool_report.c). */
int tool_report(int argc, char **argv);
/* scorer diff: two runs compared (tool_diff_cmd.c). */
int tool_diff(int argc, char **argv);
/* The modification time of an open file (now when it has none), as
 * RFC 3339 UTC: the time of records that do not say when they were
 * checked. */
void tool_file_time(FILE *fp, char buf[32]);

/* Text output for people. */
void tool_text_report(FILE *out, const sc_report_t *rep, int colour);
/* Its SPF and DMARC lines (tool_text_auth.c). */
void tool_text_sender_auth(FILE *out, const sc_report_t *rep);
int tool_want_colour(FILE *out);

#endif
