/*
 * The version macros of the header a program compiles against agree with
 * the library it runs against (tests/abi/run.sh): SC_VERSION_NUM is
 * 0xXXYYZZ of sc_version(), and SC_VERSION is sc_version().
 */
#include <stdio.h>
#include <string.h>

#include <scorer.h>

int
main(void)
{
	unsigned major, minor, patch;
	long num;
	char tail;

	if (sscanf(sc_version(), "%u.%u.%u%c", &major, &minor, &patch,
	           &tail) != 3 || major > 255 || minor > 255 || patch > 255) {
		printf("sc_version() '%s' is not MAJOR.MINOR.PATCH\n",
		       sc_version());
		return 1;
	}
	num = (long)(major << 16 | minor << 8 | patch);
	if (num != SC_VERSION_NUM) {
		printf("SC_VERSION_NUM 0x%06lx, sc_version() %s (0x%06lx)\n",
		       (long)SC_VERSION_NUM, sc_version(), num);
		return 1;
	}
	if (strcmp(SC_VERSION, sc_version()) != 0) {
		printf("SC_VERSION %s, sc_version() %s\n", SC_VERSION,
		       sc_version());
		return 1;
	}
	printf("%s 0x%06lx\n", sc_version(), num);
	return 0;
}
