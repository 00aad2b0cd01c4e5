//! The bound on failed sign-ins. Every flow that checks a password, a client secret or an
//! assertion counts its failures against the account tried and against the client's
//! address, in the store (so every node counts together). Past either bound, attempts are
//! refused until the window ends, even with the right credentials: otherwise a guesser would
//! only have to keep going until the right guess lands.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use chrono::{Duration, Utc};

use crate::config::SignInLimits;
use crate::error::{Error, Result};
use crate::store::Store;

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

impl Attempt {
    /// An attempt of `flow` (e.g. `b2core-signin`) on `account` (an email, a client id; the
    /// store keeps only a digest) from `peer`.
    pub fn new(flow: &str, account: &str, peer: Option<IpAddr>) -> Attempt {
        Attempt {
            account: format!("account\u{0}{flow}\u{0}{account}"),
            address: peer.map(|ip| format!("address\u{0}{ip}")),
        }
    }

    /// Refuses the attempt (`TooManyAttempts`) when its account or address is past its bound.
    pub async fn check(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        let window = window(limits);
        let now = Utc::now();
        let mut wait = store
            .locked_out(&self.account, limits.failures_per_account, window, now)
            .await?;
        if let Some(address) = &self.address {
            let by_address = store
                .locked_out(address, limits.failures_per_address, window, now)
                .await?;
            wait = wait.max(by_address);
        }
        match wait {
            None => Ok(()),
            Some(w) => Err(Error::TooManyAttempts {
                // Rounded up: a client that waits exactly this long is let in.
                retry_after_secs: u64::try_from((w.num_milliseconds() + 999) / 1000)
                    .unwrap_or(1)
                    .max(1),
            }),
        }
    }

    /// Counts a failure against the account and the address.
    pub async fn failed(&self, store: &Store, limits: &SignInLimits) -> Result<()> {
        let mut keys = vec![self.account.as_str()];
        keys.extend(self.address.as_deref());
        store
            .record_failure(&keys, window(limits), Utc::now())
            .await
    }

    /// A success clears the account's failures (not the address's: one good account does
    /// not excuse guessing at others).
    pub async fn succeeded(&self, store: &Store) -> Result<()> {
        store.clear_failures(&self.account).await
    }
}

fn window(limits: &SignInLimits) -> Duration {
    Duration::seconds(i64::try_from(limits.window_secs).unwrap_or(i64::MAX / 4_000_000))
}
