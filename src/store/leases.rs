//! Leases on background jobs: which node runs a job (a sweep) until when, so that any number
//! of nodes over one store run each job once at a time, and a node that dies hands its jobs
//! over by no longer renewing. Expiries are compared with the database's clock
//! ([`db::Engine::now_ms`]), never a node's, so nodes with skewed clocks still agree.

use std::time::Duration;

use sqlx::AssertSqlSafe;

use super::Store;
use crate::error::Result;

impl Store {
    /// Takes the lease `name` for this node for `ttl`, or renews it when this node holds it.
    /// `false` when another node holds it and its lease has not run out. One statement, so
    /// two nodes asking at once cannot both win.
    pub async fn try_lease(&self, name: &str, ttl: Duration) -> Result<bool> {
        let sql = format!(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, {now} + $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
               expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= {now} \
             RETURNING holder",
            now = self.inner.engine.now_ms()
        );
        let won: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(name)
            .bind(self.node())
            .bind(ttl_ms(ttl))
            .fetch_optional(&self.inner.pool)
            .await?;
        Ok(won.is_some())
    }

    /// Gives the lease `name` up if this node holds it (a node shutting down cleanly), so
    /// that another takes the job over at once instead of when the lease runs out.
    pub async fn release_lease(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(self.node())
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }
}

/// A duration as the milliseconds stored, saturating.
pub(super) fn ttl_ms(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::two_nodes;

    #[tokio::test]
    async fn one_node_holds_a_lease_until_it_runs_out_or_is_released() {
        let (_dir, a, b) = two_nodes().await;
        let long = Duration::from_secs(60);
        assert!(a.try_lease("sweep", long).await.unwrap());
        assert!(!b.try_lease("sweep", long).await.unwrap(), "held by a");
        assert!(
            a.try_lease("sweep", long).await.unwrap(),
            "a renews its own"
        );
        assert!(
            b.try_lease("other", long).await.unwrap(),
            "leases are per job"
        );
        a.release_lease("sweep").await.unwrap();
        assert!(
            b.try_lease("sweep", long).await.unwrap(),
            "released: b takes it"
        );
        // A holder that stops renewing (it died) loses the job when the lease runs out.
        assert!(b.try_lease("short", Duration::ZERO).await.unwrap());
        assert!(
            a.try_lease("short", long).await.unwrap(),
            "expired: a takes it over"
        );
        assert!(!b.try_lease("short", long).await.unwrap());
    }

    #[tokio::test]
    async fn of_many_racing_nodes_one_wins() {
        let (_dir, a, b) = two_nodes().await;
        let long = Duration::from_secs(60);
        let tries = (0..16).map(|i| {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            async move { s.try_lease("race", long).await.unwrap() }
        });
        let won = futures::future::join_all(tries).await;
        let by_a = won.iter().step_by(2).filter(|w| **w).count();
        let by_b = won.iter().skip(1).step_by(2).filter(|w| **w).count();
        // The winner renews its own lease on each of its tries; the loser wins none.
        assert!(
            (by_a == 8 && by_b == 0) || (by_a == 0 && by_b == 8),
            "a won {by_a}, b won {by_b}"
        );
    }
}
