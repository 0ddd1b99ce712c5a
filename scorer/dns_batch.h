/*
 * c-ares' UDP datagrams, sent and received in batches.
 *
 * A batch sends thousands of queries a second over one UDP socket, and
 * on loopback each send also pays for waking the server.  Through c-ares'
 * socket hooks (ares_set_socket_functions), queries are queued and sent
 * with one sendmmsg() when we are about to read or to wait, and answers
 * are read up to SC_DNS_BATCH at a time with recvmmsg() and handed to
 * c-ares one by one, as recvfrom() would.  TCP goes straight through.
 */
#ifndef SC_DNS_BATCH_H
#define SC_DNS_BATCH_H

#include <stddef.h>

#include <ares.h>

#include "loop.h"

#define SC_DNS_BATCH 32         /* datagrams per sendmmsg/recvmmsg */

struct sc_dgram;

/* A send failed with an error c-ares must hear about (the next read of
 * fd tells it): make c-ares read fd now. */
typedef void (*sc_dns_batch_kick)(int fd, void *arg);

struct sc_dns_batch {
	struct sc_loop *loop;
	struct sc_timer timer;      /* flushes what a caller queued outside
	                             * c-ares' read loop */
	int armed;
	int rcvbuf;                 /* SO_RCVBUF of each UDP socket, or 0 */
	sc_dns_batch_kick kick;
	void *kick_arg;
	struct sc_dgram **sock;     /* c-ares' UDP sockets we know of */
	size_t nsock;
};

/* c-ares leaves sockets it did not make alone, so the hooks make them
 * the way it would have: non-blocking, close-on-exec, SO_RCVBUF rcvbuf
 * (UDP), TCP_NODELAY (TCP). */
void sc_dns_batch_init(struct sc_dns_batch *b, struct sc_loop *loop,
                       int rcvbuf, sc_dns_batch_kick kick, void *kick_arg);
/* Route channel's socket I/O through b (b must outlive the channel). */
void sc_dns_batch_attach(struct sc_dns_batch *b, ares_channel channel);
/* Send every queued datagram now; not from inside c-ares (a failed send
 * is told to c-ares through kick). */
void sc_dns_batch_flush(struct sc_dns_batch *b);
/* Answers read from fd and not yet handed to c-ares. */
size_t sc_dns_batch_buffered(const struct sc_dns_batch *b, int fd);
/* After ares_destroy(): free what is left (c-ares closed its sockets). */
void sc_dns_batch_clear(struct sc_dns_batch *b);

#endif /* SC_DNS_BATCH_H */
