//! KeyUpdate (RFC 8446 §4.6.3): after the handshake, either side may move
//! its sending keys to the next generation and ask the peer to do the same.
//!
//! ```text
//! enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//! struct { KeyUpdateRequest request_update; } KeyUpdate;
//! ```

use crate::codec::{Reader, Writer};
use crate::error::{Error, IllegalParameter};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUpdate {
    /// `KeyUpdateRequest request_update;`
    pub update_requested: bool,
}

impl KeyUpdate {
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.update_requested as u8);
    }

    pub fn read(r: &mut Reader) -> Result<KeyUpdate, Error> {
        match r.u8("request_update")? {
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
