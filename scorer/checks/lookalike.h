/*
 * Lookalike detection: is a domain a typo or a confusable of a major mail
 * provider (gmial.com, gmai1.com, rnail.ru, gmail.co, outlook.cm ...)?
 * Pure: the provider list comes in as a domain set, prepared once.
 */
#ifndef SC_LOOKALIKE_H
#define SC_LOOKALIKE_H

#include <stddef.h>

#include "domainset.h"
#include "scorer.h"

/* The provider list prepared for matching (each name split once, grouped
 * by suffix).  Borrows the set, which must outlive it. */
struct sc_lookalike;
sc_status_t sc_lookalike_new(const struct sc_domainset *providers,
                             struct sc_lookalike **out);
void sc_lookalike_free(struct sc_lookalike *la);

/*
 * If DOMAIN (A-label, lower case) looks like, but is not, one of the
 * providers, return 1 and write the provider it imitates to `provider` and
 * a short reason ("one letter swapped", "digit 1 for letter l", "other top
 * level domain", "homograph") to `why`.  Return 0 when it is not a
 * lookalike (including when it is itself a provider).
 */
int sc_lookalike_match(const struct sc_lookalike *la,
                       const char *domain, char *provider, size_t plen,
                       char *why, size_t wlen);

#endif
