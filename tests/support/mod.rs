//! Helpers shared by the tests that start real processes (`tests/cli.rs`,
//! `tests/interop_openssl.rs`, `tests/interop_resumption.rs`,
//! `tests/wireshark.rs`): the built `minitls` binary, `openssl`, `curl` and
//! `tshark`.
//!
//! Every process here is bounded in time. One-shot commands go through
//! [`run`], which kills the child and fails the test after [`TIMEOUT`].
//! Servers live in a [`ServerProcess`], which kills its child when dropped,
//! so a failing assertion never leaves a server behind. Everything listens
//! on 127.0.0.1 only, on a port the OS picked, and every test writes its
//! files into its own [`TempDir`].

#![allow(dead_code)] // each test file uses its own subset

pub mod redis_server;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long any one process may run before the test gives up on it.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// How long a server may take to start listening.
pub const STARTUP: Duration = Duration::from_secs(10);

/// The `minitls` binary Cargo built for these tests.
pub fn minitls_bin() -> &'static str {
    env!("CARGO_BIN_EXE_minitls")
}

/// A `Command` for the `minitls` binary with these arguments.
pub fn minitls<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(minitls_bin());
    cmd.args(args);
    // The tests decide about key logs themselves.
    cmd.env_remove("SSLKEYLOGFILE");
    cmd
}

/// The scratch directory every test that writes files uses; defined once,
/// in the library's testing module.
pub use minitls::testing::TempDir;

// ---------------------------------------------------------------------------
// One-shot commands
// ---------------------------------------------------------------------------

/// What a finished command printed, and how it exited.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The command line, for failure messages.
    pub command: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// stdout then stderr, for searching output that tools split
    /// unpredictably between the two.
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics, showing everything, unless the command exited 0.
    pub fn assert_success(&self) -> &Output {
        assert!(self.success(), "expected success\n{self}");
        self
    }

    /// Panics, showing everything, unless the command exited non-zero.
    pub fn assert_failure(&self) -> &Output {
        assert!(!self.success(), "expected failure\n{self}");
        self
    }

    /// Panics unless stdout or stderr contains `needle`.
    pub fn assert_contains(&self, needle: &str) -> &Output {
        assert!(
            self.combined().contains(needle),
            "expected the output to contain {needle:?}\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- command: {}\n--- status: {} (after {:?})\n--- stdout:\n{}\n--- stderr:\n{}\n---",
            self.command, self.status, self.elapsed, self.stdout, self.stderr
        )
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Collects everything a pipe delivers into a shared buffer, in the
/// background, so the child never blocks on a full pipe.
fn collect<R: Read + Send + 'static>(mut pipe: R, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

fn text(buffer: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

/// Runs `cmd` to completion with `stdin` as its input (or /dev/null),
/// killing it and failing the test if it runs longer than [`TIMEOUT`].
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Output {
    run_with_timeout(cmd, stdin, TIMEOUT)
}

/// [`run`] with an explicit deadline.
pub fn run_with_timeout(cmd: &mut Command, stdin: Option<&[u8]>, timeout: Duration) -> Output {
    let command = describe(cmd);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    let writer = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_vec();
            // Dropping the pipe at the end of the thread closes the child's stdin.
            Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            }))
        }
        _ => None,
    };
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        collect(child.stdout.take().unwrap(), stdout.clone()),
        collect(child.stderr.take().unwrap(), stderr.clone()),
    ];
    let status = wait_with_deadline(&mut child, started + timeout);
    let elapsed = started.elapsed();
    let Some(status) = status else {
        let _ = child.kill();
        let status = child.wait().expect("wait after kill");
        panic!(
            "timed out after {timeout:?}, killed\n{}",
            Output {
                status,
                stdout: text(&stdout),
                stderr: text(&stderr),
                elapsed,
                command,
            }
        );
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    for reader in readers {
        let _ = reader.join();
    }
    Output {
        status,
        stdout: text(&stdout),
        stderr: text(&stderr),
        elapsed,
        command,
    }
}

/// Waits for `child` to exit, polling, until `deadline`. `None` if it is
/// still running then (the caller decides whether to kill it).
pub fn wait_with_deadline(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `openssl ARGS...` in `dir` and insists that it succeeds.
pub fn openssl_ok(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("openssl");
    cmd.args(args).current_dir(dir);
    let out = run(&mut cmd, None);
    out.assert_success();
    out
}

// ---------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------

/// A running server process, killed when dropped. Its stdout and stderr are
/// collected in the background and can be read at any time.
pub struct ServerProcess {
    child: Child,
    /// Held open so that a server reading its stdin never sees end-of-file.
    _stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    pub port: u16,
    pub command: String,
}

impl ServerProcess {
    fn spawn(cmd: &mut Command) -> ServerProcess {
        let command = describe(cmd);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        // The reader threads end when the child is killed and the pipes close.
        collect(child.stdout.take().unwrap(), stdout.clone());
        collect(child.stderr.take().unwrap(), stderr.clone());
        ServerProcess {
            _stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            port: 0,
            command,
        }
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn stdout(&self) -> String {
        text(&self.stdout)
    }

    pub fn stderr(&self) -> String {
        text(&self.stderr)
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("try_wait")
    }

    /// Waits (bounded by `timeout`) until the server's stderr contains
    /// `needle`; returns whether it did.
    pub fn wait_for_stderr(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.stderr().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything the server printed, for failure messages.
    pub fn report(&self) -> String {
        format!(
            "--- server: {}\n--- server stdout:\n{}\n--- server stderr:\n{}\n---",
            self.command,
            self.stdout(),
            self.stderr()
        )
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `minitls server --cert CERT --key KEY --listen 127.0.0.1:0 EXTRA...`
/// and learns its port from the "listening on" line it prints once bound.
/// That line comes after `bind`, so the port already accepts connections.
pub fn start_minitls_server(
    cert: &Path,
    key: &Path,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> ServerProcess {
    let mut cmd = minitls(["server", "--listen", "127.0.0.1:0", "--cert"]);
    cmd.arg(cert).arg("--key").arg(key).args(extra);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut server = ServerProcess::spawn(&mut cmd);
    let deadline = Instant::now() + STARTUP;
    let prefix = "minitls server listening on ";
    loop {
        let stderr = server.stderr();
        if let Some(line) = stderr.lines().find(|l| l.starts_with(prefix)) {
            // Only a complete line: the port may still be arriving.
            if stderr.contains(&format!("{line}\n")) {
                let addr: SocketAddr = line[prefix.len()..]
                    .trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("bad listening line {line:?}: {e}"));
                assert!(addr.ip().is_loopback(), "listening on {addr}");
                server.port = addr.port();
                return server;
            }
        }
        if let Some(status) = server.exited() {
            panic!(
                "minitls server exited early ({status})\n{}",
                server.report()
            );
        }
        if Instant::now() >= deadline {
            panic!(
                "minitls server did not start within {STARTUP:?}\n{}",
                server.report()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A port that was free a moment ago on 127.0.0.1. Whoever uses it must
/// cope with losing a race for it (see [`start_openssl_server`]).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// Polls a TCP connect to 127.0.0.1:`port` until it succeeds or `timeout`
/// passes; returns whether it succeeded.
///
/// A connect can succeed with nobody listening: when the kernel picks the
/// target port itself as the probe's own (ephemeral) port, the socket
/// connects to itself (TCP simultaneous open). [`free_port`]'s ports come
/// from the ephemeral range, so this happens now and then under load; such
/// a connection is not a server and does not count.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200))
            && stream.local_addr().ok() != Some(addr)
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Starts `openssl s_server -accept 127.0.0.1:PORT ARGS...` on a free port
/// and waits until it accepts connections. If another process takes the
/// port first, s_server exits and we retry with another port.
pub fn start_openssl_server(dir: &Path, args: &[&str]) -> ServerProcess {
    let mut last_report = String::new();
    for _attempt in 0..5 {
        let port = free_port();
        let mut cmd = Command::new("openssl");
        cmd.arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .args(args)
            .current_dir(dir);
        let mut server = ServerProcess::spawn(&mut cmd);
        server.port = port;
        let deadline = Instant::now() + STARTUP;
        while Instant::now() < deadline {
            if server.exited().is_some() {
                break;
            }
            // s_server prints ACCEPT once it listens. The probe connection
            // then makes it log a failed handshake; that is harmless, it goes
            // on to accept the next one.
            if server.stdout().contains("ACCEPT") && wait_for_port(port, Duration::from_millis(100))
            {
                return server;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        last_report = server.report();
        // `server` is dropped (killed) here; try another port.
    }
    panic!("openssl s_server did not start\n{last_report}");
}

// ---------------------------------------------------------------------------
// PKI and key logs
// ---------------------------------------------------------------------------

/// `openssl s_server -tls1_3 -cert server.pem -key server.key EXTRA...`
/// in `dir`, serving the PKI that `minitls cert --out` (see
/// [`minitls_cert`]) wrote there.
pub fn s_server_with_minitls_pki(dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut args = vec!["-tls1_3", "-cert", "server.pem", "-key", "server.key"];
    args.extend_from_slice(extra);
    start_openssl_server(dir, &args)
}

/// Runs `minitls cert --out DIR [--name NAME]...` and checks the four files.
pub fn minitls_cert(dir: &Path, names: &[&str]) {
    let mut cmd = minitls(["cert", "--out"]);
    cmd.arg(dir);
    for name in names {
        cmd.arg("--name").arg(name);
    }
    run(&mut cmd, None).assert_success();
    for file in ["ca.pem", "ca.key", "server.pem", "server.key"] {
        let path = dir.join(file);
        let len = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("minitls cert did not write {}: {e}", path.display()))
            .len();
        assert!(len > 0, "{} is empty", path.display());
    }
}

/// The lines of an NSS key log file, as (label, client random) -> secret,
/// all in lowercase hex. Comment lines are skipped.
pub fn parse_keylog(contents: &str) -> HashMap<(String, String), String> {
    let mut map = HashMap::new();
    for line in contents.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 3, "malformed key log line {line:?}");
        map.insert(
            (fields[0].to_string(), fields[1].to_ascii_lowercase()),
            fields[2].to_ascii_lowercase(),
        );
    }
    map
}

/// The four TLS 1.3 labels both sides must log.
pub const KEYLOG_LABELS: [&str; 4] = [
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
];

/// Reads a key log file until it holds all four labels for one client
/// random (a peer may write it a moment after the handshake), bounded.
pub fn read_keylog_when_complete(path: &Path) -> HashMap<(String, String), String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let contents = std::fs::read_to_string(path).unwrap_or_default();
        let map = parse_keylog(&contents);
        let complete = map.keys().any(|(_, random)| {
            KEYLOG_LABELS
                .iter()
                .all(|label| map.contains_key(&(label.to_string(), random.clone())))
        });
        if complete || Instant::now() >= deadline {
            return map;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks that two key logs hold the same four secrets for the same single
/// handshake (one client random, present in both).
pub fn assert_keylogs_agree(
    ours: &HashMap<(String, String), String>,
    theirs: &HashMap<(String, String), String>,
    context: &str,
) {
    let randoms = |log: &HashMap<(String, String), String>| {
        let mut r: Vec<String> = log.keys().map(|(_, random)| random.clone()).collect();
        r.sort();
        r.dedup();
        r
    };
    let our_randoms = randoms(ours);
    let their_randoms = randoms(theirs);
    let common: Vec<&String> = our_randoms
        .iter()
        .filter(|r| their_randoms.contains(r))
        .collect();
    assert_eq!(
        common.len(),
        1,
        "expected exactly one client random in both key logs\nminitls: {ours:#?}\nopenssl: {theirs:#?}\n{context}"
    );
    let random = common[0];
    assert_eq!(random.len(), 64, "client random is 32 bytes of hex");
    for label in KEYLOG_LABELS {
        let key = (label.to_string(), random.clone());
        let our = ours
            .get(&key)
            .unwrap_or_else(|| panic!("minitls key log lacks {label}: {ours:#?}\n{context}"));
        let their = theirs
            .get(&key)
            .unwrap_or_else(|| panic!("openssl key log lacks {label}: {theirs:#?}\n{context}"));
        assert_eq!(our.len(), 64, "{label}: SHA-256 secret is 32 bytes of hex");
        assert_eq!(
            our, their,
            "{label} differs between minitls and openssl\n{context}"
        );
    }
}

/// The HTTP request the interop tests send.
pub const HTTP_GET: &str = "GET / HTTP/1.0\r\n\r\n";
/// The same request as `minitls client --send` takes it (escapes expanded by minitls).
pub const HTTP_GET_ESCAPED: &str = "GET / HTTP/1.0\\r\\n\\r\\n";

/// `openssl s_client -tls1_3 ... -connect ADDR -ign_eof EXTRA...` in `dir`,
/// sending an HTTP request and reading until the server closes.
pub fn s_client(dir: &TempDir, server: &ServerProcess, extra: &[&str]) -> Output {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_client", "-tls1_3", "-CAfile"])
        .arg(dir.join("ca.pem"))
        .args(["-servername", "localhost", "-verify_return_error"])
        .args(["-connect", &server.addr(), "-ign_eof"])
        .args(extra);
    run(&mut cmd, Some(HTTP_GET.as_bytes()))
}

/// What `openssl s_client` prints for a full handshake with minitls.
pub const S_CLIENT_NEW: &str = "New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256";
/// What `openssl s_client` prints for a resumed one.
pub const S_CLIENT_REUSED: &str = "Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256";

/// A temporary path as a command-line argument.
pub fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// `minitls client ADDR --servername localhost --ca CA EXTRA...` in `dir`.
pub fn minitls_client(dir: &TempDir, server: &ServerProcess, extra: &[&str]) -> Output {
    let mut cmd = minitls([
        "client",
        &server.addr(),
        "--servername",
        "localhost",
        "--ca",
    ]);
    cmd.current_dir(dir.path())
        .arg(dir.join("ca.pem"))
        .args(extra);
    run(&mut cmd, None)
}

/// Whether `minitls client` printed "resumed: yes (...)"; panics if it
/// printed neither that nor "resumed: no".
pub fn client_resumed(out: &Output) -> bool {
    let line = out
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("resumed: "))
        .unwrap_or_else(|| panic!("no resumed line\n{out}"));
    line.starts_with("resumed: yes")
}

/// `minitls server` with the demo PKI in `dir` and these flags, expected
/// to refuse to start.
pub fn minitls_server_refuses(dir: &TempDir, extra: &[&str]) -> Output {
    let mut cmd = minitls(["server", "--listen", "127.0.0.1:0", "--cert"]);
    cmd.arg(dir.join("server.pem"))
        .arg("--key")
        .arg(dir.join("server.key"))
        .args(extra);
    let out = run(&mut cmd, None);
    out.assert_failure();
    out
}

/// A fleet of two, by hand: `openssl s_client -sess_out` against `one`
/// (a full handshake), then `-sess_in` against `two`. Returns the second
/// run, which printed either [`S_CLIENT_NEW`] or [`S_CLIENT_REUSED`].
pub fn s_client_across(dir: &TempDir, one: &ServerProcess, two: &ServerProcess) -> Output {
    let sess = dir.join("s_client.sess");
    let first = s_client(dir, one, &["-sess_out", path_arg(&sess)]);
    assert!(
        first.success() && sess.exists(),
        "{first}\n{}",
        one.report()
    );
    first.assert_contains(S_CLIENT_NEW);
    let second = s_client(dir, two, &["-sess_in", path_arg(&sess)]);
    assert!(second.success(), "{second}\n{}", two.report());
    let said = second.combined();
    assert!(
        said.contains(S_CLIENT_REUSED) || said.contains(S_CLIENT_NEW),
        "{second}"
    );
    second
}

/// The same with `minitls client --sess-out` against `one`, then
/// `--sess-in` (and `extra`) against `two`. Returns the second run.
pub fn minitls_client_across(
    dir: &TempDir,
    one: &ServerProcess,
    two: &ServerProcess,
    extra: &[&str],
) -> Output {
    let sess = dir.join("minitls.sess");
    let first = minitls_client(dir, one, &["--sess-out", path_arg(&sess)]);
    assert!(
        first.success() && sess.exists(),
        "{first}\n{}",
        one.report()
    );
    assert!(!client_resumed(&first), "{first}");
    let second = minitls_client(
        dir,
        two,
        &[&["--sess-in", path_arg(&sess)][..], extra].concat(),
    );
    assert!(second.success(), "{second}\n{}", two.report());
    second
}

/// The reasons a server gave, in its trace, for not resuming with an
/// offered ticket (each meaning a full handshake).
pub fn resumption_rejections(trace: &minitls::trace::Recorder) -> Vec<&'static str> {
    use minitls::trace::{RecordedEvent, ResumptionEvent};
    trace
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::Resumption(ResumptionEvent::Rejected { reason, .. }) => Some(reason),
            _ => None,
        })
        .collect()
}
