//! `idbridge audit`: checking the audit trail's hash chains, and exporting a tenant's events
//! as JSON Lines. The work is the store's (`store::audit`); this prints it.

use std::io::Write;
use std::path::Path;

use futures::StreamExt;

use crate::model::TenantId;
use crate::store::AuditFilter;

/// `idbridge audit verify`: checks every tenant's chain (or one tenant's). Answers the report
/// and whether every chain checked is intact.
pub async fn verify(config: &Path, tenant: Option<&str>) -> anyhow::Result<(String, bool)> {
    let store = crate::keys_cli::open(config).await?;
    let tenants = match tenant {
        Some(t) => vec![TenantId::new(t)?],
        None => store.audited_tenants().await?,
    };
    let mut out = String::new();
    let mut intact = true;
    for t in &tenants {
        let r = store.verify_audit(t).await?;
        match &r.broken {
            None => out.push_str(&format!(
                "tenant {}: {} events, chain intact, head {}\n",
                r.tenant, r.events, r.head
            )),
            Some(b) => {
                intact = false;
                out.push_str(&format!(
                    "tenant {}: CHAIN BROKEN at event {}: {} ({} events before it are intact)\n",
                    r.tenant, b.seq, b.reason, r.events
                ));
            }
        }
    }
    if tenants.is_empty() {
        out.push_str("no audit events stored\n");
    }
    Ok((out, intact))
}

/// `idbridge audit export`: every event of `tenant` as JSON Lines, in chain order, written to
/// `out` as it is read. Answers how many were written.
pub async fn export(config: &Path, tenant: &str, out: &mut dyn Write) -> anyhow::Result<u64> {
    let store = crate::keys_cli::open(config).await?;
    let mut events =
        std::pin::pin!(store.audit_stream(TenantId::new(tenant)?, AuditFilter::default(), 0));
    let mut n = 0;
    while let Some(event) = events.next().await {
        serde_json::to_writer(&mut *out, &event?)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
