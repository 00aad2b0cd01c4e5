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

mod access;
mod document_types;
mod retention;
mod s3;

pub use access::{BackofficeUser, MasstackConfig, SignInLimits, TlsConfig};
pub use document_types::DocumentTypeConfig;
pub use retention::{RetentionRule, parse_period};
pub use s3::{BlobUrl, S3Config};

/// The longest lifetime any token may be given, in seconds (a century).
const CENTURY_SECS: u64 = 100 * 365 * 24 * 60 * 60;

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
    /// Longest time one request may take, in seconds: a body that trickles in is cut here.
    pub request_timeout_secs: u64,
    /// Longest time a client may take to send a request's headers (HTTP/1), in seconds: a
    /// connection that sends them byte by byte (slowloris), or sends nothing, is closed then.
    pub header_timeout_secs: u64,
    /// Most connections open at once, over both listeners. At the limit, new connections
    /// wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// On shutdown, how long in-flight requests may take to finish, in seconds.
    pub shutdown_grace_secs: u64,
    /// Largest JSON request body, in bytes.
    pub json_body_limit: usize,
    /// The HTTPS listener, when HTTPS is served.
    pub tls: Option<TlsConfig>,
    /// Bounds on failed sign-ins.
    pub sign_in_limits: SignInLimits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: "http://127.0.0.1:8080".into(),
            request_timeout_secs: 300,
            header_timeout_secs: 30,
            max_connections: 10_000,
            shutdown_grace_secs: 30,
            json_body_limit: 1024 * 1024,
            tls: None,
            sign_in_limits: SignInLimits::default(),
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
    /// `postgres://user:password@host/db` selects PostgreSQL (several nodes may share it).
    pub metadata_url: Option<Secret>,
    /// Connections in the metadata database's pool.
    pub pool_size: u32,
    /// The longest a metadata statement may run, and the longest a request waits for a
    /// connection or the write lock, in seconds. A request that hits it gets the vendor's
    /// 503, promptly, instead of hanging while the database is unreachable.
    pub statement_timeout_secs: u64,
    /// The longest a request waits to reach an engine, in seconds: for a PostgreSQL
    /// connection from the pool, and for an S3 request with its retries. While an engine is
    /// down, requests that need it get the vendor's 503 after at most this long.
    pub connect_timeout_secs: u64,
    /// Directory of the local blob store; default `<data_dir>/blobs`.
    pub blob_dir: Option<PathBuf>,
    /// An S3-compatible bucket for the blobs instead of a directory: `s3://bucket/prefix`,
    /// reached as `[storage.s3]` says.
    pub blob_url: Option<String>,
    /// How to reach the bucket `blob_url` names.
    pub s3: S3Config,
    /// The master key, base64 of 32 bytes. Takes precedence over `master_key_file`.
    pub master_key: Option<Secret>,
    /// File holding the master key; created (mode 0600) on first start. Must be outside
    /// `data_dir`, so a copy of the data alone cannot be decrypted.
    pub master_key_file: Option<PathBuf>,
    /// Blobs without metadata younger than this (seconds) survive the start-up sweep.
    pub sweep_grace_secs: u64,
    /// How often the retention job looks for documents past their tenant's period (seconds).
    pub retention_interval_secs: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: "./data".into(),
            metadata_url: None,
            pool_size: 8,
            statement_timeout_secs: 30,
            connect_timeout_secs: 5,
            blob_dir: None,
            blob_url: None,
            s3: S3Config::default(),
            master_key: None,
            master_key_file: Some("./idbridge-master.key".into()),
            sweep_grace_secs: 3600,
            retention_interval_secs: 3600,
        }
    }
}

impl StorageConfig {
    /// The metadata URL, defaulted from the data directory.
    pub fn metadata_url(&self) -> String {
        self.metadata_url
            .as_ref()
            .map(|s| s.expose().to_owned())
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
    /// Jumio OAuth2 client credentials and HTTP Basic API credentials.
    #[serde(default)]
    pub jumio: Option<JumioClient>,
    /// Host names B2Core clients of this tenant sign in at (the broker's own B2Core host).
    /// A sign-in on a host no tenant lists looks among the tenants that list none.
    #[serde(default)]
    pub b2core_hosts: Vec<String>,
    /// B2Core back-office users.
    #[serde(default)]
    pub b2core_backoffice: Vec<BackofficeUser>,
    /// How long documents of each canonical kind are kept (`bank_statement = "5y"`); the
    /// retention job deletes older ones. Kinds not listed are kept until deleted.
    #[serde(default)]
    pub retention: std::collections::BTreeMap<String, String>,
}

/// Jumio OAuth2 client credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JumioClient {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Option<Secret>,
    /// The API token for HTTP Basic (Jumio's "API token"); the client id when unset, since
    /// Jumio builds both credentials from one API token and secret.
    #[serde(default)]
    pub api_token: Option<String>,
    /// The API secret for HTTP Basic; the client secret when unset.
    #[serde(default)]
    pub api_secret: Option<Secret>,
}

impl JumioClient {
    /// The HTTP Basic user and password: the API token and secret, or the client id and
    /// secret when those are not set apart.
    pub fn basic(&self) -> (&str, Option<&Secret>) {
        (
            self.api_token.as_deref().unwrap_or(&self.client_id),
            self.api_secret.as_ref().or(self.client_secret.as_ref()),
        )
    }
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

/// B2Core "my documents": its mount point and document-type table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MydocsConfig {
    /// Whether it is served.
    pub enabled: bool,
    /// Path prefix it is mounted under (its paths start with `/api/v2/my` and `/v2/my`).
    pub prefix: String,
    /// Replaces the built-in document-type table when set (see docs/compat/mydocs.md).
    #[serde(default)]
    pub document_types: Option<Vec<DocumentTypeConfig>>,
    /// Seconds a file uploaded with `POST /api/v2/my/files` stays usable; an upload no
    /// document took by then is deleted, so abandoned uploads do not fill the disk.
    #[serde(default = "default_upload_ttl_secs")]
    pub upload_ttl_secs: u64,
    /// Most unused uploads one client may hold at once; one more is refused (400).
    #[serde(default = "default_max_pending_uploads")]
    pub max_pending_uploads: u32,
    /// How often expired uploads of every client are deleted, in seconds.
    #[serde(default = "default_upload_sweep_secs")]
    pub upload_sweep_interval_secs: u64,
    /// Lifetime of an access token from sign-in, in seconds.
    #[serde(default = "default_access_ttl_secs")]
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token from sign-in, in seconds.
    #[serde(default = "default_refresh_ttl_secs")]
    pub refresh_token_ttl_secs: u64,
}

fn default_access_ttl_secs() -> u64 {
    60 * 60
}

fn default_refresh_ttl_secs() -> u64 {
    7 * 24 * 60 * 60
}

fn default_upload_ttl_secs() -> u64 {
    24 * 60 * 60
}

fn default_max_pending_uploads() -> u32 {
    20
}

fn default_callback_timeout_secs() -> u64 {
    10
}

fn default_callback_claim_secs() -> u64 {
    30
}

fn default_callback_poll_ms() -> u64 {
    1000
}

fn default_upload_sweep_secs() -> u64 {
    10 * 60
}

impl MydocsConfig {
    /// The switch and mount point alone.
    pub fn mount(&self) -> AdapterConfig {
        AdapterConfig {
            enabled: self.enabled,
            prefix: self.prefix.clone(),
        }
    }
}

/// PassFort 4.0: its mount point and the rate limit of `POST /profiles` and
/// `POST /profiles/{id}/collected_data` (each, per tenant).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassfortConfig {
    /// Whether it is served.
    pub enabled: bool,
    /// Path prefix it is mounted under.
    pub prefix: String,
    /// Sustained requests per hour per tenant and limited operation (GCRA).
    pub rate_limit_per_hour: u32,
    /// Requests a tenant may send at once before the sustained rate applies.
    pub rate_limit_burst: u32,
}

impl PassfortConfig {
    /// The switch and mount point alone.
    pub fn mount(&self) -> AdapterConfig {
        AdapterConfig {
            enabled: self.enabled,
            prefix: self.prefix.clone(),
        }
    }
}

/// Jumio: its mount point and how callbacks are sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JumioConfig {
    /// Whether it is served.
    pub enabled: bool,
    /// Path prefix it is mounted under (its paths start with `/oauth2` and `/api/v1`).
    pub prefix: String,
    /// Hosts a `callbackUrl` may point at (exact host names or IP literals); an account
    /// whose callback host is not listed is refused.
    pub callback_hosts: Vec<String>,
    /// Attempts per callback before giving up.
    pub callback_attempts: u32,
    /// Wait before the second attempt; doubled before each later one.
    pub callback_backoff_ms: u64,
    /// How long one callback attempt may take, in seconds.
    #[serde(default = "default_callback_timeout_secs")]
    pub callback_timeout_secs: u64,
    /// How long a node's claim on a callback delivery lasts, in seconds: longer than
    /// `callback_timeout_secs`. A node that dies mid-delivery leaves the callback to another
    /// node once its claim runs out.
    #[serde(default = "default_callback_claim_secs")]
    pub callback_claim_secs: u64,
    /// How often each node looks for callbacks due (another node's, retries), in ms.
    #[serde(default = "default_callback_poll_ms")]
    pub callback_poll_ms: u64,
    /// How often expired workflow executions are looked for (to send their callbacks).
    pub sweep_interval_secs: u64,
    /// Lifetime of an access token from `POST /oauth2/token`, in seconds (Jumio's: 3600).
    pub access_token_ttl_secs: u64,
    /// Who may show the web capture page in a frame (its CSP `frame-ancestors`): `*` (any
    /// site, the default: Jumio's guide embeds `web.href` in the customer's own page),
    /// `'self'`, `'none'`, or origins such as `https://shop.example`.
    pub web_frame_ancestors: Vec<String>,
}

impl JumioConfig {
    /// The switch and mount point alone.
    pub fn mount(&self) -> AdapterConfig {
        AdapterConfig {
            enabled: self.enabled,
            prefix: self.prefix.clone(),
        }
    }
}

/// Whether `source` may stand in a CSP `frame-ancestors`: `*`, `'self'`, `'none'`, or an
/// http(s) origin (scheme, host, optional port; nothing that could end the directive).
fn frame_ancestor(source: &str) -> bool {
    if matches!(source, "*" | "'self'" | "'none'") {
        return true;
    }
    let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'))
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
    pub mydocs: MydocsConfig,
    /// MasStack identity-document identifications and its AuthN token endpoint.
    pub masstack: MasstackConfig,
    /// PassFort 4.0 profiles.
    pub passfort: PassfortConfig,
    /// Jumio KYX.
    pub jumio: JumioConfig,
}

impl Default for AdaptersConfig {
    fn default() -> Self {
        AdaptersConfig {
            admin: AdapterConfig::at("/admin/v1"),
            ncore: AdapterConfig::at("/v1"),
            mydocs: MydocsConfig {
                enabled: true,
                prefix: String::new(),
                document_types: None,
                upload_ttl_secs: default_upload_ttl_secs(),
                max_pending_uploads: default_max_pending_uploads(),
                upload_sweep_interval_secs: default_upload_sweep_secs(),
                access_token_ttl_secs: default_access_ttl_secs(),
                refresh_token_ttl_secs: default_refresh_ttl_secs(),
            },
            masstack: MasstackConfig::default(),
            passfort: PassfortConfig {
                enabled: true,
                prefix: "/4.0".into(),
                rate_limit_per_hour: 10_000,
                rate_limit_burst: 100,
            },
            jumio: JumioConfig {
                enabled: true,
                prefix: String::new(),
                callback_hosts: Vec::new(),
                callback_attempts: 5,
                callback_backoff_ms: 1000,
                callback_timeout_secs: default_callback_timeout_secs(),
                callback_claim_secs: default_callback_claim_secs(),
                callback_poll_ms: default_callback_poll_ms(),
                sweep_interval_secs: 5,
                access_token_ttl_secs: 3600,
                web_frame_ancestors: vec!["*".into()],
            },
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
        let mut orgs = HashSet::new();
        let mut b2core_hosts = HashSet::new();
        let mut backoffice = HashSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            crate::model::TenantId::new(&t.id).map_err(|_| {
                ConfigError(format!(
                    "tenants[{i}].id: use 1-63 characters of a-z, 0-9, '_' and '-'"
                ))
            })?;
            retention::check(i, t)?;
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
            for org in &t.masstack_orgs {
                if !orgs.insert(org.as_str()) {
                    return Err(ConfigError(format!(
                        "tenants[{i}].masstack_orgs: org {org:?} is listed twice"
                    )));
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
            if let Some(j) = &t.jumio
                && (j.api_secret.as_ref().is_some_and(|s| s.expose().is_empty())
                    || j.api_token.as_ref().is_some_and(String::is_empty))
            {
                return Err(ConfigError(format!(
                    "tenants[{i}].jumio.api_token and api_secret must not be empty"
                )));
            }
            for host in &t.b2core_hosts {
                if !b2core_hosts.insert(host.to_ascii_lowercase()) {
                    return Err(ConfigError(format!(
                        "tenants[{i}].b2core_hosts: host {host:?} is listed twice"
                    )));
                }
            }
            for (j, u) in t.b2core_backoffice.iter().enumerate() {
                let at = format!("tenants[{i}].b2core_backoffice[{j}]");
                if !u.email.contains('@') || !backoffice.insert(u.email.to_ascii_lowercase()) {
                    return Err(ConfigError(format!(
                        "{at}.email: must be an email address, used once"
                    )));
                }
                if !crate::auth::password::is_hash(u.password_hash.expose()) {
                    return Err(ConfigError(format!(
                        "{at}.password_hash: not an argon2id hash (make one with `idbridge hash-password`)"
                    )));
                }
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
        let pf = &self.adapters.passfort;
        if pf.rate_limit_per_hour == 0 || pf.rate_limit_burst == 0 {
            return Err(ConfigError(
                "adapters.passfort.rate_limit_per_hour and rate_limit_burst must be at least 1"
                    .into(),
            ));
        }
        let j = &self.adapters.jumio;
        if j.callback_attempts == 0 || j.sweep_interval_secs == 0 || j.access_token_ttl_secs == 0 {
            return Err(ConfigError(
                "adapters.jumio.callback_attempts, sweep_interval_secs and access_token_ttl_secs must be at least 1"
                    .into(),
            ));
        }
        if j.callback_timeout_secs == 0 || j.callback_poll_ms == 0 {
            return Err(ConfigError(
                "adapters.jumio.callback_timeout_secs and callback_poll_ms must be at least 1"
                    .into(),
            ));
        }
        if j.callback_claim_secs <= j.callback_timeout_secs {
            return Err(ConfigError(
                "adapters.jumio.callback_claim_secs must exceed callback_timeout_secs, or two nodes could deliver one callback at once"
                    .into(),
            ));
        }
        if let Some(bad) = j.web_frame_ancestors.iter().find(|a| !frame_ancestor(a)) {
            return Err(ConfigError(format!(
                "adapters.jumio.web_frame_ancestors: {bad:?} is not *, 'self', 'none' or an http(s) origin"
            )));
        }
        if j.web_frame_ancestors.len() > 1 && j.web_frame_ancestors.iter().any(|a| a == "'none'") {
            return Err(ConfigError(
                "adapters.jumio.web_frame_ancestors: 'none' stands alone".into(),
            ));
        }
        self.validate_access()?;
        if let Some(types) = &self.adapters.mydocs.document_types {
            document_types::check(types)?;
        }
        if self.adapters.mydocs.upload_sweep_interval_secs == 0 {
            return Err(ConfigError(
                "adapters.mydocs.upload_sweep_interval_secs must be at least 1".into(),
            ));
        }
        let s = &self.storage;
        if let Some(url) = &s.blob_url {
            BlobUrl::parse(url)?;
            if s.blob_dir.is_some() {
                return Err(ConfigError(
                    "storage.blob_url and storage.blob_dir name two blob stores: set one".into(),
                ));
            }
        }
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
        if self.server.header_timeout_secs == 0 || self.server.max_connections == 0 {
            return Err(ConfigError(
                "server.header_timeout_secs and server.max_connections must be at least 1".into(),
            ));
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

    /// Checks the HTTPS listener, the sign-in bounds and the token lifetimes.
    fn validate_access(&self) -> Result<(), ConfigError> {
        if let Some(tls) = &self.server.tls {
            if tls.reload_check_secs == 0 {
                return Err(ConfigError(
                    "server.tls.reload_check_secs must be at least 1".into(),
                ));
            }
            if tls.listen == self.server.listen && tls.listen.port() != 0 {
                return Err(ConfigError(
                    "server.tls.listen must differ from server.listen".into(),
                ));
            }
        }
        let l = &self.server.sign_in_limits;
        if l.failures_per_account == 0
            || l.failures_per_address == 0
            || !(1..=CENTURY_SECS).contains(&l.window_secs)
        {
            return Err(ConfigError(format!(
                "server.sign_in_limits: every bound must be at least 1 (window_secs at most {CENTURY_SECS})"
            )));
        }
        let m = &self.adapters.masstack;
        if !m.token_path.starts_with('/') || m.token_path.contains(['?', '#', '{']) {
            return Err(ConfigError(
                "adapters.masstack.token_path must be a plain path starting with /".into(),
            ));
        }
        let d = &self.adapters.mydocs;
        let ttls = [
            (
                "adapters.masstack.access_token_ttl_secs",
                m.access_token_ttl_secs,
            ),
            (
                "adapters.mydocs.access_token_ttl_secs",
                d.access_token_ttl_secs,
            ),
            (
                "adapters.mydocs.refresh_token_ttl_secs",
                d.refresh_token_ttl_secs,
            ),
        ];
        for (key, secs) in ttls {
            if !(60..=CENTURY_SECS).contains(&secs) {
                return Err(ConfigError(format!(
                    "{key} must be between 60 and {CENTURY_SECS}"
                )));
            }
        }
        Ok(())
    }

    /// Whether any configured key is a demo key.
    pub fn demo_keys_active(&self) -> bool {
        let tenant_keys = self.tenants.iter().flat_map(|t| {
            let jumio = t
                .jumio
                .iter()
                .flat_map(|j| j.client_secret.iter().chain(j.api_secret.iter()));
            t.api_keys.iter().chain(&t.masstack_keys).chain(jumio)
        });
        let demo_users = self
            .tenants
            .iter()
            .flat_map(|t| &t.b2core_backoffice)
            .any(|u| u.email.starts_with(DEMO_KEY_PREFIX));
        demo_users
            || tenant_keys
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
pub fn is_within(path: &Path, dir: &Path) -> bool {
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
