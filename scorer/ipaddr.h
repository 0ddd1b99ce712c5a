/*
 * Address classes that matter for an MX: is it routable on the Internet?
 * RFC 6890 special-purpose registries, IPv4 and IPv6.
 */
#ifndef SC_IPADDR_H
#define SC_IPADDR_H

enum sc_ipclass {
	SC_IP_PUBLIC = 0,
	SC_IP_LOOPBACK,
	SC_IP_PRIVATE,     /* RFC 1918, ULA, shared CGN space */
	SC_IP_LINKLOCAL,
	SC_IP_RESERVED,    /* documentation, multicast, unspecified ... */
	SC_IP_INVALID      /* not an address */
};

/* Classify a textual IPv4 or IPv6 address. */
enum sc_ipclass sc_ip_classify(const char *text);
const char *sc_ipclass_str(enum sc_ipclass c);

#endif
