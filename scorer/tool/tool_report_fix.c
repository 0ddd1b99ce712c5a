/*
 * scorer report: the record or server to change for a finding, in words,
 * for the table of domains to fix.  The fix itself is the rules' text;
 * this names where it goes, with the domain filled in.  A finding that
 * no change at the domain fixes (a disposable inbox, a lookalike, a
 * breached password) is for the users: they need another address.
 */
#include <string.h>

#include "tool_report.h"

static const struct {
	const char *id;       /* an id, or a prefix ending in '.' */
	const char *where;    /* with %s for the domain (up to twice) */
} places[] = {
	{ "domain.nxdomain", "the registration of %s (or the users' "
	                     "addresses)" },
	{ "domain.null_mx", "the MX records of %s (or the users' "
	                    "addresses)" },
	{ "domain.no_mail", "the MX records of %s (or the users' "
	                    "addresses)" },
	{ "domain.implicit_mx", "the MX records of %s" },
	{ "domain.unregistrable", "the users' recovery addresses" },
	/* The rdap check's findings may be about the domain of an MX host or
	 * nameserver; the detail says whose. */
	{ "domain.pending_delete", "the registration of %s, or of the "
	                           "MX or NS host's domain the detail names "
	                           "(renew it at the registrar)" },
	{ "domain.expiring", "the registration of %s, or of the MX or NS "
	                     "host's domain the detail names (renew it)" },
	{ "domain.renewal_due", "the registration of %s, or of the MX or NS "
	                        "host's domain the detail names (renew it)" },
	{ "domain.transfer_unlocked", "the registrar lock (client transfer "
	                              "prohibited) of %s" },
	{ "domain.recently_registered", "the users' recovery addresses, "
	                                "unless %s is theirs and new" },
	{ "domain.re_registered", "the users' recovery addresses (%s changed "
	                          "hands since they were enrolled)" },
	{ "rdap.unavailable", "nothing at %s: the registry's RDAP server "
	                      "could not be read from here" },
	{ "ns.unverified", "the resolver scorer asks (--resolver), or the "
	                   "name servers of %s" },
	{ "ns.", "the delegation of %s (its NS records at the registrar) and "
	         "the name servers it names" },
	{ "domain.disposable", "the users' recovery addresses" },
	{ "domain.lookalike", "the users' recovery addresses" },
	{ "address.", "the users' recovery addresses" },
	{ "breach.found", "the users' mailbox passwords, or their recovery "
	                  "addresses" },
	{ "breach.unverified", "the breach corpus or API scorer reads" },
	{ "mx.", "the MX records of %s (and their hosts' A/AAAA records)" },
	{ "dns.", "the resolver scorer asks (--resolver), or the name "
	          "servers of %s" },
	{ "spf.", "the SPF record (TXT) of %s" },
	{ "dmarc.", "the DMARC record (TXT) at _dmarc.%s" },
	{ "tlsrpt.", "the TLS-RPT record (TXT) at _smtp._tls.%s" },
	{ "mta_sts.policy_unavailable", "the web server mta-sts.%s (HTTPS, "
	                                "its certificate, the policy file)" },
	{ "mta_sts.unreachable", "the web server mta-sts.%s (reachable over "
	                         "HTTPS from the Internet)" },
	{ "mta_sts.mx_mismatch", "the mx lines of the MTA-STS policy of %s, "
	                         "or its MX records" },
	{ "mta_sts.", "the MTA-STS record (TXT) at _mta-sts.%s and the "
	              "policy file at mta-sts.%s" },
	{ "dane.", "the TLSA records of the MX hosts of %s" },
	{ "dnssec.", "DNSSEC for %s (signing, and the DS record at its "
	             "registrar)" },
	{ "interception.possible", "MTA-STS in mode enforce for %s (TXT at "
	                           "_mta-sts.%s and the policy file), or DANE" },
	{ "interception.", "the mail servers (MX hosts) of %s" },
	{ "starttls.", "the mail servers (MX hosts) of %s" },
	{ "tls.", "the certificates of the mail servers (MX hosts) of %s" },
};

const char *
report_where(char *buf, size_t len, const char *id, const char *domain)
{
	size_t i, n;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		n = strlen(places[i].id);
		if (places[i].id[n - 1] == '.' ? strncmp(id, places[i].id, n)
		                               : strcmp(id, places[i].id))
			continue;
		/* The format is ours; only the domain comes from the record,
		 * and it is escaped where the page writes the result. */
		snprintf(buf, len, places[i].where, domain, domain);
		return buf;
	}
	return "";
}
