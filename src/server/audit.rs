//! The audit trail's HTTP side: every request to an API or the console runs inside an audit
//! scope (`crate::audit`), and one that committed no event of its own gets one before its
//! answer goes out.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::audit::{Outcome, Scope};
use crate::error::Error;
use crate::state::AppState;

/// What the middleware is given: the state, the API's name, and how the API answers an error.
pub type AuditState = (AppState, &'static str, fn(Error) -> Response);

/// Route-level middleware: runs the request in an audit scope named by its API and route.
/// A request whose caller was recognised and which committed no write gets an event with
/// the outcome its status says (a read, a refusal). If that event cannot be stored, the
/// answer is withheld and the store's error goes out in the API's shape instead (a 503 for
/// an engine outage), so nothing is read unrecorded.
pub async fn scope(
    State((state, api, refuse)): State<AuditState>,
    req: Request,
    next: Next,
) -> Response {
    let scope = Scope::new(api, super::metrics::operation(&req));
    let response = crate::audit::within(scope.clone(), next.run(req)).await;
    if scope.recorded() {
        return response;
    }
    let Some(event) = scope.event(Outcome::of_status(response.status().as_u16())) else {
        return response;
    };
    match state.store.record_event(event).await {
        Ok(()) => response,
        Err(e) => {
            tracing::error!(error = %e.chain(), api, "an audit event could not be stored");
            refuse(e)
        }
    }
}
