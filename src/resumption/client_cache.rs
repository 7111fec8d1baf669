//! What a client remembers to resume: tickets, per server name.
//!
//! The rules of this file:
//! - a ticket is kept under the server name it was received for, and only
//!   ever offered to that name (RFC 8446 §4.6.1);
//! - each ticket is used once: taking it removes it (RFC 8446 Appendix C.4,
//!   so that two connections cannot be linked by a shared ticket);
//! - a ticket is never offered past its `ticket_lifetime`, and lifetimes
//!   are capped at 7 days whatever the server says (RFC 8446 §4.6.1);
//! - the cache is bounded: the oldest ticket goes when it is full.
//!
//! A ticket can be saved to and loaded from text (`--sess-out`,
//! `--sess-in`) with [`StoredTicket::to_pem`] / [`StoredTicket::from_pem`].

use std::collections::VecDeque;

use super::MAX_TICKET_LIFETIME;
use crate::codec::{Reader, Writer};
use crate::error::Error;
use crate::key_schedule::Secret;
use crate::time::UnixTime;

/// One ticket and what the client must know to use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTicket {
    /// The server name the ticket was received from; it is offered only to the
    /// same name (RFC 8446 §4.6.1, §4.2.11).
    pub server_name: String,
    /// The opaque `ticket` of the NewSessionTicket: our PSK identity.
    pub ticket: Vec<u8>,
    /// The PSK, derived by the client from its resumption_master_secret and
    /// the ticket_nonce (RFC 8446 §4.6.1); it never travels.
    pub psk: Secret,
    /// The cipher suite of the connection that issued it (always 0x1303 here).
    pub cipher_suite: u16,
    /// `ticket_lifetime` in seconds, as the server sent it (RFC 8446 §4.6.1).
    pub ticket_lifetime: u32,
    /// `ticket_age_add`, added to the age we report (RFC 8446 §4.2.11.1).
    pub ticket_age_add: u32,
    /// When the ticket arrived, by the client's clock: the start of its age.
    pub received_at: UnixTime,
    /// The ticket's `max_early_data_size` (RFC 8446 §4.6.1); 0 when it
    /// came with no early_data extension: no 0-RTT with this ticket.
    pub max_early_data_size: u32,
    /// The application protocol of the connection that issued the ticket
    /// (empty: none); 0-RTT data is written for it (RFC 8446 §4.2.10).
    pub alpn_protocol: Vec<u8>,
}

const PEM_LABEL: &str = "MINITLS SESSION";

impl StoredTicket {
    /// Whether the ticket is past its lifetime at `now` (capped at 7 days,
    /// RFC 8446 §4.6.1: "Clients MUST NOT cache tickets for longer than 7 days").
    pub fn is_expired(&self, now: UnixTime) -> bool {
        let lifetime = self.ticket_lifetime.min(MAX_TICKET_LIFETIME);
        now.0.saturating_sub(self.received_at.0) >= u64::from(lifetime) * 1000
    }

    // ANCHOR: obfuscated_ticket_age
    /// RFC 8446 §4.2.11.1: the age of the ticket in milliseconds, plus
    /// ticket_age_add, modulo 2^32. The addition hides the age from a
    /// passive observer; it does not hide the ticket, which is sent as is.
    pub fn obfuscated_ticket_age(&self, now: UnixTime) -> u32 {
        let age_ms = now.0.saturating_sub(self.received_at.0) as u32;
        age_ms.wrapping_add(self.ticket_age_add)
    }
    // ANCHOR_END: obfuscated_ticket_age

    /// Our own format, in the presentation language:
    ///
    /// ```text
    /// struct {
    ///     opaque server_name<0..2^8-1>;
    ///     opaque ticket<1..2^16-1>;
    ///     opaque psk<32..2^8-1>;
    ///     CipherSuite cipher_suite;
    ///     uint32 ticket_lifetime;
    ///     uint32 ticket_age_add;
    ///     uint64 received_at;
    ///     /* only when max_early_data_size > 0: */
    ///     uint32 max_early_data_size;
    ///     opaque alpn_protocol<0..2^8-1>;
    /// } StoredTicket;
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        w.opaque_u8(self.server_name.as_bytes());
        w.opaque_u16(&self.ticket);
        w.opaque_u8(self.psk.as_bytes());
        w.u16(self.cipher_suite);
        w.u32(self.ticket_lifetime);
        w.u32(self.ticket_age_add);
        w.u64(self.received_at.0);
        if self.max_early_data_size > 0 {
            w.u32(self.max_early_data_size);
            w.opaque_u8(&self.alpn_protocol);
        }
        w.into_bytes()
    }

    /// Parse what [`StoredTicket::encode`] wrote; a `decode_error` for anything else.
    pub fn decode(bytes: &[u8]) -> Result<StoredTicket, Error> {
        let mut r = Reader::new(bytes);
        let server_name = String::from_utf8(r.opaque_u8("server_name", 0..=255)?.to_vec())
            .map_err(|_| Error::decode("server_name"))?;
        let ticket = r
            .opaque_u16(
                "ticket",
                1..=crate::messages::new_session_ticket::MAX_TICKET_LEN,
            )?
            .to_vec();
        let psk: [u8; 32] = r
            .opaque_u8("psk", 32..=32)?
            .try_into()
            .map_err(|_| Error::decode("psk"))?;
        let mut t = StoredTicket {
            server_name,
            ticket,
            psk: Secret::from_bytes(psk),
            cipher_suite: r.u16("cipher_suite")?,
            ticket_lifetime: r.u32("ticket_lifetime")?,
            ticket_age_add: r.u32("ticket_age_add")?,
            received_at: UnixTime(r.u64("received_at")?),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        };
        if !r.is_empty() {
            t.max_early_data_size = r.u32("max_early_data_size")?;
            t.alpn_protocol = r.opaque_u8("alpn_protocol", 0..=255)?.to_vec();
        }
        r.finish("StoredTicket")?;
        Ok(t)
    }

    /// PEM text for `--sess-out`. It holds the PSK: keep it as secret as a
    /// private key.
    pub fn to_pem(&self) -> Result<String, Error> {
        Ok(crate::pki::pem::encode(PEM_LABEL, &self.encode()?))
    }

    /// Read a ticket written by [`StoredTicket::to_pem`] (`--sess-in`).
    pub fn from_pem(text: &str) -> Result<StoredTicket, Error> {
        let blocks =
            crate::pki::pem::decode_all(text).map_err(|_| Error::decode("session file"))?;
        let block = blocks
            .iter()
            .find(|b| b.label == PEM_LABEL)
            .ok_or(Error::decode("session file"))?;
        StoredTicket::decode(&block.der)
    }
}

/// A bounded, single-use store of tickets per server name.
pub struct ClientSessionCache {
    capacity: usize,
    /// Oldest first.
    tickets: VecDeque<StoredTicket>,
}

impl ClientSessionCache {
    /// An empty cache holding at most `capacity` tickets (at least one).
    pub fn new(capacity: usize) -> Self {
        ClientSessionCache {
            capacity: capacity.max(1),
            tickets: VecDeque::new(),
        }
    }

    /// Keep a ticket, dropping the oldest one when full. A ticket with a
    /// lifetime of zero is not kept (RFC 8446 §4.6.1).
    pub fn insert(&mut self, ticket: StoredTicket) {
        // RFC 8446 §4.6.1: a lifetime of zero means "do not use".
        if ticket.ticket_lifetime == 0 {
            return;
        }
        while self.tickets.len() >= self.capacity {
            self.tickets.pop_front();
        }
        self.tickets.push_back(ticket);
    }

    /// The newest unexpired ticket for `server_name`, removed from the cache.
    pub fn take(&mut self, server_name: &str, now: UnixTime) -> Option<StoredTicket> {
        self.tickets.retain(|t| !t.is_expired(now));
        let index = self
            .tickets
            .iter()
            .rposition(|t| t.server_name == server_name)?;
        self.tickets.remove(index)
    }

    /// How many tickets are held, expired ones included until the next `take`.
    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    /// Whether no ticket is held.
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(name: &str, at: u64, lifetime: u32) -> StoredTicket {
        StoredTicket {
            server_name: name.into(),
            ticket: vec![1, 2, 3],
            psk: Secret::from_bytes([4; 32]),
            cipher_suite: 0x1303,
            ticket_lifetime: lifetime,
            ticket_age_add: u32::MAX,
            received_at: UnixTime(at),
            max_early_data_size: 0,
            alpn_protocol: Vec::new(),
        }
    }

    #[test]
    fn tickets_are_single_use_per_name_and_expire() {
        let mut c = ClientSessionCache::new(8);
        c.insert(ticket("a", 0, 10));
        c.insert(ticket("b", 0, 10));
        assert!(c.take("a", UnixTime(5_000)).is_some());
        assert!(c.take("a", UnixTime(5_000)).is_none());
        assert!(c.take("b", UnixTime(10_000)).is_none(), "expired");
    }

    #[test]
    fn lifetime_is_capped_at_seven_days_and_zero_is_refused() {
        let mut c = ClientSessionCache::new(8);
        c.insert(ticket("a", 0, 0));
        assert!(c.is_empty());
        let t = ticket("a", 0, u32::MAX);
        assert!(t.is_expired(UnixTime(u64::from(MAX_TICKET_LIFETIME) * 1000)));
    }

    #[test]
    fn obfuscated_age_wraps_and_pem_round_trips() {
        let t = ticket("a", 1000, 10);
        assert_eq!(t.obfuscated_ticket_age(UnixTime(1005)), 4);
        assert_eq!(StoredTicket::from_pem(&t.to_pem().unwrap()).unwrap(), t);
    }
}
