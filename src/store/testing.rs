//! Stores for the store's own unit tests.

use base64::Engine as _;

use super::{BlobLocation, MasterKey, Store, StoreOptions};

/// A store over `dir` (created if needed), with a fixed test master key.
pub async fn open(dir: &std::path::Path) -> Store {
    let key = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
    Store::open(StoreOptions {
        metadata_url: format!("sqlite://{}", dir.join("t.db").display()),
        blobs: BlobLocation::Local(dir.join("blobs")),
        master_key: MasterKey::from_base64(&key).unwrap(),
        sweep_grace: std::time::Duration::from_secs(3600),
    })
    .await
    .unwrap()
    .0
}

/// Two stores opened separately on one directory: what two nodes (two processes) over one
/// store see, each with its own pool and node id.
pub async fn two_nodes() -> (tempfile::TempDir, Store, Store) {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path()).await;
    let b = open(dir.path()).await;
    (dir, a, b)
}
