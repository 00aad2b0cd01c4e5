//! Every byte fixture the integration tests send: images, PDFs and other files built in
//! memory, so no test carries its own copy of a file format's header. Each builder is
//! deterministic (its bytes depend only on its arguments), because tests compare what comes
//! back with what went in.

use sha2::{Digest, Sha256};

/// The first bytes of a PNG of the given size: enough for sniffing and dimensions.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v
}

/// A PNG every vendor accepts by its header, with 3,000 bytes after it that depend on `seed`.
pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut v = png_header(width, height);
    v.extend((0..3000u32).map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed)));
    v
}

/// A 640 × 400 PNG with 2,000 bytes after its header (nCore's tests' image).
pub fn png_2k(seed: u8) -> Vec<u8> {
    let mut v = png_header(640, 400);
    v.extend((0..2000u32).map(|i| (i as u8).wrapping_mul(seed)));
    v
}

/// A 320 × 200 PNG with 1,500 bytes after its header (PassFort's tests' image).
pub fn png_small(seed: u8) -> Vec<u8> {
    let mut v = png_header(320, 200);
    v.extend((0..1500u32).map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed)));
    v
}

/// A whole PNG a browser decodes: `width` × `height` RGB, a gradient shifted by `seed`.
pub fn decodable_png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).flat_map(move |x| [(x % 256) as u8, (y % 256) as u8, seed]))
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// A JPEG header (JFIF APP0, then SOF0 with the size) and some bytes.
pub fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0");
    v.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
    v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    v.extend_from_slice(&(height as u16).to_be_bytes());
    v.extend_from_slice(&(width as u16).to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    v.extend((0..3000u32).map(|i| (i as u8).wrapping_mul(seed)));
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A JPEG whose base64 is full of `/` (runs of 0xFF encode as `////`).
pub fn jpeg_slashes() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0");
    v.extend([0xFF; 300]);
    v.extend((0..500u32).map(|i| i as u8));
    v
}

/// A GIF: a format no vendor accepts.
pub fn gif() -> Vec<u8> {
    let mut v = b"GIF89a".to_vec();
    v.extend([1, 0, 1, 0, 0, 0, 0, 0x3B]);
    v
}

/// A PDF of exactly `len` bytes: a `%PDF-1.7` header padded with `x`.
pub fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.resize(len, b'x');
    v
}

/// A PDF of `len` bytes (at least its header): `%PDF-1.4` then the alphabet over and over.
pub fn pdf_letters(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    v.extend((0..len.saturating_sub(9)).map(|i| b'a' + (i % 26) as u8));
    v
}

/// A file from the conformance kit's nCore fixtures.
pub fn conformance_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/conformance/ncore/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The SHA-256 of `bytes` in lower-case hex, as ETags and nCore's metadata carry it.
pub fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PNG Jumio, nCore, mydocs and PassFort all accept (640 × 400 by its header), carrying a
/// marker no other file has, so its bytes can be looked for in any answer.
pub fn secret_png(label: &str) -> Vec<u8> {
    let mut v = png_header(640, 400);
    let seed = Sha256::digest(label.as_bytes());
    v.extend_from_slice(&seed);
    v.extend_from_slice(&Sha256::digest(seed));
    v.extend((0..800u32).map(|i| (i as u8).wrapping_mul(seed[0] | 1).wrapping_add(seed[1])));
    v
}

/// `len` bytes of a PDF whose body is pseudo-random (as compressed scans are).
pub fn noisy_pdf(len: usize, seed: u64) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    let mut x = seed | 1;
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}
