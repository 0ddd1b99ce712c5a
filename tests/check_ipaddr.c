/* Address classes (RFC 6890). */
#include <check.h>

#include "internal.h"
#include "ipaddr.h"

static const struct {
	const char *addr;
	enum sc_ipclass cls;
} cases[] = {
	{ "8.8.8.8", SC_IP_PUBLIC },
	{ "1.1.1.1", SC_IP_PUBLIC },
	{ "2a00:1450:4001:829::201a", SC_IP_PUBLIC },
	{ "127.0.0.1", SC_IP_LOOPBACK },
	{ "127.255.1.2", SC_IP_LOOPBACK },
	{ "::1", SC_IP_LOOPBACK },
	{ "::ffff:127.0.0.1", SC_IP_LOOPBACK },
	{ "10.0.0.1", SC_IP_PRIVATE },
	{ "172.16.0.1", SC_IP_PRIVATE },
	{ "172.31.255.255", SC_IP_PRIVATE },
	{ "172.32.0.1", SC_IP_PUBLIC },
	{ "192.168.0.1", SC_IP_PRIVATE },
	{ "100.64.0.1", SC_IP_PRIVATE },
	{ "100.128.0.1", SC_IP_PUBLIC },
	{ "fd12:3456::1", SC_IP_PRIVATE },
	{ "169.254.0.1", SC_IP_LINKLOCAL },
	{ "fe80::1", SC_IP_LINKLOCAL },
	{ "0.0.0.0", SC_IP_RESERVED },
	{ "192.0.2.1", SC_IP_RESERVED },
	{ "198.51.100.1", SC_IP_RESERVED },
	{ "203.0.113.1", SC_IP_RESERVED },
	{ "224.0.0.1", SC_IP_RESERVED },
	{ "255.255.255.255", SC_IP_RESERVED },
	{ "::", SC_IP_RESERVED },
	{ "2001:db8::1", SC_IP_RESERVED },
	{ "ff02::1", SC_IP_RESERVED },
	{ "", SC_IP_INVALID },
	{ "mx.example.com", SC_IP_INVALID },
	{ "256.1.1.1", SC_IP_INVALID },
};

START_TEST(test_classify)
{
	ck_assert_msg(sc_ip_classify(cases[_i].addr) == cases[_i].cls,
	              "%s: got %s", cases[_i].addr,
	              sc_ipclass_str(sc_ip_classify(cases[_i].addr)));
}
END_TEST

Suite *ipaddr_suite(void)
{
	Suite *s = suite_create("ipaddr");
	TCase *tc = tcase_create("classify");

	tcase_add_loop_test(tc, test_classify, 0, (int)SC_ARRAY_LEN(cases));
	suite_add_tcase(s, tc);
	return s;
}
