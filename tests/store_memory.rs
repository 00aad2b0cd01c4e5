//! A 128 MB file goes in and comes back byte-identical while the heap stays bounded.
//! Alone in its binary so the allocator's peak belongs to this test only.

mod common;

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use idbridge::error::Error;
use idbridge::model::{FileSide, NewFile};
use idbridge::store::PutRules;
use peak_alloc::PeakAlloc;
use sha2::{Digest, Sha256};

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const SIZE: usize = 128 * 1024 * 1024;
/// Generous against the ~4 MB the pipeline needs, far below the file's 128 MB.
const HEAP_BOUND: usize = 32 * 1024 * 1024;

/// `SIZE` pseudo-random bytes in 64 KiB pieces, generated as they are consumed.
fn generated() -> impl futures::Stream<Item = Result<Bytes, Error>> + Send + Unpin {
    futures::stream::unfold(
        (0usize, 0x9E37_79B9_7F4A_7C15u64),
        |(sent, mut x)| async move {
            if sent >= SIZE {
                return None;
            }
            let n = (SIZE - sent).min(64 * 1024);
            let mut piece = Vec::with_capacity(n);
            while piece.len() < n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                piece.extend_from_slice(&x.to_le_bytes()[..(n - piece.len()).min(8)]);
            }
            Some((Ok(Bytes::from(piece)), (sent + n, x)))
        },
    )
    .boxed()
}

#[tokio::test]
async fn a_128_mb_file_round_trips_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::open_store(dir.path(), Duration::from_secs(3600)).await;
    let t = common::tenant("alpha");
    let subject = store.create_subject(&t, None, None, &[]).await.unwrap();

    let mut expected = Sha256::new();
    let mut source = generated();
    while let Some(p) = source.next().await {
        expected.update(p.unwrap());
    }
    let expected: [u8; 32] = expected.finalize().into();

    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let new = NewFile {
        subject_id: subject.id,
        document_id: None,
        side: FileSide::None,
        name: None,
        extras: Default::default(),
    };
    let rules = PutRules {
        max_size: SIZE as u64,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let stored = store.put_file(&t, new, rules, generated()).await.unwrap();
    let put_peak = ALLOC.peak_usage().saturating_sub(baseline);
    assert_eq!(stored.size, SIZE as u64);
    assert_eq!(stored.sha256, expected);

    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let (_, mut stream) = store.open_file(&t, stored.id, None).await.unwrap();
    let mut got = Sha256::new();
    let mut len = 0usize;
    while let Some(piece) = stream.next().await {
        let piece = piece.unwrap();
        len += piece.len();
        got.update(&piece);
    }
    let get_peak = ALLOC.peak_usage().saturating_sub(baseline);
    assert_eq!(len, SIZE);
    assert_eq!(
        <[u8; 32]>::from(got.finalize()),
        expected,
        "bytes differ after the round trip"
    );

    println!(
        "peak heap above baseline: put {:.1} MiB, get {:.1} MiB",
        mib(put_peak),
        mib(get_peak)
    );
    assert!(
        put_peak < HEAP_BOUND,
        "put used {:.1} MiB of heap",
        mib(put_peak)
    );
    assert!(
        get_peak < HEAP_BOUND,
        "get used {:.1} MiB of heap",
        mib(get_peak)
    );
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
