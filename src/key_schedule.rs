//! The TLS 1.3 key schedule (RFC 8446 §7.1) and traffic keys (§7.3).
//!
//! Every secret of the handshake comes from one chain of HKDF calls. Each
//! stage is a type here, and each secret of a 1-RTT handshake is one method
//! on the stage that owns it, named after the RFC and taking the transcript
//! hash it is defined over, so a reader can see at each call "the
//! transcript up to which message?". The one 0-RTT secret,
//! client_early_traffic_secret, is derived where early data is sent and
//! read (`handshake::keys::derive_early_traffic_secret`):
//!
//! ```text
//!                  0
//!                  |
//!                  v
//!    PSK ->  HKDF-Extract = Early Secret            EarlySecret
//!                  |
//!                  +-----> Derive-Secret(., "ext binder" | "res binder", "")
//!                  |                     = binder_key
//!                  +-----> Derive-Secret(., "c e traffic", ClientHello)
//!                  |                     = client_early_traffic_secret (0-RTT)
//!                  v
//!            Derive-Secret(., "derived", "")
//!                  |
//!                  v
//! (EC)DHE -> HKDF-Extract = Handshake Secret        HandshakeSecret
//!                  |
//!                  +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
//!                  |                     = client_handshake_traffic_secret
//!                  +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
//!                  |                     = server_handshake_traffic_secret
//!                  v
//!            Derive-Secret(., "derived", "")
//!                  |
//!                  v
//!       0 -> HKDF-Extract = Master Secret           MasterSecret
//!                  |
//!                  +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished)
//!                  +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished)
//!                  +-----> Derive-Secret(., "exp master",   ClientHello...server Finished)
//!                  +-----> Derive-Secret(., "res master",   ClientHello...client Finished)
//! ```
//!
//! Stages are consumed as the chain advances (`EarlySecret` →
//! `HandshakeSecret` → `MasterSecret`), so code cannot go back and derive a
//! handshake secret from the master secret by mistake. Every secret wipes
//! itself on drop.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::{self, HASH_LEN};
use crate::transcript::TranscriptHash;

/// A 32-byte secret of the schedule. Wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Secret(pub(crate) [u8; HASH_LEN]);

impl Secret {
    /// The secret's 32 bytes (for the trace and the key log; handle with care).
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// A secret from its bytes: a PSK from a session, or a test vector.
    pub fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Secret(bytes)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Which secret a value is: its RFC label and its NSS key log label. One
/// variant per secret the handshake reports on the trace (`handshake::keys`);
/// the Early Secret and the binder key are derived too, but only inside the
/// key schedule and the binder, so they have none.
///
/// The key log format (SSLKEYLOGFILE) names secrets differently from the RFC;
/// keeping both names on one enum means a trace event can be rendered for a
/// student (RFC label) and for Wireshark (NSS label) from the same value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretLabel {
    /// client_early_traffic_secret, label "c e traffic", over the
    /// ClientHello: protects the client's 0-RTT data and its EndOfEarlyData
    /// (RFC 8446 §7.1, §4.2.10).
    ClientEarlyTraffic,
    /// Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived",
    /// ""), (EC)DHE).
    HandshakeSecret,
    /// client_handshake_traffic_secret, label "c hs traffic": protects the
    /// client's second flight.
    ClientHandshakeTraffic,
    /// server_handshake_traffic_secret, label "s hs traffic": protects
    /// EncryptedExtensions through the server Finished.
    ServerHandshakeTraffic,
    /// Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived",
    /// ""), 0).
    MasterSecret,
    /// client_application_traffic_secret_0, label "c ap traffic".
    ClientApplicationTraffic0,
    /// server_application_traffic_secret_0, label "s ap traffic".
    ServerApplicationTraffic0,
    /// exporter_master_secret, label "exp master" (RFC 8446 §7.5).
    ExporterMaster,
    /// resumption_master_secret, label "res master": the root of every ticket's
    /// PSK (RFC 8446 §4.6.1).
    ResumptionMaster,
    /// client_application_traffic_secret_N+1, label "traffic upd": the
    /// client's next generation after a KeyUpdate (RFC 8446 §7.2). Not in
    /// the key log, which holds only generation 0 (Wireshark derives the
    /// rest itself).
    ClientApplicationTrafficNext,
    /// server_application_traffic_secret_N+1, label "traffic upd" (RFC 8446 §7.2).
    ServerApplicationTrafficNext,
}

impl SecretLabel {
    /// The label as RFC 8446 §7.1 writes it (or the stage's name).
    pub fn rfc_label(self) -> &'static str {
        match self {
            SecretLabel::ClientEarlyTraffic => "c e traffic",
            SecretLabel::HandshakeSecret => "handshake secret",
            SecretLabel::ClientHandshakeTraffic => "c hs traffic",
            SecretLabel::ServerHandshakeTraffic => "s hs traffic",
            SecretLabel::MasterSecret => "master secret",
            SecretLabel::ClientApplicationTraffic0 => "c ap traffic",
            SecretLabel::ServerApplicationTraffic0 => "s ap traffic",
            SecretLabel::ExporterMaster => "exp master",
            SecretLabel::ResumptionMaster => "res master",
            SecretLabel::ClientApplicationTrafficNext
            | SecretLabel::ServerApplicationTrafficNext => "traffic upd",
        }
    }

    // ANCHOR: keylog_label
    /// The NSS key log label, for the secrets Wireshark needs.
    pub fn keylog_label(self) -> Option<&'static str> {
        match self {
            SecretLabel::ClientEarlyTraffic => Some("CLIENT_EARLY_TRAFFIC_SECRET"),
            SecretLabel::ClientHandshakeTraffic => Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            SecretLabel::ServerHandshakeTraffic => Some("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            SecretLabel::ClientApplicationTraffic0 => Some("CLIENT_TRAFFIC_SECRET_0"),
            SecretLabel::ServerApplicationTraffic0 => Some("SERVER_TRAFFIC_SECRET_0"),
            SecretLabel::ExporterMaster => Some("EXPORTER_SECRET"),
            _ => None,
        }
    }
    // ANCHOR_END: keylog_label
}

// ANCHOR: hkdf_expand_label
/// HKDF-Expand-Label(Secret, Label, Context, Length) from RFC 8446 §7.1:
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// ```
pub fn hkdf_expand_label(secret: &[u8; HASH_LEN], label: &str, context: &[u8], out: &mut [u8]) {
    // Every label is one of the RFC's constants and every context a hash or
    // a ticket_nonce, whose one-byte length prefix on the wire already caps
    // it at 255 bytes: no peer can make this label overflow.
    let info = HkdfLabel::new(out.len() as u16, label.as_bytes(), context)
        .expect("HkdfLabel fields fit their one-byte lengths");
    crypto::hkdf_expand_pieces(secret, &info.fields(), out);
}

/// Derive-Secret(Secret, Label, Messages) =
///     HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
pub fn derive_secret(secret: &Secret, label: &str, transcript: &TranscriptHash) -> Secret {
    let mut out = [0u8; HASH_LEN];
    hkdf_expand_label(&secret.0, label, transcript.as_bytes(), &mut out);
    Secret(out)
}
// ANCHOR_END: hkdf_expand_label

// ANCHOR: hkdf_label_fields
/// An `HkdfLabel`, kept as its fields: HKDF-Expand reads `info` as one byte
/// string, so it is handed the fields' encodings in order and no buffer is
/// built (a handshake expands about forty labels).
struct HkdfLabel<'a> {
    length: [u8; 2],
    /// The length byte of `"tls13 " + Label`.
    label_len: [u8; 1],
    label: &'a [u8],
    /// The length byte of the context.
    context_len: [u8; 1],
    context: &'a [u8],
}

impl<'a> HkdfLabel<'a> {
    /// `None` when the label (with its "tls13 " prefix) or the context does
    /// not fit its one-byte length. The exporter's labels come from the
    /// application, so it needs the `None`.
    fn new(length: u16, label: &'a [u8], context: &'a [u8]) -> Option<Self> {
        Some(HkdfLabel {
            length: length.to_be_bytes(),
            label_len: [u8::try_from(b"tls13 ".len() + label.len()).ok()?],
            label,
            context_len: [u8::try_from(context.len()).ok()?],
            context,
        })
    }

    /// The encoding, field by field, in the struct's order.
    fn fields(&self) -> [&[u8]; 6] {
        [
            &self.length,
            &self.label_len,
            b"tls13 ",
            self.label,
            &self.context_len,
            self.context,
        ]
    }
}

/// The encoded `HkdfLabel`, the `info` HKDF-Expand is given (public so the
/// book's worked examples can show these exact bytes).
pub fn hkdf_label(length: u16, label: &str, context: &[u8]) -> Vec<u8> {
    HkdfLabel::new(length, label.as_bytes(), context)
        .expect("HkdfLabel fields fit their one-byte lengths")
        .fields()
        .concat()
}

// ANCHOR_END: hkdf_label_fields

/// The longest exporter label: `opaque label<7..255>` holds "tls13 " and
/// the label (RFC 8446 §7.1), so 255 - 6 bytes.
pub const MAX_EXPORTER_LABEL_LEN: usize = 255 - 6;

/// The most keying material one export may ask for: HKDF-Expand gives at
/// most 255 * Hash.length bytes (RFC 5869 §2.3).
pub const MAX_EXPORTER_LEN: usize = 255 * HASH_LEN;

// ANCHOR: tls_exporter
/// TLS-Exporter(label, context_value, key_length) of RFC 8446 §7.5:
///
/// ```text
/// HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
///                   "exporter", Hash(context_value), key_length)
/// ```
///
/// `Secret` is the exporter_master_secret. The label is bytes, as the
/// exporter interface of RFC 5705 §4 has it (the registered ones are ASCII),
/// so `HkdfLabel` is written here from bytes. "No context" and an empty
/// context are the same input: the hash of zero bytes (RFC 8446 §7.5).
/// The caller checks the bounds ([`MAX_EXPORTER_LABEL_LEN`],
/// [`MAX_EXPORTER_LEN`]); outside them this returns `None`.
pub fn tls_exporter(
    exporter_master_secret: &Secret,
    label: &[u8],
    context_value: &[u8],
    out: &mut [u8],
) -> Option<()> {
    if label.len() > MAX_EXPORTER_LABEL_LEN || out.len() > MAX_EXPORTER_LEN {
        return None;
    }
    // Derive-Secret(Secret, label, ""): the Messages are empty, so the
    // context is the hash of no bytes.
    let mut derived = Secret([0; HASH_LEN]);
    let empty_hash = crypto::sha256(b"");
    let derive_info = HkdfLabel::new(HASH_LEN as u16, label, &empty_hash)?;
    crypto::hkdf_expand_pieces(
        &exporter_master_secret.0,
        &derive_info.fields(),
        &mut derived.0,
    );
    let context_hash = crypto::sha256(context_value);
    let export_info = HkdfLabel::new(out.len() as u16, b"exporter", &context_hash)?;
    crypto::hkdf_expand_pieces(&derived.0, &export_info.fields(), out);
    Some(())
}
// ANCHOR_END: tls_exporter

/// Derive-Secret(., "derived", ""): the salt for the next Extract.
fn derived(secret: &Secret) -> Secret {
    derive_secret(secret, "derived", &TranscriptHash::of_empty())
}

/// The Early Secret, the first stage (RFC 8446 §7.1).
pub struct EarlySecret(Secret);

// ANCHOR: early_secret_stage
impl EarlySecret {
    /// HKDF-Extract(0, PSK), where a full handshake uses a PSK of
    /// Hash.length zero bytes.
    pub fn new(psk: Option<&[u8]>) -> Self {
        let zeros = [0u8; HASH_LEN];
        EarlySecret(Secret(crypto::hkdf_extract(&zeros, psk.unwrap_or(&zeros))))
    }

    /// The Early Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// binder_key for a resumption PSK: Derive-Secret(., "res binder", "").
    pub fn resumption_binder_key(&self) -> Secret {
        derive_secret(&self.0, "res binder", &TranscriptHash::of_empty())
    }

    /// HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE). A psk_ke
    /// resumption has no (EC)DHE and uses Hash.length zeros (RFC 8446 §7.1).
    pub fn into_handshake_secret(self, ecdhe: Option<&[u8]>) -> HandshakeSecret {
        let zeros = [0u8; HASH_LEN];
        let salt = derived(&self.0);
        HandshakeSecret(Secret(crypto::hkdf_extract(
            &salt.0,
            ecdhe.unwrap_or(&zeros),
        )))
    }
}
// ANCHOR_END: early_secret_stage

// ANCHOR: handshake_secret_stage
/// The Handshake Secret, after the key exchange.
pub struct HandshakeSecret(Secret);

impl HandshakeSecret {
    /// The Handshake Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// client_handshake_traffic_secret, from the transcript up to the ServerHello.
    pub fn client_handshake_traffic_secret(&self, th: &TranscriptHash) -> TrafficSecret {
        TrafficSecret(derive_secret(&self.0, "c hs traffic", th))
    }

    /// server_handshake_traffic_secret, from the transcript up to the ServerHello.
    pub fn server_handshake_traffic_secret(&self, th: &TranscriptHash) -> TrafficSecret {
        TrafficSecret(derive_secret(&self.0, "s hs traffic", th))
    }

    /// HKDF-Extract(Derive-Secret(., "derived", ""), 0).
    pub fn into_master_secret(self) -> MasterSecret {
        let salt = derived(&self.0);
        MasterSecret(Secret(crypto::hkdf_extract(&salt.0, &[0u8; HASH_LEN])))
    }
}
// ANCHOR_END: handshake_secret_stage

// ANCHOR: master_secret_stage
/// The Master Secret, the root of the application secrets.
pub struct MasterSecret(Secret);

impl MasterSecret {
    /// The Master Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// client_application_traffic_secret_0, from the transcript up to the server Finished.
    pub fn client_application_traffic_secret_0(&self, th: &TranscriptHash) -> TrafficSecret {
        TrafficSecret(derive_secret(&self.0, "c ap traffic", th))
    }

    /// server_application_traffic_secret_0, from the transcript up to the server Finished.
    pub fn server_application_traffic_secret_0(&self, th: &TranscriptHash) -> TrafficSecret {
        TrafficSecret(derive_secret(&self.0, "s ap traffic", th))
    }

    /// exporter_master_secret, from the transcript up to the server Finished.
    pub fn exporter_master_secret(&self, th: &TranscriptHash) -> Secret {
        derive_secret(&self.0, "exp master", th)
    }

    /// resumption_master_secret, from the transcript up to the client Finished.
    pub fn resumption_master_secret(&self, th: &TranscriptHash) -> Secret {
        derive_secret(&self.0, "res master", th)
    }
}
// ANCHOR_END: master_secret_stage

/// A traffic secret: the root of one direction's record keys.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TrafficSecret(pub(crate) Secret);

/// The record protection keys of one direction, defined by the record
/// layer that uses them and derived here ([`TrafficSecret::traffic_keys`]).
pub use crate::record::TrafficKeys;

impl TrafficSecret {
    /// The secret's bytes (for the trace and the key log).
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0.0
    }

    /// A traffic secret from its bytes: for tests and tools that play one
    /// side of a handshake with a secret read off the other side's trace.
    pub fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        TrafficSecret(Secret::from_bytes(bytes))
    }

    // ANCHOR: traffic_keys
    /// The record keys of this secret (RFC 8446 §7.3):
    ///
    /// ```text
    /// [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
    /// [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
    /// ```
    pub fn traffic_keys(&self) -> TrafficKeys {
        let mut keys = TrafficKeys {
            key: [0; 32],
            iv: [0; 12],
        };
        hkdf_expand_label(&self.0.0, "key", b"", &mut keys.key);
        hkdf_expand_label(&self.0.0, "iv", b"", &mut keys.iv);
        keys
    }
    // ANCHOR_END: traffic_keys

    /// finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
    /// (RFC 8446 §4.4.4).
    pub fn finished_key(&self) -> Secret {
        let mut out = [0u8; HASH_LEN];
        hkdf_expand_label(&self.0.0, "finished", b"", &mut out);
        Secret(out)
    }

    /// application_traffic_secret_N+1 =
    ///     HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
    /// (RFC 8446 §7.2).
    pub fn next(&self) -> TrafficSecret {
        let mut out = [0u8; HASH_LEN];
        hkdf_expand_label(&self.0.0, "traffic upd", b"", &mut out);
        TrafficSecret(Secret(out))
    }
}

// ANCHOR: psk_binder
/// A PSK binder (RFC 8446 §4.2.11.2): computed like a Finished, but keyed
/// from the binder_key and over the ClientHello truncated just before the
/// binders list (plus, after a HelloRetryRequest, what came before it).
pub fn psk_binder(binder_key: &Secret, truncated_transcript: &TranscriptHash) -> [u8; HASH_LEN] {
    let mut finished_key = Secret([0u8; HASH_LEN]);
    hkdf_expand_label(&binder_key.0, "finished", b"", &mut finished_key.0);
    crypto::hmac_sha256(finished_key.as_bytes(), truncated_transcript.as_bytes())
}
// ANCHOR_END: psk_binder

// ANCHOR: resumption_psk
/// The PSK a NewSessionTicket stands for (RFC 8446 §4.6.1):
/// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length).
pub fn resumption_psk(resumption_master_secret: &Secret, ticket_nonce: &[u8]) -> Secret {
    let mut out = [0u8; HASH_LEN];
    hkdf_expand_label(
        &resumption_master_secret.0,
        "resumption",
        ticket_nonce,
        &mut out,
    );
    Secret(out)
}
// ANCHOR_END: resumption_psk

// ANCHOR: finished_verify_data
/// verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
/// Certificate*, CertificateVerify*)) (RFC 8446 §4.4.4).
pub fn finished_verify_data(base_key: &TrafficSecret, th: &TranscriptHash) -> [u8; HASH_LEN] {
    crypto::hmac_sha256(base_key.finished_key().as_bytes(), th.as_bytes())
}
// ANCHOR_END: finished_verify_data

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8448 §3 (simple 1-RTT): the early secret with no PSK is a constant.
    #[test]
    fn early_secret_without_psk_matches_rfc8448() {
        let early = EarlySecret::new(None);
        assert_eq!(
            hex::encode(early.secret().as_bytes()),
            "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
        );
    }
}
