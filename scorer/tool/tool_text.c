/*
 * The report for people, one screen per address where possible: the
 * verdict with its reason, the answer to "can it be read on the way?",
 * then the findings worst first, each piece of advice once.  Lines are
 * wrapped to the terminal (80 columns when not a terminal).  Colour only
 * on a terminal, and never when NO_COLOR is set (no-color.org).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tool.h"

#define RED "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN "\033[1;32m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

int
tool_want_colour(FILE *out)
{
	const char *nc = getenv("NO_COLOR");

	if (nc != NULL && *nc != '\0')
		return 0;
	return isatty(fileno(out));
}

/* The terminal's width, or 80 when out is not one (a pipe, a file). */
static int
text_width(FILE *out)
{
	struct winsize ws;

	if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 40)
		return ws.ws_col > 160 ? 160 : ws.ws_col;
	return 80;
}

/*
 * text, wrapped at width: the first line continues a line that already
 * holds `used` columns, the others are indented by `indent`.  Words
 * longer than a line are not broken.  Bytes that are not printable
 * ASCII were made '?' by the library for details; titles and fixes are
 * the rules', so text is written as it is.
 */
static void
wrap(FILE *out, const char *text, int used, int indent, int width)
{
	const char *p = text;
	int col = used, gap = 0;

	while (*p != '\0') {
		const char *w = p;
		int len;

		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		for (len = 0; w[len] != '\0' && w[len] != ' '; len++)
			;
		if (gap && col + 1 + len > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (gap) {
			fputc(' ', out);
			col++;
		}
		fwrite(w, 1, (size_t)len, out);
		col += len;
		gap = 1;
		p = w + len;
	}
	fputc('\n', out);
}

static const char *
verdict_colour(sc_verdict_t v)
{
	return v == SC_VERDICT_SECURE ? GREEN :
	       v == SC_VERDICT_INSECURE ? RED : YELLOW;
}

static const char *
verdict_word(sc_verdict_t v)
{
	switch (v) {
	case SC_VERDICT_SECURE: return "SECURE";
	case SC_VERDICT_INSECURE: return "INSECURE";
	default: return "COULD NOT BE ASSESSED";
	}
}

/* The first sentence of why: the line leads, the findings below say the
 * rest. */
static int
first_sentence(const char *why)
{
	const char *end = why != NULL ? strstr(why, ": senders fall back") : NULL;

	if (why == NULL)
		return 0;
	if (end == NULL)
		end = strstr(why, ". ");
	return end != NULL ? (int)(end - why) : (int)strlen(why);
}

/* "can recovery mail be read on the way?", in words that never
 * contradict the verdict line above: under the threat model remote an
 * exposed address may be secure, and the line says the verdict does not
 * rate it. */
static void
interception_line(FILE *out, const sc_report_t *rep, int colour, int width)
{
	const char *why = NULL, *via = sc_report_interception_via(rep);
	sc_interception_t iv = sc_report_interception(rep, &why);
	char line[2400];
	const char *c = YELLOW;

	switch (iv) {
	case SC_INTERCEPTION_PROTECTED:
		c = GREEN;
		snprintf(line, sizeof(line), "no: protected by %s%s",
		         via != NULL && via[0] == 'd' ? "DANE" : "MTA-STS",
		         strstr(why, "probe was skipped") != NULL
		         ? " (by the policy alone: the STARTTLS probe that "
		           "checks the certificates was skipped)" : "");
		break;
	case SC_INTERCEPTION_EXPOSED:
		c = RED;
		snprintf(line, sizeof(line), "yes%s: %.*s",
		         sc_report_threat_model(rep) == SC_THREAT_REMOTE
		         ? " (not rated: threat model remote)" : "",
		         first_sentence(why), why != NULL ? why : "");
		break;
	default:
		snprintf(line, sizeof(line), "%s: %.*s",
		         sc_report_verdict(rep) == SC_VERDICT_ERROR ||
		         sc_report_skipped(rep, 0) == NULL
		         ? "could not tell" : "not assessed",
		         first_sentence(why), why != NULL ? why : "");
		break;
	}
	fprintf(out, "  %sRead on the way?%s ", colour ? c : "",
	        colour ? RESET : "");
	wrap(out, line, 19, 4, width);
}

static void
summary_line(FILE *out, const sc_report_t *rep, int width)
{
	char line[512];
	size_t n = 0, i;
	const char *skip;
	unsigned lookups = (unsigned)sc_report_record_count(rep);

	if (sc_report_grade(rep) != NULL)
		n += (size_t)snprintf(line, sizeof(line), "Grade %s, score "
		                      "%d/100", sc_report_grade(rep),
		                      sc_report_score(rep));
	else
		n += (size_t)snprintf(line, sizeof(line), "No grade or score "
		                      "(the assessment is not complete)");
	if (*sc_report_domain(rep) != '\0')
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; domain %s",
		                      sc_report_domain(rep));
	n += (size_t)snprintf(line + n, sizeof(line) - n, "; %u DNS lookup%s, "
	                      "%u ms; threat model %s", lookups,
	                      lookups == 1 ? "" : "s",
	                      sc_report_elapsed_ms(rep),
	                      sc_threat_model_str(sc_report_threat_model(rep)));
	for (i = 0; (skip = sc_report_skipped(rep, i)) != NULL &&
	            n + 40 < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
		                      i == 0 ? "; skipped: " : ", ", skip);
	fputs("  ", out);
	wrap(out, line, 2, 4, width);
}

static const char *
severity_colour(sc_severity_t s)
{
	return s <= SC_SEV_HIGH ? RED : s == SC_SEV_MEDIUM ? YELLOW : DIM;
}

/* Has an earlier finding of the report given the same advice? */
static int
fix_given(const sc_report_t *rep, size_t i)
{
	const sc_finding_t *f = sc_report_finding(rep, i);
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(sc_report_finding(rep, j)->fix, f->fix) == 0)
			return 1;
	return 0;
}

void
tool_text_report(FILE *out, const sc_report_t *rep, int colour)
{
	sc_verdict_t v = sc_report_verdict(rep);
	size_t i, n = sc_report_finding_count(rep);
	int width = text_width(out);
	const char *word = verdict_word(v);

	fprintf(out, "%s%s%s\n", colour ? BOLD : "", sc_report_address(rep),
	        colour ? RESET : "");
	fprintf(out, "  %s%s%s: ", colour ? verdict_colour(v) : "", word,
	        colour ? RESET : "");
	wrap(out, sc_report_headline(rep), 4 + (int)strlen(word), 4, width);
	interception_line(out, rep, colour, width);
	summary_line(out, rep, width);
	tool_text_sender_auth(out, rep);
	for (i = 0; i < n; i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);
		char head[512];

		snprintf(head, sizeof(head), "%s: %s%s", f->id, f->title,
		         f->unverified ? " (could not verify)" : "");
		fprintf(out, "\n  %s%-8s%s ",
		        colour ? severity_colour(f->severity) : "",
		        sc_severity_str(f->severity), colour ? RESET : "");
		wrap(out, head, 11, 11, width);
		fprintf(out, "%11s", "");
		wrap(out, f->detail, 11, 11, width);
		if (*f->fix != '\0' && !fix_given(rep, i)) {
			fprintf(out, "%11sFix: ", "");
			wrap(out, f->fix, 16, 11, width);
		}
	}
	if (n == 0)
		fputs("  no findings\n", out);
	fputc('\n', out);
}

void
tool_print_notices(sc_ctx_t *ctx)
{
	const char *msg;
	size_t i;

	for (i = 0; (msg = sc_ctx_notice(ctx, i)) != NULL; i++)
		fprintf(stderr, "scorer: note: %s\n", msg);
}
