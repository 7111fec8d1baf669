//! What the subcommands share: reading files, the observers a connection
//! gets (`--keylog`/`SSLKEYLOGFILE`, `--explain`), and the words used to
//! describe a connection and its failure, so that the client, the server's
//! log and the demo say the same thing the same way.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use minitls::explain::Explainer;
use minitls::keylog::KeyLogObserver;
use minitls::messages::{cipher_suite_name, group_name};
use minitls::trace::{NoObserver, Observer, Tee};
use minitls::{Connection, Error, Negotiated};

/// Seconds since the Unix epoch, by the system clock (0 if it is before).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A whole text file, or an error that names it.
pub fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The key log observer asked for by `--keylog` or `SSLKEYLOGFILE`.
pub fn keylog_observer(flag: Option<PathBuf>) -> Result<Option<KeyLogObserver>, String> {
    let path = flag.or_else(|| std::env::var_os("SSLKEYLOGFILE").map(PathBuf::from));
    match path {
        None => Ok(None),
        Some(p) => KeyLogObserver::open(&p)
            .map(Some)
            .map_err(|e| format!("cannot open key log {}: {e}", p.display())),
    }
}

/// The observers a connection gets: the key log and/or the explainer
/// (`explain` names the side, "client" or "server").
pub fn observers(
    keylog: Option<Arc<Mutex<KeyLogObserver>>>,
    explain: Option<&'static str>,
) -> Box<dyn Observer> {
    let mut list: Vec<Box<dyn Observer>> = Vec::new();
    if let Some(k) = keylog {
        list.push(Box::new(SharedObserver(k)));
    }
    if let Some(side) = explain {
        list.push(Box::new(Explainer::stdout(side)));
    }
    match list.len() {
        0 => Box::new(NoObserver),
        1 => list.remove(0),
        _ => Box::new(Tee(list)),
    }
}

/// Forwards events to a key log shared by all connections of a server.
struct SharedObserver(Arc<Mutex<KeyLogObserver>>);

impl Observer for SharedObserver {
    fn on_event(&mut self, event: &minitls::trace::Event<'_>) {
        if let Ok(mut o) = self.0.lock() {
            o.on_event(event);
        }
    }
}

/// "which check failed, which alert was sent or received".
pub fn describe_failure(conn: &Connection, io_error: &std::io::Error) -> String {
    match conn.error() {
        Some(Error::AlertReceived(alert)) => format!("handshake failed: peer sent alert {alert}"),
        Some(e) => match e.alert() {
            Some(alert) => format!("handshake failed: {e} (sent alert {alert})"),
            None => format!("handshake failed: {e}"),
        },
        None => format!("connection failed: {io_error}"),
    }
}

/// `yes (stateless, psk_dhe_ke)` or `no`.
pub fn resumed_text(n: &Negotiated) -> String {
    if !n.resumed {
        return "no".into();
    }
    let how: Vec<&str> = [n.resumption_strategy, n.psk_mode]
        .into_iter()
        .flatten()
        .collect();
    format!("yes ({})", how.join(", "))
}

/// `--alpn LIST`: comma-separated protocol names, most preferred first,
/// each 1 to 255 bytes (RFC 7301 §3.1), e.g. `h2,http/1.1`.
pub fn parse_alpn_list(list: &str) -> Result<Vec<Vec<u8>>, String> {
    let names: Vec<Vec<u8>> = list
        .split(',')
        .map(|name| name.trim().as_bytes().to_vec())
        .collect();
    if let Some(bad) = names.iter().find(|n| n.is_empty() || n.len() > 255) {
        return Err(format!(
            "--alpn {list:?}: protocol name {:?} must be 1 to 255 bytes (RFC 7301 §3.1)",
            String::from_utf8_lossy(bad)
        ));
    }
    Ok(names)
}

/// `--export LABEL:LEN`: an exporter label and how many bytes to export
/// (RFC 8446 §7.5); the label is everything before the last colon.
pub fn parse_export(arg: &str) -> Result<(String, usize), String> {
    let (label, len) = arg
        .rsplit_once(':')
        .ok_or_else(|| format!("--export {arg:?}: expected LABEL:LEN"))?;
    let len: usize = len
        .parse()
        .map_err(|_| format!("--export {arg:?}: LEN is not a number"))?;
    if label.is_empty() || label.len() > minitls::connection::MAX_EXPORTER_LABEL_LEN {
        return Err(format!(
            "--export {arg:?}: the label must be 1 to 249 bytes"
        ));
    }
    if len == 0 || len > minitls::connection::MAX_EXPORTER_LEN {
        return Err(format!("--export {arg:?}: LEN must be 1 to 8160"));
    }
    Ok((label.to_string(), len))
}

/// The keying material `--export` asks for, in hex, with no context (the
/// same as an empty one in TLS 1.3, RFC 8446 §7.5), as `openssl s_client
/// -keymatexport` computes it.
pub fn exported_hex(conn: &Connection, label: &str, len: usize) -> Result<String, String> {
    let mut out = vec![0u8; len];
    conn.export_keying_material(label.as_bytes(), b"", &mut out)
        .map_err(|e| e.to_string())?;
    Ok(hex::encode(out))
}

/// The application protocol ALPN settled on, as text (`-` for none).
pub fn alpn_text(n: &Negotiated) -> String {
    match &n.alpn_protocol {
        Some(name) => String::from_utf8_lossy(name).escape_default().to_string(),
        None => "-".into(),
    }
}

/// What the server knows of the client's certificate: `CN=client
/// (sha256 0123456789abcdef...)`, `none (anonymous)` when it asked and got
/// none, `-` when it did not ask. The subject is the client's CA's words,
/// so the caller escapes it for its medium.
pub fn client_text(n: &Negotiated) -> String {
    match &n.client_identity {
        Some(id) => format!("{} (sha256 {}...)", id.subject, id.short_hash()),
        None if n.certificate_requested => "none (anonymous)".into(),
        None => "-".into(),
    }
}

/// One line for the server's log and the demo:
/// `TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 x25519 resumed=no sni=localhost`.
pub fn one_line_summary(n: &Negotiated) -> String {
    format!(
        "TLSv1.3 {} {} resumed={}{}{}",
        cipher_suite_name(n.cipher_suite),
        n.group.map(group_name).unwrap_or("no-key-exchange"),
        resumed_text(n),
        if n.hello_retry_request {
            " (after HelloRetryRequest)"
        } else {
            ""
        },
        n.server_name
            .as_ref()
            // The peer chose it: no control characters into the log.
            .map(|s| format!(" sni={}", s.escape_default()))
            .unwrap_or_default()
    ) + &client_field(n)
}

/// ` client=CN=client` for the log line when the server asked for a
/// certificate, escaped like the server name (the client's CA chose it).
fn client_field(n: &Negotiated) -> String {
    if n.client_identity.is_none() && !n.certificate_requested {
        return String::new();
    }
    format!(" client={}", client_text(n).escape_default())
}
