/*
 * ngx_http_cors_module: the project's CORS policy in nginx, through the cors-ffi C ABI.
 *
 * Every CORS decision is made by cors_decide (include/cors.h); this module only feeds
 * it the request's headers and applies the decision:
 *
 *   - a REWRITE phase handler (before access and auth modules) decides the request and
 *     answers preflights the engine answers (allowed: preflight_status; denied: 403),
 *     so they never reach auth_basic, auth_request, allow/deny, a content handler or an
 *     upstream;
 *   - a header filter, placed after add_header and every other header-setting filter,
 *     drops Access-Control-* headers the engine owns that anyone else set, adds the
 *     decision's headers and merges Vary, on every response of the main request:
 *     handlers', upstreams', and nginx's own error pages.
 *
 * Directives (http, server, location; inherited, overridable):
 *   cors_policy PATH;   the policy file (TOML/JSON/YAML), compiled when the configuration
 *                       is read; errors fail `nginx -t` and keep a reload from applying.
 *   cors on | off;      turn the module off (or back on) in a block.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "cors.h"


/* Request header lines kept per header: the engine needs no more (see cors.h). */
#define NGX_HTTP_CORS_LINES  (CORS_MAX_REQUEST_HEADER_LINES + 1)

/* Vary lines of a response read without a pool allocation. */
#define NGX_HTTP_CORS_VARY_INLINE  8


typedef struct {
    ngx_str_t                   path;
    const cors_policy          *policy;
} ngx_http_cors_file_t;


typedef struct {
    /* ngx_http_cors_file_t: each file is compiled once per configuration */
    ngx_array_t                 files;
} ngx_http_cors_main_conf_t;


typedef struct {
    /* NGX_CONF_UNSET_PTR until set or merged; NULL when no policy applies */
    const cors_policy          *policy;
    ngx_flag_t                  enable;
} ngx_http_cors_loc_conf_t;


typedef struct {
    /* the policy `decision` was made with: a location change invalidates it */
    const cors_policy          *policy;
    cors_decision               decision;
} ngx_http_cors_ctx_t;


typedef struct {
    cors_str                    lines[NGX_HTTP_CORS_LINES];
    size_t                      count;
} ngx_http_cors_lines_t;


static ngx_int_t ngx_http_cors_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_cors_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_cors_reason_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_cors_init(ngx_conf_t *cf);
static void *ngx_http_cors_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_cors_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static const cors_policy *ngx_http_cors_load(ngx_conf_t *cf, ngx_str_t *path);
static void ngx_http_cors_policy_cleanup(void *data);

static ngx_int_t ngx_http_cors_preflight_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_cors_header_filter(ngx_http_request_t *r);
static void ngx_http_cors_request(ngx_http_request_t *r, cors_request *req,
    ngx_http_cors_lines_t *lines);
static ngx_int_t ngx_http_cors_report(ngx_http_request_t *r,
    const cors_policy *policy, const cors_decision *d);
static ngx_int_t ngx_http_cors_decide(ngx_http_request_t *r,
    const cors_policy *policy, cors_decision *d);
static ngx_int_t ngx_http_cors_apply(ngx_http_request_t *r,
    const cors_decision *d);
static void ngx_http_cors_drop_owned(ngx_http_request_t *r);
static ngx_int_t ngx_http_cors_push_header(ngx_http_request_t *r,
    cors_str name, cors_str value);


static ngx_command_t  ngx_http_cors_commands[] = {

    { ngx_string("cors_policy"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_cors_policy,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("cors"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_cors_loc_conf_t, enable),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_cors_module_ctx = {
    ngx_http_cors_add_variables,           /* preconfiguration */
    ngx_http_cors_init,                    /* postconfiguration */

    ngx_http_cors_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_cors_create_loc_conf,         /* create location configuration */
    ngx_http_cors_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_cors_module = {
    NGX_MODULE_V1,
    &ngx_http_cors_module_ctx,             /* module context */
    ngx_http_cors_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


/* $cors_result and $cors_reason, for log_format: the request's decision, as the engine
 * made it (empty, "-" in logs, when no policy applied). */
static ngx_http_variable_t  ngx_http_cors_vars[] = {

    { ngx_string("cors_result"), NULL, ngx_http_cors_result_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("cors_reason"), NULL, ngx_http_cors_reason_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_cors_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_cors_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* The decision this request was served with, or NULL. */
static const cors_decision *
ngx_http_cors_decision_of(ngx_http_request_t *r)
{
    ngx_http_cors_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_cors_module);
    if (ctx == NULL || ctx->policy == NULL) {
        return NULL;
    }

    return &ctx->decision;
}


static ngx_int_t
ngx_http_cors_result_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    cors_str              text;
    const cors_decision  *d;

    (void) data;

    d = ngx_http_cors_decision_of(r);
    if (d == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    /* A static label, e.g. preflight-allowed. */
    text = cors_decision_result(d);

    v->data = (u_char *) text.ptr;
    v->len = text.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    return NGX_OK;
}


static ngx_int_t
ngx_http_cors_reason_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    const cors_decision  *d;

    (void) data;

    d = ngx_http_cors_decision_of(r);
    if (d == NULL || d->denial == CORS_DENIAL_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    /* The denial's static name, e.g. origin-not-allowed. */
    v->data = (u_char *) d->denial_name.ptr;
    v->len = d->denial_name.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    return NGX_OK;
}


/* ---- Configuration ------------------------------------------------------------------ */

static void *
ngx_http_cors_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_cors_main_conf_t  *mcf;

    mcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_main_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&mcf->files, cf->pool, 2, sizeof(ngx_http_cors_file_t))
        != NGX_OK)
    {
        return NULL;
    }

    return mcf;
}


static void *
ngx_http_cors_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_cors_loc_conf_t  *lcf;

    lcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_loc_conf_t));
    if (lcf == NULL) {
        return NULL;
    }

    lcf->policy = NGX_CONF_UNSET_PTR;
    lcf->enable = NGX_CONF_UNSET;

    return lcf;
}


static char *
ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_cors_loc_conf_t  *prev = parent;
    ngx_http_cors_loc_conf_t  *conf = child;

    ngx_flag_t  explicit_on;

    explicit_on = (conf->enable == 1);

    /* A block naming its own policy is on unless it also says `cors off`. */
    if (conf->policy == NGX_CONF_UNSET_PTR) {
        conf->policy = prev->policy == NGX_CONF_UNSET_PTR ? NULL : prev->policy;
        ngx_conf_merge_value(conf->enable, prev->enable, 1);

    } else if (conf->enable == NGX_CONF_UNSET) {
        conf->enable = 1;
    }

    if (explicit_on && conf->policy == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"cors on\" needs a \"cors_policy\" in this block "
                           "or an enclosing one");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_cors_loc_conf_t *lcf = conf;

    ngx_str_t  *value, path;

    (void) cmd;

    if (lcf->policy != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (path.len == 0) {
        return "needs a file path";
    }

    /* Relative paths are relative to the directory of nginx.conf, as for `include`. */
    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    lcf->policy = ngx_http_cors_load(cf, &path);
    if (lcf->policy == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Compiles a policy file once per configuration (a file named in several blocks is
 * shared). The policy lives until the configuration's pool is destroyed: workers of a
 * configuration share it, and a failed reload frees only the new one.
 */
static const cors_policy *
ngx_http_cors_load(ngx_conf_t *cf, ngx_str_t *path)
{
    u_char                     *p, *last, *eol;
    u_char                      buf[256];
    size_t                      i, n;
    cors_str                    msg, warning;
    cors_error                 *err;
    cors_result                 rc;
    ngx_pool_cleanup_t         *cln;
    ngx_http_cors_file_t       *file;
    const cors_policy          *policy;
    ngx_http_cors_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_cors_module);

    file = mcf->files.elts;
    for (i = 0; i < mcf->files.nelts; i++) {
        if (file[i].path.len == path->len
            && ngx_strncmp(file[i].path.data, path->data, path->len) == 0)
        {
            return file[i].policy;
        }
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    policy = NULL;
    err = NULL;
    rc = cors_policy_from_path(path->data, path->len, &policy, &err);

    if (rc != CORS_RESULT_OK) {
        /* The core's message names the file and, for each problem, the field and a fix;
         * one log line per message line keeps `nginx -t` readable. */
        msg = cors_error_message(err);
        if (msg.len == 0) {
            /* No error object (a bug): the result code's description instead. */
            n = 0;
            (void) cors_result_description(rc, buf, sizeof(buf), &n);
            msg.ptr = buf;
            msg.len = n;
        }

        p = (u_char *) msg.ptr;
        last = p + msg.len;

        while (p < last) {
            eol = ngx_strlchr(p, last, '\n');
            if (eol == NULL) {
                eol = last;
            }

            ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "cors_policy: %*s",
                          (size_t) (eol - p), p);
            p = eol + 1;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid cors_policy \"%V\"",
                           path);
        cors_error_free(err);
        return NULL;
    }

    cln->handler = ngx_http_cors_policy_cleanup;
    cln->data = (void *) policy;

    n = cors_policy_warning_count(policy);
    for (i = 0; i < n; i++) {
        if (cors_policy_warning(policy, i, &warning) == CORS_RESULT_OK) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0, "cors_policy \"%V\": %*s",
                               path, warning.len, warning.ptr);
        }
    }

    file = ngx_array_push(&mcf->files);
    if (file == NULL) {
        return NULL;
    }

    file->path = *path;
    file->policy = policy;

    return policy;
}


static void
ngx_http_cors_policy_cleanup(void *data)
{
    cors_policy_free(data);
}


static ngx_int_t
ngx_http_cors_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    /*
     * The REWRITE phase runs after the location is found and before the access phase
     * (auth_basic, auth_request, allow/deny); this module is loaded after the rewrite
     * module, so its handler runs before a location's `return` and `rewrite` too.
     */
    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_cors_preflight_handler;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_cors_header_filter;

    return NGX_OK;
}


/* ---- Requests ----------------------------------------------------------------------- */

static ngx_int_t
ngx_http_cors_preflight_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_http_cors_ctx_t       *ctx;
    ngx_http_cors_loc_conf_t  *lcf;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);
    if (!lcf->enable || lcf->policy == NULL) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_cors_module);
    if (ctx == NULL) {
        ctx = ngx_palloc(r->pool, sizeof(ngx_http_cors_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_cors_module);
    }

    ctx->policy = NULL;

    if (ngx_http_cors_decide(r, lcf->policy, &ctx->decision) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->policy = lcf->policy;

    if (ctx->decision.action == CORS_ACTION_FORWARD) {
        return NGX_DECLINED;
    }

    /* Answered here with the engine's status and an empty body; the header filter adds
     * the decision's headers. */
    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    r->headers_out.status = ctx->decision.status;
    r->headers_out.content_length_n = 0;

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_send_special(r, NGX_HTTP_LAST);
}


static ngx_int_t
ngx_http_cors_header_filter(ngx_http_request_t *r)
{
    cors_decision              local;
    const cors_decision       *d;
    ngx_http_cors_ctx_t       *ctx;
    ngx_http_cors_loc_conf_t  *lcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);
    if (!lcf->enable || lcf->policy == NULL) {
        return ngx_http_next_header_filter(r);
    }

    /* The phase handler's decision, unless the request never got there (an error before
     * the REWRITE phase) or moved to a location with another policy (error_page and
     * other internal redirects clear the context). */
    ctx = ngx_http_get_module_ctx(r, ngx_http_cors_module);

    if (ctx != NULL && ctx->policy == lcf->policy) {
        d = &ctx->decision;

    } else if (ngx_http_cors_decide(r, lcf->policy, &local) == NGX_OK) {
        d = &local;

        /* Kept for $cors_result and $cors_reason (the log phase comes later). */
        if (ctx == NULL) {
            ctx = ngx_palloc(r->pool, sizeof(ngx_http_cors_ctx_t));
            if (ctx != NULL) {
                ngx_http_set_ctx(r, ctx, ngx_http_cors_module);
            }
        }

        if (ctx != NULL) {
            ctx->policy = lcf->policy;
            ctx->decision = local;
            d = &ctx->decision;
        }

    } else {
        /* Fail closed: whatever a handler or upstream granted does not go out. */
        ngx_http_cors_drop_owned(r);
        return ngx_http_next_header_filter(r);
    }

    /* Report-only: the response goes out as the handler made it. */
    if (d->report_only) {
        if (ngx_http_cors_report(r, lcf->policy, d) != NGX_OK) {
            return NGX_ERROR;
        }

        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_cors_apply(r, d) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_next_header_filter(r);
}


static void
ngx_http_cors_push_line(ngx_http_cors_lines_t *lines, ngx_table_elt_t *h)
{
    /* Lines beyond the engine's limit change nothing in its answer (see cors.h). */
    if (lines->count < NGX_HTTP_CORS_LINES) {
        lines->lines[lines->count].ptr = h->value.data;
        lines->lines[lines->count].len = h->value.len;
        lines->count++;
    }
}


/* The request as the engine reads it: its method, its raw request target (which picks
 * the route: $request_uri, not the normalized $uri) and the lines of the four request
 * headers, pointing into nginx's buffers. lines[] is origin, method, headers, PNA. */
static void
ngx_http_cors_request(ngx_http_request_t *r, cors_request *req,
    ngx_http_cors_lines_t *lines)
{
    ngx_uint_t         i;
    ngx_list_part_t   *part;
    ngx_table_elt_t   *h;

    for (i = 0; i < 4; i++) {
        lines[i].count = 0;
    }

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0 || h[i].lowcase_key == NULL) {
            continue;
        }

        switch (h[i].key.len) {

        case sizeof(CORS_HEADER_ORIGIN) - 1:
            if (ngx_strncmp(h[i].lowcase_key, CORS_HEADER_ORIGIN, h[i].key.len) == 0) {
                ngx_http_cors_push_line(&lines[0], &h[i]);
            }
            break;

        case sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_METHOD) - 1:
            if (ngx_strncmp(h[i].lowcase_key, CORS_HEADER_ACCESS_CONTROL_REQUEST_METHOD,
                            h[i].key.len)
                == 0)
            {
                ngx_http_cors_push_line(&lines[1], &h[i]);
            }
            break;

        case sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_HEADERS) - 1:
            if (ngx_strncmp(h[i].lowcase_key, CORS_HEADER_ACCESS_CONTROL_REQUEST_HEADERS,
                            h[i].key.len)
                == 0)
            {
                ngx_http_cors_push_line(&lines[2], &h[i]);
            }
            break;

        case sizeof(CORS_HEADER_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK) - 1:
            if (ngx_strncmp(h[i].lowcase_key,
                            CORS_HEADER_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
                            h[i].key.len)
                == 0)
            {
                ngx_http_cors_push_line(&lines[3], &h[i]);
            }
            break;

        default:
            break;
        }
    }

    req->method.ptr = r->method_name.data;
    req->method.len = r->method_name.len;
    req->origin.lines = lines[0].lines;
    req->origin.count = lines[0].count;
    req->request_method.lines = lines[1].lines;
    req->request_method.count = lines[1].count;
    req->request_headers.lines = lines[2].lines;
    req->request_headers.count = lines[2].count;
    req->private_network.lines = lines[3].lines;
    req->private_network.count = lines[3].count;
    req->path.ptr = r->unparsed_uri.data;
    req->path.len = r->unparsed_uri.len;
}


/* Report-only mode: the policy's decision against the response the handler or upstream
 * made, logged at info level when the two disagree. Nothing in the response changes. */
static ngx_int_t
ngx_http_cors_report(ngx_http_request_t *r, const cors_policy *policy,
    const cors_decision *d)
{
    u_char                  buf[256];
    size_t                  len;
    ngx_uint_t              i, k;
    cors_result             rc;
    cors_request            req;
    cors_response           res;
    cors_report_outcome     out;
    ngx_list_part_t        *part;
    ngx_table_elt_t        *h;
    ngx_http_cors_lines_t   lines[4];
    ngx_http_cors_lines_t   acl[4];
    static const char      *names[4] = {
        "access-control-allow-origin", "access-control-allow-credentials",
        "access-control-allow-methods", "access-control-allow-headers"
    };

    ngx_http_cors_request(r, &req, lines);

    for (k = 0; k < 4; k++) {
        acl[k].count = 0;
    }

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        for (k = 0; k < 4; k++) {
            if (h[i].key.len == ngx_strlen(names[k])
                && ngx_strncasecmp(h[i].key.data, (u_char *) names[k], h[i].key.len) == 0)
            {
                ngx_http_cors_push_line(&acl[k], &h[i]);
            }
        }
    }

    res.status = (uint16_t) r->headers_out.status;
    res.allow_origin.lines = acl[0].lines;
    res.allow_origin.count = acl[0].count;
    res.allow_credentials.lines = acl[1].lines;
    res.allow_credentials.count = acl[1].count;
    res.allow_methods.lines = acl[2].lines;
    res.allow_methods.count = acl[2].count;
    res.allow_headers.lines = acl[3].lines;
    res.allow_headers.count = acl[3].count;

    rc = cors_report(policy, &req, &res, &out);
    if (rc != CORS_RESULT_OK) {
        return NGX_ERROR;
    }

    if (!out.reported || !out.disagrees) {
        return NGX_OK;
    }

    if (out.policy_allows) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "cors report-only: the policy would allow \"%V %V\", but the "
                      "browser cannot read the response: %*s",
                      &r->method_name, &r->unparsed_uri,
                      out.handler_reason.len, out.handler_reason.ptr);
        return NGX_OK;
    }

    /* The reason of the decision this request was served with. */
    len = 0;
    (void) cors_decision_reason(d, buf, sizeof(buf), &len);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "cors report-only: the policy would deny \"%V %V\" (%*s), but the "
                  "response lets the browser read it",
                  &r->method_name, &r->unparsed_uri, len, buf);
    return NGX_OK;
}


static ngx_int_t
ngx_http_cors_decide(ngx_http_request_t *r, const cors_policy *policy,
    cors_decision *d)
{
    u_char                  buf[256];
    size_t                  len;
    cors_result             rc;
    cors_request            req;
    ngx_http_cors_lines_t   lines[4];

    ngx_http_cors_request(r, &req, lines);

    rc = cors_decide(policy, &req, d);

    if (rc != CORS_RESULT_OK) {
        len = 0;
        (void) cors_result_description(rc, buf, sizeof(buf), &len);
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "cors: cors_decide failed: %*s", len, buf);
        return NGX_ERROR;
    }

#if (NGX_DEBUG)
    if (d->denial != CORS_DENIAL_NONE
        && (r->connection->log->log_level & NGX_LOG_DEBUG_HTTP))
    {
        len = 0;
        (void) cors_decision_reason(d, buf, sizeof(buf), &len);
        ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "cors: %V \"%V\" denied: %*s",
                       &r->method_name, &r->uri, len, buf);
    }
#endif

    return NGX_OK;
}


/* Marks deleted every response header the engine owns (set by a handler, an upstream
 * or add_header); hash = 0 makes the header writers skip it. */
static void
ngx_http_cors_drop_owned(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0 && cors_is_owned_header(h[i].key.data, h[i].key.len)) {
            h[i].hash = 0;
        }
    }
}


static ngx_int_t
ngx_http_cors_apply(ngx_http_request_t *r, const cors_decision *d)
{
    size_t            i, count, cap;
    cors_str          inline_vary[NGX_HTTP_CORS_VARY_INLINE], *vary, *grown;
    cors_str          line;
    cors_lines        existing;
    ngx_uint_t        j;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    /* lower-case, as the engine's header names */
    static const cors_str  vary_name = { (const uint8_t *) "vary", 4 };

    vary = inline_vary;
    count = 0;
    cap = NGX_HTTP_CORS_VARY_INLINE;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (j = 0; /* void */; j++) {

        if (j >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            j = 0;
        }

        if (h[j].hash == 0) {
            continue;
        }

        if (cors_is_owned_header(h[j].key.data, h[j].key.len)) {
            h[j].hash = 0;
            continue;
        }

        if (h[j].key.len == sizeof("vary") - 1
            && ngx_strncasecmp(h[j].key.data, (u_char *) "vary", h[j].key.len)
               == 0)
        {
            if (count == cap) {
                grown = ngx_palloc(r->pool, 2 * cap * sizeof(cors_str));
                if (grown == NULL) {
                    return NGX_ERROR;
                }

                ngx_memcpy(grown, vary, count * sizeof(cors_str));
                vary = grown;
                cap *= 2;
            }

            vary[count].ptr = h[j].value.data;
            vary[count].len = h[j].value.len;
            count++;
        }
    }

    for (i = 0; i < d->header_count; i++) {
        if (ngx_http_cors_push_header(r, d->headers[i].name, d->headers[i].value)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (d->vary == 0) {
        return NGX_OK;
    }

    existing.lines = vary;
    existing.count = count;

    if (cors_vary_merge(existing, d->vary, &line) != CORS_RESULT_OK) {
        return NGX_ERROR;
    }

    if (line.len == 0) {
        return NGX_OK;
    }

    return ngx_http_cors_push_header(r, vary_name, line);
}


/* Adds a response header; name and value are not copied: they live in static memory,
 * in the policy or in the request's header buffers, all of which outlive the response
 * header. */
static ngx_int_t
ngx_http_cors_push_header(ngx_http_request_t *r, cors_str name, cors_str value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name.ptr;
    h->key.len = name.len;
    h->value.data = (u_char *) value.ptr;
    h->value.len = value.len;
    h->lowcase_key = h->key.data;    /* names are lower-case */
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}
