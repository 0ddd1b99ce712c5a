/*
 * The rules loader (scorer/rules.c) and the rules/ it ships.
 *
 * The shipped catalogue is pinned here id by id, with severity and
 * category: ids are stable, and a change of severity changes verdicts, so
 * it should be made on purpose, in both places.  The malformed rules dirs
 * are in tests/data/rules-*, one mistake each.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "internal.h"
#include "rules.h"
#include "testutil.h"

static const struct catalogue_entry {
	const char *id;
	sc_severity_t severity;
	sc_category_t category;
	int unverified;  /* "could not verify": 0 points whatever severity */
} catalogue[] = {
	{"domain.nxdomain", SC_SEV_CRITICAL, SC_CAT_TAKEOVER, 0},
	{"domain.null_mx", SC_SEV_CRITICAL, SC_CAT_DELIVERY, 0},
	{"domain.implicit_mx", SC_SEV_LOW, SC_CAT_DELIVERY, 0},
	{"domain.no_mail", SC_SEV_CRITICAL, SC_CAT_DELIVERY, 0},
	{"domain.unregistrable", SC_SEV_CRITICAL, SC_CAT_DELIVERY, 0},
	{"domain.disposable", SC_SEV_CRITICAL, SC_CAT_EXPOSURE, 0},
	{"domain.lookalike", SC_SEV_HIGH, SC_CAT_TAKEOVER, 0},
	{"mx.dangling", SC_SEV_CRITICAL, SC_CAT_TAKEOVER, 0},
	{"mx.private_address", SC_SEV_HIGH, SC_CAT_DELIVERY, 0},
	{"ns.dangling", SC_SEV_CRITICAL, SC_CAT_TAKEOVER, 0},
	{"ns.lame", SC_SEV_HIGH, SC_CAT_TAKEOVER, 0},
	{"ns.unresolvable", SC_SEV_MEDIUM, SC_CAT_DELIVERY, 0},
	{"ns.unverified", SC_SEV_MEDIUM, SC_CAT_TAKEOVER, 1},
	{"domain.pending_delete", SC_SEV_CRITICAL, SC_CAT_TAKEOVER, 0},
	{"domain.expiring", SC_SEV_HIGH, SC_CAT_TAKEOVER, 0},
	{"domain.renewal_due", SC_SEV_MEDIUM, SC_CAT_TAKEOVER, 0},
	{"domain.recently_registered", SC_SEV_HIGH, SC_CAT_TAKEOVER, 0},
	{"domain.transfer_unlocked", SC_SEV_LOW, SC_CAT_TAKEOVER, 0},
	{"domain.re_registered", SC_SEV_CRITICAL, SC_CAT_TAKEOVER, 0},
	{"rdap.unavailable", SC_SEV_INFO, SC_CAT_TAKEOVER, 0},
	{"address.invalid", SC_SEV_HIGH, SC_CAT_DELIVERY, 0},
	{"address.literal", SC_SEV_HIGH, SC_CAT_TAKEOVER, 0},
	{"dns.unverified", SC_SEV_MEDIUM, SC_CAT_DELIVERY, 1},
	{"dns.resolver_untrusted", SC_SEV_MEDIUM, SC_CAT_DELIVERY, 1},
	{"spf.missing", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"spf.multiple", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"spf.invalid", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"spf.permissive", SC_SEV_HIGH, SC_CAT_SPOOFING, 0},
	{"spf.softfail", SC_SEV_LOW, SC_CAT_SPOOFING, 0},
	{"spf.too_many_lookups", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"spf.void_lookups", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"dmarc.missing", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"dmarc.invalid", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"dmarc.policy_none", SC_SEV_MEDIUM, SC_CAT_SPOOFING, 0},
	{"dmarc.partial", SC_SEV_LOW, SC_CAT_SPOOFING, 0},
	{"dmarc.rua_unauthorized", SC_SEV_LOW, SC_CAT_SPOOFING, 0},
	{"tlsrpt.missing", SC_SEV_LOW, SC_CAT_INTERCEPTION, 0},
	{"tlsrpt.invalid", SC_SEV_LOW, SC_CAT_INTERCEPTION, 0},
	{"starttls.unsupported", SC_SEV_HIGH, SC_CAT_INTERCEPTION, 0},
	{"starttls.unreachable", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 1},
	{"tls.cert_invalid", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"tls.cert_expired", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"tls.hostname_mismatch", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"tls.old_protocol", SC_SEV_LOW, SC_CAT_INTERCEPTION, 0},
	{"mta_sts.missing", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"mta_sts.invalid", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"mta_sts.testing", SC_SEV_LOW, SC_CAT_INTERCEPTION, 0},
	{"mta_sts.policy_unavailable", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 0},
	{"mta_sts.unreachable", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 1},
	{"mta_sts.mx_mismatch", SC_SEV_HIGH, SC_CAT_DELIVERY, 0},
	{"dane.mismatch", SC_SEV_HIGH, SC_CAT_DELIVERY, 0},
	{"dnssec.unsigned", SC_SEV_LOW, SC_CAT_INTERCEPTION, 0},
	{"interception.possible", SC_SEV_INFO, SC_CAT_INTERCEPTION, 0},
	{"interception.unverified", SC_SEV_MEDIUM, SC_CAT_INTERCEPTION, 1},
	{"breach.found", SC_SEV_HIGH, SC_CAT_EXPOSURE, 0},
	{"breach.unverified", SC_SEV_MEDIUM, SC_CAT_EXPOSURE, 1},
};

/* Points per severity, as findings.ini states its bands. */
static const int band_lo[] = {60, 30, 10, 3, 0};
static const int band_hi[] = {100, 40, 15, 5, 0};

static struct sc_rules rules;
static char err[1024];

static void
load_shipped(void)
{
	sc_status_t st = sc_rules_load(test_rules_dir(), &rules, err,
	                               sizeof(err));

	ck_assert_msg(st == SC_OK, "loading %s: %d %s", test_rules_dir(),
	              (int)st, err);
}

static void
unload(void)
{
	sc_rules_clear(&rules);
}

static int
in_catalogue(const char *id)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(catalogue); i++)
		if (strcmp(catalogue[i].id, id) == 0)
			return 1;
	return 0;
}

/* Non-empty, one line, no blanks at either end or twice in a row: the
 * signs of a bad continuation line. */
static void
check_text(const char *id, const char *what, const char *s)
{
	size_t n;

	ck_assert_msg(s != NULL && *s != '\0', "%s: empty %s", id, what);
	n = strlen(s);
	ck_assert_msg(strchr(s, '\n') == NULL && strchr(s, '\t') == NULL,
	              "%s: %s has a newline or tab", id, what);
	ck_assert_msg(s[0] != ' ' && s[n - 1] != ' ' &&
	              strstr(s, "  ") == NULL, "%s: %s has stray blanks",
	              id, what);
}

/* ---- the shipped rules ------------------------------------------------ */

START_TEST(test_catalogue_complete)
{
	const struct catalogue_entry *c = &catalogue[_i];
	const struct sc_rule *r = sc_rules_find(&rules, c->id);

	ck_assert_msg(r != NULL, "%s missing from %s", c->id,
	              test_rules_dir());
	ck_assert_str_eq(r->f.id, c->id);
	ck_assert_msg(r->f.severity == c->severity, "%s: severity %s",
	              c->id, sc_severity_str(r->f.severity));
	ck_assert_msg(r->f.category == c->category, "%s: category %s",
	              c->id, sc_category_str(r->f.category));
	check_text(c->id, "title", r->f.title);
	check_text(c->id, "why", r->f.why);
	check_text(c->id, "fix", r->f.fix);
	ck_assert_msg(strlen(r->f.title) < 70, "%s: title too long", c->id);
	ck_assert_msg(r->f.why[strlen(r->f.why) - 1] == '.' &&
	              r->f.fix[strlen(r->f.fix) - 1] == '.',
	              "%s: why and fix are sentences", c->id);
	ck_assert_str_eq(r->f.detail, "");
	/* An unknown is not a weakness: no points (docs/verdict.md). */
	if (c->unverified)
		ck_assert_msg(r->f.points == 0, "%s: %d points", c->id,
		              r->f.points);
	else
		ck_assert_msg(r->f.points >= band_lo[r->f.severity] &&
		              r->f.points <= band_hi[r->f.severity],
		              "%s: %d points for %s", c->id, r->f.points,
		              sc_severity_str(r->f.severity));
	/* Critical findings cap at F, high ones at D or worse (an invalid
	 * address at F: its verdict is error); the rest do not cap. */
	if (r->f.severity == SC_SEV_CRITICAL)
		ck_assert_int_eq(r->grade_cap, sc_grade_parse("F"));
	else if (r->f.severity == SC_SEV_HIGH)
		ck_assert_int_ge(r->grade_cap, sc_grade_parse("D"));
	else
		ck_assert_int_eq(r->grade_cap, -1);
}
END_TEST

START_TEST(test_catalogue_no_strays)
{
	size_t i;

	ck_assert_uint_eq(rules.nrule, SC_ARRAY_LEN(catalogue));
	for (i = 0; i < rules.nrule; i++)
		ck_assert_msg(in_catalogue(rules.rule[i].f.id),
		              "%s is not in the catalogue of this test",
		              rules.rule[i].f.id);
}
END_TEST

/* sc_rules_find() searches an index in the order of id: every rule of
 * the shipped set is found as itself, and a name beside one (a prefix, one
 * character more, before the first, after the last) is found as none. */
START_TEST(test_find_every_rule)
{
	static const char *const none[] = {
		"", "a", "dns", "dns.", "spf.missingx", "zzz", "~", "SPF.MISSING"
	};
	size_t i;

	ck_assert_ptr_nonnull(rules.by_id);
	for (i = 0; i < rules.nrule; i++)
		ck_assert_ptr_eq(sc_rules_find(&rules, rules.rule[i].f.id),
		                 &rules.rule[i]);
	for (i = 0; i < SC_ARRAY_LEN(none); i++)
		ck_assert_msg(sc_rules_find(&rules, none[i]) == NULL, "%s",
		              none[i]);
}
END_TEST

START_TEST(test_scoring_shipped)
{
	int g;

	for (g = 1; g < SC_GRADE_COUNT; g++)
		ck_assert_int_lt(rules.min_score[g], rules.min_score[g - 1]);
	ck_assert_int_le(rules.min_score[0], 100);
	ck_assert_int_eq(rules.min_score[SC_GRADE_COUNT - 1], 0);
	ck_assert_int_eq(rules.min_score[0], 97);
	ck_assert_int_eq(rules.min_score[4], 50);
	ck_assert_int_eq(rules.insecure_at, SC_SEV_HIGH);
	ck_assert_str_eq(rules.dir, test_rules_dir());
	/* An insecure address never shows a good grade, a secure one never
	 * a bad one (docs/verdict.md). */
	ck_assert_int_eq(rules.severity_cap[SC_SEV_CRITICAL],
	                 sc_grade_parse("F"));
	ck_assert_int_eq(rules.severity_cap[SC_SEV_HIGH], sc_grade_parse("D"));
	ck_assert_int_eq(rules.secure_min_grade, sc_grade_parse("B"));
}
END_TEST

/* The threat models are data: under full, mail that can be read on the
 * way is insecure; under remote it is information, and the evidence only
 * that attacker needs is not needed (info). */
START_TEST(test_models_shipped)
{
	const struct sc_rule *ip = sc_rules_find(&rules, "interception.possible");
	const struct sc_rule *iu = sc_rules_find(&rules,
	                                         "interception.unverified");
	const struct sc_rule *su = sc_rules_find(&rules, "starttls.unsupported");
	const struct sc_rule *sr = sc_rules_find(&rules, "starttls.unreachable");

	sc_rules_apply_model(&rules, SC_THREAT_FULL);
	ck_assert_int_le(ip->f.severity, rules.insecure_at);
	ck_assert_int_gt(ip->f.points, 0);
	ck_assert_int_le(su->f.severity, rules.insecure_at);
	ck_assert_int_lt(iu->f.severity, SC_SEV_INFO);
	ck_assert_int_lt(sr->f.severity, SC_SEV_INFO);
	sc_rules_apply_model(&rules, SC_THREAT_REMOTE);
	ck_assert_int_eq(ip->f.severity, SC_SEV_INFO);
	ck_assert_int_eq(ip->f.points, 0);
	ck_assert_int_gt(su->f.severity, rules.insecure_at);
	ck_assert_int_eq(iu->f.severity, SC_SEV_INFO);
	ck_assert_int_eq(sr->f.severity, SC_SEV_INFO);
	/* Nothing of the takeover category changes with the model. */
	ck_assert_int_eq(sc_rules_find(&rules, "domain.nxdomain")->f.severity,
	                 SC_SEV_CRITICAL);
	/* And back: each model starts from findings.ini's values. */
	sc_rules_apply_model(&rules, SC_THREAT_FULL);
	ck_assert_int_eq(ip->f.severity, SC_SEV_HIGH);
	ck_assert_int_eq(ip->base_severity, SC_SEV_INFO);
}
END_TEST


/* docs/findings.md has a table row per finding, and it says what the
 * rules say: the table is written by hand and must not drift. */
static char *
read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

START_TEST(test_docs_table)
{
	char path[512], want[512], *doc, *row, *eol;
	const struct sc_rule *r;
	size_t i;

	snprintf(path, sizeof(path), "%s/../docs/findings.md",
	         test_rules_dir());
	doc = read_all(path);
	for (i = 0; i < rules.nrule; i++) {
		r = &rules.rule[i];
		snprintf(want, sizeof(want), "\n| [`%s`](#", r->f.id);
		row = strstr(doc, want);
		ck_assert_msg(row != NULL, "%s has no row in %s", r->f.id,
		              path);
		eol = strchr(row + 1, '\n');
		if (eol != NULL)
			*eol = '\0';
		snprintf(want, sizeof(want), ") | %s | %s | %d | %s | ",
		         sc_severity_str(r->f.severity),
		         sc_category_str(r->f.category), r->f.points,
		         r->grade_cap < 0 ? "-" : sc_grades[r->grade_cap]);
		ck_assert_msg(strstr(row, want) != NULL,
		              "%s: row \"%s\" does not say \"%s\"", r->f.id,
		              row + 1, want);
		if (eol != NULL)
			*eol = '\n';
	}
	free(doc);
}
END_TEST

/* ---- the syntax, on a small valid set --------------------------------- */

static void
data_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", test_data_dir(), name);
}

START_TEST(test_minimal)
{
	struct sc_rules r;
	const struct sc_rule *one, *two;
	char dir[512];
	sc_status_t st;

	data_path(dir, sizeof(dir), "rules-minimal");
	st = sc_rules_load(dir, &r, err, sizeof(err));
	ck_assert_msg(st == SC_OK, "%d %s", (int)st, err);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(r.nrule, 2);
	/* File order is kept. */
	ck_assert_str_eq(r.rule[0].f.id, "x.one");
	ck_assert_str_eq(r.rule[1].f.id, "x.two");

	one = sc_rules_find(&r, "x.one");
	ck_assert_ptr_eq(one, &r.rule[0]);
	ck_assert_int_eq(one->f.severity, SC_SEV_LOW);
	ck_assert_int_eq(one->f.category, SC_CAT_SPOOFING);
	ck_assert_str_eq(one->f.title, "One");       /* " ;" comment cut */
	ck_assert_str_eq(one->f.why, "first line second line third line");
	ck_assert_str_eq(one->f.fix, "fix: one = 1");
	ck_assert_int_eq(one->f.points, 0);         /* default */
	ck_assert_int_eq(one->grade_cap, -1);       /* default */

	two = sc_rules_find(&r, "x.two");
	ck_assert_ptr_nonnull(two);
	ck_assert_int_eq(two->f.severity, SC_SEV_CRITICAL); /* indented key */
	ck_assert_int_eq(two->f.points, 100);
	ck_assert_int_eq(two->grade_cap, SC_GRADE_COUNT - 1);
	ck_assert_str_eq(two->f.why, "w [not a header]");

	ck_assert_ptr_null(sc_rules_find(&r, "x.three"));
	ck_assert_ptr_null(sc_rules_find(&r, "X.ONE"));
	ck_assert_int_eq(r.min_score[0], 99);
	ck_assert_int_eq(r.min_score[4], 40);
	ck_assert_int_eq(r.insecure_at, SC_SEV_HIGH); /* no [verdict] */
	ck_assert_str_eq(r.dir, dir);
	sc_rules_clear(&r);
	ck_assert_ptr_null(r.rule);
	ck_assert_uint_eq(r.nrule, 0);
	sc_rules_clear(&r); /* twice is harmless */
}
END_TEST

START_TEST(test_models_syntax)
{
	struct sc_rules r;
	char dir[512];
	sc_status_t st;

	data_path(dir, sizeof(dir), "rules-model");
	st = sc_rules_load(dir, &r, err, sizeof(err));
	ck_assert_msg(st == SC_OK, "%d %s", (int)st, err);
	ck_assert_int_eq(r.insecure_at, SC_SEV_MEDIUM);
	ck_assert_int_eq(r.secure_min_grade, sc_grade_parse("C"));
	ck_assert_int_eq(r.severity_cap[SC_SEV_HIGH], sc_grade_parse("D"));
	ck_assert_int_eq(r.severity_cap[SC_SEV_MEDIUM], -1);
	ck_assert_uint_eq(r.noverride, 2);
	sc_rules_apply_model(&r, SC_THREAT_FULL);
	ck_assert_int_eq(sc_rules_find(&r, "x.one")->f.severity, SC_SEV_HIGH);
	ck_assert_int_eq(sc_rules_find(&r, "x.one")->f.points, 30);
	ck_assert_int_eq(sc_rules_find(&r, "x.two")->f.severity,
	                 SC_SEV_CRITICAL);
	sc_rules_apply_model(&r, SC_THREAT_REMOTE);
	ck_assert_int_eq(sc_rules_find(&r, "x.one")->f.severity, SC_SEV_LOW);
	ck_assert_int_eq(sc_rules_find(&r, "x.one")->f.points, 0);
	ck_assert_int_eq(sc_rules_find(&r, "x.two")->f.severity, SC_SEV_INFO);
	ck_assert_int_eq(sc_rules_find(&r, "x.two")->f.points, 100);
	ck_assert_str_eq(sc_model_name(SC_THREAT_REMOTE), "remote");
	ck_assert_ptr_null(sc_model_name(SC_MODEL_COUNT));
	sc_rules_clear(&r);
}
END_TEST

/* ---- malformed rules -------------------------------------------------- */

static const struct bad_case {
	const char *dir;     /* under tests/data */
	sc_status_t status;
	const char *file;    /* the file err names */
	int line;            /* 0: err is "cannot open PATH: ..." */
	const char *says;    /* a part of err after the prefix */
} bad_cases[] = {
	{"rules-bad-severity", SC_ERULES, "findings.ini", 11,
	 "unknown severity 'severe'"},
	{"rules-bad-category", SC_ERULES, "findings.ini", 3,
	 "unknown category 'theft'"},
	{"rules-bad-cap", SC_ERULES, "findings.ini", 5,
	 "unknown grade_cap 'E'"},
	{"rules-bad-points", SC_ERULES, "findings.ini", 4,
	 "points '101' is not a number from 0 to 100"},
	{"rules-nan-points", SC_ERULES, "findings.ini", 4,
	 "points 'ten' is not a number"},
	{"rules-dup-id", SC_ERULES, "findings.ini", 10,
	 "duplicate finding id [a.one]"},
	{"rules-dup-key", SC_ERULES, "findings.ini", 7,
	 "duplicate key 'title'"},
	/* A missing key names its section's header line. */
	{"rules-missing-key", SC_ERULES, "findings.ini", 10,
	 "[a.two] lacks the key 'why'"},
	{"rules-missing-last", SC_ERULES, "findings.ini", 10,
	 "[a.two] lacks the key 'fix'"},
	{"rules-empty-section", SC_ERULES, "findings.ini", 10,
	 "section has no keys"},
	{"rules-unknown-key", SC_ERULES, "findings.ini", 7,
	 "unknown key 'reason'"},
	{"rules-syntax", SC_ERULES, "findings.ini", 8, "syntax error"},
	{"rules-unclosed", SC_ERULES, "findings.ini", 10, "syntax error"},
	{"rules-long-line", SC_ERULES, "findings.ini", 8, "line longer than"},
	{"rules-title-continued", SC_ERULES, "findings.ini", 7,
	 "title must be one line"},
	{"rules-before-section", SC_ERULES, "findings.ini", 1,
	 "comes before any [section]"},
	/* inih would cut it to 49 characters without a word. */
	{"rules-long-id", SC_ERULES, "findings.ini", 1,
	 "section name longer than 49 characters"},
	{"rules-bad-id", SC_ERULES, "findings.ini", 1,
	 "bad finding id [A.One]"},
	{"rules-empty-file", SC_ERULES, "findings.ini", 1, "no findings"},
	{"rules-grades-order", SC_ERULES, "scoring.ini", 5,
	 "grade C needs a lower score than B"},
	{"rules-grades-missing", SC_ERULES, "scoring.ini", 1,
	 "[grades] lacks the grade 'C'"},
	{"rules-grades-f", SC_ERULES, "scoring.ini", 7, "F must be 0"},
	{"rules-bad-verdict", SC_ERULES, "scoring.ini", 10,
	 "unknown severity 'severe'"},
	{"rules-unknown-section", SC_ERULES, "scoring.ini", 12,
	 "unknown section [extra]"},
	{"rules-model-unknown-id", SC_ERULES, "scoring.ini", 11,
	 "'x.nope' is not a finding id"},
	{"rules-model-bad-value", SC_ERULES, "scoring.ini", 10,
	 "'severe 3' is not SEVERITY [POINTS]"},
	{"rules-verdict-bad-cap", SC_ERULES, "scoring.ini", 11,
	 "unknown grade 'E'"},
	{"rules-no-scoring", SC_EIO, "scoring.ini", 0,
	 "No such file or directory"},
	{"rules-does-not-exist", SC_EIO, "findings.ini", 0,
	 "No such file or directory"},
};

START_TEST(test_bad_dir)
{
	const struct bad_case *c = &bad_cases[_i];
	struct sc_rules r;
	char dir[512], prefix[600];
	sc_status_t st;

	data_path(dir, sizeof(dir), c->dir);
	if (c->line > 0)
		snprintf(prefix, sizeof(prefix), "%s/%s:%d: ", dir, c->file,
		         c->line);
	else
		snprintf(prefix, sizeof(prefix), "cannot open %s/%s: ", dir,
		         c->file);
	memset(&r, 0xA5, sizeof(r)); /* the loader must clear it */
	st = sc_rules_load(dir, &r, err, sizeof(err));
	ck_assert_msg(st == c->status, "%s: status %d, err %s", c->dir,
	              (int)st, err);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	              "%s: err \"%s\" does not start \"%s\"", c->dir, err,
	              prefix);
	ck_assert_msg(strstr(err + strlen(prefix), c->says) != NULL,
	              "%s: err \"%s\" does not say \"%s\"", c->dir, err,
	              c->says);
	ck_assert_ptr_null(r.rule);
	ck_assert_uint_eq(r.nrule, 0);
	ck_assert_ptr_null(r.dir);
}
END_TEST

/* A directory where a file is expected: fopen() works, reading fails. */
START_TEST(test_unreadable)
{
	struct sc_rules r;
	char dir[512], prefix[600];

	data_path(dir, sizeof(dir), "rules-isdir");
	ck_assert_int_eq(sc_rules_load(dir, &r, err, sizeof(err)), SC_EIO);
	snprintf(prefix, sizeof(prefix), "cannot read %s/findings.ini: ", dir);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
	ck_assert_ptr_null(r.rule);
}
END_TEST

/* A rules file that never ends (a FIFO fed comments for ever) is refused
 * after 4 MiB instead of read for ever. */
START_TEST(test_endless_file)
{
	char dir[] = "/tmp/check_rules_XXXXXX", fifo[64], cmd[128];
	struct sc_rules r;
	pid_t pid;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/findings.ini", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static const char line[] = "# a comment, again and again\n";
		FILE *fp = fopen(fifo, "w");

		signal(SIGPIPE, SIG_DFL);
		while (fp != NULL && fputs(line, fp) != EOF)
			;
		_exit(0);
	}
	ck_assert_int_eq(sc_rules_load(dir, &r, err, sizeof(err)), SC_ERULES);
	ck_assert_msg(strstr(err, "larger than 4 MiB") != NULL, "%s", err);
	ck_assert_ptr_null(r.rule);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct sc_rules r;

	ck_assert_int_eq(sc_rules_load(NULL, &r, err, sizeof(err)), SC_EINVAL);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(sc_rules_load("", &r, err, sizeof(err)), SC_EINVAL);
	ck_assert_int_eq(sc_rules_load(test_rules_dir(), NULL, err,
	                               sizeof(err)), SC_EINVAL);
	/* err is optional. */
	ck_assert_int_eq(sc_rules_load(test_rules_dir(), &r, NULL, 0), SC_OK);
	sc_rules_clear(&r);
	/* A short err is cut, and still a string. */
	ck_assert_int_eq(sc_rules_load("/nonexistent", &r, err, 8), SC_EIO);
	ck_assert_str_eq(err, "cannot ");
	sc_rules_clear(NULL);
	ck_assert_ptr_null(sc_rules_find(NULL, "spf.missing"));
	ck_assert_ptr_null(sc_rules_find(&rules, NULL));
}
END_TEST

/* A trailing '/' on DIR does not double in messages. */
START_TEST(test_trailing_slash)
{
	struct sc_rules r;
	char dir[512], want[600];

	data_path(dir, sizeof(dir), "rules-bad-points/");
	ck_assert_int_eq(sc_rules_load(dir, &r, err, sizeof(err)),
	                 SC_ERULES);
	snprintf(want, sizeof(want), "%sfindings.ini:4: ", dir);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
}
END_TEST

/* ---- names ------------------------------------------------------------ */

START_TEST(test_names)
{
	int i;

	for (i = 0; i < SC_GRADE_COUNT; i++)
		ck_assert_int_eq(sc_grade_parse(sc_grades[i]), i);
	ck_assert_str_eq(sc_grades[0], "A+");
	ck_assert_str_eq(sc_grades[SC_GRADE_COUNT - 1], "F");
	ck_assert_int_eq(sc_grade_parse("a+"), -1);
	ck_assert_int_eq(sc_grade_parse("E"), -1);
	ck_assert_int_eq(sc_grade_parse(""), -1);
	ck_assert_int_eq(sc_grade_parse(NULL), -1);

	for (i = SC_SEV_CRITICAL; i <= SC_SEV_INFO; i++)
		ck_assert_int_eq(
		    sc_severity_parse(sc_severity_str((sc_severity_t)i)), i);
	ck_assert_str_eq(sc_severity_str(SC_SEV_CRITICAL), "critical");
	ck_assert_str_eq(sc_severity_str(SC_SEV_INFO), "info");
	ck_assert_str_eq(sc_severity_str((sc_severity_t)5), "?");
	ck_assert_str_eq(sc_severity_str((sc_severity_t)-1), "?");
	ck_assert_int_eq(sc_severity_parse("High"), -1);
	ck_assert_int_eq(sc_severity_parse(NULL), -1);

	for (i = SC_CAT_TAKEOVER; i <= SC_CAT_DELIVERY; i++)
		ck_assert_int_eq(
		    sc_category_parse(sc_category_str((sc_category_t)i)), i);
	ck_assert_str_eq(sc_category_str(SC_CAT_TAKEOVER), "takeover");
	ck_assert_str_eq(sc_category_str(SC_CAT_DELIVERY), "delivery");
	ck_assert_str_eq(sc_category_str((sc_category_t)5), "?");
	ck_assert_int_eq(sc_category_parse("theft"), -1);
	ck_assert_int_eq(sc_category_parse(NULL), -1);
}
END_TEST

/* ---- out of memory ---------------------------------------------------- */

/*
 * Fail the 1st, 2nd, ... allocation until a load gets through: each must
 * say SC_ENOMEM and leave nothing behind (LeakSanitizer checks the frees).
 */
START_TEST(test_out_of_memory)
{
	struct sc_rules r;
	sc_status_t st = SC_ENOMEM;
	unsigned long n;

	for (n = 1; n < 100000; n++) {
		sc_alloc_fail_at(n);
		st = sc_rules_load(test_rules_dir(), &r, err, sizeof(err));
		if (st == SC_OK)
			break;
		ck_assert_msg(st == SC_ENOMEM, "allocation %lu: %d %s", n,
		              (int)st, err);
		ck_assert_msg(strstr(err, "out of memory") != NULL, "%s", err);
		ck_assert_ptr_null(r.rule);
	}
	sc_alloc_fail_at(0);
	ck_assert_int_eq(st, SC_OK);
	/* Every string of every rule is an allocation of its own. */
	ck_assert_uint_gt(n, 4 * SC_ARRAY_LEN(catalogue));
	ck_assert_uint_eq(r.nrule, SC_ARRAY_LEN(catalogue));
	sc_rules_clear(&r);
}
END_TEST

/* The runner declares it through suites.h, which -Wmissing-prototypes
 * cannot see. */
Suite *rules_suite(void);

Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("shipped");
	tcase_add_checked_fixture(tc, load_shipped, unload);
	tcase_add_loop_test(tc, test_catalogue_complete, 0,
	                    (int)SC_ARRAY_LEN(catalogue));
	tcase_add_test(tc, test_catalogue_no_strays);
	tcase_add_test(tc, test_find_every_rule);
	tcase_add_test(tc, test_scoring_shipped);
	tcase_add_test(tc, test_models_shipped);
	tcase_add_test(tc, test_docs_table);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_models_syntax);
	tcase_add_loop_test(tc, test_bad_dir, 0, (int)SC_ARRAY_LEN(bad_cases));
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_endless_file);
	tcase_add_test(tc, test_trailing_slash);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("oom");
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
