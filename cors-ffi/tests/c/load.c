/* Loading policies from TOML, JSON and files: result codes, error messages, warnings,
 * reference counting, result descriptions. Usage: load SCRATCH_DIR */
#include "check.h"

static const cors_policy *const SENTINEL = (const cors_policy *)&SENTINEL;

/* Loads `text` with `load`, expects `want`, and checks the error message contains each of
 * the NULL-terminated `needles`. */
typedef cors_result (*loader)(const uint8_t *, size_t, const cors_policy **, cors_error **);

static void expect_error(loader load, const char *text, cors_result want, const char **needles) {
    const cors_policy *p = SENTINEL;
    cors_error *err = NULL;
    cors_result r = load((const uint8_t *)text, strlen(text), &p, &err);
    if (r != want) {
        cors_str m = cors_error_message(err);
        fprintf(stderr, "loading %s: got %u, expected %u: %.*s\n", text, (unsigned)r,
                (unsigned)want, (int)m.len, (const char *)m.ptr);
        exit(1);
    }
    CHECK(p == SENTINEL); /* outputs are written only on success */
    CHECK(err != NULL);
    CHECK(cors_error_result(err) == want);
    cors_str m = cors_error_message(err);
    CHECK(m.ptr != NULL && m.len > 0);
    CHECK(m.ptr[m.len] == '\0'); /* usable as a C string */
    CHECK(strlen((const char *)m.ptr) == m.len);
    for (; needles != NULL && *needles != NULL; needles++) {
        if (!str_contains(m, *needles)) {
            fprintf(stderr, "message lacks \"%s\":\n%.*s\n", *needles, (int)m.len,
                    (const char *)m.ptr);
            exit(1);
        }
    }
    cors_error_free(err);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    CHECK(fputs(text, f) >= 0);
    CHECK(fclose(f) == 0);
}

static cors_result load_path(const char *path, const cors_policy **p, cors_error **err) {
    return cors_policy_from_path((const uint8_t *)path, strlen(path), p, err);
}

static void test_valid(void) {
    const char *toml =
        "allow_origins = [\"https://app.example.com\"]\n"
        "allow_methods = [\"GET\", \"PUT\"]\n";
    const cors_policy *p = NULL;
    CHECK_RESULT(cors_policy_from_toml((const uint8_t *)toml, strlen(toml), &p, NULL),
                 CORS_RESULT_OK);
    CHECK(p != NULL);
    CHECK(cors_policy_warning_count(p) == 0);

    /* Reference counting: a clone is the same handle, freed independently. */
    const cors_policy *q = cors_policy_clone(p);
    CHECK(q == p);
    cors_policy_free(p);
    cors_request req = {0};
    cors_str origin = S("https://app.example.com");
    req.method = S("GET");
    req.origin.lines = &origin;
    req.origin.count = 1;
    cors_decision d;
    CHECK_RESULT(cors_decide(q, &req, &d), CORS_RESULT_OK);
    CHECK(d.action == CORS_ACTION_FORWARD);
    cors_policy_free(q);

    const char *json = "{\"allow_origins\": \"*\", \"max_age\": 600}";
    CHECK_RESULT(cors_policy_from_json((const uint8_t *)json, strlen(json), &p, NULL),
                 CORS_RESULT_OK);
    cors_policy_free(p);

    /* Warnings: accepted, reported beside the policy. */
    const char *warn = "allow_origins = [\"https://a.example.com\"]\nallow_headers = [\"cookie\"]\n";
    cors_error *err = NULL;
    CHECK_RESULT(cors_policy_from_toml((const uint8_t *)warn, strlen(warn), &p, &err),
                 CORS_RESULT_OK);
    CHECK(err == NULL);
    CHECK(cors_policy_warning_count(p) == 1);
    cors_str w = {0};
    CHECK_RESULT(cors_policy_warning(p, 0, &w), CORS_RESULT_OK);
    CHECK(str_contains(w, "allow_headers[0]") && str_contains(w, "cookie"));
    cors_str untouched = S("x");
    CHECK_RESULT(cors_policy_warning(p, 1, &untouched), CORS_RESULT_INVALID_ARGUMENT);
    CHECK(str_eq(untouched, "x"));
    CHECK_RESULT(cors_policy_warning(p, 0, NULL), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_policy_warning(NULL, 0, &w), CORS_RESULT_NULL_POINTER);
    CHECK(cors_policy_warning_count(NULL) == 0);
    cors_policy_free(p);
}

static void test_invalid(void) {
    const char *bad_fields[] = {
        "allow_origins[0]", "https://a.example.com/path", "has no path",
        "allow_methods[0]", "TRACE", "(3 errors)", NULL};
    expect_error(cors_policy_from_toml,
                 "allow_origins = [\"https://a.example.com/path\", \"*\"]\n"
                 "allow_credentials = true\n"
                 "allow_methods = [\"TRACE\"]\n",
                 CORS_RESULT_CONFIG_INVALID, bad_fields);

    const char *unknown_key[] = {"allow_origin", "unknown field", "1:1:", NULL};
    expect_error(cors_policy_from_toml, "allow_origin = [\"https://a.example.com\"]",
                 CORS_RESULT_CONFIG_SYNTAX, unknown_key);

    const char *syntax[] = {"invalid TOML config", NULL};
    expect_error(cors_policy_from_toml, "allow_origins = [", CORS_RESULT_CONFIG_SYNTAX, syntax);

    const char *missing[] = {"allow_origins", NULL};
    expect_error(cors_policy_from_toml, "", CORS_RESULT_CONFIG_SYNTAX, missing);

    const char *json_bad[] = {"allow_credentials", NULL};
    expect_error(cors_policy_from_json,
                 "{\"allow_origins\": \"*\", \"allow_credentials\": true}",
                 CORS_RESULT_CONFIG_INVALID, json_bad);
    const char *json_syntax[] = {"invalid JSON config", NULL};
    expect_error(cors_policy_from_json, "{\"allow_origins\": ", CORS_RESULT_CONFIG_SYNTAX,
                 json_syntax);

    /* Invalid UTF-8 text. */
    const char *utf8[] = {"UTF-8", NULL};
    expect_error(cors_policy_from_toml, "allow_origins = \"\xff\"", CORS_RESULT_INVALID_UTF8,
                 utf8);

    /* NULL arguments: an error object still explains. */
    const cors_policy *p = SENTINEL;
    cors_error *err = NULL;
    CHECK_RESULT(cors_policy_from_toml(NULL, 3, &p, &err), CORS_RESULT_NULL_POINTER);
    CHECK(p == SENTINEL && err != NULL);
    CHECK(cors_error_result(err) == CORS_RESULT_NULL_POINTER);
    cors_error_free(err);
    CHECK_RESULT(cors_policy_from_toml((const uint8_t *)"x", 1, NULL, NULL),
                 CORS_RESULT_NULL_POINTER);
    /* (NULL, 0) is the empty text: a schema error (allow_origins is required). */
    CHECK_RESULT(cors_policy_from_toml(NULL, 0, &p, NULL), CORS_RESULT_CONFIG_SYNTAX);
    CHECK(p == SENTINEL);
    CHECK(cors_error_result(NULL) == CORS_RESULT_NULL_POINTER);
    CHECK(cors_error_message(NULL).ptr != NULL && cors_error_message(NULL).len == 0);
}

static void test_files(const char *dir) {
    char path[4096];
    const cors_policy *p = NULL;
    cors_error *err = NULL;

    snprintf(path, sizeof path, "%s/good.toml", dir);
    write_file(path, "allow_origins = [\"https://app.example.com\"]\n");
    CHECK_RESULT(load_path(path, &p, NULL), CORS_RESULT_OK);
    cors_policy_free(p);

    snprintf(path, sizeof path, "%s/good.json", dir);
    write_file(path, "{\"allow_origins\": [\"https://app.example.com\"]}");
    CHECK_RESULT(load_path(path, &p, NULL), CORS_RESULT_OK);
    cors_policy_free(p);

    snprintf(path, sizeof path, "%s/good.yaml", dir);
    write_file(path, "allow_origins:\n  - https://app.example.com\n");
    CHECK_RESULT(load_path(path, &p, NULL), CORS_RESULT_OK);
    cors_policy_free(p);

    /* A file whose config fails validation: the message names the file and the field. */
    snprintf(path, sizeof path, "%s/bad.toml", dir);
    write_file(path, "allow_origins = [\"https://*.com\"]\n");
    p = SENTINEL;
    CHECK_RESULT(load_path(path, &p, &err), CORS_RESULT_CONFIG_INVALID);
    CHECK(p == SENTINEL);
    cors_str m = cors_error_message(err);
    CHECK(str_contains(m, path));
    CHECK(str_contains(m, "allow_origins[0]"));
    cors_error_free(err);

    /* A syntax error in a file: file, line and column. */
    snprintf(path, sizeof path, "%s/syntax.json", dir);
    write_file(path, "{\n  \"allow_origins\": [1]\n}");
    CHECK_RESULT(load_path(path, &p, &err), CORS_RESULT_CONFIG_SYNTAX);
    m = cors_error_message(err);
    CHECK(str_contains(m, path));
    CHECK(str_contains(m, ":2:"));
    cors_error_free(err);

    snprintf(path, sizeof path, "%s/policy.ini", dir);
    write_file(path, "allow_origins = *\n");
    CHECK_RESULT(load_path(path, &p, &err), CORS_RESULT_UNKNOWN_FORMAT);
    CHECK(str_contains(cors_error_message(err), "policy.ini"));
    cors_error_free(err);

    snprintf(path, sizeof path, "%s/missing.toml", dir);
    CHECK_RESULT(load_path(path, &p, &err), CORS_RESULT_IO);
    CHECK(str_contains(cors_error_message(err), "missing.toml"));
    CHECK(str_contains(cors_error_message(err), "cannot read"));
    cors_error_free(err);

    const char bad_path[] = "/tmp/\xc3\x28.toml";
    CHECK_RESULT(cors_policy_from_path((const uint8_t *)bad_path, strlen(bad_path), &p, NULL),
                 CORS_RESULT_INVALID_UTF8);
    CHECK(p == SENTINEL);
}

static void test_descriptions(void) {
    static const cors_result codes[] = {
        CORS_RESULT_OK, CORS_RESULT_PANIC, CORS_RESULT_NULL_POINTER, CORS_RESULT_INVALID_UTF8,
        CORS_RESULT_INVALID_ARGUMENT, CORS_RESULT_BUFFER_TOO_SMALL, CORS_RESULT_IO,
        CORS_RESULT_UNKNOWN_FORMAT, CORS_RESULT_FORMAT_DISABLED, CORS_RESULT_CONFIG_SYNTAX,
        CORS_RESULT_CONFIG_INVALID, CORS_RESULT_LOAD_FAILED};
    uint8_t buf[256];
    size_t n = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK_RESULT(cors_result_description(codes[i], buf, sizeof buf, &n), CORS_RESULT_OK);
        CHECK(n > 0 && n < sizeof buf);
    }
    CHECK_RESULT(cors_result_description(CORS_RESULT_OK, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n == 7 && memcmp(buf, "success", 7) == 0);
    CHECK_RESULT(cors_result_description(CORS_RESULT_NULL_POINTER, buf, 4, &n),
                 CORS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 4 && memcmp(buf, "a re", 4) == 0);
    CHECK_RESULT(cors_result_description(12345, buf, sizeof buf, &n), CORS_RESULT_OK);
    CHECK(n == strlen("unknown cors_result value 12345"));
    CHECK(memcmp(buf, "unknown cors_result value 12345", n) == 0);
    CHECK_RESULT(cors_result_description(CORS_RESULT_OK, NULL, 0, &n),
                 CORS_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 0);
    CHECK_RESULT(cors_result_description(CORS_RESULT_OK, NULL, 5, &n), CORS_RESULT_NULL_POINTER);
    CHECK_RESULT(cors_result_description(CORS_RESULT_OK, buf, sizeof buf, NULL),
                 CORS_RESULT_NULL_POINTER);
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    CHECK(str_eq(cors_version(), CORS_FFI_VERSION));
    test_valid();
    test_invalid();
    test_files(argv[1]);
    test_descriptions();
    cors_policy_free(NULL);
    cors_error_free(NULL);
    puts("load: ok");
    return 0;
}
