//! Two real `idbridge serve` processes over one data directory, and what the tests need to
//! drive them: a configuration written as a TOML file, readiness by polling `/readyz`, the
//! nodes killed (SIGKILL) on drop, and their logs shown when a test fails.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use idbridge::store::{BlobLocation, testing};

use crate::common::jumio::JumioClient;
use crate::common::ncore;
use crate::common::passfort::PassfortAt;

/// nCore and PassFort key of tenant `alpha`.
pub const API_KEY: &str = "multi-api-key-alpha";
/// Admin key of tenant `alpha`.
pub const ADMIN_KEY: &str = "multi-admin-key-alpha";
/// Jumio OAuth2 client of tenant `alpha` (also its HTTP Basic pair).
pub const JUMIO_CLIENT: (&str, &str) = ("multi-jumio-alpha", "multi-jumio-secret-alpha");
/// What URLs handed to clients start with: both nodes share one configuration, so it names
/// neither; tests take the path and choose the node themselves.
pub const PUBLIC_BASE: &str = "http://idbridge.multi.test";
/// The master key every node of a configuration written here gets (32 bytes of 42, base64):
/// the same for both nodes, as one deployment has.
pub const MASTER_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";
/// The longest any bounded wait of this suite lasts.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// What a test sets beyond the shared configuration.
#[derive(Clone, Debug)]
pub struct Options {
    /// `adapters.passfort.rate_limit_burst` (with a sustained rate of 1 per hour).
    pub passfort_burst: u32,
    /// `adapters.jumio.sweep_interval_secs`.
    pub sweep_interval_secs: u64,
    /// `adapters.jumio.callback_backoff_ms`.
    pub callback_backoff_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            passfort_burst: 100,
            sweep_interval_secs: 1,
            callback_backoff_ms: 200,
        }
    }
}

/// The configuration both nodes read: two tenants (`alpha`, `beta`), loopback callbacks,
/// a fixed master key, the data directory `data`.
fn config_toml(data: &Path, storage: &str, o: &Options) -> String {
    let tenant = |id: &str| {
        format!(
            r#"
[[tenants]]
id = "{id}"
api_keys = ["multi-api-key-{id}"]
masstack_keys = ["multi-masstack-key-{id}"]
masstack_orgs = ["org-{id}"]
jumio = {{ client_id = "multi-jumio-{id}", client_secret = "multi-jumio-secret-{id}" }}

[[admin_keys]]
tenant = "{id}"
key = "multi-admin-key-{id}"
"#
        )
    };
    let master = MASTER_KEY;
    format!(
        r#"[server]
listen = "127.0.0.1:0"
public_base_url = "{PUBLIC_BASE}"
shutdown_grace_secs = 1

[storage]
data_dir = {data:?}
master_key = "{master}"
{storage}
{alpha}{beta}
[adapters.passfort]
enabled = true
prefix = "/4.0"
rate_limit_per_hour = 1
rate_limit_burst = {burst}

[adapters.jumio]
enabled = true
prefix = ""
callback_hosts = ["127.0.0.1"]
callback_attempts = 5
callback_backoff_ms = {backoff}
# A node killed mid-delivery leaves its callback to the other once its claim runs out.
callback_timeout_secs = 5
callback_claim_secs = 8
callback_poll_ms = 200
sweep_interval_secs = {sweep}
"#,
        data = data.display().to_string(),
        alpha = tenant("alpha"),
        beta = tenant("beta"),
        burst = o.passfort_burst,
        backoff = o.callback_backoff_ms,
        sweep = o.sweep_interval_secs,
    )
}

/// Writes the suite's configuration into `dir` with these `[storage]` keys (besides the
/// data directory and master key) and default options; answers its path.
pub fn write_config(dir: &Path, storage: &str) -> std::path::PathBuf {
    let config = dir.join("idbridge.toml");
    let toml = config_toml(&dir.join("data"), storage, &Options::default());
    std::fs::write(&config, toml).unwrap();
    config
}

/// The `[storage]` keys that place the metadata and the blobs: SQLite and a directory under
/// `data` by default, PostgreSQL and an S3 bucket when the environment names them (see
/// `idbridge::store::testing`).
pub async fn storage_toml(data: &Path) -> String {
    let (metadata_url, blobs) = storage(data).await;
    toml_of(&metadata_url, &blobs)
}

/// Where a store under `data` keeps its metadata and its blobs (see [`storage_toml`]).
pub async fn storage(data: &Path) -> (String, BlobLocation) {
    (
        testing::metadata_url(data).await,
        testing::blob_location(data).await,
    )
}

/// The `[storage]` keys for metadata at `metadata_url` and blobs at `blobs`.
pub fn toml_of(metadata_url: &str, blobs: &BlobLocation) -> String {
    let mut toml = format!("metadata_url = {metadata_url:?}\n");
    if let BlobLocation::S3 { url, settings, .. } = blobs.clone() {
        let secret = settings.secret_access_key.as_ref().map(|s| s.expose());
        toml += &format!(
            "blob_url = {url:?}\n\
             s3 = {{ endpoint = {:?}, region = {:?}, access_key_id = {:?}, \
             secret_access_key = {:?}, path_style = true, allow_http = true }}\n",
            settings.endpoint.unwrap_or_default(),
            settings.region.unwrap_or_default(),
            settings.access_key_id.unwrap_or_default(),
            secret.unwrap_or_default(),
        );
    }
    toml
}

/// One `idbridge serve` process.
pub struct Node {
    child: Mutex<Child>,
    /// `http://127.0.0.1:<port>`, as the node logged it.
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
    pid: u32,
}

impl Node {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the process with SIGKILL (no drain, no shutdown code) and reaps it. Takes
    /// `&self`, so a test can kill a node while requests to it are in flight.
    pub fn kill(&self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }

    /// The exit status, once the process has ended.
    fn exited(&self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        child.try_wait().ok().flatten()
    }

    fn tail(&self, n: usize) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log[log.len().saturating_sub(n)..].join("\n")
    }

    /// Every log line the process has written so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Polls `/readyz` until it answers 200, for at most [`DEADLINE`]; panics with the log's
    /// tail when the process exits or the deadline passes.
    pub async fn wait_ready(&self, http: &reqwest::Client, what: &str) {
        let start = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{}/readyz", self.base)).send().await
                && r.status() == 200
            {
                return;
            }
            if let Some(status) = self.exited() {
                panic!("{what} exited ({status}):\n{}", self.tail(40));
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{what} not ready within {DEADLINE:?}:\n{}",
                self.tail(40)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Two nodes over one store: one data directory (SQLite in WAL mode and the blob directory),
/// or one PostgreSQL database and one bucket.
pub struct Cluster {
    /// The two nodes; `nodes[i % 2]` spreads requests over both.
    pub nodes: Vec<Node>,
    /// A client for either.
    pub http: reqwest::Client,
    /// The Jumio client of each node.
    jumio: Vec<JumioClient>,
    /// Where the nodes keep their metadata.
    pub metadata_url: String,
    /// Where the nodes keep their blobs.
    pub blobs: BlobLocation,
    /// The configuration file both nodes read.
    pub config: std::path::PathBuf,
    /// The configuration file and the data directory, removed on drop.
    _dir: TempDir,
}

impl Cluster {
    /// Two nodes with the default options.
    pub async fn start() -> Cluster {
        Self::start_with(Options::default()).await
    }

    /// Two nodes with these options. The first is ready (its migrations applied) before the
    /// second starts: two processes migrating one new database at once is not what this
    /// suite is about.
    pub async fn start_with(options: Options) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("idbridge.toml");
        let data = dir.path().join("data");
        let (metadata_url, blobs) = storage(&data).await;
        let storage = toml_of(&metadata_url, &blobs);
        std::fs::write(&config, config_toml(&data, &storage, &options)).unwrap();
        let http = idbridge::http::client_builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let mut cluster = Cluster {
            nodes: Vec::new(),
            http,
            jumio: Vec::new(),
            metadata_url,
            blobs,
            config: config.clone(),
            _dir: dir,
        };
        for _ in 0..2 {
            let node = spawn(&config).await;
            let jumio = JumioClient::at(cluster.http.clone(), &node.base);
            cluster.jumio.push(jumio);
            cluster.nodes.push(node);
            let last = cluster.nodes.len() - 1;
            cluster.wait_ready(last).await;
        }
        cluster
    }

    /// The full URL of `path` on node `i % 2`.
    pub fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.nodes[i % 2].base)
    }

    /// nCore of node `i % 2`, with tenant alpha's key.
    pub fn ncore(&self, i: usize) -> ncore::At<'_> {
        ncore::At {
            http: &self.http,
            base: &self.nodes[i % 2].base,
            key: Some(API_KEY),
        }
    }

    /// PassFort of node `i % 2`.
    pub fn passfort(&self, i: usize) -> PassfortAt<'_> {
        PassfortAt {
            http: &self.http,
            base: &self.nodes[i % 2].base,
        }
    }

    /// The Jumio client of node `i % 2`.
    pub fn jumio(&self, i: usize) -> &JumioClient {
        &self.jumio[i % 2]
    }

    /// An access token of tenant alpha's Jumio client, minted by node `i % 2`.
    pub async fn jumio_access(&self, i: usize) -> String {
        self.jumio(i).access(JUMIO_CLIENT).await
    }

    /// `url` with the public base (as handed out in a body) replaced by node `i % 2`.
    pub fn on(&self, i: usize, handed_out: &str) -> String {
        let path = handed_out
            .strip_prefix(PUBLIC_BASE)
            .unwrap_or_else(|| panic!("{handed_out} is not under {PUBLIC_BASE}"));
        self.url(i, path)
    }

    /// Polls `/readyz` of node `i` until it answers 200.
    async fn wait_ready(&self, i: usize) {
        self.nodes[i]
            .wait_ready(&self.http, &format!("node {i}"))
            .await;
    }

    /// Which node owns the TCP connection whose local end is `127.0.0.1:port` (as a peer
    /// sees it), found through `/proc`: Linux only.
    pub fn owner_of_connection(&self, port: u16) -> Option<usize> {
        let inode = socket_inode(port)?;
        let want = format!("socket:[{inode}]");
        self.nodes.iter().position(|n| {
            std::fs::read_dir(format!("/proc/{}/fd", n.pid()))
                .into_iter()
                .flatten()
                .flatten()
                .any(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|l| l.to_string_lossy() == want.as_str())
                })
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &self.nodes {
            node.kill();
        }
        if std::thread::panicking() {
            for (i, node) in self.nodes.iter().enumerate() {
                eprintln!(
                    "--- node {i} (pid {}) log tail ---\n{}",
                    node.pid(),
                    node.tail(60)
                );
            }
        }
    }
}

/// Starts `idbridge serve --config <config>` and waits for its "listening (http)" line.
async fn spawn(config: &Path) -> Node {
    Starting::new(config).listening().await
}

/// An `idbridge serve` process that has not logged its address yet.
pub struct Starting {
    /// `None` once handed over to a [`Node`].
    child: Option<Child>,
    /// Its log lines so far.
    pub log: Arc<Mutex<Vec<String>>>,
    address: tokio::sync::oneshot::Receiver<String>,
}

impl Starting {
    /// Starts `idbridge serve --config <config>`, logging as a production default does.
    pub fn new(config: &Path) -> Starting {
        Self::logging(config, "info,sqlx=warn,tower_http=warn")
    }

    /// Starts `idbridge serve --config <config>` with `RUST_LOG=<filter>`.
    pub fn logging(config: &Path, filter: &str) -> Starting {
        let mut child = Command::new(env!("CARGO_BIN_EXE_idbridge"))
            .arg("serve")
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", filter)
            .env_remove("IDBRIDGE_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the idbridge binary starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("listening (http)")
                    && let Some(addr) = line.split("addr=").nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_owned());
                }
                lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        Starting {
            child: Some(child),
            log,
            address: rx,
        }
    }

    /// How many log lines contain `text` so far.
    pub fn lines_with(&self, text: &str) -> usize {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().filter(|l| l.contains(text)).count()
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        let child = self.child.as_mut().expect("not handed over");
        matches!(child.try_wait(), Ok(None))
    }

    /// Waits for the "listening (http)" line: the running node.
    pub async fn listening(mut self) -> Node {
        let mut child = self.child.take().expect("not handed over");
        let log = self.log.clone();
        let addr = match tokio::time::timeout(DEADLINE, &mut self.address).await {
            Ok(Ok(addr)) => addr,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let log = log.lock().unwrap_or_else(|e| e.into_inner()).join("\n");
                panic!("idbridge never logged its address:\n{log}");
            }
        };
        Node {
            pid: child.id(),
            child: Mutex::new(child),
            base: format!("http://{addr}"),
            log,
        }
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The inode of the TCP socket whose local address is 127.0.0.1:`port`.
fn socket_inode(port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) == Some(&local.as_str()) {
            fields.get(9).map(|s| (*s).to_owned())
        } else {
            None
        }
    })
}

/// Polls `check` until it answers `Some`, for at most [`DEADLINE`]; panics with `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "not within {DEADLINE:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A PNG header of `width`×`height` and `extra` bytes seeded by `seed`: enough for every
/// API's sniffing and dimension checks, different for each seed.
pub fn png(width: u32, height: u32, seed: u32, extra: usize) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v.extend_from_slice(&seed.to_be_bytes());
    v.extend((0..extra as u32).map(|i| (i.wrapping_mul(seed | 1) >> 3) as u8));
    v
}

/// SHA-256 of `bytes`, hex.
pub fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}
