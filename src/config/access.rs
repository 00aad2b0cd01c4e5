//! How clients reach idbridge and prove who they are: the HTTPS listener, the bounds on
//! failed sign-ins, and the per-vendor credentials that are not plain keys (B2Core back-office
//! users, MasStack's token endpoint).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// The HTTPS listener (`[server.tls]`). Runs beside the plain-HTTP one, on its own address.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Address to listen on for HTTPS.
    pub listen: SocketAddr,
    /// The certificate chain, PEM (server certificate first).
    pub cert: PathBuf,
    /// The private key of the server certificate, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// How often the two files are checked for changes, in seconds; a change (or SIGHUP)
    /// reloads them without a restart.
    #[serde(default = "default_reload_check_secs")]
    pub reload_check_secs: u64,
}

fn default_reload_check_secs() -> u64 {
    10
}

/// Bounds on failed sign-ins (`[server.sign_in_limits]`), for every vendor flow that checks a
/// password, a client secret or an assertion. Past a bound, attempts are refused with 429
/// until the window ends, even with the right credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignInLimits {
    /// Failed attempts one account may make in a window.
    pub failures_per_account: u32,
    /// Failed attempts one client address may make in a window, over all accounts.
    pub failures_per_address: u32,
    /// The window, in seconds.
    pub window_secs: u64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            failures_per_account: 5,
            failures_per_address: 50,
            window_secs: 900,
        }
    }
}

/// A B2Core back-office user of a tenant: signs in at `POST /api/v2/signin`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackofficeUser {
    /// The sign-in email.
    pub email: String,
    /// The argon2id hash of the password, as `idbridge hash-password` prints it.
    pub password_hash: Secret,
}

/// MasStack: its mount point and its AuthN token endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MasstackConfig {
    /// Whether it is served.
    pub enabled: bool,
    /// Path prefix it is mounted under (its paths start with `/orgs`).
    pub prefix: String,
    /// Path of the AuthN token endpoint under the prefix (`/oauth2/token`: MasStack AuthN's
    /// `oauth2` resource under its `/v1` base).
    pub token_path: String,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// Audiences an assertion may name besides idbridge's own token URL, e.g. MasStack's
    /// real token URL when idbridge answers on MasStack's host names.
    pub token_audiences: Vec<String>,
}

impl Default for MasstackConfig {
    fn default() -> Self {
        MasstackConfig {
            enabled: true,
            prefix: "/v1".into(),
            token_path: "/oauth2/token".into(),
            access_token_ttl_secs: 3600,
            token_audiences: Vec::new(),
        }
    }
}

impl MasstackConfig {
    /// The switch and mount point alone.
    pub fn mount(&self) -> super::AdapterConfig {
        super::AdapterConfig {
            enabled: self.enabled,
            prefix: self.prefix.clone(),
        }
    }
}
