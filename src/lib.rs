//! idbridge: one server that speaks five identity-document vendor APIs over one canonical
//! document model and one storage engine.
//!
//! Layers (see `DESIGN.md`): `adapters` (one per vendor API, plus admin) translate wire
//! formats to the canonical `model`; `ops` (the operations layer) runs each vendor
//! operation that writes several things as one `store` transaction; `store` persists the
//! model. `adapters → ops → store / model`: adapters never import each other and never
//! write SQL; ops know no HTTP and no vendor wire format (vendor rules reach them as plain
//! data) and write no SQL; the model knows no vendor, HTTP or SQL; the store knows no vendor.

pub mod adapters;
pub mod audit;
pub mod audit_cli;
pub mod auth;
pub mod certs;
pub mod config;
pub mod conform;
pub mod console;
pub mod contract;
pub mod error;
#[cfg(test)]
mod fuzz_kit;
pub mod http;
pub mod jobs;
pub mod keys_cli;
pub mod media;
pub mod metrics;
pub mod model;
pub mod ops;
pub mod progress;
pub mod server;
pub mod state;
pub mod store;
pub mod store_copy;
pub mod vocabulary;
