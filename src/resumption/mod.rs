//! Session resumption: what a resumable session is, and the two ways a
//! server can find it again (RFC 8446 §2.2, §4.6.1, §4.2.11).
//!
//! In TLS 1.3 both classic resumption ideas travel in the same messages.
//! After a handshake the server sends NewSessionTicket messages; each
//! carries an opaque `ticket` that the client later offers back as a
//! `pre_shared_key` identity. What differs is what the ticket *is*:
//!
//! - **stateful** ([`store::StatefulStrategy`], "session ID"): the ticket is
//!   a random ID; the server keeps ID → [`Session`] in a store. The server
//!   pays memory per session and can revoke a session by deleting it; a
//!   fleet of servers needs a shared store.
//! - **stateless** ([`ticketer::Ticketer`], "session ticket"): the ticket is
//!   the [`Session`] itself, encoded and sealed with a key only the server
//!   knows. The server keeps only the key; a fleet shares the key; a
//!   session cannot be revoked before it expires, only all of them by
//!   rotating the key.
//!
//! A fleet of stateless servers shares its keys through a key file that
//! the operator rotates ([`ticket_keys::TicketKeys`], read by
//! [`ticketer::Ticketer::from_keys`]), so any server opens any server's
//! ticket.
//!
//! Both are one trait, [`ResumptionStrategy`], so the handshake code is the
//! same for both and the book can compare them side by side. A fleet of
//! stateful servers shares one store through [`redis::RedisStore`].

pub mod client_cache;
pub mod peer_identity;
pub mod redis;
pub mod store;
pub mod strike_register;
pub mod ticket_keys;
pub mod ticketer;

use crate::codec::{Reader, Writer};
use crate::crypto::Rng;
use crate::error::Error;
use crate::key_schedule::Secret;
use crate::time::UnixTime;

/// The most a ticket may live: "Servers MUST NOT use any value greater
/// than 604800 seconds (7 days)" (RFC 8446 §4.6.1).
pub const MAX_TICKET_LIFETIME: u32 = 604_800;

/// A session the server is willing to resume.
///
/// Encoded in the presentation language, as the stateless strategy seals it
/// (and as the stateful one measures what it keeps):
///
/// ```text
/// struct {
///     ProtocolVersion version = 0x0304;
///     CipherSuite cipher_suite;
///     uint64 created_at;               /* ms since the Unix epoch */
///     uint32 ticket_lifetime;          /* seconds */
///     uint32 ticket_age_add;
///     opaque server_name<0..2^8-1>;    /* SNI it was issued under */
///     opaque resumption_psk<32..2^8-1>;
///     opaque peer_identity<0..2^24-1>; /* PeerIdentity, or empty */
///     /* Present only when the ticket allows early data (RFC 8446
///        §4.2.10), so sessions without it keep their old bytes: */
///     uint32 max_early_data_size;      /* as sent in the ticket */
///     opaque alpn_protocol<0..2^8-1>;  /* ALPN chosen, or empty */
/// } Session;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The cipher suite of the original connection; a PSK may only be used with
    /// the same hash (RFC 8446 §4.2.11).
    pub cipher_suite: u16,
    /// The PSK this ticket stands for: HKDF-Expand-Label(resumption_master_secret,
    /// "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1).
    pub psk: Secret,
    /// When the ticket was issued, by the server's clock.
    pub created_at: UnixTime,
    /// `ticket_lifetime` as sent in the NewSessionTicket, in seconds.
    pub ticket_lifetime: u32,
    /// `ticket_age_add` as sent: subtracted from `obfuscated_ticket_age` to
    /// learn the client's idea of the ticket's age (RFC 8446 §4.2.11.1).
    pub ticket_age_add: u32,
    /// The server name the session was established under; RFC 8446 §4.6.1
    /// lets a server refuse a PSK offered for another name.
    pub server_name: String,
    /// What the server authenticated of the client (empty: nothing): a
    /// [`peer_identity::PeerIdentity`], encoded.
    pub peer_identity: Vec<u8>,
    /// The `max_early_data_size` the ticket advertised (RFC 8446 §4.6.1);
    /// 0: the ticket allows no early data.
    pub max_early_data_size: u32,
    /// The application protocol the session negotiated (empty: none):
    /// 0-RTT is accepted only if the new handshake chooses the same
    /// (RFC 8446 §4.2.10).
    pub alpn_protocol: Vec<u8>,
}

impl Session {
    // ANCHOR: session_encode
    /// The `Session` structure above, in bytes: what a ticketer seals or a
    /// store keeps.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        w.u16(crate::messages::TLS13);
        w.u16(self.cipher_suite);
        w.u64(self.created_at.0);
        w.u32(self.ticket_lifetime);
        w.u32(self.ticket_age_add);
        w.opaque_u8(self.server_name.as_bytes());
        w.opaque_u8(self.psk.as_bytes());
        w.opaque_u24(&self.peer_identity);
        if self.max_early_data_size > 0 {
            w.u32(self.max_early_data_size);
            w.opaque_u8(&self.alpn_protocol);
        }
        w.into_bytes()
    }
    // ANCHOR_END: session_encode

    /// Parse what [`Session::encode`] wrote; `decode_error` for anything else,
    /// including a version other than TLS 1.3.
    pub fn decode(bytes: &[u8]) -> Result<Session, Error> {
        let mut r = Reader::new(bytes);
        if r.u16("version")? != crate::messages::TLS13 {
            return Err(Error::decode("version"));
        }
        let cipher_suite = r.u16("cipher_suite")?;
        let created_at = UnixTime(r.u64("created_at")?);
        let ticket_lifetime = r.u32("ticket_lifetime")?;
        let ticket_age_add = r.u32("ticket_age_add")?;
        let server_name = String::from_utf8(r.opaque_u8("server_name", 0..=255)?.to_vec())
            .map_err(|_| Error::decode("server_name"))?;
        let psk: [u8; 32] = r
            .opaque_u8("resumption_psk", 32..=32)?
            .try_into()
            .map_err(|_| Error::decode("resumption_psk"))?;
        let peer_identity = r.opaque_u24("peer_identity", 0..=(1 << 24) - 1)?.to_vec();
        let (mut max_early_data_size, mut alpn_protocol) = (0, Vec::new());
        if !r.is_empty() {
            max_early_data_size = r.u32("max_early_data_size")?;
            alpn_protocol = r.opaque_u8("alpn_protocol", 0..=255)?.to_vec();
        }
        r.finish("Session")?;
        Ok(Session {
            cipher_suite,
            psk: Secret::from_bytes(psk),
            created_at,
            ticket_lifetime,
            ticket_age_add,
            server_name,
            peer_identity,
            max_early_data_size,
            alpn_protocol,
        })
    }

    /// Whether the session has outlived its ticket_lifetime at `now`.
    pub fn is_expired(&self, now: UnixTime) -> bool {
        now.0.saturating_sub(self.created_at.0) > u64::from(self.ticket_lifetime) * 1000
    }
}

/// Why a server did not resume with an offered ticket. Never an error: the
/// handshake falls back to a full one (RFC 8446 §4.2.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Stateful: no such ID (never issued, evicted, or already used).
    NotFound,
    /// The session outlived its ticket_lifetime.
    Expired,
    /// Stateless: the ticket names a key we no longer (or never) had.
    UnknownKey,
    /// Stateless: the AEAD tag did not verify (tampered, or forged).
    Undecryptable,
    /// The ticket was issued for another server name.
    WrongServerName,
    /// The client's idea of the ticket's age is too far from ours.
    StaleTicketAge,
    /// The session was made with a cipher suite we no longer use.
    WrongCipherSuite,
    /// Stateful: the session store did not answer in time (a networked
    /// store that is down or slow).
    StoreUnavailable,
    /// Stateful: what the store holds under this ID is not a session we
    /// wrote (corrupt, or another program's value).
    Unreadable,
    /// The server requires a client certificate and the session has no
    /// authenticated client (made before client authentication was
    /// turned on): a full handshake asks for the certificate.
    ClientNotAuthenticated,
}

// ANCHOR: primer_rejection_reason
impl Rejection {
    /// A sentence for the trace and `--explain`, in [`ResumptionEvent::Rejected`](crate::trace::ResumptionEvent::Rejected).
    pub fn reason(self) -> &'static str {
        match self {
            Rejection::NotFound => "ticket not found in the store (evicted, expired or used)",
            Rejection::Expired => "ticket expired",
            Rejection::UnknownKey => "ticket sealed under a key we do not have (rotated out?)",
            Rejection::Undecryptable => "ticket failed to decrypt (tampered?)",
            Rejection::WrongServerName => "ticket was issued for another server name",
            Rejection::StaleTicketAge => "obfuscated_ticket_age outside the accepted window",
            Rejection::WrongCipherSuite => "ticket's cipher suite is not ours",
            Rejection::StoreUnavailable => "session store unavailable (down or too slow)",
            Rejection::Unreadable => "stored value is not a session we wrote (corrupt?)",
            Rejection::ClientNotAuthenticated => {
                "session has no client certificate, and one is required"
            }
        }
    }
}
// ANCHOR_END: primer_rejection_reason

// ANCHOR: resumption_strategy
/// How a server turns a session into a ticket and back (Go's
/// WrapSession/UnwrapSession; rustls's ProducesTickets/StoresServerSessions).
///
/// One strategy serves every connection of a server at once, so its
/// methods take `&self` and each strategy guards its own state: no lock
/// around the whole strategy, so a store that waits on the network stalls
/// only the handshake that asked.
pub trait ResumptionStrategy: Send + Sync {
    /// "stateful" or "stateless", for traces and the demo.
    fn name(&self) -> &'static str;

    /// Turn a resumable session into the ticket bytes the client will echo
    /// as its PSK identity, or `None` to issue no ticket.
    fn issue(&self, session: &Session, rng: &mut dyn Rng, now: UnixTime) -> Option<Vec<u8>>;

    /// Map a PSK identity back to its session, or say why not (the
    /// handshake then falls back to a full one). Nothing is used up yet:
    /// the binder has not been checked.
    fn look_up(&self, identity: &[u8], now: UnixTime) -> Result<Session, Rejection>;

    /// Claim the session once its binder has verified. A single-use
    /// strategy removes it here, and only the caller whose removal really
    /// happened gets `Ok`; a stateless ticket has nothing to remove.
    fn take(&self, identity: &[u8]) -> Result<(), Rejection>;

    // ANCHOR: admit_early_data
    /// Anti-replay for 0-RTT (RFC 8446 §8), asked once `take` succeeded for
    /// a ClientHello that offers early data with its first identity:
    /// may its early data be accepted? `binder` is that identity's PSK
    /// binder (unique to this ClientHello, §8.2) and `age_skew_ms` how far
    /// the client's ticket age is from ours (§8.3). A `false` costs only
    /// the early data: the handshake goes on as 1-RTT. The default says
    /// `false`: a strategy that does nothing against replays gets no 0-RTT.
    fn admit_early_data(&self, binder: &[u8], age_skew_ms: u64, now: UnixTime) -> bool {
        let _ = (binder, age_skew_ms, now);
        false
    }
    // ANCHOR_END: admit_early_data

    /// Bytes the server holds for its sessions right now (the demo's
    /// "server memory" column).
    fn bytes_held(&self) -> usize;
}
// ANCHOR_END: resumption_strategy

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn session() -> Session {
        Session {
            cipher_suite: 0x1303,
            psk: Secret::from_bytes([7; 32]),
            created_at: UnixTime(1_000_000),
            ticket_lifetime: 60,
            ticket_age_add: 0xdead_beef,
            server_name: "localhost".into(),
            peer_identity: Vec::new(),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        }
    }

    #[test]
    fn session_round_trips_and_rejects_truncation() {
        let s = session();
        let bytes = s.encode().unwrap();
        assert_eq!(Session::decode(&bytes).unwrap(), s);
        for n in 0..bytes.len() {
            assert!(Session::decode(&bytes[..n]).is_err());
        }
    }

    #[test]
    fn expiry_is_lifetime_after_creation() {
        let s = session();
        assert!(!s.is_expired(UnixTime(1_000_000 + 60_000)));
        assert!(s.is_expired(UnixTime(1_000_000 + 60_001)));
    }
}
