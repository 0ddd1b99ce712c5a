/* TLSA records (scorer/tlsa_parse.c): a raw DNS answer, and the text
 * form dns.c stores and dane.c reads back. */
#include "fuzz.h"

#include "tlsa_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_tlsa rec[16], one;
	unsigned char buf[SC_TLSA_DATA_MAX];
	char *text = fuzz_copy(data, size);
	size_t n = 0, i;

	memset(&one, 0, sizeof(one));

	if (sc_tlsa_msg_parse(data, size, rec, 16, &n) == 0) {
		if (n > 16)
			abort();
		for (i = 0; i < n; i++)
			/* Borrowed data must lie inside the message. */
			if (rec[i].data < data || rec[i].len > size ||
			    rec[i].data + rec[i].len > data + size)
				abort();
	}
	if (sc_tlsa_text_parse(text, size, &one, buf, sizeof(buf)) == 0 &&
	    (one.len == 0 || one.len > sizeof(buf) || one.data != buf ||
	     one.usage > 255 || one.selector > 255 || one.mtype > 255))
		abort();
	(void)sc_tlsa_usage_str(one.usage);
	free(text);
	return 0;
}
