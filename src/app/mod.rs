//! Wiring: builds the state and the HTTP server around the route table (`routes`).

mod routes;

pub use routes::{api_operations, API_PREFIX};

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};

use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::mail::Mail;
use crate::web::jwt::JwtKeys;
use crate::web::state::AppState;

/// Builds the state: opens the database and runs migrations.
pub fn state(mut config: Config) -> Result<web::Data<AppState>, AppError> {
    config.ensure_jwt_secret();
    let db = Db::open(&config.database_url, &config.db)?;
    db.migrate()?;
    Ok(web::Data::new(AppState {
        jwt: JwtKeys::new(&config.jwt_secret, config.token_ttl_hours),
        mail: std::sync::Arc::new(Mail::new(&config.public_url)?.with_link_secret(&config.jwt_secret)),
        pages: crate::web::templates::Pages::new()?,
        db,
        config,
    }))
}

/// Starts the HTTP server on a bound listener (port 0 in tests).
pub fn server(state: web::Data<AppState>, listener: TcpListener, workers: Option<usize>) -> std::io::Result<Server> {
    let mut srv = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(middleware::from_fn(crate::web::auth::check_session))
            .wrap(middleware::Logger::new("%r %s %Dms"))
            .configure(routes::routes)
    })
    .listen(listener)?;
    if let Some(w) = workers {
        srv = srv.workers(w);
    }
    Ok(srv.run())
}
