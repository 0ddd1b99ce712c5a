/*
 * The options `scorer check` and `scorer batch` share: what to ask, with
 * which rules, how long to wait, and the knobs for labs.  Each applies to
 * the context at once, except the rules, which need the whole command
 * line first (--rules may come after the others).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

const struct option tool_common_longopts[] = {
	{ "resolver", required_argument, NULL, TOOL_OPT_RESOLVER },
	{ "rules", required_argument, NULL, TOOL_OPT_RULES },
	{ "timeout", required_argument, NULL, TOOL_OPT_TIMEOUT },
	{ "allow-loopback", no_argument, NULL, TOOL_OPT_LOOPBACK },
	{ "smtp-port", required_argument, NULL, TOOL_OPT_SMTP_PORT },
	{ "https-port", required_argument, NULL, TOOL_OPT_HTTPS_PORT },
	{ "ns-port", required_argument, NULL, TOOL_OPT_NS_PORT },
	{ "rdap-bootstrap", required_argument, NULL, TOOL_OPT_RDAP_BOOTSTRAP },
	{ "rdap-rate", required_argument, NULL, TOOL_OPT_RDAP_RATE },
	{ "ca-file", required_argument, NULL, TOOL_OPT_CA_FILE },
	{ "breach-corpus", required_argument, NULL, TOOL_OPT_BREACH_CORPUS },
	{ "breach-api", required_argument, NULL, TOOL_OPT_BREACH_API },
	{ "breach-api-key", required_argument, NULL, TOOL_OPT_BREACH_KEY },
	{ "skip", required_argument, NULL, TOOL_OPT_SKIP },
	{ "cache-size", required_argument, NULL, TOOL_OPT_CACHE },
	{ "threat-model", required_argument, NULL, TOOL_OPT_THREAT },
	{ "mx-sessions", required_argument, NULL, TOOL_OPT_MX_SESSIONS },
	{ NULL, 0, NULL, 0 }
};

static const char common_help[] =
	"  -r, --resolver HOST[:PORT]  DNS resolver to ask, instead of\n"
	"                              /etc/resolv.conf (repeatable; [::1]:53)\n"
	"      --rules DIR             rules and lists to use (default: the\n"
	"                              installed ones, or $SCORER_RULES_DIR)\n"
	"  -t, --timeout SECONDS       longest time one domain may take (10)\n"
	"      --allow-loopback        MX hosts on loopback count (labs only)\n"
	"      --smtp-port N           SMTP port of the STARTTLS probe (25)\n"
	"      --mx-sessions N         STARTTLS sessions at once to one MX\n"
	"                              address, 1..32 (2)\n"
	"      --https-port N          HTTPS port of MTA-STS fetches (443)\n"
	"      --ns-port N             port of the questions to nameservers (53)\n"
	"      --rdap-bootstrap FILE   RDAP servers by TLD (RFC 9224; default:\n"
	"                              rdap-dns.json of the rules)\n"
	"      --rdap-rate N           RDAP requests a second per server (2)\n"
	"      --ca-file FILE          extra trust anchors (PEM)\n"
	"      --breach-corpus FILE    local breach corpus (text or index)\n"
	"      --breach-api URL        k-anonymity range API (URL/range/PREFIX)\n"
	"      --breach-api-key KEY    its key (or $SCORER_BREACH_API_KEY)\n"
	"      --cache-size N          domains whose results are kept (4000)\n"
	"      --threat-model MODEL    full: takeover and reading the mail on\n"
	"                              the way; remote: takeover only (full)\n"
	"      --skip CHECK,...        switch checks off (e.g. starttls,breach):\n";

/* The help of the common options; the names --skip takes come from the
 * library, which knows its checks ("domain" and "resolver" cannot be
 * skipped). */
void
tool_common_help(FILE *fp)
{
	const char *name;
	size_t i, col = 0;

	fputs(common_help, fp);
	for (i = 0; (name = sc_check_name(i)) != NULL; i++) {
		if (strcmp(name, "domain") == 0 ||
		    strcmp(name, "resolver") == 0)
			continue;
		if (col == 0 || col + strlen(name) + 2 > 76) {
			fprintf(fp, "%s%*s", col > 0 ? ",\n" : "", 30, "");
			col = 30;
		} else {
			fputs(", ", fp);
			col += 2;
		}
		fputs(name, fp);
		col += strlen(name);
	}
	fputc('\n', fp);
}

int
tool_usage_error(const char *cmd)
{
	fprintf(stderr, "Try 'scorer %s --help' for more information.\n", cmd);
	return TOOL_EXIT_ERROR;
}

/* Append the common options to a command's own, into out (caller frees). */
struct option *
tool_longopts(const struct option *own)
{
	size_t n = 0, m = 0;
	struct option *all;

	while (own[n].name != NULL)
		n++;
	while (tool_common_longopts[m].name != NULL)
		m++;
	all = calloc(n + m + 1, sizeof(*all));
	if (all == NULL)
		return NULL;
	memcpy(all, own, n * sizeof(*all));
	memcpy(all + n, tool_common_longopts, (m + 1) * sizeof(*all));
	return all;
}

static int
parse_timeout(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v > 0) || v > 3600)
		return -1;
	*out = v;
	return 0;
}

/* A TCP port, 1..65535. */
static int
parse_port(const char *arg, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end != '\0' || *arg == '-' || v == 0 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
fail(sc_ctx_t *ctx, const char *opt, const char *arg, sc_status_t st)
{
	const char *msg = sc_ctx_errmsg(ctx);

	fprintf(stderr, "scorer: --%s '%s': %s\n", opt, arg,
	        st == SC_OK ? "invalid value" : *msg ? msg : sc_strerror(st));
	return -1;
}

/* arg as a whole number in 1..max, else 0. */
static unsigned long
count_arg(const char *arg, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	return end == arg || *end != '\0' || *arg == '-' || v > max ? 0 : v;
}

static int
cache_size(sc_ctx_t *ctx, const char *arg)
{
	unsigned long v = count_arg(arg, 10000000);

	if (v == 0)
		return fail(ctx, "cache-size", arg, SC_OK);
	return sc_ctx_set_cache_size(ctx, v) == SC_OK
	       ? 0 : fail(ctx, "cache-size", arg, SC_EINVAL);
}

static int
mx_sessions(sc_ctx_t *ctx, const char *arg)
{
	unsigned long v = count_arg(arg, 32);

	if (v == 0)
		return fail(ctx, "mx-sessions", arg, SC_OK);
	return sc_ctx_set_mx_sessions(ctx, (unsigned)v) == SC_OK
	       ? 0 : fail(ctx, "mx-sessions", arg, SC_EINVAL);
}

static int
skip_list(sc_ctx_t *ctx, const char *list)
{
	char buf[512], *tok, *save = NULL;
	sc_status_t st;

	if (strlen(list) >= sizeof(buf))
		return fail(ctx, "skip", list, SC_EINVAL);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		if ((st = sc_ctx_skip_check(ctx, tok)) != SC_OK)
			return fail(ctx, "skip", tok, st);
	return 0;
}

static int
set_port(sc_ctx_t *ctx, const char *opt, const char *arg,
         sc_status_t (*setter)(sc_ctx_t *, unsigned))
{
	unsigned port;

	if (parse_port(arg, &port) != 0)
		return fail(ctx, opt, arg, SC_OK);
	return setter(ctx, port) == SC_OK ? 0 : fail(ctx, opt, arg, SC_EINVAL);
}

static int
check(sc_ctx_t *ctx, const char *opt, const char *arg, sc_status_t st)
{
	return st == SC_OK ? 0 : fail(ctx, opt, arg, st);
}

static int
threat_model(sc_ctx_t *ctx, const char *arg)
{
	sc_threat_model_t m;

	for (m = SC_THREAT_FULL; sc_threat_model_str(m) != NULL; m++)
		if (strcmp(arg, sc_threat_model_str(m)) == 0)
			return check(ctx, "threat-model", arg,
			             sc_ctx_set_threat_model(ctx, m));
	fprintf(stderr, "scorer: --threat-model '%s': unknown (full or "
	        "remote)\n", arg);
	return -1;
}

static int
rdap_rate(sc_ctx_t *ctx, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v > 0) || v > 1000)
		return fail(ctx, "rdap-rate", arg, SC_OK);
	return check(ctx, "rdap-rate", arg, sc_ctx_set_rdap_rate(ctx, v));
}

int
tool_parse_date(const char *s, long long *out, int *day)
{
	struct tm tm, back;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, n = 0;
	long long off = 0;
	time_t t;
	char sign, zone;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (s[n] != '\0') {
		int m = 0;

		if ((s[n] != 'T' && s[n] != 't') ||
		    sscanf(s + n + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 ||
		    m != 8)
			return -1;
		n += 1 + m;
		if (s[n] == '.')
			for (n++; s[n] >= '0' && s[n] <= '9'; n++)
				;
		zone = s[n];
		if (zone == 'Z' || zone == 'z') {
			n++;
		} else if (zone == '+' || zone == '-') {
			sign = zone;
			if (sscanf(s + n + 1, "%2d:%2d%n", &oh, &om, &m) != 2 ||
			    m != 5 || oh > 23 || om > 59)
				return -1;
			off = (oh * 60LL + om) * 60 * (sign == '+' ? -1 : 1);
			n += 6;
		} else {
			return -1;
		}
		if (s[n] != '\0')
			return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	back = tm;
	t = timegm(&tm);
	/* timegm() normalises 2024-02-30 to March: such a date is no date. */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday ||
	    tm.tm_mon != back.tm_mon || tm.tm_hour != back.tm_hour ||
	    tm.tm_min != back.tm_min || sec > 59)
		return -1;
	*out = (long long)t + off;
	if (day != NULL)
		*day = n == 10;
	return 0;
}

/* A CA file that cannot be read would fail every TLS check later, as
 * "input/output error": say which file, now. */
static int
ca_file(sc_ctx_t *ctx, const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "scorer: --ca-file: cannot read %s\n", path);
		return -1;
	}
	fclose(f);
	return check(ctx, "ca-file", path, sc_ctx_set_ca_file(ctx, path));
}

int
tool_common_opt(sc_ctx_t *ctx, struct tool_common *o, int c,
                const char *arg)
{
	switch (c) {
	case TOOL_OPT_RESOLVER:
		return check(ctx, "resolver", arg, sc_ctx_add_resolver(ctx, arg));
	case TOOL_OPT_RULES: o->rules = arg; return 0;
	case TOOL_OPT_TIMEOUT:
		if (parse_timeout(arg, &o->timeout) != 0)
			return fail(ctx, "timeout", arg, SC_OK);
		return check(ctx, "timeout", arg,
		             sc_ctx_set_timeout_ms(ctx,
		                                   (unsigned)(o->timeout * 1000)));
	case TOOL_OPT_LOOPBACK:
		return check(ctx, "allow-loopback", "",
		             sc_ctx_set_allow_loopback(ctx, 1));
	case TOOL_OPT_SMTP_PORT:
		return set_port(ctx, "smtp-port", arg, sc_ctx_set_smtp_port);
	case TOOL_OPT_HTTPS_PORT:
		return set_port(ctx, "https-port", arg, sc_ctx_set_https_port);
	case TOOL_OPT_NS_PORT:
		return set_port(ctx, "ns-port", arg, sc_ctx_set_ns_port);
	case TOOL_OPT_RDAP_BOOTSTRAP:
		return check(ctx, "rdap-bootstrap", arg,
		             sc_ctx_set_rdap_bootstrap(ctx, arg));
	case TOOL_OPT_RDAP_RATE:
		return rdap_rate(ctx, arg);
	case TOOL_OPT_CA_FILE:
		return ca_file(ctx, arg);
	case TOOL_OPT_BREACH_CORPUS:
		return check(ctx, "breach-corpus", arg,
		             sc_ctx_set_breach_corpus(ctx, arg));
	case TOOL_OPT_BREACH_API: o->breach_api = arg; return 0;
	case TOOL_OPT_BREACH_KEY: o->breach_api_key = arg; return 0;
	case TOOL_OPT_SKIP: return skip_list(ctx, arg);
	case TOOL_OPT_CACHE: return cache_size(ctx, arg);
	case TOOL_OPT_THREAT: return threat_model(ctx, arg);
	case TOOL_OPT_MX_SESSIONS: return mx_sessions(ctx, arg);
	default: return 1; /* not a common option */
	}
}

/* What needs the whole command line: the rules, and the API key, which
 * may come from the environment so that it stays out of `ps` and shell
 * history (--breach-api-key wins when both are given). */
int
tool_common_setup(sc_ctx_t *ctx, const struct tool_common *o)
{
	const char *key = o->breach_api_key;

	if (tool_use_rules(ctx, o->rules) != 0)
		return -1;
	if (key == NULL)
		key = getenv("SCORER_BREACH_API_KEY");
	if (o->breach_api != NULL &&
	    sc_ctx_set_breach_api(ctx, o->breach_api, key) != SC_OK)
		return fail(ctx, "breach-api", o->breach_api, SC_EINVAL);
	return 0;
}

int
tool_number(const char *cmd, const char *opt, const char *arg, size_t min,
            size_t max, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || *arg == '-' || v < min ||
	    v > max) {
		fprintf(stderr, "scorer %s: %s: a number from %zu to %zu, not "
		        "'%s'\n", cmd, opt, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}
