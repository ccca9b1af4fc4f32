//! The warp example server (the contract in examples/README.md): routes without method filters take any
//! method, and [`cors_warp::serve`] runs the tree with the policy around warp's own
//! rejection handling, so preflights are answered before routing and warp's 404 carries
//! the headers.
//!
//! ```text
//! cargo run -p examples --bin warp -- --config examples/cors.toml --listen 127.0.0.1:8080
//! ```

use examples::{Args, HANDLER_ACAO, HANDLER_HEADER, announce, route_status};
use warp::Filter;
use warp::http::StatusCode;
use warp::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, VARY};
use warp::reply::{Reply, Response, with_header, with_status};

fn reached(reply: impl Reply) -> Response {
    with_header(reply, HANDLER_HEADER.0, HANDLER_HEADER.1).into_response()
}

fn status(code: String) -> Response {
    match route_status(&code).and_then(|c| StatusCode::from_u16(c).ok()) {
        Some(code) => reached(with_status("", code)),
        None => reached(with_status(
            "status must be 200..=599",
            StatusCode::BAD_REQUEST,
        )),
    }
}

#[tokio::main]
async fn main() {
    let args = Args::from_env();
    let policy = args.load_source();
    // `path("anything")` followed by any tail: /anything, /anything/, /anything/a/b.
    let anything = warp::path("anything")
        .and(warp::path::tail())
        .map(|_| reached("ok"));
    let status = warp::path!("status" / String).map(status);
    let vary = warp::path!("vary").map(|| reached(with_header("ok", VARY, "Accept-Encoding")));
    let own_acao = warp::path!("own-acao")
        .map(|| reached(with_header("ok", ACCESS_CONTROL_ALLOW_ORIGIN, HANDLER_ACAO)));
    let metrics = warp::path!("metrics").map(|| {
        warp::reply::with_header(
            examples::metrics_text(),
            "content-type",
            examples::METRICS_CONTENT_TYPE,
        )
        .into_response()
    });
    let routes = anything
        .or(status)
        .unify()
        .or(vary)
        .unify()
        .or(own_acao)
        .unify()
        .or(metrics)
        .unify();

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .unwrap_or_else(|e| {
            eprintln!("cannot listen on {}: {e}", args.listen);
            std::process::exit(1)
        });
    match listener.local_addr() {
        Ok(addr) => announce(addr),
        Err(e) => {
            eprintln!("cannot read the listening address: {e}");
            std::process::exit(1)
        }
    }
    cors_warp::serve(routes, policy).run(listener).await;
}
