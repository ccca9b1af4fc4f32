/*
 * cors-c-server: the project's example server contract on GNU libmicrohttpd, with every
 * CORS decision made by cors-ffi (include/cors.h). The server only applies decisions:
 * it passes the request's CORS headers to cors_decide, answers preflights with the
 * decision's status, drops handler-set headers the engine owns, adds the decision's
 * headers and merges Vary with cors_vary_merge.
 *
 *   cors-c-server [--config PATH] [--listen ADDR]
 *
 * --config defaults to examples/cors.toml, --listen to 127.0.0.1:8080 (port 0 picks a free
 * port). Once it accepts connections it prints `listening on http://HOST:PORT`.
 *
 * Routes: /anything/... (200, body "ok"), /status/{code} (that status), /vary (handler sets
 * Vary: Accept-Encoding), /own-acao (handler sets its own Access-Control-Allow-Origin);
 * every handler sets x-handler: reached. Anything else: 404.
 *
 * Build: make -C examples/c-server (see the Makefile).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cors.h"

#define DEFAULT_CONFIG "examples/cors.toml"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define USAGE "usage: cors-c-server [--config PATH] [--listen ADDR]"

/* ---- Request side: the lines of the four headers the engine reads ---------------------- */

/* The lines of one header. Most requests have one line or none; the array grows on the
 * heap only for requests repeating a header more than INLINE_LINES times. */
#define INLINE_LINES 4

typedef struct {
    cors_str inline_lines[INLINE_LINES];
    cors_str *lines;
    size_t count;
    size_t cap;
    int failed; /* out of memory */
} line_list;

typedef struct {
    line_list origin;
    line_list request_method;
    line_list request_headers;
    line_list private_network;
} cors_lines_of_request;

static void lines_init(line_list *l) {
    l->lines = l->inline_lines;
    l->count = 0;
    l->cap = INLINE_LINES;
    l->failed = 0;
}

static void lines_push(line_list *l, const char *value, size_t len) {
    if (l->count == l->cap) {
        size_t cap = l->cap * 2;
        cors_str *grown = malloc(cap * sizeof *grown);
        if (grown == NULL) {
            l->failed = 1;
            return;
        }
        memcpy(grown, l->lines, l->count * sizeof *grown);
        if (l->lines != l->inline_lines) {
            free(l->lines);
        }
        l->lines = grown;
        l->cap = cap;
    }
    l->lines[l->count].ptr = (const uint8_t *)value;
    l->lines[l->count].len = len;
    l->count++;
}

static void lines_free(line_list *l) {
    if (l->lines != l->inline_lines) {
        free(l->lines);
    }
}

static cors_lines lines_view(const line_list *l) {
    cors_lines v;
    v.lines = l->lines;
    v.count = l->count;
    return v;
}

/* MHD calls this for every request header line, in order, repeats included. */
static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size) {
    cors_lines_of_request *req = cls;
    line_list *l = NULL;
    (void)kind;
#define IS(name) (key_size == sizeof(name) - 1 && strncasecmp(key, name, key_size) == 0)
    if (IS(CORS_HEADER_ORIGIN)) {
        l = &req->origin;
    } else if (IS(CORS_HEADER_ACCESS_CONTROL_REQUEST_METHOD)) {
        l = &req->request_method;
    } else if (IS(CORS_HEADER_ACCESS_CONTROL_REQUEST_HEADERS)) {
        l = &req->request_headers;
    } else if (IS(CORS_HEADER_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)) {
        l = &req->private_network;
    }
#undef IS
    if (l != NULL) {
        lines_push(l, value == NULL ? "" : value, value == NULL ? 0 : value_size);
    }
    return MHD_YES;
}

/* ---- Response side ---------------------------------------------------------------------- */

#define MAX_HANDLER_HEADERS 4

typedef struct {
    const char *name;
    const char *value;
} handler_header;

/* What a route's handler answers. */
typedef struct {
    unsigned status;
    const char *body;
    handler_header headers[MAX_HANDLER_HEADERS];
    size_t header_count;
} handler_response;

static void handler_set(handler_response *r, const char *name, const char *value) {
    if (r->header_count < MAX_HANDLER_HEADERS) {
        r->headers[r->header_count].name = name;
        r->headers[r->header_count].value = value;
        r->header_count++;
    }
}

/* The route handlers of the server contract. */
static void route(const char *url, handler_response *r) {
    memset(r, 0, sizeof *r);
    r->body = "";
    if (strcmp(url, "/anything") == 0 || strncmp(url, "/anything/", 10) == 0) {
        handler_set(r, "x-handler", "reached");
        r->status = 200;
        r->body = "ok";
    } else if (strncmp(url, "/status/", 8) == 0) {
        const char *digits = url + 8;
        size_t n = strspn(digits, "0123456789");
        unsigned code = n >= 1 && n <= 3 && digits[n] == '\0' ? (unsigned)atoi(digits) : 0;
        handler_set(r, "x-handler", "reached");
        r->status = code >= 200 && code <= 599 ? code : 400;
    } else if (strcmp(url, "/vary") == 0) {
        handler_set(r, "x-handler", "reached");
        handler_set(r, "Vary", "Accept-Encoding");
        r->status = 200;
        r->body = "ok";
    } else if (strcmp(url, "/own-acao") == 0) {
        handler_set(r, "x-handler", "reached");
        handler_set(r, "Access-Control-Allow-Origin", "https://handler.invalid");
        r->status = 200;
        r->body = "ok";
    } else {
        r->status = MHD_HTTP_NOT_FOUND;
    }
}

/* Adds a header given as slices (cors-ffi slices are not NUL-terminated). */
static int add_header(struct MHD_Response *resp, cors_str name, cors_str value) {
    char small[512];
    size_t need = name.len + 1 + value.len + 1;
    char *buf = need <= sizeof small ? small : malloc(need);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, name.ptr, name.len);
    buf[name.len] = '\0';
    char *v = buf + name.len + 1;
    memcpy(v, value.ptr, value.len);
    v[value.len] = '\0';
    int ok = MHD_add_response_header(resp, buf, v) == MHD_YES;
    if (buf != small) {
        free(buf);
    }
    return ok;
}

static cors_str cstr(const char *s) {
    cors_str r;
    r.ptr = (const uint8_t *)s;
    r.len = strlen(s);
    return r;
}

/* Applies a decision to a response the handler (or the server) built: handler headers the
 * engine owns are dropped, the decision's headers added in order, Vary merged. */
static int apply_decision(struct MHD_Response *resp, const cors_decision *d,
                          const handler_response *h) {
    cors_str vary[MAX_HANDLER_HEADERS];
    cors_lines existing = {vary, 0};
    for (size_t i = 0; h != NULL && i < h->header_count; i++) {
        const char *name = h->headers[i].name;
        /* A report-only decision leaves the handler's headers as they are. */
        if (!d->report_only && cors_is_owned_header((const uint8_t *)name, strlen(name))) {
            continue;
        }
        if (MHD_add_response_header(resp, name, h->headers[i].value) != MHD_YES) {
            return 0;
        }
        if (strcasecmp(name, "vary") == 0) {
            vary[existing.count++] = cstr(h->headers[i].value);
        }
    }
    for (size_t i = 0; i < d->header_count; i++) {
        if (!add_header(resp, d->headers[i].name, d->headers[i].value)) {
            return 0;
        }
    }
    cors_str line;
    if (cors_vary_merge(existing, d->vary, &line) != CORS_RESULT_OK) {
        return 0;
    }
    return line.len == 0 || add_header(resp, cstr("Vary"), line);
}

/* ---- The request handler ---------------------------------------------------------------- */

/* The policy in force, replaced on SIGHUP; each request takes its own reference. */
static cors_handle *policies;

/* MHD decodes %XX in the path it hands to handlers by default; the engine picks routes by
 * the raw path (a decoded /%61dmin must not look like /admin), so keep it as received. */
static size_t keep_escapes(void *cls, struct MHD_Connection *conn, char *s) {
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* Report-only mode: the policy's decision against the handler's own response, logged
 * when the two disagree (the response goes out unchanged). */
static void report(const cors_policy *policy, const cors_request *req, const char *method,
                   const char *url, const handler_response *h) {
    cors_str lines[4][MAX_HANDLER_HEADERS];
    size_t counts[4] = {0, 0, 0, 0};
    static const char *names[4] = {"access-control-allow-origin",
                                   "access-control-allow-credentials",
                                   "access-control-allow-methods", "access-control-allow-headers"};
    for (size_t i = 0; i < h->header_count; i++) {
        for (size_t k = 0; k < 4; k++) {
            if (strcasecmp(h->headers[i].name, names[k]) == 0) {
                lines[k][counts[k]++] = cstr(h->headers[i].value);
            }
        }
    }
    cors_response res;
    memset(&res, 0, sizeof res);
    res.status = (uint16_t)h->status;
    res.allow_origin = (cors_lines){lines[0], counts[0]};
    res.allow_credentials = (cors_lines){lines[1], counts[1]};
    res.allow_methods = (cors_lines){lines[2], counts[2]};
    res.allow_headers = (cors_lines){lines[3], counts[3]};
    cors_report_outcome out;
    if (cors_report(policy, req, &res, &out) != CORS_RESULT_OK || !out.reported ||
        !out.disagrees) {
        return;
    }
    if (out.policy_allows) {
        fprintf(stderr,
                "cors report-only: the policy would allow %s %s, but the browser cannot read "
                "the response: %.*s\n",
                method, url, (int)out.handler_reason.len, (const char *)out.handler_reason.ptr);
    } else {
        fprintf(stderr,
                "cors report-only: the policy would deny %s %s, but the response lets the "
                "browser read it\n",
                method, url);
    }
}

static enum MHD_Result answer_error(struct MHD_Connection *conn) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        return MHD_NO;
    }
    enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
    static int started;
    (void)cls;
    (void)version;
    (void)upload_data;
    if (*req_cls == NULL) {
        /* Headers received; the body (if any) comes in the next calls. */
        *req_cls = &started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* the routes ignore request bodies */
        return MHD_YES;
    }

    cors_lines_of_request lines;
    lines_init(&lines.origin);
    lines_init(&lines.request_method);
    lines_init(&lines.request_headers);
    lines_init(&lines.private_network);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, &lines);

    enum MHD_Result result = MHD_NO;
    cors_request req;
    req.method = cstr(method);
    req.origin = lines_view(&lines.origin);
    req.request_method = lines_view(&lines.request_method);
    req.request_headers = lines_view(&lines.request_headers);
    req.private_network = lines_view(&lines.private_network);
    req.path = cstr(url);

    /* The policy in force now serves this request to the end, whatever a reload does. */
    const cors_policy *policy = cors_handle_current(policies);
    cors_decision d;
    if (policy == NULL || lines.origin.failed || lines.request_method.failed ||
        lines.request_headers.failed || lines.private_network.failed ||
        cors_decide(policy, &req, &d) != CORS_RESULT_OK) {
        result = answer_error(conn);
        goto done;
    }
    if (d.denial != CORS_DENIAL_NONE) {
        /* Logs only: the reason never goes to the client. */
        uint8_t reason[256];
        size_t n = 0;
        cors_decision_reason(&d, reason, sizeof reason, &n);
        fprintf(stderr, "cors: %s %s denied: %.*s\n", method, url, (int)n, (const char *)reason);
    }

    struct MHD_Response *resp;
    unsigned status;
    handler_response h;
    if (d.action == CORS_ACTION_FORWARD) {
        route(url, &h);
        status = h.status;
        if (d.report_only) {
            report(policy, &req, method, url, &h);
        }
        resp = MHD_create_response_from_buffer(strlen(h.body), (void *)h.body,
                                               MHD_RESPMEM_PERSISTENT);
    } else {
        /* A preflight answered now: its status, an empty body, no handler. */
        status = d.status;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL) {
        result = answer_error(conn);
        goto done;
    }
    if (!apply_decision(resp, &d, d.action == CORS_ACTION_FORWARD ? &h : NULL)) {
        MHD_destroy_response(resp);
        result = answer_error(conn);
        goto done;
    }
    result = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);

done:
    cors_policy_free(policy);
    lines_free(&lines.origin);
    lines_free(&lines.request_method);
    lines_free(&lines.request_headers);
    lines_free(&lines.private_network);
    return result;
}

/* ---- Command line, policy, daemon ------------------------------------------------------- */

/* Parses HOST:PORT with a numeric IPv4 host or a bracketed IPv6 one. */
static int parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len) {
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host || colon[1] == '\0') {
        return 0;
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        return 0;
    }
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    memset(addr, 0, sizeof *addr);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) {
            return 0;
        }
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return 1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
        return 0;
    }
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return 1;
}

/* Loads the policy, printing the core's messages (errors name file, field and fix). */
static const cors_policy *load_policy(const char *path) {
    const cors_policy *p = NULL;
    cors_error *err = NULL;
    if (cors_policy_from_path((const uint8_t *)path, strlen(path), &p, &err) != CORS_RESULT_OK) {
        cors_str m = cors_error_message(err);
        fprintf(stderr, "%.*s\n", (int)m.len, (const char *)m.ptr);
        cors_error_free(err);
        return NULL;
    }
    for (size_t i = 0; i < cors_policy_warning_count(p); i++) {
        cors_str w;
        if (cors_policy_warning(p, i, &w) == CORS_RESULT_OK) {
            fprintf(stderr, "%s: warning: %.*s\n", path, (int)w.len, (const char *)w.ptr);
        }
    }
    return p;
}

/* The value of `--flag VALUE` or `--flag=VALUE` at argv[*i], or NULL if not this flag. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i) {
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0) {
        return NULL;
    }
    if (argv[*i][n] == '=') {
        return argv[*i] + n + 1;
    }
    if (argv[*i][n] != '\0') {
        return NULL;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n%s\n", flag, USAGE);
        exit(2);
    }
    *i += 1;
    return argv[*i];
}

int main(int argc, char **argv) {
    const char *config = DEFAULT_CONFIG;
    const char *listen = DEFAULT_LISTEN;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = flag_value("--config", argc, argv, &i)) != NULL) {
            config = v;
        } else if ((v = flag_value("--listen", argc, argv, &i)) != NULL) {
            listen = v;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fprintf(stderr, "%s\n", USAGE);
            return 2;
        } else {
            fprintf(stderr, "unknown argument \"%s\"\n%s\n", argv[i], USAGE);
            return 2;
        }
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (!parse_listen(listen, &addr, &addr_len)) {
        fprintf(stderr, "--listen \"%s\": not HOST:PORT; write e.g. 127.0.0.1:8080\n", listen);
        return 2;
    }
    (void)addr_len;

    const cors_policy *first = load_policy(config);
    if (first == NULL) {
        return 1;
    }
    policies = cors_handle_new(first);
    cors_policy_free(first);

    /* SIGINT/SIGTERM end the process and SIGHUP reloads the policy, through sigwait
     * below, in this thread (blocked before the daemon's threads start, so theirs too). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    struct MHD_Daemon *daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, 4u,
                         MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL, MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "cannot listen on %s\n", listen);
        cors_handle_free(policies);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info != NULL ? info->port : 0;
    char host[INET6_ADDRSTRLEN];
    if (addr.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof host);
        printf("listening on http://[%s]:%u\n", host, port);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof host);
        printf("listening on http://%s:%u\n", host, port);
    }
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP) {
        /* A valid file is put in force; an invalid one is reported (load_policy prints
         * every error, naming the file) and the policy in force stays. */
        const cors_policy *fresh = load_policy(config);
        if (fresh == NULL) {
            fprintf(stderr, "%s: not reloaded, the policy in force stays\n", config);
            continue;
        }
        cors_handle_store(policies, fresh);
        cors_policy_free(fresh);
        fprintf(stderr, "%s: reloaded\n", config);
    }
    MHD_stop_daemon(daemon);
    cors_handle_free(policies);
    return 0;
}
