//! The URLs Jumio hands out.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::mapping::classifiers;
use super::record::StoredCredential;
use super::wire::Category;

/// The URLs Jumio hands out, built from the public base URL and the mount prefix.
#[derive(Clone, Debug)]
pub struct Urls {
    /// `public_base_url` + prefix + `/api/v1`.
    pub api: String,
    /// `public_base_url` + prefix + [`WEB_APP`]: the web client.
    pub web: String,
}

/// The web client's path under the mount prefix, as Jumio's `web.href` has it.
pub const WEB_APP: &str = "/web/v4/app";

impl Urls {
    /// The web client's URL for a token (`locale` passed on when the request gave one).
    pub fn web_href(&self, token: &str, locale: Option<&str>) -> String {
        let mut pairs = vec![("authorizationToken", token)];
        pairs.extend(locale.map(|l| ("locale", l)));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.web)
    }

    /// A KYX execution's steps.
    pub fn steps(&self, account: Uuid, execution: Uuid) -> String {
        format!("{}/steps", self.execution(account, execution))
    }

    /// An execution's finalize and details URL.
    pub fn execution(&self, account: Uuid, execution: Uuid) -> String {
        format!(
            "{}/accounts/{account}/workflow-executions/{execution}",
            self.api
        )
    }

    /// A part's upload URL.
    pub fn part(
        &self,
        account: Uuid,
        execution: Uuid,
        credential: Uuid,
        classifier: &str,
    ) -> String {
        format!(
            "{}/credentials/{credential}/parts/{classifier}",
            self.execution(account, execution)
        )
    }

    /// An account's URL.
    pub fn account(&self, account: Uuid) -> String {
        format!("{}/accounts/{account}", self.api)
    }

    /// A stored part's retrieval URL.
    pub fn image(&self, account: Uuid, credential: Uuid, classifier: &str) -> String {
        format!(
            "{}/accounts/{account}/credentials/{credential}/parts/{classifier}",
            self.api
        )
    }

    /// A DOCUMENT credential's upload URL: its parts, with no classifier (seed 004's "Uploads
    /// a specified document (image(s)/single pdf)" takes the account, execution and
    /// credential only).
    pub fn document(&self, account: Uuid, execution: Uuid, credential: Uuid) -> String {
        format!(
            "{}/credentials/{credential}/parts",
            self.execution(account, execution)
        )
    }

    /// Every upload URL of a credential, by lowercase classifier (a DOCUMENT credential's is
    /// the document upload).
    pub fn parts(
        &self,
        account: Uuid,
        execution: Uuid,
        c: &StoredCredential,
    ) -> BTreeMap<String, String> {
        classifiers(c.category)
            .iter()
            .map(|(name, _)| {
                let url = if c.category == Category::Document {
                    self.document(account, execution, c.id)
                } else {
                    self.part(account, execution, c.id, name)
                };
                (name.to_ascii_lowercase(), url)
            })
            .collect()
    }
}
