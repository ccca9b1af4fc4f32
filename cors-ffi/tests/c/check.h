/* Small helpers shared by the C test programs of cors-ffi. */
#ifndef CORS_TEST_CHECK_H
#define CORS_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

#define CHECK_RESULT(expr, want)                                                   \
    do {                                                                           \
        cors_result got_ = (expr);                                                 \
        if (got_ != (want)) {                                                      \
            fprintf(stderr, "%s:%d: %s returned %u, expected %s (%u)\n", __FILE__, \
                    __LINE__, #expr, (unsigned)got_, #want, (unsigned)(want));     \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

/* A cors_str over a C string (without its NUL). */
static inline cors_str S(const char *s) {
    cors_str r;
    r.ptr = (const uint8_t *)s;
    r.len = strlen(s);
    return r;
}

static inline int str_eq(cors_str a, const char *b) {
    size_t n = strlen(b);
    return a.ptr != NULL && a.len == n && memcmp(a.ptr, b, n) == 0;
}

static inline int str_contains(cors_str hay, const char *needle) {
    size_t n = strlen(needle);
    if (hay.ptr == NULL || n > hay.len) {
        return 0;
    }
    for (size_t i = 0; i + n <= hay.len; i++) {
        if (memcmp(hay.ptr + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Loads TOML text that must be valid. */
static inline const cors_policy *policy_toml(const char *text) {
    const cors_policy *p = NULL;
    cors_error *err = NULL;
    cors_result r = cors_policy_from_toml((const uint8_t *)text, strlen(text), &p, &err);
    if (r != CORS_RESULT_OK) {
        cors_str m = cors_error_message(err);
        fprintf(stderr, "policy did not load (%u): %.*s\n", (unsigned)r, (int)m.len,
                (const char *)m.ptr);
        exit(1);
    }
    CHECK(p != NULL && err == NULL);
    return p;
}

/* The value of the first decision header with this name, or NULL. */
static inline const cors_header *find_header(const cors_decision *d, const char *name) {
    for (size_t i = 0; i < d->header_count; i++) {
        if (str_eq(d->headers[i].name, name)) {
            return &d->headers[i];
        }
    }
    return NULL;
}

#endif
