/*
 * Points to score, grade and verdict.  The numbers are data
 * (rules/scoring.ini, rules/findings.ini); this is only the arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

static int
by_severity(const void *a, const void *b)
{
	const sc_finding_t *x = a, *y = b;

	if (x->severity != y->severity)
		return (int)x->severity - (int)y->severity;
	if (x->points != y->points)
		return y->points - x->points;
	return strcmp(x->id, y->id);
}

void
sc_findings_sort(sc_finding_t *f, size_t n)
{
	if (n > 1)
		qsort(f, n, sizeof(*f), by_severity);
}

void
sc_score(const struct sc_rules *rules, struct sc_report *rep, int incomplete)
{
	int points = 0, grade = SC_GRADE_COUNT - 1, insecure = 0;
	size_t i;

	if (!rep->finding_shared)
		sc_findings_sort(rep->finding, rep->nfinding);
	for (i = 0; i < rep->nfinding; i++) {
		points += rep->finding[i].points;
		if (rep->finding[i].severity <= rules->insecure_at)
			insecure = 1;
	}
	rep->score = points >= 100 ? 0 : 100 - points;
	for (i = 0; i < SC_GRADE_COUNT; i++)
		if (rep->score >= rules->min_score[i]) {
			grade = (int)i;
			break;
		}
	for (i = 0; i < rep->nfinding; i++) {
		const struct sc_rule *r = sc_rules_find(rules, rep->finding[i].id);

		if (r != NULL && r->grade_cap > grade)
			grade = r->grade_cap;
	}
	rep->grade = grade;
	if (insecure)
		rep->verdict = SC_VERDICT_INSECURE;
	else if (incomplete)
		rep->verdict = SC_VERDICT_ERROR;
	else
		rep->verdict = SC_VERDICT_SECURE;
}
