/*
 * batch input: one address a line, "LINE<TAB>ADDRESS" lines (for splitting
 * a numbered list across processes), or CSV with a header (libcsv), where
 * --column names the address and the other columns are the user's key.
 * Blank lines and '#' comments are skipped; a bad line is a record with an
 * error, never dropped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tool_batch.h"

#define MAX_LINE 65536 /* no address is longer; a longer line is an error */

void
batch_rec_clear(struct batch_rec *r)
{
	size_t i;

	free(r->address);
	free(r->key);
	free(r->error);
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

/* One physical line, without its newline; NULL at the end.  *toolong is
 * set when the line was cut at MAX_LINE (the rest is read and dropped). */
static char *
read_line(struct batch_in *in, char *buf, int *toolong)
{
	size_t len;
	int c;

	*toolong = 0;
	if (fgets(buf, MAX_LINE, in->fp) == NULL)
		return NULL;
	in->lineno++;
	len = strlen(buf);
	in->bytes += (off_t)len;
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
	} else if (!feof(in->fp)) {
		*toolong = 1;
		while ((c = getc(in->fp)) != EOF && c != '\n')
			in->bytes++;
	}
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return buf;
}

static int
bad(struct batch_rec *rec, unsigned long line, const char *why)
{
	rec->line = line;
	rec->error = strdup(why);
	return rec->error != NULL ? 1 : -1;
}

static int
next_plain(struct batch_in *in, struct batch_rec *rec, char *buf)
{
	char *line, *s, *end;
	int toolong;

	while ((line = read_line(in, buf, &toolong)) != NULL) {
		if (toolong)
			return bad(rec, in->lineno, "line longer than 64 KiB");
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		rec->line = in->lineno;
		if (in->mode == BATCH_IN_NUMBERED) {
			unsigned long n = strtoul(s, &end, 10);

			/* A bad line keeps the numbering of the good ones
			 * (--resume compares numbers): its own number if it
			 * has one, else the last good number. */
			if (end == s || *end != '\t' || n == 0)
				return bad(rec, end != s && n != 0 ? n : in->last,
				           "expected LINE<TAB>ADDRESS");
			rec->line = in->last = n;
			s = trim(end + 1);
		}
		rec->address = strdup(s);
		return rec->address != NULL ? 1 : -1;
	}
	return ferror(in->fp) ? -1 : 0;
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

/* Feed lines to libcsv until it has a whole record (a quoted field may
 * hold newlines).  Returns the line the record started on, 0 at the end,
 * or -1 with *why set. */
static long
csv_record(struct batch_in *in, char *buf, const char **why)
{
	unsigned long start = 0;
	char *line;
	int toolong;

	free_fields(in);
	in->record_done = 0;
	in->field_failed = 0;
	while (!in->record_done) {
		if ((line = read_line(in, buf, &toolong)) == NULL) {
			if (start == 0)
				return 0;
			csv_fini(&in->csv, on_field, on_record, in);
			break;
		}
		if (toolong) {
			*why = "line longer than 64 KiB";
			return -1;
		}
		if (start == 0) {
			if (*trim(line) == '\0' || line[0] == '#')
				continue;
			start = in->lineno;
		}
		strcat(line, "\n");
		if (csv_parse(&in->csv, line, strlen(line), on_field, on_record,
		              in) != strlen(line)) {
			*why = csv_strerror(csv_error(&in->csv));
			return -1;
		}
	}
	return (long)start;
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
	long start = csv_record(in, buf, &why);

	if (start == 0)
		return ferror(in->fp) ? -1 : 0;
	if (start < 0) {
		/* Start afresh after a broken record. */
		csv_free(&in->csv);
		csv_init(&in->csv, CSV_APPEND_NULL);
		return bad(rec, in->lineno, why);
	}
	rec->line = (unsigned long)start;
	if (in->field_failed)
		return bad(rec, rec->line, "out of memory reading the record");
	if ((size_t)in->addr_col >= in->nfields)
		return bad(rec, rec->line, "no value in the address column");
	rec->address = strdup(trim(in->fields[in->addr_col]));
	rec->key = key_json(in, &rec->keyfields);
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
batch_in_open(struct batch_in *in, FILE *fp, enum batch_in_mode mode,
              const char *column)
{
	char buf[MAX_LINE + 2];
	const char *why = NULL;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->fp = fp;
	in->mode = mode;
	in->column = column;
	in->addr_col = -1;
	if (mode != BATCH_IN_CSV)
		return 0;
	if (csv_init(&in->csv, CSV_APPEND_NULL) != 0)
		return -1;
	in->csv_ready = 1;
	if (csv_record(in, buf, &why) <= 0) {
		fprintf(stderr, "scorer batch: no CSV header%s%s\n",
		        why ? ": " : "", why ? why : "");
		return -1;
	}
	in->header = in->fields;
	in->nheader = in->nfields;
	in->fields = NULL;
	in->nfields = in->capfields = 0;
	for (i = 0; i < in->nheader; i++)
		if (strcmp(trim(in->header[i]), column) == 0)
			in->addr_col = (long)i;
	if (in->addr_col < 0) {
		fprintf(stderr, "scorer batch: no column '%s' in the CSV "
		        "header\n", column);
		return -1;
	}
	return 0;
}

void
batch_in_close(struct batch_in *in)
{
	size_t i;

	free_fields(in);
	free(in->fields);
	for (i = 0; i < in->nheader; i++)
		free(in->header[i]);
	free(in->header);
	if (in->csv_ready)
		csv_free(&in->csv);
}
