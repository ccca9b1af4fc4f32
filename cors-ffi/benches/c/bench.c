/* Times cors_decide called from C, case by case, with the same method as the Rust side of
 * benches/decide.rs: ITERATIONS calls per round, ROUNDS rounds, the fastest round kept.
 *   bench ITERATIONS ROUNDS   prints `CASE NS_PER_CALL` lines
 *   bench count CASE N        runs one case N times, for instruction counting */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cors.h"

/* The same policy and requests as benches/decide.rs. */
static const char *POLICY =
    "allow_origins = [\"https://app.example.com\", \"https://*.example.org\"]\n"
    "allow_methods = [\"GET\", \"PUT\", \"DELETE\"]\n"
    "allow_headers = [\"content-type\", \"x-token\"]\n"
    "expose_headers = [\"x-request-id\"]\n"
    "allow_credentials = true\n"
    "max_age = 600\n";

static cors_str S(const char *s) {
    cors_str r = {(const uint8_t *)s, strlen(s)};
    return r;
}

static volatile size_t sink;

/* CPU time of this thread, the clock the Rust side reads too. */
static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void run_case(const cors_policy *p, const cors_request *req, unsigned long iters) {
    for (unsigned long i = 0; i < iters; i++) {
        cors_decision d;
        if (cors_decide(p, req, &d) != CORS_RESULT_OK) {
            abort();
        }
        /* Read what a server reads: every header slice and the Vary tokens. */
        size_t total = d.vary;
        for (size_t h = 0; h < d.header_count; h++) {
            total += d.headers[h].name.len + d.headers[h].value.len;
        }
        sink = total;
    }
}

static double time_case(const cors_policy *p, const cors_request *req, unsigned long iters,
                        int rounds) {
    double best = 0;
    for (int r = 0; r < rounds; r++) {
        double start = now_ns();
        run_case(p, req, iters);
        double ns = (now_ns() - start) / (double)iters;
        if (r == 0 || ns < best) {
            best = ns;
        }
    }
    return best;
}

int main(int argc, char **argv) {
    int count = argc == 4 && strcmp(argv[1], "count") == 0;
    if (argc != 3 && !count) {
        fprintf(stderr, "usage: bench ITERATIONS ROUNDS | bench count CASE N\n");
        return 2;
    }
    unsigned long iters = strtoul(argv[count ? 3 : 1], NULL, 10);
    int rounds = count ? 0 : atoi(argv[2]);
    const cors_policy *p = NULL;
    if (cors_policy_from_toml((const uint8_t *)POLICY, strlen(POLICY), &p, NULL) !=
        CORS_RESULT_OK) {
        return 1;
    }
    cors_str origin = S("https://a.example.org");
    cors_str evil = S("https://evil.example");
    cors_str put = S("PUT");
    cors_str patch = S("PATCH");
    cors_str acrh = S("content-type, x-token");

    struct {
        const char *name;
        cors_request req;
    } cases[5];
    memset(cases, 0, sizeof cases);
    cases[0].name = "preflight-allowed";
    cases[0].req.method = S("OPTIONS");
    cases[0].req.origin = (cors_lines){&origin, 1};
    cases[0].req.request_method = (cors_lines){&put, 1};
    cases[0].req.request_headers = (cors_lines){&acrh, 1};
    cases[1].name = "preflight-denied";
    cases[1].req = cases[0].req;
    cases[1].req.request_method = (cors_lines){&patch, 1};
    cases[2].name = "actual-allowed";
    cases[2].req.method = S("GET");
    cases[2].req.origin = (cors_lines){&origin, 1};
    cases[3].name = "actual-denied";
    cases[3].req.method = S("GET");
    cases[3].req.origin = (cors_lines){&evil, 1};
    cases[4].name = "not-cors";
    cases[4].req.method = S("GET");

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        if (count) {
            if (strcmp(argv[2], cases[c].name) == 0) {
                run_case(p, &cases[c].req, iters);
            }
        } else {
            printf("%s %.2f\n", cases[c].name, time_case(p, &cases[c].req, iters, rounds));
        }
    }
    cors_policy_free(p);
    return 0;
}
