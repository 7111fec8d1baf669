//! Session resumption across implementations, as real processes over
//! loopback TCP (RFC 8446 §2.2, §4.2.11, §4.6.1):
//!
//! - `openssl s_client -sess_out`/`-sess_in` against `minitls server` with
//!   each `--resumption` strategy;
//! - `minitls client --sess-out`/`--sess-in`/`--reconnect` against
//!   `openssl s_server`, whose default tickets are stateless, whose
//!   `-no_ticket` tickets are IDs into a server-side cache, and whose
//!   `-allow_no_dhe_kex` accepts psk_ke;
//! - `minitls client` against `minitls server` over TCP, in both PSK modes;
//! - a restarted server, which has forgotten its store or its ticket key:
//!   the old ticket must lead to a full handshake, never to a failure.
//!
//! The output strings checked are OpenSSL 3.0's and those of the `minitls`
//! command line (src/bin/minitls/).

mod support;

use support::{
    HTTP_GET_ESCAPED, Output, S_CLIENT_NEW, S_CLIENT_REUSED, ServerProcess, TempDir, minitls_cert,
    minitls_client, path_arg, s_client, s_server_with_minitls_pki, start_minitls_server,
};

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/// A `minitls server` with the PKI in `dir` (made by [`minitls_cert`]).
fn minitls_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[])
}

/// `openssl s_server -tls1_3 -www` with the PKI in `dir`.
fn openssl_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    s_server_with_minitls_pki(dir.path(), &[&["-www"], extra].concat())
}

// ---------------------------------------------------------------------------
// What the output says
// ---------------------------------------------------------------------------

/// The summaries `minitls client` printed, one per connection: its stdout
/// cut at the `--- reconnect N ---` separators (which must count up from 1).
fn connections(out: &Output) -> Vec<String> {
    let mut sections = vec![String::new()];
    for line in out.stdout.lines() {
        if let Some(n) = line
            .strip_prefix("--- reconnect ")
            .and_then(|rest| rest.strip_suffix(" ---"))
        {
            assert_eq!(
                n.parse::<usize>().ok(),
                Some(sections.len()),
                "separators out of order\n{out}"
            );
            sections.push(String::new());
        } else {
            let section = sections.last_mut().unwrap();
            section.push_str(line);
            section.push('\n');
        }
    }
    sections
}

/// Panics unless `section` has the line `line` (trimmed).
fn assert_line(section: &str, line: &str, context: &str) {
    assert!(
        section.lines().any(|l| l.trim() == line),
        "expected the line {line:?} in\n{section}\n{context}"
    );
}

fn assert_no_line(section: &str, line: &str, context: &str) {
    assert!(
        !section.lines().any(|l| l.trim() == line),
        "did not expect the line {line:?} in\n{section}\n{context}"
    );
}

/// A full handshake, as `minitls client` reports it.
fn assert_full(section: &str, hello_retry_request: bool, context: &str) {
    assert_line(section, "resumed: no", context);
    assert_line(section, "group: x25519", context);
    assert_line(section, "signature: ed25519", context);
    assert_line(section, "peer: CN=localhost", context);
    let hrr = if hello_retry_request { "yes" } else { "no" };
    assert_line(section, &format!("hello_retry_request: {hrr}"), context);
}

/// A resumed handshake in `mode` ("psk_dhe_ke" or "psk_ke"), as `minitls
/// client` reports it: no certificate, no signature, and a key exchange
/// only in psk_dhe_ke.
fn assert_resumed(section: &str, mode: &str, context: &str) {
    assert_line(section, &format!("resumed: yes ({mode})"), context);
    assert_line(section, "signature: none (resumed)", context);
    assert_line(section, "hello_retry_request: no", context);
    let group = if mode == "psk_ke" {
        "group: none (psk_ke)"
    } else {
        "group: x25519"
    };
    assert_line(section, group, context);
}

/// How many tickets the client said it received in `section`.
fn tickets_received(section: &str, context: &str) -> usize {
    section
        .lines()
        .find_map(|l| l.strip_prefix("tickets received: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no \"tickets received\" line in\n{section}\n{context}"))
}

/// Waits (bounded) for the minitls server to log `count` connections and
/// returns its per-connection lines, in order.
fn server_connection_lines(server: &ServerProcess, count: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + support::STARTUP;
    loop {
        let lines: Vec<String> = server
            .stderr()
            .lines()
            .filter(|l| l.starts_with("127.0.0.1:") && l.contains(": TLSv1.3 "))
            .map(str::to_string)
            .collect();
        if lines.len() >= count || std::time::Instant::now() >= deadline {
            assert_eq!(
                lines.len(),
                count,
                "expected {count} connections logged\n{}",
                server.report()
            );
            return lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------
// 1. openssl s_client resumes with minitls server
// ---------------------------------------------------------------------------

/// s_client saves a ticket from `minitls server --resumption STRATEGY` and
/// resumes with it; returns the server and the session file for more.
fn s_client_resumes(dir: &TempDir, strategy: &str) -> (ServerProcess, std::path::PathBuf) {
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(dir, &["--resumption", strategy]);
    let sess = dir.join("sess.pem");

    let first = s_client(dir, &server, &["-sess_out", path_arg(&sess)]);
    let context = format!("{first}\n{}", server.report());
    assert!(first.success(), "{context}");
    first.assert_contains(S_CLIENT_NEW);
    assert!(first.stdout.contains("resumed: no"), "{context}");
    assert!(
        sess.exists(),
        "s_client wrote no session: minitls sent no ticket?\n{context}"
    );

    let second = s_client(dir, &server, &["-sess_in", path_arg(&sess)]);
    let context = format!("{second}\n{}", server.report());
    assert!(second.success(), "{context}");
    assert!(
        second.combined().contains(S_CLIENT_REUSED),
        "s_client did not resume\n{context}"
    );
    assert!(
        second
            .stdout
            .contains(&format!("resumed: yes ({strategy}, psk_dhe_ke)")),
        "minitls's page does not say it resumed\n{context}"
    );
    let lines = server_connection_lines(&server, 2);
    assert!(
        lines[0].contains("x25519 resumed=no sni=localhost"),
        "{context}"
    );
    assert!(
        lines[1].contains(&format!(
            "x25519 resumed=yes ({strategy}, psk_dhe_ke) sni=localhost"
        )),
        "{context}"
    );
    (server, sess)
}

#[test]
fn openssl_s_client_resumes_with_minitls_stateful_server() {
    let dir = TempDir::new("res-sclient-stateful");
    let (server, sess) = s_client_resumes(&dir, "stateful");
    // The store hands each session out once (RFC 8446 §8.1): the same
    // ticket a second time finds nothing, and the handshake is a full one.
    let third = s_client(&dir, &server, &["-sess_in", path_arg(&sess)]);
    let context = format!("{third}\n{}", server.report());
    assert!(third.success(), "{context}");
    assert!(third.combined().contains(S_CLIENT_NEW), "{context}");
    assert!(third.stdout.contains("resumed: no"), "{context}");
}

#[test]
fn openssl_s_client_resumes_with_minitls_stateless_server() {
    let dir = TempDir::new("res-sclient-stateless");
    let (server, sess) = s_client_resumes(&dir, "stateless");
    // A sealed ticket is not consumed by the server (it keeps nothing to
    // consume), so the same ticket resumes again.
    let third = s_client(&dir, &server, &["-sess_in", path_arg(&sess)]);
    let context = format!("{third}\n{}", server.report());
    assert!(third.success(), "{context}");
    assert!(third.combined().contains(S_CLIENT_REUSED), "{context}");
    assert!(
        third
            .stdout
            .contains("resumed: yes (stateless, psk_dhe_ke)"),
        "{context}"
    );
}

#[test]
fn openssl_s_client_gets_nothing_to_resume_from_minitls_server_without_resumption() {
    let dir = TempDir::new("res-sclient-off");
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--resumption", "off"]);
    let sess = dir.join("sess.pem");
    let first = s_client(&dir, &server, &["-sess_out", path_arg(&sess)]);
    let context = format!("{first}\n{}", server.report());
    assert!(first.success(), "{context}");
    first.assert_contains(S_CLIENT_NEW);
    assert!(first.stdout.contains("resumed: no"), "{context}");
    // OpenSSL 3.0 writes -sess_out only from its new-session callback,
    // which in TLS 1.3 runs for each NewSessionTicket: no ticket, no file.
    assert!(
        !sess.exists(),
        "s_client saved a session though minitls sent no ticket\n{context}"
    );
    // So there is nothing to resume with: s_client refuses to start.
    let second = s_client(&dir, &server, &["-sess_in", path_arg(&sess)]);
    assert!(!second.success(), "{second}");
    second.assert_contains("Can't open session file");

    // A good ticket from another minitls server (same certificate, so
    // s_client offers it happily) means nothing to a server without
    // resumption: it ignores the pre_shared_key and does a full handshake.
    let other = minitls_server(&dir, &["--resumption", "stateless"]);
    let got = s_client(&dir, &other, &["-sess_out", path_arg(&sess)]);
    assert!(got.success() && sess.exists(), "{got}\n{}", other.report());
    let offered = s_client(&dir, &server, &["-sess_in", path_arg(&sess)]);
    let context = format!("{offered}\n{}", server.report());
    assert!(offered.success(), "{context}");
    assert!(offered.combined().contains(S_CLIENT_NEW), "{context}");
    assert!(offered.stdout.contains("resumed: no"), "{context}");
    assert!(offered.stdout.contains("signature: ed25519"), "{context}");
    let lines = server_connection_lines(&server, 2);
    assert!(lines[1].contains("resumed=no"), "{context}");
}

/// s_client leads with a P-256 share (minitls has only X25519) on every
/// connection, resuming ones included, so minitls sends a HelloRetryRequest
/// before it can resume: the stateful ticket must survive the retry (it is
/// taken only once), and the binder of the second ClientHello covers
/// message_hash(ClientHello1) + HelloRetryRequest (RFC 8446 §4.2.11.2).
#[test]
fn openssl_s_client_resumes_with_minitls_server_after_hello_retry_request() {
    let dir = TempDir::new("res-sclient-hrr");
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--resumption", "stateful"]);
    let sess = dir.join("sess.pem");
    let groups = ["-groups", "P-256:X25519"];

    let first = s_client(
        &dir,
        &server,
        &[&groups[..], &["-sess_out", path_arg(&sess)]].concat(),
    );
    let context = format!("{first}\n{}", server.report());
    assert!(first.success() && sess.exists(), "{context}");
    first.assert_contains(S_CLIENT_NEW);
    assert!(
        first.stdout.contains("hello_retry_request: yes"),
        "{context}"
    );

    let second = s_client(
        &dir,
        &server,
        &[&groups[..], &["-sess_in", path_arg(&sess)]].concat(),
    );
    let context = format!("{second}\n{}", server.report());
    assert!(second.success(), "{context}");
    assert!(second.combined().contains(S_CLIENT_REUSED), "{context}");
    assert!(
        second.stdout.contains("hello_retry_request: yes"),
        "{context}"
    );
    assert!(
        second
            .stdout
            .contains("resumed: yes (stateful, psk_dhe_ke)"),
        "{context}"
    );
    let lines = server_connection_lines(&server, 2);
    assert!(
        lines[1].contains("resumed=yes (stateful, psk_dhe_ke) (after HelloRetryRequest)"),
        "{context}"
    );
}

// ---------------------------------------------------------------------------
// 2. minitls client resumes with openssl s_server
// ---------------------------------------------------------------------------

/// `minitls client --sess-out`, then `--sess-in` with an HTTP request,
/// then `--reconnect 2`, against an s_server started with `extra`, in PSK
/// mode `psk_mode` ("dhe" or "ke").
fn minitls_client_resumes_with_openssl(tag: &str, extra: &[&str], psk_mode: &str) {
    let dir = TempDir::new(tag);
    minitls_cert(dir.path(), &[]);
    let server = openssl_server(&dir, extra);
    let mode = if psk_mode == "ke" {
        "psk_ke"
    } else {
        "psk_dhe_ke"
    };
    let sess = dir.join("sess.pem");

    let first = minitls_client(
        &dir,
        &server,
        &["--psk-mode", psk_mode, "--sess-out", path_arg(&sess)],
    );
    let context = format!("{first}\n{}", server.report());
    assert!(first.success(), "{context}");
    let sections = connections(&first);
    assert_eq!(sections.len(), 1, "{context}");
    assert_full(&sections[0], false, &context);
    assert!(tickets_received(&sections[0], &context) >= 1, "{context}");
    assert_line(
        &first.stdout,
        &format!("session saved to {}", sess.display()),
        &context,
    );

    let second = minitls_client(
        &dir,
        &server,
        &[
            "--psk-mode",
            psk_mode,
            "--sess-in",
            path_arg(&sess),
            "--send",
            HTTP_GET_ESCAPED,
        ],
    );
    let context = format!("{second}\n{}", server.report());
    assert!(second.success(), "{context}");
    assert_resumed(&second.stdout, mode, &context);
    // OpenSSL's status page agrees.
    assert!(second.stdout.contains("HTTP/1.0 200 ok"), "{context}");
    assert!(second.stdout.contains(S_CLIENT_REUSED), "{context}");

    let again = minitls_client(&dir, &server, &["--psk-mode", psk_mode, "--reconnect", "2"]);
    let context = format!("{again}\n{}", server.report());
    assert!(again.success(), "{context}");
    let sections = connections(&again);
    assert_eq!(sections.len(), 3, "{context}");
    assert_full(&sections[0], false, &context);
    for section in &sections[1..] {
        assert_resumed(section, mode, &context);
    }
    for section in &sections {
        assert!(tickets_received(section, &context) >= 1, "{context}");
    }
}

/// s_server's default: stateless tickets, sealed with its ticket key.
#[test]
fn minitls_client_resumes_with_openssl_stateless_tickets() {
    minitls_client_resumes_with_openssl("res-ossl-tickets", &[], "dhe");
}

/// `-no_ticket`: in TLS 1.3 OpenSSL still sends NewSessionTicket, but the
/// ticket is an ID into its server-side session cache (stateful).
#[test]
fn minitls_client_resumes_with_openssl_stateful_cache() {
    minitls_client_resumes_with_openssl("res-ossl-cache", &["-no_ticket"], "dhe");
}

/// `-allow_no_dhe_kex`: OpenSSL accepts psk_ke, resuming with no key
/// exchange at all.
#[test]
fn minitls_client_resumes_psk_ke_with_openssl_allow_no_dhe_kex() {
    minitls_client_resumes_with_openssl("res-ossl-psk-ke", &["-allow_no_dhe_kex"], "ke");
}

/// Without `-allow_no_dhe_kex` OpenSSL refuses psk_ke; a client offering
/// only psk_ke sent no key share, so it gets a HelloRetryRequest and a full
/// handshake.
#[test]
fn minitls_client_psk_ke_falls_back_to_full_handshake_with_openssl() {
    let dir = TempDir::new("res-ossl-no-psk-ke");
    minitls_cert(dir.path(), &[]);
    let server = openssl_server(&dir, &[]);
    let out = minitls_client(&dir, &server, &["--psk-mode", "ke", "--reconnect", "1"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 2, "{context}");
    assert_full(&sections[0], false, &context);
    assert_full(&sections[1], true, &context);
}

// ---------------------------------------------------------------------------
// 3. minitls client and minitls server over TCP
// ---------------------------------------------------------------------------

fn minitls_reconnects(tag: &str, strategy: &str) {
    let dir = TempDir::new(tag);
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--resumption", strategy]);
    let out = minitls_client(&dir, &server, &["--reconnect", "2"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 3, "{context}");
    assert_full(&sections[0], false, &context);
    for section in &sections[1..] {
        assert_resumed(section, "psk_dhe_ke", &context);
    }
    for section in &sections {
        // The server sends two per handshake, resumed ones included
        // (ServerConfig's default); the client stops waiting once it has
        // one, so it may report either.
        let tickets = tickets_received(section, &context);
        assert!((1..=2).contains(&tickets), "{context}");
    }
    let lines = server_connection_lines(&server, 3);
    assert!(lines[0].contains("resumed=no"), "{context}");
    for line in &lines[1..] {
        assert!(
            line.contains(&format!("x25519 resumed=yes ({strategy}, psk_dhe_ke)")),
            "{context}"
        );
    }
}

#[test]
fn minitls_client_reconnects_resuming_minitls_stateful_server() {
    minitls_reconnects("res-mm-stateful", "stateful");
}

#[test]
fn minitls_client_reconnects_resuming_minitls_stateless_server() {
    minitls_reconnects("res-mm-stateless", "stateless");
}

/// The client offers only psk_ke, so it sends no key share; the server
/// accepts only psk_dhe_ke, so it cannot use the PSK and needs a key share
/// for a full handshake: a HelloRetryRequest, then a full handshake.
#[test]
fn minitls_psk_ke_is_refused_by_minitls_server_without_allow_psk_ke() {
    let dir = TempDir::new("res-mm-no-psk-ke");
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--resumption", "stateless"]);
    let out = minitls_client(&dir, &server, &["--psk-mode", "ke", "--reconnect", "1"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 2, "{context}");
    // The server accepts only psk_dhe_ke, so it sends no tickets to a client
    // offering only psk_ke (RFC 8446 §4.2.9): nothing to offer next time,
    // and the second connection is an ordinary full handshake.
    assert_full(&sections[0], false, &context);
    assert_line(&sections[0], "tickets received: 0", &context);
    assert_full(&sections[1], false, &context);
    assert_no_line(&sections[1], "resumed: yes (psk_ke)", &context);
    let lines = server_connection_lines(&server, 2);
    assert!(lines[1].contains("x25519 resumed=no"), "{context}");
}

#[test]
fn minitls_psk_ke_resumes_with_minitls_server_allowing_psk_ke() {
    let dir = TempDir::new("res-mm-psk-ke");
    minitls_cert(dir.path(), &[]);
    let server = minitls_server(&dir, &["--resumption", "stateless", "--allow-psk-ke"]);
    let out = minitls_client(&dir, &server, &["--psk-mode", "ke", "--reconnect", "2"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 3, "{context}");
    assert_full(&sections[0], false, &context);
    for section in &sections[1..] {
        assert_resumed(section, "psk_ke", &context);
    }
    let lines = server_connection_lines(&server, 3);
    for line in &lines[1..] {
        assert!(
            line.contains("no-key-exchange resumed=yes (stateless, psk_ke)"),
            "{context}"
        );
    }
}

// ---------------------------------------------------------------------------
// 4. A restarted server has forgotten everything
// ---------------------------------------------------------------------------

/// A ticket from `minitls server --resumption STRATEGY` (which resumes
/// while it runs), offered to a fresh server on another port: a new ticket
/// key or an empty store, so a full handshake, and success.
fn restarted_server_does_full_handshake(tag: &str, strategy: &str) {
    let dir = TempDir::new(tag);
    minitls_cert(dir.path(), &[]);
    let sess = dir.join("sess.pem");
    let old = minitls_server(&dir, &["--resumption", strategy]);
    // First a resumption, to show this server's tickets work; the ticket
    // saved comes from the resumed connection.
    let out = minitls_client(
        &dir,
        &old,
        &["--reconnect", "1", "--sess-out", path_arg(&sess)],
    );
    let context = format!("{out}\n{}", old.report());
    assert!(out.success(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 2, "{context}");
    assert_resumed(&sections[1], "psk_dhe_ke", &context);
    assert!(sess.exists(), "{context}");
    let old_port = old.port;
    drop(old); // killed

    let new = minitls_server(&dir, &["--resumption", strategy]);
    assert_ne!(new.port, 0);
    let out = minitls_client(&dir, &new, &["--sess-in", path_arg(&sess)]);
    let context = format!(
        "{out}\n{}\n(old server was on port {old_port})",
        new.report()
    );
    assert!(out.success(), "{context}");
    assert!(out.stderr.is_empty(), "{context}");
    let sections = connections(&out);
    assert_eq!(sections.len(), 1, "{context}");
    assert_full(&sections[0], false, &context);
    let lines = server_connection_lines(&new, 1);
    assert!(
        lines[0].contains("x25519 resumed=no sni=localhost"),
        "{context}"
    );
}

#[test]
fn restarted_stateless_server_does_full_handshake_for_old_ticket() {
    restarted_server_does_full_handshake("res-restart-stateless", "stateless");
}

#[test]
fn restarted_stateful_server_does_full_handshake_for_old_ticket() {
    restarted_server_does_full_handshake("res-restart-stateful", "stateful");
}
