//! Check of exercise 15 (TLSInnerPlaintext) against minitls's record
//! layer and a real connection: records minitls sealed are opened with
//! the bare AEAD, so the check sees the inner plaintext itself.

use minitls::AppEvent;
use minitls::crypto::Aead;
use minitls::key_schedule::SecretLabel;
use minitls::record::{ContentType, OpaqueRecord, RecordProtection};

use super::flight::{secret, split_records, take, traced_pair, traffic_keys};
use super::same;
use crate::e15_inner_plaintext::{inner_plaintext, strip_inner_plaintext};

/// A traffic secret for the record-layer cases (any 32 bytes will do).
const SECRET: [u8; 32] = [7; 32];

/// The nonce of record `seq` (RFC 8446 §5.3).
fn nonce(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *iv;
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    nonce
}

/// The TLSInnerPlaintext inside `record`, sealed under `secret` as record
/// number `seq`.
fn open_raw(secret: &[u8; 32], seq: u64, record: &OpaqueRecord) -> Result<Vec<u8>, String> {
    let keys = traffic_keys(secret);
    let mut inner = record.fragment.clone();
    Aead::new(keys.key)
        .open(&nonce(&keys.iv, seq), &record.header(), &mut inner)
        .map_err(|()| "a record does not open".to_string())?;
    Ok(inner)
}

/// `inner` sealed under `secret` as record number `seq`, as wire bytes.
fn seal_raw(secret: &[u8; 32], seq: u64, inner: &[u8]) -> Vec<u8> {
    let keys = traffic_keys(secret);
    let length = (inner.len() + 16) as u16;
    let mut record = OpaqueRecord {
        content_type: ContentType::ApplicationData.to_u8(),
        legacy_record_version: 0x0303,
        fragment: inner.to_vec(),
    };
    let header = [23, 3, 3, length.to_be_bytes()[0], length.to_be_bytes()[1]];
    Aead::new(keys.key).seal(&nonce(&keys.iv, seq), &header, &mut record.fragment);
    record.encode()
}

/// Holds both functions to minitls's record layer and a real connection.
pub fn check() -> Result<(), String> {
    // Building: what minitls seals, opened with the bare AEAD.
    for (content_type, content, padding) in [
        (ContentType::ApplicationData, b"hello".as_slice(), 0),
        (ContentType::ApplicationData, b"hi", 7),
        (ContentType::Alert, &[1, 0], 3),
    ] {
        let record = RecordProtection::new(&traffic_keys(&SECRET))
            .encrypt(content_type, content, padding)
            .map_err(|e| e.to_string())?;
        same(
            &format!(
                "inner_plaintext({}, {content:?}, {padding})",
                content_type.to_u8()
            ),
            &inner_plaintext(content_type.to_u8(), content, padding),
            &open_raw(&SECRET, 0, &record)?,
        )?;
    }

    // Stripping: the same bytes through minitls's decrypt.
    let inners: [&[u8]; 6] = [
        b"hello\x17",
        b"hello\x17\0\0\0",
        b"a\0b\x15\0\0",
        b"\x16",
        b"\0\0\0\0",
        b"",
    ];
    for inner in inners {
        let record = seal_raw(&SECRET, 0, inner);
        let opened = RecordProtection::new(&traffic_keys(&SECRET))
            .decrypt(split_records(&record).remove(0))
            .ok()
            .map(|(t, content)| (t.to_u8(), content));
        let yours = strip_inner_plaintext(inner).map(|(t, content)| (t, content.to_vec()));
        if yours != opened {
            return Err(format!(
                "strip_inner_plaintext({}):\n        yours     {yours:?}\n        minitls   {opened:?}",
                hex::encode(inner)
            ));
        }
    }

    // A real client's first application data record.
    let mut traced = traced_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;
    let request = b"GET / HTTP/1.1\r\n\r\n";
    traced
        .pair
        .client
        .send(request)
        .map_err(|e| e.to_string())?;
    let wire = take(&mut traced.pair.client);
    let client_secret = secret(&traced.client, SecretLabel::ClientApplicationTraffic0);
    let inner = open_raw(&client_secret, 0, &split_records(&wire)[0])?;
    match strip_inner_plaintext(&inner) {
        Some((23, content)) if content == request => {}
        other => {
            return Err(format!(
                "a real client's record holds application data {request:?}, but you read {other:?}"
            ));
        }
    }

    // The real record goes on to the server; then yours, padded, sealed
    // as the client's next record.
    traced
        .pair
        .server
        .receive(&wire)
        .map_err(|e| format!("the server refused the client's record: {e}"))?;
    let message = b"padded hello";
    let yours = seal_raw(&client_secret, 1, &inner_plaintext(23, message, 10));
    traced
        .pair
        .server
        .receive(&yours)
        .map_err(|e| format!("the server refused your record: {e}"))?;
    let data: Vec<Vec<u8>> = std::iter::from_fn(|| traced.pair.server.poll_event())
        .filter_map(|e| match e {
            AppEvent::Data(data) => Some(data),
            _ => None,
        })
        .collect();
    same(
        "what the server read from your record",
        data.last().map(Vec::as_slice).unwrap_or_default(),
        message,
    )
}
