//! Every HTTP-level integration test in one binary: one link and one copy of the dependency
//! graph on disk instead of one per file, which keeps CI's build small and fast.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod audit;
mod bombs;
mod cli;
mod conform_runner;
mod conformance;
mod console;
mod fuzz;
mod hostile;
mod isolation;
mod jumio;
mod masstack;
mod mydocs;
mod ncore;
mod openapi;
mod passfort;
mod retention;
mod server;
mod store;
mod tls;
