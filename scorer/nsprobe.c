/*
 * The nameserver probe: "ZONE SOA?" with RD clear, straight to one
 * address of a delegated nameserver (nsprobe.h).  UDP first, tried again
 * on silence as a stub resolver does (RFC 1035 4.2.1), and TCP when the
 * answer comes back truncated (RFC 7766 5).  Every step is bounded by the
 * question's budget; nothing blocks; ICMP errors are read off a connected
 * UDP socket, so a host where no server listens ends the question at once.
 *
 * An answer counts only when its id and question are ours: a stray or
 * forged datagram is ignored, and the wait goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "internal.h"
#include "nsprobe.h"
#include "waiters.h"

#define MAX_ACTIVE 64          /* questions under way at once (sockets) */
#define MAX_KEPT 65536         /* ended questions kept for the run; older
                                * ones are dropped first (the domains that
                                * asked keep copies of their answers) */
#define BUCKETS 1024
#define QUERY_MAX (12 + 255 + 4)
#define UDP_MAX 4096           /* without EDNS an answer is 512 bytes */
#define TCP_MAX 65535

#define T_SOA 6
#define C_IN 1

/* ---- the message (pure) ------------------------------------------------- */

int
sc_nsq_build_query(const char *zone, unsigned id, unsigned char *buf,
                   size_t cap)
{
	int w;
	size_t n;

	if (cap < QUERY_MAX)
		return -1;
	memset(buf, 0, 12);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	/* No RD: the server must answer from its own zones (a recursive
	 * answer would hide a lame delegation).  No EDNS: an SOA answer
	 * fits 512 bytes, and old servers answer plain queries best. */
	buf[5] = 1; /* QDCOUNT */
	if ((w = sc_dns_name_wire(zone, buf + 12, 255)) < 0)
		return -1;
	n = 12 + (size_t)w;
	buf[n++] = 0;
	buf[n++] = T_SOA;
	buf[n++] = 0;
	buf[n++] = C_IN;
	return (int)n;
}

/* The name at msg[*off], uncompressed into out[256] (wire form, labels
 * lower-cased); *off moves past it in the message.  -1 on a name that
 * runs off the end, loops, or is too long. */
static int
read_name(const unsigned char *msg, size_t len, size_t *off,
          unsigned char *out)
{
	size_t p = *off, n = 0, jumps = 0;
	int jumped = 0;

	for (;;) {
		unsigned c;

		if (p >= len)
			return -1;
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++jumps > 64)
				return -1;
			if (!jumped)
				*off = p + 2;
			jumped = 1;
			p = ((c & 0x3f) << 8) | msg[p + 1];
			continue;
		}
		if ((c & 0xc0) != 0)
			return -1; /* the extended label types of RFC 6891 */
		if (n + c + 1 > 255 || p + 1 + c > len)
			return -1;
		out[n++] = (unsigned char)c;
		if (c == 0)
			break;
		for (size_t i = 0; i < c; i++) {
			unsigned char b = msg[p + 1 + i];

			out[n++] = b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
		}
		p += 1 + c;
	}
	if (!jumped)
		*off = p + 1;
	return (int)n;
}

static int
same_wire(const unsigned char *a, int la, const unsigned char *b, int lb)
{
	return la == lb && memcmp(a, b, (size_t)la) == 0;
}

/* The zone in wire form, lower-cased, as read_name() gives names. */
static int
zone_wire(const char *zone, unsigned char *out)
{
	int w = sc_dns_name_wire(zone, out, 255), i;

	for (i = 0; i < w; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (unsigned char)(out[i] + ('a' - 'A'));
	return w;
}

int
sc_nsq_parse_reply(const unsigned char *msg, size_t len, const char *zone,
                   struct sc_nsq_reply *out)
{
	unsigned char want[256], name[256];
	unsigned qd, an, i;
	size_t off = 12;
	int lw, ln;

	memset(out, 0, sizeof(*out));
	if (len < 12)
		return -1;
	out->id = (unsigned)msg[0] << 8 | msg[1];
	out->qr = (msg[2] & 0x80) != 0;
	out->aa = (msg[2] & 0x04) != 0;
	out->tc = (msg[2] & 0x02) != 0;
	out->rcode = msg[3] & 0x0f;
	qd = (unsigned)msg[4] << 8 | msg[5];
	an = (unsigned)msg[6] << 8 | msg[7];
	if ((lw = zone_wire(zone, want)) < 0)
		return -1;
	/* RFC 1035 4.1.2: the question comes back as it was asked. */
	for (i = 0; i < qd; i++) {
		unsigned type, class;

		if ((ln = read_name(msg, len, &off, name)) < 0 || off + 4 > len)
			return -1;
		type = (unsigned)msg[off] << 8 | msg[off + 1];
		class = (unsigned)msg[off + 2] << 8 | msg[off + 3];
		off += 4;
		if (i == 0 && qd == 1 && type == T_SOA && class == C_IN &&
		    same_wire(name, ln, want, lw))
			out->question_ok = 1;
	}
	for (i = 0; i < an; i++) {
		unsigned type, class, rdlen;

		if ((ln = read_name(msg, len, &off, name)) < 0 ||
		    off + 10 > len)
			return -1;
		type = (unsigned)msg[off] << 8 | msg[off + 1];
		class = (unsigned)msg[off + 2] << 8 | msg[off + 3];
		rdlen = (unsigned)msg[off + 8] << 8 | msg[off + 9];
		off += 10;
		if (off + rdlen > len)
			return -1;
		off += rdlen;
		if (type == T_SOA && class == C_IN &&
		    same_wire(name, ln, want, lw))
			out->soa = 1;
	}
	return 0;
}

enum sc_nsq_outcome
sc_nsq_judge(const struct sc_nsq_reply *r)
{
	if (!r->qr || !r->question_ok)
		return SC_NSQ_BADREPLY;
	switch (r->rcode) {
	case 0: /* NOERROR */
		return r->aa && r->soa ? SC_NSQ_AUTH : SC_NSQ_NOT_AUTH;
	case 2:
		return SC_NSQ_SERVFAIL;
	case 3: /* NXDOMAIN: "the zone does not exist" is no authority */
		return SC_NSQ_NOT_AUTH;
	case 5:
		return SC_NSQ_REFUSED;
	default:
		return SC_NSQ_RCODE;
	}
}

const char *
sc_nsq_outcome_str(enum sc_nsq_outcome o)
{
	switch (o) {
	case SC_NSQ_PENDING: return "pending";
	case SC_NSQ_AUTH: return "authoritative";
	case SC_NSQ_REFUSED: return "refused";
	case SC_NSQ_SERVFAIL: return "servfail";
	case SC_NSQ_NOT_AUTH: return "not_authoritative";
	case SC_NSQ_RCODE: return "error_rcode";
	case SC_NSQ_BADREPLY: return "bad_reply";
	case SC_NSQ_TIMEOUT: return "timeout";
	case SC_NSQ_UNREACHABLE: return "unreachable";
	case SC_NSQ_LOCAL: return "not_sent";
	}
	return "?";
}

int
sc_nsq_answered(enum sc_nsq_outcome o)
{
	return o == SC_NSQ_AUTH || o == SC_NSQ_REFUSED ||
	       o == SC_NSQ_SERVFAIL || o == SC_NSQ_NOT_AUTH ||
	       o == SC_NSQ_RCODE || o == SC_NSQ_BADREPLY;
}

/* ---- a question on the network ------------------------------------------ */

enum phase { PH_QUEUED, PH_UDP, PH_TCP_CONNECT, PH_TCP_WRITE, PH_TCP_READ,
             PH_DONE };

struct sc_nsq {
	struct sc_nsq_table *tab;
	char *addr;
	char *zone;
	unsigned port;
	unsigned budget_ms;
	enum phase phase;
	int fd;
	unsigned id;
	unsigned char query[QUERY_MAX + 2]; /* TCP: the length first */
	size_t qlen;
	unsigned try_no, try_ms;
	struct sc_timer step, deadline, later;
	unsigned char *in;        /* TCP: the answer being read */
	size_t inlen, want;
	size_t outoff;
	uint64_t started;
	int err;                  /* errno of a question never sent */
	struct sc_nsq_result res;
	struct sc_waiter *waiters;   /* sc_nsq_join()'s, sc_nsq_cb each */
	struct sc_nsq *hnext;     /* bucket chain */
	struct sc_nsq *qnext;     /* queue of questions not yet sent */
	struct sc_nsq *enext;     /* ended questions, oldest first */
};

struct sc_nsq_table {
	struct sc_loop *loop;
	struct sc_dns *dns;
	unsigned try_ms, tries;
	struct sc_nsq *bucket[BUCKETS];
	struct sc_nsq *queue, **qtail;
	struct sc_nsq *ended, **etail;
	size_t nkept;
	unsigned active;
	unsigned long nended, nanswered, nauth;
};

static void nsq_start(struct sc_nsq *q);
static void on_io(int fd, int revents, void *arg);

static uint32_t
key_hash(const char *addr, unsigned port, const char *zone)
{
	uint32_t h = 2166136261u ^ port; /* FNV-1a */

	while (*addr != '\0') {
		h ^= (unsigned char)*addr++;
		h *= 16777619u;
	}
	while (*zone != '\0') {
		h ^= (unsigned char)(*zone | 0x20);
		h *= 16777619u;
		zone++;
	}
	return h;
}

static void
close_fd(struct sc_nsq *q)
{
	if (q->fd >= 0) {
		sc_loop_watch(q->tab->loop, q->fd, 0, NULL, NULL);
		close(q->fd);
		q->fd = -1;
	}
}

static void unlink_bucket(struct sc_nsq *q);
static void nsq_free(struct sc_nsq *q);

/* Drop the oldest ended questions beyond the table's bound. */
static void
trim(struct sc_nsq_table *tab)
{
	while (tab->nkept > MAX_KEPT && tab->ended != NULL) {
		struct sc_nsq *q = tab->ended;

		tab->ended = q->enext;
		if (tab->ended == NULL)
			tab->etail = &tab->ended;
		tab->nkept--;
		unlink_bucket(q);
		nsq_free(q);
	}
}

/* Set the outcome, once, free the slot, and tell those who waited. */
static void
finish(struct sc_nsq *q, enum sc_nsq_outcome o, const char *fmt, ...)
{
	struct sc_nsq_table *tab = q->tab;
	struct sc_waiter *w, *next;
	int was_active = q->phase != PH_QUEUED && q->phase != PH_DONE;
	va_list ap;

	if (q->res.outcome != SC_NSQ_PENDING)
		return;
	/* On TCP, anything but a DNS message is our path or the server's
	 * transport, after it answered over UDP: no evidence either way. */
	if (q->phase >= PH_TCP_CONNECT && !sc_nsq_answered(o))
		q->res.cut = 1;
	q->res.outcome = o;
	q->res.elapsed_ms = q->started ? (unsigned)(sc_now_ms() - q->started)
	                               : 0;
	va_start(ap, fmt);
	vsnprintf(q->res.why, sizeof(q->res.why), fmt, ap);
	va_end(ap);
	/* The run's counts say whether direct questions get through;
	 * one cut short by our own limit says nothing about that. */
	if (!q->res.cut)
		tab->nended++;
	if (sc_nsq_answered(o))
		tab->nanswered++;
	if (o == SC_NSQ_AUTH)
		tab->nauth++;
	close_fd(q);
	sc_timer_stop(tab->loop, &q->step);
	sc_timer_stop(tab->loop, &q->deadline);
	sc_free(q->in);
	q->in = NULL;
	q->phase = PH_DONE;
	q->enext = NULL;
	*tab->etail = q;
	tab->etail = &q->enext;
	tab->nkept++;
	if (was_active) {
		tab->active--;
		/* A slot is free: the next question in line may go. */
		while (tab->queue != NULL && tab->active < MAX_ACTIVE) {
			struct sc_nsq *n = tab->queue;

			tab->queue = n->qnext;
			if (tab->queue == NULL)
				tab->qtail = &tab->queue;
			n->qnext = NULL;
			nsq_start(n);
		}
	}
	for (w = sc_waiter_take(&q->waiters); w != NULL; w = next) {
		next = w->next;
		((sc_nsq_cb)w->fn)(w->arg, w->tag, &q->res);
		sc_free(w);
	}
	trim(tab);
}

/* The errno of a failed send or connect: whose side is it on? */
static enum sc_nsq_outcome
errno_outcome(int err, int local_step)
{
	if (err == ECONNREFUSED || err == ECONNRESET)
		return SC_NSQ_UNREACHABLE;
	if (!local_step && (err == EHOSTUNREACH || err == ENETUNREACH))
		return SC_NSQ_UNREACHABLE; /* a router's ICMP, read back */
	return SC_NSQ_LOCAL;
}

static int
sockaddr_of(const char *addr, unsigned port, struct sockaddr_storage *ss,
            socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* A socket of type connected (or connecting) to the server; -1 with
 * errno. */
static int
open_socket(struct sc_nsq *q, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (sockaddr_of(q->addr, q->port, &ss, &len) != 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
on_deadline(void *arg)
{
	struct sc_nsq *q = arg;

	q->res.cut = 1;
	finish(q, SC_NSQ_TIMEOUT, "no answer within %u ms%s", q->budget_ms,
	       q->phase >= PH_TCP_CONNECT ? " (over TCP)" : "");
}

static void on_try_timeout(void *arg);

static void
send_udp(struct sc_nsq *q)
{
	if (send(q->fd, q->query + 2, q->qlen, 0) < 0 && errno != EAGAIN &&
	    errno != EWOULDBLOCK) {
		int e = errno;

		finish(q, errno_outcome(e, q->try_no == 0), "the question "
		       "could not be sent: %s", strerror(e));
		return;
	}
	q->try_no++;
	sc_timer_start(q->tab->loop, &q->step, q->try_ms, on_try_timeout, q);
	q->try_ms *= 2;
}

static void
on_try_timeout(void *arg)
{
	struct sc_nsq *q = arg;

	if (q->try_no >= q->tab->tries) {
		finish(q, SC_NSQ_TIMEOUT, "no answer to %u tr%s over UDP",
		       q->try_no, q->try_no == 1 ? "y" : "ies");
		return;
	}
	send_udp(q);
}

/* The answer to a question of ours: judge it. */
static void
take_reply(struct sc_nsq *q, const unsigned char *msg, size_t len)
{
	struct sc_nsq_reply r;
	enum sc_nsq_outcome o;

	if (sc_nsq_parse_reply(msg, len, q->zone, &r) != 0 ||
	    r.id != q->id || !r.qr) {
		/* Not an answer to us: over UDP, keep waiting for ours (an
		 * off-path forger must not end the question); over TCP the
		 * stream is the server's own, and this is its answer. */
		if (q->phase == PH_UDP)
			return;
		finish(q, SC_NSQ_BADREPLY, "the answer over TCP is not a "
		       "DNS message answering the question");
		return;
	}
	if (!r.question_ok && q->phase == PH_UDP)
		return;
	if (r.tc && q->phase == PH_UDP) {
		/* Truncated: ask again over TCP (RFC 7766 5). */
		close_fd(q);
		sc_timer_stop(q->tab->loop, &q->step);
		if ((q->fd = open_socket(q, SOCK_STREAM)) < 0) {
			int e = errno;

			finish(q, errno_outcome(e, 1), "the UDP answer was "
			       "truncated, and TCP could not be opened: %s",
			       strerror(e));
			return;
		}
		q->res.tcp = 1;
		q->phase = PH_TCP_CONNECT;
		q->outoff = 0;
		(void)sc_loop_watch(q->tab->loop, q->fd, SC_EV_OUT, on_io, q);
		return;
	}
	q->res.rcode = r.rcode;
	q->res.aa = r.aa;
	o = sc_nsq_judge(&r);
	switch (o) {
	case SC_NSQ_AUTH:
		finish(q, o, "answered with authority (AA) and the zone's SOA");
		break;
	case SC_NSQ_NOT_AUTH:
		if (r.rcode == 3)
			finish(q, o, "answered that the zone does not exist "
			       "(NXDOMAIN%s)", r.aa ? ", AA" : "");
		else if (!r.aa)
			finish(q, o, "answered without authority (no AA bit: "
			       "a referral or a cached answer)");
		else
			finish(q, o, "answered with authority but without "
			       "the zone's SOA");
		break;
	case SC_NSQ_REFUSED:
		finish(q, o, "refused the question (REFUSED): it does not "
		       "serve the zone");
		break;
	case SC_NSQ_SERVFAIL:
		finish(q, o, "failed to answer (SERVFAIL)");
		break;
	case SC_NSQ_BADREPLY:
		finish(q, o, "answered another question");
		break;
	default:
		finish(q, o, "answered with error code %d", r.rcode);
		break;
	}
}

static void
udp_read(struct sc_nsq *q)
{
	unsigned char buf[UDP_MAX];

	for (;;) {
		ssize_t n = recv(q->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			int e = errno;

			if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR)
				return;
			finish(q, errno_outcome(e, 0), "%s", strerror(e));
			return;
		}
		take_reply(q, buf, (size_t)n);
		if (q->phase != PH_UDP)
			return;
	}
}

static void
tcp_step(struct sc_nsq *q)
{
	if (q->phase == PH_TCP_CONNECT) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0) {
			finish(q, errno_outcome(err, 0), "TCP (the UDP answer "
			       "was truncated): %s", strerror(err));
			return;
		}
		q->phase = PH_TCP_WRITE;
	}
	if (q->phase == PH_TCP_WRITE) {
		ssize_t w = send(q->fd, q->query + q->outoff,
		                 q->qlen + 2 - q->outoff, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		              errno == EINTR))
			return;
		if (w < 0) {
			int e = errno;

			finish(q, errno_outcome(e, 0), "TCP: %s", strerror(e));
			return;
		}
		q->outoff += (size_t)w;
		if (q->outoff < q->qlen + 2)
			return;
		q->phase = PH_TCP_READ;
		q->want = 2;
		if ((q->in = sc_malloc(TCP_MAX + 2)) == NULL) {
			finish(q, SC_NSQ_LOCAL, "out of memory");
			return;
		}
		(void)sc_loop_watch(q->tab->loop, q->fd, SC_EV_IN, on_io, q);
		return;
	}
	while (q->phase == PH_TCP_READ) {
		ssize_t n = recv(q->fd, q->in + q->inlen, q->want - q->inlen, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		              errno == EINTR))
			return;
		if (n <= 0) {
			int e = n < 0 ? errno : 0;

			/* A connection closed before the answer is no DNS
			 * message: the transport's fault, not an answer. */
			finish(q, n < 0 ? errno_outcome(e, 0) : SC_NSQ_UNREACHABLE,
			       "TCP: %s", n < 0 ? strerror(e)
			                        : "the server closed the "
			                          "connection before its answer");
			return;
		}
		q->inlen += (size_t)n;
		if (q->inlen < q->want)
			continue;
		if (q->want == 2) {
			q->want = 2 + ((size_t)q->in[0] << 8 | q->in[1]);
			if (q->want == 2) {
				finish(q, SC_NSQ_BADREPLY, "TCP: an empty answer");
				return;
			}
			continue;
		}
		take_reply(q, q->in + 2, q->want - 2);
		return;
	}
}

static void
on_io(int fd, int revents, void *arg)
{
	struct sc_nsq *q = arg;

	(void)fd;
	(void)revents;
	if (q->phase == PH_UDP)
		udp_read(q);
	else
		tcp_step(q);
}

/* A question that failed before it went out ends from the loop, so that
 * no one is called back from inside sc_nsq_join(). */
static void
on_later(void *arg)
{
	struct sc_nsq *q = arg;

	finish(q, errno_outcome(q->err, 1), "the question could not be sent "
	       "from here: %s", strerror(q->err));
}

static void
nsq_start(struct sc_nsq *q)
{
	struct sc_nsq_table *tab = q->tab;
	int len;

	q->started = sc_now_ms();
	q->phase = PH_UDP;
	tab->active++;
	sc_timer_start(tab->loop, &q->deadline, q->budget_ms, on_deadline, q);
	q->id = sc_dns_new_id(tab->dns);
	len = sc_nsq_build_query(q->zone, q->id, q->query + 2,
	                         sizeof(q->query) - 2);
	if (len < 0) {
		finish(q, SC_NSQ_LOCAL, "the zone name cannot be asked");
		return;
	}
	q->qlen = (size_t)len;
	q->query[0] = (unsigned char)(len >> 8);
	q->query[1] = (unsigned char)len;
	if ((q->fd = open_socket(q, SOCK_DGRAM)) < 0) {
		q->err = errno;
		sc_timer_start(tab->loop, &q->later, 0, on_later, q);
		return;
	}
	if (sc_loop_watch(tab->loop, q->fd, SC_EV_IN, on_io, q) != SC_OK) {
		finish(q, SC_NSQ_LOCAL, "out of memory");
		return;
	}
	send_udp(q);
}

struct sc_nsq_table *
sc_nsq_table_new(struct sc_loop *loop, struct sc_dns *dns, unsigned try_ms,
                 unsigned tries)
{
	struct sc_nsq_table *tab = sc_calloc(1, sizeof(*tab));

	if (tab == NULL)
		return NULL;
	tab->loop = loop;
	tab->dns = dns;
	tab->try_ms = try_ms > 0 ? try_ms : 1000;
	tab->tries = tries > 0 ? tries : 1;
	tab->qtail = &tab->queue;
	tab->etail = &tab->ended;
	return tab;
}

static void
unlink_bucket(struct sc_nsq *q)
{
	struct sc_nsq **pp = &q->tab->bucket[key_hash(q->addr, q->port,
	                                              q->zone) % BUCKETS];

	while (*pp != NULL && *pp != q)
		pp = &(*pp)->hnext;
	if (*pp == q)
		*pp = q->hnext;
}

static void
nsq_free(struct sc_nsq *q)
{
	close_fd(q);
	sc_timer_stop(q->tab->loop, &q->step);
	sc_timer_stop(q->tab->loop, &q->deadline);
	sc_timer_stop(q->tab->loop, &q->later);
	sc_waiter_free_all(&q->waiters);
	sc_free(q->in);
	sc_free(q->addr);
	sc_free(q->zone);
	sc_free(q);
}

static struct sc_nsq *
nsq_get(struct sc_nsq_table *tab, const char *addr, unsigned port,
        const char *zone, unsigned budget_ms)
{
	uint32_t b = key_hash(addr, port, zone) % BUCKETS;
	struct sc_nsq *q;

	for (q = tab->bucket[b]; q != NULL; q = q->hnext)
		if (!q->res.cut && q->port == port &&
		    strcmp(q->addr, addr) == 0 && strcasecmp(q->zone, zone) == 0)
			return q;
	if ((q = sc_calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->tab = tab;
	q->fd = -1;
	q->port = port;
	q->budget_ms = budget_ms > 0 ? budget_ms : 1;
	q->try_ms = tab->try_ms;
	q->res.rcode = -1;
	if ((q->addr = sc_strdup(addr)) == NULL ||
	    (q->zone = sc_strdup(zone)) == NULL) {
		sc_free(q->addr);
		sc_free(q);
		return NULL;
	}
	q->hnext = tab->bucket[b];
	tab->bucket[b] = q;
	if (tab->active < MAX_ACTIVE) {
		nsq_start(q);
	} else {
		*tab->qtail = q;
		tab->qtail = &q->qnext;
	}
	return q;
}

sc_status_t
sc_nsq_join(struct sc_nsq_table *tab, const char *addr, unsigned port,
            const char *zone, unsigned budget_ms, sc_nsq_cb cb, void *arg,
            const void *tag, struct sc_nsq **qp,
            const struct sc_nsq_result **res)
{
	struct sc_nsq *q = nsq_get(tab, addr, port, zone, budget_ms);

	if (q == NULL)
		return SC_ENOMEM;
	*qp = q;
	*res = &q->res;
	if (q->res.outcome != SC_NSQ_PENDING || cb == NULL)
		return SC_OK;
	return sc_waiter_add(&q->waiters, (sc_waiter_fn)cb, arg, tag) == 0
	       ? SC_OK : SC_ENOMEM;
}

void
sc_nsq_forget(struct sc_nsq *q, const void *arg, const void *tag)
{
	sc_waiter_forget(&q->waiters, arg, tag);
}

void
sc_nsq_counts(const struct sc_nsq_table *tab, unsigned long *ended,
              unsigned long *answered)
{
	*ended = tab != NULL ? tab->nended : 0;
	*answered = tab != NULL ? tab->nanswered : 0;
}

unsigned long
sc_nsq_authoritative(const struct sc_nsq_table *tab)
{
	return tab != NULL ? tab->nauth : 0;
}

void
sc_nsq_table_free(struct sc_nsq_table *tab)
{
	size_t b;

	if (tab == NULL)
		return;
	for (b = 0; b < BUCKETS; b++) {
		struct sc_nsq *q, *next;

		for (q = tab->bucket[b]; q != NULL; q = next) {
			next = q->hnext;
			nsq_free(q);
		}
	}
	sc_free(tab);
}
