/*
 * tls_limit: the most SMTP STARTTLS handshakes a second that servers
 * allow, measured with a client that does nothing else: connect, read the
 * banner, EHLO, STARTTLS, a TLS handshake with SNI, close (QUIT over TLS,
 * not waiting for the reply).  No certificate is checked, nothing is
 * parsed beyond the reply codes: what is left is the servers' cost and
 * the kernel's.  For bench/pipeline_bench.sh (docs/bench.md); not part of
 * any test.
 *
 *   tls_limit ADDRS PORT SNI CONCURRENCY ROUNDS
 *
 * ADDRS is a file of IPv4 addresses, one a line.  Each round opens one
 * session to every address, at most CONCURRENCY at once (and, like
 * scorer's --mx-sessions, at most 2 to one address).  Prints one line:
 *
 *   sessions OK FAILED elapsed_s E handshakes_per_s R user_s U sys_s S
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_CONC 1024
#define PER_ADDR 2
#define STEP_MS 10000

enum ph { BANNER, EHLO, STARTTLS, HANDSHAKE };

struct sess {
	int fd;           /* -1: free */
	int addr;         /* index into addrs */
	enum ph ph;
	SSL *ssl;
	char in[4096];
	size_t inlen;
	double started;
};

static struct in_addr *addrs;
static int naddr, *busy;
static unsigned port;
static const char *sni;
static SSL_CTX *tls;
static long ok, failed;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
end(struct sess *s, int good)
{
	if (s->ssl != NULL) {
		if (good)
			SSL_write(s->ssl, "QUIT\r\n", 6);
		SSL_free(s->ssl);
	}
	close(s->fd);
	busy[s->addr]--;
	s->fd = -1;
	s->ssl = NULL;
	if (good)
		ok++;
	else
		failed++;
}

/* A complete reply (last line "DDD ") in s->in: its code, else 0. */
static int
reply(struct sess *s)
{
	char *p = s->in, *nl;

	while ((nl = memchr(p, '\n', s->inlen - (size_t)(p - s->in))) != NULL) {
		if (nl - p >= 4 && p[3] == ' ') {
			int code = atoi(p);

			s->inlen = 0;
			return code;
		}
		p = nl + 1;
	}
	return 0;
}

static int
start(struct sess *s, int a)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr = addrs[a];
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -1;
	s->addr = a;
	busy[a]++;
	s->ph = BANNER;
	s->inlen = 0;
	s->started = now();
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS) {
		end(s, 0);
		return 0;
	}
	return 0;
}

/* Move s on; returns the events to wait for (0 when it ended). */
static short
step(struct sess *s)
{
	int r, code;

	if (s->ph == HANDSHAKE) {
		r = SSL_connect(s->ssl);
		if (r == 1) {
			end(s, 1);
			return 0;
		}
		switch (SSL_get_error(s->ssl, r)) {
		case SSL_ERROR_WANT_READ: return POLLIN;
		case SSL_ERROR_WANT_WRITE: return POLLOUT;
		default: end(s, 0); return 0;
		}
	}
	r = (int)recv(s->fd, s->in + s->inlen, sizeof(s->in) - 1 - s->inlen,
	              0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return POLLIN;
	if (r <= 0) {
		end(s, 0);
		return 0;
	}
	s->inlen += (size_t)r;
	if ((code = reply(s)) == 0)
		return s->inlen < sizeof(s->in) - 1 ? POLLIN : (end(s, 0), 0);
	switch (s->ph) {
	case BANNER:
		if (code != 220)
			break;
		s->ph = EHLO;
		send(s->fd, "EHLO bench.invalid\r\n", 20, MSG_NOSIGNAL);
		return POLLIN;
	case EHLO:
		if (code != 250)
			break;
		s->ph = STARTTLS;
		send(s->fd, "STARTTLS\r\n", 10, MSG_NOSIGNAL);
		return POLLIN;
	case STARTTLS:
		if (code != 220 || (s->ssl = SSL_new(tls)) == NULL)
			break;
		SSL_set_fd(s->ssl, s->fd);
		SSL_set_tlsext_host_name(s->ssl, sni);
		s->ph = HANDSHAKE;
		return step(s);
	default:
		break;
	}
	end(s, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct sess ss[MAX_CONC];
	static struct pollfd pfd[MAX_CONC];
	static int who[MAX_CONC];
	struct rusage ru;
	FILE *f;
	char line[128];
	int conc, rounds, next = 0, round = 0, i, cap = 0;
	double t0, t1;

	if (argc != 6) {
		fprintf(stderr, "usage: tls_limit ADDRS PORT SNI CONCURRENCY "
		        "ROUNDS\n");
		return 2;
	}
	port = (unsigned)atoi(argv[2]);
	sni = argv[3];
	conc = atoi(argv[4]);
	rounds = atoi(argv[5]);
	if (conc < 1 || conc > MAX_CONC || rounds < 1 ||
	    (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "tls_limit: bad arguments\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (naddr == cap) {
			cap = cap ? cap * 2 : 256;
			addrs = realloc(addrs, (size_t)cap * sizeof(*addrs));
		}
		if (inet_pton(AF_INET, line, &addrs[naddr]) != 1) {
			fprintf(stderr, "tls_limit: not an address: %s\n", line);
			return 2;
		}
		naddr++;
	}
	fclose(f);
	if (naddr == 0)
		return 2;
	busy = calloc((size_t)naddr, sizeof(*busy));
	tls = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(tls, SSL_VERIFY_NONE, NULL);
	/* A new session each time, as a prober meeting each host once. */
	SSL_CTX_set_session_cache_mode(tls, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(tls, SSL_OP_NO_TICKET);
	for (i = 0; i < conc; i++)
		ss[i].fd = -1;
	t0 = now();
	for (;;) {
		int n = 0, active = 0;

		/* Fill free sessions with the next addresses, in order. */
		for (i = 0; i < conc && round < rounds; i++) {
			if (ss[i].fd >= 0)
				continue;
			if (busy[next] >= PER_ADDR)
				continue;
			start(&ss[i], next);
			if (++next == naddr) {
				next = 0;
				round++;
			}
		}
		for (i = 0; i < conc; i++) {
			short ev;

			if (ss[i].fd < 0)
				continue;
			active++;
			if (now() - ss[i].started > STEP_MS / 1000.0) {
				end(&ss[i], 0);
				continue;
			}
			ev = POLLIN;
			if (ss[i].ssl != NULL && SSL_want_write(ss[i].ssl))
				ev = POLLOUT;
			pfd[n].fd = ss[i].fd;
			pfd[n].events = ev;
			who[n++] = i;
		}
		if (active == 0 && round >= rounds)
			break;
		if (n == 0)
			continue;
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++)
			if (pfd[i].revents != 0 && ss[who[i]].fd == pfd[i].fd)
				step(&ss[who[i]]);
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("sessions %ld failed %ld elapsed_s %.3f handshakes_per_s %.1f "
	       "user_s %.3f sys_s %.3f\n", ok, failed, t1 - t0,
	       ok / (t1 - t0), ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	SSL_CTX_free(tls);
	return failed > 0 && ok == 0;
}
