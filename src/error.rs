//! The one internal error type of the core.
//!
//! Every adapter maps it, variant by variant, to its vendor's status code and error body.
//! Messages here are for the adapter to pass on deliberately: they never carry secrets,
//! document numbers, names or file bytes. `Internal` carries the detail for the log only.

use std::fmt;

/// What went wrong, in the vocabulary of the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist for this tenant (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (duplicate alias, wrong state, …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A counted limit (files per document, …) would be exceeded.
    #[error("limit exceeded: at most {limit} {what}")]
    LimitExceeded {
        /// What is counted, e.g. "files per document".
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// One input field is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field's name as the caller spelled it (dotted path for nested fields).
        field: String,
        /// Why it is invalid, in plain words.
        reason: String,
    },
    /// No or unknown credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// Credentials are valid but do not open this resource.
    #[error("forbidden")]
    Forbidden,
    /// Too many failed sign-ins for this account or from this address: refused, whatever
    /// the credentials, until the window ends.
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until attempts are taken again.
        retry_after_secs: u64,
    },
    /// A body or file is larger than allowed.
    #[error("payload too large{}", .limit.map(|l| format!(": the limit is {l} bytes")).unwrap_or_default())]
    PayloadTooLarge {
        /// The limit in bytes, when the code that refused knows it.
        limit: Option<u64>,
    },
    /// The content is of a type that is not accepted here.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// An engine the request needs (the metadata database or the blob store) is not
    /// answering: down, unreachable, or slower than its timeout. Nothing was stored; the
    /// caller may retry. The cause is logged, never sent.
    #[error("the {engine} is unavailable; try again shortly")]
    Unavailable {
        /// Which engine, in words: "metadata database" or "blob store".
        engine: &'static str,
        /// What failed, for the log.
        #[source]
        cause: InternalError,
    },
    /// The request was not received and answered within the request timeout: a body that
    /// trickled in, or a client that stopped sending. Whatever the operation had begun is
    /// dropped with it, so nothing is half stored.
    #[error("the request did not complete within the request timeout ({secs} s)")]
    RequestTimeout {
        /// The timeout, in seconds.
        secs: u64,
    },
    /// Anything else: a bug or an infrastructure failure. Logged, never sent.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// Seconds a caller is told to wait (`Retry-After`) before retrying after
/// [`Error::Unavailable`].
pub const UNAVAILABLE_RETRY_SECS: u64 = 2;

/// Detail of an internal error, kept for the log.
pub struct InternalError(Box<dyn std::error::Error + Send + Sync>);

impl fmt::Debug for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for InternalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl Error {
    /// An engine outage: `engine` did not answer, `cause` says how (for the log).
    pub fn unavailable(
        engine: &'static str,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Unavailable {
            engine,
            cause: InternalError(cause.into()),
        }
    }

    /// Wraps any error as an internal one.
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(InternalError(e.into()))
    }

    /// The error with its chain of causes, for logs (internal errors display only
    /// "internal error" on their own).
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }

    /// The HTTP status this error answers with on every API that documents nothing else for
    /// it. A vendor whose documentation decides otherwise (MasStack's 401 for a refusal, say)
    /// says so in its own `error.rs`.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode as S;
        match self {
            Error::NotFound(_) => S::NOT_FOUND,
            Error::Conflict(_) => S::CONFLICT,
            // A counted limit is bad input: the caller sent one thing too many.
            Error::LimitExceeded { .. } => S::BAD_REQUEST,
            Error::InvalidField { .. } => S::BAD_REQUEST,
            Error::Unauthorized => S::UNAUTHORIZED,
            Error::Forbidden => S::FORBIDDEN,
            Error::TooManyAttempts { .. } => S::TOO_MANY_REQUESTS,
            Error::PayloadTooLarge { .. } => S::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => S::UNSUPPORTED_MEDIA_TYPE,
            Error::Unavailable { .. } => S::SERVICE_UNAVAILABLE,
            Error::RequestTimeout { .. } => S::REQUEST_TIMEOUT,
            Error::Internal(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The variant's name in the two spellings error codes use: `("not_found",
    /// "NOT_FOUND")`. APIs whose codes are idbridge's own use one of them.
    pub fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Error::NotFound(_) => ("not_found", "NOT_FOUND"),
            Error::Conflict(_) => ("conflict", "CONFLICT"),
            Error::LimitExceeded { .. } => ("limit_exceeded", "LIMIT_EXCEEDED"),
            Error::InvalidField { .. } => ("invalid_field", "INVALID_FIELD"),
            Error::Unauthorized => ("unauthorized", "UNAUTHORIZED"),
            Error::Forbidden => ("forbidden", "FORBIDDEN"),
            Error::TooManyAttempts { .. } => ("too_many_attempts", "TOO_MANY_ATTEMPTS"),
            Error::PayloadTooLarge { .. } => ("payload_too_large", "PAYLOAD_TOO_LARGE"),
            Error::UnsupportedMediaType(_) => ("unsupported_media_type", "UNSUPPORTED_MEDIA_TYPE"),
            Error::Unavailable { .. } => ("service_unavailable", "SERVICE_UNAVAILABLE"),
            Error::RequestTimeout { .. } => ("request_timeout", "REQUEST_TIMEOUT"),
            Error::Internal(_) => ("internal", "INTERNAL"),
        }
    }

    /// Shorthand for an invalid field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // The row a write refers to (a subject, a document) was deleted by a concurrent
            // request between the existence check and the insert: that is a not-found.
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::NotFound("owner"),
            _ if is_outage(&e) => Error::unavailable(METADATA, e),
            _ => Error::internal(e),
        }
    }
}

/// The metadata engine, as [`Error::Unavailable`] names it.
pub const METADATA: &str = "metadata database";
/// The blob engine, as [`Error::Unavailable`] names it.
pub const BLOBS: &str = "blob store";

/// Whether a database error says the database is out of reach rather than that a statement
/// is wrong: no connection to be had in time, a connection that broke, the server shutting
/// down or refusing connections, a statement cancelled by its timeout, SQLite's writer
/// lock not free within `busy_timeout`, or a full disk.
fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.code() {
            // PostgreSQL SQLSTATE: class 08 (connection exception), 53300 too many
            // connections, 57014 query cancelled (statement_timeout), 57P01–57P03 the server
            // shutting down or not yet accepting connections.
            // 53100 is a full disk.
            Some(code) if code.len() == 5 => {
                code.starts_with("08")
                    || matches!(
                        &*code,
                        "53100" | "53300" | "57014" | "57P01" | "57P02" | "57P03"
                    )
            }
            // SQLite result codes: SQLITE_BUSY (5) and its extended codes, SQLITE_FULL (13).
            Some(code) => code
                .parse::<u32>()
                .is_ok_and(|c| matches!(c & 0xff, 5 | 13)),
            None => false,
        },
        _ => false,
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => Error::NotFound("blob"),
            other if is_disk_full(&other) => Error::unavailable(BLOBS, other),
            other => Error::internal(other),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if is_disk_full(&e) {
            Error::unavailable(BLOBS, e)
        } else {
            Error::internal(e)
        }
    }
}

/// Whether `e`, or an error in its chain of sources, is the file system saying it is full
/// (ENOSPC, or a quota's EDQUOT). A full disk is an outage to a client: nothing was stored,
/// and the write succeeds once space is freed, with no restart.
pub fn is_disk_full(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && (io.kind() == std::io::ErrorKind::StorageFull
                || io.kind() == std::io::ErrorKind::QuotaExceeded)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// Result with the core error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_an_outage_and_a_bad_statement_is_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::Io(refused)] {
            let e = Error::from(e);
            assert!(
                matches!(
                    e,
                    Error::Unavailable {
                        engine: METADATA,
                        ..
                    }
                ),
                "{e:?}"
            );
            assert_eq!(e.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        }
        let e = Error::from(sqlx::Error::RowNotFound);
        assert!(matches!(e, Error::Internal(_)), "{e:?}");
        let e = Error::from(sqlx::Error::Protocol("unexpected message".into()));
        assert!(matches!(e, Error::Internal(_)), "{e:?}");
    }
}
