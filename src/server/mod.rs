//! The HTTP server: one function builds the whole app ([`app`]), one serves it with graceful
//! shutdown ([`serve`]), and [`run`] is what `idbridge serve` does, one log line per phase.

pub mod audit;
pub mod csp;
mod docs;
mod drain;
pub mod front;
pub mod metrics;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{AUTHORIZATION, COOKIE, HeaderName};
use axum::http::{Request, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

use crate::adapters;
use crate::auth::Keyring;
use crate::config::Config;
use crate::error::Error;
use crate::metrics::{ConnectionLimit, ConnectionSlot};
use crate::state::AppState;
use crate::store::{BlobLocation, DbSettings, KeySource, MasterKey, Store, StoreOptions};

/// Builds the whole application from configuration and store. Tests and production use
/// exactly this.
pub fn app(config: Arc<Config>, store: Store) -> App {
    let metrics = crate::metrics::Metrics::new();
    let listening = Listening {
        connections: metrics.connection_limit(config.server.max_connections),
        header_timeout: Duration::from_secs(config.server.header_timeout_secs),
    };
    crate::jobs::retention::spawn(store.clone(), config.clone());
    let state = AppState {
        keys: Arc::new(Keyring::from_config(&config)),
        config: config.clone(),
        store,
        metrics,
    };
    let x_request_id = HeaderName::from_static("x-request-id");
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(front::routes().merge(docs::routes(&config)))
        .merge(
            crate::console::routes().route_layer(middleware::from_fn_with_state(
                (
                    state.clone(),
                    "console",
                    own_refusal as fn(Error) -> Response,
                ),
                audit::scope,
            )),
        )
        // The server's own routes have the request timeout too; each API's routes have theirs
        // inside, answered in the vendor's shape, so no outer timeout races them.
        .route_layer(middleware::from_fn_with_state(
            (
                Duration::from_secs(config.server.request_timeout_secs),
                own_refusal as fn(Error) -> Response,
            ),
            adapters::common::deadline,
        ))
        .merge(adapters::routes(&state))
        .fallback(not_found)
        .with_state(state);
    let router = router
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            // Spans carry the request id and the path without its query (which may hold an
            // `apikey`); ids in paths are opaque, never names or document numbers.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                tracing::info_span!("http", request_id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([
            AUTHORIZATION,
            COOKIE,
            HeaderName::from_static("apikey"),
        ]))
        // Outermost, so that whatever answers early, its answer is not lost to a reset.
        .layer(tower::util::MapRequestLayer::new(drain::drain_unread));
    App { router, listening }
}

/// The application, and what the listeners serving it share.
pub struct App {
    /// Every route, with the middleware.
    pub router: Router,
    /// The connection limit and header deadline of its listeners.
    pub listening: Listening,
}

/// What the listeners of one server share: its connection limit (counted in `/metrics`) and
/// the deadline for a request's headers.
#[derive(Clone, Debug)]
pub struct Listening {
    /// Connections open at once, over every listener.
    pub connections: ConnectionLimit,
    /// Longest a client may take over a request's headers (HTTP/1).
    pub header_timeout: Duration,
}

/// `GET /healthz`: the process is up.
async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the metadata database and the blob store both answer.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.check_ready().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e.chain(), "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
        }
    }
}

/// A refusal of the server's own routes, in the shape of its not-found answer.
fn own_refusal(e: Error) -> Response {
    let body = serde_json::json!({ "error": { "code": e.kind().0, "message": e.to_string() } });
    (e.status(), Json(body)).into_response()
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({ "error": { "code": "not_found", "message": "no such route" } })),
    )
}

/// Longest a client may take over its TLS handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` over plain HTTP on `listener` until `shutdown` resolves, then stops
/// accepting and lets in-flight requests finish for at most `grace`; connections still open
/// after that are closed. Each connection runs as a task of its own set, so the deadline can
/// really end them.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    listening: Listening,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with(listener, app, listening, None, shutdown, grace).await
}

/// As [`serve`], over HTTPS: every connection first completes a TLS handshake with
/// `acceptor` (HTTP/2 or HTTP/1.1, as ALPN settles).
pub async fn serve_tls(
    listener: TcpListener,
    app: Router,
    listening: Listening,
    acceptor: TlsAcceptor,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with(listener, app, listening, Some(acceptor), shutdown, grace).await
}

/// Takes a free connection slot, then the next connection: at the limit, connections wait
/// in the listen backlog. Cancel-safe, as the accept loop's `select!` needs.
async fn accept(
    listener: &TcpListener,
    listening: &Listening,
) -> std::io::Result<(tokio::net::TcpStream, std::net::SocketAddr, ConnectionSlot)> {
    let slot = listening.connections.slot().await;
    let (stream, peer) = listener.accept().await?;
    Ok((stream, peer, slot))
}

async fn serve_with(
    listener: TcpListener,
    app: Router,
    listening: Listening,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let mut builder = ConnBuilder::new(TokioExecutor::new());
    // A client that has not sent a whole request head by then (a slowloris, or an idle
    // keep-alive connection) is closed.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(listening.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener, &listening) => match accepted {
                Ok((stream, peer, slot)) => {
                    let _ = stream.set_nodelay(true);
                    // Handlers that bound failed sign-ins per address read the peer from here.
                    let app = app.clone();
                    let service = TowerToHyperService::new(tower::ServiceExt::map_request(
                        app,
                        move |mut req: Request<_>| {
                            req.extensions_mut().insert(ConnectInfo(peer));
                            req
                        },
                    ));
                    let builder = builder.clone();
                    let header_timeout = listening.header_timeout;
                    let watcher = graceful.watcher();
                    let tls = tls.clone();
                    connections.spawn(async move {
                        // Held while the connection is open.
                        let _slot = slot;
                        let result = match tls {
                            None => {
                                // The HTTP/1-or-2 detection waits for the first bytes with no
                                // deadline of its own: a client silent past the header deadline
                                // is closed here.
                                let mut first = [0u8; 1];
                                if tokio::time::timeout(header_timeout, stream.peek(&mut first)).await.is_err() {
                                    tracing::debug!("no request within the header deadline");
                                    return;
                                }
                                let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                                watcher.watch(conn).await
                            }
                            Some(acceptor) => {
                                let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                    Ok(Ok(s)) => s,
                                    Ok(Err(e)) => {
                                        tracing::debug!(error = %e, "TLS handshake failed");
                                        return;
                                    }
                                    Err(_) => {
                                        tracing::debug!("TLS handshake timed out");
                                        return;
                                    }
                                };
                                // ALPN settled the protocol: serve it without detection, so the
                                // header deadline runs from the handshake on.
                                let builder = match stream.get_ref().1.alpn_protocol() {
                                    Some(b"h2") => builder.http2_only(),
                                    Some(b"http/1.1") => builder.http1_only(),
                                    _ => builder,
                                };
                                let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                                watcher.watch(conn).await
                            }
                        };
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!(
        open = connections.len(),
        "shutdown requested; draining in-flight requests"
    );
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(open = connections.len(), grace_secs = grace.as_secs(), "drain deadline reached; closing remaining connections");
            connections.abort_all();
        }
    }
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Opens the store the configuration describes.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let s = &config.storage;
    let master_key = match (&s.master_key, &s.master_key_file) {
        (Some(k), _) => {
            let key = MasterKey::from_base64(k.expose())?;
            tracing::info!(id = key.id(), "master key: from configuration");
            key
        }
        (None, Some(path)) => {
            let (key, source) = MasterKey::from_file(path)?;
            match source {
                KeySource::Created => {
                    tracing::info!(path = %path.display(), id = key.id(), "master key: created key file")
                }
                _ => {
                    tracing::info!(path = %path.display(), id = key.id(), "master key: read key file")
                }
            }
            key
        }
        (None, None) => anyhow::bail!("storage.master_key or storage.master_key_file is required"),
    };
    std::fs::create_dir_all(&s.data_dir)?;
    let blobs = match &s.blob_url {
        Some(url) => BlobLocation::S3 {
            url: url.clone(),
            settings: s.s3.clone(),
            connect_timeout: Duration::from_secs(s.connect_timeout_secs),
        },
        None => BlobLocation::Local(s.blob_dir()),
    };
    let location = blobs.to_string();
    let (store, report) = Store::open(StoreOptions {
        metadata_url: s.metadata_url(),
        db: DbSettings {
            pool_size: s.pool_size,
            statement_timeout: Duration::from_secs(s.statement_timeout_secs),
            connect_timeout: Duration::from_secs(s.connect_timeout_secs),
        },
        blobs,
        master_key,
        sweep_grace: Duration::from_secs(s.sweep_grace_secs),
    })
    .await
    .map_err(|e| match e {
        // A setting the store refuses will not get better by waiting.
        crate::error::Error::InvalidField { .. } => anyhow::anyhow!(
            "storage (storage.metadata_url, storage.blob_dir or blob_url): {}",
            e.chain()
        ),
        _ => Unreachable(e.chain().to_string()).into(),
    })?;
    tracing::info!(metadata = ?store.engine(), blobs = %location, "store: metadata migrated, blobs ready");
    tracing::info!(swept = report.swept, "store: orphan sweep done");
    Ok(store)
}

/// [`open_store`], retried while an engine is unreachable: a node started before its
/// database or bucket (or while one is down) waits for it with backoff, one log line per
/// attempt, instead of exiting and being restarted in a loop. A configuration the store
/// refuses (a malformed URL, a missing master key) fails at once.
async fn open_store_patiently(config: &Config) -> anyhow::Result<Store> {
    const MAX_DELAY: Duration = Duration::from_secs(30);
    let mut delay = Duration::from_millis(500);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match open_store(config).await {
            Ok(store) => return Ok(store),
            Err(e) if e.downcast_ref::<Unreachable>().is_some() => {
                tracing::warn!(
                    attempt,
                    retry_in_ms = delay.as_millis() as u64,
                    error = %e,
                    "store: not reachable yet; retrying"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_DELAY);
            }
            Err(e) => return Err(e),
        }
    }
}

/// An engine did not answer at start-up; worth retrying (unlike a configuration error).
#[derive(Debug, thiserror::Error)]
#[error("storage (storage.metadata_url, storage.blob_dir or blob_url): {0}")]
struct Unreachable(String);

/// `idbridge serve`: open the store, bind (HTTP, and HTTPS when configured), serve until
/// SIGINT or SIGTERM; one signal drains both listeners.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.demo_keys_active() {
        tracing::warn!(
            "DEMO KEYS ARE ACTIVE: the configuration holds public demo credentials; replace them before exposing this server"
        );
    }
    let store = open_store_patiently(&config).await?;
    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(config.server.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "listening (http)");
    let secure = match &config.server.tls {
        Some(tls) => {
            let certs = Arc::new(tls::CertStore::load(tls)?);
            let acceptor = tls::acceptor(certs.clone())?;
            let listener = TcpListener::bind(tls.listen).await?;
            tls::spawn_reloader(certs, Duration::from_secs(tls.reload_check_secs));
            tracing::info!(addr = %listener.local_addr()?, cert = %tls.cert.display(), "listening (https)");
            Some((listener, acceptor))
        }
        None => None,
    };
    front::log_urls(&config);
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let App {
        router: app,
        listening,
    } = app(Arc::new(config), store);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let mut servers = JoinSet::new();
    servers.spawn(serve(
        listener,
        app.clone(),
        listening.clone(),
        until_stopped(),
        grace,
    ));
    if let Some((listener, acceptor)) = secure {
        servers.spawn(serve_tls(
            listener,
            app,
            listening,
            acceptor,
            until_stopped(),
            grace,
        ));
    }
    tokio::select! {
        () = shutdown => {}
        Some(ended) = servers.join_next() => {
            // A listener never ends on its own: report why it did, and stop the other.
            tracing::error!(?ended, "a listener stopped unexpectedly");
        }
    }
    let _ = stop.send(true);
    while let Some(ended) = servers.join_next().await {
        ended??;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Installs the SIGINT and SIGTERM handlers now (a signal sent once the "listening" line is
/// logged must drain, not kill); the future ends at the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
