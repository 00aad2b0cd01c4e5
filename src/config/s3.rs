//! `[storage.s3]`: how to reach the S3-compatible store that `storage.blob_url` names. A
//! field left unset falls back to the standard `AWS_*` environment variable (`AWS_ENDPOINT`,
//! `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! `AWS_ALLOW_HTTP`), then to the instance's or container's credentials.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Secret};

/// Connection settings of an S3-compatible blob store.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    /// The endpoint, for a store other than AWS S3 (Garage, MinIO, Ceph, …).
    pub endpoint: Option<String>,
    /// The region; `us-east-1` when neither this nor the environment names one.
    pub region: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<Secret>,
    /// Path-style requests (`endpoint/bucket/key`, the default, which self-hosted stores
    /// expect); `false` for virtual-hosted style (`bucket.endpoint/key`).
    pub path_style: Option<bool>,
    /// Allows an `http://` endpoint: a store on a private network, or in tests.
    pub allow_http: bool,
}

/// A parsed `storage.blob_url`: `s3://bucket` or `s3://bucket/prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobUrl {
    /// The bucket.
    pub bucket: String,
    /// The key prefix inside the bucket, without slashes at either end; may be empty.
    pub prefix: String,
}

impl BlobUrl {
    /// Parses `storage.blob_url`.
    pub fn parse(url: &str) -> Result<BlobUrl, ConfigError> {
        let invalid = |why: &str| ConfigError(format!("storage.blob_url: {why}"));
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| invalid("use s3://bucket or s3://bucket/prefix"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's bucket naming rules, as far as a URL can break them.
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(invalid(
                "the bucket must be 3-63 characters of a-z, 0-9, '-' and '.'",
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|s| s == "." || s == "..") || prefix.contains("//") {
            return Err(invalid(
                "the prefix must not hold empty, '.' or '..' segments",
            ));
        }
        Ok(BlobUrl {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}
