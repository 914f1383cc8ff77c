//! staer-hub: job centres share job orders with municipal networks, consultants refer
//! candidates, the order's coordinator approves, employers get the approved candidates.
//!
//! Layers, arrows pointing down only: `cli` and `app` (wiring) over `web` (HTTP: JSON API and
//! pages) over `domain` and `mail` (rules and queries) over `db`, `error`, `ids` and the data.

pub mod app;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod geo;
pub mod ids;
pub mod mail;
pub mod occupations;
pub mod tls;
pub mod web;
