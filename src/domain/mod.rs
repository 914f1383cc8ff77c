//! The model, the rules and the queries: what the API, the pages, the CLI and the workers all
//! call. Functions take `&mut DbConn` and the acting user, and return `AppResult`; no HTTP here.

pub mod actor;
pub mod audit;
pub mod candidates;
pub mod dashboards;
pub mod duplicates;
pub mod import;
pub mod job_agents;
pub mod matching;
pub mod notify;
pub mod order;
pub mod order_fields;
pub mod orders;
pub mod outbox;
pub mod referral;
pub mod referrals;
pub mod sharing;
pub mod users;
pub mod validate;
