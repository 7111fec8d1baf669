//! A [`SessionStore`] kept in a Redis server, so that a fleet of stateful
//! servers shares one session cache (issue 11; RFC 8446 §4.2.11, §4.6.1,
//! §8.1).
//!
//! A stateful ticket is a random ID that only the store it was written to
//! can turn back into a session. With a store per server, a client sent by
//! a load balancer to another server than the one that issued its ticket
//! gets a full handshake. With [`RedisStore`] every server reads and writes
//! the same Redis, so any of them can resume any ticket (Apache httpd's
//! `SSLSessionCache` does the same with its memcache and Redis back ends).
//! The protocol is spoken by the `redis` crate; what this file decides is
//! what is stored, how single use survives a race between servers, and what
//! a server does when Redis is not there.
//!
//! # What is stored
//!
//! One Redis string per session, under the key [`KEY_PREFIX`] followed by
//! the session ID in lowercase hex. The value, in the presentation
//! language:
//!
//! ```text
//! struct {
//!     opaque magic[4] = "mTS1";   /* minitls session, format 1 */
//!     Session session;           /* as Session::encode writes it */
//! } StoredSession;
//! ```
//!
//! The magic tells our values from anything else found at the key (another
//! program's value, a corrupt one, an older format): such a value is
//! [`Rejection::Unreadable`] and the handshake is a full one. A value is
//! read with `GETRANGE key 0 MAX_VALUE_LEN`, so however large the value
//! someone left there, at most [`MAX_VALUE_LEN`] + 1 bytes reach us, and
//! more than [`MAX_VALUE_LEN`] is refused as unreadable.
//!
//! The session's expiry is the one inside the value, checked with the
//! server's injected clock ([`Session::is_expired`]), exactly as in the
//! in-memory store. The key also gets a Redis TTL (`SET ... PX`) of the
//! ticket's remaining lifetime plus [`TTL_MARGIN`], but only so that Redis
//! forgets sessions nobody comes back for: it never decides a resumption.
//!
//! # Single use across servers
//!
//! A handshake *looks up* the ID (`GETRANGE`, nothing removed), verifies
//! the binder, and only then *takes* the session with `DEL`. Redis runs
//! commands one at a time, so when two servers race for one ticket (a
//! replay, or a client that tries twice), exactly one `DEL` returns 1, and
//! only that server resumes; the other gets [`Rejection::NotFound`] and
//! does a full handshake (RFC 8446 §8.1 recommends single use against
//! replay).
//!
//! # When Redis is down or slow
//!
//! Resumption is an optimisation: a store that does not answer costs a
//! full handshake, never a failed connection. Every command has the
//! time-out given to [`RedisStore::open`] (connect, read and write). On any
//! failure (refused, timed out, connection lost, protocol error) the
//! connection is dropped, the look-up answers
//! [`Rejection::StoreUnavailable`] (an insert answers false, so no ticket
//! is issued), and for [`BACKOFF`] every call answers the same at once,
//! without touching the network: a dead Redis must not cost every handshake
//! a time-out. After the back-off one call tries again; when Redis answers,
//! resumption resumes. The log given to [`RedisStore::with_log`] gets one
//! line when the store goes down and one when it comes back, not one per
//! handshake.
//!
//! No lock is held across network I/O: idle connections wait in a small
//! pool ([`POOL_SIZE`]) whose mutex is held only to take one out or put it
//! back; a handshake that finds the pool empty opens a connection of its
//! own. One slow Redis call therefore delays only the handshake that made
//! it.
//!
//! # Risks
//!
//! Redis holds every live resumption PSK of the fleet: whoever can read it
//! can impersonate the servers to those clients' resumed sessions and read
//! their traffic, and whoever can write it can plant sessions. In
//! production bind Redis to loopback or a private network, require `AUTH`
//! (`redis://:PASSWORD@HOST:PORT`), and encrypt the link (TLS, which this
//! build of the `redis` crate leaves out). Redis is also a single point of
//! failure for resumption (not for service: see above); a replicated Redis
//! answers that, at the price of a window in which a `DEL` on the primary
//! has not yet reached a replica.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redis::ConnectionLike as _;
use zeroize::Zeroizing;

use super::store::SessionStore;
use super::{Rejection, Session};
use crate::error::Error;
use crate::time::UnixTime;

/// What every key of ours starts with; the session ID follows in hex.
pub const KEY_PREFIX: &str = "minitls:session:";

/// The first bytes of every value we write ("minitls session, format 1").
pub const MAGIC: [u8; 4] = *b"mTS1";

/// The longest value we accept: a session with the longest server name is
/// about 350 bytes; a client certificate in `peer_identity` is the only
/// reason to allow more.
pub const MAX_VALUE_LEN: usize = 4096;

/// The longest session ID we look up. Ours are 32 bytes; an identity a
/// client sends may be up to 2^16-1, and a key that long is not worth a
/// round trip.
pub const MAX_ID_LEN: usize = 255;

/// How long after a failure the store answers "unavailable" without trying
/// the network.
pub const BACKOFF: Duration = Duration::from_secs(1);

/// Added to a session's remaining lifetime for its Redis TTL, so that a
/// server whose clock is a little behind still finds the session; the
/// expiry that counts is the one in the value.
pub const TTL_MARGIN: Duration = Duration::from_secs(1);

/// Idle connections kept for reuse; more handshakes at once open their own
/// connections and close them afterwards.
pub const POOL_SIZE: usize = 16;

/// Keys counted by [`RedisStore::len`] and [`RedisStore::memory_usage`] at
/// most: a count beyond it would cost the caller too many round trips.
pub const MAX_COUNT: usize = 1_000_000;

/// Sessions whose `MEMORY USAGE` [`RedisStore::memory_usage`] averages.
pub const MEMORY_SAMPLE: usize = 32;

/// What Redis spends on our sessions, by its own account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Keys under [`KEY_PREFIX`] (at most [`MAX_COUNT`]).
    pub sessions: usize,
    /// The mean of `MEMORY USAGE` over up to [`MEMORY_SAMPLE`] of them
    /// (key, value and Redis's bookkeeping); 0 when there are none.
    pub bytes_per_session: usize,
}

/// Whether Redis is answering, as far as the store knows.
struct Health {
    /// Since the last failure, until a call succeeds.
    down: bool,
    /// While down: no call touches the network before this.
    retry_at: Instant,
}

/// A [`SessionStore`] in Redis: see the module documentation.
pub struct RedisStore {
    client: redis::Client,
    /// The URL as given, for log lines (a password in it is not logged).
    name: String,
    timeout: Duration,
    pool: Mutex<Vec<redis::Connection>>,
    health: Mutex<Health>,
    log: Arc<dyn Fn(&str) + Send + Sync>,
}

/// A failed command: either Redis did not answer (the store is down), or it
/// answered with an error (it is up; the command or the key was wrong).
enum Failure {
    Unavailable,
    Refused,
}

/// Locks a mutex whose contents stay consistent whatever a panicking holder
/// did (a pool of connections, a health flag), taking a poisoned one over.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl RedisStore {
    /// Parses `redis://HOST:PORT[/DB]`; connects lazily. Err
    /// ([`Error::Misuse`] with a clear message) only for a malformed URL.
    pub fn open(url: &str, timeout: Duration) -> Result<RedisStore, Error> {
        const MALFORMED: &str = "the session store must be a URL redis://HOST:PORT[/DB]";
        if !url.starts_with("redis://") {
            return Err(Error::Misuse(MALFORMED));
        }
        let client = redis::Client::open(url).map_err(|_| Error::Misuse(MALFORMED))?;
        let info = client.get_connection_info();
        let name = match info.addr() {
            redis::ConnectionAddr::Tcp(host, port) => format!("redis://{host}:{port}"),
            _ => return Err(Error::Misuse(MALFORMED)),
        };
        // A zero time-out means "block forever" to the socket calls.
        let timeout = timeout.max(Duration::from_millis(1));
        Ok(RedisStore {
            client,
            name,
            timeout,
            pool: Mutex::new(Vec::new()),
            health: Mutex::new(Health {
                down: false,
                retry_at: Instant::now(),
            }),
            log: Arc::new(|_| {}),
        })
    }

    /// Where the store reports going down and coming back, one line each
    /// time its health changes.
    pub fn with_log(self, log: impl Fn(&str) + Send + Sync + 'static) -> RedisStore {
        RedisStore {
            log: Arc::new(log),
            ..self
        }
    }

    /// Sessions under our key prefix and Redis's own `MEMORY USAGE` per
    /// session (averaged over a bounded sample).
    pub fn memory_usage(&self) -> Result<MemoryUsage, Rejection> {
        let (sessions, sample) = self.scan(MEMORY_SAMPLE)?;
        if sample.is_empty() {
            return Ok(MemoryUsage {
                sessions,
                bytes_per_session: 0,
            });
        }
        let sizes = self
            .run(|con| {
                let mut total = 0usize;
                let mut counted = 0usize;
                for key in &sample {
                    // SAMPLES 0: measure the whole value, not an estimate.
                    let size: Option<usize> = redis::cmd("MEMORY")
                        .arg("USAGE")
                        .arg(key)
                        .arg("SAMPLES")
                        .arg(0)
                        .query(con)?;
                    // None: the key expired or was taken since the scan.
                    if let Some(size) = size {
                        total = total.saturating_add(size);
                        counted += 1;
                    }
                }
                Ok((total, counted))
            })
            .map_err(|_| Rejection::StoreUnavailable)?;
        let (total, counted) = sizes;
        Ok(MemoryUsage {
            sessions,
            bytes_per_session: total.checked_div(counted).unwrap_or(0),
        })
    }

    /// Sends `PING`; whether Redis answered. A server calls it once at
    /// start-up so that a Redis that is down is logged before the first
    /// client arrives.
    pub fn ping(&self) -> bool {
        self.run(|con| redis::cmd("PING").query::<String>(con))
            .is_ok_and(|pong| pong == "PONG")
    }

    /// Counts the keys under [`KEY_PREFIX`] (at most [`MAX_COUNT`]) with
    /// `SCAN`, and returns the first `keep` of them.
    fn scan(&self, keep: usize) -> Result<(usize, Vec<String>), Rejection> {
        let pattern = format!("{KEY_PREFIX}*");
        self.run(|con| {
            let mut cursor = 0u64;
            let mut count = 0usize;
            let mut kept = Vec::new();
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(con)?;
                count = count.saturating_add(keys.len());
                for key in keys {
                    if kept.len() < keep {
                        kept.push(key);
                    }
                }
                // SCAN may return a key twice while the keyspace grows, so
                // the count is approximate under writes; exact when quiet.
                if next == 0 || count >= MAX_COUNT {
                    return Ok((count.min(MAX_COUNT), kept));
                }
                cursor = next;
            }
        })
        .map_err(|_| Rejection::StoreUnavailable)
    }

    /// Runs `command` on a connection from the pool (or a new one), with
    /// the back-off and the health log around it. No lock is held while
    /// `command` runs.
    fn run<T>(
        &self,
        command: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Failure> {
        if !self.may_try() {
            return Err(Failure::Unavailable);
        }
        let pooled = lock(&self.pool).pop();
        let mut con = match pooled {
            Some(con) => con,
            None => match self.connect() {
                Ok(con) => con,
                Err(e) => {
                    self.went_down(&e);
                    return Err(Failure::Unavailable);
                }
            },
        };
        match command(&mut con) {
            Ok(value) => {
                self.came_up();
                self.put_back(con);
                Ok(value)
            }
            Err(e) if Self::is_link_failure(&e) || !con.is_open() => {
                // `con` is dropped: after a time-out, a late reply could
                // otherwise be read as the answer to the next command.
                self.went_down(&e);
                Err(Failure::Unavailable)
            }
            Err(_) => {
                // Redis answered, with an error (WRONGTYPE for another
                // program's key, say): it is up, and the connection is fine.
                self.came_up();
                self.put_back(con);
                Err(Failure::Refused)
            }
        }
    }

    /// A new connection with the time-out on connect, reads and writes.
    fn connect(&self) -> redis::RedisResult<redis::Connection> {
        let con = self.client.get_connection_with_timeout(self.timeout)?;
        con.set_read_timeout(Some(self.timeout))?;
        con.set_write_timeout(Some(self.timeout))?;
        Ok(con)
    }

    fn put_back(&self, con: redis::Connection) {
        let mut pool = lock(&self.pool);
        if pool.len() < POOL_SIZE {
            pool.push(con);
        }
    }

    /// Whether the error means the link, not the command, failed.
    fn is_link_failure(e: &redis::RedisError) -> bool {
        e.is_io_error()
            || e.is_timeout()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_unrecoverable_error()
    }

    /// Whether a call may use the network now: always while up; while
    /// down, once per [`BACKOFF`] (the caller that gets `true` is the probe;
    /// the others answer "unavailable" at once).
    fn may_try(&self) -> bool {
        let mut health = lock(&self.health);
        if !health.down {
            return true;
        }
        let now = Instant::now();
        if now < health.retry_at {
            return false;
        }
        health.retry_at = now + BACKOFF;
        true
    }

    fn went_down(&self, e: &redis::RedisError) {
        // Every pooled connection leads to the same Redis: drop them all,
        // so the first call after the back-off tries a fresh one.
        lock(&self.pool).clear();
        let was_up = {
            let mut health = lock(&self.health);
            let was_up = !health.down;
            health.down = true;
            health.retry_at = Instant::now() + BACKOFF;
            was_up
        };
        if was_up {
            (self.log)(&format!(
                "session store {} unavailable ({}); full handshakes, retrying every {} ms",
                self.name,
                describe(e),
                BACKOFF.as_millis()
            ));
        }
    }

    fn came_up(&self) {
        let was_down = std::mem::replace(&mut lock(&self.health).down, false);
        if was_down {
            (self.log)(&format!(
                "session store {} answering again; resuming sessions",
                self.name
            ));
        }
    }

    /// The Redis key for a session ID.
    fn key(id: &[u8]) -> String {
        let mut key = String::with_capacity(KEY_PREFIX.len() + 2 * id.len());
        key.push_str(KEY_PREFIX);
        for byte in id {
            let _ = write!(key, "{byte:02x}");
        }
        key
    }
}

/// A short reason for the log line.
fn describe(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connection_refusal() {
        "connection refused".to_string()
    } else {
        e.to_string()
    }
}

/// The value stored for a session: [`MAGIC`] then [`Session::encode`].
fn encode_value(session: &Session) -> Option<Zeroizing<Vec<u8>>> {
    let encoded = Zeroizing::new(session.encode().ok()?);
    let mut value = Zeroizing::new(Vec::with_capacity(MAGIC.len() + encoded.len()));
    value.extend_from_slice(&MAGIC);
    value.extend_from_slice(&encoded);
    (value.len() <= MAX_VALUE_LEN).then_some(value)
}

/// The session in a stored value, or `Unreadable` for anything we did not
/// write.
fn decode_value(value: &[u8]) -> Result<Session, Rejection> {
    if value.len() > MAX_VALUE_LEN {
        return Err(Rejection::Unreadable);
    }
    let body = value.strip_prefix(&MAGIC).ok_or(Rejection::Unreadable)?;
    Session::decode(body).map_err(|_| Rejection::Unreadable)
}

impl SessionStore for RedisStore {
    /// `SET key value PX ttl`: false when Redis did not take it (the
    /// server then issues no ticket).
    fn insert(&self, id: &[u8], session: &Session, now: UnixTime) -> bool {
        if id.len() > MAX_ID_LEN {
            return false;
        }
        let Some(value) = encode_value(session) else {
            return false;
        };
        let ends = session
            .created_at
            .0
            .saturating_add(u64::from(session.ticket_lifetime) * 1000);
        let ttl_ms = ends
            .saturating_sub(now.0)
            .saturating_add(TTL_MARGIN.as_millis() as u64);
        let key = RedisStore::key(id);
        self.run(|con| {
            redis::cmd("SET")
                .arg(&key)
                .arg(value.as_slice())
                .arg("PX")
                .arg(ttl_ms)
                .query::<()>(con)
        })
        .is_ok()
    }

    // ANCHOR: redis_look_up_and_take
    /// `GETRANGE key 0 MAX_VALUE_LEN`: a bounded read, nothing removed.
    /// An expired session is [`Rejection::Expired`] (Redis may still hold
    /// it for up to [`TTL_MARGIN`]).
    fn get(&self, id: &[u8], now: UnixTime) -> Result<Session, Rejection> {
        if id.len() > MAX_ID_LEN {
            return Err(Rejection::NotFound);
        }
        let key = RedisStore::key(id);
        let value = self
            .run(|con| {
                redis::cmd("GETRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(MAX_VALUE_LEN)
                    .query::<Vec<u8>>(con)
            })
            .map_err(|failure| match failure {
                Failure::Unavailable => Rejection::StoreUnavailable,
                // WRONGTYPE: another program's list or hash at our key.
                Failure::Refused => Rejection::Unreadable,
            })?;
        let value = Zeroizing::new(value);
        // GETRANGE answers "" for a missing key (and we never store "").
        if value.is_empty() {
            return Err(Rejection::NotFound);
        }
        let session = decode_value(&value)?;
        if session.is_expired(now) {
            return Err(Rejection::Expired);
        }
        Ok(session)
    }

    /// `DEL key`: `Ok` only when it returned 1, so of two servers racing
    /// for one ticket exactly one gets `Ok`.
    fn remove(&self, id: &[u8]) -> Result<(), Rejection> {
        if id.len() > MAX_ID_LEN {
            return Err(Rejection::NotFound);
        }
        let key = RedisStore::key(id);
        match self.run(|con| redis::cmd("DEL").arg(&key).query::<i64>(con)) {
            Ok(1) => Ok(()),
            Ok(_) | Err(Failure::Refused) => Err(Rejection::NotFound),
            Err(Failure::Unavailable) => Err(Rejection::StoreUnavailable),
        }
    }
    // ANCHOR_END: redis_look_up_and_take

    /// The keys under [`KEY_PREFIX`] in this Redis, counted with `SCAN`
    /// (at most [`MAX_COUNT`]): every server of the fleet sees the same
    /// number. Includes sessions that have expired by the value but not
    /// yet by the TTL. 0 while Redis is unavailable.
    fn len(&self) -> usize {
        self.scan(0).map(|(count, _)| count).unwrap_or(0)
    }

    /// 0: the server holds nothing for its sessions; Redis does (see
    /// [`RedisStore::memory_usage`]).
    fn bytes_held(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resumption::tests::session;

    #[test]
    fn values_round_trip_and_foreign_ones_are_unreadable() {
        let value = encode_value(&session()).unwrap();
        assert_eq!(&value[..4], b"mTS1");
        assert_eq!(decode_value(&value), Ok(session()));
        assert_eq!(decode_value(&value[4..]), Err(Rejection::Unreadable));
        assert_eq!(decode_value(b"hello"), Err(Rejection::Unreadable));
        for n in 0..value.len() {
            assert_eq!(decode_value(&value[..n]), Err(Rejection::Unreadable));
        }
        let mut long = value.to_vec();
        long.resize(MAX_VALUE_LEN + 1, 0);
        assert_eq!(decode_value(&long), Err(Rejection::Unreadable));
    }

    #[test]
    fn keys_are_the_prefix_and_the_id_in_hex() {
        assert_eq!(RedisStore::key(&[0x00, 0xab]), "minitls:session:00ab");
    }

    #[test]
    fn only_redis_urls_open() {
        let t = Duration::from_millis(10);
        assert!(RedisStore::open("redis://127.0.0.1:6379", t).is_ok());
        assert!(RedisStore::open("redis://127.0.0.1:6379/2", t).is_ok());
        for bad in [
            "",
            "127.0.0.1:6379",
            "http://x:1",
            "redis://",
            "redis://h:notaport",
        ] {
            assert!(
                matches!(RedisStore::open(bad, t), Err(Error::Misuse(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_dead_redis_answers_unavailable_and_is_logged_once() {
        // A port nothing listens on: bind one, learn it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let store = RedisStore::open(
            &format!("redis://127.0.0.1:{port}"),
            Duration::from_millis(200),
        )
        .unwrap()
        .with_log(move |line| sink.lock().unwrap().push(line.to_string()));
        assert_eq!(
            store.get(&[1; 32], UnixTime(0)),
            Err(Rejection::StoreUnavailable)
        );
        assert!(!store.insert(&[1; 32], &session(), UnixTime(5_000)));
        assert_eq!(store.remove(&[1; 32]), Err(Rejection::StoreUnavailable));
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("unavailable"), "{lines:?}");
        assert!(lock(&store.health).down);
    }
}
