/*
 * The SMTP STARTTLS probe: for an address and port, connect, read the
 * banner, EHLO, STARTTLS, a full TLS handshake with SNI = the MX name,
 * QUIT.  Never MAIL FROM, RCPT TO or DATA: the probe sends no mail.
 *
 * Probes are keyed by address and port in a table (one per context, the
 * "starttls" check's): a mail provider's MX serves thousands of domains,
 * and a batch must not open a connection per domain (politeness, and the
 * servers' rate limits).  Whoever waits for a probe is told once, through
 * its completion callback (sc_probe_join()).  Everything runs on one
 * loop: non-blocking sockets, a connect timeout, a timeout per step and
 * an overall deadline, so a tarpit costs a bounded time and blocks
 * nothing.  The result of a probe never changes once set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "probe.h"
#include "waiters.h"

/* RFC 2606: a name that cannot be anyone's.  We are not a mail server
 * and say so, rather than borrow a name that a server could check. */
#define EHLO_CMD "EHLO scorer.invalid\r\n"
#define STARTTLS_CMD "STARTTLS\r\n"
#define QUIT_CMD "QUIT\r\n"

#define CONNECT_MS 5000      /* a SYN that gets nothing back */
#define STEP_MS 10000        /* one reply, or the TLS handshake */
#define QUIT_MS 1000         /* the goodbye; the result is already in */
#define MAX_ACTIVE 32        /* connections at once, per context */
/* Sessions at once to one address (IP, whatever the port) unless the
 * table is told otherwise (sc_probe_table_set_per_addr()). */
#define PER_ADDR_DEFAULT 2
#define MAX_EXT 50
#define BUCKETS 256

enum phase {
	PH_QUEUED,
	PH_CONNECT,
	PH_BANNER,
	PH_EHLO,
	PH_STARTTLS,
	PH_HANDSHAKE,
	PH_QUIT,
	PH_CLOSED
};

struct sc_probe {
	struct sc_probe_table *tab;
	char *addr;
	char *sni;                /* the MX name of the first domain to ask */
	unsigned port;
	unsigned budget_ms;       /* overall deadline, from connect */
	enum phase phase;
	int fd;
	SSL *ssl;
	struct sc_timer step, deadline;
	struct sc_smtp_parser parser;
	char in[2048];
	size_t inlen;
	const char *out;          /* the command being written (static) */
	size_t outlen, outoff;
	uint64_t started;
	struct sc_probe_result res;
	struct sc_waiter *waiters;   /* sc_probe_join()'s, sc_probe_cb each */
	struct sc_probe *hnext;   /* bucket chain */
	struct sc_probe *qnext;   /* queue of probes not yet started */
	struct sc_probe *anext, **aprev; /* the table's open sessions */
};

struct sc_probe_table {
	struct sc_loop *loop;
	struct sc_tls tls;
	struct sc_probe *bucket[BUCKETS];
	struct sc_probe *queue, **qtail;
	struct sc_probe *open;    /* sessions connecting or connected */
	unsigned active;
	unsigned per_addr;        /* sessions at once to one address */
	unsigned long ended, connected;  /* probes, for sc_probe_counts() */
};

static void probe_run(struct sc_probe *p);
static void on_io(int fd, int revents, void *arg);
static void serve_queue(struct sc_probe_table *tab);

/* ---- results ----------------------------------------------------------- */

void
sc_probe_result_clear(struct sc_probe_result *r)
{
	size_t i;

	sc_free(r->banner);
	for (i = 0; i < r->next; i++)
		sc_free(r->ext[i]);
	sc_free(r->ext);
	sc_tls_result_clear(&r->tls);
	memset(r, 0, sizeof(*r));
}

static const char *
waiting_for(enum phase ph)
{
	switch (ph) {
	case PH_QUEUED: return "waiting for a free connection slot";
	case PH_CONNECT: return "connecting";
	case PH_BANNER: return "waiting for the banner";
	case PH_EHLO: return "waiting for the EHLO reply";
	case PH_STARTTLS: return "waiting for the STARTTLS reply";
	case PH_HANDSHAKE: return "in the TLS handshake";
	case PH_QUIT: return "saying goodbye";
	case PH_CLOSED: return "closed";
	}
	return "?";
}

/* Set the outcome, once, and tell those who waited for it. */
static void
finish(struct sc_probe *p, enum sc_probe_outcome o, const char *fmt, ...)
{
	struct sc_waiter *w, *next;
	va_list ap;

	if (p->res.outcome != SC_PROBE_PENDING)
		return;
	p->res.outcome = o;
	p->tab->ended++;
	p->res.elapsed_ms = p->started ? (unsigned)(sc_now_ms() - p->started)
	                               : 0;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(p->res.error, sizeof(p->res.error), fmt, ap);
		va_end(ap);
	}
	for (w = sc_waiter_take(&p->waiters); w != NULL; w = next) {
		next = w->next;
		((sc_probe_cb)w->fn)(w->arg, w->tag, &p->res);
		sc_free(w);
	}
}

/* ---- the connection ---------------------------------------------------- */

/* Sessions open to addr now (at most MAX_ACTIVE to walk). */
static unsigned
sessions_at(const struct sc_probe_table *tab, const char *addr)
{
	const struct sc_probe *q;
	unsigned n = 0;

	for (q = tab->open; q != NULL; q = q->anext)
		n += strcmp(q->addr, addr) == 0;
	return n;
}

/* May p start now: a free slot in all, and at its address. */
static int
may_start(const struct sc_probe_table *tab, const struct sc_probe *p)
{
	return tab->active < MAX_ACTIVE &&
	       sessions_at(tab, p->addr) < tab->per_addr;
}

/* Start the probes in line that may start, in order; one whose address
 * is busy keeps its place without holding up those behind it. */
static void
serve_queue(struct sc_probe_table *tab)
{
	struct sc_probe **pq = &tab->queue;

	while (*pq != NULL && tab->active < MAX_ACTIVE) {
		struct sc_probe *q = *pq;

		if (!may_start(tab, q)) {
			pq = &q->qnext;
			continue;
		}
		*pq = q->qnext;
		if (*pq == NULL)
			tab->qtail = pq;
		q->qnext = NULL;
		/* probe_run() may end q at once (and call serve_queue()
		 * again): walk again from the head. */
		probe_run(q);
		pq = &tab->queue;
	}
}

static void
close_conn(struct sc_probe *p)
{
	struct sc_probe_table *tab = p->tab;
	struct sc_loop *loop = tab->loop;
	int was_active = p->phase != PH_QUEUED && p->phase != PH_CLOSED;

	sc_timer_stop(loop, &p->step);
	sc_timer_stop(loop, &p->deadline);
	if (p->fd >= 0) {
		sc_loop_watch(loop, p->fd, 0, NULL, NULL);
		if (p->ssl != NULL)
			sc_tls_free_conn(p->ssl);
		close(p->fd);
	}
	p->ssl = NULL;
	p->fd = -1;
	p->phase = PH_CLOSED;
	sc_smtp_parser_reset(&p->parser);
	if (!was_active)
		return;
	tab->active--;
	if ((*p->aprev = p->anext) != NULL)
		p->anext->aprev = p->aprev;
	p->anext = NULL;
	p->aprev = NULL;
	serve_queue(tab);
}

/* Could not verify: no connection, a hang-up, a timeout, nonsense. */
static void
fail(struct sc_probe *p, int timed_out, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->res.timed_out = p->res.outcome == SC_PROBE_PENDING && timed_out;
	finish(p, SC_PROBE_UNREACHABLE, "%s", buf);
	close_conn(p);
}

static void
watch(struct sc_probe *p, int events)
{
	/* Out of memory leaves the probe to its timers, not hanging. */
	(void)sc_loop_watch(p->tab->loop, p->fd, events, on_io, p);
}

static void
on_step_timeout(void *arg)
{
	struct sc_probe *p = arg;

	if (p->phase == PH_QUIT) {
		close_conn(p);
		return;
	}
	fail(p, 1, "timed out %s", waiting_for(p->phase));
}

static void
on_deadline(void *arg)
{
	struct sc_probe *p = arg;

	fail(p, 1, "timed out %s (the probe's %u ms were up)",
	     waiting_for(p->phase), p->budget_ms);
}

/* Enter a phase: its own step timer, never past the overall deadline. */
static void
enter(struct sc_probe *p, enum phase ph, unsigned ms)
{
	uint64_t now = sc_now_ms(), end = p->started + p->budget_ms;

	p->phase = ph;
	if (ph != PH_QUIT && now + ms > end)
		ms = end > now ? (unsigned)(end - now) : 0;
	sc_timer_start(p->tab->loop, &p->step, ms, on_step_timeout, p);
}

/* Write what is left of p->out: 1 done, 0 wait for OUT, -1 failed. */
static int
flush_out(struct sc_probe *p)
{
	while (p->outoff < p->outlen) {
		const char *d = p->out + p->outoff;
		size_t left = p->outlen - p->outoff, n = 0;

		if (p->ssl != NULL) {
			enum sc_tls_step s = sc_tls_write(p->ssl, d, left, &n);

			if (s == SC_TLS_WANT_READ || s == SC_TLS_WANT_WRITE) {
				watch(p, s == SC_TLS_WANT_READ ? SC_EV_IN
				                               : SC_EV_OUT);
				return 0;
			}
			if (s != SC_TLS_DONE)
				return -1;
		} else {
			/* MSG_NOSIGNAL: a server that hung up must not
			 * kill the caller with SIGPIPE. */
			ssize_t w = send(p->fd, d, left, MSG_NOSIGNAL);

			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			              errno == EINTR)) {
				watch(p, SC_EV_OUT);
				return 0;
			}
			if (w < 0)
				return -1;
			n = (size_t)w;
		}
		p->outoff += n;
	}
	watch(p, SC_EV_IN);
	return 1;
}

static void
send_cmd(struct sc_probe *p, const char *cmd, enum phase next, unsigned ms)
{
	p->out = cmd;
	p->outlen = strlen(cmd);
	p->outoff = 0;
	enter(p, next, ms);
	if (flush_out(p) < 0) {
		if (next == PH_QUIT)
			close_conn(p);
		else
			fail(p, 0, "the server closed the connection before "
			     "%s", cmd[0] == 'E' ? "EHLO" : "STARTTLS");
	}
}

static void
say_goodbye(struct sc_probe *p)
{
	send_cmd(p, QUIT_CMD, PH_QUIT, QUIT_MS);
}

static char *
reply_text(const struct sc_smtp_reply *r)
{
	char buf[SC_SMTP_LINE_MAX + 8];

	snprintf(buf, sizeof(buf), "%d %s", r->code,
	         r->nline > 0 ? r->line[0] : "");
	return sc_strdup(buf);
}

static void
keep_extensions(struct sc_probe *p, const struct sc_smtp_reply *r)
{
	size_t i, n = r->nline > 1 ? r->nline - 1 : 0;

	if (n > MAX_EXT)
		n = MAX_EXT;
	if (n == 0 || (p->res.ext = sc_calloc(n, sizeof(char *))) == NULL)
		return; /* out of memory: the list is evidence, not verdict */
	for (i = 0; i < n; i++) {
		if ((p->res.ext[i] = sc_strdup(r->line[i + 1])) == NULL)
			break;
		p->res.next++;
	}
}

static void
start_tls(struct sc_probe *p)
{
	/* Whatever the server sent after its 220 came before TLS: it must
	 * not be read as if it were protected (the STARTTLS command
	 * injection of CVE-2011-0411).  Drop it. */
	p->inlen = 0;
	sc_smtp_parser_reset(&p->parser);
	p->ssl = sc_tls_connect(&p->tab->tls, p->fd, p->sni);
	if (p->ssl == NULL) {
		fail(p, 0, "out of memory starting TLS");
		return;
	}
	enter(p, PH_HANDSHAKE, STEP_MS);
	probe_run(p);
}

/* A complete reply in the phase p is in. */
static void
on_reply(struct sc_probe *p, const struct sc_smtp_reply *r)
{
	switch (p->phase) {
	case PH_BANNER:
		p->res.banner = reply_text(r);
		if (r->code != 220) {
			/* 554: "no SMTP service here" (RFC 5321 3.1). */
			finish(p, SC_PROBE_UNREACHABLE, "the server greeted "
			       "with %d instead of 220: it takes no mail from "
			       "this network", r->code);
			say_goodbye(p);
			return;
		}
		send_cmd(p, EHLO_CMD, PH_EHLO, STEP_MS);
		return;
	case PH_EHLO:
		if (r->code / 100 == 4) {
			finish(p, SC_PROBE_UNREACHABLE, "the server answered "
			       "EHLO with %d (try later)", r->code);
			say_goodbye(p);
			return;
		}
		if (r->code != 250) {
			finish(p, SC_PROBE_NO_STARTTLS, "the server rejected "
			       "EHLO (%d), so it offers no extensions, STARTTLS "
			       "included", r->code);
			say_goodbye(p);
			return;
		}
		keep_extensions(p, r);
		p->res.starttls_offered = sc_smtp_has_ext(r, "STARTTLS");
		if (!p->res.starttls_offered) {
			finish(p, SC_PROBE_NO_STARTTLS, "the server does not "
			       "offer STARTTLS in its EHLO reply");
			say_goodbye(p);
			return;
		}
		send_cmd(p, STARTTLS_CMD, PH_STARTTLS, STEP_MS);
		return;
	case PH_STARTTLS:
		if (r->code != 220) {
			/* Senders then go on in clear text. */
			finish(p, SC_PROBE_NO_STARTTLS, "the server offers "
			       "STARTTLS but answered %d when asked", r->code);
			say_goodbye(p);
			return;
		}
		start_tls(p);
		return;
	case PH_QUIT:
		close_conn(p);
		return;
	default:
		return;
	}
}

/* Parse what came in; act on each complete reply. */
static void
take_input(struct sc_probe *p)
{
	while (p->inlen > 0 && p->phase >= PH_BANNER && p->phase <= PH_QUIT &&
	       p->phase != PH_HANDSHAKE) {
		size_t used;
		enum sc_smtp_status s = sc_smtp_parse(&p->parser, p->in,
		                                      p->inlen, &used);

		memmove(p->in, p->in + used, p->inlen - used);
		p->inlen -= used;
		if (s == SC_SMTP_MORE)
			return;
		if (s != SC_SMTP_DONE) {
			if (p->phase == PH_QUIT)
				close_conn(p);
			else
				fail(p, 0, "%s %s", sc_smtp_status_str(s),
				     waiting_for(p->phase));
			return;
		}
		on_reply(p, &p->parser.reply);
		if (p->phase != PH_CLOSED && p->phase != PH_HANDSHAKE)
			sc_smtp_parser_reset(&p->parser);
	}
}

static void
read_input(struct sc_probe *p)
{
	size_t room = sizeof(p->in) - p->inlen, n = 0;

	if (p->ssl != NULL) {
		enum sc_tls_step s = sc_tls_read(p->ssl, p->in + p->inlen, room,
		                                 &n);

		if (s == SC_TLS_WANT_READ || s == SC_TLS_WANT_WRITE) {
			watch(p, s == SC_TLS_WANT_READ ? SC_EV_IN : SC_EV_OUT);
			return;
		}
		if (s != SC_TLS_DONE) {
			close_conn(p); /* only ever in PH_QUIT */
			return;
		}
	} else {
		ssize_t r = recv(p->fd, p->in + p->inlen, room, 0);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		              errno == EINTR))
			return;
		if (r <= 0) {
			if (p->phase == PH_QUIT)
				close_conn(p);
			else if (r == 0)
				fail(p, 0, "the server closed the connection "
				     "%s", waiting_for(p->phase));
			else
				fail(p, 0, "%s %s", strerror(errno),
				     waiting_for(p->phase));
			return;
		}
		n = (size_t)r;
	}
	p->inlen += n;
	take_input(p);
}

static void
handshake(struct sc_probe *p)
{
	char err[200] = "";
	enum sc_tls_step s = sc_tls_handshake(p->ssl, err, sizeof(err));

	switch (s) {
	case SC_TLS_WANT_READ:
		watch(p, SC_EV_IN);
		return;
	case SC_TLS_WANT_WRITE:
		watch(p, SC_EV_OUT);
		return;
	case SC_TLS_DONE:
		if (sc_tls_inspect(&p->tab->tls, p->ssl, &p->res.tls) != SC_OK) {
			fail(p, 0, "out of memory reading the certificates");
			return;
		}
		finish(p, SC_PROBE_TLS, NULL);
		say_goodbye(p);
		return;
	default:
		fail(p, 0, "the TLS handshake failed: %s", err);
		return;
	}
}

static void
connected(struct sc_probe *p)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		fail(p, 0, "could not connect to port %u: %s", p->port,
		     strerror(err));
		return;
	}
	p->tab->connected++; /* the port is not blocked here */
	enter(p, PH_BANNER, STEP_MS);
	watch(p, SC_EV_IN);
}

/* Whatever the phase, do the next thing the socket allows. */
static void
probe_run(struct sc_probe *p)
{
	switch (p->phase) {
	case PH_QUEUED:
		break;
	case PH_HANDSHAKE:
		handshake(p);
		return;
	case PH_CLOSED:
	case PH_CONNECT:
		return;
	default:
		if (p->outoff < p->outlen) {
			int r = flush_out(p);

			if (r == 0)
				return;
			if (r < 0) {
				if (p->phase == PH_QUIT)
					close_conn(p);
				else
					fail(p, 0, "the server closed the "
					     "connection %s", waiting_for(p->phase));
				return;
			}
		}
		read_input(p);
		return;
	}

	/* PH_QUEUED: connect. */
	{
		struct sockaddr_storage ss;
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		socklen_t sl;

		memset(&ss, 0, sizeof(ss));
		if (inet_pton(AF_INET, p->addr, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)p->port);
			sl = sizeof(*sin);
		} else if (inet_pton(AF_INET6, p->addr, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)p->port);
			sl = sizeof(*sin6);
		} else {
			finish(p, SC_PROBE_UNREACHABLE, "not an address");
			p->phase = PH_CLOSED;
			return;
		}
		p->tab->active++;
		if ((p->anext = p->tab->open) != NULL)
			p->anext->aprev = &p->anext;
		p->aprev = &p->tab->open;
		p->tab->open = p;
		p->started = sc_now_ms();
		p->phase = PH_CONNECT;
		sc_timer_start(p->tab->loop, &p->deadline, p->budget_ms,
		               on_deadline, p);
		p->fd = socket(ss.ss_family,
		               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->fd < 0) {
			fail(p, 0, "no socket: %s", strerror(errno));
			return;
		}
		enter(p, PH_CONNECT, CONNECT_MS);
		if (connect(p->fd, (struct sockaddr *)&ss, sl) == 0) {
			connected(p);
			return;
		}
		if (errno != EINPROGRESS && errno != EINTR) {
			fail(p, 0, "could not connect to port %u: %s", p->port,
			     strerror(errno));
			return;
		}
		watch(p, SC_EV_OUT);
	}
}

static void
on_io(int fd, int revents, void *arg)
{
	struct sc_probe *p = arg;

	(void)fd;
	(void)revents;
	if (p->phase == PH_CONNECT)
		connected(p);
	else
		probe_run(p);
}

/* ---- the table --------------------------------------------------------- */

static uint32_t
key_hash(const char *addr, unsigned port)
{
	uint32_t h = 2166136261u ^ port; /* FNV-1a */

	while (*addr != '\0') {
		h ^= (unsigned char)*addr++;
		h *= 16777619u;
	}
	return h;
}

sc_status_t
sc_probe_table_new(struct sc_loop *loop, X509_STORE *trust,
                   struct sc_probe_table **out, char *err, size_t errlen)
{
	struct sc_probe_table *tab;
	sc_status_t st;

	*out = NULL;
	if ((tab = sc_calloc(1, sizeof(*tab))) == NULL)
		return SC_ENOMEM;
	tab->loop = loop;
	tab->qtail = &tab->queue;
	tab->per_addr = PER_ADDR_DEFAULT;
	if ((st = sc_tls_init(&tab->tls, trust, err, errlen)) != SC_OK) {
		sc_free(tab);
		return st;
	}
	*out = tab;
	return SC_OK;
}

/* The probe of addr:port, started (or queued) if new; NULL when out of
 * memory. */
static struct sc_probe *
probe_get(struct sc_probe_table *tab, const char *addr, unsigned port,
          const char *sni, unsigned budget_ms)
{
	uint32_t b = key_hash(addr, port) % BUCKETS;
	struct sc_probe *p;

	for (p = tab->bucket[b]; p != NULL; p = p->hnext)
		if (p->port == port && strcmp(p->addr, addr) == 0)
			return p;
	if ((p = sc_calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->tab = tab;
	p->fd = -1;
	p->port = port;
	p->budget_ms = budget_ms;
	sc_smtp_parser_init(&p->parser);
	if ((p->addr = sc_strdup(addr)) == NULL ||
	    (p->sni = sc_strdup(sni)) == NULL) {
		sc_free(p->addr);
		sc_free(p);
		return NULL;
	}
	p->hnext = tab->bucket[b];
	tab->bucket[b] = p;
	/* When a slot is free, whoever waits in line waits for an address
	 * of theirs (serve_queue() ran at each close): p may go first. */
	if (may_start(tab, p)) {
		probe_run(p);
	} else {
		*tab->qtail = p;
		tab->qtail = &p->qnext;
	}
	return p;
}

sc_status_t
sc_probe_join(struct sc_probe_table *tab, const char *addr, unsigned port,
              const char *sni, unsigned budget_ms, sc_probe_cb cb,
              void *arg, const void *tag, struct sc_probe **probe,
              const struct sc_probe_result **res)
{
	struct sc_probe *p = probe_get(tab, addr, port, sni, budget_ms);

	if (p == NULL)
		return SC_ENOMEM;
	*probe = p;
	*res = &p->res;
	if (p->res.outcome != SC_PROBE_PENDING || cb == NULL)
		return SC_OK;
	return sc_waiter_add(&p->waiters, (sc_waiter_fn)cb, arg, tag) == 0
	       ? SC_OK : SC_ENOMEM;
}

void
sc_probe_forget(struct sc_probe *p, const void *arg, const void *tag)
{
	sc_waiter_forget(&p->waiters, arg, tag);
}

void
sc_probe_table_set_per_addr(struct sc_probe_table *tab, unsigned n)
{
	tab->per_addr = n > 0 ? n : 1;
	serve_queue(tab);
}

unsigned
sc_probe_sessions(const struct sc_probe_table *tab, const char *addr)
{
	if (tab == NULL)
		return 0;
	return addr != NULL ? sessions_at(tab, addr) : tab->active;
}

void
sc_probe_counts(const struct sc_probe_table *tab, unsigned long *ended,
                unsigned long *connected)
{
	*ended = tab != NULL ? tab->ended : 0;
	*connected = tab != NULL ? tab->connected : 0;
}

void
sc_probe_table_free(struct sc_probe_table *tab)
{
	size_t b;

	if (tab == NULL)
		return;
	tab->queue = NULL; /* nothing may start while we tear down */
	for (b = 0; b < BUCKETS; b++) {
		struct sc_probe *p, *next;

		for (p = tab->bucket[b]; p != NULL; p = next) {
			next = p->hnext;
			close_conn(p);
			sc_waiter_free_all(&p->waiters);
			sc_probe_result_clear(&p->res);
			sc_free(p->addr);
			sc_free(p->sni);
			sc_free(p);
		}
	}
	sc_tls_clear(&tab->tls);
	sc_free(tab);
}
