/*
 * Text from the network made fit for a terminal (scorer/text.c), and the
 * places that use it: a finding's detail is printable whatever the
 * records it quotes held.
 */
#include <check.h>
#include <string.h>

#include "engine.h"
#include "internal.h"

START_TEST(test_terminal_safe_vectors)
{
	static const char *const v[][2] = {
		{ "plain text", "plain text" },
		{ "", "" },
		/* ESC ] 0 ; title BEL: retitles the window */
		{ "a\033]0;owned\007b", "a?]0;owned?b" },
		/* ESC [ 2 J: clears the screen; CR and LF and TAB too */
		{ "\033[2J\r\n\t", "?[2J???" },
		{ "del\177", "del?" },
		/* C1 controls: U+009B (CSI) and U+0085, as UTF-8 */
		{ "\302\233" "31m \302\205", "?31m ?" },
		/* a lone C1 byte, a stray continuation byte, a cut sequence */
		{ "\233x\200y\303", "?x?y?" },
		/* overlong forms, a surrogate, beyond U+10FFFF */
		{ "\300\257 \340\200\257 \355\240\200 \364\220\200\200",
		  "?? ??? ??? ????" },
		/* UTF-8 that is text stays: U+00A0, bücher, U+20AC, U+1F600 */
		{ "\302\240b\303\274cher \342\202\254 \360\237\230\200",
		  "\302\240b\303\274cher \342\202\254 \360\237\230\200" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(v); i++) {
		snprintf(buf, sizeof(buf), "%s", v[i][0]);
		sc_terminal_safe(buf);
		ck_assert_msg(strcmp(buf, v[i][1]) == 0, "vector %zu: '%s'", i,
		              buf);
	}
}
END_TEST

/* Every finding's detail goes through it: an SPF permerror quoting a
 * record with ESC and BEL gives a detail without them. */
START_TEST(test_hit_detail_is_safe)
{
	struct sc_hits hits;
	size_t i;

	memset(&hits, 0, sizeof(hits));
	sc_hits_add(&hits, "spf.invalid", "bad term '%s'",
	            "include:\033]0;pwned\007\033[2J.example");
	ck_assert_uint_eq(hits.n, 1);
	ck_assert_str_eq(hits.hit[0].detail,
	                 "bad term 'include:?]0;pwned??[2J.example'");
	for (i = 0; hits.hit[0].detail[i] != '\0'; i++)
		ck_assert_int_ge((unsigned char)hits.hit[0].detail[i], 0x20);
	sc_hits_clear(&hits);
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("terminal");

	tcase_add_test(tc, test_terminal_safe_vectors);
	tcase_add_test(tc, test_hit_detail_is_safe);
	suite_add_tcase(s, tc);
	return s;
}
