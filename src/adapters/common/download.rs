//! Serving a stored file: the whole of it or one byte range (`Range: bytes=…`), with the
//! sniffed type and a `Content-Disposition` that is safe whatever the file name holds.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use strum::IntoEnumIterator;
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};

use crate::error::Error;
use crate::media::MediaType;
use crate::model::{StoredFile, TenantId};
use crate::store::{ByteRange, Store};

/// How the client is to show the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// In the browser (`inline`).
    Inline,
    /// As a download (`attachment`).
    Attachment,
}

/// The OpenAPI responses of [`serve`]: 200 (the whole file) and 206 (a range), each typed by
/// its content. Listed from [`MediaType`] itself, so the document names exactly the
/// `Content-Type`s [`serve`] can send: any recognised type, since every API reads files
/// stored through the others.
pub struct FileResponses;

impl utoipa::IntoResponses for FileResponses {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
        let typed = |description: &str| {
            MediaType::iter()
                .fold(ResponseBuilder::new().description(description), |r, m| {
                    r.content(m.mime(), ContentBuilder::new().build())
                })
                .build()
                .into()
        };
        BTreeMap::from([
            (
                "200".to_owned(),
                typed("The file, with the media type of its content"),
            ),
            ("206".to_owned(), typed("The requested range")),
        ])
    }
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The whole file (no header, or one this server does not serve, like several ranges).
    Whole,
    /// One satisfiable range.
    Part(ByteRange),
    /// A range outside the file: 416.
    Unsatisfiable,
}

/// Reads a `Range` header. Only single `bytes` ranges are served; anything else is answered
/// with the whole file, as RFC 9110 allows.
pub fn wanted(headers: &HeaderMap, size: u64) -> Wanted {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
    else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let range = match (first.parse::<u64>().ok(), last.parse::<u64>().ok()) {
        (Some(a), Some(b)) if a <= b => (a < size).then(|| ByteRange {
            start: a,
            end: b.saturating_add(1).min(size),
        }),
        (Some(a), None) if last.is_empty() => (a < size).then_some(ByteRange {
            start: a,
            end: size,
        }),
        (None, Some(n)) if first.is_empty() => (n > 0 && size > 0).then(|| ByteRange {
            start: size.saturating_sub(n),
            end: size,
        }),
        _ => return Wanted::Whole,
    };
    range.map_or(Wanted::Unsatisfiable, Wanted::Part)
}

/// `Content-Disposition` for a file name: an ASCII fallback plus the exact name in RFC 5987
/// form, so quotes, newlines or non-ASCII in a client's file name cannot break the header.
pub fn content_disposition(d: Disposition, name: Option<&str>) -> HeaderValue {
    let kind = match d {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return HeaderValue::from_static(kind);
    };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(kind))
}

/// Streams a stored file (or the range the request asks for) as the response.
pub async fn serve(
    store: &Store,
    tenant: &TenantId,
    file: &StoredFile,
    headers: &HeaderMap,
    disposition: Disposition,
    vendor: &'static str,
) -> Result<Response, Error> {
    let (status, range) = match wanted(headers, file.size) {
        Wanted::Whole => (StatusCode::OK, None),
        Wanted::Part(r) => (StatusCode::PARTIAL_CONTENT, Some(r)),
        Wanted::Unsatisfiable => {
            let unsatisfied = format!("bytes */{}", file.size);
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, unsatisfied)],
            )
                .into_response());
        }
    };
    let (_, stream) = store.open_file(tenant, file.id, range).await?;
    let length = range.map_or(file.size, |r| r.end - r.start);
    // An error mid-stream (a tampered blob) can no longer change the status: it ends the
    // body early, so the client sees a short read, never altered bytes. It is logged here.
    let body = Body::from_stream(stream.inspect_err(move |e| super::log_internal(vendor, e)));
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.media_type.mime()),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(disposition, file.name.as_deref()),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", file.sha256_hex())) {
        h.insert(header::ETAG, etag);
    }
    if let Some(r) = range
        && let Ok(v) =
            HeaderValue::from_str(&format!("bytes {}-{}/{}", r.start, r.end - 1, file.size))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let part = |a, b| Wanted::Part(ByteRange { start: a, end: b });
        assert_eq!(wanted(&HeaderMap::new(), 100), Wanted::Whole);
        assert_eq!(wanted(&range("bytes=0-9"), 100), part(0, 10));
        assert_eq!(
            wanted(&range("bytes=90-200"), 100),
            part(90, 100),
            "an end past the file is clipped"
        );
        assert_eq!(wanted(&range("bytes=95-"), 100), part(95, 100));
        assert_eq!(wanted(&range("bytes=-10"), 100), part(90, 100));
        assert_eq!(wanted(&range("bytes=-500"), 100), part(0, 100));
        assert_eq!(wanted(&range("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(&range("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(
            wanted(&range("bytes=0-1,5-6"), 100),
            Wanted::Whole,
            "several ranges: the whole file"
        );
        assert_eq!(wanted(&range("bytes=9-3"), 100), Wanted::Whole);
        assert_eq!(wanted(&range("items=0-1"), 100), Wanted::Whole);
    }

    #[test]
    fn file_names_cannot_break_the_header() {
        let v = content_disposition(Disposition::Attachment, Some("pass\"port\r\n é.png"));
        let text = v.to_str().unwrap();
        assert!(text.starts_with("attachment; filename=\"pass_port__ _.png\"; filename*=UTF-8''pass%22port%0D%0A%20%C3%A9.png"), "{text}");
        assert_eq!(content_disposition(Disposition::Inline, None), "inline");
    }
}
