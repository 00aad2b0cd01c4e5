//! Files sent inline in JSON: a base64 string or a `data:` URI, read straight out of the
//! request body. The string is located without copying (a borrowed raw JSON value) and
//! decoded a window at a time into the store, so the decoded file never exists whole in
//! memory beside the body the wire format forces us to hold.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;
use futures::Stream;

use crate::error::Error;

/// Base64 characters decoded per step (a multiple of 4): 64 KiB of text, 48 KiB of bytes.
const WINDOW: usize = 64 * 1024;

/// Standard alphabet; padding may be present or not (encoders differ).
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The most JSON text `decoded` bytes can take as base64 in a JSON string: 4 characters per
/// 3 bytes, plus an eighth for escapes encoders add (PHP writes every `/` as `\/`, about
/// 1 in 64 characters; MIME encoders break lines with `\r\n` every 76 — together about 7%).
pub fn encoded_limit(decoded: usize) -> usize {
    decoded.div_ceil(3) * 4 / 8 * 9
}

/// A file found inline in a JSON body.
#[derive(Debug)]
pub struct Inline {
    /// The media type a `data:` URI declared (informational: content is sniffed anyway).
    pub declared: Option<String>,
    /// The base64 text, still JSON-escaped (`\/` may appear), as a slice of the body.
    pub text: Bytes,
}

/// Finds the base64 payload of a raw JSON string value (`"data:…;base64,…"` or bare
/// base64). `raw` is the value's text including its quotes, sliced from the body.
pub fn locate(raw: Bytes, field: &str) -> Result<Inline, Error> {
    let bad = |why: &str| Error::invalid(field, why.to_owned());
    if raw.len() < 2 || raw[0] != b'"' || raw[raw.len() - 1] != b'"' {
        return Err(bad("must be a string"));
    }
    let inner = raw.slice(1..raw.len() - 1);
    if !inner.starts_with(b"data:") {
        return Ok(Inline {
            declared: None,
            text: inner,
        });
    }
    let comma = inner
        .iter()
        .position(|&b| b == b',')
        .ok_or_else(|| bad("is a data URI without a ',' before its data"))?;
    let header = std::str::from_utf8(&inner[5..comma])
        .map_err(|_| bad("has a malformed data URI header"))?
        .replace("\\/", "/");
    let Some(declared) = header.strip_suffix(";base64") else {
        return Err(bad("must be a base64 data URI (data:<type>;base64,<data>)"));
    };
    Ok(Inline {
        declared: (!declared.is_empty()).then(|| declared.to_owned()),
        text: inner.slice(comma + 1..),
    })
}

/// Whether a JSON string value, given raw, starts like a `data:` URI.
pub fn is_data_uri(raw: &[u8]) -> bool {
    raw.starts_with(b"\"data:")
}

/// The decoded bytes of located base64 text, a window at a time. JSON escapes that can
/// appear in base64 (`\/`, and `\n`/`\r` line breaks) are undone; anything else that is not
/// base64 ends the stream with an error naming `field`.
pub fn decode(
    inline: Inline,
    field: &'static str,
) -> impl Stream<Item = Result<Bytes, Error>> + Send + Unpin + 'static {
    let mut rest = inline.text;
    let mut clean: Vec<u8> = Vec::with_capacity(WINDOW);
    let mut done = false;
    futures::stream::iter(std::iter::from_fn(move || {
        if done {
            return None;
        }
        clean.clear();
        let mut i = 0;
        // Gather up to WINDOW clean characters; stop only on a multiple of 4 unless at end.
        while i < rest.len() && (clean.len() < WINDOW || !clean.len().is_multiple_of(4)) {
            match rest[i] {
                b'\\' => match rest.get(i + 1) {
                    Some(b'/') => {
                        clean.push(b'/');
                        i += 2;
                    }
                    Some(b'n' | b'r') => i += 2,
                    _ => {
                        done = true;
                        return Some(Err(Error::invalid(field, "is not valid base64")));
                    }
                },
                c => {
                    clean.push(c);
                    i += 1;
                }
            }
        }
        rest = rest.slice(i..);
        if rest.is_empty() {
            done = true;
            if clean.is_empty() {
                return None;
            }
        }
        Some(
            ENGINE
                .decode(&clean)
                .map(Bytes::from)
                .map_err(|_| Error::invalid(field, "is not valid base64")),
        )
    }))
}

/// A JSON body whose one string value is a file's content in base64, streamed: `prefix`
/// (the JSON up to and including the string's opening quote), the encoded bytes as they are
/// read, then `suffix`. Memory stays at one piece of the file, whatever its size.
pub fn encode_into_json(
    prefix: String,
    file: crate::store::FileStream,
    suffix: String,
) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
    use futures::StreamExt;
    let head = futures::stream::once(async move { Ok(Bytes::from(prefix)) });
    // Bytes left over from a piece whose length was not a multiple of 3 wait for the next.
    let body = file
        .map(Some)
        .chain(futures::stream::once(async { None }))
        .scan(Vec::<u8>::new(), |carry, piece| {
            let out = match piece {
                Some(Ok(bytes)) => {
                    carry.extend_from_slice(&bytes);
                    let whole = carry.len() / 3 * 3;
                    let text = base64::engine::general_purpose::STANDARD.encode(&carry[..whole]);
                    carry.drain(..whole);
                    Ok(Bytes::from(text))
                }
                Some(Err(e)) => Err(e),
                None => Ok(Bytes::from(
                    base64::engine::general_purpose::STANDARD.encode(std::mem::take(carry)),
                )),
            };
            futures::future::ready(Some(out))
        });
    let tail = futures::stream::once(async move { Ok(Bytes::from(suffix)) });
    head.chain(body).chain(tail)
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    async fn decoded(json: &str) -> Result<Vec<u8>, Error> {
        let inline = locate(Bytes::copy_from_slice(json.as_bytes()), "file")?;
        let parts: Vec<Bytes> = decode(inline, "file").try_collect().await?;
        Ok(parts.concat())
    }

    #[tokio::test]
    async fn data_uris_and_bare_base64_decode() {
        assert_eq!(decoded(r#""aGVsbG8=""#).await.unwrap(), b"hello");
        assert_eq!(
            decoded(r#""aGVsbG8""#).await.unwrap(),
            b"hello",
            "no padding"
        );
        assert_eq!(
            decoded(r#""data:image\/png;base64,Pz8\/""#).await.unwrap(),
            b"???",
            "an escaped '/' is a '/'"
        );
        let inline = locate(
            Bytes::from_static(br#""data:image\/png;base64,aGVsbG8=""#),
            "f",
        )
        .unwrap();
        assert_eq!(inline.declared.as_deref(), Some("image/png"));
        assert_eq!(decoded(r#""data:;base64,""#).await.unwrap(), b"");
    }

    #[tokio::test]
    async fn escapes_are_undone_and_windows_join_exactly() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let text = ENGINE.encode(&bytes);
        // A PHP-style encoder escapes every '/', and a MIME encoder breaks lines.
        let escaped: String = text
            .as_bytes()
            .chunks(76)
            .map(|l| std::str::from_utf8(l).unwrap().replace('/', "\\/"))
            .collect::<Vec<_>>()
            .join("\\n");
        let got = decoded(&format!("\"data:application/pdf;base64,{escaped}\""))
            .await
            .unwrap();
        assert_eq!(got, bytes);
    }

    #[tokio::test]
    async fn what_is_not_base64_is_refused() {
        for bad in [
            r#""aGV sbG8=""#,
            r#""aGVsbG8=\u0041""#,
            r#""data:text/plain,hi""#,
            "12",
        ] {
            let e = decoded(bad).await.unwrap_err();
            assert!(
                matches!(e, Error::InvalidField { ref field, .. } if field == "file"),
                "{bad}: {e:?}"
            );
        }
    }

    #[tokio::test]
    async fn content_streams_out_as_base64_in_json() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 256) as u8).collect();
        // Pieces of awkward sizes, so the carry between pieces is exercised.
        let pieces: Vec<Result<Bytes, Error>> = bytes
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let file: crate::store::FileStream = Box::pin(futures::stream::iter(pieces));
        let out: Vec<Bytes> = encode_into_json("{\"d\":\"".into(), file, "\"}".into())
            .try_collect()
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.concat()).unwrap();
        let decoded = ENGINE.decode(json["d"].as_str().unwrap()).unwrap();
        assert_eq!(decoded, bytes);
    }
}
