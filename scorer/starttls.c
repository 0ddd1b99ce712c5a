/*
 * Check "starttls": can an attacker on the path between a sending service
 * and the mailbox strip STARTTLS or present a certificate of their own?
 *
 * For each address of each MX host: connect to the SMTP port, read the
 * banner, EHLO, STARTTLS, a full TLS handshake with SNI = the MX name,
 * QUIT.  Never MAIL FROM, RCPT TO or DATA: the probe sends no mail.
 *
 * Probes are keyed by address and port in a context-wide table: a mail
 * provider's MX serves thousands of domains, and a batch must not open a
 * connection per domain (politeness, and the servers' rate limits).  The
 * domains that wait for a probe are held (sc_domain_hold) until it ends
 * or their deadline passes.  Everything runs on the context's loop:
 * non-blocking sockets, a connect timeout, a timeout per step and an
 * overall deadline, so a tarpit costs a bounded time and blocks nothing.
 *
 * The result of a probe never changes once set, and a domain's assessment
 * is made once, so late answers cannot alter a report already given.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dane.h"
#include "internal.h"
#include "ipaddr.h"
#include "starttls.h"

/* RFC 2606: a name that cannot be anyone's.  We are not a mail server
 * and say so, rather than borrow a name that a server could check. */
#define EHLO_CMD "EHLO scorer.invalid\r\n"
#define STARTTLS_CMD "STARTTLS\r\n"
#define QUIT_CMD "QUIT\r\n"

#define CONNECT_MS 5000      /* a SYN that gets nothing back */
#define STEP_MS 10000        /* one reply, or the TLS handshake */
#define QUIT_MS 1000         /* the goodbye; the result is already in */
#define MARGIN_MS 250        /* end before the domain's own deadline */
#define MIN_BUDGET_MS 200
#define MAX_ACTIVE 32        /* connections at once, per context */
#define MAX_ADDRS_PER_HOST 4 /* a host with 50 A records gets 4 probes */
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

/* A domain waiting for a probe.  Its entry is found again by the host
 * string's address, which stays put while the entry array grows. */
struct waiter {
	struct sc_domain *dom;
	const char *host;
	struct waiter *next;
};

struct sc_starttls;

struct sc_probe {
	struct sc_starttls *tab;
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
	struct waiter *waiters;
	struct sc_probe *hnext;   /* bucket chain */
	struct sc_probe *qnext;   /* queue of probes not yet started */
};

struct sc_starttls {
	struct sc_ctx *ctx;
	struct sc_tls tls;
	int tls_ready;
	struct sc_probe *bucket[BUCKETS];
	struct sc_probe *queue, **qtail;
	unsigned active;
};

static void probe_run(struct sc_probe *p);
static void on_io(int fd, int revents, void *arg);

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

/* The entries of dom that wait for p get their answer now. */
static void
resolve_entry(struct sc_starttls_entry *e)
{
	e->hostname_ok = e->res->tls.done &&
	                 sc_tls_name_matches(&e->res->tls, e->host);
}

/* Set the outcome, once, and release the domains that waited for it. */
static void
finish(struct sc_probe *p, enum sc_probe_outcome o, const char *fmt, ...)
{
	struct waiter *w, *next;
	va_list ap;

	if (p->res.outcome != SC_PROBE_PENDING)
		return;
	p->res.outcome = o;
	p->tab->ctx->smtp_probed++;
	p->res.elapsed_ms = p->started ? (unsigned)(sc_now_ms() - p->started)
	                               : 0;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(p->res.error, sizeof(p->res.error), fmt, ap);
		va_end(ap);
	}
	w = p->waiters;
	p->waiters = NULL;
	for (; w != NULL; w = next) {
		struct sc_starttls_state *st;
		size_t i;

		next = w->next;
		st = sc_check_state_get(w->dom, &sc_check_starttls);
		for (i = 0; st != NULL && i < st->n; i++) {
			struct sc_starttls_entry *e = &st->e[i];

			if (e->probe != p || e->host != w->host || !e->held)
				continue;
			e->held = 0;
			/* After the domain's deadline its report is made:
			 * the release is a no-op and the entry stays as it
			 * was assessed (timed out). */
			if (w->dom->state != SC_JOB_DONE) {
				resolve_entry(e);
				sc_domain_release(w->dom);
			}
			break;
		}
		sc_free(w);
	}
}

/* ---- the connection ---------------------------------------------------- */

static void
close_conn(struct sc_probe *p)
{
	struct sc_starttls *tab = p->tab;
	struct sc_loop *loop = &tab->ctx->loop;
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
	/* A slot is free: the next probe in line may start. */
	while (tab->queue != NULL && tab->active < MAX_ACTIVE) {
		struct sc_probe *q = tab->queue;

		tab->queue = q->qnext;
		if (tab->queue == NULL)
			tab->qtail = &tab->queue;
		q->qnext = NULL;
		probe_run(q);
	}
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
	(void)sc_loop_watch(&p->tab->ctx->loop, p->fd, events, on_io, p);
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
	sc_timer_start(&p->tab->ctx->loop, &p->step, ms, on_step_timeout, p);
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
	p->tab->ctx->smtp_connected++; /* port 25 is not blocked here */
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
		p->started = sc_now_ms();
		p->phase = PH_CONNECT;
		sc_timer_start(&p->tab->ctx->loop, &p->deadline, p->budget_ms,
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

/* The context's table, made on first use (with the TLS context, so a
 * bad --ca-file shows here: SC_EIO). */
static sc_status_t
table(struct sc_ctx *ctx, struct sc_starttls **out)
{
	struct sc_starttls *tab = ctx->starttls;
	char err[300];
	sc_status_t st;

	*out = tab;
	if (tab != NULL)
		return SC_OK;
	if ((tab = sc_calloc(1, sizeof(*tab))) == NULL)
		return SC_ENOMEM;
	tab->ctx = ctx;
	tab->qtail = &tab->queue;
	if (sc_ctx_trust(ctx) == NULL) {
		sc_free(tab);
		return SC_EIO;
	}
	st = sc_tls_init(&tab->tls, ctx->trust, err, sizeof(err));
	if (st != SC_OK) {
		sc_free(tab);
		return st;
	}
	tab->tls_ready = 1;
	ctx->starttls = *out = tab;
	return SC_OK;
}

/* The probe of addr:port, started (or queued) if new; NULL when out of
 * memory. */
static struct sc_probe *
probe_get(struct sc_starttls *tab, const char *addr, unsigned port,
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
	if (tab->active < MAX_ACTIVE) {
		probe_run(p);
	} else {
		*tab->qtail = p;
		tab->qtail = &p->qnext;
	}
	return p;
}

void
sc_starttls_clear_ctx(struct sc_ctx *ctx)
{
	struct sc_starttls *tab = ctx->starttls;
	size_t b;

	if (tab == NULL)
		return;
	tab->queue = NULL; /* nothing may start while we tear down */
	for (b = 0; b < BUCKETS; b++) {
		struct sc_probe *p, *next;

		for (p = tab->bucket[b]; p != NULL; p = next) {
			struct waiter *w, *wn;

			next = p->hnext;
			close_conn(p);
			for (w = p->waiters; w != NULL; w = wn) {
				wn = w->next;
				sc_free(w);
			}
			sc_probe_result_clear(&p->res);
			sc_free(p->addr);
			sc_free(p->sni);
			sc_free(p);
		}
	}
	if (tab->tls_ready)
		sc_tls_clear(&tab->tls);
	sc_free(tab);
	ctx->starttls = NULL;
}

/* ---- the check --------------------------------------------------------- */

static struct sc_starttls_state *
state_of(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_starttls);
	struct sc_starttls_state *st = *slot;

	if (st == NULL && (st = sc_calloc(1, sizeof(*st))) != NULL) {
		st->port = dom->ctx->smtp_port;
		*slot = st;
	}
	return st;
}

static int
usable(const struct sc_domain *dom, const char *addr)
{
	enum sc_ipclass c = sc_ip_classify(addr);

	/* Private and reserved addresses are not probed: mail from the
	 * Internet cannot reach them either (mx.private_address says so),
	 * and a domain must not make us scan someone's internal network. */
	return c == SC_IP_PUBLIC ||
	       (c == SC_IP_LOOPBACK && dom->ctx->allow_loopback);
}

/* Room for one more entry, kept in MX preference order (stable). */
static struct sc_starttls_entry *
entry_add(struct sc_starttls_state *st, unsigned pref, size_t *index)
{
	size_t i;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		void *q = sc_realloc(st->e, cap * sizeof(*st->e));

		if (q == NULL)
			return NULL;
		st->e = q;
		st->cap = cap;
	}
	for (i = st->n; i > 0 && st->e[i - 1].pref > pref; i--)
		;
	memmove(&st->e[i + 1], &st->e[i], (st->n - i) * sizeof(*st->e));
	memset(&st->e[i], 0, sizeof(*st->e));
	st->n++;
	*index = i;
	return &st->e[i];
}

static unsigned
budget(const struct sc_domain *dom)
{
	uint64_t end = dom->started + dom->ctx->timeout_ms, now = sc_now_ms();
	unsigned ms = end > now + MARGIN_MS ? (unsigned)(end - now - MARGIN_MS)
	                                    : 0;

	return ms < MIN_BUDGET_MS ? MIN_BUDGET_MS : ms;
}

static void
add_address(struct sc_domain *dom, struct sc_starttls_state *st,
            struct sc_starttls *tab, const struct sc_mxhost *h,
            const char *addr)
{
	struct sc_starttls_entry *e;
	struct sc_probe *p;
	struct waiter *w = NULL;
	size_t i, idx, count = 0;

	for (i = 0; i < st->n; i++) {
		if (strcmp(st->e[i].host, h->name) != 0)
			continue;
		if (strcmp(st->e[i].addr, addr) == 0)
			return;
		count++;
	}
	if (count >= MAX_ADDRS_PER_HOST)
		return;
	p = probe_get(tab, addr, st->port, h->name, budget(dom));
	if (p == NULL ||
	    (p->res.outcome == SC_PROBE_PENDING &&
	     (w = sc_calloc(1, sizeof(*w))) == NULL) ||
	    (e = entry_add(st, h->pref, &idx)) == NULL) {
		sc_free(w);
		dom->status = SC_ENOMEM;
		return;
	}
	e->probe = p;
	e->res = &p->res;
	e->pref = h->pref;
	if ((e->host = sc_strdup(h->name)) == NULL ||
	    (e->addr = sc_strdup(addr)) == NULL) {
		sc_free(w);
		dom->status = SC_ENOMEM;
		return;
	}
	if (w == NULL) {
		resolve_entry(e);
		return;
	}
	w->dom = dom;
	w->host = e->host;
	w->next = p->waiters;
	p->waiters = w;
	e->held = 1;
	sc_domain_hold(dom);
}

void
sc_starttls_host_addrs(struct sc_domain *dom, const struct sc_mxhost *h,
                       const struct sc_lookup *lk)
{
	struct sc_starttls_state *st;
	struct sc_starttls *tab;
	sc_status_t st_tab;
	size_t i;

	if (dom->state == SC_JOB_DONE || dom->status != SC_OK ||
	    lk->outcome != SC_DNS_OK || h->name == NULL ||
	    h->name[0] == '\0' || !sc_check_enabled(dom->ctx, &sc_check_starttls))
		return;
	if ((st = state_of(dom)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	for (i = 0; i < lk->n && dom->status == SC_OK; i++) {
		if (!usable(dom, lk->rr[i].text))
			continue;
		if ((st_tab = table(dom->ctx, &tab)) != SC_OK) {
			dom->status = st_tab;
			return;
		}
		add_address(dom, st, tab, h, lk->rr[i].text);
	}
}

const STACK_OF(X509) *
sc_starttls_chain(const struct sc_domain *dom, const char *host,
                  const char *addr)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i;

	for (i = 0; st != NULL && i < st->n; i++)
		if (strcmp(st->e[i].host, host) == 0 &&
		    strcmp(st->e[i].addr, addr) == 0 && st->e[i].res != NULL)
			return st->e[i].res->tls.chain;
	return NULL;
}

/* ---- assessment (pure: the entries in, findings out) -------------------- */

enum { F_UNREACHABLE, F_NO_STARTTLS, F_INVALID, F_EXPIRED, F_NAME, F_OLD,
       F_COUNT };

static const char *const flag_id[F_COUNT] = {
	"starttls.unreachable", "starttls.unsupported", "tls.cert_invalid",
	"tls.cert_expired", "tls.hostname_mismatch", "tls.old_protocol"
};

/* A host whose validated TLSA records match its chain is authenticated
 * by DANE, and DANE senders do not look at the CA, the name or (for
 * DANE-EE) the dates (RFC 7672 3.1.1): those would be false alarms. */
static int
dane_authenticated(const struct sc_domain *dom, const char *host)
{
	char why[256];
	size_t j;

	for (j = 0; j < dom->nhost; j++)
		if (strcmp(dom->host[j].name, host) == 0)
			return sc_dane_host_status(dom, j, why, sizeof(why)) ==
			       SC_DANE_MATCH;
	return 0;
}

static void
flags_of(const struct sc_domain *dom, const struct sc_starttls_entry *e,
         int f[F_COUNT])
{
	const struct sc_probe_result *r = e->res;

	memset(f, 0, F_COUNT * sizeof(*f));
	if (r == NULL || r->outcome == SC_PROBE_PENDING ||
	    r->outcome == SC_PROBE_UNREACHABLE) {
		f[F_UNREACHABLE] = 1;
		return;
	}
	if (r->outcome == SC_PROBE_NO_STARTTLS) {
		f[F_NO_STARTTLS] = 1;
		return;
	}
	if (!dane_authenticated(dom, e->host)) {
		f[F_INVALID] = !r->tls.trusted || r->tls.not_yet_valid;
		f[F_EXPIRED] = r->tls.expired;
		f[F_NAME] = !e->hostname_ok;
	}
	/* The version negotiated is the best both sides speak, and we speak
	 * up to TLS 1.3: anything older is the server's best. */
	f[F_OLD] = r->tls.version_num != 0 && r->tls.version_num < TLS1_2_VERSION;
}

#define NOT_INSECURE "This means \"could not verify\", not \"insecure\": " \
	"many networks block outgoing port 25"

static void
emit(const struct sc_starttls_state *st, const struct sc_starttls_entry *e,
     int k, struct sc_hits *out)
{
	const struct sc_probe_result *r = e->res;
	const struct sc_tls_cert *leaf = r != NULL && r->tls.ncert > 0
	                                 ? &r->tls.cert[0] : NULL;

	switch (k) {
	case F_UNREACHABLE:
		if (r == NULL || r->outcome == SC_PROBE_PENDING)
			sc_hits_add_missing(out, flag_id[k], "could not check "
			    "MX host %s (%s port %u): timed out, no answer "
			    "before the check's deadline. " NOT_INSECURE,
			    e->host, e->addr, st->port);
		else
			sc_hits_add_missing(out, flag_id[k], "could not check "
			    "MX host %s (%s port %u): %s. " NOT_INSECURE,
			    e->host, e->addr, st->port, r->error);
		break;
	case F_NO_STARTTLS:
		sc_hits_add(out, flag_id[k], "MX host %s (%s) takes mail "
		            "without encryption: %s. Anyone on the path can "
		            "read mail to this address, reset links included",
		            e->host, e->addr, r->error);
		break;
	case F_INVALID:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) is not trusted: %s%s", e->host, e->addr,
		            r->tls.not_yet_valid && r->tls.trusted
		                ? "it is not valid yet"
		                : r->tls.verify_error,
		            r->tls.self_signed ? " (self-signed)" : "");
		break;
	case F_EXPIRED:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) has expired (valid until %s)", e->host, e->addr,
		            leaf != NULL ? leaf->not_after : "?");
		break;
	case F_NAME:
		sc_hits_add(out, flag_id[k], "the certificate of MX host %s "
		            "(%s) does not name it: it is issued to %s", e->host,
		            e->addr, leaf != NULL ? leaf->subject
		                                  : "nobody (no certificate)");
		break;
	case F_OLD:
		sc_hits_add(out, flag_id[k], "MX host %s (%s) speaks %s at "
		            "best; TLS 1.2 is the oldest version without known "
		            "weaknesses", e->host, e->addr, r->tls.version);
		break;
	}
}

/* One finding per id and MX host: its first address that shows it.  An
 * unreachable server is evidence missing (starttls.unreachable): under
 * MTA-STS enforce the probe still decides whether senders deliver at
 * all, so the verdict is error unless the threat model does not need it
 * (docs/verdict.md).  When every probe of a run fails, port 25 is
 * probably blocked: sc_ctx_notice() says so once. */
static void
starttls_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i, j;
	int k;

	for (i = 0; st != NULL && i < st->n; i++) {
		int f[F_COUNT];

		flags_of(dom, &st->e[i], f);
		for (k = 0; k < F_COUNT; k++) {
			int seen = 0;

			if (!f[k])
				continue;
			for (j = 0; j < i && !seen; j++) {
				int g[F_COUNT];

				if (strcmp(st->e[j].host, st->e[i].host) != 0)
					continue;
				flags_of(dom, &st->e[j], g);
				seen = g[k];
			}
			if (!seen)
				emit(st, &st->e[i], k, out);
		}
	}
}

/* ---- description ------------------------------------------------------- */

static const char *
outcome_str(enum sc_probe_outcome o)
{
	switch (o) {
	case SC_PROBE_PENDING: return "timeout";
	case SC_PROBE_UNREACHABLE: return "unreachable";
	case SC_PROBE_NO_STARTTLS: return "no_starttls";
	case SC_PROBE_TLS: return "tls";
	}
	return "?";
}

static void
describe_cert(const struct sc_tls_cert *c, struct sc_jw *out)
{
	sc_jw_lit(out, "{");
	sc_jw_key(out, "subject");
	sc_jw_cstr(out, c->subject);
	sc_jw_key(out, "issuer");
	sc_jw_cstr(out, c->issuer);
	sc_jw_key(out, "not_before");
	sc_jw_cstr(out, c->not_before);
	sc_jw_key(out, "not_after");
	sc_jw_cstr(out, c->not_after);
	sc_jw_key(out, "sha256");
	sc_jw_cstr(out, c->sha256);
	sc_jw_lit(out, "}");
}

static void
describe_tls(const struct sc_starttls_entry *e, struct sc_jw *out)
{
	const struct sc_tls_result *t = &e->res->tls;
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "version");
	sc_jw_cstr(out, t->version);
	sc_jw_key(out, "cipher");
	sc_jw_cstr(out, t->cipher);
	sc_jw_key(out, "trusted");
	sc_jw_bool(out, t->trusted);
	sc_jw_key(out, "expired");
	sc_jw_bool(out, t->expired);
	sc_jw_key(out, "self_signed");
	sc_jw_bool(out, t->self_signed);
	sc_jw_key(out, "hostname_match");
	sc_jw_bool(out, e->hostname_ok);
	sc_jw_key(out, "chain");
	sc_jw_lit(out, "[");
	for (i = 0; i < t->ncert; i++) {
		sc_jw_elem(out);
		describe_cert(&t->cert[i], out);
	}
	sc_jw_lit(out, "]");
	/* after the chain, where reports have always had it */
	if (t->verify_error[0] != '\0') {
		sc_jw_key(out, "verify_error");
		sc_jw_cstr(out, t->verify_error);
	}
	sc_jw_lit(out, "}");
}

/* What the server said before TLS: its banner, and its EHLO reply unless
 * the connection was lost before it. */
static void
describe_smtp(const struct sc_probe_result *r, struct sc_jw *out)
{
	size_t i;

	if (r->banner == NULL)
		return;
	sc_jw_key(out, "banner");
	sc_jw_cstr(out, r->banner);
	if (r->outcome == SC_PROBE_UNREACHABLE)
		return;
	sc_jw_key(out, "starttls");
	sc_jw_bool(out, r->starttls_offered);
	sc_jw_key(out, "ehlo");
	sc_jw_lit(out, "[");
	for (i = 0; i < r->next; i++) {
		sc_jw_elem(out);
		sc_jw_cstr(out, r->ext[i]);
	}
	sc_jw_lit(out, "]");
}

static void
describe_entry(const struct sc_starttls_entry *e, struct sc_jw *out)
{
	const struct sc_probe_result *r = e->res;
	enum sc_probe_outcome o = r != NULL ? r->outcome : SC_PROBE_PENDING;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "address");
	sc_jw_cstr(out, e->addr);
	sc_jw_key(out, "status");
	sc_jw_cstr(out, outcome_str(o));
	/* a probe not answered in time has nothing more to say */
	if (r != NULL && o != SC_PROBE_PENDING) {
		sc_jw_key(out, "elapsed_ms");
		sc_jw_int(out, r->elapsed_ms);
		if (r->error[0] != '\0') {
			sc_jw_key(out, "error");
			sc_jw_cstr(out, r->error);
		}
		describe_smtp(r, out);
		if (o == SC_PROBE_TLS) {
			sc_jw_key(out, "tls");
			describe_tls(e, out);
		}
	}
	sc_jw_lit(out, "}");
}

/* {"port": 25, "hosts": [{"host", "preference", "addresses": [...]}]};
 * the entries come grouped by host, one host object per run of them. */
static void
starttls_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_starttls_state *st =
	    sc_check_state_get(dom, &sc_check_starttls);
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "port");
	sc_jw_int(out, st != NULL ? st->port : dom->ctx->smtp_port);
	sc_jw_key(out, "hosts");
	sc_jw_lit(out, "[");
	for (i = 0; st != NULL && i < st->n; i++) {
		const struct sc_starttls_entry *e = &st->e[i];

		if (i == 0 || strcmp(st->e[i - 1].host, e->host) != 0) {
			if (i > 0)
				sc_jw_lit(out, "]}");
			sc_jw_elem(out);
			sc_jw_lit(out, "{");
			sc_jw_key(out, "host");
			sc_jw_cstr(out, e->host);
			sc_jw_key(out, "preference");
			sc_jw_int(out, e->pref);
			sc_jw_key(out, "addresses");
			sc_jw_lit(out, "[");
		}
		sc_jw_elem(out);
		describe_entry(e, out);
	}
	if (st != NULL && st->n > 0)
		sc_jw_lit(out, "]}");
	sc_jw_lit(out, "]}");
}

/* Free the domain's entries; a probe still running forgets the domain. */
static void
starttls_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_starttls);
	struct sc_starttls_state *st = *slot;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		struct sc_starttls_entry *e = &st->e[i];
		struct waiter **pw;

		for (pw = e->probe != NULL ? &e->probe->waiters : NULL;
		     pw != NULL && *pw != NULL;) {
			struct waiter *w = *pw;

			if (w->dom == dom && w->host == e->host) {
				*pw = w->next;
				sc_free(w);
			} else {
				pw = &w->next;
			}
		}
		sc_free(e->host);
		sc_free(e->addr);
	}
	sc_free(st->e);
	sc_free(st);
	*slot = NULL;
}

static const char *const starttls_ids[] = {
	"starttls.unsupported", "starttls.unreachable", "tls.cert_invalid",
	"tls.cert_expired", "tls.hostname_mismatch", "tls.old_protocol", NULL
};

const struct sc_check sc_check_starttls = {
	.name = "starttls",
	.ids = starttls_ids,
	.start = NULL, /* started by the "mx" check as addresses come in */
	.assess = starttls_assess,
	.describe = starttls_describe,
	.clear = starttls_clear,
};
