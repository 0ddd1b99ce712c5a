/* The SMTP reply reader (scorer/smtp.c) as the STARTTLS probe drives it:
 * bytes in arbitrary pieces (the first byte of the input sets the piece
 * size, as a server that sends one byte at a time or a large block),
 * reply after reply (banner, EHLO, STARTTLS), reset after each. */
#include "fuzz.h"

#include "smtp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_smtp_parser *p;
	size_t off, piece, used, i;
	char *in;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] + 1;
	in = fuzz_copy(data + 1, size - 1);
	size--;
	p = malloc(sizeof(*p));
	if (p == NULL)
		abort();
	sc_smtp_parser_init(p);
	for (off = 0; off < size;) {
		size_t n = size - off < piece ? size - off : piece;
		enum sc_smtp_status st = sc_smtp_parse(p, in + off, n, &used);

		if (used > n)
			abort();
		off += used;
		if (st == SC_SMTP_DONE) {
			const struct sc_smtp_reply *r = &p->reply;

			if (r->code < 200 || r->code > 599 || r->nline == 0 ||
			    r->nline > SC_SMTP_MAX_LINES)
				abort();
			for (i = 0; i < r->nline; i++)
				if (strlen(r->line[i]) > SC_SMTP_LINE_MAX)
					abort();
			(void)sc_smtp_has_ext(r, "STARTTLS");
			sc_smtp_parser_reset(p);
		} else if (st != SC_SMTP_MORE) {
			(void)sc_smtp_status_str(st);
			sc_smtp_parser_reset(p); /* the probe gives up here */
			break;
		} else if (used != n) {
			abort(); /* MORE must take everything */
		}
	}
	sc_smtp_parser_reset(p);
	free(p);
	free(in);
	return 0;
}
