/*
 * Thread safety: the promise of scorer.h is that different contexts in
 * different threads at once are safe (no global state).  Eight threads,
 * each with its own context, check addresses at the same time against the
 * lab: some domains only one thread asks about, some every thread asks
 * about, so that per-context caches and anything shared underneath
 * (libcurl's global init, OpenSSL, c-ares, libpsl, libidn2, jansson) are
 * exercised concurrently.  Built from the library's sources with
 * -fsanitize=thread (tests/threads/run.sh); ThreadSanitizer must stay
 * silent, and every verdict must be right.
 *
 * Then the hand-off: one context checks many addresses of one domain,
 * is freed, and eight threads read and free those reports at once.
 * Reports of one domain share its findings, records and descriptions by
 * reference counts; they must be atomic (TSan sees it if not).
 *
 *   threads RESOLVER RULES-DIR
 *
 * Prints "ok ..." or "FAIL ..." per thread; exit status 0 when all passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scorer.h"

#define NTHREADS 8
#define ROUNDS 3

struct want {
	const char *address;
	sc_verdict_t verdict;
	const char *finding; /* must be among the findings; NULL: none */
};

/* Asked by every thread in every round. */
static const struct want shared[] = {
	{ "alice@good.test", SC_VERDICT_SECURE, NULL },
	{ "erin@expired-startup.test", SC_VERDICT_INSECURE, "domain.nxdomain" },
	{ "not-an-address", SC_VERDICT_ERROR, "address.invalid" },
};

/* Thread i asks about two of these, so each domain is asked about by a
 * few threads and never by all. */
static const struct want own[] = {
	{ "bob@nullmx.test", SC_VERDICT_INSECURE, "domain.null_mx" },
	{ "carol@implicit.test", SC_VERDICT_SECURE, "domain.implicit_mx" },
	{ "dave@nomail.test", SC_VERDICT_INSECURE, "domain.no_mail" },
	{ "heidi@dangling.test", SC_VERDICT_INSECURE, "mx.dangling" },
	{ "mallory@mailinator.com", SC_VERDICT_INSECURE, "domain.disposable" },
	{ "niaj@gmai1.com", SC_VERDICT_INSECURE, "domain.lookalike" },
	{ "ceo@northwind.test", SC_VERDICT_SECURE, NULL },
	{ "judy@private.test", SC_VERDICT_INSECURE, "mx.private_address" },
};

#define NOWN (sizeof(own) / sizeof(own[0]))
#define NSHARED (sizeof(shared) / sizeof(shared[0]))

static const char *resolver;
static const char *rules;
static pthread_barrier_t start;

struct job {
	int id;
	int failures;
	int reports;
	char why[512];
};

/* One check in flight: what it should find, and the thread's record. */
struct pending {
	const struct want *want;
	struct job *job;
};

static void
failf(struct job *job, const char *what, const char *detail)
{
	job->failures++;
	if (job->why[0] == '\0')
		snprintf(job->why, sizeof(job->why), "%s: %s", what, detail);
}

static void
verify(struct job *job, const struct want *w, sc_report_t *rep)
{
	size_t i, n;
	char *json = NULL;
	int seen = w->finding == NULL;

	job->reports++;
	if (strcmp(sc_report_address(rep), w->address) != 0)
		failf(job, w->address, "report for another address");
	n = sc_report_finding_count(rep);
	if (sc_report_verdict(rep) != w->verdict) {
		char got[400];
		size_t len;

		/* The verdict and the findings that made it. */
		len = (size_t)snprintf(got, sizeof(got), "%s",
		                       sc_verdict_str(sc_report_verdict(rep)));
		for (i = 0; i < n && len < sizeof(got); i++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			                        " %s (%s)",
			                        sc_report_finding(rep, i)->id,
			                        sc_report_finding(rep, i)->detail);
		failf(job, w->address, got);
	}
	for (i = 0; i < n; i++)
		if (w->finding != NULL &&
		    strcmp(sc_report_finding(rep, i)->id, w->finding) == 0)
			seen = 1;
	if (!seen)
		failf(job, w->address, w->finding);
	/* jansson's hash seed is set up on first use, in whichever thread
	 * gets there first. */
	if (sc_report_json(rep, &json) != SC_OK || json == NULL ||
	    strstr(json, "\"verdict\"") == NULL)
		failf(job, w->address, "sc_report_json");
	sc_free(json);
}

static void
on_done(void *userdata, sc_status_t status, sc_report_t *report)
{
	struct pending *p = userdata;

	if (status != SC_OK)
		failf(p->job, p->want->address, sc_strerror(status));
	else
		verify(p->job, p->want, report);
	sc_report_free(report);
}

/* A generous timeout: TSan slows everything down 5-15 times and other
 * tests may load the machine; a late answer is not what this tests. */
static sc_status_t
setup(sc_ctx_t *ctx)
{
	sc_status_t st;

	/* The threat model remote: this lab serves DNS only, so no MX host
	 * can be probed and none of its domains publishes a working MTA-STS
	 * policy; under the default model every sound domain would be
	 * "could not be assessed" or insecure, and this test is about
	 * threads, not about interception. */
	const char *port = strrchr(resolver, ':');

	/* The lab's Knot is also its nameserver (ns.lab), on the same
	 * port: the "ns" check's direct questions go there. */
	if ((st = sc_ctx_add_resolver(ctx, resolver)) != SC_OK ||
	    (port != NULL &&
	     (st = sc_ctx_set_ns_port(ctx, (unsigned)atoi(port + 1))) !=
	         SC_OK) ||
	    (st = sc_ctx_set_rules_dir(ctx, rules)) != SC_OK ||
	    (st = sc_ctx_set_allow_loopback(ctx, 1)) != SC_OK ||
	    (st = sc_ctx_set_threat_model(ctx, SC_THREAT_REMOTE)) != SC_OK ||
	    (st = sc_ctx_set_timeout_ms(ctx, 20000)) != SC_OK)
		return st;
	return SC_OK;
}

/* One round: a fresh context, every address at once (async), then one
 * blocking check on a domain this context has already assessed. */
static void
round_trip(struct job *job)
{
	struct pending p[NSHARED + 2];
	const struct sc_finding *rule = NULL;
	sc_ctx_t *ctx = NULL;
	sc_report_t *rep = NULL;
	size_t i, n = 0, running = 1;
	sc_status_t st;

	if ((st = sc_ctx_new(&ctx)) != SC_OK || (st = setup(ctx)) != SC_OK) {
		failf(job, "setup", sc_ctx_errmsg(ctx));
		goto done;
	}
	for (i = 0; i < NSHARED; i++)
		p[n++].want = &shared[i];
	p[n++].want = &own[(size_t)job->id % NOWN];
	p[n++].want = &own[((size_t)job->id + 3) % NOWN];
	for (i = 0; i < n; i++) {
		p[i].job = job;
		if ((st = sc_check_async(ctx, p[i].want->address, on_done,
		                         &p[i])) != SC_OK)
			failf(job, p[i].want->address, sc_strerror(st));
	}
	if ((st = sc_perform(ctx, -1, &running)) != SC_OK || running != 0)
		failf(job, "sc_perform", sc_strerror(st));

	if ((st = sc_check(ctx, "zoe@good.test", &rep)) != SC_OK)
		failf(job, "sc_check", sc_strerror(st));
	else if (sc_report_verdict(rep) != SC_VERDICT_SECURE)
		failf(job, "zoe@good.test",
		      sc_verdict_str(sc_report_verdict(rep)));
	else
		job->reports++;
	if (sc_rule_lookup(ctx, "domain.nxdomain", &rule) != SC_OK ||
	    rule->severity != SC_SEV_CRITICAL)
		failf(job, "sc_rule_lookup", sc_ctx_errmsg(ctx));
done:
	sc_report_free(rep);
	sc_ctx_free(ctx);
}

static void *
run(void *arg)
{
	struct job *job = arg;
	int r;

	/* Everyone sets up and starts at once. */
	pthread_barrier_wait(&start);
	for (r = 0; r < ROUNDS; r++)
		round_trip(job);
	return NULL;
}

/* ---- the hand-off ------------------------------------------------------ */

#define NHANDOFF 32

struct handoff {
	sc_report_t *rep[NHANDOFF];
	int nrep;
	int failures;
	char why[256];
	pthread_mutex_t lock;
};

static struct handoff ho = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
keep_report(void *userdata, sc_status_t status, sc_report_t *report)
{
	(void)userdata;
	if (status == SC_OK && ho.nrep < NHANDOFF)
		ho.rep[ho.nrep++] = report;
	else
		sc_report_free(report);
}

static void *
read_and_free(void *arg)
{
	int k = (int)(size_t)arg, i;

	pthread_barrier_wait(&start);
	for (i = k; i < ho.nrep; i += NTHREADS) {
		sc_report_t *rep = ho.rep[i];
		char *json = NULL, *dmarc = NULL;
		const char *bad = NULL;

		if (sc_report_verdict(rep) != SC_VERDICT_SECURE)
			bad = "verdict";
		else if (sc_report_record_count(rep) == 0)
			bad = "records";
		else if (sc_report_json(rep, &json) != SC_OK ||
		         strstr(json, "\"records\":[{") == NULL)
			bad = "sc_report_json";
		else if (sc_report_check_json(rep, "dmarc", &dmarc) != SC_OK)
			bad = "sc_report_check_json";
		sc_free(json);
		sc_free(dmarc);
		sc_report_free(rep);
		if (bad != NULL) {
			pthread_mutex_lock(&ho.lock);
			if (ho.failures++ == 0)
				snprintf(ho.why, sizeof(ho.why), "report %d: %s",
				         i, bad);
			pthread_mutex_unlock(&ho.lock);
		}
	}
	return NULL;
}

static int
handoff(void)
{
	pthread_t tid[NTHREADS];
	sc_ctx_t *ctx = NULL;
	size_t running = 1;
	char addr[64];
	int i;

	if (sc_ctx_new(&ctx) != SC_OK || setup(ctx) != SC_OK) {
		printf("FAIL handoff: setup: %s\n", sc_ctx_errmsg(ctx));
		sc_ctx_free(ctx);
		return 1;
	}
	for (i = 0; i < NHANDOFF; i++) {
		snprintf(addr, sizeof(addr), "user%d@good.test", i);
		if (sc_check_async(ctx, addr, keep_report, NULL) != SC_OK)
			break;
	}
	(void)sc_perform(ctx, -1, &running);
	sc_ctx_free(ctx);   /* the reports outlive their context */
	if (ho.nrep != NHANDOFF) {
		printf("FAIL handoff: %d of %d reports\n", ho.nrep, NHANDOFF);
		for (i = 0; i < ho.nrep; i++)
			sc_report_free(ho.rep[i]);
		return 1;
	}
	if (pthread_barrier_init(&start, NULL, NTHREADS) != 0)
		return 1;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&tid[i], NULL, read_and_free,
		                   (void *)(size_t)i) != 0)
			return 1;
	for (i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&start);
	if (ho.failures != 0) {
		printf("FAIL handoff: %d failures; first: %s\n", ho.failures,
		       ho.why);
		return 1;
	}
	printf("ok handoff: %d reports of one domain read and freed on %d "
	       "threads\n", NHANDOFF, NTHREADS);
	return 0;
}

int
main(int argc, char **argv)
{
	pthread_t tid[NTHREADS];
	struct job jobs[NTHREADS];
	int i, failed = 0, want = (int)(NSHARED + 3) * ROUNDS;

	if (argc != 3) {
		fprintf(stderr, "usage: threads RESOLVER RULES-DIR\n");
		return 2;
	}
	resolver = argv[1];
	rules = argv[2];
	if (pthread_barrier_init(&start, NULL, NTHREADS) != 0)
		return 2;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < NTHREADS; i++) {
		jobs[i].id = i;
		if (pthread_create(&tid[i], NULL, run, &jobs[i]) != 0) {
			fprintf(stderr, "threads: pthread_create failed\n");
			return 2;
		}
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < NTHREADS; i++) {
		if (jobs[i].failures == 0 && jobs[i].reports == want) {
			printf("ok thread %d: %d reports\n", i, jobs[i].reports);
			continue;
		}
		failed++;
		printf("FAIL thread %d: %d of %d reports, %d failures; first: %s\n",
		       i, jobs[i].reports, want, jobs[i].failures, jobs[i].why);
	}
	failed += handoff();
	return failed == 0 ? 0 : 1;
}
