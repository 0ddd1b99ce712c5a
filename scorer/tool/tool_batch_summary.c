/*
 * batch summary: counts of users (records) per verdict and grade, the
 * invalid ones apart, and per finding id the users it touches (once per
 * user, however many MX hosts show it), most severe first; the findings
 * that say "could not verify" apart, since missing evidence is no
 * weakness.  `scorer report` counts the same way, so the page, this
 * summary and its JSON (--summary FILE) give the same numbers.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tool_batch.h"

double
batch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const grades[] = { "A+", "A", "B", "C", "D", "F" };

static int
grade_index(const char *g)
{
	int i;

	for (i = 0; i < 6; i++)
		if (strcmp(g, grades[i]) == 0)
			return i;
	return 5;
}

/* The ids are borrowed from reports that are freed after this: copy. */
static void
count_finding(struct batch_summary *s, const sc_finding_t *f)
{
	struct batch_count *c = NULL;
	size_t i;

	for (i = 0; i < s->nfinding && c == NULL; i++)
		if (strcmp(s->finding[i].id, f->id) == 0)
			c = &s->finding[i];
	if (c == NULL) {
		if (s->nfinding == sizeof(s->finding) / sizeof(s->finding[0]))
			return;
		c = &s->finding[s->nfinding];
		if ((c->id = strdup(f->id)) == NULL)
			return;
		s->nfinding++;
		c->severity = f->severity;
		c->category = f->category;
		c->unverified = f->unverified;
	}
	if (c->seen == s->records)
		return; /* this user is counted already */
	c->seen = s->records;
	c->n++;
}

void
batch_summary_clear(struct batch_summary *s)
{
	size_t i;

	for (i = 0; i < s->nfinding; i++)
		free((char *)s->finding[i].id);
	s->nfinding = 0;
}

static int
is_invalid(const sc_report_t *rep)
{
	size_t i;

	for (i = 0; i < sc_report_finding_count(rep); i++)
		if (strcmp(sc_report_finding(rep, i)->id, "address.invalid") == 0)
			return 1;
	return 0;
}

void
batch_summary_add(struct batch_summary *s, const sc_report_t *rep,
                  int bad_line)
{
	size_t i;

	s->records++;
	if (rep == NULL) {
		s->error++;
		s->invalid += bad_line != 0;
		return;
	}
	switch (sc_report_verdict(rep)) {
	case SC_VERDICT_SECURE: s->secure++; break;
	case SC_VERDICT_INSECURE: s->insecure++; break;
	default: s->error++; break;
	}
	/* An invalid address is counted as invalid, not by its findings. */
	if (is_invalid(rep)) {
		s->invalid++;
		return;
	}
	/* A record that could not be assessed has no grade. */
	if (sc_report_grade(rep) != NULL)
		s->grade[grade_index(sc_report_grade(rep))]++;
	for (i = 0; i < sc_report_finding_count(rep); i++)
		count_finding(s, sc_report_finding(rep, i));
}

/* Most severe first, then most users, then by id: the page's order. */
static int
by_risk(const void *a, const void *b)
{
	const struct batch_count *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->id, y->id);
}

static json_t *
finding_list(const struct batch_summary *s, int unverified, size_t max)
{
	json_t *a = json_array();
	size_t i, k = 0;

	for (i = 0; a != NULL && i < s->nfinding && k < max; i++) {
		const struct batch_count *c = &s->finding[i];

		if (c->unverified != unverified)
			continue;
		k++;
		/* "count" is the older name of "users". */
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:I}",
		    "id", c->id, "severity", sc_severity_str(c->severity),
		    "category", sc_category_str(c->category),
		    "users", (json_int_t)c->n, "count", (json_int_t)c->n));
	}
	return a;
}

static json_t *
summary_json(const struct batch_summary *s, const sc_stats_t *st,
             sc_ctx_t *ctx)
{
	json_t *o = json_object(), *g = json_object();
	json_t *notes = json_array();
	double elapsed = batch_now() - s->started;
	const char *msg;
	size_t i;

	for (i = 0; i < 6; i++)
		json_object_set_new(g, grades[i], json_integer((json_int_t)s->grade[i]));
	json_object_set_new(o, "records", json_integer((json_int_t)s->records));
	json_object_set_new(o, "verdicts",
	                    json_pack("{s:I,s:I,s:I}", "secure",
	                              (json_int_t)s->secure, "insecure",
	                              (json_int_t)s->insecure, "error",
	                              (json_int_t)s->error));
	json_object_set_new(o, "users",
	                    json_pack("{s:I,s:I,s:I,s:I}", "secure",
	                              (json_int_t)s->secure, "insecure",
	                              (json_int_t)s->insecure, "unassessed",
	                              (json_int_t)(s->error - s->invalid),
	                              "invalid", (json_int_t)s->invalid));
	json_object_set_new(o, "grades", g);
	json_object_set_new(o, "top_findings", finding_list(s, 0, 20));
	json_object_set_new(o, "unverified", finding_list(s, 1, 20));
	json_object_set_new(o, "domains_looked_up",
	                    json_integer((json_int_t)st->domain_misses));
	json_object_set_new(o, "domain_cache_hit_rate",
	                    json_real(st->addresses ? (double)st->domain_hits /
	                                              (double)st->addresses
	                                            : 0.0));
	json_object_set_new(o, "domains_evicted",
	                    json_integer((json_int_t)st->evictions));
	json_object_set_new(o, "elapsed_s", json_real(elapsed));
	json_object_set_new(o, "records_per_s",
	                    json_real(elapsed > 0 ? (double)s->records / elapsed
	                                          : 0.0));
	for (i = 0; (msg = sc_ctx_notice(ctx, i)) != NULL; i++)
		json_array_append_new(notes, json_string(msg));
	json_object_set_new(o, "notices", notes);
	return o;
}

static void
print_findings(FILE *fp, const struct batch_summary *s, int unverified,
               const char *heading)
{
	size_t i, k = 0;

	for (i = 0; i < s->nfinding && k < 10; i++) {
		const struct batch_count *c = &s->finding[i];

		if (c->unverified != unverified)
			continue;
		if (k++ == 0)
			fprintf(fp, "  %s\n", heading);
		fprintf(fp, "  %8lu  %-8s  %s\n", c->n,
		        sc_severity_str(c->severity), c->id);
	}
}

void
batch_summary_print(FILE *fp, const struct batch_summary *cs,
                    const sc_stats_t *st, sc_ctx_t *ctx, int json)
{
	struct batch_summary s = *cs;
	json_t *o;
	char *text;
	size_t i;

	qsort(s.finding, s.nfinding, sizeof(s.finding[0]), by_risk);
	if (json) {
		o = summary_json(&s, st, ctx);
		text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text != NULL)
			fprintf(fp, "%s\n", text);
		free(text);
		json_decref(o);
		return;
	}
	fprintf(fp, "scorer batch: %lu records in %.1f s: %lu secure, %lu "
	        "insecure, %lu could not be assessed, %lu invalid\n",
	        s.records, batch_now() - s.started, s.secure, s.insecure,
	        s.error - s.invalid, s.invalid);
	fprintf(fp, "  grades: A+ %lu, A %lu, B %lu, C %lu, D %lu, F %lu\n",
	        s.grade[0], s.grade[1], s.grade[2], s.grade[3], s.grade[4],
	        s.grade[5]);
	fprintf(fp, "  domains looked up: %zu (cache hit rate %.1f%%)\n",
	        st->domain_misses, st->addresses ?
	        100.0 * (double)st->domain_hits / (double)st->addresses : 0.0);
	print_findings(fp, &s, 0, "users by finding, most severe first:");
	print_findings(fp, &s, 1, "could not verify (users; not counted as "
	               "weaknesses):");
	/* Conditions of the run, once: not per record. */
	for (i = 0; (text = (char *)sc_ctx_notice(ctx, i)) != NULL; i++)
		fprintf(fp, "  note: %s\n", text);
}

/* ---- --fail-on ----------------------------------------------------------- */

int
batch_fail_on_parse(struct batch_fail_on *f, const char *arg)
{
	char buf[128], *tok, *save = NULL;
	int sev;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "insecure") == 0) {
			f->insecure = 1;
			continue;
		}
		if (strcmp(tok, "error") == 0) {
			f->error = 1;
			continue;
		}
		for (sev = SC_SEV_CRITICAL; sev <= SC_SEV_INFO; sev++)
			if (strcmp(tok, sc_severity_str((sc_severity_t)sev)) == 0)
				break;
		if (sev > SC_SEV_INFO)
			return -1;
		if (sev > f->severity)
			f->severity = sev; /* the least severe asked for */
	}
	return f->insecure || f->error || f->severity >= 0 ? 0 : -1;
}

int
batch_fail_on_match(const struct batch_fail_on *f, const sc_report_t *rep)
{
	size_t i;

	if (rep == NULL)
		return f->error; /* a line that could not be checked */
	if (f->insecure && sc_report_verdict(rep) == SC_VERDICT_INSECURE)
		return 1;
	if (f->error && sc_report_verdict(rep) == SC_VERDICT_ERROR)
		return 1;
	for (i = 0; f->severity >= 0 && i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *x = sc_report_finding(rep, i);

		/* A finding that could not be verified is no weakness, and
		 * an invalid address is --fail-on error's. */
		if (!x->unverified && (int)x->severity <= f->severity &&
		    strcmp(x->id, "address.invalid") != 0)
			return 1;
	}
	return 0;
}
