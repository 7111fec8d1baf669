//! The server's handshake state machine (RFC 8446 Appendix A.2).
//!
//! ```text
//!                              START <-----+
//!               Recv ClientHello |         | Send HelloRetryRequest
//!                                v         |
//!                             RECVD_CH ----+
//!                                | Select parameters
//!                                v
//!                             NEGOTIATED
//!                                | Send ServerHello
//!                                | K_send = handshake
//!                                | Send EncryptedExtensions
//!                                | [Send CertificateRequest]
//! Can send                       | [Send Certificate + CertificateVerify]
//! app data                       | Send Finished
//! after   -->                    | K_send = application
//! here                  +--------+--------+
//!              No 0-RTT |                 | 0-RTT
//!                       |                 |
//!   K_recv = handshake  |                 | K_recv = early data
//! [Skip decrypt errors] |    +------> WAIT_EOED -+
//!                       |    |       Recv |      | Recv EndOfEarlyData
//!                       |    | early data |      | K_recv = handshake
//!                       |    +------------+      |
//!                       |                        |
//!                       +> WAIT_FLIGHT2 <--------+
//!                                |
//!                       +--------+--------+
//!               No auth |                 | Client auth
//!                       |                 |
//!                       |                 v
//!                       |             WAIT_CERT
//!                       |        Recv |       | Recv Certificate
//!                       |       empty |       v
//!                       | Certificate |    WAIT_CV
//!                       |             |       | Recv
//!                       |             v       | CertificateVerify
//!                       +-> WAIT_FINISHED <---+
//!                                | Recv Finished
//!                                | K_recv = application
//!                                v
//!                            CONNECTED
//! ```
//!
//! | RFC state | variant | transition |
//! |---|---|---|
//! | START | [`ServerState::Start`] | `handle_client_hello` |
//! | RECVD_CH | [`ServerState::RecvdClientHello`] | `select_parameters` (no input): NEGOTIATED, or START after a HelloRetryRequest |
//! | NEGOTIATED | [`ServerState::Negotiated`] | `send_server_flight` (no input) |
//! | WAIT_FLIGHT2 | [`ServerState::WaitFlight2`] | no client auth, no 0-RTT: straight on (no input) |
//! | WAIT_FINISHED | [`ServerState::WaitFinished`] | `handle_finished` |
//! | CONNECTED | [`ServerState::Connected`] | `handle_key_update` |
//!
//! minitls's server never asks for a client certificate and never accepts
//! 0-RTT, so WAIT_EOED, WAIT_CERT and WAIT_CV are not reached.

use std::sync::Arc;

use crate::config::ServerConfig;
use crate::connection::{AppEvent, Context};
use crate::crypto::{self, X25519KeyPair};
use crate::error::Error;
use crate::key_schedule::{
    EarlySecret, MasterSecret, Secret, SecretLabel, TrafficSecret, finished_verify_data,
};
use crate::messages::certificate_verify::{SERVER_CONTEXT, signed_content};
use crate::messages::extensions::{Extension, KeyShareEntry, extension_type as et};
use crate::messages::server_hello::HELLO_RETRY_REQUEST_RANDOM;
use crate::messages::{
    Certificate, CertificateEntry, CertificateVerify, ClientHello, ED25519, EncryptedExtensions,
    Finished, HandshakeMessage, KeyUpdate, ServerHello, TLS_CHACHA20_POLY1305_SHA256, TLS12, TLS13,
    X25519,
};
use crate::trace::{Epoch, Operation};
use crate::transcript::Transcript;

/// RFC 8446 Appendix A.2, server side. Each variant holds what is known in it.
pub(crate) enum ServerState {
    Start(Start),                       // START
    RecvdClientHello(RecvdClientHello), // RECVD_CH
    Negotiated(Negotiated),             // NEGOTIATED
    WaitFlight2(WaitFinished),          // WAIT_FLIGHT2
    WaitFinished(WaitFinished),         // WAIT_FINISHED
    Connected(Connected),               // CONNECTED
    Closed,                             // after an error (sticky)
}

/// The arrows of the server's state machine, as data: (from, message, to).
pub const SERVER_TRANSITIONS: &[(&str, &str, &str)] = &[
    ("START", "ClientHello", "RECVD_CH"),
    ("RECVD_CH", "(send HelloRetryRequest)", "START"),
    ("RECVD_CH", "(select parameters)", "NEGOTIATED"),
    (
        "NEGOTIATED",
        "(send ServerHello ... Finished)",
        "WAIT_FLIGHT2",
    ),
    ("WAIT_FLIGHT2", "(no client auth)", "WAIT_FINISHED"),
    ("WAIT_FINISHED", "Finished", "CONNECTED"),
    ("CONNECTED", "KeyUpdate", "CONNECTED"),
];

impl ServerState {
    pub(crate) fn start(config: Arc<ServerConfig>) -> Self {
        ServerState::Start(Start {
            config,
            retry: None,
        })
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            ServerState::Start(_) => "START",
            ServerState::RecvdClientHello(_) => "RECVD_CH",
            ServerState::Negotiated(_) => "NEGOTIATED",
            ServerState::WaitFlight2(_) => "WAIT_FLIGHT2",
            ServerState::WaitFinished(_) => "WAIT_FINISHED",
            ServerState::Connected(_) => "CONNECTED",
            ServerState::Closed => "CLOSED",
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        matches!(self, ServerState::Connected(_))
    }

    /// A change_cipher_spec may arrive only after the first ClientHello.
    pub(crate) fn has_seen_client_hello(&self) -> bool {
        !matches!(self, ServerState::Start(Start { retry: None, .. }))
    }

    // ANCHOR: server_without_input
    /// Arrows that need no message (rustls's `handle_without_input`).
    pub(crate) fn handle_without_input(self, cx: &mut Context) -> Result<(Self, bool), Error> {
        Ok(match self {
            ServerState::RecvdClientHello(s) => (s.select_parameters(cx)?, true),
            ServerState::Negotiated(s) => (s.send_server_flight(cx)?, true),
            // We never request a client certificate: straight to WAIT_FINISHED.
            ServerState::WaitFlight2(s) => (ServerState::WaitFinished(s), true),
            other => (other, false),
        })
    }
    // ANCHOR_END: server_without_input

    // ANCHOR: server_dispatch
    pub(crate) fn handle(
        self,
        message: HandshakeMessage,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<Self, Error> {
        use HandshakeMessage as M;
        use ServerState as S;
        match (self, message) {
            (S::Start(s), M::ClientHello(m)) => s.handle_client_hello(m, bytes, cx),
            (S::WaitFinished(s), M::Finished(m)) => s.handle_finished(m, bytes, cx),
            (S::Connected(s), M::KeyUpdate(m)) => s.handle_key_update(m, cx),
            // RFC 8446 §4 / Appendix A: the only source of unexpected_message.
            (state, other) => Err(Error::UnexpectedMessage {
                state: state.name(),
                got: other.name(),
            }),
        }
    }
    // ANCHOR_END: server_dispatch
}

/// What survives a HelloRetryRequest: the transcript so far.
pub(crate) struct Retry {
    transcript: Transcript,
    change_cipher_spec_sent: bool,
}

/// START: waiting for a ClientHello (the first, or the one after our HRR).
pub(crate) struct Start {
    config: Arc<ServerConfig>,
    retry: Option<Retry>,
}

impl Start {
    fn handle_client_hello(
        self,
        hello: ClientHello,
        bytes: &[u8],
        _cx: &mut Context,
    ) -> Result<ServerState, Error> {
        let (mut transcript, retry) = match self.retry {
            Some(r) => (r.transcript, Some(r.change_cipher_spec_sent)),
            None => (Transcript::new(), None),
        };
        transcript.add(bytes);
        Ok(ServerState::RecvdClientHello(RecvdClientHello {
            config: self.config,
            hello,
            transcript,
            retry,
        }))
    }
}

/// RECVD_CH: a ClientHello to choose parameters from.
pub(crate) struct RecvdClientHello {
    config: Arc<ServerConfig>,
    hello: ClientHello,
    transcript: Transcript,
    /// `Some(ccs_sent)` when this is the second ClientHello, after our HRR.
    retry: Option<bool>,
}

impl RecvdClientHello {
    // ANCHOR: select_parameters
    /// Pick the version, suite, group and signature scheme, or explain why
    /// there is nothing in common (RFC 8446 §4.1.1).
    fn select_parameters(mut self, cx: &mut Context) -> Result<ServerState, Error> {
        let hello = &self.hello;
        // RFC 8446 §4.2.1: without supported_versions the client speaks at
        // most TLS 1.2; a TLS 1.3-only server answers protocol_version.
        match hello.find_extension(et::SUPPORTED_VERSIONS) {
            Some(Extension::SupportedVersionsClient(versions)) if versions.contains(&TLS13) => {}
            _ => return Err(Error::ProtocolVersion("client does not offer TLS 1.3")),
        }
        // RFC 8446 §4.1.2: a TLS 1.3 ClientHello's compression list is exactly [null].
        if hello.legacy_compression_methods != [0] {
            return Err(Error::IllegalParameter(
                "legacy_compression_methods is not [0] (RFC 8446 §4.1.2)",
            ));
        }
        if !hello.cipher_suites.contains(&TLS_CHACHA20_POLY1305_SHA256) {
            return Err(Error::NoCommonParameters(
                "client does not offer TLS_CHACHA20_POLY1305_SHA256",
            ));
        }
        // RFC 8446 §9.2: certificate authentication requires signature_algorithms;
        // a key_share requires supported_groups.
        let Some(Extension::SignatureAlgorithms(schemes)) =
            hello.find_extension(et::SIGNATURE_ALGORITHMS)
        else {
            return Err(Error::MissingExtension(
                "signature_algorithms (RFC 8446 §9.2)",
            ));
        };
        if !schemes.contains(&ED25519) {
            return Err(Error::NoCommonParameters(
                "client does not accept ed25519 signatures",
            ));
        }
        let Some(Extension::SupportedGroups(groups)) = hello.find_extension(et::SUPPORTED_GROUPS)
        else {
            return Err(Error::MissingExtension("supported_groups (RFC 8446 §9.2)"));
        };
        let Some(Extension::KeyShareClient(shares)) = hello.find_extension(et::KEY_SHARE) else {
            return Err(Error::MissingExtension("key_share (RFC 8446 §9.2)"));
        };
        if !groups.contains(&X25519) {
            return Err(Error::NoCommonParameters("client does not support x25519"));
        }
        // RFC 8446 §4.2.8: each share MUST be for a group in supported_groups,
        // and at most one share per group.
        for (i, share) in shares.iter().enumerate() {
            if !groups.contains(&share.group) || shares[..i].iter().any(|s| s.group == share.group)
            {
                return Err(Error::IllegalParameter(
                    "key_share does not match supported_groups (RFC 8446 §4.2.8)",
                ));
            }
        }
        // RFC 8446 §4.2.11: pre_shared_key MUST be the last extension.
        if let Some(pos) = hello
            .extensions
            .iter()
            .position(|e| e.extension_type() == et::PRE_SHARED_KEY)
            && pos + 1 != hello.extensions.len()
        {
            return Err(Error::IllegalParameter(
                "pre_shared_key is not the last extension (RFC 8446 §4.2.11)",
            ));
        }
        let server_name = match hello.find_extension(et::SERVER_NAME) {
            Some(Extension::ServerName(name)) => Some(name.clone()),
            _ => None,
        };

        let Some(share) = shares.iter().find(|s| s.group == X25519) else {
            // The client supports X25519 but sent no share for it.
            if self.retry.is_some() {
                // RFC 8446 §4.1.4: the second ClientHello MUST carry the
                // share we asked for.
                return Err(Error::IllegalParameter(
                    "second ClientHello lacks the requested x25519 key_share (RFC 8446 §4.1.4)",
                ));
            }
            return self.send_hello_retry_request(cx);
        };
        let client_public: [u8; 32] = share.key_exchange.as_slice().try_into().map_err(|_| {
            Error::IllegalParameter("X25519 key_exchange is not 32 bytes (RFC 8446 §4.2.8.2)")
        })?;

        cx.client_random = self.hello.random;
        cx.middlebox_compatibility = !self.hello.legacy_session_id.is_empty();
        cx.negotiated.cipher_suite = TLS_CHACHA20_POLY1305_SHA256;
        cx.negotiated.group = Some(X25519);
        cx.negotiated.signature_scheme = Some(ED25519);
        cx.negotiated.server_name = server_name.clone();
        cx.negotiated.hello_retry_request = self.retry.is_some();
        Ok(ServerState::Negotiated(Negotiated {
            config: self.config,
            legacy_session_id: std::mem::take(&mut self.hello.legacy_session_id),
            client_public,
            acknowledge_server_name: server_name.is_some(),
            transcript: self.transcript,
            change_cipher_spec_sent: self.retry.unwrap_or(false),
        }))
    }
    // ANCHOR_END: select_parameters

    // ANCHOR: send_hello_retry_request
    /// RFC 8446 §4.1.4: ask the client to try again with an X25519 share.
    fn send_hello_retry_request(mut self, cx: &mut Context) -> Result<ServerState, Error> {
        let hrr = ServerHello {
            legacy_version: TLS12,
            random: HELLO_RETRY_REQUEST_RANDOM,
            legacy_session_id_echo: self.hello.legacy_session_id.clone(),
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions: vec![
                Extension::SupportedVersionsServer(TLS13),
                Extension::KeyShareHelloRetryRequest(X25519),
            ],
        };
        // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash.
        self.transcript.restart_for_hrr();
        let bytes = cx.send_handshake(&HandshakeMessage::HelloRetryRequest(hrr));
        self.transcript.add(&bytes);
        // RFC 8446 Appendix D.4: the compatibility change_cipher_spec goes
        // right after the server's first handshake message.
        let compat = !self.hello.legacy_session_id.is_empty();
        if compat {
            cx.send_change_cipher_spec()?;
        }
        Ok(ServerState::Start(Start {
            config: self.config,
            retry: Some(Retry {
                transcript: self.transcript,
                change_cipher_spec_sent: compat,
            }),
        }))
    }
    // ANCHOR_END: send_hello_retry_request
}

/// NEGOTIATED: parameters chosen; the server's whole flight is next.
pub(crate) struct Negotiated {
    config: Arc<ServerConfig>,
    legacy_session_id: Vec<u8>,
    client_public: [u8; 32],
    acknowledge_server_name: bool,
    transcript: Transcript,
    change_cipher_spec_sent: bool,
}

impl Negotiated {
    // ANCHOR: send_server_flight
    /// ServerHello, then under handshake keys EncryptedExtensions,
    /// Certificate, CertificateVerify and Finished (RFC 8446 §2).
    fn send_server_flight(mut self, cx: &mut Context) -> Result<ServerState, Error> {
        let key_pair = cx.with_rng(X25519KeyPair::generate);
        cx.operation(Operation::X25519KeyGen);
        let public = key_pair.public;
        let shared = key_pair
            .agree(&self.client_public)
            .ok_or(Error::IllegalParameter(
                "X25519 shared secret is all zeros (RFC 8446 §7.4.2)",
            ))?;
        cx.operation(Operation::X25519SharedSecret);

        let server_hello = ServerHello {
            legacy_version: TLS12,
            random: cx.with_rng(crypto::random_array::<32>),
            legacy_session_id_echo: self.legacy_session_id.clone(),
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions: vec![
                Extension::SupportedVersionsServer(TLS13),
                Extension::KeyShareServer(KeyShareEntry {
                    group: X25519,
                    key_exchange: public.to_vec(),
                }),
            ],
        };
        let bytes = cx.send_handshake(&HandshakeMessage::ServerHello(server_hello));
        self.transcript.add(&bytes);
        if cx.middlebox_compatibility && !self.change_cipher_spec_sent {
            cx.send_change_cipher_spec()?;
        }

        let th = self.transcript.current();
        let handshake_secret = EarlySecret::new(None).into_handshake_secret(Some(&shared.0));
        cx.secret_derived(
            SecretLabel::HandshakeSecret,
            handshake_secret.secret().as_bytes(),
        );
        let client_hs = handshake_secret.client_handshake_traffic_secret(&th);
        let server_hs = handshake_secret.server_handshake_traffic_secret(&th);
        cx.secret_derived(SecretLabel::ClientHandshakeTraffic, client_hs.as_bytes());
        cx.secret_derived(SecretLabel::ServerHandshakeTraffic, server_hs.as_bytes());
        cx.install_write_key(&server_hs, Epoch::Handshake)?;
        cx.install_read_key(&client_hs, Epoch::Handshake);

        let mut encrypted_extensions = EncryptedExtensions::default();
        if self.acknowledge_server_name {
            // RFC 6066 §3: an empty server_name says "I used your name".
            encrypted_extensions
                .extensions
                .push(Extension::ServerNameAck);
        }
        let bytes = cx.send_handshake(&HandshakeMessage::EncryptedExtensions(encrypted_extensions));
        self.transcript.add(&bytes);

        let certificate = Certificate {
            certificate_request_context: Vec::new(),
            certificate_list: self
                .config
                .certificate_chain
                .iter()
                .map(|der| CertificateEntry {
                    cert_data: der.clone(),
                    extensions: Vec::new(),
                })
                .collect(),
        };
        let bytes = cx.send_handshake(&HandshakeMessage::Certificate(certificate));
        self.transcript.add(&bytes);

        let content = signed_content(SERVER_CONTEXT, &self.transcript.current());
        let signature = self.config.private_key.sign(&content);
        cx.operation(Operation::Ed25519Sign);
        let verify = CertificateVerify {
            algorithm: ED25519,
            signature: signature.to_vec(),
        };
        let bytes = cx.send_handshake(&HandshakeMessage::CertificateVerify(verify));
        self.transcript.add(&bytes);

        let verify_data = finished_verify_data(&server_hs, &self.transcript.current());
        let bytes = cx.send_handshake(&HandshakeMessage::Finished(Finished { verify_data }));
        self.transcript.add(&bytes);

        let th_server_finished = self.transcript.current();
        let master = handshake_secret.into_master_secret();
        cx.secret_derived(SecretLabel::MasterSecret, master.secret().as_bytes());
        let client_ap = master.client_application_traffic_secret_0(&th_server_finished);
        let server_ap = master.server_application_traffic_secret_0(&th_server_finished);
        let exporter = master.exporter_master_secret(&th_server_finished);
        cx.secret_derived(SecretLabel::ClientApplicationTraffic0, client_ap.as_bytes());
        cx.secret_derived(SecretLabel::ServerApplicationTraffic0, server_ap.as_bytes());
        cx.secret_derived(SecretLabel::ExporterMaster, exporter.as_bytes());
        cx.install_write_key(&server_ap, Epoch::Application(0))?;
        Ok(ServerState::WaitFlight2(WaitFinished {
            transcript: self.transcript,
            client_hs,
            client_ap,
            server_ap,
            master,
        }))
    }
    // ANCHOR_END: send_server_flight
}

/// WAIT_FLIGHT2 and WAIT_FINISHED: our flight is out; the client's Finished is next.
pub(crate) struct WaitFinished {
    transcript: Transcript,
    client_hs: TrafficSecret,
    client_ap: TrafficSecret,
    server_ap: TrafficSecret,
    master: MasterSecret,
}

/// Proof that the client's Finished was checked (see `client::FinishedVerified`).
pub(crate) struct FinishedVerified(());

impl WaitFinished {
    // ANCHOR: server_handle_finished
    fn handle_finished(
        mut self,
        finished: Finished,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        let expected = finished_verify_data(&self.client_hs, &self.transcript.current());
        // RFC 8446 §4.4.4: wrong verify_data is decrypt_error; constant time.
        if !crypto::constant_time_eq(&expected, &finished.verify_data) {
            return Err(Error::BadFinished);
        }
        let proof = FinishedVerified(());
        self.transcript.add(bytes);
        cx.install_read_key(&self.client_ap, Epoch::Application(0));
        let resumption_master = self
            .master
            .resumption_master_secret(&self.transcript.current());
        cx.secret_derived(SecretLabel::ResumptionMaster, resumption_master.as_bytes());
        cx.app_event(AppEvent::Connected);
        Ok(ServerState::Connected(Connected {
            _proof: proof,
            client_ap: self.client_ap,
            server_ap: self.server_ap,
            generation: 0,
            _resumption_master: resumption_master,
        }))
    }
    // ANCHOR_END: server_handle_finished
}

/// CONNECTED: application keys both ways.
pub(crate) struct Connected {
    _proof: FinishedVerified,
    client_ap: TrafficSecret,
    server_ap: TrafficSecret,
    generation: u32,
    /// For the resumption issue: tickets' PSKs derive from this.
    _resumption_master: Secret,
}

impl Connected {
    fn handle_key_update(
        mut self,
        update: KeyUpdate,
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        // RFC 8446 §4.6.3, as on the client.
        self.generation += 1;
        self.client_ap = self.client_ap.next();
        cx.install_read_key(&self.client_ap, Epoch::Application(self.generation));
        if update.update_requested {
            cx.send_handshake(&HandshakeMessage::KeyUpdate(KeyUpdate {
                update_requested: false,
            }));
            self.server_ap = self.server_ap.next();
            cx.install_write_key(&self.server_ap, Epoch::Application(self.generation))?;
        }
        Ok(ServerState::Connected(self))
    }
}
