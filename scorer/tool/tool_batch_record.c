/*
 * batch records in JSON Lines.  By default a record is compact: what a
 * security team acts on and what `scorer report` and `scorer diff` read
 * (the verdict, grade, score and threat model, each finding's id,
 * severity and detail, the user's key and when it was checked), a few
 * hundred bytes.  --evidence writes the whole report of `check --json`
 * instead (every DNS lookup, what each check saw, the rules' texts),
 * several kilobytes, most of it the same for every user of a domain.
 * The texts of the rules are not lost in a compact record: the reader
 * looks them up by id (scorer explain ID, the report's fix column).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool_batch.h"
#include "tool_json.h"

/* The time a record was written, to the second: "stale since" in scorer
 * diff.  One strftime a second, not one a record. */
static const char *
checked_now(void)
{
	static char buf[32];
	static time_t last = -1;
	time_t now = time(NULL);

	if (now != last) {
		tool_utc(buf, now);
		last = now;
	}
	return buf;
}

static void
head(FILE *fp, const struct batch_rec *rec)
{
	fprintf(fp, "{\"line\":%lu,", rec->line);
	if (rec->key != NULL)
		fprintf(fp, "\"key\":%s,", rec->key);
	fprintf(fp, "\"checked\":\"%s\",", checked_now());
}

/* A line that could not be checked at all: a bad input line (no address)
 * or a check that could not start. */
static void
error_record(FILE *fp, const struct batch_rec *rec)
{
	head(fp, rec);
	fputs("\"address\":", fp);
	tool_json_str(fp, rec->address);
	fputs(",\"verdict\":\"error\",\"error\":", fp);
	tool_json_str(fp, rec->error ? rec->error : "could not be checked");
	fputs("}\n", fp);
}

static void
compact_record(FILE *fp, const struct batch_rec *rec, const sc_report_t *rep)
{
	const char *grade = sc_report_grade(rep), *skip;
	size_t i, n = sc_report_finding_count(rep);

	head(fp, rec);
	fputs("\"address\":", fp);
	tool_json_str(fp, sc_report_address(rep));
	fputs(",\"domain\":", fp);
	tool_json_str(fp, sc_report_domain(rep));
	fprintf(fp, ",\"verdict\":\"%s\",\"grade\":",
	        sc_verdict_str(sc_report_verdict(rep)));
	tool_json_str(fp, grade);
	if (sc_report_score(rep) >= 0)
		fprintf(fp, ",\"score\":%d", sc_report_score(rep));
	else
		fputs(",\"score\":null", fp);
	fprintf(fp, ",\"threat_model\":\"%s\"",
	        sc_threat_model_str(sc_report_threat_model(rep)));
	/* Only when checks were skipped: they narrow what the verdict says. */
	for (i = 0; (skip = sc_report_skipped(rep, i)) != NULL; i++)
		fprintf(fp, "%s\"%s\"", i ? "," : ",\"skipped\":[", skip);
	if (i > 0)
		putc(']', fp);
	fputs(",\"findings\":[", fp);
	for (i = 0; i < n; i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		fputs(i ? ",{\"id\":" : "{\"id\":", fp);
		tool_json_str(fp, f->id);
		fprintf(fp, ",\"severity\":\"%s\"", sc_severity_str(f->severity));
		if (f->unverified)
			fputs(",\"unverified\":true", fp);
		fputs(",\"detail\":", fp);
		tool_json_str(fp, f->detail);
		putc('}', fp);
	}
	fputs("]}\n", fp);
}

static int
evidence_record(FILE *fp, const struct batch_rec *rec, const sc_report_t *rep)
{
	char *text;

	if (sc_report_json(rep, &text) != SC_OK)
		return -1;
	head(fp, rec);
	fprintf(fp, "%s\n", text + 1);
	sc_free(text);
	return 0;
}

int
batch_record_write(FILE *fp, const struct batch_rec *rec,
                   const sc_report_t *rep, int evidence)
{
	if (rep == NULL)
		error_record(fp, rec);
	else if (evidence)
		return evidence_record(fp, rec, rep);
	else
		compact_record(fp, rec, rep);
	return ferror(fp) ? -1 : 0;
}
