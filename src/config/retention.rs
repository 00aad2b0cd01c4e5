//! Retention periods (`retention` of a tenant): how long documents of each canonical kind
//! are kept before the retention job deletes them (`crate::jobs::retention`).

use std::time::Duration;

use super::{ConfigError, TenantConfig};
use crate::model::DocumentKind;

/// One kind's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionRule {
    /// The canonical kind.
    pub kind: DocumentKind,
    /// How long a document of this kind is kept after it was stored.
    pub keep: Duration,
}

/// A period written `<n><unit>`: `h` hours, `d` days, `w` weeks, `y` years of 365 days
/// (`"5y"`, `"90d"`). At least one hour.
pub fn parse_period(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let n: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let hours = match unit {
        'h' => 1,
        'd' => 24,
        'w' => 24 * 7,
        'y' => 24 * 365,
        _ => return None,
    };
    let secs = n.checked_mul(hours * 3600)?;
    (secs > 0).then(|| Duration::from_secs(secs))
}

impl TenantConfig {
    /// The tenant's retention rules (validated at load, so none is dropped here).
    pub fn retention_rules(&self) -> Vec<RetentionRule> {
        self.retention
            .iter()
            .filter_map(|(kind, keep)| {
                Some(RetentionRule {
                    kind: DocumentKind::parse(kind).ok()?,
                    keep: parse_period(keep)?,
                })
            })
            .collect()
    }
}

/// Checks tenant `i`'s rules: known kinds, readable periods.
pub(super) fn check(i: usize, t: &TenantConfig) -> Result<(), ConfigError> {
    for (kind, keep) in &t.retention {
        if DocumentKind::parse(kind).is_err() {
            return Err(ConfigError(format!(
                "tenants[{i}].retention.{kind}: not a document kind (see docs/vocabulary.md)"
            )));
        }
        if parse_period(keep).is_none() {
            return Err(ConfigError(format!(
                "tenants[{i}].retention.{kind}: write a period as <n>h, <n>d, <n>w or <n>y, e.g. \"5y\""
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_written_and_nonsense_is_refused() {
        assert_eq!(
            parse_period("5y"),
            Some(Duration::from_secs(5 * 365 * 86400))
        );
        assert_eq!(parse_period("90d"), Some(Duration::from_secs(90 * 86400)));
        assert_eq!(parse_period("2w"), Some(Duration::from_secs(14 * 86400)));
        assert_eq!(parse_period("36h"), Some(Duration::from_secs(36 * 3600)));
        for bad in [
            "",
            "y",
            "0d",
            "5",
            "5 years",
            "-1d",
            "1.5y",
            "99999999999999999y",
        ] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }
}
