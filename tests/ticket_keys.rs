//! Ticket keys shared by a fleet through a key file (issue 11, items 2, 3
//! and 5; RFC 8446 §4.6.1, §8; RFC 5077 §5.5):
//!
//! - the file: round trip, atomic 0600 write, rotation;
//! - in memory: two servers made from one file open each other's tickets,
//!   and a server whose keys no longer list a ticket's key does a full
//!   handshake;
//! - the command line: `minitls ticket-keys new|rotate`, and `minitls
//!   server --ticket-keys` refusing a missing or malformed file;
//! - a running server rereads a rotated file without a restart;
//! - across processes: `openssl s_client` and `minitls client` resume on a
//!   second server with the first server's ticket when the two share a
//!   key file, and do a full handshake when each has keys of its own.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use minitls::config::UnixTime;
use minitls::pki::issue::DemoPki;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::ticket_keys::{TicketKeys, key_id_hex};
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::{FIXED_NOW, Pair, SeededRng};
use minitls::trace::Recorder;
use minitls::{ClientConfig, Connection, ServerConfig};

use support::{
    Output, S_CLIENT_NEW, S_CLIENT_REUSED, ServerProcess, TIMEOUT, TempDir, client_resumed,
    minitls, minitls_cert, minitls_client, minitls_client_across, minitls_server_refuses, path_arg,
    resumption_rejections, run, s_client_across, start_minitls_server,
};

const UNKNOWN_KEY: &str = "ticket sealed under a key we do not have (rotated out?)";

// ---------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------

#[test]
fn the_written_file_reads_back_and_leaves_no_temporary_file() {
    let dir = TempDir::new("keys-write");
    let path = dir.join("ticket.keys");
    let mut rng = SeededRng::new(1);
    let keys = TicketKeys::generate(&mut rng, FIXED_NOW).rotated(&mut rng, FIXED_NOW, 3);
    keys.write_atomically(&path).unwrap();
    assert_eq!(TicketKeys::read(&path).unwrap(), keys);
    // Overwriting works too, and leaves only the file itself.
    let rotated = keys.rotated(&mut rng, FIXED_NOW, 2);
    rotated.write_atomically(&path).unwrap();
    assert_eq!(TicketKeys::read(&path).unwrap(), rotated);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["ticket.keys"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
}

#[test]
fn a_write_into_a_missing_directory_fails_cleanly() {
    let dir = TempDir::new("keys-write-missing");
    let keys = TicketKeys::generate(&mut SeededRng::new(2), FIXED_NOW);
    let err = keys
        .write_atomically(&dir.join("no/such/dir/keys"))
        .unwrap_err();
    assert!(err.to_string().starts_with("cannot write "), "{err}");
}

#[test]
fn a_malformed_file_names_itself_and_the_line() {
    let dir = TempDir::new("keys-malformed");
    let path = dir.join("keys");
    std::fs::write(&path, "# keys\n0a0b0c0d nothex\n").unwrap();
    let err = TicketKeys::read(&path).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: line 2: key must be 64 hex digits, found 6",
            path.display()
        )
    );
}

// ---------------------------------------------------------------------------
// In memory: servers that share the keys
// ---------------------------------------------------------------------------

/// A client that remembers tickets, and the PKI every server shares.
struct Fleet {
    pki: DemoPki,
    cache: Arc<Mutex<ClientSessionCache>>,
    seed: u64,
}

impl Fleet {
    fn new() -> Fleet {
        let mut rng = SeededRng::new(7);
        Fleet {
            pki: DemoPki::generate(&mut rng, &["localhost"], FIXED_NOW.as_secs()),
            cache: Arc::new(Mutex::new(ClientSessionCache::new(8))),
            seed: 100,
        }
    }

    /// One connection to a server resuming with `strategy`; the pair and
    /// the server's trace.
    fn connect(&mut self, strategy: &Arc<Ticketer>) -> (Pair, Recorder) {
        self.seed += 2;
        let mut server = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        server.rng = SeededRng::shared(self.seed);
        server.clock = Arc::new(minitls::config::FixedClock(FIXED_NOW));
        server.resumption = Some(strategy.clone() as Arc<dyn ResumptionStrategy>);
        let mut client = ClientConfig::new(self.pki.trust_anchors());
        client.rng = SeededRng::shared(self.seed + 1);
        client.clock = Arc::new(minitls::config::FixedClock(FIXED_NOW));
        client.session_cache = Some(self.cache.clone());

        let trace = Recorder::default();
        let client = Connection::client(Arc::new(client), "localhost").unwrap();
        let server = Connection::server_with_observer(Arc::new(server), Box::new(trace.clone()));
        let mut pair = Pair::new(client, server);
        pair.drive().unwrap();
        (pair, trace)
    }

    /// Keep only the newest ticket, so the next connection offers it.
    fn keep_newest_ticket(&self) {
        let mut cache = self.cache.lock().unwrap();
        let newest = cache.take("localhost", UnixTime(0)).unwrap();
        while cache.take("localhost", UnixTime(0)).is_some() {}
        cache.insert(newest);
    }
}

fn resumed(pair: &Pair) -> bool {
    assert!(pair.client.is_connected(), "{:?}", pair.client.error());
    assert!(pair.server.is_connected(), "{:?}", pair.server.error());
    let (c, s) = (pair.client.negotiated(), pair.server.negotiated());
    assert_eq!(c.resumed, s.resumed, "client {c:?} server {s:?}");
    c.resumed
}

#[test]
fn two_servers_from_one_file_open_each_other_s_tickets() {
    let dir = TempDir::new("keys-two-servers");
    let path = dir.join("keys");
    TicketKeys::generate(&mut SeededRng::new(3), FIXED_NOW)
        .write_atomically(&path)
        .unwrap();
    let one = Arc::new(Ticketer::from_keys(&TicketKeys::read(&path).unwrap()));
    let two = Arc::new(Ticketer::from_keys(&TicketKeys::read(&path).unwrap()));
    let mut fleet = Fleet::new();

    let (pair, _) = fleet.connect(&one);
    assert!(!resumed(&pair));
    fleet.keep_newest_ticket();
    let (pair, _) = fleet.connect(&two);
    assert!(resumed(&pair), "server 2 opens server 1's ticket");
    assert_eq!(
        pair.server.negotiated().resumption_strategy,
        Some("stateless")
    );
    fleet.keep_newest_ticket();
    let (pair, _) = fleet.connect(&one);
    assert!(resumed(&pair), "and server 1 opens server 2's");

    // A server with keys of its own opens neither.
    fleet.keep_newest_ticket();
    let (pair, trace) = fleet.connect(&Arc::new(Ticketer::new(3600)));
    assert!(!resumed(&pair));
    assert_eq!(resumption_rejections(&trace), [UNKNOWN_KEY]);
}

#[test]
fn set_keys_keeps_listed_keys_opening_and_refuses_unlisted_ones() {
    let mut rng = SeededRng::new(4);
    let keys = TicketKeys::generate(&mut rng, FIXED_NOW);
    let server = Arc::new(Ticketer::from_keys(&keys));
    let mut fleet = Fleet::new();
    let (pair, _) = fleet.connect(&server);
    assert!(!resumed(&pair));
    // Two tickets under the first key: one for now, one for later.
    let old_ticket = fleet
        .cache
        .lock()
        .unwrap()
        .take("localhost", UnixTime(0))
        .unwrap();
    assert_eq!(old_ticket.ticket[..4], keys.key_ids()[0]);

    // Rotated, the sealing key still listed: its ticket resumes.
    let rotated = keys.rotated(&mut rng, FIXED_NOW, 2);
    server.set_keys(&rotated);
    let (pair, trace) = fleet.connect(&server);
    assert!(resumed(&pair), "{:?}", resumption_rejections(&trace));

    // Rotated again, keeping one key: the first key is gone, so its
    // ticket is a full handshake, never an error...
    server.set_keys(&rotated.rotated(&mut rng, FIXED_NOW, 1));
    {
        let mut cache = fleet.cache.lock().unwrap();
        while cache.take("localhost", UnixTime(0)).is_some() {}
        cache.insert(old_ticket);
    }
    let (pair, trace) = fleet.connect(&server);
    assert!(!resumed(&pair));
    assert_eq!(resumption_rejections(&trace), [UNKNOWN_KEY]);
    // ...and the tickets it issued instead resume.
    fleet.keep_newest_ticket();
    let (pair, _) = fleet.connect(&server);
    assert!(resumed(&pair));
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

/// `minitls ticket-keys ARGS...`
fn ticket_keys(args: &[&str], file: &Path) -> Output {
    let mut cmd = minitls(["ticket-keys"]);
    cmd.arg(args[0]).arg(file).args(&args[1..]);
    run(&mut cmd, None)
}

/// The key ids `minitls ticket-keys` said it wrote, in order.
fn printed_ids(out: &Output) -> Vec<String> {
    let ids = out
        .stdout
        .split_once(": key ids ")
        .and_then(|(_, rest)| rest.split_once(" (newest first"))
        .unwrap_or_else(|| panic!("no key ids printed\n{out}"))
        .0;
    ids.split(", ").map(str::to_string).collect()
}

fn file_ids(path: &Path) -> Vec<String> {
    TicketKeys::read(path)
        .unwrap()
        .key_ids()
        .iter()
        .map(key_id_hex)
        .collect()
}

#[test]
fn cli_new_and_rotate_write_the_file_and_print_only_ids() {
    let dir = TempDir::new("keys-cli");
    let path = dir.join("ticket.keys");
    let out = ticket_keys(&["new"], &path);
    out.assert_success();
    assert_eq!(printed_ids(&out), file_ids(&path));
    assert_eq!(file_ids(&path).len(), 1);

    let mut seen = file_ids(&path);
    for expected_len in [2, 3, 3, 3] {
        let out = ticket_keys(&["rotate"], &path);
        out.assert_success();
        let ids = file_ids(&path);
        assert_eq!(printed_ids(&out), ids);
        assert_eq!(ids.len(), expected_len, "--keep defaults to 3");
        assert_eq!(ids[1..], seen[..ids.len() - 1], "the new key goes first");
        seen = ids;
    }
    let out = ticket_keys(&["rotate", "--keep", "1"], &path);
    out.assert_success();
    assert_eq!(file_ids(&path).len(), 1);
    assert_ne!(file_ids(&path)[0], seen[0]);

    // Never a key on the terminal: no 64-hex-digit run in what it printed.
    let text = std::fs::read_to_string(&path).unwrap();
    let key = text.lines().nth(1).unwrap().split(' ').nth(1).unwrap();
    assert_eq!(key.len(), 64);
    assert!(!out.combined().contains(key), "{out}");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn cli_new_refuses_to_overwrite_without_force() {
    let dir = TempDir::new("keys-cli-force");
    let path = dir.join("ticket.keys");
    ticket_keys(&["new"], &path).assert_success();
    let before = std::fs::read_to_string(&path).unwrap();
    let out = ticket_keys(&["new"], &path);
    out.assert_failure();
    assert!(out.stderr.contains("exists; use --force"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    ticket_keys(&["new", "--force"], &path).assert_success();
    assert_ne!(std::fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn cli_rotate_of_a_missing_or_malformed_file_fails_and_writes_nothing() {
    let dir = TempDir::new("keys-cli-rotate-bad");
    let missing = dir.join("missing.keys");
    let out = ticket_keys(&["rotate"], &missing);
    out.assert_failure();
    assert!(out.stderr.contains("cannot read"), "{out}");
    assert!(!missing.exists());

    let bad = dir.join("bad.keys");
    std::fs::write(&bad, "zz\n").unwrap();
    let out = ticket_keys(&["rotate"], &bad);
    out.assert_failure();
    assert!(out.stderr.contains("line 1: key id"), "{out}");
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "zz\n");
}

#[test]
fn server_refuses_a_missing_or_malformed_key_file_or_the_wrong_strategy() {
    let dir = TempDir::new("keys-server-refuses");
    minitls_cert(dir.path(), &[]);
    let missing = dir.join("missing.keys");
    let out = minitls_server_refuses(&dir, &["--ticket-keys", path_arg(&missing)]);
    assert!(
        out.stderr.contains(&format!(
            "minitls: --ticket-keys: cannot read {}",
            missing.display()
        )),
        "{out}"
    );

    let bad = dir.join("bad.keys");
    std::fs::write(&bad, "# keys\n\n0a0b0c0d 1234\n").unwrap();
    let out = minitls_server_refuses(&dir, &["--ticket-keys", path_arg(&bad)]);
    assert!(
        out.stderr.contains(&format!(
            "{}: line 3: key must be 64 hex digits",
            bad.display()
        )),
        "{out}"
    );

    let empty = dir.join("empty.keys");
    std::fs::write(&empty, "# nothing\n").unwrap();
    let out = minitls_server_refuses(&dir, &["--ticket-keys", path_arg(&empty)]);
    assert!(out.stderr.contains("no ticket key"), "{out}");

    let good = dir.join("good.keys");
    ticket_keys(&["new"], &good).assert_success();
    let out = minitls_server_refuses(
        &dir,
        &["--resumption", "stateful", "--ticket-keys", path_arg(&good)],
    );
    assert!(
        out.stderr
            .contains("--ticket-keys needs --resumption stateless"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// Processes: reload, and a fleet of two
// ---------------------------------------------------------------------------

/// A `minitls server --ticket-keys FILE` (polling every 50 ms), or with
/// keys of its own when `keys` is `None`.
fn server(dir: &TempDir, keys: Option<&Path>) -> ServerProcess {
    let mut extra = vec!["--resumption", "stateless"];
    if let Some(keys) = keys {
        extra.extend([
            "--ticket-keys",
            path_arg(keys),
            "--ticket-keys-poll-ms",
            "50",
        ]);
    }
    start_minitls_server(
        &dir.join("server.pem"),
        &dir.join("server.key"),
        &extra,
        &[],
    )
}

#[test]
fn a_running_server_rereads_a_rotated_key_file() {
    let dir = TempDir::new("keys-reload");
    minitls_cert(dir.path(), &[]);
    let keys = dir.join("ticket.keys");
    ticket_keys(&["new"], &keys).assert_success();
    let old_id = file_ids(&keys)[0].clone();
    let server = server(&dir, Some(&keys));
    assert!(server.stderr().contains(&old_id), "{}", server.report());

    let before = dir.join("before.pem");
    let out = minitls_client(&dir, &server, &["--sess-out", path_arg(&before)]);
    assert!(!client_resumed(&out), "{out}");

    let out = ticket_keys(&["rotate", "--keep", "1"], &keys);
    out.assert_success();
    let new_id = printed_ids(&out)[0].clone();
    assert!(
        server.wait_for_stderr(
            &format!("ticket keys reloaded from {}: {new_id}\n", keys.display()),
            TIMEOUT
        ),
        "no reload logged\n{}",
        server.report()
    );

    // The ticket sealed under the rotated-out key: a full handshake.
    let after = dir.join("after.pem");
    let out = minitls_client(
        &dir,
        &server,
        &[
            "--sess-in",
            path_arg(&before),
            "--sess-out",
            path_arg(&after),
        ],
    );
    assert!(!client_resumed(&out), "{out}\n{}", server.report());
    // A ticket sealed under the new key resumes.
    let out = minitls_client(&dir, &server, &["--sess-in", path_arg(&after)]);
    assert!(client_resumed(&out), "{out}\n{}", server.report());

    // A malformed file at run time: one line, and the keys stay.
    // Written aside and renamed, as an operator's tool would: the watcher
    // must not catch the file half-written (an empty file is another
    // problem, and another line).
    let garbage = dir.join("garbage.tmp");
    std::fs::write(&garbage, "garbage\n").unwrap();
    std::fs::rename(&garbage, &keys).unwrap();
    assert!(
        server.wait_for_stderr(
            "ticket keys not reloaded, keeping the current ones",
            TIMEOUT
        ),
        "{}",
        server.report()
    );
    let out = minitls_client(&dir, &server, &["--sess-in", path_arg(&after)]);
    assert!(client_resumed(&out), "{out}\n{}", server.report());
    let complaints = server.stderr().matches("ticket keys not reloaded").count();
    assert_eq!(complaints, 1, "{}", server.report());
}

#[test]
fn servers_sharing_a_key_file_resume_each_other_s_sessions() {
    let dir = TempDir::new("keys-fleet");
    minitls_cert(dir.path(), &[]);
    let keys = dir.join("ticket.keys");
    ticket_keys(&["new"], &keys).assert_success();
    let one = server(&dir, Some(&keys));
    let two = server(&dir, Some(&keys));
    let second = s_client_across(&dir, &one, &two);
    assert!(
        second.combined().contains(S_CLIENT_REUSED),
        "{second}\n{}",
        two.report()
    );
    let second = minitls_client_across(&dir, &one, &two, &[]);
    assert!(client_resumed(&second), "{second}\n{}", two.report());
    assert!(
        two.wait_for_stderr(
            "resumed=yes (stateless, psk_dhe_ke)",
            Duration::from_secs(5)
        ),
        "{}",
        two.report()
    );
}

#[test]
fn servers_with_keys_of_their_own_do_a_full_handshake() {
    let dir = TempDir::new("keys-no-fleet");
    minitls_cert(dir.path(), &[]);
    let one = server(&dir, None);
    let two = server(&dir, None);
    let second = s_client_across(&dir, &one, &two);
    assert!(
        second.combined().contains(S_CLIENT_NEW),
        "{second}\n{}",
        two.report()
    );
    let second = minitls_client_across(&dir, &one, &two, &[]);
    assert!(!client_resumed(&second), "{second}\n{}", two.report());
}
