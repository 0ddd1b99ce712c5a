/* Reading the JSON Lines of scorer batch, compact or with --evidence, as
 * scorer report and scorer diff do (tool_results.c). */
#ifndef SC_TOOL_RESULTS_H
#define SC_TOOL_RESULTS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* What a record counts as: its verdict, except that an invalid address
 * (address.invalid, or a bad input line without an address) is counted
 * as invalid rather than as "could not be assessed". */
enum { RES_SECURE, RES_INSECURE, RES_ERROR, RES_INVALID, RES_NCLASS };

/* Severities, most severe first; RES_SEV_UNKNOWN for anything else. */
enum { RES_SEV_CRITICAL, RES_SEV_HIGH, RES_SEV_MEDIUM, RES_SEV_LOW,
       RES_SEV_INFO, RES_SEV_UNKNOWN };

extern const char *const res_class_name[RES_NCLASS];
extern const char *const res_sev_name[RES_SEV_UNKNOWN];

/* One finding; strings borrowed from the record's tree.  category, title
 * and fix are NULL in a compact record (the rules have them). */
struct res_finding {
	const char *id, *severity, *detail, *category, *title, *fix;
	int sev;
	int unverified;       /* "could not verify": not a weakness */
	int dup;              /* the id came earlier in the record (one
	                       * finding reported for several MX hosts) */
};

struct result {
	json_t *root;         /* owns the strings below */
	unsigned long line;   /* "line", else the line number in the file */
	int verdict;          /* RES_SECURE, RES_INSECURE or RES_ERROR */
	int cls;              /* verdict, or RES_INVALID */
	int score;            /* -1: none */
	const char *address, *domain, *grade, *error, *checked;
	const char *threat_model;
	json_t *key;          /* the user's key: a non-empty object, or NULL */
	json_t *skipped;      /* array, or NULL */
	struct res_finding *f;
	size_t nf, capf;
};

/* Parse one line.  1: a record (release it with result_release()); 0:
 * not a record (not a JSON object with a verdict of secure, insecure or
 * error); -1: out of memory. */
int result_parse(struct result *r, const char *buf, size_t len,
                 unsigned long lineno);
/* Drop the record's tree; the finding array is kept for the next. */
void result_release(struct result *r);
void result_free(struct result *r);

int result_sev(const char *severity);
/* FNV-1a of a string, for the tool's hash tables. */
uint32_t tool_hash(const char *s);
/* Room for n + 1 elements of size bytes in the array *pp of *cap (grown
 * by doubling from first); -1 out of memory, the array as it was. */
int tool_grow(void *pp, size_t *cap, size_t n, size_t size, size_t first);
/* "secure", "insecure", "error", "invalid"; "none" for another value. */
const char *res_class_str(int cls);

/* The user a record belongs to, for matching two runs: "k" and the key
 * as compact JSON with sorted members when the record has one, else "a"
 * and the address; NULL when it has neither (a bad input line) or out
 * of memory.  Free with free(). */
char *result_user(const struct result *r);

/* Lines of a file of any length, read one at a time. */
struct res_reader {
	FILE *fp;
	char *buf;
	size_t cap;
	unsigned long lineno;
};

/* The next line that is not blank, without its newline (a UTF-8
 * byte-order mark at the start of the input taken off): 1, or 0 at the
 * end (or on a read error: ferror(fp)).  A line past 16 MiB is read to
 * its end and comes back with *toolong set and no text; -1 for one past
 * 64 MiB (/dev/zero): rd->lineno is its number, and this is no JSON
 * Lines. */
int res_next_line(struct res_reader *rd, const char **line, size_t *len,
                  int *toolong);
void res_reader_free(struct res_reader *rd);

/* Every line of fp: record() for each record (r is released after it;
 * -1 from it means out of memory), bad() for each line that is no
 * record; *lines (if not NULL) counts the lines that are not blank.  0,
 * or -1 with the reason printed after "who: " (out of memory, a read
 * error, a line past 64 MiB: no JSON Lines). */
int res_foreach(FILE *fp, const char *who,
                int (*record)(void *ctx, const struct result *r),
                void (*bad)(void *ctx, unsigned long lineno), void *ctx,
                unsigned long *lines);

#endif
