//! HTTPS: rustls on ring, HTTP/2 and HTTP/1.1 offered by ALPN, the certificate chain and key
//! read from PEM files. The files are read again on SIGHUP and whenever they change (checked
//! every `reload_check_secs`), so a renewed certificate is served without a restart; a
//! reload that fails keeps the certificate already loaded and says why in the log.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{ServerConfig, version};

use crate::config::TlsConfig;

/// What identifies one version of a file without reading it: size and modification time.
type Stamp = Option<(u64, SystemTime)>;

/// The certificate being served, and the files it comes from.
#[derive(Debug)]
pub struct CertStore {
    current: RwLock<Arc<CertifiedKey>>,
    cert: PathBuf,
    key: PathBuf,
    seen: Mutex<(Stamp, Stamp)>,
}

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Reads a chain and its key, checking that the key is the chain's first certificate's.
fn read(cert: &Path, key: &Path) -> anyhow::Result<CertifiedKey> {
    let chain = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("server.tls.cert: cannot read {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("server.tls.cert: {} is not PEM", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!("server.tls.cert: {} holds no certificate", cert.display());
    }
    let private = PrivateKeyDer::from_pem_file(key).with_context(|| {
        format!(
            "server.tls.key: cannot read a private key from {}",
            key.display()
        )
    })?;
    CertifiedKey::from_der(chain, private, &default_provider()).with_context(
        || "server.tls: the key does not belong to the certificate, or is of an unsupported type",
    )
}

impl CertStore {
    /// Loads the certificate named by the configuration.
    pub fn load(config: &TlsConfig) -> anyhow::Result<CertStore> {
        let seen = (stamp(&config.cert), stamp(&config.key));
        let current = read(&config.cert, &config.key)?;
        Ok(CertStore {
            current: RwLock::new(Arc::new(current)),
            cert: config.cert.clone(),
            key: config.key.clone(),
            seen: Mutex::new(seen),
        })
    }

    /// Reads the files again and serves what they hold from the next handshake on. On
    /// error the certificate already served stays.
    pub fn reload(&self) -> anyhow::Result<()> {
        let seen = (stamp(&self.cert), stamp(&self.key));
        let fresh = read(&self.cert, &self.key)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = seen;
        Ok(())
    }

    /// Reloads when either file changed since the last load; says whether it did.
    pub fn reload_if_changed(&self) -> anyhow::Result<bool> {
        let now = (stamp(&self.cert), stamp(&self.key));
        let changed = *self.seen.lock().unwrap_or_else(|p| p.into_inner()) != now;
        if changed {
            self.reload()?;
        }
        Ok(changed)
    }

    /// The chain being served (its first certificate is the server's).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .cert
            .clone()
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }
}

/// The acceptor for an HTTPS listener serving `certs`: TLS 1.2 and 1.3, ALPN `h2` then
/// `http/1.1`.
pub fn acceptor(certs: Arc<CertStore>) -> anyhow::Result<TlsAcceptor> {
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_protocol_versions(&[&version::TLS13, &version::TLS12])
        .context("server.tls: no usable TLS versions")?
        .with_no_client_auth()
        .with_cert_resolver(certs);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Watches the certificate files: reloads on SIGHUP and when they change. Runs until the
/// process ends.
pub fn spawn_reloader(certs: Arc<CertStore>, every: Duration) {
    // Installed before the task starts: a SIGHUP right after start-up reloads, never kills.
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            #[cfg(unix)]
            let hup = async {
                match hangup.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let hup = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = hup => match certs.reload() {
                    Ok(()) => tracing::info!("tls: certificate reloaded (SIGHUP)"),
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "tls: reload on SIGHUP failed; the previous certificate stays"),
                },
                _ = tick.tick() => match certs.reload_if_changed() {
                    Ok(true) => tracing::info!("tls: certificate files changed; reloaded"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "tls: certificate files changed but cannot be loaded; the previous certificate stays"),
                },
            }
        }
    });
}
