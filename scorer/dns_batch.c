/*
 * c-ares' UDP datagrams, sent and received in batches (dns_batch.h).
 *
 * c-ares 1.18 writes each query with its own send() the moment it is
 * asked, and reads each answer with its own recvfrom().  Here a query is
 * queued instead and the queue goes out in one sendmmsg() just before we
 * read (c-ares reads until EAGAIN after every readable event), when c-ares
 * returns to the loop, or, for queries asked outside c-ares, from a timer
 * due at once.  On loopback most of a query's cost is the kernel waking
 * the server for it; a batch wakes it once.
 *
 * c-ares configures no socket it did not make itself, so the hooks make
 * them as it would: non-blocking (a blocking connect() or read would stop
 * the whole loop), close-on-exec, a large receive buffer for UDP, no
 * Nagle for TCP.
 *
 * What c-ares sees is what plain sockets give: a queued query counts as
 * sent (UDP may lose it anyway, and c-ares asks again at its timeout),
 * answers come one per call with their source address, and an error the
 * kernel reports for a send (ECONNREFUSED after an ICMP port unreachable)
 * is told by the next read, which c-ares is made to do at once, so it
 * still leaves a dead resolver at once.
 */
#define _GNU_SOURCE               /* sendmmsg, recvmmsg */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dns_batch.h"
#include "internal.h"

#define RECV_SIZE 4097  /* what c-ares 1.18 reads a UDP answer into */
#define SEND_SIZE 512   /* a query: header, a name of 255 octets at most,
                         * the question, an OPT record */

struct sc_dgram {
	int fd;
	int error;                    /* a send's errno, for the next call */
	unsigned next, n;             /* answers read: next to hand out */
	unsigned nout;                /* queries queued */
	struct mmsghdr in[SC_DNS_BATCH], out[SC_DNS_BATCH];
	struct iovec iniov[SC_DNS_BATCH], outiov[SC_DNS_BATCH];
	struct sockaddr_storage from[SC_DNS_BATCH];
	unsigned char inbuf[SC_DNS_BATCH][RECV_SIZE];
	unsigned char outbuf[SC_DNS_BATCH][SEND_SIZE];
};

static struct sc_dgram *
find(const struct sc_dns_batch *b, int fd)
{
	size_t i;

	for (i = 0; i < b->nsock; i++)
		if (b->sock[i]->fd == fd)
			return b->sock[i];
	return NULL;
}

static void
send_queued(struct sc_dgram *d)
{
	unsigned sent = 0;
	int r;

	while (sent < d->nout) {
		r = sendmmsg(d->fd, d->out + sent, d->nout - sent,
		             MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* The rest is lost, as datagrams can be: c-ares asks
			 * again at its timeout.  A real error is told. */
			if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ENOBUFS)
				d->error = errno;
			break;
		}
		sent += (unsigned)r;
	}
	d->nout = 0;
}

static void
send_all(struct sc_dns_batch *b)
{
	size_t i;

	if (b->armed) {
		sc_timer_stop(b->loop, &b->timer);
		b->armed = 0;
	}
	for (i = 0; i < b->nsock; i++)
		if (b->sock[i]->nout > 0)
			send_queued(b->sock[i]);
}

/* A send that failed (ECONNREFUSED after an ICMP port unreachable) took
 * the kernel's error with it: nothing makes the socket readable any
 * more, so c-ares is made to read it, and our read tells the error, on
 * which c-ares gives up this resolver for every query it had there. */
static void
kick_errors(struct sc_dns_batch *b)
{
	struct sc_dgram *d;
	size_t i;
	int fd;

	while (b->kick != NULL) {
		for (i = 0; i < b->nsock && b->sock[i]->error == 0; i++)
			;
		if (i == b->nsock)
			return;
		fd = b->sock[i]->fd;
		b->kick(fd, b->kick_arg);
		/* Not read (no longer c-ares' socket for a server): drop. */
		if ((d = find(b, fd)) != NULL)
			d->error = 0;
	}
}

void
sc_dns_batch_flush(struct sc_dns_batch *b)
{
	send_all(b);
	kick_errors(b);
}

size_t
sc_dns_batch_buffered(const struct sc_dns_batch *b, int fd)
{
	const struct sc_dgram *d = find(b, fd);

	return d != NULL ? d->n - d->next : 0;
}

static void
on_timer(void *arg)
{
	struct sc_dns_batch *b = arg;

	b->armed = 0;
	sc_dns_batch_flush(b);
}

/* c-ares' socket hooks ------------------------------------------------ */

static ares_socket_t
batch_socket(int domain, int type, int protocol, void *ud)
{
	struct sc_dns_batch *b = ud;
	struct sc_dgram *d, **grown;
	int fd, one = 1;

	fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return ARES_SOCKET_BAD;
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_DGRAM) {
		/* One query a write: no waiting for more (as c-ares does). */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		                 sizeof(one));
		return fd;
	}
	/* A burst of answers must fit (dns.h); the kernel may cap it. */
	if (b->rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b->rcvbuf,
		                 sizeof(b->rcvbuf));
	/* Out of memory: this socket is simply not batched. */
	if ((d = sc_calloc(1, sizeof(*d))) == NULL)
		return fd;
	grown = sc_realloc(b->sock, (b->nsock + 1) * sizeof(*b->sock));
	if (grown == NULL) {
		sc_free(d);
		return fd;
	}
	d->fd = fd;
	b->sock = grown;
	b->sock[b->nsock++] = d;
	return fd;
}

static int
batch_close(ares_socket_t fd, void *ud)
{
	struct sc_dns_batch *b = ud;
	size_t i;

	/* Queued queries die with the socket: c-ares closes one that failed,
	 * and asks again elsewhere. */
	for (i = 0; i < b->nsock; i++)
		if (b->sock[i]->fd == fd) {
			sc_free(b->sock[i]);
			b->sock[i] = b->sock[--b->nsock];
			break;
		}
	return close(fd);
}

static int
batch_connect(ares_socket_t fd, const struct sockaddr *sa,
              ares_socklen_t len, void *ud)
{
	(void)ud;
	return connect(fd, sa, len);
}

static ares_ssize_t
batch_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *ud)
{
	struct sc_dns_batch *b = ud;
	struct sc_dgram *d = find(b, fd);
	size_t len = 0, off = 0;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (d == NULL || len > SEND_SIZE) {
		if (d != NULL)
			send_queued(d);       /* keep the order */
		return writev(fd, iov, n);
	}
	/* An error a send left is told by the next read, which makes c-ares
	 * leave the resolver for all its queries, not just this one. */
	if (d->nout == SC_DNS_BATCH)
		send_queued(d);
	for (i = 0; i < n; i++) {
		memcpy(d->outbuf[d->nout] + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	d->outiov[d->nout].iov_base = d->outbuf[d->nout];
	d->outiov[d->nout].iov_len = len;
	memset(&d->out[d->nout], 0, sizeof(d->out[d->nout]));
	d->out[d->nout].msg_hdr.msg_iov = &d->outiov[d->nout];
	d->out[d->nout].msg_hdr.msg_iovlen = 1;
	d->nout++;
	if (!b->armed) {
		b->armed = 1;
		sc_timer_start(b->loop, &b->timer, 0, on_timer, b);
	}
	return (ares_ssize_t)len;
}

/* Read up to SC_DNS_BATCH answers: > 0 read, else recvmmsg's -1. */
static int
read_batch(struct sc_dgram *d, int flags)
{
	unsigned i;
	int r;

	for (i = 0; i < SC_DNS_BATCH; i++) {
		d->iniov[i].iov_base = d->inbuf[i];
		d->iniov[i].iov_len = RECV_SIZE;
		memset(&d->in[i], 0, sizeof(d->in[i]));
		d->in[i].msg_hdr.msg_name = &d->from[i];
		d->in[i].msg_hdr.msg_namelen = sizeof(d->from[i]);
		d->in[i].msg_hdr.msg_iov = &d->iniov[i];
		d->in[i].msg_hdr.msg_iovlen = 1;
	}
	do
		r = recvmmsg(d->fd, d->in, SC_DNS_BATCH, flags | MSG_DONTWAIT,
		             NULL);
	while (r < 0 && errno == EINTR);
	if (r == 0) {              /* not for UDP; be recvfrom() anyway */
		errno = EAGAIN;
		r = -1;
	}
	if (r > 0) {
		d->next = 0;
		d->n = (unsigned)r;
	}
	return r;
}

/* The error a send left, told once, as recvfrom() would tell it. */
static int
told_error(struct sc_dgram *d)
{
	if (d->error == 0)
		return 0;
	errno = d->error;
	d->error = 0;
	return 1;
}

static ares_ssize_t
batch_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
               struct sockaddr *from, ares_socklen_t *fromlen, void *ud)
{
	struct sc_dns_batch *b = ud;
	struct sc_dgram *d = find(b, fd);
	const struct mmsghdr *m;
	size_t n;

	if (d == NULL)
		return recvfrom(fd, buf, len, flags, from, fromlen);
	/* Answers already read first: an error closes the socket. */
	if (d->next == d->n) {
		if (told_error(d))
			return -1;
		/* The server gets our queries before we look for answers. */
		send_all(b);
		if (told_error(d) || read_batch(d, flags) < 0)
			return -1;
	}
	m = &d->in[d->next];
	n = m->msg_len < len ? m->msg_len : len;
	memcpy(buf, d->inbuf[d->next], n);
	if (from != NULL && fromlen != NULL) {
		socklen_t have = m->msg_hdr.msg_namelen;

		memcpy(from, &d->from[d->next],
		       have < *fromlen ? have : *fromlen);
		*fromlen = have;
	}
	d->next++;
	return (ares_ssize_t)n;
}

static const struct ares_socket_functions batch_functions = {
	batch_socket, batch_close, batch_connect, batch_recvfrom, batch_sendv
};

void
sc_dns_batch_init(struct sc_dns_batch *b, struct sc_loop *loop, int rcvbuf,
                  sc_dns_batch_kick kick, void *kick_arg)
{
	memset(b, 0, sizeof(*b));
	b->loop = loop;
	b->rcvbuf = rcvbuf;
	b->kick = kick;
	b->kick_arg = kick_arg;
}

void
sc_dns_batch_attach(struct sc_dns_batch *b, ares_channel channel)
{
	ares_set_socket_functions(channel, &batch_functions, b);
}

void
sc_dns_batch_clear(struct sc_dns_batch *b)
{
	size_t i;

	if (b->armed && b->loop != NULL)
		sc_timer_stop(b->loop, &b->timer);
	b->armed = 0;
	for (i = 0; i < b->nsock; i++)
		sc_free(b->sock[i]);
	sc_free(b->sock);
	b->sock = NULL;
	b->nsock = 0;
}
