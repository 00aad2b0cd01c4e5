//! The outbox: events (callbacks) to deliver to clients, stored in the transaction of the
//! change they announce so that none is lost, and delivered at least once by whichever node
//! claims them. A claim lasts a while (longer than one delivery attempt may take); an event
//! whose claim ran out without an outcome (its node died mid-delivery) is due again, which is
//! the only way a receiver sees one event twice. Claims and due times use the database's
//! clock ([`db::Engine::now_ms`]).

use std::time::Duration;

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::leases::ttl_ms;
use super::{Store, db};
use crate::error::Result;
use crate::model::TenantId;

/// An event to deliver: `body` (JSON) POSTed to `url`.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Which deliverer sends it (an adapter's callbacks).
    pub topic: &'static str,
    /// Where it goes.
    pub url: String,
    /// What is sent, as JSON text, the same on every attempt.
    pub body: String,
}

/// An event claimed by this node for one delivery attempt.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The event's stable id: the same on every attempt, for the receiver to deduplicate.
    pub id: Uuid,
    /// Whose event it is.
    pub tenant: TenantId,
    /// Where it goes.
    pub url: String,
    /// What is sent.
    pub body: String,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
}

/// Stores an event in the caller's transaction; answers its id.
pub(super) async fn insert_event(
    conn: &mut db::Conn,
    engine: db::Engine,
    tenant: &TenantId,
    event: &NewEvent,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let sql = format!(
        "INSERT INTO outbox (id, tenant, topic, url, body, due_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, {now}, {now})",
        now = engine.now_ms()
    );
    sqlx::query(AssertSqlSafe(sql.as_str()))
        .bind(id.to_string())
        .bind(tenant.as_str())
        .bind(event.topic)
        .bind(&event.url)
        .bind(&event.body)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

impl Store {
    /// Stores one event on its own (nothing else changes with it); answers its id.
    pub async fn enqueue_event(&self, tenant: &TenantId, event: &NewEvent) -> Result<Uuid> {
        let mut conn = self.inner.pool.acquire().await?;
        insert_event(&mut conn, self.inner.engine, tenant, event).await
    }

    /// Claims up to `limit` due events of `topic` for this node, for `claim` (after which
    /// another node may take them): each counts one more attempt. One statement, so two
    /// nodes claiming at once never both get an event: on PostgreSQL the candidates are
    /// locked as they are picked and rows another claim holds are skipped, and the outer
    /// condition is checked again on the row as it is when updated, so an event a
    /// concurrent claim took is never taken twice.
    pub async fn claim_events(
        &self,
        topic: &str,
        limit: u32,
        claim: Duration,
    ) -> Result<Vec<Claimed>> {
        let sql = format!(
            "UPDATE outbox SET claimed_by = $1, claim_until = {now} + $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE topic = $3 AND done_at IS NULL \
                 AND due_at <= {now} AND (claim_until IS NULL OR claim_until <= {now}) \
                 ORDER BY due_at LIMIT $4 {skip_locked}) \
               AND done_at IS NULL AND due_at <= {now} \
               AND (claim_until IS NULL OR claim_until <= {now}) \
             RETURNING id, tenant, url, body, attempts",
            now = self.inner.engine.now_ms(),
            skip_locked = self.inner.engine.skip_locked(),
        );
        let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(self.node())
            .bind(ttl_ms(claim))
            .bind(topic)
            .bind(i64::from(limit))
            .fetch_all(&self.inner.pool)
            .await?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                Ok(Claimed {
                    id: db::uuid(r.try_get("id")?)?,
                    tenant: TenantId::new(r.try_get::<String, _>("tenant")?)
                        .map_err(crate::error::Error::internal)?,
                    url: r.try_get("url")?,
                    body: r.try_get("body")?,
                    attempt: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Oldest first (ids are time-ordered), whatever order the update visited them in.
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    /// Records that this node delivered a claimed event: its row goes. `false` when the
    /// claim was no longer this node's (it ran out and another node took the event over).
    pub async fn event_delivered(&self, id: Uuid) -> Result<bool> {
        let gone = sqlx::query("DELETE FROM outbox WHERE id = $1 AND claimed_by = $2")
            .bind(id.to_string())
            .bind(self.node())
            .execute(&self.inner.pool)
            .await?;
        Ok(gone.rows_affected() == 1)
    }

    /// Records a failed attempt of a claimed event: due again after `retry_in`, or, with
    /// `None`, given up for good. `outcome` says what went wrong (no URL, no body: it is
    /// kept for the operator).
    pub async fn event_failed(
        &self,
        id: Uuid,
        retry_in: Option<Duration>,
        outcome: &str,
    ) -> Result<()> {
        let sql = match retry_in {
            Some(_) => format!(
                "UPDATE outbox SET claimed_by = NULL, claim_until = NULL, \
                   due_at = {now} + $1, outcome = $2 WHERE id = $3 AND claimed_by = $4",
                now = self.inner.engine.now_ms()
            ),
            None => format!(
                "UPDATE outbox SET claimed_by = NULL, claim_until = NULL, done_at = {now}, \
                   outcome = $2 WHERE id = $3 AND claimed_by = $4 AND $1 IS NOT NULL",
                now = self.inner.engine.now_ms()
            ),
        };
        sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(retry_in.map_or(0, ttl_ms))
            .bind(outcome)
            .bind(id.to_string())
            .bind(self.node())
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }

    /// Events of `topic` not yet delivered nor given up (for `/metrics` and tests).
    pub async fn pending_events(&self, topic: &str) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE topic = $1 AND done_at IS NULL")
                .bind(topic)
                .fetch_one(&self.inner.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The topics that have events pending (for `/metrics`, which asks each its count).
    pub async fn pending_topics(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT topic FROM outbox WHERE done_at IS NULL ORDER BY topic",
        )
        .fetch_all(&self.inner.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::two_nodes;

    fn event(n: u32) -> NewEvent {
        NewEvent {
            topic: "test.callback",
            url: format!("http://127.0.0.1:9/{n}"),
            body: format!("{{\"n\":{n}}}"),
        }
    }

    #[tokio::test]
    async fn an_event_is_claimed_by_one_node_and_goes_once_delivered() {
        let (_dir, a, b) = two_nodes().await;
        let t = TenantId::new("t").unwrap();
        let id = a.enqueue_event(&t, &event(1)).await.unwrap();
        let long = Duration::from_secs(60);
        let got = b.claim_events("test.callback", 10, long).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].id, got[0].attempt), (id, 1));
        assert_eq!(got[0].body, "{\"n\":1}");
        assert!(
            a.claim_events("test.callback", 10, long)
                .await
                .unwrap()
                .is_empty(),
            "claimed by b"
        );
        assert!(
            a.claim_events("other", 10, long).await.unwrap().is_empty(),
            "topics are apart"
        );
        assert!(!a.event_delivered(id).await.unwrap(), "not a's claim");
        assert!(b.event_delivered(id).await.unwrap());
        assert_eq!(a.pending_events("test.callback").await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_claim_that_runs_out_makes_the_event_due_again_with_the_same_id() {
        let (_dir, a, b) = two_nodes().await;
        let t = TenantId::new("t").unwrap();
        let id = a.enqueue_event(&t, &event(2)).await.unwrap();
        // a claims it and "dies": its claim lasts no time at all.
        let first = a
            .claim_events("test.callback", 10, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(first[0].id, id);
        let again = b
            .claim_events("test.callback", 10, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(
            (again[0].id, again[0].attempt),
            (id, 2),
            "taken over, same event id"
        );
        assert!(
            !a.event_delivered(id).await.unwrap(),
            "a's late outcome does not count"
        );
        assert!(b.event_delivered(id).await.unwrap());
    }

    #[tokio::test]
    async fn a_failed_event_waits_for_its_retry_and_a_given_up_one_is_kept_aside() {
        let (_dir, a, _b) = two_nodes().await;
        let t = TenantId::new("t").unwrap();
        let long = Duration::from_secs(60);
        let retry = a.enqueue_event(&t, &event(3)).await.unwrap();
        let give_up = a.enqueue_event(&t, &event(4)).await.unwrap();
        let got = a.claim_events("test.callback", 10, long).await.unwrap();
        assert_eq!(
            got.iter().map(|c| c.id).collect::<Vec<_>>(),
            [retry, give_up]
        );
        a.event_failed(retry, Some(long), "status 500")
            .await
            .unwrap();
        a.event_failed(give_up, None, "status 500").await.unwrap();
        assert!(
            a.claim_events("test.callback", 10, long)
                .await
                .unwrap()
                .is_empty(),
            "not due yet"
        );
        assert_eq!(
            a.pending_events("test.callback").await.unwrap(),
            1,
            "the retry only"
        );
        a.event_failed(retry, Some(Duration::ZERO), "x")
            .await
            .unwrap();
        let due: Vec<_> = a.claim_events("test.callback", 10, long).await.unwrap();
        assert!(
            due.is_empty(),
            "an outcome is recorded only by the claim holder"
        );
    }

    #[tokio::test]
    async fn racing_claims_split_events_without_overlap() {
        let (_dir, a, b) = two_nodes().await;
        let t = TenantId::new("t").unwrap();
        for n in 0..40 {
            a.enqueue_event(&t, &event(n)).await.unwrap();
        }
        let long = Duration::from_secs(60);
        let claims = (0..8).map(|i| {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            async move { s.claim_events("test.callback", 7, long).await.unwrap() }
        });
        let mut ids: Vec<Uuid> = futures::future::join_all(claims)
            .await
            .into_iter()
            .flatten()
            .map(|c| c.id)
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!((n, ids.len()), (40, 40), "every event claimed once");
    }
}
