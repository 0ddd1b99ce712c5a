/* A nameserver's reply to "zone SOA?" (scorer/nsprobe.c), as any server
 * on the Internet could send it: the parser must stay inside the bytes
 * (compression pointers, labels, counts), and its judgement must agree
 * with what it read.  The first byte picks the zone asked. */
#include "fuzz.h"

#include "nsprobe.h"

static const char *const zones[] = {
	"example.com", "a.example", ".", "xn--bcher-kva.example", "com",
	"sub.example.co.uk", "EXAMPLE.COM.", "a\\.b.example",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *zone;
	struct sc_nsq_reply r;
	unsigned char *msg;
	enum sc_nsq_outcome o;

	if (size < 1)
		return 0;
	zone = zones[data[0] % (sizeof(zones) / sizeof(zones[0]))];
	msg = (unsigned char *)fuzz_copy(data + 1, size - 1);
	if (sc_nsq_parse_reply(msg, size - 1, zone, &r) == 0) {
		o = sc_nsq_judge(&r);
		if (o == SC_NSQ_AUTH && !(r.qr && r.aa && r.soa && r.question_ok &&
		                          r.rcode == 0))
			abort();
		if (!sc_nsq_answered(o))
			abort(); /* a parsed message is an answer of some kind */
		(void)sc_nsq_outcome_str(o);
	}
	free(msg);
	return 0;
}
