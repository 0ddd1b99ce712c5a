/*
 * The records of scorer batch as scorer report and scorer diff read them.
 * Both record shapes have the same members where they overlap (a compact
 * record is the full one without the evidence and the rules' texts), so
 * one reader takes either: what a compact record leaves out comes back
 * NULL, and the callers get the rules' texts by finding id instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool_results.h"

/* A line longer than this is counted as unreadable rather than held:
 * batch writes one report a line, far below it.  One longer than
 * MAX_SKIP (/dev/zero has no end of line) ends the reading: this is not
 * the JSON Lines of scorer batch. */
#define MAX_LINE (16u << 20)
#define MAX_SKIP (4 * (size_t)MAX_LINE)

const char *const res_class_name[RES_NCLASS] = {
	"secure", "insecure", "error", "invalid"
};
const char *const res_sev_name[RES_SEV_UNKNOWN] = {
	"critical", "high", "medium", "low", "info"
};

int
result_sev(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < RES_SEV_UNKNOWN; i++)
		if (strcmp(s, res_sev_name[i]) == 0)
			return i;
	return RES_SEV_UNKNOWN;
}

uint32_t
tool_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int
tool_grow(void *pp, size_t *cap, size_t n, size_t size, size_t first)
{
	void **p = pp, *np;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : first;
	if ((np = realloc(*p, c * size)) == NULL)
		return -1;
	*p = np;
	*cap = c;
	return 0;
}

const char *
res_class_str(int cls)
{
	return cls >= 0 && cls < RES_NCLASS ? res_class_name[cls] : "none";
}

static const char *
str_member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void
result_release(struct result *r)
{
	json_decref(r->root);
	r->root = NULL;
	r->nf = 0;
}

void
result_free(struct result *r)
{
	result_release(r);
	free(r->f);
	r->f = NULL;
	r->capf = 0;
}

static int
add_finding(struct result *r, json_t *o)
{
	struct res_finding *f;
	const char *id = str_member(o, "id");
	size_t i;

	if (id == NULL)
		return 0;
	if (tool_grow(&r->f, &r->capf, r->nf, sizeof(*f), 16) != 0)
		return -1;
	f = &r->f[r->nf];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = str_member(o, "severity");
	f->sev = result_sev(f->severity);
	f->detail = str_member(o, "detail");
	f->category = str_member(o, "category");
	f->title = str_member(o, "title");
	f->fix = str_member(o, "fix");
	f->unverified = json_is_true(json_object_get(o, "unverified"));
	for (i = 0; i < r->nf && !f->dup; i++)
		f->dup = strcmp(r->f[i].id, id) == 0;
	r->nf++;
	return 0;
}

int
result_parse(struct result *r, const char *buf, size_t len,
             unsigned long lineno)
{
	json_t *o = json_loadb(buf, len, 0, NULL), *v, *f;
	const char *verdict;
	size_t i;

	r->root = NULL;
	r->nf = 0;
	if (!json_is_object(o) ||
	    (verdict = str_member(o, "verdict")) == NULL) {
		json_decref(o);
		return 0;
	}
	for (r->verdict = 0; r->verdict < RES_INVALID; r->verdict++)
		if (strcmp(verdict, res_class_name[r->verdict]) == 0)
			break;
	if (r->verdict == RES_INVALID) {
		json_decref(o);
		return 0;
	}
	r->root = o;
	v = json_object_get(o, "line");
	r->line = json_is_integer(v) && json_integer_value(v) > 0
	          ? (unsigned long)json_integer_value(v) : lineno;
	v = json_object_get(o, "score");
	r->score = json_is_integer(v) && json_integer_value(v) >= 0 &&
	           json_integer_value(v) <= 100 ? (int)json_integer_value(v)
	                                        : -1;
	r->address = str_member(o, "address");
	r->domain = str_member(o, "domain");
	if (r->domain != NULL && r->domain[0] == '\0')
		r->domain = NULL;
	r->grade = str_member(o, "grade");
	r->error = str_member(o, "error");
	r->checked = str_member(o, "checked");
	r->threat_model = str_member(o, "threat_model");
	v = json_object_get(o, "key");
	r->key = json_is_object(v) && json_object_size(v) > 0 ? v : NULL;
	v = json_object_get(o, "skipped");
	r->skipped = json_is_array(v) ? v : NULL;
	json_array_foreach(json_object_get(o, "findings"), i, f)
		if (json_is_object(f) && add_finding(r, f) != 0) {
			result_release(r);
			return -1;
		}
	r->cls = r->verdict;
	/* A bad input line has no address; an invalid one says so. */
	if (r->verdict == RES_ERROR && r->address == NULL)
		r->cls = RES_INVALID;
	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].id, "address.invalid") == 0)
			r->cls = RES_INVALID;
	return 1;
}

char *
result_user(const struct result *r)
{
	char *text, *out;
	size_t n;

	if (r->key != NULL) {
		text = json_dumps(r->key, JSON_COMPACT | JSON_SORT_KEYS);
		if (text == NULL)
			return NULL;
		n = strlen(text);
		if ((out = malloc(n + 2)) != NULL) {
			out[0] = 'k';
			memcpy(out + 1, text, n + 1);
		}
		free(text);
		return out;
	}
	if (r->address == NULL)
		return NULL;
	n = strlen(r->address);
	if ((out = malloc(n + 2)) != NULL) {
		out[0] = 'a';
		memcpy(out + 1, r->address, n + 1);
	}
	return out;
}

static int
blank(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	                   s[len - 1] == '\r'))
		len--;
	return len == 0;
}

int
res_next_line(struct res_reader *rd, const char **line, size_t *len,
              int *toolong)
{
	size_t skipped;
	int c;

	if (rd->buf == NULL) {
		if ((rd->buf = malloc(4096)) == NULL)
			return 0;
		rd->cap = 4096;
	}
	for (;;) {
		*len = 0;
		*toolong = 0;
		skipped = 0;
		while ((c = getc_unlocked(rd->fp)) != EOF && c != '\n') {
			if (*len + 1 >= rd->cap) {
				char *nb;

				if (rd->cap >= MAX_LINE) {
					*toolong = 1;
					if (++skipped > MAX_SKIP) {
						rd->lineno++;
						return -1;
					}
					continue;
				}
				if ((nb = realloc(rd->buf, rd->cap * 2)) == NULL) {
					*toolong = 1; /* no room: unreadable */
					continue;
				}
				rd->buf = nb;
				rd->cap *= 2;
			}
			rd->buf[(*len)++] = (char)c;
		}
		if (c == EOF && *len == 0 && !*toolong)
			return 0;
		rd->lineno++;
		rd->buf[*len] = '\0';
		/* A UTF-8 byte-order mark, once, at the start of the input. */
		if (rd->lineno == 1 && *len >= 3 &&
		    memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0) {
			*len -= 3;
			memmove(rd->buf, rd->buf + 3, *len + 1);
		}
		/* Blank lines carry nothing, and hurt nobody. */
		if (*toolong || !blank(rd->buf, *len))
			break;
	}
	*line = rd->buf;
	return 1;
}

void
res_reader_free(struct res_reader *rd)
{
	free(rd->buf);
	rd->buf = NULL;
}

int
res_foreach(FILE *fp, const char *who,
            int (*record)(void *ctx, const struct result *r),
            void (*bad)(void *ctx, unsigned long lineno), void *ctx,
            unsigned long *lines)
{
	struct res_reader rd = { fp, NULL, 0, 0 };
	struct result r;
	const char *line;
	size_t len;
	int toolong, rc = 0, p, more;

	memset(&r, 0, sizeof(r));
	while (rc == 0 &&
	       (more = res_next_line(&rd, &line, &len, &toolong)) > 0) {
		if (lines != NULL)
			(*lines)++;
		if (toolong || (p = result_parse(&r, line, len, rd.lineno)) == 0) {
			bad(ctx, rd.lineno);
			continue;
		}
		rc = p < 0 ? -1 : record(ctx, &r);
		result_release(&r);
	}
	result_free(&r);
	res_reader_free(&rd);
	if (rc != 0)
		fprintf(stderr, "%s: out of memory\n", who);
	else if (more < 0)
		fprintf(stderr, "%s: line %lu is longer than %zu MiB: not the "
		        "JSON Lines of scorer batch\n", who, rd.lineno,
		        MAX_SKIP >> 20);
	else if (ferror(fp))
		fprintf(stderr, "%s: %s\n", who, strerror(errno));
	else
		return 0;
	return -1;
}
