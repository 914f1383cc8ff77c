//! The framework ceiling for `scripts/bench`: actix-web answering a fixed small JSON body,
//! built in the same release profile and pinned like the real server.
//!
//!     cargo run --release --example hello -- 127.0.0.1:8090 1

use actix_web::{web, App, HttpResponse, HttpServer};

async fn hello() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "hello": "world" }))
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8090".into());
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(1);
    actix_web::rt::System::new().block_on(
        HttpServer::new(|| App::new().route("/", web::get().to(hello)))
            .workers(workers)
            .bind(bind)?
            .run(),
    )
}
