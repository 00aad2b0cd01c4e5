//! Reading what a handler left of a request body, so that its answer reaches the client.
//!
//! A handler may answer before it has read the body: a refused key, a route that takes no
//! body, a declared length over the limit. hyper then closes the connection with the rest
//! of the body unread; the client, still writing, gets a broken pipe or a reset that
//! discards the answer before it is read, and sees a dropped connection instead of the
//! vendor's 4xx (RFC 9112 §9.6 asks a server to keep reading before it closes). Found by
//! `tests/api/fuzz.rs`, in about one run in three. So every request body is wrapped:
//! dropped unfinished, what is left of it is read and thrown away in the background, up to
//! [`DRAIN_BYTES`] and for at most [`DRAIN_TIME`], after which the connection closes as
//! before.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::Request;
use futures::{Stream, StreamExt};

/// The most of an abandoned body read to let its answer through.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;

/// The longest an abandoned body is read.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// `req` with its body read to the end (within the bounds) if the handler drops it unread.
/// A request without a body (most reads) is left as it is: nothing to drain, no task.
pub fn drain_unread(req: Request) -> Request {
    if axum::body::HttpBody::is_end_stream(req.body()) {
        return req;
    }
    req.map(|body| {
        Body::from_stream(Drain {
            rest: Some(body.into_data_stream()),
        })
    })
}

/// A body that, dropped before its end, drains the rest.
struct Drain {
    /// The body, until it has ended.
    rest: Option<BodyDataStream>,
}

impl Stream for Drain {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(rest) = self.rest.as_mut() else {
            return Poll::Ready(None);
        };
        let next = rest.poll_next_unpin(cx);
        if matches!(next, Poll::Ready(None | Some(Err(_)))) {
            self.rest = None;
        }
        next
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        let Some(mut rest) = self.rest.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let mut left = DRAIN_BYTES;
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                while let Some(Ok(piece)) = rest.next().await {
                    left = left.saturating_sub(piece.len());
                    if left == 0 {
                        break;
                    }
                }
            })
            .await;
        });
    }
}
