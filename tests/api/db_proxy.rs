//! A TCP relay between one instance and the test PostgreSQL, so a test can take the database away
//! from that instance alone: refuse its new connections, or cut every open one too (a network
//! partition). The database and the other instances do not notice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Where the real server is.
enum Upstream {
    Unix(std::path::PathBuf),
    Tcp(String),
}

/// A running relay; it stops with the test's runtime.
pub struct DbProxy {
    /// Connection string of the relayed database (use it for the instance under test).
    pub url: String,
    open: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl DbProxy {
    /// Relays connections to the database at `url` (a keyword string or a URL).
    pub async fn start(url: &str) -> Self {
        let config: tokio_postgres::Config = url.parse().expect("connection string");
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let upstream = match config.get_hosts().first().expect("a host") {
            tokio_postgres::config::Host::Unix(dir) => {
                Upstream::Unix(dir.join(format!(".s.PGSQL.{port}")))
            }
            tokio_postgres::config::Host::Tcp(host) => Upstream::Tcp(format!("{host}:{port}")),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let local = listener.local_addr().expect("address").port();
        let mut relayed = format!(
            "host=127.0.0.1 port={local} dbname={}",
            config.get_dbname().expect("a database name")
        );
        if let Some(user) = config.get_user() {
            relayed.push_str(&format!(" user={user}"));
        }
        if let Some(password) = config.get_password() {
            relayed.push_str(&format!(" password={}", String::from_utf8_lossy(password)));
        }
        let open = Arc::new(AtomicBool::new(true));
        let (cuts, _) = watch::channel(0u64);
        let upstream = Arc::new(upstream);
        let accept_open = Arc::clone(&open);
        let accept_cuts = cuts.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                if !accept_open.load(Ordering::Acquire) {
                    drop(client);
                    continue;
                }
                let upstream = Arc::clone(&upstream);
                let cut = accept_cuts.subscribe();
                tokio::spawn(async move {
                    match &*upstream {
                        Upstream::Unix(path) => {
                            if let Ok(server) = tokio::net::UnixStream::connect(path).await {
                                relay(client, server, cut).await;
                            }
                        }
                        Upstream::Tcp(address) => {
                            if let Ok(server) = tokio::net::TcpStream::connect(address).await {
                                relay(client, server, cut).await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            url: relayed,
            open,
            cuts,
        }
    }

    /// New connections are closed at once; open ones keep working.
    pub fn refuse_new(&self) {
        self.open.store(false, Ordering::Release);
    }

    /// A partition: every open connection is closed and new ones are refused.
    pub fn cut(&self) {
        self.refuse_new();
        self.cuts.send_modify(|n| *n += 1);
    }

    /// The network is back.
    pub fn heal(&self) {
        self.open.store(true, Ordering::Release);
    }
}

async fn relay(
    mut client: tokio::net::TcpStream,
    mut server: impl AsyncRead + AsyncWrite + Unpin,
    mut cut: watch::Receiver<u64>,
) {
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.changed() => {}
    }
}
