//! The actix-web example server (the contract in examples/README.md): every route takes any method, and
//! [`cors_actix::Cors`] wraps the whole `App`, so it sees each request before routing.
//!
//! ```text
//! cargo run -p examples --bin actix -- --config examples/cors.toml --listen 127.0.0.1:8080
//! ```

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, VARY};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use cors_actix::Cors;
use examples::{Args, HANDLER_ACAO, HANDLER_HEADER, announce, route_status};

fn reached(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header(HANDLER_HEADER);
    res
}

async fn anything() -> HttpResponse {
    reached(StatusCode::OK).body("ok")
}

async fn status(req: HttpRequest) -> HttpResponse {
    let code = req
        .match_info()
        .get("code")
        .and_then(route_status)
        .and_then(|c| StatusCode::from_u16(c).ok());
    match code {
        Some(code) => reached(code).finish(),
        None => reached(StatusCode::BAD_REQUEST).body("status must be 200..=599"),
    }
}

async fn vary() -> HttpResponse {
    reached(StatusCode::OK)
        .insert_header((VARY, "Accept-Encoding"))
        .body("ok")
}

async fn own_acao() -> HttpResponse {
    reached(StatusCode::OK)
        .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, HANDLER_ACAO))
        .body("ok")
}

/// The decision counters in Prometheus text format.
async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(examples::METRICS_CONTENT_TYPE)
        .body(examples::metrics_text())
}

#[actix_web::main]
async fn main() {
    let args = Args::from_env();
    let cors = Cors::new(args.load_source());
    let server = HttpServer::new(move || {
        // `web::route()` has no method guard: every method, standard or not.
        App::new()
            .wrap(cors.clone())
            .route("/anything", web::route().to(anything))
            .route("/anything/{tail:.*}", web::route().to(anything))
            .route("/status/{code}", web::route().to(status))
            .route("/vary", web::route().to(vary))
            .route("/own-acao", web::route().to(own_acao))
            .route("/metrics", web::get().to(metrics))
    })
    .workers(2)
    .bind(args.listen)
    .unwrap_or_else(|e| {
        eprintln!("cannot listen on {}: {e}", args.listen);
        std::process::exit(1)
    });
    // The socket listens from `bind` on; connections queue until the workers accept.
    for addr in server.addrs() {
        announce(addr);
    }
    if let Err(e) = server.run().await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
