/* An RDAP bootstrap file (RFC 9224; scorer/rdap_parse.c), as
 * --rdap-bootstrap could give it: any bytes.  Read entries are sorted,
 * unique, https unless marked, and findable by their own label. */
#include <strings.h>

#include "fuzz.h"

#include "rdap_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_rdap_bootstrap b;
	char why[256], name[300], *in = fuzz_copy(data, size);
	size_t i;

	if (sc_rdap_bootstrap_parse(in, size, &b, why, sizeof(why)) == SC_OK) {
		for (i = 0; i < b.n; i++) {
			const struct sc_rdap_service *s = &b.svc[i];
			size_t ul = strlen(s->url);

			if (i > 0 && strcmp(b.svc[i - 1].label, s->label) >= 0)
				abort(); /* sorted, no label twice */
			/* (A scheme is case-insensitive, RFC 3986 3.1.) */
			if (ul == 0 || s->url[ul - 1] != '/' ||
			    strncasecmp(s->url, s->https ? "https://" : "http://",
			                s->https ? 8 : 7) != 0)
				abort();
			if (sc_rdap_bootstrap_find(&b, s->label) != s)
				abort();
			snprintf(name, sizeof(name), "x.%s", s->label);
			if (sc_rdap_bootstrap_find(&b, name) == NULL)
				abort(); /* a name below a label finds one */
		}
		(void)sc_rdap_bootstrap_find(&b, "example.com");
		sc_rdap_bootstrap_clear(&b);
	} else if (why[0] == '\0') {
		abort();
	}
	free(in);
	return 0;
}
