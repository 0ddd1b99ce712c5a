/*
 * Lookalike detection: does a domain imitate a major mail provider?
 *
 * A recovery address at gmial.com or gmai1.com is almost never what its
 * owner meant: the mail goes to whoever registered the typo.  We compare
 * the registrable domain of the address (the label a registrant chose, plus
 * its public suffix) against every provider in the list, with four rules,
 * strongest first (docs/lists.md has the reasoning):
 *
 *   1. homograph: an xn-- label whose letters, mapped from Cyrillic, Greek
 *      or accented Latin to the ASCII letter they look like, gives a
 *      provider (or matches one by rule 2 to 4);
 *   2. visual: the same after swapping look-alike sequences (rn for m, vv
 *      for w, 0 for o, 1 for l; i for l and back on long labels only);
 *   3. typo: Damerau-Levenshtein distance 1 from the provider's label, same
 *      suffix, for provider labels of at least TYPO_MIN_LEN letters;
 *   4. other top-level domain: exactly a big global brand's label under a
 *      suffix that is not one of its real domains (gmail.co, hotmail.co).
 *
 * A provider itself, and any subdomain of one, is never a lookalike.
 *
 * The registrable domain comes from libpsl's built-in list: pure, no I/O,
 * no allocation.  Decoding xn-- labels is libidn2's job (it allocates with
 * its own malloc, freed at once with idn2_free()).
 */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <libpsl.h>

#include "checks.h"
#include "internal.h"
#include "lookalike.h"

#define NAME_MAX_LEN 253
#define LABEL_MAX_LEN 63

/*
 * Below five letters the neighbours of a label at distance one are mostly
 * real, unrelated names (gmx.de and gmz.de, mail.ru and mall.ru, web.de and
 * wed.de), so typo and i/l rules would raise false alarms there.  gmail,
 * yahoo and naver are the shortest labels still covered.
 */
#define TYPO_MIN_LEN 5

/*
 * Brands that real users mistype the top-level domain of, and whose every
 * real domain is in providers.txt.  Only these get "other top-level
 * domain": smaller providers often own country domains we do not list
 * (gmx.at, web.de/web.com), and flagging those would be a false alarm.
 * The home domain is what we report as imitated.
 */
static const struct brand {
	const char *label;
	const char *home;
} brands[] = {
	{ "gmail", "gmail.com" },
	{ "googlemail", "googlemail.com" },
	{ "outlook", "outlook.com" },
	{ "hotmail", "hotmail.com" },
	{ "yahoo", "yahoo.com" },
	{ "icloud", "icloud.com" },
	{ "protonmail", "protonmail.com" },
};

/*
 * Real, unrelated domains that happen to sit one edit from a provider and
 * were reported as false alarms.  Keep this short: every entry is a typo
 * nobody is warned about.
 */
static const char *const unrelated[] = {
	"cloud.com", /* Cloud Software Group (Citrix), not icloud.com */
};

/* The strength of a hit: a lower rank wins. */
enum rank {
	RANK_VISUAL = 1,
	RANK_TYPO = 2,
	RANK_TLD = 3,
	RANK_NONE = 4
};

/* A registrable domain split into the chosen label and its suffix. */
struct split {
	char label[LABEL_MAX_LEN + 1];
	const char *suffix; /* borrowed; without the leading dot */
};

struct search {
	struct split cand;
	enum rank rank;
	const char *provider; /* borrowed from the set */
	const char *why;      /* static */
};

/* ---- registrable domains ---------------------------------------------- */

/*
 * Used only when libpsl was built without a list: the last two labels, or
 * three under a short second level of a country (co.uk, com.br, ne.jp).
 */
static const char *
registrable_guess(const char *d)
{
	const char *dots[3] = { NULL, NULL, NULL };
	const char *p;
	size_t n = 0, sld;

	for (p = d; *p != '\0'; p++)
		if (*p == '.') {
			dots[2] = dots[1];
			dots[1] = dots[0];
			dots[0] = p;
			n++;
		}
	if (n == 0)
		return NULL;
	if (n == 1)
		return d;
	sld = (size_t)(dots[0] - dots[1] - 1);
	if (strlen(dots[0] + 1) == 2 && sld <= 3)
		return n == 2 ? d : dots[2] + 1;
	return dots[1] + 1;
}

/* The registrable part of D (borrowed from D), or NULL for a public
 * suffix. */
static const char *
registrable(const char *d)
{
	const psl_ctx_t *psl = psl_builtin();

	return psl != NULL ? psl_registrable_domain(psl, d)
	                   : registrable_guess(d);
}

/* Split a registrable domain at its first dot.  0 when it has none. */
static int
split(const char *reg, struct split *out)
{
	const char *dot = strchr(reg, '.');
	size_t n;

	if (dot == NULL)
		return 0;
	n = (size_t)(dot - reg);
	if (n == 0 || n > LABEL_MAX_LEN)
		return 0;
	memcpy(out->label, reg, n);
	out->label[n] = '\0';
	out->suffix = dot + 1;
	return 1;
}

/* ---- homographs ------------------------------------------------------- */

enum script {
	SCRIPT_CYRILLIC = 1,
	SCRIPT_GREEK = 2,
	SCRIPT_LATIN = 4 /* accented Latin, dotless i, script g */
};

/*
 * Letters that render like an ASCII letter in common fonts (a subset of
 * Unicode's confusables.txt for the scripts seen in phishing domains).
 */
static const struct confusable {
	unsigned long cp;
	char ascii;
	enum script script;
} confusables[] = {
	/* Latin-1 accented letters */
	{ 0x00e0, 'a', SCRIPT_LATIN }, { 0x00e1, 'a', SCRIPT_LATIN },
	{ 0x00e2, 'a', SCRIPT_LATIN }, { 0x00e3, 'a', SCRIPT_LATIN },
	{ 0x00e4, 'a', SCRIPT_LATIN }, { 0x00e5, 'a', SCRIPT_LATIN },
	{ 0x00e7, 'c', SCRIPT_LATIN }, { 0x00e8, 'e', SCRIPT_LATIN },
	{ 0x00e9, 'e', SCRIPT_LATIN }, { 0x00ea, 'e', SCRIPT_LATIN },
	{ 0x00eb, 'e', SCRIPT_LATIN }, { 0x00ec, 'i', SCRIPT_LATIN },
	{ 0x00ed, 'i', SCRIPT_LATIN }, { 0x00ee, 'i', SCRIPT_LATIN },
	{ 0x00ef, 'i', SCRIPT_LATIN }, { 0x00f1, 'n', SCRIPT_LATIN },
	{ 0x00f2, 'o', SCRIPT_LATIN }, { 0x00f3, 'o', SCRIPT_LATIN },
	{ 0x00f4, 'o', SCRIPT_LATIN }, { 0x00f5, 'o', SCRIPT_LATIN },
	{ 0x00f6, 'o', SCRIPT_LATIN }, { 0x00f9, 'u', SCRIPT_LATIN },
	{ 0x00fa, 'u', SCRIPT_LATIN }, { 0x00fb, 'u', SCRIPT_LATIN },
	{ 0x00fc, 'u', SCRIPT_LATIN }, { 0x00fd, 'y', SCRIPT_LATIN },
	{ 0x00ff, 'y', SCRIPT_LATIN }, { 0x0131, 'i', SCRIPT_LATIN },
	{ 0x0142, 'l', SCRIPT_LATIN }, { 0x0261, 'g', SCRIPT_LATIN },
	/* Greek */
	{ 0x03b1, 'a', SCRIPT_GREEK }, { 0x03b3, 'y', SCRIPT_GREEK },
	{ 0x03b5, 'e', SCRIPT_GREEK }, { 0x03b7, 'n', SCRIPT_GREEK },
	{ 0x03b9, 'i', SCRIPT_GREEK }, { 0x03ba, 'k', SCRIPT_GREEK },
	{ 0x03bd, 'v', SCRIPT_GREEK }, { 0x03bf, 'o', SCRIPT_GREEK },
	{ 0x03c1, 'p', SCRIPT_GREEK }, { 0x03c4, 't', SCRIPT_GREEK },
	{ 0x03c5, 'u', SCRIPT_GREEK }, { 0x03c7, 'x', SCRIPT_GREEK },
	{ 0x03c9, 'w', SCRIPT_GREEK },
	/* Cyrillic */
	{ 0x0430, 'a', SCRIPT_CYRILLIC }, { 0x0435, 'e', SCRIPT_CYRILLIC },
	{ 0x043e, 'o', SCRIPT_CYRILLIC }, { 0x0440, 'p', SCRIPT_CYRILLIC },
	{ 0x0441, 'c', SCRIPT_CYRILLIC }, { 0x0443, 'y', SCRIPT_CYRILLIC },
	{ 0x0445, 'x', SCRIPT_CYRILLIC }, { 0x0455, 's', SCRIPT_CYRILLIC },
	{ 0x0456, 'i', SCRIPT_CYRILLIC }, { 0x0458, 'j', SCRIPT_CYRILLIC },
	{ 0x0475, 'v', SCRIPT_CYRILLIC }, { 0x04bb, 'h', SCRIPT_CYRILLIC },
	{ 0x04cf, 'l', SCRIPT_CYRILLIC }, { 0x04af, 'y', SCRIPT_CYRILLIC },
	{ 0x0501, 'd', SCRIPT_CYRILLIC }, { 0x051b, 'q', SCRIPT_CYRILLIC },
	{ 0x051d, 'w', SCRIPT_CYRILLIC },
	/* Armenian */
	{ 0x0578, 'n', SCRIPT_LATIN }, { 0x0585, 'o', SCRIPT_LATIN },
};

static int
confusable(unsigned long cp, char *ascii, int *scripts)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(confusables); i++)
		if (confusables[i].cp == cp) {
			*ascii = confusables[i].ascii;
			*scripts |= (int)confusables[i].script;
			return 1;
		}
	return 0;
}

/* Next code point of a UTF-8 string; 0 at the end or on a bad sequence
 * (libidn2's output is valid UTF-8, this is belt and braces). */
static unsigned long
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long cp;
	int n, i;

	if (s[0] < 0x80)
		n = 0, cp = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		n = 1, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 2, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 3, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return cp;
}

/*
 * Decode an xn-- LABEL and map it to the ASCII it looks like, in place.
 * Returns the scripts that were mapped, or 0 when the label is not an
 * A-label or holds a letter that looks like no ASCII letter (a genuine
 * Cyrillic or Chinese name).
 */
static int
unhomograph(char *label)
{
	char out[LABEL_MAX_LEN + 1];
	const unsigned char *p;
	char *u = NULL;
	size_t n = 0;
	int scripts = 0;

	if (strncmp(label, "xn--", 4) != 0)
		return 0;
	if (idn2_to_unicode_8z8z(label, &u, 0) != IDN2_OK)
		return 0;
	p = (const unsigned char *)u;
	while (*p != '\0') {
		unsigned long cp = utf8_next(&p);
		char c;

		if (cp == 0 || n == LABEL_MAX_LEN) {
			scripts = 0;
			break;
		}
		if (cp < 0x80)
			c = (char)cp;
		else if (!confusable(cp, &c, &scripts)) {
			scripts = 0;
			break;
		}
		out[n++] = c;
	}
	idn2_free(u);
	if (scripts != 0) {
		out[n] = '\0';
		memcpy(label, out, n + 1);
	}
	return scripts;
}

static const char *
homograph_why(int scripts)
{
	switch (scripts) {
	case SCRIPT_CYRILLIC:
		return "homograph: Cyrillic letters";
	case SCRIPT_GREEK:
		return "homograph: Greek letters";
	case SCRIPT_LATIN:
		return "homograph: accented or foreign letters";
	default:
		return "homograph: mixed scripts";
	}
}

/* ---- visual confusables ----------------------------------------------- */

/*
 * Is A (the candidate) B (the provider) written with look-alike sequences?
 * Walks both once: at a position where they differ, at most one rule can
 * apply, so no backtracking is needed.  *why gets the first rule used, and
 * stays NULL when A equals B.  il: also i for l and l for i, which only
 * look alike in some fonts and cases (gmaiI.com), so long labels only.
 */
static int
visual_eq(const char *a, const char *b, int il, const char **why)
{
	static const struct rule {
		const char *seq;
		char letter;
		int il;
		const char *why;
	} rules[] = {
		{ "rn", 'm', 0, "looks alike: rn for m" },
		{ "vv", 'w', 0, "looks alike: vv for w" },
		{ "0", 'o', 0, "looks alike: 0 for o" },
		{ "1", 'l', 0, "looks alike: 1 for l" },
		{ "1", 'i', 0, "looks alike: 1 for i" },
		{ "i", 'l', 1, "looks alike: i for l" },
		{ "l", 'i', 1, "looks alike: l for i" },
	};
	size_t i;

	while (*a != '\0' || *b != '\0') {
		const struct rule *r = NULL;

		if (*a == *b) {
			a++;
			b++;
			continue;
		}
		/* Only these letters have look-alikes: most pairs end here. */
		if (*b == '\0' || strchr("mwoli", *b) == NULL)
			return 0;
		for (i = 0; i < SC_ARRAY_LEN(rules) && r == NULL; i++)
			if ((il || !rules[i].il) && *b == rules[i].letter &&
			    strncmp(a, rules[i].seq, strlen(rules[i].seq)) == 0)
				r = &rules[i];
		if (r == NULL)
			return 0;
		if (*why == NULL)
			*why = r->why;
		a += strlen(r->seq);
		b++;
	}
	return 1;
}

/* ---- typos ------------------------------------------------------------ */

/*
 * If A is one edit (Damerau-Levenshtein: insert, delete, substitute, or
 * swap two neighbours) away from B, say which; else NULL.  Equal strings
 * are not an edit.
 */
static const char *
one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i == la)
			return NULL;
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return "one letter changed";
		if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0)
			return "one letter swapped";
		return NULL;
	}
	if (la + 1 == lb && strcmp(a + i, b + i + 1) == 0)
		return "one letter missing";
	if (la == lb + 1 && strcmp(a + i + 1, b + i) == 0)
		return "one letter added";
	return NULL;
}

/* ---- the search ------------------------------------------------------- */

/* Keep the strongest hit; among equals the first provider in byte order,
 * so that the answer does not depend on the hash table's order. */
static void
hit(struct search *s, enum rank rank, const char *provider, const char *why)
{
	if (rank < s->rank ||
	    (rank == s->rank && strcmp(provider, s->provider) < 0)) {
		s->rank = rank;
		s->provider = provider;
		s->why = why;
	}
}

/* Is PROVIDER a registrable domain, that is, has it a label of its own a
 * registrant could imitate?  Not so i.softbank.jp, below a public suffix.
 * Asked only on a hit: libpsl is the slow part of a comparison. */
static int
own_label(const char *provider)
{
	return registrable(provider) == provider;
}

/* ---- the provider list, prepared ------------------------------------ */

/* A provider split once; providers are sorted and grouped by suffix,
 * because both kinds of hit need the suffixes to look alike (a typo, to
 * be equal): a candidate is compared only with the groups whose suffix
 * passes, a few dozen checks instead of one per provider. */
struct la_provider {
	const char *name;       /* borrowed from the set */
	struct split s;
	size_t llen;
};

struct la_group {
	const char *suffix;
	size_t first, count;
};

struct sc_lookalike {
	const struct sc_domainset *providers; /* borrowed */
	struct la_provider *p;
	size_t n, cap;
	struct la_group *g;
	size_t ng;
	int nomem;
};

static void
add_provider(const char *name, void *arg)
{
	struct sc_lookalike *la = arg;
	struct la_provider *p;

	if (la->nomem)
		return;
	if (la->n == la->cap) {
		size_t cap = la->cap ? la->cap * 2 : 64;

		if ((p = sc_realloc(la->p, cap * sizeof(*p))) == NULL) {
			la->nomem = 1;
			return;
		}
		la->p = p;
		la->cap = cap;
	}
	p = &la->p[la->n];
	if (!split(name, &p->s))
		return;          /* no dot: nothing to imitate */
	p->name = name;
	p->llen = strlen(p->s.label);
	la->n++;
}

static int
by_suffix(const void *a, const void *b)
{
	const struct la_provider *x = a, *y = b;

	return strcmp(x->s.suffix, y->s.suffix);
}

sc_status_t
sc_lookalike_new(const struct sc_domainset *providers,
                 struct sc_lookalike **out)
{
	struct sc_lookalike *la;
	size_t i;

	*out = NULL;
	if ((la = sc_calloc(1, sizeof(*la))) == NULL)
		return SC_ENOMEM;
	la->providers = providers;
	sc_domainset_foreach(providers, add_provider, la);
	if (la->nomem || (la->n > 0 &&
	    (la->g = sc_calloc(la->n, sizeof(*la->g))) == NULL)) {
		sc_lookalike_free(la);
		return SC_ENOMEM;
	}
	if (la->n > 1)
		qsort(la->p, la->n, sizeof(*la->p), by_suffix);
	for (i = 0; i < la->n; i++) {
		struct la_group *g = &la->g[la->ng];

		if (la->ng == 0 || strcmp(g[-1].suffix, la->p[i].s.suffix) != 0) {
			g->suffix = la->p[i].s.suffix;
			g->first = i;
			la->ng++;
		} else {
			g = &la->g[la->ng - 1];
		}
		g->count++;
	}
	*out = la;
	return SC_OK;
}

void
sc_lookalike_free(struct sc_lookalike *la)
{
	if (la == NULL)
		return;
	sc_free(la->p);
	sc_free(la->g);
	sc_free(la);
}

static void
compare(struct search *s, const struct la_provider *p)
{
	const char *why = NULL;
	int il = p->llen >= TYPO_MIN_LEN;

	if (visual_eq(s->cand.label, p->s.label, il, &why) &&
	    visual_eq(s->cand.suffix, p->s.suffix, 0, &why) && why != NULL) {
		if (own_label(p->name))
			hit(s, RANK_VISUAL, p->name, why);
		return;
	}
	if (p->llen >= TYPO_MIN_LEN &&
	    strcmp(s->cand.suffix, p->s.suffix) == 0) {
		why = one_edit(s->cand.label, p->s.label);
		if (why != NULL && own_label(p->name))
			hit(s, RANK_TYPO, p->name, why);
	}
}

static void
compare_all(const struct sc_lookalike *la, struct search *s)
{
	size_t g, i;

	for (g = 0; g < la->ng; g++) {
		const char *scratch = NULL;

		if (!visual_eq(s->cand.suffix, la->g[g].suffix, 0, &scratch))
			continue;
		for (i = 0; i < la->g[g].count; i++)
			compare(s, &la->p[la->g[g].first + i]);
	}
}

static void
other_tld(const struct sc_domainset *providers, struct search *s)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(brands); i++)
		if (strcmp(s->cand.label, brands[i].label) == 0) {
			const char *home =
			    sc_domainset_match(providers, brands[i].home);

			if (home != NULL)
				hit(s, RANK_TLD, home,
				    "other top-level domain");
			return;
		}
}

/* Copy DOMAIN lower-cased without a final dot into buf; 0 unless it is a
 * plausible A-label host name. */
static int
prepare(const char *domain, char *buf)
{
	size_t len = strnlen(domain, NAME_MAX_LEN + 2), i;

	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = domain[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return 0;
		if (c == '.' && (i == 0 || buf[i - 1] == '.'))
			return 0;
		buf[i] = c;
	}
	buf[len] = '\0';
	return 1;
}

static int
is_unrelated(const char *reg)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(unrelated); i++)
		if (strcmp(reg, unrelated[i]) == 0)
			return 1;
	return 0;
}

static void
copy_out(char *dst, size_t len, const char *src)
{
	size_t n;

	if (dst == NULL || len == 0)
		return;
	n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
sc_lookalike_match(const struct sc_lookalike *la, const char *domain,
                   char *provider, size_t plen, char *why, size_t wlen)
{
	const struct sc_domainset *providers = la != NULL ? la->providers
	                                                  : NULL;
	char buf[NAME_MAX_LEN + 1];
	struct search s;
	const char *reg;
	int scripts;

	copy_out(provider, plen, "");
	copy_out(why, wlen, "");
	if (providers == NULL || domain == NULL || !prepare(domain, buf))
		return 0;
	if (sc_domainset_match(providers, buf) != NULL)
		return 0;
	reg = registrable(buf);
	memset(&s, 0, sizeof(s));
	if (reg == NULL || is_unrelated(reg) || !split(reg, &s.cand))
		return 0;
	s.rank = RANK_NONE;
	scripts = unhomograph(s.cand.label);
	if (scripts != 0 && strlen(s.cand.label) + 1 + strlen(s.cand.suffix)
	                        <= NAME_MAX_LEN) {
		char mapped[NAME_MAX_LEN + 1];
		const char *p;

		strcpy(mapped, s.cand.label);
		strcat(mapped, ".");
		strcat(mapped, s.cand.suffix);
		/* Exactly a provider: the strongest hit there is. */
		p = sc_domainset_match(providers, mapped);
		if (p != NULL && strcmp(p, mapped) == 0)
			hit(&s, RANK_VISUAL, p, "");
	}
	if (s.rank == RANK_NONE)
		compare_all(la, &s);
	if (s.rank == RANK_NONE)
		other_tld(providers, &s);
	if (s.rank == RANK_NONE)
		return 0;
	copy_out(provider, plen, s.provider);
	copy_out(why, wlen, scripts != 0 ? homograph_why(scripts) : s.why);
	return 1;
}

/*
 * The check "lookalike": whoever owns the lookalike domain receives the
 * recovery mail the user meant for the provider (rules/providers.txt).
 * Its context state: the provider list and its preparation.
 */
struct lookalike_ctx {
	struct sc_domainset *providers;
	struct sc_lookalike *la;         /* points into providers */
};

static void
lookalike_ctx_free(struct sc_ctx *ctx, void *state)
{
	struct lookalike_ctx *lc = state;

	(void)ctx;
	sc_lookalike_free(lc->la);
	sc_domainset_free(lc->providers);
	sc_free(lc);
}

static sc_status_t
lookalike_ctx_init(struct sc_ctx *ctx, const char *dir, void *old, void **out)
{
	struct lookalike_ctx *lc;
	sc_status_t st;

	(void)old; /* the list is the directory's: always read anew */
	*out = NULL;
	if ((lc = sc_calloc(1, sizeof(*lc))) == NULL)
		return SC_ENOMEM;
	if ((st = sc_checks_load_list(ctx, dir, "providers.txt",
	                              &lc->providers)) != SC_OK ||
	    (st = sc_lookalike_new(lc->providers, &lc->la)) != SC_OK) {
		lookalike_ctx_free(ctx, lc);
		return st;
	}
	*out = lc;
	return SC_OK;
}

static void
lookalike_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct lookalike_ctx *lc =
	    sc_check_ctx(dom->ctx, &sc_check_lookalike);
	char provider[256], why[128];

	if (lc == NULL)
		return;
	if (sc_lookalike_match(lc->la, dom->name, provider,
	                       sizeof(provider), why, sizeof(why)))
		sc_hits_add(out, "domain.lookalike",
		            "%s looks like %s (%s): was %s meant?", dom->name,
		            provider, why, provider);
}

static const char *const lookalike_ids[] = { "domain.lookalike", NULL };

const struct sc_check sc_check_lookalike = {
	.name = "lookalike",
	.ids = lookalike_ids,
	.ctx_init = lookalike_ctx_init,
	.ctx_free = lookalike_ctx_free,
	.ctx_free_early = 1,
	.assess = lookalike_assess,
};
