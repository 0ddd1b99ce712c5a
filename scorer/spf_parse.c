/*
 * SPF record syntax and macros (RFC 7208 4.5, 4.6, 5, 6, 7): a pure
 * tokenizer, bounded by the record's length, no I/O.
 *
 * The record is checked whole before it is evaluated (4.6: "if there are
 * any syntax errors anywhere in the record, check_host() returns
 * immediately with the result permerror"), so the parser keeps every
 * term's position for the message a mail administrator reads.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "parse.h"
#include "spf_parse.h"

int
sc_spf_is_record(const char *txt, size_t len)
{
	if (txt == NULL || len < 6 || !sc_word_is(txt, 6, "v=spf1"))
		return 0;
	return len == 6 || txt[6] == ' ';
}

static sc_status_t
syntax(struct spf_error *err, size_t pos, size_t len, const char *fmt,
       const char *arg)
{
	err->pos = pos;
	err->len = len;
	snprintf(err->msg, sizeof(err->msg), fmt, arg);
	return SC_EINVAL;
}

/* RFC 7208 7.1 toplabel: alphanumerics and '-', not starting or ending
 * with '-', and not all digits unless it holds a '-'. */
static int
toplabel_ok(const char *s, size_t n)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (n == 0 || !sc_is_alnum((unsigned char)s[0]) ||
	    !sc_is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '-')
			dash = 1;
		else if (sc_is_alpha(c))
			alpha = 1;
		else if (!sc_is_digit(c))
			return 0;
	}
	return alpha || dash;
}

static int
is_delimiter(int c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

/* One macro-expand at s[i] == '%' (7.1); its length, or 0 when it is
 * malformed (why says how). */
static size_t
macro_len(const char *s, size_t len, size_t i, int exp, const char **why)
{
	size_t j = i + 2;
	unsigned long digits = 0;
	int ndig = 0, letter;

	if (i + 1 >= len) {
		*why = "a '%' ends the string";
		return 0;
	}
	if (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-')
		return 2;
	if (s[i + 1] != '{') {
		*why = "'%' must be followed by '{', '%', '_' or '-'";
		return 0;
	}
	if (j >= len) {
		*why = "unterminated macro";
		return 0;
	}
	letter = sc_lower((unsigned char)s[j]);
	if (letter == '\0' || strchr("slodiphv", letter) == NULL) {
		if (letter == '\0' || strchr("crt", letter) == NULL || !exp) {
			*why = letter != '\0' && strchr("crt", letter) != NULL ?
			       "the macros c, r and t are only allowed in "
			       "explanations" : "unknown macro letter";
			return 0;
		}
	}
	j++;
	while (j < len && sc_is_digit((unsigned char)s[j])) {
		if (digits < 1000)
			digits = digits * 10 + (unsigned long)(s[j] - '0');
		ndig++;
		j++;
	}
	if (ndig > 0 && digits == 0) {
		*why = "a macro's digit transformer must not be zero";
		return 0;
	}
	if (j < len && sc_lower((unsigned char)s[j]) == 'r')
		j++;
	while (j < len && is_delimiter((unsigned char)s[j]))
		j++;
	if (j >= len || s[j] != '}') {
		*why = "unterminated or malformed macro";
		return 0;
	}
	return j + 1 - i;
}

int
sc_spf_check_spec(const char *s, size_t len, int domain, int exp, char *why,
                  size_t whylen)
{
	size_t i = 0, tail = 0, dot;
	const char *w = NULL;

	if (domain && len == 0) {
		snprintf(why, whylen, "empty domain");
		return 0;
	}
	while (i < len) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			size_t m = macro_len(s, len, i, exp, &w);

			if (m == 0) {
				snprintf(why, whylen, "%s", w);
				return 0;
			}
			i += m;
			tail = i;
			continue;
		}
		if ((c < 0x21 || c > 0x7e) && !(exp && c == ' ')) {
			snprintf(why, whylen, "%s", c > 0x7e ?
			         "non-ASCII character" : "control character");
			return 0;
		}
		i++;
	}
	if (!domain || tail == len)
		return 1; /* domain-end may be a macro-expand */
	/* domain-end = "." toplabel [ "." ] after the last macro */
	len -= len > tail && s[len - 1] == '.' ? 1 : 0;
	for (dot = len; dot > tail && s[dot - 1] != '.'; dot--)
		;
	if (dot == tail || !toplabel_ok(s + dot, len - dot)) {
		snprintf(why, whylen, "the domain must end in a valid top "
		         "label, after a dot");
		return 0;
	}
	return 1;
}

int
sc_spf_spec_uses_p(const char *spec)
{
	const char *p;

	for (p = spec; p != NULL && (p = strchr(p, '%')) != NULL; p++) {
		if (p[1] == '{' && sc_lower((unsigned char)p[2]) == 'p')
			return 1;
		if (p[1] != '\0')
			p++;
	}
	return 0;
}

/* If s[0..*len) ends in "/DIGITS", take it off and return 1; 0 when it
 * does not; -1 when the number has a leading zero or is above max. */
static int
take_cidr(const char *s, size_t *len, int max, int *out)
{
	size_t e = *len, b = e, k;
	int v = 0;

	while (b > 0 && sc_is_digit((unsigned char)s[b - 1]))
		b--;
	if (b == e || b == 0 || s[b - 1] != '/')
		return 0;
	if (e - b > 3 || (s[b] == '0' && e - b > 1))
		return -1;
	for (k = b; k < e; k++)
		v = v * 10 + (s[k] - '0');
	if (v > max)
		return -1;
	*out = v;
	*len = b - 1;
	return 1;
}

/* ip4-network (RFC 7208 5.6): four decimal octets, no leading zeros. */
static int
parse_ip4(const char *s, size_t n, unsigned char *out)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t b = i;
		unsigned v = 0;

		while (i < n && sc_is_digit((unsigned char)s[i]) && i - b < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == b || i - b > 3 || (s[b] == '0' && i - b > 1) || v > 255)
			return 0;
		out[part] = (unsigned char)v;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i == n;
}

static int
parse_ip6(const char *s, size_t n, unsigned char *out)
{
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1;
}

static sc_status_t
set_spec(struct spf_term *t, const char *s, size_t n, int exp,
         struct spf_error *err)
{
	char why[120];

	if (!sc_spf_check_spec(s, n, 1, exp, why, sizeof(why)))
		return syntax(err, t->pos, t->len, "%s", why);
	if ((t->spec = sc_strndup(s, n)) == NULL)
		return SC_ENOMEM;
	return SC_OK;
}

/* The arguments of a mechanism: rest = what follows its name. */
static sc_status_t
parse_args(struct spf_term *t, const char *rest, size_t n,
           struct spf_error *err)
{
	size_t l = n;
	int r, v = 0;

	switch (t->kind) {
	case SPF_ALL:
		if (n != 0)
			return syntax(err, t->pos, t->len,
			              "\"all\" takes no argument%s", "");
		return SC_OK;
	case SPF_INCLUDE:
	case SPF_EXISTS:
		if (n < 2 || rest[0] != ':')
			return syntax(err, t->pos, t->len,
			              "this mechanism needs \":domain\"%s", "");
		return set_spec(t, rest + 1, n - 1, 0, err);
	case SPF_PTR:
		if (n == 0)
			return SC_OK;
		if (n < 2 || rest[0] != ':')
			return syntax(err, t->pos, t->len,
			              "\"ptr\" takes only \":domain\"%s", "");
		return set_spec(t, rest + 1, n - 1, 0, err);
	case SPF_A:
	case SPF_MX:
		/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] */
		r = take_cidr(rest, &l, 128, &v);
		if (r == 1 && l > 0 && rest[l - 1] == '/') {
			t->cidr6 = v;
			l--;
			r = take_cidr(rest, &l, 32, &t->cidr4);
		} else if (r == 1) {
			if (v > 32)
				r = -1;
			t->cidr4 = v;
		}
		if (r < 0)
			return syntax(err, t->pos, t->len,
			              "bad prefix length%s", "");
		if (l == 0)
			return SC_OK;
		if (l < 2 || rest[0] != ':')
			return syntax(err, t->pos, t->len,
			              "expected \":domain\" or a prefix length%s",
			              "");
		return set_spec(t, rest + 1, l - 1, 0, err);
	case SPF_IP4:
	case SPF_IP6:
		if (n < 2 || rest[0] != ':')
			return syntax(err, t->pos, t->len,
			              "this mechanism needs \":address\"%s", "");
		rest++;
		l = n - 1;
		r = t->kind == SPF_IP4 ? take_cidr(rest, &l, 32, &t->cidr4)
		                       : take_cidr(rest, &l, 128, &t->cidr6);
		if (r < 0)
			return syntax(err, t->pos, t->len,
			              "bad prefix length%s", "");
		if (t->kind == SPF_IP4 ? !parse_ip4(rest, l, t->addr)
		                       : !parse_ip6(rest, l, t->addr))
			return syntax(err, t->pos, t->len, "bad %s address",
			              t->kind == SPF_IP4 ? "IPv4" : "IPv6");
		return SC_OK;
	default:
		return SC_EINTERNAL;
	}
}

static const struct {
	const char *name;
	enum spf_kind kind;
} mechanisms[] = {
	{ "all", SPF_ALL }, { "include", SPF_INCLUDE }, { "a", SPF_A },
	{ "mx", SPF_MX }, { "ptr", SPF_PTR }, { "ip4", SPF_IP4 },
	{ "ip6", SPF_IP6 }, { "exists", SPF_EXISTS },
};

static sc_status_t
parse_modifier(struct spf_record *rec, struct spf_term *t, const char *s,
               size_t namelen, struct spf_error *err)
{
	const char *val = s + namelen + 1;
	size_t vlen = t->len - namelen - 1;
	char why[120];

	if (sc_word_is(s, namelen, "redirect") || sc_word_is(s, namelen, "exp")) {
		int *slot = s[0] == 'e' || s[0] == 'E' ? &rec->exp
		                                       : &rec->redirect;

		t->kind = slot == &rec->exp ? SPF_EXP : SPF_REDIRECT;
		if (*slot >= 0) /* 6: each at most once */
			return syntax(err, t->pos, t->len,
			              "the modifier \"%s\" appears twice",
			              t->kind == SPF_EXP ? "exp" : "redirect");
		*slot = (int)rec->n;
		return set_spec(t, val, vlen, 0, err);
	}
	/* 6: unknown modifiers are ignored, but must be well-formed. */
	t->kind = SPF_UNKNOWN_MOD;
	if (!sc_spf_check_spec(val, vlen, 0, 1, why, sizeof(why)))
		return syntax(err, t->pos, t->len, "%s", why);
	return SC_OK;
}

static sc_status_t
parse_term(struct spf_record *rec, const char *rec_txt, size_t pos,
           size_t n, struct spf_error *err)
{
	const char *s = rec_txt + pos;
	struct spf_term *t = &rec->term[rec->n];
	size_t i, k = 0, m;
	sc_status_t st;

	memset(t, 0, sizeof(*t));
	t->pos = pos;
	t->len = n;
	t->cidr4 = 32;
	t->cidr6 = 128;
	t->qual = '+';
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e) /* 4.6.1: terms are split on SP only */
			return syntax(err, pos, n, "%s in a term",
			              c > 0x7e ? "non-ASCII character"
			                       : "control character");
	}
	/* modifier: name "=" ..., name = ALPHA *( ALPHA / DIGIT / - _ . ) */
	if (sc_is_alpha((unsigned char)s[0])) {
		for (i = 1; i < n && (sc_is_alnum((unsigned char)s[i]) ||
		                      s[i] == '-' || s[i] == '_' || s[i] == '.');
		     i++)
			;
		if (i < n && s[i] == '=') {
			st = parse_modifier(rec, t, s, i, err);
			if (st == SC_OK)
				rec->n++;
			return st;
		}
	}
	if (strchr("+-~?", s[0]) != NULL) {
		t->qual = s[0];
		k = 1;
	}
	for (m = k; m < n && s[m] != ':' && s[m] != '/'; m++)
		;
	for (i = 0; i < SC_ARRAY_LEN(mechanisms); i++)
		if (sc_word_is(s + k, m - k, mechanisms[i].name))
			break;
	if (i == SC_ARRAY_LEN(mechanisms))
		return syntax(err, pos, n, "unknown mechanism%s", "");
	t->kind = mechanisms[i].kind;
	if (t->kind == SPF_ALL)
		rec->has_all = 1;
	st = parse_args(t, s + m, n - m, err);
	if (st == SC_OK)
		rec->n++;
	else
		sc_free(t->spec);
	return st;
}

void
sc_spf_record_clear(struct spf_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		sc_free(rec->term[i].spec);
	sc_free(rec->term);
	memset(rec, 0, sizeof(*rec));
	rec->redirect = rec->exp = -1;
}

sc_status_t
sc_spf_parse(const char *txt, size_t len, struct spf_record *rec,
             struct spf_error *err)
{
	size_t i = 6, nterm = 0;
	sc_status_t st = SC_OK;

	memset(rec, 0, sizeof(*rec));
	rec->redirect = rec->exp = -1;
	memset(err, 0, sizeof(*err));
	if (!sc_spf_is_record(txt, len))
		return syntax(err, 0, len < 6 ? len : 6,
		              "not an SPF record (no \"v=spf1\")%s", "");
	for (i = 6; i < len; i++)
		if (txt[i] != ' ' && (i == 6 || txt[i - 1] == ' '))
			nterm++;
	if (nterm > SPF_MAX_TERMS)
		return syntax(err, 0, len, "more than %s terms", "1024");
	if (nterm > 0 && (rec->term = sc_calloc(nterm, sizeof(*rec->term))) ==
	                 NULL)
		return SC_ENOMEM;
	for (i = 6; i < len && st == SC_OK;) {
		size_t b;

		if (txt[i] == ' ') {
			i++;
			continue;
		}
		for (b = i; i < len && txt[i] != ' '; i++)
			;
		st = parse_term(rec, txt, b, i - b, err);
	}
	if (st != SC_OK)
		sc_spf_record_clear(rec);
	return st;
}

/* ---- macro expansion (RFC 7208 7) ------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	int over;
};

static int
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n > SPF_MAX_EXPANSION) {
		b->over = 1;
		return 0;
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((p = sc_realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

void
sc_spf_ip_str(int family, const unsigned char *ip, char *buf, size_t len)
{
	if (family == 4)
		snprintf(buf, len, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	else if (inet_ntop(AF_INET6, ip, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "::");
}

/* The raw value of a macro letter (7.3). */
static void
letter_value(int letter, const struct spf_macro_env *env, char *tmp,
             size_t tmplen, const char **out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	switch (letter) {
	case 's': *out = env->sender; break;
	case 'l': *out = env->local; break;
	case 'o': *out = env->odomain; break;
	case 'd': *out = env->domain; break;
	case 'h': *out = env->helo; break;
	case 'p': *out = env->ptr != NULL ? env->ptr : "unknown"; break;
	case 'r': *out = env->receiver != NULL ? env->receiver : "unknown";
		break;
	case 'v': *out = env->family == 4 ? "in-addr" : "ip6"; break;
	case 't':
		snprintf(tmp, tmplen, "%lld", env->now);
		*out = tmp;
		break;
	case 'c':
		sc_spf_ip_str(env->family, env->ip, tmp, tmplen);
		*out = tmp;
		break;
	case 'i':
		if (env->family == 4) {
			sc_spf_ip_str(4, env->ip, tmp, tmplen);
		} else { /* dot-separated nibbles, most significant first */
			for (i = 0; i < 16 && tmplen >= 65; i++) {
				tmp[i * 4] = hex[env->ip[i] >> 4];
				tmp[i * 4 + 1] = '.';
				tmp[i * 4 + 2] = hex[env->ip[i] & 15];
				tmp[i * 4 + 3] = '.';
			}
			tmp[63] = '\0';
		}
		*out = tmp;
		break;
	default: *out = ""; break;
	}
	if (*out == NULL)
		*out = "";
}

static int
url_escape_into(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		char e[3];

		if (sc_is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (put(b, s + i, 1) < 0)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (put(b, e, 3) < 0)
			return -1;
	}
	return 0;
}

/* Split on the delimiters, reverse if asked, keep the rightmost `keep`
 * parts, join with '.' (7.3). */
static int
transform(struct buf *b, const char *val, const char *delim, size_t ndelim,
          unsigned long keep, int reverse, int escape)
{
	struct buf tmp = { NULL, 0, 0, 0 };
	size_t nparts = 1, i, *start, *len, first, k;
	int rc = 0;

	for (i = 0; val[i] != '\0'; i++)
		if (memchr(delim, val[i], ndelim) != NULL)
			nparts++;
	start = sc_calloc(nparts, sizeof(*start));
	len = sc_calloc(nparts, sizeof(*len));
	if (start == NULL || len == NULL) {
		rc = -1;
		goto done;
	}
	for (i = 0, k = 0; ; i++) {
		if (val[i] == '\0' || memchr(delim, val[i], ndelim) != NULL) {
			len[k] = i - start[k];
			if (val[i] == '\0')
				break;
			start[++k] = i + 1;
		}
	}
	first = keep > 0 && keep < nparts ? nparts - keep : 0;
	for (i = first; i < nparts && rc == 0; i++) {
		size_t j = reverse ? nparts - 1 - i : i;

		if (i > first)
			rc = put(&tmp, ".", 1);
		if (rc == 0)
			rc = put(&tmp, val + start[j], len[j]);
	}
	if (rc == 0 && tmp.over)
		b->over = 1;
	if (rc == 0 && tmp.n > 0)
		rc = escape ? url_escape_into(b, tmp.p, tmp.n)
		            : put(b, tmp.p, tmp.n);
done:
	sc_free(tmp.p);
	sc_free(start);
	sc_free(len);
	return rc;
}

static int
expand_one(struct buf *b, const char *s, size_t m,
           const struct spf_macro_env *env)
{
	char tmp[80], delim[8];
	const char *val;
	size_t j = 3, nd = 0;
	unsigned long keep = 0;
	int letter = (unsigned char)s[2], reverse = 0;

	while (j < m && sc_is_digit((unsigned char)s[j])) {
		if (keep < 1000)
			keep = keep * 10 + (unsigned long)(s[j] - '0');
		j++;
	}
	if (sc_lower((unsigned char)s[j]) == 'r') {
		reverse = 1;
		j++;
	}
	while (j < m - 1 && nd < sizeof(delim))
		delim[nd++] = s[j++];
	if (nd == 0)
		delim[nd++] = '.';
	letter_value(sc_lower(letter), env, tmp, sizeof(tmp), &val);
	/* reversing a right-to-left reading: the RFC's "r" then keep N */
	return transform(b, val, delim, nd, keep, reverse,
	                 letter >= 'A' && letter <= 'Z');
}

/* 7.3: a name longer than 253 octets loses labels on the left. */
static void
truncate_left(struct buf *b)
{
	while (b->n > 253) {
		char *dot = memchr(b->p, '.', b->n);

		if (dot == NULL)
			return;
		b->n -= (size_t)(dot + 1 - b->p);
		memmove(b->p, dot + 1, b->n + 1);
	}
}

sc_status_t
sc_spf_expand(const char *spec, const struct spf_macro_env *env, int exp,
              char **out)
{
	struct buf b = { NULL, 0, 0, 0 };
	size_t i = 0, len = strlen(spec);
	const char *why;
	int rc = put(&b, "", 0);

	*out = NULL;
	while (rc == 0 && i < len && !b.over) {
		size_t m;

		if (spec[i] != '%') {
			size_t j = i;

			while (j < len && spec[j] != '%')
				j++;
			rc = put(&b, spec + i, j - i);
			i = j;
			continue;
		}
		if ((m = macro_len(spec, len, i, exp, &why)) == 0) {
			sc_free(b.p);
			return SC_EINVAL;
		}
		if (spec[i + 1] == '%')
			rc = put(&b, "%", 1);
		else if (spec[i + 1] == '_')
			rc = put(&b, " ", 1);
		else if (spec[i + 1] == '-')
			rc = put(&b, "%20", 3);
		else
			rc = expand_one(&b, spec + i, m, env);
		i += m;
	}
	if (rc < 0) {
		sc_free(b.p);
		return SC_ENOMEM;
	}
	if (b.over) {
		sc_free(b.p);
		return SC_EINVAL;
	}
	if (!exp)
		truncate_left(&b);
	*out = b.p;
	return SC_OK;
}

int
sc_spf_valid_name(const char *name, int multi)
{
	size_t len = strlen(name), i, label = 0, nlabel = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || name[0] == '[')
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			if (label == 0 || label > 63)
				return 0;
			nlabel++;
			label = 0;
		} else {
			label++;
		}
	}
	return !multi || nlabel >= 2;
}
