/* The scorer command line: it uses only the public API (scorer.h). */
#ifndef SC_TOOL_H
#define SC_TOOL_H

#include <stdio.h>

#include "scorer.h"

#define TOOL_EXIT_SECURE 0
#define TOOL_EXIT_INSECURE 1
#define TOOL_EXIT_ERROR 2

int tool_check(int argc, char **argv);
int tool_explain(int argc, char **argv);

/* Apply --rules DIR, or find the rules: $SCORER_RULES_DIR, the installed
 * ones, or ../rules next to the binary (a build tree).  Prints the error
 * and returns non-zero on failure. */
int tool_use_rules(sc_ctx_t *ctx, const char *dir);

/* Text output for people. */
void tool_text_report(FILE *out, const sc_report_t *rep, int colour);
int tool_want_colour(FILE *out);

#endif
