//! Check of exercise 27 (the next traffic secret) against a real minitls
//! connection: the generations its trace reports after
//! `Connection::update_keys`, and a record protected under the new keys.

use minitls::key_schedule::SecretLabel;
use minitls::record::ContentType;
use minitls::trace::{RecordedEvent, Recorder};

use super::flight::{protection, secret, split_records, take, traced_pair};
use super::same;
use crate::e27_traffic_update::next_traffic_secret;

/// Every value of the secret `label` that `recorder` saw derived, in order.
fn all_secrets(recorder: &Recorder, label: SecretLabel) -> Vec<Vec<u8>> {
    recorder
        .events()
        .into_iter()
        .filter_map(|event| match event {
            RecordedEvent::SecretDerived(l, v) if l == label => Some(v),
            _ => None,
        })
        .collect()
}

/// Holds `next_traffic_secret` to the generations a real connection
/// derives across two KeyUpdates, and to a record sent after the first.
pub fn check() -> Result<(), String> {
    let mut traced = traced_pair();
    traced
        .pair
        .drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;

    // Generation 0 of each direction, then a KeyUpdate from the client
    // that asks the server to update too (RFC 8446 §4.6.3).
    let client_0 = secret(&traced.client, SecretLabel::ClientApplicationTraffic0);
    let server_0 = secret(&traced.server, SecretLabel::ServerApplicationTraffic0);
    traced
        .pair
        .client
        .update_keys(true)
        .map_err(|e| format!("update_keys failed (a bug in the check): {e}"))?;
    traced
        .pair
        .drive()
        .map_err(|e| format!("the KeyUpdate exchange failed: {e}"))?;
    let client_1 = next_traffic_secret(&client_0);
    same(
        "next_traffic_secret(client_application_traffic_secret_0)",
        &client_1,
        &secret(&traced.client, SecretLabel::ClientApplicationTrafficNext),
    )?;
    let server_1 = next_traffic_secret(&server_0);
    same(
        "next_traffic_secret(server_application_traffic_secret_0)",
        &server_1,
        &secret(&traced.server, SecretLabel::ServerApplicationTrafficNext),
    )?;

    // The server updates once more on its own: generation 2 comes from
    // generation 1, never from generation 0.
    traced
        .pair
        .server
        .update_keys(false)
        .map_err(|e| format!("update_keys failed (a bug in the check): {e}"))?;
    traced
        .pair
        .drive()
        .map_err(|e| format!("the second KeyUpdate failed: {e}"))?;
    let generations = all_secrets(&traced.server, SecretLabel::ServerApplicationTrafficNext);
    let server_2 = next_traffic_secret(&server_1);
    same(
        "next_traffic_secret(server_application_traffic_secret_1)",
        &server_2,
        generations.last().map(Vec::as_slice).unwrap_or_default(),
    )?;

    // Real behaviour: the client's next record is protected under keys
    // from your generation 1, starting again at sequence number 0
    // (RFC 8446 §5.3), and the server reads it.
    let message = b"after the KeyUpdate";
    traced
        .pair
        .client
        .send(message)
        .map_err(|e| format!("send failed (a bug in the check): {e}"))?;
    let bytes = take(&mut traced.pair.client);
    let record = split_records(&bytes)
        .pop()
        .ok_or("the client sent no record (a bug in the check)")?;
    match protection(&client_1, 0).decrypt(record) {
        Ok((ContentType::ApplicationData, plaintext)) if plaintext == message => {}
        _ => {
            return Err(
                "the client's record after its KeyUpdate does not open under keys from your generation 1"
                    .into(),
            );
        }
    }
    traced
        .pair
        .server
        .receive(&bytes)
        .map_err(|e| format!("the server refused the record (a bug in the check): {e}"))
}
