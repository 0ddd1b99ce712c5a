/*
 * scorer batch: a stream of addresses in, one record per input line out,
 * in input order, on the same engine as `scorer check`.  The work in
 * flight is bounded (--concurrency), and a reorder window of the same
 * size keeps the output in input order without holding the whole file.
 * Killed at any moment, the output ends in whole records (plus at most a
 * half line, which --resume cuts off); SIGINT and SIGTERM stop cleanly.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_batch.h"

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
	unsigned long last_line;   /* the last line written */
	int progress;
	off_t total;
	int failed;
};

struct bopts {
	const char *input, *output, *column, *summary;
	enum batch_out_format format;
	size_t concurrency;
	int resume, numbered, quiet;
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
		if (batch_out_write(&b->out, &s->rec, s->report) != 0) {
			fprintf(stderr, "scorer batch: write failed: %s\n",
			        strerror(errno));
			return -1;
		}
		batch_summary_add(&b->sum, s->report);
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
	int rc;

	do {
		rc = batch_in_next(&b->in, &rec);
		if (rc <= 0)
			return rc;
		if (rec.line > b->skip_upto)
			break;
		batch_rec_clear(&rec); /* written by the run we resume */
	} while (1);
	s->rec = rec;
	s->used = 1;
	b->tail++;
	b->inflight++;
	if (rec.address == NULL) {
		s->done = 1; /* a bad line: its error record, in its place */
		return 1;
	}
	s->active = &b->active;
	if (sc_check_async(b->ctx, rec.address, on_done, s) != SC_OK) {
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
	sc_stats_t st;

	if (!b->progress)
		return;
	sc_ctx_get_stats(b->ctx, &st);
	batch_progress(&b->sum, &st, b->in.bytes, b->total, final);
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
				fprintf(stderr, "scorer batch: read error\n");
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

static FILE *
open_output(const struct bopts *o, struct batch *b, int *has_header)
{
	*has_header = 0;
	if (o->output == NULL || strcmp(o->output, "-") == 0)
		return stdout;
	if (o->resume) {
		if (batch_out_resume(o->output, o->format, &b->skip_upto,
		                     has_header) != 0) {
			fprintf(stderr, "scorer batch: cannot resume %s: %s\n",
			        o->output, strerror(errno));
			return NULL;
		}
		if (b->skip_upto > 0)
			fprintf(stderr, "scorer batch: resuming after line %lu\n",
			        b->skip_upto);
		return fopen(o->output, "a");
	}
	return fopen(o->output, "w");
}

static FILE *
open_input(const struct bopts *o, struct batch *b)
{
	struct stat st;
	FILE *fp;

	if (o->input == NULL || strcmp(o->input, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(o->input, "r")) == NULL)
		fprintf(stderr, "scorer batch: %s: %s\n", o->input,
		        strerror(errno));
	if (fp != NULL && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		b->total = st.st_size;
	return fp;
}

static void
write_summary(const struct bopts *o, struct batch *b)
{
	sc_stats_t st;
	FILE *fp;

	sc_ctx_get_stats(b->ctx, &st);
	if (o->summary != NULL) {
		if ((fp = fopen(o->summary, "w")) == NULL) {
			fprintf(stderr, "scorer batch: %s: %s\n", o->summary,
			        strerror(errno));
			return;
		}
		batch_summary_print(fp, &b->sum, &st, b->ctx, 1);
		fclose(fp);
	} else if (!o->quiet) {
		batch_summary_print(stderr, &b->sum, &st, b->ctx, 0);
	}
}

/* Everything after option parsing.  Exit status: 0 the run completed
 * (whatever the verdicts: they are in the records), 2 an error, 128+N
 * when stopped by signal N (the output is resumable). */
static int
batch_main(sc_ctx_t *ctx, const struct bopts *o)
{
	struct batch b;
	FILE *in = NULL, *out = NULL;
	char *outbuf = NULL;
	int has_header = 0, rc = TOOL_EXIT_ERROR;
	struct sigaction sa;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.concurrency = o->concurrency;
	b.window = o->concurrency * 2;
	b.sum.started = batch_now();
	b.progress = !o->quiet && isatty(STDERR_FILENO);
	if ((b.slot = calloc(b.window, sizeof(*b.slot))) == NULL ||
	    (in = open_input(o, &b)) == NULL ||
	    batch_in_open(&b.in, in, o->column ? BATCH_IN_CSV :
	                  o->numbered ? BATCH_IN_NUMBERED : BATCH_IN_PLAIN,
	                  o->column) != 0)
		goto done;
	if ((out = open_output(o, &b, &has_header)) == NULL) {
		if (errno != 0 && o->output != NULL)
			fprintf(stderr, "scorer batch: %s: %s\n", o->output,
			        strerror(errno));
		goto done;
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
	b.out.format = o->format;
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
	if (!has_header && batch_out_header(&b.out) != 0)
		goto done;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (run(&b) == 0)
		rc = 0;
	show_progress(&b, 1);
	if (stop_signal) {
		fprintf(stderr, "scorer batch: stopped by signal %d after line "
		        "%lu; rerun with --resume to go on\n", (int)stop_signal,
		        b.last_line);
		rc = 128 + stop_signal;
	}
	write_summary(o, &b);
done:
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
		fclose(out);
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
	      "      --numbered              input lines are LINE<TAB>ADDRESS "
	      "(split lists)\n"
	      "      --concurrency N         addresses in flight (1000)\n"
	      "      --resume                go on after the last complete "
	      "record of --output\n"
	      "      --summary FILE          write the run's summary there as "
	      "JSON\n"
	      "  -q, --quiet                 no progress bar, no summary on "
	      "stderr\n", fp);
	tool_common_help(fp);
	fputs("  -h, --help                  this help\n"
	      "\n"
	      "Exit status: 0 the run completed (the verdicts are in the "
	      "records), 2 an\nerror, 128+N stopped by signal N (rerun with "
	      "--resume to go on).\n", fp);
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
	enum { OPT_CONCURRENCY = TOOL_OPT_OWN, OPT_RESUME };
	static const struct option own[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "column", required_argument, NULL, 'c' },
		{ "numbered", no_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "summary", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bopts o = { NULL, NULL, NULL, NULL, BATCH_OUT_JSONL, 1000, 0, 0,
	                   0 };
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
		case 'n': o.numbered = 1; continue;
		case OPT_RESUME: o.resume = 1; continue;
		case 's': o.summary = optarg; continue;
		case 'q': o.quiet = 1; continue;
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
	if (tool_common_setup(ctx, &common) != 0)
		goto fail;
	free(longopts);
	return batch_main(ctx, &o);
bad_value:
	fprintf(stderr, "scorer batch: %s '%s': invalid value\n",
	        c == 'f' ? "--format" : "--concurrency", optarg);
usage:
	tool_usage_error("batch");
fail:
	free(longopts);
	sc_ctx_free(ctx);
	return TOOL_EXIT_ERROR;
}
