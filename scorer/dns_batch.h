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

struct sc_dns_batch {
	struct sc_loop *loop;
	struct sc_timer timer;      /* flushes what a caller queued outside
	                             * c-ares' read loop */
	int armed;
	struct sc_dgram **sock;     /* c-ares' sockets we know of */
	size_t nsock;
};

void sc_dns_batch_init(struct sc_dns_batch *b, struct sc_loop *loop);
/* Route channel's socket I/O through b (b must outlive the channel). */
void sc_dns_batch_attach(struct sc_dns_batch *b, ares_channel channel);
/* Send every queued datagram now. */
void sc_dns_batch_flush(struct sc_dns_batch *b);
/* After ares_destroy(): free what is left (c-ares closed its sockets). */
void sc_dns_batch_clear(struct sc_dns_batch *b);

#endif /* SC_DNS_BATCH_H */
