//! EncryptedExtensions (RFC 8446 §4.3.1): the server's answers to the
//! client's extensions that are not needed to set up the keys, sent as the
//! first encrypted message.
//!
//! ```text
//! struct {
//!     Extension extensions<0..2^16-1>;
//! } EncryptedExtensions;
//! ```

use super::extensions::{
    self, Extension, ExtensionContext, ReceivedExtension, extension_type as et, write_extension,
    write_protocol_name_list, write_u16_list,
};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// The message is nothing but an extension block, so the extensions
/// minitls knows are its fields (RFC 8446 §4.2 allows these four here).
/// Written in this order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EncryptedExtensions {
    /// An empty `server_name`: "I used your name" (RFC 6066 §3).
    pub server_name: bool,
    /// `NamedGroup named_group_list<2..2^16-1>;` the server's preference,
    /// which a client may note and ignore (RFC 8446 §4.2.7).
    pub supported_groups: Option<Vec<u16>>,
    /// `early_data`: the server accepted 0-RTT (RFC 8446 §4.2.10).
    pub early_data: bool,
    /// `ProtocolName protocol_name_list<2..2^16-1>;` the server's choice,
    /// which RFC 7301 §3.1 requires to be exactly one name. Kept as a
    /// list as received, so the client can check that rule itself.
    pub protocol_name_list: Option<Vec<Vec<u8>>>,
    /// Every extension as received, unknown ones included, in order: the
    /// client refuses any it did not offer (RFC 8446 §4.2). Filled in by
    /// the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl EncryptedExtensions {
    /// The same extensions as [`Self::encode`] writes, in the same order,
    /// as a list a test can alter (each field is cloned).
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::new();
        if self.server_name {
            list.push(Extension::ServerNameAck);
        }
        if let Some(groups) = &self.supported_groups {
            list.push(Extension::SupportedGroups(groups.clone()));
        }
        if self.early_data {
            list.push(Extension::EarlyData);
        }
        if let Some(names) = &self.protocol_name_list {
            list.push(Extension::ApplicationLayerProtocolNegotiation(
                names.clone(),
            ));
        }
        list
    }

    // ANCHOR: encrypted_extensions_encode
    /// Encode the body (no handshake header): each extension present,
    /// written from its field in minitls's order.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if self.server_name {
                write_extension(w, et::SERVER_NAME, |_| {});
            }
            if let Some(groups) = &self.supported_groups {
                write_extension(w, et::SUPPORTED_GROUPS, |w| write_u16_list(w, groups));
            }
            if self.early_data {
                write_extension(w, et::EARLY_DATA, |_| {});
            }
            if let Some(names) = &self.protocol_name_list {
                write_extension(w, et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |w| {
                    write_protocol_name_list(w, names)
                });
            }
        });
    }

    // ANCHOR_END: encrypted_extensions_encode

    /// Encode `extensions` as the message, written as given (for tests:
    /// any list, rules broken included).
    pub fn encode_with_extensions(w: &mut Writer, extensions: &[Extension]) {
        Extension::write_list(w, extensions);
    }

    // ANCHOR: encrypted_extensions_read
    /// Decode the body (no handshake header): an extension block that may
    /// hold only what RFC 8446 §4.2 allows in EncryptedExtensions.
    pub fn read(r: &mut Reader) -> Result<EncryptedExtensions, Error> {
        let mut ee = EncryptedExtensions::default();
        let context = ExtensionContext::EncryptedExtensions;
        ee.received = extensions::read_block(r, context, 0..=(1 << 16) - 1, |t, r| {
            match t {
                // Empty: the vector's end is checked by the reader.
                et::SERVER_NAME => ee.server_name = true,
                et::SUPPORTED_GROUPS => {
                    ee.supported_groups = Some(extensions::read_named_group_list(r)?)
                }
                et::EARLY_DATA => {
                    r.rest("early_data")?;
                    ee.early_data = true;
                }
                et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                    ee.protocol_name_list = Some(extensions::read_protocol_name_list(r)?)
                }
                // Every other known type is refused by `read_block` here.
                _ => {
                    r.rest("extension_data")?;
                }
            }
            Ok(())
        })?;
        Ok(ee)
    }
    // ANCHOR_END: encrypted_extensions_read
}
