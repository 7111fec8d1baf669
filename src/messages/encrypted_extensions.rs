//! EncryptedExtensions (RFC 8446 §4.3.1): the server's answers to the
//! client's extensions that are not needed to set up the keys, sent as the
//! first encrypted message.
//!
//! ```text
//! struct {
//!     Extension extensions<0..2^16-1>;
//! } EncryptedExtensions;
//! ```

use super::extensions::{Extension, ExtensionContext};
use crate::codec::{Reader, Writer};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EncryptedExtensions {
    /// `Extension extensions<0..2^16-1>;`
    pub extensions: Vec<Extension>,
}

impl EncryptedExtensions {
    // ANCHOR: encrypted_extensions_codec
    pub fn encode(&self, w: &mut Writer) {
        Extension::write_list(w, &self.extensions);
    }

    pub fn read(r: &mut Reader) -> Result<EncryptedExtensions, Error> {
        Ok(EncryptedExtensions {
            extensions: Extension::read_list(
                r,
                ExtensionContext::EncryptedExtensions,
                0..=(1 << 16) - 1,
            )?,
        })
    }
    // ANCHOR_END: encrypted_extensions_codec
}
