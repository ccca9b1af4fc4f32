/* One shared policy, 8 threads, N evaluations each (default 100000), every result checked
 * against the single-threaded answer. Usage: threads [N] */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>

#include "check.h"

#define THREADS 8
#define REQUESTS 6

static const cors_policy *policy;
static cors_request requests[REQUESTS];
static cors_decision expected[REQUESTS];
static unsigned long iterations = 100000;

static cors_str origin_ok[1], origin_bad[1], origin_two[2], method_put[1], method_bad[1],
    acrh[2], pna[1];

static void setup(void) {
    policy = policy_toml(
        "allow_origins = [\"https://app.example.com\", \"https://*.example.org\"]\n"
        "allow_methods = [\"GET\", \"PUT\", \"DELETE\"]\n"
        "allow_headers = [\"content-type\", \"x-token\"]\n"
        "expose_headers = [\"x-request-id\"]\n"
        "allow_credentials = true\n"
        "allow_private_network = true\n"
        "max_age = 600\n");
    origin_ok[0] = S("https://a.b.example.org");
    origin_bad[0] = S("https://example.org");
    origin_two[0] = S("https://app.example.com");
    origin_two[1] = S("https://app.example.com");
    method_put[0] = S("PUT");
    method_bad[0] = S("PATCH");
    acrh[0] = S("Content-Type");
    acrh[1] = S("x-token");
    pna[0] = S("true");

    memset(requests, 0, sizeof requests);
    /* 0: preflight, allowed, two ACRH lines and private network access. */
    requests[0].method = S("OPTIONS");
    requests[0].origin = (cors_lines){origin_ok, 1};
    requests[0].request_method = (cors_lines){method_put, 1};
    requests[0].request_headers = (cors_lines){acrh, 2};
    requests[0].private_network = (cors_lines){pna, 1};
    /* 1: preflight, method denied. */
    requests[1] = requests[0];
    requests[1].request_method = (cors_lines){method_bad, 1};
    /* 2: actual, allowed. */
    requests[2].method = S("POST");
    requests[2].origin = (cors_lines){origin_ok, 1};
    /* 3: actual, origin not allowed. */
    requests[3].method = S("GET");
    requests[3].origin = (cors_lines){origin_bad, 1};
    /* 4: not CORS. */
    requests[4].method = S("GET");
    /* 5: two origins. */
    requests[5].method = S("DELETE");
    requests[5].origin = (cors_lines){origin_two, 2};

    for (int i = 0; i < REQUESTS; i++) {
        CHECK_RESULT(cors_decide(policy, &requests[i], &expected[i]), CORS_RESULT_OK);
    }
    CHECK(expected[0].action == CORS_ACTION_RESPOND && expected[0].denial == CORS_DENIAL_NONE && expected[0].header_count == 6);
    CHECK(expected[1].action == CORS_ACTION_RESPOND && expected[1].status == 403);
    CHECK(expected[2].action == CORS_ACTION_FORWARD && expected[2].header_count == 3);
    CHECK(expected[3].denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED);
    CHECK(expected[4].kind == CORS_REQUEST_KIND_NOT_CORS);
    CHECK(expected[5].denial == CORS_DENIAL_MULTIPLE_ORIGINS);
}

static int same_str(cors_str a, cors_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int same(const cors_decision *a, const cors_decision *b) {
    if (a->action != b->action || a->kind != b->kind || a->status != b->status ||
        a->header_count != b->header_count || a->vary != b->vary || a->denial != b->denial ||
        !same_str(a->vary_value, b->vary_value) || !same_str(a->denial_value, b->denial_value)) {
        return 0;
    }
    for (size_t i = 0; i < a->header_count; i++) {
        if (!same_str(a->headers[i].name, b->headers[i].name) ||
            !same_str(a->headers[i].value, b->headers[i].value) ||
            a->headers[i].source != b->headers[i].source) {
            return 0;
        }
    }
    return 1;
}

static void *worker(void *arg) {
    unsigned long offset = (unsigned long)(uintptr_t)arg;
    unsigned long failures = 0;
    for (unsigned long i = 0; i < iterations; i++) {
        int r = (int)((i + offset) % REQUESTS);
        cors_decision d;
        if (cors_decide(policy, &requests[r], &d) != CORS_RESULT_OK || !same(&d, &expected[r])) {
            failures++;
        }
    }
    return (void *)(uintptr_t)failures;
}

int main(int argc, char **argv) {
    if (argc > 1) {
        iterations = strtoul(argv[1], NULL, 10);
        CHECK(iterations > 0);
    }
    setup();
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_create(&threads[t], NULL, worker, (void *)(uintptr_t)t) == 0);
    }
    unsigned long failures = 0;
    for (int t = 0; t < THREADS; t++) {
        void *ret = NULL;
        CHECK(pthread_join(threads[t], &ret) == 0);
        failures += (unsigned long)(uintptr_t)ret;
    }
    cors_policy_free(policy);
    if (failures != 0) {
        fprintf(stderr, "threads: %lu of %lu evaluations differed\n", failures,
                iterations * THREADS);
        return 1;
    }
    printf("threads: %d x %lu evaluations ok\n", THREADS, iterations);
    return 0;
}
