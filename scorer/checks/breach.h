/*
 * Check "breach": is the address in breach data?  Looked up in a local
 * corpus (corpus.h) and/or a k-anonymity range API, which is sent only
 * the first 6 hex digits of the hash and answers every suffix it knows
 * under that prefix; the suffixes are compared here.  docs/breach.md.
 */
#ifndef SC_BREACH_H
#define SC_BREACH_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "scorer.h"

#define SC_RANGE_PREFIX 3        /* bytes of the hash sent: 6 hex digits */
#define SC_RANGE_SUFFIX (SC_SHA1_LEN - SC_RANGE_PREFIX)
#define SC_RANGE_MAX_ENTRIES 200000

/* One suffix of a range answer. */
struct sc_range_entry {
	unsigned char suffix[SC_RANGE_SUFFIX];
	uint32_t count;              /* the text form's count, or the number
	                              * of websites of the JSON form */
	char *names;                 /* "Adobe, LinkedIn" (JSON form), or NULL */
};

struct sc_range {
	struct sc_range_entry *e;    /* sorted by suffix */
	size_t n;
};

/* Parse a range answer: the JSON of the Have I Been Pwned account range
 * search ([{"hashSuffix": "...", "websites": [...]}, ...]) or text lines
 * "SUFFIX[:COUNT]".  Anything else is garbage: SC_EINVAL and a reason in
 * err.  Pure; bounded by len and SC_RANGE_MAX_ENTRIES. */
sc_status_t sc_range_parse(const char *body, size_t len, struct sc_range *out,
                           char *err, size_t errlen);
void sc_range_clear(struct sc_range *r);
const struct sc_range_entry *sc_range_find(const struct sc_range *r,
                                           const unsigned char *suffix);

/* What the check found for one form of the address (as given, or its
 * provider-canonical form), kept in the request's state slot. */
enum sc_breach_api_state {
	SC_BAPI_NONE = 0,            /* no API configured */
	SC_BAPI_PENDING,
	SC_BAPI_FOUND,
	SC_BAPI_ABSENT,
	SC_BAPI_FAILED
};

struct sc_prefix;
struct sc_breach_req;

struct sc_breach_key {
	unsigned char hash[SC_SHA1_LEN];
	char *canonical;             /* the canonical form, NULL: as given */
	int local_found;
	uint32_t local_count;
	enum sc_breach_api_state api;
	const struct sc_range_entry *hit; /* FOUND: borrowed from the cache */
	const char *api_error;       /* FAILED: borrowed from the cache */

	/* waiting on a prefix fetch */
	struct sc_prefix *prefix;
	struct sc_breach_key *wnext;
	struct sc_breach_req *owner;
};

struct sc_breach_req {
	struct sc_req *req;
	struct sc_breach *b;         /* context-wide state, referenced */
	struct sc_breach_key key[2];
	int nkey;
	int used_corpus;
	const char *corpus_error;    /* the corpus could not be opened */
	const char *setup_error;     /* canonical.ini, URL ... */
};

/* The check's table entry (also in engine.h's list). */
extern const struct sc_check sc_check_breach;

#endif
