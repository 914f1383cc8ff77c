//! HTTP: the JSON API and the HTML pages, with the plumbing they share (the logged-in user,
//! the JSON body extractor, CSRF).

pub mod api;
pub mod auth;
pub mod csrf;
pub mod format;
pub mod json;
pub mod pages;
pub mod render;
pub mod session;
pub mod state;
pub mod table;
