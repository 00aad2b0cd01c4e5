//! Capture: the parts of a process's credentials (sides and pages) and the end of capture.
//! Each function is one transaction (see the module documentation of `ops`).

use uuid::Uuid;

use super::{Action, Target, holding, open, part_file, record, start_document};
use crate::error::{Error, Result};
use crate::media::MediaType;
use crate::model::{Document, FileSide, Process, ProcessStatus, StoredFile, ValidNewDocument};
use crate::store::{ProcessCredential, StagedFile, Store};

/// One side of a credential (front, back, face).
#[derive(Clone, Copy, Debug)]
pub struct Side {
    /// The credential.
    pub credential: Uuid,
    /// The side.
    pub side: FileSide,
    /// A side whose file stands for this one when none is at it (a passport's page 1 for
    /// its front): it counts as the part, and a replacement replaces it.
    pub stands_in: Option<FileSide>,
    /// Replace the part on file (else a part on file is a conflict).
    pub replace: bool,
    /// The credential's document takes at most this many files.
    pub max_files: u32,
}

/// Adds (or, with `replace`, replaces) one side of a credential with a staged file
/// (staged without a document). A credential whose document is gone gets a new one,
/// `new_document`. The old file goes in the same transaction the new one arrives in, so
/// the part is never missing and never doubled.
pub async fn add_part<F, N>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    part: Side,
    new_document: N,
    staged: StagedFile,
) -> Result<StoredFile>
where
    F: Fn(&Process) -> Result<()>,
    N: FnOnce(&ProcessCredential) -> Result<ValidNewDocument>,
{
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let mut c = tx.credential(t.tenant, p.id, part.credential).await?;
    let (doc, files) = holding(&mut tx, t.tenant, &c).await?;
    let mut existing: Vec<Uuid> = files
        .iter()
        .filter(|f| f.side == part.side)
        .map(|f| f.id)
        .collect();
    if existing.is_empty() {
        existing.extend(part_file(&files, part.side, part.stands_in).map(|f| f.id));
    }
    if !existing.is_empty() && !part.replace {
        return Err(Error::Conflict(
            "the credential already has this part; a replacement replaces it".into(),
        ));
    }
    let doc = match doc {
        Some(d) => d.id,
        None => {
            let new = new_document(&c)?;
            start_document(&mut tx, t, &mut c, new).await?
        }
    };
    for id in existing {
        tx.delete_file(t.tenant, id).await?;
    }
    let file = tx
        .add_staged(t.tenant, staged, doc, part.side, part.max_files)
        .await?;
    record(&mut tx, &p, a).await?;
    tx.commit().await?;
    Ok(file)
}

/// The pages of a credential's multi-page document.
#[derive(Clone, Copy, Debug)]
pub struct Pages {
    /// The credential.
    pub credential: Uuid,
    /// At most this many pages.
    pub max_pages: u32,
}

/// Adds pages (staged files, in order) to a credential's document: numbered after the
/// highest page number ever given for it, never one given before; at most `max_pages`; a
/// PDF only alone (it is the whole document). A credential whose document is gone gets a
/// new one, `new_document`.
pub async fn add_pages<F, N>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    pages: Pages,
    new_document: N,
    staged: Vec<StagedFile>,
) -> Result<Vec<StoredFile>>
where
    F: Fn(&Process) -> Result<()>,
    N: FnOnce(&ProcessCredential) -> Result<ValidNewDocument>,
{
    let n = staged.len();
    let count = u16::try_from(n).map_err(|_| Error::invalid("file", "too many pages"))?;
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let mut c = tx.credential(t.tenant, p.id, pages.credential).await?;
    let (doc, files) = holding(&mut tx, t.tenant, &c).await?;
    if files.len() + n > pages.max_pages as usize {
        return Err(Error::LimitExceeded {
            what: "pages per document",
            limit: pages.max_pages.into(),
        });
    }
    let pdfs = files
        .iter()
        .map(|f| f.media_type)
        .chain(staged.iter().map(|s| s.file().media_type))
        .filter(|m| *m == MediaType::Pdf)
        .count();
    if pdfs > 0 && files.len() + n > 1 {
        return Err(Error::invalid(
            "file",
            "a PDF is the whole document: send it alone, or send images as pages",
        ));
    }
    let in_use = files
        .iter()
        .filter_map(|f| match f.side {
            FileSide::Page(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let doc = match doc {
        Some(d) => d.id,
        None => {
            let new = new_document(&c)?;
            start_document(&mut tx, t, &mut c, new).await?
        }
    };
    let first = tx.claim_pages(&c, in_use, count).await?;
    let mut stored = Vec::with_capacity(n);
    for (page, s) in (first..).zip(staged) {
        stored.push(
            tx.add_staged(t.tenant, s, doc, FileSide::Page(page), pages.max_pages)
                .await?,
        );
    }
    record(&mut tx, &p, a).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Deletes one part of a credential (the file at `side`, or the one standing in for it);
/// `NotFound("part")` when there is none. Returns the deleted file's id.
pub async fn delete_part<F: Fn(&Process) -> Result<()>>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    credential: Uuid,
    side: FileSide,
    stands_in: Option<FileSide>,
) -> Result<Uuid> {
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let c = tx.credential(t.tenant, p.id, credential).await?;
    let (_, files) = holding(&mut tx, t.tenant, &c).await?;
    let file = part_file(&files, side, stands_in)
        .map(|f| f.id)
        .ok_or(Error::NotFound("part"))?;
    record(&mut tx, &p, a).await?;
    tx.delete_file(t.tenant, file).await?;
    tx.commit().await?;
    Ok(file)
}

/// Deletes every part of a credential (none is fine).
pub async fn delete_parts<F: Fn(&Process) -> Result<()>>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    credential: Uuid,
) -> Result<()> {
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let c = tx.credential(t.tenant, p.id, credential).await?;
    let (_, files) = holding(&mut tx, t.tenant, &c).await?;
    record(&mut tx, &p, a).await?;
    for f in files {
        tx.delete_file(t.tenant, f.id).await?;
    }
    tx.commit().await
}

/// Ends capture: every credential not reused must be complete by the adapter's rule
/// (`complete`, given the credential, its document and that document's files), then the
/// process is submitted. No part can arrive or go between the check and the transition.
pub async fn finalize<F, C>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    complete: C,
) -> Result<Process>
where
    F: Fn(&Process) -> Result<()>,
    C: Fn(&ProcessCredential, Option<&Document>, &[StoredFile]) -> Result<()>,
{
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    for c in tx.credentials(t.tenant, p.id).await? {
        if c.reused {
            continue;
        }
        let (doc, files) = holding(&mut tx, t.tenant, &c).await?;
        complete(&c, doc.as_ref(), &files)?;
    }
    tx.move_process(&p, ProcessStatus::Submitted, a.now).await?;
    tx.commit().await?;
    Ok(p)
}
