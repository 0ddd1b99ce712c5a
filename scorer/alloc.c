/*
 * The one place the library allocates.  A test can make the nth allocation
 * fail to prove that every out-of-memory path returns SC_ENOMEM cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static _Thread_local unsigned long fail_at;
static _Thread_local unsigned long count;

void
sc_alloc_fail_at(unsigned long nth)
{
	fail_at = nth;
	count = 0;
}

unsigned long
sc_alloc_count(void)
{
	return count;
}

static int
should_fail(void)
{
	count++;
	return fail_at != 0 && count == fail_at;
}

void *
sc_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *
sc_calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *
sc_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *
sc_strndup(const char *s, size_t n)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = sc_malloc(n + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
sc_strdup(const char *s)
{
	return s == NULL ? NULL : sc_strndup(s, strlen(s));
}

void
sc_free(void *p)
{
	free(p);
}

