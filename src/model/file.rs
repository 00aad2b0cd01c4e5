//! Stored binaries: one file, its side and its checked content facts.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::media::MediaType;

use super::subject::TenantId;
use crate::error::{Error, Result};

/// Which part of a document a file shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileSide {
    /// Front side.
    Front,
    /// Back side.
    Back,
    /// The holder's face (selfie).
    Face,
    /// Page `n` (1-based) of a multi-page document.
    Page(u16),
    /// Not a side of anything (a standalone file, a bank statement).
    None,
}

impl FileSide {
    /// The stable text form: `front`, `back`, `face`, `page1`…, `none`.
    pub fn to_text(self) -> String {
        match self {
            FileSide::Front => "front".into(),
            FileSide::Back => "back".into(),
            FileSide::Face => "face".into(),
            FileSide::Page(n) => format!("page{n}"),
            FileSide::None => "none".into(),
        }
    }

    /// Where the side comes in a document's files: the front (or page 1, the data page of a
    /// passport) first, then the back (or page 2), later pages, the face, side-less files.
    pub fn position(self) -> u32 {
        match self {
            FileSide::Front => 1,
            FileSide::Back => 2,
            FileSide::Page(n) => u32::from(n),
            FileSide::Face => 1 << 16,
            FileSide::None => 1 << 17,
        }
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "front" => FileSide::Front,
            "back" => FileSide::Back,
            "face" => FileSide::Face,
            "none" => FileSide::None,
            _ => match s.strip_prefix("page").and_then(|n| n.parse::<u16>().ok()) {
                Some(n) if n >= 1 => FileSide::Page(n),
                _ => return Err(Error::invalid("side", format!("unknown value {s:?}"))),
            },
        })
    }
}

impl Serialize for FileSide {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for FileSide {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FileSide::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for FileSide {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^(front|back|face|none|page[1-9][0-9]*)$"))
            .description(Some("Which part of the document the file shows"))
            .into()
    }
}

impl utoipa::ToSchema for FileSide {}

/// What a caller gives to store a file (the store adds everything it learns from the bytes).
#[derive(Clone, Debug)]
pub struct NewFile {
    /// Owning subject.
    pub subject_id: Uuid,
    /// The document it belongs to, if any.
    pub document_id: Option<Uuid>,
    /// Which side it shows.
    pub side: FileSide,
    /// The original file name as the client sent it.
    pub name: Option<String>,
    /// Vendor extras, by namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
}

/// One stored binary and the facts the store checked about it.
#[derive(Clone, PartialEq)]
pub struct StoredFile {
    /// Canonical id.
    pub id: Uuid,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Owning subject.
    pub subject_id: Uuid,
    /// The document it belongs to, if any.
    pub document_id: Option<Uuid>,
    /// Which side it shows.
    pub side: FileSide,
    /// The original file name. Never logged.
    pub name: Option<String>,
    /// The media type sniffed from the bytes.
    pub media_type: MediaType,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the plaintext.
    pub sha256: [u8; 32],
    /// Image width in pixels, when the header says.
    pub width: Option<u32>,
    /// Image height in pixels, when the header says.
    pub height: Option<u32>,
    /// Vendor extras, by namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl StoredFile {
    /// The SHA-256 as lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

impl fmt::Debug for StoredFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredFile")
            .field("id", &self.id)
            .field("subject_id", &self.subject_id)
            .field("document_id", &self.document_id)
            .field("side", &self.side)
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_round_trip_through_text() {
        for s in [
            FileSide::Front,
            FileSide::Back,
            FileSide::Face,
            FileSide::Page(1),
            FileSide::Page(30),
            FileSide::None,
        ] {
            assert_eq!(FileSide::parse(&s.to_text()).unwrap(), s);
        }
        for bad in ["page0", "page", "left", "FRONT"] {
            assert!(FileSide::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
