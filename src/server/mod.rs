//! The HTTP server: one function builds the whole app ([`app`]), one serves it with graceful
//! shutdown ([`serve`]), and [`run`] is what `idbridge serve` does, one log line per phase.

pub mod metrics;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, COOKIE, HeaderName};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::adapters;
use crate::auth::Keyring;
use crate::config::Config;
use crate::state::AppState;
use crate::store::{KeySource, MasterKey, Store, StoreOptions};

/// Builds the whole application from configuration and store. Tests and production use
/// exactly this.
pub fn app(config: Arc<Config>, store: Store) -> Router {
    let state = AppState {
        keys: Arc::new(Keyring::from_config(&config)),
        config: config.clone(),
        store,
        metrics: metrics::Metrics::new(),
    };
    let x_request_id = HeaderName::from_static("x-request-id");
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(adapters::routes(&state))
        .fallback(not_found)
        .with_state(state);
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
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

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({ "error": { "code": "not_found", "message": "no such route" } })),
    )
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and lets
/// in-flight requests finish for at most `grace`; connections still open after that are
/// closed. Each connection runs as a task of its own set, so the deadline can really end them.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let builder = ConnBuilder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                    let conn = graceful.watch(conn);
                    connections.spawn(async move {
                        if let Err(e) = conn.await {
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
            tracing::info!("master key: from configuration");
            MasterKey::from_base64(k.expose())?
        }
        (None, Some(path)) => {
            let (key, source) = MasterKey::from_file(path)?;
            match source {
                KeySource::Created => {
                    tracing::info!(path = %path.display(), "master key: created key file")
                }
                _ => tracing::info!(path = %path.display(), "master key: read key file"),
            }
            key
        }
        (None, None) => anyhow::bail!("storage.master_key or storage.master_key_file is required"),
    };
    std::fs::create_dir_all(&s.data_dir)?;
    let (store, report) = Store::open(StoreOptions {
        metadata_url: s.metadata_url(),
        blob_dir: s.blob_dir(),
        master_key,
        sweep_grace: Duration::from_secs(s.sweep_grace_secs),
    })
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "storage (storage.metadata_url, storage.blob_dir): {}",
            e.chain()
        )
    })?;
    tracing::info!(blob_dir = %s.blob_dir().display(), "store: metadata migrated, blobs ready");
    tracing::info!(swept = report.swept, "store: orphan sweep done");
    Ok(store)
}

/// `idbridge serve`: open the store, bind, serve until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.demo_keys_active() {
        tracing::warn!(
            "DEMO KEYS ARE ACTIVE: the configuration holds public demo credentials; replace them before exposing this server"
        );
    }
    let store = open_store(&config).await?;
    let listener = TcpListener::bind(config.server.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    serve(
        listener,
        app(Arc::new(config), store),
        shutdown_signal(),
        grace,
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
