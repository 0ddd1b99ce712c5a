/*
 * c-ares' UDP datagrams in batches (scorer/dns_batch.c), through the real
 * adapter (sc_dns) against the fake server (tests/dnsfake.h): queries wait
 * in the queue until a flush, the loop's timer or a read sends them; many
 * more lookups than a batch or the in-flight limit all get their answers;
 * and a resolver that refuses (ICMP port unreachable) is still left for
 * the next one at once, not after a timeout.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "dnsfake.h"
#include "internal.h"
#include "loop.h"

#define WAIT_MS 15000

/* Every A query: one A record. */
static size_t
answer_a(void *arg, const struct dnsfake_query *q, unsigned char *out,
         size_t cap)
{
	struct dnsmsg m;

	(void)arg;
	dnsmsg_reply(&m, q, ns_r_noerror, 0, out, cap);
	if (q->qtype == ns_t_a)
		dnsmsg_a(&m, NULL, "192.0.2.7");
	return m.len;
}

struct fixture {
	struct dnsfake fs;
	struct sc_loop loop;
	struct sc_dns dns;
	int calls;
};

static void
on_lookup(struct sc_lookup *lk, void *arg)
{
	struct fixture *fx = arg;

	(void)lk;
	fx->calls++;
}

/* servers: a c-ares list, "%s" standing for the fake's address. */
static void
fx_start(struct fixture *fx, const char *servers, unsigned timeout_ms)
{
	char addr[64], list[160], err[256] = "";

	memset(fx, 0, sizeof(*fx));
	ck_assert_int_eq(dnsfake_start(&fx->fs, answer_a, NULL), 0);
	sc_loop_init(&fx->loop);
	snprintf(list, sizeof(list), servers,
	         dnsfake_addr(&fx->fs, addr, sizeof(addr)));
	ck_assert_msg(sc_dns_init(&fx->dns, &fx->loop, list, timeout_ms, 2,
	                          err, sizeof(err)) == SC_OK, "%s", err);
}

static void
fx_wait(struct fixture *fx, int calls)
{
	uint64_t end = sc_now_ms() + WAIT_MS;

	while (fx->calls < calls && sc_now_ms() < end)
		ck_assert_int_eq(sc_loop_once(&fx->loop, 100), SC_OK);
	ck_assert_int_eq(fx->calls, calls);
}

static void
fx_end(struct fixture *fx, struct sc_lookup *lk, size_t n)
{
	size_t i;

	sc_dns_clear(&fx->dns);
	sc_loop_clear(&fx->loop);
	dnsfake_stop(&fx->fs);
	for (i = 0; i < n; i++) {
		sc_lookup_free_data(&lk[i]);
		sc_free(lk[i].name);
	}
}

/* What the server received within about 300 ms. */
static size_t
received_soon(struct dnsfake *fs, size_t want)
{
	uint64_t end = sc_now_ms() + 300;

	while (dnsfake_nlog(fs) < want && sc_now_ms() < end)
		usleep(5000);
	usleep(20000);             /* and nothing more comes */
	return dnsfake_nlog(fs);
}

static void
ask(struct fixture *fx, struct sc_lookup *lk, size_t n)
{
	char name[64];
	size_t i;

	memset(lk, 0, n * sizeof(*lk));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "h%zu.test", i);
		ck_assert_int_eq(sc_dns_lookup(&fx->dns, &lk[i], name, ns_t_a,
		                               on_lookup, fx), SC_OK);
	}
}

/* Asked outside c-ares' read loop, queries wait for the flush, and then
 * all go out (fewer than a batch: one sendmmsg). */
START_TEST(test_queued_until_flushed)
{
	struct fixture fx;
	struct sc_lookup lk[10];

	fx_start(&fx, "%s", 2000);
	ask(&fx, lk, SC_ARRAY_LEN(lk));
	ck_assert_uint_eq(received_soon(&fx.fs, 1), 0);
	sc_dns_batch_flush(&fx.dns.batch);
	ck_assert_uint_eq(received_soon(&fx.fs, SC_ARRAY_LEN(lk)),
	                  SC_ARRAY_LEN(lk));
	fx_wait(&fx, (int)SC_ARRAY_LEN(lk));
	fx_end(&fx, lk, SC_ARRAY_LEN(lk));
}
END_TEST

/* Nobody flushes: the loop's timer, due at once, does. */
START_TEST(test_loop_sends_the_queue)
{
	struct fixture fx;
	struct sc_lookup lk[3];
	size_t i;

	fx_start(&fx, "%s", 2000);
	ask(&fx, lk, SC_ARRAY_LEN(lk));
	ck_assert_int_eq(sc_loop_next_timeout(&fx.loop), 0);
	fx_wait(&fx, (int)SC_ARRAY_LEN(lk));
	for (i = 0; i < SC_ARRAY_LEN(lk); i++) {
		ck_assert_int_eq(lk[i].outcome, SC_DNS_OK);
		ck_assert_uint_eq(lk[i].n, 1);
		ck_assert_str_eq(lk[i].rr[0].text, "192.0.2.7");
	}
	fx_end(&fx, lk, SC_ARRAY_LEN(lk));
}
END_TEST

/* Far more than a batch, and than the in-flight limit: every answer is
 * handed to the right lookup. */
START_TEST(test_many_batches)
{
	struct fixture fx;
	static struct sc_lookup lk[4 * SC_DNS_MAX_INFLIGHT + 7];
	size_t i;

	ck_assert_uint_gt(SC_DNS_MAX_INFLIGHT, SC_DNS_BATCH);
	fx_start(&fx, "%s", 2000);
	ask(&fx, lk, SC_ARRAY_LEN(lk));
	fx_wait(&fx, (int)SC_ARRAY_LEN(lk));
	for (i = 0; i < SC_ARRAY_LEN(lk); i++) {
		ck_assert_int_eq(lk[i].outcome, SC_DNS_OK);
		ck_assert_uint_eq(lk[i].n, 1);
	}
	ck_assert_uint_eq(dnsfake_nlog(&fx.fs), SC_ARRAY_LEN(lk));
	fx_end(&fx, lk, SC_ARRAY_LEN(lk));
}
END_TEST

/* A UDP port on loopback that nothing listens on. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* The first resolver's port is closed: the kernel's "connection refused"
 * reaches c-ares through the batch, which moves to the second resolver
 * at once instead of after the 3 s try timeout. */
START_TEST(test_refused_resolver_left_at_once)
{
	struct fixture fx;
	struct sc_lookup lk[1];
	char servers[64];
	uint64_t t0;

	snprintf(servers, sizeof(servers), "127.0.0.1:%u,%%s", closed_port());
	fx_start(&fx, servers, 3000);
	t0 = sc_now_ms();
	ask(&fx, lk, 1);
	fx_wait(&fx, 1);
	ck_assert_int_eq(lk[0].outcome, SC_DNS_OK);
	ck_assert_uint_lt(sc_now_ms() - t0, 2000);
	fx_end(&fx, lk, 1);
}
END_TEST

Suite *dns_batch_suite(void)
{
	Suite *s = suite_create("dns_batch");
	TCase *tc = tcase_create("fake-server");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_queued_until_flushed);
	tcase_add_test(tc, test_loop_sends_the_queue);
	tcase_add_test(tc, test_many_batches);
	tcase_add_test(tc, test_refused_resolver_left_at_once);
	suite_add_tcase(s, tc);
	return s;
}
