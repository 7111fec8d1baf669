//! The Alert message (RFC 8446 §6).
//!
//! ```text
//! enum { warning(1), fatal(2), (255) } AlertLevel;
//! struct {
//!     AlertLevel level;
//!     AlertDescription description;
//! } Alert;
//! ```
//!
//! In TLS 1.3 the level is no longer trusted: every alert other than
//! close_notify and user_canceled is fatal whatever level it claims
//! (RFC 8446 §6).

use crate::codec::Reader;
use crate::error::{AlertDescription, Error};

/// `struct { ... } Alert;` (RFC 8446 §6): the body of a record of content
/// type alert(21), sent in the clear or protected like any record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// `AlertLevel level;` 1 = warning, 2 = fatal.
    pub level: u8,
    /// `AlertDescription description;`
    pub description: AlertDescription,
}

impl Alert {
    /// close_notify is sent at warning level (a rule RFC 9846 §6.1 restores;
    /// RFC 8446 §6 does not state it); every error alert as fatal (RFC 8446
    /// §6: error alerts "MUST be sent with AlertLevel=fatal").
    pub fn new(description: AlertDescription) -> Self {
        let level = match description {
            AlertDescription::CloseNotify | AlertDescription::UserCanceled => 1,
            _ => 2,
        };
        Alert { level, description }
    }

    /// The two bytes of an alert: level, then description.
    pub fn encode(&self) -> [u8; 2] {
        [self.level, self.description.to_u8()]
    }

    /// Decode an alert record's body: exactly two bytes, the level and the
    /// description; an unknown description is kept as
    /// [`AlertDescription::Unknown`] (RFC 8446 §6).
    pub fn read(r: &mut Reader) -> Result<Alert, Error> {
        let level = r.u8("level")?;
        let description = AlertDescription::from_u8(r.u8("description")?);
        r.note(|| description.to_string());
        r.finish("Alert")?;
        Ok(Alert { level, description })
    }
}
