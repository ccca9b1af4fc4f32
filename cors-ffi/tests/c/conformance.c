/* The project's whole conformance table through cors_decide. The table is compiled in
 * from conformance_data.h, which the Rust test generates from tests/conformance; the route
 * server of the table's README is simulated here, with the decision applied through the C
 * API (owned-header removal, headers in order, Vary merged by cors_vary_merge). Each
 * response is printed for the Rust test, which compares it with the table's rules. */
#define _POSIX_C_SOURCE 200809L

#include <strings.h>

#include "check.h"
#include "conformance_data.h"

#define MAX_LINES 64
#define MAX_RESPONSE_HEADERS 64

typedef struct {
    cors_str lines[MAX_LINES];
    size_t count;
} line_set;

typedef struct {
    cors_str name;
    cors_str value;
} response_header;

typedef struct {
    unsigned status;
    response_header headers[MAX_RESPONSE_HEADERS];
    size_t count;
    const char *body;
} response;

static void add_line(line_set *set, const char *value, size_t len) {
    CHECK(set->count < MAX_LINES);
    set->lines[set->count].ptr = (const uint8_t *)value;
    set->lines[set->count].len = len;
    set->count++;
}

static void add_header(response *r, cors_str name, cors_str value) {
    CHECK(r->count < MAX_RESPONSE_HEADERS);
    r->headers[r->count].name = name;
    r->headers[r->count].value = value;
    r->count++;
}

static int has_prefix(const char *s, size_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* The route server's answer to a request that reaches the handler. */
static void route(const char *method, const char *target, response *r) {
    size_t len = strcspn(target, "?");
    r->count = 0;
    r->body = "";
    if ((len == 9 && has_prefix(target, len, "/anything")) ||
        has_prefix(target, len, "/anything/")) {
        add_header(r, S("x-handler"), S("reached"));
        r->status = 200;
        r->body = "ok";
    } else if (has_prefix(target, len, "/status/")) {
        add_header(r, S("x-handler"), S("reached"));
        unsigned code = 0;
        size_t i = 8;
        for (; i < len && i < 12 && target[i] >= '0' && target[i] <= '9'; i++) {
            code = code * 10 + (unsigned)(target[i] - '0');
        }
        r->status = (i == len && i > 8 && code >= 200 && code <= 599) ? code : 400;
    } else if (len == 5 && has_prefix(target, len, "/vary")) {
        add_header(r, S("x-handler"), S("reached"));
        add_header(r, S("vary"), S("Accept-Encoding"));
        r->status = 200;
        r->body = "ok";
    } else if (len == 9 && has_prefix(target, len, "/own-acao")) {
        add_header(r, S("x-handler"), S("reached"));
        add_header(r, S("access-control-allow-origin"), S("https://handler.invalid"));
        r->status = 200;
        r->body = "ok";
    } else {
        r->status = 404;
    }
    if (strcmp(method, "HEAD") == 0 || r->status == 204) {
        r->body = "";
    }
}

static int is_vary(cors_str name) {
    return name.len == 4 && strncasecmp((const char *)name.ptr, "vary", 4) == 0;
}

/* Applies a decision to a response, as a server without a CORS library would. */
static void apply(const cors_decision *d, response *r) {
    if (d->report_only) {
        /* Report-only: the response stays as the handler made it. */
        CHECK(d->header_count == 0 && d->vary == 0);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->count; i++) {
        if (!cors_is_owned_header(r->headers[i].name.ptr, r->headers[i].name.len)) {
            r->headers[kept++] = r->headers[i];
        }
    }
    r->count = kept;
    for (size_t i = 0; i < d->header_count; i++) {
        add_header(r, d->headers[i].name, d->headers[i].value);
    }
    cors_str vary[MAX_RESPONSE_HEADERS];
    cors_lines existing = {vary, 0};
    for (size_t i = 0; i < r->count; i++) {
        if (is_vary(r->headers[i].name)) {
            vary[existing.count++] = r->headers[i].value;
        }
    }
    cors_str add;
    CHECK_RESULT(cors_vary_merge(existing, d->vary, &add), CORS_RESULT_OK);
    if (add.len > 0) {
        add_header(r, S("vary"), add);
    }
}

static void print_hex(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        printf("%02x", p[i]);
    }
}

static size_t run_file(const struct test_file *f) {
    const cors_policy *policy = NULL;
    cors_error *err = NULL;
    cors_result r =
        cors_policy_from_toml((const uint8_t *)f->config, strlen(f->config), &policy, &err);
    if (r != CORS_RESULT_OK) {
        cors_str m = cors_error_message(err);
        fprintf(stderr, "%s: config does not load: %.*s\n", f->name, (int)m.len,
                (const char *)m.ptr);
        exit(1);
    }
    for (size_t c = 0; c < f->case_count; c++) {
        const struct test_case *tc = &f->cases[c];
        line_set origin = {0}, method = {0}, headers = {0}, pna = {0};
        for (size_t h = 0; h < tc->header_count; h++) {
            const struct test_header *th = &tc->headers[h];
            line_set *set = NULL;
            if (strcasecmp(th->name, "origin") == 0) {
                set = &origin;
            } else if (strcasecmp(th->name, "access-control-request-method") == 0) {
                set = &method;
            } else if (strcasecmp(th->name, "access-control-request-headers") == 0) {
                set = &headers;
            } else if (strcasecmp(th->name, "access-control-request-private-network") == 0) {
                set = &pna;
            }
            if (set != NULL) {
                add_line(set, th->value, th->value_len);
            }
        }
        cors_request req;
        req.method = S(tc->method);
        req.origin = (cors_lines){origin.lines, origin.count};
        req.request_method = (cors_lines){method.lines, method.count};
        req.request_headers = (cors_lines){headers.lines, headers.count};
        req.private_network = (cors_lines){pna.lines, pna.count};
        req.path = S(tc->path);

        cors_decision d;
        CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
        CHECK(d.header_count <= CORS_MAX_HEADERS);
        response resp;
        if (d.action == CORS_ACTION_FORWARD) {
            CHECK(d.status == 0);
            route(tc->method, tc->path, &resp);
        } else {
            CHECK(d.action == CORS_ACTION_RESPOND);
            CHECK((d.status == 403) == (d.denial != CORS_DENIAL_NONE));
            resp.status = d.status;
            resp.count = 0;
            resp.body = "";
        }
        apply(&d, &resp);

        printf("case %s::%s\nstatus %u\n", f->name, tc->name, resp.status);
        for (size_t h = 0; h < resp.count; h++) {
            printf("h %.*s ", (int)resp.headers[h].name.len,
                   (const char *)resp.headers[h].name.ptr);
            print_hex(resp.headers[h].value.ptr, resp.headers[h].value.len);
            printf("\n");
        }
        printf("body ");
        print_hex((const uint8_t *)resp.body, strlen(resp.body));
        printf("\nend\n");
    }
    cors_policy_free(policy);
    return f->case_count;
}

int main(void) {
    size_t cases = 0;
    for (size_t i = 0; i < FILE_COUNT; i++) {
        cases += run_file(&FILES[i]);
    }
    printf("done %zu\n", cases);
    return 0;
}
