//! `minitls fleet` (issue 11, item 4): the shape of what it measures, the
//! book's table against what the command prints, and the balancer alone.
//!
//! The figures vary from run to run, so the checks are about shape: state
//! kept per server resumes rarely or never (the client offers its newest
//! ticket, issued by the previous server in the rotation), shared state
//! nearly always, a ticket sealed under the previous key still resumes
//! after a rotation, and restarting a server changes nothing for shared
//! state. The fleet runs once (small, bounded in time) for all the checks.

mod support;

#[path = "../src/bin/minitls/balancer.rs"]
mod balancer;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use support::{TempDir, minitls, run_with_timeout};

/// Connections per setup: enough for a rate, few enough for a debug build.
const CONNECTIONS: usize = 24;

/// What one run of `minitls fleet --json --markdown FILE` printed and wrote.
struct FleetRun {
    json: String,
    markdown: String,
}

/// The one run every test here reads.
fn fleet_run() -> &'static FleetRun {
    static RUN: OnceLock<FleetRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = TempDir::new("fleet");
        let markdown = dir.path().join("fleet.md");
        let connections = CONNECTIONS.to_string();
        let mut cmd = minitls(["fleet", "--servers", "3", "--connections", &connections]);
        cmd.arg("--json").arg("--markdown").arg(&markdown);
        let out = run_with_timeout(&mut cmd, None, Duration::from_secs(120));
        out.assert_success();
        FleetRun {
            json: out.stdout.clone(),
            markdown: std::fs::read_to_string(&markdown)
                .unwrap_or_else(|e| panic!("{}: {e}\n{out}", markdown.display())),
        }
    })
}

/// One setup's line of the JSON output (the command writes one per line).
fn row(key: &str) -> &'static str {
    let json = &fleet_run().json;
    json.lines()
        .find(|l| l.contains(&format!("\"key\": \"{key}\"")))
        .unwrap_or_else(|| panic!("no row {key} in\n{json}"))
}

/// The raw value of `"name": VALUE` in a flat JSON object line.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let tag = format!("\"{name}\": ");
    let start = line
        .find(&tag)
        .unwrap_or_else(|| panic!("no field {name} in {line}"))
        + tag.len();
    let rest = &line[start..];
    let end = if let Some(inside) = rest.strip_prefix('"') {
        1 + inside.find('"').expect("closing quote") + 1
    } else {
        rest.find([',', '}']).expect("end of value")
    };
    &rest[..end]
}

fn number(line: &str, name: &str) -> f64 {
    field(line, name)
        .parse()
        .unwrap_or_else(|e| panic!("{name} in {line}: {e}"))
}

/// (offered, resumed) for the whole run, before or after the restart.
fn counts(line: &str, suffix: &str) -> (f64, f64) {
    (
        number(line, &format!("offered{suffix}")),
        number(line, &format!("resumed{suffix}")),
    )
}

/// Rarely or never: at most a tenth of the offers.
fn assert_rarely(line: &str, suffix: &str) {
    let (offered, resumed) = counts(line, suffix);
    assert!(offered >= 5.0, "too few offers{suffix}: {line}");
    assert!(
        resumed * 10.0 <= offered,
        "resumed too often{suffix}: {line}"
    );
}

/// Nearly always: at least nine offers in ten.
fn assert_nearly_always(line: &str, suffix: &str) {
    let (offered, resumed) = counts(line, suffix);
    assert!(offered >= 5.0, "too few offers{suffix}: {line}");
    assert!(
        resumed * 10.0 >= offered * 9.0,
        "resumed too rarely{suffix}: {line}"
    );
}

/// Handshakes were timed and counted.
fn assert_timed(line: &str) {
    assert!(number(line, "handshakes_per_second") > 0.0, "{line}");
    assert!(number(line, "median_handshake_ms") > 0.0, "{line}");
}

#[test]
fn state_per_server_resumes_rarely_before_and_after_a_restart() {
    for key in ["stateful-per-server", "stateless-per-server"] {
        let line = row(key);
        assert_eq!(field(line, "measured"), "true", "{line}");
        assert_rarely(line, "");
        assert_rarely(line, "_after_restart");
        assert_timed(line);
    }
}

#[test]
fn shared_keys_resume_nearly_always_even_after_a_restart() {
    let line = row("stateless-shared");
    assert_eq!(field(line, "measured"), "true", "{line}");
    assert_nearly_always(line, "");
    assert_nearly_always(line, "_before_restart");
    assert_nearly_always(line, "_after_restart");
    assert_timed(line);
}

#[test]
fn after_a_rotation_tickets_under_the_previous_key_still_resume() {
    let line = row("stateless-rotated");
    assert_eq!(field(line, "previous_key_resumed"), "true", "{line}");
    assert_nearly_always(line, "");
    assert_nearly_always(line, "_after_restart");
}

#[test]
fn a_store_per_server_costs_bytes_per_session_and_tickets_only_keys() {
    let stateful = field(row("stateful-per-server"), "bytes_per_session");
    let bytes: usize = stateful
        .trim_matches('"')
        .parse()
        .unwrap_or_else(|e| panic!("bytes per session {stateful}: {e}"));
    // Something is kept, and within the store's budget per session.
    assert!(bytes > 0 && bytes <= minitls::resumption::store::BYTES_PER_SESSION);
    for key in ["stateless-per-server", "stateless-shared"] {
        assert!(field(row(key), "bytes_per_session").starts_with("\"0 "));
    }
}

#[test]
fn a_shared_redis_store_resumes_nearly_always_even_after_a_restart() {
    // `.ci/run` installs redis-server, and the fleet starts its own: this
    // row is always measured here, never skipped.
    let line = row("stateful-redis");
    assert_eq!(field(line, "measured"), "true", "{line}");
    assert_nearly_always(line, "");
    assert_nearly_always(line, "_before_restart");
    assert_nearly_always(line, "_after_restart");
    assert_timed(line);
    // Redis's own MEMORY USAGE: the encoded session and ID, plus its
    // bookkeeping, within a few hundred bytes.
    let bytes: usize = field(line, "bytes_per_session")
        .trim_matches('"')
        .parse()
        .unwrap_or_else(|e| panic!("bytes per session: {e}\n{line}"));
    assert!((100..=1024).contains(&bytes), "{line}");
}

#[test]
fn without_redis_server_the_redis_row_says_how_to_install_it() {
    // An empty PATH: no redis-server to find (the fleet needs no other
    // program).
    let dir = TempDir::new("fleet-no-redis");
    let mut cmd = minitls(["fleet", "--servers", "2", "--connections", "4", "--json"]);
    cmd.env("PATH", dir.path());
    let out = run_with_timeout(&mut cmd, None, Duration::from_secs(120));
    out.assert_success();
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("\"key\": \"stateful-redis\""))
        .unwrap_or_else(|| panic!("no Redis row\n{out}"));
    assert_eq!(field(line, "measured"), "false", "{line}");
    assert!(
        field(line, "note").contains("apt-get install redis-server"),
        "{line}"
    );
}

/// The lines of a Markdown table, split into trimmed cells.
fn table(markdown: &str) -> Vec<Vec<String>> {
    markdown
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The book includes `book/src/generated/fleet.md`, written by a real run
/// of `minitls fleet --markdown`. The figures in it are that run's; this
/// test fails when the command's table no longer has the committed
/// file's shape: the same header, the same setups in the same order, the
/// same number of cells. Regenerate with
/// `cargo run -- fleet --markdown book/src/generated/fleet.md`.
#[test]
fn the_book_table_has_the_shape_the_command_prints() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/generated/fleet.md");
    let committed = std::fs::read_to_string(&committed_path)
        .unwrap_or_else(|e| panic!("{}: {e}", committed_path.display()));
    let printed = table(&fleet_run().markdown);
    let committed = table(&committed);
    let regenerate = "regenerate: cargo run -- fleet --markdown book/src/generated/fleet.md";
    assert!(
        printed.len() >= 3,
        "no table printed:\n{}",
        fleet_run().markdown
    );
    assert_eq!(committed.len(), printed.len(), "rows differ; {regenerate}");
    assert_eq!(committed[0], printed[0], "header differs; {regenerate}");
    for (c, p) in committed.iter().zip(&printed).skip(2) {
        assert_eq!(c[0], p[0], "setups differ; {regenerate}");
        assert_eq!(c.len(), p.len(), "cells of {} differ; {regenerate}", p[0]);
    }
}

// ---------------------------------------------------------------------------
// The balancer alone
// ---------------------------------------------------------------------------

/// How long any step of the balancer tests may wait.
const WAIT: Duration = Duration::from_secs(5);

/// A backend that greets each connection with its number, echoes what it
/// reads, and closes after echoing "bye". It reports each connection's end
/// as (its number, the bytes it read).
fn backend(number: u8, ended: mpsc::Sender<(u8, usize)>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { return };
            let ended = ended.clone();
            std::thread::spawn(move || {
                tcp.set_read_timeout(Some(WAIT)).expect("timeout");
                let _ = tcp.write_all(&[number]);
                let mut total = 0;
                let mut buf = [0u8; 4096];
                while let Ok(n) = tcp.read(&mut buf) {
                    if n == 0 || tcp.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    total += n;
                    if buf[..n].ends_with(b"bye") {
                        break;
                    }
                }
                let _ = ended.send((number, total));
            });
        }
    });
    addr
}

fn client(balancer: &balancer::Balancer) -> TcpStream {
    let tcp = TcpStream::connect_timeout(&balancer.addr(), WAIT).expect("connect");
    tcp.set_read_timeout(Some(WAIT)).expect("timeout");
    tcp
}

#[test]
fn the_balancer_takes_backends_in_turn_and_copies_both_ways() {
    let (ended, ends) = mpsc::channel();
    let backends: Vec<SocketAddr> = (0..3).map(|n| backend(n, ended.clone())).collect();
    let balancer = balancer::Balancer::start(backends).expect("balancer");
    let mut greeted = Vec::new();
    for i in 0..6 {
        let mut tcp = client(&balancer);
        let mut number = [0u8; 1];
        tcp.read_exact(&mut number).expect("greeting");
        greeted.push(number[0]);
        // More than one copy buffer, so the copy loops more than once.
        let payload: Vec<u8> = (0..balancer::BUFFER * 3 + 7)
            .map(|b| (b + i) as u8)
            .collect();
        tcp.write_all(&payload).expect("send");
        let mut echo = vec![0u8; payload.len()];
        tcp.read_exact(&mut echo).expect("echo");
        assert!(echo == payload, "the echo through the balancer differs");
        // The client closes: the backend must see its end.
        drop(tcp);
        let (number, read) = ends.recv_timeout(WAIT).expect("backend saw the close");
        assert_eq!((number, read), (greeted[i], payload.len()));
    }
    assert_eq!(greeted, [0, 1, 2, 0, 1, 2], "round robin");
}

#[test]
fn the_balancer_closes_the_client_when_the_backend_closes() {
    let (ended, ends) = mpsc::channel();
    let balancer = balancer::Balancer::start(vec![backend(7, ended)]).expect("balancer");
    let mut tcp = client(&balancer);
    tcp.write_all(b"bye").expect("send");
    let mut got = Vec::new();
    // read_to_end returns only at end of stream; the read time-out bounds it.
    tcp.read_to_end(&mut got)
        .expect("end of stream, not a time-out");
    assert_eq!(got, b"\x07bye");
    assert_eq!(ends.recv_timeout(WAIT).expect("backend ended"), (7, 3));
}

#[test]
fn a_balancer_needs_a_backend() {
    assert!(balancer::Balancer::start(Vec::new()).is_err());
}
