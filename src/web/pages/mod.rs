//! The consultants' web pages: server-rendered HTML over the same domain functions as the
//! JSON API (orders, sharing, referrals, candidates, dashboards), so a page can never allow
//! what the API refuses. Templates are embedded and registered once, at start-up.
//!
//! A session is the JWT of the API in an HttpOnly cookie. Every form POST carries a CSRF
//! token (see `csrf`). Refusals come back to the page they came from as a message; an id
//! the user may not see is a 404 page, like the API's 404.

pub mod account;
pub mod admin_exports;
pub mod admin_networks;
pub mod admin_outbox;
pub mod admin_users;
pub mod candidate_cv;
pub mod candidate_edit;
pub mod candidate_privacy;
pub mod candidates;
pub mod dashboards;
pub mod employer;
pub mod import;
pub mod job_agents;
pub mod job_suggestions;
pub mod login;
pub mod not_found;
pub mod notices;
pub mod order;
pub mod order_close;
pub mod order_form;
pub mod privacy;
pub mod public_order;
pub mod reports;
pub mod unsubscribe;
