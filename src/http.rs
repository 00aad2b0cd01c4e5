//! Outbound HTTP clients (vendor callbacks, the conformance kit, contract downloads).
//!
//! reqwest 0.13 takes its TLS crypto from the process-wide rustls provider. Its `rustls`
//! feature would bring aws-lc-rs (a large C build); idbridge runs rustls on ring, as its own
//! TLS listener does, so it builds every client through [`client_builder`], which installs
//! ring as that provider first.

use std::sync::Once;

use tokio_rustls::rustls::crypto::ring::default_provider;

/// A reqwest client builder whose TLS runs on ring. Build every outbound client from it:
/// `reqwest::Client::builder()` panics on `build()` when no provider is installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_ring();
    reqwest::Client::builder()
}

/// A client with reqwest's defaults, TLS on ring: what `reqwest::Client::new()` was.
///
/// # Panics
///
/// When the TLS backend cannot be initialised, as `reqwest::Client::new()` does.
pub fn client() -> reqwest::Client {
    client_builder()
        .build()
        .expect("the HTTP client's TLS backend initialises")
}

/// Makes ring the process's default rustls provider, once: needed before any reqwest client
/// is built, including the one `object_store` builds for S3.
pub fn install_ring() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means a provider is already the default (one the embedding program chose
        // before idbridge ran); reqwest uses that one, which is what the program asked for.
        let _ = default_provider().install_default();
    });
}
