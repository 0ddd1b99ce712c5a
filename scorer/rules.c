/*
 * The rules loader: DIR/findings.ini and DIR/scoring.ini, read with libinih.
 *
 * inih is driven through ini_parse_stream() with a line reader of our own
 * (read_line) rather than through ini_parse(), for what the plain call
 * cannot give:
 *   - the line number inside the handler, so that every error names its
 *     line, and a missing key names the header line of its section (inih
 *     tells the handler a section's name, not where the section began);
 *   - the end of each section, so that a section lacking a key, or having
 *     no keys at all, is reported (inih calls the handler for key = value
 *     lines only);
 *   - lines longer than inih's line buffer (ini_max_line, 200 bytes in
 *     Debian's build), which inih would silently split into a second,
 *     made-up line;
 *   - stopping at the first error: inih reads on after one, and what
 *     follows a bad line mostly echoes it.
 *
 * Debian builds inih with its options as process-wide variables
 * (ini_allow_multiline, ini_max_line, ...).  We take them as built and
 * never set them: a library must not change a parser other code in the
 * process shares.  As built (and as upstream defaults them): ';' and '#'
 * start a comment at the start of a line, a blank followed by ';' starts
 * one inside a line, and an indented line continues the value of the key
 * above it, which is how long why/fix texts stay within 80 columns.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "internal.h"
#include "rules.h"

/* The most a rules file may hold (findings.ini is about 25 KiB). */
#define RULES_MAX_BYTES (4 << 20)

#if defined(__GNUC__)
#define SC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SC_PRINTF(f, a)
#endif

const char *const sc_grades[SC_GRADE_COUNT] = {"A+", "A", "B", "C", "D", "F"};

/* Indexed by sc_severity_t and sc_category_t. */
static const char *const severity_names[] = {
	"critical", "high", "medium", "low", "info"
};
static const char *const category_names[] = {
	"takeover", "interception", "spoofing", "exposure", "delivery"
};

/* The longest section name inih keeps whole: it copies names into a
 * 50-byte buffer and cuts longer ones short without a word (ini.c,
 * MAX_SECTION), and a cut id would never match a finding. */
#define INIH_SECTION_MAX 49

/* ---- names ------------------------------------------------------------ */

static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
sc_grade_parse(const char *s)
{
	return name_index(sc_grades, SC_GRADE_COUNT, s);
}

int
sc_severity_parse(const char *s)
{
	return name_index(severity_names, SC_ARRAY_LEN(severity_names), s);
}

int
sc_category_parse(const char *s)
{
	return name_index(category_names, SC_ARRAY_LEN(category_names), s);
}

const char *
sc_severity_str(sc_severity_t severity)
{
	/* The cast folds negative values (an int cast to the enum) into the
	 * out-of-range test. */
	if ((unsigned)severity >= SC_ARRAY_LEN(severity_names))
		return "?";
	return severity_names[severity];
}

const char *
sc_category_str(sc_category_t category)
{
	if ((unsigned)category >= SC_ARRAY_LEN(category_names))
		return "?";
	return category_names[category];
}

/* ---- parser state ----------------------------------------------------- */

struct parser;

/* What differs between findings.ini and scoring.ini.  Each returns 1 to go
 * on, 0 after recording an error with fail(). */
struct file_kind {
	const char *file;
	/* A section starts: its first key = value line was just read. */
	int (*begin)(struct parser *p, const char *section);
	int (*key)(struct parser *p, const char *name, const char *value);
	/* An indented line continues the value of `name`. */
	int (*more)(struct parser *p, const char *name, const char *value);
	/* The section is over: the next header, or the end of the file. */
	int (*end)(struct parser *p);
	/* The whole file has been read without error. */
	int (*finish)(struct parser *p);
};

struct parser {
	const struct file_kind *kind;
	struct sc_rules *rules;
	const char *path;     /* DIR/FILE, for messages */
	FILE *fp;

	/* Kept by read_line(). */
	int line;             /* the line read last, 1-based */
	size_t bytes;         /* read so far */
	int indented;         /* it began with a blank */
	int hdr_line;         /* the last "[section]" line; 0: none yet */
	/* inih's prev_name is set: a key = value line came after the last
	 * header, so an indented line continues its value (ini.c). */
	int pending_key;

	/* The section being filled. */
	int sec_line;         /* its header line; 0: none */
	unsigned seen;        /* keys it has had: KEY_* or 1 << grade */
	const char *last_key; /* its key read last (static), for `more` */

	size_t cap;           /* rules->rule has room for this many */
	int grades_line;      /* scoring.ini: header lines; 0: not seen */
	int verdict_line;
	int in_grades;        /* scoring.ini: 1 in [grades], 0 in [verdict] */
	int model;            /* scoring.ini: in [model.NAME], or -1 */
	int model_line[SC_MODEL_COUNT];
	size_t ocap;          /* rules->override has room for this many */
	int grade_line[SC_GRADE_COUNT];

	/* The first error; the ones after it are not recorded. */
	sc_status_t status;
	int err_line;
	/* The line inih was on when the handler failed, which inih also
	 * returns; 0 when the error did not come through the handler. */
	int err_handler_line;
	int in_handler;
	char *err;
	size_t errlen;
};

static void SC_PRINTF(3, 4)
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Record an error at a line of the file being read, as "PATH:LINE: what".
 * Only the first one counts.  Returns 0, the handler's "stop" value, so
 * that callers can `return fail(...)`.
 */
static int SC_PRINTF(4, 5)
fail(struct parser *p, int line, sc_status_t status, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->status != SC_OK)
		return 0;
	p->status = status;
	p->err_line = line;
	p->err_handler_line = p->in_handler ? p->line : 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
	return 0;
}

static int
fail_nomem(struct parser *p)
{
	return fail(p, p->line, SC_ENOMEM, "out of memory");
}

/* Strings of a loaded rule are ours, but sc_finding_t declares them const
 * because reports lend them out read-only. */
static void
free_const(const char *s)
{
	sc_free((char *)s);
}

/* 0..100 written in decimal digits only: no sign, no blanks, no "1e2". */
static int
parse_points(const char *s, int *out)
{
	int v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > 100)
			return 0;
	}
	*out = v;
	return 1;
}

/* ---- findings.ini ----------------------------------------------------- */

enum {
	KEY_SEVERITY = 1u << 0,
	KEY_CATEGORY = 1u << 1,
	KEY_POINTS = 1u << 2,
	KEY_GRADE_CAP = 1u << 3,
	KEY_TITLE = 1u << 4,
	KEY_WHY = 1u << 5,
	KEY_FIX = 1u << 6
};

static const struct finding_key {
	const char *name;
	unsigned bit;
} finding_keys[] = {
	/* The required ones first, in the order a missing one is named. */
	{"severity", KEY_SEVERITY},
	{"category", KEY_CATEGORY},
	{"title", KEY_TITLE},
	{"why", KEY_WHY},
	{"fix", KEY_FIX},
	{"points", KEY_POINTS},
	{"grade_cap", KEY_GRADE_CAP},
};

/* points is required even for an info finding (points = 0): a forgotten
 * line must not make a finding free.  grade_cap is optional. */
#define KEY_REQUIRED \
	(KEY_SEVERITY | KEY_CATEGORY | KEY_POINTS | KEY_TITLE | KEY_WHY | \
	 KEY_FIX)

static const struct finding_key *
find_finding_key(const char *name)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(finding_keys); i++)
		if (strcmp(finding_keys[i].name, name) == 0)
			return &finding_keys[i];
	return NULL;
}

/* Ids are lower case, e.g. "spf.too_many_lookups": a typo such as
 * "[SPF.missing]" would otherwise load and never match a finding. */
static int
valid_id(const char *id)
{
	const char *s;

	if (*id == '\0')
		return 0;
	for (s = id; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static struct sc_rule *
current_rule(struct parser *p)
{
	return &p->rules->rule[p->rules->nrule - 1];
}

static int
grow_rules(struct parser *p)
{
	struct sc_rule *n;
	size_t cap = p->cap != 0 ? p->cap * 2 : 32;

	if (cap > (size_t)-1 / sizeof(*n))
		return 0;
	n = sc_realloc(p->rules->rule, cap * sizeof(*n));
	if (n == NULL)
		return 0;
	p->rules->rule = n;
	p->cap = cap;
	return 1;
}

static int
finding_begin(struct parser *p, const char *id)
{
	struct sc_rules *r = p->rules;
	struct sc_rule *rule;

	if (!valid_id(id))
		return fail(p, p->sec_line, SC_ERULES,
		            "bad finding id [%.60s]: use a-z, 0-9, '.', '_', '-'",
		            id);
	if (sc_rules_find(r, id) != NULL)
		return fail(p, p->sec_line, SC_ERULES,
		            "duplicate finding id [%s]", id);
	if (r->nrule == p->cap && !grow_rules(p))
		return fail_nomem(p);
	rule = &r->rule[r->nrule];
	memset(rule, 0, sizeof(*rule));
	rule->grade_cap = -1;
	rule->f.detail = "";
	rule->f.id = sc_strdup(id);
	if (rule->f.id == NULL)
		return fail_nomem(p);
	/* Counted only once it owns something, so clearing frees it. */
	r->nrule++;
	return 1;
}

static int
set_text(struct parser *p, const char **field, const char *name,
         const char *value)
{
	if (*value == '\0')
		return fail(p, p->line, SC_ERULES, "empty %s", name);
	*field = sc_strdup(value);
	if (*field == NULL)
		return fail_nomem(p);
	return 1;
}

static int
finding_key(struct parser *p, const char *name, const char *value)
{
	struct sc_rule *rule = current_rule(p);
	const struct finding_key *k = find_finding_key(name);
	int v;

	if (k == NULL)
		return fail(p, p->line, SC_ERULES, "unknown key '%.40s'",
		            name);
	if (p->seen & k->bit)
		return fail(p, p->line, SC_ERULES, "duplicate key '%s'",
		            k->name);
	p->seen |= k->bit;
	p->last_key = k->name;

	switch (k->bit) {
	case KEY_SEVERITY:
		v = sc_severity_parse(value);
		if (v < 0)
			return fail(p, p->line, SC_ERULES,
			            "unknown severity '%.40s' (critical, high, "
			            "medium, low or info)", value);
		rule->f.severity = (sc_severity_t)v;
		return 1;
	case KEY_CATEGORY:
		v = sc_category_parse(value);
		if (v < 0)
			return fail(p, p->line, SC_ERULES,
			            "unknown category '%.40s' (takeover, "
			            "interception, spoofing, exposure or "
			            "delivery)", value);
		rule->f.category = (sc_category_t)v;
		return 1;
	case KEY_POINTS:
		if (!parse_points(value, &rule->f.points))
			return fail(p, p->line, SC_ERULES,
			            "points '%.40s' is not a number from 0 to "
			            "100", value);
		return 1;
	case KEY_GRADE_CAP:
		rule->grade_cap = sc_grade_parse(value);
		if (rule->grade_cap < 0)
			return fail(p, p->line, SC_ERULES,
			            "unknown grade_cap '%.40s' (A+, A, B, C, D "
			            "or F)", value);
		return 1;
	case KEY_TITLE:
		return set_text(p, &rule->f.title, k->name, value);
	case KEY_WHY:
		return set_text(p, &rule->f.why, k->name, value);
	default:
		return set_text(p, &rule->f.fix, k->name, value);
	}
}

/* An indented line: only why and fix run over several lines; the parts
 * are joined with one space. */
static int
finding_more(struct parser *p, const char *name, const char *value)
{
	struct sc_rule *rule = current_rule(p);
	const char **field;
	size_t a, b;
	char *s;

	if (strcmp(name, "why") == 0)
		field = &rule->f.why;
	else if (strcmp(name, "fix") == 0)
		field = &rule->f.fix;
	else
		return fail(p, p->line, SC_ERULES,
		            "%s must be one line (only why and fix continue "
		            "on indented lines)", name);
	a = strlen(*field);
	b = strlen(value);
	s = sc_malloc(a + 1 + b + 1);
	if (s == NULL)
		return fail_nomem(p);
	memcpy(s, *field, a);
	s[a] = ' ';
	memcpy(s + a + 1, value, b + 1);
	free_const(*field);
	*field = s;
	return 1;
}

static int
finding_end(struct parser *p)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(finding_keys); i++)
		if ((finding_keys[i].bit & KEY_REQUIRED) &&
		    !(p->seen & finding_keys[i].bit))
			return fail(p, p->sec_line, SC_ERULES,
			            "[%s] lacks the key '%s'",
			            current_rule(p)->f.id, finding_keys[i].name);
	current_rule(p)->base_severity = current_rule(p)->f.severity;
	current_rule(p)->base_points = current_rule(p)->f.points;
	return 1;
}

static int
finding_finish(struct parser *p)
{
	if (p->rules->nrule == 0)
		return fail(p, p->line > 0 ? p->line : 1, SC_ERULES,
		            "no findings");
	return 1;
}

static const struct file_kind findings_kind = {
	"findings.ini", finding_begin, finding_key, finding_more, finding_end,
	finding_finish
};

/* ---- scoring.ini ------------------------------------------------------ */

static const char *const model_names[SC_MODEL_COUNT] = { "full", "remote" };

const char *
sc_model_name(int model)
{
	return model >= 0 && model < SC_MODEL_COUNT ? model_names[model] : NULL;
}

static int
scoring_begin(struct parser *p, const char *section)
{
	int *line = NULL, m;

	p->model = -1;
	if (strcmp(section, "grades") == 0)
		line = &p->grades_line;
	else if (strcmp(section, "verdict") == 0)
		line = &p->verdict_line;
	else if (strncmp(section, "model.", 6) == 0)
		for (m = 0; m < SC_MODEL_COUNT; m++)
			if (strcmp(section + 6, model_names[m]) == 0) {
				line = &p->model_line[m];
				p->model = m;
			}
	if (line == NULL)
		return fail(p, p->sec_line, SC_ERULES,
		            "unknown section [%.40s] (grades, verdict, "
		            "model.full or model.remote)", section);
	if (*line != 0)
		return fail(p, p->sec_line, SC_ERULES,
		            "duplicate section [%s] (first at line %d)",
		            section, *line);
	*line = p->sec_line;
	p->in_grades = line == &p->grades_line;
	return 1;
}

static int
grade_key(struct parser *p, const char *name, const char *value)
{
	int g = sc_grade_parse(name);

	if (g < 0)
		return fail(p, p->line, SC_ERULES,
		            "unknown grade '%.40s' (A+, A, B, C, D or F)", name);
	if (p->seen & (1u << g))
		return fail(p, p->line, SC_ERULES, "duplicate grade '%s'",
		            sc_grades[g]);
	p->seen |= 1u << g;
	p->last_key = sc_grades[g];
	p->grade_line[g] = p->line;
	if (!parse_points(value, &p->rules->min_score[g]))
		return fail(p, p->line, SC_ERULES,
		            "score '%.40s' is not a number from 0 to 100",
		            value);
	return 1;
}

/* [verdict] keys: insecure_at, secure_min_grade, SEVERITY_cap. */
static const char *const verdict_keys[] = {
	"insecure_at", "secure_min_grade", "critical_cap", "high_cap",
	"medium_cap", "low_cap", "info_cap"
};

static int
verdict_key(struct parser *p, const char *name, const char *value)
{
	size_t k;
	int v;

	for (k = 0; k < SC_ARRAY_LEN(verdict_keys); k++)
		if (strcmp(name, verdict_keys[k]) == 0)
			break;
	if (k == SC_ARRAY_LEN(verdict_keys))
		return fail(p, p->line, SC_ERULES,
		            "unknown key '%.40s' (insecure_at, secure_min_grade "
		            "or SEVERITY_cap)", name);
	if (p->seen & (1u << k))
		return fail(p, p->line, SC_ERULES, "duplicate key '%s'",
		            verdict_keys[k]);
	p->seen |= 1u << k;
	p->last_key = verdict_keys[k];
	if (k == 0) {
		if ((v = sc_severity_parse(value)) < 0)
			return fail(p, p->line, SC_ERULES,
			            "unknown severity '%.40s' (critical, high, "
			            "medium, low or info)", value);
		p->rules->insecure_at = (sc_severity_t)v;
		return 1;
	}
	if ((v = sc_grade_parse(value)) < 0)
		return fail(p, p->line, SC_ERULES,
		            "unknown grade '%.40s' (A+, A, B, C, D or F)", value);
	if (k == 1)
		p->rules->secure_min_grade = v;
	else
		p->rules->severity_cap[k - 2] = v;
	return 1;
}

/* [model.NAME]: FINDING-ID = SEVERITY [POINTS] */
static int
model_key(struct parser *p, const char *name, const char *value)
{
	struct sc_rules *r = p->rules;
	const struct sc_rule *rule = sc_rules_find(r, name);
	struct sc_override *o;
	char sev[16];
	int points = -1, n = 0, v;
	size_t i;

	if (rule == NULL)
		return fail(p, p->line, SC_ERULES,
		            "'%.60s' is not a finding id of findings.ini", name);
	for (i = 0; i < r->noverride; i++)
		if (r->override[i].model == p->model &&
		    r->override[i].index == (size_t)(rule - r->rule))
			return fail(p, p->line, SC_ERULES, "duplicate key '%s'",
			            rule->f.id);
	p->last_key = rule->f.id;
	if (sscanf(value, "%15s %n", sev, &n) != 1 ||
	    (v = sc_severity_parse(sev)) < 0)
		return fail(p, p->line, SC_ERULES,
		            "'%.40s' is not SEVERITY [POINTS] (critical, high, "
		            "medium, low or info)", value);
	if (value[n] != '\0' && !parse_points(value + n, &points))
		return fail(p, p->line, SC_ERULES,
		            "points '%.40s' is not a number from 0 to 100",
		            value + n);
	if (r->noverride == p->ocap) {
		size_t cap = p->ocap != 0 ? p->ocap * 2 : 8;

		if ((o = sc_realloc(r->override, cap * sizeof(*o))) == NULL)
			return fail_nomem(p);
		r->override = o;
		p->ocap = cap;
	}
	o = &r->override[r->noverride++];
	o->model = p->model;
	o->index = (size_t)(rule - r->rule);
	o->severity = (sc_severity_t)v;
	o->points = points;
	return 1;
}

static int
scoring_key(struct parser *p, const char *name, const char *value)
{
	if (p->model >= 0)
		return model_key(p, name, value);
	return p->in_grades ? grade_key(p, name, value)
	                    : verdict_key(p, name, value);
}

static int
scoring_more(struct parser *p, const char *name, const char *value)
{
	(void)value;
	return fail(p, p->line, SC_ERULES,
	            "%s must be one line (an indented line continues the "
	            "value above it)", name);
}

static int
scoring_end(struct parser *p)
{
	int g;

	if (!p->in_grades)
		return 1;
	for (g = 0; g < SC_GRADE_COUNT; g++)
		if (!(p->seen & (1u << g)))
			return fail(p, p->sec_line, SC_ERULES,
			            "[grades] lacks the grade '%s'",
			            sc_grades[g]);
	return 1;
}

/* Every score must earn exactly one grade: thresholds strictly decrease
 * from A+ down, and F takes everything left, down to 0. */
static int
scoring_finish(struct parser *p)
{
	const int *min = p->rules->min_score;
	int g;

	if (p->grades_line == 0)
		return fail(p, p->line > 0 ? p->line : 1, SC_ERULES,
		            "no [grades] section");
	for (g = 1; g < SC_GRADE_COUNT; g++)
		if (min[g] >= min[g - 1])
			return fail(p, p->grade_line[g], SC_ERULES,
			            "grade %s needs a lower score than %s "
			            "(%d >= %d)", sc_grades[g], sc_grades[g - 1],
			            min[g], min[g - 1]);
	if (min[SC_GRADE_COUNT - 1] != 0)
		return fail(p, p->grade_line[SC_GRADE_COUNT - 1], SC_ERULES,
		            "F must be 0, so that every score earns a grade");
	return 1;
}

static const struct file_kind scoring_kind = {
	"scoring.ini", scoring_begin, scoring_key, scoring_more, scoring_end,
	scoring_finish
};

/* ---- reading ---------------------------------------------------------- */

/* The section under way is over (at a header line, or the end of file). */
static int
section_end(struct parser *p)
{
	if (p->hdr_line == 0)
		return 1;
	/* inih never called the handler for it: it had no key = value. */
	if (p->sec_line != p->hdr_line)
		return fail(p, p->hdr_line, SC_ERULES, "section has no keys");
	return p->kind->end(p);
}

/* A "[name]" line: check what inih would cut short without a word. */
static int
header_line(struct parser *p, const char *s)
{
	const char *close = strchr(s, ']');

	if (!section_end(p))
		return 0;
	p->hdr_line = p->line;
	/* inih forgets the key above at a header it accepts; "[x" without
	 * ']' is a syntax error, reported by syntax_check(). */
	if (close != NULL)
		p->pending_key = 0;
	if (close != NULL && close - s - 1 > INIH_SECTION_MAX)
		return fail(p, p->line, SC_ERULES,
		            "section name longer than %d characters",
		            INIH_SECTION_MAX);
	return 1;
}

/* ini_reader: fgets() that also keeps the line number and notices
 * headers, indented lines and lines too long for inih's buffer. */
static char *
read_line(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	const char *s, *nl;

	/* A byte no line holds, so that a newline found past the string
	 * fgets() returns tells a NUL byte inside the line. */
	memset(buf, 'x', (size_t)size);
	if (p->status != SC_OK || fgets(buf, size, p->fp) == NULL)
		return NULL; /* end of input for inih */
	p->line++;
	nl = memchr(buf, '\n', (size_t)size - 1);
	if (nl != NULL && nl > buf + strlen(buf)) {
		fail(p, p->line, SC_ERULES, "a NUL byte in the line");
		return NULL;
	}
	/* A rules file is a few dozen KiB: a FIFO or a file that never
	 * ends must not be read for ever. */
	if ((p->bytes += strlen(buf)) > RULES_MAX_BYTES) {
		fail(p, p->line, SC_ERULES, "larger than %d MiB: not a rules "
		     "file", RULES_MAX_BYTES >> 20);
		return NULL;
	}
	if (strchr(buf, '\n') == NULL && !feof(p->fp)) {
		/* Room is kept for "\r\n" and the NUL. */
		fail(p, p->line, SC_ERULES,
		     "line longer than %d characters", size - 3);
		return NULL;
	}
	s = buf;
	if (p->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3; /* a UTF-8 BOM, which inih skips too */
	p->indented = *s == ' ' || *s == '\t';
	s += strspn(s, " \t");
	/* inih's order: comment, then continuation, then header; so an
	 * indented "[x]" under a key is more of that key's value. */
	if (*s == '[' && !(p->indented && p->pending_key) &&
	    !header_line(p, s))
		return NULL;
	return buf;
}

static int
on_pair(struct parser *p, const char *section, const char *name,
        const char *value)
{
	if (p->status != SC_OK)
		return 0;
	if (p->hdr_line == 0)
		return fail(p, p->line, SC_ERULES,
		            "'%.40s' comes before any [section]", name);
	/* A new header since the last key starts a section, even one that
	 * repeats the name of the section before it. */
	if (p->sec_line != p->hdr_line) {
		p->sec_line = p->hdr_line;
		p->seen = 0;
		p->last_key = NULL;
		if (!p->kind->begin(p, section))
			return 0;
	}
	/* inih hands an indented line over as more of the key above, under
	 * that key's name (even "  fix = x" under why); right after a header
	 * an indented line is a key of its own, and last_key is NULL. */
	if (p->indented && p->last_key != NULL &&
	    strcmp(name, p->last_key) == 0)
		return p->kind->more(p, name, value);
	return p->kind->key(p, name, value);
}

/* ini_handler */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	int ok;

	p->in_handler = 1;
	p->pending_key = 1;
	ok = on_pair(p, section, name, value);
	p->in_handler = 0;
	return ok;
}

/*
 * inih's own verdict: the first line it could not parse ("garbage" without
 * '=', "[section" without ']'), or the line where our handler said stop.
 * A syntax error wins over one of ours at a later line, and over one the
 * reader found at the same line ("[x" is a syntax error first).
 */
static void
syntax_check(struct parser *p, int ret)
{
	if (ret == -2) {
		p->status = SC_OK;
		fail_nomem(p);
		return;
	}
	if (ret <= 0)
		return;
	if (p->status != SC_OK &&
	    (ret == p->err_handler_line || ret > p->err_line))
		return;
	p->status = SC_OK;
	fail(p, ret, SC_ERULES,
	     "syntax error: expected [section], key = value or a comment");
}

static char *
join_path(const char *dir, const char *file)
{
	size_t a = strlen(dir), b = strlen(file);
	int slash = a > 0 && dir[a - 1] != '/';
	char *s = sc_malloc(a + (size_t)slash + b + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, dir, a);
	if (slash)
		s[a] = '/';
	memcpy(s + a + slash, file, b + 1);
	return s;
}

static sc_status_t
load_file(const char *dir, const struct file_kind *kind, struct sc_rules *r,
          char *err, size_t errlen)
{
	struct parser p;
	char *path;
	int ret;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.rules = r;
	p.err = err;
	p.errlen = errlen;
	path = join_path(dir, kind->file);
	if (path == NULL) {
		p.status = SC_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto done;
	}
	p.path = path;
	p.fp = fopen(path, "r");
	if (p.fp == NULL) {
		p.status = SC_EIO;
		set_err(err, errlen, "cannot open %s: %s", path,
		        strerror(errno));
		goto done;
	}
	ret = ini_parse_stream(read_line, &p, handler, &p);
	if (ferror(p.fp)) {
		/* fgets() failed (e.g. EISDIR): inih took it for the end. */
		p.status = SC_EIO;
		set_err(err, errlen, "cannot read %s: %s", path,
		        strerror(errno));
		goto done;
	}
	syntax_check(&p, ret);
	if (p.status == SC_OK)
		(void)section_end(&p);
	if (p.status == SC_OK)
		(void)kind->finish(&p);
done:
	if (p.fp != NULL)
		fclose(p.fp);
	sc_free(path);
	return p.status;
}

/* ---- the interface ---------------------------------------------------- */

static int
rule_cmp(const void *a, const void *b)
{
	const struct sc_rule *const *x = a, *const *y = b;

	return strcmp((*x)->f.id, (*y)->f.id);
}

static int
id_cmp(const void *key, const void *elem)
{
	const struct sc_rule *const *r = elem;

	return strcmp(key, (*r)->f.id);
}

/* The index sc_rules_find() searches: ids are unique (the loader refuses
 * a duplicate), so the order is total. */
static sc_status_t
index_rules(struct sc_rules *r)
{
	size_t i;

	if (r->nrule == 0)
		return SC_OK;
	if ((r->by_id = sc_calloc(r->nrule, sizeof(*r->by_id))) == NULL)
		return SC_ENOMEM;
	for (i = 0; i < r->nrule; i++)
		r->by_id[i] = &r->rule[i];
	qsort(r->by_id, r->nrule, sizeof(*r->by_id), rule_cmp);
	return SC_OK;
}

sc_status_t
sc_rules_load(const char *dir, struct sc_rules *out, char *err,
              size_t errlen)
{
	struct sc_rules r;
	sc_status_t st;
	size_t i;

	memset(&r, 0, sizeof(r));
	set_err(err, errlen, "%s", "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (dir == NULL || *dir == '\0' || out == NULL) {
		st = SC_EINVAL;
		set_err(err, errlen, "no rules directory or no place for "
		        "the rules");
		goto done;
	}
	r.insecure_at = SC_SEV_HIGH; /* when scoring.ini has no [verdict] */
	for (i = 0; i < SC_ARRAY_LEN(r.severity_cap); i++)
		r.severity_cap[i] = -1;
	r.secure_min_grade = SC_GRADE_COUNT - 1; /* no floor unless set */
	st = load_file(dir, &findings_kind, &r, err, errlen);
	if (st != SC_OK)
		goto done;
	st = load_file(dir, &scoring_kind, &r, err, errlen);
	if (st != SC_OK)
		goto done;
	r.dir = sc_strdup(dir);
	if (r.dir == NULL) {
		st = SC_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto done;
	}
	if (index_rules(&r) != SC_OK ||
	    (r.texts = sc_calloc(1, sizeof(*r.texts))) == NULL) {
		st = SC_ENOMEM;
		set_err(err, errlen, "out of memory");
		goto done;
	}
	r.texts->refs = 1;
	r.texts->rule = r.rule;
	r.texts->nrule = r.nrule;
	*out = r;
	memset(&r, 0, sizeof(r));
done:
	sc_rules_clear(&r);
	return st;
}

static void
free_rules(struct sc_rule *rule, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free_const(rule[i].f.id);
		free_const(rule[i].f.title);
		free_const(rule[i].f.why);
		free_const(rule[i].f.fix);
		/* f.detail is the literal "" */
	}
	sc_free(rule);
}

struct sc_ruletexts *
sc_rules_hold_texts(const struct sc_rules *r)
{
	if (r == NULL || r->texts == NULL)
		return NULL;
	sc_ref_hold(&r->texts->refs);
	return r->texts;
}

void
sc_ruletexts_release(struct sc_ruletexts *t)
{
	if (t == NULL || !sc_ref_drop(&t->refs))
		return;
	free_rules(t->rule, t->nrule);
	sc_free(t);
}

void
sc_rules_clear(struct sc_rules *r)
{
	if (r == NULL)
		return;
	if (r->texts != NULL)
		sc_ruletexts_release(r->texts); /* findings may keep them */
	else
		free_rules(r->rule, r->nrule);
	sc_free(r->override);
	sc_free(r->by_id);
	sc_free(r->dir);
	memset(r, 0, sizeof(*r));
}

void
sc_rules_apply_model(struct sc_rules *r, int model)
{
	size_t i;

	for (i = 0; i < r->nrule; i++) {
		r->rule[i].f.severity = r->rule[i].base_severity;
		r->rule[i].f.points = r->rule[i].base_points;
	}
	for (i = 0; i < r->noverride; i++) {
		const struct sc_override *o = &r->override[i];

		if (o->model != model || o->index >= r->nrule)
			continue;
		r->rule[o->index].f.severity = o->severity;
		if (o->points >= 0)
			r->rule[o->index].f.points = o->points;
	}
}

/*
 * A linear search: the catalogue has about 40 rules, a finding is looked
 * up once per report, and the rules stay in file order (which a listing
 * may want), as well as in any order a test builds them by hand.
 */
const struct sc_rule *
sc_rules_find(const struct sc_rules *r, const char *id)
{
	size_t i;

	if (r == NULL || id == NULL)
		return NULL;
	if (r->by_id != NULL) {
		struct sc_rule *const *hit = bsearch(id, r->by_id, r->nrule,
		                                     sizeof(*r->by_id), id_cmp);

		return hit != NULL ? *hit : NULL;
	}
	for (i = 0; i < r->nrule; i++)
		if (strcmp(r->rule[i].f.id, id) == 0)
			return &r->rule[i];
	return NULL;
}
