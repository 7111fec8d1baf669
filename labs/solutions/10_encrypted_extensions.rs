//! Exercise 10, reference solution: the client's two checks of
//! EncryptedExtensions (RFC 8446 §4.2, §4.3.1). minitls's own versions are
//! `extensions::read_block` (with `allowed_in`) and the client's
//! `handle_encrypted_extensions`.

use minitls::AlertDescription;
use minitls::messages::extensions::{extension_type as et, is_known};

/// The alert minitls's client sends for an EncryptedExtensions holding
/// extensions of types `sent` (in order), when its ClientHello offered
/// `offered`; `None` when it accepts the message.
pub fn client_alert(offered: &[u16], sent: &[u16]) -> Option<AlertDescription> {
    // While decoding: RFC 8446 §4.2's table, "EE" column, for the types
    // minitls recognizes; and no type twice.
    for (i, &extension_type) in sent.iter().enumerate() {
        let allowed_in_ee = matches!(
            extension_type,
            et::SERVER_NAME
                | et::SUPPORTED_GROUPS
                | et::EARLY_DATA
                | et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION
        );
        if is_known(extension_type) && !allowed_in_ee {
            return Some(AlertDescription::IllegalParameter);
        }
        if sent[..i].contains(&extension_type) {
            return Some(AlertDescription::IllegalParameter);
        }
    }
    // After decoding: a server may only answer what the client offered.
    if sent.iter().any(|t| !offered.contains(t)) {
        return Some(AlertDescription::UnsupportedExtension);
    }
    None
}
