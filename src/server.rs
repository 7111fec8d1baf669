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
//! | START | `ServerState::Start` | `handle_client_hello` |
//! | RECVD_CH | `ServerState::RecvdClientHello` | `select_parameters` (no input): NEGOTIATED, or START after a HelloRetryRequest |
//! | NEGOTIATED | `ServerState::Negotiated` | `send_server_flight` (no input): WAIT_EOED with 0-RTT, else WAIT_FLIGHT2 |
//! | WAIT_EOED | `ServerState::WaitEndOfEarlyData` | early data (read by the connection), then `handle_end_of_early_data` |
//! | WAIT_FLIGHT2 | `ServerState::WaitFlight2` | from NEGOTIATED without 0-RTT, or from WAIT_EOED after EndOfEarlyData: on to WAIT_CERT if we sent a CertificateRequest, else to WAIT_FINISHED (no input) |
//! | WAIT_CERT | `ServerState::WaitCert` | `handle_client_certificate`: WAIT_CV, or WAIT_FINISHED after an empty Certificate |
//! | WAIT_CV | `ServerState::WaitCertificateVerify` | `handle_client_certificate_verify` |
//! | WAIT_FINISHED | `ServerState::WaitFinished` | `handle_finished`, then `send_tickets` |
//! | CONNECTED | `ServerState::Connected` | `handle_key_update` |
//!
//! 0-RTT (RFC 8446 §4.2.10) is accepted only when
//! `ServerConfig::max_early_data_size` is not 0 (it is 0 by default), and
//! then only as `decide_early_data` says: the first ClientHello, the
//! client's first PSK, a ticket that allowed early data, the ticket's ALPN
//! protocol, and the resumption strategy's anti-replay (RFC 8446 §8:
//! `ResumptionStrategy::admit_early_data`). Accepted, NEGOTIATED reads
//! with the client's early keys (`K_recv = early data`) and goes to
//! WAIT_EOED, where the connection delivers the early data
//! (`AppEvent::EarlyData`) up to the limit, and EndOfEarlyData switches
//! to the handshake keys. Rejected, the early records are skipped by
//! trial decryption and the handshake is 1-RTT. The server
//! asks for a client certificate (mutual TLS) only when configured with
//! `ServerConfig::client_auth`, and only in a full handshake (RFC 8446
//! §4.3.2); then the client's Certificate and CertificateVerify take the
//! WAIT_CERT and WAIT_CV arrows. When it accepts a PSK (`choose_psk`),
//! NEGOTIATED sends no CertificateRequest, Certificate or
//! CertificateVerify, and the client is who the session says it was. After
//! the client's Finished it issues tickets with its resumption strategy
//! (`send_tickets`), each remembering the client's identity.

use std::sync::Arc;

use crate::codec::U16Set;
use crate::config::ClientAuthMode;
use crate::config::ServerConfig;
use crate::crypto;
use crate::error::{
    Error, IllegalParameter, MissingExtension, NoCommonParameters, ProtocolVersion,
};
use crate::handshake::context::{AppEvent, Context, MAX_SKIPPED_EARLY_DATA};
use crate::handshake::finished::{
    AwaitingFinished, FinishedVerified, finished_for, verify_finished,
};
use crate::handshake::key_exchange::{agree, generate_share};
use crate::handshake::keys::derive_early_traffic_secret;
use crate::handshake::keys::{
    ApplicationSecrets, HandshakeSecrets, derive_application_secrets, derive_handshake_secrets,
};
use crate::handshake::psk::{psk_mode_name, truncation_point, verify_binder};
use crate::handshake::traffic::ApplicationTraffic;
use crate::key_schedule::{Secret, TrafficSecret, resumption_psk};
use crate::messages::certificate_verify::{CLIENT_CONTEXT, SERVER_CONTEXT, signed_content};
use crate::messages::extensions::{KeyShareEntry, extension_type as et};
use crate::messages::extensions::{OfferedPsks, PskIdentity};
use crate::messages::{
    Certificate, CertificateEntry, CertificateVerify, ClientHello, ClientHelloExtensions, ED25519,
    EncryptedExtensions, Finished, HandshakeMessage, HandshakeType, HelloRetryRequest,
    HelloRetryRequestExtensions, KeyUpdate, ServerHello, ServerHelloExtensions,
    TLS_CHACHA20_POLY1305_SHA256, TLS12, TLS13, X25519,
};
use crate::messages::{CertificateRequest, CertificateRequestExtensions};
use crate::messages::{NewSessionTicket, NewSessionTicketExtensions, PSK_DHE_KE, PSK_KE};
use crate::pki::verify::verify_client_chain;
use crate::resumption::peer_identity::PeerIdentity;
use crate::resumption::{MAX_TICKET_LIFETIME, Rejection, ResumptionStrategy, Session};
use crate::time::UnixTime;
use crate::trace::{Epoch, Operation};
use crate::trace::{Event, ResumptionEvent};
use crate::transcript::{Transcript, TranscriptHash};

/// RFC 8446 Appendix A.2, server side. Each variant holds what is known in it.
pub(crate) enum ServerState {
    Start(Start),                       // START
    RecvdClientHello(RecvdClientHello), // RECVD_CH
    Negotiated(Negotiated),             // NEGOTIATED
    WaitEndOfEarlyData(WaitFinished),   // WAIT_EOED
    WaitFlight2(WaitFinished),          // WAIT_FLIGHT2
    WaitCert(WaitFinished),             // WAIT_CERT
    WaitCertificateVerify(WaitCv),      // WAIT_CV
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
    // 0-RTT accepted: the client's early data, then its EndOfEarlyData
    // (RFC 8446 §4.2.10, §4.5), both under the early keys.
    (
        "NEGOTIATED",
        "(send ServerHello ... Finished; 0-RTT)",
        "WAIT_EOED",
    ),
    ("WAIT_EOED", "EndOfEarlyData", "WAIT_FLIGHT2"),
    ("WAIT_FLIGHT2", "(no client auth)", "WAIT_FINISHED"),
    // Mutual TLS: we sent a CertificateRequest (RFC 8446 §4.3.2).
    ("WAIT_FLIGHT2", "(client auth)", "WAIT_CERT"),
    ("WAIT_CERT", "Certificate", "WAIT_CV"),
    // An empty Certificate, when the client's certificate is optional.
    ("WAIT_CERT", "Certificate", "WAIT_FINISHED"),
    ("WAIT_CV", "CertificateVerify", "WAIT_FINISHED"),
    // Then NewSessionTicket, when a resumption strategy is configured.
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
            ServerState::WaitEndOfEarlyData(_) => "WAIT_EOED",
            ServerState::WaitFlight2(_) => "WAIT_FLIGHT2",
            ServerState::WaitCert(_) => "WAIT_CERT",
            ServerState::WaitCertificateVerify(_) => "WAIT_CV",
            ServerState::WaitFinished(_) => "WAIT_FINISHED",
            ServerState::Connected(_) => "CONNECTED",
            ServerState::Closed => "CLOSED",
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        matches!(self, ServerState::Connected(_))
    }

    /// Start a KeyUpdate of our own (RFC 8446 §4.6.3), once connected.
    pub(crate) fn update_keys(
        &mut self,
        request_peer_update: bool,
        cx: &mut Context,
    ) -> Result<(), Error> {
        match self {
            ServerState::Connected(c) => c.traffic.update_sending_keys(request_peer_update, cx),
            _ => Err(Error::Misuse("KeyUpdate before the handshake completed")),
        }
    }

    /// The exporter_master_secret, once connected (RFC 8446 §7.5).
    pub(crate) fn exporter_master_secret(&self) -> Option<&Secret> {
        match self {
            ServerState::Connected(c) => Some(&c.exporter_master_secret),
            _ => None,
        }
    }

    /// A change_cipher_spec may arrive only after the first ClientHello.
    pub(crate) fn has_seen_client_hello(&self) -> bool {
        !matches!(self, ServerState::Start(Start { retry: None, .. }))
    }

    // ANCHOR: server_without_input
    /// Whether this state has an arrow that needs no message.
    pub(crate) fn acts_without_input(&self) -> bool {
        matches!(
            self,
            ServerState::RecvdClientHello(_)
                | ServerState::Negotiated(_)
                | ServerState::WaitFlight2(_)
        )
    }

    /// Take the arrow that needs no message (rustls's `handle_without_input`).
    pub(crate) fn handle_without_input(self, cx: &mut Context) -> Result<Self, Error> {
        Ok(match self {
            ServerState::RecvdClientHello(s) => s.select_parameters(cx)?,
            ServerState::Negotiated(s) => s.send_server_flight(cx)?,
            // Appendix A.2: "Client auth" leads to WAIT_CERT, "No auth" to
            // WAIT_FINISHED.
            ServerState::WaitFlight2(s) if s.certificate_requested => ServerState::WaitCert(s),
            ServerState::WaitFlight2(s) => ServerState::WaitFinished(s),
            other => other,
        })
    }
    // ANCHOR_END: server_without_input

    // ANCHOR: server_expects
    /// Which handshake types this state has an arrow for: the connection
    /// refuses any other type from its header (RFC 8446 Appendix A).
    pub(crate) fn expects(&self, msg_type: u8) -> bool {
        let expected = match self {
            ServerState::Start(_) => HandshakeType::ClientHello,
            ServerState::WaitEndOfEarlyData(_) => HandshakeType::EndOfEarlyData,
            ServerState::WaitCert(_) => HandshakeType::Certificate,
            ServerState::WaitCertificateVerify(_) => HandshakeType::CertificateVerify,
            ServerState::WaitFinished(_) => HandshakeType::Finished,
            ServerState::Connected(_) => HandshakeType::KeyUpdate,
            _ => return false,
        };
        expected as u8 == msg_type
    }
    // ANCHOR_END: server_expects

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
            (S::WaitEndOfEarlyData(s), M::EndOfEarlyData) => s.handle_end_of_early_data(bytes, cx),
            (S::WaitCert(s), M::Certificate(m)) => s.handle_client_certificate(m, bytes, cx),
            (S::WaitCertificateVerify(s), M::CertificateVerify(m)) => {
                s.handle_client_certificate_verify(m, bytes, cx)
            }
            (S::WaitFinished(s), M::Finished(m)) => s.handle_finished(m, bytes, cx),
            (S::Connected(s), M::KeyUpdate(m)) => s.handle_key_update(m, cx),
            // RFC 8446 §4 / Appendix A: unexpected_message. Types with no
            // arrow here were refused from their header (`expects`).
            (state, other) => Err(Error::UnexpectedMessage {
                state: state.name(),
                got: other.name(),
            }),
        }
    }
    // ANCHOR_END: server_dispatch
}

/// What survives a HelloRetryRequest: the transcript so far, and the first
/// ClientHello, which the second must repeat (RFC 8446 §4.1.2).
pub(crate) struct Retry {
    transcript: Transcript,
    change_cipher_spec_sent: bool,
    first_hello: ClientHello,
    /// The first ClientHello as received: the second must repeat its bytes.
    first_hello_bytes: Vec<u8>,
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
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        let (transcript_before_hello, attempt) = match self.retry {
            Some(r) => {
                check_second_client_hello((&r.first_hello, &r.first_hello_bytes), (&hello, bytes))?;
                // The client's early data, if any, ended before this hello.
                cx.early_data_to_skip = None;
                let attempt = HelloAttempt::AfterRetry {
                    change_cipher_spec_sent: r.change_cipher_spec_sent,
                };
                (r.transcript, attempt)
            }
            None => (Transcript::new(), HelloAttempt::First),
        };
        // RFC 8446 §4.2.11.2: a PSK offer's binders MAC the transcript up
        // to this hello's binders list; its hash is taken on the way.
        let mut transcript = transcript_before_hello;
        let truncated_hello_hash = match &hello.extensions.pre_shared_key {
            Some(offer) => {
                let cut = truncation_point(bytes, offer);
                transcript.add(&bytes[..cut]);
                let hash = transcript.current();
                transcript.add(&bytes[cut..]);
                Some(hash)
            }
            None => {
                transcript.add(bytes);
                None
            }
        };
        Ok(ServerState::RecvdClientHello(RecvdClientHello {
            config: self.config,
            hello,
            hello_bytes: bytes.to_vec(),
            truncated_hello_hash,
            transcript,
            attempt,
        }))
    }
}

// ANCHOR: check_second_client_hello
/// RFC 8446 §4.1.2: after a HelloRetryRequest "the client MUST send the
/// same ClientHello without modification, except as follows": key_share
/// replaced, early_data removed, a cookie added, pre_shared_key updated
/// (or trimmed), padding changed. Everything else, extension order
/// included, must repeat; a server that checks answers illegal_parameter.
/// Extensions are compared by their bytes as received, so one minitls
/// does not know is held to the rule too.
fn check_second_client_hello(
    (first, first_bytes): (&ClientHello, &[u8]),
    (second, second_bytes): (&ClientHello, &[u8]),
) -> Result<(), Error> {
    const CHANGED: Error = Error::IllegalParameter(IllegalParameter::SecondClientHelloChanged);
    let same_fields = first.legacy_version == second.legacy_version
        && first.random == second.random
        && first.legacy_session_id == second.legacy_session_id
        && first.cipher_suites == second.cipher_suites
        && first.legacy_compression_methods == second.legacy_compression_methods;
    if !same_fields {
        return Err(CHANGED);
    }
    let (one, two) = (&first.extensions, &second.extensions);
    // RFC 8446 §4.2.10: "A client MUST NOT include the early_data
    // extension in its followup ClientHello."
    if two.early_data {
        return Err(Error::IllegalParameter(
            IllegalParameter::EarlyDataInSecondClientHello,
        ));
    }
    // A PSK may be dropped, never added.
    if two.pre_shared_key.is_some() && one.pre_shared_key.is_none() {
        return Err(CHANGED);
    }
    // Leaving out the extensions that may come, go or change, the rest
    // must be the same, in the same order, byte for byte.
    if kept_extensions(first, first_bytes) != kept_extensions(second, second_bytes) {
        return Err(CHANGED);
    }
    Ok(())
}
// ANCHOR_END: check_second_client_hello

// ANCHOR: kept_extensions
/// The extensions of a ClientHello that a second one must repeat, in
/// order: each type with its bytes, except key_share, which may change
/// but not move, so it counts by its type only.
fn kept_extensions<'a>(hello: &ClientHello, bytes: &'a [u8]) -> Vec<(u16, &'a [u8])> {
    let may_change = [et::EARLY_DATA, et::COOKIE, et::PADDING, et::PRE_SHARED_KEY];
    (hello.extensions.received.iter())
        .filter(|e| !may_change.contains(&e.extension_type))
        .map(|e| {
            let start = e.offset as usize;
            let data = match e.extension_type {
                et::KEY_SHARE => &[][..],
                _ => bytes
                    .get(start..start + usize::from(e.length))
                    .unwrap_or(&[]),
            };
            (e.extension_type, data)
        })
        .collect()
}
// ANCHOR_END: kept_extensions

/// Which ClientHello the server is answering: RFC 8446 §4.1.4 allows one
/// HelloRetryRequest, so at most two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HelloAttempt {
    First,
    /// After our HelloRetryRequest, and whether our compatibility
    /// change_cipher_spec already went out with it (RFC 8446 Appendix D.4).
    AfterRetry {
        change_cipher_spec_sent: bool,
    },
}

/// RECVD_CH: a ClientHello to choose parameters from.
pub(crate) struct RecvdClientHello {
    config: Arc<ServerConfig>,
    hello: ClientHello,
    /// The ClientHello as received: a second one must repeat its bytes
    /// (RFC 8446 §4.1.2).
    hello_bytes: Vec<u8>,
    /// `Transcript-Hash(Truncate(ClientHello))`, when it offers PSKs: the
    /// transcript before it (empty, or ClientHello1's message_hash and our
    /// HelloRetryRequest) and the hello up to its binders list (RFC 8446
    /// §4.2.11.2), what each binder is checked against.
    truncated_hello_hash: Option<TranscriptHash>,
    transcript: Transcript,
    attempt: HelloAttempt,
}

/// How the keys are agreed, once the PSK is decided (RFC 8446 §2).
enum KeyExchange {
    /// The client's X25519 public key.
    X25519([u8; 32]),
    /// psk_ke: the PSK alone, no key exchange (RFC 8446 §4.2.9).
    PskOnly,
    /// The client supports X25519 but sent no share for it: ask for one.
    RetryForShare,
}

impl RecvdClientHello {
    // ANCHOR: select_parameters
    /// Pick the version, suite, group and signature scheme, or explain why
    /// there is nothing in common (RFC 8446 §4.1.1), then the PSK and the
    /// key exchange; a HelloRetryRequest when a share is missing.
    fn select_parameters(self, cx: &mut Context) -> Result<ServerState, Error> {
        // RFC 8446 §4.2.10: until we accept it (below), whatever early
        // data the client sent after this hello is skipped, up to our
        // max_early_data_size (at least one record's worth).
        if self.hello.extensions.early_data {
            let limit = usize::try_from(self.config.max_early_data_size).unwrap_or(usize::MAX);
            cx.early_data_to_skip = Some(MAX_SKIPPED_EARLY_DATA.max(limit));
        }
        check_version_and_suite(&self.hello)?;
        check_signature_algorithms(&self.hello.extensions)?;
        check_groups_and_shares(&self.hello.extensions)?;
        let offered = (self
            .hello
            .extensions
            .application_layer_protocol_negotiation
            .as_deref())
        .map(|list| list.protocol_name_list.as_slice());
        cx.negotiated.alpn_protocol = choose_application_protocol(&self.config, offered)?;
        let mut psk = match self.choose_psk(cx)? {
            PskChoice::RetryForShare => return self.send_hello_retry_request(cx),
            PskChoice::Accepted(accepted) => Some(accepted),
            PskChoice::None => None,
        };
        let client_public = match self.key_exchange(psk.as_ref())? {
            KeyExchange::RetryForShare => return self.send_hello_retry_request(cx),
            KeyExchange::PskOnly => None,
            KeyExchange::X25519(client_public) => Some(client_public),
        };
        if self.hello.extensions.early_data {
            self.decide_early_data(psk.as_mut(), cx);
        }
        Ok(self.negotiated(psk, client_public, cx))
    }
    // ANCHOR_END: select_parameters

    // ANCHOR: decide_early_data
    /// The client offered 0-RTT: accept it or not (RFC 8446 §4.2.10).
    /// Accepted only in the first ClientHello, when we allow early data,
    /// with the first PSK identity, from a ticket that allowed it, with
    /// the suite (we have one) and the ALPN protocol of the ticket's
    /// session, and when the strategy's anti-replay admits this
    /// ClientHello (§8). Rejected, it is skipped: never an error.
    fn decide_early_data(&self, psk: Option<&mut AcceptedPsk>, cx: &mut Context) {
        let Some(psk) = psk else {
            let reason = "no PSK accepted";
            cx.emit(Event::Resumption(ResumptionEvent::EarlyDataRejected {
                reason,
            }));
            cx.negotiated.early_data_accepted = Some(false);
            return;
        };
        let alpn = cx.negotiated.alpn_protocol.as_deref().unwrap_or_default();
        let reason = if self.attempt != HelloAttempt::First {
            Some("early data after a HelloRetryRequest")
        } else if self.config.max_early_data_size == 0 {
            Some("early data is off on this server")
        } else if psk.selected_identity != 0 {
            Some("the PSK is not the client's first")
        } else if psk.max_early_data_size == 0 {
            Some("the ticket does not allow early data")
        } else if psk.alpn_protocol != alpn {
            Some("ALPN differs from the ticket's")
        } else if !psk.replay_checked {
            Some("anti-replay refused this ClientHello")
        } else {
            None
        };
        if let Some(reason) = reason {
            cx.emit(Event::Resumption(ResumptionEvent::EarlyDataRejected {
                reason,
            }));
            cx.negotiated.early_data_accepted = Some(false);
            return;
        }
        psk.early_data = true;
        cx.negotiated.early_data_accepted = Some(true);
        // Read under the early keys, not skipped.
        cx.early_data_to_skip = None;
        cx.emit(Event::Resumption(ResumptionEvent::EarlyDataAccepted {
            max_early_data_size: self.config.max_early_data_size.min(psk.max_early_data_size),
        }));
    }
    // ANCHOR_END: decide_early_data

    /// The client's X25519 share, if it sent one.
    fn x25519_share(&self) -> Option<&KeyShareEntry> {
        let shares = self.hello.extensions.key_share.as_deref()?;
        shares.iter().find(|s| s.group == X25519)
    }

    // ANCHOR: key_exchange
    /// The key exchange, given the PSK: none in psk_ke, else X25519 with
    /// the client's share, or a HelloRetryRequest for one.
    fn key_exchange(&self, psk: Option<&AcceptedPsk>) -> Result<KeyExchange, Error> {
        if psk.is_some_and(|p| p.mode == PSK_KE) {
            return Ok(KeyExchange::PskOnly);
        }
        let Some(share) = self.x25519_share() else {
            if self.attempt != HelloAttempt::First {
                // RFC 8446 §4.1.4: the second ClientHello MUST carry the
                // share we asked for.
                return Err(Error::IllegalParameter(
                    IllegalParameter::SecondClientHelloLacksRequestedShare,
                ));
            }
            return Ok(KeyExchange::RetryForShare);
        };
        let client_public = <[u8; 32]>::try_from(share.key_exchange.as_slice())
            .map_err(|_| Error::IllegalParameter(IllegalParameter::X25519KeyExchangeLength))?;
        Ok(KeyExchange::X25519(client_public))
    }
    // ANCHOR_END: key_exchange

    /// RECVD_CH → NEGOTIATED: record what was chosen and keep what the
    /// server's flight needs.
    fn negotiated(
        self,
        psk: Option<AcceptedPsk>,
        client_public: Option<[u8; 32]>,
        cx: &mut Context,
    ) -> ServerState {
        let hello = self.hello;
        cx.client_random = hello.random;
        cx.middlebox_compatibility = !hello.legacy_session_id.is_empty();
        cx.negotiated.cipher_suite = TLS_CHACHA20_POLY1305_SHA256;
        cx.negotiated.group = client_public.map(|_| X25519);
        cx.negotiated.signature_scheme = psk.is_none().then_some(ED25519);
        cx.negotiated.server_name = hello.extensions.server_name.clone();
        cx.negotiated.hello_retry_request = self.attempt != HelloAttempt::First;
        if let Some(p) = &psk {
            cx.negotiated.resumed = true;
            cx.negotiated.psk_mode = Some(psk_mode_name(p.mode));
            cx.negotiated.resumption_strategy = Some(p.strategy);
            cx.negotiated.client_identity = p.client_identity.clone();
            if let Some(identity) = &p.client_identity {
                cx.emit(Event::ClientAuthenticated {
                    subject: &identity.subject,
                    certificate_sha256: &identity.certificate_sha256,
                    resumed: true,
                });
            }
        }
        // RFC 8446 §4.2.9: tickets are worth sending only to a client that
        // can use them in a mode we accept.
        let client_can_resume = (hello.extensions.psk_key_exchange_modes.iter().flatten())
            .any(|m| self.config.psk_modes.contains(m));
        ServerState::Negotiated(Negotiated {
            config: self.config,
            legacy_session_id: hello.legacy_session_id,
            client_public,
            psk,
            server_name: hello.extensions.server_name,
            client_can_resume,
            transcript: self.transcript,
            change_cipher_spec_sent: matches!(
                self.attempt,
                HelloAttempt::AfterRetry {
                    change_cipher_spec_sent: true
                }
            ),
        })
    }

    // ANCHOR: send_hello_retry_request
    /// RFC 8446 §4.1.4: ask the client to try again with an X25519 share.
    fn send_hello_retry_request(mut self, cx: &mut Context) -> Result<ServerState, Error> {
        let hrr = HelloRetryRequest {
            legacy_version: TLS12,
            legacy_session_id_echo: self.hello.legacy_session_id.clone(),
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions: HelloRetryRequestExtensions {
                supported_versions: Some(TLS13),
                key_share: Some(X25519),
                cookie: None,
                received: Vec::new(),
            },
        };
        // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash.
        self.transcript.restart_for_hrr();
        let bytes = cx.send_handshake(&HandshakeMessage::HelloRetryRequest(hrr))?;
        self.transcript.add(bytes);
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
                first_hello: self.hello,
                first_hello_bytes: self.hello_bytes,
            }),
        }))
    }
    // ANCHOR_END: send_hello_retry_request

    // ANCHOR: choose_psk
    /// Try the client's PSK identities in order (at most `max_psk_identities`)
    /// with our resumption strategy. A ticket we cannot use is not an error: the
    /// handshake falls back to a full one. A binder that does not verify for
    /// the identity we would select is (RFC 8446 §4.2.11: decrypt_error).
    fn choose_psk(&self, cx: &mut Context) -> Result<PskChoice, Error> {
        let extensions = &self.hello.extensions;
        // The hash is taken for every hello that has the extension.
        let (Some(offer), Some(truncated_hello_hash)) =
            (&extensions.pre_shared_key, &self.truncated_hello_hash)
        else {
            return Ok(PskChoice::None);
        };
        // RFC 8446 §4.2.9: a client offering a PSK MUST send psk_key_exchange_modes.
        let Some(client_modes) = &extensions.psk_key_exchange_modes else {
            return Err(Error::MissingExtension(
                MissingExtension::ClientHelloPskKeyExchangeModes,
            ));
        };
        // RFC 8446 §4.2.11: one binder per identity.
        if offer.identities.len() != offer.binders.len() {
            return Err(Error::IllegalParameter(
                IllegalParameter::BinderCountMismatch,
            ));
        }
        let Some(strategy) = &self.config.resumption else {
            return Ok(PskChoice::None);
        };
        let config = &self.config;
        let in_common = |mode: u8| client_modes.contains(&mode) && config.psk_modes.contains(&mode);
        let mode = if in_common(PSK_DHE_KE) && self.x25519_share().is_some() {
            PSK_DHE_KE
        } else if in_common(PSK_KE) {
            PSK_KE
        } else if in_common(PSK_DHE_KE) && self.attempt == HelloAttempt::First {
            // Decided before any session is looked up or taken: a single-use
            // ticket must survive the retry.
            return Ok(PskChoice::RetryForShare);
        } else {
            return Ok(PskChoice::None);
        };
        self.redeem_identity((offer, truncated_hello_hash), mode, &**strategy, cx)
    }
    // ANCHOR_END: choose_psk

    // ANCHOR: redeem_look_up
    /// The first identity whose session passes `check_session` and whose
    /// binder verifies, used up only then (single use, RFC 8446 §8.1).
    fn redeem_identity(
        &self,
        (offer, truncated_hello_hash): (&OfferedPsks, &TranscriptHash),
        mode: u8,
        strategy: &dyn ResumptionStrategy,
        cx: &mut Context,
    ) -> Result<PskChoice, Error> {
        let now = cx.now();
        let name = strategy.name();
        let server_name = self.hello.extensions.server_name.as_deref().unwrap_or("");
        let identities = offer.identities.iter().enumerate();
        for (index, identity) in identities.take(self.config.max_psk_identities) {
            let checked = (strategy.look_up(&identity.identity, now)).and_then(|session| {
                check_session(session, identity, server_name, now, &self.config)
            });
            let session = match checked {
                Ok(session) => session,
                Err(rejection) => {
                    cx.emit(Event::Resumption(ResumptionEvent::Rejected {
                        strategy: name,
                        reason: rejection.reason(),
                    }));
                    continue;
                }
            };
            // ANCHOR_END: redeem_look_up
            // ANCHOR: redeem_verify_take
            verify_binder(&session.psk, truncated_hello_hash, offer, index)?;
            // Only now, with the binder verified, is the session used up: a
            // forged binder on a copied identity burns nothing. Losing a race
            // for a single-use session means a full handshake.
            if let Err(rejection) = strategy.take(&identity.identity) {
                cx.emit(Event::Resumption(ResumptionEvent::Rejected {
                    strategy: name,
                    reason: rejection.reason(),
                }));
                continue;
            }
            cx.emit(Event::Resumption(ResumptionEvent::Accepted {
                strategy: name,
                psk_mode: psk_mode_name(mode),
            }));
            // check_session has decoded it once already.
            let client_identity = PeerIdentity::decode(&session.peer_identity).unwrap_or(None);
            // RFC 8446 §8: asked only for a ClientHello that could have its
            // 0-RTT accepted, so nothing else fills a strike register.
            let replay_checked = self.hello.extensions.early_data
                && index == 0
                && session.max_early_data_size > 0
                && strategy.admit_early_data(
                    &offer.binders[index],
                    ticket_age_skew(&session, identity, now),
                    now,
                );
            return Ok(PskChoice::Accepted(AcceptedPsk {
                psk: session.psk.clone(),
                selected_identity: index as u16,
                mode,
                strategy: name,
                client_identity,
                max_early_data_size: session.max_early_data_size,
                alpn_protocol: session.alpn_protocol.clone(),
                replay_checked,
                early_data: false,
            }));
        }
        Ok(PskChoice::None)
    }
    // ANCHOR_END: redeem_verify_take
}

// ANCHOR: check_version_and_suite
/// RFC 8446 §4.1.2, §4.2.1, Appendix D.5: a TLS 1.3 ClientHello, with our
/// suite and no compression.
fn check_version_and_suite(hello: &ClientHello) -> Result<(), Error> {
    // RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with
    // ClientHello.legacy_version or ServerHello.legacy_version set to
    // 0x0300 MUST abort the handshake with a "protocol_version" alert."
    // (and anything lower is older still).
    if hello.legacy_version <= 0x0300 {
        return Err(Error::ProtocolVersion(
            ProtocolVersion::LegacyVersionSsl3OrOlder,
        ));
    }
    // RFC 8446 §4.2.1: without supported_versions the client speaks at
    // most TLS 1.2; a TLS 1.3-only server answers protocol_version.
    let versions = hello.extensions.supported_versions.as_deref();
    if !versions.is_some_and(|v| v.contains(&TLS13)) {
        return Err(Error::ProtocolVersion(
            ProtocolVersion::ClientDoesNotOfferTls13,
        ));
    }
    // RFC 8446 §4.1.2: a TLS 1.3 ClientHello's compression list is exactly [null].
    if hello.legacy_compression_methods != [0] {
        return Err(Error::IllegalParameter(
            IllegalParameter::LegacyCompressionMethods,
        ));
    }
    if !hello.cipher_suites.contains(&TLS_CHACHA20_POLY1305_SHA256) {
        return Err(Error::NoCommonParameters(NoCommonParameters::CipherSuite));
    }
    Ok(())
}
// ANCHOR_END: check_version_and_suite

// ANCHOR: choose_application_protocol
/// ALPN, on the server (RFC 7301 §3.2): among the protocols the client
/// offers, the first in *our* order of preference. A client that offers
/// none, or a server configured with none, settles nothing (the extension
/// is ignored, as by a server that does not know it). Offers and no name
/// in common: "the server SHALL respond with a fatal
/// "no_application_protocol" alert" (RFC 7301 §3.2). Chosen afresh in
/// every handshake, a resumption included.
fn choose_application_protocol(
    config: &ServerConfig,
    offered: Option<&[Vec<u8>]>,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(offered) = offered else {
        return Ok(None);
    };
    if config.alpn_protocols.is_empty() {
        return Ok(None);
    }
    (config.alpn_protocols.iter())
        .find(|ours| offered.contains(ours))
        .map(|chosen| Some(chosen.clone()))
        .ok_or(Error::NoApplicationProtocol)
}
// ANCHOR_END: choose_application_protocol

// ANCHOR: check_signature_and_groups
/// RFC 8446 §9.2: certificate authentication requires signature_algorithms,
/// and we sign only with ed25519.
fn check_signature_algorithms(extensions: &ClientHelloExtensions) -> Result<(), Error> {
    let Some(schemes) = &extensions.signature_algorithms else {
        return Err(Error::MissingExtension(
            MissingExtension::ClientHelloSignatureAlgorithms,
        ));
    };
    if !schemes.contains(&ED25519) {
        return Err(Error::NoCommonParameters(
            NoCommonParameters::SignatureScheme,
        ));
    }
    Ok(())
}

/// RFC 8446 §9.2: a key_share requires supported_groups; we speak only
/// x25519; each share must be for a group the client supports (§4.2.8).
fn check_groups_and_shares(extensions: &ClientHelloExtensions) -> Result<(), Error> {
    let Some(groups) = &extensions.supported_groups else {
        return Err(Error::MissingExtension(
            MissingExtension::ClientHelloSupportedGroups,
        ));
    };
    let Some(shares) = &extensions.key_share else {
        return Err(Error::MissingExtension(
            MissingExtension::ClientHelloKeyShare,
        ));
    };
    if !groups.contains(&X25519) {
        return Err(Error::NoCommonParameters(NoCommonParameters::Group));
    }
    // RFC 8446 §4.2.8: each share MUST be for a group in supported_groups
    // (one share per group was checked by the decoder). A set of the
    // groups keeps this linear in the lengths of both lists.
    let mut supported = U16Set::new();
    groups.iter().for_each(|g| {
        supported.insert(*g);
    });
    if shares.iter().any(|share| !supported.contains(share.group)) {
        return Err(Error::IllegalParameter(
            IllegalParameter::KeyShareNotInSupportedGroups,
        ));
    }
    Ok(())
}
// ANCHOR_END: check_signature_and_groups

/// What to do about the client's `pre_shared_key` offer.
enum PskChoice {
    /// No offer, or nothing acceptable: a full handshake.
    None,
    /// psk_dhe_ke is possible but the client sent no X25519 share: ask for one first.
    RetryForShare,
    Accepted(AcceptedPsk),
}

/// A PSK identity that passed every check, binder included.
pub(crate) struct AcceptedPsk {
    psk: Secret,
    selected_identity: u16,
    mode: u8,
    strategy: &'static str,
    /// The client the session's first handshake authenticated, if any.
    client_identity: Option<PeerIdentity>,
    /// The session's ticket allowed this much 0-RTT data (0: none).
    max_early_data_size: u32,
    /// The session's ALPN protocol (empty: none), which 0-RTT must match.
    alpn_protocol: Vec<u8>,
    /// The strategy's anti-replay admitted this ClientHello for 0-RTT
    /// (RFC 8446 §8): a single-use session, or a fresh and unseen one.
    replay_checked: bool,
    /// We accept the client's 0-RTT data (RFC 8446 §4.2.10).
    early_data: bool,
}

// ANCHOR: check_session
/// The checks on the session found for an identity (RFC 8446 §4.2.11,
/// §4.6.1, §8.3).
fn check_session(
    session: Session,
    identity: &PskIdentity,
    server_name: &str,
    now: UnixTime,
    config: &ServerConfig,
) -> Result<Session, Rejection> {
    if session.cipher_suite != TLS_CHACHA20_POLY1305_SHA256 {
        return Err(Rejection::WrongCipherSuite);
    }
    // RFC 8446 §4.6.1: a PSK is tied to the name it was established under.
    if session.server_name != server_name {
        return Err(Rejection::WrongServerName);
    }
    if session.is_expired(now) {
        return Err(Rejection::Expired);
    }
    // A resumed connection inherits the session's client (RFC 8446 §2.2:
    // no certificate is sent), so a server that requires one resumes only
    // a session that has one.
    let client = PeerIdentity::decode(&session.peer_identity).map_err(|_| Rejection::Unreadable)?;
    let required =
        (config.client_auth.as_ref()).is_some_and(|a| a.mode == ClientAuthMode::Required);
    if required && client.is_none() {
        return Err(Rejection::ClientNotAuthenticated);
    }
    // RFC 8446 §4.2.11.1: the client's age is obfuscated_ticket_age minus
    // ticket_age_add, mod 2^32; §8.3: it must be close to ours.
    if ticket_age_skew(&session, identity, now) > config.ticket_age_tolerance_ms {
        return Err(Rejection::StaleTicketAge);
    }
    Ok(session)
}
// ANCHOR_END: check_session

// ANCHOR: ticket_age_skew
/// How far, in milliseconds, the client's idea of the ticket's age is from
/// ours (RFC 8446 §8.3): the client's age is obfuscated_ticket_age minus
/// ticket_age_add, mod 2^32 (§4.2.11.1); ours is now minus the issue time.
/// Resumption tolerates a generous skew; 0-RTT, a tight one (§8.2, §8.3).
fn ticket_age_skew(session: &Session, identity: &PskIdentity, now: UnixTime) -> u64 {
    let client_age = u64::from(
        identity
            .obfuscated_ticket_age
            .wrapping_sub(session.ticket_age_add),
    );
    let server_age = now.0.saturating_sub(session.created_at.0);
    client_age.abs_diff(server_age)
}
// ANCHOR_END: ticket_age_skew

/// NEGOTIATED: parameters chosen; the server's whole flight is next.
pub(crate) struct Negotiated {
    config: Arc<ServerConfig>,
    legacy_session_id: Vec<u8>,
    /// The client's X25519 share; `None` in a psk_ke resumption.
    client_public: Option<[u8; 32]>,
    psk: Option<AcceptedPsk>,
    /// The client's server_name: acknowledged in EncryptedExtensions
    /// (RFC 6066 §3), and the name its sessions are bound to (RFC 8446 §4.6.1).
    server_name: Option<String>,
    /// The client offered a PSK mode we accept (RFC 8446 §4.2.9).
    client_can_resume: bool,
    transcript: Transcript,
    change_cipher_spec_sent: bool,
}

impl Negotiated {
    // ANCHOR: send_server_hello
    /// ServerHello, then under handshake keys EncryptedExtensions,
    /// Certificate, CertificateVerify (both only without a PSK) and
    /// Finished (RFC 8446 §2, §2.2).
    fn send_server_flight(mut self, cx: &mut Context) -> Result<ServerState, Error> {
        let early = self.early_data_keys(cx);
        let mut extensions = ServerHelloExtensions {
            supported_versions: Some(TLS13),
            pre_shared_key: self.psk.as_ref().map(|psk| psk.selected_identity),
            ..ServerHelloExtensions::default()
        };
        let shared = match &self.client_public {
            Some(client_public) => {
                let key_pair = generate_share(cx);
                extensions.key_share = Some(KeyShareEntry {
                    group: X25519,
                    key_exchange: key_pair.public.to_vec(),
                });
                Some(agree(key_pair, client_public, cx)?)
            }
            None => None,
        };
        let server_hello = ServerHello {
            legacy_version: TLS12,
            random: cx.with_rng(crypto::random_array::<32>),
            legacy_session_id_echo: self.legacy_session_id.clone(),
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            legacy_compression_method: 0,
            extensions,
        };
        let bytes = cx.send_handshake(&HandshakeMessage::ServerHello(server_hello))?;
        self.transcript.add(bytes);
        if cx.middlebox_compatibility && !self.change_cipher_spec_sent {
            cx.send_change_cipher_spec()?;
        }
        // ANCHOR_END: send_server_hello

        // ANCHOR: send_encrypted_flight
        let psk = self.psk.as_ref().map(|p| &p.psk);
        let th = self.transcript.current();
        let secrets = derive_handshake_secrets(psk, shared.as_ref(), &th, cx);
        cx.install_write_key(&secrets.server, Epoch::Handshake)?;
        install_client_read_key(early.as_ref(), &secrets.client, cx);

        let encrypted_extensions = EncryptedExtensions {
            // RFC 6066 §3: an empty server_name says "I used your name".
            server_name: self.server_name.is_some(),
            // RFC 7301 §3.1: exactly one name, the one chosen.
            protocol_name_list: cx.negotiated.alpn_protocol.clone().map(|name| vec![name]),
            early_data: early.is_some(), // RFC 8446 §4.2.10: we read it
            ..EncryptedExtensions::default()
        };
        let bytes =
            cx.send_handshake(&HandshakeMessage::EncryptedExtensions(encrypted_extensions))?;
        self.transcript.add(bytes);

        let certificate_requested = self.send_certificate_request(cx)?;
        // RFC 8446 §2.2: a PSK handshake is authenticated by the PSK, so no
        // Certificate and no CertificateVerify (and no signature to make).
        if self.psk.is_none() {
            self.send_certificate(cx)?;
        }

        let ours = finished_for(&secrets.server, &self.transcript.current());
        let bytes = cx.send_handshake(&HandshakeMessage::Finished(ours))?;
        self.transcript.add(bytes);

        let HandshakeSecrets {
            handshake_secret,
            client: client_handshake,
            ..
        } = secrets;
        let application =
            derive_application_secrets(handshake_secret, &self.transcript.current(), cx);
        cx.install_write_key(&application.server, Epoch::Application(0))?;
        let wait = WaitFinished {
            certificate_requested,
            client_identity: self.psk.and_then(|p| p.client_identity),
            config: self.config,
            // Sessions are bound to the name, "" when the client sent none.
            server_name: self.server_name.unwrap_or_default(),
            client_can_resume: self.client_can_resume,
            transcript: self.transcript,
            client_handshake,
            application: AwaitingFinished::new(application),
        };
        Ok(wait_for_flight2(wait, early, cx))
    }
    // ANCHOR_END: send_encrypted_flight

    // ANCHOR: early_data_keys
    /// With 0-RTT accepted: client_early_traffic_secret, derived from the
    /// PSK and the ClientHello alone, first in the key schedule (RFC 8446
    /// §7.1), and how much early data we read: the smaller of our
    /// max_early_data_size and the one the ticket advertised.
    fn early_data_keys(&self, cx: &mut Context) -> Option<(TrafficSecret, usize)> {
        let psk = self.psk.as_ref().filter(|p| p.early_data)?;
        let secret = derive_early_traffic_secret(&psk.psk, &self.transcript.current(), cx);
        let limit = self.config.max_early_data_size.min(psk.max_early_data_size);
        Some((secret, usize::try_from(limit).unwrap_or(usize::MAX)))
    }
    // ANCHOR_END: early_data_keys

    // ANCHOR: send_certificate_request
    /// CertificateRequest (RFC 8446 §4.3.2), right after EncryptedExtensions,
    /// when we want client certificates and authenticate with ours: an
    /// empty context (it "SHALL be zero length" outside post-handshake
    /// authentication) and the one signature scheme we verify, ed25519
    /// ("The "signature_algorithms" extension MUST be specified").
    /// Returns whether it was sent.
    fn send_certificate_request(&mut self, cx: &mut Context) -> Result<bool, Error> {
        // RFC 8446 §4.3.2: "Servers which are authenticating with a PSK
        // MUST NOT send the CertificateRequest message in the main
        // handshake" (RFC 9846 narrows it to "a resumption PSK").
        if self.psk.is_some() || self.config.client_auth.is_none() {
            return Ok(false);
        }
        let request = CertificateRequest {
            certificate_request_context: Vec::new(),
            extensions: CertificateRequestExtensions {
                signature_algorithms: Some(vec![ED25519]),
                ..CertificateRequestExtensions::default()
            },
        };
        let bytes = cx.send_handshake(&HandshakeMessage::CertificateRequest(request))?;
        self.transcript.add(bytes);
        cx.negotiated.certificate_requested = true;
        Ok(true)
    }
    // ANCHOR_END: send_certificate_request

    // ANCHOR: send_certificate
    /// Certificate and CertificateVerify (RFC 8446 §4.4.2, §4.4.3).
    fn send_certificate(&mut self, cx: &mut Context) -> Result<(), Error> {
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
        let bytes = cx.send_handshake(&HandshakeMessage::Certificate(certificate))?;
        self.transcript.add(bytes);

        // ANCHOR: sign_certificate_verify
        let content = signed_content(SERVER_CONTEXT, self.transcript.current().as_bytes());
        let signature = self.config.private_key.sign(&content);
        cx.operation(Operation::Ed25519Sign);
        let verify = CertificateVerify {
            algorithm: ED25519,
            signature: signature.to_vec(),
        };
        // ANCHOR_END: sign_certificate_verify
        let bytes = cx.send_handshake(&HandshakeMessage::CertificateVerify(verify))?;
        self.transcript.add(bytes);
        Ok(())
    }
    // ANCHOR_END: send_certificate
}

// ANCHOR: wait_for_flight2
/// Appendix A.2: `K_recv = early data` with 0-RTT, else `K_recv = handshake`.
fn install_client_read_key(
    early: Option<&(TrafficSecret, usize)>,
    client_handshake: &TrafficSecret,
    cx: &mut Context,
) {
    match early {
        Some((client_early, _)) => cx.install_read_key(client_early, Epoch::EarlyData),
        None => cx.install_read_key(client_handshake, Epoch::Handshake),
    }
}

/// NEGOTIATED's last step (Appendix A.2): with 0-RTT, to WAIT_EOED, where
/// the connection reads the early data up to its limit (RFC 8446 §4.6.1);
/// without, straight to WAIT_FLIGHT2.
fn wait_for_flight2(
    wait: WaitFinished,
    early: Option<(TrafficSecret, usize)>,
    cx: &mut Context,
) -> ServerState {
    match early {
        Some((_, limit)) => {
            cx.early_data_left = Some(limit);
            ServerState::WaitEndOfEarlyData(wait)
        }
        None => ServerState::WaitFlight2(wait),
    }
}
// ANCHOR_END: wait_for_flight2

/// WAIT_FLIGHT2, WAIT_CERT and WAIT_FINISHED: our flight is out; the
/// client's Finished is next, after its Certificate when we asked for one.
pub(crate) struct WaitFinished {
    /// We sent a CertificateRequest: WAIT_FLIGHT2 leads to WAIT_CERT.
    certificate_requested: bool,
    /// The client authenticated so far: by its CertificateVerify (WAIT_CV),
    /// or by the session it resumed. Remembered in the tickets we issue.
    client_identity: Option<PeerIdentity>,
    config: Arc<ServerConfig>,
    server_name: String,
    client_can_resume: bool,
    transcript: Transcript,
    /// client_handshake_traffic_secret: the client's Finished is keyed with it.
    client_handshake: TrafficSecret,
    /// Derived with our Finished, but the client's application data and the
    /// resumption secret wait for the client's Finished to verify.
    application: AwaitingFinished<ApplicationSecrets>,
}

impl WaitFinished {
    // ANCHOR: handle_end_of_early_data
    /// WAIT_EOED: "Recv EndOfEarlyData, K_recv = handshake" (Appendix
    /// A.2). It came under the early keys, ends the client's 0-RTT data
    /// (RFC 8446 §4.5) and is part of the transcript its Finished covers.
    fn handle_end_of_early_data(
        mut self,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        self.transcript.add(bytes);
        cx.early_data_left = None;
        cx.install_read_key(&self.client_handshake, Epoch::Handshake);
        Ok(ServerState::WaitFlight2(self))
    }
    // ANCHOR_END: handle_end_of_early_data

    // ANCHOR: server_handle_finished
    fn handle_finished(
        mut self,
        finished: Finished,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        let proof = verify_finished(
            &self.client_handshake,
            &self.transcript.current(),
            &finished,
        )?;
        self.transcript.add(bytes);
        let application = self.application.release(&proof);
        cx.install_read_key(&application.client, Epoch::Application(0));
        let resumption_master =
            application.resumption_master_secret(&self.transcript.current(), cx);
        // RFC 8446 §4.6.1, §4.2.9: no tickets the client could not use.
        if self.client_can_resume {
            let peer_identity = match &self.client_identity {
                Some(identity) => identity.encode()?,
                None => Vec::new(),
            };
            let alpn_protocol = cx.negotiated.alpn_protocol.clone().unwrap_or_default();
            let session = SessionBasis {
                server_name: &self.server_name,
                peer_identity: &peer_identity,
                alpn_protocol: &alpn_protocol,
            };
            send_tickets(&self.config, session, &resumption_master, cx)?;
        }
        cx.app_event(AppEvent::Connected);
        let exporter = application.exporter;
        let ApplicationSecrets { client, server, .. } = application;
        Ok(ServerState::Connected(Connected {
            _proof: proof,
            traffic: ApplicationTraffic::new(client, server),
            exporter_master_secret: exporter,
        }))
    }
    // ANCHOR_END: server_handle_finished
}

impl WaitFinished {
    // ANCHOR: handle_client_certificate
    /// WAIT_CERT: the client's answer to our CertificateRequest (RFC 8446
    /// §4.4.2), checked with the same chain validation as a server's.
    fn handle_client_certificate(
        mut self,
        certificate: Certificate,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        // RFC 8446 §4.4.2: the context is our CertificateRequest's (empty).
        if !certificate.certificate_request_context.is_empty() {
            return Err(Error::IllegalParameter(
                IllegalParameter::ClientCertificateRequestContext,
            ));
        }
        let Some(client_auth) = &self.config.client_auth else {
            return Err(Error::Internal("WAIT_CERT without client authentication"));
        };
        if certificate.certificate_list.is_empty() {
            // RFC 8446 §4.4.2.4: continue without client authentication,
            // or abort with certificate_required.
            if client_auth.mode == ClientAuthMode::Required {
                return Err(Error::CertificateRequired);
            }
            self.transcript.add(bytes);
            return Ok(ServerState::WaitFinished(self));
        }
        let chain: Vec<&[u8]> = (certificate.certificate_list.iter())
            .map(|entry| entry.cert_data.as_slice())
            .collect();
        let now = cx.now().as_secs();
        let verified = verify_client_chain(&chain, &client_auth.trust_anchors, now)?;
        for _ in 0..verified.signatures_checked {
            cx.operation(Operation::Ed25519Verify);
        }
        self.transcript.add(bytes);
        Ok(ServerState::WaitCertificateVerify(WaitCv {
            identity: PeerIdentity::new(&verified.subject, verified.certificate_sha256),
            client_public_key: verified.public_key,
            rest: self,
        }))
    }
    // ANCHOR_END: handle_client_certificate
}

/// WAIT_CV: the client's chain is valid; now it must prove it holds the key.
pub(crate) struct WaitCv {
    /// Who the chain says the client is, once the signature proves it.
    identity: PeerIdentity,
    /// The client leaf's Ed25519 key.
    client_public_key: [u8; 32],
    rest: WaitFinished,
}

impl WaitCv {
    // ANCHOR: handle_client_certificate_verify
    /// RFC 8446 §4.4.3: the client signs the transcript up to its
    /// Certificate, under its own context string, so no server signature
    /// can be passed off as a client's.
    fn handle_client_certificate_verify(
        mut self,
        verify: CertificateVerify,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        // RFC 8446 §4.4.3: the algorithm MUST be one the CertificateRequest
        // offered in signature_algorithms: ed25519 only.
        if verify.algorithm != ED25519 {
            return Err(Error::IllegalParameter(
                IllegalParameter::SignatureSchemeNotOffered,
            ));
        }
        let transcript_hash = self.rest.transcript.current();
        let content = signed_content(CLIENT_CONTEXT, transcript_hash.as_bytes());
        cx.operation(Operation::Ed25519Verify);
        if !crypto::ed25519_verify(&self.client_public_key, &content, &verify.signature) {
            return Err(Error::BadCertificateVerify);
        }
        self.rest.transcript.add(bytes);
        cx.emit(Event::ClientAuthenticated {
            subject: &self.identity.subject,
            certificate_sha256: &self.identity.certificate_sha256,
            resumed: false,
        });
        cx.negotiated.client_identity = Some(self.identity.clone());
        self.rest.client_identity = Some(self.identity);
        Ok(ServerState::WaitFinished(self.rest))
    }
    // ANCHOR_END: handle_client_certificate_verify
}

/// What every ticket of a connection shares besides its PSK: the name it
/// was made under and the client it authenticated.
struct SessionBasis<'a> {
    server_name: &'a str,
    /// An encoded [`PeerIdentity`], or empty.
    peer_identity: &'a [u8],
    /// The ALPN protocol chosen (empty: none): 0-RTT must match it.
    alpn_protocol: &'a [u8],
}

// ANCHOR: send_tickets
/// NewSessionTicket messages (RFC 8446 §4.6.1), sent once the client's
/// Finished makes the resumption_master_secret known. Each ticket gets its
/// own ticket_nonce (so its own PSK) and its own ticket_age_add; the
/// strategy decides what the ticket bytes are.
fn send_tickets(
    config: &ServerConfig,
    basis: SessionBasis,
    resumption_master: &Secret,
    cx: &mut Context,
) -> Result<(), Error> {
    let Some(strategy) = &config.resumption else {
        return Ok(());
    };
    let now = cx.now();
    let ticket_lifetime = config.ticket_lifetime.min(MAX_TICKET_LIFETIME);
    for n in 0..config.tickets_per_handshake.min(usize::from(u16::MAX)) {
        // Unique per ticket on this connection, as §4.6.1 requires.
        let ticket_nonce = (n as u16).to_be_bytes().to_vec();
        let ticket_age_add = u32::from_be_bytes(cx.with_rng(crypto::random_array::<4>));
        let session = Session {
            cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
            psk: resumption_psk(resumption_master, &ticket_nonce),
            created_at: now,
            ticket_lifetime,
            ticket_age_add,
            server_name: basis.server_name.to_string(),
            peer_identity: basis.peer_identity.to_vec(),
            max_early_data_size: config.max_early_data_size,
            alpn_protocol: basis.alpn_protocol.to_vec(),
        };
        // The shared RNG is not held while the strategy seals or stores.
        let Some(ticket) = strategy.issue(&session, &mut cx.rng_locked_per_draw(), now) else {
            continue;
        };
        cx.emit(Event::Resumption(ResumptionEvent::TicketIssued {
            strategy: strategy.name(),
            ticket_len: ticket.len(),
        }));
        cx.send_handshake(&HandshakeMessage::NewSessionTicket(NewSessionTicket {
            ticket_lifetime,
            ticket_age_add,
            ticket_nonce,
            ticket,
            extensions: ticket_extensions(config),
        }))?;
    }
    Ok(())
}
// ANCHOR_END: send_tickets

// ANCHOR: ticket_extensions
/// A ticket's extensions: early_data, with our max_early_data_size, only
/// when we accept 0-RTT at all (RFC 8446 §4.6.1, §4.2.10).
fn ticket_extensions(config: &ServerConfig) -> NewSessionTicketExtensions {
    NewSessionTicketExtensions {
        max_early_data_size: (config.max_early_data_size > 0).then_some(config.max_early_data_size),
        ..NewSessionTicketExtensions::default()
    }
}
// ANCHOR_END: ticket_extensions

/// CONNECTED: application keys both ways.
pub(crate) struct Connected {
    /// Only a verified client Finished leads here.
    _proof: FinishedVerified,
    /// We read with the client's application secret, write with ours.
    traffic: ApplicationTraffic,
    /// What exported keying material derives from (RFC 8446 §7.5);
    /// released, like the client's keys, by the client's Finished.
    exporter_master_secret: Secret,
}

impl Connected {
    fn handle_key_update(
        mut self,
        update: KeyUpdate,
        cx: &mut Context,
    ) -> Result<ServerState, Error> {
        self.traffic.answer_key_update(&update, cx)?;
        Ok(ServerState::Connected(self))
    }
}
