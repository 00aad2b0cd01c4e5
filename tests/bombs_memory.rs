//! Decompression and pixel bombs keep memory flat (issue 19): every bomb of
//! `tests/common/bombs.rs` (a PNG of 30 GB of pixels, a JPEG of 4.3 Gpx, a DOCX and a PNG
//! holding 1 GiB of deflated zeros, a TIFF with a billion strips) sent through every upload
//! path, stored or refused, moves the heap by no more than a small multiple of the ~1 MB
//! request. Anything that decoded a pixel or inflated a byte would take gigabytes.
//! Alone in its binary so the allocator's peak belongs to this test only (as
//! `tests/store_memory.rs`); `tests/api/bombs.rs` checks what each path answers.

mod common;

use peak_alloc::PeakAlloc;

use common::TestServer;
use common::bombs::{self, Route, Uploader};

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Generous against the copies of a ~1.4 MB request (client, body buffer, base64 text,
/// decoded pieces), far below what inflating or decoding any bomb takes.
const HEAP_BOUND: usize = 16 * 1024 * 1024;

#[tokio::test]
async fn no_bomb_on_any_upload_path_moves_the_heap() {
    let server = TestServer::start().await;
    let up = Uploader::new(&server).await;
    let bombs = bombs::all();
    let mut worst = (0usize, String::new());
    let mut over = Vec::new();
    for bomb in &bombs {
        for route in Route::ALL {
            let baseline = ALLOC.current_usage();
            ALLOC.reset_peak_usage();
            let outcome = up.send(route, bomb).await;
            let peak = ALLOC.peak_usage().saturating_sub(baseline);
            let what = format!("{:?} through {route:?} ({})", bomb.kind, outcome.status);
            assert!(
                !outcome.status.is_server_error(),
                "{what}: {}",
                outcome.body
            );
            if peak > worst.0 {
                worst = (peak, what.clone());
            }
            if peak >= HEAP_BOUND {
                over.push(format!("{what}: {:.1} MiB", mib(peak)));
            }
        }
    }
    println!(
        "bombs: {} sends, worst peak heap {:.1} MiB ({})",
        bombs.len() * Route::ALL.len(),
        mib(worst.0),
        worst.1
    );
    assert!(
        over.is_empty(),
        "heap above {:.0} MiB:\n{}",
        mib(HEAP_BOUND),
        over.join("\n")
    );
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
