//! The Redis session store (src/resumption/redis.rs) against a real
//! `redis-server` that each test starts on its own free loopback port
//! (issue 11, items 1, 3 and 5; RFC 8446 §4.2.11, §4.6.1, §8.1):
//!
//! 1. the store alone: round trip, single use, the race between two
//!    servers for one ticket, expiry by the injected clock and by the Redis
//!    TTL, values that are not ours;
//! 2. handshakes (in-memory pairs) over a shared Redis: one ticket offered
//!    to two servers resumes at most once, and every failure of Redis
//!    (down, killed, restarted, stopped) is a full handshake and one log
//!    line, with resumption back once Redis answers;
//! 3. `minitls server --session-store`: its start-up errors, and two
//!    servers sharing a Redis resuming each other's tickets for `openssl
//!    s_client` and `minitls client` (and not without Redis).

mod support;

use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use minitls::config::UnixTime;
use minitls::pki::issue::DemoPki;
use minitls::resumption::client_cache::{ClientSessionCache, StoredTicket};
use minitls::resumption::redis::{KEY_PREFIX, MAGIC, MAX_VALUE_LEN, RedisStore};
use minitls::resumption::store::{SESSION_ID_LEN, SessionStore, StatefulStrategy};
use minitls::resumption::{Rejection, ResumptionStrategy, Session};
use minitls::testing::{FIXED_NOW, ManualClock, Pair, SeededRng};
use minitls::trace::Recorder;
use minitls::{ClientConfig, Connection, ServerConfig};

use support::redis_server::RedisServer;
use support::{
    HTTP_GET_ESCAPED, S_CLIENT_NEW, S_CLIENT_REUSED, ServerProcess, TempDir, client_resumed,
    minitls_cert, minitls_client, minitls_client_across, minitls_server_refuses,
    resumption_rejections, s_client_across, start_minitls_server,
};

/// The store's time-out in the failure tests: short, so that they are
/// quick, yet long enough for a loaded 2-core machine to answer in time.
const TIMEOUT: Duration = Duration::from_millis(250);

/// The time-out where Redis is up and only correctness is tested: long, so
/// that a busy machine cannot turn a test of semantics into one of speed.
const RELAXED: Duration = Duration::from_secs(3);

/// How long the tests wait for something that should happen "soon" (Redis
/// to expire a key, resumption to come back after the back-off).
const PATIENCE: Duration = Duration::from_secs(10);

fn session(created_at: UnixTime, lifetime: u32) -> Session {
    Session {
        cipher_suite: 0x1303,
        psk: minitls::key_schedule::Secret::from_bytes([9; 32]),
        created_at,
        ticket_lifetime: lifetime,
        ticket_age_add: 1234,
        server_name: "localhost".into(),
        peer_identity: Vec::new(),
        max_early_data_size: 0,
        alpn_protocol: Vec::new(),
    }
}

/// The log lines a store printed, shared with the test.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

fn store(url: &str, log: &Log) -> RedisStore {
    store_with_timeout(url, log, RELAXED)
}

fn store_with_timeout(url: &str, log: &Log, timeout: Duration) -> RedisStore {
    let sink = log.clone();
    RedisStore::open(url, timeout)
        .unwrap()
        .with_log(move |line| sink.0.lock().unwrap().push(line.to_string()))
}

fn key(id: &[u8]) -> String {
    format!("{KEY_PREFIX}{}", hex::encode(id))
}

fn exists(redis: &RedisServer, key: &str) -> bool {
    redis::cmd("EXISTS")
        .arg(key)
        .query::<i64>(&mut redis.connection())
        .unwrap()
        == 1
}

// ---------------------------------------------------------------------------
// 1. The store alone
// ---------------------------------------------------------------------------

#[test]
fn a_session_round_trips_through_redis_and_its_size_is_reported() {
    let redis = RedisServer::start("redis-round-trip");
    let store = store(&redis.url(), &Log::default());
    let id = [1u8; SESSION_ID_LEN];
    let s = session(FIXED_NOW, 60);
    assert!(store.insert(&id, &s, FIXED_NOW));
    assert!(exists(&redis, &key(&id)));
    assert_eq!(store.get(&id, FIXED_NOW), Ok(s.clone()));
    // A look-up removes nothing.
    assert_eq!(store.get(&id, FIXED_NOW), Ok(s));
    assert_eq!(
        store.get(&[2; SESSION_ID_LEN], FIXED_NOW),
        Err(Rejection::NotFound)
    );
    assert_eq!(store.len(), 1);
    assert_eq!(store.bytes_held(), 0, "the server itself holds nothing");
    let usage = store.memory_usage().unwrap();
    assert_eq!(usage.sessions, 1);
    // Key (16 + 64 bytes) and value (4 + 64 bytes) at least.
    assert!((148..2048).contains(&usage.bytes_per_session), "{usage:?}");
    // The TTL is the lifetime plus a small margin.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(key(&id))
        .query(&mut redis.connection())
        .unwrap();
    assert!((50_000..=61_000).contains(&ttl), "PTTL {ttl}");
}

#[test]
fn a_session_is_taken_once() {
    let redis = RedisServer::start("redis-single-use");
    let store = store(&redis.url(), &Log::default());
    let id = [3u8; SESSION_ID_LEN];
    assert!(store.insert(&id, &session(FIXED_NOW, 60), FIXED_NOW));
    assert_eq!(store.remove(&id), Ok(()));
    assert_eq!(store.remove(&id), Err(Rejection::NotFound));
    assert_eq!(store.get(&id, FIXED_NOW), Err(Rejection::NotFound));
    assert!(!exists(&redis, &key(&id)));
}

/// Two servers (two strategies, two stores, one Redis) and many threads
/// looking up and taking one ticket at the same moment: exactly one
/// resumes, the others are told the ticket is gone.
#[test]
fn of_many_handshakes_racing_for_one_ticket_on_two_servers_exactly_one_takes_it() {
    let redis = RedisServer::start("redis-race");
    let servers: Vec<Arc<StatefulStrategy>> = (0..2)
        .map(|_| {
            Arc::new(StatefulStrategy::new(Box::new(store(
                &redis.url(),
                &Log::default(),
            ))))
        })
        .collect();
    for round in 0..5 {
        let mut rng = SeededRng::new(round);
        let ticket = servers[0]
            .issue(&session(FIXED_NOW, 60), &mut rng, FIXED_NOW)
            .expect("a ticket");
        let threads = 16;
        let start = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let server = servers[i % 2].clone();
                let ticket = ticket.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    server.look_up(&ticket, FIXED_NOW)?;
                    server.take(&ticket)
                })
            })
            .collect();
        let results: Vec<Result<(), Rejection>> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: {results:?}");
        assert!(
            results
                .iter()
                .all(|r| matches!(r, Ok(()) | Err(Rejection::NotFound))),
            "{results:?}"
        );
    }
}

#[test]
fn expiry_is_decided_by_the_injected_clock() {
    let redis = RedisServer::start("redis-expiry-clock");
    let store = store(&redis.url(), &Log::default());
    let id = [4u8; SESSION_ID_LEN];
    assert!(store.insert(&id, &session(FIXED_NOW, 60), FIXED_NOW));
    assert!(store.get(&id, UnixTime(FIXED_NOW.0 + 60_000)).is_ok());
    // One millisecond past the lifetime, by the clock the server was given
    // (Redis's own TTL has nearly a minute to go): expired.
    assert_eq!(
        store.get(&id, UnixTime(FIXED_NOW.0 + 60_001)),
        Err(Rejection::Expired)
    );
    assert!(exists(&redis, &key(&id)));
}

#[test]
fn redis_forgets_a_session_after_its_lifetime() {
    let redis = RedisServer::start("redis-expiry-ttl");
    let store = store(&redis.url(), &Log::default());
    let id = [5u8; SESSION_ID_LEN];
    assert!(store.insert(&id, &session(FIXED_NOW, 1), FIXED_NOW));
    assert!(exists(&redis, &key(&id)));
    let deadline = Instant::now() + PATIENCE;
    while exists(&redis, &key(&id)) {
        assert!(Instant::now() < deadline, "the key outlived its TTL");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(store.get(&id, FIXED_NOW), Err(Rejection::NotFound));
    assert_eq!(store.len(), 0);
}

#[test]
fn values_we_did_not_write_are_unreadable_not_a_panic() {
    let redis = RedisServer::start("redis-foreign");
    let log = Log::default();
    let store = store(&redis.url(), &log);
    let mut con = redis.connection();
    let good = {
        let mut v = MAGIC.to_vec();
        v.extend(session(FIXED_NOW, 60).encode().unwrap());
        v
    };
    let mut huge = good.clone();
    huge.resize(1 << 20, 0xff);
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 1);
    let values: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"not a session".to_vec()),
        ("no magic", good[MAGIC.len()..].to_vec()),
        ("truncated", truncated),
        ("too large", huge),
        ("just over the limit", {
            let mut v = good.clone();
            v.resize(MAX_VALUE_LEN + 1, 0);
            v
        }),
    ];
    for (i, (what, value)) in values.into_iter().enumerate() {
        let id = [10 + i as u8; SESSION_ID_LEN];
        let _: () = redis::cmd("SET")
            .arg(key(&id))
            .arg(value)
            .query(&mut con)
            .unwrap();
        assert_eq!(
            store.get(&id, FIXED_NOW),
            Err(Rejection::Unreadable),
            "{what}"
        );
    }
    // Another program's hash at our key: Redis answers WRONGTYPE.
    let id = [99u8; SESSION_ID_LEN];
    let _: () = redis::cmd("HSET")
        .arg(key(&id))
        .arg("field")
        .arg("value")
        .query(&mut con)
        .unwrap();
    assert_eq!(store.get(&id, FIXED_NOW), Err(Rejection::Unreadable));
    // None of that is the store being down.
    assert!(log.lines().is_empty(), "{:?}", log.lines());
    assert!(store.insert(&[1; 32], &session(FIXED_NOW, 60), FIXED_NOW));
}

// ---------------------------------------------------------------------------
// 2. Handshakes over a shared Redis
// ---------------------------------------------------------------------------

/// A client and any number of servers (each a strategy), in memory.
struct World {
    pki: DemoPki,
    cache: Arc<Mutex<ClientSessionCache>>,
    clock: ManualClock,
    seed: u64,
}

/// What one connection did.
struct Handshake {
    pair: Pair,
    server_trace: Recorder,
    took: Duration,
}

impl Handshake {
    fn completed(&self) -> bool {
        self.pair.client.is_connected() && self.pair.server.is_connected()
    }

    fn resumed(&self) -> bool {
        assert!(
            self.completed(),
            "client {:?} server {:?}",
            self.pair.client.error(),
            self.pair.server.error()
        );
        let (c, s) = (self.pair.client.negotiated(), self.pair.server.negotiated());
        assert_eq!(c.resumed, s.resumed);
        c.resumed
    }

    fn rejections(&self) -> Vec<&'static str> {
        resumption_rejections(&self.server_trace)
    }
}

impl World {
    fn new() -> World {
        let mut rng = SeededRng::new(11);
        World {
            pki: DemoPki::generate(&mut rng, &["localhost"], FIXED_NOW.as_secs()),
            cache: Arc::new(Mutex::new(ClientSessionCache::new(8))),
            clock: ManualClock::new(FIXED_NOW),
            seed: 500,
        }
    }

    /// A stateful server over a Redis store at `url`.
    fn redis_server(url: &str, log: &Log) -> Arc<dyn ResumptionStrategy> {
        Arc::new(StatefulStrategy::new(Box::new(store(url, log))))
    }

    /// The same with the short [`TIMEOUT`], for the failure tests.
    fn impatient_redis_server(url: &str, log: &Log) -> Arc<dyn ResumptionStrategy> {
        let store = store_with_timeout(url, log, TIMEOUT);
        Arc::new(StatefulStrategy::new(Box::new(store)))
    }

    fn connect(&mut self, server: &Arc<dyn ResumptionStrategy>) -> Handshake {
        let cache = self.cache.clone();
        let (mut pair, server_trace) = self.pair(server, cache);
        let started = Instant::now();
        let _ = pair.drive();
        Handshake {
            pair,
            server_trace,
            took: started.elapsed(),
        }
    }

    /// A client (with `cache`) and a server, not yet driven.
    fn pair(
        &mut self,
        server: &Arc<dyn ResumptionStrategy>,
        cache: Arc<Mutex<ClientSessionCache>>,
    ) -> (Pair, Recorder) {
        self.seed += 2;
        let mut client = ClientConfig::new(self.pki.trust_anchors());
        client.rng = SeededRng::shared(self.seed);
        client.clock = Arc::new(self.clock.clone());
        client.session_cache = Some(cache);
        let mut config = ServerConfig::new(
            vec![self.pki.server_cert.clone()],
            self.pki.server_key.clone(),
        );
        config.rng = SeededRng::shared(self.seed + 1);
        config.clock = Arc::new(self.clock.clone());
        config.resumption = Some(server.clone());
        let server_trace = Recorder::default();
        let client = Connection::client(Arc::new(client), "localhost").unwrap();
        let server =
            Connection::server_with_observer(Arc::new(config), Box::new(server_trace.clone()));
        (Pair::new(client, server), server_trace)
    }

    /// The newest ticket the client holds (left in the cache).
    fn newest_ticket(&self) -> StoredTicket {
        let mut cache = self.cache.lock().unwrap();
        let ticket = cache.take("localhost", UnixTime(0)).expect("a ticket");
        cache.insert(ticket.clone());
        ticket
    }

    /// Makes `ticket` the only one the client will offer.
    fn offer_only(&self, ticket: StoredTicket) {
        let mut cache = self.cache.lock().unwrap();
        *cache = ClientSessionCache::new(8);
        cache.insert(ticket);
    }
}

#[test]
fn two_servers_sharing_redis_resume_each_others_tickets_once() {
    let redis = RedisServer::start("redis-two-servers");
    let log = Log::default();
    let a = World::redis_server(&redis.url(), &log);
    let b = World::redis_server(&redis.url(), &log);
    let mut w = World::new();
    assert!(!w.connect(&a).resumed());
    let ticket = w.newest_ticket();
    // A's ticket resumes on B: the store is shared...
    let first = w.connect(&b);
    assert!(first.resumed());
    // ...and once only: the same ticket again, to A or to B, is a full
    // handshake.
    for server in [&a, &b] {
        w.offer_only(ticket.clone());
        let again = w.connect(server);
        assert!(!again.resumed());
        assert_eq!(
            again.rejections(),
            vec![Rejection::NotFound.reason()],
            "single use"
        );
    }
    assert!(log.lines().is_empty(), "{:?}", log.lines());
}

/// Two clients holding the same ticket connect at the same moment, one to
/// each server: at most one handshake resumes (exactly one, Redis being
/// up), and both complete.
#[test]
fn one_ticket_offered_to_two_servers_at_once_resumes_once() {
    let redis = RedisServer::start("redis-two-servers-race");
    let log = Log::default();
    let servers = [
        World::redis_server(&redis.url(), &log),
        World::redis_server(&redis.url(), &log),
    ];
    let mut w = World::new();
    for round in 0..10 {
        w.connect(&servers[0]);
        let ticket = w.newest_ticket();
        let start = Arc::new(Barrier::new(2));
        let handles: Vec<_> = servers
            .iter()
            .map(|server| {
                let cache = Arc::new(Mutex::new(ClientSessionCache::new(8)));
                cache.lock().unwrap().insert(ticket.clone());
                let (mut pair, _) = w.pair(server, cache);
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    let _ = pair.drive();
                    let done = pair.client.is_connected() && pair.server.is_connected();
                    (done, pair.server.negotiated().resumed)
                })
            })
            .collect();
        let results: Vec<(bool, bool)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(
            results.iter().all(|&(done, _)| done),
            "round {round}: {results:?}"
        );
        let resumed = results.iter().filter(|&&(_, resumed)| resumed).count();
        assert_eq!(resumed, 1, "round {round}: {results:?}");
    }
    assert!(log.lines().is_empty(), "{:?}", log.lines());
}

#[test]
fn corrupt_or_foreign_values_mean_a_full_handshake() {
    let redis = RedisServer::start("redis-corrupt");
    let log = Log::default();
    let server = World::redis_server(&redis.url(), &log);
    let mut w = World::new();
    let mut con = redis.connection();
    for overwrite in ["garbage", "hash"] {
        w.connect(&server);
        let ticket = w.newest_ticket();
        if overwrite == "hash" {
            let _: () = redis::cmd("DEL")
                .arg(key(&ticket.ticket))
                .query(&mut con)
                .unwrap();
            let _: () = redis::cmd("HSET")
                .arg(key(&ticket.ticket))
                .arg("a")
                .arg("b")
                .query(&mut con)
                .unwrap();
        } else {
            let _: () = redis::cmd("SET")
                .arg(key(&ticket.ticket))
                .arg(vec![0xffu8; 300])
                .query(&mut con)
                .unwrap();
        }
        w.offer_only(ticket);
        let h = w.connect(&server);
        assert!(!h.resumed(), "{overwrite}");
        assert_eq!(
            h.rejections(),
            vec![Rejection::Unreadable.reason()],
            "{overwrite}"
        );
    }
    assert!(log.lines().is_empty(), "{:?}", log.lines());
}

#[test]
fn with_redis_down_from_the_start_handshakes_are_full_and_logged_once() {
    let mut redis = RedisServer::start("redis-down");
    let url = redis.url();
    redis.stop();
    let log = Log::default();
    let server = World::impatient_redis_server(&url, &log);
    let mut w = World::new();
    for _ in 0..5 {
        let h = w.connect(&server);
        assert!(!h.resumed());
        assert!(h.took < TIMEOUT + Duration::from_secs(2), "{:?}", h.took);
    }
    let lines = log.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("unavailable"), "{lines:?}");
    assert!(lines[0].contains(&url), "{lines:?}");
}

/// Resumes (a fresh full handshake first, for a fresh ticket) until it
/// works, within [`PATIENCE`]: the back-off must end and resumption come
/// back. Returns how many handshakes it took.
fn resumes_again(w: &mut World, server: &Arc<dyn ResumptionStrategy>) -> usize {
    let deadline = Instant::now() + PATIENCE;
    let mut tries = 0;
    loop {
        tries += 1;
        if w.connect(server).resumed() {
            return tries;
        }
        assert!(Instant::now() < deadline, "resumption did not come back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn redis_killed_mid_run_then_restarted_costs_full_handshakes_then_resumes() {
    let mut redis = RedisServer::start("redis-restart");
    let log = Log::default();
    let server = World::impatient_redis_server(&redis.url(), &log);
    let mut w = World::new();
    assert!(!w.connect(&server).resumed());
    assert!(w.connect(&server).resumed());

    redis.stop();
    // The client holds three tickets (two from the full handshake, two
    // from the resumption, one used); no new ones come while Redis is down.
    for _ in 0..3 {
        let h = w.connect(&server);
        assert!(!h.resumed());
        assert_eq!(h.rejections(), vec![Rejection::StoreUnavailable.reason()]);
    }
    let lines = log.lines();
    assert_eq!(lines.len(), 1, "one line for going down: {lines:?}");

    // Back on the same port, empty: the first handshakes are full (the
    // client's tickets are gone with the old Redis), then it resumes.
    redis.restart();
    resumes_again(&mut w, &server);
    let lines = log.lines();
    assert_eq!(lines.len(), 2, "and one for coming back: {lines:?}");
    assert!(lines[1].contains("answering again"), "{lines:?}");
}

#[test]
fn a_stopped_redis_costs_each_handshake_at_most_the_timeout_then_resumption_returns() {
    let redis = RedisServer::start("redis-slow");
    let log = Log::default();
    let server = World::impatient_redis_server(&redis.url(), &log);
    let mut w = World::new();
    assert!(!w.connect(&server).resumed());

    redis.pause();
    // Connections are accepted by the kernel and never answered: each
    // command waits for the time-out, once; the back-off answers the rest
    // at once.
    let started = Instant::now();
    for _ in 0..5 {
        let h = w.connect(&server);
        let context = format!("{:?} {:?}", h.took, log.lines());
        assert!(h.completed(), "{context}");
        assert!(!h.resumed(), "{context}");
        assert!(h.took < TIMEOUT * 2 + Duration::from_secs(1), "{context}");
    }
    assert!(
        started.elapsed() < TIMEOUT * 5 + Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(log.lines().len(), 1, "{:?}", log.lines());

    redis.resume();
    resumes_again(&mut w, &server);
    assert_eq!(log.lines().len(), 2, "{:?}", log.lines());
}

// ---------------------------------------------------------------------------
// 3. `minitls server --session-store`
// ---------------------------------------------------------------------------

fn minitls_server(dir: &TempDir, extra: &[&str]) -> ServerProcess {
    start_minitls_server(&dir.join("server.pem"), &dir.join("server.key"), extra, &[])
}

#[test]
fn minitls_server_refuses_a_bad_session_store_at_start_up() {
    let dir = TempDir::new("redis-cli-errors");
    minitls_cert(dir.path(), &[]);
    for url in ["localhost:6379", "redis://", "http://127.0.0.1:6379"] {
        let out =
            minitls_server_refuses(&dir, &["--resumption", "stateful", "--session-store", url]);
        out.assert_contains(&format!("--session-store {url}"))
            .assert_contains("redis://HOST:PORT");
    }
    minitls_server_refuses(
        &dir,
        &[
            "--resumption",
            "stateless",
            "--session-store",
            "redis://127.0.0.1:1",
        ],
    )
    .assert_contains("--session-store needs --resumption stateful");
}

#[test]
fn minitls_server_starts_with_redis_down_and_says_so_once() {
    let dir = TempDir::new("redis-cli-down");
    minitls_cert(dir.path(), &[]);
    let mut redis = RedisServer::start("redis-cli-down-redis");
    let url = redis.url();
    redis.stop();
    let server = minitls_server(&dir, &["--resumption", "stateful", "--session-store", &url]);
    assert!(
        server.wait_for_stderr("unavailable", PATIENCE),
        "{}",
        server.report()
    );
    let out = minitls_client(&dir, &server, &["--reconnect", "1"]);
    assert!(out.success(), "{out}\n{}", server.report());
    assert!(out.stdout.contains("resumed: no"), "{out}");
    assert!(!out.stdout.contains("resumed: yes"), "{out}");
    let said = server.stderr().matches("unavailable").count();
    assert_eq!(said, 1, "{}", server.report());
}

/// Two `minitls server --resumption stateful` processes, with `shared`
/// extra flags each.
fn two_servers(dir: &TempDir, shared: &[&str]) -> (ServerProcess, ServerProcess) {
    let flags = [&["--resumption", "stateful"][..], shared].concat();
    (minitls_server(dir, &flags), minitls_server(dir, &flags))
}

#[test]
fn openssl_s_client_resumes_on_server_2_with_a_ticket_from_server_1_through_redis() {
    let dir = TempDir::new("redis-sclient");
    minitls_cert(dir.path(), &[]);
    let redis = RedisServer::start("redis-sclient-redis");
    let url = redis.url();
    let (one, two) = two_servers(&dir, &["--session-store", &url]);
    let second = s_client_across(&dir, &one, &two);
    let context = format!("{second}\n{}\n{}", one.report(), two.report());
    assert!(second.combined().contains(S_CLIENT_REUSED), "{context}");
    // Server 2's page says how it resumed.
    assert!(
        second
            .stdout
            .contains("resumed: yes (stateful, psk_dhe_ke)"),
        "{context}"
    );
}

#[test]
fn minitls_client_resumes_on_server_2_with_a_ticket_from_server_1_through_redis() {
    let dir = TempDir::new("redis-minitls-client");
    minitls_cert(dir.path(), &[]);
    let redis = RedisServer::start("redis-minitls-client-redis");
    let url = redis.url();
    let (one, two) = two_servers(&dir, &["--session-store", &url]);
    let second = minitls_client_across(&dir, &one, &two, &["--send", HTTP_GET_ESCAPED]);
    let context = format!("{second}\n{}", two.report());
    assert!(
        second.stdout.contains("resumed: yes (psk_dhe_ke)"),
        "{context}"
    );
    assert!(
        two.wait_for_stderr("resumed=yes (stateful, psk_dhe_ke)", PATIENCE),
        "{context}"
    );
}

#[test]
fn without_a_shared_store_server_2_cannot_resume_server_1s_ticket() {
    let dir = TempDir::new("redis-per-server");
    minitls_cert(dir.path(), &[]);
    let (one, two) = two_servers(&dir, &[]);
    let second = s_client_across(&dir, &one, &two);
    let context = format!("{second}\n{}", two.report());
    assert!(second.combined().contains(S_CLIENT_NEW), "{context}");
    assert!(second.stdout.contains("resumed: no"), "{context}");
    let second = minitls_client_across(&dir, &one, &two, &[]);
    assert!(!client_resumed(&second), "{second}\n{}", two.report());
}
