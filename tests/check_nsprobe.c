/* The nameserver probe (nsprobe.c): the reply parser and its judgement on
 * canned bytes, then real questions over loopback to servers this test
 * runs on the same event loop (UDP, TCP after truncation, silence, no
 * one listening, a stray answer, the table's cache). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "internal.h"
#include "loop.h"
#include "nsprobe.h"

/* ---- canned replies -------------------------------------------------------- */

enum { F_AA = 0x04, F_TC = 0x02 };

/* A reply to "qname SOA IN": flags (AA, TC) and rcode, the SOA of owner
 * in the answer section (owner NULL: no answer); names compressed as
 * servers do.  Its length. */
static size_t
reply(unsigned char *b, unsigned id, int flags, int rcode, const char *qname,
      const char *owner)
{
	size_t n = 12;
	int w;

	memset(b, 0, 12);
	b[0] = (unsigned char)(id >> 8);
	b[1] = (unsigned char)id;
	b[2] = (unsigned char)(0x80 | flags); /* QR */
	b[3] = (unsigned char)rcode;
	b[5] = 1;
	w = sc_dns_name_wire(qname, b + n, 255);
	ck_assert_int_gt(w, 0);
	n += (size_t)w;
	memcpy(b + n, "\0\6\0\1", 4);
	n += 4;
	if (owner == NULL)
		return n;
	b[7] = 1;
	if (strcmp(owner, qname) == 0) {
		b[n++] = 0xc0; /* a pointer to the question's name */
		b[n++] = 12;
	} else {
		w = sc_dns_name_wire(owner, b + n, 255);
		n += (size_t)w;
	}
	/* SOA IN, TTL 60, 22 bytes of RDATA (two root names, five numbers) */
	memcpy(b + n, "\0\6\0\1\0\0\0\x3c\0\x16", 10);
	n += 10;
	memset(b + n, 0, 22);
	return n + 22;
}

static enum sc_nsq_outcome
judge(const unsigned char *b, size_t n, const char *zone)
{
	struct sc_nsq_reply r;

	ck_assert_int_eq(sc_nsq_parse_reply(b, n, zone, &r), 0);
	return sc_nsq_judge(&r);
}

START_TEST(test_judge)
{
	unsigned char b[600];
	size_t n;

	n = reply(b, 7, F_AA, 0, "example.com", "example.com");
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_AUTH);
	/* Names compare without case, and with or without the final dot. */
	ck_assert_int_eq(judge(b, n, "EXAMPLE.Com."), SC_NSQ_AUTH);
	n = reply(b, 7, 0, 0, "example.com", "example.com");
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_NOT_AUTH);
	/* A referral: no AA, no answer. */
	n = reply(b, 7, 0, 0, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_NOT_AUTH);
	/* AA, but no SOA of the zone: it does not hold the zone's apex. */
	n = reply(b, 7, F_AA, 0, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_NOT_AUTH);
	n = reply(b, 7, F_AA, 0, "example.com", "com");
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_NOT_AUTH);
	n = reply(b, 7, F_AA, 3, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_NOT_AUTH);
	n = reply(b, 7, 0, 5, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_REFUSED);
	n = reply(b, 7, 0, 2, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_SERVFAIL);
	n = reply(b, 7, 0, 4, "example.com", NULL);
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_RCODE);
	/* Another question, or no reply at all (QR clear). */
	n = reply(b, 7, F_AA, 0, "example.org", "example.org");
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_BADREPLY);
	n = reply(b, 7, F_AA, 0, "example.com", "example.com");
	b[2] &= 0x7f;
	ck_assert_int_eq(judge(b, n, "example.com"), SC_NSQ_BADREPLY);
}
END_TEST

START_TEST(test_parse_fields)
{
	unsigned char b[600];
	struct sc_nsq_reply r;
	size_t n = reply(b, 0xbeef, F_AA | F_TC, 0, "a.example", "a.example");

	ck_assert_int_eq(sc_nsq_parse_reply(b, n, "a.example", &r), 0);
	ck_assert_uint_eq(r.id, 0xbeef);
	ck_assert(r.qr && r.aa && r.tc && r.question_ok && r.soa);
	ck_assert_int_eq(r.rcode, 0);
}
END_TEST

/* Bytes that are no DNS message never read past their end. */
START_TEST(test_parse_garbage)
{
	unsigned char b[600];
	struct sc_nsq_reply r;
	size_t n = reply(b, 1, F_AA, 0, "example.com", "example.com"), k;

	for (k = 0; k < n; k++)
		if (k < 12 || k == n - 1 || k == 20)
			ck_assert_int_eq(sc_nsq_parse_reply(b, k, "example.com",
			                                    &r), -1);
	/* A compression pointer that points at itself. */
	n = reply(b, 1, F_AA, 0, "example.com", "example.com");
	b[29] = 0xc0;
	b[30] = 29;
	ck_assert_int_eq(sc_nsq_parse_reply(b, n, "example.com", &r), -1);
	/* A label that runs off the message. */
	b[12] = 60;
	ck_assert_int_eq(sc_nsq_parse_reply(b, 20, "example.com", &r), -1);
	/* RFC 6891's extended label types are not names we read. */
	b[12] = 0x41;
	ck_assert_int_eq(sc_nsq_parse_reply(b, n, "example.com", &r), -1);
	ck_assert_int_eq(sc_nsq_parse_reply(b, n, "bad..zone", &r), -1);
}
END_TEST

START_TEST(test_build_query)
{
	unsigned char q[300];
	struct sc_nsq_reply r;
	int n = sc_nsq_build_query("Example.COM", 0x1234, q, sizeof(q));

	ck_assert_int_eq(n, 12 + 13 + 4);
	ck_assert_int_eq(q[2], 0); /* RD clear: no recursion */
	ck_assert_int_eq(q[5], 1);
	/* The query parses as a (non-)reply to its own question. */
	ck_assert_int_eq(sc_nsq_parse_reply(q, (size_t)n, "example.com", &r), 0);
	ck_assert(r.question_ok && !r.qr);
	ck_assert_int_eq(sc_nsq_build_query("a..b", 1, q, sizeof(q)), -1);
	ck_assert_int_eq(sc_nsq_build_query("a.b", 1, q, 20), -1);
	ck_assert_str_eq(sc_nsq_outcome_str(SC_NSQ_NOT_AUTH),
	                 "not_authoritative");
	ck_assert(sc_nsq_answered(SC_NSQ_REFUSED));
	ck_assert(!sc_nsq_answered(SC_NSQ_TIMEOUT));
	ck_assert(!sc_nsq_answered(SC_NSQ_LOCAL));
}
END_TEST

/* ---- real questions over loopback ------------------------------------------- */

/* A server of this test, on the test's loop: how it answers. */
enum mode { M_AUTH, M_REFUSE, M_SILENT, M_TRUNCATE, M_STRAY_FIRST,
             M_TRUNCATE_CLOSE /* then closes TCP without an answer */ };

struct server {
	enum mode mode;
	int udp, tcp, conn;
	unsigned port;
	unsigned queries;            /* UDP questions seen */
	unsigned tcp_queries;
	struct sc_loop *loop;
};

static struct sc_loop loop;
static struct sc_dns dns;

static void
on_udp(int fd, int revents, void *arg)
{
	struct server *s = arg;
	unsigned char q[512], b[600];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	unsigned id;
	size_t len;

	(void)revents;
	if (n < 12)
		return;
	s->queries++;
	id = (unsigned)q[0] << 8 | q[1];
	switch (s->mode) {
	case M_SILENT:
		return;
	case M_REFUSE:
		len = reply(b, id, 0, 5, "zone.example", NULL);
		break;
	case M_TRUNCATE:
	case M_TRUNCATE_CLOSE:
		len = reply(b, id, F_AA | F_TC, 0, "zone.example", NULL);
		break;
	case M_STRAY_FIRST:
		/* Another id first: not ours, so the wait goes on. */
		len = reply(b, id ^ 0x5555, 0, 5, "zone.example", NULL);
		sendto(fd, b, len, 0, (struct sockaddr *)&from, fl);
		/* fall through */
	default:
		len = reply(b, id, F_AA, 0, "zone.example", "zone.example");
		break;
	}
	sendto(fd, b, len, 0, (struct sockaddr *)&from, fl);
}

static void
on_tcp_conn(int fd, int revents, void *arg)
{
	struct server *s = arg;
	unsigned char q[514], b[602];
	ssize_t n = recv(fd, q, sizeof(q), 0);
	size_t len;

	(void)revents;
	if (n < 14)
		return;
	s->tcp_queries++;
	if (s->mode == M_TRUNCATE_CLOSE) {
		sc_loop_watch(s->loop, fd, 0, NULL, NULL);
		close(fd);
		s->conn = -1;
		return;
	}
	len = reply(b + 2, (unsigned)q[2] << 8 | q[3], F_AA, 0, "zone.example",
	            "zone.example");
	b[0] = (unsigned char)(len >> 8);
	b[1] = (unsigned char)len;
	ck_assert_int_eq(send(fd, b, len + 2, 0), (ssize_t)len + 2);
}

static void
on_tcp_accept(int fd, int revents, void *arg)
{
	struct server *s = arg;

	(void)revents;
	s->conn = accept(fd, NULL, NULL);
	if (s->conn >= 0)
		sc_loop_watch(s->loop, s->conn, SC_EV_IN, on_tcp_conn, s);
}

static void
server_start(struct server *s, enum mode m)
{
	struct sockaddr_in sa;
	socklen_t sl;
	int one = 1, tries;

	memset(s, 0, sizeof(*s));
	s->mode = m;
	s->loop = &loop;
	s->conn = -1;
	/* One port for UDP and TCP, as a nameserver has: a free TCP port
	 * first, then UDP on it (taken by someone else now and then: try
	 * another). */
	for (tries = 0; tries < 50; tries++) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->tcp = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		ck_assert_int_eq(bind(s->tcp, (struct sockaddr *)&sa,
		                      sizeof(sa)), 0);
		sl = sizeof(sa);
		getsockname(s->tcp, (struct sockaddr *)&sa, &sl);
		s->udp = socket(AF_INET, SOCK_DGRAM, 0);
		if (bind(s->udp, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(s->udp);
		close(s->tcp);
	}
	ck_assert_int_lt(tries, 50);
	s->port = ntohs(sa.sin_port);
	ck_assert_int_eq(listen(s->tcp, 4), 0);
	sc_loop_watch(&loop, s->udp, SC_EV_IN, on_udp, s);
	sc_loop_watch(&loop, s->tcp, SC_EV_IN, on_tcp_accept, s);
}

static void
server_stop(struct server *s)
{
	int *fd[3] = { &s->udp, &s->tcp, &s->conn };
	size_t i;

	for (i = 0; i < 3; i++)
		if (*fd[i] >= 0) {
			sc_loop_watch(&loop, *fd[i], 0, NULL, NULL);
			close(*fd[i]);
			*fd[i] = -1;
		}
}

struct wait {
	int called;
	struct sc_nsq_result res;
};

static void
on_result(void *arg, const void *tag, const struct sc_nsq_result *res)
{
	struct wait *w = arg;

	ck_assert_ptr_eq(tag, w);
	w->called++;
	w->res = *res;
}

/* Ask zone.example SOA of 127.0.0.1:port and run the loop until the
 * answer (at most 5 s).  The result. */
static struct wait
ask(struct sc_nsq_table *tab, unsigned port)
{
	const struct sc_nsq_result *res;
	struct sc_nsq *q;
	struct wait w = { 0 };
	uint64_t end = sc_now_ms() + 5000;

	ck_assert_int_eq(sc_nsq_join(tab, "127.0.0.1", port, "zone.example",
	                             3000, on_result, &w, &w, &q, &res), SC_OK);
	if (res->outcome != SC_NSQ_PENDING) {
		w.called = 1;
		w.res = *res;
		return w;
	}
	ck_assert_int_eq(w.called, 0); /* never from inside the join */
	while (!w.called && sc_now_ms() < end)
		sc_loop_once(&loop, 100);
	ck_assert_int_eq(w.called, 1);
	return w;
}

static struct sc_nsq_table *
table(unsigned try_ms, unsigned tries)
{
	struct sc_nsq_table *tab;

	sc_loop_init(&loop);
	memset(&dns, 0, sizeof(dns));
	ck_assert_ptr_nonnull(tab = sc_nsq_table_new(&loop, &dns, try_ms,
	                                             tries));
	return tab;
}

static void
done(struct sc_nsq_table *tab)
{
	sc_nsq_table_free(tab);
	sc_loop_clear(&loop);
}

START_TEST(test_net_auth_and_cache)
{
	struct sc_nsq_table *tab = table(500, 3);
	unsigned long ended, answered;
	struct server s;
	struct wait w;

	server_start(&s, M_AUTH);
	w = ask(tab, s.port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_AUTH);
	ck_assert_int_eq(w.res.aa, 1);
	ck_assert_int_eq(w.res.rcode, 0);
	ck_assert_int_eq(w.res.tcp, 0);
	/* Asked once per address, port and zone: the second answer is the
	 * table's, at once. */
	w = ask(tab, s.port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_AUTH);
	ck_assert_uint_eq(s.queries, 1);
	sc_nsq_counts(tab, &ended, &answered);
	ck_assert_uint_eq(ended, 1);
	ck_assert_uint_eq(answered, 1);
	server_stop(&s);
	done(tab);
}
END_TEST

/* How a server answers, and what the question then says: REFUSED; a
 * truncated UDP answer, asked again over TCP (RFC 7766 5); an answer with
 * another id first, not ours: ignored, the real one taken. */
START_TEST(test_net_answers)
{
	static const struct {
		enum mode mode;
		enum sc_nsq_outcome want;
		int tcp;
		const char *why;
	} cases[] = {
		{ M_REFUSE, SC_NSQ_REFUSED, 0, "REFUSED" },
		{ M_TRUNCATE, SC_NSQ_AUTH, 1, "authority" },
		{ M_STRAY_FIRST, SC_NSQ_AUTH, 0, "authority" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sc_nsq_table *tab = table(500, 3);
		struct server s;
		struct wait w;

		server_start(&s, cases[i].mode);
		w = ask(tab, s.port);
		ck_assert_int_eq(w.res.outcome, cases[i].want);
		ck_assert_int_eq(w.res.tcp, cases[i].tcp);
		ck_assert_uint_eq(s.tcp_queries, (unsigned)cases[i].tcp);
		ck_assert_ptr_nonnull(strstr(w.res.why, cases[i].why));
		ck_assert_int_eq(w.res.cut, 0);
		ck_assert_uint_eq(sc_nsq_authoritative(tab),
		                  cases[i].want == SC_NSQ_AUTH);
		server_stop(&s);
		done(tab);
	}
}
END_TEST

/* TCP closed without an answer after a truncated UDP answer: our path
 * may block TCP 53; no DNS message, so nothing about the server (cut),
 * and no "bad reply" that would count against it. */
START_TEST(test_net_tcp_closed)
{
	struct sc_nsq_table *tab = table(500, 3);
	struct server s;
	struct wait w;

	server_start(&s, M_TRUNCATE_CLOSE);
	w = ask(tab, s.port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_UNREACHABLE);
	ck_assert_int_eq(w.res.tcp, 1);
	ck_assert_int_eq(w.res.cut, 1);
	ck_assert_ptr_nonnull(strstr(w.res.why, "closed the connection"));
	server_stop(&s);
	done(tab);
}
END_TEST

/* A question whose budget (the asking job's time left) ran out before
 * its tries is cut short: not counted as an ended question, and the next
 * job that asks sends it again instead of inheriting our timeout. */
START_TEST(test_net_cut_short_asked_again)
{
	struct sc_nsq_table *tab = table(1000, 3);
	const struct sc_nsq_result *res;
	unsigned long ended, answered;
	struct sc_nsq *q;
	struct wait w = { 0 };
	struct server s;
	uint64_t end = sc_now_ms() + 3000;

	server_start(&s, M_SILENT);
	ck_assert_int_eq(sc_nsq_join(tab, "127.0.0.1", s.port, "zone.example",
	                             100, on_result, &w, &w, &q, &res), SC_OK);
	while (!w.called && sc_now_ms() < end)
		sc_loop_once(&loop, 50);
	ck_assert_int_eq(w.called, 1);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_TIMEOUT);
	ck_assert_int_eq(w.res.cut, 1);
	sc_nsq_counts(tab, &ended, &answered);
	ck_assert_uint_eq(ended, 0);
	s.mode = M_AUTH;
	w = ask(tab, s.port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_AUTH);
	ck_assert_uint_eq(s.queries, 2);
	server_stop(&s);
	done(tab);
}
END_TEST

/* Silence: every try times out, each twice the one before. */
START_TEST(test_net_silent)
{
	struct sc_nsq_table *tab = table(50, 3);
	uint64_t t0 = sc_now_ms();
	unsigned long ended, answered;
	struct server s;
	struct wait w;

	server_start(&s, M_SILENT);
	w = ask(tab, s.port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_TIMEOUT);
	ck_assert_uint_eq(s.queries, 3);
	ck_assert_uint_ge(sc_now_ms() - t0, 50 + 100 + 200 - 20);
	ck_assert_uint_lt(sc_now_ms() - t0, 2000);
	sc_nsq_counts(tab, &ended, &answered);
	ck_assert_uint_eq(answered, 0);
	server_stop(&s);
	done(tab);
}
END_TEST

/* No one listens: the ICMP error ends the question at once. */
START_TEST(test_net_unreachable)
{
	struct sc_nsq_table *tab = table(1000, 3);
	uint64_t t0 = sc_now_ms();
	struct server s;
	unsigned port;
	struct wait w;

	server_start(&s, M_SILENT);
	port = s.port;
	server_stop(&s); /* the port is free again: nothing there */
	w = ask(tab, port);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_UNREACHABLE);
	ck_assert_uint_lt(sc_now_ms() - t0, 900);
	done(tab);
}
END_TEST

/* A waiter that forgets is not called back; the question goes on. */
START_TEST(test_net_forget)
{
	struct sc_nsq_table *tab = table(50, 2);
	const struct sc_nsq_result *res;
	struct sc_nsq *q;
	struct wait w = { 0 };
	struct server s;
	uint64_t end = sc_now_ms() + 1000;

	server_start(&s, M_SILENT);
	ck_assert_int_eq(sc_nsq_join(tab, "127.0.0.1", s.port, "zone.example",
	                             3000, on_result, &w, &w, &q, &res), SC_OK);
	sc_nsq_forget(q, &w, &w);
	while (res->outcome == SC_NSQ_PENDING && sc_now_ms() < end)
		sc_loop_once(&loop, 50);
	ck_assert_int_eq(res->outcome, SC_NSQ_TIMEOUT);
	ck_assert_int_eq(w.called, 0);
	server_stop(&s);
	done(tab);
}
END_TEST

/* An address that cannot be asked from here (no such family route, a
 * name instead of an address) ends without a packet, from the loop. */
START_TEST(test_net_local)
{
	struct sc_nsq_table *tab = table(50, 2);
	const struct sc_nsq_result *res;
	struct sc_nsq *q;
	struct wait w = { 0 };
	uint64_t end = sc_now_ms() + 1000;

	ck_assert_int_eq(sc_nsq_join(tab, "not-an-address", 53, "zone.example",
	                             3000, on_result, &w, &w, &q, &res), SC_OK);
	ck_assert_int_eq(w.called, 0);
	while (!w.called && sc_now_ms() < end)
		sc_loop_once(&loop, 50);
	ck_assert_int_eq(w.called, 1);
	ck_assert_int_eq(w.res.outcome, SC_NSQ_LOCAL);
	ck_assert(!sc_nsq_answered(w.res.outcome));
	done(tab);
}
END_TEST

Suite *nsprobe_suite(void)
{
	Suite *s = suite_create("nsprobe");
	TCase *t = tcase_create("parse");

	tcase_add_test(t, test_judge);
	tcase_add_test(t, test_parse_fields);
	tcase_add_test(t, test_parse_garbage);
	tcase_add_test(t, test_build_query);
	suite_add_tcase(s, t);
	t = tcase_create("network");
	tcase_set_timeout(t, 20);
	tcase_add_test(t, test_net_auth_and_cache);
	tcase_add_test(t, test_net_answers);
	tcase_add_test(t, test_net_tcp_closed);
	tcase_add_test(t, test_net_cut_short_asked_again);
	tcase_add_test(t, test_net_silent);
	tcase_add_test(t, test_net_unreachable);
	tcase_add_test(t, test_net_forget);
	tcase_add_test(t, test_net_local);
	suite_add_tcase(s, t);
	return s;
}
