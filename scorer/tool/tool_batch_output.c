/*
 * batch output: one record per input line, in input order, each written
 * whole and flushed, so that a run killed at any moment leaves at most a
 * half-written last line, which --resume cuts off and redoes.
 *   JSON Lines: {"line":N,"key":{...},"checked":TIME, ...}: the compact
 *   record, or with --evidence the report of `check --json`
 *   (tool_batch_record.c)
 *   CSV: line,address,verdict,grade,score,findings,<key columns>
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tool_batch.h"

/* One field, quoted by libcsv.  Line breaks inside a field (a CSV key may
 * hold them) become spaces: one record is one line, which is what lets
 * --resume find the last whole record. */
static int
csv_field(FILE *fp, const char *s, int last)
{
	char buf[512], *copy = buf, *p;
	size_t n = strlen(s);
	int rc;

	if (strpbrk(s, "\r\n") != NULL) {
		if (n >= sizeof(buf) && (copy = malloc(n + 1)) == NULL)
			return -1;
		memcpy(copy, s, n + 1);
		for (p = copy; (p = strpbrk(p, "\r\n")) != NULL; p++)
			*p = ' ';
		s = copy;
	}
	rc = csv_fwrite(fp, s, n);
	if (copy != buf)
		free(copy);
	if (rc != 0)
		return -1;
	return fputc(last ? '\n' : ',', fp) == EOF ? -1 : 0;
}

int
batch_out_header(struct batch_out *out)
{
	static const char *const cols[] = { "line", "address", "verdict",
	                                    "grade", "score", "findings" };
	size_t i;

	if (out->format != BATCH_OUT_CSV)
		return 0;
	for (i = 0; i < 6; i++)
		if (csv_field(out->fp, cols[i], i == 5 && out->nkeys == 0) != 0)
			return -1;
	for (i = 0; i < out->nkeys; i++)
		if (csv_field(out->fp, out->keynames[i], i + 1 == out->nkeys) != 0)
			return -1;
	return fflush(out->fp) == 0 ? 0 : -1;
}

static char *
finding_ids(const sc_report_t *rep)
{
	size_t i, n = sc_report_finding_count(rep), len = 1;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(sc_report_finding(rep, i)->id) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, sc_report_finding(rep, i)->id);
	}
	return s;
}

static int
csv_record_write(struct batch_out *out, const struct batch_rec *rec,
                 const sc_report_t *rep)
{
	char line[32], score[16], *ids = NULL;
	size_t i;
	int rc = -1;

	snprintf(line, sizeof(line), "%lu", rec->line);
	/* A record that could not be assessed has no grade and no score. */
	score[0] = '\0';
	if (rep != NULL && sc_report_score(rep) >= 0)
		snprintf(score, sizeof(score), "%d", sc_report_score(rep));
	if (rep != NULL && (ids = finding_ids(rep)) == NULL)
		return -1;
	if (csv_field(out->fp, line, 0) ||
	    csv_field(out->fp, rec->address ? rec->address : "", 0) ||
	    csv_field(out->fp, rep ? sc_verdict_str(sc_report_verdict(rep))
	                           : "error", 0) ||
	    csv_field(out->fp, rep && sc_report_grade(rep) != NULL
	                       ? sc_report_grade(rep) : "", 0) ||
	    csv_field(out->fp, score, 0) ||
	    csv_field(out->fp, rep ? ids : (rec->error ? rec->error : ""),
	              out->nkeys == 0))
		goto done;
	for (i = 0; i < out->nkeys; i++) {
		const char *v = rec->keyfields && rec->keyfields[i]
		                ? rec->keyfields[i] : "";

		if (csv_field(out->fp, v, i + 1 == out->nkeys))
			goto done;
	}
	rc = 0;
done:
	free(ids);
	return rc;
}

int
batch_out_write(struct batch_out *out, const struct batch_rec *rec,
                const sc_report_t *rep)
{
	int rc;

	if (out->format == BATCH_OUT_CSV)
		rc = csv_record_write(out, rec, rep);
	else
		rc = batch_record_write(out->fp, rec, rep, out->evidence);
	if (rc == 0 && fflush(out->fp) != 0)
		rc = -1;
	return rc;
}

/* One field of a CSV record line as libcsv writes it: quoted, with ""
 * for a quote.  The position after it and its value (malloc), or NULL. */
static const char *
csv_field_read(const char *s, const char *end, char **value)
{
	char *v, *w;

	if (s >= end || *s != '"' || (v = malloc((size_t)(end - s))) == NULL)
		return NULL;
	for (w = v, s++; s < end; s++) {
		if (*s == '"' && s + 1 < end && s[1] == '"') {
			*w++ = *s++;
		} else if (*s == '"') {
			*w = '\0';
			*value = v;
			return s + 1;
		} else {
			*w++ = *s;
		}
	}
	free(v);
	return NULL;
}

/* The line number and the address a complete output line records: 1, or
 * 0 when the line is not a record of ours.  *address is malloc'd, NULL
 * for a record of a line that had none. */
static int
record_parse(const char *s, size_t len, enum batch_out_format format,
             unsigned long *line, char **address)
{
	const char *end = s + len, *p;
	char *num = NULL, *tail;
	int ok;

	*line = 0;
	*address = NULL;
	if (format == BATCH_OUT_CSV) {
		/* "N","address",... */
		if ((p = csv_field_read(s, end, &num)) == NULL || p >= end ||
		    *p != ',' || csv_field_read(p + 1, end, address) == NULL ||
		    num[0] < '0' || num[0] > '9') {
			free(num);
			free(*address);
			*address = NULL;
			return 0;
		}
		*line = strtoul(num, &tail, 10);
		ok = *tail == '\0';
		free(num);
		if (!ok) {
			free(*address);
			*address = NULL;
		}
		return ok;
	} else {
		json_t *o = json_loadb(s, len, 0, NULL);
		json_t *l = o ? json_object_get(o, "line") : NULL;
		const char *a = json_string_value(json_object_get(o, "address"));

		ok = json_is_integer(l) && json_integer_value(l) >= 0;
		if (ok)
			*line = (unsigned long)json_integer_value(l);
		if (ok && a != NULL && (*address = strdup(a)) == NULL)
			ok = 0;
		json_decref(o);
		return ok;
	}
}

int
batch_out_resume(FILE *fp, const char *path, enum batch_out_format format,
                 const char *header, unsigned long *last_line,
                 int (*verify)(void *, unsigned long, const char *),
                 void *ud)
{
	char *line = NULL, *address;
	size_t cap = 0;
	ssize_t len;
	off_t good = 0, pos = 0;
	unsigned long n;
	int first = 1, rc = -1;

	*last_line = 0;
	rewind(fp);
	while ((len = getline(&line, &cap, fp)) > 0) {
		pos += len;
		if (line[len - 1] != '\n')
			break; /* the half-written last line: cut off */
		line[len - 1] = '\0';
		if (first && header != NULL && format == BATCH_OUT_CSV &&
		    strncmp(line, "\"line\",", 7) == 0) {
			/* The key columns must be the input's. */
			if (strcmp(line, header) != 0) {
				fprintf(stderr, "scorer batch: cannot resume %s: its "
				        "columns (%.200s) are not those of this "
				        "input (%.200s)\n", path, line, header);
				goto done;
			}
			good = pos;
		} else if (!record_parse(line, (size_t)len - 1, format, &n,
		                         &address)) {
			/* Records are written whole, so a complete line that is
			 * not one means another format or another file: refuse
			 * rather than cut away what is there. */
			fprintf(stderr, "scorer batch: cannot resume %s: byte %lld "
			        "is not a %s record of scorer batch\n", path,
			        (long long)(pos - len),
			        format == BATCH_OUT_CSV ? "CSV" : "JSON Lines");
			goto done;
		} else {
			/* Made from the same input, record by record? */
			int same = verify(ud, n, address);

			free(address);
			if (!same)
				goto done;
			*last_line = n;
			good = pos;
		}
		first = 0;
	}
	if (ferror(fp)) {
		fprintf(stderr, "scorer batch: cannot resume %s: %s\n", path,
		        strerror(errno));
		goto done;
	}
	if (ftruncate(fileno(fp), good) != 0 || fseeko(fp, good, SEEK_SET) != 0) {
		fprintf(stderr, "scorer batch: cannot resume %s: %s\n", path,
		        strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(line);
	return rc;
}
