//! The test harness: the real app on an ephemeral port over a temporary store, and the
//! contract check that validates response bodies against the served OpenAPI document.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use idbridge::config::{AdminKeyConfig, Config, JumioClient, Secret, ServerConfig, TenantConfig};
use idbridge::model::TenantId;
use idbridge::store::{MasterKey, Store, StoreOptions};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Admin key of tenant `alpha` in the test configuration.
pub const ADMIN_A: &str = "test-admin-key-alpha";
/// Admin key of tenant `beta`.
pub const ADMIN_B: &str = "test-admin-key-beta";

/// The test master key (fixed, so a test can reopen a store).
pub fn master_key() -> MasterKey {
    MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([42u8; 32])).unwrap()
}

/// A configuration with two tenants, `alpha` and `beta`, storing under `dir`.
pub fn test_config(dir: &Path) -> Config {
    let tenant = |id: &str| TenantConfig {
        id: id.into(),
        api_keys: vec![Secret::new(format!("test-api-key-{id}"))],
        masstack_keys: vec![Secret::new(format!("test-masstack-key-{id}"))],
        masstack_orgs: vec![format!("org-{id}")],
        jumio: Some(JumioClient {
            client_id: format!("test-jumio-{id}"),
            client_secret: Some(Secret::new(format!("test-jumio-secret-{id}"))),
        }),
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
        metadata_url: format!("sqlite://{}", dir.join("idbridge.db").display()),
        blob_dir: dir.join("blobs"),
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

/// The first bytes of a PNG of the given size: enough for sniffing and dimensions.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v
}

/// The real app, served on 127.0.0.1 on an ephemeral port.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// A client for it.
    pub client: reqwest::Client,
    /// The store behind it.
    pub store: Store,
    /// Its configuration.
    pub config: Arc<Config>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// The data directory (removed on drop).
    pub dir: TempDir,
}

impl TestServer {
    /// Starts a server with the test configuration.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after letting the test adjust the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path());
        adjust(&mut config);
        let store = idbridge::server::open_store(&config).await.unwrap();
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // URLs the server hands out (download links, Jumio's api.parts) must reach this
        // server, whose port is only known now.
        if config.server.public_base_url == ServerConfig::default().public_base_url {
            config.server.public_base_url = base.clone();
        }
        let config = Arc::new(config);
        let app = idbridge::server::app(config.clone(), store.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let grace = Duration::from_secs(config.server.shutdown_grace_secs);
        let task = tokio::spawn(idbridge::server::serve(
            listener,
            app,
            async move {
                let _ = stopped.await;
            },
            grace,
        ));
        let client = reqwest::Client::new();
        let server = TestServer {
            base,
            client,
            store,
            config,
            stop: Some(stop),
            task: Some(task),
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
            let _ = stop.send(());
        }
    }

    /// Shuts down and waits for the serve loop to return.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.request_shutdown();
        self.task.take().unwrap().await.unwrap()
    }
}

/// Checks response bodies against one API's generated OpenAPI document.
pub struct Contract {
    doc: Value,
}

impl Contract {
    /// The contract of API `name` as the test configuration serves it.
    pub fn of(name: &str) -> Contract {
        let dir = tempfile::tempdir().unwrap();
        let (_, doc) = idbridge::adapters::openapi_documents(&test_config(dir.path()))
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no API named {name}"));
        Contract {
            doc: serde_json::to_value(doc).unwrap(),
        }
    }

    /// Asserts that `body`, received with `status` from `method path_template` (the path as the
    /// document spells it, e.g. `/subjects/{subject_id}`), matches the documented schema.
    pub fn check(&self, method: &str, path_template: &str, status: u16, body: &Value) {
        let escaped = path_template
            .replace('~', "~0")
            .replace('/', "~1")
            .replace('{', "%7B")
            .replace('}', "%7D");
        let pointer = format!(
            "#/paths/{escaped}/{}/responses/{status}/content/application~1json/schema",
            method.to_lowercase()
        );
        let mut root = self.doc.clone();
        root["$ref"] = Value::String(pointer.clone());
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("no schema at {pointer}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path_template} {status}: body does not match the contract: {errors:?}\n{body}"
        );
    }
}
