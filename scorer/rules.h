/*
 * Rules are data (rules/findings.ini and rules/scoring.ini, read with
 * libinih): for each finding id its severity, category, points, optional
 * grade cap, title, why and fix; and
 * the thresholds that turn points into a grade and a verdict.
 */
#ifndef SC_RULES_H
#define SC_RULES_H

#include <stddef.h>

#include "scorer.h"

struct sc_rule {
	sc_finding_t f;   /* id, severity, category, title, why, fix, points;
	                   * detail is "" (severity and points as the
	                   * threat model in use sets them) */
	int grade_cap;    /* index into SC_GRADES, or -1: no cap */
	sc_severity_t base_severity; /* as findings.ini says */
	int base_points;
};

/* scoring.ini [model.NAME]: under threat model `model` (sc_threat_model_t)
 * the finding rule[index] has this severity and, unless -1, points. */
struct sc_override {
	int model;
	size_t index;
	sc_severity_t severity;
	int points;
};

#define SC_MODEL_COUNT 2  /* full, remote: sc_threat_model_t */

/* Grades best first; a grade index is a position in this list. */
#define SC_GRADE_COUNT 6
extern const char *const sc_grades[SC_GRADE_COUNT]; /* "A+".."F" */

/* The rule array and its strings once loaded, counted: the rules hold
 * one reference, and each set of findings whose title, why and fix point
 * at them holds another (a report may outlive its context and the rules
 * it was scored with). */
struct sc_ruletexts {
	unsigned long refs;
	struct sc_rule *rule;
	size_t nrule;
};

struct sc_rules {
	struct sc_rule *rule;
	size_t nrule;
	struct sc_ruletexts *texts; /* owns rule[] once loaded; NULL while
	                             * loading, or for rules built by hand */
	/* rule[] in the order of id, for sc_rules_find() (every finding of
	 * every report is looked up); owned.  NULL while loading, or for
	 * rules built by hand: then rule[] is searched in order. */
	struct sc_rule **by_id;
	/* scoring.ini [grades]: the lowest score that still earns grade i;
	 * min_score[SC_GRADE_COUNT - 1] is 0. */
	int min_score[SC_GRADE_COUNT];
	/* scoring.ini [verdict]: a finding at this severity or worse makes the
	 * address insecure (default SC_SEV_HIGH). */
	sc_severity_t insecure_at;
	/* scoring.ini [verdict]: the best grade an address can have while a
	 * finding of severity s stands (index into sc_grades, or -1), and
	 * the worst grade a secure address may have: below it, weaknesses
	 * that are each below insecure_at add up to insecure. */
	int severity_cap[5];
	int secure_min_grade;
	struct sc_override *override;
	size_t noverride;
	char *dir;        /* where the rules were read from */
};

/*
 * Read DIR/findings.ini and DIR/scoring.ini.  SC_ERULES with err naming
 * file and line on a malformed file, an unknown severity or category, a
 * duplicate id; SC_EIO when a file cannot be opened; SC_ENOMEM.
 * On success *out is filled (free with sc_rules_clear()).
 *
 * err: "DIR/findings.ini:LINE: reason" (a missing key names the line of
 * its section's header), "cannot open PATH: strerror", or "" on success;
 * cut to errlen, and may be NULL.  On failure *out is left empty, and
 * sc_rules_clear() on it is harmless.  Rules keep the order of the file.
 * Syntax and checks: docs/findings.md.
 */
sc_status_t sc_rules_load(const char *dir, struct sc_rules *out, char *err,
                          size_t errlen);
void sc_rules_clear(struct sc_rules *r);
/* Set every rule's severity and points for threat model `model`
 * (sc_threat_model_t): findings.ini's values, then [model.NAME]'s. */
void sc_rules_apply_model(struct sc_rules *r, int model);
/* "full", "remote"; NULL past the last. */
const char *sc_model_name(int model);
/* Another reference to r's texts, for findings that point at them; NULL
 * when r has none counted (the caller copies the strings instead). */
struct sc_ruletexts *sc_rules_hold_texts(const struct sc_rules *r);
void sc_ruletexts_release(struct sc_ruletexts *t);
/* NULL when r or id is NULL or no rule has the id.  Borrowed from r. */
const struct sc_rule *sc_rules_find(const struct sc_rules *r, const char *id);

/* The rules directory when the caller set none (rules_dir.c):
 * $SCORER_RULES_DIR; else DATADIR/rules found from where the library (or
 * the program that links it statically) is, when that directory exists;
 * else the one `make` was given.  Returns the environment's string, buf
 * (len bytes) or a constant. */
const char *sc_rules_default_dir(char *buf, size_t len);

/* -1 when the text is not a grade / severity / category name. */
int sc_grade_parse(const char *s);
int sc_severity_parse(const char *s);
int sc_category_parse(const char *s);

#endif
