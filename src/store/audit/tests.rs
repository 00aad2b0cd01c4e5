//! The chains as the store writes and checks them.

use std::sync::Arc;

use futures::TryStreamExt;

use super::*;
use crate::audit::{Scope, within};
use crate::store::testing::open;

fn tenant(name: &str) -> TenantId {
    TenantId::new(name).unwrap()
}

fn event(t: &TenantId, operation: &str, subject: Option<Uuid>) -> Event {
    Event {
        at: db::now(),
        tenant: t.clone(),
        credential: Some("key:0123456789abcdef".into()),
        api: "ncore".into(),
        operation: operation.into(),
        subject,
        document: None,
        file: None,
        outcome: Outcome::Ok,
    }
}

/// Runs raw SQL against the store, as someone with the database's password could.
async fn raw(store: &Store, sql: &str) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&store.inner.pool)
        .await?;
    Ok(())
}

/// Each tenant has its own chain, numbered from 1, each event linked to the one before;
/// the table refuses updates and deletes; an altered, removed or re-linked event is found
/// at its place.
#[tokio::test]
async fn chains_verify_and_tampering_is_found_where_it_happened() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let (a, b) = (tenant("a"), tenant("b"));
    for i in 0..5 {
        store
            .record_event(event(&a, &format!("GET /a/{i}"), None))
            .await
            .unwrap();
        if i < 2 {
            store.record_event(event(&b, "GET /b", None)).await.unwrap();
        }
    }
    let report = store.verify_audit(&a).await.unwrap();
    assert_eq!((report.events, report.broken.clone()), (5, None));
    let events = store
        .audit_events(&a, &AuditFilter::default(), 0, 100)
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(events[0].prev_hash, GENESIS);
    assert_eq!(events[3].prev_hash, events[2].hash);
    assert_eq!(report.head, events[4].hash);
    assert_eq!(store.verify_audit(&b).await.unwrap().events, 2);
    assert_eq!(
        store.audited_tenants().await.unwrap(),
        vec![a.clone(), b.clone()]
    );

    // The store's own connection refuses to rewrite history.
    assert!(
        raw(
            &store,
            "UPDATE audit_events SET outcome = 'denied' WHERE seq = 3"
        )
        .await
        .is_err()
    );
    assert!(
        raw(&store, "DELETE FROM audit_events WHERE seq = 3")
            .await
            .is_err()
    );

    // Someone who drops the triggers can; the chain says where.
    crate::store::testing::drop_audit_triggers(&store.inner.pool, store.engine()).await;
    raw(
        &store,
        "UPDATE audit_events SET operation = 'GET /elsewhere' WHERE tenant = 'a' AND seq = 3",
    )
    .await
    .unwrap();
    let broken = store.verify_audit(&a).await.unwrap();
    assert_eq!(broken.events, 2);
    let at = broken.broken.unwrap();
    assert_eq!(at.seq, 3);
    assert!(at.reason.contains("altered"), "{}", at.reason);
    assert_eq!(
        store.verify_audit(&b).await.unwrap().broken,
        None,
        "b's chain is its own"
    );

    // Removing event 3 outright: event 4 stands where 3 should.
    raw(
        &store,
        "DELETE FROM audit_events WHERE tenant = 'a' AND seq = 3",
    )
    .await
    .unwrap();
    let at = store.verify_audit(&a).await.unwrap().broken.unwrap();
    assert_eq!(at.seq, 3);
    assert!(at.reason.contains("missing"), "{}", at.reason);

    // Renumbering the next one to fill the gap breaks the link instead.
    raw(
        &store,
        "UPDATE audit_events SET seq = 3 WHERE tenant = 'a' AND seq = 4",
    )
    .await
    .unwrap();
    let at = store.verify_audit(&a).await.unwrap().broken.unwrap();
    assert_eq!(at.seq, 3);
    assert!(at.reason.contains("prev_hash"), "{}", at.reason);
}

/// A write transaction inside a scope commits the scope's event with its change, once; one
/// dropped without a commit leaves no event; bookkeeping transactions record none.
#[tokio::test]
async fn an_operation_commits_its_event_with_its_change_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let t = tenant("t");

    let rolled_back = Scope::new("admin", "POST /subjects".into());
    within(rolled_back.clone(), async {
        crate::audit::credential(&t, "key:1".into());
        let tx = db::write_tx(&store.inner.pool, store.engine())
            .await
            .unwrap();
        drop(tx);
        let tx = db::bookkeeping_tx(&store.inner.pool, store.engine())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    assert!(!rolled_back.recorded());
    assert_eq!(store.verify_audit(&t).await.unwrap().events, 0);

    let committed = Scope::new("admin", "POST /subjects".into());
    let subject = within(committed.clone(), async {
        crate::audit::credential(&t, "key:1".into());
        store.create_subject(&t, None, None, &[]).await.unwrap()
    })
    .await;
    assert!(committed.recorded());
    let events = store
        .audit_events(&t, &AuditFilter::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].subject_id, Some(subject.id));
    assert_eq!(events[0].credential.as_deref(), Some("key:1"));
    assert_eq!(events[0].operation, "POST /subjects");

    // Outside any scope, writes record nothing.
    store.create_subject(&t, None, None, &[]).await.unwrap();
    assert_eq!(store.verify_audit(&t).await.unwrap().events, 1);
}

/// Filters select by subject, operation, credential, API and time; pages and the stream
/// give every event once, in order, across page boundaries.
#[tokio::test]
async fn filters_pages_and_the_stream_read_every_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()).await);
    let t = tenant("t");
    let someone = Uuid::new_v4();
    let mut tx = db::write_tx(&store.inner.pool, store.engine())
        .await
        .unwrap();
    for i in 0..1203 {
        let subject = (i % 100 == 0).then_some(someone);
        let mut e = event(
            &t,
            if i % 2 == 0 { "GET /even" } else { "GET /odd" },
            subject,
        );
        if i == 1202 {
            e.credential = Some("client:ffff".into());
            e.api = "mydocs".into();
            e.at += chrono::Duration::hours(1);
        }
        append(&mut tx, store.engine(), &e).await.unwrap();
    }
    tx.commit().await.unwrap();

    let by_subject = AuditFilter {
        subject: Some(someone),
        ..AuditFilter::default()
    };
    let found = store.audit_events(&t, &by_subject, 0, 1000).await.unwrap();
    assert_eq!(found.len(), 13);
    assert!(found.iter().all(|e| e.subject_id == Some(someone)));
    let odd = AuditFilter {
        operation: Some("GET /odd".into()),
        ..AuditFilter::default()
    };
    assert_eq!(
        store.audit_events(&t, &odd, 0, 1000).await.unwrap().len(),
        601
    );
    let late = AuditFilter {
        since: Some(db::now() + chrono::Duration::minutes(30)),
        credential: Some("client:ffff".into()),
        api: Some("mydocs".into()),
        ..AuditFilter::default()
    };
    let last = store.audit_events(&t, &late, 0, 10).await.unwrap();
    assert_eq!(last.iter().map(|e| e.seq).collect::<Vec<_>>(), [1203]);
    let early = AuditFilter {
        until: Some(db::now() + chrono::Duration::minutes(30)),
        ..AuditFilter::default()
    };
    assert_eq!(
        store
            .audit_events(&t, &early, 1190, 100)
            .await
            .unwrap()
            .len(),
        12
    );

    let all: Vec<AuditEvent> = store
        .audit_stream(t.clone(), AuditFilter::default(), 0)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1203);
    assert!(all.iter().enumerate().all(|(i, e)| e.seq == i as i64 + 1));
    let rest: Vec<AuditEvent> = store
        .audit_stream(t.clone(), AuditFilter::default(), 1000)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.first().map(|e| e.seq), Some(1001));
    assert_eq!(rest.len(), 203);
    assert_eq!(
        store.verify_audit(&t).await.unwrap().events,
        1203,
        "longer than a page"
    );
}

/// Reads' events arriving at once from many requests, for several tenants, are stored in
/// groups: every one of them, each tenant's chain intact, each waiter answered once its
/// event is stored.
#[tokio::test]
async fn concurrent_events_are_group_committed_into_intact_chains() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let tenants = [tenant("a"), tenant("b"), tenant("c")];
    let sent = (0..300usize).map(|i| {
        let store = store.clone();
        let t = tenants[i % 3].clone();
        tokio::spawn(async move {
            store
                .record_event(event(&t, &format!("GET /{i}"), None))
                .await
                .unwrap();
            // Answered only once stored: the event is readable now.
            let filter = AuditFilter {
                operation: Some(format!("GET /{i}")),
                ..AuditFilter::default()
            };
            assert_eq!(
                store.audit_events(&t, &filter, 0, 10).await.unwrap().len(),
                1
            );
        })
    });
    for task in futures::future::join_all(sent).await {
        task.unwrap();
    }
    for t in &tenants {
        let r = store.verify_audit(t).await.unwrap();
        assert_eq!((r.events, r.broken), (100, None));
    }
}
