//! B2Core's document list: its query, read by hand, and its pages. Unfiltered pages are cut
//! in SQL; a filter by type or status (B2Core's views of a document) reads the subject's
//! documents and filters them here.

use chrono::NaiveDate;

use super::error::MydocsError;
use super::handlers::{Client, Ctx, today};
use super::mapping;
use super::wire::DocumentList;
use crate::error::Error;
use crate::state::AppState;
use crate::store::{DocumentOrder, WithFiles};

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    CreateTime,
    UpdateTime,
    Id,
}

/// The list's query, read by hand so that an unknown `filter[…]` is named in the error.
#[derive(Debug)]
pub(super) struct ListQuery {
    limit: usize,
    offset: usize,
    sort_by: SortBy,
    descending: bool,
    type_ids: Option<Vec<u32>>,
    statuses: Option<Vec<String>>,
}

const STATUSES: [&str; 3] = ["new", "incomplete", "expired"];

/// Largest page; the OpenAPI document declares `limit` as 1 to this.
const MAX_LIMIT: u64 = 100;

/// Largest `offset`: the top of the `int32` the OpenAPI document declares. No client has
/// that many documents, and a bound that is exact in every JSON Schema tool (unlike
/// `i64::MAX`, which a float `maximum` rounds up) keeps document and server in agreement.
const MAX_OFFSET: u64 = i32::MAX as u64;

/// A query number: ASCII digits only (no sign, no spaces), as the OpenAPI document's
/// `integer` with `minimum` allows; `None` for anything else, or one past `u64`.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub(super) fn list_query(pairs: Vec<(String, String)>) -> Result<ListQuery, Error> {
    let mut q = ListQuery {
        limit: 10,
        offset: 0,
        sort_by: SortBy::CreateTime,
        descending: true,
        type_ids: None,
        statuses: None,
    };
    for (key, value) in pairs {
        let v = value.trim();
        match key.as_str() {
            "limit" => {
                q.limit = digits(&value)
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Error::invalid("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))
                    })? as usize
            }
            "offset" => {
                q.offset = digits(&value).filter(|n| *n <= MAX_OFFSET).ok_or_else(|| {
                    Error::invalid(
                        "offset",
                        format!("must be an integer from 0 to {MAX_OFFSET}"),
                    )
                })? as usize
            }
            "sort_by" => {
                q.sort_by = match v {
                    "createTime" => SortBy::CreateTime,
                    "updateTime" => SortBy::UpdateTime,
                    "id" => SortBy::Id,
                    _ => {
                        return Err(Error::invalid(
                            "sort_by",
                            "must be createTime, updateTime or id",
                        ));
                    }
                }
            }
            "sort_order" => {
                q.descending = match v.to_ascii_lowercase().as_str() {
                    "desc" => true,
                    "asc" => false,
                    _ => return Err(Error::invalid("sort_order", "must be asc or desc")),
                }
            }
            "filter[typeId]" | "filter[typeID]" => {
                let ids = v
                    .split(',')
                    .map(|s| s.trim().parse::<u32>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        Error::invalid(key.clone(), "must be a type id or a comma-separated list")
                    })?;
                q.type_ids.get_or_insert_with(Vec::new).extend(ids);
            }
            "filter[status]" => {
                let statuses: Vec<String> = v.split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
                    return Err(Error::invalid(
                        key.clone(),
                        format!("unknown status {bad:?}; use new, incomplete or expired"),
                    ));
                }
                q.statuses.get_or_insert_with(Vec::new).extend(statuses);
            }
            k if k.starts_with("filter[") => {
                return Err(Error::invalid(
                    k.to_owned(),
                    "is not a filter of this list; use filter[typeId] or filter[status]",
                ));
            }
            // Other parameters (a client's cache-busters, locale…) do not change the list.
            _ => {}
        }
    }
    Ok(q)
}

/// One page of a client's documents, filtered, sorted and counted as `q` asks.
pub(super) async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    client: &Client,
    q: ListQuery,
) -> Result<DocumentList, MydocsError> {
    let today = today();
    let (page, total) = if q.type_ids.is_none() && q.statuses.is_none() {
        // Unfiltered, as a client's document screen asks: the page is cut in SQL.
        let order = match q.sort_by {
            SortBy::CreateTime => DocumentOrder::Created,
            SortBy::UpdateTime => DocumentOrder::Updated,
            SortBy::Id => DocumentOrder::Seq,
        };
        let limit = u32::try_from(q.limit).unwrap_or(u32::MAX);
        let (page, total) = state
            .store
            .documents_sorted(
                &client.tenant,
                client.subject_id,
                order,
                q.descending,
                q.offset as u64,
                limit,
            )
            .await?;
        (page, total as usize)
    } else {
        filtered_page(state, ctx, client, &q, today).await?
    };
    let data = page
        .into_iter()
        .map(|(d, files)| mapping::document(d, files, &ctx.types, &ctx.base, today))
        .collect();
    Ok(DocumentList { total, data })
}

/// A filtered page: type and status are B2Core's views of a document (its type table, its
/// expiry against today), decided here, so the subject's documents are read and filtered.
async fn filtered_page(
    state: &AppState,
    ctx: &Ctx,
    client: &Client,
    q: &ListQuery,
    today: NaiveDate,
) -> Result<(WithFiles, usize), MydocsError> {
    let docs = state
        .store
        .documents_with_files(&client.tenant, client.subject_id)
        .await?
        .documents;
    let mut docs: WithFiles = docs
        .into_iter()
        .filter(|(d, _)| {
            q.type_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&ctx.types.of_document(d).id))
        })
        .filter(|(d, _)| {
            q.statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s == mapping::status(d, today)))
        })
        .collect();
    docs.sort_by(|(a, _), (b, _)| {
        let order = match q.sort_by {
            SortBy::CreateTime => a.created_at.cmp(&b.created_at),
            SortBy::UpdateTime => a.updated_at.cmp(&b.updated_at),
            SortBy::Id => std::cmp::Ordering::Equal,
        }
        .then(a.seq.cmp(&b.seq));
        if q.descending { order.reverse() } else { order }
    });
    let total = docs.len();
    let page = docs.into_iter().skip(q.offset).take(q.limit).collect();
    Ok((page, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, Error> {
        list_query(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn list_parameters_are_read_and_checked() {
        let d = q(&[]).unwrap();
        assert_eq!((d.limit, d.offset, d.descending), (10, 0, true));
        let x = q(&[
            ("limit", "5"),
            ("offset", "2"),
            ("sort_order", "ASC"),
            ("filter[typeId]", "1,2"),
            ("utm", "x"),
        ])
        .unwrap();
        assert_eq!((x.limit, x.offset, x.descending), (5, 2, false));
        assert_eq!(x.type_ids, Some(vec![1, 2]));
        for (k, v) in [
            ("limit", "0"),
            ("limit", "101"),
            ("offset", "-1"),
            ("sort_by", "name"),
            ("filter[typeId]", "a"),
            ("filter[status]", "approved"),
            ("filter[clientId]", "1"),
        ] {
            let e = q(&[(k, v)]).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidField { field, .. } if field == k),
                "{k}={v}: {e:?}"
            );
        }
    }
}
