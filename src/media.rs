//! Content checks: the media type comes from the bytes, never from a name or a header.
//!
//! Sniffing looks only at a bounded prefix of the file ([`SNIFF_WINDOW`]), so a streaming
//! upload can be judged before its body has arrived. The rules are written here rather than
//! taken from a crate because the common ones need the whole file to tell a Word document
//! (an OLE2 container or a ZIP with a `word/` part) from its neighbours.

use serde::{Deserialize, Serialize};

/// How many leading bytes sniffing looks at (enough for JPEG headers behind large EXIF blocks).
pub const SNIFF_WINDOW: usize = 256 * 1024;

/// A media type idbridge can recognise.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::EnumIter,
)]
pub enum MediaType {
    /// `application/pdf`
    #[serde(rename = "application/pdf")]
    Pdf,
    /// `image/jpeg`
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// `image/png`
    #[serde(rename = "image/png")]
    Png,
    /// `image/gif`
    #[serde(rename = "image/gif")]
    Gif,
    /// `image/bmp`
    #[serde(rename = "image/bmp")]
    Bmp,
    /// `image/tiff`
    #[serde(rename = "image/tiff")]
    Tiff,
    /// `image/webp`
    #[serde(rename = "image/webp")]
    Webp,
    /// `application/msword` (any OLE2 compound file: Word cannot be told apart from the
    /// other OLE2 formats without its directory, which may sit at the end of the file)
    #[serde(rename = "application/msword")]
    Doc,
    /// `application/vnd.openxmlformats-officedocument.wordprocessingml.document`
    #[serde(rename = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    Docx,
    /// Anything not recognised.
    #[serde(rename = "application/octet-stream")]
    Unknown,
}

impl MediaType {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Bmp => "image/bmp",
            MediaType::Tiff => "image/tiff",
            MediaType::Webp => "image/webp",
            MediaType::Doc => "application/msword",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Unknown => "application/octet-stream",
        }
    }

    /// Parses a MIME type as [`MediaType::mime`] writes it.
    pub fn from_mime(mime: &str) -> Option<Self> {
        use strum::IntoEnumIterator;
        MediaType::iter().find(|m| m.mime() == mime)
    }

    /// File name extensions (lowercase, no dot) that name this type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Pdf => &["pdf"],
            MediaType::Jpeg => &["jpg", "jpeg"],
            MediaType::Png => &["png"],
            MediaType::Gif => &["gif"],
            MediaType::Bmp => &["bmp"],
            MediaType::Tiff => &["tif", "tiff"],
            MediaType::Webp => &["webp"],
            MediaType::Doc => &["doc"],
            MediaType::Docx => &["docx"],
            MediaType::Unknown => &[],
        }
    }

    /// Whether the file name's extension names this type (case-insensitive).
    pub fn matches_name(self, name: &str) -> bool {
        extension(name).is_some_and(|e| self.extensions().contains(&e.as_str()))
    }

    /// Whether images of this type carry width and height in their header.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            MediaType::Jpeg
                | MediaType::Png
                | MediaType::Gif
                | MediaType::Bmp
                | MediaType::Tiff
                | MediaType::Webp
        )
    }
}

/// The lowercase extension of a file name, without the dot.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// What the first bytes of a file say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// The recognised type.
    pub media_type: MediaType,
    /// Image width, if an image header said.
    pub width: Option<u32>,
    /// Image height, if an image header said.
    pub height: Option<u32>,
}

/// Recognises the media type of `head` (the file's first bytes, up to [`SNIFF_WINDOW`]) and,
/// for images, reads width and height from the header without decoding pixels.
pub fn sniff(head: &[u8]) -> Sniffed {
    let media_type = sniff_type(head);
    let (width, height) = if media_type.is_image() {
        match imagesize::blob_size(head) {
            Ok(s) => (u32::try_from(s.width).ok(), u32::try_from(s.height).ok()),
            Err(_) => (None, None),
        }
    } else {
        (None, None)
    };
    Sniffed {
        media_type,
        width,
        height,
    }
}

fn sniff_type(b: &[u8]) -> MediaType {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if b.starts_with(b"%PDF-") {
        MediaType::Pdf
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        MediaType::Jpeg
    } else if b.starts_with(PNG) {
        MediaType::Png
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        MediaType::Gif
    } else if is_bmp(b) {
        MediaType::Bmp
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        MediaType::Tiff
    } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        MediaType::Webp
    } else if b.starts_with(OLE2) {
        MediaType::Doc
    } else if b.starts_with(b"PK\x03\x04") && has_zip_entry_under(b, b"word/") {
        MediaType::Docx
    } else {
        MediaType::Unknown
    }
}

/// "BM" alone is too weak (plain text can start with it): also require a known DIB header size.
fn is_bmp(b: &[u8]) -> bool {
    b.len() >= 18
        && b.starts_with(b"BM")
        && matches!(
            u32::from_le_bytes([b[14], b[15], b[16], b[17]]),
            12 | 40 | 52 | 56 | 64 | 108 | 124
        )
}

/// Scans ZIP local file headers in the window for an entry whose name starts with `prefix`.
/// Scanning for signatures (rather than hopping by sizes) copes with entries whose sizes sit
/// in a trailing data descriptor.
fn has_zip_entry_under(b: &[u8], prefix: &[u8]) -> bool {
    const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
    let mut at = 0;
    while let Some(pos) = find(&b[at..], LOCAL_HEADER) {
        let h = at + pos;
        if h + 30 <= b.len() {
            let name_len = u16::from_le_bytes([b[h + 26], b[h + 27]]) as usize;
            let name_start = h + 30;
            if let Some(name) = b.get(name_start..name_start + name_len)
                && name.starts_with(prefix)
            {
                return true;
            }
        }
        at = h + LOCAL_HEADER.len();
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for n in names {
            v.extend_from_slice(b"PK\x03\x04");
            v.extend_from_slice(&[
                20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ]);
            v.extend_from_slice(&(n.len() as u16).to_le_bytes());
            v.extend_from_slice(&[0, 0]);
            v.extend_from_slice(n.as_bytes());
            v.extend_from_slice(b"compressed bytes");
        }
        v
    }

    #[test]
    fn recognises_each_type_by_its_magic() {
        assert_eq!(sniff(b"%PDF-1.7\n...").media_type, MediaType::Pdf);
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).media_type,
            MediaType::Jpeg
        );
        assert_eq!(sniff(b"GIF89a\x01\x00\x01\x00").media_type, MediaType::Gif);
        assert_eq!(sniff(b"II*\0\x08\0\0\0").media_type, MediaType::Tiff);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08").media_type, MediaType::Tiff);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 ").media_type, MediaType::Webp);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]).media_type,
            MediaType::Doc
        );
        let mut bmp =
            b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x02\0\0\0\x03\0\0\0\x01\0\x18\0".to_vec();
        bmp.resize(70, 0);
        let s = sniff(&bmp);
        assert_eq!(
            (s.media_type, s.width, s.height),
            (MediaType::Bmp, Some(2), Some(3))
        );
    }

    #[test]
    fn reads_image_dimensions_from_the_header() {
        let s = sniff(&png(640, 480));
        assert_eq!(
            (s.media_type, s.width, s.height),
            (MediaType::Png, Some(640), Some(480))
        );
    }

    #[test]
    fn tells_a_word_zip_from_other_zips() {
        let docx = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(sniff(&docx).media_type, MediaType::Docx);
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx).media_type, MediaType::Unknown);
    }

    #[test]
    fn unknown_and_weak_signatures_are_unknown() {
        assert_eq!(sniff(b"").media_type, MediaType::Unknown);
        assert_eq!(
            sniff(b"MZ\x90\0 an executable").media_type,
            MediaType::Unknown
        );
        assert_eq!(
            sniff(b"BMW is not a bitmap, it is text").media_type,
            MediaType::Unknown
        );
        assert_eq!(sniff(b"%PDF").media_type, MediaType::Unknown);
    }

    #[test]
    fn extensions_are_compared_case_insensitively() {
        assert!(MediaType::Jpeg.matches_name("scan.JPEG"));
        assert!(MediaType::Pdf.matches_name("a.b.pdf"));
        assert!(!MediaType::Png.matches_name("passport.pdf"));
        assert!(!MediaType::Png.matches_name("png"));
        assert!(!MediaType::Png.matches_name(".png"));
        assert_eq!(MediaType::from_mime("image/png"), Some(MediaType::Png));
    }
}
