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

/* Load PATH into a new set (*out; free with sc_domainset_free()).
 * SC_EIO when the file cannot be read, SC_ERULES on a malformed line (err
 * names the file and the line), SC_ENOMEM. */
sc_status_t sc_domainset_load(const char *path, struct sc_domainset **out,
                              char *err, size_t errlen);
/* An empty set, for building by hand (tests, built-in defaults). */
sc_status_t sc_domainset_new(struct sc_domainset **out);
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
