//! What the subject page shows, read through the same store methods and tenant scope as the
//! APIs, and the small formatting rules the pages share.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::adapters::jumio::mapping as jumio;
use crate::adapters::masstack::mapping as masstack;
use crate::error::Result;
use crate::model::{Alias, Document, Process, StoredFile, Subject, TenantId};
use crate::state::AppState;
use crate::store::{ClientAccount, ProcessCredential, ProcessDetails};
use crate::vocabulary::VendorName;

/// A document with its files and its names in each API.
pub struct DocumentView {
    /// The document.
    pub doc: Document,
    /// Its files, in side order.
    pub files: Vec<StoredFile>,
    /// How each API names its kind.
    pub names: Vec<VendorName>,
}

/// A process with what its vendor keeps about it.
pub struct ProcessView {
    /// The process.
    pub process: Process,
    /// What is special to its vendor.
    pub special: Special,
}

/// The vendor-specific side of a process.
pub enum Special {
    /// A Jumio workflow execution: its credentials and its outcome.
    Jumio {
        /// Credentials in order.
        credentials: Vec<ProcessCredential>,
        /// Settings and outcome, when recorded.
        details: Option<Box<ProcessDetails>>,
    },
    /// A MasStack identification: what it keeps, with its scoring.
    Masstack(Box<masstack::Record>),
    /// Anything else.
    Other,
}

/// Everything the subject page shows.
pub struct SubjectView {
    /// The subject.
    pub subject: Subject,
    /// Its vendor ids.
    pub aliases: Vec<Alias>,
    /// Its documents, oldest first.
    pub documents: Vec<DocumentView>,
    /// Its files that belong to no document.
    pub loose: Vec<StoredFile>,
    /// Its processes.
    pub processes: Vec<ProcessView>,
    /// Its B2Core client accounts.
    pub accounts: Vec<ClientAccount>,
}

impl SubjectView {
    /// Reads a subject of `tenant` and all it owns; `NotFound` for another tenant's.
    pub async fn load(state: &AppState, tenant: &TenantId, id: Uuid) -> Result<SubjectView> {
        let store = &state.store;
        let subject = store.get_subject(tenant, id).await?;
        let aliases = store.aliases(tenant, id).await?;
        let filed = store.documents_with_files(tenant, id).await?;
        let mut processes = Vec::new();
        for p in store.list_processes(tenant, id).await? {
            let special = if p.namespace.as_str() == jumio::NAMESPACE && p.kind == jumio::EXECUTION
            {
                Special::Jumio {
                    credentials: store.process_credentials(tenant, p.id).await?,
                    details: store.process_details(tenant, p.id).await?.map(Box::new),
                }
            } else if p.namespace.as_str() == masstack::NAMESPACE && p.kind == masstack::KIND {
                masstack::Record::of(&p)
                    .map(|r| Special::Masstack(Box::new(r)))
                    .unwrap_or(Special::Other)
            } else {
                Special::Other
            };
            processes.push(ProcessView {
                process: p,
                special,
            });
        }
        let accounts = store.client_accounts_of(tenant, id).await?;
        let documents = filed
            .documents
            .into_iter()
            .map(|(doc, files)| DocumentView {
                names: crate::vocabulary::names_of(&state.config, doc.kind),
                doc,
                files,
            })
            .collect();
        Ok(SubjectView {
            subject,
            aliases,
            documents,
            loose: filed.loose,
            processes,
            accounts,
        })
    }

    /// The page title: the label, or the id.
    pub fn title(&self) -> String {
        self.subject
            .label
            .clone()
            .unwrap_or_else(|| format!("Subject {}", self.subject.id))
    }

    /// How many files in all.
    pub fn file_count(&self) -> usize {
        self.loose.len() + self.documents.iter().map(|d| d.files.len()).sum::<usize>()
    }
}

/// A time as the console shows it.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A document number with all but its last 4 characters hidden.
pub fn masked(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let shown = chars.len().min(4);
    let hidden = chars.len() - shown;
    let mut out = "•".repeat(hidden);
    out.extend(&chars[hidden..]);
    out
}

/// An API's name for people, from its namespace.
pub fn api_name(namespace: &str) -> &str {
    match namespace {
        "ncore" => "nCore",
        "mydocs" => "B2Core my documents",
        "masstack" => "MasStack",
        "passfort" => "PassFort",
        "jumio" => "Jumio",
        other => other,
    }
}

/// A vendor's enum value as its wire format spells it.
pub fn wire<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A byte count for people.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_only_their_last_four_characters() {
        assert_eq!(masked("X1234567"), "••••4567");
        assert_eq!(masked("AB1"), "AB1");
        assert_eq!(masked("ÉÉ12345"), "•••2345");
    }
}
