//! A stored file's content for the console: images and PDFs inline (the browser scales the
//! original; the server never decodes pixels), anything else as a download.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use uuid::Uuid;

use super::pages;
use super::session::Session;
use crate::adapters::common::download::{self, Disposition};
use crate::media::MediaType;
use crate::state::AppState;

/// `GET /console/files/{id}`, ranges included (browsers' PDF viewers ask for them).
pub async fn content(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return pages::message(StatusCode::NOT_FOUND, "Not found", "No such file.");
    };
    let file = match state.store.get_file(&session.tenant, id).await {
        Ok(f) => f,
        Err(e) => return pages::failed(&e),
    };
    let shown = file.media_type.is_image() || file.media_type == MediaType::Pdf;
    let disposition = if shown {
        Disposition::Inline
    } else {
        Disposition::Attachment
    };
    let mut res = match download::serve(
        &state.store,
        &session.tenant,
        &file,
        &headers,
        disposition,
        "console",
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return pages::failed(&e),
    };
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // An image opened on its own runs nothing; a PDF needs the browser's viewer, which a
    // sandbox would block. Neither may be framed elsewhere.
    let csp = if file.media_type.is_image() {
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    } else {
        "frame-ancestors 'self'"
    };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    res
}
