/*
 * scorer diff OLD.jsonl NEW.jsonl: what changed between two runs of
 * scorer batch, per user and per domain: what got worse (a new finding,
 * a verdict or grade that fell), what got better, and what could not be
 * assessed this time (its last known verdict kept, "stale since").
 * Exit status 1 when anything got worse, so a weekly job can alert.
 *
 *   --format jsonl   one change a line, streamed in the new run's order,
 *                    then the domains, the removed users and a summary
 *   --format text    (default) for people: the summary, the domains, and
 *                    the first --max-users users of each kind
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"
#include "tool_diff.h"
#include "tool_json.h"

struct lines {
	char **s;
	size_t n, cap;
	unsigned long more;   /* past the bound: counted only */
};

struct dopts {
	int jsonl;
	size_t max_users, max_domains;
	const char *output;
};

struct dstate {
	struct diff *d;
	const struct dopts *o;
	FILE *out;
	struct lines user[DIFF_NKIND];
	int oom;
};

static void
usage(FILE *fp)
{
	fputs("usage: scorer diff [OPTIONS] OLD.jsonl NEW.jsonl\n"
	      "\n"
	      "What changed between two runs of scorer batch, per user (matched "
	      "by the key\nof a CSV input, else by the address) and per "
	      "domain: what got worse, what\ngot better, what could not be "
	      "assessed this time (its last known verdict\nkept, stale since "
	      "it was checked).  One of the files may be - (standard\ninput).\n"
	      "\n"
	      "      --format text|jsonl  text for people (default), or one "
	      "change a line\n"
	      "  -o, --output FILE|-      where to write it (default: standard "
	      "output)\n"
	      "      --max-users N        text: users listed per kind of change "
	      "(50)\n"
	      "      --max-domains N      text: domains listed per kind of "
	      "change (50)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status: 0 nothing got worse, 1 a user or a domain got "
	      "worse, 2 an error.\n", fp);
}

static const char *
cls_name(int cls)
{
	return cls >= 0 && cls < RES_NCLASS ? res_class_name[cls] : "none";
}

/* ---- JSON Lines ------------------------------------------------------------ */

static const char *
detail_of(const struct result *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].id, id) == 0)
			return r->f[i].detail;
	return NULL;
}

static void
json_who(FILE *fp, const struct result *r)
{
	fprintf(fp, ",\"line\":%lu", r->line);
	if (r->key != NULL) {
		char *k = json_dumps(r->key, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (k != NULL)
			fprintf(fp, ",\"key\":%s", k);
		free(k);
	}
	fputs(",\"address\":", fp);
	tool_json_str(fp, r->address);
	fputs(",\"domain\":", fp);
	tool_json_str(fp, r->domain);
}

static void
json_pair(FILE *fp, const char *name, const char *old, const char *new)
{
	fprintf(fp, ",\"%s\":{\"old\":", name);
	tool_json_str(fp, old);
	fputs(",\"new\":", fp);
	tool_json_str(fp, new);
	putc('}', fp);
}

/* The findings a record's unverified ones name: what was missing. */
static void
json_missing(FILE *fp, const struct result *r)
{
	size_t i;
	int n = 0;

	fputs(",\"missing\":[", fp);
	for (i = 0; i < r->nf; i++)
		if ((r->f[i].unverified || r->cls == RES_INVALID) && !r->f[i].dup) {
			fputs(n++ ? "," : "", fp);
			tool_json_str(fp, r->f[i].id);
		}
	putc(']', fp);
	if (r->error != NULL) {
		fputs(",\"error\":", fp);
		tool_json_str(fp, r->error);
	}
}

static void
json_user(struct dstate *st, const struct result *r,
          const struct diff_user *u)
{
	FILE *fp = st->out;
	size_t i;

	fprintf(fp, "{\"type\":\"user\",\"change\":\"%s\"",
	        diff_kind_name[u->kind]);
	json_who(fp, r);
	switch (u->kind) {
	case DIFF_ADDED:
		fprintf(fp, ",\"verdict\":\"%s\"", cls_name(r->cls));
		break;
	case DIFF_UNASSESSED:
	case DIFF_STILL_UNASSESSED:
		fprintf(fp, ",\"last_verdict\":\"%s\",\"last_grade\":",
		        cls_name(u->old_cls));
		tool_json_str(fp, u->old_grade);
		fputs(",\"stale_since\":", fp);
		tool_json_str(fp, u->stale_since);
		json_missing(fp, r);
		break;
	default:
		json_pair(fp, "verdict", cls_name(u->old_cls),
		          cls_name(u->new_cls));
		json_pair(fp, "grade", u->old_grade, u->new_grade);
		fputs(",\"new_findings\":[", fp);
		for (i = 0; i < u->nadded; i++) {
			const char *id = diff_id(st->d, u->added[i]);
			int sev = diff_id_sev(st->d, u->added[i]);

			fputs(i ? ",{\"id\":" : "{\"id\":", fp);
			tool_json_str(fp, id);
			fputs(",\"severity\":", fp);
			tool_json_str(fp, sev < RES_SEV_UNKNOWN ? res_sev_name[sev]
			                                        : NULL);
			fputs(",\"detail\":", fp);
			tool_json_str(fp, detail_of(r, id));
			putc('}', fp);
		}
		fputs("],\"gone_findings\":[", fp);
		for (i = 0; i < u->ngone; i++) {
			fputs(i ? "," : "", fp);
			tool_json_str(fp, diff_id(st->d, u->gone[i]));
		}
		putc(']', fp);
		break;
	}
	fputs("}\n", fp);
}

static void
json_ulpair(FILE *fp, const char *name, unsigned long old, unsigned long new)
{
	fprintf(fp, ",\"%s\":{\"old\":%lu,\"new\":%lu}", name, old, new);
}

static void
json_domain(struct dstate *st, const struct diff_domain *c)
{
	FILE *fp = st->out;
	size_t i;

	fprintf(fp, "{\"type\":\"domain\",\"change\":\"%s\",\"domain\":",
	        diff_kind_name[c->kind]);
	tool_json_str(fp, c->name);
	json_ulpair(fp, "users", c->old_users, c->new_users);
	json_ulpair(fp, "insecure", c->old_insecure, c->new_insecure);
	json_pair(fp, "verdict", cls_name(c->old_cls), cls_name(c->new_cls));
	if (c->kind == DIFF_UNASSESSED || c->kind == DIFF_STILL_UNASSESSED) {
		fprintf(fp, ",\"last_verdict\":\"%s\",\"stale_since\":",
		        cls_name(c->old_cls));
		tool_json_str(fp, c->stale_since);
	}
	fputs(",\"new_findings\":[", fp);
	for (i = 0; i < c->nadded; i++) {
		int sev = diff_id_sev(st->d, c->added[i]);

		fputs(i ? ",{\"id\":" : "{\"id\":", fp);
		tool_json_str(fp, diff_id(st->d, c->added[i]));
		fputs(",\"severity\":", fp);
		tool_json_str(fp, sev < RES_SEV_UNKNOWN ? res_sev_name[sev] : NULL);
		fprintf(fp, ",\"users\":%lu}", c->added_users[i]);
	}
	fputs("],\"gone_findings\":[", fp);
	for (i = 0; i < c->ngone; i++) {
		fputs(i ? ",{\"id\":" : "{\"id\":", fp);
		tool_json_str(fp, diff_id(st->d, c->gone[i]));
		fprintf(fp, ",\"users\":%lu}", c->gone_users[i]);
	}
	fputs("]}\n", fp);
}

/* A removed user: 'k' + the key's JSON, or 'a' + the address. */
static void
json_removed(FILE *fp, const char *user, const char *domain)
{
	fputs("{\"type\":\"user\",\"change\":\"removed\"", fp);
	if (user[0] == 'k') {
		fprintf(fp, ",\"key\":%s", user + 1);
	} else {
		fputs(",\"address\":", fp);
		tool_json_str(fp, user + 1);
	}
	fputs(",\"domain\":", fp);
	tool_json_str(fp, domain);
	fputs("}\n", fp);
}

static void
json_kinds(FILE *fp, const char *name, const unsigned long *n)
{
	int k;

	fprintf(fp, ",\"%s\":{", name);
	for (k = 0; k < DIFF_NKIND; k++)
		fprintf(fp, "%s\"%s\":%lu", k ? "," : "", diff_kind_name[k], n[k]);
	putc('}', fp);
}

static void
json_summary(FILE *fp, const struct diff_counts *c, const char *old,
             const char *new)
{
	fputs("{\"type\":\"summary\",\"old\":", fp);
	tool_json_str(fp, old);
	fputs(",\"new\":", fp);
	tool_json_str(fp, new);
	fprintf(fp, ",\"records\":{\"old\":%lu,\"new\":%lu,\"matched\":%lu},"
	        "\"unreadable\":{\"old\":%lu,\"new\":%lu}", c->old_users,
	        c->new_users, c->matched, c->old_bad, c->new_bad);
	json_kinds(fp, "users", c->user);
	json_kinds(fp, "domains", c->domain);
	fputs("}\n", fp);
}

/* ---- text -------------------------------------------------------------------- */

static void
lines_add(struct dstate *st, struct lines *l, char *s)
{
	if (s == NULL) {
		st->oom = 1;
		return;
	}
	if (l->n == st->o->max_users) {
		l->more++;
		free(s);
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **n = realloc(l->s, cap * sizeof(*n));

		if (n == NULL) {
			st->oom = 1;
			free(s);
			return;
		}
		l->s = n;
		l->cap = cap;
	}
	l->s[l->n++] = s;
}

/* Printable text of a record on one line of a terminal: control
 * characters (an escape sequence in a hostile address) as '?'. */
static void
text_put(FILE *fp, const char *s)
{
	for (; s != NULL && *s; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s, fp);
}

static void
text_ids(FILE *fp, const struct diff *d, const char *label,
         const uint16_t *ids, size_t n, const unsigned long *users)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int sev = diff_id_sev(d, ids[i]);

		fprintf(fp, "%s", i ? ", " : label);
		text_put(fp, diff_id(d, ids[i]));
		if (sev < RES_SEV_UNKNOWN || users != NULL) {
			fputs(" (", fp);
			if (sev < RES_SEV_UNKNOWN)
				fprintf(fp, "%s%s", res_sev_name[sev],
				        users ? ", " : "");
			if (users != NULL)
				fprintf(fp, "%lu user%s", users[i],
				        users[i] == 1 ? "" : "s");
			putc(')', fp);
		}
	}
}

static char *
text_user(struct dstate *st, const struct result *r,
          const struct diff_user *u)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	int n = 0;

	if (fp == NULL)
		return NULL;
	fprintf(fp, "  line %lu  ", r->line);
	if (r->key != NULL) {
		char *k = json_dumps(r->key, JSON_COMPACT | JSON_PRESERVE_ORDER);

		text_put(fp, k);
		putc(' ', fp);
		free(k);
	}
	text_put(fp, r->address);
	fputs(": ", fp);
	if (u->kind == DIFF_UNASSESSED) {
		fprintf(fp, "last known %s", cls_name(u->old_cls));
		if (u->old_grade != NULL)
			fprintf(fp, " (%s)", u->old_grade);
		fprintf(fp, ", stale since %s; missing: ",
		        u->stale_since ? u->stale_since : "?");
		for (i = 0; i < r->nf; i++)
			if (r->f[i].unverified && !r->f[i].dup) {
				fputs(n++ ? ", " : "", fp);
				text_put(fp, r->f[i].id);
			}
		if (n == 0)
			text_put(fp, r->error ? r->error : "?");
	} else {
		fputs(cls_name(u->old_cls), fp);
		if (u->old_cls != u->new_cls)
			fprintf(fp, " -> %s", cls_name(u->new_cls));
		if (u->old_grade && u->new_grade &&
		    strcmp(u->old_grade, u->new_grade) != 0)
			fprintf(fp, ", grade %s -> %s", u->old_grade, u->new_grade);
		text_ids(fp, st->d, "; new: ", u->added, u->nadded, NULL);
		text_ids(fp, st->d, "; gone: ", u->gone, u->ngone, NULL);
	}
	putc('\n', fp);
	fclose(fp);
	return buf;
}

static void
text_domain(FILE *fp, const struct diff *d, const struct diff_domain *c)
{
	fputs("  ", fp);
	text_put(fp, c->name);
	fprintf(fp, " (%lu user%s): ", c->new_users, c->new_users == 1 ? "" : "s");
	if (c->kind == DIFF_UNASSESSED) {
		fprintf(fp, "last known %s, stale since %s\n",
		        cls_name(c->old_cls),
		        c->stale_since ? c->stale_since : "?");
		return;
	}
	fputs(cls_name(c->old_cls), fp);
	if (c->old_cls != c->new_cls)
		fprintf(fp, " -> %s", cls_name(c->new_cls));
	if (c->old_insecure != c->new_insecure)
		fprintf(fp, ", insecure users %lu -> %lu", c->old_insecure,
		        c->new_insecure);
	text_ids(fp, d, "; new: ", c->added, c->nadded, c->added_users);
	text_ids(fp, d, "; gone: ", c->gone, c->ngone, c->gone_users);
	putc('\n', fp);
}

static void
text_report(struct dstate *st, const char *old, const char *new)
{
	static const struct { enum diff_kind k; const char *what; } part[] = {
		{ DIFF_WORSE, "got worse" },
		{ DIFF_UNASSESSED, "could not be assessed this time (last known "
		                   "verdict kept)" },
		{ DIFF_BETTER, "got better" },
	};
	const struct diff_counts *c = diff_counts(st->d);
	FILE *fp = st->out;
	size_t i, j, shown;

	fputs("scorer diff: ", fp);
	text_put(fp, old);
	fputs(" -> ", fp);
	text_put(fp, new);
	fprintf(fp, "\nusers: %lu then %lu (%lu matched, %lu added, %lu "
	        "removed): %lu worse, %lu better, %lu could not be assessed "
	        "this time\n", c->old_users, c->new_users, c->matched,
	        c->user[DIFF_ADDED], c->user[DIFF_REMOVED], c->user[DIFF_WORSE],
	        c->user[DIFF_BETTER], c->user[DIFF_UNASSESSED]);
	fprintf(fp, "domains: %lu worse, %lu better, %lu could not be "
	        "assessed this time\n", c->domain[DIFF_WORSE],
	        c->domain[DIFF_BETTER], c->domain[DIFF_UNASSESSED]);
	if (c->old_bad || c->new_bad)
		fprintf(fp, "lines that are no record: %lu old, %lu new\n",
		        c->old_bad, c->new_bad);
	for (i = 0; i < 3; i++) {
		shown = 0;
		for (j = 0; j < diff_domain_count(st->d); j++) {
			const struct diff_domain *dc = diff_domain_get(st->d, j);

			if (dc->kind != part[i].k)
				continue;
			if (shown == 0)
				fprintf(fp, "\nDomains that %s:\n", part[i].what);
			if (shown++ < st->o->max_domains)
				text_domain(fp, st->d, dc);
		}
		if (shown > st->o->max_domains)
			fprintf(fp, "  ... %zu more\n", shown - st->o->max_domains);
	}
	for (i = 0; i < 3; i++) {
		const struct lines *l = &st->user[part[i].k];

		if (l->n == 0)
			continue;
		fprintf(fp, "\nUsers that %s:\n", part[i].what);
		for (j = 0; j < l->n; j++)
			fputs(l->s[j], fp);
		if (l->more > 0)
			fprintf(fp, "  ... %lu more (--max-users, or --format "
			        "jsonl for all)\n", l->more);
	}
}

/* ---- the command ----------------------------------------------------------- */

static int
read_new(struct dstate *st, FILE *fp)
{
	struct res_reader rd = { fp, NULL, 0, 0 };
	struct result r;
	struct diff_user u;
	const char *line;
	size_t len;
	int toolong, rc = 0, p;

	memset(&r, 0, sizeof(r));
	while (rc == 0 && !st->oom &&
	       res_next_line(&rd, &line, &len, &toolong) > 0) {
		if (toolong || (p = result_parse(&r, line, len, rd.lineno)) == 0) {
			diff_add_new_bad(st->d);
			continue;
		}
		if (p < 0 || diff_add_new(st->d, &r, &u) != 0) {
			rc = -1;
		} else if (u.kind != DIFF_SAME && st->o->jsonl) {
			json_user(st, &r, &u);
		} else if (u.kind == DIFF_WORSE || u.kind == DIFF_BETTER ||
		           u.kind == DIFF_UNASSESSED) {
			lines_add(st, &st->user[u.kind], text_user(st, &r, &u));
		}
		result_release(&r);
	}
	result_free(&r);
	res_reader_free(&rd);
	if (rc != 0 || st->oom) {
		fputs("scorer diff: out of memory\n", stderr);
		return -1;
	}
	if (ferror(fp)) {
		fprintf(stderr, "scorer diff: read error: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static FILE *
open_in(const char *path)
{
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return stdin;
	if ((fp = fopen(path, "r")) == NULL)
		fprintf(stderr, "scorer diff: %s: %s\n", path, strerror(errno));
	return fp;
}

static int
number(const char *opt, const char *arg, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || *arg == '-' || v > 1000000) {
		fprintf(stderr, "scorer diff: %s: a number from 0 to 1000000, "
		        "not '%s'\n", opt, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* The time of an old record without "checked": when the file was last
 * written. */
void
tool_file_time(FILE *fp, char buf[32])
{
	struct stat sb;

	tool_utc(buf, fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)
	              ? sb.st_mtime : time(NULL));
}

int
tool_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-users", required_argument, NULL, 'u' },
		{ "max-domains", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct dopts o = { 0, 50, 50, "-" };
	struct dstate st;
	FILE *oldfp = NULL, *newfp = NULL;
	char when[32];
	size_t i;
	const char *user, *dom;
	int c, rc = TOOL_EXIT_ERROR;

	memset(&st, 0, sizeof(st));
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "jsonl") == 0)
				o.jsonl = 1;
			else if (strcmp(optarg, "text") == 0)
				o.jsonl = 0;
			else {
				fprintf(stderr, "scorer diff: --format '%s': text "
				        "or jsonl\n", optarg);
				return tool_usage_error("diff");
			}
			break;
		case 'o': o.output = optarg; break;
		case 'u':
			if (number("--max-users", optarg, &o.max_users))
				return TOOL_EXIT_ERROR;
			break;
		case 'd':
			if (number("--max-domains", optarg, &o.max_domains))
				return TOOL_EXIT_ERROR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return tool_usage_error("diff");
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "scorer diff: %s\n", optind + 2 > argc
		        ? "two runs to compare: OLD.jsonl NEW.jsonl"
		        : "two runs only");
		return tool_usage_error("diff");
	}
	if (strcmp(argv[optind], "-") == 0 &&
	    strcmp(argv[optind + 1], "-") == 0) {
		fputs("scorer diff: only one of the runs can be standard input\n",
		      stderr);
		return tool_usage_error("diff");
	}
	st.o = &o;
	if ((st.d = diff_new()) == NULL) {
		fputs("scorer diff: out of memory\n", stderr);
		return TOOL_EXIT_ERROR;
	}
	if ((oldfp = open_in(argv[optind])) == NULL ||
	    (newfp = open_in(argv[optind + 1])) == NULL)
		goto done;
	if (strcmp(o.output, "-") == 0)
		st.out = stdout;
	else if ((st.out = fopen(o.output, "w")) == NULL) {
		fprintf(stderr, "scorer diff: %s: %s\n", o.output,
		        strerror(errno));
		goto done;
	}
	tool_file_time(oldfp, when);
	if (diff_load_old(st.d, oldfp, argv[optind], when) != 0 ||
	    read_new(&st, newfp) != 0 || diff_finish(st.d) != 0)
		goto done;
	if (o.jsonl) {
		for (i = 0; i < diff_domain_count(st.d); i++) {
			const struct diff_domain *dc = diff_domain_get(st.d, i);

			if (dc->kind != DIFF_SAME && dc->kind != DIFF_ADDED &&
			    dc->kind != DIFF_REMOVED)
				json_domain(&st, dc);
		}
		for (i = 0; (user = diff_removed(st.d, i, &dom)) != NULL; i++)
			json_removed(st.out, user, dom);
		json_summary(st.out, diff_counts(st.d), argv[optind],
		             argv[optind + 1]);
	} else {
		text_report(&st, argv[optind], argv[optind + 1]);
	}
	if (fflush(st.out) != 0 || ferror(st.out)) {
		fprintf(stderr, "scorer diff: write error: %s\n", strerror(errno));
		goto done;
	}
	rc = diff_counts(st.d)->user[DIFF_WORSE] > 0 ||
	     diff_counts(st.d)->domain[DIFF_WORSE] > 0 ? TOOL_EXIT_INSECURE : 0;
done:
	if (st.out != NULL && st.out != stdout && fclose(st.out) != 0 &&
	    rc != TOOL_EXIT_ERROR) {
		fprintf(stderr, "scorer diff: %s: %s\n", o.output, strerror(errno));
		rc = TOOL_EXIT_ERROR;
	}
	if (oldfp != NULL && oldfp != stdin)
		fclose(oldfp);
	if (newfp != NULL && newfp != stdin)
		fclose(newfp);
	for (i = 0; i < DIFF_NKIND; i++) {
		size_t j;

		for (j = 0; j < st.user[i].n; j++)
			free(st.user[i].s[j]);
		free(st.user[i].s);
	}
	diff_free(st.d);
	return rc;
}
