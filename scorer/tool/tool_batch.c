/*
 * scorer batch: a stream of addresses in, one record per input line out,
 * in input order, on the same engine as `scorer check`.  The work in
 * flight is bounded (--concurrency), and a reorder window of the same
 * size keeps the output in input order without holding the whole file.
 * Killed at any moment, the output ends in whole records (plus at most a
 * half line, which --resume cuts off); SIGINT and SIGTERM stop cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_batch.h"
#include "tool_file.h"

/* The key columns' names when there was no memory for the list. */
static char *no_keys[1];

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

struct slot {
	struct batch_rec rec;
	sc_report_t *report;
	int used, done;
	double started;            /* when its check began (batch_now()) */
	size_t *active;            /* the batch's count of checks running */
};

struct batch {
	sc_ctx_t *ctx;
	struct slot *slot;
	size_t window;             /* records held: running or waiting to be
	                            * written in order */
	size_t concurrency;        /* checks running at once */
	size_t active;
	unsigned long head, tail;  /* records written, records taken */
	size_t inflight;
	struct batch_in in;
	struct batch_out out;
	struct batch_summary sum;
	unsigned long skip_upto;   /* --resume: lines already written */
	unsigned long skipped;     /* records it had written */
	unsigned long last_line;   /* the last line written */
	int progress;
	off_t total;
	int failed;
	struct batch_fail_on fail_on;
	unsigned long failing;     /* records that meet --fail-on */
};

struct bopts {
	const char *input, *output, *column, *summary;
	const char *enrolled_column;
	enum batch_out_format format;
	size_t concurrency;
	int resume, numbered, quiet, evidence;
	struct batch_fail_on fail_on;
};

static void
on_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct slot *s = userdata;

	if (status != SC_OK && s->rec.error == NULL)
		s->rec.error = strdup(sc_strerror(status));
	s->report = report;
	s->done = 1;
	(*s->active)--;
}

/* Write every finished record at the head of the window, in order. */
static int
flush_ready(struct batch *b)
{
	while (b->head < b->tail) {
		struct slot *s = &b->slot[b->head % b->window];

		if (!s->done)
			break;
		errno = 0;
		if (batch_out_write(&b->out, &s->rec, s->report) != 0) {
			fprintf(stderr, "scorer batch: cannot write %s: %s\n",
			        b->out.name, errno ? strerror(errno)
			                           : "out of memory");
			return -1;
		}
		batch_summary_add(&b->sum, s->report, s->rec.address == NULL);
		if (batch_fail_on_match(&b->fail_on, s->report))
			b->failing++;
		b->last_line = s->rec.line;
		sc_report_free(s->report);
		batch_rec_clear(&s->rec);
		memset(s, 0, sizeof(*s));
		b->head++;
		b->inflight--;
	}
	return 0;
}

/* Take the next input record into the window and start its check.
 * 1: taken, 0: end of input, -1: read error. */
static int
take(struct batch *b)
{
	struct slot *s = &b->slot[b->tail % b->window];
	struct batch_rec rec;
	sc_check_opts_t copts = { sizeof(copts), 0, 0 };
	int rc;

	/* (On --resume, the records written before were read off the input
	 * by resume_verify().) */
	rc = batch_in_next(&b->in, &rec);
	if (rc <= 0)
		return rc;
	s->rec = rec;
	s->used = 1;
	s->started = batch_now();
	b->tail++;
	b->inflight++;
	if (rec.address == NULL) {
		s->done = 1; /* a bad line: its error record, in its place */
		return 1;
	}
	s->active = &b->active;
	if (rec.enrolled != NULL) {
		int day;

		if (tool_parse_date(rec.enrolled, &copts.enrolled, &day) != 0) {
			char why[200];

			snprintf(why, sizeof(why), "the enrollment date '%.80s' "
			         "is not a date (YYYY-MM-DD or RFC 3339)",
			         rec.enrolled);
			s->rec.error = strdup(why);
			s->done = 1; /* an error record, in its place */
			return 1;
		}
		copts.flags = SC_CHECK_ENROLLED |
		              (day ? SC_CHECK_ENROLLED_DAY : 0);
	}
	if (sc_check_async_ex(b->ctx, rec.address, &copts, on_done, s) !=
	    SC_OK) {
		s->rec.error = strdup(sc_ctx_errmsg(b->ctx));
		s->done = 1;
	} else {
		b->active++;
	}
	return 1;
}

static void
show_progress(struct batch *b, int final)
{
	struct batch_progress p;
	const struct slot *h = &b->slot[b->head % b->window];
	sc_stats_t st = { .size = sizeof(st) };

	if (!b->progress)
		return;
	sc_ctx_get_stats(b->ctx, &st);
	memset(&p, 0, sizeof(p));
	p.started = b->sum.started;
	p.done = b->skipped + b->sum.records;
	p.taken = b->skipped + b->tail;
	p.bytes = b->in.bytes;
	p.total = b->total;
	p.domains = st.domain_misses;
	p.width = batch_progress_width(STDERR_FILENO);
	/* Records are taken in order, so the check at the head of the
	 * window is the one that has been running longest. */
	if (b->head < b->tail && h->used && !h->done && h->rec.address) {
		p.waiting = h->rec.address;
		p.waited = batch_now() - h->started;
	}
	batch_progress_show(stderr, &p, final);
}

static int
run(struct batch *b)
{
	double last_progress = 0;
	int eof = 0, rc;

	while (!stop_signal && (!eof || b->inflight > 0)) {
		/* The window is wider than the work in flight, so that one
		 * slow domain at its head does not starve the engine. */
		while (!eof && !stop_signal && b->tail - b->head < b->window &&
		       b->active < b->concurrency) {
			if ((rc = take(b)) < 0) {
				fprintf(stderr, "scorer batch: %s: %s\n", b->in.name,
				        b->in.fatal[0] ? b->in.fatal
				                       : "out of memory");
				return -1;
			}
			eof = rc == 0;
		}
		if (flush_ready(b) != 0)
			return -1;
		if (b->inflight > 0 && !stop_signal &&
		    !b->slot[b->head % b->window].done)
			sc_perform(b->ctx, 250, NULL);
		if (batch_now() - last_progress > 0.25) {
			show_progress(b, 0);
			last_progress = batch_now();
		}
	}
	return flush_ready(b);
}

#define OUT_BUFSIZE (64 * 1024)
static char stdout_buf[OUT_BUFSIZE];

/* --resume: each record the output holds must be the input's, in order:
 * the same line number and the same address.  Read off the input here,
 * so that the run goes on after them. */
static int
resume_verify(void *ud, unsigned long line, const char *address)
{
	struct batch *b = ud;
	struct batch_rec rec;
	int rc = batch_in_next(&b->in, &rec), same;

	if (rc < 0) {
		fprintf(stderr, "scorer batch: %s: %s\n", b->in.name,
		        b->in.fatal[0] ? b->in.fatal : "out of memory");
		return 0;
	}
	if (rc == 0) {
		fprintf(stderr, "scorer batch: cannot resume %s: it has a record "
		        "for line %lu, but %s ends before: it was made from "
		        "another input\n", b->out.name, line, b->in.name);
		return 0;
	}
	same = rec.line == line &&
	       strcmp(rec.address ? rec.address : "",
	              address ? address : "") == 0;
	b->skipped += same; /* for the progress line: done before */
	if (!same)
		fprintf(stderr, "scorer batch: cannot resume %s: it was made from "
		        "another input (its record for line %lu is '%.100s', "
		        "where %s has '%.100s' on line %lu); give another "
		        "--output, or remove it to start again\n", b->out.name,
		        line, address ? address : "", b->in.name,
		        rec.address ? rec.address : "", rec.line);
	batch_rec_clear(&rec);
	return same;
}

/* The CSV header this run writes, as text without its newline (malloc),
 * or NULL for JSON Lines. */
static char *
csv_header(const struct batch_out *out)
{
	struct batch_out mem = *out;
	char *text = NULL;
	size_t len = 0;
	int ok;

	if (out->format != BATCH_OUT_CSV ||
	    (mem.fp = open_memstream(&text, &len)) == NULL)
		return NULL;
	ok = batch_out_header(&mem) == 0;
	if (fclose(mem.fp) != 0 || !ok) {
		free(text);
		return NULL;
	}
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

/* The output: the standard output, or a file locked for this run alone
 * (tool_lock(): a second run on it is refused, naming the first), cut to
 * nothing only once the lock is held, or on --resume checked against the
 * input and cut after its last whole record.  A device or a FIFO is
 * written through, and cannot be resumed. */
static FILE *
open_output(const struct bopts *o, struct batch *b)
{
	struct stat st;
	char *header;
	FILE *fp = NULL;
	int fd, ok;

	if (o->output == NULL || strcmp(o->output, "-") == 0) {
		b->out.name = "standard output";
		return stdout;
	}
	b->out.name = o->output;
	fd = open(o->output, (o->resume ? O_RDWR : O_WRONLY) | O_CREAT |
	          O_CLOEXEC, 0666);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "scorer batch: cannot write %s: %s\n", o->output,
		        strerror(errno));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		if (tool_lock(fd, "scorer batch", o->output) != 0 ||
		    (!o->resume && ftruncate(fd, 0) != 0))
			goto fail;
	} else if (o->resume) {
		fprintf(stderr, "scorer batch: cannot resume %s: not a regular "
		        "file\n", o->output);
		goto fail;
	}
	if ((fp = fdopen(fd, o->resume ? "r+" : "w")) == NULL) {
		fprintf(stderr, "scorer batch: %s: %s\n", o->output,
		        strerror(errno));
		goto fail;
	}
	if (!o->resume)
		return fp;
	header = csv_header(&b->out);
	ok = batch_out_resume(fp, o->output, o->format, header, &b->skip_upto,
	                      resume_verify, b) == 0;
	free(header);
	if (!ok) {
		fclose(fp);
		return NULL;
	}
	if (b->skip_upto > 0)
		fprintf(stderr, "scorer batch: resuming after line %lu\n",
		        b->skip_upto);
	return fp;
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

static FILE *
open_input(const struct bopts *o, struct batch *b)
{
	struct stat st;
	FILE *fp;

	if (o->input == NULL || strcmp(o->input, "-") == 0) {
		b->in.name = "standard input";
		fp = stdin;
	} else if ((fp = fopen(o->input, "r")) == NULL) {
		fprintf(stderr, "scorer batch: cannot read %s: %s\n", o->input,
		        strerror(errno));
		return NULL;
	}
	if (*tool_not_readable(fp) != '\0') {
		fprintf(stderr, "scorer batch: cannot read %s: %s\n", o->input,
		        tool_not_readable(fp));
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		b->total = st.st_size;
	return fp;
}

/* The summary: JSON to its file (opened before the run, put in place
 * after it), or words on stderr. */
static int
write_summary(const struct bopts *o, struct batch *b, struct tool_out *sum)
{
	sc_stats_t st = { .size = sizeof(st) };

	sc_ctx_get_stats(b->ctx, &st);
	if (o->summary != NULL) {
		batch_summary_print(sum->fp, &b->sum, &st, b->ctx, 1);
		return tool_out_close(sum, 1);
	}
	if (!o->quiet)
		batch_summary_print(stderr, &b->sum, &st, b->ctx, 0);
	return 0;
}

/* Everything after option parsing.  Exit status: 0 the run completed
 * (whatever the verdicts: they are in the records, unless --fail-on), 1
 * it completed and a record met --fail-on, 2 an error, 128+N when
 * stopped by signal N (the output is resumable). */
static int
batch_main(sc_ctx_t *ctx, const struct bopts *o)
{
	struct batch b;
	struct tool_out sum;
	FILE *in = NULL, *out = NULL;
	char *outbuf = NULL;
	int rc = TOOL_EXIT_ERROR, summary_open = 0;
	struct sigaction sa;
	const struct tool_role roles[] = {
		{ "--input", o->input, 0 },
		{ "--output", o->output, 1 },
		{ "--summary", o->summary, -1 },
	};

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.concurrency = o->concurrency;
	b.window = o->concurrency * 2;
	b.sum.started = batch_now();
	b.fail_on = o->fail_on;
	b.progress = !o->quiet && isatty(STDERR_FILENO);
	/* Two roles in one file would destroy one: refused before anything
	 * is opened for writing (the summary, when given, is a file). */
	if (tool_distinct("scorer batch", roles, o->summary != NULL ? 3 : 2)
	    != 0)
		goto done;
	if ((b.slot = calloc(b.window, sizeof(*b.slot))) == NULL ||
	    (in = open_input(o, &b)) == NULL ||
	    batch_in_open(&b.in, in, in == stdin ? "standard input" : o->input,
	                  o->column ? BATCH_IN_CSV : o->numbered ?
	                  BATCH_IN_NUMBERED : BATCH_IN_PLAIN, o->column) != 0 ||
	    (o->enrolled_column != NULL &&
	     batch_in_enrolled_column(&b.in, o->enrolled_column) != 0))
		goto done;
	b.out.format = o->format;
	b.out.evidence = o->evidence;
	if (o->column != NULL) {
		/* CSV output carries the key columns by name. */
		size_t i, k = 0;

		b.out.keynames = calloc(b.in.nheader + 1, sizeof(char *));
		for (i = 0; b.out.keynames && i < b.in.nheader; i++)
			if ((long)i != b.in.addr_col)
				b.out.keynames[k++] = b.in.header[i];
		if (b.out.keynames == NULL)
			b.out.keynames = no_keys;
		b.out.nkeys = k;
	}
	/* Every output opened before the run: a place that cannot be
	 * written fails now, not after a million lines. */
	if ((out = open_output(o, &b)) == NULL)
		goto done;
	if (o->summary != NULL) {
		if (tool_out_open(&sum, "scorer batch", o->summary) != 0)
			goto done;
		summary_open = 1;
	}
	/* Room for a whole record, so that the flush after each one is one
	 * write(): a kill leaves the last line whole or visibly cut.  (The
	 * default buffer, 4 KiB, is smaller than a typical JSON record, and
	 * glibc ignores a size given without a buffer.)  Without memory for
	 * it the default buffer does, in more writes.  Standard output keeps
	 * its buffer until exit, where glibc drops the pointer to it: a
	 * static one, which no leak checker calls lost. */
	if (out == stdout)
		setvbuf(out, stdout_buf, _IOFBF, OUT_BUFSIZE);
	else if ((outbuf = malloc(OUT_BUFSIZE)) != NULL)
		setvbuf(out, outbuf, _IOFBF, OUT_BUFSIZE);
	b.out.fp = out;
	errno = 0;
	if ((!o->resume || ftello(out) == 0) &&
	    batch_out_header(&b.out) != 0) {
		fprintf(stderr, "scorer batch: cannot write %s: %s\n", b.out.name,
		        errno ? strerror(errno) : "out of memory");
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (run(&b) == 0)
		rc = b.failing > 0 ? TOOL_EXIT_INSECURE : 0;
	show_progress(&b, 1);
	if (stop_signal) {
		fprintf(stderr, "scorer batch: stopped by signal %d after line "
		        "%lu; rerun with --resume to go on\n", (int)stop_signal,
		        b.last_line);
		rc = 128 + stop_signal;
	}
	summary_open = 0;
	if (write_summary(o, &b, &sum) != 0 && rc == 0)
		rc = TOOL_EXIT_ERROR;
done:
	if (summary_open)
		tool_out_close(&sum, 0); /* no summary of a run that failed */
	if (b.slot != NULL) {
		size_t i;

		/* Free the context first: it cancels the checks in flight,
		 * whose callbacks would otherwise write into freed slots. */
		sc_ctx_free(ctx);
		for (i = 0; i < b.window; i++) {
			sc_report_free(b.slot[i].report);
			batch_rec_clear(&b.slot[i].rec);
		}
	} else {
		sc_ctx_free(ctx);
	}
	if (b.out.keynames != no_keys)
		free(b.out.keynames);   /* also when the address is all there is */
	batch_summary_clear(&b.sum);
	batch_in_close(&b.in);
	if (in != NULL && in != stdin)
		fclose(in);
	if (out != NULL && out != stdout) {
		/* Every record was flushed and checked; the close too. */
		if (fclose(out) != 0 && rc == 0) {
			fprintf(stderr, "scorer batch: cannot write %s: %s\n",
			        b.out.name, strerror(errno));
			rc = TOOL_EXIT_ERROR;
		}
		free(outbuf);
	}
	/* stdout keeps its buffer until exit (nothing is left in it: every
	 * record was flushed). */
	free(b.slot);
	return rc;
}

static void
batch_usage(FILE *fp)
{
	fputs("usage: scorer batch [OPTIONS] [INPUT|-]\n"
	      "\n"
	      "Rate a list of addresses of any length: one record per input "
	      "line, in input\norder, each written whole and flushed.  The "
	      "list is INPUT (or --input), standard\ninput when it is - or "
	      "not given: one address a line (blank lines and #\ncomments "
	      "skipped), CSV with --column, or LINE<TAB>ADDRESS with "
	      "--numbered.\n"
	      "\n"
	      "      --input FILE|-          the list (default: standard "
	      "input)\n"
	      "  -o, --output FILE|-         where the records go (default: "
	      "standard output)\n"
	      "      --format jsonl|csv      JSON Lines (default) or CSV "
	      "records\n"
	      "      --column NAME           CSV input: the address column; "
	      "the others are the\n"
	      "                              user's key, carried through\n"
	      "      --enrolled-column NAME  CSV input: the column of the date "
	      "each address\n"
	      "                              was enrolled (YYYY-MM-DD or RFC "
	      "3339; empty:\n"
	      "                              unknown), for "
	      "domain.re_registered\n"
	      "      --numbered              input lines are LINE<TAB>ADDRESS "
	      "(split lists)\n"
	      "      --concurrency N         addresses in flight (1000)\n"
	      "      --resume                go on after the last complete "
	      "record of --output\n"
	      "      --summary FILE          write the run's summary there as "
	      "JSON\n"
	      "  -q, --quiet                 no progress bar, no summary on "
	      "stderr\n"
	      "      --evidence              JSON Lines: the whole report (DNS "
	      "lookups, what\n"
	      "                              each check saw, the rules' texts), "
	      "not the\n"
	      "                              compact record\n"
	      "      --fail-on WHAT,...      exit 1 when a record is insecure, "
	      "an error, or\n"
	      "                              has a finding this severe "
	      "(critical, high,\n"
	      "                              medium, low, info)\n", fp);
	tool_common_help(fp);
	fputs("  -h, --help                  this help\n"
	      "\n"
	      "Exit status: 0 the run completed (the verdicts are in the "
	      "records), 1 it\ncompleted and a record met --fail-on, 2 an "
	      "error, 128+N stopped by signal N\n(rerun with --resume to go "
	      "on).\n", fp);
}

static int
parse_size(const char *arg, size_t *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end != '\0' || *arg == '-' || v == 0 || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

int
tool_batch(int argc, char **argv)
{
	/* Only -o, -q and -h are short options ("o:qh"); the other codes
	 * are not in the option string. */
	enum { OPT_CONCURRENCY = TOOL_OPT_OWN, OPT_RESUME, OPT_EVIDENCE,
	       OPT_FAIL_ON, OPT_ENROLLED_COLUMN };
	static const struct option own[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "column", required_argument, NULL, 'c' },
		{ "enrolled-column", required_argument, NULL,
		  OPT_ENROLLED_COLUMN },
		{ "numbered", no_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "summary", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "evidence", no_argument, NULL, OPT_EVIDENCE },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bopts o = { NULL, NULL, NULL, NULL, NULL, BATCH_OUT_JSONL, 1000,
	                   0, 0, 0, 0, { 0, 0, -1 } };
	struct tool_common common = { NULL, 0, NULL, NULL };
	struct option *longopts = tool_longopts(own);
	sc_ctx_t *ctx = NULL;
	int c, r;

	if (longopts == NULL || sc_ctx_new(&ctx) != SC_OK) {
		fputs("scorer: out of memory\n", stderr);
		free(longopts);
		return TOOL_EXIT_ERROR;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:qh" TOOL_COMMON_SHORTOPTS,
	                        longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.input = optarg; continue;
		case 'o': o.output = optarg; continue;
		case 'c': o.column = optarg; continue;
		case OPT_ENROLLED_COLUMN: o.enrolled_column = optarg; continue;
		case 'n': o.numbered = 1; continue;
		case OPT_RESUME: o.resume = 1; continue;
		case 's': o.summary = optarg; continue;
		case 'q': o.quiet = 1; continue;
		case OPT_EVIDENCE: o.evidence = 1; continue;
		case OPT_FAIL_ON:
			if (batch_fail_on_parse(&o.fail_on, optarg) != 0) {
				fprintf(stderr, "scorer batch: --fail-on '%s': "
				        "insecure, error or a severity (critical, "
				        "high, medium, low, info), comma-separated\n",
				        optarg);
				goto fail;
			}
			continue;
		case 'f':
			if (strcmp(optarg, "jsonl") == 0)
				o.format = BATCH_OUT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				o.format = BATCH_OUT_CSV;
			else
				goto bad_value;
			continue;
		case OPT_CONCURRENCY:
			if (parse_size(optarg, &o.concurrency) != 0)
				goto bad_value;
			continue;
		case 'h':
			batch_usage(stdout);
			free(longopts);
			sc_ctx_free(ctx);
			return 0;
		}
		r = tool_common_opt(ctx, &common, c, optarg);
		if (r == 0)
			continue;
		if (r > 0)
			goto usage;
		goto fail;
	}
	/* One operand: the input, as --input would name it. */
	if (optind < argc && o.input == NULL)
		o.input = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "scorer batch: one input only (got '%s' "
		        "too)\n", argv[optind]);
		goto usage;
	}
	if (o.resume && (o.output == NULL || strcmp(o.output, "-") == 0)) {
		fputs("scorer batch: --resume needs --output FILE\n", stderr);
		goto fail;
	}
	if (o.numbered && o.column != NULL) {
		fputs("scorer batch: --numbered and --column cannot be combined "
		      "(CSV records carry their line numbers)\n", stderr);
		goto fail;
	}
	if (o.enrolled_column != NULL && o.column == NULL) {
		fputs("scorer batch: --enrolled-column needs CSV input "
		      "(--column)\n", stderr);
		goto fail;
	}
	if (tool_common_setup(ctx, &common) != 0)
		goto fail;
	free(longopts);
	return batch_main(ctx, &o);
bad_value:
	fprintf(stderr, "scorer batch: --%s: %s, not '%s'\n",
	        c == OPT_CONCURRENCY ? "concurrency" : "format",
	        c == OPT_CONCURRENCY ? "a number from 1 to 1000000"
	                             : "jsonl or csv", optarg);
	goto fail;
usage:
	tool_usage_error("batch");
fail:
	free(longopts);
	sc_ctx_free(ctx);
	return TOOL_EXIT_ERROR;
}
