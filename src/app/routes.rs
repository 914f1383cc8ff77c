//! The one route table: every URL of the JSON API and the pages, and the error shape of a
//! path or query that does not parse.

use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::{middleware, web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::web::state::AppState;
use crate::web::{api, pages};

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    // A path id that is not an id names nothing that exists.
    InternalError::from_response(err, actix_web::ResponseError::error_response(&AppError::NotFound)).into()
}

fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app = AppError::BadRequest(format!("bad query string: {err}"));
    InternalError::from_response(err, actix_web::ResponseError::error_response(&app)).into()
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "unavailable", "error": e.to_string() })),
    }
}

/// Every API answer may carry personal data: never stored by a cache, never sniffed into
/// something other than its declared type.
fn api_headers() -> middleware::DefaultHeaders {
    middleware::DefaultHeaders::new()
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}

/// Routes of the JSON API and the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::default().limit(crate::web::json::JSON_LIMIT))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .route("/healthz", web::get().to(healthz))
        .route(
            "/job-agents/unsubscribe/{token}",
            web::get().to(pages::unsubscribe::unsubscribe_form),
        )
        // The one-click unsubscribe of RFC 8058 (and the page's button): no login, no CSRF.
        .route(
            "/job-agents/unsubscribe/{token}",
            web::post().to(pages::unsubscribe::unsubscribe),
        )
        // A citizen's view of an order, from the signed link in their digest: no login.
        .route("/o/{token}", web::get().to(pages::public_order::public_order))
        .service(
            web::scope("/api/v1")
                .wrap(api_headers())
                .configure(api_routes)
                .configure(admin_api_routes),
        )
        .configure(page_routes)
        .default_service(web::to(pages::not_found::not_found));
}

/// The JSON API, under `/api/v1`.
fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::post().to(api::auth::login))
        .route("/auth/logout", web::post().to(api::auth::logout))
        .route("/auth/me", web::get().to(api::auth::me))
        .route("/auth/me", web::patch().to(api::auth::patch_me))
        .route("/auth/password", web::post().to(api::auth::change_password))
        .route(
            "/dashboard/shared-orders",
            web::get().to(api::dashboards::shared_orders_handler),
        )
        .route(
            "/dashboard/my-orders",
            web::get().to(api::dashboards::my_orders_handler),
        )
        .route(
            "/dashboard/my-referrals",
            web::get().to(api::dashboards::my_referrals_handler),
        )
        .route("/orders", web::post().to(api::orders::create_handler))
        .route("/orders/{id}", web::get().to(api::orders::get_handler))
        .route("/orders/{id}", web::patch().to(api::orders::patch_handler))
        .route(
            "/orders/{id}/send-to-portal",
            web::post().to(api::orders::send_to_portal_handler),
        )
        .route("/orders/{id}/portal", web::get().to(api::portal::status_handler))
        .route("/portal/callback", web::post().to(api::portal::callback_handler))
        .route("/orders/{id}/close", web::post().to(api::orders::close_handler))
        .route("/orders/{id}/reopen", web::post().to(api::orders::reopen_handler))
        .route("/orders/{id}/audit", web::get().to(api::orders::audit_handler))
        .route("/orders/{id}/shares", web::post().to(api::sharing::share_handler))
        .route("/orders/{id}/shares", web::get().to(api::sharing::shares_handler))
        .route(
            "/orders/{id}/shares/{network}",
            web::delete().to(api::sharing::unshare_handler),
        )
        .route("/orders/{id}/notified", web::get().to(api::sharing::notified_handler))
        .route("/orders/{id}/referrals", web::post().to(api::referrals::create_handler))
        .route(
            "/orders/{id}/referrals",
            web::get().to(api::referrals::of_order_handler),
        )
        .route("/referrals/{id}", web::get().to(api::referrals::get_handler))
        .route(
            "/referrals/{id}/history",
            web::get().to(api::referrals::history_handler),
        )
        .route(
            "/referrals/{id}/{action}",
            web::post().to(api::referrals::action_handler),
        )
        .route("/candidates", web::post().to(api::candidates::create_handler))
        .route("/candidates", web::get().to(api::candidates::list_handler))
        .route("/candidates/{id}", web::get().to(api::candidates::get_handler))
        .route("/candidates/{id}", web::patch().to(api::candidates::patch_handler))
        .route("/candidates/{id}", web::delete().to(api::candidates::erase_handler))
        .route(
            "/candidates/{id}/export",
            web::get().to(api::candidates::export_handler),
        )
        .route("/candidates/{id}/cv", web::put().to(api::cv::upload_handler))
        .route("/candidates/{id}/cv", web::get().to(api::cv::download_handler))
        .route("/candidates/{id}/cv", web::delete().to(api::cv::delete_handler))
        .route(
            "/candidates/{id}/wishes",
            web::put().to(api::candidates::wishes_handler),
        )
        .route(
            "/candidates/{id}/matches",
            web::get().to(api::matching::candidate_matches_handler),
        )
        .route(
            "/orders/{id}/matches",
            web::get().to(api::matching::order_matches_handler),
        )
        .route(
            "/orders/{id}/referrals/bulk",
            web::post().to(api::matching::bulk_refer_handler),
        )
        .route("/occupations", web::get().to(api::matching::occupations_handler))
        .route("/job-agents", web::post().to(api::job_agents::create_handler))
        .route("/job-agents", web::get().to(api::job_agents::list_handler))
        .route("/job-agents/{id}", web::delete().to(api::job_agents::delete_handler))
        .route(
            "/candidates/{id}/consent",
            web::post().to(api::candidates::consent_handler),
        )
        .route(
            "/candidates/{id}/consent",
            web::delete().to(api::candidates::revoke_handler),
        )
        .route("/networks", web::get().to(api::sharing::networks_handler))
        .route("/networks", web::post().to(api::sharing::create_network_handler))
        .route(
            "/networks/{name}/members",
            web::post().to(api::sharing::add_member_handler),
        )
        .route(
            "/networks/{name}/members/{number}",
            web::delete().to(api::sharing::remove_member_handler),
        )
        .route("/job-centres", web::post().to(api::sharing::create_centre_handler))
        .route("/reports", web::get().to(api::reports::reports_handler))
        .route("/reports/{chart}.csv", web::get().to(api::reports::csv_handler))
        .route("/reports/{chart}.xlsx", web::get().to(api::reports::xlsx_handler))
        .route("/approvals", web::get().to(api::reports::approvals_handler))
        .route("/notices", web::get().to(api::notices::list_handler))
        .route("/notices/read-all", web::post().to(api::notices::read_all_handler))
        .route("/notices/{id}/read", web::post().to(api::notices::read_handler))
        .route("/import/{kind}", web::post().to(api::import::import_handler))
        .route("/import/{kind}/{file}", web::get().to(api::import::template_handler));
}

/// The administrator's part of the JSON API (outbox, accounts, export log), under `/api/v1`.
fn admin_api_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(api::outbox::outbox_handler))
        .route("/admin/exports", web::get().to(api::exports::exports_handler))
        .route("/admin/outbox/{id}/retry", web::post().to(api::outbox::retry_handler))
        .route("/admin/users", web::get().to(api::accounts::list_handler))
        .route("/admin/users", web::post().to(api::accounts::create_handler))
        .route(
            "/admin/users/{username}/disable",
            web::post().to(api::accounts::disable_handler),
        )
        .route(
            "/admin/users/{username}/enable",
            web::post().to(api::accounts::enable_handler),
        )
        .route(
            "/admin/users/{username}/password",
            web::post().to(api::accounts::password_handler),
        );
}

/// The pages (no `/api` prefix).
fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::login::home))
        .route("/static/app.css", web::get().to(pages::login::stylesheet))
        .route("/privacy", web::get().to(pages::privacy::privacy_page))
        .route("/login", web::get().to(pages::login::login_form))
        .route("/login", web::post().to(pages::login::login_submit))
        .route("/logout", web::post().to(pages::login::logout))
        .route(
            "/dashboard/shared-orders",
            web::get().to(pages::dashboards::shared_orders),
        )
        .route("/dashboard/my-orders", web::get().to(pages::dashboards::my_orders))
        .route(
            "/dashboard/my-referrals",
            web::get().to(pages::dashboards::my_referrals),
        )
        .route("/orders/new", web::get().to(pages::order_form::new_order_form))
        .route("/orders/new", web::post().to(pages::order_form::create_order))
        .route("/orders/{id}", web::get().to(pages::order::order_page))
        .route("/orders/{id}/edit", web::get().to(pages::order_form::edit_order_form))
        .route("/orders/{id}/edit", web::post().to(pages::order_form::update_order))
        .route(
            "/orders/{id}/send-to-portal",
            web::post().to(pages::order::send_to_portal),
        )
        .route("/orders/{id}/close", web::get().to(pages::order_close::close_form))
        .route("/orders/{id}/close", web::post().to(pages::order_close::close_order))
        .route("/orders/{id}/reopen", web::post().to(pages::order_close::reopen_order))
        .route("/orders/{id}/share", web::post().to(pages::order::share))
        .route("/orders/{id}/referrals", web::post().to(pages::order::refer))
        .route("/orders/{id}/referrals/bulk", web::post().to(pages::order::bulk_refer))
        .route(
            "/candidates/{id}/matches",
            web::get().to(pages::candidates::candidate_matches),
        )
        .route(
            "/referrals/{id}/{action}",
            web::post().to(pages::order::referral_action),
        )
        .route("/notices", web::get().to(pages::notices::notices_page))
        .route("/notices/read-all", web::post().to(pages::notices::mark_all_read))
        .route("/notices/{id}/read", web::post().to(pages::notices::mark_read))
        .route("/reports", web::get().to(pages::reports::reports_page))
        .route("/admin/exports", web::get().to(pages::admin_exports::exports_page))
        .route("/approvals", web::get().to(pages::reports::approvals_page))
        .route("/job-agents", web::get().to(pages::job_agents::agents_page))
        .route("/job-agents", web::post().to(pages::job_agents::create_agent))
        .route("/job-agents/{id}/preview", web::get().to(pages::job_agents::preview))
        .route(
            "/job-agents/{id}/delete",
            web::get().to(pages::job_agents::delete_confirm),
        )
        .route(
            "/job-agents/{id}/delete",
            web::post().to(pages::job_agents::delete_agent),
        )
        .route("/import", web::get().to(pages::import::import_page))
        .route("/import", web::post().to(pages::import::upload))
        .route("/import/{token}/confirm", web::post().to(pages::import::confirm))
        .route("/candidates", web::get().to(pages::candidates::candidates_page))
        .route("/candidates", web::post().to(pages::candidates::create_candidate))
        .route(
            "/candidates/{id}/edit",
            web::get().to(pages::candidate_edit::edit_form_page),
        )
        .route("/candidates/{id}/edit", web::post().to(pages::candidate_edit::save))
        .route(
            "/candidates/{id}/consent",
            web::post().to(pages::candidates::give_consent),
        )
        .route(
            "/candidates/{id}/revoke",
            web::post().to(pages::candidates::revoke_consent),
        )
        .route(
            "/candidates/{id}/erase",
            web::get().to(pages::candidate_privacy::erase_confirm),
        )
        .route(
            "/candidates/{id}/erase",
            web::post().to(pages::candidate_privacy::erase),
        )
        .route(
            "/candidates/{id}/export",
            web::get().to(pages::candidate_privacy::export_page),
        )
        .configure(admin_page_routes);
}

/// The administrator's pages and every user's own account page.
fn admin_page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(pages::account::account_page))
        .route("/account/password", web::post().to(pages::account::change_password))
        .route("/account/language", web::post().to(pages::account::set_language))
        .route("/admin/users", web::get().to(pages::admin_users::users_page))
        .route("/admin/users", web::post().to(pages::admin_users::create_user))
        .route(
            "/admin/users/{username}/password",
            web::get().to(pages::admin_users::password_page),
        )
        .route(
            "/admin/users/{username}/password",
            web::post().to(pages::admin_users::set_password),
        )
        .route(
            "/admin/users/{username}/disable",
            web::post().to(pages::admin_users::disable),
        )
        .route(
            "/admin/users/{username}/enable",
            web::post().to(pages::admin_users::enable),
        )
        .route(
            "/admin/users/{username}/{action}",
            web::get().to(pages::admin_users::confirm_page),
        )
        .route("/admin/networks", web::get().to(pages::admin_networks::networks_page))
        .route("/admin/networks", web::post().to(pages::admin_networks::create_network))
        .route(
            "/admin/networks/{name}/members",
            web::post().to(pages::admin_networks::add_member),
        )
        .route(
            "/admin/networks/{name}/members/{number}/remove",
            web::get().to(pages::admin_networks::remove_confirm),
        )
        .route(
            "/admin/networks/{name}/members/{number}/remove",
            web::post().to(pages::admin_networks::remove_member),
        )
        .route("/admin/outbox", web::get().to(pages::admin_outbox::outbox_page))
        .route("/admin/outbox/{id}/retry", web::post().to(pages::admin_outbox::retry));
}
