/*
 * A fake DNS server for the unit tests: a UDP socket and a TCP listener on
 * 127.0.0.1 (port 0, so parallel runs never collide), served by one
 * pthread.  Each query is handed to a responder function chosen by the
 * test, which writes the canned reply bytes (or none).  The server records
 * every query it received (transport, name, type, raw bytes), so tests can
 * count lookups and inspect what c-ares put on the wire.
 *
 * Everything is static (the Makefile links no extra objects from tests/),
 * and every wait is bounded: the thread polls in 50 ms steps and gives up
 * after DNSFAKE_LIFETIME_MS even if a test forgets to stop it.
 */
#ifndef SC_TEST_DNSFAKE_H
#define SC_TEST_DNSFAKE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DNSFAKE_LIFETIME_MS 60000
#define DNSFAKE_MAXCONN 8
#define DNSFAKE_MAXLOG 1024
#define DNSFAKE_MSG 65535

/* One query as received. */
struct dnsfake_query {
	unsigned char buf[4096];
	size_t len;
	int tcp;
	unsigned id;
	char name[256];   /* presentation form, no trailing dot */
	int qtype;
	size_t qend;      /* offset just past the question */
};

/* Write the reply to q into out (cap bytes) and return its length; 0
 * sends nothing.  Runs on the server thread. */
typedef size_t (*dnsfake_fn)(void *arg, const struct dnsfake_query *q,
                             unsigned char *out, size_t cap);

struct dnsfake_conn {
	int fd;
	size_t have;
	unsigned char buf[2 + DNSFAKE_MSG];
};

struct dnsfake_entry {
	int tcp;
	unsigned id;      /* the query's id: a resend keeps it */
	int qtype;
	char name[256];
};

struct dnsfake {
	int udp, tcp;
	unsigned port;
	pthread_t thread;
	int running;
	pthread_mutex_t mu;          /* guards everything below */
	int stop;
	dnsfake_fn fn;
	void *arg;
	unsigned nudp, ntcp;         /* queries received per transport */
	unsigned ntcp_conn;          /* TCP connections accepted */
	struct dnsfake_query last;   /* the last query received */
	struct dnsfake_entry log[DNSFAKE_MAXLOG];
	size_t nlog;
	struct dnsfake_conn conn[DNSFAKE_MAXCONN];
};

static inline uint64_t
dnsfake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Parse the header and question; 0 if the message cannot be a query. */
static inline int
dnsfake_parse(struct dnsfake_query *q)
{
	size_t off = 12, out = 0;

	if (q->len < 12 + 5)
		return 0;
	q->id = (unsigned)q->buf[0] << 8 | q->buf[1];
	while (off < q->len && q->buf[off] != 0) {
		size_t l = q->buf[off];

		if (l > 63 || off + 1 + l >= q->len || out + l + 2 > sizeof(q->name))
			return 0;
		if (out > 0)
			q->name[out++] = '.';
		memcpy(q->name + out, q->buf + off + 1, l);
		out += l;
		off += 1 + l;
	}
	q->name[out] = '\0';
	if (off + 5 > q->len)
		return 0;
	q->qtype = q->buf[off + 1] << 8 | q->buf[off + 2];
	q->qend = off + 5;
	return 1;
}

/* Record the query, ask the responder for a reply.  Returns its length. */
static inline size_t
dnsfake_handle(struct dnsfake *fs, struct dnsfake_query *q,
               unsigned char *out, size_t cap)
{
	dnsfake_fn fn;
	void *arg;

	if (!dnsfake_parse(q))
		return 0;
	pthread_mutex_lock(&fs->mu);
	if (q->tcp)
		fs->ntcp++;
	else
		fs->nudp++;
	fs->last = *q;
	if (fs->nlog < DNSFAKE_MAXLOG) {
		fs->log[fs->nlog].tcp = q->tcp;
		fs->log[fs->nlog].id = q->id;
		fs->log[fs->nlog].qtype = q->qtype;
		memcpy(fs->log[fs->nlog].name, q->name, sizeof(q->name));
		fs->nlog++;
	}
	fn = fs->fn;
	arg = fs->arg;
	pthread_mutex_unlock(&fs->mu);
	return fn != NULL ? fn(arg, q, out, cap) : 0;
}

static inline void
dnsfake_udp_ready(struct dnsfake *fs)
{
	static _Thread_local struct dnsfake_query q;
	static _Thread_local unsigned char out[DNSFAKE_MSG];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;
	size_t olen;

	memset(&q, 0, sizeof(q));
	n = recvfrom(fs->udp, q.buf, sizeof(q.buf), 0,
	             (struct sockaddr *)&from, &flen);
	if (n <= 0)
		return;
	q.len = (size_t)n;
	olen = dnsfake_handle(fs, &q, out, sizeof(out));
	if (olen > 0)
		(void)sendto(fs->udp, out, olen, 0, (struct sockaddr *)&from, flen);
}

static inline void
dnsfake_accept(struct dnsfake *fs)
{
	int fd = accept(fs->tcp, NULL, NULL);
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < DNSFAKE_MAXCONN; i++)
		if (fs->conn[i].fd < 0) {
			fs->conn[i].fd = fd;
			fs->conn[i].have = 0;
			pthread_mutex_lock(&fs->mu);
			fs->ntcp_conn++;
			pthread_mutex_unlock(&fs->mu);
			return;
		}
	close(fd); /* full: the client sees a reset, as from a busy server */
}

/* Write all of buf; loopback and small replies, so a few tries do. */
static inline void
dnsfake_write_all(int fd, const unsigned char *buf, size_t len)
{
	int tries = 0;

	while (len > 0 && tries++ < 1000) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* TCP: two-octet length, then the message (RFC 1035 4.2.2); a client may
 * send several queries on one connection. */
static inline void
dnsfake_conn_ready(struct dnsfake *fs, struct dnsfake_conn *c)
{
	static _Thread_local struct dnsfake_query q;
	static _Thread_local unsigned char out[2 + DNSFAKE_MSG];
	ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);

	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->have += (size_t)n;
	while (c->have >= 2) {
		size_t mlen = (size_t)c->buf[0] << 8 | c->buf[1], olen;

		if (c->have < 2 + mlen)
			break;
		memset(&q, 0, sizeof(q));
		q.len = mlen < sizeof(q.buf) ? mlen : sizeof(q.buf);
		memcpy(q.buf, c->buf + 2, q.len);
		q.tcp = 1;
		olen = dnsfake_handle(fs, &q, out + 2, sizeof(out) - 2);
		if (olen > 0) {
			out[0] = (unsigned char)(olen >> 8);
			out[1] = (unsigned char)olen;
			dnsfake_write_all(c->fd, out, olen + 2);
		}
		memmove(c->buf, c->buf + 2 + mlen, c->have - 2 - mlen);
		c->have -= 2 + mlen;
	}
}

static inline void *
dnsfake_main(void *arg)
{
	struct dnsfake *fs = arg;
	uint64_t end = dnsfake_now_ms() + DNSFAKE_LIFETIME_MS;

	while (dnsfake_now_ms() < end) {
		struct pollfd p[2 + DNSFAKE_MAXCONN];
		size_t i, n = 2;
		int stop;

		pthread_mutex_lock(&fs->mu);
		stop = fs->stop;
		pthread_mutex_unlock(&fs->mu);
		if (stop)
			break;
		p[0].fd = fs->udp;
		p[1].fd = fs->tcp;
		for (i = 0; i < DNSFAKE_MAXCONN; i++)
			p[2 + i].fd = fs->conn[i].fd; /* poll ignores fd -1 */
		n += DNSFAKE_MAXCONN;
		for (i = 0; i < n; i++) {
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, (nfds_t)n, 50) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			dnsfake_udp_ready(fs);
		if (p[1].revents & POLLIN)
			dnsfake_accept(fs);
		for (i = 0; i < DNSFAKE_MAXCONN; i++)
			if (fs->conn[i].fd >= 0 && p[2 + i].revents != 0)
				dnsfake_conn_ready(fs, &fs->conn[i]);
	}
	return NULL;
}

static inline int
dnsfake_bind(int type, unsigned port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind UDP on a free port, then TCP on the same port (retried a few times
 * in case another process holds that TCP port), and start the thread.
 * fs must stay where it is until dnsfake_stop(). */
static inline int
dnsfake_start(struct dnsfake *fs, dnsfake_fn fn, void *arg)
{
	struct sockaddr_in sa;
	socklen_t slen;
	size_t i;
	int tries;

	memset(fs, 0, sizeof(*fs));
	fs->udp = fs->tcp = -1;
	for (i = 0; i < DNSFAKE_MAXCONN; i++)
		fs->conn[i].fd = -1;
	for (tries = 0; tries < 20 && fs->tcp < 0; tries++) {
		if (fs->udp >= 0)
			close(fs->udp);
		if ((fs->udp = dnsfake_bind(SOCK_DGRAM, 0)) < 0)
			return -1;
		slen = sizeof(sa);
		if (getsockname(fs->udp, (struct sockaddr *)&sa, &slen) != 0)
			return -1;
		fs->port = ntohs(sa.sin_port);
		fs->tcp = dnsfake_bind(SOCK_STREAM, fs->port);
	}
	if (fs->tcp < 0) {
		close(fs->udp);
		return -1;
	}
	fs->fn = fn;
	fs->arg = arg;
	pthread_mutex_init(&fs->mu, NULL);
	if (pthread_create(&fs->thread, NULL, dnsfake_main, fs) != 0) {
		close(fs->udp);
		close(fs->tcp);
		pthread_mutex_destroy(&fs->mu);
		return -1;
	}
	fs->running = 1;
	return 0;
}

static inline void
dnsfake_stop(struct dnsfake *fs)
{
	size_t i;

	if (!fs->running)
		return;
	pthread_mutex_lock(&fs->mu);
	fs->stop = 1;
	pthread_mutex_unlock(&fs->mu);
	pthread_join(fs->thread, NULL);
	for (i = 0; i < DNSFAKE_MAXCONN; i++)
		if (fs->conn[i].fd >= 0)
			close(fs->conn[i].fd);
	close(fs->udp);
	close(fs->tcp);
	pthread_mutex_destroy(&fs->mu);
	fs->running = 0;
}

/* "127.0.0.1:PORT", for sc_dns_init() and sc_ctx_add_resolver(). */
static inline const char *
dnsfake_addr(const struct dnsfake *fs, char *buf, size_t len)
{
	snprintf(buf, len, "127.0.0.1:%u", fs->port);
	return buf;
}

/* Counters, read under the lock: the server thread writes them. */
static inline void
dnsfake_counts(struct dnsfake *fs, unsigned *udp, unsigned *tcp)
{
	pthread_mutex_lock(&fs->mu);
	if (udp != NULL)
		*udp = fs->nudp;
	if (tcp != NULL)
		*tcp = fs->ntcp;
	pthread_mutex_unlock(&fs->mu);
}

/* Is log entry i the first sending of its question?  c-ares sends a
 * query again (same id, name and type) when the answer is slow, as under
 * valgrind, and again over TCP after a truncated answer: the counters
 * below count what the client asked, not how often the network carried
 * it (dnsfake_counts() gives the packets).  Called under the lock. */
static inline int
dnsfake_first_send(const struct dnsfake *fs, size_t i)
{
	const struct dnsfake_entry *e = &fs->log[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (fs->log[j].id == e->id && fs->log[j].qtype == e->qtype &&
		    strcmp(fs->log[j].name, e->name) == 0)
			return 0;
	return 1;
}

/* Questions asked for name (NULL: any; case aside) of type qtype (0:
 * any), but those for the name except (NULL: none; "" is the root). */
static inline unsigned
dnsfake_count_where(struct dnsfake *fs, const char *name, int qtype,
                    const char *except)
{
	size_t i;
	unsigned n = 0;

	pthread_mutex_lock(&fs->mu);
	for (i = 0; i < fs->nlog; i++) {
		const struct dnsfake_entry *e = &fs->log[i];

		n += (name == NULL || strcasecmp(e->name, name) == 0) &&
		     (qtype == 0 || e->qtype == qtype) &&
		     (except == NULL || strcmp(e->name, except) != 0) &&
		     dnsfake_first_send(fs, i);
	}
	pthread_mutex_unlock(&fs->mu);
	return n;
}

static inline unsigned
dnsfake_questions_except(struct dnsfake *fs, const char *except)
{
	return dnsfake_count_where(fs, NULL, 0, except);
}

static inline unsigned
dnsfake_questions(struct dnsfake *fs)
{
	return dnsfake_questions_except(fs, NULL);
}

static inline size_t
dnsfake_nlog(struct dnsfake *fs)
{
	size_t n;

	pthread_mutex_lock(&fs->mu);
	n = fs->nlog;
	pthread_mutex_unlock(&fs->mu);
	return n;
}

/* Questions asked for name (any type, any transport; a resend counted
 * once). */
static inline unsigned
dnsfake_count_name(struct dnsfake *fs, const char *name)
{
	return dnsfake_count_where(fs, name, 0, NULL);
}

/* Questions asked for name of type qtype (a resend counted once). */
static inline unsigned
dnsfake_count_q(struct dnsfake *fs, const char *name, int qtype)
{
	return dnsfake_count_where(fs, name, qtype, NULL);
}

static inline void
dnsfake_last(struct dnsfake *fs, struct dnsfake_query *q)
{
	pthread_mutex_lock(&fs->mu);
	*q = fs->last;
	pthread_mutex_unlock(&fs->mu);
}

/* ---- building replies -------------------------------------------------
 * Tiny and unchecked on purpose: the tests write hostile messages, so the
 * builder does what it is told.  Every write is bounded by cap. */

struct dnsmsg {
	unsigned char *b;
	size_t cap, len;
};

static inline void
dnsmsg_put(struct dnsmsg *m, const void *p, size_t n)
{
	if (m->len + n > m->cap)
		n = m->len < m->cap ? m->cap - m->len : 0;
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static inline void
dnsmsg_u16(struct dnsmsg *m, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	dnsmsg_put(m, b, 2);
}

/* A name in wire form; NULL is a pointer to the question's name. */
static inline void
dnsmsg_name(struct dnsmsg *m, const char *name)
{
	if (name == NULL) {
		dnsmsg_u16(m, 0xc00c);
		return;
	}
	while (*name != '\0') {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		unsigned char lb = (unsigned char)l;

		dnsmsg_put(m, &lb, 1);
		dnsmsg_put(m, name, l);
		name += l + (dot ? 1 : 0);
	}
	dnsmsg_put(m, "", 1);
}

/* Header flags for dnsmsg_reply(). */
#define DNSF_TC 0x0200
#define DNSF_AD 0x0020

/* Start a reply to q: same id, RD copied, QR and RA set, the question
 * copied, no records yet. */
static inline void
dnsmsg_reply(struct dnsmsg *m, const struct dnsfake_query *q, int rcode,
             unsigned flags, unsigned char *out, size_t cap)
{
	unsigned f = 0x8000 | 0x0080 | flags | (unsigned)(rcode & 0x0f);

	m->b = out;
	m->cap = cap;
	m->len = 0;
	dnsmsg_u16(m, q->id);
	f |= (q->buf[2] & 0x01) ? 0x0100 : 0; /* RD */
	dnsmsg_u16(m, f);
	dnsmsg_u16(m, 1);
	dnsmsg_u16(m, 0);
	dnsmsg_u16(m, 0);
	dnsmsg_u16(m, 0);
	dnsmsg_put(m, q->buf + 12, q->qend - 12);
}

/* Append an answer RR; counts it in ANCOUNT. */
static inline void
dnsmsg_rr(struct dnsmsg *m, const char *owner, int type, const void *rdata,
          size_t rdlen)
{
	unsigned an = (unsigned)m->b[6] << 8 | m->b[7];

	dnsmsg_name(m, owner);
	dnsmsg_u16(m, (unsigned)type);
	dnsmsg_u16(m, 1);      /* IN */
	dnsmsg_u16(m, 0);      /* TTL 60 */
	dnsmsg_u16(m, 60);
	dnsmsg_u16(m, (unsigned)rdlen);
	dnsmsg_put(m, rdata, rdlen);
	an++;
	m->b[6] = (unsigned char)(an >> 8);
	m->b[7] = (unsigned char)an;
}

/* Append an SOA for zone to the authority section (counted in NSCOUNT):
 * what an honest NXDOMAIN carries (RFC 2308 2.1).  Call after the
 * answers. */
static inline void
dnsmsg_soa_auth(struct dnsmsg *m, const char *zone)
{
	unsigned ns = (unsigned)m->b[8] << 8 | m->b[9];
	unsigned char rd[600];
	struct dnsmsg r = { rd, sizeof(rd), 0 };
	static const unsigned char nums[20] = { 0, 0, 0, 1, 0, 0, 14, 16,
	                                        0, 0, 7, 8, 0, 9, 58, 128,
	                                        0, 0, 1, 44 };

	dnsmsg_name(&r, "ns.invalid");
	dnsmsg_name(&r, "hostmaster.invalid");
	dnsmsg_put(&r, nums, sizeof(nums));
	if (zone[0] == '\0')
		dnsmsg_put(m, "", 1); /* the root */
	else
		dnsmsg_name(m, zone);
	dnsmsg_u16(m, 6);
	dnsmsg_u16(m, 1);
	dnsmsg_u16(m, 0);
	dnsmsg_u16(m, 300);
	dnsmsg_u16(m, (unsigned)r.len);
	dnsmsg_put(m, rd, r.len);
	ns++;
	m->b[8] = (unsigned char)(ns >> 8);
	m->b[9] = (unsigned char)ns;
}

/* The wire form of name into buf; its length. */
static inline size_t
dnsfake_wire_name(const char *name, unsigned char *buf, size_t cap)
{
	struct dnsmsg m = { buf, cap, 0 };

	dnsmsg_name(&m, name);
	return m.len;
}

static inline void
dnsmsg_a(struct dnsmsg *m, const char *owner, const char *ip)
{
	unsigned char a[4];

	inet_pton(AF_INET, ip, a);
	dnsmsg_rr(m, owner, 1, a, 4);
}

static inline void
dnsmsg_aaaa(struct dnsmsg *m, const char *owner, const char *ip)
{
	unsigned char a[16];

	inet_pton(AF_INET6, ip, a);
	dnsmsg_rr(m, owner, 28, a, 16);
}

static inline void
dnsmsg_mx(struct dnsmsg *m, const char *owner, unsigned pref,
          const char *host)
{
	unsigned char rd[300];
	size_t n;

	rd[0] = (unsigned char)(pref >> 8);
	rd[1] = (unsigned char)pref;
	n = dnsfake_wire_name(host, rd + 2, sizeof(rd) - 2);
	dnsmsg_rr(m, owner, 15, rd, 2 + n);
}

/* The tests' usual world, added to the reply m: every D has MX 10 mx.D,
 * and every mx.D is 127.0.0.1; anything else is left as it is (NODATA). */
static inline void
dnsmsg_mx_world(struct dnsmsg *m, const struct dnsfake_query *q)
{
	char host[300];

	if (q->qtype == 15 && strncmp(q->name, "mx.", 3) != 0) {
		snprintf(host, sizeof(host), "mx.%s", q->name);
		dnsmsg_mx(m, NULL, 10, host);
	} else if (q->qtype == 1 && strncmp(q->name, "mx.", 3) == 0) {
		dnsmsg_a(m, NULL, "127.0.0.1");
	}
}

static inline void
dnsmsg_cname(struct dnsmsg *m, const char *owner, const char *target)
{
	unsigned char rd[300];
	size_t n = dnsfake_wire_name(target, rd, sizeof(rd));

	dnsmsg_rr(m, owner, 5, rd, n);
}

/* One TXT RR of nstr character-strings (each up to 255 octets; lens
 * given, so a string may hold a NUL). */
static inline void
dnsmsg_txt(struct dnsmsg *m, const char *owner, size_t nstr,
           const char *const *str, const size_t *lens)
{
	unsigned char rd[4096];
	size_t i, n = 0;

	for (i = 0; i < nstr && n + 1 + lens[i] <= sizeof(rd); i++) {
		rd[n++] = (unsigned char)lens[i];
		memcpy(rd + n, str[i], lens[i]);
		n += lens[i];
	}
	dnsmsg_rr(m, owner, 16, rd, n);
}

#endif
