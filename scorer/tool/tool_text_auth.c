/*
 * The sender-authentication part of the text report: the SPF policy with
 * its include tree and lookup counts, and the DMARC policy that applies.
 * Read from the checks' JSON (sc_report_check_json()), as any program
 * using the library would.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "tool.h"

#define MAX_NODES 24 /* a tree for people, not the whole include bomb */

/* A string of a check's JSON for the terminal: it may quote the domain's
 * records, so its control characters (C0, DEL, and the C1 ones, U+0080 to
 * U+009F) become '?'.  (jansson hands out valid UTF-8 only; finding
 * details come from the library made safe already.)  NULL stays NULL. */
static const char *
safe(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	if (s == NULL)
		return NULL;
	for (; *s != '\0' && i + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] < 0xa0) {
			s++;
			c = '?';
		} else if (c < 0x20 || c == 0x7f) {
			c = '?';
		}
		buf[i++] = (char)c;
	}
	buf[i] = '\0';
	return buf;
}

static json_t *
check_json(const sc_report_t *rep, const char *name)
{
	char *text = NULL;
	json_t *j = NULL;

	if (sc_report_check_json(rep, name, &text) == SC_OK)
		j = json_loads(text, 0, NULL);
	sc_free(text);
	return j;
}

static void
print_tree(FILE *out, json_t *node, int depth, int *budget)
{
	json_t *children = json_object_get(node, "children"), *c;
	char vbuf[64], dbuf[300];
	const char *via = safe(json_string_value(json_object_get(node, "via")),
	                       vbuf, sizeof(vbuf));
	const char *dom = safe(json_string_value(json_object_get(node,
	                                                         "domain")),
	                       dbuf, sizeof(dbuf));
	size_t i;

	if ((*budget)-- <= 0)
		return;
	fprintf(out, "           %*s%s%s%s (%lld lookups)\n", depth * 2, "",
	        via ? via : "", via ? " " : "",
	        dom != NULL ? dom : "?",
	        (long long)json_integer_value(json_object_get(node, "lookups")));
	json_array_foreach(children, i, c) {
		if (*budget <= 0) {
			fprintf(out, "           %*s...\n", depth * 2 + 2, "");
			return;
		}
		print_tree(out, c, depth + 1, budget);
	}
}

static void
print_spf(FILE *out, json_t *spf)
{
	json_t *tree = json_object_get(spf, "tree");
	const char *rec = json_string_value(json_object_get(spf, "record"));
	const char *all = json_string_value(json_object_get(spf,
	                                                    "result_for_all"));
	long long n = json_integer_value(json_object_get(spf, "lookups"));
	int budget = MAX_NODES;

	if (rec == NULL)
		return;
	fprintf(out, "  SPF: a forger gets \"%s\"; %lld DNS lookup%s (limit 10), "
	        "%lld void (limit 2)\n", all ? all : "?", n, n == 1 ? "" : "s",
	        (long long)json_integer_value(json_object_get(spf,
	                                                      "void_lookups")));
	if (json_array_size(json_object_get(tree, "children")) > 0)
		print_tree(out, tree, 0, &budget);
}

static void
print_dmarc(FILE *out, json_t *dmarc)
{
	char pbuf[64], sbuf[64], abuf[300];
	const char *policy = safe(json_string_value(json_object_get(dmarc,
	                                                            "policy")),
	                          pbuf, sizeof(pbuf));
	const char *src = safe(json_string_value(json_object_get(dmarc,
	                                                         "policy_source")),
	                       sbuf, sizeof(sbuf));
	const char *at = safe(json_string_value(json_object_get(dmarc,
	                                                        "found_at")),
	                      abuf, sizeof(abuf));
	json_t *pct = json_object_get(dmarc, "pct");

	if (policy == NULL)
		return;
	fprintf(out, "  DMARC: policy %s (%s= at %s)", policy, src ? src : "p",
	        at ? at : "?");
	if (json_is_integer(pct) && json_integer_value(pct) < 100)
		fprintf(out, ", applied to %lld%% of mail",
		        (long long)json_integer_value(pct));
	fputc('\n', out);
}

void
tool_text_sender_auth(FILE *out, const sc_report_t *rep)
{
	json_t *spf = check_json(rep, "spf"), *dmarc = check_json(rep, "dmarc");

	if (spf != NULL)
		print_spf(out, spf);
	if (dmarc != NULL)
		print_dmarc(out, dmarc);
	json_decref(spf);
	json_decref(dmarc);
}
