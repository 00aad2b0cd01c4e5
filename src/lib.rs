//! idbridge: one server that speaks five identity-document vendor APIs over one canonical
//! document model and one storage engine.
//!
//! Layers (see `DESIGN.md`): `adapters` (one per vendor API, plus admin) translate wire
//! formats to the canonical `model`; `store` persists it. Adapters never import each other
//! and never write SQL; the model knows no vendor, HTTP or SQL; the store knows no vendor.

pub mod adapters;
pub mod auth;
pub mod certs;
pub mod config;
pub mod conform;
pub mod contract;
pub mod error;
pub mod jobs;
pub mod media;
pub mod model;
pub mod server;
pub mod state;
pub mod store;
pub mod vocabulary;
