//! Generative tests of inline files: any JSON string value, a `data:` URI or not, is
//! located and decoded without a panic, a window at a time (no decoded piece larger than
//! one window's worth, the whole no larger than the base64 allows), refused only as an
//! invalid field; and any file encoded as encoders write it decodes back exactly.

use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use proptest::prelude::*;

use super::{ENGINE, WINDOW, decode, locate};
use crate::error::Error;
use crate::fuzz_kit::{ensure, run, run_corpus};

/// Locates and decodes `raw`, checking the bounds on the way; the decoded bytes, or the
/// error that refused them.
fn read(raw: &[u8]) -> Result<Result<Vec<u8>, Error>, TestCaseError> {
    let inline = match locate(Bytes::copy_from_slice(raw), "file") {
        Ok(inline) => inline,
        Err(e) => return Ok(Err(e)),
    };
    let text_len = inline.text.len();
    let mut stream = decode(inline, "file");
    let mut out = Vec::new();
    let outcome = futures::executor::block_on(async {
        while let Some(piece) = stream.next().await {
            let piece = piece?;
            out.extend_from_slice(&piece);
            // One window decoded at a time: memory stays at a window, whatever the size.
            if piece.len() > WINDOW / 4 * 3 + 3 {
                return Ok(Some(piece.len()));
            }
        }
        Ok(None)
    });
    match outcome {
        Ok(Some(len)) => Err(TestCaseError::fail(format!(
            "a decoded piece of {len} bytes is over one window"
        ))),
        Ok(None) => {
            ensure(out.len() <= text_len / 4 * 3 + 3, || {
                format!("{} bytes decoded from {text_len} of text", out.len())
            })?;
            Ok(Ok(out))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// Any refusal is a 400 on the field.
fn refused_on_the_field(e: &Error) -> Result<(), TestCaseError> {
    ensure(
        matches!(e, Error::InvalidField { field, .. } if field == "file"),
        || format!("refused as {e:?}"),
    )
}

fn any_raw(raw: &[u8]) -> Result<(), TestCaseError> {
    match read(raw)? {
        Ok(_) => Ok(()),
        Err(e) => refused_on_the_field(&e),
    }
}

/// Text shaped like inline data: a quote, maybe a `data:` header (nested ones included), a
/// body of base64 characters, JSON escapes and stray bytes, a quote.
fn inline_like() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(String::new()),
        "data:[a-z/\\\\.+-]{0,20}(;base64)?,",
        "data:(data:)+[a-z/]{0,8};base64,",
        "data:[a-z/]{0,8};base64,data:[a-z/]{0,8};base64,",
        "data:[^,]{0,12}",
    ];
    let body = proptest::collection::vec(
        prop_oneof![
            8 => "[A-Za-z0-9+/]{1,8}",
            1 => Just("=".to_owned()),
            1 => prop_oneof![Just("\\/"), Just("\\n"), Just("\\r"), Just("\\"), Just("\\u002F")]
                .prop_map(str::to_owned),
            1 => "[^A-Za-z0-9+/]",
        ],
        0..64,
    );
    (header, body, any::<bool>()).prop_map(|(header, body, closed)| {
        let mut text = format!("\"{header}{}", body.concat());
        if closed {
            text.push('"');
        }
        text.into_bytes()
    })
}

#[test]
fn fuzz_inline_any_string() {
    run_corpus("inline", |raw| any_raw(&raw));
    let raw = prop_oneof![
        3 => inline_like(),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ];
    run("inline", 4000, raw, |raw| any_raw(&raw));
}

#[test]
fn fuzz_inline_round_trip() {
    // Small files mostly; now and then one over two windows, to cross window edges.
    let file = prop_oneof![
        9 => proptest::collection::vec(any::<u8>(), 0..600),
        1 => (WINDOW..WINDOW * 2 + 100).prop_map(|n| (0..n).map(|i| (i * 31 % 251) as u8).collect()),
    ];
    let style = (any::<bool>(), any::<bool>(), any::<bool>(), 1usize..100);
    run(
        "inline-round-trip",
        2000,
        (file, style),
        |(file, (uri, pad, escape, line))| {
            let mut text = ENGINE.encode(&file);
            if !pad {
                text = text.trim_end_matches('=').to_owned();
            }
            if escape {
                // A PHP encoder escapes '/', a MIME one breaks lines every `line` characters.
                text = text
                    .as_bytes()
                    .chunks(line)
                    .map(|l| std::str::from_utf8(l).unwrap().replace('/', "\\/"))
                    .collect::<Vec<_>>()
                    .join("\\r\\n");
            }
            let raw = if uri {
                format!("\"data:image\\/jpeg;base64,{text}\"")
            } else {
                format!("\"{text}\"")
            };
            match read(raw.as_bytes())? {
                Ok(out) => ensure(out == file, || "decoded bytes differ from the file".into()),
                Err(e) => Err(TestCaseError::fail(format!("refused: {e:?}"))),
            }
        },
    );
}
