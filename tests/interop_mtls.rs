//! Mutual TLS against OpenSSL and curl, as real processes over loopback
//! TCP, with the PKI `minitls cert` writes (client.pem and client.key
//! included): `openssl s_client -cert -key` and `curl --cert --key`
//! against `minitls server --client-ca`, accepted and refused; `minitls
//! client --cert --key` against `openssl s_server -Verify 1
//! -verify_return_error`, accepted and refused; and the client's identity
//! kept across resumption, by both strategies.
//!
//! The output strings checked are OpenSSL 3.0's.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{
    HTTP_GET_ESCAPED, ServerProcess, TempDir, minitls_cert, minitls_client, path_arg, run,
    s_client, s_server_with_minitls_pki, start_minitls_server,
};

/// A `minitls cert` PKI in `dir` and a `minitls server --client-ca ca.pem EXTRA...`.
fn mutual_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    minitls_cert(dir.path(), &[]);
    for file in ["client.pem", "client.key"] {
        assert!(dir.join(file).exists(), "minitls cert wrote no {file}");
    }
    let ca = dir.join("ca.pem");
    let mut args = vec!["--client-ca", path_arg(&ca)];
    args.extend_from_slice(extra);
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), &args, &[])
}

/// `-cert client.pem -key client.key` for s_client, as paths in `dir`.
fn client_cert_args(dir: &TempDir) -> [String; 4] {
    [
        "-cert".into(),
        path_arg(&dir.join("client.pem")).into(),
        "-key".into(),
        path_arg(&dir.join("client.key")).into(),
    ]
}

#[test]
fn openssl_s_client_with_certificate_is_let_in_by_minitls_server() {
    let dir = TempDir::new("mtls-sclient");
    let server = mutual_server(&dir, &[]);
    let args = client_cert_args(&dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = s_client(&dir, &server, &args);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "s_client failed\n{context}");
    let text = out.combined();
    assert!(text.contains("New, TLSv1.3"), "{context}");
    // The page reports who the client is.
    assert!(
        out.stdout
            .contains("client_certificate: CN=client (sha256 "),
        "{context}"
    );
    assert!(
        server.wait_for_stderr("client=CN=client (sha256 ", Duration::from_secs(5)),
        "no log line naming the client\n{context}"
    );
}

#[test]
fn openssl_s_client_without_certificate_gets_certificate_required() {
    let dir = TempDir::new("mtls-sclient-none");
    let server = mutual_server(&dir, &["--client-auth", "required"]);
    let out = s_client(&dir, &server, &[]);
    let context = format!("{out}\n{}", server.report());
    // OpenSSL 3.0: "tlsv13 alert certificate required ... SSL alert number 116".
    assert!(
        out.combined().contains("alert certificate required"),
        "s_client did not hear certificate_required\n{context}"
    );
    assert!(!out.stdout.contains("HTTP/1.0 200 OK"), "{context}");
    assert!(
        server.wait_for_stderr("sent alert certificate_required", Duration::from_secs(5)),
        "{context}"
    );
}

#[test]
fn openssl_s_client_without_certificate_is_anonymous_when_optional() {
    let dir = TempDir::new("mtls-sclient-optional");
    let server = mutual_server(&dir, &["--client-auth", "optional"]);
    let out = s_client(&dir, &server, &[]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert!(
        out.stdout.contains("client_certificate: none (anonymous)"),
        "{context}"
    );
}

#[test]
fn openssl_s_client_with_a_server_certificate_as_its_own_gets_bad_certificate() {
    // server.pem has extKeyUsage serverAuth only: not a client certificate.
    let dir = TempDir::new("mtls-sclient-eku");
    let server = mutual_server(&dir, &[]);
    let (cert, key) = (dir.join("server.pem"), dir.join("server.key"));
    let out = s_client(
        &dir,
        &server,
        &["-cert", path_arg(&cert), "-key", path_arg(&key)],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(
        out.combined().contains("alert bad certificate"),
        "s_client did not hear bad_certificate\n{context}"
    );
    assert!(
        server.wait_for_stderr("sent alert bad_certificate", Duration::from_secs(5)),
        "{context}"
    );
}

#[test]
fn curl_with_certificate_gets_page_naming_the_client() {
    let dir = TempDir::new("mtls-curl");
    let server = mutual_server(&dir, &[]);
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10", "--tlsv1.3", "--cacert"])
        .arg(dir.join("ca.pem"))
        .arg("--cert")
        .arg(dir.join("client.pem"))
        .arg("--key")
        .arg(dir.join("client.key"))
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", server.port))
        .arg(format!("https://localhost:{}/", server.port));
    let out = run(&mut cmd, None);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "curl failed\n{context}");
    assert!(
        out.stdout
            .contains("client_certificate: CN=client (sha256 "),
        "{context}"
    );
}

/// Two connections with one `minitls client --reconnect 1`, each sending
/// an HTTP request: the second resumes and the page still names the client.
fn minitls_client_keeps_its_identity_when_resuming(resumption: &str) {
    let dir = TempDir::new(&format!("mtls-resume-{resumption}"));
    let server = mutual_server(&dir, &["--resumption", resumption]);
    let (cert, key) = (dir.join("client.pem"), dir.join("client.key"));
    let out = minitls_client(
        &dir,
        &server,
        &[
            "--cert",
            path_arg(&cert),
            "--key",
            path_arg(&key),
            "--reconnect",
            "1",
            "--send",
            HTTP_GET_ESCAPED,
        ],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let (first, second) = out
        .stdout
        .split_once("--- reconnect 1 ---")
        .unwrap_or_else(|| panic!("no reconnect\n{context}"));
    assert!(first.contains("client_certificate: sent"), "{context}");
    assert!(first.contains("resumed: no\n"), "{context}");
    // The page of the resumed connection: no certificate sent this time
    // (RFC 8446 §4.3.2), yet the server knows the client from the session.
    assert!(
        second.contains(&format!("resumed: yes ({resumption}, psk_dhe_ke)")),
        "{context}"
    );
    assert!(
        second.contains("client_certificate: CN=client (sha256 "),
        "{context}"
    );
    assert!(
        second.contains("client_certificate: not requested"),
        "{context}"
    );
}

#[test]
fn stateful_resumption_keeps_the_client_identity() {
    minitls_client_keeps_its_identity_when_resuming("stateful");
}

#[test]
fn stateless_resumption_keeps_the_client_identity() {
    minitls_client_keeps_its_identity_when_resuming("stateless");
}

/// `openssl s_server -tls1_3 -www -Verify 1 -verify_return_error -CAfile
/// ca.pem`, with the `minitls cert` PKI in `dir`: a certificate required.
fn s_server_requiring_client_certificate(dir: &TempDir) -> ServerProcess {
    minitls_cert(dir.path(), &[]);
    let extra = [
        "-www",
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        "ca.pem",
    ];
    s_server_with_minitls_pki(dir.path(), &extra)
}

#[test]
fn minitls_client_with_certificate_is_let_in_by_openssl_s_server() {
    let dir = TempDir::new("mtls-sserver");
    let server = s_server_requiring_client_certificate(&dir);
    let (cert, key) = (dir.join("client.pem"), dir.join("client.key"));
    let out = minitls_client(
        &dir,
        &server,
        &[
            "--cert",
            path_arg(&cert),
            "--key",
            path_arg(&key),
            "--send",
            HTTP_GET_ESCAPED,
        ],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert!(out.stdout.contains("client_certificate: sent"), "{context}");
    // OpenSSL's -www page shows the certificate it verified.
    assert!(out.stdout.contains("Client certificate"), "{context}");
    assert!(out.stdout.contains("Subject: CN=client"), "{context}");
}

#[test]
fn minitls_client_without_certificate_is_refused_by_openssl_s_server() {
    let dir = TempDir::new("mtls-sserver-none");
    let server = s_server_requiring_client_certificate(&dir);
    let out = minitls_client(&dir, &server, &["--send", HTTP_GET_ESCAPED]);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(
        out.stdout
            .contains("client_certificate: requested, none sent"),
        "{context}"
    );
    assert!(
        out.combined()
            .contains("peer sent alert certificate_required"),
        "{context}"
    );
}

#[test]
fn minitls_client_without_certificate_reports_the_refusal() {
    // No --send: the client still waits for the server's verdict on its
    // (empty) Certificate, and exits non-zero with the alert.
    let dir = TempDir::new("mtls-minitls-none");
    let server = mutual_server(&dir, &["--resumption", "off"]);
    let out = minitls_client(&dir, &server, &[]);
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(
        out.combined()
            .contains("the server ended the connection: peer sent alert certificate_required"),
        "{context}"
    );
}
