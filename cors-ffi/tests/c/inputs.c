/* NULL and malformed inputs, the decision's fields, the reason text, and the helpers
 * (Vary merging, owned header names). */
#include "check.h"

static const char *POLICY =
    "allow_origins = [\"https://app.example.com\"]\n"
    "allow_methods = [\"GET\", \"PUT\"]\n"
    "allow_headers = [\"content-type\"]\n"
    "allow_credentials = true\n"
    "max_age = 600\n";

static void fill_garbage(cors_decision *d) { memset(d, 0xA5, sizeof *d); }

static int untouched(const cors_decision *d) {
    const unsigned char *p = (const unsigned char *)d;
    for (size_t i = 0; i < sizeof *d; i++) {
        if (p[i] != 0xA5) {
            return 0;
        }
    }
    return 1;
}

static void test_decide_nulls(const cors_policy *policy) {
    cors_request req = {0};
    cors_decision d;
    cors_str origin = S("https://app.example.com");

    fill_garbage(&d);
    CHECK_RESULT(cors_decide(NULL, &req, &d), CORS_RESULT_NULL_POINTER);
    CHECK(untouched(&d));
    CHECK_RESULT(cors_decide(policy, NULL, &d), CORS_RESULT_NULL_POINTER);
    CHECK(untouched(&d));
    CHECK_RESULT(cors_decide(policy, &req, NULL), CORS_RESULT_NULL_POINTER);

    /* (NULL, len > 0) anywhere is refused, and the decision is not written. */
    req.method.ptr = NULL;
    req.method.len = 3;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_NULL_POINTER);
    CHECK(untouched(&d));
    req.method = S("GET");
    req.origin.lines = NULL;
    req.origin.count = 1;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_NULL_POINTER);
    CHECK(untouched(&d));
    cors_str lines[3] = {S("content-type"), {NULL, 4}, S("x")};
    req.origin.lines = &origin;
    req.origin.count = 1;
    req.request_headers.lines = lines;
    req.request_headers.count = 3;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_NULL_POINTER);
    CHECK(untouched(&d));

    /* (NULL, 0) is empty; count 0 with a NULL array is an absent header. */
    cors_request empty = {0};
    CHECK_RESULT(cors_decide(policy, &empty, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_FORWARD && d.kind == CORS_REQUEST_KIND_NOT_CORS);
    CHECK(d.status == 0 && d.header_count == 0);
    CHECK(d.vary == CORS_VARY_ORIGIN && str_eq(d.vary_value, "Origin"));
    CHECK(d.denial == CORS_DENIAL_NONE && d.denial_name.len == 0 && d.denial_name.ptr != NULL);
    lines[1].len = 0; /* (NULL, 0) line: an empty line */
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.kind == CORS_REQUEST_KIND_ACTUAL); /* GET: not a preflight */
}

static void test_decisions(const cors_policy *policy) {
    cors_decision d;
    cors_str origin = S("https://app.example.com");
    cors_str evil = S("https://evil.example");
    cors_str put = S("PUT");
    cors_str delete_ = S("DELETE");
    cors_str trace = S("trace");
    cors_str acrh = S("Content-Type");
    cors_str two_origins[2] = {S("https://app.example.com"), S("https://app.example.com")};
    cors_str malformed = {(const uint8_t *)"https://app.example.com\xff", 24};

    /* Allowed preflight. */
    cors_request req = {0};
    req.method = S("OPTIONS");
    req.origin.lines = &origin;
    req.origin.count = 1;
    req.request_method.lines = &put;
    req.request_method.count = 1;
    req.request_headers.lines = &acrh;
    req.request_headers.count = 1;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.kind == CORS_REQUEST_KIND_PREFLIGHT && d.denial == CORS_DENIAL_NONE);
    CHECK(d.status == 204);
    CHECK(d.header_count == 5);
    const cors_header *h = find_header(&d, "access-control-allow-origin");
    CHECK(h != NULL && str_eq(h->value, "https://app.example.com"));
    CHECK(h->source == CORS_VALUE_SOURCE_REQUEST && h->value.ptr == origin.ptr);
    h = find_header(&d, "access-control-allow-methods");
    CHECK(h != NULL && str_eq(h->value, "GET, PUT") && h->source == CORS_VALUE_SOURCE_POLICY);
    CHECK(str_eq(find_header(&d, "access-control-allow-credentials")->value, "true"));
    CHECK(str_eq(find_header(&d, "access-control-allow-headers")->value, "content-type"));
    CHECK(str_eq(find_header(&d, "access-control-max-age")->value, "600"));
    CHECK(d.vary == (CORS_VARY_ORIGIN | CORS_VARY_REQUEST_METHOD | CORS_VARY_REQUEST_HEADERS));
    CHECK(str_eq(d.vary_value,
                 "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    CHECK(d.denial == CORS_DENIAL_NONE);
    uint8_t buf[256];
    size_t n = 99;
    CHECK_RESULT(cors_decision_reason(&d, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n == 0);
    CHECK(str_eq(cors_decision_result(&d), "preflight-allowed"));
    CHECK(strcmp((const char *) cors_decision_result(&d).ptr, "preflight-allowed") == 0);
    CHECK(cors_decision_result(NULL).ptr != NULL && cors_decision_result(NULL).len == 0);

    /* Denied preflight: method. */
    req.request_method.lines = &delete_;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.status == 403 && d.header_count == 0);
    CHECK(d.denial == CORS_DENIAL_METHOD_NOT_ALLOWED);
    CHECK(str_eq(d.denial_name, "method-not-allowed"));
    CHECK(str_eq(d.denial_value, "DELETE") && d.denial_value.ptr == delete_.ptr);
    CHECK(d.denial_message.len > 0);
    CHECK_RESULT(cors_decision_reason(&d, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n == strlen("method DELETE is not in allow_methods"));
    CHECK(memcmp(buf, "method DELETE is not in allow_methods", n) == 0);
    CHECK_RESULT(cors_decision_reason(&d, buf, 6, &n), CORS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 6 && memcmp(buf, "method", 6) == 0);
    CHECK_RESULT(cors_decision_reason(NULL, buf, sizeof buf, &n), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_decision_reason(&d, NULL, 4, &n), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_decision_reason(&d, buf, sizeof buf, NULL), CORS_RESULT_NULL_POINTER);
    CHECK(str_eq(cors_decision_result(&d), "preflight-denied"));
    cors_decision altered = d;
    altered.denial = 999;
    CHECK_RESULT(cors_decision_reason(&altered, buf, sizeof buf, &n),
                 CORS_RESULT_INVALID_ARGUMENT);
    /* Labels for every kind, report-only too; an unknown kind gives none. */
    altered = d;
    altered.kind = CORS_REQUEST_KIND_ACTUAL;
    altered.denial = CORS_DENIAL_NONE;
    CHECK(str_eq(cors_decision_result(&altered), "allowed"));
    altered.denial = CORS_DENIAL_ORIGIN_NOT_ALLOWED;
    CHECK(str_eq(cors_decision_result(&altered), "denied"));
    altered.report_only = true;
    CHECK(str_eq(cors_decision_result(&altered), "report-only-denied"));
    altered.kind = CORS_REQUEST_KIND_NOT_CORS;
    CHECK(str_eq(cors_decision_result(&altered), "report-only-not-cors"));
    altered.kind = 77;
    CHECK(cors_decision_result(&altered).len == 0);

    /* Forbidden method, any case. */
    req.request_method.lines = &trace;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.status == 403 && d.denial == CORS_DENIAL_METHOD_FORBIDDEN);

    /* Two Access-Control-Request-Method lines. */
    cors_str two_methods[2] = {S("PUT"), S("PUT")};
    req.request_method.lines = two_methods;
    req.request_method.count = 2;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_MULTIPLE_METHODS);
    req.request_method.lines = &put;
    req.request_method.count = 1;

    /* Nine Access-Control-Request-Headers lines: read as one list. */
    cors_str many[CORS_MAX_REQUEST_HEADER_LINES + 1];
    for (size_t i = 0; i < CORS_MAX_REQUEST_HEADER_LINES + 1; i++) {
        many[i] = S("content-type");
    }
    req.request_headers.lines = many;
    req.request_headers.count = CORS_MAX_REQUEST_HEADER_LINES + 1;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.denial == CORS_DENIAL_NONE);
    CHECK(str_eq(find_header(&d, "access-control-allow-headers")->value, "content-type"));
    req.request_headers.lines = &acrh;
    req.request_headers.count = 1;

    /* Origins: not allowed, repeated, malformed bytes (not UTF-8: a denial, not an error). */
    req.origin.lines = &evil;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED && str_eq(d.denial_value, "https://evil.example"));
    CHECK_RESULT(cors_decision_reason(&d, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n == strlen("origin https://evil.example is not in allow_origins"));
    req.origin.lines = two_origins;
    req.origin.count = 2;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_MULTIPLE_ORIGINS && d.denial_value.len == 0);
    req.origin.lines = &malformed;
    req.origin.count = 1;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_ORIGIN_MALFORMED);
    CHECK_RESULT(cors_decision_reason(&d, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n > 0);

    /* Actual requests: allowed (echo) and denied (no CORS headers, Vary still). */
    cors_request actual = {0};
    actual.method = S("POST");
    actual.origin.lines = &origin;
    actual.origin.count = 1;
    CHECK_RESULT(cors_decide(policy, &actual, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_FORWARD && d.kind == CORS_REQUEST_KIND_ACTUAL && d.status == 0);
    CHECK(d.header_count == 2 && d.vary == CORS_VARY_ORIGIN);
    actual.origin.lines = &evil;
    CHECK_RESULT(cors_decide(policy, &actual, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_FORWARD && d.header_count == 0);
    CHECK(d.denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED);
}

static void test_mirroring(void) {
    /* "*" with credentials mirrors each request line; several lines give several headers. */
    const cors_policy *p = policy_toml(
        "allow_origins = [\"https://app.example.com\"]\n"
        "allow_headers = \"*\"\n"
        "allow_methods = \"*\"\n"
        "allow_credentials = true\n");
    cors_str origin = S("https://app.example.com");
    cors_str method = S("Patch");
    cors_str lines[3] = {S("x-a, x-b"), S(""), S("X-C")};
    cors_request req = {0};
    req.method = S("OPTIONS");
    req.origin.lines = &origin;
    req.origin.count = 1;
    req.request_method.lines = &method;
    req.request_method.count = 1;
    req.request_headers.lines = lines;
    req.request_headers.count = 3;
    cors_decision d;
    CHECK_RESULT(cors_decide(p, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.denial == CORS_DENIAL_NONE);
    size_t allow_headers = 0;
    for (size_t i = 0; i < d.header_count; i++) {
        if (str_eq(d.headers[i].name, "access-control-allow-headers")) {
            CHECK(d.headers[i].source == CORS_VALUE_SOURCE_REQUEST);
            CHECK(d.headers[i].value.ptr == lines[allow_headers == 0 ? 0 : 2].ptr);
            allow_headers++;
        }
    }
    CHECK(allow_headers == 2);
    const cors_header *m = find_header(&d, "access-control-allow-methods");
    CHECK(m != NULL && str_eq(m->value, "Patch") && m->source == CORS_VALUE_SOURCE_REQUEST);

    /* Mirroring is bounded: the decision holds CORS_MAX_REQUEST_HEADER_LINES mirrored
     * lines at most, and one more line with names is a denial. */
    cors_str many[CORS_MAX_REQUEST_HEADER_LINES + 1];
    for (size_t i = 0; i < CORS_MAX_REQUEST_HEADER_LINES + 1; i++) {
        many[i] = S("x-a");
    }
    req.request_headers.lines = many;
    req.request_headers.count = CORS_MAX_REQUEST_HEADER_LINES;
    CHECK_RESULT(cors_decide(p, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.denial == CORS_DENIAL_NONE && d.header_count <= CORS_MAX_HEADERS);
    allow_headers = 0;
    for (size_t i = 0; i < d.header_count; i++) {
        allow_headers += str_eq(d.headers[i].name, "access-control-allow-headers");
    }
    CHECK(allow_headers == CORS_MAX_REQUEST_HEADER_LINES);
    req.request_headers.count = CORS_MAX_REQUEST_HEADER_LINES + 1;
    CHECK_RESULT(cors_decide(p, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_RESPOND && d.status == 403 && d.denial == CORS_DENIAL_TOO_MANY_HEADER_LINES);
    cors_policy_free(p);
}

static void test_helpers(void) {
    cors_str out = S("untouched");
    cors_lines none = {NULL, 0};
    CHECK_RESULT(cors_vary_merge(none, CORS_VARY_ORIGIN, &out), CORS_RESULT_OK);
    CHECK(str_eq(out, "Origin"));
    cors_str existing[2] = {S("accept-encoding"), S("ORIGIN")};
    cors_lines two = {existing, 2};
    CHECK_RESULT(cors_vary_merge(two, CORS_VARY_ORIGIN | CORS_VARY_REQUEST_METHOD, &out),
                 CORS_RESULT_OK);
    CHECK(str_eq(out, "Access-Control-Request-Method"));
    CHECK_RESULT(cors_vary_merge(two, CORS_VARY_ORIGIN, &out), CORS_RESULT_OK);
    CHECK(out.ptr != NULL && out.len == 0); /* nothing to add */
    cors_str star = S("*");
    cors_lines star_line = {&star, 1};
    CHECK_RESULT(cors_vary_merge(star_line, CORS_VARY_ORIGIN, &out), CORS_RESULT_OK);
    CHECK(out.len == 0);
    CHECK_RESULT(cors_vary_merge(none, 0, &out), CORS_RESULT_OK);
    CHECK(out.len == 0);
    out = S("untouched");
    CHECK_RESULT(cors_vary_merge(none, 16, &out), CORS_RESULT_INVALID_ARGUMENT);
    CHECK(str_eq(out, "untouched"));
    CHECK_RESULT(cors_vary_merge(none, CORS_VARY_ORIGIN, NULL), CORS_RESULT_NULL_POINTER);
    cors_lines null_array = {NULL, 2};
    CHECK_RESULT(cors_vary_merge(null_array, CORS_VARY_ORIGIN, &out), CORS_RESULT_NULL_POINTER);
    cors_str null_line = {NULL, 1};
    cors_lines bad_line = {&null_line, 1};
    CHECK_RESULT(cors_vary_merge(bad_line, CORS_VARY_ORIGIN, &out), CORS_RESULT_NULL_POINTER);
    CHECK(str_eq(out, "untouched"));

    CHECK(cors_is_owned_header((const uint8_t *)"Access-Control-Allow-Origin", 27));
    CHECK(cors_is_owned_header((const uint8_t *)"access-control-max-age", 22));
    CHECK(cors_is_owned_header((const uint8_t *)"ACCESS-CONTROL-EXPOSE-HEADERS", 29));
    CHECK(!cors_is_owned_header((const uint8_t *)"access-control-request-method", 29));
    CHECK(!cors_is_owned_header((const uint8_t *)"vary", 4));
    CHECK(!cors_is_owned_header(NULL, 0));
    CHECK(!cors_is_owned_header(NULL, 27));
}

/* Routes by raw path, and report-only mode through cors_report. */
static void test_routes_and_report(void) {
    const cors_policy *policy = policy_toml("allow_origins = [\"https://app.example.com\"]\n"
                                            "[[routes]]\n"
                                            "path = \"/admin\"\n"
                                            "allow_origins = [\"https://admin.example.com\"]\n"
                                            "[[routes]]\n"
                                            "path = \"/shadow\"\n"
                                            "mode = \"report-only\"\n");
    cors_str admin = S("https://admin.example.com");
    cors_request req = {0};
    req.method = S("GET");
    req.origin.lines = &admin;
    req.origin.count = 1;
    cors_decision d;

    req.path = S("/admin/users?x=1");
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_NONE && str_eq(d.route, "/admin") && !d.report_only);
    CHECK(d.header_count == 1 && str_eq(d.headers[0].value, "https://admin.example.com"));

    req.path = S("/adminx");
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED && d.route.len == 0);

    /* Not in normal form, or no path at all: nothing granted. */
    req.path = S("/%61dmin/users");
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_PATH_NOT_NORMAL && d.header_count == 0);
    req.path.ptr = NULL;
    req.path.len = 0;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.denial == CORS_DENIAL_PATH_NOT_NORMAL);
    req.path.len = 4;
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_NULL_POINTER);

    /* Report-only: nothing to apply; cors_report compares with the handler's response. */
    req.path = S("/shadow/x");
    CHECK_RESULT(cors_decide(policy, &req, &d), CORS_RESULT_OK);
    CHECK(d.report_only && d.action == CORS_ACTION_FORWARD);
    CHECK(d.header_count == 0 && d.vary == 0 && str_eq(d.route, "/shadow"));
    CHECK(d.denial == CORS_DENIAL_ORIGIN_NOT_ALLOWED);
    cors_response res = {0};
    res.status = 200;
    cors_report_outcome out;
    CHECK_RESULT(cors_report(policy, &req, &res, &out), CORS_RESULT_OK);
    CHECK(out.reported && !out.policy_allows && !out.handler_allows && !out.disagrees);
    CHECK(str_eq(out.handler_reason, "it has no Access-Control-Allow-Origin"));
    res.allow_origin.lines = &admin;
    res.allow_origin.count = 1;
    CHECK_RESULT(cors_report(policy, &req, &res, &out), CORS_RESULT_OK);
    CHECK(out.reported && out.handler_allows && out.disagrees && out.handler_reason.len == 0);
    /* An enforced route reports nothing; NULLs are refused. */
    req.path = S("/admin");
    CHECK_RESULT(cors_report(policy, &req, &res, &out), CORS_RESULT_OK);
    CHECK(!out.reported && !out.disagrees);
    CHECK_RESULT(cors_report(NULL, &req, &res, &out), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_report(policy, NULL, &res, &out), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_report(policy, &req, NULL, &out), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_report(policy, &req, &res, NULL), CORS_RESULT_NULL_POINTER);
    res.allow_headers.lines = NULL;
    res.allow_headers.count = 2;
    CHECK_RESULT(cors_report(policy, &req, &res, &out), CORS_RESULT_NULL_POINTER);
    cors_policy_free(policy);
}

int main(void) {
    const cors_policy *policy = policy_toml(POLICY);
    test_routes_and_report();
    test_decide_nulls(policy);
    test_decisions(policy);
    test_mirroring();
    test_helpers();
    cors_policy_free(policy);
    puts("inputs: ok");
    return 0;
}
