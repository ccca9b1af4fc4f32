/* Reload stress: 4 reader threads decide requests with whatever policy a cors_handle holds
 * while a writer thread swaps it between two policies; every decision must be wholly of
 * one of them, and every reference is freed (the sanitizers and valgrind check the rest).
 * Usage: reload [SWAPS] (default 20000). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

#define READERS 4

static cors_handle *handle;
static const cors_policy *policy_a, *policy_b;
static atomic_int done;
static atomic_ulong decided;

/* Origin https://b.example: policy A allows it and exposes x-a; policy B denies it. */
static void *reader(void *arg) {
    (void)arg;
    cors_str origin = S("https://b.example");
    cors_request req = {0};
    req.method = S("GET");
    req.path = S("/x");
    req.origin.lines = &origin;
    req.origin.count = 1;
    while (!atomic_load(&done)) {
        const cors_policy *p = cors_handle_current(handle);
        CHECK(p != NULL);
        cors_decision d;
        CHECK_RESULT(cors_decide(p, &req, &d), CORS_RESULT_OK);
        int a = d.denial == CORS_DENIAL_NONE && d.header_count == 2 &&
                str_eq(d.headers[0].value, "https://b.example") &&
                str_eq(d.headers[1].value, "x-a");
        int b = d.denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED && d.header_count == 0;
        CHECK(a || b);
        /* The decision's policy slices stay valid until this reference is freed. */
        CHECK(!a || d.headers[1].value.ptr[0] == 'x');
        cors_policy_free(p);
        atomic_fetch_add(&decided, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    unsigned long swaps = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
    policy_a = policy_toml("allow_origins = [\"https://a.example\", \"https://b.example\"]\n"
                           "expose_headers = [\"x-a\"]\n");
    policy_b = policy_toml("allow_origins = [\"https://a.example\"]\n"
                           "expose_headers = [\"x-b\"]\n");
    handle = cors_handle_new(policy_a);
    CHECK(handle != NULL);
    CHECK(cors_handle_new(NULL) == NULL);
    CHECK(cors_handle_current(NULL) == NULL);
    CHECK_RESULT(cors_handle_store(NULL, policy_b), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_handle_store(handle, NULL), CORS_RESULT_NULL_POINTER);

    pthread_t readers[READERS];
    for (int i = 0; i < READERS; i++) {
        CHECK(pthread_create(&readers[i], NULL, reader, NULL) == 0);
    }
    for (unsigned long i = 0; i < swaps; i++) {
        CHECK_RESULT(cors_handle_store(handle, i % 2 == 0 ? policy_b : policy_a), CORS_RESULT_OK);
    }
    atomic_store(&done, 1);
    for (int i = 0; i < READERS; i++) {
        CHECK(pthread_join(readers[i], NULL) == 0);
    }
    /* The handle's own reference is released with it; the caller's stay valid. */
    cors_handle_free(handle);
    cors_handle_free(NULL);
    CHECK(cors_policy_warning_count(policy_a) == 0);
    cors_policy_free(policy_a);
    cors_policy_free(policy_b);
    printf("reload: %lu swaps, %lu decisions ok\n", swaps, (unsigned long)atomic_load(&decided));
    return 0;
}
