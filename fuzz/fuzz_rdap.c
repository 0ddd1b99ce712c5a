/* An RDAP answer for a domain (scorer/rdap_parse.c, RFC 9083), as a
 * registry, a hostile server or a redirect target could send it: any
 * bytes, any JSON.  Every field is optional; what is read must be
 * bounded and printable. */
#include "fuzz.h"

#include "rdap_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_rdap_domain rd;
	char why[256], date[32], *in = fuzz_copy(data, size);
	size_t i;

	if (sc_rdap_domain_parse(in, size, &rd, why, sizeof(why)) == SC_OK) {
		if (strlen(rd.ldh_name) >= sizeof(rd.ldh_name) ||
		    strlen(rd.statuses) >= sizeof(rd.statuses))
			abort();
		for (i = 0; rd.statuses[i] != '\0'; i++)
			if ((unsigned char)rd.statuses[i] < 0x20 ||
			    (unsigned char)rd.statuses[i] >= 0x7f)
				abort(); /* only printable text reaches a detail */
		/* Every date read formats, and reads back the same. */
		if (rd.has_expires) {
			long long back;

			sc_rfc3339_format(rd.expires, date, sizeof(date));
			if (rd.expires > -62135596800LL &&
			    rd.expires < 253402300800LL &&
			    (sc_rfc3339_parse(date, strlen(date), &back) != 0 ||
			     back != rd.expires))
				abort();
		}
	} else if (why[0] == '\0') {
		abort(); /* a refusal says why */
	}
	/* The same bytes as a date, and as rdap.ini. */
	{
		long long t;
		struct sc_rdap_limits l;
		char *s = fuzz_cstr(data, size);

		if (sc_rfc3339_parse(in, size, &t) == 0)
			sc_rfc3339_format(t, date, sizeof(date));
		if (sc_rdap_limits_parse(s, &l, why, sizeof(why)) == SC_OK &&
		    (l.expiring_days > 3650 || l.renewal_days > 3650 ||
		     l.recent_days > 3650 || l.renewal_days < l.expiring_days))
			abort();
		free(s);
	}
	free(in);
	return 0;
}
