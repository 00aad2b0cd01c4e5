//! The storage engine's promises, tested directly against a store on a temporary directory.

use std::time::Duration;

use crate::common::{open_store, png_header, tenant};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use idbridge::error::Error;
use idbridge::media::MediaType;
use idbridge::model::{
    DocumentKind, FileSide, Namespace, NewDocument, NewFile, NewProcess, ProcessStatus, StoredFile,
};
use idbridge::store::crypto::CHUNK;
use idbridge::store::{Anchor, ByteRange, PutRules, Store};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const HOUR: Duration = Duration::from_secs(3600);

/// Deterministic bytes that differ at every offset (so a misplaced range is visible).
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8)
        .collect()
}

/// The bytes as a body stream, in pieces of `piece` bytes (as a socket would deliver them).
fn body(
    bytes: Vec<u8>,
    piece: usize,
) -> impl futures::Stream<Item = Result<Bytes, Error>> + Send + Unpin {
    let pieces: Vec<Result<Bytes, Error>> = bytes
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::stream::iter(pieces)
}

fn rules(max_size: u64) -> PutRules {
    PutRules {
        max_size,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    }
}

fn standalone(subject_id: Uuid) -> NewFile {
    NewFile {
        subject_id,
        document_id: None,
        side: FileSide::None,
        name: Some("f.bin".into()),
        extras: Default::default(),
    }
}

/// Stores `data`, sent in pieces of `piece` bytes, as a standalone file of `subject` of
/// tenant alpha with no size limit.
async fn put_alpha(
    store: &Store,
    subject: Uuid,
    data: Vec<u8>,
    piece: usize,
) -> Result<StoredFile, Error> {
    store
        .put_file(
            &tenant("alpha"),
            standalone(subject),
            rules(u64::MAX),
            body(data, piece),
        )
        .await
}

/// How many files `subject` of tenant alpha has.
async fn files_of(store: &Store, subject: Uuid) -> usize {
    store
        .list_files(&tenant("alpha"), subject)
        .await
        .unwrap()
        .len()
}

/// How many files alpha's document `id` holds, as the document says.
async fn file_count(store: &Store, id: Uuid) -> u32 {
    store
        .get_document(&tenant("alpha"), id)
        .await
        .unwrap()
        .file_count
}

async fn setup() -> (tempfile::TempDir, Store, Uuid) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), HOUR).await;
    let subject = store
        .create_subject(&tenant("alpha"), None, None, &[])
        .await
        .unwrap();
    (dir, store, subject.id)
}

async fn read(store: &Store, id: Uuid, range: Option<ByteRange>) -> Result<Vec<u8>, Error> {
    let (_, stream) = store.open_file(&tenant("alpha"), id, range).await?;
    let parts: Vec<Bytes> = stream.try_collect().await?;
    Ok(parts.concat())
}

fn blob_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir.join("blobs/blobs")) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

#[tokio::test]
async fn range_reads_are_exact_at_chunk_edges() {
    let (_dir, store, subject) = setup().await;
    let size = 20 * CHUNK + 7;
    let data = pattern(size);
    let f = put_alpha(&store, subject, data.clone(), 10_000)
        .await
        .unwrap();
    assert_eq!(f.size, size as u64);
    assert_eq!(f.sha256.to_vec(), Sha256::digest(&data).to_vec());
    assert_eq!(read(&store, f.id, None).await.unwrap(), data, "whole file");
    let c = CHUNK as u64;
    for (start, end) in [
        (0, 1),
        (c - 1, c + 1),
        (c, 2 * c),
        (c - 1, 2 * c + 1),
        (16 * c - 3, 16 * c + 3), // across a read window
        (3, 18 * c),
        (size as u64 - 1, size as u64),
        (20 * c, size as u64), // the short last chunk alone
        (5, 5),
    ] {
        let got = read(&store, f.id, Some(ByteRange { start, end }))
            .await
            .unwrap();
        assert_eq!(
            got,
            &data[start as usize..end as usize],
            "range {start}..{end}"
        );
    }
    let beyond = read(
        &store,
        f.id,
        Some(ByteRange {
            start: 0,
            end: size as u64 + 1,
        }),
    )
    .await;
    assert!(
        matches!(beyond, Err(Error::InvalidField { .. })),
        "{beyond:?}"
    );
}

#[tokio::test]
async fn empty_and_exact_chunk_files_round_trip() {
    let (_dir, store, subject) = setup().await;
    for size in [0, 1, CHUNK, 2 * CHUNK] {
        let data = pattern(size);
        let f = put_alpha(&store, subject, data.clone(), 4096)
            .await
            .unwrap();
        assert_eq!(read(&store, f.id, None).await.unwrap(), data, "size {size}");
    }
}

#[tokio::test]
async fn a_tampered_blob_fails_to_read() {
    let (dir, store, subject) = setup().await;
    let data = pattern(3 * CHUNK);
    let f = put_alpha(&store, subject, data.clone(), 65_536)
        .await
        .unwrap();
    let path = dir.path().join("blobs/blobs").join(f.id.to_string());
    let original = std::fs::read(&path).unwrap();
    let mut flipped = original.clone();
    flipped[CHUNK + 100] ^= 0x01;
    std::fs::write(&path, &flipped).unwrap();
    let read_all = read(&store, f.id, None).await;
    assert!(
        matches!(read_all, Err(Error::Internal(_))),
        "a flipped byte was not detected: {read_all:?}"
    );
    let tail = Some(ByteRange {
        start: 2 * CHUNK as u64,
        end: 3 * CHUNK as u64,
    });
    assert_eq!(
        read(&store, f.id, tail).await.unwrap(),
        &data[2 * CHUNK..],
        "chunks that were not altered still read exactly"
    );
    std::fs::write(&path, &original[..original.len() - 1]).unwrap();
    assert!(
        matches!(read(&store, f.id, None).await, Err(Error::Internal(_))),
        "a cut byte was not detected"
    );
    let whole_chunk = original.len() - (CHUNK + 16);
    std::fs::write(&path, &original[..whole_chunk]).unwrap();
    assert!(
        matches!(read(&store, f.id, None).await, Err(Error::Internal(_))),
        "a dropped last chunk was not detected"
    );
    let mut swapped = original.clone();
    let (c0, c1) = (16..16 + CHUNK + 16, 16 + CHUNK + 16..16 + 2 * (CHUNK + 16));
    let first = original[c0.clone()].to_vec();
    swapped[c0].copy_from_slice(&original[c1.clone()]);
    swapped[c1].copy_from_slice(&first);
    std::fs::write(&path, &swapped).unwrap();
    assert!(
        matches!(read(&store, f.id, None).await, Err(Error::Internal(_))),
        "swapped chunks were not detected"
    );
}

#[tokio::test]
async fn a_deleted_file_stays_unreadable_with_its_blob_restored() {
    let (dir, store, subject) = setup().await;
    let f = put_alpha(&store, subject, pattern(5000), 1000)
        .await
        .unwrap();
    let path = dir.path().join("blobs/blobs").join(f.id.to_string());
    let saved = std::fs::read(&path).unwrap();
    store.delete_file(&tenant("alpha"), f.id).await.unwrap();
    assert!(!path.exists(), "blob not removed");
    std::fs::write(&path, &saved).unwrap();
    assert!(matches!(
        store.get_file(&tenant("alpha"), f.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        read(&store, f.id, None).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.delete_file(&tenant("alpha"), f.id).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn concurrent_adds_never_exceed_the_document_limit() {
    let (dir, store, subject) = setup().await;
    let doc = kind_only(DocumentKind::IdCard);
    let doc = store
        .create_document(&tenant("alpha"), subject, doc)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let new = NewFile {
                    document_id: Some(doc.id),
                    side: FileSide::Page(1),
                    ..standalone(subject)
                };
                store
                    .put_file(
                        &tenant("alpha"),
                        new,
                        rules(u64::MAX),
                        body(pattern(100_000 + i), 8192),
                    )
                    .await
            })
        })
        .collect();
    let mut stored = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => stored += 1,
            Err(Error::LimitExceeded { limit: 10, .. }) => refused += 1,
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!((stored, refused), (10, 20));
    assert_eq!(file_count(&store, doc.id).await, 10);
    assert_eq!(files_of(&store, subject).await, 10);
    assert_eq!(
        blob_files(dir.path()).len(),
        10,
        "refused uploads left blobs behind"
    );
    // A delete frees a place, and exactly one.
    let files = store.list_files(&tenant("alpha"), subject).await.unwrap();
    store
        .delete_file(&tenant("alpha"), files[0].id)
        .await
        .unwrap();
    assert_eq!(file_count(&store, doc.id).await, 9);
    let new = || NewFile {
        document_id: Some(doc.id),
        side: FileSide::Page(2),
        ..standalone(subject)
    };
    store
        .put_file(
            &tenant("alpha"),
            new(),
            rules(u64::MAX),
            body(pattern(10), 10),
        )
        .await
        .unwrap();
    let full = store
        .put_file(
            &tenant("alpha"),
            new(),
            rules(u64::MAX),
            body(pattern(10), 10),
        )
        .await;
    assert!(matches!(full, Err(Error::LimitExceeded { .. })), "{full:?}");
}

#[tokio::test]
async fn the_size_limit_is_exact_and_leaves_nothing_behind() {
    let (dir, store, subject) = setup().await;
    let ok = store
        .put_file(
            &tenant("alpha"),
            standalone(subject),
            rules(300_000),
            body(pattern(300_000), 7000),
        )
        .await;
    assert_eq!(ok.unwrap().size, 300_000);
    let over = store
        .put_file(
            &tenant("alpha"),
            standalone(subject),
            rules(300_000),
            body(pattern(300_001), 7000),
        )
        .await;
    assert!(
        matches!(
            over,
            Err(Error::PayloadTooLarge {
                limit: Some(300_000)
            })
        ),
        "{over:?}"
    );
    assert_eq!(files_of(&store, subject).await, 1);
    assert_eq!(
        blob_files(dir.path()).len(),
        1,
        "the refused upload left a blob or a staged part"
    );
}

#[tokio::test]
async fn content_is_sniffed_and_judged_before_storing() {
    let (dir, store, subject) = setup().await;
    let mut png = png_header(640, 480);
    png.extend(pattern(1000));
    let f = put_alpha(&store, subject, png, 10).await.unwrap();
    assert_eq!(
        (f.media_type, f.width, f.height),
        (MediaType::Png, Some(640), Some(480))
    );
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend(pattern(400_000));
    let refuse_pdf = PutRules {
        accept: Box::new(|s| match s.media_type {
            MediaType::Pdf => Err(Error::UnsupportedMediaType("application/pdf".into())),
            _ => Ok(()),
        }),
        ..rules(u64::MAX)
    };
    let refused = store
        .put_file(
            &tenant("alpha"),
            standalone(subject),
            refuse_pdf,
            body(pdf, 65_536),
        )
        .await;
    assert!(
        matches!(refused, Err(Error::UnsupportedMediaType(_))),
        "{refused:?}"
    );
    assert_eq!(blob_files(dir.path()).len(), 1);
}

#[tokio::test]
async fn a_failing_body_leaves_nothing_behind() {
    let (dir, store, subject) = setup().await;
    let pieces = vec![
        Ok(Bytes::from(pattern(SNIFF + 10))),
        Err(Error::invalid("file", "client went away")),
    ];
    let failed = store
        .put_file(
            &tenant("alpha"),
            standalone(subject),
            rules(u64::MAX),
            futures::stream::iter(pieces),
        )
        .await;
    assert!(matches!(failed, Err(Error::InvalidField { .. })));
    assert!(blob_files(dir.path()).is_empty());
    assert!(
        store
            .list_files(&tenant("alpha"), subject)
            .await
            .unwrap()
            .is_empty()
    );
}
const SNIFF: usize = idbridge::media::SNIFF_WINDOW;

#[tokio::test]
async fn orphan_blobs_are_swept_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let kept_id = {
        let store = open_store(dir.path(), HOUR).await;
        let s = store
            .create_subject(&tenant("alpha"), None, None, &[])
            .await
            .unwrap();
        put_alpha(&store, s.id, pattern(10), 10).await.unwrap().id
    };
    let blobs = dir.path().join("blobs/blobs");
    let orphan = blobs.join(Uuid::now_v7().to_string());
    let staged = blobs.join(format!("{}#1", Uuid::now_v7()));
    std::fs::write(&orphan, b"left by a crash before the metadata commit").unwrap();
    std::fs::write(&staged, b"left by a crash mid-upload").unwrap();
    // Within the grace period an orphan may be an upload in flight elsewhere: kept.
    drop(open_store(dir.path(), HOUR).await);
    assert!(orphan.exists() && staged.exists());
    let store = open_store(dir.path(), Duration::ZERO).await;
    assert!(!orphan.exists(), "orphan blob not swept");
    assert!(!staged.exists(), "staged upload not swept");
    assert!(
        blobs.join(kept_id.to_string()).exists(),
        "a referenced blob was swept"
    );
    assert!(read(&store, kept_id, None).await.is_ok());
}

#[tokio::test]
async fn another_tenant_sees_nothing() {
    let (_dir, store, subject) = setup().await;
    let doc = NewDocument {
        kind: Some(DocumentKind::Passport),
        number: Some("X1".into()),
        ..Default::default()
    };
    let doc = store
        .create_document(&tenant("alpha"), subject, doc.validate().unwrap())
        .await
        .unwrap();
    let f = put_alpha(&store, subject, pattern(10), 10).await.unwrap();
    let beta = tenant("beta");
    assert!(matches!(
        store.get_subject(&beta, subject).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.get_document(&beta, doc.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.get_document_by_seq(&beta, doc.seq).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.get_file(&beta, f.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.open_file(&beta, f.id, None).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.delete_file(&beta, f.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.delete_document(&beta, doc.id).await,
        Err(Error::NotFound(_))
    ));
    // Writes aimed at alpha's records from beta fail the same way, and change nothing.
    let into_alpha = NewFile {
        document_id: Some(doc.id),
        ..standalone(subject)
    };
    assert!(matches!(
        store
            .put_file(&beta, into_alpha, rules(u64::MAX), body(pattern(10), 10))
            .await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store
            .put_file(
                &beta,
                standalone(subject),
                rules(u64::MAX),
                body(pattern(10), 10)
            )
            .await,
        Err(Error::NotFound(_))
    ));
    let ncore = Namespace::new("ncore").unwrap();
    assert!(matches!(
        store.link_alias(&beta, subject, &ncore, "x").await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store
            .mint_token(&beta, subject, None, "client", chrono::Duration::minutes(1))
            .await,
        Err(Error::NotFound(_))
    ));
    let patch = idbridge::model::DocumentPatch {
        number: Some(Some("CHANGED".into())),
        ..Default::default()
    };
    assert!(matches!(
        store.update_document(&beta, doc.id, patch).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.delete_subject(&beta, subject).await,
        Err(Error::NotFound(_))
    ));
    assert!(store.list_files(&beta, subject).await.unwrap().is_empty());
    assert!(store.aliases(&beta, subject).await.unwrap().is_empty());
    assert_eq!(
        store.get_document(&tenant("alpha"), doc.id).await.unwrap(),
        doc,
        "beta changed alpha's document"
    );
    assert_eq!(files_of(&store, subject).await, 1);
    // The same UUID used by beta names beta's own subject, never alpha's.
    let ns = Namespace::new("ncore").unwrap();
    let theirs = store
        .resolve_subject(&beta, &ns, &subject.to_string(), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(theirs.tenant, beta);
    assert!(
        store
            .list_documents(&beta, theirs.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .list_documents(&tenant("alpha"), subject)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn external_ids_resolve_by_the_default_rule() {
    let (_dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let ncore = Namespace::new("ncore").unwrap();
    let passfort = Namespace::new("passfort").unwrap();
    let same = store
        .resolve_subject(&a, &passfort, &subject.to_string(), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        same.id, subject,
        "a UUID equal to a subject's id is that subject"
    );
    assert!(
        store
            .resolve_subject(&a, &ncore, "user-7", false)
            .await
            .unwrap()
            .is_none()
    );
    let created = store
        .resolve_subject(&a, &ncore, "user-7", true)
        .await
        .unwrap()
        .unwrap();
    let again = store
        .resolve_subject(&a, &ncore, "user-7", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        created.id, again.id,
        "an alias resolves to the subject it created"
    );
    let other_ns = store
        .resolve_subject(&a, &passfort, "user-7", true)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other_ns.id, created.id, "namespaces are separate");
    let fresh = Uuid::new_v4();
    let adopted = store
        .resolve_subject(&a, &ncore, &fresh.to_string(), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        adopted.id, fresh,
        "an unknown UUID becomes the new subject's id"
    );
    let aliases = store.aliases(&a, created.id).await.unwrap();
    assert_eq!(
        (
            aliases[0].namespace.as_str(),
            aliases[0].external_id.as_str()
        ),
        ("ncore", "user-7")
    );
    let conflict = store.link_alias(&a, subject, &ncore, "user-7").await;
    assert!(matches!(conflict, Err(Error::Conflict(_))), "{conflict:?}");
}

#[tokio::test]
async fn concurrent_first_use_of_an_alias_makes_one_subject() {
    let (_dir, store, _) = setup().await;
    let ns = Namespace::new("jumio").unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            let ns = ns.clone();
            tokio::spawn(async move {
                store
                    .resolve_subject(&tenant("alpha"), &ns, "acct-1", true)
                    .await
            })
        })
        .collect();
    let ids: std::collections::HashSet<Uuid> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap().unwrap().id)
        .collect();
    assert_eq!(ids.len(), 1, "racing first uses created several subjects");
}

#[tokio::test]
async fn deleting_a_subject_shreds_everything_it_owns() {
    let (dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let doc = kind_only(DocumentKind::IdCard);
    let doc = store.create_document(&a, subject, doc).await.unwrap();
    let attached = NewFile {
        document_id: Some(doc.id),
        side: FileSide::Front,
        ..standalone(subject)
    };
    let f1 = store
        .put_file(&a, attached, rules(u64::MAX), body(pattern(10), 10))
        .await
        .unwrap();
    let f2 = put_alpha(&store, subject, pattern(10), 10).await.unwrap();
    store
        .link_alias(&a, subject, &Namespace::new("ncore").unwrap(), "u-1")
        .await
        .unwrap();
    store.delete_subject(&a, subject).await.unwrap();
    for id in [f1.id, f2.id] {
        assert!(matches!(
            read(&store, id, None).await,
            Err(Error::NotFound(_))
        ));
    }
    assert!(matches!(
        store.get_document(&a, doc.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(blob_files(dir.path()).is_empty());
    let ns = Namespace::new("ncore").unwrap();
    assert!(
        store
            .resolve_subject(&a, &ns, "u-1", false)
            .await
            .unwrap()
            .is_none(),
        "alias survived"
    );
}

#[tokio::test]
async fn documents_update_atomically_and_delete_with_their_files() {
    let (_dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let new = kind_only(DocumentKind::Passport);
    let d1 = store
        .create_document(&a, subject, new.clone())
        .await
        .unwrap();
    let d2 = store.create_document(&a, subject, new).await.unwrap();
    assert_eq!(d2.seq, d1.seq + 1, "per-tenant sequence numbers");
    let patch = idbridge::model::DocumentPatch {
        expires_on: Some(chrono::NaiveDate::from_ymd_opt(2031, 5, 1)),
        number: Some(Some("P123".into())),
        ..Default::default()
    };
    let updated = store.update_document(&a, d1.id, patch).await.unwrap();
    assert_eq!(updated.number.as_deref(), Some("P123"));
    assert_eq!(
        store.get_document_by_seq(&a, d1.seq).await.unwrap(),
        updated
    );
    let bad = idbridge::model::DocumentPatch {
        issued_on: Some(chrono::NaiveDate::from_ymd_opt(2032, 1, 1)),
        ..Default::default()
    };
    assert!(matches!(
        store.update_document(&a, d1.id, bad).await,
        Err(Error::InvalidField { .. })
    ));
    assert_eq!(
        store.get_document(&a, d1.id).await.unwrap(),
        updated,
        "a refused patch changed the document"
    );
    let f = NewFile {
        document_id: Some(d1.id),
        ..standalone(subject)
    };
    let f = store
        .put_file(&a, f, rules(u64::MAX), body(pattern(10), 10))
        .await
        .unwrap();
    store.delete_document(&a, d1.id).await.unwrap();
    assert!(matches!(
        store.get_file(&a, f.id).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(store.list_documents(&a, subject).await.unwrap().len(), 1);
}

#[tokio::test]
async fn processes_move_only_along_their_lifecycle() {
    let (_dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let now = chrono::Utc::now();
    let new = |expires| NewProcess {
        subject_id: subject,
        namespace: Namespace::new("jumio").unwrap(),
        kind: "workflow_execution".into(),
        expires_at: expires,
        data: serde_json::json!({"key": 10013}),
    };
    let p = store
        .create_process(&a, new(Some(now + chrono::Duration::minutes(30))))
        .await
        .unwrap();
    let p = store
        .transition_process(&a, p.id, ProcessStatus::Submitted, now, None)
        .await
        .unwrap();
    assert_eq!(
        store.get_process(&a, p.id).await.unwrap().status,
        ProcessStatus::Submitted
    );
    let back = store
        .transition_process(&a, p.id, ProcessStatus::Open, now, None)
        .await;
    assert!(matches!(back, Err(Error::Conflict(_))));
    let late = store
        .create_process(&a, new(Some(now - chrono::Duration::seconds(1))))
        .await
        .unwrap();
    let closing = store
        .transition_process(&a, late.id, ProcessStatus::Completed, now, None)
        .await;
    assert!(
        matches!(closing, Err(Error::Conflict(_))),
        "an expired process was closed"
    );
    assert_eq!(store.list_processes(&a, subject).await.unwrap().len(), 2);
    assert!(matches!(
        store.get_process(&tenant("beta"), p.id).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn tokens_resolve_only_for_their_purpose_and_lifetime() {
    let (_dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let t = store
        .mint_token(&a, subject, None, "client", chrono::Duration::minutes(5))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let owner = store
        .resolve_token("client", &t.token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((owner.tenant, owner.subject_id), (a.clone(), subject));
    assert!(
        store
            .resolve_token("process", &t.token, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .resolve_token("client", &t.token, now + chrono::Duration::minutes(6))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .resolve_token("client", "idb_client_wrong", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !format!("{t:?}").contains(&t.token),
        "Debug shows the token"
    );
}

#[tokio::test]
async fn reads_stream_in_bounded_pieces() {
    let (_dir, store, subject) = setup().await;
    let f = put_alpha(&store, subject, pattern(40 * CHUNK), 65_536)
        .await
        .unwrap();
    let (_, stream) = store.open_file(&tenant("alpha"), f.id, None).await.unwrap();
    let sizes: Vec<usize> = stream.map(|p| p.unwrap().len()).collect().await;
    assert!(
        sizes.len() >= 3,
        "a 2.5 MB file came back in {} pieces",
        sizes.len()
    );
    assert!(
        sizes.iter().all(|&s| s <= 16 * CHUNK),
        "a piece exceeded the read window: {sizes:?}"
    );
}

/// A body fed by the test, piece by piece. With a channel of one place, the second `send`
/// returns only once the store has taken the first: the upload is then surely under way.
fn fed_body() -> (
    tokio::sync::mpsc::Sender<Result<Bytes, Error>>,
    impl futures::Stream<Item = Result<Bytes, Error>> + Send + Unpin,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let stream =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    (tx, Box::pin(stream))
}

/// What feeds a [`fed_body`].
type Feed = tokio::sync::mpsc::Sender<Result<Bytes, Error>>;

/// A standalone upload of `subject` of tenant alpha, running as its own task, whose body
/// the test feeds through the sender.
fn fed_upload(
    store: &Store,
    subject: Uuid,
) -> (Feed, tokio::task::JoinHandle<Result<StoredFile, Error>>) {
    let (tx, body) = fed_body();
    let store = store.clone();
    let upload = tokio::spawn(async move {
        store
            .put_file(&tenant("alpha"), standalone(subject), rules(u64::MAX), body)
            .await
    });
    (tx, upload)
}

/// Waits (without sleeping) until the blob directory is empty; cleanup runs as its own task.
async fn wait_until_no_blobs(dir: &std::path::Path) {
    let emptied = tokio::time::timeout(Duration::from_secs(30), async {
        while !blob_files(dir).is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(emptied.is_ok(), "blobs left behind: {:?}", blob_files(dir));
}

#[tokio::test]
async fn a_cancelled_upload_leaves_nothing_behind() {
    let (dir, store, subject) = setup().await;
    let (tx, upload) = fed_upload(&store, subject);
    for _ in 0..8 {
        tx.send(Ok(Bytes::from(pattern(CHUNK)))).await.unwrap();
    }
    upload.abort();
    assert!(upload.await.unwrap_err().is_cancelled());
    wait_until_no_blobs(dir.path()).await;
    assert!(
        store
            .list_files(&tenant("alpha"), subject)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_subject_deleted_during_an_upload_is_not_found_and_nothing_remains() {
    let (dir, store, subject) = setup().await;
    let (tx, upload) = fed_upload(&store, subject);
    tx.send(Ok(Bytes::from(pattern(1000)))).await.unwrap();
    tx.send(Ok(Bytes::from(pattern(1000)))).await.unwrap();
    store
        .delete_subject(&tenant("alpha"), subject)
        .await
        .unwrap();
    drop(tx);
    let result = upload.await.unwrap();
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
    wait_until_no_blobs(dir.path()).await;
}

#[tokio::test]
async fn a_batch_commits_whole_or_not_at_all() {
    let (dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let doc = kind_only(DocumentKind::Passport);
    let doc = store.create_document(&a, subject, doc).await.unwrap();
    let new = || NewFile {
        document_id: Some(doc.id),
        side: FileSide::Page(1),
        ..standalone(subject)
    };
    for _ in 0..8 {
        store
            .put_file(&a, new(), rules(u64::MAX), body(pattern(10), 10))
            .await
            .unwrap();
    }
    let mut batch = Vec::new();
    for _ in 0..3 {
        batch.push(
            store
                .stage_file(&a, new(), rules(u64::MAX), body(pattern(100), 10))
                .await
                .unwrap(),
        );
    }
    assert!(batch.iter().all(|s| s.file().size == 100));
    let too_many = store.commit_files(&a, batch, 10).await;
    assert!(
        matches!(too_many, Err(Error::LimitExceeded { limit: 10, .. })),
        "{too_many:?}"
    );
    assert_eq!(file_count(&store, doc.id).await, 8);
    assert_eq!(files_of(&store, subject).await, 8);
    let settled = tokio::time::timeout(Duration::from_secs(30), async {
        while blob_files(dir.path()).len() != 8 {
            tokio::task::yield_now().await;
        }
    });
    assert!(
        settled.await.is_ok(),
        "the refused batch left blobs: {}",
        blob_files(dir.path()).len()
    );
    let mut batch = Vec::new();
    for _ in 0..2 {
        batch.push(
            store
                .stage_file(&a, new(), rules(u64::MAX), body(pattern(100), 10))
                .await
                .unwrap(),
        );
    }
    assert_eq!(store.commit_files(&a, batch, 10).await.unwrap().len(), 2);
    assert_eq!(file_count(&store, doc.id).await, 10);
}

#[tokio::test]
async fn a_document_is_created_with_its_files_or_not_at_all() {
    use idbridge::store::Attach;
    let (dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let other = store.create_subject(&a, None, None, &[]).await.unwrap();
    let passport = || kind_only(DocumentKind::Passport);
    let earlier = put_alpha(&store, subject, pattern(10), 10).await.unwrap();
    let theirs = put_alpha(&store, other.id, pattern(12), 12).await.unwrap();

    // Another subject's loose file refuses the whole request: the staged blob goes too.
    let staged = store
        .stage_file(
            &a,
            standalone(subject),
            rules(u64::MAX),
            body(pattern(20), 7),
        )
        .await
        .unwrap();
    let refused = store
        .create_document_with_files(
            &a,
            subject,
            passport(),
            vec![
                (Attach::Staged(Box::new(staged)), FileSide::Page(1)),
                (Attach::Existing(theirs.id), FileSide::Page(2)),
            ],
            3,
        )
        .await;
    assert!(
        matches!(refused, Err(Error::NotFound("file"))),
        "{refused:?}"
    );
    assert!(store.list_documents(&a, subject).await.unwrap().is_empty());
    // The staged blob's removal runs as its own task: wait (without sleeping) for it.
    let removed = tokio::time::timeout(Duration::from_secs(30), async {
        while blob_files(dir.path()).len() != 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        removed.is_ok(),
        "the refused request left its staged blob behind: {:?}",
        blob_files(dir.path())
    );

    let staged = store
        .stage_file(
            &a,
            standalone(subject),
            rules(u64::MAX),
            body(pattern(20), 7),
        )
        .await
        .unwrap();
    let (doc, files) = store
        .create_document_with_files(
            &a,
            subject,
            passport(),
            vec![
                (Attach::Staged(Box::new(staged)), FileSide::Page(1)),
                (Attach::Existing(earlier.id), FileSide::Page(2)),
            ],
            3,
        )
        .await
        .unwrap();
    assert_eq!(doc.file_count, 2);
    assert_eq!(file_count(&store, doc.id).await, 2);
    let sides: Vec<_> = files.iter().map(|f| (f.side, f.document_id)).collect();
    assert_eq!(
        sides,
        [
            (FileSide::Page(1), Some(doc.id)),
            (FileSide::Page(2), Some(doc.id))
        ]
    );
    assert_eq!(read(&store, files[0].id, None).await.unwrap(), pattern(20));
    assert_eq!(read(&store, files[1].id, None).await.unwrap(), pattern(10));

    // A file already on a document cannot be taken by another one.
    let again = store
        .create_document_with_files(
            &a,
            subject,
            passport(),
            vec![(Attach::Existing(earlier.id), FileSide::Front)],
            3,
        )
        .await;
    assert!(matches!(again, Err(Error::NotFound("file"))));
    let over = store
        .create_document_with_files(
            &a,
            subject,
            passport(),
            vec![
                (Attach::Existing(theirs.id), FileSide::Front),
                (Attach::Existing(theirs.id), FileSide::Back),
            ],
            1,
        )
        .await;
    assert!(matches!(over, Err(Error::LimitExceeded { limit: 1, .. })));
    assert_eq!(store.list_documents(&a, subject).await.unwrap().len(), 1);
}

/// A new document of `kind` that declares nothing else.
fn kind_only(kind: DocumentKind) -> idbridge::model::ValidNewDocument {
    NewDocument {
        kind: Some(kind),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn declared(number: &str) -> idbridge::model::ValidNewDocument {
    NewDocument {
        kind: Some(DocumentKind::Passport),
        number: Some(number.into()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn flow(doc: &idbridge::model::Document) -> Result<NewProcess, Error> {
    Ok(NewProcess {
        subject_id: doc.subject_id,
        namespace: Namespace::new("masstack").unwrap(),
        kind: "identity_document".into(),
        expires_at: None,
        data: serde_json::json!({ "document": doc.id }),
    })
}

#[tokio::test]
async fn a_process_on_a_new_document_is_stored_whole_or_not_at_all() {
    let (_dir, store, _) = setup().await;
    let a = tenant("alpha");
    let subjects = store.list_subjects(&a, 100, 0).await.unwrap().total;
    let failed = store
        .create_process_on_document(
            &a,
            Anchor::NewSubject(Box::new(declared("PAA000001"))),
            |_| false,
            |_| Err(Error::internal("the flow could not be built")),
        )
        .await;
    assert!(failed.is_err());
    assert_eq!(
        store.list_subjects(&a, 100, 0).await.unwrap().total,
        subjects,
        "a subject was left behind"
    );
    assert!(
        store
            .find_documents_by_number(&a, "PAA000001")
            .await
            .unwrap()
            .is_empty(),
        "a document was left behind"
    );
    let (doc, p) = store
        .create_process_on_document(
            &a,
            Anchor::NewSubject(Box::new(declared("PAA000001"))),
            |_| true,
            flow,
        )
        .await
        .unwrap()
        .expect("nothing stood in the way");
    assert_eq!(p.subject_id, doc.subject_id);
    assert_eq!(p.data["document"], doc.id.to_string());
    assert_eq!(
        store.get_document(&a, doc.id).await.unwrap().number,
        doc.number
    );
}

#[tokio::test]
async fn racing_processes_on_one_new_document_make_one_subject() {
    let (_dir, store, _) = setup().await;
    let a = tenant("alpha");
    // Each racer looks, finds nothing, and tries to store the document for a new subject;
    // the losers are told to look again and then find the winner's document.
    let racers = (0..12).map(|_| {
        let (store, a) = (store.clone(), a.clone());
        tokio::spawn(async move {
            loop {
                let on_file = store.find_documents_by_number(&a, "pa-a 000002").await?;
                let anchor = match on_file.first() {
                    Some(d) => Anchor::OnFile(d.id),
                    None => Anchor::NewSubject(Box::new(declared("PAA000002"))),
                };
                if let Some((doc, _)) = store
                    .create_process_on_document(&a, anchor, |_| true, flow)
                    .await?
                {
                    return Ok::<_, Error>(doc.subject_id);
                }
            }
        })
    });
    let subjects: std::collections::HashSet<Uuid> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert_eq!(subjects.len(), 1, "one document, several subjects");
    let docs = store
        .find_documents_by_number(&a, "PAA000002")
        .await
        .unwrap();
    assert_eq!(docs.len(), 1, "the document was stored more than once");
    let subject = *subjects.iter().next().unwrap();
    assert_eq!(store.list_processes(&a, subject).await.unwrap().len(), 12);
}

#[tokio::test]
async fn a_document_that_is_not_the_same_does_not_stop_a_new_one() {
    let (_dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let card = NewDocument {
        kind: Some(DocumentKind::IdCard),
        number: Some("PAA000003".into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let card = store.create_document(&a, subject, card).await.unwrap();
    let passports = |d: &idbridge::model::Document| d.kind == DocumentKind::Passport;
    let (doc, _) = store
        .create_process_on_document(
            &a,
            Anchor::NewSubject(Box::new(declared("PAA000003"))),
            passports,
            flow,
        )
        .await
        .unwrap()
        .expect("an identity card with the same number is another document");
    assert_ne!(doc.subject_id, subject);
    // The document on file is gone: the caller is told to look again.
    store.delete_document(&a, card.id).await.unwrap();
    let gone = store
        .create_process_on_document(&a, Anchor::OnFile(card.id), |_| true, flow)
        .await
        .unwrap();
    assert!(gone.is_none());
}

#[tokio::test]
async fn a_deleted_process_leaves_its_data_in_no_database_file() {
    let (dir, store, subject) = setup().await;
    let a = tenant("alpha");
    let marker = "SSN-4815162342-MARKER";
    let p = store
        .create_process(
            &a,
            NewProcess {
                subject_id: subject,
                namespace: Namespace::new("jumio").unwrap(),
                kind: "workflow_execution".into(),
                expires_at: None,
                data: serde_json::json!({ "prepared": { "ssn": marker } }),
            },
        )
        .await
        .unwrap();
    store.delete_process(&a, p.id).await.unwrap();
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{} still holds the deleted process's data",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
