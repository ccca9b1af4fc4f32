//! The axum example server (the contract in examples/README.md): every route takes any method, and
//! [`cors_axum::CorsLayer`] is added with `Router::layer`, which wraps every route and the
//! fallback, so preflights to any path are answered and axum's own 404 carries the headers.
//!
//! ```text
//! cargo run -p examples --bin axum -- --config examples/cors.toml --listen 127.0.0.1:8080
//! ```

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, VARY};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cors_axum::CorsLayer;
use examples::{Args, HANDLER_ACAO, HANDLER_HEADER, announce, route_status};

async fn anything() -> Response {
    ([HANDLER_HEADER], "ok").into_response()
}

async fn status(Path(code): Path<String>) -> Response {
    match route_status(&code).and_then(|c| StatusCode::from_u16(c).ok()) {
        Some(code) => (code, [HANDLER_HEADER]).into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            [HANDLER_HEADER],
            "status must be 200..=599",
        )
            .into_response(),
    }
}

async fn vary() -> Response {
    ([HANDLER_HEADER, (VARY.as_str(), "Accept-Encoding")], "ok").into_response()
}

async fn own_acao() -> Response {
    (
        [
            HANDLER_HEADER,
            (ACCESS_CONTROL_ALLOW_ORIGIN.as_str(), HANDLER_ACAO),
        ],
        "ok",
    )
        .into_response()
}

/// The decision counters in Prometheus text format.
async fn metrics() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE.as_str(),
            examples::METRICS_CONTENT_TYPE,
        )],
        examples::metrics_text(),
    )
        .into_response()
}

#[tokio::main]
async fn main() {
    let args = Args::from_env();
    let policy = args.load_source();
    // `any` accepts every method, standard or not.
    let app = Router::new()
        .route("/anything", any(anything))
        .route("/anything/", any(anything))
        .route("/anything/{*rest}", any(anything))
        .route("/status/{code}", any(status))
        .route("/vary", any(vary))
        .route("/own-acao", any(own_acao))
        .route("/metrics", any(metrics))
        .layer(CorsLayer::new(policy));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot listen on {}: {e}", args.listen);
            std::process::exit(1)
        });
    // The socket queues connections from `bind` on.
    match listener.local_addr() {
        Ok(addr) => announce(addr),
        Err(e) => {
            eprintln!("cannot read the listening address: {e}");
            std::process::exit(1)
        }
    }
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
