//! Early data (0-RTT) across implementations, as real processes over
//! loopback TCP (RFC 8446 §2.3, §4.2.10, §8):
//!
//! - `openssl s_client -sess_out`, then `-sess_in FILE -early_data FILE`
//!   against `minitls server --early-data`: accepted; and rejected (but
//!   resumed) by a second server that shares the ticket keys and has
//!   early data off;
//! - `minitls client --early` against `openssl s_server -early_data`:
//!   accepted; and, when the same saved ticket is used a second time,
//!   rejected by OpenSSL's anti-replay (a full handshake), with
//!   `--early-resend` sending the data after the handshake.
//!
//! The output strings checked are OpenSSL 3.0's and those of the `minitls`
//! command line (src/bin/minitls/).

mod support;

use std::process::Command;

use support::{
    HTTP_GET, Output, S_CLIENT_REUSED, ServerProcess, TempDir, minitls, minitls_cert,
    minitls_client, path_arg, run, s_client, s_server_with_minitls_pki, start_minitls_server,
};

/// `minitls server` with the PKI in `dir` and these flags.
fn minitls_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[])
}

/// The server's log lines for its connections, once `n` have been logged.
fn connection_lines(server: &ServerProcess, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    loop {
        let lines: Vec<String> = (server.stderr().lines())
            .filter(|l| l.contains(": TLSv1.3 "))
            .map(str::to_string)
            .collect();
        if lines.len() >= n || std::time::Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `openssl s_client -sess_in SESS -early_data EARLY` (the request as early
/// data), then `stdin` as ordinary data: s_client never resends rejected
/// early data itself (RFC 8446 §4.2.10 leaves that to the application).
fn s_client_early(
    dir: &TempDir,
    server: &ServerProcess,
    sess: &std::path::Path,
    stdin: &str,
) -> Output {
    let early = dir.join("early.txt");
    std::fs::write(&early, HTTP_GET).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_client", "-tls1_3", "-CAfile"])
        .arg(dir.join("ca.pem"))
        .args(["-servername", "localhost", "-verify_return_error"])
        .args(["-connect", &server.addr(), "-ign_eof"])
        .args(["-sess_in", path_arg(sess), "-early_data", path_arg(&early)]);
    run(&mut cmd, Some(stdin.as_bytes()))
}

#[test]
fn openssl_s_client_early_data_is_accepted_by_minitls_server() {
    let dir = TempDir::new("early-sclient-accepted");
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--early-data", "1024"]);
    let sess = dir.join("sess.pem");
    let first = s_client(&dir, &server, &["-sess_out", path_arg(&sess)]);
    assert!(
        first.success() && sess.exists(),
        "{first}\n{}",
        server.report()
    );
    // OpenSSL read the ticket's early_data extension.
    first.assert_contains("Max Early Data: 1024");

    let second = s_client_early(&dir, &server, &sess, "");
    let context = format!("{second}\n{}", server.report());
    assert!(second.success(), "{context}");
    assert!(second.combined().contains(S_CLIENT_REUSED), "{context}");
    assert!(
        second.combined().contains("Early data was accepted"),
        "{context}"
    );
    // The request went as early data; the page answers it.
    assert!(second.stdout.contains("HTTP/1.0 200 OK"), "{context}");
    let lines = connection_lines(&server, 2);
    assert!(
        lines[1].contains("resumed=yes (stateless, psk_dhe_ke)")
            && lines[1].ends_with(&format!("early_data=accepted({} bytes)", HTTP_GET.len())),
        "{context}"
    );
}

#[test]
fn openssl_s_client_early_data_is_rejected_by_minitls_server_with_early_data_off() {
    // Two servers share the ticket keys; only the first allows early data.
    // The second resumes the first's ticket but skips the early data
    // (RFC 8446 §4.2.10), and the handshake is 1-RTT.
    let dir = TempDir::new("early-sclient-rejected");
    minitls_cert(dir.path(), &[]);
    let keys = dir.join("ticket.keys");
    let mut new_keys = minitls(["ticket-keys", "new"]);
    new_keys.arg(&keys);
    run(&mut new_keys, None).assert_success();
    let keys = path_arg(&keys);
    let with_early = minitls_server(&dir, &["--ticket-keys", keys, "--early-data", "1024"]);
    let without = minitls_server(&dir, &["--ticket-keys", keys]);
    let sess = dir.join("sess.pem");
    let first = s_client(&dir, &with_early, &["-sess_out", path_arg(&sess)]);
    assert!(first.success() && sess.exists(), "{first}");
    first.assert_contains("Max Early Data: 1024");

    // The request again after the handshake, since the server skipped it.
    let second = s_client_early(&dir, &without, &sess, HTTP_GET);
    let context = format!("{second}\n{}", without.report());
    assert!(second.success(), "{context}");
    assert!(second.combined().contains(S_CLIENT_REUSED), "{context}");
    assert!(
        second.combined().contains("Early data was rejected"),
        "{context}"
    );
    let lines = connection_lines(&without, 1);
    assert!(
        lines[0].contains("resumed=yes (stateless, psk_dhe_ke)")
            && lines[0].ends_with("early_data=rejected"),
        "{context}"
    );
}

/// `openssl s_server -tls1_3 -early_data` with the PKI in `dir`: it prints
/// the early data it receives.
fn openssl_early_server(dir: &TempDir) -> ServerProcess {
    minitls_cert(dir.path(), &[]);
    s_server_with_minitls_pki(dir.path(), &["-early_data"])
}

#[test]
fn minitls_client_early_data_is_accepted_by_openssl_s_server() {
    let dir = TempDir::new("early-client-accepted");
    let server = openssl_early_server(&dir);
    let out = minitls_client(
        &dir,
        &server,
        &["--reconnect", "1", "--early", "hello from 0-RTT"],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    // The first connection has no ticket yet; the second sends early data.
    out.assert_contains("early_data: not sent (no ticket allowing early data)");
    out.assert_contains("resumed: yes (psk_dhe_ke)");
    out.assert_contains("early_data: accepted (16 bytes)");
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    while !server.stdout().contains("hello from 0-RTT") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let printed = server.stdout();
    assert!(printed.contains("Early data received"), "{context}");
    assert!(printed.contains("hello from 0-RTT"), "{context}");
}

#[test]
fn minitls_client_early_data_is_rejected_by_openssl_anti_replay_and_resent() {
    // OpenSSL's anti-replay lets a ticket carry early data once (RFC 8446
    // §8): the same saved ticket offered again resumes nothing, and the
    // early data is rejected; --early-resend sends it after the handshake.
    let dir = TempDir::new("early-client-rejected");
    let server = openssl_early_server(&dir);
    let sess = dir.join("sess.pem");
    let first = minitls_client(&dir, &server, &["--sess-out", path_arg(&sess)]);
    assert!(first.success(), "{first}\n{}", server.report());
    let early = ["--sess-in", path_arg(&sess), "--early", "once only"];
    let accepted = minitls_client(&dir, &server, &early);
    let context = format!("{accepted}\n{}", server.report());
    assert!(accepted.success(), "{context}");
    accepted.assert_contains("early_data: accepted (9 bytes)");

    let mut again = early.to_vec();
    again.push("--early-resend");
    let replayed = minitls_client(&dir, &server, &again);
    let context = format!("{replayed}\n{}", server.report());
    replayed.assert_contains("resumed: no");
    replayed.assert_contains("early_data: rejected (the server did not read it)");
    replayed.assert_contains("early data resent after the handshake");
    // s_server printed "once only" twice: as early data, then as data.
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    while server.stdout().matches("once only").count() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(server.stdout().matches("once only").count(), 2, "{context}");
}

#[test]
fn minitls_client_and_server_early_data_with_each_strategy() {
    let dir = TempDir::new("early-minitls-both");
    minitls_cert(dir.path(), &[]);
    for strategy in ["stateful", "stateless"] {
        let server = minitls_server(&dir, &["--resumption", strategy, "--early-data", "64"]);
        let out = minitls_client(
            &dir,
            &server,
            &["--reconnect", "1", "--early", support::HTTP_GET_ESCAPED],
        );
        let context = format!("{out}\n{}", server.report());
        assert!(out.success(), "{context}");
        out.assert_contains("early_data: not sent (no ticket allowing early data)");
        out.assert_contains(&format!("early_data: accepted ({} bytes)", HTTP_GET.len()));
        // The page answers the request that came as early data.
        out.assert_contains(&format!("resumed: yes ({strategy}, psk_dhe_ke)"));
    }
    // Early data off (the default): tickets do not allow it, nothing is sent.
    let server = minitls_server(&dir, &[]);
    let out = minitls_client(
        &dir,
        &server,
        &["--reconnect", "1", "--early", "x", "--early-resend"],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert_eq!(
        out.stdout
            .matches("early_data: not sent (no ticket allowing early data)")
            .count(),
        2,
        "{context}"
    );
    out.assert_contains("early data resent after the handshake");
}
