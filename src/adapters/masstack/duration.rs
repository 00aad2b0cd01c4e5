//! ISO-8601 durations as MasStack's `expires_in` takes them (`P7D`, `PT15M`, `P1DT12H`).

/// Parses `PnW` or `P[nD][T[nH][nM][nS]]` with whole numbers into seconds. Years and months
/// are refused (their length varies, and `expires_in` is bounded in days); so are fractions
/// and the alternative `PYYYY-MM-DD` form. The error is a reason for the client.
pub fn parse_seconds(text: &str) -> Result<u64, String> {
    const HINT: &str = "use an ISO-8601 duration such as P7D, PT15M or P1DT12H";
    let Some(rest) = text.strip_prefix('P') else {
        return Err(format!("must start with P; {HINT}"));
    };
    if rest.is_empty() || rest == "T" {
        return Err(format!("has no components; {HINT}"));
    }
    let mut total: u64 = 0;
    let mut in_time = false;
    let mut digits = String::new();
    // Designators must come in this order, each at most once.
    let order = ['W', 'D', 'T', 'H', 'M', 'S'];
    let mut last: Option<usize> = None;
    let mut saw_component_after_t = false;
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            if digits.len() > 9 {
                return Err(format!("has a number that is too large; {HINT}"));
            }
            continue;
        }
        if c == '.' || c == ',' {
            return Err(format!("must use whole numbers; {HINT}"));
        }
        let designator = match (c, in_time) {
            ('T', false) => {
                if !digits.is_empty() {
                    return Err(format!("has a number without a unit; {HINT}"));
                }
                in_time = true;
                'T'
            }
            ('Y', false) | ('M', false) => {
                return Err(format!(
                    "must not use years or months (their length varies); {HINT}"
                ));
            }
            ('W' | 'D', false) | ('H' | 'M' | 'S', true) => c,
            _ => return Err(format!("has an unexpected {c:?}; {HINT}")),
        };
        let Some(pos) = order.iter().position(|d| *d == designator) else {
            return Err(format!("has an unexpected {c:?}; {HINT}"));
        };
        if last.is_some_and(|l| l >= pos) {
            return Err(format!("has its components out of order; {HINT}"));
        }
        // Weeks stand alone in ISO 8601.
        if designator != 'W' && last == Some(0) {
            return Err(format!("must not combine weeks with other units; {HINT}"));
        }
        last = Some(pos);
        if designator == 'T' {
            continue;
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("has a unit without a number; {HINT}"))?;
        digits.clear();
        let unit: u64 = match designator {
            'W' => 7 * 86_400,
            'D' => 86_400,
            'H' => 3_600,
            'M' => 60,
            _ => 1,
        };
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| format!("is too long; {HINT}"))?;
        if in_time {
            saw_component_after_t = true;
        }
    }
    if !digits.is_empty() {
        return Err(format!("has a number without a unit; {HINT}"));
    }
    if in_time && !saw_component_after_t {
        return Err(format!("has T without hours, minutes or seconds; {HINT}"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn the_documented_forms_parse() {
        assert_eq!(parse_seconds("P7D"), Ok(7 * 86_400));
        assert_eq!(parse_seconds("P30D"), Ok(30 * 86_400));
        assert_eq!(parse_seconds("PT15M"), Ok(900));
        assert_eq!(parse_seconds("PT1S"), Ok(1));
        assert_eq!(parse_seconds("P1DT12H"), Ok(36 * 3_600));
        assert_eq!(parse_seconds("P1DT1H1M1S"), Ok(86_400 + 3_661));
        assert_eq!(parse_seconds("P4W"), Ok(28 * 86_400));
        assert_eq!(
            parse_seconds("PT0S"),
            Ok(0),
            "zero parses; the caller refuses it"
        );
    }

    #[test]
    fn other_forms_are_refused_with_a_reason() {
        for bad in [
            "",
            "7D",
            "P",
            "PT",
            "P1M",
            "P1Y",
            "PT1.5S",
            "PT1,5S",
            "P1H",
            "PT1D",
            "P1D2",
            "PD",
            "P1W2D",
            "PT1S1M",
            "P1D1D",
            "p7d",
            "P-1D",
            "P9999999999D",
            "P2024-01-01",
        ] {
            let e = parse_seconds(bad).expect_err(bad);
            assert!(e.contains("ISO-8601"), "{bad}: {e}");
        }
        assert!(
            parse_seconds("P1M")
                .unwrap_err()
                .contains("years or months")
        );
    }
}
