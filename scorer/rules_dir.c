/*
 * Where the rules are when the caller names none: $SCORER_RULES_DIR, the
 * installed rules beside the library (or beside the program it is linked
 * into), or the directory `make` was configured with.
 *
 * The middle step is what makes an install right whatever PREFIX it is
 * given: `make && make install PREFIX=/opt/x` puts the library in
 * /opt/x/lib and the rules in /opt/x/share/scorer/rules, and the path
 * from one to the other does not depend on PREFIX, while the directory
 * compiled in does.  The Makefile passes that relative path (from LIBDIR
 * and from BINDIR) and rebuilds this file when it changes.
 */
#define _GNU_SOURCE /* dladdr1(), secure_getenv() */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"

#ifndef SC_DEFAULT_RULES_DIR
#define SC_DEFAULT_RULES_DIR "/usr/local/share/scorer/rules"
#endif
#ifndef SC_RULES_FROM_LIBDIR
#define SC_RULES_FROM_LIBDIR "../share/scorer/rules"
#endif
#ifndef SC_RULES_FROM_BINDIR
#define SC_RULES_FROM_BINDIR "../share/scorer/rules"
#endif

/* Any object of the library: its address says which file it came from. */
static const char here;

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The file the library's code was loaded from, into buf, and the path of
 * the rules relative to its directory.  0 when it cannot be told. */
static int
own_file(char *buf, size_t len, const char **rel)
{
#ifdef __GLIBC__ /* dladdr1() and link maps are GNU */
	struct link_map *map = NULL;
	Dl_info info;
	ssize_t n;

	if (dladdr1(&here, &info, (void **)&map, RTLD_DL_LINKMAP) == 0 ||
	    map == NULL || map->l_name == NULL)
		return 0;
	if (map->l_name[0] != '\0') {
		/* libscorer.so, as the dynamic linker found it */
		*rel = SC_RULES_FROM_LIBDIR;
		return (size_t)snprintf(buf, len, "%s", map->l_name) < len;
	}
	/* The main program (an empty name): libscorer.a linked in. */
	*rel = SC_RULES_FROM_BINDIR;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0 || (size_t)n >= len - 1)
		return 0;
	buf[n] = '\0';
	return 1;
#else
	(void)buf;
	(void)len;
	(void)rel;
	return 0;
#endif
}

const char *
sc_rules_default_dir(char *buf, size_t len)
{
	char file[PATH_MAX];
	const char *env, *rel = NULL;
	char *slash;

	/* Not for set-user-ID programs: the environment is the caller's. */
	env = secure_getenv("SCORER_RULES_DIR");
	if (env != NULL && *env != '\0')
		return env;
	if (own_file(file, sizeof(file), &rel) &&
	    (slash = strrchr(file, '/')) != NULL) {
		*slash = '\0';
		if ((size_t)snprintf(buf, len, "%s/%s", file, rel) < len &&
		    is_dir(buf))
			return buf;
	}
	return SC_DEFAULT_RULES_DIR;
}
