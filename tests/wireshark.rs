//! Wireshark can decrypt a minitls connection with minitls's key log.
//!
//! The test needs no capture privileges and no network: it runs a
//! deterministic handshake in memory (`minitls::testing::Pair`), with a
//! `KeyLogObserver` on each side, records the bytes each side sends, and
//! writes them out as a classic libpcap file of one TCP connection
//! (127.0.0.1:50000 → 127.0.0.1:4433) with hand-built Ethernet, IPv4 and
//! TCP headers. Then `tshark` reads that capture:
//!
//! - with the key log, it must show the encrypted handshake messages
//!   (EncryptedExtensions, Certificate, CertificateVerify, both Finished)
//!   and the application data both sides sent, in plain text;
//! - without it (the negative control), it must see only the ClientHello
//!   and ServerHello, and none of the plain text.
//!
//! What tshark prints for this capture (the frame summaries without and
//! with the key log, and the record types of each frame) is an insta
//! snapshot, `tests/snapshots/wireshark__tshark_views.snap`, which the
//! book's chapter "Watching minitls in Wireshark" includes by anchor.
//!
//! `tshark` must be installed: `.ci/run` installs it (Debian package
//! `tshark`). Without it this test fails, it is never skipped. Every tshark
//! run is killed after [`TSHARK_TIMEOUT`].
//!
//! The capture and key log are kept in `target/tmp/wireshark/` so a reader
//! can open them: `wireshark -o tls.keylog_file:target/tmp/wireshark/keys.txt
//! target/tmp/wireshark/minitls.pcap` (see the book's chapter "Watching
//! minitls in Wireshark").

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use minitls::AppEvent;
use minitls::keylog::KeyLogObserver;
use minitls::testing::{Pair, Side};

use support::{Output, run_with_timeout};

/// How long one tshark run may take before it is killed.
const TSHARK_TIMEOUT: Duration = Duration::from_secs(30);

const CLIENT_IP: [u8; 4] = [127, 0, 0, 1];
const SERVER_IP: [u8; 4] = [127, 0, 0, 1];
const CLIENT_PORT: u16 = 50000;
const SERVER_PORT: u16 = 4433;
/// The largest TCP payload per segment: IPv4's default MSS (RFC 9293
/// §3.7.1). The server's first flight is longer, so it is cut, and tshark
/// has to reassemble records that span segments, as in a real capture.
const MSS: usize = 536;

const CLIENT_MESSAGE: &[u8] = b"hello from minitls, client to server";
const SERVER_MESSAGE: &[u8] = b"hello from minitls, server to client";

// ---------------------------------------------------------------------------
// The connection: a deterministic handshake and data both ways, in memory.

/// What one side sent in one go (one `transmit`).
struct Flight {
    from: Side,
    bytes: Vec<u8>,
}

/// Move bytes both ways until neither side has anything to send, recording
/// each flight.
fn drive(pair: &mut Pair, flights: &mut Vec<Flight>) {
    pair.drive_observed(|from, bytes| {
        flights.push(Flight {
            from,
            bytes: bytes.to_vec(),
        })
    })
    .unwrap_or_else(|e| panic!("bytes rejected: {e:?}"));
}

/// A whole connection: handshake, one message each way, close_notify both
/// ways. Returns the flights in the order they were sent, and the key log
/// written by each side.
fn run_connection() -> (Vec<Flight>, String, String) {
    let client_log = Arc::new(Mutex::new(Vec::<u8>::new()));
    let server_log = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut pair = Pair::deterministic(
        Box::new(KeyLogObserver::new(client_log.clone())),
        Box::new(KeyLogObserver::new(server_log.clone())),
    );
    let mut flights = Vec::new();

    drive(&mut pair, &mut flights);
    assert!(pair.client.is_connected() && pair.server.is_connected());

    pair.client.send(CLIENT_MESSAGE).expect("client sends");
    drive(&mut pair, &mut flights);
    pair.server.send(SERVER_MESSAGE).expect("server sends");
    drive(&mut pair, &mut flights);
    pair.client.close();
    drive(&mut pair, &mut flights);
    pair.server.close();
    drive(&mut pair, &mut flights);

    assert!(
        pair.server_events
            .contains(&AppEvent::Data(CLIENT_MESSAGE.to_vec()))
    );
    assert!(
        pair.client_events
            .contains(&AppEvent::Data(SERVER_MESSAGE.to_vec()))
    );
    assert!(pair.client.peer_closed() && pair.server.peer_closed());

    let text = |log: &Arc<Mutex<Vec<u8>>>| {
        String::from_utf8(log.lock().unwrap().clone()).expect("key log is text")
    };
    (flights, text(&client_log), text(&server_log))
}

// ---------------------------------------------------------------------------
// The capture: a classic libpcap file of one TCP connection.

/// The Internet checksum (RFC 1071): the ones' complement of the ones'
/// complement sum of 16-bit words.
fn internet_checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let bytes: Vec<u8> = chunks.concat();
    for pair in bytes.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

const TCP_FIN: u8 = 0x01;
const TCP_SYN: u8 = 0x02;
const TCP_PSH: u8 = 0x08;
const TCP_ACK: u8 = 0x10;

/// One TCP segment, as an Ethernet frame carrying IPv4.
struct Segment {
    from: Side,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: Vec<u8>,
}

fn frame(segment: &Segment, ip_id: u16) -> Vec<u8> {
    let (src_ip, dst_ip, src_port, dst_port) = match segment.from {
        Side::Client => (CLIENT_IP, SERVER_IP, CLIENT_PORT, SERVER_PORT),
        Side::Server => (SERVER_IP, CLIENT_IP, SERVER_PORT, CLIENT_PORT),
    };

    // TCP header, 20 bytes, no options.
    let mut tcp = Vec::with_capacity(20 + segment.payload.len());
    tcp.extend_from_slice(&src_port.to_be_bytes());
    tcp.extend_from_slice(&dst_port.to_be_bytes());
    tcp.extend_from_slice(&segment.seq.to_be_bytes());
    tcp.extend_from_slice(&segment.ack.to_be_bytes());
    tcp.push(5 << 4); // data offset: 5 words
    tcp.push(segment.flags);
    tcp.extend_from_slice(&65535u16.to_be_bytes()); // window
    tcp.extend_from_slice(&[0, 0]); // checksum, filled in below
    tcp.extend_from_slice(&[0, 0]); // urgent pointer
    tcp.extend_from_slice(&segment.payload);
    let tcp_len = u16::try_from(tcp.len()).expect("segment fits");
    let mut pseudo = Vec::with_capacity(12);
    pseudo.extend_from_slice(&src_ip);
    pseudo.extend_from_slice(&dst_ip);
    pseudo.extend_from_slice(&[0, 6]); // zero, protocol TCP
    pseudo.extend_from_slice(&tcp_len.to_be_bytes());
    let checksum = internet_checksum(&[&pseudo, &tcp]);
    tcp[16..18].copy_from_slice(&checksum.to_be_bytes());

    // IPv4 header, 20 bytes, no options.
    let mut ip = Vec::with_capacity(20);
    ip.push(0x45); // version 4, IHL 5
    ip.push(0); // DSCP/ECN
    ip.extend_from_slice(&(20 + tcp_len).to_be_bytes());
    ip.extend_from_slice(&ip_id.to_be_bytes());
    ip.extend_from_slice(&0x4000u16.to_be_bytes()); // don't fragment
    ip.push(64); // TTL
    ip.push(6); // TCP
    ip.extend_from_slice(&[0, 0]); // checksum, filled in below
    ip.extend_from_slice(&src_ip);
    ip.extend_from_slice(&dst_ip);
    let checksum = internet_checksum(&[&ip]);
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());

    // Ethernet II: locally administered MACs, EtherType IPv4.
    let client_mac = [0x02, 0, 0, 0, 0, 0x01];
    let server_mac = [0x02, 0, 0, 0, 0, 0x02];
    let (src_mac, dst_mac) = match segment.from {
        Side::Client => (client_mac, server_mac),
        Side::Server => (server_mac, client_mac),
    };
    let mut out = Vec::with_capacity(14 + ip.len() + tcp.len());
    out.extend_from_slice(&dst_mac);
    out.extend_from_slice(&src_mac);
    out.extend_from_slice(&0x0800u16.to_be_bytes());
    out.extend_from_slice(&ip);
    out.extend_from_slice(&tcp);
    out
}

/// The TCP segments of the whole connection: three-way handshake, the
/// flights (cut at [`MSS`]), each acknowledged by the peer's next segment,
/// then FIN from each side.
fn segments(flights: &[Flight]) -> Vec<Segment> {
    let mut tcp = Tcp {
        client_next: 1_000,
        server_next: 5_000,
        out: Vec::new(),
    };
    tcp.send(Side::Client, TCP_SYN, &[]);
    tcp.send(Side::Server, TCP_SYN | TCP_ACK, &[]);
    tcp.send(Side::Client, TCP_ACK, &[]);
    for flight in flights {
        for chunk in flight.bytes.chunks(MSS) {
            tcp.send(flight.from, TCP_PSH | TCP_ACK, chunk);
        }
    }
    tcp.send(Side::Client, TCP_FIN | TCP_ACK, &[]);
    tcp.send(Side::Server, TCP_FIN | TCP_ACK, &[]);
    tcp.send(Side::Client, TCP_ACK, &[]);
    tcp.out
}

/// Sequence numbering for [`segments`]: each side's next sequence number
/// is the other side's acknowledgment number.
struct Tcp {
    client_next: u32,
    server_next: u32,
    out: Vec<Segment>,
}

impl Tcp {
    fn send(&mut self, from: Side, flags: u8, payload: &[u8]) {
        let (next, peer_next) = match from {
            Side::Client => (&mut self.client_next, self.server_next),
            Side::Server => (&mut self.server_next, self.client_next),
        };
        self.out.push(Segment {
            from,
            seq: *next,
            // Only the very first segment (the SYN) has no ACK flag.
            ack: if flags & TCP_ACK != 0 { peer_next } else { 0 },
            flags,
            payload: payload.to_vec(),
        });
        // SYN and FIN each take one sequence number, like a byte of data.
        let len = u32::try_from(payload.len()).expect("segment fits");
        *next += len + u32::from(flags & (TCP_SYN | TCP_FIN) != 0);
    }
}

/// A classic libpcap file (not pcapng): a 24-byte global header, then a
/// 16-byte header before each frame. Timestamps are 1 ms apart, from
/// minitls's fixed test time, so the file is the same on every run.
fn pcap(flights: &[Flight]) -> Vec<u8> {
    const LINKTYPE_ETHERNET: u32 = 1;
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic: microseconds
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());

    let start = minitls::testing::FIXED_NOW.as_secs();
    for (i, segment) in segments(flights).iter().enumerate() {
        let ip_id = u16::try_from(i + 1).expect("few segments");
        let frame = frame(segment, ip_id);
        let millis = i64::try_from(i).unwrap();
        let secs = u32::try_from(start + millis / 1000).expect("time fits");
        let micros = u32::try_from((millis % 1000) * 1000).unwrap();
        let len = u32::try_from(frame.len()).unwrap();
        out.extend_from_slice(&secs.to_le_bytes());
        out.extend_from_slice(&micros.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes()); // captured length
        out.extend_from_slice(&len.to_le_bytes()); // original length
        out.extend_from_slice(&frame);
    }
    out
}

// ---------------------------------------------------------------------------
// tshark

/// Run tshark on `capture`, with the key log `keylog` if given, decoding
/// port 4433 as TLS. Fails the test if tshark is missing or fails.
fn tshark(capture: &Path, keylog: Option<&Path>, extra: &[&str]) -> Output {
    let mut cmd = tshark_command(capture, keylog, extra);
    let output = run_with_timeout(&mut cmd, None, TSHARK_TIMEOUT);
    assert!(output.success(), "tshark failed:\n{output}");
    output
}

/// The command line [`tshark`] runs.
fn tshark_command(capture: &Path, keylog: Option<&Path>, extra: &[&str]) -> Command {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(capture);
    cmd.args(["-n", "-d", &format!("tcp.port=={SERVER_PORT},tls")]);
    // Explicit, so that a user's Wireshark preferences cannot change the result.
    cmd.args(["-o", "tcp.desegment_tcp_streams:TRUE"]);
    cmd.args(["-o", "tls.desegment_ssl_records:TRUE"]);
    let keylog_pref = match keylog {
        Some(path) => format!("tls.keylog_file:{}", path.display()),
        None => "tls.keylog_file:".to_string(),
    };
    cmd.arg("-o").arg(keylog_pref);
    cmd.args(extra);
    cmd
}

fn require_tshark() {
    let found = Command::new("tshark")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "tshark (Wireshark's command line) is not installed, and this test needs it. \
         .ci/run installs it; by hand: apt-get install tshark"
    );
}

/// Every handshake message type tshark dissected (`tls.handshake.type`),
/// in capture order.
fn handshake_types(fields: &str) -> Vec<u8> {
    fields
        .split(['\n', ',', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or_else(|_| panic!("not a type: {s:?}")))
        .collect()
}

/// The payloads tshark decrypted and handed on as plain data (`data.data`,
/// hex), decoded to bytes.
fn decrypted_data(fields: &str) -> Vec<Vec<u8>> {
    fields
        .split(['\n', ','])
        .map(|s| s.trim().replace(':', ""))
        .filter(|s| !s.is_empty())
        .map(|s| hex::decode(&s).unwrap_or_else(|e| panic!("{s:?}: {e}")))
        .collect()
}

/// Write a file whole: to a temporary name, then renamed into place, so
/// that two test runs at once never see each other's half-written file
/// (they write the same bytes: the connection is deterministic).
fn write_whole(path: &Path, bytes: &[u8]) {
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", temporary.display()));
    std::fs::rename(&temporary, path)
        .unwrap_or_else(|e| panic!("cannot rename to {}: {e}", path.display()));
}

/// Where this test leaves its files, for a reader to open.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wireshark");
    std::fs::create_dir_all(&dir).expect("create target/tmp/wireshark");
    dir
}

// ---------------------------------------------------------------------------
// What the book shows: tshark's own output for this capture.

/// tshark's one-line summary of each frame, as `tshark -r` prints it but
/// with only the number, protocol, length and info columns: the time and
/// address columns are left out, they say nothing about TLS. `-Y tls`
/// leaves out the frames that carry no TLS record (the TCP handshake,
/// the FINs).
const SUMMARY: &[&str] = &[
    "-Y",
    "tls",
    "-o",
    r#"gui.column.format:"No.","%m","Protocol","%p","Length","%L","Info","%i""#,
];

/// The record and handshake types in each frame, as fields: the outer
/// (opaque) type of each record, its real content type, and the handshake
/// messages in it. The same command as the book's.
const RECORD_TYPES: &[&str] = &[
    "-Y",
    "tls",
    "-T",
    "fields",
    "-E",
    "occurrence=a",
    "-e",
    "frame.number",
    "-e",
    "tls.record.opaque_type",
    "-e",
    "tls.record.content_type",
    "-e",
    "tls.handshake.type",
];

/// One view of the capture in `dir` (`minitls.pcap`, decrypted with
/// `keys.txt` if `with_keys`): the command, run in `dir` so that it names
/// the files as a reader would, then what tshark printed between
/// `ANCHOR: name` and `ANCHOR_END: name`, for the book to include. Only
/// trailing whitespace is changed: the tab after an empty last field.
fn view(name: &str, dir: &Path, with_keys: bool, extra: &[&str]) -> String {
    let keylog = with_keys.then_some(Path::new("keys.txt"));
    let mut cmd = tshark_command(Path::new("minitls.pcap"), keylog, extra);
    cmd.current_dir(dir);
    let shown: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|arg| shell_word(&arg.to_string_lossy()))
        .collect();
    let output = run_with_timeout(&mut cmd, None, TSHARK_TIMEOUT);
    assert!(output.success(), "tshark failed:\n{output}");
    assert!(
        !output.stdout.trim().is_empty(),
        "tshark printed nothing:\n{output}"
    );
    let mut out = format!("$ {}\nANCHOR: {name}\n", shown.join(" "));
    for line in output.stdout.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("ANCHOR_END: {name}\n"));
    out
}

/// `word` as a POSIX shell would need it typed: in single quotes unless
/// it is made only of characters the shell leaves alone.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:=/+%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The three views of the capture that the book's chapter "Watching
/// minitls in Wireshark" shows, in one snapshot: the summary without the
/// key log, the summary with it, and the record types with it.
fn book_views(dir: &Path) -> String {
    [
        view("summary_without_keys", dir, false, SUMMARY),
        view("summary_with_keys", dir, true, SUMMARY),
        view("record_types", dir, true, RECORD_TYPES),
    ]
    .join("\n")
}

const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const ENCRYPTED_EXTENSIONS: u8 = 8;
const CERTIFICATE: u8 = 11;
const CERTIFICATE_VERIFY: u8 = 15;
const FINISHED: u8 = 20;

#[test]
fn tshark_decrypts_a_capture_with_the_key_log_and_not_without() {
    require_tshark();

    let (flights, client_log, server_log) = run_connection();

    // Both sides derive the same secrets, so either side's key log works.
    let sorted = |log: &str| {
        let mut lines: Vec<String> = log.lines().map(str::to_string).collect();
        lines.sort_unstable();
        lines
    };
    assert_eq!(sorted(&client_log), sorted(&server_log));
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
    ] {
        assert!(
            client_log
                .lines()
                .any(|l| l.starts_with(&format!("{label} "))),
            "no {label} line in the key log:\n{client_log}"
        );
    }

    let dir = output_dir();
    let capture = dir.join("minitls.pcap");
    let keylog = dir.join("keys.txt");
    write_whole(&capture, &pcap(&flights));
    write_whole(&keylog, client_log.as_bytes());

    // tshark agrees the capture is well formed: no bad checksum, no
    // malformed packet, no TCP sequence warning.
    let expert = tshark(
        &capture,
        None,
        &[
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
            "-Y",
            "_ws.expert.severity >= warning || _ws.malformed",
        ],
    );
    assert!(
        expert.stdout.trim().is_empty(),
        "tshark finds problems in the synthesized capture:\n{expert}"
    );

    let fields = ["-Y", "tls", "-T", "fields", "-E", "occurrence=a"];

    // With the key log: every handshake message, decrypted.
    let mut args = fields.to_vec();
    args.extend(["-e", "tls.handshake.type"]);
    let with_keys = handshake_types(&tshark(&capture, Some(&keylog), &args).stdout);
    for (name, ty) in [
        ("ClientHello", CLIENT_HELLO),
        ("ServerHello", SERVER_HELLO),
        ("EncryptedExtensions", ENCRYPTED_EXTENSIONS),
        ("Certificate", CERTIFICATE),
        ("CertificateVerify", CERTIFICATE_VERIFY),
    ] {
        assert!(
            with_keys.contains(&ty),
            "tshark with the key log shows no {name} (type {ty}); it shows {with_keys:?}"
        );
    }
    assert_eq!(
        with_keys.iter().filter(|&&t| t == FINISHED).count(),
        2,
        "tshark with the key log should show both Finished messages; it shows {with_keys:?}"
    );

    // With the key log: the application data, in plain text, both ways.
    let mut args = fields.to_vec();
    args.extend(["-e", "data.data"]);
    let data = decrypted_data(&tshark(&capture, Some(&keylog), &args).stdout);
    for message in [CLIENT_MESSAGE, SERVER_MESSAGE] {
        assert!(
            data.iter().any(|d| d == message),
            "tshark with the key log did not decrypt {:?}; it decrypted {:?}",
            String::from_utf8_lossy(message),
            data.iter()
                .map(|d| String::from_utf8_lossy(d))
                .collect::<Vec<_>>()
        );
    }

    // With the key log: the client's close_notify alert (level 1,
    // description 0), which is encrypted too.
    let mut args = fields.to_vec();
    args.extend(["-e", "tls.alert_message.desc"]);
    let alerts = tshark(&capture, Some(&keylog), &args).stdout;
    assert_eq!(
        alerts
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| *a == "0")
            .count(),
        2,
        "tshark with the key log should show two close_notify alerts; it shows {alerts:?}"
    );

    // Without the key log (the negative control): only the two hellos, in
    // the clear, and no plain text at all.
    let mut args = fields.to_vec();
    args.extend(["-e", "tls.handshake.type"]);
    let without_keys = handshake_types(&tshark(&capture, None, &args).stdout);
    assert_eq!(
        without_keys,
        [CLIENT_HELLO, SERVER_HELLO],
        "without the key log tshark should see only ClientHello and ServerHello"
    );
    let mut args = fields.to_vec();
    args.extend(["-e", "data.data", "-e", "tls.alert_message.desc"]);
    let leaked = tshark(&capture, None, &args).stdout;
    assert!(
        leaked.trim().is_empty(),
        "without the key log tshark should decrypt nothing; it shows {leaked:?}"
    );
    let dump = tshark(&capture, None, &["-x"]).stdout;
    assert!(
        !dump.contains("hello from"),
        "the plain text is visible without the key log:\n{dump}"
    );

    // What the book shows of this capture, from tshark itself.
    insta::assert_snapshot!("tshark_views", book_views(&dir));
}
