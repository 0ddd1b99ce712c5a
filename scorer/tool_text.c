/*
 * The report for people: the verdict first, then each finding with what
 * to do.  Colour only on a terminal, and never when NO_COLOR is set
 * (no-color.org).
 */
#include <stdlib.h>
#include <string.h>
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

static const char *
verdict_colour(sc_verdict_t v)
{
	return v == SC_VERDICT_SECURE ? GREEN :
	       v == SC_VERDICT_INSECURE ? RED : YELLOW;
}

static const char *
verdict_words(sc_verdict_t v)
{
	switch (v) {
	case SC_VERDICT_SECURE:
		return "SECURE: no weak link found in this recovery address";
	case SC_VERDICT_INSECURE:
		return "INSECURE: this recovery address is a weak link";
	default:
		return "COULD NOT BE ASSESSED: evidence is missing, so it "
		       "cannot be called secure";
	}
}

/* The first sentence of why: the line leads, the finding below says the
 * rest (what MTA-STS and DANE each lack, and the fix). */
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

/* The answer to "can recovery mail be read on the way?", in words. */
static void
interception_line(FILE *out, const sc_report_t *rep, int colour)
{
	const char *why = NULL, *via = sc_report_interception_via(rep);
	sc_interception_t iv = sc_report_interception(rep, &why);

	switch (iv) {
	case SC_INTERCEPTION_PROTECTED:
		fprintf(out, "  %sread on the way? no%s: protected by %s\n",
		        colour ? GREEN : "", colour ? RESET : "",
		        via != NULL && via[0] == 'd' ? "DANE" : "MTA-STS");
		break;
	case SC_INTERCEPTION_EXPOSED:
		fprintf(out, "  %sread on the way? yes%s: %.*s\n",
		        colour ? RED : "", colour ? RESET : "",
		        first_sentence(why), why != NULL ? why : "");
		break;
	default:
		fprintf(out, "  %sread on the way? could not tell%s: %.*s\n",
		        colour ? YELLOW : "", colour ? RESET : "",
		        first_sentence(why), why != NULL ? why : "");
		break;
	}
}

static const char *
severity_colour(sc_severity_t s)
{
	return s <= SC_SEV_HIGH ? RED : s == SC_SEV_MEDIUM ? YELLOW : DIM;
}

void
tool_text_report(FILE *out, const sc_report_t *rep, int colour)
{
	sc_verdict_t v = sc_report_verdict(rep);
	size_t i, n = sc_report_finding_count(rep);

	fprintf(out, "%s%s%s\n", colour ? BOLD : "", sc_report_address(rep),
	        colour ? RESET : "");
	fprintf(out, "  %s%s%s\n", colour ? verdict_colour(v) : "",
	        verdict_words(v), colour ? RESET : "");
	interception_line(out, rep, colour);
	fprintf(out, "  grade %s, score %d/100", sc_report_grade(rep),
	        sc_report_score(rep));
	if (*sc_report_domain(rep) != '\0')
		fprintf(out, ", domain %s", sc_report_domain(rep));
	fprintf(out, " (%u ms)\n", sc_report_elapsed_ms(rep));
	tool_text_sender_auth(out, rep);
	for (i = 0; i < n; i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		fprintf(out, "\n  %s%-8s%s %s: %s\n",
		        colour ? severity_colour(f->severity) : "",
		        sc_severity_str(f->severity), colour ? RESET : "", f->id,
		        f->title);
		fprintf(out, "           %s\n", f->detail);
		if (*f->fix != '\0')
			fprintf(out, "           Fix: %s\n", f->fix);
	}
	if (n == 0)
		fputs("  no findings\n", out);
	fputc('\n', out);
}
