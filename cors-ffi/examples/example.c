/* example.c: load a policy, decide two requests, apply the decisions. */
#include <stdio.h>
#include <string.h>

#include "cors.h"

static cors_str str(const char *s) {
    cors_str r = {(const uint8_t *)s, strlen(s)};
    return r;
}

/* Prints what a server would send: the status (when answering now) and the headers. */
static void show(const cors_decision *d) {
    if (d->action == CORS_ACTION_FORWARD) {
        printf("pass to the handler, then add:\n");
    } else {
        printf("answer now: HTTP %u, empty body\n", (unsigned)d->status);
    }
    for (size_t i = 0; i < d->header_count; i++) {
        const cors_header *h = &d->headers[i];
        printf("  %.*s: %.*s\n", (int)h->name.len, (const char *)h->name.ptr,
               (int)h->value.len, (const char *)h->value.ptr);
    }
    /* The response has no Vary yet; a real server passes its existing Vary lines. */
    cors_lines existing = {NULL, 0};
    cors_str vary;
    if (cors_vary_merge(existing, d->vary, &vary) == CORS_RESULT_OK && vary.len > 0) {
        printf("  vary: %.*s\n", (int)vary.len, (const char *)vary.ptr);
    }
    if (d->denial != CORS_DENIAL_NONE) {
        uint8_t reason[256];
        size_t n = 0;
        cors_decision_reason(d, reason, sizeof reason, &n);
        printf("  (log only: %.*s)\n", (int)n, (const char *)reason);
    }
}

int main(void) {
    const char *config =
        "allow_origins = [\"https://app.example.com\", \"https://*.example.com\"]\n"
        "allow_methods = [\"GET\", \"PUT\"]\n"
        "allow_credentials = true\n"
        "max_age = 600\n";
    const cors_policy *policy = NULL;
    cors_error *error = NULL;
    if (cors_policy_from_toml((const uint8_t *)config, strlen(config), &policy, &error) !=
        CORS_RESULT_OK) {
        cors_str m = cors_error_message(error);
        fprintf(stderr, "%.*s\n", (int)m.len, (const char *)m.ptr);
        cors_error_free(error);
        return 1;
    }

    /* A preflight: OPTIONS with Origin and Access-Control-Request-Method. Each header is
     * an array of its lines (here one each); absent headers stay {NULL, 0}. */
    cors_str origin = str("https://app.example.com");
    cors_str method = str("PUT");
    cors_request preflight = {0};
    preflight.method = str("OPTIONS");
    preflight.origin = (cors_lines){&origin, 1};
    preflight.request_method = (cors_lines){&method, 1};

    cors_decision decision; /* caller-owned; nothing in it needs freeing */
    if (cors_decide(policy, &preflight, &decision) != CORS_RESULT_OK) {
        return 1;
    }
    show(&decision);

    /* An actual request from an origin the policy does not allow: it still reaches the
     * handler, but gets no CORS headers (only Vary). */
    cors_str evil = str("https://evil.example");
    cors_request actual = {0};
    actual.method = str("GET");
    actual.origin = (cors_lines){&evil, 1};
    if (cors_decide(policy, &actual, &decision) != CORS_RESULT_OK) {
        return 1;
    }
    show(&decision);

    cors_policy_free(policy);
    return 0;
}
