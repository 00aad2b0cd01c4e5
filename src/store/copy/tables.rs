//! What `store copy` copies: every table by name, with its columns' types and its primary
//! key, parents before children; and the tables it leaves out, with why. Kept apart from
//! the copying itself because it is data that follows the migrations.

/// The type of a column, as both engines store it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// TEXT (ids, JSON, hex and base64).
    Text,
    /// BIGINT (times in milliseconds, counters, flags).
    Int,
}

pub(super) use Kind::{Int, Text};

/// What a table needs beyond copying its rows as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Special {
    /// Rows are copied as stored.
    None,
    /// Each row's blob is re-sealed under the destination's master key first.
    Files,
    /// Each row's private key is re-sealed under the destination's master key.
    SigningKeys,
}

/// One table to copy: its columns (all of them) and its primary key (for paging).
#[derive(Debug)]
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) columns: &'static [(&'static str, Kind)],
    pub(super) key: &'static [&'static str],
    pub(super) special: Special,
}

/// Every table copied, parents before children, so that foreign keys hold on a destination
/// that checks them as each row goes in.
pub(super) const TABLES: &[Table] = &[
    Table {
        name: "subjects",
        columns: &[
            ("tenant", Text),
            ("id", Text),
            ("label", Text),
            ("created_at", Int),
        ],
        key: &["tenant", "id"],
        special: Special::None,
    },
    Table {
        name: "aliases",
        columns: &[
            ("tenant", Text),
            ("namespace", Text),
            ("external_id", Text),
            ("subject_id", Text),
            ("created_at", Int),
        ],
        key: &["tenant", "namespace", "external_id"],
        special: Special::None,
    },
    Table {
        name: "counters",
        columns: &[("tenant", Text), ("name", Text), ("value", Int)],
        key: &["tenant", "name"],
        special: Special::None,
    },
    Table {
        name: "documents",
        columns: &[
            ("id", Text),
            ("tenant", Text),
            ("seq", Int),
            ("subject_id", Text),
            ("kind", Text),
            ("category", Text),
            ("number", Text),
            ("issuing_country", Text),
            ("issuing_authority", Text),
            ("issued_on", Text),
            ("expires_on", Text),
            ("personal", Text),
            ("extras", Text),
            ("file_count", Int),
            ("created_at", Int),
            ("updated_at", Int),
            ("written_by", Text),
        ],
        key: &["id"],
        special: Special::None,
    },
    Table {
        name: "files",
        columns: &[
            ("id", Text),
            ("tenant", Text),
            ("subject_id", Text),
            ("document_id", Text),
            ("side", Text),
            ("name", Text),
            ("media_type", Text),
            ("size", Int),
            ("sha256", Text),
            ("width", Int),
            ("height", Int),
            ("extras", Text),
            ("blob_key", Text),
            ("wrapped_key", Text),
            ("created_at", Int),
            ("key_id", Text),
        ],
        key: &["id"],
        special: Special::Files,
    },
    Table {
        name: "processes",
        columns: &[
            ("id", Text),
            ("tenant", Text),
            ("subject_id", Text),
            ("namespace", Text),
            ("kind", Text),
            ("status", Text),
            ("expires_at", Int),
            ("data", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("started_at", Int),
        ],
        key: &["id"],
        special: Special::None,
    },
    Table {
        name: "tokens",
        columns: &[
            ("hash", Text),
            ("tenant", Text),
            ("subject_id", Text),
            ("process_id", Text),
            ("purpose", Text),
            ("expires_at", Int),
            ("created_at", Int),
            ("session", Text),
        ],
        key: &["hash"],
        special: Special::None,
    },
    Table {
        name: "idempotency",
        columns: &[
            ("tenant", Text),
            ("namespace", Text),
            ("key", Text),
            ("fingerprint", Text),
            ("status", Int),
            ("body", Text),
            ("created_at", Int),
        ],
        key: &["tenant", "namespace", "key"],
        special: Special::None,
    },
    Table {
        name: "subject_extras",
        columns: &[
            ("tenant", Text),
            ("subject_id", Text),
            ("namespace", Text),
            ("data", Text),
            ("search", Text),
            ("updated_at", Int),
        ],
        key: &["tenant", "subject_id", "namespace"],
        special: Special::None,
    },
    Table {
        name: "tenant_tokens",
        columns: &[
            ("hash", Text),
            ("tenant", Text),
            ("purpose", Text),
            ("principal", Text),
            ("session", Text),
            ("expires_at", Int),
            ("created_at", Int),
        ],
        key: &["hash"],
        special: Special::None,
    },
    Table {
        name: "client_accounts",
        columns: &[
            ("tenant", Text),
            ("id", Text),
            ("number", Int),
            ("subject_id", Text),
            ("email", Text),
            ("password_hash", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        key: &["tenant", "id"],
        special: Special::None,
    },
    Table {
        name: "service_accounts",
        columns: &[
            ("id", Text),
            ("tenant", Text),
            ("client_email", Text),
            ("public_key", Text),
            ("label", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
        key: &["id"],
        special: Special::None,
    },
    Table {
        name: "used_assertions",
        columns: &[("issuer", Text), ("jti", Text), ("expires_at", Int)],
        key: &["issuer", "jti"],
        special: Special::None,
    },
    Table {
        name: "signing_keys",
        columns: &[
            ("id", Text),
            ("purpose", Text),
            ("private_key", Text),
            ("public_key", Text),
            ("created_at", Int),
        ],
        key: &["id"],
        special: Special::SigningKeys,
    },
    Table {
        name: "signin_sessions",
        columns: &[("id", Text), ("expires_at", Int)],
        key: &["id"],
        special: Special::None,
    },
    Table {
        name: "auth_failures",
        columns: &[("key", Text), ("window_start", Int), ("failures", Int)],
        key: &["key"],
        special: Special::None,
    },
    Table {
        name: "process_credentials",
        columns: &[
            ("tenant", Text),
            ("process_id", Text),
            ("id", Text),
            ("position", Int),
            ("category", Text),
            ("id_types", Text),
            ("document_id", Text),
            ("data_document_id", Text),
            ("reused", Int),
            ("last_page", Int),
            ("prefill", Text),
            ("prepared", Text),
        ],
        key: &["process_id", "id"],
        special: Special::None,
    },
    Table {
        name: "process_pages",
        columns: &[("process_id", Text), ("credential_id", Text), ("page", Int)],
        key: &["process_id", "credential_id", "page"],
        special: Special::None,
    },
    Table {
        name: "process_details",
        columns: &[
            ("tenant", Text),
            ("process_id", Text),
            ("flow_key", Int),
            ("customer_reference", Text),
            ("user_reference", Text),
            ("reporting_criteria", Text),
            ("callback_url", Text),
            ("token_expires_at", Int),
            ("completed_at", Int),
            ("outcome", Text),
            ("outcome_label", Text),
            ("results", Text),
            ("channel_settings", Text),
            ("requested_checks", Text),
            ("consent", Text),
        ],
        key: &["process_id"],
        special: Special::None,
    },
    Table {
        name: "rate_limits",
        columns: &[("bucket", Text), ("tat", Int)],
        key: &["bucket"],
        special: Special::None,
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Text),
            ("tenant", Text),
            ("topic", Text),
            ("url", Text),
            ("body", Text),
            ("attempts", Int),
            ("due_at", Int),
            ("claimed_by", Text),
            ("claim_until", Int),
            ("done_at", Int),
            ("outcome", Text),
            ("created_at", Int),
        ],
        key: &["id"],
        special: Special::None,
    },
    // Copied as they are: the chain's hashes cover no key, so it verifies at the destination.
    Table {
        name: "audit_events",
        columns: &[
            ("tenant", Text),
            ("seq", Int),
            ("at", Int),
            ("credential", Text),
            ("api", Text),
            ("operation", Text),
            ("subject_id", Text),
            ("document_id", Text),
            ("file_id", Text),
            ("outcome", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        key: &["tenant", "seq"],
        special: Special::None,
    },
];

/// Tables deliberately not copied, and why (also in docs/deploy.md).
pub const NOT_COPIED: &[(&str, &str)] = &[
    (
        "leases",
        "which node runs a background job until when: coordination among the nodes of one \
         store, meaningless to another store's nodes",
    ),
    (
        "master_keys",
        "keys a rotation introduced, sealed under this store's earlier keys: the destination \
         has its own master key, and every copied file is re-wrapped under it",
    ),
    (
        "_sqlx_migrations",
        "the destination's own migrations, run when it is opened",
    ),
];
