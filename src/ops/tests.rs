//! The operations' transactions against a real store: all or nothing, page numbers never
//! given twice, concurrent writers settled by the database.

use std::path::Path;

use uuid::Uuid;

use super::executions::{Holds, NewCredential, NewToken, open_process};
use crate::error::Error;
use crate::model::{DocumentKind, Namespace, NewDocument, NewProcess, TenantId};
use crate::store::Store;

async fn store(dir: &Path) -> Store {
    crate::store::testing::open(dir).await
}

fn new_process(subject: Uuid) -> NewProcess {
    NewProcess {
        subject_id: subject,
        namespace: Namespace::new("vendor").unwrap(),
        kind: "flow".into(),
        expires_at: None,
        data: serde_json::json!({}),
    }
}

fn credential(holds: Holds) -> NewCredential {
    NewCredential {
        category: "ID".into(),
        id_types: vec![],
        holds,
    }
}

fn new_document() -> Holds {
    let doc = NewDocument {
        kind: Some(DocumentKind::IdCard),
        ..Default::default()
    };
    Holds::New(Box::new(doc.validate().unwrap()))
}

const TOKEN: NewToken<'static> = NewToken {
    purpose: "test",
    ttl: chrono::Duration::minutes(5),
};

#[tokio::test]
async fn a_failure_in_the_middle_of_an_operation_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let t = TenantId::new("a").unwrap();
    let subject = s.create_subject(&t, None, None, &[]).await.unwrap();
    let reused = Uuid::now_v7();
    // The process and the first credential's document are written, then the third
    // credential repeats the second's id: the database refuses it.
    let failed = open_process(
        &s,
        &t,
        new_process(subject.id),
        vec![
            credential(new_document()),
            credential(Holds::Reused(reused)),
            credential(Holds::Reused(reused)),
        ],
        TOKEN,
    )
    .await;
    assert!(failed.is_err());
    assert!(s.list_documents(&t, subject.id).await.unwrap().is_empty());
    assert!(s.list_processes(&t, subject.id).await.unwrap().is_empty());
    // The same operation without the fault stores everything.
    let (p, rows, _) = open_process(
        &s,
        &t,
        new_process(subject.id),
        vec![credential(new_document()), credential(Holds::Nothing)],
        TOKEN,
    )
    .await
    .unwrap();
    assert_eq!(s.list_documents(&t, subject.id).await.unwrap().len(), 1);
    assert_eq!(s.process_credentials(&t, p.id).await.unwrap(), rows);
}

#[tokio::test]
async fn page_numbers_are_never_given_twice() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let t = TenantId::new("a").unwrap();
    let subject = s.create_subject(&t, None, None, &[]).await.unwrap();
    let (p, rows, _) = open_process(
        &s,
        &t,
        new_process(subject.id),
        vec![credential(new_document())],
        TOKEN,
    )
    .await
    .unwrap();
    let stale = rows[0].clone();
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.claim_pages(&stale, 0, 2).await.unwrap(), 1);
    tx.commit().await.unwrap();
    // A writer that decided from the credential as it was before (last page 0) is refused
    // by the database, not handed page 1 again.
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        tx.claim_pages(&stale, 0, 1).await,
        Err(Error::Conflict(_))
    ));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    let now = tx.credential(&t, p.id, stale.id).await.unwrap();
    assert_eq!(now.last_page, 2);
    assert_eq!(tx.claim_pages(&now, 0, 1).await.unwrap(), 3);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn concurrent_page_claims_get_distinct_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let t = TenantId::new("a").unwrap();
    let subject = s.create_subject(&t, None, None, &[]).await.unwrap();
    let (p, rows, _) = open_process(
        &s,
        &t,
        new_process(subject.id),
        vec![credential(new_document())],
        TOKEN,
    )
    .await
    .unwrap();
    let id = rows[0].id;
    let claims = (0..8).map(|_| {
        let (s, t) = (s.clone(), t.clone());
        tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            tx.lock_process(&t, p.id).await.unwrap();
            let c = tx.credential(&t, p.id, id).await.unwrap();
            let first = tx.claim_pages(&c, 0, 1).await.unwrap();
            tx.commit().await.unwrap();
            first
        })
    });
    let mut pages: Vec<u16> = futures::future::try_join_all(claims).await.unwrap();
    pages.sort_unstable();
    assert_eq!(pages, (1..=8).collect::<Vec<u16>>());
}
