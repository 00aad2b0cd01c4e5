//! The bound on failed sign-ins. Every flow that checks a password, a client secret or an
//! assertion counts its attempts against the account tried and against the client's address,
//! in the store (so every node counts together). Past either bound, attempts are refused until
//! the window ends, even with the right credentials: otherwise a guesser would only have to
//! keep going until the right guess lands.
//!
//! Slow checks (a password hash, a signature with store lookups) charge the attempt first and
//! refund it on success ([`Attempt::charge`]), so concurrent guesses cannot all be checked
//! before any is counted. Instant checks on every call (HTTP Basic against configured
//! secrets) count only failures ([`Attempt::failed`]) and look the bound up on success
//! ([`Attempt::check`]); a failure past the bound is answered as refused, so no more than the
//! bound of answers ever says "wrong".

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use chrono::{Duration, Utc};

use crate::config::SignInLimits;
use crate::error::{Error, Result};
use crate::store::{Counted, Store};

/// The client's address, as the connection gives it (behind a proxy: the proxy's).
pub fn peer(parts: &Parts) -> Option<IpAddr> {
    peer_in(&parts.extensions)
}

/// [`peer`], from a request's extensions.
pub fn peer_in(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// One sign-in attempt: the account it counts against and the address it came from.
pub struct Attempt {
    account: String,
    address: Option<String>,
}

fn window(limits: &SignInLimits) -> Duration {
    Duration::seconds(i64::try_from(limits.window_secs).unwrap_or(i64::MAX / 4_000_000))
}

fn refused(wait: Duration) -> Error {
    Error::TooManyAttempts {
        // Rounded up: a client that waits exactly this long is let in.
        retry_after_secs: u64::try_from((wait.num_milliseconds() + 999) / 1000)
            .unwrap_or(1)
            .max(1),
    }
}

impl Attempt {
    /// An attempt of `flow` (e.g. `b2core-signin`) on `account` (an email, a client id, a key
    /// id: spelled one way for one account; the store keeps only a digest) from `peer`.
    pub fn new(flow: &str, account: &str, peer: Option<IpAddr>) -> Attempt {
        Attempt {
            account: format!("account\u{0}{flow}\u{0}{account}"),
            address: peer.map(|ip| format!("address\u{0}{ip}")),
        }
    }

    fn counted<'a>(&'a self, limits: &SignInLimits) -> Vec<Counted<'a>> {
        let mut keys = vec![Counted {
            key: &self.account,
            limit: limits.failures_per_account,
        }];
        keys.extend(self.address.as_deref().map(|key| Counted {
            key,
            limit: limits.failures_per_address,
        }));
        keys
    }

    /// Charges the attempt before its credentials are checked; refused (`TooManyAttempts`)
    /// when the account or the address is at its bound. Follow with [`Attempt::succeeded`]
    /// when the credentials were right.
    pub async fn charge(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        match store
            .charge_attempt(&self.counted(limits), window(limits), Utc::now())
            .await?
        {
            None => Ok(()),
            Some(wait) => Err(refused(wait)),
        }
    }

    /// The credentials were right: the account's count is cleared and the address's charge
    /// taken back (one good account does not excuse guessing at others).
    pub async fn succeeded(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        store.clear_failures(&self.account).await?;
        if let Some(address) = &self.address {
            store
                .refund_attempt(address, window(limits), Utc::now())
                .await?;
        }
        Ok(())
    }

    /// For instant checks that count only failures: refused when the account or the address
    /// is at its bound (asked after the credentials were found right).
    pub async fn check(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        let now = Utc::now();
        let mut wait = None;
        for c in self.counted(limits) {
            wait = wait.max(
                store
                    .locked_out(c.key, c.limit, window(limits), now)
                    .await?,
            );
        }
        match wait {
            None => Ok(()),
            Some(w) => Err(refused(w)),
        }
    }

    /// For instant checks: counts a failure; refused when it went past a bound (so the answer
    /// does not say "wrong" more often than the bound allows).
    pub async fn failed(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        match store
            .record_failure(&self.counted(limits), window(limits), Utc::now())
            .await?
        {
            None => Ok(()),
            Some(wait) => Err(refused(wait)),
        }
    }
}
