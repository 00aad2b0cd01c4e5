//! Configuration: built-in defaults, then `config/idbridge.toml` (or the file given with
//! `--config` / `IDBRIDGE_CONFIG`), then `IDBRIDGE_…` environment variables, nested keys
//! joined with `__` (e.g. `IDBRIDGE_SERVER__LISTEN=0.0.0.0:9000`).
//!
//! Unknown keys are refused, so a typo stops start-up instead of being ignored.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The default configuration file, relative to the working directory.
pub const DEFAULT_FILE: &str = "config/idbridge.toml";

/// Keys whose value starts with this are demo keys: fine on loopback, never in production.
pub const DEMO_KEY_PREFIX: &str = "demo-";

/// A configured secret (a key, a client secret). It serialises as its text, because the
/// configuration layers pass through serde, but it never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The secret's text, for comparing or using it; never for logging.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The whole configuration.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The HTTP listener.
    pub server: ServerConfig,
    /// Metadata, blobs and keys.
    pub storage: StorageConfig,
    /// The tenants and their credentials.
    pub tenants: Vec<TenantConfig>,
    /// Keys for the admin API, each scoped to one tenant.
    pub admin_keys: Vec<AdminKeyConfig>,
    /// Which vendor APIs are served, and where.
    pub adapters: AdaptersConfig,
}

/// The HTTP listener.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Base URL clients reach idbridge at, used in URLs it hands out (no trailing slash).
    pub public_base_url: String,
    /// Longest time one request may take, in seconds.
    pub request_timeout_secs: u64,
    /// On shutdown, how long in-flight requests may take to finish, in seconds.
    pub shutdown_grace_secs: u64,
    /// Largest JSON request body, in bytes.
    pub json_body_limit: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: "http://127.0.0.1:8080".into(),
            request_timeout_secs: 300,
            shutdown_grace_secs: 30,
            json_body_limit: 1024 * 1024,
        }
    }
}

/// Metadata, blobs and keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Directory for the embedded database and blobs.
    pub data_dir: PathBuf,
    /// sqlx URL of the metadata database; default `sqlite://<data_dir>/idbridge.db`.
    pub metadata_url: Option<String>,
    /// Directory of the local blob store; default `<data_dir>/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// The master key, base64 of 32 bytes. Takes precedence over `master_key_file`.
    pub master_key: Option<Secret>,
    /// File holding the master key; created (mode 0600) on first start. Must be outside
    /// `data_dir`, so a copy of the data alone cannot be decrypted.
    pub master_key_file: Option<PathBuf>,
    /// Blobs without metadata younger than this (seconds) survive the start-up sweep.
    pub sweep_grace_secs: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: "./data".into(),
            metadata_url: None,
            blob_dir: None,
            master_key: None,
            master_key_file: Some("./idbridge-master.key".into()),
            sweep_grace_secs: 3600,
        }
    }
}

impl StorageConfig {
    /// The metadata URL, defaulted from the data directory.
    pub fn metadata_url(&self) -> String {
        self.metadata_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("idbridge.db").display()))
    }

    /// The blob directory, defaulted from the data directory.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("blobs"))
    }
}

/// One tenant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// The tenant's id.
    pub id: String,
    /// Keys for the `apikey`-authenticated APIs (nCore, PassFort).
    #[serde(default)]
    pub api_keys: Vec<Secret>,
    /// Bearer keys for MasStack.
    #[serde(default)]
    pub masstack_keys: Vec<Secret>,
    /// MasStack organisations this tenant owns.
    #[serde(default)]
    pub masstack_orgs: Vec<String>,
    /// Jumio OAuth2 client credentials.
    #[serde(default)]
    pub jumio: Option<JumioClient>,
}

/// Jumio OAuth2 client credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JumioClient {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Option<Secret>,
}

/// One admin key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminKeyConfig {
    /// The tenant the key administers.
    pub tenant: String,
    /// The key (sent as `Authorization: Bearer <key>`).
    pub key: Secret,
}

/// One vendor API's switch and mount point.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterConfig {
    /// Whether it is served.
    pub enabled: bool,
    /// Path prefix it is mounted under.
    pub prefix: String,
}

impl AdapterConfig {
    fn at(prefix: &str) -> Self {
        AdapterConfig {
            enabled: true,
            prefix: prefix.into(),
        }
    }
}

/// Every adapter's switch and mount point.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptersConfig {
    /// The admin API.
    pub admin: AdapterConfig,
    /// NymCard nCore identifications.
    pub ncore: AdapterConfig,
    /// B2Core "my documents".
    pub mydocs: AdapterConfig,
    /// MasStack identity-document identifications.
    pub masstack: AdapterConfig,
    /// PassFort 4.0 profiles.
    pub passfort: AdapterConfig,
    /// Jumio KYX.
    pub jumio: AdapterConfig,
}

impl Default for AdaptersConfig {
    fn default() -> Self {
        AdaptersConfig {
            admin: AdapterConfig::at("/admin/v1"),
            ncore: AdapterConfig::at("/v1"),
            mydocs: AdapterConfig::at(""),
            masstack: AdapterConfig::at("/v1"),
            passfort: AdapterConfig::at("/4.0"),
            jumio: AdapterConfig::at(""),
        }
    }
}

/// A configuration problem, phrased as one line naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads the configuration from defaults, the file and the environment, then checks it.
    /// `file` is the explicit `--config`; without it the default file is used if present.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file(DEFAULT_FILE)),
        }
        fig = fig.merge(Env::prefixed("IDBRIDGE_").ignore(&["config"]).split("__"));
        let config: Config = fig.extract().map_err(|e| ConfigError(first_line(&e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: ids, uniqueness of keys, required secrets, key placement.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut tenant_ids = HashSet::new();
        let mut keys = HashSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            crate::model::TenantId::new(&t.id).map_err(|_| {
                ConfigError(format!(
                    "tenants[{i}].id: use 1-63 characters of a-z, 0-9, '_' and '-'"
                ))
            })?;
            if !tenant_ids.insert(t.id.as_str()) {
                return Err(ConfigError(format!(
                    "tenants[{i}].id: tenant {:?} is defined twice",
                    t.id
                )));
            }
            for (field, list) in [
                ("api_keys", &t.api_keys),
                ("masstack_keys", &t.masstack_keys),
            ] {
                for k in list {
                    if k.expose().len() < 8 {
                        return Err(ConfigError(format!(
                            "tenants[{i}].{field}: keys must be at least 8 characters"
                        )));
                    }
                    if !keys.insert(k.expose()) {
                        return Err(ConfigError(format!(
                            "tenants[{i}].{field}: a key is used twice"
                        )));
                    }
                }
            }
            if let Some(j) = &t.jumio
                && j.client_secret
                    .as_ref()
                    .is_none_or(|c| c.expose().is_empty())
            {
                return Err(ConfigError(format!(
                    "tenants[{i}].jumio.client_secret is required"
                )));
            }
        }
        for (i, a) in self.admin_keys.iter().enumerate() {
            if !tenant_ids.contains(a.tenant.as_str()) {
                return Err(ConfigError(format!(
                    "admin_keys[{i}].tenant: no tenant {:?}",
                    a.tenant
                )));
            }
            if a.key.expose().len() < 8 {
                return Err(ConfigError(format!(
                    "admin_keys[{i}].key: keys must be at least 8 characters"
                )));
            }
            if !keys.insert(a.key.expose()) {
                return Err(ConfigError(format!(
                    "admin_keys[{i}].key: a key is used twice"
                )));
            }
        }
        let s = &self.storage;
        match (&s.master_key, &s.master_key_file) {
            (None, None) => {
                return Err(ConfigError(
                    "storage.master_key or storage.master_key_file is required".into(),
                ));
            }
            (None, Some(f)) if is_within(f, &s.data_dir) => {
                return Err(ConfigError(
                    "storage.master_key_file must be outside storage.data_dir".into(),
                ));
            }
            _ => {}
        }
        if !self.server.public_base_url.starts_with("http://")
            && !self.server.public_base_url.starts_with("https://")
        {
            return Err(ConfigError(
                "server.public_base_url must start with http:// or https://".into(),
            ));
        }
        Ok(())
    }

    /// Whether any configured key is a demo key.
    pub fn demo_keys_active(&self) -> bool {
        let tenant_keys = self.tenants.iter().flat_map(|t| {
            let jumio = t.jumio.iter().flat_map(|j| j.client_secret.iter());
            t.api_keys.iter().chain(&t.masstack_keys).chain(jumio)
        });
        tenant_keys
            .chain(self.admin_keys.iter().map(|a| &a.key))
            .any(|k| k.expose().starts_with(DEMO_KEY_PREFIX))
    }
}

fn first_line(e: &figment::Error) -> String {
    e.to_string()
        .lines()
        .next()
        .unwrap_or("invalid configuration")
        .to_owned()
}

/// Whether `path` lies inside `dir`, comparing absolute, normalised forms.
fn is_within(path: &Path, dir: &Path) -> bool {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        p.components().fold(PathBuf::new(), |mut acc, c| {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    acc.pop();
                }
                other => acc.push(other),
            }
            acc
        })
    };
    abs(path).starts_with(abs(dir))
}

#[cfg(test)]
mod tests;
