//! The internal scoring: checks idbridge can really make, each with its outcome, and what
//! each `configuration_name` requires. An `EXTERNAL` scoring is not executed, never faked.

use chrono::{DateTime, NaiveDate, Utc};

use super::mapping;
use super::request::DocumentInput;
use super::wire::{
    CheckName, CheckOutcome, ConfigurationName, DocumentType, Scoring, ScoringCheck,
    ScoringProvider, ScoringStatus, ScoringVerdict,
};
use crate::model::Document;

/// NIF and NIE check letters, indexed by the number modulo 23.
const CHECK_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Points per passed check; four checks make 100.
const WEIGHT: u32 = 25;

/// Whether `n` is a NIF as printed on a DNI: 8 digits and the right check letter.
pub fn nif_is_valid(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() != 9 || !b[..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Ok(value) = n[..8].parse::<u32>() else {
        return false;
    };
    CHECK_LETTERS[(value % 23) as usize] == b[8]
}

/// Whether `n` is a NIE: X, Y or Z (read as 0, 1, 2), 7 digits and the right check letter.
pub fn nie_is_valid(n: &str) -> bool {
    let prefix = match n.as_bytes().first() {
        Some(b'X') => '0',
        Some(b'Y') => '1',
        Some(b'Z') => '2',
        _ => return false,
    };
    n.len() == 9 && nif_is_valid(&format!("{prefix}{}", &n[1..]))
}

/// Whether `n` has a passport number's format: a Spanish passport is 3 letters and 6
/// digits; any other (or unknown) country, 6 to 9 letters and digits (ICAO 9303 allows 9).
pub fn passport_is_valid(n: &str, spanish: bool) -> bool {
    let b = n.as_bytes();
    if spanish {
        return b.len() == 9
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3..].iter().all(u8::is_ascii_digit);
    }
    (6..=9).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Whether a generic identity card number looks like one: 5 to 20 letters and digits.
fn id_card_is_plausible(n: &str) -> bool {
    (5..=20).contains(&n.len())
        && n.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The document-number check: the rule applied and whether the number follows it.
pub fn number_check(doc: &DocumentInput) -> (bool, &'static str) {
    let spanish = doc.country.as_ref().and_then(|c| c.alpha2()) == Some("ES");
    let n = doc.number.as_str();
    match doc.document_type {
        DocumentType::Nif => (nif_is_valid(n), "NIF: 8 digits and the mod-23 check letter"),
        DocumentType::Nie => (
            nie_is_valid(n),
            "NIE: X/Y/Z, 7 digits and the mod-23 check letter",
        ),
        DocumentType::Passport if spanish => (
            passport_is_valid(n, true),
            "Spanish passport: 3 letters and 6 digits",
        ),
        DocumentType::Passport => (
            passport_is_valid(n, false),
            "passport: 6 to 9 letters and digits",
        ),
        DocumentType::IdentityCard if spanish => (
            nif_is_valid(n),
            "Spanish identity card (DNI): 8 digits and the mod-23 check letter",
        ),
        DocumentType::IdentityCard => (
            id_card_is_plausible(n),
            "identity card: 5 to 20 letters and digits (no check digit known for the country)",
        ),
    }
}

/// The checks a configuration requires to pass.
pub fn required(config: ConfigurationName) -> &'static [CheckName] {
    match config {
        ConfigurationName::Low => &[CheckName::DocumentNumber],
        ConfigurationName::Medium => &[
            CheckName::DocumentNumber,
            CheckName::DocumentOnFile,
            CheckName::DocumentUnexpired,
        ],
        ConfigurationName::High => &[
            CheckName::DocumentNumber,
            CheckName::DocumentOnFile,
            CheckName::DocumentUnexpired,
            CheckName::DocumentImages,
        ],
    }
}

/// Scores a document against the evidence already on file: `on_file` is the best matching
/// document the actor had before this identification (see `mapping::is_evidence`).
pub fn internal(
    doc: &DocumentInput,
    on_file: Option<&Document>,
    config: ConfigurationName,
    now: DateTime<Utc>,
) -> Scoring {
    let today: NaiveDate = now.date_naive();
    let (number_ok, rule) = number_check(doc);
    let mut checks = vec![(
        CheckName::DocumentNumber,
        outcome(number_ok),
        if number_ok {
            format!("follows the rule ({rule})")
        } else {
            format!("does not follow the rule ({rule})")
        },
    )];
    match on_file {
        None => {
            checks.push((
                CheckName::DocumentOnFile,
                CheckOutcome::Failed,
                "no matching document was on file for the actor".into(),
            ));
            for name in [CheckName::DocumentUnexpired, CheckName::DocumentImages] {
                checks.push((
                    name,
                    CheckOutcome::NotExecuted,
                    "needs a document on file".into(),
                ));
            }
        }
        Some(d) => {
            checks.push((
                CheckName::DocumentOnFile,
                CheckOutcome::Passed,
                format!("on file (kind {})", d.kind.as_str()),
            ));
            // Without a date nothing says the document is valid: the check did not run, and
            // a configuration that requires it does not pass.
            let (result, detail) = match d.expires_on {
                Some(e) if e < today => (CheckOutcome::Failed, format!("expired on {e}")),
                Some(e) => (CheckOutcome::Passed, format!("valid until {e}")),
                None => (
                    CheckOutcome::NotExecuted,
                    "no expiry date on file: validity cannot be checked".to_owned(),
                ),
            };
            checks.push((CheckName::DocumentUnexpired, result, detail));
            checks.push((
                CheckName::DocumentImages,
                outcome(d.file_count > 0),
                format!("{} file(s) on file", d.file_count),
            ));
        }
    }
    let needed = required(config);
    let checks: Vec<ScoringCheck> = checks
        .into_iter()
        .map(|(name, outcome, detail)| ScoringCheck {
            name,
            outcome,
            required: needed.contains(&name),
            weight: WEIGHT,
            detail,
        })
        .collect();
    let score = checks
        .iter()
        .filter(|c| c.outcome == CheckOutcome::Passed)
        .map(|c| c.weight)
        .sum();
    let passed = checks
        .iter()
        .all(|c| !c.required || c.outcome == CheckOutcome::Passed);
    Scoring {
        provider: ScoringProvider::Internal,
        status: ScoringStatus::Executed,
        score: Some(score),
        max_score: WEIGHT * 4,
        result: Some(if passed {
            ScoringVerdict::Passed
        } else {
            ScoringVerdict::Failed
        }),
        reason: None,
        scored_at: Some(mapping::timestamp(now)),
        checks,
    }
}

/// The answer to `EXTERNAL`: clearly not executed, with no score.
pub fn external() -> Scoring {
    Scoring {
        provider: ScoringProvider::External,
        status: ScoringStatus::NotExecuted,
        score: None,
        max_score: WEIGHT * 4,
        result: None,
        reason: Some(
            "idbridge has no external scoring provider; nothing was executed (use INTERNAL)".into(),
        ),
        scored_at: None,
        checks: Vec::new(),
    }
}

fn outcome(ok: bool) -> CheckOutcome {
    if ok {
        CheckOutcome::Passed
    } else {
        CheckOutcome::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::super::mapping::tests::input;
    use super::*;

    #[test]
    fn nif_check_letters() {
        assert!(nif_is_valid("12345678Z"));
        assert!(nif_is_valid("00000000T"));
        assert!(nif_is_valid("99999999R"));
        assert!(
            !nif_is_valid("12345678A"),
            "the seed's example has the wrong letter"
        );
        assert!(!nif_is_valid("1234567Z"));
        assert!(!nif_is_valid("123456789"));
        assert!(!nif_is_valid("X1234567L"));
    }

    #[test]
    fn nie_check_letters() {
        assert!(nie_is_valid("X1234567L"));
        assert!(nie_is_valid("Y1234567X"));
        assert!(nie_is_valid("Z1234567R"));
        assert!(!nie_is_valid("X1234567A"));
        assert!(!nie_is_valid("A1234567L"));
        assert!(!nie_is_valid("X123456L"));
        assert!(!nie_is_valid("12345678Z"));
    }

    #[test]
    fn passport_formats() {
        assert!(passport_is_valid("PAA123456", true));
        assert!(!passport_is_valid("PA1234567", true));
        assert!(!passport_is_valid("PAA12345", true));
        assert!(passport_is_valid("132123123", false));
        assert!(passport_is_valid("C01X00T47", false));
        assert!(!passport_is_valid("12345", false));
        assert!(!passport_is_valid("1234567890", false));
    }

    #[test]
    fn number_rules_follow_type_and_country() {
        assert!(number_check(&input("12345678Z", DocumentType::IdentityCard, Some("ES"))).0);
        assert!(!number_check(&input("ABC12", DocumentType::IdentityCard, Some("ES"))).0);
        assert!(number_check(&input("ABC12", DocumentType::IdentityCard, Some("FR"))).0);
        assert!(number_check(&input("PAA123456", DocumentType::Passport, Some("ES"))).0);
        assert!(!number_check(&input("132123123", DocumentType::Passport, Some("ES"))).0);
        assert!(number_check(&input("132123123", DocumentType::Passport, None)).0);
    }

    #[test]
    fn configurations_require_more_as_they_get_stronger() {
        let now = Utc::now();
        let nif = input("12345678Z", DocumentType::Nif, Some("ES"));
        let low = internal(&nif, None, ConfigurationName::Low, now);
        assert_eq!(
            (low.score, low.result),
            (Some(25), Some(ScoringVerdict::Passed))
        );
        let medium = internal(&nif, None, ConfigurationName::Medium, now);
        assert_eq!(medium.result, Some(ScoringVerdict::Failed));
        assert_eq!(medium.checks[2].outcome, CheckOutcome::NotExecuted);
        let wrong = internal(
            &input("12345678A", DocumentType::Nif, Some("ES")),
            None,
            ConfigurationName::Low,
            now,
        );
        assert_eq!(
            (wrong.score, wrong.result),
            (Some(0), Some(ScoringVerdict::Failed))
        );
        let t = crate::model::TenantId::new("t").unwrap();
        let id_card = crate::model::DocumentKind::IdCard;
        let undated = Document {
            number: Some("12345678Z".into()),
            file_count: 1,
            ..Document::blank(t, uuid::Uuid::now_v7(), id_card, now)
        };
        let high = internal(&nif, Some(&undated), ConfigurationName::High, now);
        assert_eq!(high.checks[2].outcome, CheckOutcome::NotExecuted);
        assert_eq!(
            (high.score, high.result),
            (Some(75), Some(ScoringVerdict::Failed)),
            "an undated document is not taken as unexpired"
        );
        let ext = external();
        assert_eq!(
            (ext.status, ext.score, ext.result),
            (ScoringStatus::NotExecuted, None, None)
        );
    }
}
