//! Check of exercise 05 (reading a bounded vector) against minitls's codec
//! (`codec::Reader`), a real ClientHello, and a real server's answer to
//! ClientHellos whose vectors break their bounds.

use minitls::AlertDescription;
use minitls::codec::Reader;
use minitls::messages::HandshakeMessage;
use minitls::testing::{demo_pki, deterministic_server};
use minitls::trace::NoObserver;

use super::real_client_hello;
use crate::e05_vectors::read_vector;

/// What minitls's Reader makes of the same vector.
fn minitls_reads(
    input: &[u8],
    length_bytes: usize,
    floor: usize,
    ceiling: usize,
) -> Option<(&[u8], &[u8])> {
    let mut r = Reader::new(input);
    let bounds = floor..=ceiling;
    let contents = match length_bytes {
        1 => r.opaque_u8("v", bounds),
        2 => r.opaque_u16("v", bounds),
        _ => r.opaque_u24("v", bounds),
    }
    .ok()?;
    Some((contents, &input[r.position()..]))
}

/// The alert a fresh minitls server answers `message` (a handshake
/// message, header included) with, sent in one plaintext record.
fn server_alert(message: &[u8]) -> Option<AlertDescription> {
    let mut server = deterministic_server(&demo_pki(1), Box::new(NoObserver));
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(message.len() as u16).to_be_bytes());
    record.extend_from_slice(message);
    server.receive(&record).err().and_then(|e| e.alert())
}

/// `message` with `change` applied to its body and the handshake header's
/// length fixed up.
fn edited(message: &[u8], change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut body = message[4..].to_vec();
    change(&mut body);
    let mut out = vec![message[0]];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&body);
    out
}

/// A ClientHello with one vector out of its bounds.
struct OutOfBounds<'a> {
    /// Which vector, and how it is wrong.
    what: &'static str,
    /// The whole message, header included.
    message: &'a [u8],
    /// Where the vector's length starts in `message`.
    at: usize,
    /// The width of its length.
    length_bytes: usize,
    /// Its `<floor..ceiling>`.
    bounds: (usize, usize),
}

/// Holds `read_vector` to minitls's codec, to a real ClientHello, and to a
/// real server's decode_error.
pub fn check() -> Result<(), String> {
    // 1. Against the codec, on inputs around every edge: lengths below,
    //    at and above the bounds, and fewer bytes than the length says.
    for length_bytes in [1usize, 2, 3] {
        for (floor, ceiling) in [(0, 32), (2, 4), (1, 255), (2, 65534), (0, 70000)] {
            for len in [0usize, 1, 2, 3, 4, 5, 32, 33, 255, 256, 65534, 65535] {
                for have in [len.saturating_sub(1), len, len + 3] {
                    let width_max = (1usize << (8 * length_bytes)) - 1;
                    if len > width_max || ceiling > width_max || have > 70000 {
                        continue;
                    }
                    let mut input = len.to_be_bytes()[8 - length_bytes..].to_vec();
                    input.extend((0..have).map(|i| i as u8));
                    let yours = read_vector(&input, length_bytes, floor, ceiling);
                    let expected = minitls_reads(&input, length_bytes, floor, ceiling);
                    if yours != expected {
                        let show = |v: Option<(&[u8], &[u8])>| match v {
                            None => "None (malformed)".to_string(),
                            Some((c, r)) => format!("Some({} bytes, {} left)", c.len(), r.len()),
                        };
                        return Err(format!(
                            "read_vector(length {len} in {length_bytes} byte(s), then {have} bytes, bounds <{floor}..{ceiling}>):\n        yours     {}\n        expected  {}",
                            show(yours),
                            show(expected)
                        ));
                    }
                }
            }
        }
    }

    // 2. The vectors of a real ClientHello (RFC 8446 §4.1.2), read one
    //    after the other, give the fields minitls decodes.
    let message = real_client_hello()?;
    let Ok(HandshakeMessage::ClientHello(decoded)) = HandshakeMessage::decode(&message) else {
        return Err("the recorded ClientHello does not decode (a bug in the check)".into());
    };
    let body = &message[4 + 2 + 32..];
    let walk = || {
        let (session_id, rest) = read_vector(body, 1, 0, 32)?;
        let (suites, rest) = read_vector(rest, 2, 2, (1 << 16) - 2)?;
        let (compression, rest) = read_vector(rest, 1, 1, (1 << 8) - 1)?;
        let (extensions, rest) = read_vector(rest, 2, 8, (1 << 16) - 1)?;
        Some((session_id, suites, compression, extensions, rest))
    };
    let Some((session_id, suites, compression, extensions, rest)) = walk() else {
        return Err("read_vector refused a vector of a real ClientHello".into());
    };
    let suite_bytes: Vec<u8> = decoded
        .cipher_suites
        .iter()
        .flat_map(|s| s.to_be_bytes())
        .collect();
    let extension_bytes: usize = decoded
        .extensions
        .received
        .iter()
        .map(|e| 4 + usize::from(e.length))
        .sum();
    if session_id != decoded.legacy_session_id.as_slice()
        || suites != suite_bytes.as_slice()
        || compression != decoded.legacy_compression_methods.as_slice()
        || extensions.len() != extension_bytes
        || !rest.is_empty()
    {
        return Err(
            "walking a real ClientHello with read_vector gives other fields than minitls decodes"
                .into(),
        );
    }

    // 3. Vectors out of bounds: a real server refuses them with
    //    decode_error, and so must read_vector.
    let long_session_id = edited(&message, |body| {
        body[34] = 33;
        body.insert(35, 0xaa);
    });
    let no_suites = edited(&message, |body| {
        let at = 34 + 1 + usize::from(body[34]);
        body.splice(at..at + 2 + suite_bytes.len(), [0, 0]);
    });
    let sid_end = 38 + 1 + decoded.legacy_session_id.len();
    let cases = [
        OutOfBounds {
            what: "a 33-byte legacy_session_id<0..32>",
            message: &long_session_id,
            at: 38,
            length_bytes: 1,
            bounds: (0, 32),
        },
        OutOfBounds {
            what: "an empty cipher_suites<2..2^16-2>",
            message: &no_suites,
            at: sid_end,
            length_bytes: 2,
            bounds: (2, (1 << 16) - 2),
        },
    ];
    for case in cases {
        let what = case.what;
        if server_alert(case.message) != Some(AlertDescription::DecodeError) {
            return Err(format!(
                "minitls did not refuse {what} with decode_error (a bug in the check)"
            ));
        }
        let (floor, ceiling) = case.bounds;
        if read_vector(&case.message[case.at..], case.length_bytes, floor, ceiling).is_some() {
            return Err(format!(
                "a real server refuses a ClientHello with {what} (decode_error), but read_vector accepts the vector"
            ));
        }
    }
    // And the unedited hello is fine: the server answers it.
    if server_alert(&message).is_some() {
        return Err("minitls refused the real ClientHello (a bug in the check)".into());
    }
    Ok(())
}
