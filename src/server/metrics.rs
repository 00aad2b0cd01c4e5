//! The metrics' HTTP side: the middleware that counts and times each request, and `GET
//! /metrics` (the registry is `crate::metrics`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// A request's operation as metrics, logs and audit events name it: the method and the route
/// template (`GET /v1/users/{user_id}/identifications`), never the path with its ids.
pub fn operation(req: &Request) -> String {
    format!(
        "{} {}",
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str)
            .unwrap_or("unmatched")
    )
}

/// Route-level middleware: counts and times each request, and writes the one log line per
/// request (vendor, operation, status, duration; never paths with ids, bodies or headers).
pub async fn record(
    State((state, vendor)): State<(AppState, &'static str)>,
    req: Request,
    next: Next,
) -> Response {
    let operation = operation(&req);
    let started = Instant::now();
    let response = next.run(req).await;
    let elapsed = started.elapsed();
    let status = response.status();
    state
        .metrics
        .observe(vendor, &operation, status.as_str(), elapsed);
    tracing::info!(
        vendor,
        operation = %operation,
        status = status.as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.render(&state.store).await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e.chain(), "metrics could not be rendered");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
