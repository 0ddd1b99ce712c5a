/*
 * RFC 6890 (and its IANA registries) in two tables.  inet_pton does the
 * parsing; we only compare prefixes.
 */
#include <arpa/inet.h>
#include <string.h>

#include "internal.h"
#include "ipaddr.h"

struct range {
	unsigned char net[16];
	unsigned bits;
	enum sc_ipclass cls;
};

static const struct range v4[] = {
	{ { 0 }, 8, SC_IP_RESERVED },                  /* "this" network */
	{ { 10 }, 8, SC_IP_PRIVATE },
	{ { 100, 64 }, 10, SC_IP_PRIVATE },            /* shared CGN */
	{ { 127 }, 8, SC_IP_LOOPBACK },
	{ { 169, 254 }, 16, SC_IP_LINKLOCAL },
	{ { 172, 16 }, 12, SC_IP_PRIVATE },
	{ { 192, 0, 0 }, 24, SC_IP_RESERVED },
	{ { 192, 0, 2 }, 24, SC_IP_RESERVED },         /* TEST-NET-1 */
	{ { 192, 88, 99 }, 24, SC_IP_RESERVED },       /* 6to4 relay */
	{ { 192, 168 }, 16, SC_IP_PRIVATE },
	{ { 198, 18 }, 15, SC_IP_RESERVED },           /* benchmarking */
	{ { 198, 51, 100 }, 24, SC_IP_RESERVED },      /* TEST-NET-2 */
	{ { 203, 0, 113 }, 24, SC_IP_RESERVED },       /* TEST-NET-3 */
	{ { 224 }, 4, SC_IP_RESERVED },                /* multicast */
	{ { 240 }, 4, SC_IP_RESERVED },                /* and broadcast */
};

static const struct range v6[] = {
	{ { 0 }, 127, SC_IP_RESERVED },                /* :: and ::1 below */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128,
	  SC_IP_LOOPBACK },
	{ { 0x01 }, 64, SC_IP_RESERVED },              /* 100::/64 discard */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, SC_IP_RESERVED }, /* documentation */
	{ { 0xfc }, 7, SC_IP_PRIVATE },                /* ULA */
	{ { 0xfe, 0x80 }, 10, SC_IP_LINKLOCAL },
	{ { 0xff }, 8, SC_IP_RESERVED },               /* multicast */
};

static int
in_prefix(const unsigned char *a, const unsigned char *net, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ net[full]) & (0xff << (8 - rest))) == 0;
}

/* The most specific matching range wins (::1 inside ::/127). */
static enum sc_ipclass
lookup(const unsigned char *a, const struct range *r, size_t n)
{
	enum sc_ipclass cls = SC_IP_PUBLIC;
	unsigned best = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].bits >= best && in_prefix(a, r[i].net, r[i].bits)) {
			best = r[i].bits;
			cls = r[i].cls;
		}
	return cls;
}

enum sc_ipclass
sc_ip_classify(const char *text)
{
	unsigned char a[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                          0xff, 0xff };

	if (inet_pton(AF_INET, text, a) == 1)
		return lookup(a, v4, SC_ARRAY_LEN(v4));
	if (inet_pton(AF_INET6, text, a) == 1) {
		/* An IPv4-mapped address is the IPv4 address it maps. */
		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			return lookup(a + 12, v4, SC_ARRAY_LEN(v4));
		return lookup(a, v6, SC_ARRAY_LEN(v6));
	}
	return SC_IP_INVALID;
}

const char *
sc_ipclass_str(enum sc_ipclass c)
{
	switch (c) {
	case SC_IP_PUBLIC: return "public";
	case SC_IP_LOOPBACK: return "loopback";
	case SC_IP_PRIVATE: return "private";
	case SC_IP_LINKLOCAL: return "link-local";
	case SC_IP_RESERVED: return "reserved";
	case SC_IP_INVALID: return "invalid";
	}
	return "?";
}
