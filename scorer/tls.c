/*
 * The OpenSSL adapter of the STARTTLS probe (as curl's vtls/openssl.c is
 * for curl): context, non-blocking handshake, and the judgement of what
 * the server presented.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "tls.h"

/* OpenSSL's error queue is per thread and shared with libcurl: empty it
 * before each call, so that the words we report are about this call. */
static void
last_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();

	if (e != 0) {
		char buf[200];

		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "%s: %s", what, buf);
	} else {
		snprintf(err, errlen, "%s", what);
	}
	ERR_clear_error();
}

int
sc_tls_ca_file_check(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		snprintf(err, errlen, "%s: %s", path, S_ISDIR(sb.st_mode)
		         ? "is a directory" : "not a regular file");
	else if (sb.st_size > SC_TLS_MAX_CA_FILE)
		snprintf(err, errlen, "%s: larger than %d MiB: not a PEM file of "
		         "trust anchors", path, SC_TLS_MAX_CA_FILE >> 20);
	else
		return 0;
	return -1;
}

sc_status_t
sc_tls_store_new(const char *ca_file, X509_STORE **out, char *err,
                 size_t errlen)
{
	X509_STORE *store;

	ERR_clear_error();
	*out = NULL;
	/* OpenSSL would read a FIFO that never ends for ever. */
	if (ca_file != NULL && sc_tls_ca_file_check(ca_file, err, errlen) != 0)
		return SC_EIO;
	if ((store = X509_STORE_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SC_ENOMEM;
	}
	if (X509_STORE_set_default_paths(store) != 1)
		ERR_clear_error(); /* no system store: ca_file may still do */
	if (ca_file != NULL && X509_STORE_load_file(store, ca_file) != 1) {
		last_error(err, errlen, ca_file);
		X509_STORE_free(store);
		return SC_EIO;
	}
	*out = store;
	return SC_OK;
}

sc_status_t
sc_tls_init(struct sc_tls *tls, X509_STORE *store, char *err,
            size_t errlen)
{
	memset(tls, 0, sizeof(*tls));
	ERR_clear_error();
	tls->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (tls->ssl_ctx == NULL || X509_STORE_up_ref(store) != 1) {
		sc_tls_clear(tls);
		snprintf(err, errlen, "out of memory");
		return SC_ENOMEM;
	}
	tls->store = store;
	/* A sender's MTA takes whatever the server offers, TLS 1.0 and weak
	 * ciphers included (RFC 7435 opportunistic security): so do we, to
	 * see what it sees and report it (tls.old_protocol).  Level 0 lets
	 * OpenSSL 3 speak TLS 1.0 (SHA-1 signatures) at all.  Nothing secret
	 * is ever sent over this connection: only QUIT. */
	SSL_CTX_set_security_level(tls->ssl_ctx, 0);
	SSL_CTX_set_min_proto_version(tls->ssl_ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(tls->ssl_ctx, 0);
	SSL_CTX_set_cipher_list(tls->ssl_ctx, "DEFAULT:@SECLEVEL=0");
	SSL_CTX_set_options(tls->ssl_ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	/* Verified afterwards, each property on its own: see inspect. */
	SSL_CTX_set_verify(tls->ssl_ctx, SSL_VERIFY_NONE, NULL);
	return SC_OK;
}

void
sc_tls_clear(struct sc_tls *tls)
{
	SSL_CTX_free(tls->ssl_ctx);
	X509_STORE_free(tls->store);
	tls->ssl_ctx = NULL;
	tls->store = NULL;
}

SSL *
sc_tls_connect(struct sc_tls *tls, int fd, const char *sni)
{
	SSL *ssl;

	ERR_clear_error();
	ssl = SSL_new(tls->ssl_ctx);
	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1 ||
	    (sni != NULL && *sni != '\0' &&
	     SSL_set_tlsext_host_name(ssl, sni) != 1)) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

void
sc_tls_free_conn(SSL *ssl)
{
	SSL_free(ssl);
}

/*
 * OpenSSL writes to the socket with write(), and a server that hung up
 * would kill the whole program with SIGPIPE.  A library must not change
 * the process's signal dispositions, so block SIGPIPE in this thread
 * around each call and swallow one that the call raised (the way curl's
 * sigpipe.h guards its calls, but per thread).
 */
struct nopipe {
	sigset_t old;
	int was_pending;
};

static void
nopipe_on(struct nopipe *np)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	np->was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &np->old);
}

static void
nopipe_off(struct nopipe *np)
{
	sigset_t set, pending;
	struct timespec zero = { 0, 0 };
	int saved = errno; /* the caller reads the call's errno after */

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pending);
	if (!np->was_pending && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGPIPE))
		(void)sigtimedwait(&set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &np->old, NULL);
	errno = saved;
}

/* What SSL_get_error() says, as one of our steps. */
static enum sc_tls_step
step_of(SSL *ssl, int rc, char *err, size_t errlen, const char *what)
{
	int e = SSL_get_error(ssl, rc);
	char dummy[8];

	if (err == NULL) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return SC_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return SC_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(err, errlen, "the server closed the connection");
		ERR_clear_error();
		return SC_TLS_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (errno != 0 && errno != EAGAIN)
				snprintf(err, errlen, "%s: %s", what,
				         strerror(errno));
			else
				snprintf(err, errlen, "the server closed the "
				         "connection during %s", what);
			return SC_TLS_CLOSED;
		}
		last_error(err, errlen, what);
		return SC_TLS_FAILED;
	default:
		last_error(err, errlen, what);
		return SC_TLS_FAILED;
	}
}

enum sc_tls_step
sc_tls_handshake(SSL *ssl, char *err, size_t errlen)
{
	struct nopipe np;
	int rc;

	ERR_clear_error();
	errno = 0;
	nopipe_on(&np);
	rc = SSL_do_handshake(ssl);
	nopipe_off(&np);
	if (rc == 1)
		return SC_TLS_DONE;
	return step_of(ssl, rc, err, errlen, "the TLS handshake");
}

enum sc_tls_step
sc_tls_write(SSL *ssl, const char *data, size_t len, size_t *written)
{
	struct nopipe np;
	int rc;

	ERR_clear_error();
	errno = 0;
	*written = 0;
	nopipe_on(&np);
	rc = SSL_write_ex(ssl, data, len, written);
	nopipe_off(&np);
	if (rc == 1)
		return SC_TLS_DONE;
	return step_of(ssl, rc, NULL, 0, "a write");
}

enum sc_tls_step
sc_tls_read(SSL *ssl, char *buf, size_t len, size_t *got)
{
	struct nopipe np;
	int rc;

	ERR_clear_error();
	errno = 0;
	*got = 0;
	/* A read may write too (a TLS 1.3 key update, an alert). */
	nopipe_on(&np);
	rc = SSL_read_ex(ssl, buf, len, got);
	nopipe_off(&np);
	if (rc == 1)
		return SC_TLS_DONE;
	return step_of(ssl, rc, NULL, 0, "a read");
}

/* Record every problem of the chain rather than stop at the first, so
 * that an expired certificate from a trusted authority is "expired" and
 * not also "untrusted". */
static int
on_verify(int ok, X509_STORE_CTX *x)
{
	struct sc_tls_result *r = X509_STORE_CTX_get_app_data(x);
	int e;

	if (ok)
		return 1;
	e = X509_STORE_CTX_get_error(x);
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		r->expired = 1;
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		r->not_yet_valid = 1;
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		r->self_signed = 1;
		/* fall through */
	default:
		if (r->trusted && r->verify_error[0] == '\0')
			snprintf(r->verify_error, sizeof(r->verify_error), "%s",
			         X509_verify_cert_error_string(e));
		r->trusted = 0;
		break;
	}
	return 1;
}

static void
verify_chain(const struct sc_tls *tls, X509 *leaf, struct sc_tls_result *r)
{
	X509_STORE_CTX *x = X509_STORE_CTX_new();

	r->trusted = 1;
	if (x == NULL ||
	    X509_STORE_CTX_init(x, tls->store, leaf, r->chain) != 1) {
		r->trusted = 0;
		snprintf(r->verify_error, sizeof(r->verify_error),
		         "could not verify (out of memory)");
		X509_STORE_CTX_free(x);
		return;
	}
	X509_STORE_CTX_set_default(x, "ssl_server");
	X509_STORE_CTX_set_app_data(x, r);
	X509_STORE_CTX_set_verify_cb(x, on_verify);
	if (X509_verify_cert(x) != 1 && r->trusted) {
		r->trusted = 0;
		snprintf(r->verify_error, sizeof(r->verify_error), "%s",
		         X509_verify_cert_error_string(
		             X509_STORE_CTX_get_error(x)));
	}
	X509_STORE_CTX_free(x);
	ERR_clear_error();
}

/* A name in RFC 2253 form, printable ASCII only (it ends up in JSON). */
static char *
name_of(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &data);
		if (n > 512)
			n = 512;
		if ((out = sc_strndup(n > 0 ? data : "", n > 0 ? (size_t)n : 0))
		    != NULL) {
			char *p;

			for (p = out; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 ||
				    (unsigned char)*p >= 0x7f)
					*p = '?';
		}
	}
	BIO_free(b);
	return out;
}

static void
time_of(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "?");
}

static sc_status_t
describe_cert(X509 *c, struct sc_tls_cert *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out->subject = name_of(X509_get_subject_name(c));
	out->issuer = name_of(X509_get_issuer_name(c));
	if (out->subject == NULL || out->issuer == NULL)
		return SC_ENOMEM;
	time_of(X509_get0_notBefore(c), out->not_before,
	        sizeof(out->not_before));
	time_of(X509_get0_notAfter(c), out->not_after, sizeof(out->not_after));
	if (X509_digest(c, EVP_sha256(), md, &n) != 1 || n != 32)
		n = 0;
	for (i = 0; i < n; i++)
		snprintf(out->sha256 + 2 * i, 3, "%02x", md[i]);
	out->sha256[2 * n] = '\0';
	return SC_OK;
}

sc_status_t
sc_tls_inspect(const struct sc_tls *tls, SSL *ssl, struct sc_tls_result *out)
{
	STACK_OF(X509) *peer = SSL_get_peer_cert_chain(ssl);
	const char *cipher = SSL_get_cipher_name(ssl);
	int i, n;

	out->done = 1;
	out->version_num = SSL_version(ssl);
	snprintf(out->version, sizeof(out->version), "%s", SSL_get_version(ssl));
	snprintf(out->cipher, sizeof(out->cipher), "%s",
	         cipher != NULL ? cipher : "?");
	if (peer == NULL || sk_X509_num(peer) == 0) {
		/* Anonymous cipher suites send no certificate at all. */
		snprintf(out->verify_error, sizeof(out->verify_error),
		         "the server sent no certificate");
		return SC_OK;
	}
	/* Our own references: the chain outlives the connection (DANE). */
	if ((out->chain = X509_chain_up_ref(peer)) == NULL)
		return SC_ENOMEM;
	n = sk_X509_num(out->chain);
	for (i = 0; i < n && out->ncert < SC_TLS_MAX_CERTS; i++) {
		if (describe_cert(sk_X509_value(out->chain, i),
		                  &out->cert[out->ncert++]) != SC_OK)
			return SC_ENOMEM;
	}
	verify_chain(tls, sk_X509_value(out->chain, 0), out);
	return SC_OK;
}

int
sc_tls_name_matches(const struct sc_tls_result *r, const char *host)
{
	size_t len = strlen(host);
	int rc;

	if (r->chain == NULL || sk_X509_num(r->chain) == 0 || len == 0)
		return 0;
	if (host[len - 1] == '.')
		len--;
	/* RFC 7672 3.2.3 / RFC 8461 3.4: wildcards only as the whole
	 * left-most label. */
	rc = X509_check_host(sk_X509_value(r->chain, 0), host, len,
	                     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
	ERR_clear_error();
	return rc == 1;
}

void
sc_tls_result_clear(struct sc_tls_result *r)
{
	size_t i;

	for (i = 0; i < r->ncert; i++) {
		sc_free(r->cert[i].subject);
		sc_free(r->cert[i].issuer);
	}
	if (r->chain != NULL)
		sk_X509_pop_free(r->chain, X509_free);
	memset(r, 0, sizeof(*r));
}
