/*
 * batch summary and progress: counts per verdict and grade, the most
 * common findings, the cache's work, the rate.  The progress bar goes to
 * stderr only on a terminal.
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

static int
grade_index(const char *g)
{
	static const char *const grades[] = { "A+", "A", "B", "C", "D", "F" };
	int i;

	for (i = 0; i < 6; i++)
		if (strcmp(g, grades[i]) == 0)
			return i;
	return 5;
}

/* The ids are borrowed from reports that are freed after this: copy. */
static void
count_finding(struct batch_summary *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nfinding; i++)
		if (strcmp(s->finding[i].id, id) == 0) {
			s->finding[i].n++;
			return;
		}
	if (s->nfinding < sizeof(s->finding) / sizeof(s->finding[0]) &&
	    (s->finding[s->nfinding].id = strdup(id)) != NULL)
		s->finding[s->nfinding++].n = 1;
}

void
batch_summary_clear(struct batch_summary *s)
{
	size_t i;

	for (i = 0; i < s->nfinding; i++)
		free((char *)s->finding[i].id);
	s->nfinding = 0;
}

void
batch_summary_add(struct batch_summary *s, const sc_report_t *rep)
{
	size_t i;

	s->records++;
	if (rep == NULL) {
		s->error++;
		return;
	}
	switch (sc_report_verdict(rep)) {
	case SC_VERDICT_SECURE: s->secure++; break;
	case SC_VERDICT_INSECURE: s->insecure++; break;
	default: s->error++; break;
	}
	/* A record that could not be assessed has no grade. */
	if (sc_report_grade(rep) != NULL)
		s->grade[grade_index(sc_report_grade(rep))]++;
	for (i = 0; i < sc_report_finding_count(rep); i++)
		count_finding(s, sc_report_finding(rep, i)->id);
}

static int
by_count(const void *a, const void *b)
{
	const struct batch_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->id, y->id);
}

static json_t *
summary_json(const struct batch_summary *s, const sc_stats_t *st,
             sc_ctx_t *ctx)
{
	static const char *const grades[] = { "A+", "A", "B", "C", "D", "F" };
	json_t *o = json_object(), *g = json_object(), *f = json_array();
	json_t *notes = json_array();
	double elapsed = batch_now() - s->started;
	const char *msg;
	size_t i;

	for (i = 0; i < 6; i++)
		json_object_set_new(g, grades[i], json_integer((json_int_t)s->grade[i]));
	for (i = 0; i < s->nfinding && i < 20; i++)
		json_array_append_new(f, json_pack("{s:s,s:I}", "id",
		                                   s->finding[i].id, "count",
		                                   (json_int_t)s->finding[i].n));
	json_object_set_new(o, "records", json_integer((json_int_t)s->records));
	json_object_set_new(o, "verdicts",
	                    json_pack("{s:I,s:I,s:I}", "secure",
	                              (json_int_t)s->secure, "insecure",
	                              (json_int_t)s->insecure, "error",
	                              (json_int_t)s->error));
	json_object_set_new(o, "grades", g);
	json_object_set_new(o, "top_findings", f);
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

void
batch_summary_print(FILE *fp, const struct batch_summary *cs,
                    const sc_stats_t *st, sc_ctx_t *ctx, int json)
{
	struct batch_summary s = *cs;
	json_t *o;
	char *text;
	size_t i;

	qsort(s.finding, s.nfinding, sizeof(s.finding[0]), by_count);
	o = summary_json(&s, st, ctx);
	if (json) {
		text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text != NULL)
			fprintf(fp, "%s\n", text);
		free(text);
		json_decref(o);
		return;
	}
	json_decref(o);
	fprintf(fp, "scorer batch: %lu records in %.1f s: %lu secure, %lu "
	        "insecure, %lu could not be assessed\n", s.records,
	        batch_now() - s.started, s.secure, s.insecure, s.error);
	fprintf(fp, "  grades: A+ %lu, A %lu, B %lu, C %lu, D %lu, F %lu\n",
	        s.grade[0], s.grade[1], s.grade[2], s.grade[3], s.grade[4],
	        s.grade[5]);
	fprintf(fp, "  domains looked up: %zu (cache hit rate %.1f%%)\n",
	        st->domain_misses, st->addresses ?
	        100.0 * (double)st->domain_hits / (double)st->addresses : 0.0);
	for (i = 0; i < s.nfinding && i < 10; i++)
		fprintf(fp, "  %8lu  %s\n", s.finding[i].n, s.finding[i].id);
	/* Conditions of the run, once: not per record. */
	for (i = 0; (text = (char *)sc_ctx_notice(ctx, i)) != NULL; i++)
		fprintf(fp, "  note: %s\n", text);
}

void
batch_progress(const struct batch_summary *s, const sc_stats_t *st,
               off_t bytes, off_t total, int final)
{
	double elapsed = batch_now() - s->started;
	double rate = elapsed > 0 ? (double)s->records / elapsed : 0;
	char eta[32] = "?";

	if (total > 0 && bytes > 0 && elapsed > 1) {
		double left = elapsed * (double)(total - bytes) / (double)bytes;

		snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60,
		         (int)left % 60);
	}
	fprintf(stderr, "\r\033[K  %lu lines  %.0f/s  ETA %s  domains %zu%s",
	        s->records, rate, eta, st->domain_misses, final ? "\n" : "");
}
