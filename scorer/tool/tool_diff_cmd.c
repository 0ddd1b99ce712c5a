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
#include "tool_file.h"
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
		fprintf(fp, ",\"verdict\":\"%s\"", res_class_str(r->cls));
		break;
	case DIFF_UNASSESSED:
	case DIFF_STILL_UNASSESSED:
		fprintf(fp, ",\"last_verdict\":\"%s\",\"last_grade\":",
		        res_class_str(u->old_cls));
		tool_json_str(fp, u->old_grade);
		fputs(",\"stale_since\":", fp);
		tool_json_str(fp, u->stale_since);
		json_missing(fp, r);
		break;
	default:
		json_pair(fp, "verdict", res_class_str(u->old_cls),
		          res_class_str(u->new_cls));
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
	json_pair(fp, "verdict", res_class_str(c->old_cls), res_class_str(c->new_cls));
	if (c->kind == DIFF_UNASSESSED || c->kind == DIFF_STILL_UNASSESSED) {
		fprintf(fp, ",\"last_verdict\":\"%s\",\"stale_since\":",
		        res_class_str(c->old_cls));
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
	if (tool_grow(&l->s, &l->cap, l->n, sizeof(*l->s), 16) != 0) {
		st->oom = 1;
		free(s);
		return;
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
	char *buf = NULL, *what = diff_user_text(st->d, r, u);
	size_t len = 0;
	FILE *fp = what ? open_memstream(&buf, &len) : NULL;

	if (fp == NULL) {
		free(what);
		return NULL;
	}
	fprintf(fp, "  line %lu  ", r->line);
	if (r->key != NULL) {
		char *k = json_dumps(r->key, JSON_COMPACT | JSON_PRESERVE_ORDER);

		text_put(fp, k);
		putc(' ', fp);
		free(k);
	}
	text_put(fp, r->address);
	fputs(": ", fp);
	text_put(fp, what);
	putc('\n', fp);
	free(what);
	return fclose(fp) == 0 ? buf : (free(buf), NULL);
}

static void
text_domain(FILE *fp, const struct diff *d, const struct diff_domain *c)
{
	fputs("  ", fp);
	text_put(fp, c->name);
	fprintf(fp, " (%lu user%s): ", c->new_users, c->new_users == 1 ? "" : "s");
	if (c->kind == DIFF_UNASSESSED) {
		fprintf(fp, "last known %s, stale since %s\n",
		        res_class_str(c->old_cls),
		        c->stale_since ? c->stale_since : "?");
		return;
	}
	fputs(res_class_str(c->old_cls), fp);
	if (c->old_cls != c->new_cls)
		fprintf(fp, " -> %s", res_class_str(c->new_cls));
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
new_record(void *ctx, const struct result *r)
{
	struct dstate *st = ctx;
	struct diff_user u;

	if (diff_add_new(st->d, r, &u) != 0)
		return -1;
	if (u.kind != DIFF_SAME && st->o->jsonl)
		json_user(st, r, &u);
	else if (!st->o->jsonl && (u.kind == DIFF_WORSE ||
	                           u.kind == DIFF_BETTER ||
	                           u.kind == DIFF_UNASSESSED))
		lines_add(st, &st->user[u.kind], text_user(st, r, &u));
	return st->oom ? -1 : 0;
}

static void
new_bad(void *ctx, unsigned long lineno)
{
	(void)lineno;
	diff_add_new_bad(((struct dstate *)ctx)->d);
}

static FILE *
open_in(const char *path)
{
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return stdin;
	if ((fp = fopen(path, "r")) == NULL || *tool_not_readable(fp) != '\0') {
		fprintf(stderr, "scorer diff: %s: %s\n", path,
		        fp != NULL ? tool_not_readable(fp) : strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	return fp;
}

static int
read_run(struct dstate *st, FILE *fp, const char *path, int old)
{
	char who[512], when[32];

	snprintf(who, sizeof(who), "scorer diff: %s",
	         strcmp(path, "-") == 0 ? "standard input" : path);
	if (!old)
		return res_foreach(fp, who, new_record, new_bad, st, NULL);
	tool_file_time(fp, when);
	return diff_load_old(st->d, fp, who, when);
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
	struct tool_out out;
	FILE *oldfp = NULL, *newfp = NULL;
	size_t i;
	const char *user, *dom;
	int c, rc = TOOL_EXIT_ERROR, opened = 0;

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
			if (tool_number("diff", "--max-users", optarg, 0, 1000000,
			                &o.max_users))
				return TOOL_EXIT_ERROR;
			break;
		case 'd':
			if (tool_number("diff", "--max-domains", optarg, 0, 1000000,
			                &o.max_domains))
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
	{
		/* Either run may be the output's file no more than the input
		 * of batch may; the two runs may be one (nothing changed). */
		const struct tool_role roles[] = {
			{ "OLD", argv[optind], 0 },
			{ "--output", o.output, 1 },
			{ "NEW", argv[optind + 1], 0 },
		};

		if (tool_distinct("scorer diff", roles, 2) != 0 ||
		    tool_distinct("scorer diff", roles + 1, 2) != 0)
			goto done;
	}
	if ((oldfp = open_in(argv[optind])) == NULL ||
	    (newfp = open_in(argv[optind + 1])) == NULL ||
	    tool_out_open(&out, "scorer diff", o.output) != 0)
		goto done;
	opened = 1;
	st.out = out.fp;
	if (read_run(&st, oldfp, argv[optind], 1) != 0 ||
	    read_run(&st, newfp, argv[optind + 1], 0) != 0)
		goto done;
	if (diff_finish(st.d) != 0) {
		fputs("scorer diff: out of memory\n", stderr);
		goto done;
	}
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
	rc = diff_counts(st.d)->user[DIFF_WORSE] > 0 ||
	     diff_counts(st.d)->domain[DIFF_WORSE] > 0 ? TOOL_EXIT_INSECURE : 0;
done:
	/* Every write checked, the file put in place whole (tool_file.c);
	 * a failed run leaves an older output as it was. */
	if (opened && tool_out_close(&out, rc != TOOL_EXIT_ERROR) != 0)
		rc = TOOL_EXIT_ERROR;
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
