//! A connected endpoint's application traffic secrets, and KeyUpdate
//! (RFC 8446 §4.6.3, §7.2).
//!
//! Each direction has its own secret and moves on independently:
//!
//! ```text
//! application_traffic_secret_N+1 =
//!     HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
//! ```
//!
//! A KeyUpdate from the peer moves the secret we read with. If it sets
//! `update_requested`, we answer with a KeyUpdate of our own (not
//! requesting one back, or the two sides would ping-pong) and move the
//! secret we write with, after the answer has gone out under the old one.

use crate::error::Error;
use crate::key_schedule::TrafficSecret;
use crate::messages::{HandshakeMessage, KeyUpdate};
use crate::trace::Epoch;

use super::context::Context;

/// The secrets a connected endpoint reads and writes with.
pub(crate) struct ApplicationTraffic {
    read: TrafficSecret,
    write: TrafficSecret,
    /// Generations of the keys we read and write with, for the trace: they
    /// move independently (RFC 8446 §4.6.3).
    read_generation: u32,
    write_generation: u32,
}

impl ApplicationTraffic {
    /// Generation 0 in both directions, as the handshake left them.
    pub(crate) fn new(read: TrafficSecret, write: TrafficSecret) -> Self {
        ApplicationTraffic {
            read,
            write,
            read_generation: 0,
            write_generation: 0,
        }
    }

    /// RFC 8446 §4.6.3: the peer moved its sending keys on; we move our
    /// reading keys, and, if it asks, our sending keys too, saying so.
    pub(crate) fn answer_key_update(
        &mut self,
        update: &KeyUpdate,
        cx: &mut Context,
    ) -> Result<(), Error> {
        // For the trace only; saturating, so no peer can overflow it.
        self.read_generation = self.read_generation.saturating_add(1);
        self.read = self.read.next();
        cx.install_read_key(&self.read, Epoch::Application(self.read_generation));
        if update.update_requested {
            cx.send_handshake(&HandshakeMessage::KeyUpdate(KeyUpdate {
                update_requested: false,
            }))?;
            self.write_generation = self.write_generation.saturating_add(1);
            self.write = self.write.next();
            cx.install_write_key(&self.write, Epoch::Application(self.write_generation))?;
        }
        Ok(())
    }
}
