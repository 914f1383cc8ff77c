//! The actix application: shared state, routes, and the error shape of bad requests.

use std::net::TcpListener;

use actix_web::{dev::Server, error::InternalError, middleware, web, App, HttpRequest, HttpResponse, HttpServer};

use crate::config::Config;
use crate::db::Db;
use crate::domain::{candidates, dashboards, job_agents, matching, orders, referrals, sharing};
use crate::error::AppError;
use crate::mail;
use crate::mail::Mail;
use crate::web::auth::{self, JwtKeys};

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub config: Config,
    pub mail: std::sync::Arc<Mail>,
    pub pages: crate::web::render::Pages,
}

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    // A path id that is not an id names nothing that exists.
    InternalError::from_response(err, actix_web::ResponseError::error_response(&AppError::NotFound)).into()
}

fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app = AppError::BadRequest(format!("bad query string: {err}"));
    InternalError::from_response(err, actix_web::ResponseError::error_response(&app)).into()
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state
        .db
        .read(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "unavailable", "error": e.to_string() })),
    }
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Routes of the JSON API and the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::default().limit(crate::web::json::JSON_LIMIT))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .route("/healthz", web::get().to(healthz))
        .route(
            "/job-agents/unsubscribe/{token}",
            web::get().to(job_agents::unsubscribe_handler),
        )
        .service(
            web::scope("/api/v1")
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/me", web::get().to(auth::me))
                .route("/auth/me", web::patch().to(auth::patch_me))
                .route(
                    "/dashboard/shared-orders",
                    web::get().to(dashboards::shared_orders_handler),
                )
                .route("/dashboard/my-orders", web::get().to(dashboards::my_orders_handler))
                .route(
                    "/dashboard/my-referrals",
                    web::get().to(dashboards::my_referrals_handler),
                )
                .route("/orders", web::post().to(orders::create_handler))
                .route("/orders/{id}", web::get().to(orders::get_handler))
                .route("/orders/{id}", web::patch().to(orders::patch_handler))
                .route(
                    "/orders/{id}/send-to-portal",
                    web::post().to(orders::send_to_portal_handler),
                )
                .route("/orders/{id}/close", web::post().to(orders::close_handler))
                .route("/orders/{id}/audit", web::get().to(orders::audit_handler))
                .route("/orders/{id}/shares", web::post().to(sharing::share_handler))
                .route("/orders/{id}/shares", web::get().to(sharing::shares_handler))
                .route(
                    "/orders/{id}/shares/{network}",
                    web::delete().to(sharing::unshare_handler),
                )
                .route("/orders/{id}/notified", web::get().to(sharing::notified_handler))
                .route("/orders/{id}/referrals", web::post().to(referrals::create_handler))
                .route("/orders/{id}/referrals", web::get().to(referrals::of_order_handler))
                .route("/referrals/{id}", web::get().to(referrals::get_handler))
                .route("/referrals/{id}/history", web::get().to(referrals::history_handler))
                .route("/referrals/{id}/{action}", web::post().to(referrals::action_handler))
                .route("/candidates", web::post().to(candidates::create_handler))
                .route("/candidates", web::get().to(candidates::list_handler))
                .route("/candidates/{id}", web::get().to(candidates::get_handler))
                .route("/candidates/{id}/wishes", web::put().to(candidates::wishes_handler))
                .route(
                    "/candidates/{id}/matches",
                    web::get().to(matching::candidate_matches_handler),
                )
                .route("/orders/{id}/matches", web::get().to(matching::order_matches_handler))
                .route(
                    "/orders/{id}/referrals/bulk",
                    web::post().to(matching::bulk_refer_handler),
                )
                .route("/occupations", web::get().to(matching::occupations_handler))
                .route("/job-agents", web::post().to(job_agents::create_handler))
                .route("/job-agents", web::get().to(job_agents::list_handler))
                .route("/job-agents/{id}", web::delete().to(job_agents::delete_handler))
                .route("/candidates/{id}/consent", web::post().to(candidates::consent_handler))
                .route("/candidates/{id}/consent", web::delete().to(candidates::revoke_handler))
                .route("/networks", web::get().to(sharing::networks_handler))
                .route("/networks", web::post().to(sharing::create_network_handler))
                .route("/networks/{name}/members", web::post().to(sharing::add_member_handler))
                .route(
                    "/networks/{name}/members/{number}",
                    web::delete().to(sharing::remove_member_handler),
                )
                .route("/job-centres", web::post().to(sharing::create_centre_handler))
                .route("/admin/outbox", web::get().to(mail::outbox_handler))
                .route("/admin/outbox/{id}/retry", web::post().to(mail::retry_handler)),
        )
        .configure(crate::web::pages::routes)
        .default_service(web::to(not_found));
}

/// Builds the state: opens the database and runs migrations.
pub fn state(mut config: Config) -> Result<web::Data<AppState>, AppError> {
    config.ensure_jwt_secret();
    let db = Db::open(&config.database_url, &config.db)?;
    db.migrate()?;
    Ok(web::Data::new(AppState {
        jwt: JwtKeys::new(&config.jwt_secret, config.token_ttl_hours),
        mail: std::sync::Arc::new(Mail::new(&config.public_url)?),
        pages: crate::web::render::Pages::new()?,
        db,
        config,
    }))
}

/// Starts the HTTP server on a bound listener (port 0 in tests).
pub fn server(state: web::Data<AppState>, listener: TcpListener, workers: Option<usize>) -> std::io::Result<Server> {
    let mut srv = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(middleware::Logger::new("%r %s %Dms"))
            .configure(routes)
    })
    .listen(listener)?;
    if let Some(w) = workers {
        srv = srv.workers(w);
    }
    Ok(srv.run())
}
