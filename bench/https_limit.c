/*
 * https_limit: the most MTA-STS policy fetches a second a server allows,
 * measured with a bare libcurl multi loop: each URL fetched once a round
 * over a new connection (scorer fetches each domain's policy once, from
 * a host of its own), at most CONCURRENCY at once, the body kept nowhere.
 * For bench/pipeline_bench.sh (docs/bench.md); not part of any test.
 *
 *   https_limit URLS CAFILE RESOLVE_ADDR CONCURRENCY ROUNDS
 *
 * URLS: one https URL a line; every host name resolves to RESOLVE_ADDR
 * (CURLOPT_RESOLVE, as scorer hands curl the addresses it looked up).
 * Prints one line:
 *
 *   fetches OK FAILED elapsed_s E fetches_per_s R user_s U sys_s S
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

int
main(int argc, char **argv)
{
	char **urls = NULL, line[1024];
	size_t nurl = 0, cap = 0, next = 0;
	int conc, rounds, round = 0, running = 0, inflight = 0, i;
	long ok = 0, failed = 0;
	const char *ca, *addr;
	CURLM *m;
	FILE *f;
	struct rusage ru;
	double t0, t1;

	if (argc != 6) {
		fprintf(stderr, "usage: https_limit URLS CAFILE RESOLVE_ADDR "
		        "CONCURRENCY ROUNDS\n");
		return 2;
	}
	ca = argv[2];
	addr = argv[3];
	conc = atoi(argv[4]);
	rounds = atoi(argv[5]);
	if (conc < 1 || rounds < 1 || (f = fopen(argv[1], "r")) == NULL)
		return 2;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (nurl == cap) {
			cap = cap ? cap * 2 : 1024;
			urls = realloc(urls, cap * sizeof(*urls));
		}
		urls[nurl++] = strdup(line);
	}
	fclose(f);
	if (nurl == 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conc);
	t0 = now();
	for (;;) {
		CURLMsg *msg;
		int left;

		while (inflight < conc && round < rounds) {
			CURL *e = curl_easy_init();
			struct curl_slist *rs;
			char res[600], host[512];
			const char *h = urls[next] + strlen("https://");
			size_t hl = strcspn(h, "/");

			snprintf(host, sizeof(host), "%.*s", (int)hl, h);
			if (strchr(host, ':') == NULL)
				strcat(host, ":443");
			snprintf(res, sizeof(res), "%s:%s", host, addr);
			rs = curl_slist_append(NULL, res);
			curl_easy_setopt(e, CURLOPT_URL, urls[next]);
			curl_easy_setopt(e, CURLOPT_RESOLVE, rs);
			curl_easy_setopt(e, CURLOPT_PRIVATE, rs);
			curl_easy_setopt(e, CURLOPT_CAINFO, ca);
			curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
			curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
			curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
			curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
			curl_multi_add_handle(m, e);
			inflight++;
			if (++next == nurl) {
				next = 0;
				round++;
			}
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			long code = 0;
			struct curl_slist *rs;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle,
			                  CURLINFO_RESPONSE_CODE, &code);
			if (msg->data.result == CURLE_OK && code == 200)
				ok++;
			else
				failed++;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			                  (char **)&rs);
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			curl_slist_free_all(rs);
			inflight--;
		}
		if (inflight == 0 && round >= rounds)
			break;
		curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("fetches %ld failed %ld elapsed_s %.3f fetches_per_s %.1f "
	       "user_s %.3f sys_s %.3f\n", ok, failed, t1 - t0, ok / (t1 - t0),
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	curl_multi_cleanup(m);
	for (i = 0; i < (int)nurl; i++)
		free(urls[i]);
	free(urls);
	curl_global_cleanup();
	return ok == 0;
}
