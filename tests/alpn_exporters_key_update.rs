//! Issue 10, items 3 to 5: ALPN (RFC 7301), exporters (RFC 8446 §7.5) and
//! KeyUpdate initiated by either side (RFC 8446 §4.6.3, §7.2).
//!
//! In-process first (a deterministic pair; a flight altered and sealed
//! again, as in `tests/negative.rs`, to check each refusal and its exact
//! alert), then against the real programs: `openssl s_client`,
//! `openssl s_server` and `curl`, each on 127.0.0.1 on a free port,
//! bounded in time and killed by a Drop guard (`tests/support`). rustls,
//! in-process, is in `tests/interop_rustls.rs`.

#[macro_use]
mod common;
mod support;

use std::process::Command;
use std::sync::Arc;

use common::*;
use minitls::error::{IllegalParameter, UnsolicitedExtension};
use minitls::messages::{EncryptedExtensions, Extension, HandshakeMessage};
use minitls::testing::{
    CLIENT_SEED, PKI_SEED, Pair, SERVER_SEED, client_config, demo_pki, server_config,
};
use minitls::trace::Recorder;
use minitls::{AlertDescription as A, AppEvent, Connection, Error};
use support::{
    ServerProcess, TempDir, minitls_cert, run, s_server_with_minitls_pki, start_minitls_server,
};

/// Protocol names as the configs take them.
fn names(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|n| n.as_bytes().to_vec()).collect()
}

/// A deterministic pair (the demo PKI, seeded, fixed clock) whose client
/// offers `client` and whose server speaks `server`, each recording.
fn alpn_pair(client: &[&str], server: &[&str]) -> Traced {
    let pki = demo_pki(PKI_SEED);
    let mut c = client_config(&pki, CLIENT_SEED);
    c.alpn_protocols = names(client);
    let mut s = server_config(&pki, SERVER_SEED);
    s.alpn_protocols = names(server);
    let (client_trace, server_trace) = (Recorder::default(), Recorder::default());
    let client_conn =
        Connection::client_with_observer(Arc::new(c), "localhost", Box::new(client_trace.clone()))
            .expect("client starts");
    let server_conn = Connection::server_with_observer(Arc::new(s), Box::new(server_trace.clone()));
    Traced {
        pair: Pair::new(client_conn, server_conn),
        client: client_trace,
        server: server_trace,
    }
}

/// Both sides' view of the protocol chosen, after a clean handshake.
fn negotiated_alpn(client: &[&str], server: &[&str]) -> Option<String> {
    let mut t = alpn_pair(client, server);
    t.pair.drive().expect("handshake");
    let on_client = t.pair.client.negotiated().alpn_protocol.clone();
    assert_eq!(on_client, t.pair.server.negotiated().alpn_protocol);
    on_client.map(|n| String::from_utf8(n).unwrap())
}

// ---------------------------------------------------------------------------
// ALPN in-process (RFC 7301)

#[test]
fn server_chooses_by_its_own_preference() {
    // curl's offer, the CLI server's default: http/1.1.
    assert_eq!(
        negotiated_alpn(&["h2", "http/1.1"], &["http/1.1"]).as_deref(),
        Some("http/1.1")
    );
    // Both in common: the server's order wins, not the client's.
    assert_eq!(
        negotiated_alpn(&["http/1.1", "h2"], &["h2", "http/1.1"]).as_deref(),
        Some("h2")
    );
}

#[test]
fn without_alpn_on_either_side_nothing_is_settled() {
    assert_eq!(negotiated_alpn(&[], &["http/1.1"]), None);
    assert_eq!(negotiated_alpn(&["h2"], &[]), None);
    assert_eq!(negotiated_alpn(&[], &[]), None);
}

#[test]
fn no_common_application_protocol_is_no_application_protocol() {
    let mut t = alpn_pair(&["h2", "spdy/3"], &["http/1.1"]);
    let result = t.pair.client_to_server();
    assert_failure!(
        t.pair.server,
        t.server,
        result,
        Error::NoApplicationProtocol,
        A::NoApplicationProtocol
    );
}

#[test]
fn the_client_hears_no_application_protocol() {
    let mut t = alpn_pair(&["h2"], &["http/1.1"]);
    assert_eq!(t.pair.client_to_server(), Err(Error::NoApplicationProtocol));
    // The server's alert, in the clear (no keys yet), reaches the client.
    assert_eq!(
        t.pair.server_to_client(),
        Err(Error::AlertReceived(A::NoApplicationProtocol))
    );
}

/// The client's check of the server's answer: the server's flight with
/// EncryptedExtensions replaced by one carrying `answer`, sealed again.
fn client_receives_alpn_answer(answer: Extension) -> (Traced, Result<(), Error>) {
    let mut t = alpn_pair(&["h2", "http/1.1"], &["http/1.1"]);
    t.pair.client_to_server().expect("ClientHello accepted");
    let bytes = take(&mut t.pair.server);
    let flight = ServerFlight::take_apart(&bytes, &t.server);
    let mut messages = flight.messages.clone();
    messages[0] = HandshakeMessage::EncryptedExtensions(EncryptedExtensions::default())
        .encode_with_extensions(&[Extension::ServerNameAck, answer])
        .unwrap();
    let mut altered = flight.clear_part();
    altered.extend_from_slice(&flight.reseal(&messages));
    let result = t.pair.client.receive(&altered);
    (t, result)
}

#[test]
fn server_choosing_a_protocol_we_did_not_offer_is_illegal_parameter() {
    let (mut t, result) =
        client_receives_alpn_answer(Extension::ApplicationLayerProtocolNegotiation(names(&[
            "spdy/3",
        ])));
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::IllegalParameter(IllegalParameter::ApplicationProtocolNotOffered),
        A::IllegalParameter
    );
}

#[test]
fn server_answering_two_protocols_is_illegal_parameter() {
    let (mut t, result) =
        client_receives_alpn_answer(Extension::ApplicationLayerProtocolNegotiation(names(&[
            "h2", "http/1.1",
        ])));
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::IllegalParameter(IllegalParameter::ApplicationProtocolNotOneName),
        A::IllegalParameter
    );
}

#[test]
fn empty_protocol_name_or_list_is_decode_error() {
    // opaque ProtocolName<1..2^8-1>: an empty name.
    let (mut t, result) = client_receives_alpn_answer(Extension::Unknown {
        extension_type: 16,
        data: vec![0, 1, 0],
    });
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::Decode { .. },
        A::DecodeError
    );
    // protocol_name_list<2..2^16-1>: an empty list.
    let (mut t, result) = client_receives_alpn_answer(Extension::Unknown {
        extension_type: 16,
        data: vec![0, 0],
    });
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::Decode { .. },
        A::DecodeError
    );
    // A name longer than its list.
    let (mut t, result) = client_receives_alpn_answer(Extension::Unknown {
        extension_type: 16,
        data: vec![0, 3, 5, b'h', b'2'],
    });
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::Decode { .. },
        A::DecodeError
    );
}

#[test]
fn alpn_answer_to_a_client_that_offered_none_is_unsupported_extension() {
    let mut t = alpn_pair(&[], &["http/1.1"]);
    t.pair.client_to_server().expect("ClientHello accepted");
    let bytes = take(&mut t.pair.server);
    let flight = ServerFlight::take_apart(&bytes, &t.server);
    let mut messages = flight.messages.clone();
    messages[0] = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        server_name: true,
        protocol_name_list: Some(names(&["http/1.1"])),
        ..EncryptedExtensions::default()
    })
    .encode()
    .unwrap();
    let mut altered = flight.clear_part();
    altered.extend_from_slice(&flight.reseal(&messages));
    let result = t.pair.client.receive(&altered);
    assert_failure!(
        t.pair.client,
        t.client,
        result,
        Error::UnsolicitedExtension(UnsolicitedExtension::InEncryptedExtensions {
            extension: "application_layer_protocol_negotiation"
        }),
        A::UnsupportedExtension
    );
}

#[test]
fn a_client_with_an_unencodable_protocol_name_does_not_start() {
    let pki = demo_pki(PKI_SEED);
    for bad in [vec![], vec![b'x'; 256]] {
        let mut c = client_config(&pki, CLIENT_SEED);
        c.alpn_protocols = vec![bad];
        assert!(matches!(
            Connection::client(Arc::new(c), "localhost"),
            Err(Error::Misuse(_))
        ));
    }
}

#[test]
fn a_resumed_connection_negotiates_alpn_afresh() {
    let pki = demo_pki(PKI_SEED);
    let mut s = server_config(&pki, SERVER_SEED);
    s.alpn_protocols = names(&["h2", "http/1.1"]);
    s.resumption = Some(Arc::new(minitls::resumption::ticketer::Ticketer::new(3600)));
    let server = Arc::new(s);
    let mut c = client_config(&pki, CLIENT_SEED);
    c.alpn_protocols = names(&["h2"]);
    let cache = c.session_cache.clone();
    let first = Connection::client(Arc::new(c), "localhost").unwrap();
    let mut pair = Pair::new(first, Connection::server(server.clone()));
    pair.drive().unwrap();
    assert_eq!(pair.client.negotiated().alpn_protocol, Some(b"h2".to_vec()));
    assert!(pair.client_events.contains(&AppEvent::NewTicket));

    // The same ticket cache, another offer: the resumed handshake chooses
    // from what this ClientHello offers, not from the first connection's.
    let mut c = client_config(&pki, CLIENT_SEED + 1);
    c.alpn_protocols = names(&["http/1.1"]);
    c.session_cache = cache;
    let second = Connection::client(Arc::new(c), "localhost").unwrap();
    let mut pair = Pair::new(second, Connection::server(server));
    pair.drive().unwrap();
    assert!(
        pair.client.negotiated().resumed,
        "the second connection resumed"
    );
    assert_eq!(
        pair.client.negotiated().alpn_protocol,
        Some(b"http/1.1".to_vec())
    );
    assert_eq!(
        pair.server.negotiated().alpn_protocol,
        Some(b"http/1.1".to_vec())
    );
}

// ---------------------------------------------------------------------------
// ALPN against curl and OpenSSL

/// A `minitls cert` PKI for "localhost" and a `minitls server` using it.
fn minitls_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    minitls_cert(dir.path(), &[]);
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[])
}

/// `curl --tlsv1.3 --cacert CA https://localhost:PORT/ EXTRA...`.
fn curl(dir: &TempDir, server: &ServerProcess, extra: &[&str]) -> support::Output {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10", "--tlsv1.3", "--cacert"])
        .arg(dir.join("ca.pem"))
        .arg("--resolve")
        .arg(format!("localhost:{}:127.0.0.1", server.port))
        .args(extra)
        .arg(format!("https://localhost:{}/", server.port));
    run(&mut cmd, None)
}

#[test]
fn curl_gets_http_1_1_from_the_default_server() {
    let dir = TempDir::new("alpn-curl");
    let server = minitls_server(&dir, &[]);
    // curl offers h2 first (when built with HTTP/2), then http/1.1; with
    // --http1.1 only http/1.1. Either way the page says http/1.1.
    for extra in [&[][..], &["--http1.1"][..]] {
        let out = curl(&dir, &server, extra);
        let context = format!("{out}\n{}", server.report());
        assert!(out.success(), "{context}");
        assert!(out.stdout.contains("alpn: http/1.1"), "{context}");
    }
}

/// `openssl s_client -tls1_3 ... -alpn LIST`, sending an HTTP request.
fn s_client_alpn(dir: &TempDir, server: &ServerProcess, list: &str) -> support::Output {
    support::s_client(dir, server, &["-alpn", list])
}

#[test]
fn openssl_s_client_alpn_overlap_gets_http_1_1() {
    let dir = TempDir::new("alpn-s-client");
    let server = minitls_server(&dir, &[]);
    let out = s_client_alpn(&dir, &server, "h2,http/1.1");
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert!(out.stdout.contains("ALPN protocol: http/1.1"), "{context}");
    assert!(out.stdout.contains("alpn: http/1.1"), "{context}");
}

#[test]
fn openssl_s_client_alpn_without_overlap_gets_no_application_protocol() {
    let dir = TempDir::new("alpn-s-client-none");
    let server = minitls_server(&dir, &["--alpn", "http/1.1,imap"]);
    let out = s_client_alpn(&dir, &server, "h2,spdy/3");
    let context = format!("{out}\n{}", server.report());
    assert!(!out.success(), "{context}");
    assert!(
        out.combined().contains("no application protocol"),
        "s_client does not report the alert\n{context}"
    );
    assert!(
        server.wait_for_stderr("no_application_protocol", support::STARTUP),
        "{context}"
    );
}

#[test]
fn minitls_client_alpn_against_openssl_s_server() {
    let dir = TempDir::new("alpn-s-server");
    minitls_cert(dir.path(), &[]);
    let server = s_server_with_minitls_pki(dir.path(), &["-www", "-alpn", "http/1.1"]);
    let client = |list: &str| support::minitls_client(&dir, &server, &["--alpn", list]);
    let out = client("h2,http/1.1");
    assert!(out.success(), "{out}\n{}", server.report());
    assert!(out.stdout.lines().any(|l| l == "alpn: http/1.1"), "{out}");
    // No overlap: OpenSSL, too, answers no_application_protocol.
    let out = client("h2");
    assert!(!out.success(), "{out}\n{}", server.report());
    assert!(
        out.combined().contains("no_application_protocol"),
        "{out}\n{}",
        server.report()
    );
}

#[test]
fn minitls_client_and_server_report_the_choice() {
    let dir = TempDir::new("alpn-cli");
    let server = minitls_server(&dir, &["--alpn", "h2,http/1.1"]);
    let out = support::minitls_client(
        &dir,
        &server,
        &["--alpn", "http/1.1,h2", "--send", support::HTTP_GET_ESCAPED],
    );
    assert!(out.success(), "{out}\n{}", server.report());
    assert!(out.stdout.lines().any(|l| l == "alpn: h2"), "{out}");
    // The page's lines (the report says "not requested" where the page
    // says "-" for the client certificate).
    assert!(
        out.stdout
            .contains("alpn: h2\nclient_certificate: -\n</pre>"),
        "the page\n{out}"
    );
}

// ---------------------------------------------------------------------------
// Exporters (RFC 8446 §7.5)

/// A connected deterministic pair.
fn connected_pair() -> Traced {
    let mut t = traced_pair();
    t.pair.drive().expect("handshake");
    assert!(t.pair.client.is_connected() && t.pair.server.is_connected());
    t
}

fn export(conn: &Connection, label: &[u8], context: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    conn.export_keying_material(label, context, &mut out)
        .expect("export");
    out
}

#[test]
fn both_sides_export_the_same_keying_material() {
    let t = connected_pair();
    let (c, s) = (&t.pair.client, &t.pair.server);
    for (label, context, len) in [
        (&b"EXPERIMENTAL-minitls"[..], &b""[..], 32),
        (b"EXPERIMENTAL-minitls", b"some context", 32),
        (b"EXTRACTOR-dtls_srtp", b"", 60),
        (b"x", b"", 1),
        (
            b"EXPERIMENTAL-long",
            b"",
            minitls::connection::MAX_EXPORTER_LEN,
        ),
    ] {
        assert_eq!(
            export(c, label, context, len),
            export(s, label, context, len)
        );
    }
    // Each input matters: label, context, length (a shorter export is not a
    // prefix: the length is in the HkdfLabel).
    let base = export(c, b"EXPERIMENTAL-minitls", b"", 32);
    assert_ne!(base, export(c, b"EXPERIMENTAL-other", b"", 32));
    assert_ne!(base, export(c, b"EXPERIMENTAL-minitls", b"ctx", 32));
    assert_ne!(base[..16], export(c, b"EXPERIMENTAL-minitls", b"", 16)[..]);
    // And it is none of the connection's own secrets.
    let exporter_master = secret(
        &t.client,
        minitls::key_schedule::SecretLabel::ExporterMaster,
    );
    assert_ne!(base, exporter_master);
}

#[test]
fn exporter_matches_the_rfc_formula_step_by_step() {
    use minitls::key_schedule::hkdf_expand_label;
    let t = connected_pair();
    let exporter_master = secret(
        &t.client,
        minitls::key_schedule::SecretLabel::ExporterMaster,
    );
    // RFC 8446 §7.5, with the RFC's own functions, for an ASCII label:
    // HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
    //                   Hash(context_value), key_length)
    let sha256 = |b: &[u8]| minitls::crypto::sha256(b);
    let mut derived = [0u8; 32];
    hkdf_expand_label(
        &exporter_master,
        "EXPERIMENTAL-minitls",
        &sha256(b""),
        &mut derived,
    );
    let mut expected = [0u8; 42];
    hkdf_expand_label(&derived, "exporter", &sha256(b"ctx"), &mut expected);
    assert_eq!(
        export(&t.pair.client, b"EXPERIMENTAL-minitls", b"ctx", 42),
        expected
    );
}

#[test]
fn export_before_the_handshake_or_out_of_bounds_is_misuse_and_harmless() {
    let mut t = traced_pair();
    let mut out = [0u8; 32];
    assert!(matches!(
        t.pair
            .client
            .export_keying_material(b"EXPERIMENTAL-x", b"", &mut out),
        Err(Error::Misuse(_))
    ));
    // The server, after its Finished but before the client's: still no.
    t.pair.client_to_server().unwrap();
    assert!(!t.pair.server.is_connected());
    assert!(matches!(
        t.pair
            .server
            .export_keying_material(b"EXPERIMENTAL-x", b"", &mut out),
        Err(Error::Misuse(_))
    ));
    t.pair.drive().unwrap();
    let label = vec![b'a'; minitls::connection::MAX_EXPORTER_LABEL_LEN + 1];
    assert!(matches!(
        t.pair.client.export_keying_material(&label, b"", &mut out),
        Err(Error::Misuse(_))
    ));
    let mut too_long = vec![0u8; minitls::connection::MAX_EXPORTER_LEN + 1];
    assert!(matches!(
        t.pair
            .client
            .export_keying_material(b"x", b"", &mut too_long),
        Err(Error::Misuse(_))
    ));
    // Misuse leaves the connection as it was.
    assert!(t.pair.client.is_connected() && t.pair.client.error().is_none());
    t.pair.client.send(b"still fine").unwrap();
    t.pair.drive().unwrap();
    assert_eq!(
        t.pair.server_events.last(),
        Some(&AppEvent::Data(b"still fine".to_vec()))
    );
}

/// The hex after `Keying material: ` in OpenSSL's output, lower-cased.
fn openssl_keying_material(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Keying material: "))
        .unwrap_or_else(|| panic!("no keying material in\n{output}"))
        .to_ascii_lowercase()
}

#[test]
fn openssl_s_client_exports_what_minitls_server_exports() {
    let dir = TempDir::new("export-s-client");
    let server = minitls_server(&dir, &["--export", "EXPERIMENTAL-minitls:48"]);
    let out = support::s_client(
        &dir,
        &server,
        &[
            "-keymatexport",
            "EXPERIMENTAL-minitls",
            "-keymatexportlen",
            "48",
        ],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let theirs = openssl_keying_material(&out.stdout);
    assert_eq!(theirs.len(), 96, "{context}");
    assert!(
        server.wait_for_stderr(
            &format!("exported EXPERIMENTAL-minitls (48 bytes): {theirs}"),
            support::STARTUP
        ),
        "{context}"
    );
}

#[test]
fn minitls_client_exports_what_openssl_s_server_exports() {
    // Without -www: s_server prints the exported keying material with the
    // connection's details once the handshake is done (with -www it serves
    // a page instead).
    let dir = TempDir::new("export-s-server");
    minitls_cert(dir.path(), &[]);
    let server = s_server_with_minitls_pki(
        dir.path(),
        &[
            "-keymatexport",
            "EXPERIMENTAL-minitls",
            "-keymatexportlen",
            "20",
        ],
    );
    let out = support::minitls_client(&dir, &server, &["--export", "EXPERIMENTAL-minitls:20"]);
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    let ours = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("exported: "))
        .unwrap_or_else(|| panic!("no exported line\n{context}"))
        .to_string();
    // s_server prints it once the handshake is done; give it a moment.
    let deadline = std::time::Instant::now() + support::STARTUP;
    while !server.stdout().contains("Keying material: ") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(openssl_keying_material(&server.stdout()), ours, "{context}");
}

// ---------------------------------------------------------------------------
// KeyUpdate initiated by either side (RFC 8446 §4.6.3, §7.2)

use minitls::key_schedule::{SecretLabel, TrafficSecret};
use minitls::record::ContentType;
use minitls::trace::{Direction, Epoch, RecordedEvent};

/// The application generations a recorder saw installed, in order.
fn generations(recorder: &Recorder, direction: Direction) -> Vec<u32> {
    recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::KeysInstalled(d, Epoch::Application(n)) if d == direction => Some(n),
            _ => None,
        })
        .collect()
}

/// Every value a recorder saw reported under `label`, in order.
fn reported(recorder: &Recorder, label: SecretLabel) -> Vec<Vec<u8>> {
    recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RecordedEvent::SecretDerived(l, v) if l == label => Some(v),
            _ => None,
        })
        .collect()
}

/// Data one way, then the other, over a connected pair.
fn data_flows_both_ways(t: &mut Traced, tag: &str) {
    t.pair
        .client
        .send(format!("to server {tag}").as_bytes())
        .unwrap();
    t.pair.drive().unwrap();
    assert_eq!(
        t.pair.server_events.last(),
        Some(&AppEvent::Data(format!("to server {tag}").into_bytes()))
    );
    t.pair
        .server
        .send(format!("to client {tag}").as_bytes())
        .unwrap();
    t.pair.drive().unwrap();
    assert_eq!(
        t.pair.client_events.last(),
        Some(&AppEvent::Data(format!("to client {tag}").into_bytes()))
    );
}

#[test]
fn client_updates_its_sending_keys_and_data_still_flows() {
    let mut t = connected_pair();
    t.pair.client.update_keys(false).unwrap();
    data_flows_both_ways(&mut t, "after one update");
    assert_eq!(generations(&t.client, Direction::Send), [0, 1]);
    assert_eq!(generations(&t.server, Direction::Receive), [0, 1]);
    // Not requested: the server's sending keys stay where they were.
    assert_eq!(generations(&t.server, Direction::Send), [0]);
    // The new generation is application_traffic_secret_0 moved on with
    // "traffic upd" (RFC 8446 §7.2), reported by both sides.
    let zero = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    let one = TrafficSecret::from_bytes(zero).next();
    let next = reported(&t.client, SecretLabel::ClientApplicationTrafficNext);
    assert_eq!(next, [one.as_bytes().to_vec()]);
    assert_eq!(
        reported(&t.server, SecretLabel::ClientApplicationTrafficNext),
        next
    );
}

#[test]
fn server_requests_an_update_and_the_client_answers() {
    let mut t = connected_pair();
    t.pair.server.update_keys(true).unwrap();
    t.pair.drive().unwrap();
    // Both directions moved: the server's by its own update, the client's
    // by the answer RFC 8446 §4.6.3 requires.
    assert_eq!(generations(&t.server, Direction::Send), [0, 1]);
    assert_eq!(generations(&t.client, Direction::Receive), [0, 1]);
    assert_eq!(generations(&t.client, Direction::Send), [0, 1]);
    assert_eq!(generations(&t.server, Direction::Receive), [0, 1]);
    data_flows_both_ways(&mut t, "after the requested update");
    // Answered: the server may request again, and both move once more.
    t.pair.server.update_keys(true).unwrap();
    t.pair.client.update_keys(false).unwrap();
    data_flows_both_ways(&mut t, "after more");
    assert_eq!(generations(&t.server, Direction::Send), [0, 1, 2]);
    assert_eq!(generations(&t.client, Direction::Send), [0, 1, 2, 3]);
    assert_eq!(generations(&t.server, Direction::Receive), [0, 1, 2, 3]);
}

#[test]
fn key_update_misuse_is_refused_and_harmless() {
    let mut t = traced_pair();
    assert!(matches!(
        t.pair.client.update_keys(false),
        Err(Error::Misuse(_))
    ));
    t.pair.drive().unwrap();
    t.pair.client.update_keys(true).unwrap();
    // RFC 8446 §4.6.3: no second update_requested before the answer...
    assert!(matches!(
        t.pair.client.update_keys(true),
        Err(Error::Misuse(_))
    ));
    // ...but an update that does not request one is fine.
    t.pair.client.update_keys(false).unwrap();
    data_flows_both_ways(&mut t, "after misuse");
    // The server's answer came with the data: requesting again is allowed.
    t.pair.client.update_keys(true).unwrap();
    t.pair.client.close();
    assert!(matches!(
        t.pair.client.update_keys(false),
        Err(Error::Misuse(_))
    ));
    assert!(t.pair.client.error().is_none());
}

/// A KeyUpdate record with `request_update` set to `value`, sealed as the
/// first application record under `secret`.
fn key_update_record(secret: &[u8; 32], value: u8) -> Vec<u8> {
    seal(secret, 0, ContentType::Handshake, &[24, 0, 0, 1, value])
}

#[test]
fn key_update_with_a_bad_value_is_illegal_parameter_on_both_sides() {
    for value in [2, 0xff] {
        let mut t = connected_pair();
        let client_ap = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
        let result = t.pair.server.receive(&key_update_record(&client_ap, value));
        assert_failure!(
            t.pair.server,
            t.server,
            result,
            Error::IllegalParameter(IllegalParameter::KeyUpdateRequest),
            A::IllegalParameter
        );

        let mut t = connected_pair();
        let server_ap = secret(&t.client, SecretLabel::ServerApplicationTraffic0);
        let result = t.pair.client.receive(&key_update_record(&server_ap, value));
        assert_failure!(
            t.pair.client,
            t.client,
            result,
            Error::IllegalParameter(IllegalParameter::KeyUpdateRequest),
            A::IllegalParameter
        );
    }
    // 0 and 1 are accepted, by the same path.
    let mut t = connected_pair();
    let client_ap = secret(&t.client, SecretLabel::ClientApplicationTraffic0);
    t.pair
        .server
        .receive(&key_update_record(&client_ap, 1))
        .unwrap();
    assert_eq!(generations(&t.server, Direction::Send), [0, 1]);
}

#[test]
fn the_key_log_keeps_only_generation_zero() {
    let dir = TempDir::new("keyupdate-keylog");
    let log = dir.join("keys.log");
    let pki = demo_pki(PKI_SEED);
    let keylog = minitls::keylog::KeyLogObserver::open(&log).unwrap();
    let client = Connection::client_with_observer(
        Arc::new(client_config(&pki, CLIENT_SEED)),
        "localhost",
        Box::new(keylog),
    )
    .unwrap();
    let mut pair = Pair::new(
        client,
        Connection::server(Arc::new(server_config(&pki, SERVER_SEED))),
    );
    pair.drive().unwrap();
    pair.client.update_keys(true).unwrap();
    pair.drive().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.matches("CLIENT_TRAFFIC_SECRET_0").count(), 1, "{text}");
    assert!(!text.contains("TRAFFIC_SECRET_1"), "{text}");
}

// ---------------------------------------------------------------------------
// KeyUpdate against OpenSSL: s_client and s_server send one when a line
// `k` (update_not_requested) or `K` (update_requested) is typed, so they
// run here with their stdin kept open and written to as the test goes.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A process whose stdin the test types into and whose output (stdout and
/// stderr together) it watches; killed when dropped, whatever happens.
struct Interactive {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Interactive {
    fn spawn(cmd: &mut Command) -> Interactive {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        let output = Arc::new(Mutex::new(Vec::new()));
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let into = output.clone();
            std::thread::spawn(move || {
                let mut pipe = pipe;
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    into.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        Interactive {
            stdin: child.stdin.take(),
            child,
            output,
        }
    }

    fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits (bounded) until the output has `needle` `times` times.
    fn wait_for(&self, needle: &str, times: usize) -> bool {
        let deadline = Instant::now() + support::STARTUP;
        while Instant::now() < deadline {
            if self.output().matches(needle).count() >= times {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn openssl_s_client_k_and_capital_k_against_minitls_server() {
    let dir = TempDir::new("keyupdate-s-client");
    let server = minitls_server(&dir, &["--explain"]);
    // No -ign_eof: s_client then reads `k`, `K` and `Q` as commands.
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_client", "-tls1_3", "-CAfile"])
        .arg(dir.join("ca.pem"))
        .args(["-servername", "localhost", "-connect", &server.addr()]);
    let mut s_client = Interactive::spawn(&mut cmd);
    let report = |c: &Interactive| format!("{}\n{}", c.output(), server.report());
    assert!(
        s_client.wait_for("Verify return code: 0", 1),
        "{}",
        report(&s_client)
    );
    // The echo is how we know data still flows both ways.
    s_client.type_line("before");
    assert!(s_client.wait_for("before", 1), "{}", report(&s_client));
    s_client.type_line("k");
    assert!(s_client.wait_for("KEYUPDATE", 1), "{}", report(&s_client));
    s_client.type_line("after-k");
    assert!(s_client.wait_for("after-k", 1), "{}", report(&s_client));
    // K: update_requested; the server answers with its own KeyUpdate.
    s_client.type_line("K");
    assert!(s_client.wait_for("KEYUPDATE", 2), "{}", report(&s_client));
    s_client.type_line("after-capital-k");
    assert!(
        s_client.wait_for("after-capital-k", 1),
        "{}",
        report(&s_client)
    );
    let explained = server.stdout();
    for needle in [
        "= update_not_requested",
        "= update_requested",
        "secret c ap traffic N+1",
        "secret s ap traffic N+1",
        "keys   K_recv = application (generation 1)",
        "keys   K_recv = application (generation 2)",
        "keys   K_send = application (generation 1)",
    ] {
        assert!(
            explained.contains(needle),
            "no {needle:?}\n{}",
            report(&s_client)
        );
    }
    s_client.type_line("Q");
}

#[test]
fn keyupdate_path_against_openssl_s_client() {
    let dir = TempDir::new("keyupdate-path");
    let server = minitls_server(&dir, &["--explain"]);
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_client", "-tls1_3", "-ign_eof", "-CAfile"])
        .arg(dir.join("ca.pem"))
        .args(["-servername", "localhost", "-connect", &server.addr()]);
    let out = run(&mut cmd, Some(b"GET /keyupdate HTTP/1.0\r\n\r\n"));
    let context = format!("{out}\n{}", server.report());
    // The page came under the server's next keys, after its KeyUpdate.
    assert!(out.stdout.contains("HTTP/1.0 200 OK"), "{context}");
    assert!(out.stdout.contains("Hello from minitls"), "{context}");
    let explained = server.stdout();
    let update = explained
        .find("KeyUpdate server -> client")
        .unwrap_or_else(|| panic!("no KeyUpdate sent\n{context}"));
    assert!(
        explained[update..].contains("= update_requested"),
        "{context}"
    );
    let page = explained.find("HTTP/1.0 200 OK").unwrap_or(explained.len());
    let generation_1 = explained
        .find("keys   K_send = application (generation 1)")
        .unwrap_or_else(|| panic!("no new sending keys\n{context}"));
    assert!(update < generation_1 && generation_1 < page, "{context}");
}

#[test]
fn keyupdate_path_against_minitls_client_moves_both_directions() {
    let dir = TempDir::new("keyupdate-path-minitls");
    let server = minitls_server(&dir, &[]);
    let out = support::minitls_client(
        &dir,
        &server,
        &["--explain", "--send", "GET /keyupdate HTTP/1.0\\r\\n\\r\\n"],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert!(out.stdout.contains("HTTP/1.0 200 OK"), "{context}");
    for needle in [
        "keys   K_recv = application (generation 1)",
        "keys   K_send = application (generation 1)",
        "KeyUpdate client -> server",
    ] {
        assert!(out.stdout.contains(needle), "no {needle:?}\n{context}");
    }
}

#[test]
fn minitls_client_key_update_every_against_openssl_s_server() {
    let dir = TempDir::new("keyupdate-s-server");
    minitls_cert(dir.path(), &[]);
    let server = s_server_with_minitls_pki(dir.path(), &["-www"]);
    // Two records (the request line, the blank line), a KeyUpdate after
    // each: the request's end and OpenSSL's page both cross an update.
    let out = support::minitls_client(
        &dir,
        &server,
        &[
            "--key-update-every",
            "1",
            "--explain",
            "--send",
            "GET / HTTP/1.0\\r\\n\\r\\n",
        ],
    );
    let context = format!("{out}\n{}", server.report());
    assert!(out.success(), "{context}");
    assert!(out.stdout.contains("key updates sent: 2"), "{context}");
    assert!(
        out.stdout
            .contains("keys   K_send = application (generation 2)"),
        "{context}"
    );
    assert!(out.stdout.contains("HTTP/1.0 200 ok"), "{context}");
}

#[test]
fn openssl_s_server_k_against_minitls_client() {
    let dir = TempDir::new("keyupdate-s-server-k");
    minitls_cert(dir.path(), &[]);
    let port = support::free_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_server", "-tls1_3", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(dir.join("server.pem"))
        .arg("-key")
        .arg(dir.join("server.key"));
    let mut s_server = Interactive::spawn(&mut cmd);
    assert!(s_server.wait_for("ACCEPT", 1), "{}", s_server.output());
    // The client sends "hello" and waits for as many bytes back.
    let mut client = minitls_interactive_client(&dir, port, &["--explain", "--send", "hello"]);
    assert!(s_server.wait_for("hello", 1), "{}", s_server.output());
    s_server.type_line("K");
    // OpenSSL 3's s_server says so once the KeyUpdate is written.
    assert!(
        s_server.wait_for("SSL_do_handshake -> 1", 1),
        "{}",
        s_server.output()
    );
    s_server.type_line("world");
    assert!(
        client.wait_for("world", 1),
        "{}\n{}",
        client.output(),
        s_server.output()
    );
    let deadline = Instant::now() + support::TIMEOUT;
    let status = loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "client did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = client.output();
    assert!(status.success(), "{out}\n{}", s_server.output());
    // The server's update was requested: the client answered with its own.
    for needle in [
        "= update_requested",
        "keys   K_recv = application (generation 1)",
        "keys   K_send = application (generation 1)",
    ] {
        assert!(out.contains(needle), "no {needle:?}\n{out}");
    }
}

/// `minitls client 127.0.0.1:PORT --servername localhost --ca CA EXTRA...`,
/// watched as it runs.
fn minitls_interactive_client(dir: &TempDir, port: u16, extra: &[&str]) -> Interactive {
    let mut cmd = support::minitls(["client", &format!("127.0.0.1:{port}")]);
    cmd.args(["--servername", "localhost", "--ca"])
        .arg(dir.join("ca.pem"))
        .args(extra);
    Interactive::spawn(&mut cmd)
}
