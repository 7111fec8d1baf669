//! What both benchmark files share: one PKI, rustls configured like minitls,
//! byte pumps for rustls pairs (on the library's driving loop,
//! `minitls::testing::drive_until_quiet`), and the ratio table.
//!
//! Each bench file uses only part of this, hence the `allow(dead_code)`.
#![allow(dead_code)]

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use minitls::pki::issue::DemoPki;
use minitls::testing::{SeededRng, drive_until_quiet};
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring::{self, cipher_suite, kx_group};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

/// A demo PKI for "localhost" issued at the real current time: rustls checks
/// certificate validity against the real clock, and minitls's default
/// configs use the system clock too, so both accept it.
pub fn pki_now() -> DemoPki {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    DemoPki::generate(&mut SeededRng::new(1), &["localhost"], now)
}

/// Whether this run measures (`cargo bench`) rather than smoke-tests
/// (`cargo test --benches`, where criterion runs each benchmark once) or
/// lists (`-- --list`). The ratio table is printed only when measuring.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

/// A profiling run, asked for with `MINITLS_BENCH_PROFILE=NAME:CALLS`
/// (for example `minitls/full:100`, `floor/full:100`, `minitls/16KiB:1000`):
/// the bench then skips criterion and the ratio table and makes only
/// `CALLS` calls of the one runner named `NAME`, so that
/// `valgrind --tool=callgrind` counts the instructions of that case alone.
/// Two runs with different `CALLS` give the cost of one call by
/// difference, setup excluded.
pub fn profile_request() -> Option<(String, u32)> {
    let request = std::env::var("MINITLS_BENCH_PROFILE").ok()?;
    let (name, calls) = request
        .rsplit_once(':')
        .expect("MINITLS_BENCH_PROFILE is NAME:CALLS");
    let calls = calls.parse().expect("CALLS is a number");
    Some((name.to_string(), calls))
}

/// Run `calls` calls of the runner `name` (`minitls/CASE`, `rustls/CASE`
/// or `floor/CASE`) among `rows`; see [`profile_request`].
pub fn run_profile(rows: &mut [Row<'_>], name: &str, calls: u32) {
    let (column, case) = name
        .split_once('/')
        .expect("a profile NAME is minitls/CASE, rustls/CASE or floor/CASE");
    let row = rows
        .iter_mut()
        .find(|row| row.case == case)
        .unwrap_or_else(|| panic!("no case {case}"));
    let runner = match column {
        "minitls" => &mut row.minitls,
        "floor" => &mut row.floor,
        "rustls" => row.rustls.as_mut().expect("rustls runs this case"),
        other => panic!("no column {other}"),
    };
    for _ in 0..calls {
        runner();
    }
    eprintln!("profile: {calls} calls of {name}");
}

// ---------------------------------------------------------------------------
// rustls, cut down to what minitls speaks
// ---------------------------------------------------------------------------

/// rustls's ring provider with only TLS_CHACHA20_POLY1305_SHA256 and X25519.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        cipher_suites: vec![cipher_suite::TLS13_CHACHA20_POLY1305_SHA256],
        kx_groups: vec![kx_group::X25519],
        ..ring::default_provider()
    })
}

/// A TLS 1.3-only rustls client trusting the demo CA, with no resumption.
pub fn rustls_client_config(pki: &DemoPki) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.ca_cert.clone()))
        .expect("rustls accepts the demo CA as a root");
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    config
}

/// A TLS 1.3-only rustls server with the demo Ed25519 certificate, sending
/// no tickets (set `send_tls13_tickets` and a store or ticketer to resume).
pub fn rustls_server_config(pki: &DemoPki) -> rustls::ServerConfig {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        minitls::pki::pem::encode_ed25519_pkcs8(&pki.server_key),
    ));
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3 with our suite is a valid rustls config")
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(pki.server_cert.clone())], key)
        .expect("rustls accepts the demo Ed25519 key");
    config.send_tls13_tickets = 0;
    config
}

/// A fresh rustls client and server connection from shared configs.
pub fn rustls_pair(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<rustls::ServerConfig>,
) -> (rustls::Connection, rustls::Connection) {
    let name = ServerName::try_from("localhost").expect("a valid DNS name");
    let c = rustls::ClientConnection::new(client.clone(), name).expect("rustls client starts");
    let s = rustls::ServerConnection::new(server.clone()).expect("rustls server starts");
    (c.into(), s.into())
}

/// Move everything `from` wants to write into `to`. Returns the byte count.
pub fn rustls_transfer(
    from: &mut rustls::Connection,
    to: &mut rustls::Connection,
    buf: &mut Vec<u8>,
) -> usize {
    buf.clear();
    while from.wants_write() {
        from.write_tls(buf).expect("writing to a Vec cannot fail");
    }
    let mut rest = &buf[..];
    while !rest.is_empty() {
        to.read_tls(&mut rest)
            .expect("reading from a slice cannot fail");
        to.process_new_packets()
            .expect("rustls accepts the records");
    }
    buf.len()
}

/// Pump bytes both ways until neither side has anything to send (this also
/// delivers the server's NewSessionTickets to the client).
pub fn rustls_drive(client: &mut rustls::Connection, server: &mut rustls::Connection) {
    let mut buf = Vec::with_capacity(4096);
    let Ok(()) = drive_until_quiet(|| {
        Ok::<_, Infallible>(
            rustls_transfer(client, server, &mut buf) + rustls_transfer(server, client, &mut buf),
        )
    });
}

// ---------------------------------------------------------------------------
// The ratio table
// ---------------------------------------------------------------------------

/// Something to time: one call is one handshake (or one record).
pub type Runner<'a> = Box<dyn FnMut() + 'a>;

/// One row of the table: a case, and what measures it in each column.
pub struct Row<'a> {
    pub case: &'static str,
    pub minitls: Runner<'a>,
    /// `None` where rustls cannot do the case.
    pub rustls: Option<Runner<'a>>,
    pub floor: Runner<'a>,
}

/// Time every runner for `iters` calls, `rounds` times, visiting the rows in
/// turn within each round so that a noisy moment on this shared machine hits
/// all cases alike; then print a table of the medians.
///
/// Each ratio is the median of the round-by-round ratios: minitls and the
/// floor (or rustls) of one round are timed one right after the other, so a
/// slow stretch of the machine that lasts a round moves both and cancels in
/// their ratio, where dividing one column's median by another's could pair
/// times taken in different stretches. (Noise that hits one of the two
/// alone moves that round's ratio, up or down, and the median sets it aside.)
///
/// Criterion gives each benchmark its own statistics but never relates one
/// benchmark to another, and on a shared 2-core machine only ratios of
/// numbers taken in the same stretch of time mean anything.
pub fn print_ratio_table(title: &str, unit: &str, rows: &mut [Row<'_>], rounds: usize, iters: u32) {
    let mut times: Vec<[Vec<f64>; 3]> = rows.iter().map(|_| Default::default()).collect();
    for _ in 0..rounds {
        for (row, t) in rows.iter_mut().zip(times.iter_mut()) {
            t[0].push(time_per_call(&mut row.minitls, iters));
            if let Some(r) = row.rustls.as_mut() {
                t[1].push(time_per_call(r, iters));
            }
            t[2].push(time_per_call(&mut row.floor, iters));
        }
    }
    println!();
    println!(
        "{title}: {rounds} interleaved rounds x {iters} calls, {unit} per call (medians), \
         ratios the median of the rounds' ratios"
    );
    // The first column is as wide as the longest case name.
    let w = rows
        .iter()
        .map(|row| row.case.len())
        .fold("case".len(), usize::max);
    println!(
        "| {:<w$} | {:>9} | {:>9} | {:>9} | {:>13} | {:>14} | {:>12} |",
        "case", "minitls", "rustls", "floor", "minitls/floor", "minitls/rustls", "rustls/floor"
    );
    println!(
        "|{}|-----------|-----------|-----------|---------------|----------------|--------------|",
        "-".repeat(w + 2)
    );
    for (row, [m, r, f]) in rows.iter().zip(times.iter()) {
        let na = || "n/a".to_string();
        let rustls = !r.is_empty();
        println!(
            "| {:<w$} | {:>9.1} | {:>9} | {:>9.1} | {:>12.2}x | {:>14} | {:>12} |",
            row.case,
            median(m),
            if rustls {
                format!("{:.1}", median(r))
            } else {
                na()
            },
            median(f),
            median_ratio(m, f),
            if rustls {
                format!("{:.2}x", median_ratio(m, r))
            } else {
                na()
            },
            if rustls {
                format!("{:.2}x", median_ratio(r, f))
            } else {
                na()
            },
        );
    }
    println!();
}

/// The median over rounds of `a[i] / b[i]`.
fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
    median(&ratios)
}

/// Microseconds per call of `f`, over `iters` calls.
fn time_per_call(f: &mut Runner<'_>, iters: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    black_box(());
    start.elapsed().as_secs_f64() * 1e6 / f64::from(iters)
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
