//! The store's subject-scoped reads (`src/store/scoped.rs`): another subject's or
//! tenant's document, file or process answers `NotFound` through every one of them, exactly like
//! one that does not exist.

use bytes::Bytes;

use idbridge::error::Error;
use idbridge::model::{DocumentKind, FileSide, NewDocument, NewFile, TenantId};
use idbridge::store::{PutRules, Store};

async fn store(dir: &std::path::Path) -> Store {
    idbridge::store::testing::open(dir).await
}

fn pdf() -> Bytes {
    Bytes::from_static(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
}

/// A subject with one document holding one file, and one file on no document.
async fn filed(s: &Store, t: &TenantId) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let subject = s.create_subject(t, None, None, &[]).await.unwrap();
    let new = NewDocument {
        kind: Some(DocumentKind::Passport),
        number: Some("X1".into()),
        ..Default::default()
    };
    let doc = s
        .create_document(t, subject.id, new.validate().unwrap())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for document_id in [Some(doc.id), None] {
        let rules = PutRules {
            max_size: 1 << 20,
            max_files_per_document: 10,
            accept: Box::new(|_| Ok(())),
        };
        let new = NewFile {
            subject_id: subject.id,
            document_id,
            side: FileSide::Front,
            name: None,
            extras: Default::default(),
        };
        let body = futures::stream::iter([Ok(pdf())]);
        ids.push(s.put_file(t, new, rules, body).await.unwrap().id);
    }
    (subject.id, doc.id, ids[0], ids[1])
}

#[tokio::test]
async fn another_subjects_or_tenants_document_and_files_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
    let (subject, doc, on_doc, loose) = filed(&s, &a).await;
    let (other, other_doc, other_file, _) = filed(&s, &a).await;
    let (_, foreign_doc, foreign_file, _) = filed(&s, &b).await;

    // The owner sees its own.
    assert_eq!(s.document_of(&a, subject, doc).await.unwrap().id, doc);
    let seq = s.get_document(&a, doc).await.unwrap().seq;
    assert_eq!(
        s.document_of_by_seq(&a, subject, seq).await.unwrap().id,
        doc
    );
    assert_eq!(s.file_of(&a, subject, on_doc).await.unwrap().id, on_doc);
    assert_eq!(s.file_of(&a, subject, loose).await.unwrap().id, loose);
    assert_eq!(
        s.file_of_document(&a, doc, on_doc).await.unwrap().id,
        on_doc
    );
    let files: Vec<_> = s.files_of(&a, doc).await.unwrap();
    assert_eq!(files.iter().map(|f| f.id).collect::<Vec<_>>(), [on_doc]);

    // Another subject of the tenant, or another tenant, answers like nothing.
    let not_doc = |r: Result<_, Error>| matches!(r, Err(Error::NotFound("document")));
    let not_file = |r: Result<_, Error>| matches!(r, Err(Error::NotFound("file")));
    assert!(not_doc(s.document_of(&a, subject, other_doc).await));
    assert!(not_doc(s.document_of(&a, other, doc).await));
    assert!(not_doc(s.document_of(&b, subject, doc).await));
    assert!(not_doc(s.document_of(&a, subject, foreign_doc).await));
    let other_seq = s.get_document(&a, other_doc).await.unwrap().seq;
    assert!(not_doc(s.document_of_by_seq(&a, subject, other_seq).await));
    assert!(not_file(s.file_of(&a, subject, other_file).await));
    assert!(not_file(s.file_of(&a, other, loose).await));
    assert!(not_file(s.file_of(&b, subject, on_doc).await));
    assert!(not_file(s.file_of(&a, subject, foreign_file).await));
    assert!(not_file(s.file_of_document(&a, doc, other_file).await));
    assert!(not_file(s.file_of_document(&a, doc, loose).await));
    assert!(not_file(s.file_of_document(&b, doc, on_doc).await));
    assert!(s.files_of(&b, doc).await.unwrap().is_empty());
    assert!(s.files_of(&a, foreign_doc).await.unwrap().is_empty());
    assert!(not_doc(
        s.update_document_of(&a, other, doc, |_| Ok(Default::default()))
            .await
    ));

    // Grouped: the document with its file, the loose file apart, nothing of others.
    let grouped = s.documents_with_files(&a, subject).await.unwrap();
    assert_eq!(grouped.documents.len(), 1);
    assert_eq!(grouped.documents[0].0.id, doc);
    assert_eq!(
        grouped.documents[0]
            .1
            .iter()
            .map(|f| f.id)
            .collect::<Vec<_>>(),
        [on_doc]
    );
    assert_eq!(
        grouped.loose.iter().map(|f| f.id).collect::<Vec<_>>(),
        [loose]
    );
}

#[tokio::test]
async fn a_process_is_found_only_in_its_subjects_and_flows_scope() {
    use idbridge::model::{Namespace, NewProcess};
    use idbridge::store::ProcessScope;

    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
    let ns = Namespace::new("passfort").unwrap();
    let other_ns = Namespace::new("jumio").unwrap();
    let mine = s.create_subject(&a, None, None, &[]).await.unwrap().id;
    let theirs = s.create_subject(&a, None, None, &[]).await.unwrap().id;
    let start = |subject, namespace: &Namespace, kind: &str| NewProcess {
        subject_id: subject,
        namespace: namespace.clone(),
        kind: kind.into(),
        expires_at: None,
        data: serde_json::json!({}),
    };
    let check = s
        .create_process(&a, start(mine, &ns, "check"))
        .await
        .unwrap();
    let other_kind = s
        .create_process(&a, start(mine, &ns, "other"))
        .await
        .unwrap();
    let other_api = s
        .create_process(&a, start(mine, &other_ns, "check"))
        .await
        .unwrap();
    let their_check = s
        .create_process(&a, start(theirs, &ns, "check"))
        .await
        .unwrap();
    let scope = ProcessScope {
        subject_id: mine,
        namespace: &ns,
        kind: "check",
    };
    assert_eq!(
        s.process_of(&a, scope, check.id).await.unwrap().id,
        check.id
    );
    let listed: Vec<_> = s.processes_of(&a, scope).await.unwrap();
    assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), [check.id]);
    for id in [other_kind.id, other_api.id, their_check.id] {
        assert!(matches!(
            s.process_of(&a, scope, id).await,
            Err(Error::NotFound(_))
        ));
    }
    assert!(
        matches!(
            s.process_of(&b, scope, check.id).await,
            Err(Error::NotFound(_))
        ),
        "another tenant sees no process"
    );
}

#[tokio::test]
async fn a_documents_files_and_a_credential_are_read_only_in_their_owners_scope() {
    use idbridge::model::{Namespace, NewProcess};
    use idbridge::store::{ProcessCredential, ProcessScope};

    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
    let (subject, doc, on_doc, _) = filed(&s, &a).await;
    let (other, other_doc, _, _) = filed(&s, &a).await;

    // A document's files: only its subject's, only in its tenant.
    let files = s.document_files_of(&a, subject, doc).await.unwrap();
    assert_eq!(files.iter().map(|f| f.id).collect::<Vec<_>>(), [on_doc]);
    assert!(
        s.document_files_of(&a, other, doc)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.document_files_of(&a, subject, other_doc)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.document_files_of(&b, subject, doc)
            .await
            .unwrap()
            .is_empty()
    );

    // A credential: only in one of its scope's processes, the oldest first.
    let ns = Namespace::new("jumio").unwrap();
    let start = |subject| NewProcess {
        subject_id: subject,
        namespace: ns.clone(),
        kind: "execution".into(),
        expires_at: None,
        data: serde_json::json!({}),
    };
    let first = s.create_process(&a, start(subject)).await.unwrap();
    let second = s.create_process(&a, start(subject)).await.unwrap();
    let theirs = s.create_process(&a, start(other)).await.unwrap();
    let credential = |process_id, id, reused| ProcessCredential {
        id,
        process_id,
        position: 0,
        category: "ID".into(),
        id_types: vec![],
        document_id: Some(doc),
        data_document_id: None,
        reused,
        last_page: 0,
        prefill: None,
        prepared: None,
    };
    let lone = uuid::Uuid::new_v4();
    let mut tx = s.begin().await.unwrap();
    for c in [
        credential(first.id, doc, false),
        credential(second.id, doc, true),
        credential(theirs.id, lone, false),
    ] {
        tx.insert_credential(&a, &c).await.unwrap();
    }
    tx.commit().await.unwrap();
    let scope = |subject_id, kind| ProcessScope {
        subject_id,
        namespace: &ns,
        kind,
    };
    let found = s
        .credential_of(&a, scope(subject, "execution"), doc)
        .await
        .unwrap();
    assert_eq!((found.process_id, found.reused), (first.id, false));
    let not_found = |r: Result<_, Error>| matches!(r, Err(Error::NotFound("credential")));
    assert!(not_found(
        s.credential_of(&a, scope(subject, "execution"), lone).await
    ));
    assert!(not_found(
        s.credential_of(&a, scope(subject, "other"), doc).await
    ));
    assert!(not_found(
        s.credential_of(&a, scope(other, "execution"), doc).await
    ));
    assert!(not_found(
        s.credential_of(&b, scope(subject, "execution"), doc).await
    ));
}
