/*
 * Points to score, grade and verdict, and the one line that says why.
 * The numbers are data (rules/scoring.ini, rules/findings.ini); this is
 * only the arithmetic, and the invariants of docs/verdict.md:
 *   - secure: no finding at insecure_at or worse, no evidence missing,
 *     and a grade no worse than secure_min_grade;
 *   - error: no score and no grade (evidence is missing: an unknown is
 *     not a weakness, and not a strength either);
 *   - a finding id counts its points once, however many MX hosts show
 *     it; "could not verify" findings count none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "internal.h"
#include "report.h"

static int
by_severity(const void *a, const void *b)
{
	const sc_finding_t *x = a, *y = b;

	if (x->severity != y->severity)
		return (int)x->severity - (int)y->severity;
	/* Among equals, what is known before what could not be verified. */
	if (x->unverified != y->unverified)
		return x->unverified - y->unverified;
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

/* Is f[i] the first finding of its id in f[0..i)? */
static int
first_of_id(const sc_finding_t *f, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(f[j].id, f[i].id) == 0)
			return 0;
	return 1;
}

void
sc_score(const struct sc_rules *rules, struct sc_report *rep, int incomplete)
{
	int points = 0, grade = SC_GRADE_COUNT - 1, cap = 0, insecure = 0;
	size_t i;

	if (!rep->finding_shared)
		sc_findings_sort(rep->finding, rep->nfinding);
	rep->worst = -1;
	for (i = 0; i < rep->nfinding; i++) {
		const sc_finding_t *f = &rep->finding[i];
		const struct sc_rule *r;

		if (f->unverified) {
			/* Evidence the threat model does not need is rated
			 * info: then it decides nothing. */
			if (f->severity < SC_SEV_INFO)
				incomplete = 1;
			continue;
		}
		if (first_of_id(rep->finding, i))
			points += f->points;
		if (rep->worst < 0)
			rep->worst = (int)i;
		if (f->severity <= rules->insecure_at)
			insecure = 1;
		r = sc_rules_find(rules, f->id);
		if (r != NULL && r->grade_cap > cap)
			cap = r->grade_cap;
		if (rules->severity_cap[f->severity] > cap)
			cap = rules->severity_cap[f->severity];
	}
	rep->score = points >= 100 ? 0 : 100 - points;
	for (i = 0; i < SC_GRADE_COUNT; i++)
		if (rep->score >= rules->min_score[i]) {
			grade = (int)i;
			break;
		}
	rep->grade = grade > cap ? grade : cap;
	rep->adds_up = 0;
	if (insecure) {
		rep->verdict = SC_VERDICT_INSECURE;
	} else if (incomplete) {
		rep->verdict = SC_VERDICT_ERROR;
	} else if (rules->secure_min_grade >= 0 &&
	           rep->grade > rules->secure_min_grade) {
		/* No one weakness is enough, but together they are: a
		 * secure verdict with grade D would contradict itself. */
		rep->verdict = SC_VERDICT_INSECURE;
		rep->adds_up = 1;
	} else {
		rep->verdict = SC_VERDICT_SECURE;
	}
	if (rep->verdict == SC_VERDICT_ERROR) {
		rep->score = -1;
		rep->grade = -1;
	}
}

/* The first clause of a detail, for a headline: up to ": " or ". " outside
 * parentheses, at most max bytes (cut at a space). */
static int
first_clause(const char *s, int max)
{
	int i, depth = 0, space = -1;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && (s[i] == ':' || s[i] == '.' ||
		                        s[i] == ';') &&
		         (s[i + 1] == ' ' || s[i + 1] == '\0'))
			return i;
		if (s[i] == ' ')
			space = i;
	}
	return s[i] == '\0' || space < 0 ? i : space;
}

/* "starttls, mta_sts" for the checks switched off, into buf. */
static void
skipped_list(const struct sc_report *rep, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sc_ncheck && i < 32; i++)
		if ((rep->skipped & (UINT32_C(1) << i)) &&
		    n + strlen(sc_checks[i]->name) + 3 < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			                      n > 0 ? ", " : "", sc_checks[i]->name);
}

static const char *
finding_line(const sc_finding_t *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s: %.*s", f->title,
	         first_clause(f->detail, 160), f->detail);
	return buf;
}

sc_status_t
sc_headline(struct sc_report *rep, const char *invalid_reason)
{
	char line[512], skipped[160], what[400];
	const sc_finding_t *f = NULL;
	size_t i;

	skipped_list(rep, skipped, sizeof(skipped));
	if (invalid_reason != NULL) {
		snprintf(line, sizeof(line), "not a valid email address: %s",
		         invalid_reason);
	} else if (rep->verdict == SC_VERDICT_ERROR) {
		for (i = 0; i < rep->nfinding && f == NULL; i++)
			if (rep->finding[i].unverified &&
			    rep->finding[i].severity < SC_SEV_INFO)
				f = &rep->finding[i];
		if (f == NULL)
			snprintf(line, sizeof(line), "evidence is missing");
		else
			snprintf(line, sizeof(line), "%s. What to do: %.*s",
			         finding_line(f, what, sizeof(what)),
			         first_clause(f->fix, 200), f->fix);
	} else if (rep->verdict == SC_VERDICT_INSECURE) {
		f = rep->worst >= 0 ? &rep->finding[rep->worst] : NULL;
		if (f == NULL)
			snprintf(line, sizeof(line), "a weak link was found");
		else if (rep->adds_up)
			snprintf(line, sizeof(line), "several weaknesses add up "
			         "to grade %s; the worst: %s",
			         sc_grades[rep->grade],
			         finding_line(f, what, sizeof(what)));
		else
			finding_line(f, line, sizeof(line));
	} else {
		snprintf(line, sizeof(line), "%s%s%s%s",
		         rep->threat_model == SC_THREAT_REMOTE
		         ? "no way to take the mailbox over was found (threat "
		           "model remote: reading mail on the network path is "
		           "not rated)"
		         : "no weak link found",
		         skipped[0] != '\0' ? " in the checks run (skipped: "
		                            : "",
		         skipped, skipped[0] != '\0' ? ")" : "");
	}
	rep->headline = sc_strdup(line);
	return rep->headline != NULL ? SC_OK : SC_ENOMEM;
}
