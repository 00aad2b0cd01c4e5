//! Generative tests of the multipart stream reader: any body under any `Content-Type`
//! is read part by part without a panic, through the same calls the upload handlers make
//! ([`next_named!`], [`small_text`], [`stream`]); a refusal is a malformed field or a body
//! too large (a 4xx), never an internal error; a text part never passes its limit and
//! nothing is streamed that the body did not hold.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use futures::StreamExt;
use proptest::prelude::*;

use super::{error, small_text, stream};
use crate::error::Error;
use crate::fuzz_kit::{ensure, run, run_corpus};

/// The most a text part may hold here, as the handlers' type ids and upload paths.
const TEXT_MAX: usize = 64;

/// What reading a form saw.
#[derive(Debug, Default)]
struct Seen {
    texts: Vec<String>,
    streamed: usize,
}

/// Reads a form as the upload handlers do: the first `type` part by name, then every part,
/// text parts under [`TEXT_MAX`] and file parts streamed.
async fn drain(mut multipart: Multipart) -> Result<Seen, Error> {
    let mut seen = Seen::default();
    if let Some(field) = next_named!(multipart, "type") {
        seen.texts.push(small_text(field, "type", TEXT_MAX).await?);
    }
    while let Some(field) = multipart.next_field().await.map_err(|e| error(e, "file"))? {
        if matches!(field.name(), Some("type" | "typeId")) {
            seen.texts
                .push(small_text(field, "typeId", TEXT_MAX).await?);
            continue;
        }
        let mut parts = stream(field, "file");
        while let Some(piece) = parts.next().await {
            seen.streamed += piece?.len();
        }
    }
    Ok(seen)
}

/// What an intact form must read as: its text parts, and how many file bytes.
type Expected = (Vec<String>, usize);

/// Reads `body` sent with `content_type` and checks what came of it (exactly `expected`,
/// when the form is intact).
fn read(
    content_type: &str,
    body: Vec<u8>,
    expected: Option<Expected>,
) -> Result<(), TestCaseError> {
    let len = body.len();
    let req = Request::builder()
        .method("POST")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|e| TestCaseError::reject(e.to_string()))?;
    futures::executor::block_on(async move {
        let multipart = match Multipart::from_request(req, &()).await {
            Ok(m) => m,
            Err(r) => {
                return ensure(r.status().is_client_error(), || {
                    format!("the form was refused with {}", r.status())
                });
            }
        };
        match drain(multipart).await {
            Ok(seen) => {
                if let Some((texts, streamed)) = expected {
                    let mut got = seen.texts.clone();
                    let mut want = texts;
                    got.sort();
                    want.sort();
                    ensure((got, seen.streamed) == (want, streamed), || {
                        format!("an intact form read as {seen:?}")
                    })?;
                }
                let text: usize = seen.texts.iter().map(String::len).sum();
                ensure(seen.texts.iter().all(|t| t.len() <= TEXT_MAX), || {
                    format!("a text part passed its limit: {seen:?}")
                })?;
                ensure(seen.streamed + text <= len, || {
                    format!("{} bytes read from a body of {len}", seen.streamed + text)
                })
            }
            Err(e) => {
                ensure(expected.is_none(), || {
                    format!("an intact form was refused: {e:?}")
                })?;
                ensure(
                    matches!(
                        e,
                        Error::InvalidField { .. } | Error::PayloadTooLarge { .. }
                    ),
                    || format!("refused as {e:?}"),
                )
            }
        }
    })
}

/// One part of a form: name, file name, content type and content.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

fn part() -> impl Strategy<Value = Part> {
    (
        prop_oneof![
            Just("file".to_owned()),
            Just("type".to_owned()),
            Just("typeId".to_owned()),
            "[a-z\"\\\\; =]{0,8}",
        ],
        proptest::option::of("[a-zA-Z0-9.\"\\\\; =é]{0,16}"),
        proptest::option::of(prop_oneof![
            Just("image/png".to_owned()),
            "[a-z/;= -]{0,24}"
        ]),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
}

/// A form written with `boundary`.
fn form(boundary: &str, parts: &[Part], close: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file_name, content_type, content) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = file_name {
            disposition += &format!("; filename=\"{f}\"");
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(t) = content_type {
            out.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
    if close {
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    }
    out
}

/// What `parts` read as when written intact, if they can be: no quote or backslash in a
/// name, no boundary in a content, text parts short UTF-8. [`drain`] skips, unread, the
/// parts before the first `type`, and all of them when there is none.
fn expected(boundary: &str, parts: &[Part]) -> Option<Expected> {
    let delimiter = format!("\r\n--{boundary}");
    let plain = |s: &str| !s.contains(['"', '\\']);
    let mut read = false;
    let mut texts = Vec::new();
    let mut streamed = 0;
    for (name, file_name, _, content) in parts {
        if !plain(name) || !file_name.as_deref().is_none_or(plain) {
            return None;
        }
        let mut framed = b"\r\n".to_vec();
        framed.extend_from_slice(content);
        if framed
            .windows(delimiter.len())
            .any(|w| w == delimiter.as_bytes())
        {
            return None;
        }
        let text = name == "type" || (read && name == "typeId");
        read |= name == "type";
        if !read {
            continue;
        }
        if text {
            let text = String::from_utf8(content.clone()).ok()?;
            if text.len() > TEXT_MAX {
                return None;
            }
            texts.push(text);
        } else {
            streamed += content.len();
        }
    }
    Some((texts, streamed))
}

/// A form, then one damage done to it: none, cut short, a byte changed, the boundary
/// written into a part's content, or line ends reduced to `\n`; with what it must read as
/// when it is intact.
fn damaged_form() -> impl Strategy<Value = (String, Vec<u8>, Option<Expected>)> {
    let boundary = "[A-Za-z0-9'()+_,./:=?-]{1,70}";
    (
        boundary,
        proptest::collection::vec(part(), 0..5),
        any::<bool>(),
        0u8..5,
        any::<prop::sample::Index>(),
        any::<u8>(),
        0u8..4,
    )
        .prop_map(|(boundary, parts, close, damage, at, byte, header)| {
            let mut body = form(&boundary, &parts, close);
            // Unquoted, a boundary may hold only token characters.
            let token = boundary
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "'+_.-".contains(c));
            let intact = close && damage == 0 && (header == 1 || header == 0 && token);
            let expected = intact.then(|| expected(&boundary, &parts)).flatten();
            let i = at.index(body.len().max(1)).min(body.len());
            match damage {
                1 => body.truncate(i),
                2 if i < body.len() => body[i] = byte,
                3 => {
                    let stray = format!("\r\n--{boundary}");
                    body.splice(i..i, stray.into_bytes());
                }
                4 => body.retain(|&b| b != b'\r'),
                _ => {}
            }
            let content_type = match header {
                0 => format!("multipart/form-data; boundary={boundary}"),
                1 => format!("multipart/form-data; boundary=\"{boundary}\""),
                2 => "multipart/form-data; boundary=other".to_owned(),
                _ => "multipart/form-data".to_owned(),
            };
            (content_type, body, expected)
        })
}

#[test]
fn fuzz_multipart_any_body() {
    run_corpus("multipart", |body| {
        read("multipart/form-data; boundary=X-BOUNDARY", body, None)
    });
    let case = prop_oneof![
        4 => damaged_form(),
        1 => (
            prop_oneof![
                Just("multipart/form-data; boundary=X-BOUNDARY".to_owned()),
                "multipart/[a-z-]{0,12}(; ?boundary=[^\r\n]{0,8})?",
                "[ -~]{0,40}",
            ],
            proptest::collection::vec(any::<u8>(), 0..512),
            Just(None),
        ),
    ];
    run("multipart", 3000, case, |(content_type, body, expected)| {
        read(&content_type, body, expected)
    });
}
