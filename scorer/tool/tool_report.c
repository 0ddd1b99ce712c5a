/*
 * scorer report RESULTS.jsonl: the JSON Lines of `scorer batch` in, one
 * self-contained HTML page out (charts, findings, domains, a searchable
 * table of the records to fix).  The input is streamed a line at a time:
 * memory holds counts, a bounded table of domains and the first rows of
 * the table, never the records, so a million-line file costs what a
 * thousand-line one does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tool_file.h"
#include "tool_report.h"

/* A line longer than this is counted as unreadable rather than held:
 * batch writes one report a line, far below it. */
#define MAX_LINE (16u << 20)
/* Cut lengths of what a row or a finding keeps (bytes). */
#define ROW_TEXT 300
#define FINDING_TEXT 2000
#define MAX_FINDING_IDS 1024

const char *const report_grade_name[REPORT_NGRADE] = {
	"A+", "A", "B", "C", "D", "F", "none"
};
const char *const report_verdict_name[REPORT_NVERDICT] = {
	"secure", "insecure", "error"
};

static void
usage(FILE *fp)
{
	fputs("usage: scorer report [OPTIONS] RESULTS.jsonl|-\n"
	      "\n"
	      "One self-contained HTML page from the JSON Lines of scorer "
	      "batch (- reads\nthem from standard input), in bounded memory.\n"
	      "\n"
	      "  -o, --output FILE|-  where to write it; - for standard output "
	      "(default:\n"
	      "                       report.html)\n"
	      "      --rows N         non-secure records in the searchable "
	      "table (5000)\n"
	      "      --top N          domains listed (50)\n"
	      "      --max-domains N  distinct domains counted before the "
	      "least affected\n"
	      "                       are dropped (100000)\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0, or 2 when the input cannot be read or the page "
	      "cannot be\nwritten.\n", fp);
}

/* ---- the bounded tables ------------------------------------------------ */

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int
table_init(struct report_table *t, size_t max)
{
	t->nslot = 16;
	while (t->nslot < 2 * max)
		t->nslot *= 2;
	t->max = max;
	t->n = 0;
	t->ent = calloc(max, sizeof(*t->ent));
	t->slot = calloc(t->nslot, sizeof(*t->slot));
	return t->ent && t->slot ? 0 : -1;
}

static void
count_free(struct report_count *c)
{
	free(c->name);
	free(c->severity);
	free(c->title);
	free(c->fix);
	memset(c, 0, sizeof(*c));
}

static void
table_free(struct report_table *t)
{
	size_t i;

	for (i = 0; t->ent && i < t->n; i++)
		count_free(&t->ent[i]);
	free(t->ent);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The slot that holds name, or the empty one where it would go. */
static uint32_t *
table_slot(struct report_table *t, const char *name)
{
	size_t i = hash_name(name) & (t->nslot - 1);

	while (t->slot[i] != 0 && strcmp(t->ent[t->slot[i] - 1].name, name))
		i = (i + 1) & (t->nslot - 1);
	return &t->slot[i];
}

/* The entry of name, added when missing; NULL when the table is full
 * (or out of memory). */
static struct report_count *
table_get(struct report_table *t, const char *name)
{
	uint32_t *s = table_slot(t, name);
	struct report_count *c;

	if (*s != 0)
		return &t->ent[*s - 1];
	if (t->n == t->max)
		return NULL;
	c = &t->ent[t->n];
	if ((c->name = strdup(name)) == NULL)
		return NULL;
	*s = (uint32_t)++t->n;
	return c;
}

static unsigned long
affected(const struct report_count *c)
{
	return c->insecure + c->error;
}

int
report_cmp_domain(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (affected(x) != affected(y))
		return affected(x) > affected(y) ? -1 : 1;
	if (x->users != y->users)
		return x->users > y->users ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The table is full: keep the more affected half and forget the rest.
 * This is lossy counting: a domain that comes back starts from zero,
 * which only lowers the counts of domains too small to be listed unless
 * the input is ordered by domain; the page says when it happened. */
static void
table_prune(struct report_table *t)
{
	size_t i, keep = t->max / 2;

	qsort(t->ent, t->n, sizeof(*t->ent), report_cmp_domain);
	for (i = keep; i < t->n; i++)
		count_free(&t->ent[i]);
	t->n = keep;
	memset(t->slot, 0, t->nslot * sizeof(*t->slot));
	for (i = 0; i < t->n; i++)
		*table_slot(t, t->ent[i].name) = (uint32_t)(i + 1);
}

/* ---- one record ------------------------------------------------------ */

static const char *
str_member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A copy of s cut to at most max bytes on a character boundary, with an
 * ellipsis when cut.  NULL stays NULL. */
static char *
cut_copy(const char *s, size_t max)
{
	size_t len;
	char *c;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (len <= max)
		return strdup(s);
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--; /* not inside a UTF-8 sequence */
	if ((c = malloc(max + 4)) == NULL)
		return NULL;
	memcpy(c, s, max);
	memcpy(c + max, "\xE2\x80\xA6", 4); /* U+2026 */
	return c;
}

static int
verdict_of(const char *v)
{
	int i;

	for (i = 0; v != NULL && i < REPORT_NVERDICT; i++)
		if (strcmp(v, report_verdict_name[i]) == 0)
			return i;
	return -1;
}

static int
grade_of(const char *g)
{
	int i;

	for (i = 0; g != NULL && i < REPORT_NGRADE - 1; i++)
		if (strcmp(g, report_grade_name[i]) == 0)
			return i;
	return REPORT_NGRADE - 1;
}

static void
count_user(struct report_count *c, unsigned long rec, int v)
{
	if (c->seen == rec)
		return; /* this user is counted already */
	c->seen = rec;
	c->users++;
	if (v == REPORT_INSECURE)
		c->insecure++;
	else if (v == REPORT_ERROR)
		c->error++;
}

static int
add_findings(struct report *r, json_t *findings, int v)
{
	struct report_count *c;
	size_t i;
	json_t *f;

	json_array_foreach(findings, i, f) {
		const char *id = str_member(f, "id");

		if (id == NULL)
			continue;
		if ((c = table_get(&r->finding, id)) == NULL) {
			if (r->finding.n < r->finding.max)
				return -1; /* out of memory */
			r->finding_overflow++;
			continue;
		}
		if (c->users == 0) {
			c->severity = cut_copy(str_member(f, "severity"), 32);
			c->title = cut_copy(str_member(f, "title"), FINDING_TEXT);
			c->fix = cut_copy(str_member(f, "fix"), FINDING_TEXT);
		}
		count_user(c, r->records, v);
	}
	return 0;
}

static int
add_domain(struct report *r, const char *name, int v)
{
	struct report_count *c;

	if (name == NULL || *name == '\0') {
		r->no_domain++;
		return 0;
	}
	if ((c = table_get(&r->domain, name)) == NULL) {
		if (r->domain.n < r->domain.max)
			return -1;
		table_prune(&r->domain);
		r->domain_prunes++;
		if ((c = table_get(&r->domain, name)) == NULL)
			return -1;
	}
	count_user(c, r->records, v);
	return 0;
}

/* Appends "sep" and s to buf (of ROW_TEXT + 1) while it fits; 0 when full. */
static int
append(char *buf, size_t *len, const char *sep, const char *s)
{
	size_t need = (*len ? strlen(sep) : 0) + strlen(s);

	if (*len + need > ROW_TEXT)
		return 0;
	*len += (size_t)snprintf(buf + *len, ROW_TEXT + 1 - *len, "%s%s",
	                         *len ? sep : "", s);
	return 1;
}

/* The finding ids of a record, each once (a finding may be reported for
 * several MX hosts), and the detail of the first: the most severe. */
static void
row_findings(json_t *findings, char ids[ROW_TEXT + 1], const char **detail)
{
	size_t i, j, len = 0;
	json_t *f;

	json_array_foreach(findings, i, f) {
		const char *id = str_member(f, "id");
		int dup = 0;

		if (id == NULL)
			continue;
		if (*detail == NULL)
			*detail = str_member(f, "detail");
		for (j = 0; j < i && !dup; j++)
			dup = json_equal(json_object_get(
			                     json_array_get(findings, j), "id"),
			                 json_object_get(f, "id"));
		if (!dup && !append(ids, &len, " ", id))
			break;
	}
}

/* The key columns of a CSV input as "name=value, ...". */
static void
row_key(json_t *key, char out[ROW_TEXT + 1])
{
	const char *name;
	size_t len = 0;
	json_t *val;

	json_object_foreach(key, name, val) {
		char *dump = json_is_string(val) ? NULL
		             : json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
		const char *v = dump ? dump : json_string_value(val);
		char item[ROW_TEXT + 1];
		int fits;

		snprintf(item, sizeof(item), "%s=%s", name, v ? v : "");
		fits = append(out, &len, ", ", item);
		free(dump);
		if (!fits)
			break;
	}
}

static int
add_row(struct report *r, json_t *o, int v, unsigned long line)
{
	struct report_row *w;
	json_t *key = json_object_get(o, "key"), *score;
	const char *detail = str_member(o, "error");
	char ids[ROW_TEXT + 1] = "", keytext[ROW_TEXT + 1] = "";

	if (r->nrow == r->maxrow) {
		r->rows_not_shown++;
		return 0;
	}
	w = &r->row[r->nrow];
	row_findings(json_object_get(o, "findings"), ids, &detail);
	if (json_is_object(key) && json_object_size(key) > 0) {
		row_key(key, keytext);
		r->has_key = 1;
	}
	score = json_object_get(o, "score");
	w->line = line;
	w->verdict = v;
	w->score = json_is_integer(score) && json_integer_value(score) >= 0 &&
	           json_integer_value(score) <= 100
	           ? (int)json_integer_value(score) : -1;
	w->address = cut_copy(str_member(o, "address"), ROW_TEXT);
	w->domain = cut_copy(str_member(o, "domain"), ROW_TEXT);
	w->grade = cut_copy(str_member(o, "grade"), 8);
	w->ids = strdup(ids);
	w->detail = cut_copy(detail, ROW_TEXT);
	w->key = strdup(keytext);
	r->nrow++;
	return 0;
}

static void
add_bad(struct report *r, unsigned long lineno)
{
	if (r->bad < REPORT_BAD_LISTED)
		r->bad_line[r->bad] = lineno;
	r->bad++;
}

/* One input line: a record, or a bad line.  -1 only when out of memory. */
static int
add_line(struct report *r, const char *buf, size_t len,
         unsigned long lineno)
{
	json_t *o = json_loadb(buf, len, 0, NULL), *line;
	unsigned long n = lineno;
	int v, rc = -1;

	v = json_is_object(o) ? verdict_of(str_member(o, "verdict")) : -1;
	if (v < 0) {
		add_bad(r, lineno);
		json_decref(o);
		return 0;
	}
	line = json_object_get(o, "line");
	if (json_is_integer(line) && json_integer_value(line) > 0)
		n = (unsigned long)json_integer_value(line);
	r->records++;
	r->verdict[v]++;
	r->grade[grade_of(str_member(o, "grade"))]++;
	if (add_findings(r, json_object_get(o, "findings"), v) != 0 ||
	    add_domain(r, str_member(o, "domain"), v) != 0)
		goto done;
	if (v != REPORT_SECURE && add_row(r, o, v, n) != 0)
		goto done;
	rc = 0;
done:
	json_decref(o);
	return rc;
}

/* The next line without its newline: 1, or 0 at the end.  A line past
 * MAX_LINE is read to its end but comes back with *toolong set; one past
 * MAX_SKIP (/dev/zero has no end of line) is -1: not JSON Lines. */
#define MAX_SKIP (4 * (size_t)MAX_LINE)
static int
read_line(FILE *fp, char **buf, size_t *cap, size_t *len, int *toolong)
{
	size_t skipped = 0;
	int c;

	*len = 0;
	*toolong = 0;
	while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
		if (*len + 1 >= *cap) {
			char *nb;

			if (*cap >= MAX_LINE) {
				*toolong = 1;
				if (++skipped > MAX_SKIP)
					return -1;
				continue;
			}
			if ((nb = realloc(*buf, *cap * 2)) == NULL) {
				*toolong = 1; /* no room: unreadable */
				continue;
			}
			*buf = nb;
			*cap *= 2;
		}
		(*buf)[(*len)++] = (char)c;
	}
	return c != EOF || *len > 0 || *toolong;
}

static int
blank(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	                   s[len - 1] == '\r'))
		len--;
	return len == 0;
}

static int
read_input(struct report *r, FILE *fp)
{
	size_t cap = 4096, len;
	char *buf = malloc(cap);
	unsigned long lineno = 0;
	int toolong, rc = 0, more;

	if (buf == NULL)
		return -1;
	while (rc == 0 && (more = read_line(fp, &buf, &cap, &len,
	                                    &toolong)) > 0) {
		lineno++;
		/* A UTF-8 byte-order mark, once, at the start of the input. */
		if (lineno == 1 && len >= 3 &&
		    memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
			len -= 3;
			memmove(buf, buf + 3, len);
		}
		if (!toolong && blank(buf, len))
			continue; /* blank lines carry nothing, and hurt nobody */
		r->lines++;
		if (toolong)
			add_bad(r, lineno);
		else
			rc = add_line(r, buf, len, lineno);
	}
	free(buf);
	if (more < 0) {
		fprintf(stderr, "scorer report: %s: line %lu is longer than "
		        "%zu MiB: not the JSON Lines of scorer batch\n",
		        r->source, lineno + 1, MAX_SKIP >> 20);
		rc = -1;
	} else if (rc != 0)
		fputs("scorer report: out of memory\n", stderr);
	else if (ferror(fp)) {
		fprintf(stderr, "scorer report: %s: %s\n", r->source,
		        strerror(errno));
		rc = -1;
	}
	return rc;
}

static void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nrow; i++) {
		struct report_row *w = &r->row[i];

		free(w->address);
		free(w->domain);
		free(w->grade);
		free(w->ids);
		free(w->detail);
		free(w->key);
	}
	free(r->row);
	table_free(&r->finding);
	table_free(&r->domain);
}

static int
number(const char *opt, const char *arg, size_t min, size_t max,
       size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || *arg == '-' || v < min ||
	    v > max) {
		fprintf(stderr, "scorer report: %s: a number from %zu to %zu, "
		        "not '%s'\n", opt, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int
tool_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "rows", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 't' },
		{ "max-domains", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = "report.html";
	size_t rows = 5000, top = 50, max_domains = 100000;
	struct report r;
	struct tool_out out;
	FILE *in = NULL;
	int c, ok = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'r':
			if (number("--rows", optarg, 0, 1000000, &rows))
				return TOOL_EXIT_ERROR;
			break;
		case 't':
			if (number("--top", optarg, 1, 10000, &top))
				return TOOL_EXIT_ERROR;
			break;
		case 'd':
			if (number("--max-domains", optarg, 2, 10000000,
			           &max_domains))
				return TOOL_EXIT_ERROR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return tool_usage_error("report");
		}
	}
	if (optind + 1 != argc) {
		fputs(optind == argc ? "scorer report: no input given\n" :
		      "scorer report: one input only\n", stderr);
		return tool_usage_error("report");
	}
	memset(&r, 0, sizeof(r));
	r.source = argv[optind];
	{
		const struct tool_role roles[] = {
			{ "the input", r.source, 0 },
			{ "--output", output, 1 },
		};

		if (tool_distinct("scorer report", roles, 2) != 0)
			return TOOL_EXIT_ERROR;
	}
	r.maxrow = rows;
	r.top_domains = top;
	if (table_init(&r.finding, MAX_FINDING_IDS) != 0 ||
	    table_init(&r.domain, max_domains) != 0 ||
	    (rows > 0 && (r.row = calloc(rows, sizeof(*r.row))) == NULL)) {
		fputs("scorer report: out of memory\n", stderr);
		goto done;
	}
	if (strcmp(r.source, "-") == 0) {
		in = stdin;
		r.source = "standard input";
	} else if ((in = fopen(r.source, "r")) == NULL ||
	           *tool_not_readable(in) != '\0') {
		fprintf(stderr, "scorer report: %s: %s\n", r.source,
		        in != NULL ? tool_not_readable(in) : strerror(errno));
		goto done;
	}
	/* Opened before the input is read, so that an unwritable place fails
	 * at once, not after a million lines (tool_file.c: written whole and
	 * put in place at the end, or through a device). */
	if (tool_out_open(&out, "scorer report", output) != 0)
		goto done;
	/* A write error shows in tool_out_close() (the stream's error flag). */
	if ((ok = read_input(&r, in) == 0))
		report_html(out.fp, &r);
	if (tool_out_close(&out, ok) != 0)
		ok = 0;
done:
	if (in != NULL && in != stdin)
		fclose(in);
	report_free(&r);
	return ok ? 0 : TOOL_EXIT_ERROR;
}
