//! A load tool for a TLS 1.3 server on loopback: C concurrent clients, one
//! thread each, doing N handshakes each, full or resumed; optionally H idle
//! half-open TCP connections (connect, send nothing) held during the run.
//!
//! It prints, per run, a table of failures, handshakes per second, p50/p99
//! handshake latency, how many handshakes resumed, and the server's RSS
//! (VmRSS from /proc/PID/status) after the first 1,000 handshakes and at the
//! end; and for the idle connections, whether the server closed them and
//! when. It exits non-zero if any handshake failed.
//!
//! This is not a numbered example of the course: it is the tool behind the
//! hardening issue's targets (no failures, RSS steady, real clients served
//! while idle connections wait for the handshake deadline).
//!
//! ```text
//! cargo build --release --example load --bin minitls
//! # start the server itself, once per mode (full: --resumption off;
//! # stateful and stateless: resumed handshakes after each client's first):
//! target/release/examples/load --spawn target/release/minitls \
//!     --clients 200 --handshakes 50 --idle 300
//! # or drive a server that is already running (any TLS 1.3 server that
//! # echoes what it is sent and offers X25519 and Ed25519):
//! target/release/examples/load --addr 127.0.0.1:4433 --ca ca.pem --pid PID \
//!     --mode stateless
//! # or any web server (nginx, say: scripts/compare_nginx.sh does this),
//! # every measured handshake a resumption:
//! target/release/examples/load --addr 127.0.0.1:8443 --ca ca.pem \
//!     --exchange http --mode stateless --warmup
//! ```
//!
//! Each connection: TCP connect, handshake (the latency measured), send
//! "ping", read the echo (which also takes in the server's tickets), send
//! close_notify. With `--exchange http` it sends `GET / HTTP/1.0` instead
//! and reads the whole answer, so any web server can be driven: this is
//! how `scripts/compare_nginx.sh` drives nginx and `minitls server` alike.
//! The clock starts once every client thread is up (and, with `--warmup`,
//! has made one uncounted connection to fetch its first ticket).
//!
//! Every thread and socket is ours; the process needs about
//! `clients + idle` file descriptors (and the server as many): raise
//! `ulimit -n` first if the tool warns.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use minitls::pki::issue::DemoPki;
use minitls::pki::verify::TrustAnchors;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::stream::Stream;
use minitls::{ClientConfig, Connection};

#[derive(Parser)]
#[command(about = "Drive a TLS 1.3 server on loopback with concurrent clients")]
struct Args {
    /// Concurrent clients, one thread each.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Handshakes per client.
    #[arg(long, default_value_t = 50)]
    handshakes: usize,
    /// Idle half-open TCP connections (connect, send nothing) held open
    /// during the run, to see that the server's handshake deadline closes
    /// them while real clients are still served.
    #[arg(long, default_value_t = 0)]
    idle: usize,
    /// Which runs: full (no resumption), stateful or stateless (resumed
    /// after each client's first handshake), or all three. Against a
    /// running server (--addr) stateful and stateless are the same run:
    /// the client resumes with whatever tickets the server sends.
    #[arg(long, value_enum, default_value_t = Mode::All)]
    mode: Mode,
    /// What each connection does after its handshake: echo (send "ping",
    /// read it back: `minitls server` echoes) or http (send
    /// `GET / HTTP/1.0`, read the answer to its end, expect a 200).
    #[arg(long, value_enum, default_value_t = Exchange::Echo)]
    exchange: Exchange,
    /// Each client first makes one connection that is neither timed nor
    /// counted: in a resumed mode it fetches the ticket, so that every
    /// handshake measured is a resumption (and p99 is a resumption's).
    #[arg(long)]
    warmup: bool,
    /// Start this `minitls` binary as the server for each run (with a fresh
    /// demo PKI, and `--resumption off|stateful|stateless` to match).
    #[arg(long, conflicts_with_all = ["addr", "ca", "pid"])]
    spawn: Option<PathBuf>,
    /// Extra argument for the spawned server, repeatable
    /// (e.g. --server-arg=--handshake-timeout --server-arg=2).
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Address of a running server (instead of --spawn).
    #[arg(long, requires = "ca")]
    addr: Option<String>,
    /// CA certificate (PEM) the running server's certificate chains to.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Process ID of the running server, to read its RSS.
    #[arg(long)]
    pid: Option<u32>,
    /// Server name to send and verify.
    #[arg(long, default_value = "localhost")]
    server_name: String,
    /// Read the server's RSS once this many handshakes are done.
    #[arg(long, default_value_t = 1000)]
    rss_after: usize,
    /// After the clients finish, wait at most this many seconds (from
    /// their opening) for the server to close the idle connections.
    #[arg(long, default_value_t = 30)]
    idle_wait: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
enum Mode {
    Full,
    Stateful,
    Stateless,
    All,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Stateful => "stateful",
            Mode::Stateless => "stateless",
            Mode::All => "all",
        }
    }

    /// The spawned server's `--resumption`.
    fn server_resumption(self) -> &'static str {
        match self {
            Mode::Full => "off",
            other => other.name(),
        }
    }
}

/// `--exchange`: what a connection does after its handshake.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
enum Exchange {
    Echo,
    Http,
}

/// The server under load: where it is, and its PID for RSS.
struct Target {
    addr: String,
    pid: Option<u32>,
    anchors: TrustAnchors,
    /// The spawned server, killed when the run ends.
    child: Option<Child>,
    /// Lines of the spawned server's log that say a handshake deadline passed.
    deadline_closes: Arc<AtomicUsize>,
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What one run measured.
struct Report {
    mode: Mode,
    ok: usize,
    failed: usize,
    /// The first few failure messages, to say what went wrong.
    errors: Vec<String>,
    resumed: usize,
    elapsed: Duration,
    /// Handshake latencies, sorted.
    latencies: Vec<Duration>,
    rss_early: Option<u64>,
    rss_end: Option<u64>,
    idle: Option<IdleReport>,
    deadline_closes: Option<usize>,
}

/// What happened to the idle connections.
struct IdleReport {
    opened: usize,
    failed_to_open: usize,
    /// Seconds from opening to the server closing each one that it closed.
    closed_after: Vec<f64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    warn_about_fd_limit(args.clients + args.idle);
    let modes = match args.mode {
        Mode::All => vec![Mode::Full, Mode::Stateful, Mode::Stateless],
        one => vec![one],
    };
    let pki_dir = std::env::temp_dir().join(format!("minitls-load-{}", std::process::id()));
    let mut reports = Vec::new();
    for mode in modes {
        let target = match connect_target(&args, mode, &pki_dir) {
            Ok(target) => target,
            Err(e) => {
                eprintln!("load: {e}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "load: {} run against {} ({} clients x {} handshakes, {} idle)",
            mode.name(),
            target.addr,
            args.clients,
            args.handshakes,
            args.idle
        );
        reports.push(run(&args, mode, &target));
        // Dropping `target` stops a spawned server.
    }
    let _ = std::fs::remove_dir_all(&pki_dir);
    print_tables(&args, &reports);
    if reports.iter().any(|r| r.failed > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Soft limit on open files, from /proc/self/limits (Linux).
fn warn_about_fd_limit(needed: usize) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(soft) = soft
        && soft < needed + 64
    {
        eprintln!(
            "load: warning: `ulimit -n` is {soft}, this run needs about {} descriptors here \
             (and the server as many): raise it first",
            needed + 64
        );
    }
}

/// Start the server for `mode` (with --spawn) or take the running one.
fn connect_target(args: &Args, mode: Mode, pki_dir: &Path) -> Result<Target, String> {
    let Some(binary) = &args.spawn else {
        let addr = args
            .addr
            .clone()
            .ok_or("give --spawn BINARY or --addr ADDR --ca FILE")?;
        let ca = args.ca.as_ref().ok_or("--addr needs --ca")?;
        let pem = std::fs::read_to_string(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        let anchors = TrustAnchors::from_pem(&pem).map_err(|e| format!("{}: {e}", ca.display()))?;
        return Ok(Target {
            addr,
            pid: args.pid,
            anchors,
            child: None,
            deadline_closes: Arc::new(AtomicUsize::new(0)),
        });
    };
    if !pki_dir.join("server.pem").exists() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        DemoPki::generate(&mut minitls::crypto::os_rng(), &[&args.server_name], now)
            .write_to_dir(pki_dir)
            .map_err(|e| format!("cannot write the PKI to {}: {e}", pki_dir.display()))?;
    }
    let pem = std::fs::read_to_string(pki_dir.join("ca.pem")).map_err(|e| e.to_string())?;
    let anchors = TrustAnchors::from_pem(&pem).map_err(|e| e.to_string())?;
    let mut child = Command::new(binary)
        .args(["server", "--listen", "127.0.0.1:0", "--resumption"])
        .arg(mode.server_resumption())
        .arg("--cert")
        .arg(pki_dir.join("server.pem"))
        .arg("--key")
        .arg(pki_dir.join("server.key"))
        .args(&args.server_args)
        .env_remove("SSLKEYLOGFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let pid = child.id();
    let mut lines = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
    let prefix = "minitls server listening on ";
    // The first line says where it listens (or why it could not).
    let first = match lines.next() {
        Some(Ok(line)) => line,
        _ => {
            let _ = child.kill();
            return Err(format!("{} exited before listening", binary.display()));
        }
    };
    let Some(addr) = first.strip_prefix(prefix).map(str::to_string) else {
        let _ = child.kill();
        return Err(format!("the server said {first:?}"));
    };
    // Keep draining its log (one line per connection) so it never blocks
    // on a full pipe, counting the handshake deadline's closes.
    let deadline_closes = Arc::new(AtomicUsize::new(0));
    let counter = deadline_closes.clone();
    thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if line.contains("no handshake within") {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    Ok(Target {
        addr,
        pid: Some(pid),
        anchors,
        child: Some(child),
        deadline_closes,
    })
}

/// VmRSS of `pid` in KiB, from /proc/PID/status.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// What every client thread shares.
struct Shared {
    done: AtomicUsize,
    rss_early: Mutex<Option<u64>>,
    results: Mutex<Vec<Result<(Duration, bool), String>>>,
}

/// One run: idle connections first, then the clients, then the report.
/// The clock starts once every client thread is ready (after its
/// `--warmup` connection, if asked) and stops when the last one is done.
fn run(args: &Args, mode: Mode, target: &Target) -> Report {
    let idle = (args.idle > 0).then(|| IdleConnections::open(&target.addr, args.idle));
    let shared = Shared {
        done: AtomicUsize::new(0),
        rss_early: Mutex::new(None),
        results: Mutex::new(Vec::with_capacity(args.clients * args.handshakes)),
    };
    let ready = Barrier::new(args.clients + 1);
    let started = thread::scope(|scope| {
        for _ in 0..args.clients {
            scope.spawn(|| client_thread(args, mode, target, &shared, &ready));
        }
        ready.wait();
        Instant::now()
    });
    let elapsed = started.elapsed();
    let rss_end = target.pid.and_then(rss_kib);
    let idle = idle.map(|i| i.finish(Duration::from_secs(args.idle_wait)));
    let results = shared.results.into_inner().unwrap();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let (mut failed, mut resumed) = (0, 0);
    for result in results {
        match result {
            Ok((latency, was_resumed)) => {
                latencies.push(latency);
                resumed += usize::from(was_resumed);
            }
            Err(e) => {
                failed += 1;
                if errors.len() < 5 {
                    errors.push(e);
                }
            }
        }
    }
    latencies.sort();
    let rss_early = shared.rss_early.into_inner().unwrap();
    Report {
        mode,
        ok: latencies.len(),
        failed,
        errors,
        resumed,
        elapsed,
        latencies,
        rss_early,
        rss_end,
        idle,
        deadline_closes: target
            .child
            .is_some()
            .then(|| target.deadline_closes.load(Ordering::Relaxed)),
    }
}

/// One client: its own session cache (in a resumed mode), a `--warmup`
/// connection if asked, then, once every client is `ready`, `--handshakes`
/// connections one after another.
fn client_thread(args: &Args, mode: Mode, target: &Target, shared: &Shared, ready: &Barrier) {
    let mut config = ClientConfig::new(target.anchors.clone());
    // A full run offers no ticket even to a server that sends them (nginx;
    // ClientConfig::new keeps a cache by default).
    config.session_cache =
        (mode != Mode::Full).then(|| Arc::new(Mutex::new(ClientSessionCache::new(4))));
    let config = Arc::new(config);
    let connect = || one_connection(&target.addr, &config, &args.server_name, args.exchange);
    if args.warmup
        && let Err(e) = connect()
    {
        shared
            .results
            .lock()
            .unwrap()
            .push(Err(format!("warm-up: {e}")));
    }
    ready.wait();
    for _ in 0..args.handshakes {
        let result = connect();
        if shared.done.fetch_add(1, Ordering::AcqRel) + 1 == args.rss_after
            && let Some(pid) = target.pid
        {
            *shared.rss_early.lock().unwrap() = rss_kib(pid);
        }
        shared.results.lock().unwrap().push(result);
    }
}

/// One client connection: handshake (timed), a ping echoed or an HTTP
/// request answered, close_notify. Returns the handshake latency and
/// whether it resumed.
fn one_connection(
    addr: &str,
    config: &Arc<ClientConfig>,
    server_name: &str,
    exchange: Exchange,
) -> Result<(Duration, bool), String> {
    let started = Instant::now();
    let tcp = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    // As curl and browsers do. With Nagle's algorithm on, a full
    // handshake's next write can wait for the server's delayed ACK (40 ms
    // on Linux), which would measure the kernel's timers, not the server.
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    // Bounded: a server that stops answering is a failure, not a hang.
    tcp.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let conn = Connection::client(config.clone(), server_name).map_err(|e| e.to_string())?;
    let mut tls = Stream::new(conn, tcp);
    tls.handshake().map_err(|e| format!("handshake: {e}"))?;
    let latency = started.elapsed();
    match exchange {
        Exchange::Echo => ping(&mut tls)?,
        Exchange::Http => http_get(&mut tls, server_name)?,
    }
    let resumed = tls.conn.negotiated().resumed;
    let _ = tls.close();
    Ok((latency, resumed))
}

/// Sends "ping" and reads the echo (and with it the server's tickets).
fn ping(tls: &mut Stream<TcpStream>) -> Result<(), String> {
    tls.write_all(b"ping").map_err(|e| format!("write: {e}"))?;
    let mut echo = [0u8; 4];
    tls.read_exact(&mut echo)
        .map_err(|e| format!("read echo: {e}"))?;
    if &echo != b"ping" {
        return Err(format!("echo was {echo:?}"));
    }
    Ok(())
}

/// Sends `GET / HTTP/1.0` and reads the answer up to the server's
/// close_notify (tickets come before it); the status must be 200.
fn http_get(tls: &mut Stream<TcpStream>, server_name: &str) -> Result<(), String> {
    let request = format!("GET / HTTP/1.0\r\nHost: {server_name}\r\n\r\n");
    tls.write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer)
        .map_err(|e| format!("read answer: {e}"))?;
    let status = answer.split(|&b| b == b'\r').next().unwrap_or_default();
    if status != b"HTTP/1.0 200 OK" && status != b"HTTP/1.1 200 OK" {
        return Err(format!(
            "answer began {:?}",
            String::from_utf8_lossy(&status[..status.len().min(40)])
        ));
    }
    Ok(())
}

/// Half-open connections: TCP connected, nothing sent. A watcher thread
/// notes when the server closes each one.
struct IdleConnections {
    opened_at: Instant,
    opened: usize,
    failed_to_open: usize,
    stop: Arc<AtomicBool>,
    watcher: thread::JoinHandle<Vec<f64>>,
}

impl IdleConnections {
    fn open(addr: &str, count: usize) -> IdleConnections {
        let opened_at = Instant::now();
        let mut sockets = Vec::with_capacity(count);
        let mut failed_to_open = 0;
        for _ in 0..count {
            match TcpStream::connect(addr).and_then(|s| s.set_nonblocking(true).map(|()| s)) {
                Ok(s) => sockets.push(s),
                Err(_) => failed_to_open += 1,
            }
        }
        let opened = sockets.len();
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let stop = stop.clone();
            thread::spawn(move || watch_idle(sockets, opened_at, &stop))
        };
        IdleConnections {
            opened_at,
            opened,
            failed_to_open,
            stop,
            watcher,
        }
    }

    /// Waits until the server has closed them all, or `wait` from their
    /// opening has passed; then reports.
    fn finish(self, wait: Duration) -> IdleReport {
        let deadline = self.opened_at + wait;
        while !self.watcher.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        self.stop.store(true, Ordering::Relaxed);
        let closed_after = self.watcher.join().unwrap_or_default();
        IdleReport {
            opened: self.opened,
            failed_to_open: self.failed_to_open,
            closed_after,
        }
    }
}

/// Polls the idle sockets every 50 ms until all are closed or `stop`;
/// returns when each closed (seconds after `since`).
fn watch_idle(mut sockets: Vec<TcpStream>, since: Instant, stop: &AtomicBool) -> Vec<f64> {
    let mut closed_after = Vec::new();
    let mut buf = [0u8; 64];
    while !sockets.is_empty() && !stop.load(Ordering::Relaxed) {
        sockets.retain_mut(|s| match s.read(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => true,
            // End of stream or a reset: the server closed it. (Data would
            // be a protocol error from a server that got no ClientHello:
            // count that as closed too, it never waits on us.)
            _ => {
                closed_after.push(since.elapsed().as_secs_f64());
                false
            }
        });
        thread::sleep(Duration::from_millis(50));
    }
    closed_after
}

fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn ms(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0))
        .unwrap_or_else(|| "-".into())
}

fn kib(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn print_tables(args: &Args, reports: &[Report]) {
    println!(
        "\n{} clients x {} handshakes, {} idle half-open connections",
        args.clients, args.handshakes, args.idle
    );
    println!(
        "{:<10} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>12} {:>12} {:>7}",
        "mode",
        "ok",
        "failed",
        "resumed",
        "hs/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        format!("RSS@{} KiB", args.rss_after),
        "RSS end KiB",
        "growth"
    );
    for r in reports {
        let growth = match (r.rss_early, r.rss_end) {
            (Some(a), Some(b)) if a > 0 => format!("{:+.1}%", (b as f64 / a as f64 - 1.0) * 100.0),
            _ => "-".into(),
        };
        println!(
            "{:<10} {:>7} {:>7} {:>8} {:>8.0} {:>8} {:>8} {:>8} {:>12} {:>12} {:>7}",
            r.mode.name(),
            r.ok,
            r.failed,
            r.resumed,
            (r.ok + r.failed) as f64 / r.elapsed.as_secs_f64(),
            ms(percentile(&r.latencies, 50.0)),
            ms(percentile(&r.latencies, 99.0)),
            ms(r.latencies.last().copied()),
            kib(r.rss_early),
            kib(r.rss_end),
            growth
        );
    }
    if args.idle > 0 {
        println!(
            "\n{:<10} {:>7} {:>10} {:>10} {:>14} {:>14} {:>16}",
            "idle", "opened", "closed", "open", "first close s", "last close s", "server deadline"
        );
        for r in reports {
            let Some(idle) = &r.idle else { continue };
            let first = idle.closed_after.iter().copied().fold(f64::NAN, f64::min);
            let last = idle.closed_after.iter().copied().fold(f64::NAN, f64::max);
            let secs = |v: f64| {
                if v.is_nan() {
                    "-".to_string()
                } else {
                    format!("{v:.1}")
                }
            };
            println!(
                "{:<10} {:>7} {:>10} {:>10} {:>14} {:>14} {:>16}",
                r.mode.name(),
                idle.opened,
                idle.closed_after.len(),
                idle.opened - idle.closed_after.len(),
                secs(first),
                secs(last),
                r.deadline_closes
                    .map(|n| format!("{n} logged"))
                    .unwrap_or_else(|| "-".into())
            );
            if idle.failed_to_open > 0 {
                println!("  ({} could not be opened)", idle.failed_to_open);
            }
        }
    }
    for r in reports.iter().filter(|r| !r.errors.is_empty()) {
        println!("\n{} failures, first {}:", r.mode.name(), r.errors.len());
        for e in &r.errors {
            println!("  {e}");
        }
    }
}
