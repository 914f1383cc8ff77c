//! The model, the rules and the queries: what the API, the pages, the CLI and the workers all
//! call. Functions take `&mut DbConn` and the acting user, and return `AppResult`; no HTTP here.

pub mod accounts;
pub mod actor;
pub mod approvals;
pub mod audit;
pub mod candidate_edit;
pub mod candidate_list;
pub mod candidates;
pub mod csv_export;
pub mod cv;
pub mod dashboards;
pub mod duplicates;
pub mod employer_link;
pub mod employer_outcome;
pub mod erasure;
pub mod export;
pub mod export_log;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod import;
pub mod job_agents;
pub mod job_suggestions;
pub mod jobs;
pub mod login_throttle;
pub mod matching;
pub mod notices;
pub mod notify;
pub mod order;
pub mod order_close;
pub mod order_fields;
pub mod orders;
pub mod outbox;
pub mod portal;
pub mod portal_state;
pub mod portal_wire;
pub mod portal_worker;
#[cfg(test)]
mod privacy_tests;
pub mod public_order;
pub mod referral;
pub mod referrals;
pub mod report_counts;
pub mod report_period;
pub mod reports;
pub mod retention;
pub mod sessions;
pub mod sharing;
pub mod sheet;
pub mod state_update;
pub mod users;
pub mod validate;
pub mod xlsx_export;
