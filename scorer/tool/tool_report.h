/* scorer report: the pieces of the command (counting, HTML, charts). */
#ifndef SC_TOOL_REPORT_H
#define SC_TOOL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "tool.h"

enum { REPORT_SECURE, REPORT_INSECURE, REPORT_ERROR, REPORT_NVERDICT };

/* A+ A B C D F, then "no grade" (a bad input line of batch has none). */
#define REPORT_NGRADE 7
extern const char *const report_grade_name[REPORT_NGRADE];
extern const char *const report_verdict_name[REPORT_NVERDICT];

/* Bad lines whose numbers are listed; the rest are only counted. */
#define REPORT_BAD_LISTED 10

/* One finding id or one domain, and the users it touches.  A user is
 * counted once per finding id even when the finding is reported for
 * several MX hosts. */
struct report_count {
	char *name;
	unsigned long users, insecure, error;
	unsigned long seen;   /* the record that last counted it */
	/* findings only: as the first record with this id said them */
	char *severity, *title, *fix;
};

/* A table of counts keyed by name, bounded to max entries. */
struct report_table {
	struct report_count *ent;
	size_t n, max;
	uint32_t *slot;       /* index + 1 into ent; 0 is empty */
	size_t nslot;         /* a power of two, at least 2 * max */
};

/* One non-secure record in the searchable table; strings are copies,
 * cut to a bounded length. */
struct report_row {
	unsigned long line;
	int verdict;
	int score;            /* -1: none */
	char *address, *domain, *grade, *ids, *detail, *key;
};

struct report {
	const char *source;   /* the input's name, for the header */
	unsigned long lines;  /* non-blank lines read */
	unsigned long records, verdict[REPORT_NVERDICT];
	unsigned long grade[REPORT_NGRADE];
	unsigned long bad;    /* lines that are no record */
	unsigned long bad_line[REPORT_BAD_LISTED];
	struct report_table finding;
	unsigned long finding_overflow; /* ids past the table's bound */
	struct report_table domain;
	unsigned long domain_prunes;    /* times the domain table was cut */
	unsigned long no_domain;        /* records without a domain */
	struct report_row *row;
	size_t nrow, maxrow;
	unsigned long rows_not_shown;
	size_t top_domains;
	int has_key;          /* some row has a key: show the column */
};

/* Most affected users first, then most users, then by name: the order
 * of the domain list, and of what a full domain table keeps (qsort). */
int report_cmp_domain(const void *a, const void *b);

/* Write the whole report as one HTML document; a write error is left in
 * the stream's error flag.  Sorts r's tables. */
void report_html(FILE *out, struct report *r);

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

#endif
