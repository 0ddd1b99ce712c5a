/*
 * TLS through OpenSSL for the STARTTLS probe: the only file that talks to
 * OpenSSL for it (libcurl does its own for HTTPS, see http.c).
 *
 * The probe reports what a server offers, so the client accepts anything
 * a sender's MTA might meet, TLS 1.0 included, and completes the handshake
 * without verifying; the chain, its dates and the host name are judged
 * afterwards by sc_tls_inspect(), each separately, so that a report can
 * say "expired" and "wrong name" rather than just "handshake failed".
 */
#ifndef SC_TLS_H
#define SC_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "scorer.h"

/* Certificates of a chain described in a report (the DER chain itself
 * is kept whole for DANE). */
#define SC_TLS_MAX_CERTS 10

struct sc_tls {
	SSL_CTX *ssl_ctx;
	X509_STORE *store;        /* the system's anchors plus ca_file */
};

struct sc_tls_cert {
	char *subject;            /* RFC 2253 form */
	char *issuer;
	char not_before[24];      /* "2026-01-31T12:00:00Z" */
	char not_after[24];
	char sha256[65];          /* hex, lower case, of the DER */
};

/* What a completed handshake showed.  Owned by whoever holds it; freed
 * with sc_tls_result_clear(). */
struct sc_tls_result {
	int done;                 /* a handshake completed */
	char version[16];         /* "TLSv1.3" */
	int version_num;          /* TLS1_3_VERSION ... */
	char cipher[64];
	STACK_OF(X509) *chain;    /* as the server sent it, leaf first */
	struct sc_tls_cert cert[SC_TLS_MAX_CERTS];
	size_t ncert;
	int trusted;              /* chains to a trust anchor (dates aside) */
	int expired;              /* a certificate of the chain is past its end */
	int not_yet_valid;
	int self_signed;
	char verify_error[160];   /* OpenSSL's words for the first trust
	                           * error, "" when trusted */
};

enum sc_tls_step {
	SC_TLS_DONE = 0,
	SC_TLS_WANT_READ,
	SC_TLS_WANT_WRITE,
	SC_TLS_CLOSED,            /* the peer closed the connection */
	SC_TLS_FAILED
};

/* The largest --ca-file taken: a bundle of every public root is 250 KiB. */
#define SC_TLS_MAX_CA_FILE (16 << 20)

/* Is path a file of trust anchors that can be read: a regular file of at
 * most SC_TLS_MAX_CA_FILE bytes?  0, or -1 with err saying why (named). */
int sc_tls_ca_file_check(const char *path, char *err, size_t errlen);

/* Set up the client context.  ca_file (may be NULL) adds anchors to the
 * system's store, it does not replace it.  SC_EIO when ca_file cannot be
 * read (err says why), SC_ENOMEM. */
/* The trust anchors: the system's store plus ca_file (may be NULL).
 * Loading the system bundle costs milliseconds, so a context builds one
 * store and shares it (X509_STORE_up_ref) between the probe and libcurl.
 * SC_EIO with err when ca_file cannot be read; SC_ENOMEM. */
sc_status_t sc_tls_store_new(const char *ca_file, X509_STORE **out,
                             char *err, size_t errlen);

/* store: the context's trust anchors (a reference is taken). */
sc_status_t sc_tls_init(struct sc_tls *tls, X509_STORE *store, char *err,
                        size_t errlen);
void sc_tls_clear(struct sc_tls *tls);

/* A client connection over the connected, non-blocking fd, with SNI
 * name.  NULL when out of memory. */
SSL *sc_tls_connect(struct sc_tls *tls, int fd, const char *sni);

/* Free a connection (no close_notify: the probe has said QUIT). */
void sc_tls_free_conn(SSL *ssl);

/* Drive the handshake, or an SSL_write / SSL_read, one step; err gets
 * OpenSSL's words on SC_TLS_FAILED. */
enum sc_tls_step sc_tls_handshake(SSL *ssl, char *err, size_t errlen);
enum sc_tls_step sc_tls_write(SSL *ssl, const char *data, size_t len,
                              size_t *written);
enum sc_tls_step sc_tls_read(SSL *ssl, char *buf, size_t len, size_t *got);

/* Fill out from a completed handshake: version, cipher, the chain and
 * its verification against tls->store.  SC_ENOMEM or SC_OK. */
sc_status_t sc_tls_inspect(const struct sc_tls *tls, SSL *ssl,
                           struct sc_tls_result *out);

/* Does the leaf name host (RFC 6125 rules, as X509_check_host applies
 * them; a trailing dot is ignored)?  0 when there is no leaf. */
int sc_tls_name_matches(const struct sc_tls_result *r, const char *host);

void sc_tls_result_clear(struct sc_tls_result *r);

#endif
