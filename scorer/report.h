/* The report object (opaque in scorer.h) and the scoring that fills it. */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include "json_write.h"
#include "rules.h"
#include "scorer.h"

/*
 * A domain's part of its reports, built once when its job is assessed and
 * shared by every report of the domain: a batch writes thousands of
 * reports of one provider.  Immutable once built; references are counted
 * atomically, so a report may outlive the context and go to another
 * thread.  Each set carries its JSON text, spliced into sc_report_json().
 */
struct sc_recset {                /* the DNS lookups, as "records" */
	unsigned long refs;
	sc_record_t *record;          /* one block: the records, then their
	                               * strings and data */
	size_t n;
	struct sc_text *text;         /* the JSON array, or NULL */
};

struct sc_findset {               /* the domain's findings, sorted */
	unsigned long refs;
	sc_finding_t *finding;        /* details owned here; title, why and
	                               * fix are the rules' (texts) */
	size_t n;
	struct sc_ruletexts *texts;   /* held; NULL: all strings copied */
	struct sc_text *text;         /* the JSON array, or NULL */
};

struct sc_domain;
sc_status_t sc_recset_build(const struct sc_domain *dom,
                            struct sc_recset **out);
struct sc_recset *sc_recset_ref(struct sc_recset *rs);
void sc_recset_unref(struct sc_recset *rs);
struct sc_hits;
sc_status_t sc_findset_build(const struct sc_rules *rules,
                             const struct sc_hits *hits,
                             struct sc_findset **out);
struct sc_findset *sc_findset_ref(struct sc_findset *fs);
void sc_findset_unref(struct sc_findset *fs);

/* The JSON arrays of findings and records (json.c). */
void sc_json_findings(struct sc_jw *jw, const sc_finding_t *f, size_t n);
void sc_json_records(struct sc_jw *jw, const sc_record_t *r, size_t n);

struct sc_report {
	char *address;
	char *domain;
	sc_verdict_t verdict;
	int grade;                /* index into sc_grades */
	int score;
	unsigned elapsed_ms;
	/* The findings shown, most severe first: the domain's own array
	 * when the address adds none (finding_shared), else an array of
	 * the report's whose strings belong to dom_findings and own. */
	sc_finding_t *finding;
	size_t nfinding;
	int finding_shared;
	struct sc_findset *dom_findings; /* NULL for an invalid address */
	sc_finding_t *own;        /* the address's findings, as findset's */
	size_t nown;
	struct sc_ruletexts *own_texts;
	struct sc_recset *records;       /* NULL: none */
	struct sc_text *checks_text;     /* {"name": {...}} (shared), or NULL */
	sc_interception_t interception; /* interception.c's answer */
	const char *interception_via;   /* static, or NULL */
	char *interception_why;
};

/* Most severe first, then most points, then by id (stable for equals). */
void sc_findings_sort(sc_finding_t *f, size_t n);

/*
 * Score findings (already filled from the rules) and sort them, most
 * severe first (unless they are the domain's shared array: sorted).  score = max(0, 100 - sum of points); the grade is the
 * best whose threshold the score reaches, lowered to the worst cap; the
 * verdict is insecure when a finding is at rules->insecure_at or worse,
 * else error when the evidence is incomplete, else secure.
 */
void sc_score(const struct sc_rules *rules, struct sc_report *rep,
              int incomplete);

#endif
