/* The report object (opaque in scorer.h) and the scoring that fills it. */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <jansson.h>

#include "json_write.h"
#include "rules.h"
#include "scorer.h"

struct sc_report {
	char *address;
	char *domain;
	sc_verdict_t verdict;
	int grade;                /* index into sc_grades */
	int score;
	unsigned elapsed_ms;
	sc_finding_t *finding;    /* strings owned by the report */
	size_t nfinding;
	sc_record_t *record;      /* strings and data owned by the report */
	size_t nrecord;
	json_t *checks;           /* what each check saw: {"name": {...}} */
	struct sc_text *checks_text; /* its JSON text (shared), or NULL */
	sc_interception_t interception; /* interception.c's answer */
	const char *interception_via;   /* static, or NULL */
	char *interception_why;
};

/*
 * Score findings (already filled from the rules) and sort them, most
 * severe first.  score = max(0, 100 - sum of points); the grade is the
 * best whose threshold the score reaches, lowered to the worst cap; the
 * verdict is insecure when a finding is at rules->insecure_at or worse,
 * else error when the evidence is incomplete, else secure.
 */
void sc_score(const struct sc_rules *rules, struct sc_report *rep,
              int incomplete);

#endif
