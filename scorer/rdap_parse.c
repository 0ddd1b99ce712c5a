/*
 * The RDAP parsers (rdap_parse.h): the domain object of RFC 9083, the
 * bootstrap file of RFC 9224, RFC 3339 dates.  Pure: bytes in, a struct
 * out.  Answers come from registries we do not control, so every member
 * is optional, every string is bounded, and what is not understood is
 * left out rather than guessed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <jansson.h>

#include "internal.h"
#include "parse.h"
#include "rdap_parse.h"

#define MAX_SERVICES 20000    /* IANA's file has about 600 entries */
#define MAX_LABELS 100000     /* ... and about 1,200 labels */
#define MAX_URL 512

/* ---- dates (RFC 3339 5.6) ------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int
digits(const char *s, size_t len, size_t at, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (at + n > len)
		return -1;
	for (i = 0; i < n; i++) {
		if (!sc_is_digit((unsigned char)s[at + i]))
			return -1;
		v = v * 10 + (unsigned)(s[at + i] - '0');
	}
	*out = v;
	return 0;
}

static int
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
sc_rfc3339_parse(const char *s, size_t len, long long *out)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	                                  31, 30, 31 };
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	size_t at;
	long long off = 0;

	/* full-date = date-fullyear "-" date-month "-" date-mday */
	if (digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
	    digits(s, len, 5, 2, &mo) || s[7] != '-' ||
	    digits(s, len, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	at = 10;
	if (at < len) {
		/* "T" (or, as 5.6 allows, another separator such as a
		 * space) time-hour ":" time-minute ":" time-second */
		if (s[at] != 'T' && s[at] != 't' && s[at] != ' ')
			return -1;
		if (digits(s, len, at + 1, 2, &h) || at + 3 >= len ||
		    s[at + 3] != ':' || digits(s, len, at + 4, 2, &mi) ||
		    at + 6 >= len || s[at + 6] != ':' ||
		    digits(s, len, at + 7, 2, &sec) || h > 23 || mi > 59 ||
		    sec > 60)
			return -1;
		at += 9;
		if (at < len && s[at] == '.') {
			size_t f = ++at;

			while (at < len && sc_is_digit((unsigned char)s[at]))
				at++;
			if (at == f)
				return -1;
		}
		/* time-offset = "Z" / ("+" / "-") time-hour ":" time-minute */
		if (at == len)
			return -1;
		if (s[at] == 'Z' || s[at] == 'z') {
			at++;
		} else if (s[at] == '+' || s[at] == '-') {
			if (digits(s, len, at + 1, 2, &oh) || at + 3 >= len ||
			    s[at + 3] != ':' || digits(s, len, at + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return -1;
			off = ((long long)oh * 60 + om) * 60;
			if (s[at] == '+')
				off = -off;
			at += 6;
		} else {
			return -1;
		}
		if (at != len)
			return -1;
	}
	if (sec == 60)
		sec = 59; /* a leap second: a second does not matter here */
	*out = days_from_civil(y, mo, d) * 86400 + (long long)h * 3600 +
	       (long long)mi * 60 + sec + off;
	return 0;
}

void
sc_rfc3339_format(long long t, char *buf, size_t size)
{
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	long long secs = t - days * 86400, z = days + 719468, y, era;
	unsigned doe, yoe, doy, mp, d, m;

	/* civil_from_days, the inverse of days_from_civil() */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
	         (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
	         (unsigned)(secs % 60));
}

/* ---- the domain object (RFC 9083 5.3) ------------------------------------ */

static void
set_why(char *why, size_t whylen, const char *fmt, const char *arg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, fmt, arg);
}

/* An EPP status as RDAP spells it ("client transfer prohibited", RFC
 * 8056 2) or as some servers pass EPP's own ("clientTransferProhibited"):
 * compared with case, blanks, '_' and '-' left out. */
static int
status_is(const char *s, const char *squeezed)
{
	for (; *s != '\0'; s++) {
		unsigned char c = sc_lower((unsigned char)*s);

		if (c == ' ' || c == '_' || c == '-')
			continue;
		if (c != (unsigned char)*squeezed++)
			return 0;
	}
	return *squeezed == '\0';
}

static void
read_status(json_t *arr, struct sc_rdap_domain *out)
{
	size_t i, len = 0;
	json_t *v;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		char buf[64];

		if (s == NULL)
			continue;
		out->nstatus++;
		if (status_is(s, "pendingdelete"))
			out->status |= SC_RDAP_PENDING_DELETE;
		else if (status_is(s, "redemptionperiod"))
			out->status |= SC_RDAP_REDEMPTION;
		else if (status_is(s, "clienttransferprohibited"))
			out->status |= SC_RDAP_CLIENT_XFER_LOCK;
		else if (status_is(s, "servertransferprohibited") ||
		         status_is(s, "transferprohibited"))
			/* RFC 9083 10.2.2's own "transfer prohibited"
			 * says so without saying who set it. */
			out->status |= SC_RDAP_SERVER_XFER_LOCK;
		if (len + 4 >= sizeof(out->statuses))
			continue;
		sc_printable(buf, sizeof(buf), s, strlen(s));
		len += (size_t)snprintf(out->statuses + len,
		                        sizeof(out->statuses) - len, "%s%s",
		                        len > 0 ? ", " : "", buf);
		if (len >= sizeof(out->statuses))
			len = sizeof(out->statuses) - 1;
	}
}

/* The events (RFC 9083 4.5): the latest date of each action we read. */
static void
read_events(json_t *arr, struct sc_rdap_domain *out)
{
	static const struct {
		const char *action;
		size_t off_t, off_has;
	} known[] = {
		{ "registration", offsetof(struct sc_rdap_domain, registered),
		  offsetof(struct sc_rdap_domain, has_registered) },
		{ "reregistration", offsetof(struct sc_rdap_domain, reregistered),
		  offsetof(struct sc_rdap_domain, has_reregistered) },
		{ "expiration", offsetof(struct sc_rdap_domain, expires),
		  offsetof(struct sc_rdap_domain, has_expires) },
		{ "last changed", offsetof(struct sc_rdap_domain, changed),
		  offsetof(struct sc_rdap_domain, has_changed) },
	};
	size_t i, k;
	json_t *ev;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, ev) {
		const char *action = json_string_value(json_object_get(ev,
		                                       "eventAction"));
		json_t *date = json_object_get(ev, "eventDate");
		long long t;

		if (action == NULL || !json_is_string(date) ||
		    sc_rfc3339_parse(json_string_value(date),
		                     json_string_length(date), &t) != 0)
			continue;
		for (k = 0; k < SC_ARRAY_LEN(known); k++) {
			long long *tp;
			int *has;

			if (!sc_word_is(action, strlen(action), known[k].action))
				continue;
			tp = (long long *)((char *)out + known[k].off_t);
			has = (int *)((char *)out + known[k].off_has);
			if (!*has || t > *tp)
				*tp = t;
			*has = 1;
		}
	}
}

sc_status_t
sc_rdap_domain_parse(const char *body, size_t len, struct sc_rdap_domain *out,
                     char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *cls, *ldh;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (body == NULL) {
		set_why(why, whylen, "%s", "no body");
		return SC_EINVAL;
	}
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL) {
		char msg[160];

		sc_printable(msg, sizeof(msg), jerr.text, strlen(jerr.text));
		set_why(why, whylen, "not JSON: %s", msg);
		return SC_EINVAL;
	}
	if (!json_is_object(root)) {
		set_why(why, whylen, "%s", "not a JSON object");
		json_decref(root);
		return SC_EINVAL;
	}
	cls = json_string_value(json_object_get(root, "objectClassName"));
	if (cls != NULL && strcmp(cls, "domain") != 0) {
		char c[64];

		sc_printable(c, sizeof(c), cls, strlen(cls));
		set_why(why, whylen, "an object of class \"%s\", not a domain",
		        c);
		json_decref(root);
		return SC_EINVAL;
	}
	if ((v = json_object_get(root, "ldhName")) != NULL &&
	    (ldh = json_string_value(v)) != NULL &&
	    (n = json_string_length(v)) < sizeof(out->ldh_name)) {
		for (i = 0; i < n; i++)
			out->ldh_name[i] = (char)sc_lower((unsigned char)ldh[i]);
		out->ldh_name[n] = '\0';
		/* A final dot is the same name (RFC 9083 3). */
		if (n > 1 && out->ldh_name[n - 1] == '.')
			out->ldh_name[n - 1] = '\0';
	}
	read_status(json_object_get(root, "status"), out);
	read_events(json_object_get(root, "events"), out);
	json_decref(root);
	return SC_OK;
}

/* ---- the thresholds (rules/rdap.ini) ------------------------------------ */

void
sc_rdap_limits_default(struct sc_rdap_limits *out)
{
	out->expiring_days = 30;
	out->renewal_days = 90;
	out->recent_days = 90;
}

struct limits_parse {
	struct sc_rdap_limits *l;
	char why[160];
};

static int
on_limit(void *user, const char *section, const char *name,
         const char *value)
{
	struct limits_parse *p = user;
	unsigned *field;
	char *end;
	unsigned long v;

	if (strcmp(section, "thresholds") != 0) {
		snprintf(p->why, sizeof(p->why), "unknown section [%s]",
		         section);
		return 0;
	}
	if (strcmp(name, "expiring_days") == 0)
		field = &p->l->expiring_days;
	else if (strcmp(name, "renewal_due_days") == 0)
		field = &p->l->renewal_days;
	else if (strcmp(name, "recently_registered_days") == 0)
		field = &p->l->recent_days;
	else {
		snprintf(p->why, sizeof(p->why), "unknown key '%s'", name);
		return 0;
	}
	v = strtoul(value, &end, 10);
	if (end == value || *end != '\0' || value[0] == '-' || v > 3650) {
		snprintf(p->why, sizeof(p->why), "%s wants a number of days "
		         "(0..3650), not '%.40s'", name, value);
		return 0;
	}
	*field = (unsigned)v;
	return 1;
}

sc_status_t
sc_rdap_limits_parse(const char *text, struct sc_rdap_limits *out, char *err,
                     size_t errlen)
{
	struct limits_parse p;
	int line;

	sc_rdap_limits_default(out);
	memset(&p, 0, sizeof(p));
	p.l = out;
	line = ini_parse_string(text, on_limit, &p);
	if (line == 0 && out->renewal_days < out->expiring_days) {
		snprintf(p.why, sizeof(p.why), "renewal_due_days (%u) is "
		         "below expiring_days (%u)", out->renewal_days,
		         out->expiring_days);
		line = -2;
	}
	if (line == 0)
		return SC_OK;
	if (line > 0)
		snprintf(err, errlen, "rdap.ini:%d: %s", line,
		         p.why[0] ? p.why : "syntax error");
	else
		snprintf(err, errlen, "rdap.ini: %s",
		         p.why[0] ? p.why : "cannot parse");
	sc_rdap_limits_default(out);
	return SC_ERULES;
}

/* ---- the bootstrap file (RFC 9224) --------------------------------------- */

static int
by_label(const void *a, const void *b)
{
	return strcmp(((const struct sc_rdap_service *)a)->label,
	              ((const struct sc_rdap_service *)b)->label);
}

/* A label of the file: LDH labels (RFC 5890 2.3.1: letters, digits,
 * inner hyphens), dots between (A-labels for IDNs, as IANA lists them). */
static int
label_ok(const char *s, size_t n)
{
	size_t i, run = 0;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (run == 0 || s[i - 1] == '-')
				return 0;
			run = 0;
			continue;
		}
		if (!sc_is_alnum(c) && (c != '-' || run == 0))
			return 0;
		if (++run > 63)
			return 0;
	}
	return s[n - 1] != '-';
}

/* 1 https, 0 http, -1 neither (or unusable). */
static int
url_scheme(const char *u, size_t n)
{
	size_t i;

	if (n < 9 || n > MAX_URL)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			return -1;
	if (n > 8 && sc_word_is(u, 8, "https://"))
		return 1;
	if (sc_word_is(u, 7, "http://"))
		return 0;
	return -1;
}

/* The entry's base URL: the first https one, else the first http one;
 * NULL when neither. */
static const char *
pick_url(json_t *urls, size_t *len, int *https)
{
	const char *best = NULL;
	size_t i;
	json_t *v;

	*https = 0;
	json_array_foreach(urls, i, v) {
		const char *u = json_string_value(v);
		size_t n = u != NULL ? json_string_length(v) : 0;
		int s = u != NULL ? url_scheme(u, n) : -1;

		if (s < 0 || (best != NULL && (*https || s == 0)))
			continue;
		best = u;
		*len = n;
		*https = s;
	}
	return best;
}

/* One pass over the services: with b->svc and b->pool NULL it counts
 * (labels in b->n, bytes in *used, what is skipped in b->skipped); with
 * them allocated it fills them. */
static void
services_pass(json_t *services, struct sc_rdap_bootstrap *b, size_t *used)
{
	int fill = b->svc != NULL;
	json_t *svc, *v;
	size_t i, k;

	b->n = 0;
	*used = 0;
	json_array_foreach(services, i, svc) {
		json_t *labels = json_array_get(svc, 0);
		json_t *urls = json_array_get(svc, 1);
		const char *url;
		char *ustr = NULL;
		size_t ulen = 0;
		int https;

		if (!json_is_array(svc) || !json_is_array(labels) ||
		    !json_is_array(urls) ||
		    (url = pick_url(urls, &ulen, &https)) == NULL) {
			b->skipped += !fill;
			continue;
		}
		/* RFC 9224 3: base URLs end in '/'; one that does not gets
		 * it (room for it and the NUL, the same in both passes). */
		if (fill) {
			size_t k2 = ulen;

			ustr = b->pool + *used;
			memcpy(ustr, url, ulen);
			if (k2 == 0 || ustr[k2 - 1] != '/')
				ustr[k2++] = '/';
			ustr[k2] = '\0';
		}
		*used += ulen + 2;
		json_array_foreach(labels, k, v) {
			const char *l = json_string_value(v);
			size_t n = l != NULL ? json_string_length(v) : 0, j;

			if (l == NULL || !label_ok(l, n) || b->n >= MAX_LABELS) {
				b->skipped += !fill;
				continue;
			}
			if (fill) {
				struct sc_rdap_service *s = &b->svc[b->n];

				s->label = b->pool + *used;
				for (j = 0; j < n; j++)
					s->label[j] = (char)sc_lower((unsigned char)l[j]);
				s->label[n] = '\0';
				s->url = ustr;
				s->https = https;
			}
			*used += n + 1;
			b->n++;
		}
	}
}

sc_status_t
sc_rdap_bootstrap_parse(const char *body, size_t len,
                        struct sc_rdap_bootstrap *out, char *why,
                        size_t whylen)
{
	json_error_t jerr;
	json_t *root, *services, *pub;
	size_t i, w, used, n;

	memset(out, 0, sizeof(*out));
	if (body == NULL || (root = json_loadb(body, len, 0, &jerr)) == NULL) {
		char msg[160];

		sc_printable(msg, sizeof(msg), body ? jerr.text : "no data",
		             strlen(body ? jerr.text : "no data"));
		set_why(why, whylen, "not JSON: %s", msg);
		return SC_EINVAL;
	}
	services = json_object_get(root, "services");
	if (!json_is_array(services)) {
		set_why(why, whylen, "%s", "no \"services\" array (RFC 9224 3)");
		json_decref(root);
		return SC_EINVAL;
	}
	if (json_array_size(services) > MAX_SERVICES) {
		set_why(why, whylen, "%s", "more than 20000 services");
		json_decref(root);
		return SC_EINVAL;
	}
	/* Twice over the services: the sizes, then one array and one block
	 * for all the text (IANA's file has about 1,200 labels: two
	 * allocations, not thousands). */
	services_pass(services, out, &used);
	n = out->n;
	if (n > 0 && ((out->svc = sc_calloc(n, sizeof(*out->svc))) == NULL ||
	              (out->pool = sc_malloc(used)) == NULL)) {
		json_decref(root);
		sc_rdap_bootstrap_clear(out);
		return SC_ENOMEM;
	}
	if (n > 0)
		services_pass(services, out, &used);
	pub = json_object_get(root, "publication");
	if (json_is_string(pub))
		sc_printable(out->publication, sizeof(out->publication),
		             json_string_value(pub), json_string_length(pub));
	json_decref(root);
	if (out->n > 1)
		qsort(out->svc, out->n, sizeof(*out->svc), by_label);
	/* One label in two entries: the first wins (the file should not have
	 * it; a later duplicate is dropped and counted). */
	for (i = 1, w = 1; i < out->n; i++) {
		if (strcmp(out->svc[i].label, out->svc[w - 1].label) == 0) {
			out->skipped++;
			continue;
		}
		out->svc[w++] = out->svc[i];
	}
	if (out->n > 0)
		out->n = w;
	return SC_OK;
}

void
sc_rdap_bootstrap_clear(struct sc_rdap_bootstrap *b)
{
	sc_free(b->svc);
	sc_free(b->pool);
	memset(b, 0, sizeof(*b));
}

const struct sc_rdap_service *
sc_rdap_bootstrap_find(const struct sc_rdap_bootstrap *b, const char *name)
{
	char low[256];
	const char *p;
	size_t n = strlen(name), i;

	if (b == NULL || b->n == 0 || n == 0 || n >= sizeof(low))
		return NULL;
	for (i = 0; i <= n; i++)
		low[i] = (char)sc_lower((unsigned char)name[i]);
	if (n > 1 && low[n - 1] == '.')
		low[n - 1] = '\0';
	/* The longest suffix of whole labels first: "a.example.com", then
	 * "example.com", then "com". */
	for (p = low; p != NULL; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		struct sc_rdap_service key;
		const struct sc_rdap_service *s;

		key.label = (char *)p;
		s = bsearch(&key, b->svc, b->n, sizeof(*b->svc), by_label);
		if (s != NULL)
			return s;
	}
	return NULL;
}
