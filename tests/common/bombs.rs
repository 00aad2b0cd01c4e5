//! Decompression and pixel bombs (issue 19), and every upload path they are sent through.
//!
//! The bombs are small files that claim or hold far more than they are: a PNG and a JPEG
//! whose headers declare billions of pixels, the PNG's pixel data a real deflate stream that
//! inflates to 1 GiB; a DOCX (a ZIP) whose one entry inflates to 1 GiB; a TIFF whose strips
//! number a billion and point past the end of the file. Anything that decoded or inflated
//! them would take gigabytes. The deflate stream is written here by hand (no compression
//! crate is a dependency): one dynamic-Huffman block whose every match is two bits.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestServer;
use super::jumio::{ALL_PARTS, Body as JumioBody, CLIENT_A, JumioClient, key_only};

/// What the bombs inflate to: 1 GiB of zeros.
pub const INFLATED: u64 = 1 << 30;
/// The CRC-32 of [`INFLATED`] zero bytes (zlib's `crc32`), as the ZIP entry records it.
const INFLATED_CRC32: u32 = 0x5B64_C2B0;
/// Matches of 258 zero bytes after the four literal zeros: 4 + 258 × this = 1 GiB.
const MATCHES: u64 = 4_161_790;
/// The side a PNG bomb declares.
pub const PNG_SIDE: u32 = 100_000;
/// The side a JPEG bomb declares: JPEG's sides are 16-bit, so 100,000 cannot be written.
pub const JPEG_SIDE: u32 = 65_500;

/// Bits written least significant first, as deflate packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u8,
    n: u8,
}

impl Bits {
    /// `n` bits of `v`, least significant first (header fields, extra bits).
    fn value(&mut self, v: u32, n: u8) {
        for i in 0..n {
            self.acc |= (((v >> i) & 1) as u8) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc);
                (self.acc, self.n) = (0, 0);
            }
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u8) {
        for i in (0..n).rev() {
            self.value((code >> i) & 1, 1);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc);
        }
        self.out
    }
}

/// A raw deflate stream (RFC 1951) of [`INFLATED`] zero bytes, about 1 MB: one final
/// dynamic block whose literal/length code is `0` → 285 (a 258-byte match), `10` → the
/// literal 0, `11` → end of block, and whose one distance code is `0` → distance 1.
pub fn deflated_zeros() -> Vec<u8> {
    let mut b = Bits::default();
    b.value(1, 1); // BFINAL
    b.value(2, 2); // dynamic Huffman
    b.value(29, 5); // HLIT: 286 literal/length codes
    b.value(0, 5); // HDIST: 1 distance code
    b.value(14, 4); // HCLEN: 18 code-length codes
    // Code-length code lengths in their fixed order: 18 → 1 bit, 1 and 2 → 2 bits.
    const ORDER: [u32; 18] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
    for sym in ORDER {
        b.value(
            match sym {
                18 => 1,
                1 | 2 => 2,
                _ => 0,
            },
            3,
        );
    }
    // Their codes: 18 → `0` (then 7 bits: zeros repeated 11 + n times), 1 → `10`, 2 → `11`.
    let zeros = |b: &mut Bits, n: u32| {
        b.code(0, 1);
        b.value(n - 11, 7);
    };
    // Literal/length lengths: 0 → 2, 1..=255 → 0, 256 → 2, 257..=284 → 0, 285 → 1; then the
    // one distance length, 1.
    b.code(3, 2);
    zeros(&mut b, 138);
    zeros(&mut b, 117);
    b.code(3, 2);
    zeros(&mut b, 28);
    b.code(2, 2);
    b.code(2, 2);
    for _ in 0..4 {
        b.code(2, 2); // a literal zero
    }
    for _ in 0..MATCHES {
        b.code(0, 1); // length 258
        b.code(0, 1); // distance 1
    }
    b.code(3, 2); // end of block
    b.finish()
}

/// CRC-32 (IEEE), bit by bit: PNG chunks need it, and no crate for it is a dependency.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

/// A PNG of [`PNG_SIDE`] × [`PNG_SIDE`] RGB pixels (30 GB decoded) whose IDAT is a zlib
/// stream of 1 GiB of zeros.
pub fn png_bomb() -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = PNG_SIDE.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&PNG_SIDE.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut v, b"IHDR", &ihdr);
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(deflated_zeros());
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let adler = (((INFLATED % 65_521) as u32) << 16) | 1;
    zlib.extend_from_slice(&adler.to_be_bytes());
    png_chunk(&mut v, b"IDAT", &zlib);
    png_chunk(&mut v, b"IEND", &[]);
    v
}

/// A baseline JPEG whose frame header declares [`JPEG_SIDE`] × [`JPEG_SIDE`] (4.3 Gpx).
pub fn jpeg_bomb() -> Vec<u8> {
    super::fixtures::jpeg(JPEG_SIDE, JPEG_SIDE, 7)
}

/// A DOCX: a ZIP whose entry `word/document.xml` inflates to [`INFLATED`] bytes, its sizes
/// and CRC written truthfully.
pub fn docx_bomb() -> Vec<u8> {
    let name = b"word/document.xml";
    let data = deflated_zeros();
    let header = |signature: u32, central: bool| {
        let mut h = signature.to_le_bytes().to_vec();
        if central {
            h.extend_from_slice(&20u16.to_le_bytes()); // made by
        }
        h.extend_from_slice(&20u16.to_le_bytes()); // needed
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&8u16.to_le_bytes()); // deflate
        h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        h.extend_from_slice(&INFLATED_CRC32.to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(INFLATED as u32).to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // extra
        if central {
            h.extend_from_slice(&[0; 8]); // comment, disk, internal attributes
            h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            h.extend_from_slice(&0u32.to_le_bytes()); // local header offset
        }
        h.extend_from_slice(name);
        h
    };
    let mut zip = header(0x0403_4B50, false);
    zip.extend_from_slice(&data);
    let directory_at = zip.len() as u32;
    let directory = header(0x0201_4B50, true);
    zip.extend_from_slice(&directory);
    zip.extend_from_slice(&0x0605_4B50u32.to_le_bytes());
    zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    zip.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    zip.extend_from_slice(&directory_at.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

/// A little-endian TIFF of 100,000 × 100,000 whose strip offsets and byte counts each
/// claim a billion entries, stored past the end of the file.
pub fn tiff_bomb() -> Vec<u8> {
    let mut v = b"II*\0".to_vec();
    v.extend_from_slice(&8u32.to_le_bytes());
    // (tag, type, count, value): type 3 SHORT, 4 LONG.
    let entries: [(u16, u16, u32, u32); 9] = [
        (256, 4, 1, PNG_SIDE),
        (257, 4, 1, PNG_SIDE),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1_000_000_000, 0xFFFF_FF00),
        (277, 3, 1, 1),
        (278, 4, 1, 1),
        (279, 4, 1_000_000_000, 0xFFFF_F000),
    ];
    v.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&kind.to_le_bytes());
        v.extend_from_slice(&count.to_le_bytes());
        v.extend_from_slice(&value.to_le_bytes());
    }
    v.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    v.extend((0..2048u32).map(|i| (i * 7) as u8));
    v
}

/// One bomb: its kind, a file name that says it, and its bytes.
pub struct Bomb {
    pub kind: Kind,
    pub file_name: &'static str,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// The kinds of bomb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Docx,
    Tiff,
}

/// Every bomb.
pub fn all() -> Vec<Bomb> {
    vec![
        Bomb {
            kind: Kind::Png,
            file_name: "bomb.png",
            mime: "image/png",
            bytes: png_bomb(),
        },
        Bomb {
            kind: Kind::Jpeg,
            file_name: "bomb.jpg",
            mime: "image/jpeg",
            bytes: jpeg_bomb(),
        },
        Bomb {
            kind: Kind::Docx,
            file_name: "bomb.docx",
            mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            bytes: docx_bomb(),
        },
        Bomb {
            kind: Kind::Tiff,
            file_name: "bomb.tiff",
            mime: "image/tiff",
            bytes: tiff_bomb(),
        },
    ]
}

/// Every way a file reaches the store. MasStack takes no files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// nCore `PUT …/identifications/{id}/files`, multipart.
    NcoreFiles,
    /// B2Core `POST /api/v2/my/files`, multipart.
    MydocsUpload,
    /// B2Core `POST /api/v2/my/documents`, multipart.
    MydocsForm,
    /// B2Core `POST /api/v2/my/documents`, JSON with a base64 data URI.
    MydocsInline,
    /// PassFort `POST …/document_images`, base64 in JSON.
    PassfortImage,
    /// PassFort `POST …/files`, base64 in JSON.
    PassfortFile,
    /// Jumio `POST …/credentials/{id}/parts/FRONT`, multipart.
    JumioPart,
    /// Jumio `POST …/credentials/{id}/parts` (a DOCUMENT's pages), multipart.
    JumioPage,
}

impl Route {
    pub const ALL: [Route; 8] = [
        Route::NcoreFiles,
        Route::MydocsUpload,
        Route::MydocsForm,
        Route::MydocsInline,
        Route::PassfortImage,
        Route::PassfortFile,
        Route::JumioPart,
        Route::JumioPage,
    ];
}

/// What an upload answered, and (when it stored the file) the bytes read back through the
/// same API.
pub struct Outcome {
    pub status: StatusCode,
    pub body: Value,
    pub stored: Option<Vec<u8>>,
}

/// A client of every upload path of one server: a PassFort profile that is also the nCore
/// user and the B2Core client, and a Jumio access token.
pub struct Uploader<'a> {
    server: &'a TestServer,
    profile: String,
    mydocs_token: String,
    jumio: JumioClient,
    access: String,
}

const API_KEY: &str = "test-api-key-alpha";

impl<'a> Uploader<'a> {
    pub async fn new(server: &'a TestServer) -> Uploader<'a> {
        let profile = server
            .client
            .post(server.url("/4.0/profiles"))
            .header("apikey", API_KEY)
            .json(&json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(profile.status(), StatusCode::OK);
        let profile: Value = profile.json().await.unwrap();
        let profile = profile["id"].as_str().unwrap().to_owned();
        let minted = server
            .client
            .post(server.url(&format!("/admin/v1/subjects/{profile}/client-tokens")))
            .bearer_auth(super::ADMIN_A)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(minted.status(), StatusCode::CREATED);
        let minted: Value = minted.json().await.unwrap();
        let jumio = JumioClient::at(server.client.clone(), &server.base);
        let access = jumio.access(CLIENT_A).await;
        Uploader {
            server,
            profile,
            mydocs_token: minted["token"].as_str().unwrap().to_owned(),
            jumio,
            access,
        }
    }

    /// Sends `bomb` through `route`; when it is stored, reads it back.
    pub async fn send(&self, route: Route, bomb: &Bomb) -> Outcome {
        let (status, body) = self.upload(route, bomb).await;
        let stored = if status.is_success() {
            Some(self.read_back(route, &body).await)
        } else {
            None
        };
        Outcome {
            status,
            body,
            stored,
        }
    }

    fn form(bomb: &Bomb) -> Form {
        Form::new().part(
            "file",
            Part::bytes(bomb.bytes.clone()).file_name(bomb.file_name.to_owned()),
        )
    }

    async fn json(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let res = req.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{status}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, body)
    }

    async fn upload(&self, route: Route, bomb: &Bomb) -> (StatusCode, Value) {
        let s = self.server;
        let p = &self.profile;
        let mydocs = |path: &str| {
            s.client
                .post(s.url(&format!("/api/v2/my{path}")))
                .bearer_auth(&self.mydocs_token)
        };
        let inline = |data: String| json!({"data": data, "image_type": "FRONT"});
        match route {
            Route::NcoreFiles => {
                let id = super::ncore::At::server(s, API_KEY)
                    .identification(p, json!({"type": "PASSPORT", "number": "N-1"}))
                    .await;
                let form = Form::new()
                    .text("identification_document_type", "PASSPORT_PAGE1")
                    .part(
                        "file",
                        Part::bytes(bomb.bytes.clone()).file_name(bomb.file_name.to_owned()),
                    );
                let req = s
                    .client
                    .put(s.url(&format!("/v1/users/{p}/identifications/{id}/files")))
                    .header("apikey", API_KEY)
                    .multipart(form);
                self.json(req).await
            }
            Route::MydocsUpload => {
                self.json(mydocs("/files").multipart(Self::form(bomb)))
                    .await
            }
            Route::MydocsForm => {
                let form = Self::form(bomb).text("typeID", "1");
                self.json(mydocs("/documents").multipart(form)).await
            }
            Route::MydocsInline => {
                let uri = format!("data:{};base64,{}", bomb.mime, B64.encode(&bomb.bytes));
                let req = mydocs("/documents").json(&json!({"typeID": 1, "file": [uri]}));
                self.json(req).await
            }
            Route::PassfortImage | Route::PassfortFile => {
                let (path, body) = if route == Route::PassfortImage {
                    ("document_images", inline(B64.encode(&bomb.bytes)))
                } else {
                    (
                        "files",
                        json!({"data": B64.encode(&bomb.bytes), "name": bomb.file_name}),
                    )
                };
                let req = s
                    .client
                    .post(s.url(&format!("/4.0/profiles/{p}/{path}")))
                    .header("apikey", API_KEY)
                    .json(&body);
                self.json(req).await
            }
            Route::JumioPart => {
                let e = self.jumio.open(&self.access, key_only(2)).await;
                let id = e.cred("ID");
                let files = vec![bomb.bytes.clone()];
                self.jumio.part(&e, Method::POST, &id, "FRONT", files).await
            }
            Route::JumioPage => {
                let mut body = key_only(2);
                body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
                let e = self.jumio.open(&self.access, body).await;
                let path = format!("{}/credentials/{}/parts", e.path(), e.cred("DOCUMENT"));
                let files = JumioBody::Files(vec![bomb.bytes.clone()]);
                self.jumio
                    .send(Method::POST, &path, ALL_PARTS, Some(&e.token), files)
                    .await
            }
        }
    }

    /// The stored file's bytes, read through the API that stored it.
    async fn read_back(&self, route: Route, body: &Value) -> Vec<u8> {
        let s = self.server;
        let p = &self.profile;
        let get = |req: reqwest::RequestBuilder| async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "read back through {route:?}");
            res.bytes().await.unwrap().to_vec()
        };
        let mydocs_link = |doc: &Value| {
            let url = doc["files"][0]["downloadUrl"].as_str().unwrap().to_owned();
            s.client.get(url).bearer_auth(&self.mydocs_token)
        };
        match route {
            Route::NcoreFiles => {
                let f = &body["data"][0];
                let path = format!(
                    "/v1/users/{p}/identifications/{}/files/{}:download",
                    f["identification_id"].as_str().unwrap(),
                    f["id"].as_str().unwrap()
                );
                get(s.client.get(s.url(&path)).header("apikey", API_KEY)).await
            }
            Route::MydocsUpload => {
                let path = body["path"].as_str().unwrap();
                let req = s
                    .client
                    .post(s.url("/api/v2/my/documents"))
                    .bearer_auth(&self.mydocs_token)
                    .json(&json!({"typeID": 1, "file": [path]}));
                let (status, doc) = self.json(req).await;
                assert_eq!(status, StatusCode::CREATED, "{doc}");
                get(mydocs_link(&doc)).await
            }
            Route::MydocsForm | Route::MydocsInline => get(mydocs_link(body)).await,
            Route::PassfortImage | Route::PassfortFile => {
                let id = body["id"].as_str().unwrap();
                let req = s
                    .client
                    .get(s.url(&format!("/4.0/profiles/{p}/files/{id}")))
                    .header("apikey", API_KEY);
                let (status, file) = self.json(req).await;
                assert_eq!(status, StatusCode::OK, "{file}");
                B64.decode(file["decrypted_data"].as_str().unwrap())
                    .unwrap()
            }
            Route::JumioPart | Route::JumioPage => {
                panic!("Jumio stored a bomb: {body}")
            }
        }
    }
}
