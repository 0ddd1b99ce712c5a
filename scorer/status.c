/*
 * What every layer says: the status codes and the names of the public
 * enums in words, and the context's error message.  Below the checks and
 * the core alike, so that neither climbs to the other for a string.
 */
#include <stdarg.h>
#include <stdio.h>

#include "engine.h"
#include "rules.h"

sc_status_t
sc_ctx_error(struct sc_ctx *ctx, sc_status_t st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return st;
}

const char *
sc_ctx_errmsg(const sc_ctx_t *ctx)
{
	return ctx != NULL ? ctx->errmsg : "";
}

const char *
sc_strerror(sc_status_t status)
{
	switch (status) {
	case SC_OK: return "no error";
	case SC_ENOMEM: return "out of memory";
	case SC_EINVAL: return "invalid argument";
	case SC_ERULES: return "rules missing or malformed";
	case SC_EDNS: return "DNS engine could not be set up";
	case SC_EIO: return "input/output error";
	case SC_ENOTFOUND: return "not found";
	case SC_EBUSY: return "not allowed now";
	case SC_EINTERNAL: return "internal error";
	}
	return "unknown status";
}

const char *
sc_verdict_str(sc_verdict_t verdict)
{
	switch (verdict) {
	case SC_VERDICT_SECURE: return "secure";
	case SC_VERDICT_INSECURE: return "insecure";
	case SC_VERDICT_ERROR: return "error";
	}
	return "?";
}

const char *
sc_dns_outcome_str(sc_dns_outcome_t outcome)
{
	switch (outcome) {
	case SC_DNS_OK: return "ok";
	case SC_DNS_NODATA: return "nodata";
	case SC_DNS_NXDOMAIN: return "nxdomain";
	case SC_DNS_SERVFAIL: return "servfail";
	case SC_DNS_REFUSED: return "refused";
	case SC_DNS_TIMEOUT: return "timeout";
	case SC_DNS_ERROR: return "error";
	case SC_DNS_SKIPPED: return "skipped";
	}
	return "?";
}

const char *
sc_version(void)
{
	return SC_VERSION;
}

const char *
sc_threat_model_str(sc_threat_model_t model)
{
	return sc_model_name((int)model);
}

const char *
sc_interception_verdict_str(sc_interception_t v)
{
	switch (v) {
	case SC_INTERCEPTION_PROTECTED: return "protected";
	case SC_INTERCEPTION_EXPOSED: return "exposed";
	case SC_INTERCEPTION_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *
sc_spf_result_str(sc_spf_result_t r)
{
	switch (r) {
	case SC_SPF_NONE: return "none";
	case SC_SPF_NEUTRAL: return "neutral";
	case SC_SPF_PASS: return "pass";
	case SC_SPF_FAIL: return "fail";
	case SC_SPF_SOFTFAIL: return "softfail";
	case SC_SPF_TEMPERROR: return "temperror";
	case SC_SPF_PERMERROR: return "permerror";
	default: return "?";
	}
}
