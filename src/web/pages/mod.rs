//! The consultants' web pages: server-rendered HTML over the same domain functions as the
//! JSON API (orders, sharing, referrals, candidates, dashboards), so a page can never allow
//! what the API refuses. Templates are embedded and registered once, at start-up.
//!
//! A session is the JWT of the API in an HttpOnly cookie. Every form POST carries a CSRF
//! token (see `csrf`). Refusals come back to the page they came from as a message; an id
//! the user may not see is a 404 page, like the API's 404.

pub mod candidates;
pub mod dashboards;
pub mod login;
pub mod order;
pub mod order_form;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(login::home))
        .route("/static/app.css", web::get().to(login::stylesheet))
        .route("/login", web::get().to(login::login_form))
        .route("/login", web::post().to(login::login_submit))
        .route("/logout", web::post().to(login::logout))
        .route("/dashboard/shared-orders", web::get().to(dashboards::shared_orders))
        .route("/dashboard/my-orders", web::get().to(dashboards::my_orders))
        .route("/dashboard/my-referrals", web::get().to(dashboards::my_referrals))
        .route("/orders/new", web::get().to(order_form::new_order_form))
        .route("/orders/new", web::post().to(order_form::create_order))
        .route("/orders/{id}", web::get().to(order::order_page))
        .route("/orders/{id}/edit", web::get().to(order_form::edit_order_form))
        .route("/orders/{id}/edit", web::post().to(order_form::update_order))
        .route("/orders/{id}/send-to-portal", web::post().to(order::send_to_portal))
        .route("/orders/{id}/close", web::post().to(order::close_order))
        .route("/orders/{id}/share", web::post().to(order::share))
        .route("/orders/{id}/referrals", web::post().to(order::refer))
        .route("/orders/{id}/referrals/bulk", web::post().to(order::bulk_refer))
        .route("/candidates/{id}/matches", web::get().to(candidates::candidate_matches))
        .route("/referrals/{id}/{action}", web::post().to(order::referral_action))
        .route("/candidates", web::get().to(candidates::candidates_page))
        .route("/candidates", web::post().to(candidates::create_candidate))
        .route("/candidates/{id}/consent", web::post().to(candidates::give_consent))
        .route("/candidates/{id}/revoke", web::post().to(candidates::revoke_consent));
}
