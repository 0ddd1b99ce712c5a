/* scorer batch: the pieces of the command (input, output, summary). */
#ifndef SC_TOOL_BATCH_H
#define SC_TOOL_BATCH_H

#include <stdio.h>

#include <csv.h>

#include "tool.h"

/* One input record. */
struct batch_rec {
	unsigned long line;   /* input line number (or the given number) */
	char *address;        /* NULL when the line itself is bad */
	char *key;            /* JSON object of the other CSV columns, or NULL */
	char **keyfields;     /* the same values, for CSV output */
	char *error;          /* why the line is bad, or NULL */
	char *enrolled;       /* CSV: the enrollment column's value, or NULL */
};

void batch_rec_clear(struct batch_rec *r);

enum batch_in_mode { BATCH_IN_PLAIN, BATCH_IN_NUMBERED, BATCH_IN_CSV };

struct batch_in {
	FILE *fp;
	const char *name;     /* for messages: the path or "standard input" */
	enum batch_in_mode mode;
	const char *column;   /* CSV: the address column */
	unsigned long lineno; /* physical lines read */
	unsigned long last;   /* --numbered: the last number read */
	int field_failed;     /* CSV: a field was lost (out of memory) */
	off_t bytes;          /* bytes read, for the progress bar */
	char why[160];        /* what is wrong with the last record */
	int toolong;          /* the last line read was cut at 64 KiB */
	/* CSV: the lines of the record being read, and lines put back to
	 * be read again after a broken one (tool_batch_input.c). */
	char *raw, *replay;
	size_t rawlen, rawcap, replay_len, replay_pos;
	char fatal[160];      /* why the input cannot go on, or "" */
	/* CSV */
	struct csv_parser csv;
	int csv_ready;
	char **fields;
	size_t nfields, capfields;
	int record_done;
	char **header;
	size_t nheader;
	long addr_col;
	long enrolled_col;    /* --enrolled-column, or -1 */
};

/* Open the reader (name for messages); for CSV the header is read here.
 * -1 on error (message printed). */
int batch_in_open(struct batch_in *in, FILE *fp, const char *name,
                  enum batch_in_mode mode, const char *column);
void batch_in_close(struct batch_in *in);
/* CSV: also read the column name (the date each address was enrolled)
 * into each record's enrolled.  -1 when the header has no such column
 * (message printed). */
int batch_in_enrolled_column(struct batch_in *in, const char *name);
/* The next record: 1, 0 at the end, -1 when the input cannot go on
 * (in->fatal says why; empty: out of memory). */
int batch_in_next(struct batch_in *in, struct batch_rec *rec);

enum batch_out_format { BATCH_OUT_JSONL, BATCH_OUT_CSV };

struct batch_out {
	FILE *fp;
	const char *name;     /* for messages: the path or "standard output" */
	enum batch_out_format format;
	char **keynames;      /* CSV output: the key columns */
	size_t nkeys;
	int evidence;         /* JSON Lines: the whole report (--evidence) */
};

/* --resume: read the output fp (open for reading and writing, locked)
 * from the start; each record's line number and address go to verify(),
 * which says whether the input has them too (1) or not (0, message
 * printed); a CSV header must be header (NULL: no header written).  Then
 * a half-written last record is cut off, fp is left at the end, and
 * *last_line is the last line written whole (0: none).  -1 on a refusal
 * or an error (message printed, naming path). */
int batch_out_resume(FILE *fp, const char *path, enum batch_out_format format,
                     const char *header, unsigned long *last_line,
                     int (*verify)(void *, unsigned long, const char *),
                     void *ud);
int batch_out_header(struct batch_out *out);
/* One JSON Lines record, compact or the whole report (evidence), into
 * the stream's buffer; rep NULL: the error record of rec.  -1 on error
 * (tool_batch_record.c). */
int batch_record_write(FILE *fp, const struct batch_rec *rec,
                       const sc_report_t *rep, int evidence);
/* Write one record whole and flush it.  -1 on a write error. */
int batch_out_write(struct batch_out *out, const struct batch_rec *rec,
                    const sc_report_t *rep);

/* The summary of a run: counts of users (records), each finding id once
 * per user however many MX hosts show it, the same numbers `scorer
 * report` puts on its page. */
struct batch_count {
	const char *id;
	unsigned long n;      /* users (records) with this finding */
	unsigned long seen;   /* the record that last counted it */
	sc_severity_t severity;
	sc_category_t category;
	int unverified;       /* "could not verify": not a weakness */
};

struct batch_summary {
	unsigned long records, secure, insecure;
	unsigned long error;  /* verdict error, the invalid ones included */
	unsigned long invalid; /* not an address: address.invalid, or a bad
	                        * input line */
	unsigned long grade[6];
	struct batch_count finding[128]; /* ids owned (strdup) */
	size_t nfinding;
	double started;
};

/* bad_line: rec had no address (a bad input line). */
void batch_summary_add(struct batch_summary *s, const sc_report_t *rep,
                       int bad_line);
void batch_summary_clear(struct batch_summary *s);
/* ctx: for its notices (sc_ctx_notice()), said once at the end. */
void batch_summary_print(FILE *fp, const struct batch_summary *s,
                         const sc_stats_t *st, sc_ctx_t *ctx, int json);
double batch_now(void);

/* --fail-on: which records make the exit status 1. */
struct batch_fail_on {
	int insecure, error;
	int severity;         /* a verified finding this severe or worse
	                       * (sc_severity_t); -1: not asked */
};

/* Parse "insecure,error,high" ...  -1 on an unknown word. */
int batch_fail_on_parse(struct batch_fail_on *f, const char *arg);
int batch_fail_on_match(const struct batch_fail_on *f,
                        const sc_report_t *rep);

/* The progress line on a terminal (tool_progress.c). */
struct batch_progress {
	double started;
	unsigned long done;       /* records written */
	unsigned long taken;      /* records read (written or running) */
	off_t bytes, total;       /* input read, input size (0: unknown) */
	size_t domains;           /* domains looked up */
	const char *waiting;      /* the check running longest, or NULL */
	double waited;            /* for how many seconds */
	int width;                /* the terminal's columns */
};

void batch_progress_show(FILE *fp, const struct batch_progress *p,
                         int final);
/* The width of the terminal on fd, or 0 when it cannot be told. */
int batch_progress_width(int fd);

#endif
