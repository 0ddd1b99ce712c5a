/* Our own handling of DNS answers (scorer/dns.c): a raw message judged
 * as the answer to a query of the type the first byte picks, through
 * c-ares' parsers and our TXT joining and MX/address/NS/PTR extraction
 * (via the test hook sc_dns_parse_answer_for_fuzz). */
#include "fuzz.h"

#include <arpa/nameser.h>

#include "dns.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { ns_t_mx, ns_t_a, ns_t_aaaa, ns_t_txt,
	                             ns_t_ns, ns_t_ptr, 52 /* TLSA */,
	                             ns_t_soa };
	struct sc_lookup lk;
	unsigned char *msg;
	size_t i;

	if (size < 1 || size > 65536)
		return 0;
	memset(&lk, 0, sizeof(lk));
	lk.qtype = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	msg = (unsigned char *)fuzz_copy(data + 1, size - 1);
	sc_dns_parse_answer_for_fuzz(&lk, msg, (int)(size - 1));
	if (lk.outcome == SC_DNS_OK && lk.n == 0)
		abort();
	if (lk.outcome != SC_DNS_OK && lk.n != 0)
		abort();
	for (i = 0; i < lk.n; i++)
		if (lk.rr[i].text == NULL || lk.rr[i].text[lk.rr[i].len] != '\0')
			abort();
	sc_lookup_free_data(&lk);
	free(msg);
	return 0;
}
