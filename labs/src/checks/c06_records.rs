//! Check of exercise 06 (cutting a byte stream into records) against
//! minitls's own `record::Deframer`, on the bytes of a real handshake.

use minitls::record::{Deframer, MAX_CIPHERTEXT};
use minitls::testing::{Pair, Side};
use minitls::trace::NoObserver;

use crate::e06_records::{Record, TooLong, split_records};

/// What the Deframer makes of `stream`: its records and how many bytes it
/// still holds, or `Err` for a refused header.
fn deframed(stream: &[u8]) -> Result<(Vec<Record>, usize), ()> {
    let mut deframer = Deframer::default();
    deframer.push(stream);
    let mut records = Vec::new();
    while let Some(record) = deframer.pop().map_err(|_| ())? {
        records.push(Record {
            content_type: record.content_type,
            legacy_record_version: record.legacy_record_version,
            fragment: record.fragment,
        });
    }
    Ok((records, deframer.len()))
}

fn summary(records: &[Record]) -> String {
    let list: Vec<String> = records
        .iter()
        .map(|r| format!("type {} ({} bytes)", r.content_type, r.fragment.len()))
        .collect();
    format!("[{}]", list.join(", "))
}

/// Holds `split_records` to the Deframer on every flight of a real
/// handshake, whole and cut at every byte, and at the length limit.
pub fn check() -> Result<(), String> {
    let mut flights = Vec::new();
    let mut pair = Pair::deterministic(Box::new(NoObserver), Box::new(NoObserver));
    pair.drive_observed(|side, bytes| flights.push((side, bytes.to_vec())))
        .map_err(|e| format!("the handshake failed: {e}"))?;

    for (side, flight) in &flights {
        let who = if *side == Side::Client {
            "client"
        } else {
            "server"
        };
        for cut in 0..=flight.len() {
            let stream = &flight[..cut];
            let Ok((expected, held)) = deframed(stream) else {
                return Err("the Deframer refused a real flight (a bug in the check)".into());
            };
            let Ok((yours, rest)) = split_records(stream) else {
                return Err(format!(
                    "the {who}'s flight cut after {cut} of {} bytes: you returned TooLong; it is a real, valid handshake",
                    flight.len()
                ));
            };
            if yours != expected || rest.len() != held {
                return Err(format!(
                    "the {who}'s flight cut after {cut} of {} bytes:\n        yours     {} and {} bytes left\n        expected  {} and {held} bytes left",
                    flight.len(),
                    summary(&yours),
                    rest.len(),
                    summary(&expected),
                ));
            }
        }
    }

    // The limit of RFC 8446 §5.2, on a header alone: one byte over is
    // refused at once, exactly at the limit waits for the body.
    for (length, refused) in [
        (MAX_CIPHERTEXT + 1, true),
        (MAX_CIPHERTEXT, false),
        (0xffff, true),
    ] {
        let header = [23, 3, 3, (length >> 8) as u8, length as u8];
        if deframed(&header).is_err() != refused {
            return Err("the Deframer disagrees with RFC 8446 §5.2 (a bug in the check)".into());
        }
        match (split_records(&header), refused) {
            (Err(TooLong), true) | (Ok(_), false) => {}
            (Ok(_), true) => {
                return Err(format!(
                    "a header announcing {length} bytes must be refused at once (more than 2^14 + 256)"
                ));
            }
            (Err(TooLong), false) => {
                return Err(format!(
                    "a header announcing {length} bytes is allowed (exactly 2^14 + 256): wait for its body"
                ));
            }
        }
    }
    Ok(())
}
