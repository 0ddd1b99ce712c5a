/* Where the CLI finds its rules when --rules is not given. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* build/scorer -> rules/ of the source tree, so that the binary works
 * from the build tree without being installed. */
static int
beside_binary(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return 0;
	*slash = '\0';
	snprintf(buf, len, "%s/../rules", exe);
	return is_dir(buf);
}

/* Without --rules, the library's choice ($SCORER_RULES_DIR, the installed
 * rules wherever the prefix, the build-time directory); when none of
 * those exists, rules/ of the source tree for a binary run from build/. */
int
tool_use_rules(sc_ctx_t *ctx, const char *dir)
{
	char buf[PATH_MAX + 16];
	sc_status_t st;

	if (dir == NULL) {
		if ((dir = sc_ctx_rules_dir(ctx)) == NULL) {
			fputs("scorer: out of memory\n", stderr);
			return -1;
		}
		if (!is_dir(dir) && getenv("SCORER_RULES_DIR") == NULL &&
		    beside_binary(buf, sizeof(buf)))
			dir = buf;
	}
	st = sc_ctx_set_rules_dir(ctx, dir);
	if (st != SC_OK) {
		fprintf(stderr, "scorer: rules: %s\n",
		        *sc_ctx_errmsg(ctx) ? sc_ctx_errmsg(ctx) : sc_strerror(st));
		return -1;
	}
	return 0;
}
