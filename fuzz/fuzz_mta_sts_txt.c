/* The MTA-STS TXT record at _mta-sts.DOMAIN (RFC 8461 3.1). */
#include "fuzz.h"

#include "mta_sts_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_sts_txt t;
	char *in = fuzz_copy(data, size);

	memset(&t, 0, sizeof(t));
	switch (sc_sts_txt_parse(in, size, &t)) {
	case SC_STS_TXT_VALID:
		if (memchr(t.id, '\0', sizeof(t.id)) == NULL || t.id[0] == '\0')
			abort();
		break;
	case SC_STS_TXT_INVALID:
	case SC_STS_TXT_STRAY:
		if (memchr(t.why, '\0', sizeof(t.why)) == NULL)
			abort();
		break;
	default:
		break;
	}
	free(in);
	return 0;
}
