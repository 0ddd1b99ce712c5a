/*
 * Two runs compared (scorer diff, scorer report --baseline).  The old run
 * is read into memory in a compact form, about 100 bytes a user: the
 * user (key or address), the domain, the verdict and grade, the ids of
 * the verified findings and when it was checked.  The new run is then
 * streamed: each record is matched with the old record of the same user
 * (by the user's key, else the address), and the change is handed back
 * at once; the domains' changes are known at the end.
 *
 * What counts: a verified finding the old record did not have, a verdict
 * that fell (secure to insecure) or a grade that fell is worse; the
 * opposite is better; a record that could not be assessed this time is
 * neither: its last known verdict stands, with the time it was checked
 * ("stale since").  A finding that says "could not verify" is not a
 * weakness, so it is never a new finding, and one that goes is nothing
 * better either.
 */
#include <stdlib.h>
#include <string.h>

#include "tool_diff.h"

const char *const diff_kind_name[DIFF_NKIND] = {
	"same", "worse", "better", "unassessed", "still_unassessed", "added",
	"removed"
};

static const char *const grades[] = { "A+", "A", "B", "C", "D", "F" };
#define NO_GRADE 6
#define MAX_IDS 4096      /* distinct finding ids; more are ignored */

/* ---- memory: an arena for what the old run leaves ------------------------ */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

static void *
arena_alloc(struct chunk **a, size_t n)
{
	struct chunk *c = *a;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > (1u << 20) ? n : (1u << 20);

		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->next = *a;
		c->used = 0;
		c->size = size;
		*a = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static char *
arena_str(struct chunk **a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* ---- string -> index maps -------------------------------------------------- */

struct map {
	uint32_t *slot;       /* index + 1; 0 is empty */
	size_t nslot, n;
};

static int
map_grow(struct map *m, const char *(*name)(void *, uint32_t), void *ctx)
{
	size_t nslot = m->nslot ? m->nslot * 2 : 1024, i, j;
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (i = 0; i < m->nslot; i++) {
		if (m->slot[i] == 0)
			continue;
		j = tool_hash(name(ctx, m->slot[i] - 1)) & (nslot - 1);
		while (slot[j] != 0)
			j = (j + 1) & (nslot - 1);
		slot[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

/* The slot of s, or the empty one where it goes. */
static uint32_t *
map_find(struct map *m, const char *s,
         const char *(*name)(void *, uint32_t), void *ctx)
{
	size_t j = tool_hash(s) & (m->nslot - 1);

	while (m->slot[j] != 0 && strcmp(name(ctx, m->slot[j] - 1), s) != 0)
		j = (j + 1) & (m->nslot - 1);
	return &m->slot[j];
}

/* ---- the state ------------------------------------------------------------- */

struct old_user {
	const char *user;     /* arena */
	uint32_t domain;      /* index + 1; 0: none */
	const char *checked;  /* interned */
	uint16_t *ids;        /* verified finding ids, ascending */
	uint16_t nids;
	uint8_t cls, grade, matched;
};

struct pair {
	uint16_t id;
	unsigned long users;
};

struct side {
	unsigned long users, cls[RES_NCLASS];
	const char *checked;  /* the latest record's */
	struct pair *f;
	size_t nf, capf;
};

struct dom {
	const char *name;
	struct side side[2];  /* 0 old, 1 new */
};

struct diff {
	struct chunk *arena;
	/* finding ids */
	char *id[MAX_IDS];
	int idsev[MAX_IDS];
	size_t nid;
	struct map idmap;
	/* times ("checked"), interned */
	struct map timemap;
	char **time;
	size_t ntime, captime;
	const char *fallback;
	/* old users */
	struct old_user *user;
	size_t nuser, capuser;
	struct map usermap;
	/* domains */
	struct dom *dom;
	size_t ndom, capdom;
	struct map dommap;
	struct diff_domain *change;
	size_t nchange;
	size_t *removed;      /* indices of unmatched old users */
	size_t nremoved;
	struct diff_counts counts;
};

static const char *
id_name(void *ctx, uint32_t i)
{
	return ((struct diff *)ctx)->id[i];
}

static const char *
time_name(void *ctx, uint32_t i)
{
	return ((struct diff *)ctx)->time[i];
}

static const char *
user_name(void *ctx, uint32_t i)
{
	return ((struct diff *)ctx)->user[i].user;
}

static const char *
dom_name(void *ctx, uint32_t i)
{
	return ((struct diff *)ctx)->dom[i].name;
}

/* Find s in m, or add it with add(); the index, or -1 (out of memory or
 * full). */
static long
map_get(struct diff *d, struct map *m, const char *s,
        const char *(*name)(void *, uint32_t),
        long (*add)(struct diff *, const char *), int create)
{
	uint32_t *slot;
	long i;

	if ((m->nslot == 0 || 2 * (m->n + 1) > m->nslot) &&
	    map_grow(m, name, d) != 0)
		return -1;
	slot = map_find(m, s, name, d);
	if (*slot != 0)
		return (long)*slot - 1;
	if (!create || (i = add(d, s)) < 0)
		return -1;
	*slot = (uint32_t)i + 1;
	m->n++;
	return i;
}

static long
add_id(struct diff *d, const char *s)
{
	if (d->nid == MAX_IDS || (d->id[d->nid] = arena_str(&d->arena, s)) == NULL)
		return -1;
	d->idsev[d->nid] = RES_SEV_UNKNOWN;
	return (long)d->nid++;
}

static long
add_time(struct diff *d, const char *s)
{
	if (tool_grow(&d->time, &d->captime, d->ntime, sizeof(*d->time),
	              64) != 0)
		return -1;
	if ((d->time[d->ntime] = arena_str(&d->arena, s)) == NULL)
		return -1;
	return (long)d->ntime++;
}

static long
add_dom(struct diff *d, const char *s)
{
	if (tool_grow(&d->dom, &d->capdom, d->ndom, sizeof(*d->dom), 1024))
		return -1;
	memset(&d->dom[d->ndom], 0, sizeof(d->dom[0]));
	if ((d->dom[d->ndom].name = arena_str(&d->arena, s)) == NULL)
		return -1;
	return (long)d->ndom++;
}

struct diff *
diff_new(void)
{
	return calloc(1, sizeof(struct diff));
}

void
diff_free(struct diff *d)
{
	struct chunk *c, *next;
	size_t i;

	if (d == NULL)
		return;
	for (c = d->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	for (i = 0; i < d->ndom; i++) {
		free(d->dom[i].side[0].f);
		free(d->dom[i].side[1].f);
	}
	free(d->idmap.slot);
	free(d->timemap.slot);
	free(d->usermap.slot);
	free(d->dommap.slot);
	free(d->time);
	free(d->user);
	free(d->dom);
	free(d->change);
	free(d->removed);
	free(d);
}

const char *
diff_id(const struct diff *d, uint16_t i)
{
	return i < d->nid ? d->id[i] : "?";
}

int
diff_id_sev(const struct diff *d, uint16_t i)
{
	return i < d->nid ? d->idsev[i] : RES_SEV_UNKNOWN;
}

const struct diff_counts *
diff_counts(const struct diff *d)
{
	return &d->counts;
}

static int
grade_index(const char *g)
{
	int i;

	for (i = 0; g != NULL && i < NO_GRADE; i++)
		if (strcmp(g, grades[i]) == 0)
			return i;
	return NO_GRADE;
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

/* The verified finding ids of a record, each once, ascending, into ids
 * (room for max).  -1: out of memory. */
static long
record_ids(struct diff *d, const struct result *r, uint16_t *ids, size_t max)
{
	size_t i, n = 0;
	long k;

	for (i = 0; i < r->nf && n < max; i++) {
		const struct res_finding *f = &r->f[i];

		if (f->dup || f->unverified)
			continue;
		k = map_get(d, &d->idmap, f->id, id_name, add_id, 1);
		if (k < 0) {
			if (d->nid < MAX_IDS)
				return -1;
			continue; /* past the bound: not compared */
		}
		if (d->idsev[k] == RES_SEV_UNKNOWN)
			d->idsev[k] = f->sev;
		ids[n++] = (uint16_t)k;
	}
	qsort(ids, n, sizeof(ids[0]), cmp_u16);
	return (long)n;
}

static const char *
intern_time(struct diff *d, const char *t)
{
	long i;

	if (t == NULL)
		return d->fallback;
	i = map_get(d, &d->timemap, t, time_name, add_time, 1);
	return i < 0 ? d->fallback : d->time[i];
}

/* Count a record at its domain, on one side.  -1 out of memory. */
static int
count_domain(struct diff *d, const struct result *r, int side,
             const uint16_t *ids, size_t nids, const char *checked)
{
	struct side *s;
	size_t i, j;
	long k;

	if (r->domain == NULL)
		return 0;
	if ((k = map_get(d, &d->dommap, r->domain, dom_name, add_dom, 1)) < 0)
		return -1;
	s = &d->dom[k].side[side];
	s->users++;
	s->cls[r->cls]++;
	if (checked != NULL && (s->checked == NULL ||
	                        strcmp(checked, s->checked) > 0))
		s->checked = checked;
	for (i = 0; i < nids; i++) {
		for (j = 0; j < s->nf && s->f[j].id != ids[i]; j++)
			;
		if (j == s->nf) {
			if (tool_grow(&s->f, &s->capf, s->nf, sizeof(*s->f), 4))
				return -1;
			s->f[s->nf].id = ids[i];
			s->f[s->nf++].users = 0;
		}
		s->f[j].users++;
	}
	return 0;
}

static long
add_user(struct diff *d, const char *s)
{
	if (tool_grow(&d->user, &d->capuser, d->nuser, sizeof(*d->user),
	              4096) != 0)
		return -1;
	memset(&d->user[d->nuser], 0, sizeof(d->user[0]));
	if ((d->user[d->nuser].user = arena_str(&d->arena, s)) == NULL)
		return -1;
	return (long)d->nuser++;
}

static int
load_record(struct diff *d, const struct result *r)
{
	uint16_t ids[256];
	struct old_user *u;
	char *name = result_user(r);
	const char *checked = intern_time(d, r->checked);
	long n, k;
	size_t before = d->nuser;

	d->counts.old_users++;
	if ((n = record_ids(d, r, ids, 256)) < 0 ||
	    count_domain(d, r, 0, ids, (size_t)n, checked) != 0)
		goto nomem;
	if (name == NULL)
		return 0; /* a bad line: nobody to match it with */
	k = map_get(d, &d->usermap, name, user_name, add_user, 1);
	free(name);
	if (k < 0)
		return -1;
	if (d->nuser == before) {
		d->counts.old_dups++; /* the first record of a user counts */
		return 0;
	}
	u = &d->user[k];
	u->domain = 0;
	if (r->domain != NULL) {
		long dk = map_get(d, &d->dommap, r->domain, dom_name, add_dom, 0);

		u->domain = dk < 0 ? 0 : (uint32_t)dk + 1;
	}
	u->checked = checked;
	u->cls = (uint8_t)r->cls;
	u->grade = (uint8_t)grade_index(r->grade);
	u->nids = (uint16_t)n;
	if (n > 0) {
		if ((u->ids = arena_alloc(&d->arena, (size_t)n * 2)) == NULL)
			return -1;
		memcpy(u->ids, ids, (size_t)n * 2);
	}
	return 0;
nomem:
	free(name);
	return -1;
}

static int
old_record(void *ctx, const struct result *r)
{
	return load_record(ctx, r);
}

static void
old_bad(void *ctx, unsigned long lineno)
{
	(void)lineno;
	((struct diff *)ctx)->counts.old_bad++;
}

int
diff_load_old(struct diff *d, FILE *fp, const char *who,
              const char *fallback_time)
{
	if ((d->fallback = arena_str(&d->arena, fallback_time)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", who);
		return -1;
	}
	return res_foreach(fp, who, old_record, old_bad, d, NULL);
}

/* added = b - a, gone = a - b, for ascending id lists. */
static void
set_diff(const uint16_t *a, size_t na, const uint16_t *b, size_t nb,
         struct diff_user *u)
{
	size_t i = 0, j = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i] < b[j])) {
			if (u->ngone < 64)
				u->gone[u->ngone++] = a[i];
			i++;
		} else if (i == na || b[j] < a[i]) {
			if (u->nadded < 64)
				u->added[u->nadded++] = b[j];
			j++;
		} else {
			i++;
			j++;
		}
	}
}

/* Classes compared: secure above insecure; error and invalid are not
 * assessments, so they neither rise nor fall. */
static int
assessed(int cls)
{
	return cls == RES_SECURE || cls == RES_INSECURE;
}

int
diff_add_new(struct diff *d, const struct result *r, struct diff_user *u)
{
	uint16_t ids[256];
	struct old_user *o = NULL;
	char *name;
	long n, k;
	int worse = 0, better = 0, g;

	memset(u, 0, sizeof(*u));
	u->old_cls = -1;
	u->new_cls = r->cls;
	g = grade_index(r->grade);
	u->new_grade = g < NO_GRADE ? grades[g] : NULL;
	d->counts.new_users++;
	if ((n = record_ids(d, r, ids, 256)) < 0 ||
	    count_domain(d, r, 1, ids, (size_t)n, intern_time(d, r->checked)))
		return -1;
	if ((name = result_user(r)) != NULL) {
		k = d->nuser ? map_get(d, &d->usermap, name, user_name, NULL, 0)
		             : -1;
		free(name);
		if (k >= 0)
			o = &d->user[k];
	}
	if (o == NULL) {
		u->kind = DIFF_ADDED;
		d->counts.user[u->kind]++;
		return 0;
	}
	if (!o->matched)
		d->counts.matched++;
	o->matched = 1;
	u->old_cls = o->cls;
	u->old_grade = o->grade < NO_GRADE ? grades[o->grade] : NULL;
	u->old_domain = o->domain ? d->dom[o->domain - 1].name : NULL;
	u->stale_since = o->checked;
	if (!assessed(r->cls)) {
		u->kind = assessed(o->cls) ? DIFF_UNASSESSED
		        : DIFF_STILL_UNASSESSED;
		d->counts.user[u->kind]++;
		return 0;
	}
	set_diff(o->ids, o->nids, ids, (size_t)n, u);
	if (u->nadded > 0 ||
	    (o->cls == RES_SECURE && r->cls == RES_INSECURE) ||
	    (o->grade < NO_GRADE && u->new_grade != NULL &&
	     grade_index(u->new_grade) > o->grade))
		worse = 1;
	if (u->ngone > 0 || (o->cls != RES_SECURE && r->cls == RES_SECURE) ||
	    (o->grade < NO_GRADE && u->new_grade != NULL &&
	     grade_index(u->new_grade) < o->grade))
		better = 1;
	u->kind = worse ? DIFF_WORSE : better ? DIFF_BETTER : DIFF_SAME;
	d->counts.user[u->kind]++;
	return 0;
}

void
diff_add_new_bad(struct diff *d)
{
	d->counts.new_bad++;
}

/* A domain's verdict on one side: insecure when one of its users is,
 * else secure when one is, else error (nobody assessed); -1: none. */
static int
side_cls(const struct side *s)
{
	if (s->users == 0)
		return -1;
	if (s->cls[RES_INSECURE] > 0)
		return RES_INSECURE;
	if (s->cls[RES_SECURE] > 0)
		return RES_SECURE;
	return RES_ERROR;
}

static unsigned long
side_users(const struct side *s, uint16_t id)
{
	size_t i;

	for (i = 0; i < s->nf; i++)
		if (s->f[i].id == id)
			return s->f[i].users;
	return 0;
}

static void
domain_change(const struct dom *m, struct diff_domain *c)
{
	const struct side *o = &m->side[0], *n = &m->side[1];
	size_t i;
	int worse, better;

	memset(c, 0, sizeof(*c));
	c->name = m->name;
	c->old_cls = side_cls(o);
	c->new_cls = side_cls(n);
	c->old_users = o->users;
	c->new_users = n->users;
	c->old_insecure = o->cls[RES_INSECURE];
	c->new_insecure = n->cls[RES_INSECURE];
	c->stale_since = o->checked;
	if (c->old_cls < 0) {
		c->kind = DIFF_ADDED;
		return;
	}
	if (c->new_cls < 0) {
		c->kind = DIFF_REMOVED;
		return;
	}
	if (!assessed(c->new_cls)) {
		c->kind = assessed(c->old_cls) ? DIFF_UNASSESSED
		        : DIFF_STILL_UNASSESSED;
		return;
	}
	for (i = 0; i < n->nf; i++)
		if (side_users(o, n->f[i].id) == 0 && c->nadded < 32) {
			c->added_users[c->nadded] = n->f[i].users;
			c->added[c->nadded++] = n->f[i].id;
		}
	/* A finding is gone from the domain only when its users were
	 * assessed this time; without any, nothing is known of it. */
	for (i = 0; i < o->nf; i++)
		if (side_users(n, o->f[i].id) == 0 && c->ngone < 32) {
			c->gone_users[c->ngone] = o->f[i].users;
			c->gone[c->ngone++] = o->f[i].id;
		}
	worse = c->nadded > 0 ||
	        (c->old_cls == RES_SECURE && c->new_cls == RES_INSECURE);
	better = c->ngone > 0 ||
	         (c->old_cls != RES_SECURE && c->new_cls == RES_SECURE);
	c->kind = worse ? DIFF_WORSE : better ? DIFF_BETTER : DIFF_SAME;
}

/* Worse first, then could not be assessed, then better; most users
 * first; then by name. */
static int
cmp_change(const void *a, const void *b)
{
	static const int rank[DIFF_NKIND] = { 6, 0, 2, 1, 3, 4, 5 };
	const struct diff_domain *x = a, *y = b;
	unsigned long ux = x->new_users > x->old_users ? x->new_users
	                                               : x->old_users;
	unsigned long uy = y->new_users > y->old_users ? y->new_users
	                                               : y->old_users;

	if (rank[x->kind] != rank[y->kind])
		return rank[x->kind] - rank[y->kind];
	if (ux != uy)
		return ux > uy ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
diff_finish(struct diff *d)
{
	size_t i;

	free(d->change);
	d->nchange = 0;
	if (d->ndom > 0 &&
	    (d->change = calloc(d->ndom, sizeof(*d->change))) == NULL)
		return -1;
	for (i = 0; i < d->ndom; i++) {
		domain_change(&d->dom[i], &d->change[d->nchange]);
		d->counts.domain[d->change[d->nchange].kind]++;
		d->nchange++;
	}
	qsort(d->change, d->nchange, sizeof(*d->change), cmp_change);
	free(d->removed);
	d->nremoved = 0;
	if (d->nuser > 0 &&
	    (d->removed = malloc(d->nuser * sizeof(*d->removed))) == NULL)
		return -1;
	for (i = 0; i < d->nuser; i++)
		if (!d->user[i].matched)
			d->removed[d->nremoved++] = i;
	d->counts.user[DIFF_REMOVED] = d->nremoved;
	return 0;
}

size_t
diff_domain_count(const struct diff *d)
{
	return d->nchange;
}

const struct diff_domain *
diff_domain_get(const struct diff *d, size_t i)
{
	return i < d->nchange ? &d->change[i] : NULL;
}

const char *
diff_removed(const struct diff *d, size_t i, const char **domain)
{
	const struct old_user *u;

	if (i >= d->nremoved)
		return NULL;
	u = &d->user[d->removed[i]];
	if (domain != NULL)
		*domain = u->domain ? d->dom[u->domain - 1].name : NULL;
	return u->user;
}

char *
diff_user_text(const struct diff *d, const struct result *r,
               const struct diff_user *u)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	int n = 0;

	if (fp == NULL)
		return NULL;
	if (u->kind == DIFF_UNASSESSED) {
		fprintf(fp, "could not be assessed; last known %s",
		        res_class_str(u->old_cls));
		if (u->old_grade != NULL)
			fprintf(fp, " (%s)", u->old_grade);
		fprintf(fp, ", stale since %s; missing: ",
		        u->stale_since ? u->stale_since : "?");
		for (i = 0; i < r->nf; i++)
			if (r->f[i].unverified && !r->f[i].dup)
				fprintf(fp, "%s%s", n++ ? ", " : "", r->f[i].id);
		if (n == 0)
			fputs(r->error ? r->error : "?", fp);
	} else {
		fputs(res_class_str(u->old_cls), fp);
		if (u->old_cls != u->new_cls)
			fprintf(fp, " -> %s", res_class_str(u->new_cls));
		if (u->old_grade && u->new_grade &&
		    strcmp(u->old_grade, u->new_grade) != 0)
			fprintf(fp, ", grade %s -> %s", u->old_grade, u->new_grade);
		for (i = 0; i < u->nadded + u->ngone; i++) {
			int gone = i >= u->nadded;
			uint16_t id = gone ? u->gone[i - u->nadded] : u->added[i];
			int sev = diff_id_sev(d, id);

			if (i == 0 || i == u->nadded)
				fputs(gone ? "; gone: " : "; new: ", fp);
			else
				fputs(", ", fp);
			fputs(diff_id(d, id), fp);
			if (sev < RES_SEV_UNKNOWN)
				fprintf(fp, " (%s)", res_sev_name[sev]);
		}
	}
	return fclose(fp) == 0 ? buf : (free(buf), NULL);
}
