//! `idbridge keys`: the master keys of a store, their rotation and retirement. The work is
//! the store's (`store::keys`); this prints it.

use std::path::Path;

use anyhow::Context;

use crate::config::Config;
use crate::store::{KeyStatus, MasterKey, Store};

/// Opens the store `config` names, as a node would (migrations included).
pub(crate) async fn open(config: &Path) -> anyhow::Result<Store> {
    let config = Config::load(Some(config))?;
    crate::server::open_store(&config).await
}

/// `idbridge keys status`: the configured and current key, each rotation, files per key.
pub async fn status(config: &Path) -> anyhow::Result<String> {
    Ok(render(&open(config).await?.key_status().await?))
}

fn render(s: &KeyStatus) -> String {
    let mut out = format!(
        "configured key: {}\ncurrent key:    {}\n",
        s.configured, s.current
    );
    for r in &s.rotations {
        let done = match r.completed_at {
            Some(t) => format!("completed {}", t.to_rfc3339()),
            None => "UNFINISHED: run `idbridge keys rotate` to finish".to_owned(),
        };
        out.push_str(&format!(
            "rotation to {} (sealed by {}): started {}, {done}\n",
            r.id,
            r.sealed_by,
            r.created_at.to_rfc3339()
        ));
    }
    for (id, n) in &s.files {
        let id = id
            .as_deref()
            .unwrap_or("(unrecorded: the key configured when stored)");
        out.push_str(&format!("files under {id}: {n}\n"));
    }
    out
}

/// `idbridge keys rotate`: introduces the key in `new_key_file` (created with a fresh key
/// when absent, mode 0600) or, without one, finishes the unfinished rotation; re-wraps every
/// file's data key under it while the nodes keep serving.
pub async fn rotate(config: &Path, new_key_file: Option<&Path>) -> anyhow::Result<String> {
    let new = match new_key_file {
        Some(path) => Some(
            MasterKey::from_file(path)
                .with_context(|| format!("--new-key-file {}", path.display()))?
                .0,
        ),
        None => None,
    };
    let store = open(config).await?;
    let bar = crate::progress::bar(
        0,
        "[{bar:30}] {pos}/{len} files re-wrapped  {per_sec}  eta {eta}",
    );
    let report = store
        .rotate_master_key(new, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    Ok(format!(
        "rotation to key {} complete: {} files re-wrapped, {} already under it, {} signing keys re-sealed\n\
         next: configure every node with the new key, then `idbridge keys retire --key-id <old id>`\n",
        report.key_id, report.rewrapped, report.already, report.secrets
    ))
}

/// `idbridge keys retire`: deletes what the old key opens in the store.
pub async fn retire(config: &Path, key_id: &str) -> anyhow::Result<String> {
    let gone = open(config).await?.retire_master_key(key_id).await?;
    Ok(format!(
        "retired key {key_id}: {gone} stored key rows deleted; it opens nothing in this store now\n"
    ))
}
