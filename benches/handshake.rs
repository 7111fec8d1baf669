//! Handshake cost: minitls against rustls and against the crypto floor.
//!
//! Run with `cargo bench --bench handshake`. Every benchmark is one whole
//! handshake, client and server together, in memory (no sockets), from new
//! connections on shared configs, as a server and a returning client would.
//!
//! Three groups of criterion benchmarks, then a ratio table:
//!
//! - `minitls/{full, resume_stateful, resume_stateless, resume_psk_ke,
//!   resume_stateful_psk_ke, resume_stateful_redis}`: `resume_psk_ke` is
//!   the stateless strategy, `resume_stateful_psk_ke` the same psk_ke
//!   resumption from a server that keeps its sessions (so the two
//!   resumption modes are each measured with both strategies); the last is
//!   the stateful strategy over
//!   [`RedisStore`] on a `redis-server` this bench starts on a free
//!   loopback port (and kills at the end), beside the in-memory store in
//!   the same run; a last line gives their ratio, the price of a shared
//!   store (two round trips to Redis per resumption, one per ticket issued);
//! - `rustls/{full, resume_stateful, resume_stateless}`: rustls 0.23 with its
//!   ring provider, cut down to minitls's one configuration (TLS 1.3,
//!   TLS_CHACHA20_POLY1305_SHA256, X25519, the same Ed25519 certificate).
//!   There is no `rustls/resume_psk_ke`: a rustls client offers only
//!   psk_dhe_ke ("We could support PSK_KE here too", rustls
//!   src/client/hs.rs) and a rustls server resumes only psk_dhe_ke;
//! - `floor/{full, resume_psk_dhe_ke, resume_psk_ke}`: only the primitive
//!   operations the handshake cannot avoid, called directly on the crates
//!   minitls uses (see [`FloorOps`] for the list and how it was counted).
//!   Everything minitls spends above the floor is its own overhead: parsing,
//!   encoding, allocation, certificate path checks, state machine.
//!
//! Why criterion: benchmarking is not what minitls teaches, and criterion
//! gives, in one run, warm-up, many samples, outlier detection, confidence
//! intervals and a comparison with the previous run, which a hand-written
//! loop would have to reinvent. What it does not do is relate one benchmark
//! to another, so after the groups this file's own `main` times every case
//! again, interleaved, and prints the ratios (see `common::print_ratio_table`).
//! On a shared, noisy 2-core machine only those ratios are worth quoting.
//!
//! Ticket supply: every resumption case issues one ticket per handshake on
//! both implementations (`tickets_per_handshake = 1`, `send_tls13_tickets =
//! 1`). One full handshake fills the client's cache, and each resumption then
//! takes one ticket and gets one back, so the caches stay the same size for
//! the whole run and every iteration does the same work. The full-handshake
//! cases issue no tickets at all.

mod common;

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use criterion::Criterion;
use ed25519_dalek::Signer;
use hmac::Mac;
use sha2::{Digest, Sha256};

use common::{Row, measuring, pki_now, print_ratio_table, profile_request, run_profile};
use minitls::config::{SharedRng, os_rng, with_rng};
use minitls::messages::{HandshakeMessage, PSK_DHE_KE, PSK_KE};
use minitls::pki::issue::DemoPki;
use minitls::pki::x509::Certificate;
use minitls::resumption::ResumptionStrategy;
use minitls::resumption::client_cache::ClientSessionCache;
use minitls::resumption::redis::RedisStore;
use minitls::resumption::store::StatefulStrategy;
use minitls::resumption::ticketer::Ticketer;
use minitls::testing::Pair;
use minitls::trace::{Operation, RecordedEvent, Recorder};
use minitls::{ClientConfig, Connection, ServerConfig};

// ---------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Full,
    ResumeStateful,
    ResumeStateless,
    /// Stateless server accepting psk_ke; the client offers only psk_ke.
    ResumePskKe,
    /// Stateful server accepting psk_ke; the client offers only psk_ke.
    ResumeStatefulPskKe,
    /// Stateful, the sessions kept in Redis.
    ResumeStatefulRedis,
}

impl Case {
    const ALL: [Case; 6] = [
        Case::Full,
        Case::ResumeStateful,
        Case::ResumeStateless,
        Case::ResumePskKe,
        Case::ResumeStatefulPskKe,
        Case::ResumeStatefulRedis,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::Full => "full",
            Case::ResumeStateful => "resume_stateful",
            Case::ResumeStateless => "resume_stateless",
            Case::ResumePskKe => "resume_psk_ke",
            Case::ResumeStatefulPskKe => "resume_stateful_psk_ke",
            Case::ResumeStatefulRedis => "resume_stateful_redis",
        }
    }

    /// The PSK mode a resumption must have used, `None` for a full handshake.
    fn psk_mode(self) -> Option<&'static str> {
        match self {
            Case::Full => None,
            Case::ResumeStateful | Case::ResumeStateless | Case::ResumeStatefulRedis => {
                Some("psk_dhe_ke")
            }
            Case::ResumePskKe | Case::ResumeStatefulPskKe => Some("psk_ke"),
        }
    }

    /// Which floor this case is measured against.
    fn floor(self) -> FloorOps {
        match self {
            Case::Full => FloorOps::FULL,
            Case::ResumeStateful | Case::ResumeStateless | Case::ResumeStatefulRedis => {
                FloorOps::RESUME_PSK_DHE_KE
            }
            Case::ResumePskKe | Case::ResumeStatefulPskKe => FloorOps::RESUME_PSK_KE,
        }
    }
}

// ---------------------------------------------------------------------------
// minitls
// ---------------------------------------------------------------------------

/// Shared minitls configs for one case: OS RNG and system clock (the
/// defaults), as a real client and server would have.
struct Minitls {
    case: Case,
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
}

impl Minitls {
    fn new(pki: &DemoPki, case: Case, redis: &BenchRedis) -> Self {
        let mut client = ClientConfig::new(pki.trust_anchors());
        let mut server = ServerConfig::new(vec![pki.server_cert.clone()], pki.server_key.clone());
        if case == Case::Full {
            client.session_cache = None;
            server.resumption = None;
        } else {
            client.session_cache = Some(Arc::new(Mutex::new(ClientSessionCache::new(8))));
            server.tickets_per_handshake = 1;
            let strategy: Arc<dyn ResumptionStrategy> = match case {
                Case::ResumeStateful | Case::ResumeStatefulPskKe => {
                    Arc::new(StatefulStrategy::in_memory(64))
                }
                Case::ResumeStatefulRedis => {
                    let store = RedisStore::open(&redis.url(), Duration::from_secs(1))
                        .expect("redis URL")
                        .with_log(|line| panic!("the bench's Redis failed: {line}"));
                    Arc::new(StatefulStrategy::new(Box::new(store)))
                }
                _ => Arc::new(Ticketer::new(3600)),
            };
            server.resumption = Some(strategy);
        }
        if case.psk_mode() == Some("psk_ke") {
            client.psk_modes = vec![PSK_KE];
            server.psk_modes = vec![PSK_DHE_KE, PSK_KE];
        }
        let m = Minitls {
            case,
            client: Arc::new(client),
            server: Arc::new(server),
        };
        if case != Case::Full {
            // Fill the client's cache with one full handshake.
            let first = m.handshake();
            assert!(!first.client.negotiated().resumed);
        }
        // Once, outside any timed loop: the case really is what it says.
        let pair = m.handshake();
        let (c, s) = (pair.client.negotiated(), pair.server.negotiated());
        assert_eq!(c.resumed, case != Case::Full, "{case:?}: client {c:?}");
        assert_eq!(s.resumed, case != Case::Full, "{case:?}: server {s:?}");
        assert_eq!(c.psk_mode, case.psk_mode(), "{case:?}");
        assert_eq!(s.psk_mode, case.psk_mode(), "{case:?}");
        assert!(
            !c.hello_retry_request,
            "{case:?}: unexpected HelloRetryRequest"
        );
        let strategy = match case {
            Case::Full => None,
            Case::ResumeStateful | Case::ResumeStatefulPskKe | Case::ResumeStatefulRedis => {
                Some("stateful")
            }
            Case::ResumeStateless | Case::ResumePskKe => Some("stateless"),
        };
        assert_eq!(s.resumption_strategy, strategy, "{case:?}");
        m
    }

    fn handshake(&self) -> Pair {
        let client = Connection::client(self.client.clone(), "localhost").expect("client starts");
        let server = Connection::server(self.server.clone());
        let mut pair = Pair::new(client, server);
        pair.drive().expect("handshake completes");
        assert!(pair.client.is_connected() && pair.server.is_connected());
        pair
    }

    /// One timed handshake. The `resumed` check costs a load and a compare,
    /// and stops a run from quietly measuring full handshakes should the
    /// ticket supply ever run dry.
    fn run(&self) {
        let pair = self.handshake();
        assert_eq!(pair.client.negotiated().resumed, self.case != Case::Full);
        black_box(pair);
    }

    /// One traced handshake, counted: what the floor for this case must
    /// contain, taken from minitls's own trace events.
    fn census(&self) -> Census {
        let (ct, st) = (Recorder::default(), Recorder::default());
        let client = Connection::client_with_observer(
            self.client.clone(),
            "localhost",
            Box::new(ct.clone()),
        )
        .expect("client starts");
        let server = Connection::server_with_observer(self.server.clone(), Box::new(st.clone()));
        let mut pair = Pair::new(client, server);
        pair.drive().expect("handshake completes");
        let mut census = Census::default();
        for event in ct.events().into_iter().chain(st.events()) {
            match event {
                RecordedEvent::Operation(op) => match op {
                    Operation::X25519KeyGen => census.x25519_keygens += 1,
                    Operation::X25519SharedSecret => census.x25519_dh += 1,
                    Operation::Ed25519Sign => census.ed25519_signs += 1,
                    Operation::Ed25519Verify => census.ed25519_verifies += 1,
                },
                // Each side hashes every handshake message but the tickets,
                // so the transcript is what both sides sent.
                RecordedEvent::MessageSent(name, bytes) if name != "NewSessionTicket" => {
                    census.transcript_len += bytes.len()
                }
                RecordedEvent::MessageSent(_, bytes) => {
                    if let Ok(HandshakeMessage::NewSessionTicket(nst)) =
                        HandshakeMessage::decode(&bytes)
                    {
                        census.tickets.push(nst.ticket.len());
                    }
                }
                // Header (5) and tag (16) off: what was sealed.
                RecordedEvent::RecordSent(_, true, bytes) => {
                    census.sealed_records.push(bytes.len() - 5 - 16)
                }
                _ => {}
            }
        }
        census
    }
}

/// What one traced minitls handshake did, both sides together.
#[derive(Debug, Default)]
struct Census {
    x25519_keygens: usize,
    x25519_dh: usize,
    ed25519_signs: usize,
    ed25519_verifies: usize,
    /// Bytes of handshake messages in the transcript.
    transcript_len: usize,
    /// Plaintext sizes of the protected records (each sealed by one side
    /// and opened by the other).
    sealed_records: Vec<usize>,
    /// Lengths of the tickets issued (each NewSessionTicket's `ticket`).
    tickets: Vec<usize>,
}

// ---------------------------------------------------------------------------
// rustls
// ---------------------------------------------------------------------------

/// Shared rustls configs for one case.
struct Rustls {
    case: Case,
    client: Arc<rustls::ClientConfig>,
    server: Arc<rustls::ServerConfig>,
}

impl Rustls {
    /// `None` for psk_ke, which rustls does not do.
    fn new(pki: &DemoPki, case: Case) -> Option<Self> {
        let mut client = common::rustls_client_config(pki);
        let mut server = common::rustls_server_config(pki);
        match case {
            Case::Full => {}
            Case::ResumeStateful => {
                client.resumption = rustls::client::Resumption::in_memory_sessions(8);
                server.session_storage = rustls::server::ServerSessionMemoryCache::new(64);
                server.send_tls13_tickets = 1;
            }
            Case::ResumeStateless => {
                client.resumption = rustls::client::Resumption::in_memory_sessions(8);
                server.ticketer = rustls::crypto::ring::Ticketer::new().expect("ticketer");
                server.send_tls13_tickets = 1;
            }
            Case::ResumePskKe | Case::ResumeStatefulPskKe | Case::ResumeStatefulRedis => {
                return None;
            }
        }
        let r = Rustls {
            case,
            client: Arc::new(client),
            server: Arc::new(server),
        };
        if case != Case::Full {
            let (c, _) = r.handshake();
            assert_eq!(c.handshake_kind(), Some(rustls::HandshakeKind::Full));
        }
        let (c, s) = r.handshake();
        let expected = match case {
            Case::Full => rustls::HandshakeKind::Full,
            _ => rustls::HandshakeKind::Resumed,
        };
        assert_eq!(c.handshake_kind(), Some(expected), "rustls {case:?}");
        assert_eq!(s.handshake_kind(), Some(expected), "rustls {case:?}");
        Some(r)
    }

    fn handshake(&self) -> (rustls::Connection, rustls::Connection) {
        let (mut c, mut s) = common::rustls_pair(&self.client, &self.server);
        common::rustls_drive(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking());
        (c, s)
    }

    fn run(&self) {
        let (c, s) = self.handshake();
        let resumed = c.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        assert_eq!(resumed, self.case != Case::Full);
        black_box((c, s));
    }
}

// ---------------------------------------------------------------------------
// The crypto floor
// ---------------------------------------------------------------------------

/// The primitive operations of one handshake, client and server together,
/// counted by reading src/client.rs, src/server.rs, src/key_schedule.rs and
/// src/connection.rs (and checked against a traced handshake where minitls
/// reports the operation: the X25519 and Ed25519 counts, the transcript
/// length and the protected records).
///
/// Full handshake, per side (each side runs the same key schedule):
///
/// | step | Extract | Expand (with a hash as context) | Expand (short) | HMAC |
/// |---|---|---|---|---|
/// | Early Secret | 1 | | | |
/// | Derive-Secret(., "derived", "") + Handshake Secret | 1 | 1 | | |
/// | c hs traffic, s hs traffic | | 2 | | |
/// | handshake key + iv, both directions | | | 4 | |
/// | finished_key + verify_data, own and peer's Finished | | | 2 | 2 |
/// | "derived" + Master Secret | 1 | 1 | | |
/// | c ap traffic, s ap traffic, exp master | | 3 | | |
/// | application key + iv, both directions | | | 4 | |
/// | res master | | 1 | | |
/// | **total per side** | **3** | **8** | **10** | **2** |
///
/// A resumption adds, per side: a second Early Secret (the binder's and the
/// schedule's are computed apart: +1 Extract), the res binder key (+1 long
/// Expand), the binder's finished_key (+1 short Expand) and the binder HMAC
/// (+1 HMAC); and per ticket one Expand on each side for its PSK.
///
/// Asymmetric operations: X25519 one keygen and one DH per side (none in
/// psk_ke); Ed25519 one CertificateVerify signature (server) and, on the
/// client, two verifications: the leaf certificate under the CA key and the
/// CertificateVerify (none when resumed). Transcript: each side hashes every
/// handshake message once and takes about six snapshots (clone + finalize),
/// plus SHA-256("") for each "derived" and the binder key. AEAD: each
/// protected record is sealed by one side and opened by the other. Random
/// bytes: the ones RFC 8446 requires from a secure RNG, ClientHello.random
/// and ServerHello.random (§4.1.2, §4.1.3, 32 bytes each) and each
/// ticket's ticket_age_add (§4.6.1, 4 bytes), drawn in one call; not the
/// legacy_session_id of compatibility mode, which "need not be random"
/// (§4.1.2).
///
/// Not in the floor: what one resumption strategy does and the other does
/// not. The stateless ticketer seals each ticket it issues and opens the
/// one it is offered, a ~100-byte session each time (about 3.4 µs for the
/// pair on the bench machine: ChaCha20-Poly1305 costs about 1.7 µs a call
/// on short inputs); the stateful server looks its sessions up and stores
/// new ones. Counting either would have hidden the difference between the
/// strategies, which `resume_psk_ke` and `resume_stateful_psk_ke` (or
/// `resume_stateless` and `resume_stateful`) show against the same floor.
/// Two extra rows of the table, `stateless+ticket_aead` and
/// `psk_ke+ticket_aead`, time the stateless handshakes against a floor
/// that also counts the ticket's seal and open ([`Floor::run_with_tickets`]).
#[derive(Clone, Copy, Debug)]
struct FloorOps {
    name: &'static str,
    x25519_keygens: usize,
    x25519_dh: usize,
    ed25519_signs: usize,
    ed25519_verifies: usize,
    hkdf_extracts: usize,
    /// HKDF-Expand-Label with a 32-byte hash as context (Derive-Secret).
    hkdf_expands_long: usize,
    /// HKDF-Expand-Label with an empty or 2-byte context (key, iv, finished,
    /// resumption).
    hkdf_expands_short: usize,
    hmacs: usize,
    /// Transcript snapshots per side.
    transcript_snapshots: usize,
    /// SHA-256("") per side.
    empty_hashes: usize,
    /// Bytes the RFC requires from a secure RNG, both sides together.
    random_bytes: usize,
}

impl FloorOps {
    const FULL: FloorOps = FloorOps {
        name: "full",
        x25519_keygens: 2,
        x25519_dh: 2,
        ed25519_signs: 1,
        ed25519_verifies: 2,
        hkdf_extracts: 2 * 3,
        hkdf_expands_long: 2 * 8,
        hkdf_expands_short: 2 * 10,
        hmacs: 2 * 2,
        transcript_snapshots: 6,
        empty_hashes: 2,
        // ClientHello.random + ServerHello.random.
        random_bytes: 32 + 32,
    };

    /// One ticket per handshake.
    const RESUME_PSK_DHE_KE: FloorOps = FloorOps {
        name: "resume_psk_dhe_ke",
        x25519_keygens: 2,
        x25519_dh: 2,
        ed25519_signs: 0,
        ed25519_verifies: 0,
        hkdf_extracts: 2 * 4,
        hkdf_expands_long: 2 * 9,
        hkdf_expands_short: 2 * 11 + 2,
        hmacs: 2 * 3,
        transcript_snapshots: 6,
        empty_hashes: 3,
        // The two hellos' randoms + the ticket's ticket_age_add.
        random_bytes: 32 + 32 + 4,
    };

    const RESUME_PSK_KE: FloorOps = FloorOps {
        name: "resume_psk_ke",
        x25519_keygens: 0,
        x25519_dh: 0,
        ..FloorOps::RESUME_PSK_DHE_KE
    };

    fn hkdf_expands(&self) -> usize {
        self.hkdf_expands_long + self.hkdf_expands_short
    }
}

/// The floor, ready to run: keys, messages and sizes prepared once.
struct Floor {
    ops: FloorOps,
    /// The server's key, built once as a server would hold it.
    signing_key: ed25519_dalek::SigningKey,
    /// What CertificateVerify signs: 64 spaces, context string, 0, hash.
    cv_content: Vec<u8>,
    /// The leaf's tbsCertificate, signature and CA key, checked as a client does.
    tbs: Vec<u8>,
    cert_signature: ed25519_dalek::Signature,
    ca_public: [u8; 32],
    transcript: Vec<u8>,
    /// Plaintext sizes of the protected records.
    records: Vec<usize>,
    /// The OS RNG, pooled and kept from run to run like a config's (a new
    /// one per run would pay a `getrandom` call each handshake that
    /// minitls, drawing from its configs' pools, mostly does not).
    rng: SharedRng,
    /// Plaintext sizes of the stateless tickets a resumption seals (one
    /// per ticket issued) and opens (the one offered, the same size): see
    /// [`Floor::run_with_tickets`].
    tickets: Vec<usize>,
}

impl Floor {
    fn new(pki: &DemoPki, ops: FloorOps, census: &Census) -> Self {
        // The floor must contain what minitls really does.
        let asymmetric = (
            census.x25519_keygens,
            census.x25519_dh,
            census.ed25519_signs,
            census.ed25519_verifies,
        );
        let listed = (
            ops.x25519_keygens,
            ops.x25519_dh,
            ops.ed25519_signs,
            ops.ed25519_verifies,
        );
        assert_eq!(
            asymmetric, listed,
            "floor/{}: minitls's trace counts (keygen, DH, sign, verify) differ from FloorOps",
            ops.name
        );
        assert_eq!(ops.x25519_keygens, ops.x25519_dh);
        let leaf = Certificate::from_der(&pki.server_cert).expect("demo leaf parses");
        let mut cv_content = vec![0x20; 64];
        cv_content.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
        cv_content.extend_from_slice(&[0xab; 32]);
        Floor {
            ops,
            signing_key: ed25519_dalek::SigningKey::from_bytes(pki.server_key.seed()),
            cv_content,
            tbs: leaf.tbs_certificate_der().to_vec(),
            cert_signature: ed25519_dalek::Signature::from_slice(&leaf.signature_value)
                .expect("64-byte signature"),
            ca_public: pki.ca_key.public_key(),
            transcript: vec![0x16; census.transcript_len],
            records: census.sealed_records.clone(),
            rng: os_rng(),
            // Key id, nonce and tag off: what the ticketer sealed.
            tickets: census.tickets.iter().map(|len| len - 4 - 12 - 16).collect(),
        }
    }

    /// The floor of a stateless server, which cannot avoid sealing each
    /// ticket it issues and opening the one it is offered: [`Floor::run`]
    /// plus one ChaCha20-Poly1305 seal and one open per ticket, the key id
    /// as additional data, as `Ticketer` does.
    fn run_with_tickets(&self) {
        self.run();
        for &len in &self.tickets {
            let cipher = ChaCha20Poly1305::new(&Key::from([9u8; 32]));
            let nonce = Nonce::from([5u8; 12]);
            let key_id = [1u8; 4];
            let mut buf = vec![0x2au8; len];
            let tag = cipher
                .encrypt_inout_detached(&nonce, &key_id, buf.as_mut_slice().into())
                .expect("seal");
            let opener = ChaCha20Poly1305::new(&Key::from([9u8; 32]));
            opener
                .decrypt_inout_detached(&nonce, &key_id, buf.as_mut_slice().into(), &tag)
                .expect("open");
            black_box(buf);
        }
    }

    /// One handshake's worth of primitive operations.
    fn run(&self) {
        let ops = &self.ops;

        // X25519: each side makes a key pair and agrees with the other's,
        // drawing from a shared pooled OS RNG as each minitls config does.
        let secrets: Vec<_> = (0..ops.x25519_keygens)
            .map(|_| {
                with_rng(&self.rng, |rng| {
                    x25519_dalek::EphemeralSecret::random_from_rng(rng)
                })
            })
            .collect();
        let publics: Vec<_> = secrets.iter().map(x25519_dalek::PublicKey::from).collect();
        let n = publics.len();
        for (i, secret) in secrets.into_iter().enumerate() {
            let shared = secret.diffie_hellman(&publics[(i + 1) % n]);
            black_box(shared.was_contributory());
        }

        // The random values the RFC requires (see `FloorOps::random_bytes`).
        let mut randoms = [0u8; 32 + 32 + 4];
        with_rng(&self.rng, |rng| {
            rng.fill_bytes(&mut randoms[..ops.random_bytes]);
        });
        black_box(randoms);

        // Ed25519: the server signs CertificateVerify; the client checks the
        // leaf certificate under the CA key, then CertificateVerify.
        let mut cv_signature = None;
        for _ in 0..ops.ed25519_signs {
            cv_signature = Some(self.signing_key.sign(black_box(&self.cv_content)));
        }
        if ops.ed25519_verifies > 0 {
            let ca = ed25519_dalek::VerifyingKey::from_bytes(black_box(&self.ca_public))
                .expect("CA key");
            ca.verify_strict(&self.tbs, &self.cert_signature)
                .expect("leaf signature");
            let leaf = ed25519_dalek::VerifyingKey::from_bytes(black_box(
                self.signing_key.verifying_key().as_bytes(),
            ))
            .expect("leaf key");
            let cv_signature = cv_signature.expect("a full handshake signs");
            leaf.verify_strict(&self.cv_content, &cv_signature)
                .expect("CertificateVerify");
        }
        debug_assert!(ops.ed25519_verifies == 0 || ops.ed25519_verifies == 2);

        // Transcript hash, each side.
        for _ in 0..2 {
            let mut h = Sha256::new();
            h.update(black_box(&self.transcript));
            for _ in 0..ops.transcript_snapshots {
                black_box(h.clone().finalize());
            }
            for _ in 0..ops.empty_hashes {
                black_box(Sha256::digest(black_box(b"")));
            }
        }

        // Key schedule.
        let mut secret = [0x42u8; 32];
        for _ in 0..ops.hkdf_extracts {
            let (prk, _) = hkdf::Hkdf::<Sha256>::extract(Some(&secret), black_box(&[7u8; 32]));
            secret = prk.into();
        }
        let long_info = [0x5au8; 2 + 1 + 18 + 1 + 32];
        let short_info = [0x5au8; 2 + 1 + 12 + 1];
        for i in 0..ops.hkdf_expands() {
            let info: &[u8] = if i < ops.hkdf_expands_long {
                &long_info
            } else {
                &short_info
            };
            let hk = hkdf::Hkdf::<Sha256>::from_prk(black_box(&secret)).expect("32-byte PRK");
            let mut out = [0u8; 32];
            hk.expand(info, &mut out).expect("32 bytes");
            black_box(out);
        }
        for _ in 0..ops.hmacs {
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(black_box(&secret)).expect("key");
            mac.update(&[1u8; 32]);
            black_box(mac.finalize());
        }

        // Records: each protected record sealed by one side, opened by the other.
        for &len in &self.records {
            let cipher = ChaCha20Poly1305::new(&Key::from(secret));
            let nonce = Nonce::from([3u8; 12]);
            let aad = [0x17, 0x03, 0x03, 0, 0];
            let mut buf = vec![0x16u8; len];
            let tag = cipher
                .encrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into())
                .expect("seal");
            let opener = ChaCha20Poly1305::new(&Key::from(secret));
            opener
                .decrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into(), &tag)
                .expect("open");
            black_box(buf);
        }
    }
}

// ---------------------------------------------------------------------------
// main: criterion groups, then the ratio table
// ---------------------------------------------------------------------------

fn main() {
    let pki = pki_now();
    // A first use of the OS RNG, so its setup is not inside any measurement.
    drop(os_rng());

    let redis = BenchRedis::start();
    let minitls: Vec<Minitls> = Case::ALL
        .iter()
        .map(|&c| Minitls::new(&pki, c, &redis))
        .collect();
    let rustls: Vec<Option<Rustls>> = Case::ALL.iter().map(|&c| Rustls::new(&pki, c)).collect();
    // One floor per case, checked against a traced minitls handshake.
    let floors: Vec<Floor> = minitls
        .iter()
        .map(|m| {
            let census = m.census();
            Floor::new(&pki, m.case.floor(), &census)
        })
        .collect();

    let mut rows: Vec<Row<'_>> = minitls
        .iter()
        .zip(&rustls)
        .zip(&floors)
        .map(|((m, r), f)| Row {
            case: m.case.name(),
            minitls: Box::new(|| m.run()),
            rustls: r
                .as_ref()
                .map(|r| Box::new(|| r.run()) as common::Runner<'_>),
            floor: Box::new(|| f.run()),
        })
        .collect();
    // The stateless cases again, against a floor that also counts the
    // ticket's seal and open (the table's own floor leaves them out, so
    // that both strategies are held to the same floor).
    for ((m, r), f) in minitls.iter().zip(&rustls).zip(&floors) {
        let name = match m.case {
            Case::ResumeStateless => "stateless+ticket_aead",
            Case::ResumePskKe => "psk_ke+ticket_aead",
            _ => continue,
        };
        assert!(!f.tickets.is_empty(), "{name}: a ticket was issued");
        rows.push(Row {
            case: name,
            minitls: Box::new(|| m.run()),
            rustls: r
                .as_ref()
                .map(|r| Box::new(|| r.run()) as common::Runner<'_>),
            floor: Box::new(|| f.run_with_tickets()),
        });
    }
    if let Some((name, calls)) = profile_request() {
        run_profile(&mut rows, &name, calls);
        return;
    }

    let mut criterion = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    {
        let mut group = criterion.benchmark_group("minitls");
        for m in &minitls {
            group.bench_function(m.case.name(), |b| b.iter(|| m.run()));
        }
        group.finish();
    }
    {
        let mut group = criterion.benchmark_group("rustls");
        for r in rustls.iter().flatten() {
            group.bench_function(r.case.name(), |b| b.iter(|| r.run()));
        }
        group.finish();
    }
    {
        let mut group = criterion.benchmark_group("floor");
        // The resumption floors are shared by the stateful and stateless cases.
        let floor_of = |case| &floors[Case::ALL.iter().position(|&c| c == case).expect("a case")];
        for f in [
            floor_of(Case::Full),
            floor_of(Case::ResumeStateful),
            floor_of(Case::ResumePskKe),
        ] {
            group.bench_function(f.ops.name, |b| b.iter(|| f.run()));
        }
        group.finish();
    }
    criterion.final_summary();

    if !measuring() {
        return;
    }
    for (m, f) in minitls.iter().zip(&floors) {
        println!(
            "floor/{} for {}: {} X25519 keygen + {} DH, {} Ed25519 sign + {} verify, \
             {} HKDF-Extract + {} HKDF-Expand + {} HMAC, transcript {} B x 2 sides, \
             {} random bytes, AEAD seal+open of records {:?} B",
            f.ops.name,
            m.case.name(),
            f.ops.x25519_keygens,
            f.ops.x25519_dh,
            f.ops.ed25519_signs,
            f.ops.ed25519_verifies,
            f.ops.hkdf_extracts,
            f.ops.hkdf_expands(),
            f.ops.hmacs,
            f.transcript.len(),
            f.ops.random_bytes,
            f.records,
        );
    }
    print_ratio_table("Handshakes (client + server)", "µs", &mut rows, 11, 150);
    let minitls_of = |case| minitls.iter().find(|m| m.case == case).expect("a case");
    print_store_ratio(
        minitls_of(Case::ResumeStateful),
        minitls_of(Case::ResumeStatefulRedis),
        7,
        150,
    );
}

/// The Redis store against the in-memory one: both stateful resumptions
/// timed in turn, `rounds` times `iters` calls, medians compared (the same
/// interleaving as the ratio table, for the same reason).
fn print_store_ratio(memory: &Minitls, redis: &Minitls, rounds: usize, iters: u32) {
    let time = |m: &Minitls| {
        let started = std::time::Instant::now();
        for _ in 0..iters {
            m.run();
        }
        started.elapsed().as_secs_f64() * 1e6 / f64::from(iters)
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(time(memory));
        b.push(time(redis));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut a), median(&mut b));
    println!();
    println!(
        "Session store: resume_stateful_redis {b:.1} µs / resume_stateful (in memory) {a:.1} µs \
         = {:.2}x (median of {rounds} interleaved rounds x {iters} handshakes)",
        b / a
    );
}

// ---------------------------------------------------------------------------
// The bench's own Redis
// ---------------------------------------------------------------------------

/// A `redis-server` on a free 127.0.0.1 port with no persistence, killed
/// when dropped (at the end of `main`, or when a panic unwinds it).
struct BenchRedis {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl BenchRedis {
    fn start() -> BenchRedis {
        let dir = std::env::temp_dir().join(format!("minitls-bench-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir for redis-server");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start redis-server (Debian package redis-server; .ci/run installs it)");
        let redis = BenchRedis { child, port, dir };
        let store = RedisStore::open(&redis.url(), Duration::from_millis(200)).expect("redis URL");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        // Within the store's back-off a failed PING answers at once; keep
        // asking until one really reaches Redis.
        while !store.ping() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for BenchRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
