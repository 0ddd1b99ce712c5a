/*
 * Breach lookup keys: the normalised address, its SHA-1 (OpenSSL EVP) and
 * its provider-canonical form from canonical.ini (libinih, like the other
 * rules).  Pure except for sc_canon_load(), which reads the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <openssl/evp.h>

#include "hash.h"
#include "internal.h"

#define CANON_MAX_FILE (1u << 20)

char *
sc_breach_normalize(const char *s)
{
	size_t len;
	char *out;
	size_t i;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	                   s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if ((out = sc_strndup(s, len)) == NULL)
		return NULL;
	/* ASCII only: the hash lists lower-case the way this does, and a
	 * locale must not change which hash an address has. */
	for (i = 0; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	return out;
}

sc_status_t
sc_sha1(const void *s, size_t len, unsigned char out[SC_SHA1_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(s, len, out, &n, EVP_sha1(), NULL) != 1 ||
	    n != SC_SHA1_LEN)
		return SC_EINTERNAL;
	return SC_OK;
}

void
sc_hex_upper(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- canonical.ini ------------------------------------------------------ */

struct parse {
	struct sc_canon *c;
	sc_status_t st;
	char why[160];
};

static int
add_domains(struct parse *p, struct sc_canon_rule *r, const char *value)
{
	const char *s = value;

	while (*s != '\0') {
		size_t n;
		char **d, *copy;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		n = strcspn(s, " \t,");
		if (n == 0)
			break;
		d = sc_realloc(r->domain, (r->ndomain + 1) * sizeof(*d));
		if (d == NULL)
			goto oom;
		r->domain = d;
		if ((copy = sc_strndup(s, n)) == NULL)
			goto oom;
		r->domain[r->ndomain++] = copy;
		s += n;
	}
	return 1;
oom:
	p->st = SC_ENOMEM;
	return 0;
}

static int
yes_no(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		return 0;
	return -1;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct sc_canon *c = p->c;
	struct sc_canon_rule *r;

	if (*section == '\0') {
		snprintf(p->why, sizeof(p->why), "'%s' outside a [provider]",
		         name);
		return 0;
	}
	if (c->n == 0 || strcmp(c->rule[c->n - 1].name, section) != 0) {
		r = sc_realloc(c->rule, (c->n + 1) * sizeof(*r));
		if (r == NULL) {
			p->st = SC_ENOMEM;
			return 0;
		}
		c->rule = r;
		r = &c->rule[c->n];
		memset(r, 0, sizeof(*r));
		if ((r->name = sc_strdup(section)) == NULL) {
			p->st = SC_ENOMEM;
			return 0;
		}
		c->n++;
	}
	r = &c->rule[c->n - 1];
	if (strcmp(name, "domains") == 0)
		return add_domains(p, r, value);
	if (strcmp(name, "canonical_domain") == 0) {
		sc_free(r->canonical_domain);
		r->canonical_domain = sc_strdup(value);
		if (r->canonical_domain == NULL)
			p->st = SC_ENOMEM;
		return r->canonical_domain != NULL;
	}
	if (strcmp(name, "ignore_dots") == 0) {
		if ((r->ignore_dots = yes_no(value)) < 0) {
			snprintf(p->why, sizeof(p->why), "ignore_dots wants yes "
			         "or no, not '%s'", value);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "subaddress") == 0) {
		if (strlen(value) >= sizeof(r->subaddress) ||
		    strchr(value, '@') != NULL) {
			snprintf(p->why, sizeof(p->why), "subaddress wants a few "
			         "separator characters, not '%s'", value);
			return 0;
		}
		strcpy(r->subaddress, value);
		return 1;
	}
	snprintf(p->why, sizeof(p->why), "unknown key '%s'", name);
	return 0;
}

sc_status_t
sc_canon_parse(const char *text, struct sc_canon *out, char *err,
               size_t errlen)
{
	struct parse p;
	size_t i;
	int line;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.c = out;
	p.st = SC_OK;
	line = ini_parse_string(text, on_key, &p);
	if (p.st == SC_OK && line == 0)
		for (i = 0; i < out->n; i++)
			if (out->rule[i].ndomain == 0) {
				snprintf(p.why, sizeof(p.why), "[%s] lists no "
				         "domains", out->rule[i].name);
				line = -2;
				break;
			}
	if (p.st != SC_OK || line != 0) {
		if (p.st == SC_OK) {
			p.st = SC_ERULES;
			if (line > 0)
				snprintf(err, errlen, "canonical.ini:%d: %s", line,
				         p.why[0] ? p.why : "syntax error");
			else
				snprintf(err, errlen, "canonical.ini: %s",
				         p.why[0] ? p.why : "cannot parse");
		}
		sc_canon_clear(out);
		return p.st;
	}
	return SC_OK;
}

sc_status_t
sc_canon_load(const char *dir, struct sc_canon *out, char *err,
              size_t errlen)
{
	char path[4096], *text;
	sc_status_t st;
	size_t n;
	FILE *fp;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/canonical.ini", dir);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return SC_OK; /* a rules set without canonical forms */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return SC_ERULES;
	}
	if ((text = sc_malloc(CANON_MAX_FILE + 1)) == NULL) {
		fclose(fp);
		return SC_ENOMEM;
	}
	n = fread(text, 1, CANON_MAX_FILE + 1, fp);
	fclose(fp);
	if (n > CANON_MAX_FILE) {
		sc_free(text);
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		return SC_ERULES;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n) != NULL) {
		/* The parser would stop there, without a word. */
		sc_free(text);
		snprintf(err, errlen, "%s: a NUL byte: not a text file", path);
		return SC_ERULES;
	}
	st = sc_canon_parse(text, out, err, errlen);
	sc_free(text);
	return st;
}

void
sc_canon_clear(struct sc_canon *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->rule[i].ndomain; j++)
			sc_free(c->rule[i].domain[j]);
		sc_free(c->rule[i].domain);
		sc_free(c->rule[i].name);
		sc_free(c->rule[i].canonical_domain);
	}
	sc_free(c->rule);
	memset(c, 0, sizeof(*c));
}

static const struct sc_canon_rule *
rule_for(const struct sc_canon *c, const char *domain)
{
	size_t i, j;

	for (i = 0; i < c->n; i++)
		for (j = 0; j < c->rule[i].ndomain; j++)
			if (strcasecmp(c->rule[i].domain[j], domain) == 0)
				return &c->rule[i];
	return NULL;
}

sc_status_t
sc_canon_apply(const struct sc_canon *c, const char *addr, char **out)
{
	const struct sc_canon_rule *r;
	const char *at = strrchr(addr, '@'), *dom;
	size_t llen, i, k = 0;
	char *res;

	*out = NULL;
	/* A quoted local part means what it says, dots and all. */
	if (at == NULL || at == addr || *addr == '"' || at[1] == '\0')
		return SC_OK;
	if ((r = rule_for(c, at + 1)) == NULL)
		return SC_OK;
	llen = (size_t)(at - addr);
	/* A tag starts at a separator, but not at the first character:
	 * "+x@gmail.com" has no base part to keep. */
	if (r->subaddress[0] != '\0') {
		size_t cut = strcspn(addr + 1, r->subaddress) + 1;

		if (cut < llen)
			llen = cut;
	}
	dom = r->canonical_domain != NULL ? r->canonical_domain : at + 1;
	if ((res = sc_malloc(llen + strlen(dom) + 2)) == NULL)
		return SC_ENOMEM;
	for (i = 0; i < llen; i++)
		if (!(r->ignore_dots && addr[i] == '.'))
			res[k++] = addr[i];
	if (k == 0) {
		sc_free(res);
		return SC_OK;
	}
	res[k++] = '@';
	strcpy(res + k, dom);
	for (i = k; res[i] != '\0'; i++)
		if (res[i] >= 'A' && res[i] <= 'Z')
			res[i] = (char)(res[i] - 'A' + 'a');
	if (strcmp(res, addr) == 0) {
		sc_free(res);
		return SC_OK;
	}
	*out = res;
	return SC_OK;
}
