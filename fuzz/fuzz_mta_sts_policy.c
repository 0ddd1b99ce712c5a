/* The MTA-STS policy file (RFC 8461 3.2) as a hostile HTTPS server could
 * send it, then every mx pattern matched against a host (4.1), and the
 * Content-Type test.  A second part after "\n---\n" is the MX host. */
#include "fuzz.h"

#include "mta_sts_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_sts_policy pol;
	const uint8_t *b;
	size_t alen, blen, i;
	char why[SC_STS_WHY_LEN], *text, *host;

	fuzz_split(data, size, &alen, &b, &blen);
	text = fuzz_copy(data, alen);
	host = fuzz_cstr(b, blen);
	memset(&pol, 0, sizeof(pol));
	memset(why, 'x', sizeof(why));
	if (sc_sts_policy_parse(text, alen, &pol, why, sizeof(why)) == SC_OK) {
		if (pol.nmx > 0 && pol.mx == NULL)
			abort();
		for (i = 0; i < pol.nmx; i++) {
			(void)sc_sts_mx_match(pol.mx[i], host);
			(void)sc_sts_mx_match(pol.mx[i], "mail.example.com");
		}
		(void)sc_sts_mode_str(pol.mode);
	} else if (why[0] != 'x' && memchr(why, '\0', sizeof(why)) == NULL) {
		abort();
	}
	sc_sts_policy_clear(&pol);
	/* The whole input as a pattern and as a media type. */
	(void)sc_sts_mx_match(host, "mail.example.com");
	(void)sc_sts_media_type_ok(host);
	free(text);
	free(host);
	return 0;
}
