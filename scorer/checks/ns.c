/*
 * Check "ns": who answers for the domain's DNS?  Whoever does answers for
 * its MX records, and so receives its mail.  For the address's domain,
 * and for the registrable domain of each of its MX hosts (their zones),
 * every nameserver of the NS set is looked at:
 *
 *   ns.dangling     the NS host lies in a registrable domain that does
 *                   not exist ("does not exist" believed per resolver.h):
 *                   whoever registers it answers for the zone;
 *   ns.lame         an address of the NS host does not answer for the
 *                   zone with authority (RFC 1912 2.8): REFUSED, SERVFAIL,
 *                   an answer without AA, or none at all while another
 *                   nameserver of the zone answers.  At a DNS provider that
 *                   lets anyone create any zone, that is a takeover;
 *   ns.unresolvable the NS host has no address;
 *   ns.unverified   no nameserver of the zone answered a direct question
 *                   (the network may block it): could not verify.
 *
 * The direct questions ("ZONE SOA?" without RD, to each address of each
 * NS host, on --ns-port) are asked by nsprobe.c, once per address and
 * zone per context however many domains share them; the domain job is
 * held until they end or its deadline passes.  A bounded number of zones,
 * NS hosts and addresses per domain: a hostile NS set cannot make us ask
 * more.  Addresses in private or reserved space are not asked (no domain
 * may make us query someone's internal network), unless loopback is
 * allowed for a lab.  docs/ns.md.
 */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "internal.h"
#include "ipaddr.h"
#include "ns.h"
#include "resolver.h"

#define MAX_ZONES 5           /* the domain's, and four MX hosts' */
#define MAX_MX 16             /* MX hosts looked at for their zones */
#define MAX_NS 8              /* NS hosts per zone */
#define MARGIN_MS 250         /* end before the domain's own deadline */
#define MIN_BUDGET_MS 200

/* ---- the context's table of questions ----------------------------------- */

static struct sc_nsq_table *
table(struct sc_ctx *ctx)
{
	void **slot = sc_check_ctx_slot(ctx, &sc_check_ns);

	if (*slot == NULL)
		*slot = sc_nsq_table_new(&ctx->loop, &ctx->dns,
		                         ctx->dns_timeout_ms, ctx->dns_tries);
	return *slot;
}

/* After the jobs, which may wait on its questions. */
static void
ns_ctx_free(struct sc_ctx *ctx, void *state)
{
	(void)ctx;
	sc_nsq_table_free(state);
}

/* Not one nameserver answered a direct question in the whole run, while
 * the resolver did: the network blocks DNS to other servers.  Said once. */
static int
ns_notice(const struct sc_ctx *ctx, const void *state, char *buf,
          size_t size)
{
	unsigned long ended, answered;

	sc_nsq_counts(state, &ended, &answered);
	if (answered > 0 && sc_nsq_authoritative(state) == 0) {
		snprintf(buf, size, "no nameserver answered a direct DNS "
		         "question with authority (%lu answers on port %u): "
		         "something on this network probably answers DNS in "
		         "their place, so no delegation could be judged lame. "
		         "Run from a network that lets DNS through untouched, "
		         "or skip the check (--skip ns), which narrows the "
		         "verdict to the checks that ran", answered,
		         ctx->ns_port);
		return 1;
	}
	if (ended == 0 || answered > 0)
		return 0;
	snprintf(buf, size, "no nameserver answered a direct DNS question "
	         "(%lu asked on port %u): outgoing DNS to servers other than "
	         "the resolver is probably blocked on this network, so no "
	         "delegation could be verified. Run from a network that "
	         "allows it, or skip the check (--skip ns), which narrows the "
	         "verdict to the checks that ran", ended, ctx->ns_port);
	return 1;
}

/* ---- gathering the evidence --------------------------------------------- */

static struct sc_ns_state *
state_of(struct sc_domain *dom)
{
	return *sc_check_state(dom, &sc_check_ns);
}

static int
resolved(const struct sc_lookup *lk)
{
	return lk != NULL && lk->outcome == SC_DNS_OK && lk->n > 0;
}

static unsigned
budget(const struct sc_domain *dom)
{
	uint64_t end = dom->started + dom->ctx->timeout_ms, now = sc_now_ms();
	unsigned ms = end > now + MARGIN_MS ? (unsigned)(end - now - MARGIN_MS)
	                                    : 0;

	return ms < MIN_BUDGET_MS ? MIN_BUDGET_MS : ms;
}

static int
usable(const struct sc_domain *dom, const char *addr)
{
	enum sc_ipclass c = sc_ip_classify(addr);

	return c == SC_IP_PUBLIC ||
	       (c == SC_IP_LOOPBACK && dom->ctx->allow_loopback);
}

const char *
sc_ns_zone_apex(const struct sc_ns_zone *z)
{
	/* A name that is a CNAME is no zone's apex (RFC 1034 3.6.2): the
	 * NS records the resolver followed it to are another zone's. */
	if (resolved(z->ns) && !z->ns->cname)
		return z->ns->name;
	if (resolved(z->parent) && !z->parent->cname)
		return z->parent->name;
	return NULL;
}

/* A question dom waited for ended: keep a copy, let the job go. */
static void
on_answer(void *arg, const void *tag, const struct sc_nsq_result *res)
{
	struct sc_domain *dom = arg;
	struct sc_ns_state *st = state_of(dom);
	struct sc_ns_host *h;
	size_t i;

	for (h = st != NULL ? st->hosts : NULL; h != NULL; h = h->next)
		for (i = 0; i < h->naddr; i++) {
			struct sc_ns_addr *a = &h->addr[i];

			if (a != tag || !a->held)
				continue;
			a->held = 0;
			a->q = NULL;
			a->res = *res;
			sc_domain_release(dom); /* may finish the job: last */
			return;
		}
}

static void
ask(struct sc_domain *dom, struct sc_ns_state *st, struct sc_ns_host *h,
    const char *addr)
{
	struct sc_ns_addr *a;
	struct sc_nsq_table *tab;
	const struct sc_nsq_result *res;
	const char *zone = sc_ns_zone_apex(h->zone);
	size_t i;

	for (i = 0; i < h->naddr; i++)
		if (strcmp(h->addr[i].addr, addr) == 0)
			return;
	if (h->naddr == h->cap || zone == NULL)
		return;
	a = &h->addr[h->naddr];
	if ((a->addr = sc_strdup(addr)) == NULL) {
		dom->status = SC_ENOMEM;
		return;
	}
	h->naddr++;
	if (!usable(dom, addr))
		return;
	if ((tab = table(dom->ctx)) == NULL ||
	    sc_nsq_join(tab, addr, st->port, zone, budget(dom), on_answer, dom,
	                a, &a->q, &res) != SC_OK) {
		dom->status = SC_ENOMEM;
		return;
	}
	a->queried = 1;
	if (res->outcome != SC_NSQ_PENDING) {
		a->res = *res;
		a->q = NULL;
		return;
	}
	a->held = 1;
	sc_domain_hold(dom);
}

/* At most two addresses of a family: a host with 50 A records is asked
 * at two. */
static void
ask_family(struct sc_domain *dom, struct sc_ns_state *st,
           struct sc_ns_host *h, const struct sc_lookup *lk)
{
	size_t i;

	for (i = 0; resolved(lk) && i < lk->n && i < 2 &&
	            dom->status == SC_OK; i++)
		ask(dom, st, h, lk->rr[i].text);
}

static struct sc_ns_host *
host_of(const struct sc_ns_state *st, const struct sc_lookup *lk)
{
	struct sc_ns_host *h;

	for (h = st->hosts; h != NULL; h = h->next)
		if (h->a == lk || h->aaaa == lk)
			return h;
	return NULL;
}

/* The registrable domain of a zone's own name: a host inside it exists
 * as far as registration goes (the zone answered). */
static int
in_own_domain(const struct sc_domain *dom, const struct sc_ns_host *h)
{
	const char *zone = sc_ns_zone_apex(h->zone);
	char *zreg;
	int same;

	if (zone == NULL)
		return 0;
	if ((zreg = sc_registrable(dom->ctx, zone)) == NULL)
		return 0;
	same = strcasecmp(zreg, h->regdom) == 0;
	sc_free(zreg);
	return same;
}

static void
on_host_addr(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_ns_state *st = state_of(dom);
	struct sc_ns_host *h;

	if (st == NULL || (h = host_of(st, lk)) == NULL || h->asked ||
	    h->a == NULL || h->aaaa == NULL || !h->a->done || !h->aaaa->done)
		return;
	h->asked = 1;
	if (resolved(h->a) || resolved(h->aaaa)) {
		/* Room for the addresses asked (at most two a family): a
		 * domain job of a batch keeps this while it is cached. */
		h->cap = (resolved(h->a) ? (h->a->n < 2 ? h->a->n : 2) : 0) +
		         (resolved(h->aaaa) ? (h->aaaa->n < 2 ? h->aaaa->n : 2)
		                            : 0);
		if ((h->addr = sc_calloc(h->cap, sizeof(*h->addr))) == NULL) {
			dom->status = SC_ENOMEM;
			return;
		}
		ask_family(dom, st, h, h->a);
		ask_family(dom, st, h, h->aaaa);
		return;
	}
	if (h->a->outcome != SC_DNS_NXDOMAIN &&
	    h->aaaa->outcome != SC_DNS_NXDOMAIN)
		return;
	/* The host does not exist: does its registrable domain? */
	sc_resolver_probe(dom);
	if ((h->regdom = sc_registrable(dom->ctx, h->name)) == NULL ||
	    in_own_domain(dom, h))
		return;
	h->regdom_ns = sc_domain_lookup(dom, h->regdom, ns_t_ns, NULL);
}

static int
known_host(const struct sc_ns_state *st, const struct sc_ns_zone *z,
           const char *name)
{
	const struct sc_ns_host *h;

	for (h = st->hosts; h != NULL; h = h->next)
		if (h->zone == z && strcasecmp(h->name, name) == 0)
			return 1;
	return 0;
}

static void
add_hosts(struct sc_domain *dom, struct sc_ns_state *st, struct sc_ns_zone *z,
          const struct sc_lookup *lk)
{
	struct sc_ns_host *h, *first = NULL;
	size_t i, n = 0;

	for (i = 0; i < lk->n && n < MAX_NS; i++) {
		const char *name = lk->rr[i].text;

		if (name[0] == '\0' || strcmp(name, ".") == 0 ||
		    known_host(st, z, name))
			continue;
		if ((h = sc_calloc(1, sizeof(*h))) == NULL ||
		    (h->name = sc_strdup(name)) == NULL) {
			sc_free(h);
			dom->status = SC_ENOMEM;
			return;
		}
		h->zone = z;
		*st->htail = h;
		st->htail = &h->next;
		st->nhost++;
		n++;
		if (first == NULL)
			first = h;
	}
	/* Start once every host is listed: host_of() finds hosts by their
	 * lookups, and an answer may be in at once. */
	for (h = first; h != NULL && dom->status == SC_OK; h = h->next) {
		h->a = sc_domain_lookup(dom, h->name, ns_t_a, on_host_addr);
		h->aaaa = sc_domain_lookup(dom, h->name, ns_t_aaaa,
		                           on_host_addr);
	}
}

static void add_zone(struct sc_domain *dom, struct sc_ns_state *st,
                     const char *name, const char *mx, const char *alias);

static void
on_ns(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_ns_state *st = state_of(dom);
	struct sc_ns_zone *z;
	char *reg;

	for (z = st != NULL ? st->zones : NULL; z != NULL; z = z->next)
		if (z->ns == lk || z->parent == lk)
			break;
	if (z == NULL)
		return;
	if (resolved(lk) && !lk->cname) {
		add_hosts(dom, st, z, lk);
		return;
	}
	/* An alias: whoever answers for its target's zone answers for the
	 * mail too (the MX records come from there). */
	if (lk == z->ns && lk->cname && lk->target != NULL &&
	    z->mx == NULL && z->alias == NULL)
		add_zone(dom, st, lk->target, NULL, z->name);
	/* No NS records at the name, or a CNAME there: it is inside a zone,
	 * not its apex (a domain such as mail.example.com).  The delegation
	 * that counts is its registrable domain's. */
	if (lk != z->ns || (lk->outcome != SC_DNS_NODATA && !resolved(lk)))
		return;
	if ((reg = sc_registrable(dom->ctx, z->name)) == NULL)
		return;
	if (strcasecmp(reg, z->name) != 0)
		z->parent = sc_domain_lookup(dom, reg, ns_t_ns, on_ns);
	sc_free(reg);
}

static void
add_zone(struct sc_domain *dom, struct sc_ns_state *st, const char *name,
         const char *mx, const char *alias)
{
	struct sc_ns_zone *z;

	if (st->nzone >= MAX_ZONES)
		return;
	for (z = st->zones; z != NULL; z = z->next)
		if (strcasecmp(z->name, name) == 0)
			return;
	if ((z = sc_calloc(1, sizeof(*z))) == NULL ||
	    (z->name = sc_strdup(name)) == NULL ||
	    (mx != NULL && (z->mx = sc_strdup(mx)) == NULL) ||
	    (alias != NULL && (z->alias = sc_strdup(alias)) == NULL)) {
		if (z != NULL) {
			sc_free(z->name);
			sc_free(z->mx);
		}
		sc_free(z);
		dom->status = SC_ENOMEM;
		return;
	}
	*st->ztail = z;
	st->ztail = &z->next;
	st->nzone++;
	z->ns = sc_domain_lookup(dom, name, ns_t_ns, on_ns);
}

/* The MX hosts are known: the zones of their registrable domains (other
 * than the address's own, which its own zone covers). */
static void
on_mx(struct sc_lookup *lk, void *arg)
{
	struct sc_domain *dom = arg;
	struct sc_ns_state *st = state_of(dom);
	size_t i;

	if (st == NULL || !resolved(lk))
		return;
	for (i = 0; i < lk->n && i < MAX_MX && dom->status == SC_OK; i++) {
		const char *host = lk->rr[i].text;
		char *reg;

		if (host[0] == '\0' || strcmp(host, ".") == 0 ||
		    (reg = sc_registrable(dom->ctx, host)) == NULL)
			continue;
		if (dom->regdom == NULL || strcasecmp(reg, dom->regdom) != 0)
			add_zone(dom, st, reg, host, NULL);
		sc_free(reg);
	}
}

static sc_status_t
ns_start(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_ns);
	struct sc_ns_state *st;

	if (sc_domain_is_literal(dom))
		return SC_OK;
	if ((st = *slot = sc_calloc(1, sizeof(*st))) == NULL)
		return dom->status = SC_ENOMEM;
	st->ztail = &st->zones;
	st->htail = &st->hosts;
	st->port = dom->ctx->ns_port;
	add_zone(dom, st, dom->name, NULL, NULL);
	/* The job's MX question again: a copy of the "domain" check's
	 * answer, no query. */
	st->mx = sc_domain_lookup(dom, dom->name, ns_t_mx, on_mx);
	return dom->status;
}

static void
ns_clear(struct sc_domain *dom)
{
	void **slot = sc_check_state(dom, &sc_check_ns);
	struct sc_ns_state *st = *slot;
	struct sc_ns_host *h, *hn;
	struct sc_ns_zone *z, *zn;
	size_t i;

	if (st == NULL)
		return;
	for (h = st->hosts; h != NULL; h = hn) {
		hn = h->next;
		for (i = 0; i < h->naddr; i++) {
			/* Waited for past the deadline: not called back. */
			if (h->addr[i].held && h->addr[i].q != NULL)
				sc_nsq_forget(h->addr[i].q, dom, &h->addr[i]);
			sc_free(h->addr[i].addr);
		}
		sc_free(h->addr);
		sc_free(h->name);
		sc_free(h->regdom);
		sc_free(h);
	}
	for (z = st->zones; z != NULL; z = zn) {
		zn = z->next;
		sc_free(z->name);
		sc_free(z->mx);
		sc_free(z->alias);
		sc_free(z);
	}
	sc_free(st);
	*slot = NULL;
}

/* ---- judging the evidence (pure) ---------------------------------------- */

static int
failed(const struct sc_lookup *lk)
{
	return lk == NULL || !sc_lookup_answered(lk);
}

static const char *
outcome_of(const struct sc_lookup *lk)
{
	return lk == NULL ? "not asked in time" : sc_dns_outcome_str(lk->outcome);
}

/* "example.com (the address's domain)" or "example.net, the zone of MX
 * host mx.example.net", for details. */
static void
whose(const struct sc_domain *dom, const struct sc_ns_zone *z, char *buf,
      size_t size)
{
	const char *apex = sc_ns_zone_apex(z);

	if (apex == NULL)
		apex = z->name;
	if (z->alias != NULL)
		snprintf(buf, size, "%s (the zone of %s, which %s is an alias "
		         "of)", apex, z->name, z->alias);
	else if (z->mx == NULL)
		snprintf(buf, size, "%s (%s)", apex,
		         strcasecmp(apex, dom->name) == 0
		         ? "the address's domain"
		         : "the zone of the address's domain");
	else
		snprintf(buf, size, "%s (the zone of MX host %s)", apex, z->mx);
}

/* What dns.c found for the zone's NS question(s): 1 an NS set, 0 nothing
 * to judge, -1 a failure (reported). */
static int
zone_known(const struct sc_domain *dom, const struct sc_ns_zone *z,
           struct sc_hits *out)
{
	const struct sc_lookup *lk = z->parent != NULL ? z->parent : z->ns;

	if (sc_ns_zone_apex(z) != NULL)
		return 1;
	if (z->ns != NULL && z->ns->outcome == SC_DNS_NODATA &&
	    z->parent == NULL)
		return 0; /* no registrable domain above it to ask */
	if (lk != NULL && sc_lookup_answered(lk))
		return 0; /* NXDOMAIN (the others say so) or no NS at all */
	sc_hits_dns_unverified(out, dom, "the NS lookup of %s failed (%s)",
	                       lk != NULL ? lk->name : z->name, outcome_of(lk));
	return -1;
}

static void
assess_missing_host(const struct sc_domain *dom, const struct sc_ns_host *h,
                    const char *who, struct sc_hits *out)
{
	const struct sc_lookup *nx = h->a->outcome == SC_DNS_NXDOMAIN ? h->a
	                             : h->aaaa->outcome == SC_DNS_NXDOMAIN
	                             ? h->aaaa : NULL;

	if (nx != NULL && h->regdom_ns != NULL &&
	    h->regdom_ns->outcome == SC_DNS_NXDOMAIN) {
		/* "Does not exist" only from a resolver that proves it. */
		if (!sc_resolver_believe_nx(dom, h->regdom_ns, out))
			return;
		sc_hits_add(out, "ns.dangling", "nameserver %s of %s lies in "
		            "%s, a registrable domain that does not exist: "
		            "whoever registers %s answers for the zone, its MX "
		            "records, and so its mail", h->name, who, h->regdom,
		            h->regdom);
		return;
	}
	if (nx != NULL && h->regdom_ns != NULL && failed(h->regdom_ns)) {
		sc_hits_dns_unverified(out, dom, "nameserver %s of %s does not "
		    "exist, and the NS lookup of its registrable domain %s "
		    "failed (%s)", h->name, who, h->regdom,
		    outcome_of(h->regdom_ns));
		return;
	}
	sc_hits_add(out, "ns.unresolvable", "nameserver %s of %s has no "
	            "address (A: %s, AAAA: %s): resolvers cannot ask it, and "
	            "the zone rests on its other nameservers", h->name, who,
	            outcome_of(h->a), outcome_of(h->aaaa));
}

/* An answer that counts against the server whatever the others did. */
static int
definitely_lame(const struct sc_nsq_result *r)
{
	enum sc_nsq_outcome o = r->outcome;

	return !r->cut && (o == SC_NSQ_REFUSED || o == SC_NSQ_SERVFAIL ||
	                   o == SC_NSQ_NOT_AUTH || o == SC_NSQ_RCODE ||
	                   o == SC_NSQ_BADREPLY);
}

/* No answer after every try: lame only when another nameserver of the
 * zone answered over the same address family (our IPv6 path may be the
 * one that is broken). */
static int
silent(const struct sc_nsq_result *r)
{
	return !r->cut && (r->outcome == SC_NSQ_TIMEOUT ||
	                   r->outcome == SC_NSQ_UNREACHABLE);
}

#define FAM_V4 1
#define FAM_V6 2

static int
family(const char *addr)
{
	return strchr(addr, ':') != NULL ? FAM_V6 : FAM_V4;
}

static const char *
unknown_why(const struct sc_ns_addr *a)
{
	return a->res.outcome == SC_NSQ_PENDING ? "no answer before the "
	       "check's deadline" : a->res.why;
}

/* The families over which any address of any nameserver of zone z
 * answered a question (FAM_V4 | FAM_V6), 0 for none. */
static int
zone_answered(const struct sc_ns_state *st, const struct sc_ns_zone *z)
{
	const struct sc_ns_host *h;
	size_t i;
	int fam = 0;

	for (h = st->hosts; h != NULL; h = h->next)
		for (i = 0; h->zone == z && i < h->naddr; i++)
			if (h->addr[i].queried &&
			    sc_nsq_answered(h->addr[i].res.outcome))
				fam |= family(h->addr[i].addr);
	return fam;
}

/* Append "ADDR: WHY" (or "ADDR WHY" where why is an answer) to detail. */
static void
add_why(char *detail, size_t size, size_t *len, const char *addr,
        const char *sep, const char *why)
{
	if (*len < size)
		*len += (size_t)snprintf(detail + *len, size - *len, "%s%s%s%s",
		                         *len > 0 ? "; " : "", addr, sep, why);
}

/* Did any nameserver address of the job, or of the run, answer with
 * authority? */
static int
someone_authoritative(const struct sc_domain *dom,
                      const struct sc_ns_state *st)
{
	const struct sc_ns_host *h;
	size_t i;

	for (h = st->hosts; h != NULL; h = h->next)
		for (i = 0; i < h->naddr; i++)
			if (h->addr[i].queried &&
			    h->addr[i].res.outcome == SC_NSQ_AUTH)
				return 1;
	return sc_nsq_authoritative(sc_check_ctx(dom->ctx,
	                                         &sc_check_ns)) > 0;
}

/* One nameserver, whose zone answered over the families in answered.
 * Lame answers are believed only when some server of the run answered
 * with authority (believed): a proxy on our path that answers in every
 * server's place makes all of them look lame. */
static void
assess_lame(const struct sc_ns_state *st, const struct sc_ns_host *h,
            const char *who, int answered, int believed, struct sc_hits *out)
{
	char lame[600], quiet[600], unsure[600];
	size_t i, nlame = 0, nquiet = 0, nunsure = 0;
	int auth = 0;

	lame[0] = quiet[0] = unsure[0] = '\0';
	for (i = 0; i < h->naddr; i++) {
		const struct sc_ns_addr *a = &h->addr[i];

		if (!a->queried)
			continue;
		if (a->res.outcome == SC_NSQ_AUTH)
			auth = 1;
		else if (definitely_lame(&a->res) && believed)
			add_why(lame, sizeof(lame), &nlame, a->addr, " ",
			        a->res.why);
		else if (silent(&a->res) && (answered & family(a->addr)))
			add_why(quiet, sizeof(quiet), &nquiet, a->addr, ": ",
			        a->res.why);
		else /* still in line or under way at the deadline, cut
		      * short, not sent from here, or not believed */
			add_why(unsure, sizeof(unsure), &nunsure, a->addr, ": ",
			        definitely_lame(&a->res)
			        ? "answered, but no nameserver of this run "
			          "answered with authority: something on this "
			          "network may answer in their place"
			        : unknown_why(a));
	}
	if (nlame > 0 || (!auth && nquiet > 0 && nunsure == 0)) {
		sc_hits_add(out, "ns.lame", "nameserver %s of %s does not answer "
		            "for the zone with authority (asked \"%s SOA\" on "
		            "port %u without recursion): %s%s", h->name, who,
		            sc_ns_zone_apex(h->zone), st->port,
		            nlame > 0 ? lame : quiet,
		            nlame > 0 ? "" : ", while other nameservers of the "
		                             "zone answered");
		return;
	}
	/* Neither seen to serve the zone nor seen not to: the verdict cannot
	 * rest on it (the zone's silence as a whole is assess_silence's). */
	if (!auth && nunsure > 0 && answered)
		sc_hits_add_missing(out, "ns.unverified", "nameserver %s of %s "
		    "could not be judged (asked \"%s SOA\" on port %u without "
		    "recursion): %s, so whether it answers for the zone is "
		    "unknown", h->name, who, sc_ns_zone_apex(h->zone), st->port,
		    unsure);
}

/* No question to the zone's nameservers got an answer that counts:
 * none at all, or only answers not believed (no server of the run
 * answered with authority). */
static void
assess_silence(const struct sc_ns_state *st, const struct sc_ns_zone *z,
               const char *who, struct sc_hits *out)
{
	const struct sc_ns_host *h;
	char why[200] = "";
	size_t i, n = 0, heard = 0;

	for (h = st->hosts; h != NULL; h = h->next)
		for (i = 0; h->zone == z && i < h->naddr; i++) {
			if (!h->addr[i].queried)
				continue;
			heard += sc_nsq_answered(h->addr[i].res.outcome);
			if (n++ == 0)
				snprintf(why, sizeof(why), "%s at %s: %s", h->name,
				         h->addr[i].addr, unknown_why(&h->addr[i]));
		}
	if (heard > 0)
		sc_hits_add_missing(out, "ns.unverified", "no nameserver of "
		    "this run answered a direct question with authority, and "
		    "the answers from the nameservers of %s on port %u (%s) "
		    "may come from something on this network that answers in "
		    "their place, so whether they answer for the zone is "
		    "unknown", who, st->port, why);
	else if (n == 1)
		sc_hits_add_missing(out, "ns.unverified", "the one nameserver "
		    "address of %s asked did not answer a direct question on "
		    "port %u (%s), so whether it answers for the zone is "
		    "unknown", who, st->port, why);
	else if (n > 1)
		sc_hits_add_missing(out, "ns.unverified", "none of the %zu "
		    "nameserver addresses of %s answered a direct question on "
		    "port %u (%s), so whether they answer for the zone is "
		    "unknown", n, who, st->port, why);
}

static void
ns_assess(const struct sc_domain *dom, struct sc_hits *out)
{
	const struct sc_ns_state *st = sc_check_state_get(dom, &sc_check_ns);
	const struct sc_ns_zone *z;
	const struct sc_ns_host *h;
	char who[400];
	int answered, believed;

	/* Also for a domain that takes no mail (a null MX): whoever answers
	 * for its zone can publish MX records of their own. */
	if (st == NULL)
		return;
	believed = someone_authoritative(dom, st);
	for (z = st->zones; z != NULL; z = z->next) {
		if (zone_known(dom, z, out) != 1)
			continue;
		whose(dom, z, who, sizeof(who));
		/* Unbelieved answers prove no working path either. */
		answered = believed ? zone_answered(st, z) : 0;
		for (h = st->hosts; h != NULL; h = h->next) {
			if (h->zone != z)
				continue;
			if (failed(h->a) || failed(h->aaaa)) {
				if (!resolved(h->a) && !resolved(h->aaaa))
					sc_hits_dns_unverified(out, dom,
					    "the address lookups of nameserver "
					    "%s of %s failed (A: %s, AAAA: %s)",
					    h->name, who, outcome_of(h->a),
					    outcome_of(h->aaaa));
				else
					assess_lame(st, h, who, answered, believed,
					            out);
			} else if (!resolved(h->a) && !resolved(h->aaaa)) {
				assess_missing_host(dom, h, who, out);
			} else {
				assess_lame(st, h, who, answered, believed,
				            out);
			}
		}
		if (!answered)
			assess_silence(st, z, who, out);
	}
}

/* ---- what the check saw ------------------------------------------------- */

/* believed: as in assess_lame(); a refusal not believed is no "lame". */
static const char *
host_status(const struct sc_ns_host *h, int believed)
{
	size_t i;
	int auth = 0, lame = 0, asked = 0;

	if (!resolved(h->a) && !resolved(h->aaaa))
		return failed(h->a) || failed(h->aaaa) ? "unverified"
		       : h->regdom_ns != NULL &&
		         h->regdom_ns->outcome == SC_DNS_NXDOMAIN ? "dangling"
		       : "unresolvable";
	for (i = 0; i < h->naddr; i++) {
		if (!h->addr[i].queried)
			continue;
		asked = 1;
		auth |= h->addr[i].res.outcome == SC_NSQ_AUTH;
		lame |= definitely_lame(&h->addr[i].res) && believed;
	}
	return lame ? "lame" : auth ? "authoritative"
	       : asked ? "no_answer" : "not_asked";
}

static void
describe_host(struct sc_jw *out, const struct sc_ns_host *h, int believed)
{
	size_t i;

	sc_jw_lit(out, "{");
	sc_jw_key(out, "host");
	sc_jw_cstr(out, h->name);
	sc_jw_key(out, "status");
	sc_jw_cstr(out, host_status(h, believed));
	sc_jw_key(out, "addresses");
	sc_jw_lit(out, "[");
	for (i = 0; i < h->naddr; i++) {
		sc_jw_elem(out);
		sc_jw_lit(out, "{");
		sc_jw_key(out, "address");
		sc_jw_cstr(out, h->addr[i].addr);
		sc_jw_key(out, "answer");
		sc_jw_cstr(out, h->addr[i].queried
		           ? sc_nsq_outcome_str(h->addr[i].res.outcome)
		           : "not_asked");
		sc_jw_key(out, "tcp");
		sc_jw_bool(out, h->addr[i].res.tcp);
		sc_jw_lit(out, "}");
	}
	sc_jw_lit(out, "]}");
}

static void
ns_describe(const struct sc_domain *dom, struct sc_jw *out)
{
	const struct sc_ns_state *st = sc_check_state_get(dom, &sc_check_ns);
	const struct sc_ns_zone *z;
	const struct sc_ns_host *h;
	int believed = st != NULL && someone_authoritative(dom, st);

	sc_jw_lit(out, "{");
	sc_jw_key(out, "port");
	sc_jw_int(out, st != NULL ? st->port : dom->ctx->ns_port);
	sc_jw_key(out, "zones");
	sc_jw_lit(out, "[");
	for (z = st != NULL ? st->zones : NULL; z != NULL; z = z->next) {
		sc_jw_elem(out);
		sc_jw_lit(out, "{");
		sc_jw_key(out, "zone");
		sc_jw_cstr(out, sc_ns_zone_apex(z));
		sc_jw_key(out, "mx_host");
		sc_jw_cstr(out, z->mx);
		sc_jw_key(out, "alias");
		sc_jw_cstr(out, z->alias);
		sc_jw_key(out, "nameservers");
		sc_jw_lit(out, "[");
		for (h = st->hosts; h != NULL; h = h->next) {
			if (h->zone != z)
				continue;
			sc_jw_elem(out);
			describe_host(out, h, believed);
		}
		sc_jw_lit(out, "]}");
	}
	sc_jw_lit(out, "]}");
}

static const char *const ns_ids[] = {
	"ns.dangling", "ns.lame", "ns.unresolvable", "ns.unverified",
	"dns.unverified", "dns.resolver_untrusted", NULL
};

const struct sc_check sc_check_ns = {
	.name = "ns",
	.ids = ns_ids,
	.ctx_free = ns_ctx_free,
	.notice = ns_notice,
	.start = ns_start,
	.assess = ns_assess,
	.describe = ns_describe,
	.clear = ns_clear,
};
