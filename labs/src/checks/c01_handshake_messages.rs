//! Check of exercise 01 (the messages of a full handshake) against the
//! golden transcript of the same deterministic handshake, which the
//! crate's own tests keep stable (`tests/transcripts.rs`).

use minitls::testing::Side;

use crate::e01_handshake_messages::{Message, handshake_messages};

/// The golden transcript: the client's view, then the server's.
const TRANSCRIPT: &str = include_str!("../../../tests/snapshots/transcripts__full_handshake.snap");

/// The messages of the transcript's client view, as `(from, name, len)`,
/// read from its headings: `ClientHello client -> server, 168 bytes (…)`.
fn golden() -> Vec<(Side, String, usize)> {
    let client_view = TRANSCRIPT
        .split("=== client view ===")
        .nth(1)
        .and_then(|rest| rest.split("=== server view ===").next())
        .unwrap_or_default();
    client_view
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(' ')?;
            let (from, rest) = if let Some(rest) = rest.strip_prefix("client -> server, ") {
                (Side::Client, rest)
            } else {
                (Side::Server, rest.strip_prefix("server -> client, ")?)
            };
            let len = rest.split_once(" bytes")?.0.parse().ok()?;
            Some((from, name.to_string(), len))
        })
        .collect()
}

fn show(from: Side, name: &str, len: usize) -> String {
    let arrow = match from {
        Side::Client => "client -> server",
        Side::Server => "server -> client",
    };
    format!("{name} {arrow}, {len} bytes")
}

/// Holds the student's list to the golden transcript, message by message.
pub fn check() -> Result<(), String> {
    let expected = golden();
    if expected.is_empty() {
        return Err("the golden transcript has no messages: is tests/snapshots intact?".into());
    }
    let yours = handshake_messages();
    for (i, want) in expected.iter().enumerate() {
        let Some(Message { from, name, len }) = yours.get(i) else {
            return Err(format!(
                "your list stops after {i} messages; next is {}",
                show(want.0, &want.1, want.2)
            ));
        };
        if (*from, name.to_string(), *len) != *want {
            return Err(format!(
                "message {}:\n        yours     {}\n        expected  {}",
                i + 1,
                show(*from, name, *len),
                show(want.0, &want.1, want.2)
            ));
        }
    }
    if yours.len() > expected.len() {
        let extra = &yours[expected.len()];
        return Err(format!(
            "your list has more messages than the handshake: {}",
            show(extra.from, extra.name, extra.len)
        ));
    }
    Ok(())
}
