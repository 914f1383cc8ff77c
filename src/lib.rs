//! staer-hub: job centres share job orders with municipal networks, consultants refer
//! candidates, the order's coordinator approves, employers get the approved candidates.

pub mod app;
pub mod audit;
pub mod auth;
pub mod candidates;
pub mod config;
pub mod csrf;
pub mod dashboards;
pub mod db;
pub mod demo;
pub mod error;
pub mod geo;
pub mod ids;
pub mod job_agents;
pub mod json;
pub mod mail;
pub mod matching;
pub mod occupations;
pub mod orders;
pub mod pages;
pub mod referrals;
pub mod schema;
pub mod seed;
pub mod sharing;
