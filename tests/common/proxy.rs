//! A TCP proxy a test can cut: what a node sees when its database or its bucket goes down
//! and comes back. Down, the proxy's port refuses connections and every connection through
//! it is closed, as when the server process stops; up, it listens on the same port again.
//! The services behind it keep running, so the other tests sharing them are not disturbed.

use std::net::SocketAddr;
use std::sync::Mutex;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A proxy from a local port to `target`.
pub struct Proxy {
    /// The port clients connect to.
    pub port: u16,
    target: SocketAddr,
    /// The accept loop while up.
    accepting: Mutex<Option<JoinHandle<()>>>,
    /// Bumped on every cut: each connection ends when it changes.
    cuts: watch::Sender<u64>,
}

impl Proxy {
    /// A proxy to `target` (`host:port`), up.
    pub async fn start(target: &str) -> Proxy {
        let target = tokio::net::lookup_host(target)
            .await
            .unwrap()
            .next()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            port: listener.local_addr().unwrap().port(),
            target,
            accepting: Mutex::new(None),
            cuts: watch::channel(0).0,
        };
        proxy.serve(listener);
        proxy
    }

    /// Stops listening and closes every connection through the proxy.
    pub fn down(&self) {
        if let Some(task) = self.accepting.lock().unwrap().take() {
            task.abort();
        }
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Listens again, on the same port.
    pub async fn up(&self) {
        // The aborted accept loop drops its listener when the runtime next polls it; binding
        // may race that, so try until the port is free (tokio sets SO_REUSEADDR).
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    tokio::task::yield_now().await
                }
                Err(e) => panic!("proxy: cannot listen on {} again: {e}", self.port),
            }
        };
        self.serve(listener);
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target;
        let cuts = self.cuts.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(client, target, cuts.subscribe()));
            }
        });
        *self.accepting.lock().unwrap() = Some(task);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.down();
    }
}

/// Copies both ways between `client` and `target` until either side closes or the proxy is
/// cut.
async fn pipe(mut client: TcpStream, target: SocketAddr, mut cut: watch::Receiver<u64>) {
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.changed() => {}
    }
}
