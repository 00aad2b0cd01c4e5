//! The page's form: what a post asks for, read from its leading fields (the files follow and
//! are streamed by the part code).

use axum::extract::Multipart;
use uuid::Uuid;

use crate::adapters::common::multipart::{error, small_text};
use crate::error::Error;

/// What the page posts: one part's files, or "finish".
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; it is read field by field
pub struct WebForm {
    /// The credential the files are for (before `classifier` and `file`).
    pub credential_id: Option<Uuid>,
    /// `FRONT`, `BACK`, `FACE`, or `DOCUMENT` (pages).
    pub classifier: Option<String>,
    /// The files: one image, or a DOCUMENT's pages (images, or one PDF).
    #[schema(format = Binary, value_type = Option<Vec<String>>)]
    pub file: Option<Vec<Vec<u8>>>,
    /// Present (first) to finish instead.
    pub finish: Option<String>,
}

/// What a post asks for.
pub(super) enum Action {
    /// Files for one part of a credential.
    Upload {
        credential: Uuid,
        classifier: String,
    },
    /// Finish the acquisition.
    Finish,
}

/// Reads the form's leading fields: `finish`, or `credentialId` then `classifier` (the files
/// follow and are streamed by the part code).
pub(super) async fn action(multipart: &mut Multipart) -> Result<Action, Error> {
    let bad = || Error::invalid("form", "send credentialId, classifier and file, or finish");
    let field = multipart
        .next_field()
        .await
        .map_err(|e| error(e, "form"))?
        .ok_or_else(bad)?;
    match field.name() {
        Some("finish") => return Ok(Action::Finish),
        Some("credentialId") => {}
        _ => return Err(bad()),
    }
    let id = small_text(field, "credentialId", 64).await?;
    let credential = Uuid::parse_str(id.trim())
        .map_err(|_| Error::invalid("credentialId", "is not a credential id"))?;
    let field = multipart
        .next_field()
        .await
        .map_err(|e| error(e, "classifier"))?
        .filter(|f| f.name() == Some("classifier"))
        .ok_or_else(bad)?;
    let classifier = small_text(field, "classifier", 32).await?;
    Ok(Action::Upload {
        credential,
        classifier,
    })
}
