//! The store's page reads (`src/store/pages.rs`): pages cut in SQL, each document with its
//! files in one statement, agree with the whole list read and sorted by hand, and never show
//! another subject's or tenant's documents. `.ci/scale-out` runs them on PostgreSQL too.

use bytes::Bytes;
use uuid::Uuid;

use idbridge::model::{DocumentKind, FileSide, Namespace, NewDocument, NewFile, TenantId};
use idbridge::store::{DocumentOrder, Owner, PutRules, Store};

fn pdf() -> Bytes {
    Bytes::from_static(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
}

async fn put(s: &Store, t: &TenantId, subject: Uuid, doc: Option<Uuid>, side: FileSide) -> Uuid {
    let rules = PutRules {
        max_size: 1 << 20,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let new = NewFile {
        subject_id: subject,
        document_id: doc,
        side,
        name: None,
        extras: Default::default(),
    };
    let body = futures::stream::iter([Ok(pdf())]);
    s.put_file(t, new, rules, body).await.unwrap().id
}

/// A subject (aliased `alias` in nCore's namespace) with `n` documents; every third has a
/// back then a front file. Returns the subject and its documents, oldest first.
async fn subject(s: &Store, t: &TenantId, alias: &str, n: usize) -> (Uuid, Vec<Uuid>) {
    let aliases = [(ncore(), alias.to_owned())];
    let subject = s.create_subject(t, None, None, &aliases).await.unwrap();
    let mut docs = Vec::new();
    for i in 0..n {
        let new = NewDocument {
            kind: Some(DocumentKind::Passport),
            number: Some(format!("P{i}")),
            ..Default::default()
        };
        let doc = s
            .create_document(t, subject.id, new.validate().unwrap())
            .await
            .unwrap();
        if i % 3 == 0 {
            put(s, t, subject.id, Some(doc.id), FileSide::Back).await;
            put(s, t, subject.id, Some(doc.id), FileSide::Front).await;
        }
        docs.push(doc.id);
    }
    (subject.id, docs)
}

fn ncore() -> Namespace {
    Namespace::new("ncore").unwrap()
}

#[tokio::test]
async fn keyset_pages_and_one_document_reads_agree_with_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let s = idbridge::store::testing::open(dir.path()).await;
    let t = TenantId::new("alpha").unwrap();
    let other = TenantId::new("beta").unwrap();
    let (me, mine) = subject(&s, &t, "me", 25).await;
    let (_, theirs) = subject(&s, &t, "them", 4).await;
    // The same alias in another tenant names another subject.
    let (_, elsewhere) = subject(&s, &other, "me", 3).await;

    let whole = s.documents_with_files(&t, me).await.unwrap().documents;
    assert_eq!(whole.iter().map(|(d, _)| d.id).collect::<Vec<_>>(), mine);
    let mut newest_first = whole.clone();
    newest_first.reverse();

    let ns = ncore();
    for owner in [
        Owner::Subject(me),
        Owner::Named {
            namespace: &ns,
            external_id: "me",
        },
        Owner::Named {
            namespace: &ns,
            external_id: &me.to_string(),
        },
    ] {
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = s.documents_before(&t, owner, before, 10).await.unwrap();
            assert!(page.len() <= 10);
            let Some((last, _)) = page.last() else { break };
            before = Some(last.id);
            seen.extend(page);
        }
        assert!(
            seen == newest_first,
            "{owner:?}: pages differ from the whole list"
        );
        for (d, files) in &seen {
            let sides: Vec<_> = files.iter().map(|f| f.side).collect();
            let expected = if mine.iter().position(|m| *m == d.id).unwrap() % 3 == 0 {
                vec![FileSide::Front, FileSide::Back]
            } else {
                vec![]
            };
            assert_eq!(sides, expected, "files in side order");
        }
        // One document: its own with its files, never another subject's or tenant's.
        let (doc, files) = s
            .filed_document_of(&t, owner, mine[3])
            .await
            .unwrap()
            .unwrap();
        assert_eq!((doc.id, files.len()), (mine[3], 2));
        for id in [theirs[0], elsewhere[0]] {
            assert!(s.filed_document_of(&t, owner, id).await.unwrap().is_none());
        }
    }
    let nobody = Owner::Named {
        namespace: &ns,
        external_id: "nobody",
    };
    assert!(
        s.documents_before(&t, nobody, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.filed_document_of(&t, nobody, mine[0])
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn offset_pages_carry_the_total_in_every_order_and_past_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let s = idbridge::store::testing::open(dir.path()).await;
    let t = TenantId::new("alpha").unwrap();
    let (me, _) = subject(&s, &t, "me", 12).await;
    subject(&s, &t, "them", 5).await;
    let loose = put(&s, &t, me, None, FileSide::None).await;
    // Touch an old document so that update order differs from creation order.
    let filed = s.documents_with_files(&t, me).await.unwrap();
    assert_eq!(
        filed.loose.iter().map(|f| f.id).collect::<Vec<_>>(),
        [loose]
    );
    let whole = filed.documents;
    put(&s, &t, me, Some(whole[1].0.id), FileSide::Face).await;
    let whole = s.documents_with_files(&t, me).await.unwrap().documents;

    for order in [
        DocumentOrder::Created,
        DocumentOrder::Updated,
        DocumentOrder::Seq,
    ] {
        for descending in [false, true] {
            let mut expected = whole.clone();
            expected.sort_by(|(a, _), (b, _)| {
                let o = match order {
                    DocumentOrder::Created => a.created_at.cmp(&b.created_at),
                    DocumentOrder::Updated => a.updated_at.cmp(&b.updated_at),
                    DocumentOrder::Seq => std::cmp::Ordering::Equal,
                }
                .then(a.seq.cmp(&b.seq));
                if descending { o.reverse() } else { o }
            });
            let (page, total) = s
                .documents_sorted(&t, me, order, descending, 5, 5)
                .await
                .unwrap();
            assert_eq!(total, 12);
            assert!(page == expected[5..10], "{order:?} descending={descending}");
            let (rest, total) = s
                .documents_sorted(&t, me, order, descending, 10, 5)
                .await
                .unwrap();
            assert_eq!((rest.len(), total), (2, 12));
            let (past, total) = s
                .documents_sorted(&t, me, order, descending, 40, 5)
                .await
                .unwrap();
            assert_eq!((past.len(), total), (0, 12));
        }
    }
}
