//! The Rocket example server (the contract in examples/README.md). Rocket has no any-method route, so
//! each route is mounted once per method Rocket knows; [`cors_rocket::Cors`] answers
//! preflights with its own route of the highest priority and sets headers on every
//! response.
//!
//! ```text
//! cargo run -p examples --bin rocket -- --config examples/cors.toml --listen 127.0.0.1:8080
//! ```

use std::io::Cursor;
use std::net::SocketAddr;

use cors_rocket::Cors;
use examples::{Args, HANDLER_ACAO, HANDLER_HEADER, announce, route_status};
use rocket::config::LogLevel;
use rocket::data::Data;
use rocket::fairing::AdHoc;
use rocket::http::{Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Request, Response};

/// Every method Rocket parses (it rejects others with 400 before routing).
const METHODS: [Method; 9] = [
    Method::Get,
    Method::Put,
    Method::Post,
    Method::Delete,
    Method::Options,
    Method::Head,
    Method::Trace,
    Method::Connect,
    Method::Patch,
];

#[derive(Clone, Copy)]
enum Contract {
    Anything,
    Status,
    Vary,
    OwnAcao,
    Metrics,
}

#[rocket::async_trait]
impl Handler for Contract {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        let mut res = Response::build();
        res.raw_header(HANDLER_HEADER.0, HANDLER_HEADER.1);
        let ok = |res: &mut rocket::response::Builder<'r>| {
            res.sized_body(2, Cursor::new("ok"));
        };
        match self {
            Contract::Anything => ok(&mut res),
            Contract::Status => {
                match req
                    .param::<&str>(1)
                    .and_then(Result::ok)
                    .and_then(route_status)
                {
                    Some(code) => res.status(Status::new(code)),
                    None => res.status(Status::BadRequest),
                };
            }
            Contract::Vary => {
                res.raw_header("Vary", "Accept-Encoding");
                ok(&mut res);
            }
            Contract::OwnAcao => {
                res.raw_header("Access-Control-Allow-Origin", HANDLER_ACAO);
                ok(&mut res);
            }
            Contract::Metrics => {
                let text = examples::metrics_text();
                res.raw_header("Content-Type", examples::METRICS_CONTENT_TYPE);
                res.sized_body(text.len(), Cursor::new(text));
            }
        }
        Outcome::Success(res.finalize())
    }
}

fn routes() -> Vec<Route> {
    let paths = [
        ("/anything/<_..>", Contract::Anything),
        ("/status/<code>", Contract::Status),
        ("/vary", Contract::Vary),
        ("/own-acao", Contract::OwnAcao),
        ("/metrics", Contract::Metrics),
    ];
    paths
        .iter()
        .flat_map(|&(path, handler)| METHODS.map(|m| Route::new(m, path, handler)))
        .collect()
}

#[rocket::main]
async fn main() {
    let args = Args::from_env();
    let cors = Cors::new(args.load_source());
    // Built from defaults only (no Rocket.toml, no ROCKET_* variables); logging off so
    // stdout carries only the `listening on` line.
    let config = rocket::Config {
        address: args.listen.ip(),
        port: args.listen.port(),
        log_level: LogLevel::Off,
        cli_colors: false,
        ..rocket::Config::default()
    };
    let rocket = rocket::custom(config)
        .attach(cors)
        // Rocket writes the bound address (the real port for port 0) into its config
        // before liftoff, when the socket already listens.
        .attach(AdHoc::on_liftoff("announce", |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                announce(SocketAddr::new(config.address, config.port));
            })
        }))
        .mount("/", routes());
    if let Err(e) = rocket.launch().await {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
