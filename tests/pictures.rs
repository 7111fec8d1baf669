//! The book's pictures of real connections, drawn from their traces
//! (issue 9, §2 item 4), never by hand:
//!
//! - `ladder_{full,hrr,psk_dhe_ke,psk_ke}.svg`: one handshake each, run in
//!   memory with `minitls::testing` (seeded RNGs, fixed clock), every
//!   record and message each side sent, coloured by the key that protected
//!   it (RFC 8446 §2, §7.1). The messages, their order, their direction
//!   and their protection all come from the trace events.
//! - `record_protection.svg`: one protected record of the full handshake,
//!   opened with the traffic secret the trace reports, drawn as its parts
//!   (RFC 8446 §5.2) with its per-record nonce (RFC 8446 §5.3).
//! - `key_schedule.svg`: the tree of RFC 8446 §7.1, drawn from the
//!   `Derive-Secret` labels that `src/key_schedule.rs` passes in each
//!   stage, checked against the secrets a real handshake derives.
//! - `resumption_strategies.svg`: the stateful and the stateless server
//!   side by side, with the ticket and per-session sizes measured from one
//!   real run of each.
//! - `resumption_fleet.svg`: `minitls fleet`'s client, round-robin
//!   balancer and servers (as many as its `--servers` default), and for
//!   each of its five setups the first connections, one after another:
//!   which server each reached, which server's ticket it offered, and
//!   whether it resumed or why the server refused. The setups are built as
//!   src/bin/minitls/fleet.rs builds them (a store or a key per server, a
//!   shared Redis store, a shared key file, rotated or not); the
//!   connections run in memory, seeded, and the Redis store is a real
//!   `redis-server` (tests/support/redis_server.rs). Only outcomes are
//!   drawn, never times, so the picture is the same on every run.
//!
//! The colours and positions are the only things written here. As with
//! `tests/diagrams.rs`, the rendered files must equal the committed ones;
//! when the code changes a picture, this test fails and says to run
//!
//! ```sh
//! MINITLS_BLESS=1 cargo test --test pictures
//! ```
//!
//! and to review the diff of `book/src/generated/`. `tests/book_pictures.rs`
//! checks in a real browser that each picture shows in the book.

mod support;
#[path = "support/svg.rs"]
mod svg;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use minitls::crypto::{AEAD_TAG_LEN, Aead, HASH_LEN, hkdf_extract};
use minitls::key_schedule::{Secret, SecretLabel, TrafficSecret, derive_secret};
use minitls::messages::{PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::record::{ContentType, HEADER_LEN, OpaqueRecord, RecordProtection};
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::redis::RedisStore;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticket_keys::{KEY_ID_LEN, KEY_LEN, TicketKeys};
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{FIXED_NOW, Pair, SeededRng, Side, TempDir, demo_pki};
use minitls::trace::{Direction, Epoch, Event, Observer, RecordedEvent, Recorder, ResumptionEvent};
use minitls::transcript::TranscriptHash;
use minitls::{ClientConfig, Connection, ServerConfig};
use support::redis_server::RedisServer;
use svg::{FONT_FAMILY, FONT_SIZE, check_or_bless, comment, xml_escape};

// ---------------------------------------------------------------------------
// Running a connection and keeping both sides' events in one order
// ---------------------------------------------------------------------------

/// Both sides' events, in the order they happened (the pair runs on one
/// thread, so the order of the calls is the order of the events).
type Log = Arc<Mutex<Vec<(Side, RecordedEvent)>>>;

/// Tags each event with the side that reported it and appends it to a
/// shared [`Log`]. The owned copy is made by the library's [`Recorder`].
struct SideObserver {
    side: Side,
    log: Log,
}

impl Observer for SideObserver {
    fn on_event(&mut self, event: &Event<'_>) {
        let mut one = Recorder::default();
        one.on_event(event);
        let mut log = self.log.lock().unwrap();
        log.extend(one.events().into_iter().map(|e| (self.side, e)));
    }
}

/// The four flows the ladders draw.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Flow {
    /// A full handshake with a server that issues tickets.
    Full,
    /// A full handshake where the client sent no key share first.
    HelloRetryRequest,
    /// A resumption with a fresh X25519 exchange (RFC 8446 §4.2.9).
    PskDheKe,
    /// A resumption with the PSK alone.
    PskKe,
}

impl Flow {
    const ALL: [Flow; 4] = [
        Flow::Full,
        Flow::HelloRetryRequest,
        Flow::PskDheKe,
        Flow::PskKe,
    ];

    fn file(self) -> &'static str {
        match self {
            Flow::Full => "ladder_full.svg",
            Flow::HelloRetryRequest => "ladder_hrr.svg",
            Flow::PskDheKe => "ladder_psk_dhe_ke.svg",
            Flow::PskKe => "ladder_psk_ke.svg",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Flow::Full => "Full handshake",
            Flow::HelloRetryRequest => "Full handshake after a HelloRetryRequest",
            Flow::PskDheKe => "Resumption, psk_dhe_ke (PSK and a fresh X25519 exchange)",
            Flow::PskKe => "Resumption, psk_ke (PSK alone)",
        }
    }

    /// The PSK modes the client offers: one, so that the flow is the one named.
    fn client_modes(self) -> Vec<u8> {
        match self {
            Flow::PskKe => vec![PSK_KE],
            _ => vec![PSK_DHE_KE],
        }
    }
}

/// The seeds of the picture runs (as `tests/transcripts.rs` uses them).
const PKI_SEED: u64 = 1;
const FIRST_SEED: u64 = 10;
const SECOND_SEED: u64 = 20;

/// What the client sends once connected, and what the server answers.
const REQUEST: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nhello\n";

/// One connection of a flow, and what the server's strategy held after it.
struct Run {
    log: Vec<(Side, RecordedEvent)>,
    bytes_held: usize,
}

/// Configs for one connection: a server with `strategy` that accepts both
/// PSK modes, a client remembering tickets in `cache`.
fn configs(
    strategy: &Arc<dyn ResumptionStrategy>,
    cache: &Arc<Mutex<ClientSessionCache>>,
    modes: Vec<u8>,
    seed: u64,
) -> (ClientConfig, ServerConfig) {
    let pki = demo_pki(PKI_SEED);
    let mut client = minitls::testing::client_config(&pki, seed + 1);
    client.session_cache = Some(cache.clone());
    client.psk_modes = modes;
    let mut server = minitls::testing::server_config(&pki, seed);
    server.resumption = Some(strategy.clone());
    server.psk_modes = vec![PSK_DHE_KE, PSK_KE];
    (client, server)
}

/// Runs one connection to the end and returns its merged log.
fn connect(client: ClientConfig, server: ServerConfig) -> Vec<(Side, RecordedEvent)> {
    let log: Log = Arc::default();
    let observer = |side| {
        Box::new(SideObserver {
            side,
            log: log.clone(),
        })
    };
    let client =
        Connection::client_with_observer(Arc::new(client), "localhost", observer(Side::Client))
            .expect("client starts");
    let server = Connection::server_with_observer(Arc::new(server), observer(Side::Server));
    let mut pair = Pair::new(client, server);
    pair.drive().expect("the handshake completes");
    assert!(pair.client.is_connected() && pair.server.is_connected());
    // One request and one answer, as `minitls server` answers curl: the
    // application keys then protect data, not only tickets.
    pair.client.send(REQUEST).expect("the client sends");
    pair.drive().expect("the request arrives");
    pair.server.send(RESPONSE).expect("the server answers");
    pair.drive().expect("the answer arrives");
    log.lock().unwrap().clone()
}

/// Runs `flow` against a server with `strategy`: for a resumption, a full
/// handshake first leaves a ticket in the client's cache, and the second
/// connection is the one returned.
fn run_with(flow: Flow, strategy: Arc<dyn ResumptionStrategy>) -> Run {
    let cache = Arc::new(Mutex::new(ClientSessionCache::new(4)));
    let (mut client, server) = configs(&strategy, &cache, flow.client_modes(), FIRST_SEED);
    if flow == Flow::HelloRetryRequest {
        client.initial_key_share = false;
    }
    let mut log = connect(client, server);
    if matches!(flow, Flow::PskDheKe | Flow::PskKe) {
        let (client, server) = configs(&strategy, &cache, flow.client_modes(), SECOND_SEED);
        log = connect(client, server);
    }
    Run {
        log,
        bytes_held: strategy.bytes_held(),
    }
}

/// The ladders' runs use the stateless strategy; the ladder is the same
/// with the other (`tests/transcripts.rs` shows the two differ only in the
/// ticket's bytes).
fn run(flow: Flow) -> Run {
    run_with(flow, Arc::new(Ticketer::new(3600)))
}

// ---------------------------------------------------------------------------
// The ladder: what each side sent, and under which key
// ---------------------------------------------------------------------------

/// What protected a record (RFC 8446 §2: the handshake is protected from
/// the ServerHello on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protection {
    /// A TLSPlaintext record: no key yet.
    Plaintext,
    /// The sender's handshake traffic key (`[sender]_handshake_traffic_secret`).
    Handshake,
    /// The sender's application traffic key (`[sender]_application_traffic_secret_N`).
    Application,
    /// A change_cipher_spec record: sent in the clear for middlebox
    /// compatibility (RFC 8446 Appendix D.4), and changing no key.
    ChangeCipherSpec,
}

impl Protection {
    const ALL: [Protection; 4] = [
        Protection::Plaintext,
        Protection::Handshake,
        Protection::Application,
        Protection::ChangeCipherSpec,
    ];

    /// The one thing typed by hand: a colour per protection (Okabe-Ito, so
    /// that they stay apart for colour-blind readers), and a dash pattern
    /// so that they stay apart in grey too.
    fn colour(self) -> &'static str {
        match self {
            Protection::Plaintext => "#333333",
            Protection::Handshake => "#d55e00",
            Protection::Application => "#0072b2",
            Protection::ChangeCipherSpec => "#8c8c8c",
        }
    }

    fn dash(self) -> &'static str {
        match self {
            Protection::ChangeCipherSpec => " stroke-dasharray=\"3 4\"",
            Protection::Plaintext | Protection::Handshake | Protection::Application => "",
        }
    }

    fn stroke_width(self) -> &'static str {
        match self {
            Protection::Plaintext | Protection::ChangeCipherSpec => "1.5",
            Protection::Handshake | Protection::Application => "3",
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Protection::Plaintext => "plaintext record: no key yet",
            Protection::Handshake => "protected by a handshake traffic key",
            Protection::Application => "protected by an application traffic key",
            Protection::ChangeCipherSpec => "change_cipher_spec: in the clear, changes no key",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Protection::Plaintext => "plaintext",
            Protection::Handshake => "handshake",
            Protection::Application => "application",
            Protection::ChangeCipherSpec => "ccs",
        }
    }
}

/// One arrow of the ladder.
#[derive(Clone, Debug, PartialEq)]
struct Arrow {
    from: Side,
    /// The message's name, or the record's content type for a record that
    /// carries no handshake message.
    label: String,
    protection: Protection,
    /// The traffic secret whose key protected it ("s hs traffic"), if any.
    secret: Option<&'static str>,
}

/// The secret label of `side`'s sending key in `epoch`.
fn sending_secret(side: Side, epoch: Epoch) -> SecretLabel {
    match (side, epoch) {
        (Side::Client, Epoch::Handshake) => SecretLabel::ClientHandshakeTraffic,
        (Side::Server, Epoch::Handshake) => SecretLabel::ServerHandshakeTraffic,
        (Side::Client, Epoch::Application(_)) => SecretLabel::ClientApplicationTraffic0,
        (Side::Server, Epoch::Application(_)) => SecretLabel::ServerApplicationTraffic0,
        (_, Epoch::EarlyData) => panic!("the pictured handshakes send no 0-RTT data"),
    }
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// The ladder of a log: every record each side sent, in order, one arrow
/// per handshake message it carried (or one for the record itself when it
/// carries none). A message belongs to the next record its side sends; a
/// protected record is under the sending key its side installed last
/// (Appendix A's `K_send`).
fn ladder(log: &[(Side, RecordedEvent)]) -> Vec<Arrow> {
    let mut pending: [Vec<(&'static str, Vec<u8>)>; 2] = [Vec::new(), Vec::new()];
    let mut epoch: [Option<Epoch>; 2] = [None, None];
    let mut arrows = Vec::new();
    for (side, event) in log {
        let i = index(*side);
        match event {
            RecordedEvent::MessageSent(name, bytes) => pending[i].push((name, bytes.clone())),
            RecordedEvent::KeysInstalled(Direction::Send, e) => epoch[i] = Some(*e),
            RecordedEvent::RecordSent(content_type, protected, bytes) => {
                let (protection, secret) = match (protected, epoch[i]) {
                    (false, _) if *content_type == ContentType::ChangeCipherSpec => {
                        (Protection::ChangeCipherSpec, None)
                    }
                    (false, _) => (Protection::Plaintext, None),
                    (true, Some(e)) => (
                        match e {
                            Epoch::Handshake => Protection::Handshake,
                            Epoch::Application(_) => Protection::Application,
                            Epoch::EarlyData => {
                                panic!("the pictured handshakes send no 0-RTT data")
                            }
                        },
                        Some(sending_secret(*side, e).rfc_label()),
                    ),
                    (true, None) => panic!("a protected record before any sending key"),
                };
                let messages = std::mem::take(&mut pending[i]);
                if *content_type != ContentType::Handshake {
                    assert!(messages.is_empty(), "messages outside a handshake record");
                    arrows.push(Arrow {
                        from: *side,
                        label: content_type.name().to_string(),
                        protection,
                        secret,
                    });
                    continue;
                }
                assert!(!messages.is_empty(), "a handshake record with no message");
                if !protected {
                    // In the clear, the record's fragment is the messages.
                    let carried: Vec<u8> = messages.iter().flat_map(|(_, b)| b.clone()).collect();
                    assert_eq!(
                        &bytes[HEADER_LEN..],
                        carried,
                        "a plaintext record's messages"
                    );
                }
                for (name, _) in messages {
                    arrows.push(Arrow {
                        from: *side,
                        label: name.to_string(),
                        protection,
                        secret,
                    });
                }
            }
            _ => {}
        }
    }
    assert!(
        pending.iter().all(Vec::is_empty),
        "a message was never sent in a record"
    );
    arrows
}

/// Layout of the ladders (px).
const LADDER_WIDTH: i32 = 720;
const MARGIN: i32 = 16;
const CLIENT_X: i32 = 110;
const SERVER_X: i32 = 540;
const HEAD_TOP: i32 = 42;
const HEAD_HEIGHT: i32 = 28;
const ROW: i32 = 34;
/// Where each arrow's key is named, right of the server's box.
const KEY_X: i32 = SERVER_X + 64;
const LEGEND_ROW: i32 = 22;

/// The opening of every picture here: size, font, `<title>`, arrow heads
/// in each protection's colour, and a white background.
fn open_svg(source: &str, width: i32, height: i32, title: &str) -> String {
    let mut markers = String::new();
    for p in Protection::ALL {
        markers.push_str(&format!(
            "    <marker id=\"head-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
             <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"{}\"/></marker>\n",
            p.id(),
            p.colour()
        ));
    }
    format!(
        "<!-- Generated by tests/pictures.rs from {source}. Do not edit:\n\
         \x20    regenerate as tests/pictures.rs says. -->\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" \
         font-family=\"{FONT_FAMILY}\" font-size=\"{FONT_SIZE}\">\n\
         \x20 <title>{title}</title>\n\
         \x20 <defs>\n{markers}\x20 </defs>\n\
         \x20 <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n",
        title = xml_escape(title),
    )
}

/// One line of text.
fn text(x: i32, y: i32, anchor: &str, style: &str, content: &str) -> String {
    format!(
        "  <text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\"{style}>{}</text>\n",
        xml_escape(content)
    )
}

fn ladder_title(flow: Flow) -> String {
    format!(
        "{}: every message minitls sent, in order, coloured by the key that protected it",
        flow.title()
    )
}

/// The ladder picture of one flow.
fn render_ladder(flow: Flow, arrows: &[Arrow]) -> String {
    let rows_top = HEAD_TOP + HEAD_HEIGHT + 12;
    let rows_bottom = rows_top + arrows.len() as i32 * ROW;
    let legend_top = rows_bottom + 26;
    let height = legend_top + Protection::ALL.len() as i32 * LEGEND_ROW + MARGIN;
    let mut out = open_svg(
        "a deterministic in-memory run (minitls::testing)",
        LADDER_WIDTH,
        height,
        &ladder_title(flow),
    );
    out.push_str(&text(
        MARGIN,
        26,
        "start",
        " font-weight=\"bold\"",
        flow.title(),
    ));
    for (x, name) in [(CLIENT_X, "Client"), (SERVER_X, "Server")] {
        out.push_str(&format!(
            "  <rect x=\"{}\" y=\"{HEAD_TOP}\" width=\"100\" height=\"{HEAD_HEIGHT}\" rx=\"6\" \
             fill=\"#e8f0fa\" stroke=\"#3a6ea5\" stroke-width=\"1.5\"/>\n\
             \x20 <path d=\"M {x} {} V {rows_bottom}\" stroke=\"#9a9a9a\" stroke-width=\"1.5\"/>\n",
            x - 50,
            HEAD_TOP + HEAD_HEIGHT,
        ));
        out.push_str(&text(
            x,
            HEAD_TOP + 19,
            "middle",
            " font-weight=\"bold\"",
            name,
        ));
    }
    // The key's name goes right of the server's line, where no arrow is.
    out.push_str(&text(
        KEY_X,
        HEAD_TOP + 19,
        "start",
        " fill=\"#555555\"",
        "key from",
    ));
    for (n, arrow) in arrows.iter().enumerate() {
        let y = rows_top + n as i32 * ROW + 22;
        let (x0, x1) = match arrow.from {
            Side::Client => (CLIENT_X, SERVER_X),
            Side::Server => (SERVER_X, CLIENT_X),
        };
        let p = arrow.protection;
        out.push_str(&comment(&format!(
            "{:?} -> {}: {:?}",
            arrow.from, arrow.label, p
        )));
        out.push_str(&format!(
            "  <path d=\"M {x0} {y} H {x1}\" stroke=\"{}\" stroke-width=\"{}\"{} \
             marker-end=\"url(#head-{})\"/>\n",
            p.colour(),
            p.stroke_width(),
            p.dash(),
            p.id()
        ));
        out.push_str(&text(
            (CLIENT_X + SERVER_X) / 2,
            y - 7,
            "middle",
            &format!(" fill=\"{}\"", p.colour()),
            &arrow.label,
        ));
        let key = match (p, arrow.secret) {
            (Protection::Plaintext | Protection::ChangeCipherSpec, _) => "none".to_string(),
            (_, Some(secret)) => secret.to_string(),
            (_, None) => unreachable!("a protected arrow has a secret"),
        };
        out.push_str(&text(
            KEY_X,
            y + 4,
            "start",
            &format!(" fill=\"{}\"", p.colour()),
            &key,
        ));
    }
    for (n, p) in Protection::ALL.iter().enumerate() {
        let y = legend_top + n as i32 * LEGEND_ROW;
        out.push_str(&format!(
            "  <path d=\"M {MARGIN} {y} H {}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
            MARGIN + 44,
            p.colour(),
            p.stroke_width(),
            p.dash()
        ));
        out.push_str(&text(MARGIN + 56, y + 4, "start", "", p.legend()));
    }
    out.push_str("</svg>\n");
    out
}

#[test]
fn ladders_are_up_to_date() {
    for flow in Flow::ALL {
        let arrows = ladder(&run(flow).log);
        check_or_bless(
            flow.file(),
            &render_ladder(flow, &arrows),
            "a deterministic run of minitls::testing",
            "pictures",
        );
    }
}

/// The full ladder is exactly what the trace says was sent: every
/// handshake message either side sent, in the order sent, and one arrow for
/// each record that carries no handshake message (change_cipher_spec,
/// application data). And the protection follows RFC 8446 §2: only the
/// hellos in the clear, the rest of the handshake under handshake keys,
/// tickets and data under application keys.
#[test]
fn the_full_ladder_has_the_messages_of_the_trace_in_order() {
    let log = run(Flow::Full).log;
    let arrows = ladder(&log);
    let sent: Vec<(Side, &str)> = log
        .iter()
        .filter_map(|(side, e)| match e {
            RecordedEvent::MessageSent(name, _) => Some((*side, *name)),
            RecordedEvent::RecordSent(content_type, _, _)
                if *content_type != ContentType::Handshake =>
            {
                Some((*side, content_type.name()))
            }
            _ => None,
        })
        .collect();
    let drawn: Vec<(Side, &str)> = arrows.iter().map(|a| (a.from, a.label.as_str())).collect();
    assert_eq!(drawn, sent);
    let protection_of = |side: Side, label: &str| -> Vec<Protection> {
        arrows
            .iter()
            .filter(|a| a.from == side && a.label == label)
            .map(|a| a.protection)
            .collect()
    };
    assert_eq!(
        protection_of(Side::Client, "ClientHello"),
        [Protection::Plaintext]
    );
    assert_eq!(
        protection_of(Side::Server, "ServerHello"),
        [Protection::Plaintext]
    );
    for message in [
        "EncryptedExtensions",
        "Certificate",
        "CertificateVerify",
        "Finished",
    ] {
        assert_eq!(
            protection_of(Side::Server, message),
            [Protection::Handshake]
        );
    }
    assert_eq!(
        protection_of(Side::Client, "Finished"),
        [Protection::Handshake]
    );
    let tickets = protection_of(Side::Server, "NewSessionTicket");
    assert!(!tickets.is_empty(), "the server issued no ticket");
    assert!(tickets.iter().all(|p| *p == Protection::Application));
    for side in [Side::Client, Side::Server] {
        assert_eq!(
            protection_of(side, "application_data"),
            [Protection::Application]
        );
        assert_eq!(
            protection_of(side, "change_cipher_spec"),
            [Protection::ChangeCipherSpec]
        );
    }
}

/// The ladders differ where the RFC says the flows differ: a
/// HelloRetryRequest makes the client send a second ClientHello; a
/// resumption sends no Certificate or CertificateVerify either way.
#[test]
fn the_flows_differ_where_the_rfc_says() {
    let labels = |flow| -> Vec<(Side, String)> {
        ladder(&run(flow).log)
            .into_iter()
            .filter(|a| a.protection != Protection::ChangeCipherSpec)
            .map(|a| (a.from, a.label))
            .collect()
    };
    let count = |labels: &[(Side, String)], side: Side, name: &str| {
        labels
            .iter()
            .filter(|(s, l)| *s == side && l == name)
            .count()
    };
    let hrr = labels(Flow::HelloRetryRequest);
    assert_eq!(count(&hrr, Side::Server, "HelloRetryRequest"), 1);
    assert_eq!(count(&hrr, Side::Client, "ClientHello"), 2);
    for (flow, mode) in [(Flow::PskDheKe, "psk_dhe_ke"), (Flow::PskKe, "psk_ke")] {
        let accepted: Vec<&str> = run(flow)
            .log
            .iter()
            .filter_map(|(_, e)| match e {
                RecordedEvent::Resumption(ResumptionEvent::Accepted { psk_mode, .. }) => {
                    Some(*psk_mode)
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            accepted,
            [mode],
            "{flow:?}: the server resumed in this mode"
        );
        let resumed = labels(flow);
        assert_eq!(count(&resumed, Side::Server, "Certificate"), 0, "{flow:?}");
        assert_eq!(
            count(&resumed, Side::Server, "CertificateVerify"),
            0,
            "{flow:?}"
        );
        assert_eq!(count(&resumed, Side::Server, "Finished"), 1, "{flow:?}");
    }
}

/// Every protected record really opens under the key its arrow names: the
/// ladder's colours are checked against the trace's secrets, not trusted.
#[test]
fn every_protected_record_opens_under_the_key_the_ladder_names() {
    for flow in Flow::ALL {
        let log = run(flow).log;
        let arrows = ladder(&log);
        for side in [Side::Client, Side::Server] {
            let mut opened = 0;
            let mut protections: Vec<(&'static str, RecordProtection)> = Vec::new();
            let mut names = arrows
                .iter()
                .filter(|a| a.from == side && a.secret.is_some());
            for (s, event) in &log {
                if *s != side {
                    continue;
                }
                if let RecordedEvent::SecretDerived(label, value) = event {
                    let secret = TrafficSecret::from_bytes(value.as_slice().try_into().unwrap());
                    if protections.iter().all(|(l, _)| *l != label.rfc_label()) {
                        protections.push((
                            label.rfc_label(),
                            RecordProtection::new(&secret.traffic_keys()),
                        ));
                    }
                }
                if let RecordedEvent::RecordSent(_, true, bytes) = event {
                    let arrow = names.next().expect("an arrow for each protected record");
                    let secret = arrow.secret.unwrap();
                    let (_, protection) = protections
                        .iter_mut()
                        .find(|(l, _)| *l == secret)
                        .expect("the secret was derived before the record");
                    protection.decrypt(record(bytes)).unwrap_or_else(|e| {
                        panic!("{flow:?}: {} under {secret}: {e}", arrow.label)
                    });
                    opened += 1;
                    // The other arrows of a record share its key.
                    let rest = count_messages_in_record(&log, side, bytes) - 1;
                    for _ in 0..rest {
                        assert_eq!(names.next().unwrap().secret, Some(secret));
                    }
                }
            }
            assert!(opened > 0, "{flow:?} {side:?}: no protected record");
        }
    }
}

/// A record's bytes as the record layer's type.
fn record(bytes: &[u8]) -> OpaqueRecord {
    OpaqueRecord {
        content_type: bytes[0],
        legacy_record_version: u16::from_be_bytes([bytes[1], bytes[2]]),
        fragment: bytes[HEADER_LEN..].to_vec(),
    }
}

/// How many handshake messages `side` queued just before sending the
/// record `bytes` (1 for a record that carries none).
fn count_messages_in_record(log: &[(Side, RecordedEvent)], side: Side, bytes: &[u8]) -> usize {
    let at = log
        .iter()
        .position(|(s, e)| {
            *s == side && matches!(e, RecordedEvent::RecordSent(_, _, b) if b == bytes)
        })
        .unwrap();
    let mut n = 0;
    for (s, e) in log[..at].iter().rev() {
        if *s != side {
            continue;
        }
        match e {
            RecordedEvent::MessageSent(..) => n += 1,
            RecordedEvent::RecordSent(..) => break,
            _ => {}
        }
    }
    n.max(1)
}

// ---------------------------------------------------------------------------
// Record protection: one real record, taken apart
// ---------------------------------------------------------------------------

/// One protected record of a real run, opened (RFC 8446 §5.2, §5.3).
struct OpenedRecord {
    /// Who sent it, and the traffic secret's label ("s ap traffic").
    from: Side,
    secret: &'static str,
    /// Its sequence number under that secret.
    sequence_number: u64,
    /// The whole record as sent.
    bytes: Vec<u8>,
    /// What it carried: its handshake messages, or its content type.
    carried: String,
    /// TLSInnerPlaintext, taken apart.
    content: Vec<u8>,
    content_type: ContentType,
    padding: usize,
    /// The static write_iv and the per-record nonce made from it.
    iv: [u8; 12],
    nonce: [u8; 12],
}

/// The last protected record the server sent in the full handshake's
/// connection: its answer, under its application key, after the record
/// of its tickets, so that its sequence number is not 0 and its nonce is
/// not the bare IV. Each earlier record under the same secret is opened
/// first, so the record layer's own sequence numbers are the ones checked.
fn opened_record() -> OpenedRecord {
    let log = run(Flow::Full).log;
    let arrows = ladder(&log);
    let side = Side::Server;
    let mut secrets: Vec<(&'static str, [u8; 32])> = Vec::new();
    let mut records: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut epoch = None;
    for (s, event) in &log {
        if *s != side {
            continue;
        }
        match event {
            RecordedEvent::SecretDerived(label, value) => {
                secrets.push((label.rfc_label(), value.as_slice().try_into().unwrap()))
            }
            RecordedEvent::KeysInstalled(Direction::Send, e) => epoch = Some(*e),
            RecordedEvent::RecordSent(_, true, bytes) => {
                let label = sending_secret(side, epoch.unwrap()).rfc_label();
                records.push((label, bytes.clone()));
            }
            _ => {}
        }
    }
    let (secret, bytes) = records.last().cloned().expect("a protected record");
    let value = secrets.iter().find(|(l, _)| *l == secret).unwrap().1;
    let keys = TrafficSecret::from_bytes(value).traffic_keys();
    let mut protection = RecordProtection::new(&keys);
    let earlier: Vec<&Vec<u8>> = records
        .iter()
        .filter(|(l, _)| *l == secret)
        .map(|(_, b)| b)
        .collect();
    let sequence_number = (earlier.len() - 1) as u64;
    let mut opened = None;
    for b in earlier {
        opened = Some(protection.decrypt(record(b)).expect("opens in order"));
    }
    let (content_type, content) = opened.unwrap();
    let fragment_len = bytes.len() - HEADER_LEN;
    let padding = fragment_len - AEAD_TAG_LEN - content.len() - 1;
    let mut nonce = keys.iv;
    for (n, s) in nonce[4..].iter_mut().zip(sequence_number.to_be_bytes()) {
        *n ^= s;
    }
    let record_arrows = count_messages_in_record(&log, side, &bytes);
    let mine: Vec<&Arrow> = arrows
        .iter()
        .filter(|a| a.from == side && a.secret == Some(secret))
        .collect();
    let carried = mine[mine.len() - record_arrows..]
        .iter()
        .map(|a| a.label.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    OpenedRecord {
        from: side,
        secret,
        sequence_number,
        bytes,
        carried,
        content,
        content_type,
        padding,
        iv: keys.iv,
        nonce,
    }
}

/// `bytes` as spaced hex, the first `n` of them, with "…" when cut.
fn hex(bytes: &[u8], n: usize) -> String {
    let mut out: Vec<String> = bytes.iter().take(n).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > n {
        out.push("…".to_string());
    }
    out.join(" ")
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

/// A box with up to three centred lines.
fn boxed(out: &mut String, x: i32, y: i32, w: i32, h: i32, fill: &str, lines: &[&str]) {
    out.push_str(&format!(
        "  <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\" \
         stroke=\"#333333\" stroke-width=\"1.2\"/>\n"
    ));
    for (n, line) in lines.iter().enumerate() {
        let style = if n == 0 { " font-weight=\"bold\"" } else { "" };
        out.push_str(&text(
            x + w / 2,
            y + 19 + 17 * n as i32,
            "middle",
            style,
            line,
        ));
    }
}

fn record_title(r: &OpenedRecord) -> String {
    format!(
        "One protected record of the full handshake's connection, taken apart: the {} the \
         server sent under \"{}\", sequence number {}",
        r.carried, r.secret, r.sequence_number
    )
}

/// The record-protection picture.
fn render_record(r: &OpenedRecord) -> String {
    let width = 740;
    let height = 392;
    let header = &r.bytes[..HEADER_LEN];
    let fragment = &r.bytes[HEADER_LEN..];
    let (sealed, tag) = fragment.split_at(fragment.len() - AEAD_TAG_LEN);
    let mut out = open_svg(
        "a deterministic in-memory run (minitls::testing), opened with the trace's secret",
        width,
        height,
        &record_title(r),
    );
    let side = match r.from {
        Side::Client => "client",
        Side::Server => "server",
    };
    out.push_str(&text(
        MARGIN,
        26,
        "start",
        " font-weight=\"bold\"",
        &format!(
            "The {side}'s record of {}, sequence number {}",
            r.carried, r.sequence_number
        ),
    ));
    // Where the parts sit: the inner plaintext over the part of the record
    // that encrypts it.
    let (h0, h1) = (MARGIN, 136);
    let (c1, t1, z1) = (336, 516, 586);
    let end = width - MARGIN;
    let fill_plain = "#f4f4f4";
    let fill_sealed = "#dbe9f5";
    out.push_str(&text(
        MARGIN,
        58,
        "start",
        "",
        "TLSInnerPlaintext, what is sealed (RFC 8446 §5.2):",
    ));
    let content_size = plural(r.content.len());
    let content_hex = hex(&r.content, 4);
    boxed(
        &mut out,
        h1,
        68,
        c1 - h1,
        64,
        fill_plain,
        &["content", &content_size, &content_hex],
    );
    let type_line = format!("{:02x} = {}", r.content_type.to_u8(), r.content_type.name());
    boxed(
        &mut out,
        c1,
        68,
        t1 - c1,
        64,
        fill_plain,
        &["type", "1 byte", &type_line],
    );
    let padding = plural(r.padding);
    boxed(
        &mut out,
        t1,
        68,
        z1 - t1,
        64,
        fill_plain,
        &["zeros", &padding],
    );
    // The seal, from the inner plaintext down to the record.
    out.push_str(&format!(
        "  <path d=\"M {x} 134 V 190\" stroke=\"#0072b2\" stroke-width=\"2\" \
         marker-end=\"url(#head-application)\"/>\n",
        x = (h1 + z1) / 2
    ));
    out.push_str(&text(
        (h1 + z1) / 2 + 10,
        166,
        "start",
        " fill=\"#0072b2\"",
        &format!("sealed with the key of \"{}\"", r.secret),
    ));
    out.push_str(&text(MARGIN, 158, "start", "", "TLSCiphertext,"));
    out.push_str(&text(MARGIN, 176, "start", "", "what is sent:"));
    let header_hex = hex(header, HEADER_LEN);
    boxed(
        &mut out,
        h0,
        192,
        h1 - h0,
        64,
        "#fff4d6",
        &["header", "5 bytes", &header_hex],
    );
    let sealed_size = plural(sealed.len());
    let sealed_hex = hex(sealed, 6);
    boxed(
        &mut out,
        h1,
        192,
        z1 - h1,
        64,
        fill_sealed,
        &["encrypted inner plaintext", &sealed_size, &sealed_hex],
    );
    let tag_hex = hex(tag, 3);
    boxed(
        &mut out,
        z1,
        192,
        end - z1,
        64,
        fill_sealed,
        &["tag", "16 bytes", &tag_hex],
    );
    out.push_str(&text(h0, 274, "start", "", "= additional_data"));
    out.push_str(&text((z1 + end) / 2, 274, "middle", "", "checked on open"));
    // The nonce, byte by byte.
    let mut sequence = [0u8; 12];
    sequence[4..].copy_from_slice(&r.sequence_number.to_be_bytes());
    out.push_str(&text(
        MARGIN,
        310,
        "start",
        " font-weight=\"bold\"",
        "The per-record nonce (RFC 8446 §5.3):",
    ));
    let rows = [
        (format!("{side}_write_iv"), hex(&r.iv, 12)),
        (
            format!("XOR sequence number {}", r.sequence_number),
            hex(&sequence, 12),
        ),
        ("= nonce".to_string(), hex(&r.nonce, 12)),
    ];
    for (n, (name, value)) in rows.iter().enumerate() {
        let y = 334 + 20 * n as i32;
        out.push_str(&text(MARGIN, y, "start", "", name));
        out.push_str(&text(MARGIN + 216, y, "start", "", value));
    }
    out.push_str("</svg>\n");
    out
}

#[test]
fn record_protection_is_up_to_date() {
    check_or_bless(
        "record_protection.svg",
        &render_record(&opened_record()),
        "a deterministic run of minitls::testing",
        "pictures",
    );
}

/// The parts drawn are the record's parts: the header is the additional
/// data, the lengths add up, and the nonce made here (IV XOR sequence
/// number) opens the record with the AEAD primitive alone.
#[test]
fn the_record_parts_add_up_and_the_nonce_opens_it() {
    let r = opened_record();
    let length = u16::from_be_bytes([r.bytes[3], r.bytes[4]]) as usize;
    assert_eq!(r.bytes[0], ContentType::ApplicationData.to_u8());
    assert_eq!(length, r.bytes.len() - HEADER_LEN);
    assert_eq!(length, r.content.len() + 1 + r.padding + AEAD_TAG_LEN);
    assert!(
        r.sequence_number > 0,
        "pick a record whose nonce is not the IV"
    );
    let keys = {
        let log = run(Flow::Full).log;
        let value = log
            .iter()
            .find_map(|(s, e)| match e {
                RecordedEvent::SecretDerived(label, v)
                    if *s == r.from && label.rfc_label() == r.secret =>
                {
                    Some(<[u8; 32]>::try_from(v.as_slice()).unwrap())
                }
                _ => None,
            })
            .unwrap();
        TrafficSecret::from_bytes(value).traffic_keys()
    };
    let mut inner = r.bytes[HEADER_LEN..].to_vec();
    Aead::new(keys.key)
        .open(&r.nonce, &r.bytes[..HEADER_LEN], &mut inner)
        .expect("the nonce drawn opens the record");
    assert_eq!(&inner[..r.content.len()], r.content);
    assert_eq!(inner[r.content.len()], r.content_type.to_u8());
}

// ---------------------------------------------------------------------------
// The key schedule, from the labels the code uses
// ---------------------------------------------------------------------------

/// One stage of the key schedule as `src/key_schedule.rs` writes it: the
/// type, the secrets its methods derive (`Derive-Secret` label, method),
/// and the stage it turns into through `Derive-Secret(., "derived", "")`.
#[derive(Debug, PartialEq)]
struct Stage {
    type_name: String,
    leaves: Vec<(String, String)>,
    /// The label whose secret salts the next stage's HKDF-Extract, the
    /// method that does it, and the next stage's type.
    next: Option<(String, String, String)>,
}

/// The first string literal in `line` after `from`.
fn quoted_after<'a>(line: &'a str, from: &str) -> Option<&'a str> {
    let rest = &line[line.find(from)? + from.len()..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    Some(&rest[start..start + len])
}

/// The stages of `src/key_schedule.rs`, in chain order, read from its
/// source: in each `impl <Stage>` block, every `derive_secret(&self.0,
/// "label", ..)` is a leaf of that stage, named by the method it is in; a
/// method that calls `derived(&self.0)` and returns another stage is the
/// chain's next link, with the label `derived` itself passes.
fn key_schedule_stages() -> Vec<Stage> {
    let source = include_str!("../src/key_schedule.rs");
    // What `derived()` passes to Derive-Secret.
    let derived_fn = &source[source.find("fn derived(").expect("fn derived")..];
    let derived_label = quoted_after(derived_fn, "derive_secret(")
        .expect("derived() calls derive_secret with a label")
        .to_string();
    let mut stages: Vec<Stage> = Vec::new();
    let mut current: Option<Stage> = None;
    let mut method = String::new();
    let mut returns = String::new();
    for line in source.lines() {
        if let Some(name) = line
            .strip_prefix("impl ")
            .and_then(|rest| rest.strip_suffix(" {"))
            .filter(|name| name.ends_with("Secret") && !name.contains(' '))
        {
            current = Some(Stage {
                type_name: name.to_string(),
                leaves: Vec::new(),
                next: None,
            });
            continue;
        }
        let Some(stage) = current.as_mut() else {
            continue;
        };
        if line == "}" {
            // An impl with no Derive-Secret (TrafficSecret's) is not a stage.
            let stage = current.take().unwrap();
            if !stage.leaves.is_empty() || stage.next.is_some() {
                stages.push(stage);
            }
            continue;
        }
        if let Some(rest) = line.trim_start().strip_prefix("pub fn ") {
            method = rest[..rest.find('(').unwrap()].to_string();
            returns = rest
                .rsplit("-> ")
                .next()
                .filter(|_| rest.contains("-> "))
                .map(|r| r.trim_end_matches(" {").to_string())
                .unwrap_or_default();
        }
        if let Some(label) = quoted_after(line, "derive_secret(&self.0,") {
            stage.leaves.push((label.to_string(), method.clone()));
        }
        if line.contains("derived(&self.0)") {
            stage.next = Some((derived_label.clone(), method.clone(), returns.clone()));
        }
    }
    // Chain order: start at the stage no other stage turns into.
    let mut ordered = Vec::new();
    let mut next = stages
        .iter()
        .find(|s| {
            !stages
                .iter()
                .any(|o| o.next.as_ref().is_some_and(|n| n.2 == s.type_name))
        })
        .map(|s| s.type_name.clone());
    while let Some(name) = next {
        let at = stages.iter().position(|s| s.type_name == name).unwrap();
        let stage = stages.remove(at);
        next = stage.next.as_ref().map(|n| n.2.clone());
        ordered.push(stage);
    }
    assert!(stages.is_empty(), "stages off the chain: {stages:?}");
    ordered
}

/// A stage's name in prose, from its type: `HandshakeSecret` is
/// "Handshake Secret". RFC 9846 §7.1 renamed the Master Secret of RFC 8446
/// to Main Secret; the picture uses the current name.
fn stage_name(type_name: &str) -> String {
    let mut out = String::new();
    for c in type_name.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
    }
    out.replace("Master Secret", "Main Secret")
}

const TREE_TITLE: &str = "The TLS 1.3 key schedule in minitls: three stages, each secret \
                          derived from a stage with its Derive-Secret label";

/// The key schedule picture.
fn render_key_schedule(stages: &[Stage]) -> String {
    let width = 720;
    let spine = 96;
    let leaf_x = 236;
    let box_h = 44;
    let leaf_row = 24;
    let link_h = 58;
    let mut height = MARGIN + 30;
    for stage in stages {
        height += box_h + 14 + stage.leaves.len() as i32 * leaf_row;
        if stage.next.is_some() {
            height += link_h;
        }
    }
    height += MARGIN;
    let mut out = open_svg("src/key_schedule.rs", width, height, TREE_TITLE);
    out.push_str(&text(
        MARGIN,
        24,
        "start",
        " font-weight=\"bold\"",
        "Each arrow is one Derive-Secret(stage, \"label\", transcript), RFC 8446 §7.1",
    ));
    let mut y = MARGIN + 30;
    for stage in stages {
        let top = y;
        out.push_str(&comment(&format!("stage {}", stage.type_name)));
        out.push_str(&format!(
            "  <rect x=\"{MARGIN}\" y=\"{top}\" width=\"{}\" height=\"{box_h}\" rx=\"8\" \
             fill=\"#e8f0fa\" stroke=\"#3a6ea5\" stroke-width=\"1.5\"/>\n",
            2 * (spine - MARGIN),
        ));
        out.push_str(&text(
            spine,
            top + 18,
            "middle",
            " font-weight=\"bold\"",
            &stage_name(&stage.type_name),
        ));
        out.push_str(&text(
            spine,
            top + 35,
            "middle",
            " fill=\"#555555\" font-size=\"11\"",
            &stage.type_name,
        ));
        y = top + box_h + 14;
        // Leaves hang from the box's right half, clear of the chain.
        let branch_x = spine + 54;
        for (label, method) in &stage.leaves {
            let leaf_y = y + 8;
            out.push_str(&format!(
                "  <path d=\"M {branch_x} {} V {leaf_y} H {}\" fill=\"none\" stroke=\"#333333\" \
                 stroke-width=\"1.3\" marker-end=\"url(#head-plaintext)\"/>\n",
                top + box_h,
                leaf_x - 4,
            ));
            out.push_str(&text(
                leaf_x,
                leaf_y + 4,
                "start",
                "",
                &format!("\"{label}\" → {method}"),
            ));
            y += leaf_row;
        }
        if let Some((label, method, _)) = &stage.next {
            let from = top + box_h;
            let to = y + link_h - 10;
            out.push_str(&format!(
                "  <path d=\"M {spine} {from} V {to}\" stroke=\"#3a6ea5\" stroke-width=\"2\" \
                 marker-end=\"url(#head-application)\"/>\n"
            ));
            out.push_str(&text(
                spine + 10,
                y + 18,
                "start",
                " fill=\"#3a6ea5\"",
                &format!("\"{label}\" → salt of the next HKDF-Extract ({method})"),
            ));
            y += link_h;
        }
    }
    out.push_str("</svg>\n");
    out
}

#[test]
fn key_schedule_is_up_to_date() {
    check_or_bless(
        "key_schedule.svg",
        &render_key_schedule(&key_schedule_stages()),
        "the Derive-Secret labels in src/key_schedule.rs",
        "pictures",
    );
}

/// The tree read from the source is the one a real handshake walks: every
/// secret the trace reports is a leaf of the stage derived last before it,
/// with the label the trace gives it; and the `derived` label read from the
/// source really links the trace's Handshake Secret to its Main Secret.
#[test]
fn the_key_schedule_tree_is_the_one_a_handshake_walks() {
    let stages = key_schedule_stages();
    let names: Vec<&str> = stages.iter().map(|s| s.type_name.as_str()).collect();
    assert_eq!(names, ["EarlySecret", "HandshakeSecret", "MasterSecret"]);
    let leaves_of = |stage: &str| -> Vec<&str> {
        stages
            .iter()
            .find(|s| s.type_name == stage)
            .unwrap()
            .leaves
            .iter()
            .map(|(label, _)| label.as_str())
            .collect()
    };
    let log = run(Flow::Full).log;
    let mut stage = "EarlySecret";
    let mut values: Vec<(SecretLabel, Vec<u8>)> = Vec::new();
    let mut seen = 0;
    for (side, event) in &log {
        let RecordedEvent::SecretDerived(label, value) = event else {
            continue;
        };
        if *side != Side::Client {
            continue;
        }
        values.push((*label, value.clone()));
        match label {
            SecretLabel::HandshakeSecret => stage = "HandshakeSecret",
            SecretLabel::MasterSecret => stage = "MasterSecret",
            _ => {
                assert!(
                    leaves_of(stage).contains(&label.rfc_label()),
                    "{:?} is not a leaf of {stage} in the tree",
                    label
                );
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 6, "the client reports six leaf secrets");
    let value = |wanted: SecretLabel| -> [u8; 32] {
        values
            .iter()
            .find(|(l, _)| *l == wanted)
            .map(|(_, v)| v.as_slice().try_into().unwrap())
            .unwrap()
    };
    let (derived, _, _) = stages[1].next.clone().unwrap();
    let salt = derive_secret(
        &Secret::from_bytes(value(SecretLabel::HandshakeSecret)),
        &derived,
        &TranscriptHash::of_empty(),
    );
    assert_eq!(
        hkdf_extract(salt.as_bytes(), &[0; HASH_LEN]),
        value(SecretLabel::MasterSecret)
    );
}

// ---------------------------------------------------------------------------
// The two server strategies, measured
// ---------------------------------------------------------------------------

/// What one full handshake cost each strategy, from its trace and the
/// strategy itself.
#[derive(Debug)]
struct Measured {
    /// The length of each ticket issued, all equal.
    ticket_len: usize,
    /// How many tickets the connection issued.
    tickets: usize,
    /// What the server held afterwards, per ticket issued.
    held_per_session: usize,
}

fn measure(strategy: Arc<dyn ResumptionStrategy>) -> Measured {
    let name = strategy.name();
    let run = run_with(Flow::Full, strategy);
    let lens: Vec<usize> = run
        .log
        .iter()
        .filter_map(|(_, e)| match e {
            RecordedEvent::Resumption(ResumptionEvent::TicketIssued {
                strategy,
                ticket_len,
            }) => {
                assert_eq!(*strategy, name);
                Some(*ticket_len)
            }
            _ => None,
        })
        .collect();
    assert!(!lens.is_empty(), "{name}: no ticket issued");
    assert!(lens.iter().all(|l| *l == lens[0]), "{name}: {lens:?}");
    assert_eq!(run.bytes_held % lens.len(), 0, "{name}: held unevenly");
    Measured {
        ticket_len: lens[0],
        tickets: lens.len(),
        held_per_session: run.bytes_held / lens.len(),
    }
}

/// Both strategies, measured, and the size of the session they carry:
/// what the stateful server holds per session, less its ID.
struct Strategies {
    stateful: Measured,
    stateless: Measured,
    session_len: usize,
}

fn strategies() -> Strategies {
    let stateful = measure(Arc::new(StatefulStrategy::in_memory(16)));
    let stateless = measure(Arc::new(Ticketer::new(3600)));
    let session_len = stateful.held_per_session - stateful.ticket_len;
    Strategies {
        stateful,
        stateless,
        session_len,
    }
}

/// The stateless ticket's nonce: what is left of the ticket around the
/// sealed session (see `src/resumption/ticketer.rs` for the layout).
fn ticket_nonce_len(s: &Strategies) -> usize {
    s.stateless.ticket_len - KEY_ID_LEN - s.session_len - AEAD_TAG_LEN
}

const STRATEGIES_TITLE: &str = "The two server strategies side by side: a stateful server keeps a \
                                table of sessions, a stateless server keeps a key and puts the \
                                sealed session in the ticket";

fn render_strategies(s: &Strategies) -> String {
    let width = 720;
    let panel = 336;
    // The tallest panel: two boxes of up to five lines and the arrow.
    let height = 44 + 2 * (14 + 17 * 5) + 64 + 56;
    let mut out = open_svg(
        "one full handshake with each strategy (minitls::testing)",
        width,
        height,
        STRATEGIES_TITLE,
    );
    let stateful_ticket = format!("ticket = session ID, {} bytes", s.stateful.ticket_len);
    let stateful_held = format!("{} bytes held per session", s.stateful.held_per_session);
    let stateful_parts = format!("(ID {} + session {})", s.stateful.ticket_len, s.session_len);
    let stateless_ticket = format!("ticket = {} bytes:", s.stateless.ticket_len);
    let stateless_parts1 = format!("key_id {} + nonce {}", KEY_ID_LEN, ticket_nonce_len(s));
    let stateless_parts2 = format!("+ sealed session {} + tag {}", s.session_len, AEAD_TAG_LEN);
    let stateless_key = format!("per ticket key: {KEY_LEN} bytes + id {KEY_ID_LEN}");
    let stateless_held = format!("{} bytes held per session", s.stateless.held_per_session);
    let panels: [(&str, Vec<&str>, Vec<&str>); 2] = [
        (
            "Stateful: the server keeps a table",
            vec!["client keeps the ticket", &stateful_ticket],
            vec![
                "server looks the ID up",
                "table: ID → session (with the PSK)",
                &stateful_held,
                &stateful_parts,
            ],
        ),
        (
            "Stateless: the server keeps a key",
            vec![
                "client keeps the ticket",
                &stateless_ticket,
                &stateless_parts1,
                &stateless_parts2,
                "the sealed session holds the PSK",
            ],
            vec!["server opens the ticket", &stateless_key, &stateless_held],
        ),
    ];
    for (n, (heading, client, server)) in panels.iter().enumerate() {
        let x = MARGIN + n as i32 * (panel + 16);
        out.push_str(&text(x, 26, "start", " font-weight=\"bold\"", heading));
        let client_h = 14 + 17 * client.len() as i32;
        boxed(&mut out, x, 44, panel, client_h, "#fff4d6", client);
        let arrow_top = 44 + client_h;
        let server_top = arrow_top + 64;
        let mid = x + panel / 2;
        out.push_str(&format!(
            "  <path d=\"M {mid} {arrow_top} V {}\" stroke=\"#333333\" stroke-width=\"1.5\" \
             marker-end=\"url(#head-plaintext)\"/>\n",
            server_top - 2
        ));
        out.push_str(&text(mid + 10, arrow_top + 28, "start", "", "offered in"));
        out.push_str(&text(
            mid + 10,
            arrow_top + 45,
            "start",
            "",
            "pre_shared_key",
        ));
        let server_h = 14 + 17 * server.len() as i32;
        boxed(&mut out, x, server_top, panel, server_h, "#e8f0fa", server);
    }
    out.push_str(&text(
        MARGIN,
        height - 20,
        "start",
        " fill=\"#555555\"",
        &format!(
            "Measured after one full handshake with each strategy; it issued {} tickets.",
            s.stateful.tickets
        ),
    ));
    out.push_str("</svg>\n");
    out
}

#[test]
fn resumption_strategies_are_up_to_date() {
    check_or_bless(
        "resumption_strategies.svg",
        &render_strategies(&strategies()),
        "one full handshake with each resumption strategy",
        "pictures",
    );
}

/// The numbers drawn fit together: both strategies issue as many tickets;
/// the stateful ticket is only an ID, the stateless one carries the whole
/// session the stateful server keeps (sealed, with a 12-byte nonce, the
/// ChaCha20-Poly1305 nonce of RFC 8439) and the stateless server holds
/// nothing per session.
#[test]
fn the_strategy_sizes_fit_together() {
    let s = strategies();
    assert_eq!(s.stateful.tickets, s.stateless.tickets);
    assert_eq!(s.stateless.held_per_session, 0);
    assert!(s.stateful.held_per_session > s.stateful.ticket_len);
    assert_eq!(ticket_nonce_len(&s), 12);
    assert!(s.stateless.ticket_len > s.stateful.ticket_len);
}

// ---------------------------------------------------------------------------
// A fleet: the setups of `minitls fleet`, connection by connection
// ---------------------------------------------------------------------------

/// How many servers `minitls fleet` puts behind its balancer by default:
/// the `default_value_t` of its `--servers` flag, read from the source.
fn fleet_servers() -> usize {
    let source = include_str!("../src/bin/minitls/fleet.rs");
    let field = source
        .find("\n    servers: u16,")
        .expect("FleetArgs has a servers field");
    let before = &source[..field];
    let attribute = &before[before.rfind("#[arg(").expect("the flag's #[arg(...)]")..];
    let tag = "default_value_t = ";
    let default = &attribute[attribute.find(tag).expect("a default server count") + tag.len()..];
    let digits = default
        .find(|c: char| !c.is_ascii_digit())
        .expect("a number");
    default[..digits].parse().expect("a server count")
}

/// Where the servers keep their resumption state: the five rows of
/// `minitls fleet`'s table, in its order and with its labels (its
/// `Backing`, in src/bin/minitls/fleet.rs).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sharing {
    /// Stateful, an in-memory store per server.
    StorePerServer,
    /// Stateful, one Redis store that every server opens.
    SharedRedisStore,
    /// Stateless, a ticket key per server.
    KeyPerServer,
    /// Stateless, every server reads its keys from one key file.
    SharedKeys,
    /// The same, with the file rotated after the first connection and
    /// every server handed the new keys.
    SharedKeysRotated,
}

impl Sharing {
    const ALL: [Sharing; 5] = [
        Sharing::StorePerServer,
        Sharing::SharedRedisStore,
        Sharing::KeyPerServer,
        Sharing::SharedKeys,
        Sharing::SharedKeysRotated,
    ];

    /// The row's label in `minitls fleet`'s table.
    fn label(self) -> &'static str {
        match self {
            Sharing::StorePerServer => "stateful, a store per server",
            Sharing::SharedRedisStore => "stateful, shared Redis store",
            Sharing::KeyPerServer => "stateless, a key per server",
            Sharing::SharedKeys => "stateless, shared keys",
            Sharing::SharedKeysRotated => "stateless, shared keys, just rotated",
        }
    }

    fn is_shared(self) -> bool {
        !matches!(self, Sharing::StorePerServer | Sharing::KeyPerServer)
    }
}

/// One connection of a fleet run, as its trace and the client's cache
/// report it.
#[derive(Clone, Debug, PartialEq)]
struct FleetConnection {
    /// The server it reached.
    server: usize,
    /// The server that issued the ticket the client offered, if it
    /// offered one.
    offered_from: Option<usize>,
    /// The server accepted the ticket.
    resumed: bool,
    /// Why the server refused the ticket, as its trace says.
    refused: Option<&'static str>,
}

/// The first connections of one setup.
struct FleetRow {
    sharing: Sharing,
    connections: Vec<FleetConnection>,
}

/// A run of the fleet: its size and one row per setup.
struct FleetRun {
    servers: usize,
    rows: Vec<FleetRow>,
}

/// The seeds of the fleet's connections (each connection adds its own
/// offset), and of its ticket keys.
const FLEET_SEED: u64 = 100;
/// How long a Redis command may take here. `minitls fleet` gives up after
/// 100 ms; the picture waits longer, so that a busy machine cannot turn a
/// resumption into a full handshake (and the run checks that it did not).
const FLEET_REDIS_TIMEOUT: Duration = Duration::from_secs(5);
/// The keys a rotation keeps, as `minitls fleet` rotates (three).
const FLEET_KEYS_KEPT: usize = 3;

/// Runs every setup of `minitls fleet` for its first `2 × servers`
/// connections (every server twice), as the fleet does: the same
/// strategies per server, the same key file and rotation, a client that
/// keeps its tickets in one `ClientSessionCache` and offers the newest,
/// one connection after another, each to the next server in turn as the
/// balancer (src/bin/minitls/balancer.rs) sends them. The connections run
/// in memory with seeded RNGs and a fixed clock; the shared store is a
/// real `redis-server` of the run's own.
fn run_fleet() -> FleetRun {
    let servers = fleet_servers();
    let redis = RedisServer::start("fleet-picture");
    let pki = demo_pki(PKI_SEED);
    let rows = Sharing::ALL
        .iter()
        .enumerate()
        .map(|(n, sharing)| FleetRow {
            sharing: *sharing,
            connections: run_setup(*sharing, servers, &pki, &redis, FLEET_SEED * (n as u64 + 1)),
        })
        .collect();
    FleetRun { servers, rows }
}

/// The first `2 × servers` connections of one setup.
fn run_setup(
    sharing: Sharing,
    servers: usize,
    pki: &DemoPki,
    redis: &RedisServer,
    seed: u64,
) -> Vec<FleetConnection> {
    let dir = TempDir::new("fleet-picture-keys");
    let key_file = dir.join("ticket.keys");
    let mut key_rng = SeededRng::new(seed);
    TicketKeys::generate(&mut key_rng, FIXED_NOW)
        .write_atomically(&key_file)
        .expect("write the key file");
    let redis_log: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut ticketers: Vec<Arc<Ticketer>> = Vec::new();
    let strategies: Vec<Arc<dyn ResumptionStrategy>> = (0..servers)
        .map(|_| -> Arc<dyn ResumptionStrategy> {
            match sharing {
                Sharing::StorePerServer => Arc::new(StatefulStrategy::in_memory(1000)),
                Sharing::SharedRedisStore => {
                    let log = redis_log.clone();
                    let store = RedisStore::open(&redis.url(), FLEET_REDIS_TIMEOUT)
                        .expect("the Redis URL")
                        .with_log(move |line| log.lock().unwrap().push(line.to_string()));
                    Arc::new(StatefulStrategy::new(Box::new(store)))
                }
                Sharing::KeyPerServer => Arc::new(Ticketer::new(3600)),
                Sharing::SharedKeys | Sharing::SharedKeysRotated => {
                    let keys = TicketKeys::read(&key_file).expect("read the key file");
                    let ticketer = Arc::new(Ticketer::from_keys(&keys));
                    ticketers.push(ticketer.clone());
                    ticketer
                }
            }
        })
        .collect();

    let cache = Arc::new(Mutex::new(ClientSessionCache::new(16)));
    // The ticket the client would offer now: its cache's newest, put back.
    let newest_ticket = || -> Option<Vec<u8>> {
        let mut cache = cache.lock().unwrap();
        let ticket = cache.take("localhost", FIXED_NOW)?;
        let bytes = ticket.ticket.clone();
        cache.insert(ticket);
        Some(bytes)
    };
    let mut issued_by: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut connections = Vec::new();
    for i in 0..2 * servers {
        if sharing == Sharing::SharedKeysRotated && i == 1 {
            // `minitls ticket-keys rotate`, then what each server's watcher
            // does when the file changes. The ticket the client holds was
            // sealed under the key that is now the previous one.
            let keys = TicketKeys::read(&key_file)
                .expect("read the key file")
                .rotated(&mut key_rng, FIXED_NOW, FLEET_KEYS_KEPT);
            keys.write_atomically(&key_file)
                .expect("rewrite the key file");
            for ticketer in &ticketers {
                ticketer.set_keys(&keys);
            }
            let held = newest_ticket().expect("a ticket from the first connection");
            assert_eq!(
                held[..KEY_ID_LEN],
                keys.key_ids()[1],
                "the ticket held is sealed under the previous key"
            );
        }
        let server = i % servers;
        let offered = newest_ticket();
        let offered_from = offered.map(|ticket| {
            issued_by
                .iter()
                .find(|(t, _)| *t == ticket)
                .map(|(_, s)| *s)
                .expect("the offered ticket came from a server of this run")
        });
        let connection_seed = seed + 2 * i as u64;
        let mut client = minitls::testing::client_config(pki, connection_seed + 1);
        client.session_cache = Some(cache.clone());
        let mut config = minitls::testing::server_config(pki, connection_seed);
        config.resumption = Some(strategies[server].clone());
        let log = connect(client, config);
        let events = |side: Side| -> Vec<&ResumptionEvent> {
            log.iter()
                .filter(|(s, _)| *s == side)
                .filter_map(|(_, e)| match e {
                    RecordedEvent::Resumption(r) => Some(r),
                    _ => None,
                })
                .collect()
        };
        let client_offered = events(Side::Client)
            .iter()
            .any(|e| matches!(e, ResumptionEvent::Offered { .. }));
        assert_eq!(
            client_offered,
            offered_from.is_some(),
            "{sharing:?} #{}: the client offered its newest ticket",
            i + 1
        );
        let server_events = events(Side::Server);
        let resumed = server_events
            .iter()
            .any(|e| matches!(e, ResumptionEvent::Accepted { .. }));
        let refused = server_events.iter().find_map(|e| match e {
            ResumptionEvent::Rejected { reason, .. } => Some(*reason),
            _ => None,
        });
        if let Some(ticket) = newest_ticket() {
            issued_by.push((ticket, server));
        }
        connections.push(FleetConnection {
            server,
            offered_from,
            resumed,
            refused,
        });
    }
    let lines = redis_log.lock().unwrap();
    assert!(
        lines.is_empty(),
        "the Redis store failed during the picture's run, which would draw a slow machine, \
         not the design: {lines:?}"
    );
    connections
}

/// The colours of a connection's outcome (Okabe-Ito, as the ladders).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    /// A ticket offered and accepted.
    Resumed,
    /// A ticket offered and refused: a full handshake.
    Refused,
    /// No ticket to offer yet: a full handshake.
    NothingOffered,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Resumed, Outcome::Refused, Outcome::NothingOffered];

    fn of(c: &FleetConnection) -> Outcome {
        match (c.offered_from, c.resumed) {
            (Some(_), true) => Outcome::Resumed,
            (Some(_), false) => Outcome::Refused,
            (None, false) => Outcome::NothingOffered,
            (None, true) => panic!("resumed without offering a ticket"),
        }
    }

    fn word(self) -> &'static str {
        match self {
            Outcome::Resumed => "resumed",
            Outcome::Refused | Outcome::NothingOffered => "full",
        }
    }

    /// Fill, stroke, and a dash pattern so that they stay apart in grey.
    fn style(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Outcome::Resumed => ("#d9eaf6", "#0072b2", ""),
            Outcome::Refused => ("#fbe4d4", "#d55e00", " stroke-dasharray=\"5 3\""),
            Outcome::NothingOffered => ("#f0f0f0", "#8c8c8c", " stroke-dasharray=\"2 3\""),
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Outcome::Resumed => "resumed: the server accepted the ticket offered",
            Outcome::Refused => "full handshake: the server refused the ticket offered",
            Outcome::NothingOffered => "full handshake: no ticket to offer yet",
        }
    }
}

fn fleet_title(run: &FleetRun) -> String {
    format!(
        "Resumption across a fleet: a client, a round-robin balancer and {} servers; for each \
         setup of minitls fleet, the server each of the first {} connections reached and whether \
         it resumed",
        run.servers,
        2 * run.servers
    )
}

/// The fleet picture: the topology, then one row per setup.
fn render_fleet(run: &FleetRun) -> String {
    let width = 720;
    let n = run.servers as i32;
    let connections = 2 * n;
    // The topology.
    let top = 44;
    let server_h = 44;
    let server_pitch = server_h + 8;
    let servers_bottom = top + n * server_pitch - 8;
    let middle = (top + servers_bottom) / 2;
    let (client_x, client_w) = (MARGIN, 128);
    let (balancer_x, balancer_w) = (184, 152);
    let (server_x, server_w) = (400, 128);
    let (state_x, state_w) = (568, 136);
    // The grid.
    let grid_top = servers_bottom.max(middle + 50) + 36;
    let cells_x = 176;
    let cell_pitch = (width - MARGIN - cells_x) / connections;
    let cell_w = cell_pitch - 6;
    let cell_h = 14 + 17 * 3;
    let row_pitch = cell_h + 8;
    let rows_top = grid_top + 12;
    let rows_bottom = rows_top + run.rows.len() as i32 * row_pitch;
    let reasons: Vec<String> = run
        .rows
        .iter()
        .filter_map(|row| {
            let mut why: Vec<&str> = row.connections.iter().filter_map(|c| c.refused).collect();
            why.dedup();
            (!why.is_empty()).then(|| format!("{}: {}", row.sharing.label(), why.join("; ")))
        })
        .collect();
    let legend_top = rows_bottom + 18;
    let reasons_top = legend_top + (Outcome::ALL.len() as i32 + 1) * LEGEND_ROW + 14;
    let caption_top = reasons_top + (reasons.len() as i32 + 1) * 18 + 14;
    let height = caption_top + 2 * 18 + MARGIN;
    let mut out = open_svg(
        "a run of the setups of minitls fleet (seeded, in memory, with a real redis-server)",
        width,
        height,
        &fleet_title(run),
    );
    out.push_str(&text(
        MARGIN,
        26,
        "start",
        " font-weight=\"bold\"",
        "Resumption behind a round-robin balancer: who resumes, setup by setup",
    ));

    // Client, balancer, servers, and what the servers may share.
    out.push_str(&comment("the topology"));
    let client_lines = ["client", "offers its", "newest ticket"];
    let client_h = 14 + 17 * client_lines.len() as i32;
    boxed(
        &mut out,
        client_x,
        middle - client_h / 2,
        client_w,
        client_h,
        "#fff4d6",
        &client_lines,
    );
    let balancer_lines = ["balancer", "round robin,", "TCP: no TLS"];
    boxed(
        &mut out,
        balancer_x,
        middle - client_h / 2,
        balancer_w,
        client_h,
        "#f0f0f0",
        &balancer_lines,
    );
    let arrow = |out: &mut String, x0: i32, y0: i32, x1: i32, y1: i32| {
        out.push_str(&format!(
            "  <path d=\"M {x0} {y0} L {x1} {y1}\" stroke=\"#333333\" stroke-width=\"1.5\" \
             marker-end=\"url(#head-plaintext)\"/>\n"
        ));
    };
    arrow(
        &mut out,
        client_x + client_w,
        middle,
        balancer_x - 2,
        middle,
    );
    let state_lines = [
        "they share",
        "nothing, or one",
        "Redis store, or",
        "one key file",
    ];
    let state_h = 14 + 17 * state_lines.len() as i32;
    let state_y = middle - state_h / 2;
    for s in 0..n {
        let y = top + s * server_pitch;
        arrow(
            &mut out,
            balancer_x + balancer_w,
            middle,
            server_x - 2,
            y + server_h / 2,
        );
        let reached: Vec<String> = run.rows[0]
            .connections
            .iter()
            .enumerate()
            .filter(|(_, c)| c.server == s as usize)
            .map(|(i, _)| format!("#{}", i + 1))
            .collect();
        let name = format!("server {s}");
        let gets = format!("gets {}", reached.join(", "));
        boxed(
            &mut out,
            server_x,
            y,
            server_w,
            server_h,
            "#e8f0fa",
            &[&name, &gets],
        );
        out.push_str(&format!(
            "  <path d=\"M {} {} L {state_x} {}\" stroke=\"#8c8c8c\" stroke-width=\"1.2\" \
             stroke-dasharray=\"4 3\"/>\n",
            server_x + server_w,
            y + server_h / 2,
            state_y + state_h / 2 + (s - n / 2) * 12,
        ));
    }
    boxed(
        &mut out,
        state_x,
        state_y,
        state_w,
        state_h,
        "#ffffff",
        &state_lines,
    );

    // The grid: a row per setup, a cell per connection.
    out.push_str(&text(
        MARGIN,
        grid_top,
        "start",
        " font-weight=\"bold\"",
        "setup",
    ));
    for k in 0..connections {
        out.push_str(&text(
            cells_x + k * cell_pitch + cell_w / 2,
            grid_top,
            "middle",
            " font-weight=\"bold\"",
            &format!("#{}", k + 1),
        ));
    }
    for (r, row) in run.rows.iter().enumerate() {
        let y = rows_top + r as i32 * row_pitch;
        out.push_str(&comment(row.sharing.label()));
        // The label on two lines, split after its first comma.
        let label = row.sharing.label();
        let split = label.find(", ").unwrap() + 1;
        let mut lines = vec![label[..split].to_string(), label[split + 1..].to_string()];
        if row.sharing == Sharing::SharedKeysRotated {
            lines = vec![
                "stateless,".into(),
                "shared keys,".into(),
                "rotated after #1".into(),
            ];
            let x = cells_x + cell_pitch - 3;
            out.push_str(&format!(
                "  <path d=\"M {x} {} V {}\" stroke=\"#333333\" stroke-width=\"2.5\"/>\n",
                y - 2,
                y + cell_h + 2
            ));
        }
        for (m, line) in lines.iter().enumerate() {
            out.push_str(&text(MARGIN, y + 19 + 17 * m as i32, "start", "", line));
        }
        for (k, c) in row.connections.iter().enumerate() {
            let x = cells_x + k as i32 * cell_pitch;
            let outcome = Outcome::of(c);
            let (fill, stroke, dash) = outcome.style();
            out.push_str(&format!(
                "  <rect x=\"{x}\" y=\"{y}\" width=\"{cell_w}\" height=\"{cell_h}\" rx=\"4\" \
                 fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"{dash}/>\n"
            ));
            let offered = match c.offered_from {
                Some(s) => format!("ticket s{s}"),
                None => "no ticket".into(),
            };
            let cell_lines = [
                format!("server {}", c.server),
                outcome.word().into(),
                offered,
            ];
            for (m, line) in cell_lines.iter().enumerate() {
                let style = match m {
                    1 => format!(" font-weight=\"bold\" fill=\"{stroke}\""),
                    _ => String::new(),
                };
                out.push_str(&text(
                    x + cell_w / 2,
                    y + 19 + 17 * m as i32,
                    "middle",
                    &style,
                    line,
                ));
            }
        }
    }

    // The legend, why tickets were refused, and what the run was.
    for (m, outcome) in Outcome::ALL.iter().enumerate() {
        let y = legend_top + m as i32 * LEGEND_ROW;
        let (fill, stroke, dash) = outcome.style();
        out.push_str(&format!(
            "  <rect x=\"{MARGIN}\" y=\"{}\" width=\"36\" height=\"14\" rx=\"3\" fill=\"{fill}\" \
             stroke=\"{stroke}\" stroke-width=\"1.5\"{dash}/>\n",
            y - 7
        ));
        out.push_str(&text(MARGIN + 48, y + 4, "start", "", outcome.legend()));
    }
    out.push_str(&text(
        MARGIN + 48,
        legend_top + Outcome::ALL.len() as i32 * LEGEND_ROW + 4,
        "start",
        "",
        "ticket sN: the client offered a ticket that server N issued",
    ));
    out.push_str(&text(
        MARGIN,
        reasons_top,
        "start",
        " font-weight=\"bold\"",
        "Why the servers refused, from their traces:",
    ));
    for (m, reason) in reasons.iter().enumerate() {
        out.push_str(&text(
            MARGIN,
            reasons_top + 18 * (m as i32 + 1),
            "start",
            "",
            reason,
        ));
    }
    for (m, line) in [
        "Drawn from a run by tests/pictures.rs: the fleet's setups, seeded, in memory,",
        "one connection after another; the shared store is a real redis-server.",
    ]
    .iter()
    .enumerate()
    {
        out.push_str(&text(
            MARGIN,
            caption_top + 18 * m as i32,
            "start",
            " fill=\"#555555\"",
            line,
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[test]
fn resumption_fleet_is_up_to_date() {
    check_or_bless(
        "resumption_fleet.svg",
        &render_fleet(&run_fleet()),
        "a run of the setups of minitls fleet",
        "pictures",
    );
}

/// The picture shows what `minitls fleet`'s table reports, connection by
/// connection: the balancer sends the connections to the servers in turn;
/// the client offers the ticket of the previous server; with state kept
/// per server every offered ticket is refused, with shared state (a store,
/// the key file, the key file just rotated) every one resumes.
#[test]
fn the_fleet_resumes_only_with_shared_state() {
    let run = run_fleet();
    assert_eq!(
        run.servers, 3,
        "minitls fleet's default, which the book's table uses"
    );
    let labels: Vec<&str> = run.rows.iter().map(|r| r.sharing.label()).collect();
    let table = include_str!("../book/src/generated/fleet.md");
    for label in &labels {
        assert!(
            table.contains(&format!("| {label} |")),
            "{label:?} is not a row of book/src/generated/fleet.md"
        );
    }
    for row in &run.rows {
        assert_eq!(row.connections.len(), 2 * run.servers);
        for (i, c) in row.connections.iter().enumerate() {
            let at = format!("{:?} #{}", row.sharing, i + 1);
            assert_eq!(c.server, i % run.servers, "{at}: round robin");
            if i == 0 {
                assert_eq!(c.offered_from, None, "{at}: nothing to offer yet");
                continue;
            }
            assert_eq!(
                c.offered_from,
                Some((i - 1) % run.servers),
                "{at}: the client offers the previous server's ticket"
            );
            assert_ne!(
                c.offered_from,
                Some(c.server),
                "{at}: never its own server's"
            );
            assert_eq!(c.resumed, row.sharing.is_shared(), "{at}: {c:?}");
            assert_eq!(c.refused.is_some(), !c.resumed, "{at}: {c:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Every picture
// ---------------------------------------------------------------------------

/// Every picture this file draws, with its file name.
fn all_pictures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Flow::ALL
        .iter()
        .map(|flow| {
            (
                flow.file().to_string(),
                render_ladder(*flow, &ladder(&run(*flow).log)),
            )
        })
        .collect();
    out.push((
        "record_protection.svg".into(),
        render_record(&opened_record()),
    ));
    out.push((
        "key_schedule.svg".into(),
        render_key_schedule(&key_schedule_stages()),
    ));
    out.push((
        "resumption_strategies.svg".into(),
        render_strategies(&strategies()),
    ));
    out.push(("resumption_fleet.svg".into(), render_fleet(&run_fleet())));
    out
}

/// Each picture is plain SVG that fits the book's column and reads well:
/// a title, no script, no link out, width at most 750 px with a matching
/// viewBox, no text smaller than 11 px, no text past the edges, no two
/// texts on top of each other, and the same bytes on every run.
#[test]
fn pictures_are_plain_readable_and_fit_the_column() {
    let again = all_pictures();
    for ((name, svg), (_, second)) in all_pictures().iter().zip(&again) {
        assert_eq!(svg, second, "{name} is not deterministic");
        assert!(svg.contains("<title>"), "{name}: no <title>");
        for banned in ["<script", "href", "http://", "https://", "<foreignObject"] {
            let found = svg.replace("http://www.w3.org/2000/svg", "");
            assert!(!found.contains(banned), "{name} contains {banned}");
        }
        let start = svg.find("<svg ").unwrap();
        let width: i32 = quoted_after(&svg[start..], "width=")
            .unwrap()
            .parse()
            .unwrap();
        let height: i32 = quoted_after(&svg[start..], "height=")
            .unwrap()
            .parse()
            .unwrap();
        assert!(width <= 750, "{name} is {width} px wide");
        assert!(
            svg[start..].contains(&format!("viewBox=\"0 0 {width} {height}\"")),
            "{name}: the viewBox is not the size"
        );
        for size in svg.split("font-size=\"").skip(1) {
            let size: i32 = size[..size.find('"').unwrap()].parse().unwrap();
            assert!(size >= 11, "{name}: text of {size} px");
        }
        for b in svg::assert_no_text_overlaps(name, svg) {
            assert!(
                b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= height,
                "{name}: {:?} runs off the picture",
                b.text
            );
        }
    }
}
