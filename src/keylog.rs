//! The NSS key log format (SSLKEYLOGFILE), written from trace events.
//!
//! Each line is `<label> <client_random hex> <secret hex>`; with it,
//! Wireshark and tshark decrypt a capture of the connection. The labels
//! for TLS 1.3 are CLIENT_HANDSHAKE_TRAFFIC_SECRET,
//! SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0,
//! SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET. This is a consumer of the
//! trace stream: the key schedule never calls it directly.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::trace::{Event, Observer};

/// Writes key log lines to any writer (a file opened for appending, usually).
pub struct KeyLogObserver {
    out: Arc<Mutex<dyn Write + Send>>,
}

impl KeyLogObserver {
    /// An observer writing one NSS key log line per logged secret to `out`.
    pub fn new(out: Arc<Mutex<dyn Write + Send>>) -> Self {
        KeyLogObserver { out }
    }

    /// Open (append to) a key log file.
    pub fn open(path: &std::path::Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(KeyLogObserver::new(Arc::new(Mutex::new(file))))
    }
}

// ANCHOR: keylog_line
/// One key log line for a secret, if the format has a label for it.
pub fn keylog_line(event: &Event<'_>) -> Option<String> {
    let Event::SecretDerived {
        label,
        client_random,
        secret,
    } = event
    else {
        return None;
    };
    let name = label.keylog_label()?;
    Some(format!(
        "{name} {} {}",
        hex::encode(client_random),
        hex::encode(secret)
    ))
}
// ANCHOR_END: keylog_line

impl Observer for KeyLogObserver {
    fn on_event(&mut self, event: &Event<'_>) {
        if let Some(line) = keylog_line(event)
            && let Ok(mut out) = self.out.lock()
        {
            // A key log is a debugging aid: failing to write one must not
            // break the connection.
            let _ = writeln!(out, "{line}");
        }
    }
}
