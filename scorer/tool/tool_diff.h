/* Two runs of scorer batch compared, user by user and domain by domain:
 * the engine of scorer diff and of scorer report --baseline
 * (tool_diff.c). */
#ifndef SC_TOOL_DIFF_H
#define SC_TOOL_DIFF_H

#include <stdint.h>
#include <stdio.h>

#include "tool_results.h"

/* What happened to a user or a domain between the runs. */
enum diff_kind {
	DIFF_SAME,         /* nothing that matters changed */
	DIFF_WORSE,        /* a new finding, a verdict or grade that fell */
	DIFF_BETTER,       /* a finding gone, a verdict or grade that rose */
	DIFF_UNASSESSED,   /* assessed before, could not be this time: the
	                    * last known verdict stands, "stale since" */
	DIFF_STILL_UNASSESSED, /* could not be assessed either time */
	DIFF_ADDED,        /* only in the new run */
	DIFF_REMOVED,      /* only in the old run */
	DIFF_NKIND
};

extern const char *const diff_kind_name[DIFF_NKIND];

struct diff;

/* A user's change: indices of finding ids (diff_id()) in the new record
 * and not the old, and the other way round; verified findings only. */
struct diff_user {
	enum diff_kind kind;
	int old_cls, new_cls;         /* RES_*; -1 when absent */
	const char *old_grade, *new_grade;  /* NULL: none */
	const char *stale_since;      /* the old record's time */
	const char *old_domain;
	uint16_t added[64], gone[64];
	size_t nadded, ngone;
};

/* A domain's change, after diff_finish(). */
struct diff_domain {
	const char *name;
	enum diff_kind kind;
	int old_cls, new_cls;         /* the domain's verdict: insecure when a
	                               * user is, else secure when a user is,
	                               * else error; -1 when absent */
	unsigned long old_users, new_users, old_insecure, new_insecure;
	const char *stale_since;      /* the latest old record's time */
	/* findings that appeared / went, with their users at the domain */
	uint16_t added[32], gone[32];
	unsigned long added_users[32], gone_users[32];
	size_t nadded, ngone;
};

struct diff_counts {
	unsigned long old_users, new_users, matched;
	unsigned long user[DIFF_NKIND];
	unsigned long domain[DIFF_NKIND];
	unsigned long old_bad, new_bad;      /* lines that are no record */
	unsigned long old_dups;              /* repeated users in the old run */
};

struct diff *diff_new(void);
void diff_free(struct diff *d);

/* Read the old run.  who: the start of messages ("scorer diff: FILE");
 * fallback_time: the time of records without "checked" (the file's
 * modification time).  -1 on a read error, a file that is no JSON Lines
 * or out of memory (message printed). */
int diff_load_old(struct diff *d, FILE *fp, const char *who,
                  const char *fallback_time);
/* One record of the new run, in its order: its change, in *u.  -1 out
 * of memory. */
int diff_add_new(struct diff *d, const struct result *r, struct diff_user *u);
void diff_add_new_bad(struct diff *d);
/* After the new run: the domains' changes, worse first and by users;
 * the removed users are counted.  -1 out of memory. */
int diff_finish(struct diff *d);
size_t diff_domain_count(const struct diff *d);
const struct diff_domain *diff_domain_get(const struct diff *d, size_t i);
const struct diff_counts *diff_counts(const struct diff *d);
/* The finding id and the severity (RES_SEV_*) of an index. */
const char *diff_id(const struct diff *d, uint16_t i);
int diff_id_sev(const struct diff *d, uint16_t i);
/* A user's change in words, for people: "secure -> insecure, grade A ->
 * D; new: x (high); gone: y (low)", or for one that could not be assessed
 * "could not be assessed; last known insecure (D), stale since T;
 * missing: dns.unverified".  The record's text as it is (escape it for
 * where it goes).  Free with free(); NULL out of memory. */
char *diff_user_text(const struct diff *d, const struct result *r,
                     const struct diff_user *u);
/* The i-th old user that has no record in the new run (its user string:
 * 'k' + key JSON or 'a' + address, see result_user()), after
 * diff_finish(); NULL past the last. */
const char *diff_removed(const struct diff *d, size_t i,
                         const char **domain);

#endif
