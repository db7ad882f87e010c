//! A private PostgreSQL cluster for installations (and tests) that name no server: `initdb` on
//! first use, a Unix socket in a directory of its own (no TCP port to collide with), run as the
//! `postgres` system user when we are root (PostgreSQL refuses to run as root), and stopped when
//! we exit. A watchdog process stops the cluster even if tracuu is killed.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// The Debian package that ships the server binaries we look for.
const SERVER_PACKAGE: &str = "postgresql-15";
/// Port number only names the socket file; nothing listens on TCP.
const SOCKET_PORT: u16 = 5432;

/// A running private cluster.
#[derive(Debug)]
pub struct LocalCluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<(nix::unistd::Uid, nix::unistd::Gid)>,
    /// False when another tracuu process had the server running: then it is theirs to stop.
    started_here: bool,
}

impl LocalCluster {
    /// Starts (initialising if needed) the cluster whose files live under `root`. If a server
    /// from an earlier run is still up on that directory, it is reused.
    /// `remove_on_exit` makes the watchdog delete `root` after the owner process is gone (tests).
    pub fn start(root: &Path, remove_on_exit: bool) -> anyhow::Result<Self> {
        let bin_dir = find_server_binaries()?;
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create the database directory {}", root.display()))?;
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", root.display()))?;
        let run_as = unprivileged_user()?;
        let mut cluster = Self {
            bin_dir,
            data_dir: root.join("data"),
            socket_dir: socket_dir_for(&root),
            run_as,
            started_here: false,
        };
        std::fs::create_dir_all(&cluster.socket_dir)?;
        if let Some((uid, gid)) = run_as {
            // The server user must own its files and reach them through every parent directory.
            nix::unistd::chown(&root, Some(uid), Some(gid))?;
            nix::unistd::chown(&cluster.socket_dir, Some(uid), Some(gid))?;
            if cluster.data_dir.exists() {
                nix::unistd::chown(&cluster.data_dir, Some(uid), Some(gid))?;
            }
            let status = cluster.command("test").args(["-w"]).arg(&root).status()?;
            if !status.success() {
                bail!(
                    "the postgres system user cannot reach {}: set TRACUU_DATABASE__DATA_DIR to a \
                     directory it can reach (e.g. under /var/tmp), or set DATABASE_URL",
                    root.display()
                );
            }
        }
        if !cluster.data_dir.join("PG_VERSION").exists() {
            tracing::info!(dir = %cluster.data_dir.display(), "initialising a private PostgreSQL cluster in {}", cluster.data_dir.display());
            let out = cluster
                .command(cluster.bin_dir.join("initdb"))
                .arg("-D")
                .arg(&cluster.data_dir)
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .output()
                .context("cannot run initdb")?;
            if !out.status.success() {
                bail!(
                    "initdb failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
        if cluster.is_running() {
            tracing::info!("reusing the private PostgreSQL cluster already running");
        } else {
            cluster.start_server()?;
            cluster.started_here = true;
            cluster.spawn_watchdog(&root, remove_on_exit)?;
        }
        Ok(cluster)
    }

    /// A connection string for `dbname` over the private socket.
    pub fn connection_string(&self, dbname: &str) -> String {
        format!(
            "host={} port={SOCKET_PORT} user=postgres dbname={dbname}",
            self.socket_dir.display()
        )
    }

    /// True when this process started the server (and so should stop it when done).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// Stops the server (fast shutdown: open sessions are ended, data is safe).
    pub fn stop(&self) -> anyhow::Result<()> {
        let out = self
            .command(self.bin_dir.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "fast", "-w", "stop"])
            .output()?;
        if !out.status.success() && self.is_running() {
            bail!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// Starts a stopped server again on the same files (used by outage tests).
    pub fn restart(&self) -> anyhow::Result<()> {
        self.start_server()
    }

    /// `pg_ctl start` on our socket directory, with the log beside the data directory; on failure
    /// the last log lines say why.
    fn start_server(&self) -> anyhow::Result<()> {
        let log = self.data_dir.with_file_name("postgres.log");
        let options = format!(
            "-p {SOCKET_PORT} -k {} -c listen_addresses='' -c max_connections=200",
            self.socket_dir.display()
        );
        let out = self
            .command(self.bin_dir.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            .output()
            .context("cannot run pg_ctl")?;
        if !out.status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            bail!(
                "the private PostgreSQL cluster did not start ({}); last log lines: {}",
                String::from_utf8_lossy(&out.stderr).trim(),
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            );
        }
        Ok(())
    }

    /// True when a server answers on this cluster's directory.
    pub fn is_running(&self) -> bool {
        self.command(self.bin_dir.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data_dir)
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid.as_raw()).gid(gid.as_raw());
        }
        command
    }

    /// A small shell loop that outlives us: when our process is gone it stops the server we
    /// started (and removes the directory for throwaway test clusters). It stops only that
    /// postmaster: if we stopped it ourselves and another command has started a new one on the
    /// same directory since, the new one is left alone.
    fn spawn_watchdog(&self, root: &Path, remove_on_exit: bool) -> anyhow::Result<()> {
        let pid = std::process::id();
        let pid_file = self.data_dir.join("postmaster.pid");
        let postmaster = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|text| text.lines().next().map(str::trim).map(str::to_owned))
            .filter(|line| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()))
            .context("cannot read the postmaster's PID")?;
        let mut script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; \
             if [ \"$(head -n 1 '{}' 2>/dev/null)\" = '{postmaster}' ]; then \
             '{}' -D '{}' -m fast -w stop >/dev/null 2>&1; fi",
            pid_file.display(),
            self.bin_dir.join("pg_ctl").display(),
            self.data_dir.display()
        );
        if remove_on_exit {
            script.push_str(&format!(
                "; rm -rf '{}' '{}'",
                root.display(),
                self.socket_dir.display()
            ));
        }
        let mut command = self.command("sh");
        command
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        command
            .spawn()
            .context("cannot start the database watchdog")?;
        Ok(())
    }
}

/// Finds the newest installed PostgreSQL server binaries, or says which package to install.
pub fn find_server_binaries() -> anyhow::Result<PathBuf> {
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    match candidates.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql: install them with \
             `apt-get install -y {SERVER_PACKAGE}`, or set DATABASE_URL to use an existing server"
        ),
    }
}

/// When running as root, the `postgres` system user (created by the Debian package).
fn unprivileged_user() -> anyhow::Result<Option<(nix::unistd::Uid, nix::unistd::Gid)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name("postgres")? {
        Some(user) => Ok(Some((user.uid, user.gid))),
        None => bail!(
            "running as root needs the `postgres` system user to run the private cluster: install \
             `{SERVER_PACKAGE}`, or run tracuu as an ordinary user"
        ),
    }
}

/// Unix socket paths are limited to about 107 bytes; fall back to /tmp for deep directories.
fn socket_dir_for(root: &Path) -> PathBuf {
    let preferred = root.join("run");
    if preferred.as_os_str().len() + "/.s.PGSQL.5432.lock".len() < 100 {
        return preferred;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root.as_os_str().as_encoded_bytes() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
    }
    let dir = PathBuf::from(format!("/tmp/tracuu-pg-{hash:016x}"));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    dir
}
