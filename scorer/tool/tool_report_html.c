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
 *
 * The users' addresses are personal data and, without --show-addresses,
 * never written: rows carry the line number and the user's key, and
 * tool_report.c takes the address out of any text that repeats it.
 *
 * The order is the order of work: the counts, the risks (takeover, then
 * interception, most severe first and then by users), the domains to
 * fix, hygiene, what could not be assessed, the changes since the
 * baseline, and last the users to act on.  Printed (or saved as PDF),
 * the page keeps all of that but the table of users.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool_json.h"
#include "tool_report.h"

/* ---- text ------------------------------------------------------------ */

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
		} else if ((n = tool_utf8_len(p)) == 0) {
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
	return tool_num(buf, n);
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
	"--invalid:#7b8794;"
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
	".card.invalid{border-left-color:var(--invalid)}"
	".card.invalid .num{color:var(--invalid)}\n"
	".privacy{color:var(--muted);font-size:13px;margin:4px 0 0}\n"
	"h3{font-size:15px;margin:16px 0 4px}\n"
	".cum{color:var(--muted);font-size:12px}\n"
	".where{font-weight:600}\n"
	"#print-note{display:none}\n"
	".warn{background:#fff8e1;border:1px solid #ffe082;border-radius:8px;"
	"padding:10px 14px;margin:12px 0}\n"
	".charts{display:flex;gap:40px;flex-wrap:wrap;align-items:center}\n"
	".charts figure{margin:0}\n"
	".charts figcaption{font-weight:600;margin-bottom:8px}\n"
	".donut-wrap{display:flex;align-items:center;gap:22px}\n"
	".ring-empty{stroke:var(--line)}\n"
	".seg.secure{stroke:var(--secure)}.seg.insecure{stroke:var(--insecure)}"
	".seg.error{stroke:var(--error)}.seg.invalid{stroke:var(--invalid)}\n"
	".donut-num{font-size:6px;font-weight:700;fill:var(--ink)}\n"
	".donut-lbl{font-size:3px;fill:var(--muted)}\n"
	".legend{list-style:none;margin:0;padding:0}\n"
	".legend li{margin:6px 0}\n"
	".dot{display:inline-block;width:11px;height:11px;border-radius:50%;"
	"margin-right:8px;vertical-align:-1px;background:var(--muted)}\n"
	".dot.secure{background:var(--secure)}.dot.insecure"
	"{background:var(--insecure)}.dot.error{background:var(--error)}"
	".dot.invalid{background:var(--invalid)}\n"
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
	".v.insecure{color:var(--insecure)}.v.error{color:var(--error)}"
	".v.invalid{color:var(--invalid)}\n"
	".minibar .track{fill:#eef0f3}.minibar .insecure{fill:var(--insecure)}"
	".minibar .users{fill:#52606d}\n"
	".tools{display:flex;gap:10px;align-items:center;margin:10px 0}\n"
	".tools input{flex:1;font:inherit;padding:7px 10px;border:1px solid "
	"#cbd2d9;border-radius:6px}\n"
	".tools select{font:inherit;padding:6px;border:1px solid #cbd2d9;"
	"border-radius:6px}\n"
	"#shown{color:var(--muted);white-space:nowrap}\n"
	"tr[hidden]{display:none}\n"
	"footer{color:var(--muted);font-size:12px;text-align:center}\n"
	/* Printed or saved as PDF: black on white, no frames, colours kept
	 * where they carry meaning, headers repeated on each page, rows not
	 * split, and without the table of users (thousands of rows) and its
	 * search box. */
	"@media print{\n"
	"body{background:#fff;font-size:11px}\n"
	"main{max-width:none;padding:0}\n"
	"section{border:none;padding:0;margin:14px 0}\n"
	".card{border:1px solid var(--line)}\n"
	".card,.sev,.seg,.dot,svg rect,.minibar{-webkit-print-color-adjust:"
	"exact;print-color-adjust:exact}\n"
	"thead{display:table-header-group}\n"
	"tr,.card,figure{break-inside:avoid}\n"
	"h2,h3{break-after:avoid}\n"
	"tbody tr:nth-child(even){background:none}\n"
	"#table,.tools,footer{display:none}\n"
	"#print-note{display:block}\n"
	"}\n";

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
	unsigned long models = (r->threat[0] > 0) + (r->threat[1] > 0) +
	                       (r->threat[2] > 0);

	if (gmtime_r(&now, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fputs("<header>\n<h1>Recovery address report</h1>\n"
	      "<p class=\"meta\">Source <code>", out);
	report_esc(out, r->source);
	fprintf(out, "</code> &middot; <span id=\"n-lines\">%s</span> lines "
	        "&middot; written %s by scorer %s</p>\n",
	        report_num(num, r->lines), when, sc_version());
	/* What the verdicts answer: docs/verdict.md. */
	fputs("<p class=\"meta\" id=\"threat\">Threat model: ", out);
	if (models == 0)
		fputs("none (no records)", out);
	else if (models > 1)
		fputs("mixed (the records were judged under different threat "
		      "models)", out);
	else if (r->threat[0] > 0)
		fputs("<strong>full</strong>: an attacker who takes the mailbox "
		      "or its domain over, or reads the reset mail on the way",
		      out);
	else if (r->threat[1] > 0)
		fputs("<strong>remote</strong>: takeover only; reading on the "
		      "way is not rated", out);
	else
		fputs("not stated by the records", out);
	if (r->skipped[0] != '\0') {
		fputs(". Checks skipped: <code>", out);
		report_esc(out, r->skipped);
		fputs("</code>; the verdicts cover the checks that ran", out);
	}
	fputs(".</p>\n", out);
	if (r->show_addresses)
		fputs("<p class=\"privacy\" id=\"privacy\">This page shows the "
		      "users' addresses (scorer report --show-addresses): "
		      "handle it as personal data.</p>\n", out);
	else
		fputs("<p class=\"privacy\" id=\"privacy\">The users' addresses "
		      "are not in this page: users are named by their line in "
		      "the results and their key. To include the addresses, "
		      "run scorer report --show-addresses.</p>\n", out);
	fputs("</header>\n", out);
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
	card(out, "", "n-records", r->records, "users", 0);
	card(out, "insecure", "n-insecure", r->cls[RES_INSECURE], "insecure",
	     r->records);
	card(out, "error", "n-error", r->cls[RES_ERROR],
	     "could not be assessed", r->records);
	card(out, "invalid", "n-invalid", r->cls[RES_INVALID],
	     "invalid addresses", r->records);
	card(out, "secure", "n-secure", r->cls[RES_SECURE], "secure",
	     r->records);
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
	static const char *const label[RES_NCLASS] = {
		"secure", "insecure", "could not be assessed", "invalid"
	};
	char num[32], pct[32];
	int v;

	fputs("<section class=\"charts\" id=\"charts\">\n<figure>"
	      "<figcaption>Verdicts</figcaption><div class=\"donut-wrap\">", out);
	report_svg_verdicts(out, r);
	fputs("<ul class=\"legend\">", out);
	for (v = 0; v < RES_NCLASS; v++)
		fprintf(out, "<li><span class=\"dot %s\"></span>%s: "
		        "<strong>%s</strong> (%s)</li>", res_class_name[v],
		        label[v], report_num(num, r->cls[v]),
		        report_pct(pct, r->cls[v], r->records));
	fputs("</ul></div></figure>\n<figure><figcaption>Grades</figcaption>",
	      out);
	report_svg_grades(out, r);
	fputs("</figure>\n</section>\n", out);
}

/* ---- findings ------------------------------------------------------------ */

/* Most severe first, then most users, then by id: the order of risk. */
static int
cmp_risk(const void *a, const void *b)
{
	const struct report_count *x = *(const struct report_count *const *)a;
	const struct report_count *y = *(const struct report_count *const *)b;

	if (x->sev != y->sev)
		return x->sev - y->sev;
	if (x->users != y->users)
		return x->users > y->users ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The finding table's entries as pointers, in the order of risk (the
 * table itself does not move: domains point into it). */
static const struct report_count **
by_risk(const struct report_table *t)
{
	const struct report_count **v = malloc((t->n + 1) * sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		v[i] = &t->ent[i];
	qsort(v, t->n, sizeof(*v), cmp_risk);
	v[t->n] = NULL;
	return v;
}

static int
is_interception(const struct report_count *c)
{
	return c->category != NULL && strcmp(c->category, "interception") == 0;
}

enum group { G_TAKEOVER, G_INTERCEPTION, G_HYGIENE, G_UNVERIFIED };

/* The table a finding is listed in: "could not verify" apart; high and
 * critical are the risks the verdict is made of; the rest is hygiene. */
static enum group
group_of(const struct report_count *c)
{
	if (c->unverified)
		return G_UNVERIFIED;
	if (c->sev > RES_SEV_HIGH)
		return G_HYGIENE;
	return is_interception(c) ? G_INTERCEPTION : G_TAKEOVER;
}

static void
sev_badge(FILE *out, const struct report_count *c)
{
	/* The class is one of ours, never the record's text. */
	fprintf(out, "<span class=\"sev %s\">",
	        c->sev < RES_SEV_UNKNOWN ? res_sev_name[c->sev] : "unknown");
	report_esc(out, c->severity ? c->severity : "?");
	fputs("</span>", out);
}

static void
finding_cell(FILE *out, const struct report_count *c)
{
	fputs("<td class=\"wrap fcol\"><code class=\"fid\">", out);
	report_esc(out, c->name);
	fputs("</code><br>", out);
	sev_badge(out, c);
	fputs("</td>", out);
}

/* One table of findings of a group; returns the rows written. */
static size_t
finding_table(FILE *out, const struct report *r,
              const struct report_count **v, enum group g, const char *id)
{
	char num[32], pct[32], n2[32];
	size_t i, k = 0;

	for (i = 0; v[i] != NULL; i++) {
		const struct report_count *c = v[i];

		if (group_of(c) != g)
			continue;
		if (k++ == 0)
			fprintf(out, "<table id=\"%s\"><thead><tr><th>#</th>"
			        "<th>Finding</th><th>Users</th><th></th>%s"
			        "<th>What it is and how to fix it</th></tr>"
			        "</thead>\n<tbody>\n", id,
			        g == G_UNVERIFIED ? "<th>Of them could not be "
			                            "assessed</th>" : "");
		if (k > MAX_FINDINGS_SHOWN)
			continue;
		fprintf(out, "<tr><td class=\"n\">%zu</td>", k);
		finding_cell(out, c);
		fprintf(out, "<td class=\"n users\">%s<br><small>%s</small></td>"
		        "<td>", report_num(num, c->users),
		        report_pct(pct, c->users, r->records));
		report_svg_bar(out, c->users, r->records, "users");
		fputs("</td>", out);
		if (g == G_UNVERIFIED)
			fprintf(out, "<td class=\"n unassessed\">%s</td>",
			        report_num(n2, c->error));
		fputs("<td class=\"wrap\"><div class=\"title\">", out);
		report_esc(out, c->title ? c->title : "(no text: an id the "
		           "rules do not know)");
		fputs("</div><div class=\"fix\"><strong>Fix:</strong> ", out);
		report_esc(out, c->fix ? c->fix : "-");
		fputs("</div></td></tr>\n", out);
	}
	if (k > 0)
		fputs("</tbody></table>\n", out);
	if (k > MAX_FINDINGS_SHOWN)
		fprintf(out, "<p class=\"note\">%s more finding ids, each on "
		        "fewer users, are not shown.</p>\n",
		        report_num(num, (unsigned long)(k - MAX_FINDINGS_SHOWN)));
	return k;
}

static void
risks(FILE *out, const struct report *r, const struct report_count **v)
{
	fputs("<section id=\"risk\">\n<h2>Risks, most severe first</h2>\n"
	      "<p class=\"note\">Findings at high or critical severity: each "
	      "makes a user insecure.  Counted once per user, most severe "
	      "first, then by users affected.</p>\n"
	      "<h3>Takeover: someone else can receive or read the reset mail "
	      "(or it cannot arrive)</h3>\n", out);
	if (finding_table(out, r, v, G_TAKEOVER, "takeover") == 0)
		fputs("<p id=\"takeover-none\">None.</p>\n", out);
	fputs("<h3>Interception: the reset mail can be read on the way</h3>\n",
	      out);
	if (finding_table(out, r, v, G_INTERCEPTION, "interception") == 0)
		fputs("<p id=\"interception-none\">None.</p>\n", out);
	if (r->finding.overflow > 0) {
		char num[32];

		fprintf(out, "<p class=\"note\">%s more findings of ids past "
		        "the first %zu distinct ones were not counted.</p>\n",
		        report_num(num, r->finding.overflow), r->finding.max);
	}
	fputs("</section>\n", out);
}

static void
hygiene(FILE *out, const struct report *r, const struct report_count **v)
{
	fputs("<section id=\"hygiene\">\n<h2>Hygiene</h2>\n<p class=\"note\">"
	      "Findings below high severity: none makes a user insecure on its "
	      "own (several can: a grade below B), but each is worth "
	      "fixing.</p>\n", out);
	if (finding_table(out, r, v, G_HYGIENE, "hygiene-table") == 0)
		fputs("<p>None.</p>\n", out);
	fputs("</section>\n", out);
}

/* ---- domains to fix ------------------------------------------------------- */

static void
domains(FILE *out, struct report *r)
{
	struct report_table *t = &r->domain;
	char num[32], n2[32], n3[32], pct[32], where[512];
	unsigned long most = 0, cum = 0;
	size_t i, shown = 0;

	fputs("<section id=\"domains\">\n<h2>Domains to fix</h2>\n"
	      "<p class=\"note\">The domains of insecure users, the one whose "
	      "fix protects the most users first: its most severe finding, "
	      "the record or server to change, and how.  The last column adds "
	      "up the share of insecure users covered so far.", out);
	if (r->no_domain > 0)
		fprintf(out, " %s assessed records without a domain are not in "
		        "this list.", report_num(num, r->no_domain));
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
		const struct report_count *w = c->worst;

		if (c->insecure == 0)
			break; /* sorted: no insecure user further down */
		if (shown++ == 0) {
			most = c->insecure; /* bars relative to it */
			fputs("<table id=\"fix\"><thead><tr><th>#</th>"
			      "<th>Domain</th><th>Users affected</th><th></th>"
			      "<th>Worst finding</th><th>What to change</th>"
			      "<th>Covered</th></tr></thead>\n<tbody>\n", out);
		}
		cum += c->insecure;
		fprintf(out, "<tr><td class=\"n\">%zu</td><td class=\"wrap "
		        "dom\"><code>", shown);
		report_esc(out, c->name);
		fprintf(out, "</code><br><small>%s user%s", report_num(num,
		        c->users), c->users == 1 ? "" : "s");
		if (c->error > 0)
			fprintf(out, ", %s not assessed", report_num(n3, c->error));
		fprintf(out, "</small></td><td class=\"n affected\">%s</td><td>",
		        report_num(n2, c->insecure));
		report_svg_bar(out, c->insecure, most, "insecure");
		fputs("</td>", out);
		if (w != NULL) {
			finding_cell(out, w);
		} else {
			fputs("<td>-</td>", out);
		}
		fputs("<td class=\"wrap\"><div class=\"where\">", out);
		report_esc(out, report_where(where, sizeof(where),
		                             w ? w->name : "", c->name));
		fputs("</div><div class=\"detail\">", out);
		report_esc(out, c->detail);
		fputs("</div><div class=\"fix\"><strong>Fix:</strong> ", out);
		report_esc(out, w && w->fix ? w->fix : "-");
		fprintf(out, "</div></td><td class=\"n cum\">%s</td></tr>\n",
		        report_pct(pct, cum, r->cls[RES_INSECURE]));
	}
	if (shown > 0) {
		fputs("</tbody></table>\n", out);
		if (i < t->n && t->ent[i].insecure > 0)
			fprintf(out, "<p class=\"note\">More domains have insecure "
			        "users; the first %zu are listed (scorer report "
			        "--top N).</p>\n", r->top_domains);
	} else {
		fputs("<p>No domain has an insecure user.</p>\n", out);
	}
	fputs("</section>\n", out);
}

/* ---- could not be assessed, invalid --------------------------------------- */

static int
cmp_users(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (x->users != y->users)
		return x->users > y->users ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
reason_table(FILE *out, struct report_table *t, const char *id,
             const char *what)
{
	char num[32];
	size_t i;

	if (t->n == 0)
		return;
	qsort(t->ent, t->n, sizeof(*t->ent), cmp_users);
	fprintf(out, "<table id=\"%s\"><thead><tr><th>%s</th><th>Users</th>"
	        "<th>For example at</th></tr></thead>\n<tbody>\n", id, what);
	for (i = 0; i < t->n && i < MAX_FINDINGS_SHOWN; i++) {
		fputs("<tr><td class=\"wrap\">", out);
		report_esc(out, t->ent[i].name);
		fprintf(out, "</td><td class=\"n users\">%s</td><td class=\"wrap\">",
		        report_num(num, t->ent[i].users));
		report_esc(out, t->ent[i].detail ? t->ent[i].detail : "-");
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (t->n > MAX_FINDINGS_SHOWN || t->overflow > 0)
		fprintf(out, "<p class=\"note\">More reasons are not shown.</p>\n");
}

static void
unassessed(FILE *out, struct report *r, const struct report_count **v)
{
	char num[32], n2[32];

	fprintf(out, "<section id=\"unassessed\">\n<h2>Could not be assessed, "
	        "and invalid</h2>\n<p class=\"note\"><span id=\"u-error\">%s"
	        "</span> users could not be assessed: evidence the verdict "
	        "needs is missing, which is no weakness and no good news "
	        "either.  A finding that says \"could not verify\" names what "
	        "is missing; users of any verdict may have one, and a user "
	        "may lack more than one thing.</p>\n",
	        report_num(num, r->cls[RES_ERROR]));
	if (finding_table(out, r, v, G_UNVERIFIED, "unverified") == 0 &&
	    r->missing.n == 0)
		fputs("<p>Nothing is missing.</p>\n", out);
	if (r->missing.n > 0) {
		fputs("<h3>Could not be checked at all</h3>\n", out);
		reason_table(out, &r->missing, "missing", "Why");
	}
	fprintf(out, "<h3>Invalid addresses</h3>\n<p class=\"note\"><span "
	        "id=\"u-invalid\">%s</span> users have no valid recovery "
	        "address (%s of the users): ask them for one.</p>\n",
	        report_num(num, r->cls[RES_INVALID]),
	        report_pct(n2, r->cls[RES_INVALID], r->records));
	reason_table(out, &r->invalid, "invalid", "Why it is invalid");
	fputs("</section>\n", out);
}

/* ---- users to act on ------------------------------------------------------ */

static void
row(FILE *out, const struct report *r, const struct report_row *w)
{
	const char *v = res_class_name[w->cls];

	fprintf(out, "<tr data-verdict=\"%s\"><td class=\"n\">%lu</td>", v,
	        w->line);
	if (r->show_addresses) {
		fputs("<td class=\"wrap addr\">", out);
		report_esc(out, w->address);
		fputs("</td>", out);
	}
	if (r->has_key) {
		fputs("<td class=\"wrap key\">", out);
		report_esc(out, w->key);
		fputs("</td>", out);
	}
	fputs("<td class=\"wrap dom\">", out);
	report_esc(out, w->domain);
	fprintf(out, "</td><td><span class=\"v %s\">%s</span></td><td>", v, v);
	report_esc(out, w->grade);
	fputs("</td><td class=\"n\">", out);
	if (w->score >= 0)
		fprintf(out, "%d", w->score);
	fputs("</td><td class=\"wrap ids\"><code>", out);
	report_esc(out, w->ids);
	fputs("</code></td></tr>\n", out);
}

static void
records(FILE *out, const struct report *r)
{
	char num[32], n2[32];
	unsigned long n = r->records - r->cls[RES_SECURE];
	size_t i;

	fprintf(out, "<p class=\"note\" id=\"print-note\">The list of the "
	        "%s users to act on is left out of the printed page; it is "
	        "in the page itself.</p>\n", report_num(num, n));
	fprintf(out, "<section id=\"table\">\n<h2>Users to act on</h2>\n"
	        "<p class=\"note\">Insecure, unassessed and invalid, in the "
	        "results' order, by their line%s; the first %s are listed.  "
	        "Findings most severe first.</p>\n"
	        "<div class=\"tools\"><input id=\"q\" type=\"search\" "
	        "placeholder=\"Search %sdomain, finding\" "
	        "aria-label=\"search\" autocomplete=\"off\">"
	        "<select id=\"vf\" aria-label=\"verdict\"><option value=\"\">"
	        "all verdicts</option><option value=\"insecure\">insecure"
	        "</option><option value=\"error\">could not be assessed"
	        "</option><option value=\"invalid\">invalid</option></select>"
	        "<span id=\"shown\">%s of %s rows shown</span></div>\n"
	        "<table id=\"records\"><thead><tr><th>Line</th>%s%s"
	        "<th>Domain</th><th>Verdict</th><th>Grade</th><th>Score</th>"
	        "<th>Findings</th></tr></thead>\n<tbody>\n",
	        r->has_key ? " and key" : "", report_num(num, r->maxrow),
	        r->show_addresses ? "address, " : r->has_key ? "key, " : "",
	        report_num(n2, r->nrow), n2,
	        r->show_addresses ? "<th>Address</th>" : "",
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

int
report_html(FILE *out, struct report *r)
{
	const struct report_count **v = by_risk(&r->finding);
	char nonce[33];

	if (v == NULL) {
		fputs("scorer report: out of memory\n", stderr);
		return -1;
	}
	make_nonce(nonce);
	head(out, nonce);
	header(out, r);
	cards(out, r);
	risks(out, r, v);
	domains(out, r);
	charts(out, r);
	hygiene(out, r, v);
	unassessed(out, r, v);
	if (r->diff != NULL)
		report_html_changes(out, r);
	records(out, r);
	fprintf(out, "<footer>scorer report &middot; self-contained: no "
	        "external resources</footer>\n</main>\n"
	        "<script nonce=\"%s\">\n%s</script>\n</body>\n</html>\n", nonce,
	        script);
	free(v);
	return 0;
}
