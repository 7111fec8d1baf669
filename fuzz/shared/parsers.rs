//! The parser targets: records, handshake messages and extensions, DER and
//! X.509, PEM, tickets and sessions. Each takes arbitrary bytes.

use std::sync::OnceLock;

use minitls::codec::Reader;
use minitls::crypto::{AEAD_TAG_LEN, Aead};
use minitls::error::{Error, ProtocolVersion, UnexpectedRecord};
use minitls::key_schedule::{Secret, TrafficKeys};
use minitls::messages::alert::Alert;
use minitls::messages::extensions::{is_known, read_block};
use minitls::messages::{ExtensionContext, HandshakeMessage};
use minitls::pki::{der, pem as pem_mod, verify, x509 as x509_mod};
use minitls::record::{
    ContentType, Deframer, HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT, OpaqueRecord, RecordLayer,
    RecordProtection, whole_records,
};
use minitls::resumption::client_cache::StoredTicket;
use minitls::resumption::ticketer::Ticketer;
use minitls::resumption::{ResumptionStrategy, Session};
use minitls::testing::{FIXED_NOW, SeededRng, demo_pki};

/// A failure must be a proper error: one the connection answers with an alert.
fn assert_has_alert(e: &Error) {
    assert!(e.alert().is_some(), "error without an alert: {e:?}");
}

const RECORD_KEY: [u8; 32] = [0x42; 32];
const RECORD_IV: [u8; 12] = [0x24; 12];

fn record_keys() -> TrafficKeys {
    TrafficKeys {
        key: RECORD_KEY,
        iv: RECORD_IV,
    }
}

/// RFC 8446 §5.3, written out again: the harness seals by hand with it, so
/// a disagreement with `RecordProtection` is a failed decryption below.
fn nonce(sequence_number: u64) -> [u8; 12] {
    let mut n = RECORD_IV;
    for (b, s) in n[4..].iter_mut().zip(sequence_number.to_be_bytes()) {
        *b ^= s;
    }
    n
}

/// **record**: `record::Deframer` and `RecordProtection::decrypt`.
///
/// `data[0]` is the chunk size the stream is pushed in (0 means 1) and, in
/// its low two bits, a content type for the `RecordLayer::seal` round trip.
/// The rest is a byte stream cut into records. Each record is
/// 1. checked to re-encode to exactly the bytes it came from;
/// 2. decrypted as is under a fixed key (bad_record_mac, nearly always);
/// 3. taken as an inner plaintext (content || type || zeros), sealed by
///    hand under the fixed key and the record's own header, and decrypted:
///    this reaches the padding, content type and overflow rules (§5.2, §5.4).
///
/// Finally the whole stream is sent through `RecordLayer::seal` and read
/// back, to check fragmentation at 2^14 bytes.
pub fn record(data: &[u8]) {
    let Some((&first, stream)) = data.split_first() else {
        return;
    };
    let step = usize::from(first).max(1);
    let mut deframer = Deframer::default();
    let mut as_is = RecordProtection::new(&record_keys());
    let mut resealed = RecordProtection::new(&record_keys());
    let aead = Aead::new(RECORD_KEY);
    let mut resealed_seq = 0u64;
    let mut pushed = 0;
    let mut popped = 0;
    'stream: for chunk in stream.chunks(step) {
        deframer.push(chunk);
        pushed += chunk.len();
        loop {
            let record = match deframer.pop() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(e) => {
                    // The framing errors, each decided from the 5-byte
                    // header alone: an SSL 2.0 ClientHello, an unknown
                    // content type, a length over 2^14 + 256.
                    let at = &stream[popped..];
                    assert!(at.len() >= HEADER_LEN);
                    let expected = if popped == 0 && at[0] & 0x80 != 0 && at[2] == 1 {
                        Error::ProtocolVersion(ProtocolVersion::Ssl2ClientHello)
                    } else if ContentType::from_u8(at[0]).is_none() {
                        Error::UnexpectedRecord(UnexpectedRecord::UnknownContentType)
                    } else {
                        assert!(usize::from(u16::from_be_bytes([at[3], at[4]])) > MAX_CIPHERTEXT);
                        Error::RecordOverflow
                    };
                    assert_eq!(e, expected);
                    assert_has_alert(&e);
                    break 'stream;
                }
            };
            let encoded = record.encode();
            assert_eq!(encoded, stream[popped..popped + encoded.len()]);
            popped += encoded.len();
            assert!(record.fragment.len() <= MAX_CIPHERTEXT);

            if let Err(e) = as_is.decrypt(record.clone()) {
                assert_has_alert(&e);
            }

            // Seal the fragment as an inner plaintext under the record's header.
            let mut inner = record.fragment.clone();
            let mut sealed = OpaqueRecord {
                content_type: record.content_type,
                legacy_record_version: record.legacy_record_version,
                fragment: vec![0; inner.len() + AEAD_TAG_LEN],
            };
            aead.seal(&nonce(resealed_seq), &sealed.header(), &mut inner);
            sealed.fragment = inner;
            resealed_seq += 1;
            match resealed.decrypt(sealed) {
                Ok((content_type, content)) => {
                    let plain = &record.fragment;
                    assert!(plain.len() <= MAX_PLAINTEXT + 1);
                    assert_eq!(&plain[..content.len()], &content[..]);
                    assert_eq!(plain[content.len()], content_type.to_u8());
                    assert!(plain[content.len() + 1..].iter().all(|b| *b == 0));
                }
                Err(e) => {
                    assert_has_alert(&e);
                    assert_ne!(e, Error::BadRecordMac, "a record sealed right must open");
                    if e == Error::RecordOverflow {
                        assert!(record.fragment.len() > MAX_PLAINTEXT + 1);
                    }
                }
            }
        }
        assert_eq!(deframer.len(), pushed - popped);
    }

    let content_type = [
        ContentType::Handshake,
        ContentType::ApplicationData,
        ContentType::Alert,
        ContentType::ChangeCipherSpec,
    ][usize::from(first & 3)];
    let mut layer = RecordLayer {
        read: None,
        write: Some(RecordProtection::new(&record_keys())),
    };
    let mut sealed = Vec::new();
    layer
        .seal(content_type, stream, &mut sealed)
        .expect("sealing a fresh key cannot fail");
    let records: Vec<&[u8]> = whole_records(&sealed).collect();
    assert_eq!(records.len(), stream.len().div_ceil(MAX_PLAINTEXT).max(1));
    assert_eq!(records.concat(), sealed, "whole records, nothing left over");
    let mut rx = RecordProtection::new(&record_keys());
    let mut back = Vec::new();
    for r in records {
        let mut d = Deframer::default();
        d.push(r);
        let again = d.pop().expect("a sealed record frames").expect("whole");
        let (t, content) = rx.decrypt(again).expect("a sealed record opens");
        assert_eq!(t, content_type);
        back.extend_from_slice(&content);
    }
    assert_eq!(back, stream);
}

const CONTEXTS: [ExtensionContext; 7] = [
    ExtensionContext::ClientHello,
    ExtensionContext::ServerHello,
    ExtensionContext::HelloRetryRequest,
    ExtensionContext::EncryptedExtensions,
    ExtensionContext::Certificate,
    ExtensionContext::CertificateRequest,
    ExtensionContext::NewSessionTicket,
];

/// **handshake_message**: `HandshakeMessage::decode` for every message type
/// (ClientHello, ServerHello/HelloRetryRequest, EncryptedExtensions,
/// Certificate, CertificateRequest, CertificateVerify, Finished,
/// NewSessionTicket, KeyUpdate, unknown types), the span-recording decoder
/// the explainer uses, `extensions::read_block` in each of the seven
/// extension contexts (`data[0]` picks one, the rest is the list), and
/// `Alert::read`.
///
/// A message that decodes must re-encode to something that decodes to the
/// same message (up to what is not kept: unknown extensions and the order
/// extensions arrived in), and both decoders must agree.
pub fn handshake_message(data: &[u8]) {
    let decoded = HandshakeMessage::decode(data);
    match &decoded {
        Ok(message) => {
            // What decoded fits its vectors, so it encodes again.
            let bytes = message.encode().expect("a decoded message re-encodes");
            // Unknown extensions are not kept, so without them a block may
            // fall under its lower bound (`<6..2^16-1>` in a ServerHello).
            match HandshakeMessage::decode(&bytes) {
                Ok(again) => {
                    assert_eq!(again.without_received(), message.clone().without_received())
                }
                Err(e) => {
                    let unknown = message
                        .received_extensions()
                        .iter()
                        .any(|e| !is_known(e.extension_type));
                    assert!(unknown, "re-encoded: {e:?}");
                }
            }
            let _ = message.name();
        }
        Err(e) => assert_has_alert(e),
    }
    let (with_spans, spans) = HandshakeMessage::decode_with_spans(data);
    assert_eq!(with_spans, decoded);
    for span in &spans {
        assert!(span.offset + span.len <= data.len(), "span out of bounds");
    }

    if let Some((&which, list)) = data.split_first() {
        let context = CONTEXTS[usize::from(which) % CONTEXTS.len()];
        let mut r = Reader::new(list);
        let skip = |_: u16, r: &mut Reader| r.rest("extension_data").map(|_| ());
        if let Err(e) = read_block(&mut r, context, 0..=(1 << 16) - 1, skip) {
            assert_has_alert(&e);
        }
    }

    if let Err(e) = Alert::read(&mut Reader::new(data)) {
        assert_has_alert(&e);
    }
}

/// Walk any DER: every TLV, into every constructed value, at most 64 deep.
fn walk_der(data: &[u8], depth: usize) {
    if depth > 64 {
        return;
    }
    let mut r = der::Reader::new(data);
    while !r.is_empty() {
        let Ok(tlv) = r.read_tlv("fuzz") else { return };
        assert!(tlv.encoded.ends_with(tlv.contents));
        if tlv.tag & 0x20 != 0 {
            walk_der(tlv.contents, depth + 1);
        }
    }
}

fn trust_anchors() -> &'static verify::TrustAnchors {
    static ANCHORS: OnceLock<verify::TrustAnchors> = OnceLock::new();
    ANCHORS.get_or_init(|| demo_pki(1).trust_anchors())
}

/// **x509**: the DER reader (`pki::der::Reader`: generic TLV walk and every
/// typed read), `x509::Certificate::from_der` and its accessors, adding
/// the bytes as a trust anchor, and `verify::verify_server_chain` with the
/// bytes as a leaf against the demo CA (signature and name checks).
pub fn x509(data: &[u8]) {
    walk_der(data, 0);
    let _ = der::Reader::new(data).integer("fuzz");
    let _ = der::Reader::new(data).small_unsigned("fuzz");
    let _ = der::Reader::new(data).boolean("fuzz");
    if let Ok(bits) = der::Reader::new(data).bit_string("fuzz") {
        for n in 0..16 {
            let _ = bits.bit(n);
        }
    }
    let _ = der::Reader::new(data).octet_string("fuzz");
    if let Ok(oid) = der::Reader::new(data).oid("fuzz") {
        let _ = oid.to_string();
    }
    let _ = der::Reader::new(data).time("fuzz");

    if let Ok(cert) = x509_mod::Certificate::from_der(data) {
        let tbs = cert.tbs_certificate_der();
        assert!(tbs.len() < data.len());
        let _ = cert.ed25519_public_key();
        let _ = cert.is_self_issued();
        let _ = cert.dns_names().count();
    }
    let _ = verify::TrustAnchors::new().add_der(data);
    if let Err(e) =
        verify::verify_server_chain(&[data], trust_anchors(), "localhost", FIXED_NOW.as_secs())
    {
        assert_has_alert(&Error::from(e));
    }
}

/// **pem**: `pki::pem` (`decode_all`, base64, certificates, PKCS#8 Ed25519
/// keys), `TrustAnchors::from_pem` and the client's `--sess-in` format
/// (`StoredTicket::from_pem`). Base64 must round-trip; a decoded block
/// re-encoded must decode to itself.
pub fn pem(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(blocks) = pem_mod::decode_all(&text) {
        for block in blocks {
            let _ = pem_mod::decode_ed25519_pkcs8(&block.der);
            let plain_label = block
                .label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'#');
            if plain_label && !block.label.is_empty() {
                let again = pem_mod::decode_all(&pem_mod::encode(&block.label, &block.der))
                    .expect("an encoded block decodes");
                assert_eq!(again.len(), 1);
                assert_eq!(again[0].label, block.label);
                assert_eq!(again[0].der, block.der);
            }
        }
    }
    if let Ok(bytes) = pem_mod::base64_decode(&text) {
        let encoded = pem_mod::base64_encode(&bytes);
        assert_eq!(pem_mod::base64_decode(&encoded).as_ref(), Ok(&bytes));
    }
    let _ = pem_mod::certs_from_pem(&text);
    if let Ok(key) = pem_mod::private_key_from_pem(&text) {
        let again = pem_mod::private_key_from_pem(&pem_mod::private_key_to_pem(&key))
            .expect("an encoded key decodes");
        assert_eq!(again.seed(), key.seed());
    }
    let _ = pem_mod::decode_ed25519_pkcs8(data);
    let _ = verify::TrustAnchors::from_pem(&text);
    if let Err(e) = StoredTicket::from_pem(&text) {
        assert_has_alert(&e);
    }
}

/// One stateless ticketer, its key drawn from a seeded RNG on first use.
fn ticketer() -> &'static Ticketer {
    static TICKETER: OnceLock<Ticketer> = OnceLock::new();
    TICKETER.get_or_init(|| {
        let ticketer = Ticketer::new(24 * 3600);
        // Issue once, so the key exists before the first input.
        let session = Session {
            cipher_suite: 0x1303,
            psk: Secret::from_bytes([9; 32]),
            created_at: FIXED_NOW,
            ticket_lifetime: 3600,
            ticket_age_add: 0,
            server_name: "localhost".into(),
            peer_identity: Vec::new(),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        };
        ticketer.issue(&session, &mut SeededRng::new(7), FIXED_NOW);
        ticketer
    })
}

/// **ticket**: the stateless ticket opener (`Ticketer::look_up` on arbitrary
/// bytes), `Session::decode` and the client's `StoredTicket::decode`.
///
/// Arbitrary bytes almost never open (they would have to carry the AEAD
/// tag), so bytes that decode as a `Session` are also sealed by the
/// ticketer and opened again: that is the path by which attacker-influenced
/// session fields (server name, lifetime, created_at...) reach a server.
/// Both formats must re-encode to exactly their input.
pub fn ticket(data: &[u8]) {
    let ticketer = ticketer();
    let now = FIXED_NOW;
    let _ = ticketer.look_up(data, now);

    if let Ok(session) = Session::decode(data) {
        assert_eq!(session.encode().as_deref(), Ok(data));
        let mut rng = SeededRng::new(7);
        let sealed = ticketer
            .issue(&session, &mut rng, now)
            .expect("the stateless strategy always issues");
        match ticketer.look_up(&sealed, now) {
            Ok(opened) => assert_eq!(opened, session),
            Err(rejection) => {
                assert!(session.is_expired(now), "{}", rejection.reason());
            }
        }
    }

    match StoredTicket::decode(data) {
        Ok(stored) => assert_eq!(stored.encode().as_deref(), Ok(data)),
        Err(e) => assert_has_alert(&e),
    }
}
