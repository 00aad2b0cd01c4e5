//! Rotation and retirement on stores opened as nodes would.

use super::*;
use crate::store::testing::{metadata_url, open_keyed};

fn key(byte: u8) -> MasterKey {
    MasterKey::from_raw([byte; 32]).unwrap()
}

/// Values sealed under the old key (a signing key, a client's cookie) are re-sealed or
/// still open during the rotation; once a node runs on the new key alone and the old
/// one is retired, the signing key opens there and nowhere under the old key.
#[tokio::test]
async fn sealed_values_follow_the_rotation_and_the_retired_key_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = metadata_url(dir.path()).await;
    let old = open_keyed(dir.path(), url.clone(), [3; 32]).await;
    old.add_signing_key("test", "PRIVATE PEM", "PUBLIC PEM")
        .await
        .unwrap();
    let cookie = old.seal_for_client("test", b"session").unwrap();

    let report = old
        .rotate_master_key(Some(key(9)), &|_, _| {})
        .await
        .unwrap();
    assert_eq!((report.key_id.as_str(), report.secrets), (key(9).id(), 1));
    // The node on the old key holds both now: old cookies open, new ones are sealed
    // under the new key.
    assert_eq!(old.open_from_client("test", &cookie).unwrap(), b"session");
    let fresh = old.seal_for_client("test", b"later").unwrap();
    assert!(key(9).open_secret(&fresh, b"client:test").is_ok());

    let new = open_keyed(dir.path(), url.clone(), [9; 32]).await;
    assert!(new.retire_master_key(key(9).id()).await.is_err());
    assert_eq!(new.retire_master_key(key(3).id()).await.unwrap(), 1);
    let signing = new.signing_key("test").await.unwrap().unwrap();
    assert_eq!(signing.private_pem, "PRIVATE PEM");
    assert_eq!(new.key_status().await.unwrap().current, key(9).id());

    let stale = open_keyed(dir.path(), url, [3; 32]).await;
    assert!(stale.signing_key("test").await.is_err());
    assert!(stale.open_from_client("test", &fresh).is_none());
}

/// A second rotation cannot start while one is unfinished, and a key in use is refused.
#[tokio::test]
async fn one_rotation_at_a_time_and_never_back_to_a_key_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_keyed(dir.path(), metadata_url(dir.path()).await, [3; 32]).await;
    let e = store.rotate_master_key(Some(key(3)), &|_, _| {}).await;
    assert!(e.unwrap_err().to_string().contains("already in use"));
    // Introduced but not finished (as if the command was killed after its first step).
    store.introduce_key(Some(key(4))).await.unwrap();
    let e = store.rotate_master_key(Some(key(5)), &|_, _| {}).await;
    assert!(e.unwrap_err().to_string().contains("is unfinished"));
    let done = store.rotate_master_key(None, &|_, _| {}).await.unwrap();
    assert_eq!(done.key_id, key(4).id());
    let status = store.key_status().await.unwrap();
    assert!(status.rotations[0].completed_at.is_some());
}
