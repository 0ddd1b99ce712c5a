/*
 * scorer report: the HTML page.  One file with its style sheet, charts
 * and script inline, so it opens offline and can be mailed or archived.
 *
 * Everything from the records (addresses, domains, DNS data, details,
 * even titles and finding ids) is attacker-controlled text: it goes out
 * only through report_esc(), only as element text, never into an
 * attribute, a URL, the style sheet or the script.  The script reads the
 * rows' text from the DOM; no data is ever written into it.  Behind that,
 * a Content-Security-Policy allows no fetch of any kind and runs only the
 * style sheet and script that carry this page's nonce, so even a mistake
 * here could neither run injected script nor call out.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool_report.h"

/* ---- text ------------------------------------------------------------ */

/* The length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

void
report_esc(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL)
		return;
	while (*p) {
		switch (*p) {
		case '&': fputs("&amp;", out); p++; continue;
		case '<': fputs("&lt;", out); p++; continue;
		case '>': fputs("&gt;", out); p++; continue;
		case '"': fputs("&quot;", out); p++; continue;
		case '\'': fputs("&#39;", out); p++; continue;
		default: break;
		}
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F) {
			fputs("\xEF\xBF\xBD", out); /* U+FFFD */
			p++;
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\xEF\xBF\xBD", out);
			p++;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
}

const char *
report_num(char buf[32], unsigned long n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%lu", n), i, j = 0;

	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}

const char *
report_pct(char buf[32], unsigned long n, unsigned long total)
{
	unsigned long long pm;

	if (total == 0) {
		strcpy(buf, "0%");
		return buf;
	}
	/* Tenths of a percent, rounded, in integers: no locale, no libm. */
	pm = ((unsigned long long)n * 1000 + total / 2) / total;
	snprintf(buf, 32, "%llu.%llu%%", pm / 10, pm % 10);
	return buf;
}

/* The catalogue has far fewer ids; more come only from a hand-made or
 * hostile input, and must not make the page heavy. */
#define MAX_FINDINGS_SHOWN 200

/* ---- the page ---------------------------------------------------------- */

/* A nonce for the policy.  It is defence in depth behind the escaping,
 * so when /dev/urandom cannot be read a weaker one will do. */
static void
make_nonce(char hex[33])
{
	unsigned char b[16];
	unsigned long long mix;
	int fd, i, got = 0;

	if ((fd = open("/dev/urandom", O_RDONLY)) >= 0) {
		got = read(fd, b, sizeof(b)) == (ssize_t)sizeof(b);
		close(fd);
	}
	if (!got) {
		mix = (unsigned long long)time(NULL) ^
		      ((unsigned long long)getpid() << 32) ^
		      (unsigned long long)(uintptr_t)&mix;
		for (i = 0; i < 16; i++) {
			mix = mix * 6364136223846793005ULL + 1442695040888963407ULL;
			b[i] = (unsigned char)(mix >> 33);
		}
	}
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
}

static const char style[] =
	":root{--secure:#2e7d32;--insecure:#c62828;--error:#ef6c00;"
	"--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'DejaVu Sans',sans-serif;color:var(--ink);background:var(--bg)}"
	"\n"
	"main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}\n"
	"h1{font-size:24px;margin:0 0 4px}\n"
	"h2{font-size:18px;margin:0 0 4px}\n"
	".meta,.note{color:var(--muted);margin:0 0 12px}\n"
	"section{background:#fff;border:1px solid var(--line);"
	"border-radius:8px;padding:18px 20px;margin:18px 0}\n"
	".cards{display:flex;gap:14px;flex-wrap:wrap;margin:18px 0}\n"
	".card{flex:1 1 150px;background:#fff;border:1px solid var(--line);"
	"border-left:6px solid var(--muted);border-radius:8px;"
	"padding:12px 16px}\n"
	".card .num{font-size:28px;font-weight:700}\n"
	".card .lbl{color:var(--muted)}\n"
	".card.secure{border-left-color:var(--secure)}"
	".card.secure .num{color:var(--secure)}\n"
	".card.insecure{border-left-color:var(--insecure)}"
	".card.insecure .num{color:var(--insecure)}\n"
	".card.error{border-left-color:var(--error)}"
	".card.error .num{color:var(--error)}\n"
	".warn{background:#fff8e1;border:1px solid #ffe082;border-radius:8px;"
	"padding:10px 14px;margin:12px 0}\n"
	".charts{display:flex;gap:40px;flex-wrap:wrap;align-items:center}\n"
	".charts figure{margin:0}\n"
	".charts figcaption{font-weight:600;margin-bottom:8px}\n"
	".donut-wrap{display:flex;align-items:center;gap:22px}\n"
	".ring-empty{stroke:var(--line)}\n"
	".seg.secure{stroke:var(--secure)}.seg.insecure{stroke:var(--insecure)}"
	".seg.error{stroke:var(--error)}\n"
	".donut-num{font-size:6px;font-weight:700;fill:var(--ink)}\n"
	".donut-lbl{font-size:3px;fill:var(--muted)}\n"
	".legend{list-style:none;margin:0;padding:0}\n"
	".legend li{margin:6px 0}\n"
	".dot{display:inline-block;width:11px;height:11px;border-radius:50%;"
	"margin-right:8px;vertical-align:-1px;background:var(--muted)}\n"
	".dot.secure{background:var(--secure)}.dot.insecure"
	"{background:var(--insecure)}.dot.error{background:var(--error)}\n"
	".axis{stroke:#cbd2d9}\n"
	".bar-num{font-size:12px;fill:var(--ink)}\n"
	".bar-lbl{font-size:13px;font-weight:600;fill:var(--muted)}\n"
	".g0 rect{fill:#1b5e20}.g1 rect{fill:#2e7d32}.g2 rect{fill:#7cb342}"
	".g3 rect{fill:#f9a825}.g4 rect{fill:#ef6c00}.g5 rect{fill:#c62828}"
	".g6 rect{fill:#9aa5b1}\n"
	"table{border-collapse:collapse;width:100%}\n"
	"th,td{text-align:left;padding:7px 9px;border-bottom:1px solid "
	"var(--line);vertical-align:top}\n"
	"th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
	"color:var(--muted);background:#fafbfc}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	"tbody tr:nth-child(even){background:#fbfcfd}\n"
	"code{font:12px ui-monospace,'DejaVu Sans Mono',monospace;"
	"background:#f0f2f5;padding:1px 4px;border-radius:3px}\n"
	".fix{color:var(--muted);margin-top:3px}\n"
	"td.fcol{min-width:210px}\n"
	"td.addr{min-width:190px}td.dom{min-width:130px}"
	"td.key{min-width:125px;color:var(--muted)}td.ids{min-width:160px}\n"
	".wrap{overflow-wrap:anywhere;word-break:break-word}\n"
	".sev{display:inline-block;font-size:11px;font-weight:600;"
	"padding:1px 7px;border-radius:10px;background:#e4e7eb;color:#3e4c59;"
	"margin-top:4px}\n"
	".sev.critical{background:#fde0dc;color:#b71c1c}"
	".sev.high{background:#ffe9d6;color:#bf360c}"
	".sev.medium{background:#fff4c2;color:#7a5b00}"
	".sev.low{background:#e3f2fd;color:#0d47a1}\n"
	".v{font-weight:600}.v.secure{color:var(--secure)}"
	".v.insecure{color:var(--insecure)}.v.error{color:var(--error)}\n"
	".minibar .track{fill:#eef0f3}.minibar .insecure{fill:var(--insecure)}"
	".minibar .users{fill:#52606d}\n"
	".tools{display:flex;gap:10px;align-items:center;margin:10px 0}\n"
	".tools input{flex:1;font:inherit;padding:7px 10px;border:1px solid "
	"#cbd2d9;border-radius:6px}\n"
	".tools select{font:inherit;padding:6px;border:1px solid #cbd2d9;"
	"border-radius:6px}\n"
	"#shown{color:var(--muted);white-space:nowrap}\n"
	"tr[hidden]{display:none}\n"
	"footer{color:var(--muted);font-size:12px;text-align:center}\n";

/* Filters the rows by the search box and the verdict menu; "#q=TEXT" in
 * the page's address fills the box, so a filtered view can be linked.
 * It reads the rows' text and writes only .hidden and a count. */
static const char script[] =
	"(function(){\n"
	"var q=document.getElementById('q'),vf=document.getElementById('vf'),\n"
	"shown=document.getElementById('shown'),\n"
	"rows=document.querySelectorAll('#records tbody tr'),text=[],i;\n"
	"for(i=0;i<rows.length;i++)text.push(rows[i].textContent.toLowerCase());"
	"\n"
	"function apply(){\n"
	"var s=q.value.trim().toLowerCase(),v=vf.value,n=0;\n"
	"for(var j=0;j<rows.length;j++){\n"
	"var ok=(!v||rows[j].getAttribute('data-verdict')===v)&&"
	"(!s||text[j].indexOf(s)>=0);\n"
	"rows[j].hidden=!ok;if(ok)n++;}\n"
	"shown.textContent=n+' of '+rows.length+' rows shown';}\n"
	"var m=/[#&]q=([^&]*)/.exec(location.hash);\n"
	"if(m){try{q.value=decodeURIComponent(m[1]);}catch(e){}}\n"
	"q.addEventListener('input',apply);vf.addEventListener('change',apply);"
	"\n"
	"apply();})();\n";

static void
head(FILE *out, const char *nonce)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	        "<meta charset=\"utf-8\">\n"
	        "<meta http-equiv=\"Content-Security-Policy\" "
	        "content=\"default-src 'none'; style-src 'nonce-%s'; "
	        "script-src 'nonce-%s'; base-uri 'none'; form-action 'none'\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, "
	        "initial-scale=1\">\n"
	        "<meta name=\"generator\" content=\"scorer %s\">\n"
	        "<title>Recovery address report</title>\n"
	        "<style nonce=\"%s\">\n%s</style>\n</head>\n<body>\n<main>\n",
	        nonce, nonce, sc_version(), nonce, style);
}

static void
header(FILE *out, const struct report *r)
{
	char when[64] = "", num[32];
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<header>\n<h1>Recovery address report</h1>\n"
	      "<p class=\"meta\">Source <code>", out);
	report_esc(out, r->source);
	fprintf(out, "</code> &middot; <span id=\"n-lines\">%s</span> lines "
	        "&middot; written %s by scorer %s</p>\n</header>\n",
	        report_num(num, r->lines), when, sc_version());
}

static void
card(FILE *out, const char *cls, const char *id, unsigned long n,
     const char *label, unsigned long total)
{
	char num[32], pct[32];

	fprintf(out, "<div class=\"card %s\"><div class=\"num\" id=\"%s\">%s"
	        "</div><div class=\"lbl\">%s", cls, id, report_num(num, n),
	        label);
	if (total > 0)
		fprintf(out, " &middot; %s", report_pct(pct, n, total));
	fputs("</div></div>\n", out);
}

static void
cards(FILE *out, const struct report *r)
{
	char num[32];
	size_t i;

	fputs("<div class=\"cards\">\n", out);
	card(out, "", "n-records", r->records, "records", 0);
	card(out, "secure", "n-secure", r->verdict[REPORT_SECURE], "secure",
	     r->records);
	card(out, "insecure", "n-insecure", r->verdict[REPORT_INSECURE],
	     "insecure", r->records);
	card(out, "error", "n-error", r->verdict[REPORT_ERROR],
	     "could not be assessed", r->records);
	fputs("</div>\n", out);
	if (r->bad == 0)
		return;
	fprintf(out, "<div class=\"warn\" id=\"bad\"><strong><span "
	        "id=\"n-bad\">%s</span> %s could not be read</strong> (not a "
	        "JSON record with a verdict): line%s ",
	        report_num(num, r->bad), r->bad == 1 ? "line" : "lines",
	        r->bad == 1 ? "" : "s");
	for (i = 0; i < r->bad && i < REPORT_BAD_LISTED; i++)
		fprintf(out, "%s%lu", i ? ", " : "", r->bad_line[i]);
	fputs(r->bad > REPORT_BAD_LISTED ? ", &hellip;</div>\n" : ".</div>\n",
	      out);
}

static void
charts(FILE *out, const struct report *r)
{
	char num[32], pct[32];
	int v;

	fputs("<section class=\"charts\" id=\"charts\">\n<figure>"
	      "<figcaption>Verdicts</figcaption><div class=\"donut-wrap\">", out);
	report_svg_verdicts(out, r);
	fputs("<ul class=\"legend\">", out);
	for (v = 0; v < REPORT_NVERDICT; v++)
		fprintf(out, "<li><span class=\"dot %s\"></span>%s: "
		        "<strong>%s</strong> (%s)</li>", report_verdict_name[v],
		        report_verdict_name[v], report_num(num, r->verdict[v]),
		        report_pct(pct, r->verdict[v], r->records));
	fputs("</ul></div></figure>\n<figure><figcaption>Grades</figcaption>",
	      out);
	report_svg_grades(out, r);
	fputs("</figure>\n</section>\n", out);
}

static int
severity_rank(const char *s)
{
	static const char *const order[] = { "critical", "high", "medium",
	                                     "low", "info" };
	int i;

	for (i = 0; s != NULL && i < 5; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 5;
}

/* Most users first; among equals the more severe, then by id. */
static int
cmp_finding(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;
	int sx = severity_rank(x->severity), sy = severity_rank(y->severity);

	if (x->users != y->users)
		return x->users > y->users ? -1 : 1;
	if (sx != sy)
		return sx - sy;
	return strcmp(x->name, y->name);
}

static void
findings(FILE *out, struct report *r)
{
	struct report_table *t = &r->finding;
	char num[32], pct[32];
	size_t i;

	fputs("<section id=\"findings\">\n<h2>Findings by users affected</h2>\n"
	      "<p class=\"note\">Each finding once per user, with what to "
	      "fix; the text is the rules' own, as the records carry it."
	      "</p>\n", out);
	if (t->n == 0) {
		fputs("<p>No findings.</p>\n</section>\n", out);
		return;
	}
	qsort(t->ent, t->n, sizeof(*t->ent), cmp_finding);
	fputs("<table><thead><tr><th>#</th><th>Finding</th><th>Users</th>"
	      "<th></th><th>What it is and how to fix it</th></tr></thead>"
	      "\n<tbody>\n", out);
	for (i = 0; i < t->n && i < MAX_FINDINGS_SHOWN; i++) {
		const struct report_count *c = &t->ent[i];
		int sev = severity_rank(c->severity);

		fprintf(out, "<tr><td class=\"n\">%zu</td><td class=\"wrap "
		        "fcol\"><code class=\"fid\">", i + 1);
		report_esc(out, c->name);
		/* The class is one of ours, never the record's text. */
		fprintf(out, "</code><br><span class=\"sev %s\">",
		        sev < 5 ? c->severity : "unknown");
		report_esc(out, c->severity ? c->severity : "?");
		fprintf(out, "</span></td><td class=\"n users\">%s<br>"
		        "<small>%s</small></td><td>",
		        report_num(num, c->users),
		        report_pct(pct, c->users, r->records));
		report_svg_bar(out, c->users, r->records, "users");
		fputs("</td><td class=\"wrap\"><div class=\"title\">", out);
		report_esc(out, c->title);
		fputs("</div><div class=\"fix\"><strong>Fix:</strong> ", out);
		report_esc(out, c->fix);
		fputs("</div></td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (t->n > MAX_FINDINGS_SHOWN)
		fprintf(out, "<p class=\"note\">%s more finding ids, each on "
		        "fewer users, are not shown.</p>\n",
		        report_num(num, (unsigned long)(t->n - MAX_FINDINGS_SHOWN)));
	if (r->finding_overflow > 0)
		fprintf(out, "<p class=\"note\">%s more occurrences of finding "
		        "ids past the first %zu distinct ones were not counted."
		        "</p>\n", report_num(num, r->finding_overflow), t->max);
	fputs("</section>\n", out);
}

static void
domains(FILE *out, struct report *r)
{
	struct report_table *t = &r->domain;
	char num[32], n2[32], n3[32], n4[32];
	unsigned long most = 0;
	size_t i, shown = 0;

	fputs("<section id=\"domains\">\n<h2>Domains with the most affected "
	      "users</h2>\n<p class=\"note\">Affected: insecure or could not "
	      "be assessed.", out);
	if (r->no_domain > 0)
		fprintf(out, " %s records without a domain (invalid addresses, "
		        "unreadable input lines of the batch) are not in this "
		        "list.", report_num(num, r->no_domain));
	fputs("</p>\n", out);
	if (r->domain_prunes > 0)
		fprintf(out, "<p class=\"warn\">More than %s distinct domains: "
		        "the least affected were dropped %s times to keep "
		        "memory bounded, so the counts here are lower bounds."
		        "</p>\n", report_num(num, t->max),
		        report_num(n2, r->domain_prunes));
	qsort(t->ent, t->n, sizeof(*t->ent), report_cmp_domain);
	for (i = 0; i < t->n && shown < r->top_domains; i++) {
		const struct report_count *c = &t->ent[i];

		if (c->insecure + c->error == 0)
			break; /* sorted: the rest are all secure */
		if (shown++ == 0) {
			most = c->insecure + c->error; /* bars relative to it */
			fputs("<table><thead><tr><th>#</th><th>Domain</th>"
			      "<th>Users</th><th>Insecure</th><th>Error</th>"
			      "<th>Affected</th><th></th></tr></thead>\n<tbody>\n",
			      out);
		}
		fprintf(out, "<tr><td class=\"n\">%zu</td><td class=\"wrap\">"
		        "<code>", shown);
		report_esc(out, c->name);
		fprintf(out, "</code></td><td class=\"n\">%s</td>"
		        "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
		        "<td class=\"n\">%s</td><td>",
		        report_num(num, c->users), report_num(n2, c->insecure),
		        report_num(n3, c->error),
		        report_num(n4, c->insecure + c->error));
		report_svg_bar(out, c->insecure + c->error, most, "insecure");
		fputs("</td></tr>\n", out);
	}
	fputs(shown ? "</tbody></table>\n" : "<p>No affected domains.</p>\n",
	      out);
	fputs("</section>\n", out);
}

static void
row(FILE *out, const struct report *r, const struct report_row *w)
{
	const char *v = report_verdict_name[w->verdict];

	fprintf(out, "<tr data-verdict=\"%s\"><td class=\"n\">%lu</td>"
	        "<td class=\"wrap addr\">", v, w->line);
	report_esc(out, w->address);
	fputs("</td><td class=\"wrap dom\">", out);
	report_esc(out, w->domain);
	fprintf(out, "</td><td><span class=\"v %s\">%s</span></td><td>", v, v);
	report_esc(out, w->grade);
	fputs("</td><td class=\"n\">", out);
	if (w->score >= 0)
		fprintf(out, "%d", w->score);
	fputs("</td><td class=\"wrap ids\"><code>", out);
	report_esc(out, w->ids);
	fputs("</code></td><td class=\"wrap\">", out);
	report_esc(out, w->detail);
	fputs("</td>", out);
	if (r->has_key) {
		fputs("<td class=\"wrap key\">", out);
		report_esc(out, w->key);
		fputs("</td>", out);
	}
	fputs("</tr>\n", out);
}

static void
records(FILE *out, const struct report *r)
{
	char num[32], n2[32];
	size_t i;

	fprintf(out, "<section id=\"table\">\n<h2>Records to fix</h2>\n"
	        "<p class=\"note\">Insecure and unassessed records, in input "
	        "order; the first %s are listed.</p>\n"
	        "<div class=\"tools\"><input id=\"q\" type=\"search\" "
	        "placeholder=\"Search address, domain, finding, detail\" "
	        "aria-label=\"search\" autocomplete=\"off\">"
	        "<select id=\"vf\" aria-label=\"verdict\"><option value=\"\">"
	        "all verdicts</option><option value=\"insecure\">insecure"
	        "</option><option value=\"error\">error</option></select>"
	        "<span id=\"shown\">%s of %s rows shown</span></div>\n"
	        "<table id=\"records\"><thead><tr><th>Line</th><th>Address</th>"
	        "<th>Domain</th><th>Verdict</th><th>Grade</th><th>Score</th>"
	        "<th>Findings</th><th>Detail</th>%s</tr></thead>\n<tbody>\n",
	        report_num(num, r->maxrow), report_num(n2, r->nrow), n2,
	        r->has_key ? "<th>Key</th>" : "");
	for (i = 0; i < r->nrow; i++)
		row(out, r, &r->row[i]);
	fputs("</tbody></table>\n", out);
	if (r->rows_not_shown > 0)
		fprintf(out, "<p class=\"warn\" id=\"more\"><span id=\"n-more\">%s"
		        "</span> more not shown: the table stops at %s rows to "
		        "keep the page light (scorer report --rows N).</p>\n",
		        report_num(num, r->rows_not_shown),
		        report_num(n2, r->maxrow));
	fputs("</section>\n", out);
}

void
report_html(FILE *out, struct report *r)
{
	char nonce[33];

	make_nonce(nonce);
	head(out, nonce);
	header(out, r);
	cards(out, r);
	charts(out, r);
	findings(out, r);
	domains(out, r);
	records(out, r);
	fprintf(out, "<footer>scorer report &middot; self-contained: no "
	        "external resources</footer>\n</main>\n"
	        "<script nonce=\"%s\">\n%s</script>\n</body>\n</html>\n", nonce,
	        script);
}
