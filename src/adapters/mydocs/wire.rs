//! B2Core's JSON shapes: camelCase fields, integer ids, ISO-8601 times with an offset, and
//! lists as `{"total", "data"}` (the envelope B2Core's other list endpoints use).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

/// A document the current client submitted.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The document's id.
    #[schema(example = 1)]
    pub id: i64,
    /// Its document type's id.
    pub type_id: u32,
    /// Its document type.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// `new` (files on file, not reviewed: idbridge reviews nothing), `incomplete` (no file
    /// yet, e.g. created through another API) or `expired` (its expiry date has passed).
    #[schema(example = "new")]
    pub status: &'static str,
    /// The first file's name.
    pub file_name: Option<String>,
    /// The first file's size in bytes.
    pub file_size: Option<u64>,
    /// The first file's media type, sniffed from its content.
    pub mime_type: Option<&'static str>,
    /// Where the first file downloads from.
    pub download_url: Option<String>,
    /// Every file of the document, in order (front before back, page 1 before page 2).
    pub files: Vec<DocumentFile>,
    /// The document number, when known (e.g. stored through another API).
    pub number: Option<String>,
    /// Expiry date (`YYYY-MM-DD`), when known.
    pub expiry_date: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3, when known.
    pub issuing_country: Option<String>,
    /// When it was created.
    #[schema(example = "2026-01-01T00:00:00+00:00")]
    pub create_time: String,
    /// When it last changed.
    #[schema(example = "2026-01-01T00:00:00+00:00")]
    pub update_time: String,
}

/// A document type, as a document refers to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeRef {
    /// The type's id.
    pub id: u32,
    /// Its name.
    pub name: String,
}

/// One file of a document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFile {
    /// The file's id.
    pub id: Uuid,
    /// Its name as uploaded.
    pub file_name: Option<String>,
    /// Size in bytes.
    pub file_size: u64,
    /// Media type, sniffed from the content.
    pub mime_type: &'static str,
    /// Which part of the document it shows: `front`, `back`, `face`, `page1`…, `none`.
    pub side: String,
    /// Where it downloads from (the owner's bearer token is required).
    pub download_url: String,
    /// When it was stored.
    pub create_time: String,
}

/// A page of documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// How many documents match, over all pages.
    pub total: usize,
    /// This page.
    pub data: Vec<Document>,
}

/// A document type a client may use as `typeID`, in B2Core's Document Type shape. The
/// example is B2Core's own (the captured Back Office response), without its translations.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": 4, "name": "Utility bill", "description": " Utility bill",
    "enabled": true, "example": "", "group": {"id": 3, "name": "Proof of address",
    "description": "Proof of address", "enabled": true, "priority": 2, "resources": [],
    "type": "one"}, "maxFiles": 3, "priority": 3, "resources": []}))]
pub struct DocumentType {
    /// The `typeID`.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its description (as configured; the name unless set).
    pub description: String,
    /// Always `true`: every type in the table may be used.
    pub enabled: bool,
    /// An example text; empty.
    pub example: String,
    /// The group it belongs to.
    pub group: TypeGroup,
    /// Most files one document of this type holds.
    pub max_files: u32,
    /// Its priority (as configured; its position in the table, from 1, unless set).
    pub priority: u32,
    /// Translations; none are configured.
    pub resources: Vec<serde_json::Value>,
}

/// A group of document types ("Proof of identity", "Proof of address", …).
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeGroup {
    /// The group's id (as configured; else the smallest id no other group has, in order of
    /// first appearance).
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its description (the name).
    pub description: String,
    /// Always `true`.
    pub enabled: bool,
    /// Its place among the groups in order of first appearance, from 1.
    pub priority: u32,
    /// Translations; none are configured.
    pub resources: Vec<serde_json::Value>,
    /// Always `one`: a client submits one document of the group.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The document types.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentTypeList {
    /// How many types there are.
    pub total: usize,
    /// All of them.
    pub data: Vec<DocumentType>,
}

/// A file uploaded for a later `POST /documents` (JSON form).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadedFile {
    /// The path to send as `file` when adding a document.
    #[schema(example = "uploads/0192f7a4-5c1e-7d3a-9b1f-2a4c6e8d0f12")]
    pub path: String,
    /// Its name as uploaded.
    pub file_name: Option<String>,
    /// Size in bytes.
    pub file_size: u64,
    /// Media type, sniffed from the content.
    pub mime_type: &'static str,
    /// When it was stored.
    pub create_time: String,
}

/// Body of `POST /documents` as JSON: `file` (a path from `POST /files` or a
/// `data:<type>;base64,…` URI, or a non-empty array of them for a document with several
/// files, up to the type's `maxFiles`) and the type, as `typeID` or `typeId` (one is
/// required; both must agree), an integer or a string of digits. The schema is written by
/// hand because a derived one cannot say "one of two keys" or "integer or digit string";
/// it must be exactly what [`super::add`] accepts, since CI fuzzes the server against it.
#[derive(Debug)]
#[allow(dead_code)] // documents the body; parsing is hand-written for zero-copy
pub struct AddDocumentJson;

impl AddDocumentJson {
    const PATH_EXAMPLE: &'static str = "uploads/0192f7a4-5c1e-7d3a-9b1f-2a4c6e8d0f12";

    fn file() -> Schema {
        let one = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "A path from `POST /files`, or a `data:<type>;base64,…` URI",
                ))
                .build()
        };
        Schema::OneOf(
            OneOfBuilder::new()
                .item(one())
                .item(
                    ArrayBuilder::new()
                        .items(one())
                        .min_items(Some(1))
                        .description(Some(
                            "Several files, in order (up to the type's `maxFiles`)",
                        ))
                        .build(),
                )
                .description(Some("The file, or the files, of the document"))
                .examples([serde_json::json!(Self::PATH_EXAMPLE)])
                .build(),
        )
    }

    fn type_id(name: &str) -> Schema {
        Schema::OneOf(
            OneOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0))
                        .maximum(Some(u32::MAX)),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some("^[0-9]+$")),
                )
                .description(Some(format!(
                    "The document type's id, a number or a string of digits (`typeID` or \
                     `typeId`: one is required, both must agree); {name}"
                )))
                .examples([serde_json::json!(1)])
                .build(),
        )
    }
}

impl PartialSchema for AddDocumentJson {
    fn schema() -> RefOr<Schema> {
        let keys = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("file", Self::file())
            .property("typeID", Self::type_id("B2Core's documented spelling"))
            .property("typeId", Self::type_id("the spelling of B2Core's examples"))
            .required("file");
        let type_required = AnyOfBuilder::new()
            .item(ObjectBuilder::new().required("typeID"))
            .item(ObjectBuilder::new().required("typeId"));
        Schema::AllOf(
            AllOfBuilder::new()
                .item(keys)
                .item(type_required)
                .description(Some("Body of `POST /documents` as JSON."))
                .examples([serde_json::json!({"file": Self::PATH_EXAMPLE, "typeID": 1})])
                .build(),
        )
        .into()
    }
}

impl ToSchema for AddDocumentJson {}

/// Body of `POST /documents` as a form.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; parts are streamed by hand
pub struct AddDocumentForm {
    /// The file (PDF, JPEG or PNG, at most 20 MiB); repeat for several files.
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
    /// The document type's id (`typeId` is accepted too).
    #[schema(rename = "typeID")]
    pub type_id: u32,
}

/// Body of `POST /documents` as a urlencoded form (what `curl --data` sends): upload paths
/// only. A JSON object sent with this content type is read as JSON.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; it is read by hand with the other encodings
pub struct AddDocumentUrlencoded {
    /// The path from `POST /files`; repeat (or `file[]`) for several files.
    #[schema(example = "uploads/0192f7a4-5c1e-7d3a-9b1f-2a4c6e8d0f12")]
    pub file: String,
    /// The document type's id (`typeId` is accepted too).
    #[schema(rename = "typeID", example = 1)]
    pub type_id: u32,
}

/// Body of `POST /files`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the part is streamed by hand
pub struct UploadForm {
    /// The file (PDF, JPEG or PNG, at most 20 MiB).
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
}

/// Every error: the HTTP status, a message, and per-field reasons when fields are to blame.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": 400, "message": "typeID: is not a document type; see GET /api/v2/my/documents/types", "errors": {"typeID": ["is not a document type; see GET /api/v2/my/documents/types"]}}))]
pub struct ErrorBody {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong.
    pub message: String,
    /// Reasons by field name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// What the sign-in form needs (`/signin/wizard`): B2Core's wizard step, final at once since
/// idbridge asks for nothing besides email and password.
#[derive(Debug, Serialize, ToSchema)]
pub struct SigninWizard {
    /// 202: the final wizard step (B2Core's "HTTP code" of the step, in the body).
    #[schema(example = 202)]
    pub code: u16,
    /// What the form shows.
    pub data: WizardData,
    /// `true`: the wizard is initialised.
    pub done: bool,
    /// The sign-in session to send as `uuid` with `POST /signin`.
    pub uuid: Uuid,
    /// `login`: the next step is the sign-in.
    #[schema(example = "login")]
    pub workflow: &'static str,
}

/// The sign-in form's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct WizardData {
    /// Whether the form shows a reCAPTCHA: never, here.
    pub recaptcha: Recaptcha,
}

/// reCAPTCHA on the sign-in form.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recaptcha {
    /// Always `false`.
    pub enabled: bool,
}

/// Body of `POST /api/v2/my/signin` (JSON; B2Core's curl examples send it unlabelled, which is
/// read as JSON too; a urlencoded form with the same fields is accepted).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the body; it is read field by field
pub struct SigninRequest {
    /// The `uuid` from `/signin/wizard`.
    pub uuid: Uuid,
    /// The client's email.
    pub email: String,
    /// The client's password.
    pub password: String,
    /// Base64 of a JSON object with at least a `user_agent` string (B2Core's device
    /// fingerprint).
    pub device_fingerprint: String,
}

/// Body of `POST /api/v2/signin` (the back office).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the body; it is read field by field
pub struct BackofficeSigninRequest {
    /// The back-office user's email.
    pub email: String,
    /// The password.
    pub password: String,
}

/// Body of `POST …/refresh`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the body; it is read field by field
pub struct RefreshRequest {
    /// The refresh token (`refresh_token` is read too).
    #[serde(rename = "refreshToken")]
    pub refresh_token: String,
}

/// A token with its times.
// No `Debug` derive: the token must not reach a log by accident.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it was issued.
    #[schema(example = "2026-01-01T00:00:00+00:00")]
    pub created_at: String,
    /// When it stops working.
    #[schema(example = "2026-01-01T01:00:00+00:00")]
    pub expires_at: String,
}

/// What a sign-in (or a refresh) answers: B2Core's back-office token pair.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// Always `false`: idbridge asks for no second factor.
    #[serde(rename = "2faRequired")]
    pub two_fa_required: bool,
    /// Opens the API.
    pub access_token: TokenInfo,
    /// Trades for a new pair at `…/refresh`, once.
    pub refresh_token: TokenInfo,
}

/// A page of documents as the back office lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeDocumentList {
    /// How many documents match, over all pages.
    pub total: usize,
    /// This page.
    pub data: Vec<BackofficeDocument>,
}

/// A document as the back office sees it: the client's view plus whose it is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackofficeDocument {
    /// The client (account number) the document belongs to; null when its subject has no
    /// sign-in account.
    pub client_id: Option<i64>,
    /// The document.
    #[serde(flatten)]
    pub document: Document,
}
