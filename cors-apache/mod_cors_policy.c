/*
 * mod_cors_policy: the project's CORS policy in Apache httpd 2.4, through the cors-ffi
 * C ABI.
 *
 * Every CORS decision is made by cors_decide (include/cors.h); this module only feeds it
 * the request's headers and applies the decision:
 *
 *   - a header_parser hook (after the <Location>/<Directory> walk, before the access,
 *     authentication and authorization hooks and before any handler, mod_proxy's
 *     included) decides the request and answers the preflights the engine answers
 *     (allowed: preflight_status; denied: 403), so `Require`, auth modules, handlers
 *     and upstreams never see them;
 *   - an output filter, inserted into every response of the main request (normal and
 *     error responses, ErrorDocuments included: "always"), placed after mod_headers and
 *     every content filter, drops the Access-Control-* headers the engine owns that a
 *     handler, an upstream or `Header set` added, adds the decision's headers and merges
 *     Vary.
 *
 * Directives (server config, <VirtualHost>, <Directory>, <Location>, <Files>; inherited
 * and overridable as Apache users expect):
 *   CorsPolicy PATH   the policy file (TOML/JSON/YAML), compiled when the configuration
 *                     is read; errors fail `apachectl configtest` and a graceful restart
 *                     run through apachectl keeps the running configuration.
 *   Cors On|Off       turn the module off (or back on) for a context.
 *
 * For logs, the request's notes `cors-result` and `cors-reason` hold the decision
 * (LogFormat "%{cors-result}n %{cors-reason}n").
 */

#include <string.h>

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "cors.h"

/* Request header lines kept per header: the engine needs no more (see cors.h). */
#define CORS_AP_LINES  (CORS_MAX_REQUEST_HEADER_LINES + 1)

/* Vary lines of a response read without a pool allocation. */
#define CORS_AP_VARY_INLINE  8

#define CORS_AP_UNSET  (-1)

#define CORS_AP_FILTER  "CORS_POLICY"

module AP_MODULE_DECLARE_DATA cors_policy_module;


typedef struct {
    /* the compiled policy, NULL when none applies */
    const cors_policy  *policy;
    /* the file it was compiled from, for messages */
    const char         *path;
    int                 policy_set;
    /* CORS_AP_UNSET, 0 (Off) or 1 (On) */
    int                 enable;
} cors_ap_dir_conf;


typedef struct {
    /* the policy `decision` was made with: another context's policy invalidates it */
    const cors_policy  *policy;
    cors_decision       decision;
} cors_ap_ctx;


typedef struct {
    cors_str            lines[CORS_AP_LINES];
    size_t              count;
} cors_ap_lines;


/* The policies of the configuration being read, by absolute path: a file named in
 * several contexts is compiled once. Lives in pconf, remade for every read. */
static apr_hash_t *cors_ap_files;

static ap_filter_rec_t *cors_ap_filter_handle;


/* ---- Configuration ------------------------------------------------------------------ */

static void *
cors_ap_create_dir_conf(apr_pool_t *p, char *dir)
{
    cors_ap_dir_conf  *conf;

    (void) dir;

    conf = apr_pcalloc(p, sizeof(cors_ap_dir_conf));
    conf->enable = CORS_AP_UNSET;
    return conf;
}


static void *
cors_ap_merge_dir_conf(apr_pool_t *p, void *base_conf, void *add_conf)
{
    cors_ap_dir_conf  *base = base_conf;
    cors_ap_dir_conf  *add = add_conf;
    cors_ap_dir_conf  *conf;

    conf = apr_palloc(p, sizeof(cors_ap_dir_conf));

    /* A context naming its own policy is on unless it also says `Cors Off`. */
    if (add->policy_set) {
        conf->policy = add->policy;
        conf->path = add->path;
        conf->policy_set = 1;
        conf->enable = add->enable == CORS_AP_UNSET ? 1 : add->enable;

    } else {
        conf->policy = base->policy;
        conf->path = base->path;
        conf->policy_set = base->policy_set;
        conf->enable = add->enable == CORS_AP_UNSET ? base->enable : add->enable;
    }

    return conf;
}


static apr_status_t
cors_ap_policy_cleanup(void *data)
{
    cors_policy_free(data);
    return APR_SUCCESS;
}


static int
cors_ap_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void) plog;
    (void) ptemp;

    cors_ap_files = apr_hash_make(pconf);
    return OK;
}


/*
 * CorsPolicy PATH: compiles the file now, so a bad policy fails `apachectl configtest`
 * and server start with the core's messages (file, line:col, field, fix). The policy
 * lives until the configuration pool is cleared: the children forked from this
 * configuration share it, and a graceful restart compiles the files again.
 */
static const char *
cors_ap_cmd_policy(cmd_parms *cmd, void *mconfig, const char *arg)
{
    uint8_t             buf[256];
    size_t              i, n;
    const char         *p, *last, *eol;
    cors_str            msg, warning;
    cors_error         *err;
    cors_result         rc;
    const char         *path;
    const cors_policy  *policy;
    cors_ap_dir_conf   *conf = mconfig;

    if (conf->policy_set) {
        return "CorsPolicy is given twice in this context";
    }

    if (arg[0] == '\0') {
        return "CorsPolicy needs a file path";
    }

    /* Relative paths are relative to ServerRoot, as for Include. */
    path = ap_server_root_relative(cmd->pool, arg);
    if (path == NULL) {
        return apr_pstrcat(cmd->pool, "CorsPolicy: invalid file path \"", arg, "\"",
                           NULL);
    }

    policy = cors_ap_files ? apr_hash_get(cors_ap_files, path, APR_HASH_KEY_STRING)
                           : NULL;

    if (policy == NULL) {
        err = NULL;
        rc = cors_policy_from_path((const uint8_t *) path, strlen(path), &policy, &err);

        if (rc != CORS_RESULT_OK) {
            /* The core's message names the file and, for each problem, the field and
             * a fix. Apache escapes newlines in a directive's error, so each line is
             * logged on its own (to stderr during configtest and startup, to the error
             * log during a restart) and the error names the file and points to them. */
            msg = cors_error_message(err);
            if (msg.len == 0) {
                n = 0;
                (void) cors_result_description(rc, buf, sizeof(buf), &n);
                msg.ptr = buf;
                msg.len = n;
            }

            p = (const char *) msg.ptr;
            last = p + msg.len;
            while (p < last) {
                eol = memchr(p, '\n', (size_t) (last - p));
                if (eol == NULL) {
                    eol = last;
                }

                ap_log_error(APLOG_MARK, APLOG_EMERG | APLOG_STARTUP, 0, cmd->server,
                             "%.*s", (int) (eol - p), p);
                p = eol + 1;
            }

            cors_error_free(err);
            return apr_pstrcat(cmd->pool, "CorsPolicy \"", path,
                               "\" is invalid (the errors are listed above)", NULL);
        }

        apr_pool_cleanup_register(cmd->pool, policy, cors_ap_policy_cleanup,
                                  apr_pool_cleanup_null);

        if (cors_ap_files != NULL) {
            apr_hash_set(cors_ap_files, path, APR_HASH_KEY_STRING, policy);
        }

        n = cors_policy_warning_count(policy);
        for (i = 0; i < n; i++) {
            if (cors_policy_warning(policy, i, &warning) == CORS_RESULT_OK) {
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                             "CorsPolicy \"%s\" (%s:%d): %.*s", path,
                             cmd->directive->filename, cmd->directive->line_num,
                             (int) warning.len, (const char *) warning.ptr);
            }
        }
    }

    conf->policy = policy;
    conf->path = path;
    conf->policy_set = 1;
    return NULL;
}


static const char *
cors_ap_cmd_enable(cmd_parms *cmd, void *mconfig, int on)
{
    cors_ap_dir_conf  *conf = mconfig;

    (void) cmd;

    conf->enable = on ? 1 : 0;
    return NULL;
}


/* Whether `Cors On` in the per-directory configuration `v` has no policy to apply:
 * none in this context and none in `defaults` (the virtual host's or the main
 * server's own). Sections that only inherit from another section are not followed: a
 * policy named anywhere in the server counts. */
static int
cors_ap_has_policy(ap_conf_vector_t *v)
{
    cors_ap_dir_conf  *conf;

    if (v == NULL) {
        return 0;
    }

    conf = ap_get_module_config(v, &cors_policy_module);
    return conf != NULL && conf->policy_set;
}


static void
cors_ap_scan(apr_array_header_t *sections, int *on, int *policy)
{
    int                 i;
    ap_conf_vector_t  **elts;
    cors_ap_dir_conf   *conf;

    if (sections == NULL) {
        return;
    }

    elts = (ap_conf_vector_t **) sections->elts;
    for (i = 0; i < sections->nelts; i++) {
        conf = ap_get_module_config(elts[i], &cors_policy_module);
        if (conf == NULL) {
            continue;
        }

        *on |= conf->enable == 1;
        *policy |= conf->policy_set;
    }
}


/* `Cors On` with no CorsPolicy anywhere in its server applies nothing: refuse it at
 * startup and in `apachectl configtest` (check_config runs for both), as nginx's module
 * refuses `cors on` without `cors_policy`. */
static int
cors_ap_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
    server_rec *main_server)
{
    int                  on, policy;
    server_rec          *s;
    cors_ap_dir_conf    *conf;
    core_server_config  *core;

    (void) pconf;
    (void) plog;
    (void) ptemp;

    for (s = main_server; s != NULL; s = s->next) {
        conf = ap_get_module_config(s->lookup_defaults, &cors_policy_module);
        on = conf != NULL && conf->enable == 1;
        policy = cors_ap_has_policy(s->lookup_defaults)
                 || cors_ap_has_policy(main_server->lookup_defaults);

        core = ap_get_core_module_config(s->module_config);
        cors_ap_scan(core->sec_dir, &on, &policy);
        cors_ap_scan(core->sec_url, &on, &policy);

        if (s != main_server) {
            core = ap_get_core_module_config(main_server->module_config);
            cors_ap_scan(core->sec_dir, &on, &policy);
            cors_ap_scan(core->sec_url, &on, &policy);
        }

        if (on && !policy) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         "\"Cors On\" needs a CorsPolicy in the same context or an "
                         "enclosing one (server %s:%u)",
                         s->server_hostname ? s->server_hostname : "(default)",
                         s->port);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return OK;
}


/* ---- Requests ----------------------------------------------------------------------- */

static const cors_ap_dir_conf *
cors_ap_conf(request_rec *r)
{
    const cors_ap_dir_conf  *conf;

    conf = ap_get_module_config(r->per_dir_config, &cors_policy_module);
    if (conf == NULL || conf->enable == 0 || conf->policy == NULL) {
        return NULL;
    }

    return conf;
}


static cors_ap_ctx *
cors_ap_ctx_of(request_rec *r)
{
    cors_ap_ctx  *ctx;

    ctx = ap_get_module_config(r->request_config, &cors_policy_module);
    if (ctx == NULL) {
        ctx = apr_palloc(r->pool, sizeof(cors_ap_ctx));
        ctx->policy = NULL;
        ap_set_module_config(r->request_config, &cors_policy_module, ctx);
    }

    return ctx;
}


static void
cors_ap_push_line(cors_ap_lines *lines, const char *value)
{
    /* Lines beyond the engine's limit change nothing in its answer (see cors.h). */
    if (lines->count < CORS_AP_LINES) {
        lines->lines[lines->count].ptr = (const uint8_t *) value;
        lines->lines[lines->count].len = strlen(value);
        lines->count++;
    }
}


static int
cors_ap_is(const char *key, size_t len, const char *name, size_t name_len)
{
    return len == name_len && strncasecmp(key, name, len) == 0;
}


/* The request as the engine reads it: its method, its raw request target (the original
 * request's, which picks the route also for an ErrorDocument) and the lines of the four
 * request headers, pointing into Apache's tables. lines[] is origin, method, headers,
 * PNA. Apache joins repeated request header lines with ", " before any module sees
 * them, so a repeated Origin reaches the engine as one malformed line (a denial too). */
static void
cors_ap_request(request_rec *r, cors_request *req, cors_ap_lines *lines)
{
    int                        i;
    size_t                     len;
    const char                *key;
    const request_rec         *first;
    const apr_array_header_t  *arr;
    const apr_table_entry_t   *e;

    for (i = 0; i < 4; i++) {
        lines[i].count = 0;
    }

    arr = apr_table_elts(r->headers_in);
    e = (const apr_table_entry_t *) arr->elts;

    for (i = 0; i < arr->nelts; i++) {
        key = e[i].key;
        if (key == NULL || e[i].val == NULL) {
            continue;
        }

        len = strlen(key);

        if (cors_ap_is(key, len, CORS_HEADER_ORIGIN, sizeof(CORS_HEADER_ORIGIN) - 1)) {
            cors_ap_push_line(&lines[0], e[i].val);

        } else if (cors_ap_is(key, len, CORS_HEADER_ACCESS_CONTROL_REQUEST_METHOD,
                              sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_METHOD) - 1))
        {
            cors_ap_push_line(&lines[1], e[i].val);

        } else if (cors_ap_is(key, len, CORS_HEADER_ACCESS_CONTROL_REQUEST_HEADERS,
                              sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_HEADERS) - 1))
        {
            cors_ap_push_line(&lines[2], e[i].val);

        } else if (cors_ap_is(key, len,
                              CORS_HEADER_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
                              sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                              - 1))
        {
            cors_ap_push_line(&lines[3], e[i].val);
        }
    }

    first = r;
    while (first->prev != NULL) {
        first = first->prev;
    }

    memset(req, 0, sizeof(*req));
    if (r->method != NULL) {
        req->method.ptr = (const uint8_t *) r->method;
        req->method.len = strlen(r->method);
    }
    if (first->unparsed_uri != NULL) {
        req->path.ptr = (const uint8_t *) first->unparsed_uri;
        req->path.len = strlen(first->unparsed_uri);
    }
    req->origin.lines = lines[0].lines;
    req->origin.count = lines[0].count;
    req->request_method.lines = lines[1].lines;
    req->request_method.count = lines[1].count;
    req->request_headers.lines = lines[2].lines;
    req->request_headers.count = lines[2].count;
    req->private_network.lines = lines[3].lines;
    req->private_network.count = lines[3].count;
}


/* The decision for `policy`, kept in the request's context for the filter and logs. */
static int
cors_ap_decide(request_rec *r, const cors_policy *policy, cors_ap_ctx *ctx)
{
    uint8_t         buf[256];
    size_t          len;
    cors_str        label;
    cors_result     rc;
    cors_request    req;
    cors_ap_lines   lines[4];
    cors_decision  *d = &ctx->decision;

    ctx->policy = NULL;

    cors_ap_request(r, &req, lines);
    rc = cors_decide(policy, &req, d);

    if (rc != CORS_RESULT_OK) {
        len = 0;
        (void) cors_result_description(rc, buf, sizeof(buf), &len);
        ap_log_rerror(APLOG_MARK, APLOG_ALERT, 0, r, "cors: cors_decide failed: %.*s",
                      (int) len, (const char *) buf);
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->policy = policy;

    /* %{cors-result}n and %{cors-reason}n for LogFormat; the result's label is a static
     * C string (cors.h). */
    label = cors_decision_result(d);
    apr_table_setn(r->notes, "cors-result", (const char *) label.ptr);

    if (d->denial != CORS_DENIAL_NONE) {
        apr_table_setn(r->notes, "cors-reason",
                       apr_pstrmemdup(r->pool, (const char *) d->denial_name.ptr,
                                      d->denial_name.len));

        if (APLOGrdebug(r)) {
            len = 0;
            (void) cors_decision_reason(d, buf, sizeof(buf), &len);
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "cors: %s \"%s\" denied: %.*s",
                          r->method, r->uri, (int) len, (const char *) buf);
        }
    }

    return OK;
}


/* Removes every header in `t` the engine owns (any case). */
static void
cors_ap_drop_owned(apr_table_t *t)
{
    int                        i, again;
    const apr_array_header_t  *arr;
    const apr_table_entry_t   *e;

    do {
        again = 0;
        arr = apr_table_elts(t);
        e = (const apr_table_entry_t *) arr->elts;

        for (i = 0; i < arr->nelts; i++) {
            /* Every owned name starts with "access-control-": the first byte spares
             * the call for the other headers; the engine decides the rest. */
            if (e[i].key != NULL && (e[i].key[0] | 0x20) == 'a'
                && cors_is_owned_header((const uint8_t *) e[i].key, strlen(e[i].key)))
            {
                /* unset removes every line of the name and moves the entries */
                apr_table_unset(t, e[i].key);
                again = 1;
                break;
            }
        }
    } while (again);
}


typedef struct {
    cors_str    inline_lines[CORS_AP_VARY_INLINE];
    cors_str   *lines;
    size_t      count;
    size_t      cap;
    apr_pool_t *pool;
} cors_ap_vary;


static int
cors_ap_collect_vary(void *data, const char *key, const char *value)
{
    cors_str      *grown;
    cors_ap_vary  *vary = data;

    (void) key;

    if (vary->count == vary->cap) {
        grown = apr_palloc(vary->pool, 2 * vary->cap * sizeof(cors_str));
        memcpy(grown, vary->lines, vary->count * sizeof(cors_str));
        vary->lines = grown;
        vary->cap *= 2;
    }

    vary->lines[vary->count].ptr = (const uint8_t *) value;
    vary->lines[vary->count].len = strlen(value);
    vary->count++;
    return 1;
}


/* Applies a decision to the response being made: the engine's headers replace whatever
 * a handler, an upstream or mod_headers set, and its Vary tokens are merged into the
 * response's Vary (from both header tables: Apache sends err_headers_out too). */
static int
cors_ap_apply(request_rec *r, const cors_decision *d)
{
    size_t         i;
    cors_str       line;
    cors_lines     existing;
    cors_ap_vary   vary;

    cors_ap_drop_owned(r->headers_out);
    cors_ap_drop_owned(r->err_headers_out);

    for (i = 0; i < d->header_count; i++) {
        apr_table_addn(r->headers_out,
                       apr_pstrmemdup(r->pool, (const char *) d->headers[i].name.ptr,
                                      d->headers[i].name.len),
                       apr_pstrmemdup(r->pool, (const char *) d->headers[i].value.ptr,
                                      d->headers[i].value.len));
    }

    if (d->vary == 0) {
        return OK;
    }

    vary.lines = vary.inline_lines;
    vary.count = 0;
    vary.cap = CORS_AP_VARY_INLINE;
    vary.pool = r->pool;
    apr_table_do(cors_ap_collect_vary, &vary, r->headers_out, "Vary", NULL);
    apr_table_do(cors_ap_collect_vary, &vary, r->err_headers_out, "Vary", NULL);

    existing.lines = vary.lines;
    existing.count = vary.count;

    if (cors_vary_merge(existing, d->vary, &line) != CORS_RESULT_OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    if (line.len != 0) {
        apr_table_addn(r->headers_out, "Vary",
                       apr_pstrmemdup(r->pool, (const char *) line.ptr, line.len));
    }

    return OK;
}


static int
cors_ap_collect_acl(void *data, const char *key, const char *value)
{
    (void) key;
    cors_ap_push_line(data, value);
    return 1;
}


/* Report-only mode: the policy's decision against the response the handler or upstream
 * made, logged at info level when the two disagree. Nothing in the response changes. */
static void
cors_ap_report(request_rec *r, const cors_policy *policy, const cors_decision *d)
{
    int                   k;
    uint8_t                buf[256];
    size_t                len;
    cors_request          req;
    cors_response         res;
    cors_report_outcome   out;
    cors_ap_lines         lines[4];
    cors_ap_lines         acl[4];
    static const char    *names[4] = {
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"
    };

    cors_ap_request(r, &req, lines);

    for (k = 0; k < 4; k++) {
        acl[k].count = 0;
        apr_table_do(cors_ap_collect_acl, &acl[k], r->headers_out, names[k], NULL);
        apr_table_do(cors_ap_collect_acl, &acl[k], r->err_headers_out, names[k], NULL);
    }

    memset(&res, 0, sizeof(res));
    res.status = (uint16_t) r->status;
    res.allow_origin.lines = acl[0].lines;
    res.allow_origin.count = acl[0].count;
    res.allow_credentials.lines = acl[1].lines;
    res.allow_credentials.count = acl[1].count;
    res.allow_methods.lines = acl[2].lines;
    res.allow_methods.count = acl[2].count;
    res.allow_headers.lines = acl[3].lines;
    res.allow_headers.count = acl[3].count;

    if (cors_report(policy, &req, &res, &out) != CORS_RESULT_OK
        || !out.reported || !out.disagrees)
    {
        return;
    }

    if (out.policy_allows) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "cors report-only: the policy would allow \"%s %s\", but the "
                      "browser cannot read the response: %.*s",
                      r->method, req.path.ptr ? (const char *) req.path.ptr : "",
                      (int) out.handler_reason.len,
                      (const char *) out.handler_reason.ptr);
        return;
    }

    len = 0;
    (void) cors_decision_reason(d, buf, sizeof(buf), &len);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "cors report-only: the policy would deny \"%s %s\" (%.*s), but the "
                  "response lets the browser read it",
                  r->method, req.path.ptr ? (const char *) req.path.ptr : "",
                  (int) len, (const char *) buf);
}


/* Decides the request and answers it when the engine answers it (a preflight): DONE
 * makes Apache finish the response here. */
static int
cors_ap_answer(request_rec *r, const cors_ap_dir_conf *conf, int apply_forwarded)
{
    int           rc;
    cors_ap_ctx  *ctx;

    ctx = cors_ap_ctx_of(r);

    rc = cors_ap_decide(r, conf->policy, ctx);
    if (rc != OK) {
        return rc;
    }

    if (ctx->decision.action == CORS_ACTION_FORWARD) {
        if (apply_forwarded && !ctx->decision.report_only) {
            rc = cors_ap_apply(r, &ctx->decision);
        }

        return rc == OK ? DECLINED : rc;
    }

    rc = ap_discard_request_body(r);
    if (rc != OK) {
        return rc;
    }

    r->status = ctx->decision.status;
    rc = cors_ap_apply(r, &ctx->decision);
    if (rc != OK) {
        return rc;
    }

    ap_set_content_length(r, 0);
    return DONE;
}


/*
 * Decides the request once its <Location>/<Directory> configuration is known and
 * answers the preflights the engine answers, before access control, authentication,
 * authorization and handlers (mod_proxy included) run.
 */
static int
cors_ap_header_parser(request_rec *r)
{
    const cors_ap_dir_conf  *conf;

    if (r->main != NULL) {
        return DECLINED;
    }

    conf = cors_ap_conf(r);
    if (conf == NULL) {
        return DECLINED;
    }

    return cors_ap_answer(r, conf, 0);
}


/*
 * `OPTIONS *` never reaches header_parser: Apache's HTTP module answers it from
 * map_to_storage (200, no body, no output filter). Decide it here first with the
 * server's configuration: a preflight is answered as any other, and the headers of a
 * forwarded request go onto Apache's own answer.
 */
static int
cors_ap_map_to_storage(request_rec *r)
{
    const cors_ap_dir_conf  *conf;

    if (r->main != NULL || r->method_number != M_OPTIONS || r->uri == NULL
        || strcmp(r->uri, "*") != 0)
    {
        return DECLINED;
    }

    conf = cors_ap_conf(r);
    if (conf == NULL) {
        return DECLINED;
    }

    return cors_ap_answer(r, conf, 1);
}


/* Adds the filter to the response being made, once: Apache resets the chain to its
 * protocol filters before an error response, then runs insert_error_filter. */
static void
cors_ap_insert_filter(request_rec *r)
{
    ap_filter_t  *f;

    if (r->main != NULL || cors_ap_conf(r) == NULL) {
        return;
    }

    for (f = r->output_filters; f != NULL; f = f->next) {
        if (f->frec == cors_ap_filter_handle) {
            return;
        }
    }

    ap_add_output_filter_handle(cors_ap_filter_handle, NULL, r, r->connection);
}


/* Runs once per response, on its first brigade, before the HTTP header filter sends the
 * headers. */
static apr_status_t
cors_ap_output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec             *r = f->r;
    cors_ap_ctx             *ctx;
    const cors_ap_dir_conf  *conf;

    ap_remove_output_filter(f);

    conf = cors_ap_conf(r);
    if (conf == NULL) {
        return ap_pass_brigade(f->next, bb);
    }

    /* The header_parser's decision, unless the request never got there (an error
     * before it) or is an internal redirect into a context with another policy. */
    ctx = cors_ap_ctx_of(r);
    if (ctx->policy != conf->policy && cors_ap_decide(r, conf->policy, ctx) != OK) {
        /* Fail closed: whatever a handler or upstream granted does not go out. */
        cors_ap_drop_owned(r->headers_out);
        cors_ap_drop_owned(r->err_headers_out);
        return ap_pass_brigade(f->next, bb);
    }

    if (ctx->decision.report_only) {
        cors_ap_report(r, conf->policy, &ctx->decision);

    } else if (cors_ap_apply(r, &ctx->decision) != OK) {
        cors_ap_drop_owned(r->headers_out);
        cors_ap_drop_owned(r->err_headers_out);
    }

    return ap_pass_brigade(f->next, bb);
}


static const command_rec cors_ap_commands[] = {
    AP_INIT_TAKE1("CorsPolicy", cors_ap_cmd_policy, NULL, RSRC_CONF | ACCESS_CONF,
                  "the CORS policy file (TOML, JSON or YAML), compiled at startup"),
    AP_INIT_FLAG("Cors", cors_ap_cmd_enable, NULL, RSRC_CONF | ACCESS_CONF,
                 "On or Off: apply the CORS policy in this context"),
    { NULL }
};


static void
cors_ap_register_hooks(apr_pool_t *p)
{
    (void) p;

    ap_hook_pre_config(cors_ap_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cors_ap_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* First among header parsers: a preflight is answered before any of them. */
    ap_hook_header_parser(cors_ap_header_parser, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_map_to_storage(cors_ap_map_to_storage, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_insert_filter(cors_ap_insert_filter, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_error_filter(cors_ap_insert_filter, NULL, NULL, APR_HOOK_LAST);

    /* After every content filter (mod_headers' `Header set`, mod_deflate's Vary),
     * before the protocol filters that send the headers. */
    cors_ap_filter_handle = ap_register_output_filter(CORS_AP_FILTER,
                                                      cors_ap_output_filter, NULL,
                                                      AP_FTYPE_PROTOCOL - 1);
}


AP_DECLARE_MODULE(cors_policy) = {
    STANDARD20_MODULE_STUFF,
    cors_ap_create_dir_conf,
    cors_ap_merge_dir_conf,
    NULL,
    NULL,
    cors_ap_commands,
    cors_ap_register_hooks
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    , AP_MODULE_FLAG_NONE
#endif
};
