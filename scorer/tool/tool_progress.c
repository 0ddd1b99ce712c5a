/*
 * The progress line of scorer batch, on a terminal only (stderr), redrawn
 * in place a few times a second:
 *
 *    42.0% [########............]  420,113 of ~1,000,000  76,512/s
 *    ETA 0:07  waiting 3 s on slow.example
 *
 * (one line).  When the input is a regular file the total is known in
 * bytes, and the records to come are estimated from the bytes read so
 * far; from a pipe there is no total, only the count and the rate.  The
 * check that has been running longest is named once it has waited more
 * than 2 seconds: one slow domain holds the output back (records are
 * written in input order), and this says which.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tool_batch.h"
#include "tool_json.h"

#define BAR 20
#define SLOW_S 2.0

static void
duration(char buf[32], double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, 32, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
		         t % 60);
	else
		snprintf(buf, 32, "%ld:%02ld", t / 60, t % 60);
}

/* The domain of an address, printable ASCII only: it is the input's text
 * and goes to a terminal, where an escape sequence would act. */
static void
domain_of(char out[64], const char *address)
{
	const char *at = strrchr(address, '@');
	const char *s = at ? at + 1 : address;
	size_t i;

	for (i = 0; s[i] && i < 63; i++)
		out[i] = s[i] > 0x20 && s[i] < 0x7F ? s[i] : '?';
	out[i] = '\0';
}

void
batch_progress_show(FILE *fp, const struct batch_progress *p, int final)
{
	char line[512], a[32], b[32], c[32], dom[64];
	double elapsed = batch_now() - p->started;
	double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	size_t n = 0, width;
	int i;

#define ADD(...) \
	do { \
		if (n < sizeof(line)) \
			n += (size_t)snprintf(line + n, sizeof(line) - n, \
			                      __VA_ARGS__); \
	} while (0)
	if (p->total > 0) {
		double frac = (double)p->bytes / (double)p->total;
		/* Records to come, by the bytes they take on average. */
		unsigned long est = p->bytes > 0
		    ? (unsigned long)((double)p->taken / frac + 0.5) : 0;

		if (final || frac > 1)
			frac = 1, est = p->done;
		if (est < p->done)
			est = p->done;
		if (est > 0 && !final)
			frac = (double)p->done / (double)est;
		ADD("%5.1f%% [", 100 * frac);
		for (i = 0; i < BAR; i++)
			ADD("%c", i < (int)(frac * BAR + 0.5) ? '#' : '.');
		ADD("]  %s of %s%s", tool_num(a, p->done), final ? "" : "~",
		    tool_num(b, est));
		if (!final && p->bytes > 0 && elapsed > 1 && frac > 0) {
			duration(c, elapsed * (1 - frac) / frac);
			ADD("  %.0f/s  ETA %s", rate, c);
		} else {
			ADD("  %.0f/s", rate);
		}
	} else {
		ADD("  %s records  %.0f/s", tool_num(a, p->done), rate);
	}
	ADD("  domains %s", tool_num(b, (unsigned long)p->domains));
	if (final) {
		duration(c, elapsed);
		ADD("  in %s", c);
	} else if (p->waiting != NULL && p->waited > SLOW_S) {
		domain_of(dom, p->waiting);
		ADD("  waiting %.0f s on %s", p->waited, dom);
	}
#undef ADD
	/* Never wider than the terminal: a wrapped line is not redrawn in
	 * place by "\r". */
	width = p->width > 10 ? (size_t)p->width - 1 : 79;
	if (n > width)
		n = width;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	line[n] = '\0';
	fprintf(fp, "\r\033[K%s%s", line, final ? "\n" : "");
	fflush(fp);
}

/* The terminal's width, or 0. */
int
batch_progress_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}
