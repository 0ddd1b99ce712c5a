/* The report object (opaque in scorer.h) and the scoring that fills it. */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <stdint.h>

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


struct sc_report {
	char *address;
	char *domain;
	sc_verdict_t verdict;
	int grade;                /* index into sc_grades; -1 on error */
	int score;                /* 0..100; -1 on error */
	int worst;                /* index of the worst finding that is not
	                           * "could not verify", or -1 */
	int adds_up;              /* insecure by grade, not by one finding */
	char *headline;           /* the verdict's reason, one line */
	sc_threat_model_t threat_model;
	uint32_t skipped;         /* bit i: sc_checks[i] was switched off */
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

/* Most severe first, known before unverified, then most points, then by
 * id (stable for equals). */
void sc_findings_sort(sc_finding_t *f, size_t n);

/*
 * Score findings (already filled from the rules) and sort them, most
 * severe first (unless they are the domain's shared array: sorted).
 * score = max(0, 100 - the points of each finding id once); the grade is
 * the best whose threshold the score reaches, lowered to the worst cap (a
 * rule's grade_cap, or its severity's); the verdict is insecure when a
 * finding is at rules->insecure_at or worse, else error when evidence is
 * missing (incomplete, or a finding that could not be verified), else
 * insecure when the grade is below secure_min_grade, else secure.  An
 * error has no score and no grade (-1).
 */
void sc_score(const struct sc_rules *rules, struct sc_report *rep,
              int incomplete);
/* rep->headline, once scored: the verdict's reason in one line.
 * invalid_reason: why the address is invalid, or NULL. */
sc_status_t sc_headline(struct sc_report *rep, const char *invalid_reason);

#endif
