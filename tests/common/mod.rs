//! The test harness: the real app on an ephemeral port over a temporary store, every
//! response it sends checked against the served OpenAPI documents ([`ContractChecker`]), and
//! the explicit per-call check ([`Contract`]).
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod admin;
pub mod bombs;
pub mod console;
pub mod fixtures;
pub mod jumio;
pub mod masstack;
pub mod mydocs;
pub mod ncore;
pub mod passfort;
pub mod proxy;

pub use fixtures::png_header;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use idbridge::config::{
    AdminKeyConfig, BackofficeUser, Config, JumioClient, Secret, ServerConfig, TenantConfig,
};
use idbridge::contract::{Contracts, Observed, is_json, pointer_escape};
use idbridge::model::TenantId;
use idbridge::store::{BlobLocation, MasterKey, Store, StoreOptions};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Admin key of tenant `alpha` in the test configuration.
pub const ADMIN_A: &str = "test-admin-key-alpha";
/// Admin key of tenant `beta`.
pub const ADMIN_B: &str = "test-admin-key-beta";

/// Password of every tenant's back-office user `backoffice@<tenant>.test`.
pub const BACKOFFICE_PASSWORD: &str = "test-backoffice-password";
/// Its argon2id hash, as configured.
const BACKOFFICE_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$iyPu2GymrPhVfPxteH4mKg$WQsToQoixE+QayJni/1ZojiCUZHc6esq3KyKhFU5X5Y";

/// The test master key (fixed, so a test can reopen a store).
pub fn master_key() -> MasterKey {
    MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([42u8; 32])).unwrap()
}

/// A configuration with two tenants, `alpha` and `beta`, storing under `dir`.
pub fn test_config(dir: &Path) -> Config {
    let tenant = |id: &str| TenantConfig {
        retention: Default::default(),
        id: id.into(),
        api_keys: vec![Secret::new(format!("test-api-key-{id}"))],
        masstack_keys: vec![Secret::new(format!("test-masstack-key-{id}"))],
        masstack_orgs: vec![format!("org-{id}"), format!("org-{id}-2")],
        jumio: Some(JumioClient {
            client_id: format!("test-jumio-{id}"),
            client_secret: Some(Secret::new(format!("test-jumio-secret-{id}"))),
            // alpha has Basic credentials of its own; beta's are its client id and secret.
            api_token: (id == "alpha").then(|| format!("test-jumio-api-{id}")),
            api_secret: (id == "alpha").then(|| Secret::new(format!("test-jumio-api-secret-{id}"))),
        }),
        b2core_hosts: Vec::new(),
        b2core_backoffice: vec![BackofficeUser {
            email: format!("backoffice@{id}.test"),
            password_hash: Secret::new(BACKOFFICE_PASSWORD_HASH),
        }],
    };
    let mut c = Config {
        tenants: vec![tenant("alpha"), tenant("beta")],
        admin_keys: vec![
            AdminKeyConfig {
                tenant: "alpha".into(),
                key: Secret::new(ADMIN_A),
            },
            AdminKeyConfig {
                tenant: "beta".into(),
                key: Secret::new(ADMIN_B),
            },
        ],
        ..Config::default()
    };
    c.server.listen = "127.0.0.1:0".parse().unwrap();
    c.adapters.jumio.callback_hosts = vec!["127.0.0.1".into()];
    c.storage.data_dir = dir.to_path_buf();
    c.storage.master_key = Some(Secret::new(
        base64::engine::general_purpose::STANDARD.encode([42u8; 32]),
    ));
    c.storage.master_key_file = None;
    c.validate().unwrap();
    c
}

/// Opens a store under `dir` with the test master key.
pub async fn open_store(dir: &Path, sweep_grace: Duration) -> Store {
    Store::open(StoreOptions {
        metadata_url: idbridge::store::testing::metadata_url(dir).await,
        db: Default::default(),
        blobs: BlobLocation::Local(dir.join("blobs")),
        master_key: master_key(),
        sweep_grace,
    })
    .await
    .unwrap()
    .0
}

/// A tenant id.
pub fn tenant(id: &str) -> TenantId {
    TenantId::new(id).unwrap()
}

/// The real app, served on 127.0.0.1 on an ephemeral port (and over HTTPS on another when
/// the configuration has `[server.tls]`). Every response it sends goes through
/// [`ContractChecker`]; a response that breaks the served OpenAPI documents fails the test
/// when the server is stopped or dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The HTTPS listener's port, when HTTPS is served.
    pub tls_port: Option<u16>,
    /// A client for it.
    pub client: reqwest::Client,
    /// The store behind it.
    pub store: Store,
    /// Its configuration.
    pub config: Arc<Config>,
    stop: Option<watch::Sender<bool>>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
    checker: Arc<ContractChecker>,
    /// The data directory (removed on drop).
    pub dir: TempDir,
}

/// In `server.public_base_url`, stands for the HTTPS port, known only once it is bound.
pub const TLS_PORT: &str = "{tls_port}";

impl TestServer {
    /// Starts a server with the test configuration.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after letting the test adjust the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_checked_against(adjust, |_| {}).await
    }

    /// Starts a server whose responses are checked against the documents it serves after
    /// `documents` has changed them: only for testing the check itself.
    pub async fn start_checked_against(
        adjust: impl FnOnce(&mut Config),
        documents: impl FnOnce(&mut Vec<(String, Value)>),
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path());
        // Metadata in SQLite in `dir`, or in PostgreSQL when the environment names a server.
        config.storage.metadata_url = Some(Secret::new(
            idbridge::store::testing::metadata_url(dir.path()).await,
        ));
        // Blobs in `dir`, or in a bucket when the environment names an S3 endpoint.
        if let idbridge::store::BlobLocation::S3 { url, settings, .. } =
            idbridge::store::testing::blob_location(dir.path()).await
        {
            config.storage.blob_url = Some(url);
            config.storage.s3 = settings;
        }
        adjust(&mut config);
        Self::launch(dir, config, documents).await
    }

    /// Stops the server and starts it again over the same data directory and configuration
    /// (on new ports), as a restart of the process would.
    pub async fn restart(mut self) -> TestServer {
        self.request_shutdown();
        for task in std::mem::take(&mut self.tasks) {
            task.await.unwrap().unwrap();
        }
        self.checker.assert_none();
        let mut config = (*self.config).clone();
        if config.server.public_base_url == self.base {
            config.server.public_base_url = ServerConfig::default().public_base_url;
        }
        let dir = tempfile::tempdir().unwrap();
        // The old server's directory moves into the new one's place.
        let old = std::mem::replace(&mut self.dir, dir);
        Self::launch(old, config, |_| {}).await
    }

    async fn launch(
        dir: TempDir,
        mut config: Config,
        documents: impl FnOnce(&mut Vec<(String, Value)>),
    ) -> TestServer {
        let store = idbridge::server::open_store(&config).await.unwrap();
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let secure = match &config.server.tls {
            Some(tls) => {
                let certs = Arc::new(idbridge::server::tls::CertStore::load(tls).unwrap());
                let acceptor = idbridge::server::tls::acceptor(certs.clone()).unwrap();
                idbridge::server::tls::spawn_reloader(
                    certs,
                    Duration::from_secs(tls.reload_check_secs),
                );
                let listener = tokio::net::TcpListener::bind(tls.listen).await.unwrap();
                Some((listener, acceptor))
            }
            None => None,
        };
        let tls_port = secure.as_ref().map(|(l, _)| l.local_addr().unwrap().port());
        // URLs the server hands out (download links, Jumio's api.parts) must reach this
        // server, whose ports are only known now.
        if config.server.public_base_url == ServerConfig::default().public_base_url {
            config.server.public_base_url = base.clone();
        }
        if let Some(port) = tls_port {
            config.server.public_base_url = config
                .server
                .public_base_url
                .replace(TLS_PORT, &port.to_string());
        }
        let config = Arc::new(config);
        let mut docs = served_documents(&config);
        documents(&mut docs);
        let checker = ContractChecker::new(docs);
        let idbridge::server::App { router, listening } =
            idbridge::server::app(config.clone(), store.clone());
        let app = checker.layer(router);
        let (stop, stopped) = watch::channel(false);
        let until_stopped = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        let grace = Duration::from_secs(config.server.shutdown_grace_secs);
        let mut tasks = vec![tokio::spawn(idbridge::server::serve(
            listener,
            app.clone(),
            listening.clone(),
            until_stopped(),
            grace,
        ))];
        if let Some((listener, acceptor)) = secure {
            tasks.push(tokio::spawn(idbridge::server::serve_tls(
                listener,
                app,
                listening,
                acceptor,
                until_stopped(),
                grace,
            )));
        }
        let client = idbridge::http::client();
        let server = TestServer {
            base,
            tls_port,
            client,
            store,
            config,
            stop: Some(stop),
            tasks,
            checker,
            dir,
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&self) {
        for _ in 0..500 {
            if let Ok(r) = self.client.get(self.url("/healthz")).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("server never became healthy");
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks the server to shut down (as SIGTERM would) without waiting.
    pub fn request_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }

    /// Shuts down and waits for the serve loop to return; panics if any response broke the
    /// contract.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.request_shutdown();
        let mut result = Ok(());
        for task in std::mem::take(&mut self.tasks) {
            let ended = task.await.unwrap();
            if result.is_ok() {
                result = ended;
            }
        }
        self.checker.assert_none();
        result
    }

    /// The contract violations recorded so far (each names method, path, status and problem).
    pub fn contract_violations(&self) -> Vec<String> {
        self.checker.violations()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A test that already fails keeps its own panic (a second one would abort).
        if !std::thread::panicking() {
            self.checker.assert_none();
        }
    }
}

/// The OpenAPI documents `config` serves, by API name, as JSON.
pub fn served_documents(config: &Config) -> Vec<(String, Value)> {
    idbridge::adapters::openapi_documents(config)
        .into_iter()
        .map(|(name, doc)| (name.to_owned(), serde_json::to_value(doc).unwrap()))
        .collect()
}

/// Checks every response against the OpenAPI document of the API that served it, and keeps
/// what broke it.
///
/// The operation is found from the request's method and path: the path, less the document's
/// server URL (the mount prefix), is matched segment by segment against the document's path
/// templates, where `{param}` matches one non-empty segment (with any literal text beside it
/// in the segment, as in `{file_id}:download`) and a literal segment beats a parameter. A
/// violation is recorded when
/// - a JSON body does not match the schema declared for its status (or `default`, or `4XX`),
///   or is not JSON at all, or comes where the document declares no JSON body;
/// - the status is not declared for the operation;
/// - the document declares only JSON for the status but the response is another, non-empty
///   media type, or declares a JSON schema but the body is empty;
/// - the response comes from a path no document declares, or from a method no document
///   declares on its path, unless it is the router's 404 (no such route) or 405 (no such
///   method), or the path is one of [`EXEMPT_PATHS`] or `/openapi/<name>.json`.
///
/// Only JSON responses are buffered (and rebuilt from the same bytes); any other body
/// streams through untouched. `HEAD` is checked as the `GET` it answers, without its body.
pub struct ContractChecker {
    contracts: Contracts,
    violations: Mutex<Vec<String>>,
}

impl ContractChecker {
    /// A checker of `(name, document)` pairs as [`served_documents`] returns them.
    pub fn new(docs: Vec<(String, Value)>) -> Arc<ContractChecker> {
        Arc::new(ContractChecker {
            contracts: Contracts::new(docs),
            violations: Mutex::new(Vec::new()),
        })
    }

    /// `router` with every response checked by this checker.
    pub fn layer(self: &Arc<Self>, router: axum::Router) -> axum::Router {
        router.layer(axum::middleware::from_fn_with_state(
            self.clone(),
            check_response,
        ))
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> Vec<String> {
        lock(&self.violations).clone()
    }

    /// Panics, naming every violation recorded so far (and forgetting them), if there is any.
    pub fn assert_none(&self) {
        let found = std::mem::take(&mut *lock(&self.violations));
        assert!(
            found.is_empty(),
            "{} response(s) broke the OpenAPI contract:\n  - {}",
            found.len(),
            found.join("\n  - ")
        );
    }

    /// Checks one response and records what is wrong with it.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        content_type: Option<&str>,
        body: Observed<'_>,
    ) {
        let problems = self
            .contracts
            .problems(method, path, status, content_type, body);
        if !problems.is_empty() {
            let mut v = lock(&self.violations);
            v.extend(
                problems
                    .into_iter()
                    .map(|p| format!("{method} {path} -> {}: {p}", status.as_u16())),
            );
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The middleware: runs the request, then checks the response, buffering only JSON.
async fn check_response(
    axum::extract::State(checker): axum::extract::State<Arc<ContractChecker>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::HttpBody as _;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let (parts, body) = res.into_parts();
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if method == Method::HEAD {
        checker.check(
            &method,
            &path,
            parts.status,
            content_type.as_deref(),
            Observed::Head,
        );
        return axum::response::Response::from_parts(parts, body);
    }
    if !content_type.as_deref().is_some_and(is_json) {
        let empty = body.size_hint().exact() == Some(0);
        checker.check(
            &method,
            &path,
            parts.status,
            content_type.as_deref(),
            Observed::Other { empty },
        );
        return axum::response::Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            lock(&checker.violations).push(format!(
                "{method} {path} -> {}: the JSON body could not be read: {e}",
                parts.status.as_u16()
            ));
            return axum::response::Response::from_parts(parts, axum::body::Body::empty());
        }
    };
    checker.check(
        &method,
        &path,
        parts.status,
        content_type.as_deref(),
        Observed::Json(&bytes),
    );
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Checks response bodies against one API's generated OpenAPI document.
pub struct Contract {
    doc: Value,
}

impl Contract {
    /// The contract of API `name` as the test configuration serves it.
    pub fn of(name: &str) -> Contract {
        let dir = tempfile::tempdir().unwrap();
        let (_, doc) = served_documents(&test_config(dir.path()))
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no API named {name}"));
        Contract { doc }
    }

    /// Asserts that `body`, received with `status` from `method path_template` (the path as the
    /// document spells it, e.g. `/subjects/{subject_id}`), matches the documented schema.
    pub fn check(&self, method: &str, path_template: &str, status: u16, body: &Value) {
        let mut response = format!(
            "/paths/{}/{}/responses/{status}",
            pointer_escape(path_template),
            method.to_lowercase()
        );
        // A response shared by every operation is a `$ref` to components/responses.
        if let Some(r) = self.doc.pointer(&response).and_then(|r| r["$ref"].as_str()) {
            response = r.trim_start_matches('#').to_owned();
        }
        let pointer = format!("{response}/content/application~1json/schema");
        let errors = idbridge::contract::errors_at(&self.doc, &pointer, body)
            .unwrap_or_else(|e| panic!("no schema at #{pointer}: {e}"));
        assert!(
            errors.is_empty(),
            "{method} {path_template} {status}: body does not match the contract: {errors:?}\n{body}"
        );
    }
}

/// A B2Core broker's own host name, in every test certificate.
pub const BROKER_HOST: &str = "my.broker.test";

/// Serves HTTPS too, with a certificate from `idbridge certs` for loopback, every vendor host
/// and [`BROKER_HOST`], made in `certs` (which must outlive the server). Returns the CA to
/// trust.
pub fn with_tls(config: &mut Config, certs: &Path) -> std::path::PathBuf {
    let mut hosts = idbridge::certs::default_hosts();
    hosts.push(BROKER_HOST.to_owned());
    let issued = idbridge::certs::issue(certs, &hosts).unwrap();
    config.server.tls = Some(idbridge::config::TlsConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        cert: issued.server_cert,
        key: issued.server_key,
        reload_check_secs: 1,
    });
    issued.ca_cert
}

/// A client as a vendor SDK is: it trusts only `ca`, and resolves `hosts` to 127.0.0.1 (the
/// port comes from each URL).
pub fn sdk_client(ca: &Path, hosts: &[&str]) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    let mut builder = idbridge::http::client_builder()
        .tls_certs_only([ca])
        .https_only(true);
    for host in hosts {
        builder = builder.resolve(host, "127.0.0.1:0".parse().unwrap());
    }
    builder.build().unwrap()
}
