//! Error messages without the input they quote. serde and its deserializers write the value
//! they could not take (``unknown variant `P1234567` ``, `invalid type: string "Jane"`); that
//! value may be a document number, a name or a key, and no error answer may echo it (issue
//! 19, "Secrets never leak"). The kind of value stays, so the message still says what was
//! wrong.

/// What serde writes before a quoted value, and what stays of it.
const QUOTED: [(&str, &str); 6] = [
    ("unknown variant `", "unknown variant"),
    ("integer `", "integer"),
    ("floating point `", "floating point number"),
    ("character `", "character"),
    ("boolean `", "boolean"),
    ("string \"", "string"),
];

/// `message` with every value serde quotes left out.
pub fn without_input(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while !rest.is_empty() {
        for (opening, kept) in QUOTED {
            if let Some(after) = rest.strip_prefix(opening) {
                out.push_str(kept);
                let close = opening.chars().last().unwrap_or('`');
                rest = skip_quoted(after, close);
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// The text after the closing `close` of a quoted value; a string (`"`) is written with
/// Rust's escapes, so `\"` does not close it. An unclosed quote hides the rest.
fn skip_quoted(text: &str, close: char) -> &str {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if close == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == close && !escaped {
            return &text[i + c.len_utf8()..];
        }
        escaped = false;
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_left_out_and_the_rest_kept() {
        for (message, want) in [
            (
                "unknown variant `P123`, expected one of `PASSPORT`, `VISA` at line 1 column 9",
                "unknown variant, expected one of `PASSPORT`, `VISA` at line 1 column 9",
            ),
            (
                r#"invalid type: string "Jane \"J\" Doe", expected u32"#,
                "invalid type: string, expected u32",
            ),
            (
                "invalid value: integer `123456789`, expected a small number",
                "invalid value: integer, expected a small number",
            ),
            (
                "invalid type: floating point `1.5`, expected a string",
                "invalid type: floating point number, expected a string",
            ),
            ("missing field `number`", "missing field `number`"),
            (
                "unknown field `nmbr`, expected `number`",
                "unknown field `nmbr`, expected `number`",
            ),
            ("invalid type: string \"unclosed", "invalid type: string"),
        ] {
            assert_eq!(without_input(message), want, "{message}");
        }
    }

    #[test]
    fn a_real_serde_error_loses_its_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code, reason = "only its errors are read")]
        enum Kind {
            Passport,
        }
        for body in [r#""SECRET-P123""#, "1234567"] {
            let e = serde_json::from_str::<Kind>(body).unwrap_err();
            let text = without_input(&e.to_string());
            assert!(
                !text.contains("SECRET") && !text.contains("1234567"),
                "{text}"
            );
        }
    }
}
