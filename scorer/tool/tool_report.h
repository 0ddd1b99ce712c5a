/* scorer report: the pieces of the command (counting, HTML, charts). */
#ifndef SC_TOOL_REPORT_H
#define SC_TOOL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "tool.h"
#include "tool_results.h"

/* A+ A B C D F, then "no grade" (invalid and unassessed records). */
#define REPORT_NGRADE 7
extern const char *const report_grade_name[REPORT_NGRADE];

/* Bad lines whose numbers are listed; the rest are only counted. */
#define REPORT_BAD_LISTED 10

/* One finding id, one domain, or one reason (why records could not be
 * assessed, why addresses are invalid), and the users it touches.  A
 * user is counted once per entry even when a finding is reported for
 * several MX hosts. */
struct report_count {
	char *name;
	unsigned long users, insecure, error;
	unsigned long seen;   /* the record that last counted it */
	/* findings: as the first record with this id, or the rules, say */
	int sev;              /* RES_SEV_* */
	int unverified;
	char *severity, *category, *title, *fix;
	/* domains: the most severe finding of its insecure users, and the
	 * detail of its first occurrence; reasons: a domain it was seen at */
	const struct report_count *worst;
	char *detail;
};

/* A table of counts keyed by name, bounded to max entries.  Entries do
 * not move, except when a full domain table is cut (table_prune). */
struct report_table {
	struct report_count *ent;
	size_t n, max;
	uint32_t *slot;       /* index + 1 into ent; 0 is empty */
	size_t nslot;         /* a power of two, at least 2 * max */
	unsigned long overflow; /* users of names past the bound */
};

/* One record to act on (not secure) in the table of users; strings are
 * copies, cut to a bounded length. */
struct report_row {
	unsigned long line;
	int cls;              /* RES_INSECURE, RES_ERROR or RES_INVALID */
	int score;            /* -1: none */
	char *address;        /* NULL unless --show-addresses */
	char *domain, *grade, *ids, *key;
};

struct diff;              /* the comparison with --baseline (tool_diff.h) */
struct diff_user;

/* A user whose record changed since the baseline, for the page. */
struct report_change {
	unsigned long line;
	int kind;             /* enum diff_kind */
	char *who;            /* key, and the address with --show-addresses */
	char *domain, *what;
};

#define REPORT_CHANGES_LISTED 100

struct report {
	const char *source;   /* the input's name, for the header */
	sc_ctx_t *ctx;        /* the rules' texts for compact records */
	int show_addresses;
	unsigned long lines;  /* non-blank lines read */
	unsigned long records, cls[RES_NCLASS];
	unsigned long grade[REPORT_NGRADE];
	unsigned long bad;    /* lines that are no record */
	unsigned long bad_line[REPORT_BAD_LISTED];
	unsigned long threat[3]; /* full, remote, other */
	char skipped[256];    /* the checks any record skipped, "a, b" */
	struct report_table finding;
	struct report_table domain;
	unsigned long domain_prunes;    /* times the domain table was cut */
	unsigned long no_domain;        /* assessed records without one */
	struct report_table missing;    /* error records without a finding
	                                 * that says what is missing: by the
	                                 * batch's error text */
	struct report_table invalid;    /* invalid addresses by reason */
	struct report_row *row;
	size_t nrow, maxrow;
	unsigned long rows_not_shown;
	size_t top_domains;
	int has_key;          /* some row has a key: show the column */
	struct diff *diff;              /* NULL without --baseline */
	const char *baseline;           /* its name */
	struct report_change change[REPORT_CHANGES_LISTED];
	size_t nchange;
	unsigned long changes_not_shown;
};

/* Most affected (insecure) users first, then the most severe finding,
 * then most unassessed users, most users, by name: the order of the
 * domains to fix, and what a full table keeps. */
int report_cmp_domain(const void *a, const void *b);

/* Write the whole report as one HTML document; a write error is left in
 * the stream's error flag.  -1: out of memory (message printed). */
int report_html(FILE *out, struct report *r);

/* The record or server to change for a finding at a domain, in words
 * (tool_report_fix.c); "" when the finding names no such place. */
const char *report_where(char *buf, size_t len, const char *id,
                         const char *domain);

/* Charts as inline SVG (no scripts, no links). */
void report_svg_verdicts(FILE *out, const struct report *r);
void report_svg_grades(FILE *out, const struct report *r);
void report_svg_bar(FILE *out, unsigned long n, unsigned long total,
                    const char *cls);

/* Text for HTML: & < > " ' as references, control characters and bytes
 * that are not UTF-8 as U+FFFD; safe in text and in quoted attributes. */
void report_esc(FILE *out, const char *s);
/* n with thousands separators: 1,234,567. */
const char *report_num(char buf[32], unsigned long n);
/* n of total as a percentage with one decimal: "12.3%". */
const char *report_pct(char buf[32], unsigned long n, unsigned long total);

/* The HTML section on the changes since the baseline, and the users it
 * lists (tool_diff_html.c).  -1: out of memory. */
void report_html_changes(FILE *out, const struct report *r);
int report_change_add(struct report *r, const struct result *res,
                      const struct diff_user *u);
void report_change_free(struct report *r);

#endif
