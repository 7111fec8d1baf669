//! KeyUpdate (RFC 8446 §4.6.3): after the handshake, either side may move
//! its sending keys to the next generation and ask the peer to do the same.
//!
//! ```text
//! enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//! struct { KeyUpdateRequest request_update; } KeyUpdate;
//! ```

use crate::codec::{Reader, Writer};
use crate::error::{Error, IllegalParameter};

/// `struct { ... } KeyUpdate;` (RFC 8446 §4.6.3): a post-handshake message
/// saying the sender now sends under its next traffic secret (RFC 8446 §7.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUpdate {
    /// `KeyUpdateRequest request_update;` `true` for update_requested(1):
    /// the receiver must answer with a KeyUpdate of its own.
    pub update_requested: bool,
}

impl KeyUpdate {
    /// Encode the body (no handshake header): one byte, 0 or 1.
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.update_requested as u8);
    }

    /// Decode the body (no handshake header); a `request_update` other than
    /// 0 or 1 is `illegal_parameter` (RFC 8446 §4.6.3).
    pub fn read(r: &mut Reader) -> Result<KeyUpdate, Error> {
        let request_update = r.u8("request_update")?;
        r.note(|| {
            match request_update {
                0 => "update_not_requested",
                1 => "update_requested",
                _ => "not a KeyUpdateRequest: illegal_parameter",
            }
            .to_string()
        });
        match request_update {
            0 => Ok(KeyUpdate {
                update_requested: false,
            }),
            1 => Ok(KeyUpdate {
                update_requested: true,
            }),
            // RFC 8446 §4.6.3: any other value MUST be answered with illegal_parameter.
            _ => Err(Error::IllegalParameter(IllegalParameter::KeyUpdateRequest)),
        }
    }
}
