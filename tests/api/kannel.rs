//! A real Kannel for end-to-end tests: bearerbox and smsbox from the Debian packages `kannel` and
//! `kannel-extras` (scripts/test.sh installs them), on 127.0.0.1 ports probed free at run time,
//! with a generated configuration, and Kannel's fake SMSC client `fakesmsc` standing in for the
//! telco: lines written to its stdin are messages citizens send, the lines it prints are what
//! Kannel delivers to phones. Everything is killed when the value is dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FAKESMSC: &str = "/usr/lib/kannel/test/fakesmsc";

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A scratch directory removed when dropped (also when a test fails).
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    pub fn new(prefix: &str) -> Self {
        Self(std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple())))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The ports one Kannel uses.
#[derive(Debug, Clone, Copy)]
pub struct KannelPorts {
    pub admin: u16,
    pub smsbox: u16,
    pub smsc: u16,
    pub sendsms: u16,
}

impl KannelPorts {
    pub fn pick() -> Self {
        Self {
            admin: free_port(),
            smsbox: free_port(),
            smsc: free_port(),
            sendsms: free_port(),
        }
    }

    /// New internal ports, the same sendsms port (tracuu is configured with it): for a restart,
    /// since a port freed a moment ago may have been taken by someone else meanwhile.
    pub fn repick(self) -> Self {
        Self {
            sendsms: self.sendsms,
            ..Self::pick()
        }
    }
}

/// bearerbox + smsbox (+ fakesmsc once connected).
pub struct Kannel {
    dir: PathBuf,
    boxes: Vec<Child>,
    smsc: Option<FakeSmsc>,
}

/// The fake SMSC client: send messages, read what Kannel delivers.
pub struct FakeSmsc {
    child: Child,
    stdin: ChildStdin,
    lines: Arc<Mutex<Vec<String>>>,
    sent: u64,
}

fn binary(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        let path = Path::new(dir).join(name);
        if path.exists() {
            return path;
        }
    }
    panic!("{name} not found: install the Debian packages kannel and kannel-extras (scripts/test.sh does)");
}

fn stop(child: &mut Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn wait_listening(port: u16, what: &str, dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let tail = |text: String| {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    panic!(
        "{what} did not listen on 127.0.0.1:{port}\n== bearerbox.log\n{}\n== smsbox.log\n{}",
        tail(log("bearerbox.log")),
        tail(log("smsbox.log"))
    );
}

impl Kannel {
    /// Starts bearerbox, smsbox and fakesmsc with the shipped `deploy/kannel/kannel.conf`, its
    /// ports, log paths, tracuu address, secret and password replaced by the test's own.
    pub fn start(
        dir: &Path,
        ports: KannelPorts,
        tracuu: &str,
        secret: &str,
        password: &str,
    ) -> Self {
        std::fs::create_dir_all(dir).expect("kannel dir");
        let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/kannel/kannel.conf");
        let shipped = std::fs::read_to_string(shipped).expect("deploy/kannel/kannel.conf");
        let mut config = String::new();
        for line in shipped.lines() {
            let line = match line.split_once(" = ") {
                Some((key, _)) if key == "admin-port" => format!("{key} = {}", ports.admin),
                Some((key, _)) if key == "smsbox-port" || key == "bearerbox-port" => {
                    format!("{key} = {}", ports.smsbox)
                }
                Some((key, _)) if key == "port" => format!("{key} = {}", ports.smsc),
                Some((key, _)) if key == "sendsms-port" => format!("{key} = {}", ports.sendsms),
                _ => line
                    .replace("/var/log/kannel/", &format!("{}/", dir.display()))
                    .replace("http://127.0.0.1:8080", tracuu)
                    .replace("CHANGE-ME-SECRET", secret)
                    .replace("CHANGE-ME-PASSWORD", password),
            };
            config.push_str(&line);
            config.push('\n');
        }
        let conf = dir.join("kannel.conf");
        std::fs::write(&conf, config).expect("write kannel.conf");
        let mut kannel = Self {
            dir: dir.to_owned(),
            boxes: Vec::new(),
            smsc: None,
        };
        let spawn = |name: &str| {
            Command::new(binary(name))
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {name}: {e}"))
        };
        kannel.boxes.push(spawn("bearerbox"));
        wait_listening(ports.smsbox, "bearerbox", dir);
        wait_listening(ports.smsc, "bearerbox's fake SMSC", dir);
        kannel.boxes.push(spawn("smsbox"));
        wait_listening(ports.sendsms, "smsbox", dir);
        kannel.smsc = Some(FakeSmsc::connect(ports.smsc));
        kannel
    }

    /// The fake SMSC.
    pub fn smsc(&mut self) -> &mut FakeSmsc {
        self.smsc.as_mut().expect("fakesmsc")
    }

    /// The end of Kannel's logs, for failure messages.
    pub fn logs(&self) -> String {
        let smsc = self
            .smsc
            .as_ref()
            .map(FakeSmsc::transcript)
            .unwrap_or_default();
        ["bearerbox.log", "smsbox.log"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(self.dir.join(f)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                format!(
                    "== {f}\n{}",
                    lines[lines.len().saturating_sub(40)..].join("\n")
                )
            })
            .chain(std::iter::once(format!("== fakesmsc\n{smsc}")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        if let Some(mut smsc) = self.smsc.take() {
            stop(&mut smsc.child);
        }
        // smsbox first, then bearerbox.
        while let Some(mut child) = self.boxes.pop() {
            stop(&mut child);
        }
    }
}

impl FakeSmsc {
    fn connect(port: u16) -> Self {
        let mut child = Command::new(FAKESMSC)
            .args([
                "-H",
                "127.0.0.1",
                "-r",
                &port.to_string(),
                "-i",
                "0",
                "-m",
                "-1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start {FAKESMSC}: {e} (install kannel-extras; scripts/test.sh does)")
            });
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().expect("lines").push(line);
                }
            });
        }
        let stdin = child.stdin.take().expect("fakesmsc stdin");
        let smsc = Self {
            child,
            stdin,
            lines,
            sent: 0,
        };
        smsc.wait_for(|l| l.contains("Connecting to"), Duration::from_secs(10));
        // Give bearerbox a moment to register the connection before the first message.
        std::thread::sleep(Duration::from_millis(300));
        smsc
    }

    /// A citizen at `from` texts `text` (UTF-8) to `to`. With `ucs2` the message travels as
    /// UCS-2, as phones send Vietnamese with diacritics.
    pub fn send(&mut self, from: &str, to: &str, text: &str, ucs2: bool) {
        let line = if ucs2 {
            // Letters, digits and `.-_` as themselves, every other byte escaped: fakesmsc reads
            // its input line into a small buffer, so a line of only escapes is cut short.
            let encoded: String = text
                .encode_utf16()
                .flat_map(u16::to_be_bytes)
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{from} {to} ucs2 {encoded}\n")
        } else {
            format!("{from} {to} text {text}\n")
        };
        self.stdin
            .write_all(line.as_bytes())
            .expect("write to fakesmsc");
        self.stdin.flush().expect("flush fakesmsc");
        // fakesmsc select()s on stdin and then reads one line through stdio: a second line
        // written before it took the first would sit in its buffer. Wait until it sent this one.
        self.sent += 1;
        let sent = format!("sent message {}", self.sent);
        self.wait_for(|l| l.ends_with(&sent), Duration::from_secs(10));
    }

    /// Everything fakesmsc printed.
    pub fn transcript(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// Messages Kannel delivered so far: `(from, to, text)`.
    pub fn received(&self) -> Vec<(String, String, String)> {
        self.lines
            .lock()
            .expect("lines")
            .iter()
            .filter_map(|line| {
                let start = line.find("Got message")?;
                let rest = &line[start..];
                let body = rest.get(rest.find('<')? + 1..rest.rfind('>')?)?;
                let mut parts = body.splitn(4, ' ');
                let (from, to, kind, text) = (
                    parts.next()?,
                    parts.next()?,
                    parts.next()?,
                    parts.next().unwrap_or(""),
                );
                let text = if kind == "text" {
                    text.to_owned()
                } else {
                    format!("[{kind}] {text}")
                };
                Some((from.to_owned(), to.to_owned(), text))
            })
            .collect()
    }

    /// Waits until a printed line satisfies `check`.
    pub fn wait_for(&self, check: impl Fn(&str) -> bool, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self.lines.lock().expect("lines").iter().find(|l| check(l)) {
                return line.clone();
            }
            if Instant::now() > deadline {
                panic!(
                    "fakesmsc did not print the expected line; it printed:\n{}",
                    self.lines.lock().expect("lines").join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a delivered message satisfies `check`; returns it.
    pub async fn wait_for_message(
        &self,
        check: impl Fn(&(String, String, String)) -> bool,
        limit: Duration,
    ) -> Option<(String, String, String)> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(found) = self.received().into_iter().find(|m| check(m)) {
                return Some(found);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
