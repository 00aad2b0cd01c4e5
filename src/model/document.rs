//! Documents: one identity or supporting document of a subject.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::subject::TenantId;
use crate::error::{Error, Result};

/// What a document is. Vendors' names map onto these in each adapter's `mapping.rs`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DocumentKind {
    /// Passport.
    Passport,
    /// National identity card.
    IdCard,
    /// Driving licence.
    DrivingLicence,
    /// Residence permit.
    ResidencePermit,
    /// Visa.
    Visa,
    /// A US-style state id.
    StateId,
    /// Voter id card.
    VoterId,
    /// Birth certificate.
    BirthCertificate,
    /// Trade licence.
    TradeLicence,
    /// Commercial licence.
    CommercialLicence,
    /// Certificate of incorporation.
    IncorporationCertificate,
    /// Certificate of incumbency.
    IncumbencyCertificate,
    /// Memorandum and articles of association.
    MemorandumArticles,
    /// Bank statement.
    BankStatement,
    /// Utility bill.
    UtilityBill,
    /// Tax document.
    TaxDocument,
    /// A picture of the subject's face (selfie).
    FaceImage,
    /// Anything else.
    Other,
}

impl DocumentKind {
    /// The category a document of this kind proves unless the caller says otherwise.
    pub fn default_category(self) -> Category {
        use DocumentKind::*;
        match self {
            Passport | IdCard | DrivingLicence | ResidencePermit | Visa | StateId | VoterId
            | BirthCertificate | FaceImage => Category::ProofOfIdentity,
            UtilityBill => Category::ProofOfAddress,
            BankStatement => Category::ProofOfBankAccount,
            TaxDocument => Category::ProofOfTaxStatus,
            TradeLicence
            | CommercialLicence
            | IncorporationCertificate
            | IncumbencyCertificate
            | MemorandumArticles => Category::CompanyFiling,
            Other => Category::Supporting,
        }
    }

    /// The stable text form used in storage and the admin API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Result<Self> {
        s.parse()
            .map_err(|_| Error::invalid("kind", format!("unknown value {s:?}")))
    }
}

/// What a document proves.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Category {
    /// Proof of identity.
    ProofOfIdentity,
    /// Proof of address.
    ProofOfAddress,
    /// Proof of source of wealth.
    ProofOfSourceOfWealth,
    /// Proof of source of funds.
    ProofOfSourceOfFunds,
    /// Proof of bank account.
    ProofOfBankAccount,
    /// Proof of tax status.
    ProofOfTaxStatus,
    /// A company filing.
    CompanyFiling,
    /// A data summary.
    DataSummary,
    /// Supporting material.
    Supporting,
}

impl Category {
    /// The stable text form used in storage and the admin API.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Result<Self> {
        s.parse()
            .map_err(|_| Error::invalid("category", format!("unknown value {s:?}")))
    }
}

/// An ISO 3166-1 alpha-3 country code (ICAO style, as PassFort and Jumio use).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = "^[A-Z]{3}$")]
pub struct CountryCode(String);

impl CountryCode {
    /// Accepts three ASCII letters, upper-casing them.
    pub fn new(code: &str) -> Result<Self> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(CountryCode(code.to_ascii_uppercase()))
        } else {
            Err(Error::invalid(
                "issuing_country",
                "must be an ISO 3166-1 alpha-3 code",
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country of an ISO 3166-1 alpha-2 code (as MasStack writes it), any case.
    pub fn from_alpha2(code: &str) -> Result<Self> {
        celes::Country::from_alpha2(code)
            .map(|c| CountryCode(c.alpha3.to_owned()))
            .map_err(|_| Error::invalid("country", "must be an ISO 3166-1 alpha-2 code"))
    }

    /// The ISO 3166-1 alpha-2 code of this country, if it has one (ICAO-only codes such as
    /// the specimen `UTO` do not).
    pub fn alpha2(&self) -> Option<&'static str> {
        celes::Country::from_alpha3(&self.0).ok().map(|c| c.alpha2)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        CountryCode::new(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.0
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Personal data read from or declared for a document. Never logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonalData {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Sex as printed on the document (M, F, X).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Nationality, ISO 3166-1 alpha-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<CountryCode>,
}

impl PersonalData {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == PersonalData::default()
    }
}

impl fmt::Debug for PersonalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() {
            "PersonalData(empty)"
        } else {
            "PersonalData(<redacted>)"
        })
    }
}

/// One identity or supporting document of a subject.
#[derive(Clone, PartialEq)]
pub struct Document {
    /// Canonical id.
    pub id: Uuid,
    /// Per-tenant sequence number (B2Core's integer document ids).
    pub seq: i64,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Owning subject.
    pub subject_id: Uuid,
    /// What it is.
    pub kind: DocumentKind,
    /// What it proves.
    pub category: Category,
    /// Document number. Never logged.
    pub number: Option<String>,
    /// Issuing country.
    pub issuing_country: Option<CountryCode>,
    /// Issuing authority as printed.
    pub issuing_authority: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Date of expiry.
    pub expires_on: Option<NaiveDate>,
    /// Personal data on the document.
    pub personal: PersonalData,
    /// Fields a vendor sent that the model does not know, by vendor namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// Number of files attached.
    pub file_count: u32,
    /// The API that created it (`ncore`, `mydocs`, …); absent for documents stored before
    /// idbridge kept it, or made by the store itself.
    pub written_by: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Document {
    /// A document of `kind` with nothing on it but its owner and time: the kind's default
    /// category, sequence 1, no number, dates, personal data, extras or files. What tests
    /// and vocabulary tables start from before setting the fields they care about.
    pub fn blank(
        tenant: TenantId,
        subject_id: Uuid,
        kind: DocumentKind,
        at: DateTime<Utc>,
    ) -> Self {
        Document {
            id: Uuid::now_v7(),
            seq: 1,
            tenant,
            subject_id,
            kind,
            category: kind.default_category(),
            number: None,
            issuing_country: None,
            issuing_authority: None,
            issued_on: None,
            expires_on: None,
            personal: PersonalData::default(),
            extras: BTreeMap::new(),
            file_count: 0,
            written_by: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// Whether the document has expired on `today` (a document expiring today is still valid).
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires_on.is_some_and(|d| d < today)
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("id", &self.id)
            .field("seq", &self.seq)
            .field("tenant", &self.tenant)
            .field("subject_id", &self.subject_id)
            .field("kind", &self.kind)
            .field("category", &self.category)
            .field("number", &self.number.as_ref().map(|_| "<redacted>"))
            .field("issuing_country", &self.issuing_country)
            .field("expires_on", &self.expires_on)
            .field("personal", &self.personal)
            .field("file_count", &self.file_count)
            .finish_non_exhaustive()
    }
}

/// What a caller gives to create a document.
#[derive(Clone, Default)]
pub struct NewDocument {
    /// What it is.
    pub kind: Option<DocumentKind>,
    /// What it proves; the kind's default when absent.
    pub category: Option<Category>,
    /// Document number.
    pub number: Option<String>,
    /// Issuing country.
    pub issuing_country: Option<CountryCode>,
    /// Issuing authority.
    pub issuing_authority: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Date of expiry.
    pub expires_on: Option<NaiveDate>,
    /// Personal data.
    pub personal: PersonalData,
    /// Vendor extras, by namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// The API creating it (`ncore`, `mydocs`, …), kept for operators.
    pub written_by: Option<&'static str>,
}

/// The longest document number accepted.
pub const MAX_NUMBER_LEN: usize = 64;

impl NewDocument {
    /// Applies the model's rules: a kind is required, the number is trimmed and bounded,
    /// the issue date is not after the expiry date.
    pub fn validate(mut self) -> Result<ValidNewDocument> {
        let kind = self
            .kind
            .ok_or_else(|| Error::invalid("kind", "is required"))?;
        self.number = normalise_number(self.number)?;
        check_dates(self.issued_on, self.expires_on)?;
        let category = self.category.unwrap_or(kind.default_category());
        Ok(ValidNewDocument {
            kind,
            category,
            doc: self,
        })
    }
}

/// A [`NewDocument`] that passed validation; only the store consumes it.
#[derive(Clone)]
pub struct ValidNewDocument {
    /// The kind.
    pub kind: DocumentKind,
    /// The category.
    pub category: Category,
    /// The rest of the fields.
    pub doc: NewDocument,
}

/// Changes to a document; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct DocumentPatch {
    /// New kind.
    pub kind: Option<DocumentKind>,
    /// New category.
    pub category: Option<Category>,
    /// New number.
    pub number: Option<Option<String>>,
    /// New issuing country.
    pub issuing_country: Option<Option<CountryCode>>,
    /// New issuing authority.
    pub issuing_authority: Option<Option<String>>,
    /// New date of issue.
    pub issued_on: Option<Option<NaiveDate>>,
    /// New date of expiry.
    pub expires_on: Option<Option<NaiveDate>>,
    /// New personal data (replaces the whole set).
    pub personal: Option<PersonalData>,
    /// Replaces one namespace's extras bag.
    pub extras: Option<(String, serde_json::Value)>,
}

impl DocumentPatch {
    /// Applies the patch to a document, enforcing the same rules as creation.
    pub fn apply(self, doc: &mut Document) -> Result<()> {
        if let Some(k) = self.kind {
            doc.kind = k;
        }
        if let Some(c) = self.category {
            doc.category = c;
        }
        if let Some(n) = self.number {
            doc.number = normalise_number(n)?;
        }
        if let Some(c) = self.issuing_country {
            doc.issuing_country = c;
        }
        if let Some(a) = self.issuing_authority {
            doc.issuing_authority = a;
        }
        if let Some(d) = self.issued_on {
            doc.issued_on = d;
        }
        if let Some(d) = self.expires_on {
            doc.expires_on = d;
        }
        if let Some(p) = self.personal {
            doc.personal = p;
        }
        if let Some((ns, v)) = self.extras {
            doc.extras.insert(ns, v);
        }
        check_dates(doc.issued_on, doc.expires_on)
    }
}

fn normalise_number(n: Option<String>) -> Result<Option<String>> {
    let Some(n) = n else { return Ok(None) };
    let n = n.trim();
    if n.is_empty() {
        return Ok(None);
    }
    if n.len() > MAX_NUMBER_LEN || n.chars().any(char::is_control) {
        return Err(Error::invalid(
            "number",
            "must be at most 64 characters without control characters",
        ));
    }
    Ok(Some(n.to_owned()))
}

fn check_dates(issued: Option<NaiveDate>, expires: Option<NaiveDate>) -> Result<()> {
    match (issued, expires) {
        (Some(i), Some(e)) if i > e => Err(Error::invalid("issued_on", "is after the expiry date")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_convert_between_alpha2_and_alpha3() {
        let es = CountryCode::from_alpha2("es").unwrap();
        assert_eq!(es.as_str(), "ESP");
        assert_eq!(es.alpha2(), Some("ES"));
        assert!(CountryCode::from_alpha2("XX").is_err());
        assert!(CountryCode::from_alpha2("ESP").is_err());
        assert_eq!(
            CountryCode::new("UTO").unwrap().alpha2(),
            None,
            "ICAO specimen code"
        );
    }

    #[test]
    fn kinds_round_trip_through_text() {
        use strum::IntoEnumIterator;
        for k in DocumentKind::iter() {
            assert_eq!(DocumentKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(DocumentKind::DrivingLicence.as_str(), "driving_licence");
        assert!(DocumentKind::parse("driver_license").is_err());
    }

    #[test]
    fn text_forms_match_the_json_forms() {
        use strum::IntoEnumIterator;
        for k in DocumentKind::iter() {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for c in Category::iter() {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn every_kind_has_a_category() {
        assert_eq!(
            DocumentKind::Passport.default_category(),
            Category::ProofOfIdentity
        );
        assert_eq!(
            DocumentKind::UtilityBill.default_category(),
            Category::ProofOfAddress
        );
        assert_eq!(
            Category::parse("proof_of_address").unwrap(),
            Category::ProofOfAddress
        );
    }

    #[test]
    fn validation_requires_kind_and_orders_dates() {
        assert!(NewDocument::default().validate().is_err());
        let d = NewDocument {
            kind: Some(DocumentKind::Passport),
            number: Some("  X123 ".into()),
            issued_on: NaiveDate::from_ymd_opt(2020, 1, 1),
            expires_on: NaiveDate::from_ymd_opt(2030, 1, 1),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(d.doc.number.as_deref(), Some("X123"));
        assert_eq!(d.category, Category::ProofOfIdentity);
        let bad = NewDocument {
            kind: Some(DocumentKind::Passport),
            issued_on: NaiveDate::from_ymd_opt(2031, 1, 1),
            expires_on: NaiveDate::from_ymd_opt(2030, 1, 1),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn country_codes_are_alpha3() {
        assert_eq!(CountryCode::new("esp").unwrap().as_str(), "ESP");
        assert!(CountryCode::new("ES").is_err());
    }

    #[test]
    fn debug_output_hides_personal_data() {
        let p = PersonalData {
            last_name: Some("Smith".into()),
            ..Default::default()
        };
        assert!(!format!("{p:?}").contains("Smith"));
    }
}
