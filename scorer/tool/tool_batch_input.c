/*
 * batch input: one address a line, "LINE<TAB>ADDRESS" lines (for splitting
 * a numbered list across processes), or CSV with a header (libcsv), where
 * --column names the address and the other columns are the user's key.
 * Blank lines and '#' comments are skipped; a bad line is a record with an
 * error, never dropped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tool_batch.h"

#define MAX_LINE 65536 /* no address is longer; a longer line is an error */
/* A line that goes on past this (/dev/zero has no end of line) is not a
 * list of addresses: the run stops rather than read it for ever. */
#define MAX_SKIP ((size_t)16 << 20)
/* --numbered: the largest number every JSON reader holds exactly. */
#define MAX_NUMBER 9007199254740991ULL

void
batch_rec_clear(struct batch_rec *r)
{
	size_t i;

	free(r->address);
	free(r->key);
	free(r->error);
	free(r->enrolled);
	if (r->keyfields != NULL)
		for (i = 0; r->keyfields[i] != NULL; i++)
			free(r->keyfields[i]);
	free(r->keyfields);
	memset(r, 0, sizeof(*r));
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One physical line, without its newline (nor a CR before it); NULL at
 * the end.  Lines are counted by newlines, whatever bytes they hold: a
 * line that cannot be a record (a NUL byte, longer than 64 KiB: the rest
 * is read and dropped) comes back with *why set.  A UTF-8 byte-order mark
 * at the start of the input is dropped, once. */
/* The next byte: lines put back after a broken CSV record first, then
 * the file. */
static int
next_byte(struct batch_in *in)
{
	int c;

	if (in->replay_pos < in->replay_len)
		return (unsigned char)in->replay[in->replay_pos++];
	if ((c = getc_unlocked(in->fp)) != EOF)
		in->bytes++;
	return c;
}

static char *
read_line(struct batch_in *in, char *buf, size_t *lenp, const char **why)
{
	size_t len = 0, skipped = 0;
	int c, nul = 0;

	*why = NULL;
	while ((c = next_byte(in)) != EOF && c != '\n') {
		if (len < MAX_LINE) {
			nul |= c == '\0';
			buf[len++] = (char)c;
		} else if (++skipped > MAX_SKIP) {
			snprintf(in->fatal, sizeof(in->fatal), "line %lu is longer "
			         "than %zu MiB: not a list of addresses",
			         in->lineno + 1, MAX_SKIP >> 20);
			return NULL;
		}
	}
	if (c == EOF && len == 0)
		return NULL;
	in->lineno++;
	if (in->lineno == 1 && len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		len -= 3;
		memmove(buf, buf + 3, len);
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*lenp = len;
	in->toolong = skipped > 0;
	if (skipped > 0)
		*why = "line longer than 64 KiB";
	else if (nul)
		*why = "NUL byte in the line";
	return buf;
}

/* An input that cannot go on: a read error, or one line without end. */
static int
in_failed(struct batch_in *in)
{
	if (in->fatal[0] == '\0' && ferror(in->fp))
		snprintf(in->fatal, sizeof(in->fatal), "%s", strerror(errno));
	return in->fatal[0] != '\0' ? -1 : 0;
}

static int
bad(struct batch_rec *rec, unsigned long line, const char *why)
{
	rec->line = line;
	rec->error = strdup(why);
	return rec->error != NULL ? 1 : -1;
}

/* --numbered: "LINE<TAB>ADDRESS", LINE a decimal number from 1 to
 * MAX_NUMBER and greater than the one before.  NULL and *n, or why not
 * (in in->why). */
static const char *
line_number(struct batch_in *in, const char *s, char **end,
            unsigned long *n)
{
	unsigned long long v;

	*end = (char *)s;
	if (*s < '0' || *s > '9')
		return "expected LINE<TAB>ADDRESS";
	errno = 0;
	v = strtoull(s, end, 10);
	if (**end != '\t')
		return "expected LINE<TAB>ADDRESS";
	if (errno == ERANGE || v > MAX_NUMBER || v == 0) {
		snprintf(in->why, sizeof(in->why), "line number %.*s out of "
		         "range (1 to %llu)", (int)(*end - s > 40 ? 40 : *end - s),
		         s, MAX_NUMBER);
		return in->why;
	}
	if (v <= in->last) {
		snprintf(in->why, sizeof(in->why), "line number %llu is not "
		         "greater than the one before (%lu)", v, in->last);
		return in->why;
	}
	*n = (unsigned long)v;
	return NULL;
}

static int
next_plain(struct batch_in *in, struct batch_rec *rec, char *buf)
{
	const char *why;
	char *line, *s, *end;
	unsigned long n;
	size_t len;

	while ((line = read_line(in, buf, &len, &why)) != NULL) {
		/* A bad line of numbered input keeps the numbering of the
		 * good ones (--resume compares numbers): the last good
		 * number. */
		unsigned long at = in->mode == BATCH_IN_NUMBERED ? in->last
		                                                 : in->lineno;

		if (why != NULL)
			return bad(rec, at, why);
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		rec->line = in->lineno;
		if (in->mode == BATCH_IN_NUMBERED) {
			if ((why = line_number(in, s, &end, &n)) != NULL)
				return bad(rec, at, why);
			rec->line = in->last = n;
			s = trim(end + 1);
		}
		rec->address = strdup(s);
		return rec->address != NULL ? 1 : -1;
	}
	return in_failed(in);
}

static void
on_field(void *data, size_t len, void *ud)
{
	struct batch_in *in = ud;
	char *f;

	if (in->nfields == in->capfields) {
		size_t cap = in->capfields ? in->capfields * 2 : 16;
		char **p = realloc(in->fields, cap * sizeof(*p));

		if (p == NULL) {
			in->field_failed = 1;
			return;
		}
		in->fields = p;
		in->capfields = cap;
	}
	f = malloc(len + 1);
	if (f == NULL) {
		in->field_failed = 1; /* the columns would shift: say so */
		return;
	}
	memcpy(f, data, len);
	f[len] = '\0';
	in->fields[in->nfields++] = f;
}

static void
on_record(int c, void *ud)
{
	struct batch_in *in = ud;

	(void)c;
	in->record_done = 1;
}

static void
free_fields(struct batch_in *in)
{
	size_t i;

	for (i = 0; i < in->nfields; i++)
		free(in->fields[i]);
	in->nfields = 0;
}

/* Start afresh after a broken record: the next line is a new one. */
static void
csv_restart(struct batch_in *in)
{
	csv_free(&in->csv);
	csv_init(&in->csv, CSV_APPEND_NULL);
	free_fields(in);
}

/* A line of the CSV record being read, kept until the record is whole:
 * should it break, the lines after its first are read again.  A line too
 * long is kept as too long (its first 64 KiB and one byte more). */
static int
keep_line(struct batch_in *in, const char *line, size_t len)
{
	size_t need = in->rawlen + len + 2;

	if (need > in->rawcap) {
		char *p = realloc(in->raw, need * 2);

		if (p == NULL)
			return -1;
		in->raw = p;
		in->rawcap = need * 2;
	}
	memcpy(in->raw + in->rawlen, line, len);
	in->rawlen += len;
	if (in->toolong)
		in->raw[in->rawlen++] = 'x';
	in->raw[in->rawlen++] = '\n';
	return 0;
}

/* The record that began on line start is broken: its error record takes
 * that line, and the lines after it are read again, as records of their
 * own (before what is still to be read again).  A broken record holds no
 * quote after its first line (one would have closed the field), so the
 * lines read again end their records at once: reading stays linear. */
static int
put_back(struct batch_in *in, unsigned long start)
{
	char *nl = memchr(in->raw, '\n', in->rawlen), *p;
	size_t skip = nl != NULL ? (size_t)(nl - in->raw) + 1 : in->rawlen;
	size_t keep = in->rawlen - skip;
	size_t rest = in->replay_len - in->replay_pos;

	if ((p = malloc(keep + rest + 1)) == NULL) {
		snprintf(in->fatal, sizeof(in->fatal), "out of memory");
		return -1;
	}
	memcpy(p, in->raw + skip, keep);
	if (rest > 0)
		memcpy(p + keep, in->replay + in->replay_pos, rest);
	free(in->replay);
	in->replay = p;
	in->replay_len = keep + rest;
	in->replay_pos = 0;
	in->rawlen = 0;
	in->lineno = start;
	return 0;
}

/* Feed lines to libcsv until it has a whole record (a quoted field may
 * hold newlines).  Returns the line the record started on, 0 at the end,
 * or -1 with *why set and *at the line of the error record: a line that
 * cannot be read; or a quote that is not closed within 64 KiB (a record
 * obeys the limit of a line) or by the end of the input, whose record is
 * the error and whose following lines are read again. */
static long
csv_record(struct batch_in *in, char *buf, const char **why,
           unsigned long *at)
{
	unsigned long start = 0;
	size_t len;
	char *line;

	free_fields(in);
	in->record_done = 0;
	in->field_failed = 0;
	in->rawlen = 0;
	while (!in->record_done) {
		if ((line = read_line(in, buf, &len, why)) == NULL) {
			if (start == 0 || in_failed(in) != 0)
				return 0;
			/* Every line fed ends in a newline, which ends a
			 * record unless a quote is open. */
			snprintf(in->why, sizeof(in->why), "the quote opened on "
			         "line %lu is not closed by the end of the input "
			         "(a stray quote?)", start);
			break;
		}
		*at = start != 0 ? start : in->lineno;
		if (start != 0 && keep_line(in, line, len) != 0) {
			snprintf(in->fatal, sizeof(in->fatal), "out of memory");
			return 0;
		}
		if (*why != NULL) {
			if (start == 0)
				return -1; /* this line's own error record */
			snprintf(in->why, sizeof(in->why), "the quote opened on "
			         "line %lu runs into line %lu, which cannot be "
			         "read: %s", start, in->lineno, *why);
			break;
		}
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			len--; /* (trailing blanks were never a field's) */
		if (start == 0) {
			if (len == 0 || line[0] == '#')
				continue;
			start = *at = in->lineno;
			if (keep_line(in, line, len) != 0) {
				snprintf(in->fatal, sizeof(in->fatal),
				         "out of memory");
				return 0;
			}
		}
		if (in->rawlen > MAX_LINE) {
			snprintf(in->why, sizeof(in->why), "the quote opened on "
			         "line %lu is not closed within 64 KiB (a stray "
			         "quote?)", start);
			break;
		}
		buf[len] = '\n';
		if (csv_parse(&in->csv, buf, len + 1, on_field, on_record, in) !=
		    len + 1) {
			*why = csv_strerror(csv_error(&in->csv));
			return -1;
		}
	}
	if (in->record_done)
		return (long)start;
	*why = in->why;
	*at = start;
	return put_back(in, start) == 0 ? -1 : 0;
}

static char *
key_json(struct batch_in *in, char ***fields_out)
{
	json_t *o = json_object();
	char **kf = calloc(in->nheader + 1, sizeof(*kf));
	size_t i, k = 0;
	char *text = NULL;

	if (o == NULL || kf == NULL)
		goto done;
	for (i = 0; i < in->nheader; i++) {
		const char *v = i < in->nfields ? in->fields[i] : "";
		json_t *jv;

		if ((long)i == in->addr_col)
			continue;
		/* A value that is not UTF-8 cannot be a JSON string. */
		if ((jv = json_string(v)) == NULL)
			jv = json_string("?");
		json_object_set_new(o, in->header[i], jv);
		kf[k++] = strdup(v);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	*fields_out = kf;
	kf = NULL;
done:
	json_decref(o);
	free(kf);
	return text;
}

static int
next_csv(struct batch_in *in, struct batch_rec *rec, char *buf)
{
	const char *why = NULL;
	unsigned long at = 0;
	long start = csv_record(in, buf, &why, &at);

	if (start == 0)
		return in_failed(in);
	if (start < 0) {
		/* Start afresh after a broken record. */
		csv_restart(in);
		return bad(rec, at, why);
	}
	rec->line = (unsigned long)start;
	if (in->field_failed)
		return bad(rec, rec->line, "out of memory reading the record");
	if ((size_t)in->addr_col >= in->nfields)
		return bad(rec, rec->line, "no value in the address column");
	rec->address = strdup(trim(in->fields[in->addr_col]));
	rec->key = key_json(in, &rec->keyfields);
	/* The date stays in the key too: it is the user's column. */
	if (in->enrolled_col >= 0 && (size_t)in->enrolled_col < in->nfields &&
	    *trim(in->fields[in->enrolled_col]) != '\0' &&
	    (rec->enrolled = strdup(trim(in->fields[in->enrolled_col]))) ==
	        NULL)
		return -1;
	return rec->address != NULL && rec->key != NULL ? 1 : -1;
}

int
batch_in_next(struct batch_in *in, struct batch_rec *rec)
{
	static _Thread_local char buf[MAX_LINE + 2];

	memset(rec, 0, sizeof(*rec));
	return in->mode == BATCH_IN_CSV ? next_csv(in, rec, buf)
	                                : next_plain(in, rec, buf);
}

int
batch_in_open(struct batch_in *in, FILE *fp, const char *name,
              enum batch_in_mode mode, const char *column)
{
	char buf[MAX_LINE + 2];
	const char *why = NULL;
	unsigned long at;
	size_t i, j;

	memset(in, 0, sizeof(*in));
	in->fp = fp;
	in->name = name;
	in->mode = mode;
	in->column = column;
	in->addr_col = -1;
	in->enrolled_col = -1;
	if (mode != BATCH_IN_CSV)
		return 0;
	if (csv_init(&in->csv, CSV_APPEND_NULL) != 0)
		return -1;
	in->csv_ready = 1;
	if (csv_record(in, buf, &why, &at) <= 0) {
		fprintf(stderr, "scorer batch: %s: no CSV header%s%s\n", name,
		        why || in->fatal[0] ? ": " : "",
		        why ? why : in->fatal);
		return -1;
	}
	in->header = in->fields;
	in->nheader = in->nfields;
	in->fields = NULL;
	in->nfields = in->capfields = 0;
	for (i = 0; i < in->nheader; i++)
		if (strcmp(trim(in->header[i]), column) == 0)
			in->addr_col = (long)i;
	/* A key is one value a name: with two columns of one name, one
	 * value would silently win. */
	for (i = 0; i < in->nheader; i++)
		for (j = i + 1; j < in->nheader; j++)
			if (strcmp(in->header[i], in->header[j]) == 0) {
				fprintf(stderr, "scorer batch: %s: the CSV header "
				        "names '%s' twice (columns %zu and %zu)\n",
				        name, in->header[i], i + 1, j + 1);
				return -1;
			}
	if (in->addr_col < 0) {
		fprintf(stderr, "scorer batch: %s: no column '%s' in the CSV "
		        "header\n", name, column);
		return -1;
	}
	return 0;
}

int
batch_in_enrolled_column(struct batch_in *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->nheader; i++)
		if (strcmp(trim(in->header[i]), name) == 0) {
			in->enrolled_col = (long)i;
			return 0;
		}
	fprintf(stderr, "scorer batch: %s: no column '%s' in the CSV header "
	        "(--enrolled-column)\n", in->name, name);
	return -1;
}

void
batch_in_close(struct batch_in *in)
{
	size_t i;

	free_fields(in);
	free(in->fields);
	free(in->raw);
	free(in->replay);
	for (i = 0; i < in->nheader; i++)
		free(in->header[i]);
	free(in->header);
	if (in->csv_ready)
		csv_free(&in->csv);
}
