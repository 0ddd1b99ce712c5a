/* SPF macro strings (RFC 7208 7): the check of a domain-spec and its
 * expansion, with every macro letter given a value.  The first byte picks
 * domain-spec or explanation and the address family. */
#include "fuzz.h"

#include "spf_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0,
	                                       0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char ip4[4] = { 192, 0, 2, 3 };
	struct spf_macro_env env;
	char why[160], *spec, *out = NULL;
	int exp, domain;

	if (size < 1)
		return 0;
	exp = data[0] & 1;
	domain = !exp;
	memset(&env, 0, sizeof(env));
	env.sender = "strong-bad@email.example.com";
	env.local = "strong-bad";
	env.odomain = "email.example.com";
	env.domain = "email.example.com";
	env.family = data[0] & 2 ? 6 : 4;
	env.ip = env.family == 6 ? ip6 : ip4;
	env.ptr = data[0] & 4 ? "mx.example.org" : NULL;
	env.helo = "mx.example.org";
	env.receiver = data[0] & 8 ? "receiver.example.net" : NULL;
	env.now = 1700000000;
	spec = fuzz_cstr(data + 1, size - 1);
	/* The checker sees the bytes (NUL included); the expander only ever
	 * gets specs the checker accepted, as in spf.c. */
	if (sc_spf_check_spec(spec, size - 1, domain, exp, why, sizeof(why)) &&
	    strlen(spec) == size - 1) {
		(void)sc_spf_spec_uses_p(spec);
		if (sc_spf_expand(spec, &env, exp, &out) == SC_OK) {
			if (out == NULL)
				abort();
			/* 7.3: cut to 253 octets by whole labels; a single
			 * longer label cannot be cut, and is no valid name. */
			if (!exp && strlen(out) > 253 &&
			    (strchr(out, '.') != NULL ||
			     sc_spf_valid_name(out, 0)))
				abort();
			sc_free(out);
		}
	}
	/* And the expander on its own, as a defence in depth. */
	out = NULL;
	if (sc_spf_expand(spec, &env, exp, &out) == SC_OK)
		sc_free(out);
	free(spec);
	return 0;
}
