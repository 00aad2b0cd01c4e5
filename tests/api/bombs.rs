//! Decompression and pixel bombs (issue 19, "Faults"), through every upload path: nCore's
//! multipart files; B2Core's upload, multipart document and JSON document with a base64 data
//! URI; PassFort's document images and files (base64 in JSON); Jumio's parts and DOCUMENT
//! pages. MasStack takes no files.
//!
//! - A PNG declaring 100,000 × 100,000 (its IDAT a real 1 GiB deflate stream) and a JPEG
//!   declaring 65,500 × 65,500 (JPEG's sides are 16-bit) are refused from their header where
//!   a vendor sets a pixel limit: Jumio's 8000 × 8000, a 400 naming `file`. nCore, B2Core and
//!   PassFort set none (docs/compat, the vendor digest): they store the file, whose size
//!   nCore reports from the header.
//! - A DOCX whose entry inflates to 1 GiB and a TIFF whose strips claim a billion entries are
//!   stored where the vendor takes the type (nCore DOCX, PassFort TIFF) and refused with the
//!   vendor's 415 elsewhere.
//!
//! Every stored bomb reads back byte-identical (SHA-256) through the API that stored it; a
//! refusal stores nothing. `tests/bombs_memory.rs` sends the same bombs through the same
//! paths and measures the heap.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestServer;
use crate::common::bombs::{self, Bomb, JPEG_SIDE, Kind, PNG_SIDE, Route, Uploader};
use crate::common::fixtures::sha_hex;

/// What a route must answer for a kind of bomb.
enum Want {
    /// Stored: read back whole.
    Stored,
    /// Refused with this status: Jumio's 400 for an image over 8000 × 8000, or the
    /// vendor's 415 for a type it does not take.
    Refused(u16),
}

fn want(route: Route, kind: Kind) -> Want {
    use Route::*;
    match (kind, route) {
        (Kind::Png | Kind::Jpeg, JumioPart | JumioPage) => Want::Refused(400),
        (Kind::Png | Kind::Jpeg, _) => Want::Stored,
        (Kind::Docx, NcoreFiles) => Want::Stored,
        (Kind::Tiff, PassfortImage | PassfortFile) => Want::Stored,
        (Kind::Docx | Kind::Tiff, _) => Want::Refused(415),
    }
}

/// What is wrong with a refusal's body, if anything: `route`'s vendor's error shape with
/// `status`, naming the file's field.
fn refusal_problem(route: Route, status: u16, body: &Value) -> Option<String> {
    let ok = match route {
        Route::NcoreFiles => {
            body["status"] == status
                && body["code"] == "UNSUPPORTED_MEDIA_TYPE"
                && body["field"] == "file[0]"
                && body["message"].is_string()
        }
        Route::MydocsUpload | Route::MydocsForm | Route::MydocsInline => {
            body["code"] == status
                && body["message"].is_string()
                && body["errors"]["file"][0].is_string()
        }
        Route::PassfortImage | Route::PassfortFile => {
            let e = &body["errors"][0];
            e["code"] == 201
                && e["source"] == "API"
                && e["info"]["field"] == "data"
                && e["message"].is_string()
        }
        Route::JumioPart | Route::JumioPage => {
            let reason = StatusCode::from_u16(status)
                .unwrap()
                .canonical_reason()
                .unwrap();
            body["status"] == status
                && body["error"] == reason
                && body["field"] == "file"
                && body["timestamp"].is_string()
                && (status != 400
                    || body["message"] == "file: the image is larger than 8000 × 8000")
        }
    };
    (!ok).then(|| format!("not the vendor's {status}: {body}"))
}

/// What is wrong with the answer to `bomb` through `route`, if anything.
async fn problem(
    server: &TestServer,
    up: &Uploader<'_>,
    route: Route,
    bomb: &Bomb,
) -> Option<String> {
    let files_before = server.store.count_files().await.unwrap();
    let o = up.send(route, bomb).await;
    let status = o.status.as_u16();
    match want(route, bomb.kind) {
        Want::Stored => {
            let Some(stored) = o.stored else {
                return Some(format!("answered {status}, not stored: {}", o.body));
            };
            if sha_hex(&stored) != sha_hex(&bomb.bytes) {
                return Some(format!(
                    "read back {} bytes, not the {} sent",
                    stored.len(),
                    bomb.bytes.len()
                ));
            }
            // nCore reports the size from the header, undecoded.
            let side = match bomb.kind {
                Kind::Png => Some(PNG_SIDE),
                Kind::Jpeg => Some(JPEG_SIDE),
                _ => None,
            };
            if route == Route::NcoreFiles {
                let f = &o.body["data"][0];
                if (f["width"].as_u64(), f["height"].as_u64())
                    != (side.map(u64::from), side.map(u64::from))
                {
                    return Some(format!("reports the size {}×{}", f["width"], f["height"]));
                }
            }
            None
        }
        Want::Refused(expected) => {
            if status != expected {
                return Some(format!("answered {status}, not {expected}: {}", o.body));
            }
            let files_after = server.store.count_files().await.unwrap();
            if files_after != files_before {
                return Some(format!(
                    "refused, yet {} file(s) stored",
                    files_after - files_before
                ));
            }
            refusal_problem(route, status, &o.body)
        }
    }
}

#[tokio::test]
async fn every_bomb_on_every_upload_path_is_refused_from_its_header_or_stored_whole() {
    let server = TestServer::start().await;
    let up = Uploader::new(&server).await;
    let mut problems = Vec::new();
    for bomb in bombs::all() {
        for route in Route::ALL {
            if let Some(p) = problem(&server, &up, route, &bomb).await {
                problems.push(format!("{:?} through {route:?}: {p}", bomb.kind));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_bombs_are_what_they_claim() {
    // The deflate stream is a single final dynamic block of about 1 MB (checked against
    // zlib when written: it inflates to exactly 1 GiB, CRC-32 0x5B64C2B0).
    let deflated = bombs::deflated_zeros();
    assert_eq!(deflated.len(), 1_040_462);
    assert_eq!(deflated[0] & 0b111, 0b101, "BFINAL, dynamic Huffman");
    for (bytes, kind) in [
        (bombs::png_bomb(), idbridge::media::MediaType::Png),
        (bombs::jpeg_bomb(), idbridge::media::MediaType::Jpeg),
        (bombs::docx_bomb(), idbridge::media::MediaType::Docx),
        (bombs::tiff_bomb(), idbridge::media::MediaType::Tiff),
    ] {
        let sniffed =
            idbridge::media::sniff(&bytes[..bytes.len().min(idbridge::media::SNIFF_WINDOW)]);
        assert_eq!(sniffed.media_type, kind);
        let side = match kind {
            idbridge::media::MediaType::Jpeg => Some(JPEG_SIDE),
            idbridge::media::MediaType::Docx => None,
            _ => Some(PNG_SIDE),
        };
        assert_eq!((sniffed.width, sniffed.height), (side, side), "{kind:?}");
    }
    let docx = bombs::docx_bomb();
    // The ZIP's local header records the entry's inflated size: 1 GiB.
    assert_eq!(
        u32::from_le_bytes(docx[22..26].try_into().unwrap()),
        1 << 30
    );
}
