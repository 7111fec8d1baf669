//! Check of exercise 17 (the downgrade sentinels): a real minitls
//! server's ServerHello, altered, is handed to a real minitls client,
//! whose alert is the answer; the sentinels are minitls's own constants.

use minitls::AlertDescription;
use minitls::messages::HandshakeMessage;
use minitls::messages::server_hello::{DOWNGRADE_TLS11, DOWNGRADE_TLS12};
use minitls::trace::RecordedEvent;

use super::flight::{alert_of, split_records, take, traced_pair};
use crate::e17_downgrade::{client_alert, is_downgrade_sentinel};

/// How a case changes the ServerHello: the last 8 bytes of its random
/// (or `None` to keep them) and its `supported_versions`.
struct Case {
    what: &'static str,
    random_tail: Option<[u8; 8]>,
    random_head: Option<[u8; 8]>,
    selected_version: Option<u16>,
}

const CASES: &[Case] = &[
    Case {
        what: "the genuine ServerHello",
        random_tail: None,
        random_head: None,
        selected_version: Some(0x0304),
    },
    Case {
        what: "TLS 1.3 selected, random ending in the TLS 1.2 sentinel",
        random_tail: Some(DOWNGRADE_TLS12),
        random_head: None,
        selected_version: Some(0x0304),
    },
    Case {
        what: "no supported_versions, TLS 1.2 sentinel",
        random_tail: Some(DOWNGRADE_TLS12),
        random_head: None,
        selected_version: None,
    },
    Case {
        what: "no supported_versions, TLS 1.1 sentinel",
        random_tail: Some(DOWNGRADE_TLS11),
        random_head: None,
        selected_version: None,
    },
    Case {
        what: "no supported_versions, no sentinel",
        random_tail: None,
        random_head: None,
        selected_version: None,
    },
    Case {
        what: "no supported_versions, \"DOWNGRD\" then 02",
        random_tail: Some(*b"DOWNGRD\x02"),
        random_head: None,
        selected_version: None,
    },
    Case {
        what: "no supported_versions, the sentinel at the start of the random",
        random_tail: None,
        random_head: Some(DOWNGRADE_TLS12),
        selected_version: None,
    },
    Case {
        what: "supported_versions selecting TLS 1.2",
        random_tail: None,
        random_head: None,
        selected_version: Some(0x0303),
    },
];

/// What a real client does with the altered ServerHello: `None` when it
/// leaves WAIT_SH (it accepted the ServerHello; a changed random breaks
/// the keys later, which is not this message's verdict).
fn real_client(case: &Case) -> ([u8; 32], Option<AlertDescription>) {
    let mut traced = traced_pair();
    traced
        .pair
        .client_to_server()
        .expect("the ClientHello is accepted");
    let flight = split_records(&take(&mut traced.pair.server));
    let Ok(HandshakeMessage::ServerHello(mut hello)) =
        HandshakeMessage::decode(&flight[0].fragment)
    else {
        panic!("the server's first record holds its ServerHello");
    };
    if let Some(tail) = case.random_tail {
        hello.random[24..].copy_from_slice(&tail);
    }
    if let Some(head) = case.random_head {
        hello.random[..8].copy_from_slice(&head);
    }
    hello.extensions.supported_versions = case.selected_version;
    let random = hello.random;
    let body = HandshakeMessage::ServerHello(hello)
        .encode()
        .expect("encodes");
    let mut bytes = vec![22, 3, 3];
    bytes.extend_from_slice(&(body.len() as u16).to_be_bytes());
    bytes.extend_from_slice(&body);
    for record in &flight[1..] {
        bytes.extend_from_slice(&record.encode());
    }
    let result = traced.pair.client.receive(&bytes);
    let accepted = traced
        .client
        .events()
        .iter()
        .any(|e| matches!(e, RecordedEvent::StateChanged("WAIT_SH", _)));
    (random, if accepted { None } else { alert_of(&result) })
}

/// Holds both functions to minitls's constants and a real client.
pub fn check() -> Result<(), String> {
    for case in CASES {
        let (random, expected) = real_client(case);
        let tail = &random[24..];
        let sentinel = tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11;
        if is_downgrade_sentinel(&random) != sentinel {
            return Err(format!(
                "{}: is_downgrade_sentinel says {}, for a random ending in {}",
                case.what,
                !sentinel,
                hex::encode(tail)
            ));
        }
        let yours = client_alert(&random, case.selected_version);
        if yours != expected {
            return Err(format!(
                "{}: you say {yours:?}, a real client says {expected:?}",
                case.what
            ));
        }
    }
    Ok(())
}
