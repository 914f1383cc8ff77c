//! The JSON API, one file per domain: parse the request, call the domain, answer.

pub mod accounts;
pub mod auth;
pub mod candidates;
pub mod cv;
pub mod dashboards;
pub mod employer;
pub mod exports;
pub mod import;
pub mod job_agents;
pub mod job_suggestions;
pub mod matching;
pub mod notices;
pub mod openapi;
pub mod orders;
pub mod outbox;
pub mod portal;
pub mod referrals;
pub mod reports;
pub mod shapes;
pub mod sharing;
