//! The command line's work that is bigger than a call into the domain: demo and benchmark data.

pub mod demo;
pub mod seed;
