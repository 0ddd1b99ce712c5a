/*
 * compile_list: compile a domain list of rules/ (one name a line) into the
 * index that libscorer maps instead of parsing the text (domainset.c,
 * docs/lists.md).  Run by make and make install; the text stays the
 * source of truth, and an index that no longer matches its text is
 * detected and ignored at load time.
 *
 *   compile_list LIST.txt LIST.idx
 */
#include <stdio.h>

#include "domainset.h"

int
main(int argc, char **argv)
{
	char err[512];
	sc_status_t st;

	if (argc != 3) {
		fprintf(stderr, "usage: compile_list LIST.txt LIST.idx\n");
		return 2;
	}
	st = sc_domainset_compile(argv[1], argv[2], err, sizeof(err));
	if (st != SC_OK) {
		fprintf(stderr, "compile_list: %s\n",
		        err[0] != '\0' ? err : sc_strerror(st));
		return 1;
	}
	return 0;
}
