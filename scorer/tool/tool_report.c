/*
 * scorer report RESULTS.jsonl: the JSON Lines of `scorer batch` in, one
 * self-contained HTML page out, that leads with risk: the findings most
 * severe first (takeover and interception apart from hygiene), the
 * domains to fix in the order that protects the most users, what could
 * not be assessed and why, then the users to act on.  Records may be
 * compact or carry the evidence (--evidence); the texts of the rules come
 * from the records when they have them, else from the rules by id.
 *
 * The input is streamed a line at a time: memory holds counts, bounded
 * tables of findings, domains and reasons, and the first rows of the
 * table of users, never the records, so a million-line file costs what a
 * thousand-line one does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_diff.h"
#include "tool_file.h"
#include "tool_report.h"

/* Cut lengths of what a row, a finding or a domain keeps (bytes). */
#define ROW_TEXT 300
#define FINDING_TEXT 2000
#define MAX_FINDING_IDS 1024
#define MAX_REASONS 1024

const char *const report_grade_name[REPORT_NGRADE] = {
	"A+", "A", "B", "C", "D", "F", "none"
};

static void
usage(FILE *fp)
{
	fputs("usage: scorer report [OPTIONS] RESULTS.jsonl|-\n"
	      "\n"
	      "One self-contained HTML page from the JSON Lines of scorer "
	      "batch (- reads\nthem from standard input), in bounded memory, "
	      "that leads with risk.\n"
	      "\n"
	      "  -o, --output FILE|-    where to write it; - for standard "
	      "output (default:\n"
	      "                         report.html)\n"
	      "      --rows N           users to act on listed in the "
	      "searchable table (5000)\n"
	      "      --top N            domains to fix listed (50)\n"
	      "      --max-domains N    distinct domains counted before the "
	      "least affected\n"
	      "                         are dropped (100000)\n"
	      "      --show-addresses   put the users' addresses in the page "
	      "(not by default)\n"
	      "      --baseline OLD     a section on what changed since the "
	      "run OLD.jsonl\n"
	      "      --rules DIR        the rules, for the texts compact "
	      "records leave out\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0, or 2 when the input, the baseline or the rules "
	      "cannot be read\nor the page cannot be written.\n", fp);
}

/* ---- the bounded tables ------------------------------------------------ */

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
	free(c->category);
	free(c->title);
	free(c->fix);
	free(c->detail);
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
	size_t i = tool_hash(name) & (t->nslot - 1);

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
	c->sev = RES_SEV_UNKNOWN;
	*s = (uint32_t)++t->n;
	return c;
}

int
report_cmp_domain(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (x->insecure != y->insecure)
		return x->insecure > y->insecure ? -1 : 1;
	/* as many users: the more severe first */
	if (x->worst != NULL && y->worst != NULL && x->worst->sev != y->worst->sev)
		return x->worst->sev - y->worst->sev;
	if (x->error != y->error)
		return x->error > y->error ? -1 : 1;
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

/* Text of a record for the page, cut, with the user's address taken out
 * unless the page may show addresses: a detail or a key may repeat it. */
static char *
page_text(const struct report *r, const struct result *res, const char *s,
          size_t max)
{
	const char *a = res->address, *p;
	size_t alen, n = 0;
	char *out, *cut;

	if (s == NULL || r->show_addresses || a == NULL || *a == '\0' ||
	    strstr(s, a) == NULL)
		return cut_copy(s, max);
	alen = strlen(a);
	for (p = s; (p = strstr(p, a)) != NULL; p += alen)
		n++;
	/* "(address)" may be longer than what it replaces ("a@b") */
	if ((out = malloc(strlen(s) + n * 9 + 1)) == NULL)
		return NULL;
	out[0] = '\0';
	for (p = s; (cut = strstr(p, a)) != NULL; p = cut + alen) {
		strncat(out, p, (size_t)(cut - p));
		strcat(out, "(address)");
	}
	strcat(out, p);
	cut = cut_copy(out, max);
	free(out);
	return cut;
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
count_user(struct report_count *c, unsigned long rec, int cls)
{
	if (c->seen == rec)
		return; /* this user is counted already */
	c->seen = rec;
	c->users++;
	if (cls == RES_INSECURE)
		c->insecure++;
	else if (cls == RES_ERROR)
		c->error++;
}

/* What the page says of a finding id: from the record when it carries
 * the rules' texts (--evidence), else from the rules. */
static int
finding_texts(struct report *r, struct report_count *c,
              const struct res_finding *f)
{
	const sc_finding_t *rule = NULL;
	const char *category = f->category, *title = f->title, *fix = f->fix;

	if ((title == NULL || fix == NULL || category == NULL) &&
	    r->ctx != NULL && sc_rule_lookup(r->ctx, f->id, &rule) == SC_OK) {
		if (category == NULL)
			category = sc_category_str(rule->category);
		if (title == NULL)
			title = rule->title;
		if (fix == NULL)
			fix = rule->fix;
	}
	c->sev = f->sev;
	c->unverified = f->unverified;
	c->severity = cut_copy(f->severity, 32);
	c->category = cut_copy(category, 32);
	c->title = cut_copy(title, FINDING_TEXT);
	c->fix = cut_copy(fix, FINDING_TEXT);
	return (f->severity && !c->severity) || (category && !c->category) ||
	       (title && !c->title) || (fix && !c->fix) ? -1 : 0;
}

static int
add_findings(struct report *r, const struct result *res)
{
	struct report_count *c;
	size_t i;

	for (i = 0; i < res->nf; i++) {
		const struct res_finding *f = &res->f[i];

		if (f->dup)
			continue;
		if ((c = table_get(&r->finding, f->id)) == NULL) {
			if (r->finding.n < r->finding.max)
				return -1; /* out of memory */
			r->finding.overflow++;
			continue;
		}
		if (c->users == 0 && finding_texts(r, c, f) != 0)
			return -1;
		count_user(c, r->records, res->cls);
	}
	return 0;
}

/* The most severe verified finding of the record, or NULL. */
static const struct res_finding *
worst_finding(const struct result *res)
{
	const struct res_finding *w = NULL;
	size_t i;

	for (i = 0; i < res->nf; i++)
		if (!res->f[i].unverified && (w == NULL || res->f[i].sev < w->sev))
			w = &res->f[i];
	return w;
}

static int
add_domain(struct report *r, const struct result *res)
{
	const struct res_finding *w;
	struct report_count *c;

	if (res->domain == NULL) {
		r->no_domain++;
		return 0;
	}
	if ((c = table_get(&r->domain, res->domain)) == NULL) {
		if (r->domain.n < r->domain.max)
			return -1;
		table_prune(&r->domain);
		r->domain_prunes++;
		if ((c = table_get(&r->domain, res->domain)) == NULL)
			return -1;
	}
	count_user(c, r->records, res->cls);
	/* What to fix first at the domain: the most severe finding of its
	 * insecure users (the finding table's entries do not move). */
	if (res->cls != RES_INSECURE || (w = worst_finding(res)) == NULL)
		return 0;
	if (c->worst == NULL || w->sev < c->worst->sev) {
		c->worst = table_get(&r->finding, w->id);
		free(c->detail);
		c->detail = page_text(r, res, w->detail, ROW_TEXT);
		if (w->detail != NULL && c->detail == NULL)
			return -1;
	}
	return 0;
}

/* Why a record is invalid, or what an unassessed one lacks when none of
 * its findings says (a check that could not start): counted by reason,
 * with a domain it was seen at. */
static int
add_reason(struct report *r, struct report_table *t,
           const struct result *res, const char *reason)
{
	struct report_count *c;
	char *text = page_text(r, res, reason ? reason : "no reason given",
	                       ROW_TEXT);

	if (text == NULL)
		return -1;
	c = table_get(t, text);
	free(text);
	if (c == NULL) {
		if (t->n < t->max)
			return -1;
		t->overflow++;
		return 0;
	}
	if (c->detail == NULL && res->domain != NULL &&
	    (c->detail = cut_copy(res->domain, ROW_TEXT)) == NULL)
		return -1;
	count_user(c, r->records, res->cls);
	return 0;
}

static int
add_unassessed(struct report *r, const struct result *res)
{
	size_t i;

	for (i = 0; i < res->nf; i++)
		if (res->f[i].unverified)
			return 0; /* the finding says what is missing */
	return add_reason(r, &r->missing, res, res->error);
}

static int
add_invalid(struct report *r, const struct result *res)
{
	size_t i;

	for (i = 0; i < res->nf; i++)
		if (strcmp(res->f[i].id, "address.invalid") == 0)
			return add_reason(r, &r->invalid, res, res->f[i].detail);
	return add_reason(r, &r->invalid, res, res->error);
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

/* The finding ids of a record, each once, the most severe first (the
 * record's order); for an invalid one, why. */
static void
row_findings(const struct result *res, char ids[ROW_TEXT + 1])
{
	size_t i, len = 0;

	for (i = 0; i < res->nf; i++)
		if (!res->f[i].dup && !append(ids, &len, " ", res->f[i].id))
			break;
	if (len == 0 && res->error != NULL)
		append(ids, &len, " ", res->error);
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
add_row(struct report *r, const struct result *res)
{
	struct report_row *w;
	char ids[ROW_TEXT + 1] = "", keytext[ROW_TEXT + 1] = "";

	if (r->nrow == r->maxrow) {
		r->rows_not_shown++;
		return 0;
	}
	w = &r->row[r->nrow];
	row_findings(res, ids);
	if (res->key != NULL) {
		row_key(res->key, keytext);
		r->has_key = 1;
	}
	w->line = res->line;
	w->cls = res->cls;
	w->score = res->score;
	w->address = r->show_addresses ? cut_copy(res->address, ROW_TEXT)
	                               : NULL;
	w->domain = cut_copy(res->domain, ROW_TEXT);
	w->grade = cut_copy(res->grade, 8);
	w->ids = page_text(r, res, ids, ROW_TEXT);
	w->key = page_text(r, res, keytext, ROW_TEXT);
	r->nrow++;
	if ((res->address && r->show_addresses && !w->address) ||
	    (res->domain && !w->domain) || (res->grade && !w->grade) ||
	    !w->ids || !w->key)
		return -1;
	return 0;
}

static void
add_bad(struct report *r, unsigned long lineno)
{
	if (r->bad < REPORT_BAD_LISTED)
		r->bad_line[r->bad] = lineno;
	r->bad++;
}

/* The threat models and the skipped checks the records were judged
 * with, for the page's header. */
static void
add_context(struct report *r, const struct result *res)
{
	const char *m = res->threat_model;
	size_t i, len = strlen(r->skipped);
	json_t *v;

	r->threat[m == NULL ? 2 : strcmp(m, "full") == 0 ? 0
	          : strcmp(m, "remote") == 0 ? 1 : 2]++;
	json_array_foreach(res->skipped, i, v) {
		const char *s = json_string_value(v), *p = r->skipped;
		size_t n = s ? strlen(s) : 0;
		int seen = 0;

		if (n == 0)
			continue;
		/* a short list of check names: a linear look is enough */
		while (!seen && (p = strstr(p, s)) != NULL) {
			seen = (p == r->skipped || p[-1] == ' ') &&
			       (p[n] == ',' || p[n] == '\0');
			p += n;
		}
		if (!seen)
			append(r->skipped, &len, ", ", s);
	}
}

/* One record: counted, and listed when there is something to do. */
static int
add_record(struct report *r, const struct result *res)
{
	struct diff_user u;

	r->records++;
	r->cls[res->cls]++;
	r->grade[res->cls == RES_INVALID ? REPORT_NGRADE - 1
	                                 : grade_of(res->grade)]++;
	add_context(r, res);
	if (r->diff != NULL && (diff_add_new(r->diff, res, &u) != 0 ||
	                        report_change_add(r, res, &u) != 0))
		return -1;
	if (res->cls == RES_INVALID) {
		if (add_invalid(r, res) != 0)
			return -1;
	} else if (add_findings(r, res) != 0 || add_domain(r, res) != 0 ||
	           (res->cls == RES_ERROR && add_unassessed(r, res) != 0)) {
		return -1;
	}
	if (res->cls != RES_SECURE && add_row(r, res) != 0)
		return -1;
	return 0;
}

static int
report_record(void *ctx, const struct result *res)
{
	return add_record(ctx, res);
}

static void
report_bad(void *ctx, unsigned long lineno)
{
	struct report *r = ctx;

	add_bad(r, lineno);
	if (r->diff != NULL)
		diff_add_new_bad(r->diff);
}

static int
read_input(struct report *r, FILE *fp)
{
	char who[512];

	snprintf(who, sizeof(who), "scorer report: %s", r->source);
	if (res_foreach(fp, who, report_record, report_bad, r, &r->lines) != 0)
		return -1;
	if (r->diff != NULL && diff_finish(r->diff) != 0) {
		fputs("scorer report: out of memory\n", stderr);
		return -1;
	}
	return 0;
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
		free(w->key);
	}
	free(r->row);
	table_free(&r->finding);
	table_free(&r->domain);
	table_free(&r->missing);
	table_free(&r->invalid);
	diff_free(r->diff);
	report_change_free(r);
	sc_ctx_free(r->ctx);
}

/* --baseline: the old run, held as scorer diff holds it. */
static int
load_baseline(struct report *r, const char *path)
{
	FILE *fp = fopen(path, "r");
	char when[32];
	int rc;

	if (fp == NULL || *tool_not_readable(fp) != '\0') {
		fprintf(stderr, "scorer report: %s: %s\n", path,
		        fp != NULL ? tool_not_readable(fp) : strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	tool_file_time(fp, when);
	if ((r->diff = diff_new()) == NULL) {
		fputs("scorer report: out of memory\n", stderr);
		fclose(fp);
		return -1;
	}
	{
		char who[512];

		snprintf(who, sizeof(who), "scorer report: %s", path);
		rc = diff_load_old(r->diff, fp, who, when);
	}
	fclose(fp);
	return rc;
}

int
tool_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "rows", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 't' },
		{ "max-domains", required_argument, NULL, 'd' },
		{ "show-addresses", no_argument, NULL, 'a' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "rules", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = "report.html", *baseline = NULL, *rules = NULL;
	size_t rows = 5000, top = 50, max_domains = 100000;
	struct report r;
	struct tool_out out;
	FILE *in = NULL;
	int c, ok = 0, show = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'r':
			if (tool_number("report", "--rows", optarg, 0, 1000000, &rows))
				return TOOL_EXIT_ERROR;
			break;
		case 't':
			if (tool_number("report", "--top", optarg, 1, 10000, &top))
				return TOOL_EXIT_ERROR;
			break;
		case 'd':
			if (tool_number("report", "--max-domains", optarg, 2,
			                10000000, &max_domains))
				return TOOL_EXIT_ERROR;
			break;
		case 'a':
			show = 1;
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'R':
			rules = optarg;
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
		/* The input and the baseline may be one file; neither may be
		 * the output's. */
		const struct tool_role roles[] = {
			{ "the input", r.source, 0 },
			{ "--output", output, 1 },
			{ "--baseline", baseline, 0 },
		};

		if (tool_distinct("scorer report", roles, 2) != 0 ||
		    (baseline != NULL &&
		     tool_distinct("scorer report", roles + 1, 2) != 0))
			return TOOL_EXIT_ERROR;
	}
	r.maxrow = rows;
	r.top_domains = top;
	r.show_addresses = show;
	if (table_init(&r.finding, MAX_FINDING_IDS) != 0 ||
	    table_init(&r.domain, max_domains) != 0 ||
	    table_init(&r.missing, MAX_REASONS) != 0 ||
	    table_init(&r.invalid, MAX_REASONS) != 0 ||
	    (rows > 0 && (r.row = calloc(rows, sizeof(*r.row))) == NULL) ||
	    sc_ctx_new(&r.ctx) != SC_OK) {
		fputs("scorer report: out of memory\n", stderr);
		goto done;
	}
	/* The rules' texts (title, fix, category) by finding id. */
	if (tool_use_rules(r.ctx, rules) != 0)
		goto done;
	r.baseline = baseline;
	if (baseline != NULL && load_baseline(&r, baseline) != 0)
		goto done;
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
		ok = report_html(out.fp, &r) == 0;
	if (tool_out_close(&out, ok) != 0)
		ok = 0;
done:
	if (in != NULL && in != stdin)
		fclose(in);
	report_free(&r);
	return ok ? 0 : TOOL_EXIT_ERROR;
}
