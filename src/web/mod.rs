//! HTTP: the JSON API (`api`) and the HTML pages (`pages`), and the plumbing they share: the
//! state every handler receives, the logged-in user, tokens, the JSON body, CSRF, and the
//! page frame (templates, responses, session, flash, formats, table rows).

pub mod api;
pub mod auth;
pub mod charts;
pub mod csrf;
pub mod download;
pub mod export;
pub mod flash;
pub mod format;
pub mod json;
pub mod jwt;
pub mod messages;
pub mod multipart;
pub mod pages;
pub mod render;
pub mod report_tables;
pub mod respond;
pub mod session;
pub mod state;
pub mod table;
pub mod templates;
