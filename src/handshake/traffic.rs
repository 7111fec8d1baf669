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
//!
//! We may also start one ourselves (`update_sending_keys`, behind
//! `Connection::update_keys`): the KeyUpdate goes out under the old keys,
//! then everything we send is under the next generation. Each new
//! generation is reported to the trace under its own label, so
//! `--explain` shows it (the key log does not: it keeps generation 0).

use crate::error::Error;
use crate::key_schedule::{SecretLabel, TrafficSecret};
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
    /// We sent update_requested and have not had a KeyUpdate back:
    /// RFC 8446 §4.6.3 forbids requesting again until then.
    update_requested_unanswered: bool,
}

impl ApplicationTraffic {
    /// Generation 0 in both directions, as the handshake left them.
    pub(crate) fn new(read: TrafficSecret, write: TrafficSecret) -> Self {
        ApplicationTraffic {
            read,
            write,
            read_generation: 0,
            write_generation: 0,
            update_requested_unanswered: false,
        }
    }

    /// The labels of the peer's next secret and of ours (RFC 8446 §7.2).
    fn next_labels(cx: &Context) -> (SecretLabel, SecretLabel) {
        let (client, server) = (
            SecretLabel::ClientApplicationTrafficNext,
            SecretLabel::ServerApplicationTrafficNext,
        );
        if cx.is_client {
            (server, client)
        } else {
            (client, server)
        }
    }

    // ANCHOR: update_sending_keys
    /// RFC 8446 §4.6.3, our side: send KeyUpdate under the current keys,
    /// then move our sending keys to the next generation (§7.2). With
    /// `request_peer_update`, the peer must answer with its own KeyUpdate
    /// before its next application data.
    pub(crate) fn update_sending_keys(
        &mut self,
        request_peer_update: bool,
        cx: &mut Context,
    ) -> Result<(), Error> {
        // RFC 8446 §4.6.3: "Until receiving a subsequent KeyUpdate from the
        // peer, the sender MUST NOT send another KeyUpdate with
        // request_update set to "update_requested"."
        if request_peer_update && self.update_requested_unanswered {
            return Err(Error::Misuse(
                "update_requested sent and not yet answered (RFC 8446 §4.6.3)",
            ));
        }
        // RFC 9846 §4.7.3 (text RFC 8446 does not have): a sender "MUST
        // NOT allow the epoch ... to exceed 2^48-1". Our counter stops
        // sooner, at 2^32-1, so we never pass that cap.
        let Some(generation) = self.write_generation.checked_add(1) else {
            return Err(Error::Misuse("no more KeyUpdates on this connection"));
        };
        self.send_key_update(request_peer_update, generation, cx)?;
        self.update_requested_unanswered |= request_peer_update;
        Ok(())
    }
    // ANCHOR_END: update_sending_keys

    /// The KeyUpdate under the old keys, then the next generation installed.
    fn send_key_update(
        &mut self,
        update_requested: bool,
        generation: u32,
        cx: &mut Context,
    ) -> Result<(), Error> {
        cx.send_handshake(&HandshakeMessage::KeyUpdate(KeyUpdate { update_requested }))?;
        // RFC 8446 §4.6.3: "Both sender and receiver MUST encrypt their
        // KeyUpdate messages with the old keys": out it goes, before the
        // next generation exists.
        cx.flush_handshake()?;
        self.write_generation = generation;
        self.write = self.write.next();
        let (_, ours) = Self::next_labels(cx);
        cx.secret_derived(ours, self.write.as_bytes());
        cx.install_write_key(&self.write, Epoch::Application(generation))
    }

    /// RFC 8446 §4.6.3: the peer moved its sending keys on; we move our
    /// reading keys, and, if it asks, our sending keys too, saying so.
    pub(crate) fn answer_key_update(
        &mut self,
        update: &KeyUpdate,
        cx: &mut Context,
    ) -> Result<(), Error> {
        // For the trace only; saturating, so no peer can overflow it (and
        // RFC 9846 §4.7.3: "receiving implementations MUST NOT enforce"
        // the sender's limit).
        self.read_generation = self.read_generation.saturating_add(1);
        self.read = self.read.next();
        let (theirs, _) = Self::next_labels(cx);
        cx.secret_derived(theirs, self.read.as_bytes());
        cx.install_read_key(&self.read, Epoch::Application(self.read_generation));
        // Whatever it says, this is the KeyUpdate our request waited for.
        self.update_requested_unanswered = false;
        if update.update_requested {
            // RFC 9846 §4.7.3: at the limit, a sender "SHOULD instead
            // ignore the "update_requested" flag" rather than pass it.
            if let Some(generation) = self.write_generation.checked_add(1) {
                self.send_key_update(false, generation, cx)?;
            }
        }
        Ok(())
    }
}
