//! Client and server configuration, with randomness and time injected.
//!
//! The state machines never read the operating system: every random byte
//! comes from the config's [`SharedRng`] and every "now" from its
//! [`Clock`] (DESIGN.md principle 7). Production code passes the OS RNG and
//! the system clock; tests and the book pass a seeded RNG and a
//! [`FixedClock`], which makes a whole handshake byte-for-byte reproducible.

use std::sync::{Arc, Mutex};

use crate::crypto::{self, Ed25519PrivateKey, Rng};
use crate::messages::PSK_DHE_KE;
use crate::pki::verify::TrustAnchors;
use crate::resumption::ResumptionStrategy;
use crate::resumption::client_cache::ClientSessionCache;
pub use crate::time::{Clock, FixedClock, SystemClock, UnixTime};

/// An RNG shared by every connection made from one config.
pub type SharedRng = Arc<Mutex<dyn Rng>>;

/// The OS RNG, shareable.
pub fn os_rng() -> SharedRng {
    Arc::new(Mutex::new(crypto::os_rng()))
}

/// What a client needs to know before it connects.
pub struct ClientConfig {
    /// The CAs whose certificates end a valid chain (RFC 5280 §6).
    pub trust_anchors: TrustAnchors,
    /// Where every random byte comes from: ClientHello.random, the X25519 key,
    /// the legacy_session_id. The OS RNG by default.
    pub rng: SharedRng,
    /// Where "now" comes from: certificate validity and ticket ages. The system
    /// clock by default.
    pub clock: Arc<dyn Clock>,
    /// Send a 32-byte legacy_session_id and a change_cipher_spec before the
    /// second flight, so middleboxes see something like TLS 1.2 resumption
    /// (RFC 8446 Appendix D.4). On by default, as in most clients.
    pub middlebox_compatibility: bool,
    /// Where tickets are kept for resumption; `None` never resumes (and
    /// does not send psk_key_exchange_modes, so servers send no tickets).
    pub session_cache: Option<Arc<Mutex<ClientSessionCache>>>,
    /// The PSK key exchange modes we offer, in preference order
    /// (RFC 8446 §4.2.9): psk_dhe_ke keeps forward secrecy; psk_ke saves
    /// the X25519 operations but does not.
    pub psk_modes: Vec<u8>,
    /// Send an X25519 share in the first ClientHello (the default). Turn it
    /// off to watch a server ask for one with a HelloRetryRequest (RFC 8446
    /// §4.1.4): one more round trip, for teaching.
    pub initial_key_share: bool,
    /// The application protocols to offer in application_layer_protocol_negotiation,
    /// most preferred first (RFC 7301 §3.1), e.g. `b"http/1.1"`. Empty (the
    /// default) sends no ALPN extension. Each name is 1 to 255 bytes; the
    /// connection refuses to start otherwise.
    pub alpn_protocols: Vec<Vec<u8>>,
    /// The certificate and key to answer a CertificateRequest with (RFC
    /// 8446 §4.4.2); `None` answers with an empty Certificate.
    pub client_certificate: Option<ClientCertificate>,
}

/// A client's certificate chain and the key of its leaf, for mutual TLS.
#[derive(Clone)]
pub struct ClientCertificate {
    /// DER certificates, leaf first, as sent in the Certificate message.
    pub certificate_chain: Vec<Vec<u8>>,
    /// The Ed25519 key of the leaf certificate: it signs CertificateVerify.
    pub private_key: Ed25519PrivateKey,
}

/// Whether a server that asks for a client certificate insists on one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMode {
    /// An empty client Certificate is `certificate_required` (RFC 8446 §4.4.2.4).
    Required,
    /// An empty client Certificate lets the handshake go on, the client
    /// unauthenticated (RFC 8446 §4.4.2.4: "MAY ... continue the handshake
    /// without client authentication").
    Optional,
}

/// A server's side of mutual TLS: send a CertificateRequest (RFC 8446
/// §4.3.2) in every full handshake and check the answer against these CAs.
#[derive(Clone, Debug)]
pub struct ClientAuth {
    /// The CAs a client's chain must lead to.
    pub trust_anchors: TrustAnchors,
    /// Whether a client without a certificate is refused.
    pub mode: ClientAuthMode,
}

impl ClientConfig {
    /// A client trusting `trust_anchors`, with the OS RNG, the system clock,
    /// middlebox compatibility on, a 32-ticket session cache, psk_dhe_ke only,
    /// and an X25519 share in the first ClientHello.
    pub fn new(trust_anchors: TrustAnchors) -> Self {
        ClientConfig {
            trust_anchors,
            rng: os_rng(),
            clock: Arc::new(SystemClock),
            middlebox_compatibility: true,
            session_cache: Some(Arc::new(Mutex::new(ClientSessionCache::new(32)))),
            psk_modes: vec![PSK_DHE_KE],
            initial_key_share: true,
            alpn_protocols: Vec::new(),
            client_certificate: None,
        }
    }
}

/// What a server needs: its certificate chain and private key.
pub struct ServerConfig {
    /// DER certificates, leaf first, as sent in the Certificate message.
    pub certificate_chain: Vec<Vec<u8>>,
    /// The Ed25519 key of the leaf certificate.
    pub private_key: Ed25519PrivateKey,
    /// Where every random byte comes from: ServerHello.random, the X25519 key,
    /// ticket nonces and identifiers. The OS RNG by default.
    pub rng: SharedRng,
    /// Where "now" comes from: ticket issue times, ages and expiry. The
    /// system clock by default.
    pub clock: Arc<dyn Clock>,
    // ANCHOR: primer_strategy_field
    /// How sessions are found again: `None` issues no tickets.
    pub resumption: Option<Arc<dyn ResumptionStrategy>>,
    // ANCHOR_END: primer_strategy_field
    /// NewSessionTicket messages after each handshake (default 2, so a
    /// client can open two connections without reusing a ticket).
    pub tickets_per_handshake: usize,
    /// ticket_lifetime in seconds; capped at 7 days (RFC 8446 §4.6.1).
    pub ticket_lifetime: u32,
    /// The PSK modes we accept (RFC 8446 §4.2.9); psk_dhe_ke by default.
    pub psk_modes: Vec<u8>,
    /// How far the client's idea of a ticket's age may be from ours, in
    /// milliseconds (RFC 8446 §8.3 suggests a window of about 10 s).
    pub ticket_age_tolerance_ms: u64,
    /// At most this many PSK identities are tried from one ClientHello.
    pub max_psk_identities: usize,
    /// The application protocols we speak, most preferred first. When a
    /// client offers ALPN, the first of these it also offers is chosen;
    /// none in common is `no_application_protocol` (RFC 7301 §3.2). Empty
    /// (the default) ignores the client's offer, as a server without ALPN
    /// does. (`minitls server` passes `http/1.1` unless told otherwise.)
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Ask clients for a certificate (mutual TLS); `None` never asks.
    pub client_auth: Option<ClientAuth>,
    /// The most 0-RTT data we accept on a resumed connection, in bytes
    /// (RFC 8446 §4.2.10, §4.6.1): advertised in every ticket we issue as
    /// `max_early_data_size`. 0 (the default) turns early data off: our
    /// tickets do not allow it and a client's 0-RTT is skipped. Early
    /// data can be replayed (RFC 8446 §8, §E.5): turn it on only for
    /// requests that are safe to run twice.
    pub max_early_data_size: u32,
}

impl ServerConfig {
    /// A server presenting `certificate_chain` (leaf first) and signing with
    /// `private_key`, with the OS RNG, the system clock and no resumption; set
    /// [`ServerConfig::resumption`] to issue tickets.
    pub fn new(certificate_chain: Vec<Vec<u8>>, private_key: Ed25519PrivateKey) -> Self {
        ServerConfig {
            certificate_chain,
            private_key,
            rng: os_rng(),
            clock: Arc::new(SystemClock),
            resumption: None,
            tickets_per_handshake: 2,
            // Two hours: long enough for a browsing session, short enough
            // to bound how long a stolen ticket (or ticket key) is useful.
            ticket_lifetime: 7200,
            psk_modes: vec![PSK_DHE_KE],
            ticket_age_tolerance_ms: 10_000,
            max_psk_identities: 4,
            alpn_protocols: Vec::new(),
            client_auth: None,
            max_early_data_size: 0,
        }
    }
}

/// Draw random bytes from a shared RNG. A poisoned lock (a panic in another
/// thread while it held the RNG) still yields a usable RNG: the RNG's state
/// is not corrupted by a panic elsewhere.
pub fn with_rng<T>(rng: &SharedRng, f: impl FnOnce(&mut dyn Rng) -> T) -> T {
    let mut guard = rng.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut *guard)
}

/// The shared RNG, locked for each draw and only for it. For work that
/// draws a few bytes in the middle of something slow (a resumption
/// strategy issuing a ticket: an AEAD seal, a store's insert, a Redis
/// round trip), so that every other connection's draws do not wait for it
/// to finish. The bytes are the shared RNG's own, in the same order.
pub struct LockedPerDraw<'a>(pub &'a SharedRng);

impl rand_core::TryRng for LockedPerDraw<'_> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(with_rng(self.0, |rng| rng.next_u32()))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(with_rng(self.0, |rng| rng.next_u64()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        with_rng(self.0, |rng| rng.fill_bytes(dst));
        Ok(())
    }
}

impl rand_core::TryCryptoRng for LockedPerDraw<'_> {}
