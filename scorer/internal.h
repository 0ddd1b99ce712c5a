/*
 * Shared internals of libscorer.  Nothing here is public API.
 *
 * Every allocation of the library goes through sc_malloc() and friends, so
 * that a test can make the Nth allocation fail (see alloc.c) and walk the
 * out-of-memory paths, as c-ares' SetAllocFail does.
 */
#ifndef SC_INTERNAL_H
#define SC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scorer.h"

void *sc_malloc(size_t n);
void *sc_calloc(size_t nmemb, size_t size);
void *sc_realloc(void *p, size_t n);
char *sc_strdup(const char *s);
char *sc_strndup(const char *s, size_t n);
/* sc_free() is public (scorer.h). */

/*
 * Test hook: fail the nth allocation from now on (1 = the next one); 0
 * switches failures off.  Counts per thread, so parallel tests do not
 * disturb each other.
 */
void sc_alloc_fail_at(unsigned long nth);
unsigned long sc_alloc_count(void);

#define SC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Reference counts of what reports share (report.h, json_write.h): atomic,
 * because a report may be freed on another thread than its siblings. */
static inline void
sc_ref_hold(unsigned long *refs)
{
	__atomic_add_fetch(refs, 1, __ATOMIC_RELAXED);
}

/* 1 when that was the last reference. */
static inline int
sc_ref_drop(unsigned long *refs)
{
	return __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL) == 0;
}

/* A struct the library filled (in, insize bytes, its first member the
 * size_t size) copied out to the caller's, whose first member says how
 * big the caller's is: as many bytes as both know (curl's way of letting a
 * struct grow).  SC_EINVAL when the caller did not set its size. */
static inline sc_status_t
sc_struct_out(void *out, void *in, size_t insize)
{
	size_t outsize = *(const size_t *)out;

	if (outsize < sizeof(size_t))
		return SC_EINVAL;
	if (outsize > insize)
		outsize = insize;
	*(size_t *)in = outsize;
	memcpy(out, in, outsize);
	return SC_OK;
}

/* s[0..len) for a finding's detail: printable ASCII ('?' for the rest:
 * DNS and HTTP data are the server's, not ours), at most 120 bytes and
 * "..." when cut; always NUL-terminated in buf[size]. */
void sc_printable(char *buf, size_t size, const char *s, size_t len);

/* Length of the UTF-8 sequence at s[0..left), 0 if it is not one (as
 * jansson's utf8_check_full: no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
size_t sc_utf8_len(const unsigned char *s, size_t left);

/* Make the NUL-terminated s safe to print on a terminal, in place: valid
 * UTF-8 without control characters (C0, DEL, C1); every other byte or
 * sequence becomes '?'.  Each string the library hands out that holds
 * bytes from the network (finding details, the interception line, SPF
 * explanations) goes through this: a TXT record must not be able to
 * retitle or clear the terminal of whoever reads the report. */
void sc_terminal_safe(char *s);

#endif /* SC_INTERNAL_H */
