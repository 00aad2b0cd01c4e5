//! Prometheus metrics: requests by vendor, operation and status; latency; bytes in and out;
//! files stored; outbox events pending by topic. Each app owns its registry, so several apps
//! can run in one process (tests). The HTTP side (the per-request middleware and `GET
//! /metrics`) is in `server::metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::store::Store;

/// The app's metrics.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    bytes_in: IntCounter,
    bytes_out: IntCounter,
    files: IntGauge,
    pending: IntGaugeVec,
    connections_open: IntGauge,
    connections_max: IntGauge,
    /// Serialises scrapes: the byte counters are brought up to the store's totals by adding
    /// the difference, which two concurrent scrapes would both add. It holds the outbox topics
    /// seen so far, so that a topic whose events have all gone reads 0 rather than vanishing.
    scrape: std::sync::Arc<tokio::sync::Mutex<std::collections::BTreeSet<String>>>,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("idbridge".into()), None)
            .expect("static registry options are valid");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by vendor API, operation and status",
            ),
            &["vendor", "operation", "status"],
        )
        .expect("static metric options are valid");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by vendor API and operation",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0,
            ]),
            &["vendor", "operation"],
        )
        .expect("static metric options are valid");
        let bytes_in = IntCounter::new("bytes_uploaded_total", "File bytes accepted into storage")
            .expect("valid");
        let bytes_out = IntCounter::new("bytes_downloaded_total", "File bytes served from storage")
            .expect("valid");
        let files = IntGauge::new("files_stored", "Files currently stored").expect("valid");
        let pending = IntGaugeVec::new(
            Opts::new(
                "outbox_pending",
                "Outbox events (callbacks) not yet delivered nor given up, by topic",
            ),
            &["topic"],
        )
        .expect("static metric options are valid");
        let connections_open = IntGauge::new(
            "connections_open",
            "Client connections open now, over both listeners",
        )
        .expect("valid");
        let connections_max = IntGauge::new(
            "connections_max",
            "Most client connections open at once (server.max_connections)",
        )
        .expect("valid");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(bytes_in.clone()),
            Box::new(bytes_out.clone()),
            Box::new(files.clone()),
            Box::new(pending.clone()),
            Box::new(connections_open.clone()),
            Box::new(connections_max.clone()),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        Metrics {
            registry,
            requests,
            latency,
            bytes_in,
            bytes_out,
            files,
            pending,
            connections_open,
            connections_max,
            scrape: Default::default(),
        }
    }

    /// The connection limit of `max` connections, counted in this registry.
    pub fn connection_limit(&self, max: usize) -> ConnectionLimit {
        self.connections_max
            .set(i64::try_from(max).unwrap_or(i64::MAX));
        ConnectionLimit {
            slots: Arc::new(Semaphore::new(max)),
            open: self.connections_open.clone(),
        }
    }

    /// Counts one request and its latency.
    pub fn observe(
        &self,
        vendor: &str,
        operation: &str,
        status: &str,
        elapsed: std::time::Duration,
    ) {
        self.requests
            .with_label_values(&[vendor, operation, status])
            .inc();
        self.latency
            .with_label_values(&[vendor, operation])
            .observe(elapsed.as_secs_f64());
    }

    /// Renders the text exposition, refreshing the storage figures first.
    pub async fn render(&self, store: &Store) -> Result<String, crate::error::Error> {
        let mut topics = self.scrape.lock().await;
        let stats = store.stats();
        // Counters only go up: add what the store counted since the last scrape.
        let sync =
            |counter: &IntCounter, total: u64| counter.inc_by(total.saturating_sub(counter.get()));
        sync(&self.bytes_in, stats.bytes_in.load(Ordering::Relaxed));
        sync(&self.bytes_out, stats.bytes_out.load(Ordering::Relaxed));
        self.files.set(store.count_files().await? as i64);
        topics.extend(store.pending_topics().await?);
        for topic in topics.iter() {
            let n = store.pending_events(topic).await?;
            self.pending
                .with_label_values(&[topic.as_str()])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(crate::error::Error::internal)?;
        String::from_utf8(out).map_err(crate::error::Error::internal)
    }
}

/// The connections a server may hold open at once, shared by its listeners.
#[derive(Clone, Debug)]
pub struct ConnectionLimit {
    slots: Arc<Semaphore>,
    open: IntGauge,
}

impl ConnectionLimit {
    /// Waits for a free slot; the connection holds it until it closes.
    pub async fn slot(&self) -> ConnectionSlot {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        self.open.inc();
        ConnectionSlot {
            _permit: permit,
            open: self.open.clone(),
        }
    }
}

/// One open connection's place under the limit; freed when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    _permit: OwnedSemaphorePermit,
    open: IntGauge,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.open.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
