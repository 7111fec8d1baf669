//! Check of exercise 18 (NSS key log lines) against the key log minitls
//! writes for the same handshake: a real client and server in memory, the
//! client observed twice, once by minitls's `KeyLogObserver` and once by a
//! tap that keeps every secret it derives. minitls's key log is the one
//! `tests/wireshark.rs` hands to a real tshark, which must decrypt the
//! handshake with it: so its labels are the ones tshark reads.

use std::sync::{Arc, Mutex};

use minitls::key_schedule::SecretLabel;
use minitls::keylog::KeyLogObserver;
use minitls::testing::Pair;
use minitls::trace::{Event, NoObserver, Observer, Tee};

use crate::e18_key_log::keylog_line;

/// One secret as the client derived it.
type Derived = (SecretLabel, [u8; 32], Vec<u8>);

/// Keeps every `SecretDerived` event.
struct SecretTap(Arc<Mutex<Vec<Derived>>>);

impl Observer for SecretTap {
    fn on_event(&mut self, event: &Event<'_>) {
        if let Event::SecretDerived {
            label,
            client_random,
            secret,
        } = event
            && let Ok(mut secrets) = self.0.lock()
        {
            secrets.push((*label, **client_random, secret.to_vec()));
        }
    }
}

/// Holds `keylog_line`, secret by secret, to minitls's key log of one
/// handshake.
pub fn check() -> Result<(), String> {
    let log: Arc<Mutex<Vec<u8>>> = Arc::default();
    let secrets: Arc<Mutex<Vec<Derived>>> = Arc::default();
    let client_observer = Tee(vec![
        Box::new(KeyLogObserver::new(log.clone())),
        Box::new(SecretTap(secrets.clone())),
    ]);
    let mut pair = Pair::deterministic(Box::new(client_observer), Box::new(NoObserver));
    pair.drive()
        .map_err(|e| format!("the handshake failed: {e}"))?;

    let log = String::from_utf8(log.lock().map_err(|_| "poisoned")?.clone())
        .map_err(|_| "minitls's key log is not text")?;
    let mut expected = log.lines();
    let secrets = secrets.lock().map_err(|_| "poisoned")?.clone();
    for (label, client_random, secret) in &secrets {
        let yours = keylog_line(*label, client_random, secret);
        // minitls writes a line exactly for the secrets that have a name,
        // in the order they are derived.
        let minitls = label.keylog_label().and_then(|_| expected.next());
        match (yours.as_deref(), minitls) {
            (None, None) => {}
            (Some(line), None) => {
                return Err(format!(
                    "for the {:?} secret you wrote a line, but the key log format has no \
                     label for it (Wireshark never needs it):\n        {line}",
                    label.rfc_label()
                ));
            }
            (None, Some(line)) => {
                return Err(format!(
                    "for the {:?} secret you wrote no line; minitls writes\n        {line}",
                    label.rfc_label()
                ));
            }
            (Some(line), Some(theirs)) if line != theirs => {
                return Err(format!(
                    "the line for the {:?} secret:\n        yours     {line}\n        \
                     expected  {theirs}",
                    label.rfc_label()
                ));
            }
            (Some(_), Some(_)) => {}
        }
    }
    // A full handshake names five secrets: two handshake traffic secrets,
    // two application traffic secrets and the exporter secret.
    let named = secrets
        .iter()
        .filter(|(label, _, _)| keylog_line(*label, &[0; 32], &[]).is_some())
        .count();
    if named != 5 {
        return Err(format!(
            "a full handshake has five secrets Wireshark needs; you named {named}"
        ));
    }
    Ok(())
}
