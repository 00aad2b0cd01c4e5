//! Content-Security-Policy helpers shared by the server's HTML pages (the Jumio capture page,
//! the front page, the admin console): an inline stylesheet is allowed by its hash, so a
//! page needs no `'unsafe-inline'` and no separate stylesheet route.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The CSP source `'sha256-<base64>'` that allows exactly `style` as an inline `<style>`
/// (or `<script>`) element's content.
pub fn hash_source(style: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_the_base64_sha256_of_the_text() {
        // sha256("") = e3b0c442…; its base64 is the well-known value below.
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }
}
