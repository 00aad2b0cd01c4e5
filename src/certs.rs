//! `idbridge certs`: a local certificate authority and a server certificate for the host names
//! vendor SDKs call (`account.amer-1.jumio.ai`, `documents.masstack.com`, …), so that a client
//! which trusts only that CA can be pointed at idbridge by name resolution alone.
//!
//! The CA is made once and reused (its files are kept in the output folder), so a certificate
//! for more names later needs no new trust step. Private keys are written with mode 0600.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// Names a certificate is made for when none are given: loopback, and the hosts of every
/// vendor idbridge speaks for (Jumio's four hosts in its three data centres, MasStack's
/// Documents and AuthN hosts, PassFort's and NymCard's API hosts).
pub fn default_hosts() -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    for dc in ["amer-1", "emea-1", "apac-1"] {
        for host in ["auth", "account", "api", "retrieval"] {
            hosts.push(format!("{host}.{dc}.jumio.ai"));
        }
    }
    hosts.extend(
        [
            "documents.masstack.com",
            "authn.masstack.com",
            "api.passfort.com",
            "api.nymcard.com",
            "api.sand.platform.nymcard.com",
        ]
        .iter()
        .map(|h| (*h).to_owned()),
    );
    hosts
}

/// The files `idbridge certs` writes.
#[derive(Debug)]
pub struct Issued {
    /// The CA certificate: what clients trust.
    pub ca_cert: PathBuf,
    /// The CA's private key (0600).
    pub ca_key: PathBuf,
    /// The server certificate chain, for `server.tls.cert`.
    pub server_cert: PathBuf,
    /// The server's private key (0600), for `server.tls.key`.
    pub server_key: PathBuf,
    /// Whether an existing CA was reused.
    pub ca_reused: bool,
}

fn ca_params() -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "idbridge");
    dn.push(DnType::CommonName, "idbridge local CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let (from, to) = (
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(3650),
    );
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    params.not_after = rcgen::date_time_ymd(to.year(), to.month() as u8, to.day() as u8);
    Ok(params)
}

/// Writes `bytes` to `path` through a temporary file renamed into place; mode 0600 when
/// `private`.
fn write(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Makes (or reuses) the CA in `out` and issues a server certificate for `hosts` (DNS names
/// or IP addresses), valid 397 days.
pub fn issue(out: &Path, hosts: &[String]) -> anyhow::Result<Issued> {
    if hosts.is_empty() {
        anyhow::bail!("give at least one --host");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let ca_cert = out.join("ca.pem");
    let ca_key_path = out.join("ca.key");
    let params = ca_params()?;
    let (ca_key, ca_reused) = match std::fs::read_to_string(&ca_key_path) {
        Ok(pem) if ca_cert.exists() => (
            KeyPair::from_pem(&pem)
                .with_context(|| format!("{} is not a private key", ca_key_path.display()))?,
            true,
        ),
        _ => {
            let key = KeyPair::generate()?;
            let cert = params.self_signed(&key)?;
            write(&ca_key_path, key.serialize_pem().as_bytes(), true)?;
            write(&ca_cert, cert.pem().as_bytes(), false)?;
            (key, false)
        }
    };
    let issuer = Issuer::new(params, &ca_key);
    let mut leaf = CertificateParams::new(hosts.to_vec())
        .with_context(|| "a --host is neither a DNS name nor an IP address")?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "idbridge");
    dn.push(DnType::CommonName, hosts[0].as_str());
    leaf.distinguished_name = dn;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    let (from, to) = (
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(397),
    );
    leaf.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    leaf.not_after = rcgen::date_time_ymd(to.year(), to.month() as u8, to.day() as u8);
    let leaf_key = KeyPair::generate()?;
    let cert = leaf.signed_by(&leaf_key, &issuer)?;
    let server_cert = out.join("server.pem");
    let server_key = out.join("server.key");
    write(&server_key, leaf_key.serialize_pem().as_bytes(), true)?;
    write(&server_cert, cert.pem().as_bytes(), false)?;
    Ok(Issued {
        ca_cert,
        ca_key: ca_key_path,
        server_cert,
        server_key,
        ca_reused,
    })
}

/// How to make common clients trust the CA, and how to serve the certificate.
pub fn instructions(issued: &Issued) -> String {
    let ca = issued.ca_cert.display();
    format!(
        "Serve it (config/idbridge.toml):\n\
         \n  [server.tls]\n  listen = \"127.0.0.1:8443\"\n  cert = \"{cert}\"\n  key = \"{key}\"\n\
         \nTrust the CA ({ca}) in the client, then resolve the vendor's host to idbridge\n\
         (an /etc/hosts line such as `127.0.0.1 account.amer-1.jumio.ai`, or the client's own resolver):\n\
         \n  curl:            curl --cacert {ca} https://account.amer-1.jumio.ai:8443/…\n\
         \x20 Python requests: REQUESTS_CA_BUNDLE={ca} python app.py   (or requests.get(url, verify=\"{ca}\"))\n\
         \x20 Node.js:         NODE_EXTRA_CA_CERTS={ca} node app.js\n\
         \x20 Ruby:            SSL_CERT_FILE={ca} ruby app.rb\n\
         \x20 Java:            keytool -importcert -alias idbridge -file {ca} -cacerts\n\
         \nThe CA's key ({ca_key}) signs certificates every client of yours trusts: keep it private.\n",
        cert = issued.server_cert.display(),
        key = issued.server_key.display(),
        ca_key = issued.ca_key.display(),
    )
}
