//! Ticket keys shared by a fleet: the key file several servers read, and
//! the operator rotates (RFC 8446 §8 and RFC 5077 §5.5 on key management).
//!
//! A stateless ticket ([`super::ticketer`]) opens only on a server that holds
//! the key that sealed it. One server can make its keys up; a fleet behind
//! a load balancer must share them, or a client resumes only when it comes
//! back to the server that issued its ticket. This module is the shared
//! form: a small text file, the same on every server, written by
//! `minitls ticket-keys new|rotate FILE` and read by
//! `minitls server --ticket-keys FILE`.
//!
//! # The file
//!
//! ```text
//! # minitls ticket keys: newest first; the first seals, all open
//! 3f9a0c17 6b1d...64 hex digits...e0 created=1764500000
//! 0c55e2a9 91f3...64 hex digits...7a created=1764413600
//! ```
//!
//! - one key per line: a key id of 8 hex digits (the 4 bytes a ticket
//!   starts with), a space, the 32-byte ChaCha20-Poly1305 key as 64 hex
//!   digits, and optionally ` created=SECONDS` (Unix time, for the
//!   operator; a server does not read it);
//! - newest first: the first key seals every new ticket, every listed key
//!   opens one;
//! - `#` starts a comment line; blank lines are ignored;
//! - at least one key and at most [`MAX_KEYS`]; key ids are unique (a
//!   ticket names its key by id, so two keys under one id could not be
//!   told apart). Anything else is an [`Error`] naming the line.
//!
//! # Rotation
//!
//! With a key file, rotation is the operator's: `minitls ticket-keys rotate
//! FILE --keep N` (from cron, say) puts a fresh key first and keeps the
//! `N - 1` newest old ones, and every server reloads the file when it
//! changes. RFC 8446 §8 and RFC 5077 §5.5 ask for keys that change
//! regularly; a schedule that fits the default ticket lifetime of seven
//! days at most (RFC 8446 §4.6.1) is "rotate daily, keep 3": a ticket
//! then opens for two to three days after it was issued, and any key is
//! gone from every server three days after it stopped sealing. Copy the
//! file to every server *before* the new key seals anywhere, or tickets
//! sealed by an updated server fail (full handshake, not an error) on one
//! that has not yet read the new file.
//!
//! # What a stolen key opens
//!
//! Everything it ever sealed, on every server, for as long as the
//! recording is kept: the ticket carries the resumption PSK, so the thief
//! can resume as the client, and read any psk_ke (no key exchange)
//! resumption recorded under it. psk_dhe_ke resumptions still have forward
//! secrecy from their own X25519 exchange. Rotating limits how long one key
//! seals; the file is as secret as a private key (mode 0600, never logged:
//! the command line prints only key ids).
//!
//! # Early data
//!
//! With early data on (`ServerConfig::max_early_data_size`), shared keys
//! change the replay story (RFC 8446 §8): the ticketer's strike register
//! (`strike_register.rs`, the binders of 0-RTT ClientHellos already
//! accepted) is kept by one server and does not see a replay sent to
//! another server holding the same keys, so an attacker can replay early
//! data once per server. A shared single-use store (the
//! stateful strategy on Redis, where only the `DEL` that really removed
//! the entry resumes) sees every server's use, and so refuses the replay.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{self, Rng};
use crate::time::UnixTime;

/// The most keys a file may list: enough for a daily rotation kept for two
/// weeks, few enough that a look-up stays a short scan.
pub const MAX_KEYS: usize = 16;

/// The longest key file [`TicketKeys::read`] accepts, in bytes: room for
/// [`MAX_KEYS`] lines and generous comments.
pub const MAX_FILE_LEN: u64 = 64 * 1024;

/// Bytes in a key id (the first bytes of a ticket).
pub const KEY_ID_LEN: usize = 4;

/// Bytes in a ticket key (a ChaCha20-Poly1305 key, RFC 8439 §2.8).
pub const KEY_LEN: usize = 32;

/// The comment the written file starts with.
const HEADER: &str = "# minitls ticket keys: newest first; the first seals, all open";

/// One ticket key as the file lists it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub(crate) struct TicketKeyEntry {
    /// The id a ticket sealed with this key starts with.
    pub(crate) id: [u8; KEY_ID_LEN],
    /// The ChaCha20-Poly1305 key.
    pub(crate) secret: [u8; KEY_LEN],
    /// When it was made, in seconds since the epoch, if the file says.
    pub(crate) created_secs: Option<u64>,
}

/// The ticket keys of a fleet, newest first: the first seals, all open.
/// Always between 1 and [`MAX_KEYS`] keys with distinct ids; the keys are
/// zeroized when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct TicketKeys {
    keys: Vec<TicketKeyEntry>,
}

/// Why a key file was refused.
#[derive(Debug)]
pub enum Error {
    /// A line that is not a key, a comment or blank, or a key that breaks
    /// a rule of the format (lines count from 1).
    Line {
        /// The line, counting from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// No key at all: a server could seal nothing.
    NoKey,
    /// A file longer than [`MAX_FILE_LEN`] bytes.
    TooLong,
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done ("read", "write", ...).
        action: &'static str,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// A format error in the file at `path`.
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        error: Box<Error>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Line { line, problem } => write!(f, "line {line}: {problem}"),
            Error::NoKey => write!(f, "no ticket key (the file must list at least one)"),
            Error::TooLong => write!(f, "longer than {MAX_FILE_LEN} bytes"),
            Error::Io {
                path,
                action,
                error,
            } => write!(f, "cannot {action} {}: {error}", path.display()),
            Error::InFile { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Key ids as the command line and the logs print them: 8 hex digits.
pub fn key_id_hex(id: &[u8; KEY_ID_LEN]) -> String {
    hex::encode(id)
}

/// Decode exactly `N` bytes from hex, or say what is wrong with `what`.
fn decode_hex<const N: usize>(field: &str, what: &str) -> Result<[u8; N], String> {
    if field.len() != 2 * N {
        return Err(format!(
            "{what} must be {} hex digits, found {}",
            2 * N,
            field.len()
        ));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(field, &mut out).map_err(|_| format!("{what} is not hex"))?;
    Ok(out)
}

impl TicketKeyEntry {
    /// A fresh key with a random id.
    fn generate(rng: &mut dyn Rng, now: UnixTime) -> Self {
        TicketKeyEntry {
            id: crypto::random_array(rng),
            secret: crypto::random_array(rng),
            created_secs: Some(now.0 / 1000),
        }
    }

    /// One key line: `KEY_ID KEY [created=SECONDS]`.
    fn parse(line: &str) -> Result<Self, String> {
        let mut fields = line.split_ascii_whitespace();
        let id_field = fields.next().ok_or("empty line")?;
        let id = decode_hex::<KEY_ID_LEN>(id_field, "key id")?;
        let key_field = fields.next().ok_or("a key id without a key")?;
        let secret = Zeroizing::new(decode_hex::<KEY_LEN>(key_field, "key")?);
        let created_secs = match fields.next() {
            None => None,
            Some(field) => {
                let secs = field.strip_prefix("created=").ok_or_else(|| {
                    format!("unexpected {field:?} (only created=SECONDS may follow the key)")
                })?;
                Some(
                    secs.parse::<u64>()
                        .map_err(|_| format!("created={secs} is not a number of seconds"))?,
                )
            }
        };
        if fields.next().is_some() {
            return Err("more than three fields".into());
        }
        Ok(TicketKeyEntry {
            id,
            secret: *secret,
            created_secs,
        })
    }

    /// The line [`TicketKeyEntry::parse`] reads back.
    fn line(&self) -> String {
        let mut line = format!("{} {}", key_id_hex(&self.id), hex::encode(self.secret));
        if let Some(secs) = self.created_secs {
            line.push_str(&format!(" created={secs}"));
        }
        line
    }
}

impl TicketKeys {
    /// A list of one fresh key, made at `now`.
    pub fn generate(rng: &mut dyn Rng, now: UnixTime) -> TicketKeys {
        TicketKeys {
            keys: vec![TicketKeyEntry::generate(rng, now)],
        }
    }

    /// Parse the file format (see the module documentation).
    pub fn parse(text: &str) -> Result<TicketKeys, Error> {
        let mut keys: Vec<TicketKeyEntry> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let problem = |problem: String| Error::Line { line, problem };
            let key = TicketKeyEntry::parse(content).map_err(problem)?;
            if keys.iter().any(|k| k.id == key.id) {
                return Err(problem(format!(
                    "key id {} is listed twice",
                    key_id_hex(&key.id)
                )));
            }
            if keys.len() == MAX_KEYS {
                return Err(problem(format!("more than {MAX_KEYS} keys")));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(Error::NoKey);
        }
        Ok(TicketKeys { keys })
    }

    /// Read and parse the file at `path` (at most [`MAX_FILE_LEN`] bytes).
    pub fn read(path: &Path) -> Result<TicketKeys, Error> {
        let io = |action, error| Error::Io {
            path: path.to_path_buf(),
            action,
            error,
        };
        let file = std::fs::File::open(path).map_err(|e| io("read", e))?;
        // The text holds the keys in hex: wiped when this returns.
        let mut text = Zeroizing::new(String::new());
        file.take(MAX_FILE_LEN + 1)
            .read_to_string(&mut text)
            .map_err(|e| io("read", e))?;
        let in_file = |error| Error::InFile {
            path: path.to_path_buf(),
            error: Box::new(error),
        };
        if text.len() as u64 > MAX_FILE_LEN {
            return Err(in_file(Error::TooLong));
        }
        TicketKeys::parse(&text).map_err(in_file)
    }

    /// The file's text: a header comment, then one line per key, newest
    /// first. It holds the keys: the caller should not keep it longer than
    /// it needs to.
    pub fn to_text(&self) -> String {
        let mut text = String::from(HEADER);
        text.push('\n');
        for key in &self.keys {
            text.push_str(&key.line());
            text.push('\n');
        }
        text
    }

    /// Write the file so that a reader sees the old content or the new,
    /// never half of either: a temporary file in the same directory (so the
    /// rename stays on one file system), created with mode 0600, written
    /// and fsynced, then renamed over `path`, and the directory fsynced so
    /// the rename survives a crash.
    pub fn write_atomically(&self, path: &Path) -> Result<(), Error> {
        let io = |action, error| Error::Io {
            path: path.to_path_buf(),
            action,
            error,
        };
        let name = path.file_name().ok_or_else(|| {
            io(
                "write",
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
            )
        })?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        // The process id and the time keep two writers (or a crashed
        // earlier run's leftover) apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        temp_name.push(format!(".tmp-{}-{nanos}", std::process::id()));
        let temp = dir.join(temp_name);

        let text = Zeroizing::new(self.to_text());
        let written =
            write_new_private(&temp, text.as_bytes()).and_then(|()| std::fs::rename(&temp, path));
        if let Err(e) = written {
            // Leave no half-written copy of the keys behind.
            let _ = std::fs::remove_file(&temp);
            return Err(io("write", e));
        }
        // Some file systems lose a rename on a crash unless the directory
        // itself is synced; where a directory cannot be opened, skip it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// A new key first, then the newest of these, `keep` keys at most
    /// (at least 1, at most [`MAX_KEYS`]). An old key whose id the new key
    /// happens to draw is dropped, so ids stay unique.
    pub fn rotated(&self, rng: &mut dyn Rng, now: UnixTime, keep: usize) -> TicketKeys {
        let fresh = TicketKeyEntry::generate(rng, now);
        let mut keys = vec![fresh.clone()];
        keys.extend(self.keys.iter().filter(|k| k.id != fresh.id).cloned());
        keys.truncate(keep.clamp(1, MAX_KEYS));
        TicketKeys { keys }
    }

    /// The key ids, newest (the sealing key) first.
    pub fn key_ids(&self) -> Vec<[u8; 4]> {
        self.keys.iter().map(|k| k.id).collect()
    }

    /// The keys themselves, newest first, for the ticketer.
    pub(crate) fn entries(&self) -> &[TicketKeyEntry] {
        &self.keys
    }
}

/// The key ids only: a `TicketKeys` in a log or a failed assertion must
/// not print the keys.
impl fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.keys.iter().map(|k| key_id_hex(&k.id)).collect();
        f.debug_struct("TicketKeys").field("key_ids", &ids).finish()
    }
}

/// Create `path` (it must not exist) readable by its owner only, write
/// `bytes` and fsync.
fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SeededRng, TempDir};

    const ID: &str = "0a0b0c0d";
    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    fn line_error(text: &str) -> (usize, String) {
        match TicketKeys::parse(text) {
            Err(Error::Line { line, problem }) => (line, problem),
            other => panic!("expected a line error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_keeps_order_ids_and_keys() {
        let mut rng = SeededRng::new(1);
        let keys = TicketKeys::generate(&mut rng, UnixTime::from_secs(100)).rotated(
            &mut rng,
            UnixTime::from_secs(200),
            3,
        );
        let text = keys.to_text();
        assert!(text.starts_with(HEADER));
        assert!(text.contains(" created=200\n"));
        let back = TicketKeys::parse(&text).unwrap();
        assert_eq!(back, keys);
        assert_eq!(back.key_ids().len(), 2);
    }

    #[test]
    fn comments_blank_lines_and_optional_created_are_accepted() {
        let text = format!("# c\n\n   \n  {ID} {KEY}  \n# more\n01020304 {KEY} created=5\n");
        let keys = TicketKeys::parse(&text).unwrap();
        assert_eq!(keys.key_ids(), vec![[10, 11, 12, 13], [1, 2, 3, 4]]);
        assert_eq!(keys.entries()[0].created_secs, None);
        assert_eq!(keys.entries()[1].created_secs, Some(5));
    }

    #[test]
    fn every_malformed_line_is_named() {
        let short_id = format!("0a0b0c {KEY}");
        let long_key = format!("{ID} {KEY}00");
        let bad_hex_id = format!("0a0b0c0g {KEY}");
        let bad_hex_key = format!("{ID} {}zz", &KEY[..62]);
        let no_key = ID.to_string();
        let bad_created = format!("{ID} {KEY} created=soon");
        let unknown_field = format!("{ID} {KEY} made=5");
        let extra = format!("{ID} {KEY} created=5 x");
        let cases = [
            (short_id, "key id must be 8 hex digits"),
            (long_key, "key must be 64 hex digits"),
            (bad_hex_id, "key id is not hex"),
            (bad_hex_key, "key is not hex"),
            (no_key, "a key id without a key"),
            (bad_created, "not a number"),
            (unknown_field, "unexpected"),
            (extra, "more than three fields"),
        ];
        for (bad, expected) in cases {
            let (line, problem) = line_error(&format!("# header\n{bad}\n"));
            assert_eq!(line, 2, "{bad}");
            assert!(problem.contains(expected), "{bad}: {problem}");
        }
    }

    #[test]
    fn duplicate_ids_too_many_keys_and_no_key_are_refused() {
        let (line, problem) = line_error(&format!("{ID} {KEY}\n{ID} {KEY}\n"));
        assert_eq!(
            (line, problem.as_str()),
            (2, "key id 0a0b0c0d is listed twice")
        );

        let many: String = (0..=MAX_KEYS).map(|i| format!("{i:08x} {KEY}\n")).collect();
        let (line, problem) = line_error(&many);
        assert_eq!(line, MAX_KEYS + 1);
        assert!(problem.contains("more than 16 keys"), "{problem}");

        assert!(matches!(TicketKeys::parse("# only\n\n"), Err(Error::NoKey)));
        assert!(matches!(TicketKeys::parse(""), Err(Error::NoKey)));
    }

    #[test]
    fn rotated_puts_the_new_key_first_and_keeps_at_most_n() {
        let mut rng = SeededRng::new(2);
        let mut keys = TicketKeys::generate(&mut rng, UnixTime(0));
        let mut ids = keys.key_ids();
        for _ in 0..5 {
            keys = keys.rotated(&mut rng, UnixTime(0), 3);
            let now = keys.key_ids();
            assert!(!ids.contains(&now[0]), "a new id first");
            assert_eq!(now[1..], ids[..now.len() - 1], "the old order after it");
            ids = now;
        }
        assert_eq!(ids.len(), 3);
        assert_eq!(keys.rotated(&mut rng, UnixTime(0), 1).key_ids().len(), 1);
        assert_eq!(keys.rotated(&mut rng, UnixTime(0), 0).key_ids().len(), 1);
        let mut big = keys.clone();
        for _ in 0..20 {
            big = big.rotated(&mut rng, UnixTime(0), 100);
        }
        assert_eq!(big.key_ids().len(), MAX_KEYS);
    }

    #[test]
    fn a_file_too_long_is_refused_and_a_missing_one_named() {
        let dir = TempDir::new("ticket-keys-unit");
        let long = dir.join("long");
        let mut text = format!("{ID} {KEY}\n");
        text.push_str(&"#".repeat(MAX_FILE_LEN as usize));
        std::fs::write(&long, text).unwrap();
        let err = TicketKeys::read(&long).unwrap_err();
        assert!(
            err.to_string().ends_with("longer than 65536 bytes"),
            "{err}"
        );
        let missing = dir.join("missing");
        let err = TicketKeys::read(&missing).unwrap_err();
        assert!(matches!(err, Error::Io { action: "read", .. }), "{err}");
    }

    #[test]
    fn debug_shows_ids_not_keys() {
        let keys = TicketKeys::parse(&format!("{ID} {KEY}")).unwrap();
        let shown = format!("{keys:?}");
        assert!(shown.contains(ID) && !shown.contains(&KEY[..16]), "{shown}");
    }
}
