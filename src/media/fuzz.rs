//! Generative tests of sniffing and image-dimension reading: any bytes are judged without a
//! panic, from the sniff window alone, and an image header declaring any size (100,000 ×
//! 100,000 included) is read for its size with no pixel decoded.

use proptest::prelude::*;

use super::{MediaType, SNIFF_WINDOW, sniff};
use crate::fuzz_kit::{ensure, run, run_corpus};

/// A header of each image format that carries its size, declaring `w` × `h`.
fn header(format: u8, w: u32, h: u32) -> (MediaType, Vec<u8>) {
    let mut v = Vec::new();
    let media = match format % 5 {
        0 => {
            v.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
            v.extend_from_slice(b"IHDR");
            v.extend_from_slice(&w.to_be_bytes());
            v.extend_from_slice(&h.to_be_bytes());
            v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
            MediaType::Png
        }
        1 => {
            // SOI, an APP0 segment, then SOF0 with 16-bit sizes.
            v.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]);
            v.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
            v.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8]);
            v.extend_from_slice(&(h as u16).to_be_bytes());
            v.extend_from_slice(&(w as u16).to_be_bytes());
            v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
            MediaType::Jpeg
        }
        2 => {
            v.extend_from_slice(b"GIF89a");
            v.extend_from_slice(&(w as u16).to_le_bytes());
            v.extend_from_slice(&(h as u16).to_le_bytes());
            v.extend_from_slice(&[0, 0, 0]);
            MediaType::Gif
        }
        3 => {
            v.extend_from_slice(b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0");
            v.extend_from_slice(&(w as i32).to_le_bytes());
            v.extend_from_slice(&(h as i32).to_le_bytes());
            v.extend_from_slice(&[1, 0, 24, 0]);
            v.resize(54, 0);
            MediaType::Bmp
        }
        _ => {
            // Lossless WebP: 14-bit sizes, stored less one.
            let (w1, h1) = (w.wrapping_sub(1) & 0x3FFF, h.wrapping_sub(1) & 0x3FFF);
            let bits = w1 | (h1 << 14);
            v.extend_from_slice(b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f");
            v.extend_from_slice(&bits.to_le_bytes());
            v.resize(v.len() + 8, 0);
            MediaType::Webp
        }
    };
    (media, v)
}

/// The size a header of `media` can carry, as the reader should report it.
fn representable(media: MediaType, w: u32, h: u32) -> (u32, u32) {
    match media {
        MediaType::Jpeg | MediaType::Gif => (w & 0xFFFF, h & 0xFFFF),
        MediaType::Bmp => ((w as i32).unsigned_abs(), (h as i32).unsigned_abs()),
        MediaType::Webp => (
            (w.wrapping_sub(1) & 0x3FFF) + 1,
            (h.wrapping_sub(1) & 0x3FFF) + 1,
        ),
        _ => (w, h),
    }
}

/// What holds of any verdict: sizes only for images; the verdict depends on the window only.
fn consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    let s = sniff(bytes);
    ensure(
        s.media_type.is_image() || (s.width, s.height) == (None, None),
        || format!("{:?} has a size {:?}", s.media_type, (s.width, s.height)),
    )?;
    if bytes.len() > SNIFF_WINDOW {
        ensure(sniff(&bytes[..SNIFF_WINDOW]) == s, || {
            "the verdict depends on bytes past the sniff window".into()
        })?;
    }
    Ok(())
}

#[test]
fn fuzz_sniff_any_bytes() {
    run_corpus("media", |bytes| consistent(&bytes));
    let bytes = prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..512),
        // Known magic numbers followed by noise, so each format's reader gets noise to read.
        4 => (0u8..10, proptest::collection::vec(any::<u8>(), 0..512)).prop_map(|(m, tail)| {
            let magic: &[u8] = match m {
                0 => b"\x89PNG\r\n\x1a\n",
                1 => b"\xFF\xD8\xFF",
                2 => b"GIF89a",
                3 => b"BM",
                4 => b"II*\0",
                5 => b"MM\0*",
                6 => b"RIFF\0\0\0\0WEBP",
                7 => b"PK\x03\x04",
                8 => b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
                _ => b"%PDF-",
            };
            [magic, &tail].concat()
        }),
    ];
    run("media", 4000, bytes, |b| consistent(&b));
}

#[test]
fn fuzz_image_headers_declare_any_size() {
    let cases = (
        any::<u8>(),
        any::<u32>(),
        any::<u32>(),
        any::<prop::sample::Index>(),
    );
    run("media-headers", 4000, cases, |(format, w, h, cut)| {
        let (media, bytes) = header(format, w, h);
        // Whole, a read of the size it declares; cut short anywhere, no panic.
        let s = sniff(&bytes);
        ensure(s.media_type == media, || {
            format!("{media:?} sniffed as {s:?}")
        })?;
        let (want_w, want_h) = representable(media, w, h);
        if media != MediaType::Bmp && want_w > 0 && want_h > 0 {
            ensure((s.width, s.height) == (Some(want_w), Some(want_h)), || {
                format!("{media:?} {want_w}x{want_h} read as {s:?}")
            })?;
        }
        consistent(&bytes[..cut.index(bytes.len())])
    });
}

#[test]
fn a_hundred_thousand_square_is_read_from_its_header() {
    for format in [0u8, 4] {
        let (media, bytes) = header(format, 100_000, 100_000);
        let s = sniff(&bytes);
        let want = representable(media, 100_000, 100_000);
        assert_eq!(
            (s.width, s.height),
            (Some(want.0), Some(want.1)),
            "{media:?}"
        );
    }
}
