//! The secrets of one handshake, derived in the order of RFC 8446 §7.1,
//! each reported to the trace under the label it was derived with.
//!
//! ```text
//!              PSK (or 0) -> HKDF-Extract = Early Secret
//!                                 +-----> Derive-Secret(., "c e traffic", ClientHello)
//!                                 |
//!                        Derive-Secret(., "derived", "")
//!                                 |
//!          (EC)DHE (or 0) -> HKDF-Extract = Handshake Secret
//!                                 +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
//!                                 +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
//!                        Derive-Secret(., "derived", "")
//!                                 |
//!                      0 -> HKDF-Extract = Master Secret
//!                                 +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished)
//!                                 +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished)
//!                                 +-----> Derive-Secret(., "exp master", ClientHello...server Finished)
//!                                 +-----> Derive-Secret(., "res master", ClientHello...client Finished)
//! ```
//!
//! The arithmetic is `key_schedule`'s; what this layer adds is the
//! reporting. Each traffic secret is derived by `derive_reported` from a
//! [`SecretLabel`]: the label's RFC string is the HKDF label, and the same
//! label names the secret in the trace and the key log, so a secret cannot
//! be reported under another's name.

use crate::crypto::SharedSecret;
use crate::key_schedule::{
    EarlySecret, HandshakeSecret, MasterSecret, Secret, SecretLabel, TrafficSecret, derive_secret,
};
use crate::transcript::TranscriptHash;

use super::context::Context;

// ANCHOR: derive_reported
/// Derive-Secret(base, label, transcript hash), reported under `label`.
fn derive_reported(
    cx: &mut Context,
    base: &Secret,
    label: SecretLabel,
    th: &TranscriptHash,
) -> Secret {
    let secret = derive_secret(base, label.rfc_label(), th);
    cx.secret_derived(label, secret.as_bytes());
    secret
}
// ANCHOR_END: derive_reported

// ANCHOR: derive_early_traffic_secret
/// client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic",
/// ClientHello) (RFC 8446 §7.1): the keys of 0-RTT data and of
/// EndOfEarlyData. Only a PSK gives an Early Secret the server can share,
/// so only a resumption can send early data; the transcript is the
/// ClientHello alone, so both sides can derive it before the ServerHello.
pub(crate) fn derive_early_traffic_secret(
    psk: &Secret,
    th_client_hello: &TranscriptHash,
    cx: &mut Context,
) -> TrafficSecret {
    let early_secret = EarlySecret::new(Some(&psk.as_bytes()[..]));
    let secret = derive_reported(
        cx,
        early_secret.secret(),
        SecretLabel::ClientEarlyTraffic,
        th_client_hello,
    );
    TrafficSecret(secret)
}
// ANCHOR_END: derive_early_traffic_secret

/// The handshake epoch's secrets (RFC 8446 §7.1): the Handshake Secret,
/// kept for the Master Secret, and one traffic secret per direction.
pub(crate) struct HandshakeSecrets {
    /// Used up by [`derive_application_secrets`].
    pub(crate) handshake_secret: HandshakeSecret,
    /// client_handshake_traffic_secret: the client writes with it.
    pub(crate) client: TrafficSecret,
    /// server_handshake_traffic_secret: the server writes with it.
    pub(crate) server: TrafficSecret,
}

/// From the PSK (a resumption) and the (EC)DHE shared secret (unless
/// psk_ke) to both handshake traffic secrets, over the transcript up to
/// the ServerHello. A full handshake has no PSK, a psk_ke resumption no
/// (EC)DHE; each missing input is Hash.length zeros (RFC 8446 §7.1).
pub(crate) fn derive_handshake_secrets(
    psk: Option<&Secret>,
    ecdhe: Option<&SharedSecret>,
    th_server_hello: &TranscriptHash,
    cx: &mut Context,
) -> HandshakeSecrets {
    let early_secret = EarlySecret::new(psk.map(|p| &p.as_bytes()[..]));
    let handshake_secret = early_secret.into_handshake_secret(ecdhe.map(|s| &s.0[..]));
    cx.secret_derived(
        SecretLabel::HandshakeSecret,
        handshake_secret.secret().as_bytes(),
    );
    let base = handshake_secret.secret();
    let client = derive_reported(
        cx,
        base,
        SecretLabel::ClientHandshakeTraffic,
        th_server_hello,
    );
    let server = derive_reported(
        cx,
        base,
        SecretLabel::ServerHandshakeTraffic,
        th_server_hello,
    );
    HandshakeSecrets {
        handshake_secret,
        client: TrafficSecret(client),
        server: TrafficSecret(server),
    }
}

/// The application epoch's secrets: one traffic secret per direction, and
/// the Master Secret, kept for the resumption_master_secret.
pub(crate) struct ApplicationSecrets {
    master: MasterSecret,
    /// client_application_traffic_secret_0.
    pub(crate) client: TrafficSecret,
    /// server_application_traffic_secret_0.
    pub(crate) server: TrafficSecret,
    /// exporter_master_secret: what `Connection::export_keying_material`
    /// derives from (RFC 8446 §7.5).
    pub(crate) exporter: Secret,
}

/// The Master Secret from the Handshake Secret, and the secrets derived
/// from it over the transcript up to the server's Finished (RFC 8446
/// §7.1): both application traffic secrets and the exporter_master_secret.
pub(crate) fn derive_application_secrets(
    handshake_secret: HandshakeSecret,
    th_server_finished: &TranscriptHash,
    cx: &mut Context,
) -> ApplicationSecrets {
    let master = handshake_secret.into_master_secret();
    cx.secret_derived(SecretLabel::MasterSecret, master.secret().as_bytes());
    let base = master.secret();
    let th = th_server_finished;
    let client = derive_reported(cx, base, SecretLabel::ClientApplicationTraffic0, th);
    let server = derive_reported(cx, base, SecretLabel::ServerApplicationTraffic0, th);
    // Kept for the exporter (RFC 8446 §7.5), and reported: the key log
    // names it EXPORTER_SECRET.
    let exporter = derive_reported(cx, base, SecretLabel::ExporterMaster, th);
    ApplicationSecrets {
        master,
        client: TrafficSecret(client),
        server: TrafficSecret(server),
        exporter,
    }
}

impl ApplicationSecrets {
    /// resumption_master_secret, over the transcript up to the client's
    /// Finished: every ticket's PSK derives from it (RFC 8446 §4.6.1).
    pub(crate) fn resumption_master_secret(
        &self,
        th_client_finished: &TranscriptHash,
        cx: &mut Context,
    ) -> Secret {
        derive_reported(
            cx,
            self.master.secret(),
            SecretLabel::ResumptionMaster,
            th_client_finished,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labels the trace reports are the labels `key_schedule` derives
    /// with: a secret derived here equals the one its named method gives.
    #[test]
    fn each_label_derives_what_key_schedule_names_it() {
        let th = TranscriptHash::from_bytes([7; 32]);
        let hs = EarlySecret::new(None).into_handshake_secret(Some(&[9; 32]));
        let by_label =
            |label: SecretLabel, base: &Secret| derive_secret(base, label.rfc_label(), &th);
        assert_eq!(
            TrafficSecret(by_label(SecretLabel::ClientHandshakeTraffic, hs.secret())),
            hs.client_handshake_traffic_secret(&th)
        );
        assert_eq!(
            TrafficSecret(by_label(SecretLabel::ServerHandshakeTraffic, hs.secret())),
            hs.server_handshake_traffic_secret(&th)
        );
        let master = hs.into_master_secret();
        assert_eq!(
            TrafficSecret(by_label(
                SecretLabel::ClientApplicationTraffic0,
                master.secret()
            )),
            master.client_application_traffic_secret_0(&th)
        );
        assert_eq!(
            TrafficSecret(by_label(
                SecretLabel::ServerApplicationTraffic0,
                master.secret()
            )),
            master.server_application_traffic_secret_0(&th)
        );
        assert_eq!(
            by_label(SecretLabel::ExporterMaster, master.secret()).as_bytes(),
            master.exporter_master_secret(&th).as_bytes()
        );
        assert_eq!(
            by_label(SecretLabel::ResumptionMaster, master.secret()).as_bytes(),
            master.resumption_master_secret(&th).as_bytes()
        );
    }
}
