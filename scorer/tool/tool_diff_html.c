/*
 * scorer report --baseline OLD: the section on what changed since the
 * old run, from the engine of scorer diff (tool_diff.c): how many users
 * got worse, better, or could not be assessed this time; the domains
 * that changed, with the last known verdict and "stale since" for those
 * that could not be assessed; and the first users that changed.  As
 * everywhere on the page, record text goes out through report_esc() and
 * addresses only with --show-addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "tool_diff.h"
#include "tool_report.h"

static char *
who(const struct report *r, const struct result *res)
{
	char *buf = NULL, *key;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	if (res->key != NULL &&
	    (key = json_dumps(res->key, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		/* A key that repeats the address is left out with it. */
		if (r->show_addresses || res->address == NULL ||
		    strstr(key, res->address) == NULL)
			fputs(key, fp);
		free(key);
	}
	if (r->show_addresses && res->address != NULL)
		fprintf(fp, "%s%s", len > 0 || ftell(fp) > 0 ? " " : "",
		        res->address);
	return fclose(fp) == 0 ? buf : (free(buf), NULL);
}

int
report_change_add(struct report *r, const struct result *res,
                  const struct diff_user *u)
{
	struct report_change *c;

	if (u->kind != DIFF_WORSE && u->kind != DIFF_BETTER &&
	    u->kind != DIFF_UNASSESSED)
		return 0;
	if (r->nchange == REPORT_CHANGES_LISTED) {
		r->changes_not_shown++;
		return 0;
	}
	c = &r->change[r->nchange++];
	c->line = res->line;
	c->kind = u->kind;
	c->who = who(r, res);
	c->domain = res->domain ? strdup(res->domain) : NULL;
	c->what = diff_user_text(r->diff, res, u);
	return c->who && c->what && (c->domain || !res->domain) ? 0 : -1;
}

void
report_change_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nchange; i++) {
		free(r->change[i].who);
		free(r->change[i].domain);
		free(r->change[i].what);
	}
	r->nchange = 0;
}

static void
ids(FILE *out, const struct diff *d, const uint16_t *id, size_t n,
    const unsigned long *users)
{
	char num[32];
	size_t i;

	for (i = 0; i < n; i++) {
		fputs(i ? ", <code>" : "<code>", out);
		report_esc(out, diff_id(d, id[i]));
		fprintf(out, "</code> (%s)", report_num(num, users[i]));
	}
}

static void
domain_rows(FILE *out, const struct diff *d, enum diff_kind kind,
            const char *id, const char *title)
{
	char num[32], n2[32], n3[32];
	size_t i, shown = 0;

	for (i = 0; i < diff_domain_count(d); i++) {
		const struct diff_domain *c = diff_domain_get(d, i);

		if (c->kind != kind)
			continue;
		if (shown++ == 0)
			fprintf(out, "<h3>%s</h3>\n<table id=\"%s\"><thead><tr>"
			        "<th>Domain</th><th>Users</th><th>Verdict</th>"
			        "<th>What changed</th></tr></thead>\n<tbody>\n",
			        title, id);
		if (shown > 50)
			continue;
		fputs("<tr><td class=\"wrap dom\"><code>", out);
		report_esc(out, c->name);
		fprintf(out, "</code></td><td class=\"n\">%s</td><td>",
		        report_num(num, c->new_users));
		if (kind == DIFF_UNASSESSED) {
			/* The last known answer, not lost. */
			fprintf(out, "<span class=\"v %s\">%s</span> (last known)"
			        "</td><td>stale since ", res_class_str(c->old_cls),
			        res_class_str(c->old_cls));
			report_esc(out, c->stale_since ? c->stale_since : "?");
			fputs("</td></tr>\n", out);
			continue;
		}
		fprintf(out, "%s%s%s</td><td>", res_class_str(c->old_cls),
		        c->old_cls != c->new_cls ? " &rarr; " : "",
		        c->old_cls != c->new_cls ? res_class_str(c->new_cls) : "");
		if (c->old_insecure != c->new_insecure)
			fprintf(out, "insecure users %s &rarr; %s; ",
			        report_num(n2, c->old_insecure),
			        report_num(n3, c->new_insecure));
		if (c->nadded > 0) {
			fputs("new: ", out);
			ids(out, d, c->added, c->nadded, c->added_users);
			fputs(c->ngone ? "; " : "", out);
		}
		if (c->ngone > 0) {
			fputs("gone: ", out);
			ids(out, d, c->gone, c->ngone, c->gone_users);
		}
		fputs("</td></tr>\n", out);
	}
	if (shown > 0)
		fputs("</tbody></table>\n", out);
	if (shown > 50)
		fprintf(out, "<p class=\"note\">%zu more (scorer diff lists "
		        "them all).</p>\n", shown - 50);
}

void
report_html_changes(FILE *out, const struct report *r)
{
	const struct diff_counts *c = diff_counts(r->diff);
	char n1[32], n2[32], n3[32], n4[32], n5[32];
	size_t i;

	fputs("<section id=\"changes\">\n<h2>Changes since the baseline</h2>\n"
	      "<p class=\"meta\">Baseline <code>", out);
	report_esc(out, r->baseline);
	fprintf(out, "</code>: %s users then, %s now (%s added, %s removed)."
	        "</p>\n", report_num(n1, c->old_users),
	        report_num(n2, c->new_users), report_num(n3, c->user[DIFF_ADDED]),
	        report_num(n4, c->user[DIFF_REMOVED]));
	fputs("<div class=\"cards\">\n", out);
	fprintf(out, "<div class=\"card insecure\"><div class=\"num\" "
	        "id=\"c-worse\">%s</div><div class=\"lbl\">users got worse"
	        "</div></div>\n<div class=\"card error\"><div class=\"num\" "
	        "id=\"c-unassessed\">%s</div><div class=\"lbl\">could not be "
	        "assessed this time</div></div>\n<div class=\"card secure\">"
	        "<div class=\"num\" id=\"c-better\">%s</div><div class=\"lbl\">"
	        "users got better</div></div>\n</div>\n",
	        report_num(n1, c->user[DIFF_WORSE]),
	        report_num(n2, c->user[DIFF_UNASSESSED]),
	        report_num(n3, c->user[DIFF_BETTER]));
	fprintf(out, "<p class=\"note\">Domains: <span id=\"cd-worse\">%s"
	        "</span> worse, <span id=\"cd-unassessed\">%s</span> could not "
	        "be assessed this time, <span id=\"cd-better\">%s</span> "
	        "better.  Worse: a new finding, or a verdict or grade that "
	        "fell.  A user or domain that could not be assessed this time "
	        "keeps its last known verdict, stale since it was "
	        "checked.</p>\n", report_num(n1, c->domain[DIFF_WORSE]),
	        report_num(n5, c->domain[DIFF_UNASSESSED]),
	        report_num(n2, c->domain[DIFF_BETTER]));
	domain_rows(out, r->diff, DIFF_WORSE, "chg-worse", "Domains that got "
	            "worse");
	domain_rows(out, r->diff, DIFF_UNASSESSED, "chg-stale", "Domains that "
	            "could not be assessed this time");
	domain_rows(out, r->diff, DIFF_BETTER, "chg-better", "Domains that got "
	            "better");
	if (r->nchange == 0) {
		fputs("</section>\n", out);
		return;
	}
	fprintf(out, "<h3>Users that changed</h3>\n<table id=\"chg-users\">"
	        "<thead><tr><th>Line</th><th>%s</th><th>Domain</th><th>Change"
	        "</th><th>What</th></tr></thead>\n<tbody>\n",
	        r->show_addresses ? "Key and address" : "Key");
	for (i = 0; i < r->nchange; i++) {
		const struct report_change *x = &r->change[i];

		fprintf(out, "<tr data-change=\"%s\"><td class=\"n\">%lu</td>"
		        "<td class=\"wrap\">", diff_kind_name[x->kind], x->line);
		report_esc(out, x->who);
		fputs("</td><td class=\"wrap dom\">", out);
		report_esc(out, x->domain);
		fprintf(out, "</td><td>%s</td><td class=\"wrap\">",
		        x->kind == DIFF_WORSE ? "worse" : x->kind == DIFF_BETTER
		        ? "better" : "not assessed");
		report_esc(out, x->what);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (r->changes_not_shown > 0)
		fprintf(out, "<p class=\"note\">%s more users changed (scorer diff "
		        "lists them all).</p>\n", report_num(n1, r->changes_not_shown));
	fputs("</section>\n", out);
}
