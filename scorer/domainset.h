/*
 * A set of domain names read from a data list in rules/ (one name a line,
 * '#' comments), matched against a domain and each of its parents, so that
 * "x.mailinator.com" matches the entry "mailinator.com".
 */
#ifndef SC_DOMAINSET_H
#define SC_DOMAINSET_H

#include <stddef.h>

#include "scorer.h"

struct sc_domainset;

/* Where a loaded set came from. */
enum sc_domainset_origin {
	SC_DOMAINSET_TEXT = 0,         /* the text list, parsed */
	SC_DOMAINSET_INDEX,            /* its compiled index, mapped */
	SC_DOMAINSET_TEXT_STALE_INDEX  /* the text: its index was stale or
	                                * damaged */
};

/* Load PATH into a new set (*out; free with sc_domainset_free()).  When
 * PATH ends in .txt and an index compiled from the text as it is now
 * lies beside it (NAME.idx, sc_domainset_compile()), the index is mapped
 * instead of the text parsed.  SC_EIO when the file cannot be read,
 * SC_ERULES on a malformed line (err names the file and the line),
 * SC_ENOMEM. */
sc_status_t sc_domainset_load(const char *path, struct sc_domainset **out,
                              char *err, size_t errlen);
/* Compile the text list at PATH into an index at OUT_PATH (written whole,
 * then renamed into place).  The same errors as sc_domainset_load(), and
 * SC_EIO when OUT_PATH cannot be written. */
sc_status_t sc_domainset_compile(const char *path, const char *out_path,
                                 char *err, size_t errlen);
enum sc_domainset_origin sc_domainset_origin(const struct sc_domainset *set);
/* An empty set, for building by hand (tests, built-in defaults). */
sc_status_t sc_domainset_new(struct sc_domainset **out);
/* SC_EINVAL for a set loaded from an index: it is read-only. */
sc_status_t sc_domainset_add(struct sc_domainset *set, const char *name);
void sc_domainset_free(struct sc_domainset *set);
size_t sc_domainset_count(const struct sc_domainset *set);

/* The entry that DOMAIN (A-label, lower case) or its nearest parent
 * matches, or NULL.  Borrowed from the set. */
const char *sc_domainset_match(const struct sc_domainset *set,
                               const char *domain);
/* Exact membership, no parent matching. */
int sc_domainset_contains(const struct sc_domainset *set, const char *name);

/* Call fn for every entry (order unspecified). */
void sc_domainset_foreach(const struct sc_domainset *set,
                          void (*fn)(const char *name, void *arg), void *arg);

#endif
