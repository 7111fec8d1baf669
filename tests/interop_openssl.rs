//! Interoperability with OpenSSL and curl, as real processes over loopback
//! TCP: `openssl s_client` and `curl` against `minitls server`, and
//! `minitls client` against `openssl s_server`, with PKIs made both by
//! `minitls cert` and by `openssl` itself. Then the key log, checked secret
//! by secret against OpenSSL's, and the failures a user meets first (wrong
//! name, unknown CA, a TLS 1.2-only peer).
//!
//! The output strings checked are OpenSSL 3.0's.

mod support;

use std::path::Path;
use std::process::Command;

use support::{
    HTTP_GET_ESCAPED, Output, ServerProcess, TempDir, assert_keylogs_agree, minitls, minitls_cert,
    openssl_ok, read_keylog_when_complete, run, s_client, start_minitls_server,
    start_openssl_server,
};

const SUITE: &str = "TLS_CHACHA20_POLY1305_SHA256";

/// A `minitls cert` PKI for "localhost" and a `minitls server` using it.
fn minitls_pki_and_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    minitls_cert(dir.path(), &[]);
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[])
}

/// `minitls client ADDR --servername localhost --ca CA [EXTRA...]`.
fn minitls_client(server: &ServerProcess, ca: &Path, extra: &[&str]) -> Output {
    let mut cmd = minitls([
        "client",
        &server.addr(),
        "--servername",
        "localhost",
        "--ca",
    ]);
    cmd.arg(ca).args(extra);
    run(&mut cmd, None)
}

fn assert_page_describes(page: &str, hello_retry_request: bool, context: &str) {
    let hrr = if hello_retry_request { "yes" } else { "no" };
    for needle in [
        "HTTP/1.0 200 OK",
        "protocol: TLSv1.3",
        &format!("cipher: {SUITE}"),
        "group: x25519",
        "signature: ed25519",
        &format!("hello_retry_request: {hrr}"),
        "server_name: localhost",
    ] {
        assert!(
            page.contains(needle),
            "minitls server's page lacks {needle:?}\n{context}"
        );
    }
}

/// The summary `minitls client` prints after a full handshake with a server
/// whose leaf is "CN=localhost" issued by `issuer`.
fn assert_client_summary(out: &Output, issuer: &str) {
    let stdout = &out.stdout;
    for line in [
        "protocol: TLSv1.3",
        &format!("cipher: {SUITE}"),
        "group: x25519",
        "signature: ed25519",
        "hello_retry_request: no",
        "resumed: no",
        "peer: CN=localhost",
        &format!("issuer: {issuer}"),
    ] {
        assert!(
            stdout.lines().any(|l| l.trim() == line),
            "minitls client did not print the line {line:?}\n{out}"
        );
    }
    let handshake = stdout
        .lines()
        .find_map(|l| l.strip_prefix("handshake: "))
        .unwrap_or_else(|| panic!("no handshake time line\n{out}"));
    let ms: f64 = handshake
        .strip_suffix(" ms")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("handshake line {handshake:?} is not \"N ms\"\n{out}"));
    assert!(
        (0.0..20_000.0).contains(&ms),
        "handshake took {ms} ms\n{out}"
    );
}

// ---------------------------------------------------------------------------
// OpenSSL and curl as clients of minitls server
// ---------------------------------------------------------------------------

#[test]
fn openssl_s_client_gets_page_from_minitls_server() {
    let dir = TempDir::new("sclient");
    let server = minitls_pki_and_server(&dir, &[]);
    let out = s_client(&dir, &server, &[]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "s_client failed\n{context}");
    let text = out.combined();
    for needle in [
        "Verification: OK",
        "Verify return code: 0 (ok)",
        "New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256",
        "Server Temp Key: X25519",
        "Peer signature type: ed25519",
        "subject=CN = localhost",
        "issuer=CN = minitls demo CA",
    ] {
        assert!(
            text.contains(needle),
            "s_client lacks {needle:?}\n{context}"
        );
    }
    assert_page_describes(&out.stdout, false, &context);
    assert!(
        server.wait_for_stderr(
            "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 x25519 resumed=no sni=localhost",
            support::STARTUP
        ),
        "minitls server did not log the connection\n{context}"
    );
}

#[test]
fn openssl_s_client_with_p256_share_goes_through_hello_retry_request() {
    let dir = TempDir::new("hrr");
    let server = minitls_pki_and_server(&dir, &[]);
    // OpenSSL sends a key share for the first group only: P-256, which
    // minitls lacks, so minitls must ask again for X25519.
    let out = s_client(&dir, &server, &["-groups", "P-256:X25519"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "s_client failed\n{context}");
    let text = out.combined();
    for needle in [
        "Verification: OK",
        "Server Temp Key: X25519",
        "New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256",
    ] {
        assert!(
            text.contains(needle),
            "s_client lacks {needle:?}\n{context}"
        );
    }
    assert_page_describes(&out.stdout, true, &context);
    assert!(
        server.wait_for_stderr("(after HelloRetryRequest)", support::STARTUP),
        "minitls server did not log the HelloRetryRequest\n{context}"
    );
}

#[test]
fn curl_gets_page_from_minitls_server() {
    let dir = TempDir::new("curl");
    let server = minitls_pki_and_server(&dir, &[]);
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10", "--tlsv1.3", "--cacert"])
        .arg(dir.join("ca.pem"))
        // Resolve "localhost" to 127.0.0.1 only (not ::1), keeping the name for SNI and the check.
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", server.port))
        .arg("-i")
        .arg(format!("https://localhost:{}/", server.port));
    let out = run(&mut cmd, None);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "curl failed\n{context}");
    assert_page_describes(&out.stdout, false, &context);
    assert!(
        out.stdout.contains("<h1>Hello from minitls</h1>"),
        "{context}"
    );
}

// ---------------------------------------------------------------------------
// minitls client against openssl s_server
// ---------------------------------------------------------------------------

/// `openssl s_server -tls1_3 -www -cert CERT -key KEY [EXTRA...]` in `dir`.
fn s_server_www(dir: &TempDir, cert: &str, key: &str, extra: &[&str]) -> ServerProcess {
    let mut args = vec!["-tls1_3", "-www", "-cert", cert, "-key", key];
    args.extend_from_slice(extra);
    start_openssl_server(dir.path(), &args)
}

/// Against an s_server: the summary, then an HTTP request answered by
/// OpenSSL's -www status page, which must show the same suite and group.
fn assert_minitls_client_works_against(server: &ServerProcess, ca: &Path, issuer: &str) {
    let out = minitls_client(server, ca, &[]);
    assert!(out.success(), "{out}\n{}", server.report());
    assert_client_summary(&out, issuer);

    let out = minitls_client(server, ca, &["--send", HTTP_GET_ESCAPED]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert_client_summary(&out, issuer);
    assert!(
        out.stdout.contains("--- response ("),
        "no response header\n{context}"
    );
    for needle in [
        "HTTP/1.0 200 ok",
        "New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256",
        "Shared groups: x25519",
        "Shared Signature Algorithms: ed25519",
    ] {
        assert!(
            out.stdout.contains(needle),
            "OpenSSL's page lacks {needle:?}\n{context}"
        );
    }
}

#[test]
fn minitls_client_against_openssl_s_server_with_minitls_pki() {
    let dir = TempDir::new("sserver");
    minitls_cert(dir.path(), &[]);
    let server = s_server_www(&dir, "server.pem", "server.key", &[]);
    assert_minitls_client_works_against(&server, &dir.join("ca.pem"), "CN=minitls demo CA");
}

/// An Ed25519 PKI made by `openssl` alone: ca.pem/ca.key ("OpenSSL Ed25519
/// CA"), optionally inter.pem/inter.key between, and server.pem/server.key
/// for "localhost" issued by the intermediate if any, else by the CA.
fn openssl_ed25519_pki(dir: &Path, with_intermediate: bool) {
    openssl_ok(dir, &["genpkey", "-algorithm", "ed25519", "-out", "ca.key"]);
    openssl_ok(
        dir,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=OpenSSL Ed25519 CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let (issuer_pem, issuer_key) = if with_intermediate {
        std::fs::write(
            dir.join("inter.cnf"),
            "basicConstraints=critical,CA:TRUE,pathlen:0\n\
             keyUsage=critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        openssl_ok(
            dir,
            &["genpkey", "-algorithm", "ed25519", "-out", "inter.key"],
        );
        openssl_ok(
            dir,
            &[
                "req",
                "-new",
                "-key",
                "inter.key",
                "-subj",
                "/CN=OpenSSL Ed25519 Intermediate",
                "-out",
                "inter.csr",
            ],
        );
        openssl_ok(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "inter.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "20",
                "-extfile",
                "inter.cnf",
                "-out",
                "inter.pem",
            ],
        );
        ("inter.pem", "inter.key")
    } else {
        ("ca.pem", "ca.key")
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl_ok(
        dir,
        &["genpkey", "-algorithm", "ed25519", "-out", "server.key"],
    );
    openssl_ok(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "server.key",
            "-subj",
            "/CN=localhost",
            "-out",
            "server.csr",
        ],
    );
    openssl_ok(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            issuer_pem,
            "-CAkey",
            issuer_key,
            "-CAcreateserial",
            "-days",
            "10",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem",
        ],
    );
    // OpenSSL must agree that the PKI it made is sound.
    let mut verify = vec!["verify", "-CAfile", "ca.pem"];
    if with_intermediate {
        verify.extend(["-untrusted", "inter.pem"]);
    }
    verify.push("server.pem");
    openssl_ok(dir, &verify).assert_contains("server.pem: OK");
}

#[test]
fn minitls_client_against_openssl_s_server_with_openssl_ed25519_pki() {
    let dir = TempDir::new("opki");
    openssl_ed25519_pki(dir.path(), false);
    let server = s_server_www(&dir, "server.pem", "server.key", &[]);
    assert_minitls_client_works_against(&server, &dir.join("ca.pem"), "CN=OpenSSL Ed25519 CA");
}

#[test]
fn minitls_client_follows_openssl_intermediate_to_anchor() {
    let dir = TempDir::new("inter");
    openssl_ed25519_pki(dir.path(), true);
    let issuer = "CN=OpenSSL Ed25519 Intermediate";

    // The server sends leaf + intermediate; the anchor comes from --ca.
    let server = s_server_www(
        &dir,
        "server.pem",
        "server.key",
        &["-cert_chain", "inter.pem"],
    );
    assert_minitls_client_works_against(&server, &dir.join("ca.pem"), issuer);
    drop(server);

    // The server sends leaf + intermediate + the anchor itself.
    let both = format!("{}{}", dir.read("inter.pem"), dir.read("ca.pem"));
    dir.write("chain.pem", &both);
    let server = s_server_www(
        &dir,
        "server.pem",
        "server.key",
        &["-cert_chain", "chain.pem"],
    );
    assert_minitls_client_works_against(&server, &dir.join("ca.pem"), issuer);
    drop(server);

    // Without the intermediate there is no path to the anchor.
    let server = s_server_www(&dir, "server.pem", "server.key", &[]);
    let out = minitls_client(&server, &dir.join("ca.pem"), &[]);
    assert!(!out.success(), "{out}\n{}", server.report());
    assert!(
        out.stderr.contains("handshake failed") && out.stderr.contains("unknown_ca"),
        "expected unknown_ca without the intermediate\n{out}\n{}",
        server.report()
    );
}

// ---------------------------------------------------------------------------
// OpenSSL reads what `minitls cert` writes
// ---------------------------------------------------------------------------

#[test]
fn openssl_accepts_minitls_cert_output() {
    let dir = TempDir::new("certok");
    minitls_cert(dir.path(), &[]);
    openssl_ok(dir.path(), &["verify", "-CAfile", "ca.pem", "server.pem"])
        .assert_contains("server.pem: OK");
    for key in ["server.key", "ca.key"] {
        openssl_ok(dir.path(), &["pkey", "-in", key, "-noout"]);
        // The same format as `openssl genpkey -algorithm ed25519`.
        openssl_ok(dir.path(), &["pkey", "-in", key, "-noout", "-text"])
            .assert_contains("ED25519 Private-Key");
    }
    // Each key belongs to its certificate.
    for (cert, key) in [("ca.pem", "ca.key"), ("server.pem", "server.key")] {
        let from_cert = openssl_ok(dir.path(), &["x509", "-in", cert, "-noout", "-pubkey"]);
        let from_key = openssl_ok(dir.path(), &["pkey", "-in", key, "-pubout"]);
        assert_eq!(
            from_cert.stdout, from_key.stdout,
            "{key} is not {cert}'s key"
        );
    }
    openssl_ok(
        dir.path(),
        &[
            "x509",
            "-in",
            "server.pem",
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    )
    .assert_contains("DNS:localhost");
}

// ---------------------------------------------------------------------------
// Key logs agree with OpenSSL's
// ---------------------------------------------------------------------------

#[test]
fn keylog_of_minitls_server_matches_openssl_s_client() {
    let dir = TempDir::new("keylog-s");
    let ours = dir.join("minitls.keys");
    let theirs = dir.join("openssl.keys");
    let server = minitls_pki_and_server(&dir, &["--keylog", ours.to_str().unwrap()]);
    let out = s_client(&dir, &server, &["-keylogfile", theirs.to_str().unwrap()]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert_keylogs_agree(
        &read_keylog_when_complete(&ours),
        &read_keylog_when_complete(&theirs),
        &context,
    );
}

#[test]
fn sslkeylogfile_of_minitls_client_matches_openssl_s_server() {
    let dir = TempDir::new("keylog-c");
    let ours = dir.join("minitls.keys");
    let theirs = dir.join("openssl.keys");
    minitls_cert(dir.path(), &[]);
    let server = s_server_www(
        &dir,
        "server.pem",
        "server.key",
        &["-keylogfile", theirs.to_str().unwrap()],
    );
    let mut cmd = minitls([
        "client",
        &server.addr(),
        "--servername",
        "localhost",
        "--ca",
    ]);
    cmd.arg(dir.join("ca.pem"))
        .args(["--send", HTTP_GET_ESCAPED])
        .env("SSLKEYLOGFILE", &ours);
    let out = run(&mut cmd, None);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert_keylogs_agree(
        &read_keylog_when_complete(&ours),
        &read_keylog_when_complete(&theirs),
        &context,
    );
}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

#[test]
fn minitls_client_rejects_wrong_name_with_bad_certificate() {
    let dir = TempDir::new("badname");
    minitls_cert(dir.path(), &[]);
    let server = s_server_www(&dir, "server.pem", "server.key", &[]);
    let mut cmd = minitls([
        "client",
        &server.addr(),
        "--servername",
        "example.com",
        "--ca",
    ]);
    cmd.arg(dir.join("ca.pem"));
    let out = run(&mut cmd, None);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(out.stdout.is_empty(), "no summary on failure\n{context}");
    assert!(
        out.stderr.contains("minitls: handshake failed:")
            && out.stderr.contains("example.com")
            && out.stderr.contains("(sent alert bad_certificate)"),
        "{context}"
    );
    // OpenSSL received the alert we say we sent (42 = bad_certificate).
    assert!(
        server.wait_for_stderr("alert bad certificate", support::STARTUP),
        "{context}"
    );
}

#[test]
fn minitls_client_rejects_unknown_ca_with_unknown_ca() {
    // The server's chain is OpenSSL's; the client trusts only a minitls CA,
    // whose name ("minitls demo CA") matches nothing in that chain.
    let server_dir = TempDir::new("unknownca-server");
    openssl_ed25519_pki(server_dir.path(), false);
    let client_dir = TempDir::new("unknownca-client");
    minitls_cert(client_dir.path(), &[]);
    let server = s_server_www(&server_dir, "server.pem", "server.key", &[]);
    let out = minitls_client(&server, &client_dir.join("ca.pem"), &[]);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(
        out.stderr.contains("minitls: handshake failed:")
            && out.stderr.contains("(sent alert unknown_ca)"),
        "{context}"
    );
    assert!(
        server.wait_for_stderr("alert unknown ca", support::STARTUP),
        "{context}"
    );
}

#[test]
fn minitls_client_rejects_another_minitls_pki() {
    // Two runs of `minitls cert` make two CAs with the same name and
    // different keys: the commonest "unknown CA" a user meets. The chain
    // must be refused, with a certificate alert.
    let server_dir = TempDir::new("otherpki-server");
    minitls_cert(server_dir.path(), &[]);
    let client_dir = TempDir::new("otherpki-client");
    minitls_cert(client_dir.path(), &[]);
    let server = s_server_www(&server_dir, "server.pem", "server.key", &[]);
    let out = minitls_client(&server, &client_dir.join("ca.pem"), &[]);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(
        out.stderr.contains("minitls: handshake failed:")
            && (out.stderr.contains("(sent alert unknown_ca)")
                || out.stderr.contains("(sent alert bad_certificate)")),
        "{context}"
    );
}

#[test]
fn openssl_tls12_client_gets_protocol_version_from_minitls_server() {
    let dir = TempDir::new("tls12");
    let server = minitls_pki_and_server(&dir, &[]);
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_client", "-tls1_2", "-CAfile"])
        .arg(dir.join("ca.pem"))
        .args(["-servername", "localhost", "-connect", &server.addr()]);
    let out = run(&mut cmd, None);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "a TLS 1.2 handshake must fail\n{context}");
    assert!(
        out.combined().contains("alert protocol version"),
        "openssl did not receive protocol_version\n{context}"
    );
    assert!(
        server.wait_for_stderr("(sent alert protocol_version)", support::STARTUP),
        "minitls server did not report protocol_version\n{context}"
    );
}
