//! NewSessionTicket (RFC 8446 §4.6.1): sent by the server after the
//! handshake, a ticket the client may later offer to resume.
//!
//! ```text
//! struct {
//!     uint32 ticket_lifetime;
//!     uint32 ticket_age_add;
//!     opaque ticket_nonce<0..255>;
//!     opaque ticket<1..2^16-1>;
//!     Extension extensions<0..2^16-2>;
//! } NewSessionTicket;
//! ```

use super::extensions::{
    self, Extension, ExtensionContext, ReceivedExtension, extension_type as et, write_extension,
};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// The longest ticket a minitls client accepts: a policy, not the RFC's
/// 2^16-1. The ticket goes back as a PSK identity in a later ClientHello,
/// which must still fit its own bounds; 16 KiB is far above what real
/// servers send (minitls's own are 32 bytes, stateful, or about 100,
/// stateless).
pub const MAX_TICKET_LEN: usize = 16 * 1024;

/// `struct { ... } NewSessionTicket;` (RFC 8446 §4.6.1): a post-handshake
/// message from the server, one PSK the client may offer to resume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// `uint32 ticket_lifetime;` seconds, at most 604800 (7 days).
    pub ticket_lifetime: u32,
    /// `uint32 ticket_age_add;` added to the age the client reports.
    pub ticket_age_add: u32,
    /// `opaque ticket_nonce<0..255>;` makes each ticket's PSK different.
    pub ticket_nonce: Vec<u8>,
    /// `opaque ticket<1..2^16-1>;` the PSK identity, opaque to the client.
    pub ticket: Vec<u8>,
    /// `Extension extensions<0..2^16-2>;` the ones minitls knows, typed.
    pub extensions: NewSessionTicketExtensions,
}

/// The extensions of a NewSessionTicket that minitls knows (RFC 8446 §4.6.1).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NewSessionTicketExtensions {
    /// `early_data` with its `max_early_data_size` (RFC 8446 §4.2.10,
    /// §4.6.1): the ticket allows 0-RTT, up to this many bytes of it.
    /// `None`: no early_data extension, no 0-RTT with this ticket.
    pub max_early_data_size: Option<u32>,
    /// Every extension as received, unknown ones included, in order.
    /// Filled in by the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl NewSessionTicketExtensions {
    /// `Extension extensions<0..2^16-2>`: early_data, with its
    /// `max_early_data_size`, when the ticket allows 0-RTT.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if let Some(max) = self.max_early_data_size {
                write_extension(w, et::EARLY_DATA, |w| w.u32(max));
            }
        });
    }

    /// The same extensions as [`Self::encode`] writes, as a list a test
    /// can alter.
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::new();
        if let Some(max) = self.max_early_data_size {
            list.push(Extension::MaxEarlyDataSize(max));
        }
        list
    }

    fn read(r: &mut Reader) -> Result<Self, Error> {
        let mut e = NewSessionTicketExtensions::default();
        let context = ExtensionContext::NewSessionTicket;
        e.received = extensions::read_block(r, context, 0..=(1 << 16) - 2, |t, r| {
            // In NewSessionTicket early_data carries max_early_data_size
            // (RFC 8446 §4.2.10); read_block has checked what is left is
            // exactly this extension's body.
            if t == et::EARLY_DATA {
                e.max_early_data_size = Some(r.u32("max_early_data_size")?);
                r.finish("early_data")?;
            } else {
                r.rest("extension_data")?;
            }
            Ok(())
        })?;
        Ok(e)
    }
}

impl NewSessionTicket {
    /// Encode the body (no handshake header), extensions in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        self.encode_before_extensions(w);
        self.extensions.encode(w);
    }

    /// Encode with `extensions` as the extension block, written as given
    /// (for tests: any list, rules broken included).
    pub fn encode_with_extensions(&self, w: &mut Writer, extensions: &[Extension]) {
        self.encode_before_extensions(w);
        Extension::write_list(w, extensions);
    }

    /// Every field up to the extension block.
    fn encode_before_extensions(&self, w: &mut Writer) {
        w.u32(self.ticket_lifetime);
        w.u32(self.ticket_age_add);
        w.opaque_u8(&self.ticket_nonce);
        w.opaque_u16(&self.ticket);
    }

    /// Decode the body (no handshake header). A ticket longer than
    /// [`MAX_TICKET_LEN`] is `decode_error`, by minitls's policy.
    pub fn read(r: &mut Reader) -> Result<NewSessionTicket, Error> {
        let ticket_lifetime = r.u32("ticket_lifetime")?;
        let ticket_age_add = r.u32("ticket_age_add")?;
        let ticket_nonce = r.opaque_u8("ticket_nonce", 0..=255)?.to_vec();
        let ticket = r.opaque_u16("ticket", 1..=MAX_TICKET_LEN)?.to_vec();
        Ok(NewSessionTicket {
            ticket_lifetime,
            ticket_age_add,
            ticket_nonce,
            ticket,
            extensions: NewSessionTicketExtensions::read(r)?,
        })
    }
}
