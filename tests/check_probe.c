/*
 * The probe table (scorer/probe.c): at most N sessions open at once to
 * one address (sc_probe_table_set_per_addr(), --mx-sessions), whatever
 * the port; a probe whose address is busy waits without holding up those
 * behind it to other addresses; each address and port is probed once
 * however many join.  The servers are listening sockets that never
 * accept: the kernel completes the connection, the banner never comes,
 * and each session stays open until its budget runs out.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "internal.h"
#include "loop.h"
#include "probe.h"

#define NPORTS 5

/* A listening socket on ip at a free port; its port in *port. */
static int
listener(const char *ip, unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(l, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(l, 16), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return l;
}

struct ended {
	unsigned n;
};

static void
on_end(void *arg, const void *tag, const struct sc_probe_result *res)
{
	struct ended *e = arg;

	(void)tag;
	ck_assert_int_eq(res->outcome, SC_PROBE_UNREACHABLE);
	e->n++;
}

/* NPORTS probes to 127.0.0.1 (a port each) then one to 127.0.0.2, with
 * at most per_addr sessions to an address: the most seen open at once
 * to 127.0.0.1 is per_addr, and 127.0.0.2's starts at once. */
static void
run_cap(unsigned per_addr)
{
	struct sc_loop loop;
	struct sc_probe_table *tab = NULL;
	X509_STORE *store = X509_STORE_new();
	struct sc_probe *p;
	const struct sc_probe_result *res;
	struct ended e = { 0 };
	int fds[NPORTS + 1], i;
	unsigned port[NPORTS + 1], most = 0, budget = 300;
	char err[200];

	ck_assert_ptr_nonnull(store);
	sc_loop_init(&loop);
	ck_assert_int_eq(sc_probe_table_new(&loop, store, &tab, err,
	                                    sizeof(err)), SC_OK);
	sc_probe_table_set_per_addr(tab, per_addr);
	for (i = 0; i < NPORTS; i++)
		fds[i] = listener("127.0.0.1", &port[i]);
	fds[NPORTS] = listener("127.0.0.2", &port[NPORTS]);
	for (i = 0; i < NPORTS; i++)
		ck_assert_int_eq(sc_probe_join(tab, "127.0.0.1", port[i],
		                               "mx.test", budget, on_end, &e,
		                               NULL, &p, &res), SC_OK);
	ck_assert_int_eq(sc_probe_join(tab, "127.0.0.2", port[NPORTS],
	                               "mx2.test", budget, on_end, &e, NULL,
	                               &p, &res), SC_OK);
	ck_assert_uint_eq(sc_probe_sessions(tab, "127.0.0.1"), per_addr);
	ck_assert_uint_eq(sc_probe_sessions(tab, "127.0.0.2"), 1);
	/* A second join of an address and port is the same probe. */
	ck_assert_int_eq(sc_probe_join(tab, "127.0.0.1", port[0], "mx.test",
	                               budget, NULL, NULL, NULL, &p, &res),
	                 SC_OK);
	ck_assert_uint_eq(sc_probe_sessions(tab, NULL), per_addr + 1);
	for (i = 0; i < 200 && e.n < NPORTS + 1; i++) {
		unsigned n = sc_probe_sessions(tab, "127.0.0.1");

		ck_assert_uint_le(n, per_addr);
		most = n > most ? n : most;
		ck_assert_int_eq(sc_loop_once(&loop, 50), SC_OK);
	}
	ck_assert_uint_eq(e.n, NPORTS + 1);
	ck_assert_uint_eq(most, per_addr);
	sc_probe_table_free(tab);
	X509_STORE_free(store);
	sc_loop_clear(&loop);
	for (i = 0; i <= NPORTS; i++)
		close(fds[i]);
}

START_TEST(test_cap_two)
{
	run_cap(2);
}
END_TEST

START_TEST(test_cap_one)
{
	run_cap(1);
}
END_TEST

/* Raising the cap lets those in line start at once. */
START_TEST(test_cap_raised)
{
	struct sc_loop loop;
	struct sc_probe_table *tab = NULL;
	X509_STORE *store = X509_STORE_new();
	struct sc_probe *p;
	const struct sc_probe_result *res;
	int fds[NPORTS], i;
	unsigned port[NPORTS];
	char err[200];

	sc_loop_init(&loop);
	ck_assert_int_eq(sc_probe_table_new(&loop, store, &tab, err,
	                                    sizeof(err)), SC_OK);
	sc_probe_table_set_per_addr(tab, 0); /* means 1 */
	for (i = 0; i < NPORTS; i++) {
		fds[i] = listener("127.0.0.1", &port[i]);
		ck_assert_int_eq(sc_probe_join(tab, "127.0.0.1", port[i],
		                               "mx.test", 5000, NULL, NULL,
		                               NULL, &p, &res), SC_OK);
	}
	ck_assert_uint_eq(sc_probe_sessions(tab, "127.0.0.1"), 1);
	sc_probe_table_set_per_addr(tab, 3);
	ck_assert_uint_eq(sc_probe_sessions(tab, "127.0.0.1"), 3);
	sc_probe_table_free(tab);
	ck_assert_uint_eq(sc_probe_sessions(NULL, NULL), 0);
	X509_STORE_free(store);
	sc_loop_clear(&loop);
	for (i = 0; i < NPORTS; i++)
		close(fds[i]);
}
END_TEST

/* The option of the context: 1..32, before the first check. */
START_TEST(test_ctx_option)
{
	sc_ctx_t *ctx = NULL;

	ck_assert_int_eq(sc_ctx_set_mx_sessions(NULL, 2), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_mx_sessions(ctx, 0), SC_EINVAL);
	ck_assert(strstr(sc_ctx_errmsg(ctx), "1..32") != NULL);
	ck_assert_int_eq(sc_ctx_set_mx_sessions(ctx, 33), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_mx_sessions(ctx, 1), SC_OK);
	ck_assert_int_eq(sc_ctx_set_mx_sessions(ctx, 32), SC_OK);
	sc_ctx_free(ctx);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("sessions");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cap_two);
	tcase_add_test(tc, test_cap_one);
	tcase_add_test(tc, test_cap_raised);
	tcase_add_test(tc, test_ctx_option);
	suite_add_tcase(s, tc);
	return s;
}
