//! The one route table: every URL of the JSON API and the pages, and the error shape of a
//! path or query that does not parse.

use actix_web::error::InternalError;
use actix_web::http::{header, Method};
use actix_web::{middleware, web, HttpRequest, HttpResponse, Route};

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
        // The employer's page, from the link in a candidate mail: no login, the token is the key.
        .route("/employer/{token}", web::get().to(pages::employer::employer_page))
        .route(
            "/employer/{token}/referrals/{id}",
            web::post().to(pages::employer::answer),
        )
        .route(
            "/employer/{token}/referrals/{id}/cv",
            web::get().to(pages::employer::cv_download),
        )
        .service(web::scope(API_PREFIX).wrap(api_headers()).configure(api_routes))
        .configure(page_routes)
        .default_service(web::to(pages::not_found::not_found));
}

/// Where the JSON API lives.
pub const API_PREFIX: &str = "/api/v1";

/// The JSON API under `API_PREFIX`: each operation's method, path and handler, in the order
/// actix tries them. The server registers exactly this list, and `tests/openapi.rs` checks
/// that the OpenAPI document (`web::api::openapi`) has every one of them.
// One operation a line, so that the table reads as one.
#[rustfmt::skip]
fn api_table() -> Vec<(Method, &'static str, Route)> {
    vec![
        (Method::POST, "/auth/login", web::to(api::auth::login)),
        (Method::POST, "/auth/logout", web::to(api::auth::logout)),
        (Method::GET, "/auth/me", web::to(api::auth::me)),
        (Method::PATCH, "/auth/me", web::to(api::auth::patch_me)),
        (Method::POST, "/auth/password", web::to(api::auth::change_password)),
        (Method::GET, "/dashboard/shared-orders", web::to(api::dashboards::shared_orders_handler)),
        (Method::GET, "/dashboard/my-orders", web::to(api::dashboards::my_orders_handler)),
        (Method::GET, "/dashboard/my-referrals", web::to(api::dashboards::my_referrals_handler)),
        (Method::POST, "/orders", web::to(api::orders::create_handler)),
        (Method::GET, "/orders/{id}", web::to(api::orders::get_handler)),
        (Method::PATCH, "/orders/{id}", web::to(api::orders::patch_handler)),
        (Method::POST, "/orders/{id}/send-to-portal", web::to(api::orders::send_to_portal_handler)),
        (Method::GET, "/orders/{id}/portal", web::to(api::portal::status_handler)),
        (Method::POST, "/portal/callback", web::to(api::portal::callback_handler)),
        (Method::POST, "/orders/{id}/close", web::to(api::orders::close_handler)),
        (Method::POST, "/orders/{id}/reopen", web::to(api::orders::reopen_handler)),
        (Method::GET, "/orders/{id}/audit", web::to(api::orders::audit_handler)),
        (Method::GET, "/orders/{id}/employer-links", web::to(api::employer::links_handler)),
        (Method::POST, "/orders/{id}/employer-links/{link}/revoke", web::to(api::employer::revoke_handler)),
        // The employer's link (no login: the token in the path is the key).
        (Method::GET, "/employer/{token}", web::to(api::employer::page_handler)),
        (Method::POST, "/employer/{token}/referrals/{id}", web::to(api::employer::answer_handler)),
        (Method::GET, "/employer/{token}/referrals/{id}/cv", web::to(api::employer::cv_handler)),
        (Method::POST, "/orders/{id}/shares", web::to(api::sharing::share_handler)),
        (Method::GET, "/orders/{id}/shares", web::to(api::sharing::shares_handler)),
        (Method::DELETE, "/orders/{id}/shares/{network}", web::to(api::sharing::unshare_handler)),
        (Method::GET, "/orders/{id}/notified", web::to(api::sharing::notified_handler)),
        (Method::POST, "/orders/{id}/referrals", web::to(api::referrals::create_handler)),
        (Method::GET, "/orders/{id}/referrals", web::to(api::referrals::of_order_handler)),
        (Method::GET, "/referrals/{id}", web::to(api::referrals::get_handler)),
        (Method::GET, "/referrals/{id}/history", web::to(api::referrals::history_handler)),
        (Method::POST, "/referrals/{id}/{action}", web::to(api::referrals::action_handler)),
        (Method::POST, "/candidates", web::to(api::candidates::create_handler)),
        (Method::GET, "/candidates", web::to(api::candidates::list_handler)),
        (Method::GET, "/candidates/{id}", web::to(api::candidates::get_handler)),
        (Method::PATCH, "/candidates/{id}", web::to(api::candidates::patch_handler)),
        (Method::DELETE, "/candidates/{id}", web::to(api::candidates::erase_handler)),
        (Method::GET, "/candidates/{id}/export", web::to(api::candidates::export_handler)),
        (Method::PUT, "/candidates/{id}/wishes", web::to(api::candidates::wishes_handler)),
        (Method::PUT, "/candidates/{id}/cv", web::to(api::cv::upload_handler)),
        (Method::GET, "/candidates/{id}/cv", web::to(api::cv::download_handler)),
        (Method::DELETE, "/candidates/{id}/cv", web::to(api::cv::delete_handler)),
        (Method::GET, "/notices", web::to(api::notices::list_handler)),
        (Method::POST, "/notices/read-all", web::to(api::notices::read_all_handler)),
        (Method::POST, "/notices/{id}/read", web::to(api::notices::read_handler)),
        (Method::GET, "/candidates/{id}/matches", web::to(api::matching::candidate_matches_handler)),
        (Method::GET, "/orders/{id}/matches", web::to(api::matching::order_matches_handler)),
        (Method::POST, "/orders/{id}/referrals/bulk", web::to(api::matching::bulk_refer_handler)),
        (Method::GET, "/occupations", web::to(api::matching::occupations_handler)),
        (Method::POST, "/orders/{id}/suggestions", web::to(api::job_suggestions::send_handler)),
        (Method::GET, "/candidates/{id}/suggestions", web::to(api::job_suggestions::of_candidate_handler)),
        (Method::POST, "/job-agents", web::to(api::job_agents::create_handler)),
        (Method::GET, "/job-agents", web::to(api::job_agents::list_handler)),
        (Method::DELETE, "/job-agents/{id}", web::to(api::job_agents::delete_handler)),
        (Method::POST, "/candidates/{id}/consent", web::to(api::candidates::consent_handler)),
        (Method::DELETE, "/candidates/{id}/consent", web::to(api::candidates::revoke_handler)),
        (Method::GET, "/networks", web::to(api::sharing::networks_handler)),
        (Method::POST, "/networks", web::to(api::sharing::create_network_handler)),
        (Method::POST, "/networks/{name}/members", web::to(api::sharing::add_member_handler)),
        (Method::DELETE, "/networks/{name}/members/{number}", web::to(api::sharing::remove_member_handler)),
        (Method::POST, "/job-centres", web::to(api::sharing::create_centre_handler)),
        (Method::GET, "/reports", web::to(api::reports::reports_handler)),
        (Method::GET, "/reports/{chart}.csv", web::to(api::reports::csv_handler)),
        (Method::GET, "/reports/{chart}.xlsx", web::to(api::reports::xlsx_handler)),
        (Method::GET, "/approvals", web::to(api::reports::approvals_handler)),
        (Method::POST, "/import/{kind}", web::to(api::import::import_handler)),
        (Method::GET, "/import/{kind}/{file}", web::to(api::import::template_handler)),
        (Method::GET, "/admin/outbox", web::to(api::outbox::outbox_handler)),
        (Method::GET, "/admin/exports", web::to(api::exports::exports_handler)),
        (Method::POST, "/admin/outbox/{id}/retry", web::to(api::outbox::retry_handler)),
        (Method::GET, "/admin/users", web::to(api::accounts::list_handler)),
        (Method::POST, "/admin/users", web::to(api::accounts::create_handler)),
        (Method::POST, "/admin/users/{username}/disable", web::to(api::accounts::disable_handler)),
        (Method::POST, "/admin/users/{username}/enable", web::to(api::accounts::enable_handler)),
        (Method::POST, "/admin/users/{username}/password", web::to(api::accounts::password_handler)),
        (Method::GET, "/openapi.json", web::to(api::openapi::document_handler)),
    ]
}

/// Every operation of the JSON API as (method, full path), from the table the server registers.
pub fn api_operations() -> Vec<(Method, String)> {
    api_table()
        .into_iter()
        .map(|(method, path, _)| (method, format!("{API_PREFIX}{path}")))
        .collect()
}

/// The JSON API, under `API_PREFIX`.
fn api_routes(cfg: &mut web::ServiceConfig) {
    for (method, path, route) in api_table() {
        cfg.route(path, route.method(method));
    }
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
        .route(
            "/orders/{id}/employer-links/{link}/revoke",
            web::post().to(pages::order::revoke_employer_link),
        )
        .route("/orders/{id}/share", web::post().to(pages::order::share))
        .route("/orders/{id}/referrals", web::post().to(pages::order::refer))
        .route("/orders/{id}/referrals/bulk", web::post().to(pages::order::bulk_refer))
        .route(
            "/orders/{id}/suggest",
            web::get().to(pages::job_suggestions::picker_page),
        )
        .route(
            "/orders/{id}/suggest",
            web::post().to(pages::job_suggestions::send_order),
        )
        .route(
            "/candidates/{id}/suggest",
            web::post().to(pages::job_suggestions::send_to_candidate),
        )
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
        .route("/candidates/{id}/cv", web::get().to(pages::candidate_cv::download))
        .route("/candidates/{id}/cv", web::post().to(pages::candidate_cv::upload))
        .route(
            "/candidates/{id}/cv/delete",
            web::get().to(pages::candidate_cv::delete_confirm),
        )
        .route(
            "/candidates/{id}/cv/delete",
            web::post().to(pages::candidate_cv::delete),
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
