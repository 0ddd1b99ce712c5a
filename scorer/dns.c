/*
 * The c-ares adapter (as curl's asyn-ares.c): the only file that talks to
 * c-ares.  Queries are built here rather than with ares_query() so that we
 * can set the AD and DO bits (RFC 6840 5.7, RFC 3225) and read the rcode
 * ourselves: ares_query() folds NXDOMAIN and NODATA into error codes and
 * hides the AD flag, and "no record" must never be confused with "could
 * not ask".
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "dns.h"
#include "internal.h"
#include "tlsa_parse.h"

#define EDNS_UDP_SIZE 1232 /* the DNS flag day 2020 size: avoids fragments */
#define MAX_ANSWERS 64     /* hostile answers cannot make us hoard memory */

static void dns_rearm(struct sc_dns *dns);
static void drain_queue(struct sc_dns *dns);
static void queue_unlink(struct sc_dns *dns, struct sc_lookup *lk);

static void
on_io(int fd, int revents, void *arg)
{
	struct sc_dns *dns = arg;
	size_t left, before;

	ares_process_fd(dns->channel,
	                (revents & SC_EV_IN) ? fd : ARES_SOCKET_BAD,
	                (revents & SC_EV_OUT) ? fd : ARES_SOCKET_BAD);
	/* c-ares may stop reading before our batch of answers is handed
	 * out (it gives up on one from a wrong address); the socket will
	 * not turn readable for what we hold, so hand on while it takes. */
	while ((left = sc_dns_batch_buffered(&dns->batch, fd)) > 0) {
		before = left;
		ares_process_fd(dns->channel, fd, ARES_SOCKET_BAD);
		if (sc_dns_batch_buffered(&dns->batch, fd) >= before)
			break;
	}
	sc_dns_batch_flush(&dns->batch);
	dns_rearm(dns);
}

/* A send failed: c-ares learns it by reading fd (dns_batch.c). */
static void
on_batch_error(int fd, void *arg)
{
	struct sc_dns *dns = arg;

	ares_process_fd(dns->channel, fd, ARES_SOCKET_BAD);
	dns_rearm(dns);
}

static void
on_timer(void *arg)
{
	struct sc_dns *dns = arg;

	ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	sc_dns_batch_flush(&dns->batch);     /* c-ares' retries */
	dns_rearm(dns);
}

/* c-ares' own retry timer, mapped onto one loop timer. */
static void
dns_rearm(struct sc_dns *dns)
{
	struct timeval tv, *tvp;

	if (dns->channel == NULL || dns->inflight == 0) {
		sc_timer_stop(dns->loop, &dns->timer);
		return;
	}
	tvp = ares_timeout(dns->channel, NULL, &tv);
	if (tvp == NULL) {
		sc_timer_stop(dns->loop, &dns->timer);
		return;
	}
	sc_timer_start(dns->loop, &dns->timer,
	               (unsigned)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) + 1,
	               on_timer, dns);
}

static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct sc_dns *dns = data;

	/* Out of memory here would lose a socket: c-ares gives us no way
	 * to fail, so the lookup runs into its timeout instead of hanging. */
	(void)sc_loop_watch(dns->loop, fd,
	                    (readable ? SC_EV_IN : 0) | (writable ? SC_EV_OUT : 0),
	                    on_io, dns);
}

/* The resolvers c-ares ended up with (ours, or /etc/resolv.conf's). */
static int
count_servers(ares_channel channel)
{
	struct ares_addr_port_node *list = NULL, *s;
	int n = 0;

	if (ares_get_servers_ports(channel, &list) != ARES_SUCCESS)
		return -1;
	for (s = list; s != NULL; s = s->next)
		n++;
	ares_free_data(list);
	return n;
}

/* ---- resolver addresses ---------------------------------------------- */

/* A port: 1 to 5 decimal digits, 1..65535. */
static int
port_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");
	unsigned long v = strtoul(s, NULL, 10);

	return n > 0 && n <= 5 && s[n] == '\0' && v >= 1 && v <= 65535;
}

/* The address part of a resolver: copied to buf, checked by inet_pton. */
static int
addr_ok(int af, const char *s, size_t len)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, bin) == 1;
}

int
sc_dns_server_check(const char *server, char *out, size_t outlen,
                    char *why, size_t whylen)
{
	const char *colon = strrchr(server, ':'), *close;

	if (strlen(server) >= outlen) {
		snprintf(why, whylen, "longer than any address");
		return -1;
	}
	snprintf(out, outlen, "%s", server);

	if (server[0] == '[') {
		/* [V6] or [V6]:PORT */
		if ((close = strchr(server, ']')) == NULL) {
			snprintf(why, whylen, "'[' without its ']'");
			return -1;
		}
		if (!addr_ok(AF_INET6, server + 1, (size_t)(close - server - 1))) {
			snprintf(why, whylen, "'%.*s' is not an IPv6 address",
			         (int)(close - server - 1), server + 1);
			return -1;
		}
		if (close[1] == '\0') {
			/* c-ares 1.18 takes brackets only before a port. */
			snprintf(out, outlen, "%.*s", (int)(close - server - 1),
			         server + 1);
			return 0;
		}
		if (close[1] != ':' || !port_ok(close + 2)) {
			snprintf(why, whylen, "after ']' comes ':PORT', a port "
			         "from 1 to 65535");
			return -1;
		}
		return 0;
	}
	if (colon != NULL && strchr(server, ':') != colon) {
		/* Two colons or more: a bare IPv6 address, without a port. */
		if (addr_ok(AF_INET6, server, strlen(server)))
			return 0;
		snprintf(why, whylen, "not an IPv6 address (with a port, "
		         "write [ADDRESS]:PORT)");
		return -1;
	}
	if (!addr_ok(AF_INET, server, colon != NULL ? (size_t)(colon - server)
	                                            : strlen(server))) {
		snprintf(why, whylen, "'%.*s' is not an IP address (a resolver "
		         "is given by its address: finding it by name would "
		         "need a resolver)", colon != NULL ?
		         (int)(colon - server) : (int)strlen(server), server);
		return -1;
	}
	if (colon != NULL && !port_ok(colon + 1)) {
		snprintf(why, whylen, "port '%s' is not a number from 1 to "
		         "65535", colon + 1);
		return -1;
	}
	return 0;
}

sc_status_t
sc_dns_init(struct sc_dns *dns, struct sc_loop *loop, const char *servers,
            unsigned timeout_ms, unsigned tries, char *err, size_t errlen)
{
	struct ares_options opt;
	int rc, mask, pass;

	memset(dns, 0, sizeof(*dns));
	dns->loop = loop;
	sc_dns_batch_init(&dns->batch, loop, SC_DNS_RCVBUF, on_batch_error,
	                  dns);
	memset(&opt, 0, sizeof(opt));
	opt.sock_state_cb = on_sock_state;
	opt.sock_state_cb_data = dns;
	opt.timeout = (int)timeout_ms;
	dns->try_ms = timeout_ms;
	opt.tries = (int)tries;
	/* No search list, no /etc/hosts: we ask about names as given. */
	opt.ndomains = 0;
	opt.domains = NULL;
	opt.lookups = (char *)"b";
	/* Our queries carry EDNS (set_dnssec_bits); tell c-ares so, or it
	 * takes any UDP answer over 512 octets for truncated and asks again
	 * over TCP. */
	opt.flags = ARES_FLAG_EDNS;
	opt.ednspsz = EDNS_UDP_SIZE;
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_FLAGS |
	       ARES_OPT_EDNSPSZ;
	/* No ARES_OPT_SOCK_RCVBUF: c-ares leaves the sockets our hooks make
	 * alone, and dns_batch.c gives them SC_DNS_RCVBUF itself. */
	/* c-ares 1.18 ends a query whose every try drew SERVFAIL or REFUSED
	 * with ARES_ECONNREFUSED, losing the rcode.  With one resolver there
	 * is nobody to fail over to, so a second pass lets those answers
	 * through (NOCHECKRESP) and judge_answer() reads the rcode; with
	 * several, c-ares' failover to the next one is worth more. */
	for (pass = 0; pass < 2; pass++) {
		rc = ares_init_options(&dns->channel, &opt, mask);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "DNS setup failed: %s",
			         ares_strerror(rc));
			dns->channel = NULL;
			return rc == ARES_ENOMEM ? SC_ENOMEM : SC_EDNS;
		}
		sc_dns_batch_attach(&dns->batch, dns->channel);
		if (servers != NULL) {
			rc = ares_set_servers_ports_csv(dns->channel, servers);
			if (rc != ARES_SUCCESS) {
				snprintf(err, errlen, "bad resolver list '%s': %s",
				         servers, ares_strerror(rc));
				ares_destroy(dns->channel);
				dns->channel = NULL;
				return rc == ARES_ENOMEM ? SC_ENOMEM : SC_EINVAL;
			}
		}
		if (pass > 0 || count_servers(dns->channel) != 1)
			break;
		ares_destroy(dns->channel);
		dns->channel = NULL;
		opt.flags |= ARES_FLAG_NOCHECKRESP;
	}
	return SC_OK;
}

void
sc_dns_clear(struct sc_dns *dns)
{
	/* Queued lookups were never sent: forget them (their owners
	 * abandon them first, so nobody waits for their callbacks). */
	while (dns->queue_head != NULL)
		queue_unlink(dns, dns->queue_head);
	if (dns->channel != NULL)
		ares_destroy(dns->channel);
	dns->channel = NULL;
	sc_dns_batch_clear(&dns->batch);
	if (dns->loop != NULL)
		sc_timer_stop(dns->loop, &dns->timer);
}

const char *
sc_dns_type_str(int qtype)
{
	switch (qtype) {
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_mx: return "MX";
	case ns_t_txt: return "TXT";
	case ns_t_ns: return "NS";
	case ns_t_soa: return "SOA";
	case ns_t_cname: return "CNAME";
	case ns_t_ptr: return "PTR";
	case 52: return "TLSA";
	default: return "?";
	}
}

void
sc_dns_servers_str(const struct sc_dns *dns, char *buf, size_t size)
{
	struct ares_addr_port_node *list = NULL, *p;
	size_t n = 0;

	buf[0] = '\0';
	if (ares_get_servers_ports(dns->channel, &list) != ARES_SUCCESS)
		return;
	for (p = list; p != NULL && n + 64 < size; p = p->next) {
		char ip[INET6_ADDRSTRLEN];
		unsigned port = p->udp_port != 0 ? (unsigned)p->udp_port : 53;

		if (inet_ntop(p->family, &p->addr, ip, sizeof(ip)) == NULL)
			continue;
		n += (size_t)snprintf(buf + n, size - n,
		                      p->family == AF_INET6 ? "%s[%s]:%u"
		                                            : "%s%s:%u",
		                      n > 0 ? "," : "", ip, port);
	}
	ares_free_data(list);
}

int
sc_lookup_answered(const struct sc_lookup *lk)
{
	return lk != NULL && lk->done && (lk->outcome == SC_DNS_OK ||
	                                  lk->outcome == SC_DNS_NODATA ||
	                                  lk->outcome == SC_DNS_NXDOMAIN);
}

void
sc_lookup_free_data(struct sc_lookup *lk)
{
	size_t i;

	for (i = 0; i < lk->n; i++)
		sc_free(lk->rr[i].text);
	sc_free(lk->rr);
	lk->rr = NULL;
	lk->n = 0;
	sc_free(lk->nx_zone);
	lk->nx_zone = NULL;
	lk->nx_proof = SC_NX_NO_SOA;
	sc_free(lk->target);
	lk->target = NULL;
}

static int
add_rr(struct sc_lookup *lk, unsigned pref, const char *text, size_t len)
{
	struct sc_rr *p;

	if (lk->n >= MAX_ANSWERS)
		return 0; /* keep the first ones, drop the flood */
	p = sc_realloc(lk->rr, (lk->n + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	lk->rr = p;
	p[lk->n].pref = pref;
	p[lk->n].len = len;
	p[lk->n].text = sc_strndup(text, len);
	if (p[lk->n].text == NULL)
		return -1;
	lk->n++;
	return 0;
}

int
sc_lookup_copy_answer(struct sc_lookup *dst, const struct sc_lookup *src)
{
	size_t i;

	sc_lookup_free_data(dst);
	if (src->n > 0 && (dst->rr = sc_calloc(src->n, sizeof(*dst->rr))) ==
	    NULL)
		goto nomem;
	for (i = 0; i < src->n; i++) {
		dst->rr[i].pref = src->rr[i].pref;
		dst->rr[i].len = src->rr[i].len;
		if ((dst->rr[i].text = sc_strndup(src->rr[i].text,
		                                  src->rr[i].len)) == NULL)
			goto nomem;
		dst->n++;
	}
	if (src->nx_zone != NULL &&
	    (dst->nx_zone = sc_strdup(src->nx_zone)) == NULL)
		goto nomem;
	dst->nx_proof = src->nx_proof;
	dst->outcome = src->outcome;
	if (src->target != NULL &&
	    (dst->target = sc_strdup(src->target)) == NULL)
		goto nomem;
	dst->ad = src->ad;
	dst->cname = src->cname;
	dst->error = src->error;
	return 0;
nomem:
	sc_lookup_free_data(dst);
	dst->outcome = SC_DNS_ERROR;
	dst->error = "out of memory";
	return -1;
}

static int
parse_mx(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	struct ares_mx_reply *mx = NULL, *m;
	int rc = ares_parse_mx_reply(buf, len, &mx);

	if (rc != ARES_SUCCESS)
		return rc;
	for (m = mx; m != NULL; m = m->next)
		if (add_rr(lk, m->priority, m->host, strlen(m->host)) < 0) {
			rc = ARES_ENOMEM;
			break;
		}
	ares_free_data(mx);
	return rc;
}

static int
parse_addr(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	char text[INET6_ADDRSTRLEN];
	int i, n = MAX_ANSWERS, rc;

	if (lk->qtype == ns_t_a) {
		struct ares_addrttl a[MAX_ANSWERS];

		rc = ares_parse_a_reply(buf, len, NULL, a, &n);
		for (i = 0; rc == ARES_SUCCESS && i < n; i++) {
			inet_ntop(AF_INET, &a[i].ipaddr, text, sizeof(text));
			if (add_rr(lk, 0, text, strlen(text)) < 0)
				rc = ARES_ENOMEM;
		}
	} else {
		struct ares_addr6ttl a[MAX_ANSWERS];

		rc = ares_parse_aaaa_reply(buf, len, NULL, a, &n);
		for (i = 0; rc == ARES_SUCCESS && i < n; i++) {
			inet_ntop(AF_INET6, &a[i].ip6addr, text, sizeof(text));
			if (add_rr(lk, 0, text, strlen(text)) < 0)
				rc = ARES_ENOMEM;
		}
	}
	return rc;
}

/* RFC 7208 3.3: the strings of one TXT record are joined without spaces. */
static int
parse_txt(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	struct ares_txt_ext *txt = NULL, *t;
	char *acc = NULL;
	size_t alen = 0;
	int rc = ares_parse_txt_reply_ext(buf, len, &txt);

	if (rc != ARES_SUCCESS)
		return rc;
	for (t = txt; t != NULL && rc == ARES_SUCCESS; t = t->next) {
		char *p;

		if (t->record_start && acc != NULL) {
			if (add_rr(lk, 0, acc, alen) < 0)
				rc = ARES_ENOMEM;
			alen = 0;
		}
		p = sc_realloc(acc, alen + t->length + 1);
		if (p == NULL) {
			rc = ARES_ENOMEM;
			break;
		}
		acc = p;
		memcpy(acc + alen, t->txt, t->length);
		alen += t->length;
	}
	if (rc == ARES_SUCCESS && acc != NULL && add_rr(lk, 0, acc, alen) < 0)
		rc = ARES_ENOMEM;
	sc_free(acc);
	ares_free_data(txt);
	return rc;
}

static int
parse_ns(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	struct hostent *h = NULL;
	int i, rc = ares_parse_ns_reply(buf, len, &h);

	if (rc != ARES_SUCCESS)
		return rc;
	for (i = 0; h->h_aliases[i] != NULL; i++)
		if (add_rr(lk, 0, h->h_aliases[i], strlen(h->h_aliases[i])) < 0) {
			rc = ARES_ENOMEM;
			break;
		}
	ares_free_hostent(h);
	return rc;
}

/* PTR names (RFC 7208 5.5 and %{p}): c-ares lists every PTR record of
 * the answer as an alias of the hostent. */
static int
parse_ptr(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	unsigned char dummy[16] = { 0 };
	struct hostent *h = NULL;
	int i, rc = ares_parse_ptr_reply(buf, len, dummy, 4, AF_INET, &h);

	if (rc != ARES_SUCCESS)
		return rc;
	for (i = 0; h->h_aliases != NULL && h->h_aliases[i] != NULL; i++)
		if (add_rr(lk, 0, h->h_aliases[i], strlen(h->h_aliases[i])) < 0) {
			rc = ARES_ENOMEM;
			break;
		}
	if (rc == ARES_SUCCESS && lk->n == 0 && h->h_name != NULL &&
	    add_rr(lk, 0, h->h_name, strlen(h->h_name)) < 0)
		rc = ARES_ENOMEM;
	ares_free_hostent(h);
	return rc;
}

/* TLSA (RFC 6698 2.2): "USAGE SELECTOR MTYPE HEX" per record, the
 * presentation form.  c-ares 1.18 has no TLSA parser: tlsa_parse.c walks
 * the raw answer, bounds-checked. */
static int
parse_tlsa(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sc_tlsa t[MAX_ANSWERS];
	size_t n, i, j;
	int rc = ARES_SUCCESS;

	if (sc_tlsa_msg_parse(buf, (size_t)len, t, MAX_ANSWERS, &n) != 0)
		return ARES_EBADRESP;
	for (i = 0; i < n && rc == ARES_SUCCESS; i++) {
		size_t tl = 12 + 2 * t[i].len;
		char *text = sc_malloc(tl + 1);
		int k;

		if (text == NULL)
			return ARES_ENOMEM;
		k = snprintf(text, tl + 1, "%u %u %u ", t[i].usage,
		             t[i].selector, t[i].mtype);
		for (j = 0; j < t[i].len; j++) {
			text[k++] = hex[t[i].data[j] >> 4];
			text[k++] = hex[t[i].data[j] & 15];
		}
		text[k] = '\0';
		if (add_rr(lk, 0, text, (size_t)k) < 0)
			rc = ARES_ENOMEM;
		sc_free(text);
	}
	return rc;
}

static int
parse_answer(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	switch (lk->qtype) {
	case ns_t_mx: return parse_mx(lk, buf, len);
	case ns_t_a:
	case ns_t_aaaa: return parse_addr(lk, buf, len);
	case ns_t_txt: return parse_txt(lk, buf, len);
	case ns_t_ns: return parse_ns(lk, buf, len);
	case ns_t_ptr: return parse_ptr(lk, buf, len);
	case 52: return parse_tlsa(lk, buf, len);
	default: return ARES_SUCCESS; /* outcome and flags only */
	}
}

/* Turn a DNS message into an outcome.  A NOERROR answer that holds no
 * record of the type asked (only a CNAME, only RRSIGs) is NODATA. */
/* ---- owner names ----------------------------------------------------- */

/* c-ares 1.18's parsers take every record of the type from the answer
 * section, whatever its owner name.  A hostile server could then slip
 * "v=spf1 +all" for another name into an answer about ours.  So before
 * parsing, walk the answer section (bounds-checked) and accept it only if
 * every record of the asked type belongs to the name asked or to the
 * target of a CNAME chain starting there (RFC 1034 3.6.2). */

#define MAX_CHAIN 9

struct owner_walk {
	char *chain[MAX_CHAIN];
	int nchain;
};

/* n octets equal, ASCII case folded (RFC 4343; not the locale's
 * strncasecmp()).  A wire form's length octets (0..63) fold to
 * themselves, so this compares wire forms as well as texts. */
static int
fold_eq(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

int
sc_dns_name_eq(const char *a, const char *b)
{
	unsigned char wa[256], wb[256];
	size_t la, lb;
	int wla, wlb;

	/* Without escapes the texts compare as the names do, save a final
	 * dot ("" and "." are both the root, as c-ares and we write it):
	 * the common case, without building the wire forms. */
	if (strchr(a, '\\') == NULL && strchr(b, '\\') == NULL) {
		la = strlen(a);
		lb = strlen(b);
		if (la > 0 && a[la - 1] == '.')
			la--;
		if (lb > 0 && b[lb - 1] == '.')
			lb--;
		return la == lb && fold_eq((const unsigned char *)a,
		                           (const unsigned char *)b, la);
	}
	wla = sc_dns_name_wire(a, wa, sizeof(wa));
	wlb = sc_dns_name_wire(b, wb, sizeof(wb));
	if (wla < 0 || wlb < 0)
		return strcmp(a, b) == 0; /* not names: the same text at most */
	return wla == wlb && fold_eq(wa, wb, (size_t)wla);
}

static int
in_chain(const struct owner_walk *w, const char *name)
{
	int i;

	for (i = 0; i < w->nchain; i++)
		if (sc_dns_name_eq(w->chain[i], name))
			return 1;
	return 0;
}

/* Skip the question section; the offset of the answers, or -1. */
static long
skip_questions(const unsigned char *buf, int len)
{
	int qd = (buf[4] << 8) | buf[5], i;
	long off = 12;

	for (i = 0; i < qd; i++) {
		char *name = NULL;
		long enc = 0;

		if (ares_expand_name(buf + off, buf, len, &name, &enc) !=
		    ARES_SUCCESS)
			return -1;
		ares_free_string(name);
		off += enc + 4;
		if (off > len)
			return -1;
	}
	return off;
}

/* One pass over the answers.  With check = 0, grow the CNAME chain;
 * with check = 1, fail (-1) on a record of type qtype off the chain. */
static int
walk_answers(const unsigned char *buf, int len, long off, int qtype,
             struct owner_walk *w, int check, int *grew)
{
	int an = (buf[6] << 8) | buf[7], i, rc = 0;

	for (i = 0; i < an && rc == 0; i++) {
		char *owner = NULL, *target = NULL;
		long enc = 0, tenc = 0;
		int type, rdlen;

		if (ares_expand_name(buf + off, buf, len, &owner, &enc) !=
		    ARES_SUCCESS)
			return -1;
		off += enc;
		if (off + 10 > len) {
			ares_free_string(owner);
			return -1;
		}
		type = (buf[off] << 8) | buf[off + 1];
		rdlen = (buf[off + 8] << 8) | buf[off + 9];
		off += 10;
		if (off + rdlen > len) {
			ares_free_string(owner);
			return -1;
		}
		if (check && type == qtype && !in_chain(w, owner))
			rc = -1;
		if (!check && type == ns_t_cname && in_chain(w, owner) &&
		    w->nchain < MAX_CHAIN &&
		    ares_expand_name(buf + off, buf, len, &target, &tenc) ==
		        ARES_SUCCESS) {
			if (!in_chain(w, target)) {
				w->chain[w->nchain++] = target;
				*grew = 1;
				target = NULL;
			}
			ares_free_string(target);
		}
		ares_free_string(owner);
		off += rdlen;
	}
	return rc;
}

/* The chain of names an answer to qname is about: qname and the targets
 * of a CNAME chain starting there, in w (w->chain[0] is asked, the
 * caller's buffer).  The offset of the answer section, or -1 when the
 * message is malformed. */
static long
build_chain(const char *qname, const unsigned char *buf, int len,
            struct owner_walk *w, char asked[256])
{
	long off = skip_questions(buf, len);
	size_t n = strlen(qname);
	int grew = 1, rounds;

	memset(w, 0, sizeof(*w));
	if (off < 0 || n == 0 || n >= 256)
		return -1;
	memcpy(asked, qname, n + 1);
	if (asked[n - 1] == '.')
		asked[n - 1] = '\0';
	w->chain[w->nchain++] = asked;
	/* CNAMEs may come in any order: grow the chain until it is whole. */
	for (rounds = 0; grew && rounds < MAX_CHAIN; rounds++) {
		grew = 0;
		if (walk_answers(buf, len, off, 0, w, 0, &grew) != 0)
			break;
	}
	return off;
}

static void
free_chain(struct owner_walk *w)
{
	int i;

	for (i = 1; i < w->nchain; i++)
		ares_free_string(w->chain[i]);
}

/* 0 when the answer's records of the asked type all belong to the name
 * asked (or its CNAME chain), -1 otherwise or when the message is
 * malformed.  When the chain went past the name asked, lk->cname is set
 * and lk->target is its end (NULL when out of memory). */
static int
check_owners(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	struct owner_walk w;
	char asked[256];
	long off;
	int grew = 0, rc;

	lk->cname = 0;
	if ((off = build_chain(lk->name, buf, len, &w, asked)) < 0)
		return -1;
	rc = walk_answers(buf, len, off, lk->qtype, &w, 1, &grew);
	if (rc == 0 && w.nchain > 1) {
		lk->cname = 1;
		sc_free(lk->target);
		lk->target = sc_strdup(w.chain[w.nchain - 1]);
	}
	free_chain(&w);
	return rc;
}

/* Is zone a proper ancestor of name, label by label (an escaped dot is
 * inside a label: ample.com does not enclose ex\.ample.com)?  The root
 * encloses every other name.  Not when either is no name. */
static int
encloses(const char *zone, const char *name)
{
	unsigned char wz[256], wn[256];
	int lz, ln, off = 0;

	/* Without escapes a dot is a label boundary: compare the texts
	 * (case folded, save a final dot), without the wire forms. */
	if (strchr(zone, '\\') == NULL && strchr(name, '\\') == NULL) {
		size_t z = strlen(zone), n = strlen(name);

		if (z > 0 && zone[z - 1] == '.')
			z--;
		if (n > 0 && name[n - 1] == '.')
			n--;
		if (z == 0)
			return n > 0; /* the root encloses every other name */
		return n > z + 1 && name[n - z - 1] == '.' &&
		       fold_eq((const unsigned char *)name + n - z,
		               (const unsigned char *)zone, z);
	}
	lz = sc_dns_name_wire(zone, wz, sizeof(wz));
	ln = sc_dns_name_wire(name, wn, sizeof(wn));
	if (lz < 0 || ln < 0)
		return 0;
	while (wn[off] != 0) {
		off += wn[off] + 1; /* the next ancestor */
		if (ln - off == lz && fold_eq(wn + off, wz, (size_t)lz))
			return 1;
	}
	return 0;
}

/* Skip count resource records from off; the offset after them, or -1. */
static long
skip_rrs(const unsigned char *buf, int len, long off, int count,
         char **owner, int *type)
{
	int i;

	for (i = 0; i < count; i++) {
		long enc = 0;

		if (owner != NULL) {
			*owner = NULL;
			if (ares_expand_name(buf + off, buf, len, owner, &enc) !=
			    ARES_SUCCESS)
				return -1;
		} else {
			char *tmp = NULL;

			if (ares_expand_name(buf + off, buf, len, &tmp, &enc) !=
			    ARES_SUCCESS)
				return -1;
			ares_free_string(tmp);
		}
		off += enc;
		if (off + 10 > len)
			goto bad;
		if (type != NULL)
			*type = (buf[off] << 8) | buf[off + 1];
		off += 10 + ((buf[off + 8] << 8) | buf[off + 9]);
		if (off > len)
			goto bad;
	}
	return off;
bad:
	if (owner != NULL) {
		ares_free_string(*owner);
		*owner = NULL;
	}
	return -1;
}

/* An NXDOMAIN is believed only with its proof (RFC 2308 2.1): the SOA
 * of a zone that encloses the name (or a name its CNAME chain reached) in
 * the authority section.  A resolver that answers NXDOMAIN with no SOA
 * (a captive portal, a sandbox) or with the SOA of a zone of its own (an
 * RPZ policy zone) is lying or filtering, and "does not exist" must not
 * be concluded from it.  Out of memory leaves the answer unproven. */
static void
judge_nxdomain(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	struct owner_walk w;
	char asked[256];
	int an = (buf[6] << 8) | buf[7], ns = (buf[8] << 8) | buf[9], i, k;
	long off;

	lk->nx_proof = SC_NX_NO_SOA;
	if (lk->name == NULL ||
	    (off = build_chain(lk->name, buf, len, &w, asked)) < 0)
		return;
	off = skip_rrs(buf, len, off, an, NULL, NULL);
	for (i = 0; off >= 0 && i < ns && lk->nx_proof != SC_NX_PROVEN; i++) {
		char *owner = NULL;
		int type = 0;

		off = skip_rrs(buf, len, off, 1, &owner, &type);
		if (off < 0 || type != ns_t_soa) {
			ares_free_string(owner);
			continue;
		}
		lk->nx_proof = SC_NX_FOREIGN_SOA;
		for (k = 0; k < w.nchain; k++)
			if (encloses(owner, w.chain[k]))
				lk->nx_proof = SC_NX_PROVEN;
		if (lk->nx_zone == NULL || lk->nx_proof == SC_NX_PROVEN) {
			sc_free(lk->nx_zone);
			lk->nx_zone = sc_strdup(owner[0] != '\0' ? owner : ".");
		}
		ares_free_string(owner);
	}
	free_chain(&w);
}

static void
judge_answer(struct sc_lookup *lk, const unsigned char *buf, int len)
{
	int rcode, rc;

	if (len < 12) {
		lk->outcome = SC_DNS_ERROR;
		lk->error = "short DNS message";
		return;
	}
	rcode = buf[3] & 0x0f;
	lk->ad = (buf[3] & 0x20) != 0;
	if (rcode == ns_r_nxdomain) {
		lk->outcome = SC_DNS_NXDOMAIN;
		judge_nxdomain(lk, buf, len);
		return;
	}
	if (rcode != ns_r_noerror) {
		lk->outcome = rcode == ns_r_servfail ? SC_DNS_SERVFAIL :
		              rcode == ns_r_refused ? SC_DNS_REFUSED : SC_DNS_ERROR;
		lk->error = "unexpected rcode";
		return;
	}
	if (lk->name != NULL && check_owners(lk, buf, len) != 0) {
		lk->outcome = SC_DNS_ERROR;
		lk->error = "answer holds records for another name";
		return;
	}
	rc = parse_answer(lk, buf, len);
	if (rc == ARES_SUCCESS || rc == ARES_ENODATA) {
		lk->outcome = lk->n > 0 ? SC_DNS_OK : SC_DNS_NODATA;
		return;
	}
	sc_lookup_free_data(lk);
	lk->outcome = SC_DNS_ERROR;
	lk->error = rc == ARES_ENOMEM ? "out of memory" : ares_strerror(rc);
}

/* Test hook (fuzz/fuzz_dns.c): judge a raw message as the answer to a
 * query of lk->qtype, exactly as on_answer() does.  Not for other callers. */
void
sc_dns_parse_answer_for_fuzz(struct sc_lookup *lk, const unsigned char *buf,
                             int len)
{
	judge_answer(lk, buf, len);
}

static sc_dns_outcome_t
outcome_of_status(int status)
{
	switch (status) {
	case ARES_ETIMEOUT: return SC_DNS_TIMEOUT;
	case ARES_ESERVFAIL: return SC_DNS_SERVFAIL;
	case ARES_EREFUSED: return SC_DNS_REFUSED;
	case ARES_ENOTFOUND: return SC_DNS_NXDOMAIN;
	case ARES_ENODATA: return SC_DNS_NODATA;
	default: return SC_DNS_ERROR;
	}
}

struct query {
	struct sc_dns *dns;
	struct sc_lookup *lk;
};

static void
on_answer(void *arg, int status, int timeouts, unsigned char *buf, int len)
{
	struct query *q = arg;
	struct sc_lookup *lk = q->lk;

	struct sc_dns *dns = q->dns;

	(void)timeouts;
	dns->inflight--;
	sc_free(q);
	/* Room for a queued query, unless c-ares is being torn down. */
	if (status != ARES_EDESTRUCTION)
		drain_queue(dns);
	if (lk == NULL)
		return; /* abandoned at the deadline; its owner moved on */
	lk->query = NULL;
	if (lk->done)
		return;
	lk->done = 1;
	lk->elapsed_ms = (unsigned)(sc_now_ms() - lk->started);
	if (status == ARES_SUCCESS && buf != NULL) {
		judge_answer(lk, buf, len);
	} else {
		lk->outcome = outcome_of_status(status);
		if (lk->outcome == SC_DNS_ERROR)
			lk->error = ares_strerror(status);
	}
	lk->cb(lk, lk->arg);
}

/* ---- names: presentation form to wire labels ---------------------- */

int
sc_dns_name_wire(const char *name, unsigned char *out, size_t cap)
{
	size_t n = 0, lab = 0; /* bytes written; offset of the label's length */
	const char *p = name;

	if (cap < 1)
		return -1;
	if (strcmp(name, ".") == 0 || *name == '\0') {
		out[0] = 0; /* the root */
		return 1;
	}
	out[n++] = 0;
	while (*p != '\0') {
		unsigned c = (unsigned char)*p++;

		if (c == '.') {
			/* An empty label ("a..b", ".a") cannot be asked. */
			if (n - lab == 1)
				return -1;
			if (*p == '\0')
				break; /* the final dot */
			if (n >= cap)
				return -1;
			lab = n;
			out[n++] = 0;
			continue;
		}
		if (c == '\\') {
			/* RFC 1035 5.1: \DDD is the octet DDD (decimal), \X is X. */
			if (*p >= '0' && *p <= '9') {
				if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
				      p[2] <= '9'))
					return -1;
				c = (unsigned)(p[0] - '0') * 100 +
				    (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
				if (c > 255)
					return -1;
				p += 3;
			} else if (*p != '\0') {
				c = (unsigned char)*p++;
			} else {
				return -1;
			}
		}
		if (n >= cap || n - lab > 63)
			return -1; /* labels are 63 octets at most */
		out[n++] = (unsigned char)c;
		out[lab]++;
	}
	if (n - lab == 1 || n >= cap || n + 1 > 255)
		return -1;
	out[n++] = 0;
	return (int)n;
}

/* The query: RD, and AD (RFC 6840 5.7); then the question; then an OPT
 * RR (RFC 6891) with our UDP size and DO (RFC 3225), so that a
 * validating resolver tells us what it validated.  -1 when the name
 * cannot be asked. */
static int
build_query(const char *name, int qtype, unsigned short id,
            unsigned char *buf, size_t cap)
{
	int w;
	size_t n;

	if (cap < 12 + 255 + 4 + 11)
		return -1;
	memset(buf, 0, 12);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	buf[2] = 0x01;          /* RD */
	buf[3] = 0x20;          /* AD */
	buf[5] = 1;             /* QDCOUNT */
	buf[11] = 1;            /* ARCOUNT: the OPT RR */
	if ((w = sc_dns_name_wire(name, buf + 12, 255)) < 0)
		return -1;
	n = 12 + (size_t)w;
	buf[n++] = (unsigned char)(qtype >> 8);
	buf[n++] = (unsigned char)qtype;
	buf[n++] = 0;
	buf[n++] = ns_c_in;
	buf[n++] = 0;           /* OPT: the root name */
	buf[n++] = 0;
	buf[n++] = 41;          /* type OPT */
	buf[n++] = EDNS_UDP_SIZE >> 8;
	buf[n++] = EDNS_UDP_SIZE & 0xff;
	buf[n++] = 0;           /* extended rcode */
	buf[n++] = 0;           /* version 0 */
	buf[n++] = 0x80;        /* DO */
	buf[n++] = 0;
	buf[n++] = 0;           /* no options */
	buf[n++] = 0;
	return (int)n;
}

/* A fresh, unpredictable query id (RFC 5452 9.2): an off-path spoofer
 * must guess it, and c-ares finds answers faster when ids differ.  Drawn
 * from the kernel in batches; if that fails, the clock and a counter are
 * a poor but working fallback. */
unsigned short
sc_dns_new_id(struct sc_dns *dns)
{
	if (dns->idleft < 2) {
		ssize_t n = getrandom(dns->idpool, sizeof(dns->idpool), 0);

		if (n != (ssize_t)sizeof(dns->idpool)) {
			uint64_t t = sc_now_ms();
			size_t i;

			for (i = 0; i < sizeof(dns->idpool); i++)
				dns->idpool[i] = (unsigned char)(t >> (i % 8 * 8)) ^
				                 (unsigned char)(i * 131);
		}
		dns->idleft = sizeof(dns->idpool);
	}
	dns->idleft -= 2;
	return (unsigned short)(dns->idpool[dns->idleft] << 8 |
	                        dns->idpool[dns->idleft + 1]);
}

/* Send lk's query now.  SC_ENOMEM, or SC_OK with the callback to come
 * (or already run, for a name no query can carry). */
static sc_status_t
send_query(struct sc_dns *dns, struct sc_lookup *lk)
{
	unsigned char buf[12 + 255 + 4 + 11];
	struct query *q;
	int len;

	q = sc_malloc(sizeof(*q));
	if (q == NULL)
		return SC_ENOMEM;
	len = build_query(lk->name, lk->qtype, sc_dns_new_id(dns), buf,
	                  sizeof(buf));
	if (len < 0) {
		sc_free(q);
		/* A name no query can carry (a 64-octet label from a hostile
		 * MX answer): an outcome, not a failure of ours. */
		lk->done = 1;
		lk->outcome = SC_DNS_ERROR;
		lk->error = "not a name a query can carry";
		lk->cb(lk, lk->arg);
		return SC_OK;
	}
	q->dns = dns;
	q->lk = lk;
	lk->query = q;
	dns->inflight++;
	ares_send(dns->channel, buf, len, on_answer, q); /* copies buf */
	/* A new query is due for retry after the first per-try timeout:
	 * when the timer fires before that, it stands.  (ares_timeout()
	 * walks every query in flight; after each send it was 4 % of a
	 * batch's CPU.) */
#if ARES_VERSION < 0x011400
	if (!dns->timer.armed || dns->timer.due > sc_now_ms() + dns->try_ms)
#endif
		/* (Later c-ares may time a query from what a server's answers
		 * took, shorter than try_ms: there, ask it every time.) */
		dns_rearm(dns);
	return SC_OK;
}

static void
queue_unlink(struct sc_dns *dns, struct sc_lookup *lk)
{
	if (lk->qprev != NULL)
		lk->qprev->qnext = lk->qnext;
	else
		dns->queue_head = lk->qnext;
	if (lk->qnext != NULL)
		lk->qnext->qprev = lk->qprev;
	else
		dns->queue_tail = lk->qprev;
	lk->qprev = lk->qnext = NULL;
	lk->queued = 0;
}

/* Send queued lookups while there is room.  A lookup that cannot be sent
 * for want of memory ends as an error rather than waiting forever. */
static void
drain_queue(struct sc_dns *dns)
{
	struct sc_lookup *lk;

	while (dns->inflight < SC_DNS_MAX_INFLIGHT &&
	       (lk = dns->queue_head) != NULL) {
		queue_unlink(dns, lk);
		if (send_query(dns, lk) != SC_OK) {
			lk->done = 1;
			lk->outcome = SC_DNS_ERROR;
			lk->error = "out of memory";
			lk->cb(lk, lk->arg);
		}
	}
}

sc_status_t
sc_dns_lookup(struct sc_dns *dns, struct sc_lookup *lk, const char *name,
              int qtype, sc_lookup_cb cb, void *arg)
{
	lk->qtype = qtype;
	lk->cb = cb;
	lk->arg = arg;
	lk->dns = dns;
	lk->started = sc_now_ms();
	if (lk->name == NULL && (lk->name = sc_strdup(name)) == NULL)
		return SC_ENOMEM;
	if (dns->inflight < SC_DNS_MAX_INFLIGHT)
		return send_query(dns, lk);
	lk->queued = 1;
	lk->qprev = dns->queue_tail;
	if (dns->queue_tail != NULL)
		dns->queue_tail->qnext = lk;
	else
		dns->queue_head = lk;
	dns->queue_tail = lk;
	return SC_OK;
}

void
sc_dns_abandon(struct sc_lookup *lk)
{
	if (lk->queued)
		queue_unlink(lk->dns, lk);
	if (lk->query != NULL) {
		((struct query *)lk->query)->lk = NULL;
		lk->query = NULL;
	}
	if (lk->done)
		return;
	lk->done = 1;
	lk->outcome = SC_DNS_TIMEOUT;
	lk->elapsed_ms = (unsigned)(sc_now_ms() - lk->started);
}
