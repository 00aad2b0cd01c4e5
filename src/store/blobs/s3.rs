//! The S3 backend: any S3-compatible store, through `object_store`'s S3 client.
//!
//! Nothing here relies on conditional writes (`If-None-Match`), which stores such as Garage
//! ignore: every blob key holds a new file id and is never written twice, and every
//! invariant is held by the metadata database.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::aws::AmazonS3ConfigKey;
use object_store::prefix::PrefixStore;
use object_store::{ClientConfigKey, ObjectStore, RetryConfig};

use crate::config::{BlobUrl, S3Config};
use crate::error::{Error, Result};

/// S3's smallest part but the last: each upload buffers a few parts of this size at most.
pub(super) const PART_SIZE: usize = 5 * 1024 * 1024;

/// The store `url` names, reached as `s3` says; unset fields come from `AWS_*`.
///
/// A connection attempt gives up after `connect_timeout`, and no retry starts once
/// `connect_timeout` has passed since the request began (at most 3): a request to a store
/// that is down fails promptly with a 503 instead of retrying for `object_store`'s default
/// three minutes.
pub(super) fn open(
    url: &str,
    s3: &S3Config,
    connect_timeout: Duration,
) -> Result<Arc<dyn ObjectStore>> {
    let url = BlobUrl::parse(url).map_err(|e| Error::invalid("storage.blob_url", e.to_string()))?;
    let retry = RetryConfig {
        max_retries: 3,
        retry_timeout: connect_timeout,
        ..RetryConfig::default()
    };
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(&url.bucket)
        .with_retry(retry)
        // As a key, not `with_client_options`, which would drop the client options read
        // from `AWS_*` (such as `AWS_ALLOW_HTTP`).
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
            format!("{}ms", connect_timeout.as_millis()),
        );
    if let Some(endpoint) = &s3.endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    if let Some(region) = &s3.region {
        builder = builder.with_region(region);
    }
    if let Some(id) = &s3.access_key_id {
        builder = builder.with_access_key_id(id);
    }
    if let Some(secret) = &s3.secret_access_key {
        builder = builder.with_secret_access_key(secret.expose());
    }
    if let Some(path_style) = s3.path_style {
        builder = builder.with_virtual_hosted_style_request(!path_style);
    }
    if s3.allow_http {
        builder = builder.with_allow_http(true);
    }
    // object_store's HTTP client is a reqwest one: TLS on the provider idbridge installs.
    crate::http::install_ring();
    let store = builder
        .build()
        .map_err(|e| Error::invalid("storage.s3", e.to_string()))?;
    Ok(if url.prefix.is_empty() {
        Arc::new(store)
    } else {
        Arc::new(PrefixStore::new(store, url.prefix.as_str()))
    })
}
