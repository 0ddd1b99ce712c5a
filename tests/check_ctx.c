/*
 * The public API: arguments, errors, ownership, and out-of-memory walks
 * over a whole check.  No network: an invalid address never reaches DNS,
 * and a resolver that refuses answers at once.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "scorer.h"
#include "testutil.h"

static sc_ctx_t *
new_ctx(void)
{
	sc_ctx_t *ctx = NULL;

	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	return ctx;
}

START_TEST(test_null_arguments)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = (sc_report_t *)1;
	const sc_finding_t *rule;
	char *js;

	ck_assert_int_eq(sc_ctx_new(NULL), SC_EINVAL);
	ck_assert_int_eq(sc_check(NULL, "a@b.example", &rep), SC_EINVAL);
	ck_assert_int_eq(sc_check(ctx, NULL, &rep), SC_EINVAL);
	ck_assert_ptr_null(rep);
	ck_assert_int_eq(sc_check(ctx, "a@b.example", NULL), SC_EINVAL);
	ck_assert_int_eq(sc_check_async(ctx, NULL, NULL, NULL), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, NULL), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, ""), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_add_resolver(ctx, "1.2.3.4,5.6.7.8"),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, NULL), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 0), SC_EINVAL);
	ck_assert_int_eq(sc_rule_lookup(ctx, NULL, &rule), SC_EINVAL);
	ck_assert_int_eq(sc_report_json(NULL, &js), SC_EINVAL);
	ck_assert_int_eq(sc_perform(NULL, 0, NULL), SC_EINVAL);
	ck_assert_ptr_null(sc_report_finding(NULL, 0));
	ck_assert_int_eq(sc_report_finding_count(NULL), 0);
	sc_report_free(NULL);
	sc_ctx_free(NULL);
	sc_ctx_free(ctx);
}
END_TEST

/* sc_ctx_add_resolver() checks the syntax at once (the header promises
 * SC_EINVAL), rather than letting every check fail later; each refusal
 * says what is wrong. */
START_TEST(test_resolver_syntax)
{
	static const struct {
		const char *server, *why;
	} bad[] = {
		{ "garbage", "not an IP address" },
		{ "localhost:6128", "'localhost' is not an IP address" },
		{ "127.0.0.1:abc", "port 'abc'" },
		{ "[::1", "without its ']'" },
		{ "127.0.0.1:99999", "port '99999'" },
		{ "127.0.0.1:0", "port '0'" },
		{ "127.0.0.1:", "port ''" },
		{ "127.0.0.1:-53", "port '-53'" },
		{ "1.2.3", "not an IP address" },
		{ "[::1]x", "after ']'" },
		{ "[::1]:", "after ']'" },
		{ "[192.0.2.1]:53", "not an IPv6 address" },
		{ "2001:db8::1:x", "not an IPv6 address" },
		{ "a b", "one address a call" },
	};
	static const char *const good[] = {
		"127.0.0.1", "127.0.0.1:53", "192.0.2.1:65535", "::1",
		"[::1]", "[2001:db8::1]:5353",
	};
	sc_ctx_t *ctx = new_ctx();
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(bad); i++) {
		ck_assert_msg(sc_ctx_add_resolver(ctx, bad[i].server) ==
		              SC_EINVAL, "'%s' accepted", bad[i].server);
		ck_assert_msg(strstr(sc_ctx_errmsg(ctx), bad[i].why) != NULL,
		              "'%s': '%s' does not say '%s'", bad[i].server,
		              sc_ctx_errmsg(ctx), bad[i].why);
	}
	for (i = 0; i < SC_ARRAY_LEN(good); i++)
		ck_assert_msg(sc_ctx_add_resolver(ctx, good[i]) == SC_OK,
		              "'%s' refused: %s", good[i], sc_ctx_errmsg(ctx));
	sc_ctx_free(ctx);
}
END_TEST

START_TEST(test_strings)
{
	ck_assert_str_eq(sc_strerror(SC_OK), "no error");
	ck_assert_str_eq(sc_strerror((sc_status_t)999), "unknown status");
	ck_assert_str_eq(sc_verdict_str(SC_VERDICT_INSECURE), "insecure");
	ck_assert_str_eq(sc_dns_outcome_str(SC_DNS_NXDOMAIN), "nxdomain");
	ck_assert_str_eq(sc_version(), SC_VERSION);
}
END_TEST

START_TEST(test_bad_rules_dir_keeps_old_rules)
{
	sc_ctx_t *ctx = new_ctx();
	const sc_finding_t *rule;

	ck_assert_int_ne(sc_ctx_set_rules_dir(ctx, "/nonexistent/rules"), SC_OK);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "/nonexistent/rules"));
	ck_assert_int_eq(sc_rule_lookup(ctx, "domain.nxdomain", &rule), SC_OK);
	ck_assert_str_eq(rule->id, "domain.nxdomain");
	ck_assert_int_eq(rule->severity, SC_SEV_CRITICAL);
	ck_assert_int_eq(sc_rule_lookup(ctx, "no.such", &rule), SC_ENOTFOUND);
	sc_ctx_free(ctx);
}
END_TEST

/* sc_rule_at() walks the rules in the order of findings.ini, each the
 * rule sc_rule_lookup() gives for its id, and stops with SC_ENOTFOUND. */
START_TEST(test_rule_at_lists_findings_ini)
{
	sc_ctx_t *ctx = new_ctx();
	const sc_finding_t *rule, *same;
	char path[1024], line[1024], first[128] = "";
	size_t i, sections = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/findings.ini", test_rules_dir());
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		if (line[0] == '[') {
			if (sections++ == 0)
				sscanf(line, "[%127[^]]", first);
		}
	fclose(fp);
	ck_assert_uint_gt(sections, 30);
	for (i = 0; sc_rule_at(ctx, i, &rule) == SC_OK; i++) {
		ck_assert_ptr_nonnull(rule);
		ck_assert_int_eq(sc_rule_lookup(ctx, rule->id, &same), SC_OK);
		ck_assert_ptr_eq(rule, same);
		if (i == 0)
			ck_assert_str_eq(rule->id, first);
	}
	ck_assert_uint_eq(i, sections);
	ck_assert_int_eq(sc_rule_at(ctx, i, &rule), SC_ENOTFOUND);
	ck_assert_ptr_null(rule);
	ck_assert_int_eq(sc_rule_at(ctx, (size_t)-1, &rule), SC_ENOTFOUND);
	ck_assert_int_eq(sc_rule_at(NULL, 0, &rule), SC_EINVAL);
	ck_assert_int_eq(sc_rule_at(ctx, 0, NULL), SC_EINVAL);
	sc_ctx_free(ctx);
}
END_TEST

/* Without sc_ctx_set_rules_dir(), the library takes $SCORER_RULES_DIR, as
 * the CLI does; an explicit directory wins over it. */
START_TEST(test_rules_dir_from_environment)
{
	sc_ctx_t *ctx = NULL;
	const sc_finding_t *rule;
	sc_report_t *rep = NULL;

	ck_assert_ptr_null(sc_ctx_rules_dir(NULL));
	ck_assert_int_eq(setenv("SCORER_RULES_DIR", test_rules_dir(), 1), 0);
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_str_eq(sc_ctx_rules_dir(ctx), test_rules_dir());
	ck_assert_int_eq(sc_rule_at(ctx, 0, &rule), SC_OK);
	/* the blocking call loads them as well */
	ck_assert_int_eq(sc_check(ctx, "not an address", &rep), SC_OK);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	sc_report_free(rep);
	sc_ctx_free(ctx);

	ck_assert_int_eq(setenv("SCORER_RULES_DIR", "/nonexistent/env-rules",
	                        1), 0);
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_str_eq(sc_ctx_rules_dir(ctx), "/nonexistent/env-rules");
	ck_assert_int_eq(sc_rule_at(ctx, 0, &rule), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx),
	                             "/nonexistent/env-rules"));
	ck_assert_int_eq(sc_rule_lookup(ctx, "mx.dangling", &rule), SC_ERULES);
	ck_assert_int_eq(sc_check(ctx, "a@b.example", &rep), SC_ERULES);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	ck_assert_str_eq(sc_ctx_rules_dir(ctx), test_rules_dir());
	ck_assert_int_eq(sc_rule_lookup(ctx, "mx.dangling", &rule), SC_OK);
	sc_ctx_free(ctx);
	ck_assert_int_eq(unsetenv("SCORER_RULES_DIR"), 0);

	/* Unset: a directory is chosen all the same (the installed rules or
	 * the build-time one), and kept. */
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_ptr_nonnull(sc_ctx_rules_dir(ctx));
	ck_assert_ptr_eq(sc_ctx_rules_dir(ctx), sc_ctx_rules_dir(ctx));
	sc_ctx_free(ctx);
}
END_TEST

/* Copy rules/findings.ini without the section of `drop`, and scoring.ini,
 * into a new directory under /tmp. */
static void
write_rules_without(char *dir, const char *drop)
{
	char path[512], line[1024], header[128];
	FILE *in, *out;
	int skipping = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(header, sizeof(header), "[%s]", drop);
	snprintf(path, sizeof(path), "%s/findings.ini", test_rules_dir());
	ck_assert_ptr_nonnull(in = fopen(path, "r"));
	snprintf(path, sizeof(path), "%s/findings.ini", dir);
	ck_assert_ptr_nonnull(out = fopen(path, "w"));
	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] == '[')
			skipping = strncmp(line, header, strlen(header)) == 0;
		if (!skipping)
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	snprintf(path, sizeof(path), "cp %s/scoring.ini %s/", test_rules_dir(),
	         dir);
	ck_assert_int_eq(system(path), 0);
}

/* A rules set without a rule for a finding the checks report would make
 * that finding silently harmless: it is refused, naming the id. */
START_TEST(test_rules_must_cover_every_finding)
{
	sc_ctx_t *ctx = NULL;
	char dir[] = "/tmp/scorer-rules-XXXXXX", cmd[64];

	write_rules_without(dir, "mx.dangling");
	ck_assert_int_eq(sc_ctx_new(&ctx), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, dir), SC_ERULES);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx),
	                             "no rule for 'mx.dangling'"));
	sc_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static void
assert_invalid(sc_report_t *rep)
{
	const sc_finding_t *f;
	char *js = NULL;

	ck_assert_ptr_nonnull(rep);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	ck_assert_int_eq(sc_report_finding_count(rep), 1);
	f = sc_report_finding(rep, 0);
	ck_assert_str_eq(f->id, "address.invalid");
	ck_assert_str_ne(f->detail, "");
	ck_assert_str_eq(sc_report_domain(rep), "");
	ck_assert_int_eq(sc_report_json(rep, &js), SC_OK);
	ck_assert_ptr_nonnull(strstr(js, "\"verdict\":\"error\""));
	sc_free(js);
}

/* sc_check_ex(): the options struct is sized by the caller and its flags
 * are known, or the call says why not; NULL options are sc_check(). */
START_TEST(test_check_ex_opts)
{
	sc_ctx_t *ctx = new_ctx();
	sc_check_opts_t o = { sizeof(o), SC_CHECK_ENROLLED, 1600000000LL };
	sc_report_t *rep = NULL;

	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_OK);
	assert_invalid(rep);
	sc_report_free(rep);
	rep = NULL;
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", NULL, &rep), SC_OK);
	assert_invalid(rep);
	sc_report_free(rep);
	o.flags = SC_CHECK_ENROLLED | 0x80u;
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "0x80"));
	/* A day needs the date it qualifies. */
	o.flags = SC_CHECK_ENROLLED | SC_CHECK_ENROLLED_DAY;
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_OK);
	sc_report_free(rep);
	rep = NULL;
	o.flags = SC_CHECK_ENROLLED_DAY;
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "without"));
	o.flags = SC_CHECK_ENROLLED;
	o.size = 0;
	ck_assert_int_eq(sc_check_async_ex(ctx, "a@b.example", &o, NULL, NULL),
	                 SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "size"));
	/* An older caller's struct, too small for enrolled: the flag it
	 * cannot have meant is refused. */
	o.size = offsetof(sc_check_opts_t, enrolled);
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_EINVAL);
	o.flags = 0;
	ck_assert_int_eq(sc_check_ex(ctx, "no-at-sign", &o, &rep), SC_OK);
	sc_report_free(rep);
	sc_ctx_free(ctx);
}
END_TEST

/* The options of the ns and rdap checks: checked at once, fixed by the
 * first check like the others. */
START_TEST(test_ns_rdap_options)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = NULL;

	ck_assert_int_eq(sc_ctx_set_ns_port(ctx, 0), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_ns_port(ctx, 65536), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_ns_port(ctx, 5353), SC_OK);
	ck_assert_int_eq(sc_ctx_set_ns_port(NULL, 53), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, 0), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, -1), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, 1001), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, 0.0 / 0.0), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, 0.5), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, ""), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, "/nonexistent/x.json"),
	                 SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, "/dev/zero"),
	                 SC_EINVAL);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "not a regular file"));
	/* The rules are loaded (new_ctx()): a file that is no bootstrap is
	 * refused now, naming it, and the context keeps its own. */
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, "/etc/hostname"),
	                 SC_ERULES);
	ck_assert_ptr_nonnull(strstr(sc_ctx_errmsg(ctx), "/etc/hostname"));
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, NULL), SC_OK);
	ck_assert_int_eq(sc_check(ctx, "no-at-sign", &rep), SC_OK);
	sc_report_free(rep);
	ck_assert_int_eq(sc_ctx_set_ns_port(ctx, 53), SC_EBUSY);
	ck_assert_int_eq(sc_ctx_set_rdap_rate(ctx, 2), SC_EBUSY);
	ck_assert_int_eq(sc_ctx_set_rdap_bootstrap(ctx, NULL), SC_EBUSY);
	sc_ctx_free(ctx);
}
END_TEST

START_TEST(test_invalid_address_report)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = NULL;

	ck_assert_int_eq(sc_check(ctx, "no-at-sign", &rep), SC_OK);
	assert_invalid(rep);
	ck_assert_str_eq(sc_report_address(rep), "no-at-sign");
	sc_report_free(rep);
	sc_ctx_free(ctx);
}
END_TEST

/* The report outlives its context, and the rules it was scored with
 * (replaced, then freed with the context): it keeps what it shows, the
 * rules' title, why and fix included (ASan tells a use after free). */
START_TEST(test_report_outlives_context)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = NULL;
	const sc_finding_t *f;

	ck_assert_int_eq(sc_check(ctx, "a@@b", &rep), SC_OK);
	ck_assert_int_eq(sc_ctx_set_rules_dir(ctx, test_rules_dir()), SC_OK);
	sc_ctx_free(ctx);
	assert_invalid(rep);
	f = sc_report_finding(rep, 0);
	ck_assert_uint_gt(strlen(f->title), 0);
	ck_assert_uint_gt(strlen(f->why), 0);
	ck_assert_uint_gt(strlen(f->fix), 0);
	sc_report_free(rep);
}
END_TEST

/* Invalid UTF-8 in the input must still give valid JSON. */
START_TEST(test_json_of_non_utf8_input)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = NULL;
	char *js = NULL;

	ck_assert_int_eq(sc_check(ctx, "\xff\xfe@example.com", &rep), SC_OK);
	assert_invalid(rep);
	ck_assert_int_eq(sc_report_json(rep, &js), SC_OK);
	ck_assert_ptr_nonnull(strstr(js, "\"address\":\"??@example.com\""));
	sc_free(js);
	sc_report_free(rep);
	sc_ctx_free(ctx);
}
END_TEST

/* A resolver that refuses (closed port on loopback): an answer at once,
 * and it is "could not verify", never "does not exist". */
START_TEST(test_refused_resolver_is_unverified)
{
	sc_ctx_t *ctx = new_ctx();
	sc_report_t *rep = NULL;
	size_t i;
	int unverified = 0;

	ck_assert_int_eq(sc_ctx_add_resolver(ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 3000), SC_OK);
	ck_assert_int_eq(sc_check(ctx, "user@example.com", &rep), SC_OK);
	ck_assert_int_eq(sc_report_verdict(rep), SC_VERDICT_ERROR);
	for (i = 0; i < sc_report_finding_count(rep); i++) {
		const sc_finding_t *f = sc_report_finding(rep, i);

		ck_assert_str_ne(f->id, "domain.nxdomain");
		unverified |= strcmp(f->id, "dns.unverified") == 0;
	}
	ck_assert(unverified);
	ck_assert_int_gt(sc_report_record_count(rep), 0);
	sc_report_free(rep);
	sc_ctx_free(ctx);
}
END_TEST

/* A bounded cache forgets the least recently used finished domains, and
 * a forgotten domain is looked up afresh. */
START_TEST(test_cache_is_bounded)
{
	static const char *const addr[] = { "a@one.example", "b@two.example",
	                                    "c@three.example", "d@four.example",
	                                    "e@one.example" };
	sc_ctx_t *ctx = new_ctx();
	sc_stats_t st = { .size = sizeof(st) };
	size_t i;

	ck_assert_int_eq(sc_ctx_add_resolver(ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_ctx_set_timeout_ms(ctx, 2000), SC_OK);
	ck_assert_int_eq(sc_ctx_set_cache_size(ctx, 0), SC_EINVAL);
	ck_assert_int_eq(sc_ctx_set_cache_size(ctx, 2), SC_OK);
	for (i = 0; i < SC_ARRAY_LEN(addr); i++) {
		sc_report_t *rep = NULL;

		ck_assert_int_eq(sc_check(ctx, addr[i], &rep), SC_OK);
		sc_report_free(rep);
		ck_assert_int_eq(sc_ctx_get_stats(ctx, &st), SC_OK);
		ck_assert_uint_le(st.domains_cached, 2);
	}
	ck_assert_uint_eq(st.addresses, 5);
	ck_assert_uint_eq(st.domain_misses, 5); /* one.example was forgotten */
	ck_assert_uint_eq(st.domain_hits, 0);
	ck_assert_uint_eq(st.evictions, 3);
	sc_ctx_free(ctx);
}
END_TEST

/* The stats struct may grow (its size member, as curl does): a caller
 * built against an older, smaller one gets what it knows and nothing is
 * written past it; one that did not say its size gets SC_EINVAL. */
START_TEST(test_stats_versioned)
{
	sc_ctx_t *ctx = new_ctx();
	union {
		sc_stats_t st;
		unsigned char bytes[sizeof(sc_stats_t) + 16];
	} u;
	size_t old = offsetof(sc_stats_t, domain_misses), i;

	memset(&u, 0xA5, sizeof(u));
	u.st.size = old;
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &u.st), SC_OK);
	ck_assert_uint_eq(u.st.size, old);
	ck_assert_uint_eq(u.st.addresses, 0);
	for (i = old; i < sizeof(u.bytes); i++)
		ck_assert_uint_eq(u.bytes[i], 0xA5);
	/* A newer caller: ours is all there is. */
	u.st.size = sizeof(u.bytes);
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &u.st), SC_OK);
	ck_assert_uint_eq(u.st.size, sizeof(sc_stats_t));
	ck_assert_uint_eq(u.st.evictions, 0);
	for (i = sizeof(sc_stats_t); i < sizeof(u.bytes); i++)
		ck_assert_uint_eq(u.bytes[i], 0xA5);
	u.st.size = 0;
	ck_assert_int_eq(sc_ctx_get_stats(ctx, &u.st), SC_EINVAL);
	sc_ctx_free(ctx);
}
END_TEST

struct counter {
	int calls;
	sc_status_t last;
};

static void
count_done(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct counter *c = ud;

	c->calls++;
	c->last = st;
	sc_report_free(rep);
}

/* Callbacks run from sc_perform(), never from sc_check_async(). */
START_TEST(test_async_callback_from_perform)
{
	sc_ctx_t *ctx = new_ctx();
	struct counter c = { 0, SC_OK };
	size_t running = 99;

	ck_assert_int_eq(sc_check_async(ctx, "bad", count_done, &c), SC_OK);
	ck_assert_int_eq(sc_check_async(ctx, "also bad", count_done, &c), SC_OK);
	ck_assert_int_eq(c.calls, 0);
	ck_assert_int_eq(sc_perform(ctx, -1, &running), SC_OK);
	ck_assert_int_eq(c.calls, 2);
	ck_assert_int_eq(running, 0);
	sc_ctx_free(ctx);
}
END_TEST

/* sc_ctx_free() from a completion callback: the context goes when the
 * call that ran the callback returns; the other checks ready or in flight
 * are dropped without their callbacks, and nothing is touched after it
 * is freed (ASan).  The first callback to run frees it. */
struct freer {
	sc_ctx_t *ctx;
	int calls;
};

static void
free_ctx_done(void *ud, sc_status_t st, sc_report_t *rep)
{
	struct freer *f = ud;

	(void)st;
	f->calls++;
	sc_report_free(rep);
	sc_ctx_free(f->ctx);
}

START_TEST(test_free_from_callback_in_perform)
{
	struct freer f = { new_ctx(), 0 };
	size_t running = 99;

	/* Two reports ready at once (invalid addresses) and one check that
	 * waits for a resolver that never answers. */
	ck_assert_int_eq(sc_ctx_add_resolver(f.ctx, "127.0.0.1:9"), SC_OK);
	ck_assert_int_eq(sc_check_async(f.ctx, "bad", free_ctx_done, &f),
	                 SC_OK);
	ck_assert_int_eq(sc_check_async(f.ctx, "also bad", free_ctx_done, &f),
	                 SC_OK);
	ck_assert_int_eq(sc_check_async(f.ctx, "a@example.com", free_ctx_done,
	                                &f), SC_OK);
	ck_assert_int_eq(sc_perform(f.ctx, -1, &running), SC_OK);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(running, 0);
}
END_TEST

/* The same from inside the blocking call: another check's callback frees
 * the context while sc_check() waits; sc_check() says SC_EBUSY, gives no
 * report, and the context is gone when it returns. */
START_TEST(test_free_from_callback_in_check)
{
	struct freer f = { new_ctx(), 0 };
	sc_report_t *rep = (sc_report_t *)1;

	ck_assert_int_eq(sc_check_async(f.ctx, "bad", free_ctx_done, &f),
	                 SC_OK);
	ck_assert_int_eq(sc_check(f.ctx, "also bad", &rep), SC_EBUSY);
	ck_assert_ptr_null(rep);
	ck_assert_int_eq(f.calls, 1);
}
END_TEST

/* Walk allocation failures over a whole check: each ends in SC_ENOMEM
 * or a complete report, never a crash or a leak (ASan checks that). */
START_TEST(test_out_of_memory_walk)
{
	unsigned long n;
	int done = 0;

	for (n = 1; n < 5000 && !done; n++) {
		sc_ctx_t *ctx = NULL;
		sc_report_t *rep = NULL;
		unsigned long used;
		sc_status_t st;

		sc_alloc_fail_at(n);
		st = sc_ctx_new(&ctx);
		if (st == SC_OK)
			st = sc_ctx_set_rules_dir(ctx, test_rules_dir());
		if (st == SC_OK)
			st = sc_check(ctx, "x@@y", &rep);
		used = sc_alloc_count();
		sc_alloc_fail_at(0);
		ck_assert_msg(st == SC_OK || st == SC_ENOMEM ||
		              st == SC_ERULES, "n=%lu: %d", n, st);
		if (st == SC_OK && used < n)
			done = 1; /* the failure point was never reached */
		sc_report_free(rep);
		sc_ctx_free(ctx);
	}
	ck_assert(done);
}
END_TEST

Suite *ctx_suite(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_null_arguments);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_resolver_syntax);
	tcase_add_test(tc, test_bad_rules_dir_keeps_old_rules);
	tcase_add_test(tc, test_rule_at_lists_findings_ini);
	tcase_add_test(tc, test_rules_dir_from_environment);
	tcase_add_test(tc, test_rules_must_cover_every_finding);
	tcase_add_test(tc, test_invalid_address_report);
	tcase_add_test(tc, test_check_ex_opts);
	tcase_add_test(tc, test_ns_rdap_options);
	tcase_add_test(tc, test_report_outlives_context);
	tcase_add_test(tc, test_json_of_non_utf8_input);
	tcase_add_test(tc, test_refused_resolver_is_unverified);
	tcase_add_test(tc, test_async_callback_from_perform);
	tcase_add_test(tc, test_free_from_callback_in_perform);
	tcase_add_test(tc, test_free_from_callback_in_check);
	tcase_add_test(tc, test_cache_is_bounded);
	tcase_add_test(tc, test_stats_versioned);
	tcase_add_test(tc, test_out_of_memory_walk);
	suite_add_tcase(s, tc);
	return s;
}
