//! What every handler can reach: configuration, the store, the keyring and the metrics.

use std::sync::Arc;

use crate::auth::Keyring;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;

/// Shared application state. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The storage engine.
    pub store: Store,
    /// Configured keys, hashed.
    pub keys: Arc<Keyring>,
    /// Request and storage metrics.
    pub metrics: Metrics,
}
