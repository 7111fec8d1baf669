//! The client's handshake state machine (RFC 8446 Appendix A.1).
//!
//! A full handshake, as RFC 8446 §2 draws it, from the client's side:
//!
//! ```text
//!        Client                                           Server
//!
//! Key  ^ ClientHello
//! Exch | + key_share*
//!      v + signature_algorithms*         -------->
//!                                                   ServerHello  ^ Key
//!                                                  + key_share*  v Exch
//!                                         {EncryptedExtensions}  ^  Server
//!                                         {CertificateRequest*}  v  Params
//!                                                {Certificate*}  ^
//!                                          {CertificateVerify*}  | Auth
//!                                                    {Finished}  v
//!                                <--------  [Application Data*]
//!      ^ {Certificate*}
//! Auth | {CertificateVerify*}
//!      v {Finished}              -------->
//!        [Application Data]      <------->  [Application Data]
//! ```
//!
//! And the state machine of Appendix A.1, which this file implements:
//!
//! ```text
//!                           START <----+
//!            Send ClientHello |        | Recv HelloRetryRequest
//!       [K_send = early data] |        |
//!                             v        |
//!        /                 WAIT_SH ----+
//!        |                    | Recv ServerHello
//!        |                    | K_recv = handshake
//!    Can |                    V
//!   send |                 WAIT_EE
//!  early |                    | Recv EncryptedExtensions
//!   data |           +--------+--------+
//!        |     Using |                 | Using certificate
//!        |       PSK |                 v
//!        |           |            WAIT_CERT_CR
//!        |           |        Recv |       | Recv CertificateRequest
//!        |           | Certificate |       v
//!        |           |             |    WAIT_CERT
//!        |           |             |       | Recv Certificate
//!        |           |             v       v
//!        |           |              WAIT_CV
//!        |           |                 | Recv CertificateVerify
//!        |           +> WAIT_FINISHED <+
//!        |                  | Recv Finished
//!        \                  | [Send EndOfEarlyData]
//!                           | K_send = handshake
//!                           | [Send Certificate [+ CertificateVerify]]
//! Can send                  | Send Finished
//! app data   -->            | K_send = K_recv = application
//! after here                v
//!                       CONNECTED
//! ```
//!
//! | RFC state | variant | handler |
//! |---|---|---|
//! | START | `ClientState::Start` | `Start::send_client_hello` (no input), then `send_early_data` with 0-RTT |
//! | WAIT_SH | `ClientState::WaitServerHello` | `handle_server_hello`, `handle_hello_retry_request` |
//! | WAIT_EE | `ClientState::WaitEncryptedExtensions` | `handle_encrypted_extensions` (`early_data_answer`) |
//! | WAIT_CERT_CR | `ClientState::WaitCertCr` | `handle_certificate`, `handle_certificate_request` |
//! | WAIT_CERT | `ClientState::WaitCert` | `handle_certificate` |
//! | WAIT_CV | `ClientState::WaitCertificateVerify` | `handle_certificate_verify` |
//! | WAIT_FINISHED | `ClientState::WaitFinished` | `handle_finished` (`send_end_of_early_data` when 0-RTT was accepted) |
//! | CONNECTED | `ClientState::Connected` | `handle_new_session_ticket`, `handle_key_update` |
//!
//! Each state struct holds exactly what is known in that state, and each
//! handler consumes it and returns the next. The application keys appear
//! only in `Connected`, which cannot be built without a `FinishedVerified`
//! proof: nothing can reach them before the server's Finished is checked.
//! When the server accepts our PSK (resumption), the `Using PSK` arrow goes
//! from WAIT_EE straight to WAIT_FINISHED: no Certificate, no
//! CertificateVerify.
//!
//! Early data (0-RTT, RFC 8446 §2.3, §4.2.10): given data to send early
//! (`Connection::client_with_early_data`) and a ticket whose
//! NewSessionTicket allowed it, START offers early_data and takes `K_send
//! = early data`: the data goes out right behind the ClientHello. The
//! early keys stay our sending keys until the server answers: its
//! EncryptedExtensions either accepts (early_data) and, after its
//! Finished, we send EndOfEarlyData under them before `K_send =
//! handshake`; or it does not, and we switch to the handshake keys at
//! once. A HelloRetryRequest rejects early data too (the second
//! ClientHello offers none, §4.2.10). Rejected data is never resent by
//! minitls itself (§4.2.10: "A TLS implementation SHOULD NOT automatically
//! resend early data"): `Negotiated::early_data_accepted` tells the
//! application, which decides.

use std::sync::Arc;

use crate::config::ClientConfig;
use crate::crypto::HASH_LEN;
use crate::crypto::{self, X25519KeyPair};
use crate::error::{
    Error, IllegalParameter, MissingExtension, ProtocolVersion, UnsolicitedExtension,
};
use crate::handshake::context::{AppEvent, Context};
use crate::handshake::finished::{FinishedVerified, finished_for, verify_finished};
use crate::handshake::key_exchange::{agree, generate_share};
use crate::handshake::keys::derive_early_traffic_secret;
use crate::handshake::keys::{
    ApplicationSecrets, HandshakeSecrets, derive_application_secrets, derive_handshake_secrets,
};
use crate::handshake::psk::{binder, psk_mode_name, truncation_point};
use crate::handshake::traffic::ApplicationTraffic;
use crate::key_schedule::{Secret, TrafficSecret, resumption_psk};
use crate::messages::CertificateEntry;
use crate::messages::certificate_verify::{CLIENT_CONTEXT, SERVER_CONTEXT, signed_content};
use crate::messages::extensions::{
    Extension, KeyShareEntry, ReceivedExtension, check_host_name, extension_type as et, types,
};
use crate::messages::extensions::{OfferedPsks, ProtocolNameList, PskIdentity};
use crate::messages::server_hello::{DOWNGRADE_TLS11, DOWNGRADE_TLS12, HELLO_RETRY_REQUEST_RANDOM};
use crate::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientHelloExtensions,
    ED25519, EncryptedExtensions, Finished, HandshakeMessage, HandshakeType, HelloRetryRequest,
    KeyUpdate, NewSessionTicket, ServerHello, TLS_CHACHA20_POLY1305_SHA256, TLS12, TLS13, X25519,
    encode_handshake,
};
use crate::messages::{PSK_DHE_KE, PSK_KE};
use crate::pki::verify::verify_server_chain;
use crate::record::ContentType;
use crate::resumption::MAX_TICKET_LIFETIME;
use crate::resumption::client_cache::StoredTicket;
use crate::time::UnixTime;
use crate::trace::{Epoch, Operation};
use crate::trace::{Event, ResumptionEvent};
use crate::transcript::Transcript;

/// RFC 8446 Appendix A.1, client side. Each variant holds what is known in it.
pub(crate) enum ClientState {
    Start(Start),                                     // START
    WaitServerHello(WaitServerHello),                 // WAIT_SH
    WaitEncryptedExtensions(WaitEncryptedExtensions), // WAIT_EE
    WaitCertCr(WaitCertCr),                           // WAIT_CERT_CR
    WaitCert(WaitCert),                               // WAIT_CERT
    WaitCertificateVerify(WaitCertificateVerify),     // WAIT_CV
    WaitFinished(WaitFinished),                       // WAIT_FINISHED
    Connected(Connected),                             // CONNECTED
    Closed,                                           // after an error (sticky)
}

/// The arrows of the client's state machine, as data: (from, message, to).
/// The book's diagram is generated from this table, and
/// `tests/state_matrix.rs` checks that every other pair is refused.
pub const CLIENT_TRANSITIONS: &[(&str, &str, &str)] = &[
    ("START", "(send ClientHello)", "WAIT_SH"),
    ("WAIT_SH", "HelloRetryRequest", "START"),
    ("WAIT_SH", "ServerHello", "WAIT_EE"),
    ("WAIT_EE", "EncryptedExtensions", "WAIT_CERT_CR"),
    // Using a PSK: no certificate, straight to WAIT_FINISHED.
    ("WAIT_EE", "EncryptedExtensions", "WAIT_FINISHED"),
    ("WAIT_CERT_CR", "CertificateRequest", "WAIT_CERT"),
    ("WAIT_CERT_CR", "Certificate", "WAIT_CV"),
    ("WAIT_CERT", "Certificate", "WAIT_CV"),
    ("WAIT_CV", "CertificateVerify", "WAIT_FINISHED"),
    ("WAIT_FINISHED", "Finished", "CONNECTED"),
    ("CONNECTED", "NewSessionTicket", "CONNECTED"),
    ("CONNECTED", "KeyUpdate", "CONNECTED"),
];

impl ClientState {
    pub(crate) fn start(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, Error> {
        Self::start_with_early_data(config, server_name, None)
    }

    /// START, with application data to send as 0-RTT if the ticket we
    /// resume allows it (RFC 8446 §2.3, §4.2.10).
    pub(crate) fn start_with_early_data(
        config: Arc<ClientConfig>,
        server_name: &str,
        early_data: Option<Vec<u8>>,
    ) -> Result<Self, Error> {
        // The name is either an IP address (sent as no server_name at all,
        // RFC 6066 §3) or a DNS host name we could send: refused here, by
        // the same rule the server applies, rather than sent and refused.
        if server_name.parse::<std::net::IpAddr>().is_err() && check_host_name(server_name).is_err()
        {
            return Err(Error::Misuse(
                "server name is neither an IP address nor a DNS host name (RFC 6066 §3)",
            ));
        }
        // RFC 7301 §3.1: `opaque ProtocolName<1..2^8-1>`, and the list
        // `<2..2^16-1>`: a name we could not encode is refused before we start.
        let list_len: usize = config.alpn_protocols.iter().map(|n| 1 + n.len()).sum();
        if config
            .alpn_protocols
            .iter()
            .any(|n| n.is_empty() || n.len() > 255)
            || list_len > (1 << 16) - 1
        {
            return Err(Error::Misuse(
                "an ALPN protocol name is empty or longer than 255 bytes (RFC 7301 §3.1)",
            ));
        }
        Ok(ClientState::Start(Start {
            config,
            server_name: server_name.to_string(),
            retry: None,
            early_data,
        }))
    }

    /// The RFC's name for the state.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            ClientState::Start(_) => "START",
            ClientState::WaitServerHello(_) => "WAIT_SH",
            ClientState::WaitEncryptedExtensions(_) => "WAIT_EE",
            ClientState::WaitCertCr(_) => "WAIT_CERT_CR",
            ClientState::WaitCert(_) => "WAIT_CERT",
            ClientState::WaitCertificateVerify(_) => "WAIT_CV",
            ClientState::WaitFinished(_) => "WAIT_FINISHED",
            ClientState::Connected(_) => "CONNECTED",
            ClientState::Closed => "CLOSED",
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        matches!(self, ClientState::Connected(_))
    }

    /// Start a KeyUpdate of our own (RFC 8446 §4.6.3), once connected.
    pub(crate) fn update_keys(
        &mut self,
        request_peer_update: bool,
        cx: &mut Context,
    ) -> Result<(), Error> {
        match self {
            ClientState::Connected(c) => c.traffic.update_sending_keys(request_peer_update, cx),
            _ => Err(Error::Misuse("KeyUpdate before the handshake completed")),
        }
    }

    /// The exporter_master_secret, once connected (RFC 8446 §7.5).
    pub(crate) fn exporter_master_secret(&self) -> Option<&Secret> {
        match self {
            ClientState::Connected(c) => Some(&c.exporter_master_secret),
            _ => None,
        }
    }

    /// Whether this state has an arrow that needs no message: only START,
    /// which sends a ClientHello.
    pub(crate) fn acts_without_input(&self) -> bool {
        matches!(self, ClientState::Start(_))
    }

    /// Take the arrow that needs no message (see `acts_without_input`).
    pub(crate) fn handle_without_input(self, cx: &mut Context) -> Result<Self, Error> {
        match self {
            ClientState::Start(s) => s.send_client_hello(cx),
            other => Ok(other),
        }
    }

    /// Which handshake types this state has an arrow for (the table below,
    /// by type): the connection refuses any other type from its header,
    /// before decoding it (RFC 8446 Appendix A).
    pub(crate) fn expects(&self, msg_type: u8) -> bool {
        use HandshakeType as T;
        let expected: &[HandshakeType] = match self {
            ClientState::WaitServerHello(_) => &[T::ServerHello],
            ClientState::WaitEncryptedExtensions(_) => &[T::EncryptedExtensions],
            ClientState::WaitCertCr(_) => &[T::Certificate, T::CertificateRequest],
            ClientState::WaitCert(_) => &[T::Certificate],
            ClientState::WaitCertificateVerify(_) => &[T::CertificateVerify],
            ClientState::WaitFinished(_) => &[T::Finished],
            ClientState::Connected(_) => &[T::NewSessionTicket, T::KeyUpdate],
            ClientState::Start(_) | ClientState::Closed => &[],
        };
        expected.iter().any(|t| *t as u8 == msg_type)
    }

    // ANCHOR: client_dispatch
    /// One received handshake message, one transition.
    pub(crate) fn handle(
        self,
        message: HandshakeMessage,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<Self, Error> {
        use ClientState as S;
        use HandshakeMessage as M;
        match (self, message) {
            (S::WaitServerHello(s), M::ServerHello(m)) => s.handle_server_hello(m, bytes, cx),
            (S::WaitServerHello(s), M::HelloRetryRequest(m)) if !s.retried => {
                s.handle_hello_retry_request(m, bytes, cx)
            }
            (S::WaitEncryptedExtensions(s), M::EncryptedExtensions(m)) => {
                s.handle_encrypted_extensions(m, bytes, cx)
            }
            (S::WaitCertCr(s), M::CertificateRequest(m)) => {
                s.handle_certificate_request(m, bytes, cx)
            }
            (S::WaitCertCr(s), M::Certificate(m)) => s.0.handle_certificate(m, bytes, cx, None),
            (S::WaitCert(s), M::Certificate(m)) => {
                let request = Some(s.certificate_request);
                s.expected.handle_certificate(m, bytes, cx, request)
            }
            (S::WaitCertificateVerify(s), M::CertificateVerify(m)) => {
                s.handle_certificate_verify(m, bytes, cx)
            }
            (S::WaitFinished(s), M::Finished(m)) => s.handle_finished(m, bytes, cx),
            (S::Connected(s), M::NewSessionTicket(m)) => s.handle_new_session_ticket(m, cx),
            (S::Connected(s), M::KeyUpdate(m)) => s.handle_key_update(m, cx),
            // RFC 8446 §4 / Appendix A: anything else is unexpected_message.
            // A type this state has no arrow for never gets here (the
            // connection refuses it from its header, by `expects`); this
            // arm catches the rest, such as a second HelloRetryRequest.
            (state, other) => Err(Error::UnexpectedMessage {
                state: state.name(),
                got: other.name(),
            }),
        }
    }
    // ANCHOR_END: client_dispatch
}

/// What a ClientHello is built from. The first draws it fresh; after a
/// HelloRetryRequest the second keeps the first's random, session id and
/// ticket, and adds what the server asked for (RFC 8446 §4.1.2).
pub(crate) struct HelloBasis {
    random: [u8; 32],
    legacy_session_id: Vec<u8>,
    /// The ticket to offer, taken out of the cache for the first hello.
    ticket: Option<StoredTicket>,
    /// Empty, or ClientHello1's message_hash and the HelloRetryRequest.
    transcript: Transcript,
    /// What the HelloRetryRequest asked for; `None` in the first hello.
    retry: Option<RetryRequest>,
}

/// What a HelloRetryRequest asked us to change (RFC 8446 §4.1.4).
pub(crate) struct RetryRequest {
    /// To echo in the second ClientHello (RFC 8446 §4.2.2).
    cookie: Option<Vec<u8>>,
    /// The server asked for an X25519 share we had not sent (psk_ke offer).
    wants_x25519_share: bool,
}

impl HelloBasis {
    /// A fresh random, a session id in compatibility mode (RFC 8446
    /// Appendix D.4: a non-empty, fake one), and a ticket if we have one.
    fn first(config: &ClientConfig, server_name: &str, cx: &mut Context) -> HelloBasis {
        let random = cx.with_rng(crypto::random_array::<32>);
        let legacy_session_id = if config.middlebox_compatibility {
            cx.with_rng(crypto::random_array::<32>).to_vec()
        } else {
            Vec::new()
        };
        HelloBasis {
            random,
            legacy_session_id,
            ticket: take_ticket(config, server_name, cx.now()),
            transcript: Transcript::new(),
            retry: None,
        }
    }
}

/// START: nothing sent yet, or a HelloRetryRequest to answer.
pub(crate) struct Start {
    config: Arc<ClientConfig>,
    server_name: String,
    /// `None` before the first ClientHello; after a HelloRetryRequest,
    /// what the second is built from.
    retry: Option<HelloBasis>,
    /// Application data to send as 0-RTT, if the ticket allows it; never
    /// after a HelloRetryRequest (RFC 8446 §4.2.10).
    early_data: Option<Vec<u8>>,
}

impl Start {
    // ANCHOR: send_client_hello_basis
    /// Build and send the ClientHello (RFC 8446 §4.1.2): our one suite, our
    /// one group with a fresh X25519 share, our one signature scheme, and a
    /// ticket from an earlier connection if we have one.
    fn send_client_hello(mut self, cx: &mut Context) -> Result<ClientState, Error> {
        // RFC 8446 §4.1.2: a ClientHello after HelloRetryRequest keeps the
        // same random and session id; only what the server asked for changes.
        let mut basis = match self.retry.take() {
            Some(basis) => basis,
            None => HelloBasis::first(&self.config, &self.server_name, cx),
        };
        let retried = basis.retry.is_some();
        cx.client_random = basis.random;
        cx.middlebox_compatibility = !basis.legacy_session_id.is_empty();
        // RFC 8446 Appendix D.4: after a HelloRetryRequest, the dummy
        // change_cipher_spec goes before the second ClientHello.
        if retried && cx.middlebox_compatibility {
            cx.send_change_cipher_spec()?;
        }

        // A psk_ke-only resumption sends no share: it does no key exchange
        // (RFC 8446 §4.2.9). If the server refuses the ticket it will ask
        // for a share with a HelloRetryRequest.
        let psk_ke_only = basis.ticket.is_some() && !self.config.psk_modes.contains(&PSK_DHE_KE);
        let no_share_yet = psk_ke_only || !self.config.initial_key_share;
        let wants_share = basis.retry.as_ref().is_some_and(|r| r.wants_x25519_share);
        let key_pair = if no_share_yet && !wants_share {
            None
        } else {
            Some(generate_share(cx))
        };
        // ANCHOR_END: send_client_hello_basis

        // ANCHOR: send_client_hello_offer
        let offer_early_data = self.may_offer_early_data(&basis);
        let mut extensions = self.client_hello_extensions(&basis, key_pair.as_ref(), cx);
        // RFC 8446 §4.2.10: 0-RTT needs both pre_shared_key and early_data.
        extensions.early_data = offer_early_data.is_some();
        let mut hello = ClientHello {
            legacy_version: TLS12,
            random: basis.random,
            legacy_session_id: basis.legacy_session_id.clone(),
            cipher_suites: vec![TLS_CHACHA20_POLY1305_SHA256],
            legacy_compression_methods: vec![0],
            extensions,
        };
        // Encoded once: the binder is filled in after, in place.
        let offered = hello.extensions.types();
        let mut bytes = encode_handshake(HandshakeType::ClientHello as u8, |w| hello.encode(w))?;
        match &basis.ticket {
            Some(ticket) => {
                fill_in_binder(&mut hello, &mut bytes, ticket, &mut basis.transcript);
                cx.emit(Event::Resumption(ResumptionEvent::Offered {
                    ticket_len: ticket.ticket.len(),
                }));
            }
            None => basis.transcript.add(&bytes),
        }
        cx.negotiated.server_name = hello.extensions.server_name.clone();
        cx.send_encoded(&HandshakeMessage::ClientHello(hello), &bytes);
        if let (Some(data), Some(ticket)) = (offer_early_data, &basis.ticket) {
            send_early_data(&ticket.psk, &data, &basis.transcript, cx)?;
            cx.negotiated.early_data_accepted = Some(false);
        }

        Ok(ClientState::WaitServerHello(WaitServerHello {
            config: self.config,
            server_name: self.server_name,
            key_pair,
            random: basis.random,
            legacy_session_id: basis.legacy_session_id,
            offered,
            transcript: basis.transcript,
            retried,
            ticket: basis.ticket,
            early_data_offered: cx.negotiated.early_data_accepted.is_some(),
        }))
    }
    // ANCHOR_END: send_client_hello_offer

    // ANCHOR: may_offer_early_data
    /// The early data to send with this ClientHello, if any: only in the
    /// first ClientHello (RFC 8446 §4.2.10: never after a
    /// HelloRetryRequest), only with a ticket whose NewSessionTicket
    /// carried early_data, and only if it fits the ticket's
    /// max_early_data_size (§4.6.1); otherwise the application sends it
    /// after the handshake, as ordinary data.
    fn may_offer_early_data(&mut self, basis: &HelloBasis) -> Option<Vec<u8>> {
        let ticket = basis.ticket.as_ref()?;
        if basis.retry.is_some() {
            return None;
        }
        let data = self.early_data.take()?;
        let fits = usize::try_from(ticket.max_early_data_size).is_ok_and(|max| data.len() <= max);
        // RFC 8446 §4.2.10: the 0-RTT data is for the ticket's ALPN
        // protocol; we offer early data only if we still offer it first.
        let alpn_matches = ticket.alpn_protocol.is_empty()
            || self.config.alpn_protocols.first() == Some(&ticket.alpn_protocol);
        (fits && alpn_matches && !data.is_empty()).then_some(data)
    }
    // ANCHOR_END: may_offer_early_data

    // ANCHOR: client_hello_extensions
    /// Our extensions (RFC 8446 §4.2), written in the order of the fields
    /// of [`ClientHelloExtensions`], pre_shared_key last (RFC 8446 §4.2.11).
    fn client_hello_extensions(
        &self,
        basis: &HelloBasis,
        key_pair: Option<&X25519KeyPair>,
        cx: &mut Context,
    ) -> ClientHelloExtensions {
        // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
        // HostName".
        let send_sni = self.server_name.parse::<std::net::IpAddr>().is_err();
        ClientHelloExtensions {
            server_name: send_sni.then(|| self.server_name.clone()),
            supported_versions: Some(vec![TLS13]),
            supported_groups: Some(vec![X25519]),
            signature_algorithms: Some(vec![ED25519]),
            application_layer_protocol_negotiation: alpn_offer(&self.config),
            key_share: Some(
                (key_pair.iter())
                    .map(|kp| KeyShareEntry {
                        group: X25519,
                        key_exchange: kp.public.to_vec(),
                    })
                    .collect(),
            ),
            // RFC 8446 §4.2.2: echo the HelloRetryRequest's cookie.
            cookie: basis.retry.as_ref().and_then(|r| r.cookie.clone()),
            // RFC 8446 §4.2.9: the modes we accept; servers send tickets
            // only to clients that send this.
            psk_key_exchange_modes: (self.config.session_cache.as_ref())
                .map(|_| self.config.psk_modes.clone()),
            early_data: false,
            // RFC 8446 §4.2.11: its binder is filled in once the rest is known.
            pre_shared_key: basis.ticket.as_ref().map(|ticket| {
                Box::new(OfferedPsks {
                    identities: vec![PskIdentity {
                        identity: ticket.ticket.clone(),
                        obfuscated_ticket_age: ticket.obfuscated_ticket_age(cx.now()),
                    }],
                    binders: vec![vec![0; HASH_LEN]],
                })
            }),
            received: Vec::new(),
        }
    }
    // ANCHOR_END: client_hello_extensions
}

// ANCHOR: send_early_data
/// 0-RTT (RFC 8446 §2.3): right behind the ClientHello, the client
/// derives client_early_traffic_secret from the ticket's PSK and the
/// ClientHello (§7.1), switches to it (Appendix A.1: `K_send = early
/// data`) and sends its data as application_data records, before it knows
/// whether the server will read them. In compatibility mode the dummy
/// change_cipher_spec goes first, "immediately after the first
/// ClientHello" (Appendix D.4).
fn send_early_data(
    psk: &Secret,
    data: &[u8],
    transcript: &Transcript,
    cx: &mut Context,
) -> Result<(), Error> {
    let secret = derive_early_traffic_secret(psk, &transcript.current(), cx);
    if cx.middlebox_compatibility {
        cx.send_change_cipher_spec()?;
    }
    cx.install_write_key(&secret, Epoch::EarlyData)?;
    cx.send_records(ContentType::ApplicationData, data)
}
// ANCHOR_END: send_early_data

/// A ticket for this server from the cache, if any (used once: taken out).
fn take_ticket(config: &ClientConfig, server_name: &str, now: UnixTime) -> Option<StoredTicket> {
    let cache = config.session_cache.as_ref()?;
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .take(server_name, now)
        .filter(|t| t.cipher_suite == TLS_CHACHA20_POLY1305_SHA256)
}

// ANCHOR: fill_in_binder
/// RFC 8446 §4.2.11.2: the binder is an HMAC over the transcript up to and
/// including this ClientHello *truncated before the binders list*. The
/// lengths in the truncated part already count binders of the right size,
/// so the hello was encoded with a placeholder binder. The hello goes into
/// the transcript in two pieces: up to the cut, where the hash for the
/// binder is taken, then, with the binder written over the placeholder's
/// bytes (the last HASH_LEN: pre_shared_key is the last extension, and we
/// offer one PSK), the binders list.
fn fill_in_binder(
    hello: &mut ClientHello,
    encoded: &mut [u8],
    ticket: &StoredTicket,
    transcript: &mut Transcript,
) {
    let Some(offer) = hello.extensions.pre_shared_key.as_mut() else {
        transcript.add(encoded);
        return;
    };
    let cut = truncation_point(encoded, offer);
    transcript.add(&encoded[..cut]);
    let value = binder(&ticket.psk, &transcript.current());
    let at = encoded.len() - HASH_LEN;
    encoded[at..].copy_from_slice(&value);
    transcript.add(&encoded[cut..]);
    offer.binders = vec![value.to_vec()];
}
// ANCHOR_END: fill_in_binder

/// WAIT_SH: ClientHello sent, waiting for the server's choice.
pub(crate) struct WaitServerHello {
    config: Arc<ClientConfig>,
    server_name: String,
    /// Our X25519 key; `None` when we offered psk_ke only.
    key_pair: Option<X25519KeyPair>,
    random: [u8; 32],
    legacy_session_id: Vec<u8>,
    /// Extension types we sent; the server may answer only these.
    offered: Vec<u16>,
    transcript: Transcript,
    /// Whether a HelloRetryRequest was already answered: RFC 8446 §4.1.4
    /// makes a second one unexpected_message.
    retried: bool,
    /// The ticket we offered, if any.
    ticket: Option<StoredTicket>,
    /// We sent early data behind the ClientHello, and still write with
    /// the early keys.
    early_data_offered: bool,
}

impl WaitServerHello {
    // ANCHOR: check_server_hello
    /// Checks common to ServerHello and HelloRetryRequest (RFC 8446
    /// §4.1.3, §4.1.4): what they echo of our ClientHello or pick from it.
    fn check_hello_common(
        &self,
        legacy_session_id_echo: &[u8],
        cipher_suite: u16,
        legacy_compression_method: u8,
    ) -> Result<(), Error> {
        // RFC 8446 §4.1.3: echo of what we sent, byte for byte.
        if legacy_session_id_echo != self.legacy_session_id {
            return Err(Error::IllegalParameter(
                IllegalParameter::SessionIdEchoMismatch,
            ));
        }
        if cipher_suite != TLS_CHACHA20_POLY1305_SHA256 {
            return Err(Error::IllegalParameter(
                IllegalParameter::CipherSuiteNotOffered,
            ));
        }
        if legacy_compression_method != 0 {
            return Err(Error::IllegalParameter(
                IllegalParameter::LegacyCompressionMethod,
            ));
        }
        Ok(())
    }

    // ANCHOR: check_version
    /// The negotiated version must be TLS 1.3 (RFC 8446 §4.2.1).
    fn check_version(selected_version: Option<u16>, random: &[u8; 32]) -> Result<(), Error> {
        match selected_version {
            Some(TLS13) => Ok(()),
            Some(_) => Err(Error::IllegalParameter(IllegalParameter::VersionNotOffered)),
            None => {
                // RFC 8446 §4.1.3: a TLS 1.3 client MUST check for the
                // downgrade sentinels when the server picks an older version.
                let tail = &random[24..];
                if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
                    Err(Error::IllegalParameter(IllegalParameter::DowngradeSentinel))
                } else {
                    Err(Error::ProtocolVersion(
                        ProtocolVersion::ServerDidNotSelectTls13,
                    ))
                }
            }
        }
    }
    // ANCHOR_END: check_version
    // ANCHOR_END: check_server_hello

    // ANCHOR: accepted_psk
    /// RFC 8446 §4.2.11: did the server accept our PSK, and in which mode?
    fn accepted_psk(&self, hello: &ServerHello) -> Result<Option<u8>, Error> {
        let Some(selected) = hello.extensions.pre_shared_key else {
            return Ok(None);
        };
        // RFC 8446 §4.2.11: the selected identity MUST be one we offered.
        if selected != 0 || self.ticket.is_none() {
            return Err(Error::IllegalParameter(
                IllegalParameter::SelectedIdentityNotOffered,
            ));
        }
        let has_share = hello.extensions.key_share.is_some();
        let mode = if has_share { PSK_DHE_KE } else { PSK_KE };
        // RFC 8446 §4.2.9: the server must use a mode we offered.
        if !self.config.psk_modes.contains(&mode) {
            return Err(if has_share {
                Error::IllegalParameter(IllegalParameter::PskDheKeNotOffered)
            } else {
                Error::MissingExtension(MissingExtension::ServerHelloKeyShareForPsk)
            });
        }
        Ok(Some(mode))
    }
    // ANCHOR_END: accepted_psk

    // ANCHOR: handle_server_hello_checks
    fn handle_server_hello(
        mut self,
        hello: ServerHello,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        Self::check_version(hello.extensions.supported_versions, &hello.random)?;
        self.check_hello_common(
            &hello.legacy_session_id_echo,
            hello.cipher_suite,
            hello.legacy_compression_method,
        )?;
        if let Some(extension) = first_unsolicited(&self.offered, &hello.extensions.received) {
            let reason = UnsolicitedExtension::InServerHello { extension };
            return Err(Error::UnsolicitedExtension(reason));
        }
        let psk_mode = self.accepted_psk(&hello)?;

        let shared = match (&hello.extensions.key_share, psk_mode) {
            (None, Some(PSK_KE)) => None,
            (Some(share), _) => {
                // RFC 8446 §4.2.8: the server's share MUST be in a group we
                // offered a share for.
                let Some(key_pair) = self.key_pair.take().filter(|_| share.group == X25519) else {
                    return Err(Error::IllegalParameter(
                        IllegalParameter::KeyShareNotOffered,
                    ));
                };
                Some(agree(key_pair, &share.key_exchange, cx)?)
            }
            (None, _) => {
                return Err(Error::MissingExtension(
                    MissingExtension::ServerHelloKeyShare,
                ));
            }
        };
        // ANCHOR_END: handle_server_hello_checks

        // ANCHOR: handle_server_hello_keys
        self.transcript.add(bytes);
        let psk = match psk_mode {
            Some(_) => self.ticket.as_ref().map(|t| &t.psk),
            None => None,
        };
        if psk_mode.is_none() && self.ticket.is_some() {
            cx.emit(Event::Resumption(ResumptionEvent::NotAccepted));
        }
        let secrets =
            derive_handshake_secrets(psk, shared.as_ref(), &self.transcript.current(), cx);
        cx.install_read_key(&secrets.server, Epoch::Handshake);
        // RFC 8446 §4.2.10: with 0-RTT offered and our PSK accepted, the
        // server may be reading our early data: we keep writing with the
        // early keys until EncryptedExtensions says whether it accepted.
        let early_data_pending = self.early_data_offered && psk_mode.is_some();
        // Appendix A draws `K_send = handshake` after the server's Finished,
        // when our first handshake message goes out. We switch now, as Go
        // and rustls do, so that an alert we send before then is protected
        // like everything else (RFC 8446 §6): the server reads only
        // protected records from here on. In compatibility mode the dummy
        // change_cipher_spec precedes our first protected record (Appendix D.4).
        if cx.middlebox_compatibility {
            cx.send_change_cipher_spec()?;
        }
        if !early_data_pending {
            cx.install_write_key(&secrets.client, Epoch::Handshake)?;
        }

        cx.negotiated.cipher_suite = hello.cipher_suite;
        cx.negotiated.group = shared.as_ref().map(|_| X25519);
        cx.negotiated.hello_retry_request = self.retried;
        if let Some(mode) = psk_mode {
            cx.negotiated.resumed = true;
            cx.negotiated.psk_mode = Some(psk_mode_name(mode));
        }

        Ok(ClientState::WaitEncryptedExtensions(
            WaitEncryptedExtensions {
                config: self.config,
                server_name: self.server_name,
                offered: self.offered,
                transcript: self.transcript,
                resumed: psk_mode.is_some(),
                secrets,
                early_data_pending,
            },
        ))
    }
    // ANCHOR_END: handle_server_hello_keys

    // ANCHOR: hrr_checks
    fn handle_hello_retry_request(
        mut self,
        hrr: HelloRetryRequest,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        Self::check_version(
            hrr.extensions.supported_versions,
            &HELLO_RETRY_REQUEST_RANDOM,
        )?;
        self.check_hello_common(
            &hrr.legacy_session_id_echo,
            hrr.cipher_suite,
            hrr.legacy_compression_method,
        )?;
        // RFC 8446 §4.2: "with the exception of the cookie extension in the
        // HelloRetryRequest", only what we offered. (A pre_shared_key, which
        // §4.2's table allows only in ClientHello and ServerHello, is
        // refused by the decoder.)
        let cookie_or_offered = |t: &u16| *t == et::COOKIE || self.offered.contains(t);
        if let Some(t) = types(&hrr.extensions.received).find(|t| !cookie_or_offered(t)) {
            let extension = Extension::type_name(t);
            let reason = UnsolicitedExtension::InServerHello { extension };
            return Err(Error::UnsolicitedExtension(reason));
        }
        // ANCHOR_END: hrr_checks
        // ANCHOR: hrr_what_changes
        let cookie = hrr.extensions.cookie;
        let mut wants_x25519_share = false;
        if let Some(group) = hrr.extensions.key_share {
            // RFC 8446 §4.2.8: the selected_group MUST be one we offered in
            // supported_groups and not one we already sent a share for.
            if group != X25519 || self.key_pair.is_some() {
                return Err(Error::IllegalParameter(
                    IllegalParameter::HelloRetryRequestGroup,
                ));
            }
            wants_x25519_share = true;
        }
        if cookie.is_none() && !wants_x25519_share {
            // RFC 8446 §4.1.4: an HRR that would not change the ClientHello
            // MUST be refused.
            return Err(Error::IllegalParameter(
                IllegalParameter::HelloRetryRequestChangesNothing,
            ));
        }
        // RFC 8446 §4.4.1: ClientHello1 becomes message_hash, then the HRR.
        self.transcript.restart_for_hrr();
        self.transcript.add(bytes);
        // RFC 8446 §4.2.10: a HelloRetryRequest rejects our early data; the
        // second ClientHello goes in the clear, like the first.
        if self.early_data_offered {
            cx.records.write = None;
        }
        Ok(ClientState::Start(Start {
            config: self.config,
            server_name: self.server_name,
            early_data: None,
            retry: Some(HelloBasis {
                random: self.random,
                legacy_session_id: self.legacy_session_id,
                ticket: self.ticket,
                transcript: self.transcript,
                retry: Some(RetryRequest {
                    cookie,
                    wants_x25519_share,
                }),
            }),
        }))
    }
    // ANCHOR_END: hrr_what_changes
}

// ANCHOR: primer_first_unsolicited
/// RFC 8446 §4.2: a server's extensions answer ours, so each must be of a
/// type we offered; the name of the first that is not (an unknown type
/// included), which is unsupported_extension.
fn first_unsolicited(offered: &[u16], received: &[ReceivedExtension]) -> Option<&'static str> {
    let unsolicited = types(received).find(|t| !offered.contains(t))?;
    Some(Extension::type_name(unsolicited))
}
// ANCHOR_END: primer_first_unsolicited

/// WAIT_EE: handshake keys installed, waiting for EncryptedExtensions.
pub(crate) struct WaitEncryptedExtensions {
    config: Arc<ClientConfig>,
    server_name: String,
    offered: Vec<u16>,
    transcript: Transcript,
    /// The server accepted our PSK: no Certificate or CertificateVerify follow.
    resumed: bool,
    secrets: HandshakeSecrets,
    /// We sent 0-RTT data and the server took our PSK: EncryptedExtensions
    /// says whether it reads the data. We still write with the early keys.
    early_data_pending: bool,
}

impl WaitEncryptedExtensions {
    // ANCHOR: handle_encrypted_extensions
    fn handle_encrypted_extensions(
        mut self,
        ee: EncryptedExtensions,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        // RFC 8446 §4.2: only responses to what we offered; a server may
        // tell us its supported_groups, which we may note and ignore.
        if let Some(extension) = first_unsolicited(&self.offered, &ee.received) {
            let reason = UnsolicitedExtension::InEncryptedExtensions { extension };
            return Err(Error::UnsolicitedExtension(reason));
        }
        cx.negotiated.alpn_protocol =
            check_alpn_answer(&self.config.alpn_protocols, ee.protocol_name_list)?;
        let early_data_accepted = self.early_data_answer(ee.early_data, cx)?;
        self.transcript.add(bytes);
        // Appendix A.1: "Using PSK" goes straight to WAIT_FINISHED.
        if self.resumed {
            return Ok(ClientState::WaitFinished(WaitFinished {
                config: self.config,
                server_name: self.server_name,
                transcript: self.transcript,
                secrets: self.secrets,
                certificate_request: None,
                early_data_accepted,
            }));
        }
        Ok(ClientState::WaitCertCr(WaitCertCr(CertificateExpected {
            config: self.config,
            server_name: self.server_name,
            transcript: self.transcript,
            secrets: self.secrets,
        })))
    }
    // ANCHOR_END: handle_encrypted_extensions

    // ANCHOR: early_data_answer
    /// The server's answer to our 0-RTT (RFC 8446 §4.2.10): early_data in
    /// EncryptedExtensions accepts it; without it, the data was skipped
    /// and we move to the handshake keys now. Accepting it is legal only
    /// when the server selected our first (and only) PSK: otherwise
    /// illegal_parameter. Returns whether it was accepted.
    fn early_data_answer(&self, accepted: bool, cx: &mut Context) -> Result<bool, Error> {
        if accepted && !self.early_data_pending {
            return Err(Error::IllegalParameter(
                IllegalParameter::EarlyDataWithoutFirstPsk,
            ));
        }
        if self.early_data_pending {
            cx.negotiated.early_data_accepted = Some(accepted);
            if !accepted {
                cx.install_write_key(&self.secrets.client, Epoch::Handshake)?;
            }
        }
        Ok(accepted)
    }
    // ANCHOR_END: early_data_answer
}

/// RFC 7301 §3.1: the application protocols we offer, most preferred
/// first; no extension at all when we have none to offer.
fn alpn_offer(config: &ClientConfig) -> Option<Box<ProtocolNameList>> {
    (!config.alpn_protocols.is_empty()).then(|| {
        Box::new(ProtocolNameList {
            protocol_name_list: config.alpn_protocols.clone(),
        })
    })
}

// ANCHOR: check_alpn_answer
/// The server's ALPN answer, checked against what we offered (an answer to
/// an offer we did not make was refused as unsolicited already). RFC 7301
/// §3.1: the server's list holds exactly one ProtocolName; §3.2: the
/// server selects among the protocols the client advertised, so it must be
/// one of ours, or the two sides would speak different protocols. Either
/// broken is `illegal_parameter`. No answer is no protocol.
fn check_alpn_answer(
    offered: &[Vec<u8>],
    answer: Option<Vec<Vec<u8>>>,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(mut names) = answer else {
        return Ok(None);
    };
    let chosen = match names.pop() {
        Some(name) if names.is_empty() => name,
        _ => {
            return Err(Error::IllegalParameter(
                IllegalParameter::ApplicationProtocolNotOneName,
            ));
        }
    };
    if !offered.contains(&chosen) {
        return Err(Error::IllegalParameter(
            IllegalParameter::ApplicationProtocolNotOffered,
        ));
    }
    Ok(Some(chosen))
}
// ANCHOR_END: check_alpn_answer

/// What WAIT_CERT_CR and WAIT_CERT both hold: a server Certificate is due.
pub(crate) struct CertificateExpected {
    config: Arc<ClientConfig>,
    server_name: String,
    transcript: Transcript,
    secrets: HandshakeSecrets,
}

/// WAIT_CERT_CR: waiting for the server's Certificate, or a
/// CertificateRequest before it.
pub(crate) struct WaitCertCr(CertificateExpected);

/// WAIT_CERT: the server asked for our certificate; its Certificate is next.
pub(crate) struct WaitCert {
    expected: CertificateExpected,
    certificate_request: CertificateRequested,
}

/// What we keep of a CertificateRequest until we answer it, after the
/// server's Finished (RFC 8446 §4.4.2).
pub(crate) struct CertificateRequested {
    /// Echoed in our Certificate (RFC 8446 §4.4.2).
    certificate_request_context: Vec<u8>,
    /// Its signature_algorithms lists ed25519, the only scheme we sign
    /// with: without it we have no suitable certificate.
    ed25519_accepted: bool,
}

impl WaitCertCr {
    // ANCHOR: handle_certificate_request
    fn handle_certificate_request(
        mut self,
        request: CertificateRequest,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be specified".
        let Some(schemes) = &request.extensions.signature_algorithms else {
            return Err(Error::MissingExtension(
                MissingExtension::CertificateRequestSignatureAlgorithms,
            ));
        };
        let ed25519_accepted = schemes.contains(&ED25519);
        self.0.transcript.add(bytes);
        cx.negotiated.certificate_requested = true;
        Ok(ClientState::WaitCert(WaitCert {
            expected: self.0,
            certificate_request: CertificateRequested {
                certificate_request_context: request.certificate_request_context,
                ed25519_accepted,
            },
        }))
    }
    // ANCHOR_END: handle_certificate_request
}

impl CertificateExpected {
    // ANCHOR: handle_certificate
    /// The server's Certificate, in WAIT_CERT_CR or WAIT_CERT; the latter
    /// passes the CertificateRequest we will answer.
    fn handle_certificate(
        mut self,
        certificate: Certificate,
        bytes: &[u8],
        cx: &mut Context,
        certificate_request: Option<CertificateRequested>,
    ) -> Result<ClientState, Error> {
        let server_public_key =
            check_server_certificate(&certificate, &self.config, &self.server_name, cx)?;
        self.transcript.add(bytes);
        Ok(ClientState::WaitCertificateVerify(WaitCertificateVerify {
            config: self.config,
            server_name: self.server_name,
            transcript: self.transcript,
            secrets: self.secrets,
            server_public_key,
            certificate_request,
        }))
    }
    // ANCHOR_END: handle_certificate
}

// ANCHOR: check_server_certificate
/// The server's Certificate message, checked: its chain leads to one of
/// our trust anchors and names `server_name` (RFC 8446 §4.4.2, §4.4.2.4).
/// Returns the leaf's public key, which CertificateVerify must prove.
fn check_server_certificate(
    certificate: &Certificate,
    config: &ClientConfig,
    server_name: &str,
    cx: &mut Context,
) -> Result<[u8; 32], Error> {
    // RFC 8446 §4.4.2: in the main handshake the server's context is empty.
    if !certificate.certificate_request_context.is_empty() {
        return Err(Error::IllegalParameter(
            IllegalParameter::CertificateRequestContext,
        ));
    }
    // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
    if certificate.certificate_list.is_empty() {
        return Err(Error::EmptyCertificate);
    }
    let chain: Vec<&[u8]> = certificate
        .certificate_list
        .iter()
        .map(|entry| entry.cert_data.as_slice())
        .collect();
    let now = cx.now().as_secs();
    let verified = verify_server_chain(&chain, &config.trust_anchors, server_name, now)?;
    for _ in 0..verified.signatures_checked {
        cx.operation(Operation::Ed25519Verify);
    }
    cx.negotiated.peer_subject = Some(verified.subject);
    cx.negotiated.peer_issuer = Some(verified.issuer);
    Ok(verified.public_key)
}
// ANCHOR_END: check_server_certificate

/// WAIT_CV: the chain is valid; now the server must prove it holds the key.
pub(crate) struct WaitCertificateVerify {
    config: Arc<ClientConfig>,
    server_name: String,
    transcript: Transcript,
    secrets: HandshakeSecrets,
    server_public_key: [u8; 32],
    /// The CertificateRequest, when the server asked for our certificate.
    certificate_request: Option<CertificateRequested>,
}

impl WaitCertificateVerify {
    // ANCHOR: handle_certificate_verify
    fn handle_certificate_verify(
        mut self,
        verify: CertificateVerify,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        // RFC 8446 §4.4.3: the algorithm MUST be one we offered in
        // signature_algorithms; we offered only ed25519.
        if verify.algorithm != ED25519 {
            return Err(Error::IllegalParameter(
                IllegalParameter::SignatureSchemeNotOffered,
            ));
        }
        let content = signed_content(SERVER_CONTEXT, self.transcript.current().as_bytes());
        cx.operation(Operation::Ed25519Verify);
        if !crypto::ed25519_verify(&self.server_public_key, &content, &verify.signature) {
            return Err(Error::BadCertificateVerify);
        }
        cx.negotiated.signature_scheme = Some(verify.algorithm);
        self.transcript.add(bytes);
        Ok(ClientState::WaitFinished(WaitFinished {
            config: self.config,
            server_name: self.server_name,
            transcript: self.transcript,
            secrets: self.secrets,
            certificate_request: self.certificate_request,
            early_data_accepted: false,
        }))
    }
    // ANCHOR_END: handle_certificate_verify
}

/// WAIT_FINISHED: the server is authenticated; its Finished closes its flight.
pub(crate) struct WaitFinished {
    config: Arc<ClientConfig>,
    server_name: String,
    transcript: Transcript,
    secrets: HandshakeSecrets,
    /// The CertificateRequest, when the server asked for our certificate.
    certificate_request: Option<CertificateRequested>,
    /// The server accepted our 0-RTT data: EndOfEarlyData is due, under
    /// the early keys we still write with (RFC 8446 §4.5).
    early_data_accepted: bool,
}

impl WaitFinished {
    // ANCHOR: handle_finished
    fn handle_finished(
        mut self,
        finished: Finished,
        bytes: &[u8],
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        let proof = verify_finished(&self.secrets.server, &self.transcript.current(), &finished)?;
        self.transcript.add(bytes);

        // Application secrets are over the transcript up to the server Finished.
        let HandshakeSecrets {
            handshake_secret,
            client: client_handshake,
            ..
        } = self.secrets;
        let application =
            derive_application_secrets(handshake_secret, &self.transcript.current(), cx);
        cx.install_read_key(&application.server, Epoch::Application(0));
        if self.early_data_accepted {
            send_end_of_early_data(&mut self.transcript, &client_handshake, cx)?;
        }

        if let Some(request) = self.certificate_request.take() {
            send_client_certificate(&self.config, &mut self.transcript, request, cx)?;
        }
        let ours = finished_for(&client_handshake, &self.transcript.current());
        let bytes = cx.send_handshake(&HandshakeMessage::Finished(ours))?;
        self.transcript.add(bytes);
        cx.install_write_key(&application.client, Epoch::Application(0))?;
        let resumption_master =
            application.resumption_master_secret(&self.transcript.current(), cx);
        cx.app_event(AppEvent::Connected);
        let exporter = application.exporter;
        let ApplicationSecrets { client, server, .. } = application;
        Ok(ClientState::Connected(Connected {
            _proof: proof,
            config: self.config,
            server_name: self.server_name,
            traffic: ApplicationTraffic::new(server, client),
            resumption_master,
            exporter_master_secret: exporter,
        }))
    }
    // ANCHOR_END: handle_finished
}

// ANCHOR: send_end_of_early_data
/// RFC 8446 §4.5: "If the server sent an "early_data" extension in
/// EncryptedExtensions, the client MUST send an EndOfEarlyData message
/// after receiving the server Finished", under the early keys; then
/// Appendix A.1's `K_send = handshake` for the rest of our flight. It is
/// part of the transcript our Finished covers (§4.4.1).
fn send_end_of_early_data(
    transcript: &mut Transcript,
    client_handshake: &TrafficSecret,
    cx: &mut Context,
) -> Result<(), Error> {
    let bytes = cx.send_handshake(&HandshakeMessage::EndOfEarlyData)?;
    transcript.add(bytes);
    cx.install_write_key(client_handshake, Epoch::Handshake)
}
// ANCHOR_END: send_end_of_early_data

// ANCHOR: send_client_certificate
/// Our answer to a CertificateRequest, under the handshake keys before
/// our Finished (RFC 8446 §4.4.2, §4.4.3): our chain and a
/// CertificateVerify under the client's context string, or, with no
/// suitable certificate, "a Certificate message containing no
/// certificates" and no CertificateVerify.
fn send_client_certificate(
    config: &ClientConfig,
    transcript: &mut Transcript,
    request: CertificateRequested,
    cx: &mut Context,
) -> Result<(), Error> {
    let ours = (config.client_certificate.as_ref()).filter(|_| request.ed25519_accepted);
    let certificate = Certificate {
        certificate_request_context: request.certificate_request_context,
        certificate_list: (ours.iter())
            .flat_map(|c| c.certificate_chain.iter())
            .map(|der| CertificateEntry {
                cert_data: der.clone(),
                extensions: Vec::new(),
            })
            .collect(),
    };
    let bytes = cx.send_handshake(&HandshakeMessage::Certificate(certificate))?;
    transcript.add(bytes);
    let Some(ours) = ours else {
        return Ok(());
    };
    let content = signed_content(CLIENT_CONTEXT, transcript.current().as_bytes());
    let signature = ours.private_key.sign(&content);
    cx.operation(Operation::Ed25519Sign);
    let verify = CertificateVerify {
        algorithm: ED25519,
        signature: signature.to_vec(),
    };
    let bytes = cx.send_handshake(&HandshakeMessage::CertificateVerify(verify))?;
    transcript.add(bytes);
    cx.negotiated.client_certificate_sent = true;
    Ok(())
}
// ANCHOR_END: send_client_certificate

/// CONNECTED: application keys in both directions.
pub(crate) struct Connected {
    /// Only a verified server Finished leads here.
    _proof: FinishedVerified,
    config: Arc<ClientConfig>,
    server_name: String,
    /// We read with the server's application secret, write with ours.
    traffic: ApplicationTraffic,
    /// Each ticket's PSK derives from this and the ticket's nonce.
    resumption_master: Secret,
    /// What exported keying material derives from (RFC 8446 §7.5).
    exporter_master_secret: Secret,
}

impl Connected {
    // ANCHOR: handle_new_session_ticket
    /// RFC 8446 §4.6.1: remember the ticket with the PSK it stands for,
    /// under the name we connected to, for at most its lifetime.
    fn handle_new_session_ticket(
        self,
        ticket: NewSessionTicket,
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        if let Some(cache) = &self.config.session_cache {
            let stored = StoredTicket {
                server_name: self.server_name.clone(),
                psk: resumption_psk(&self.resumption_master, &ticket.ticket_nonce),
                ticket: ticket.ticket,
                cipher_suite: TLS_CHACHA20_POLY1305_SHA256,
                ticket_lifetime: ticket.ticket_lifetime.min(MAX_TICKET_LIFETIME),
                ticket_age_add: ticket.ticket_age_add,
                received_at: cx.now(),
                // RFC 8446 §4.6.1: early_data in the ticket allows 0-RTT,
                // for the ALPN protocol of this connection (§4.2.10).
                max_early_data_size: ticket.extensions.max_early_data_size.unwrap_or(0),
                alpn_protocol: cx.negotiated.alpn_protocol.clone().unwrap_or_default(),
            };
            cx.emit(Event::Resumption(ResumptionEvent::TicketStored {
                lifetime: stored.ticket_lifetime,
            }));
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(stored);
        }
        cx.app_event(AppEvent::NewTicket);
        Ok(ClientState::Connected(self))
    }
    // ANCHOR_END: handle_new_session_ticket

    // ANCHOR: client_key_update
    fn handle_key_update(
        mut self,
        update: KeyUpdate,
        cx: &mut Context,
    ) -> Result<ClientState, Error> {
        self.traffic.answer_key_update(&update, cx)?;
        Ok(ClientState::Connected(self))
    }
    // ANCHOR_END: client_key_update
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FixedClock;
    use crate::testing::{FIXED_NOW, SeededRng, demo_client_certificate, demo_pki};
    use crate::trace::{RecordedEvent, Recorder};

    /// The messages sent: name and bytes.
    type Sent = Vec<(&'static str, Vec<u8>)>;

    /// What `send_client_certificate` sends for `request`, with our
    /// certificate configured: the messages, and the transcript hash
    /// after the Certificate.
    fn answer(ed25519_accepted: bool) -> (Sent, Vec<u8>, ClientConfig) {
        let pki = demo_pki(1);
        let mut config = ClientConfig::new(pki.trust_anchors());
        config.client_certificate = Some(demo_client_certificate(&pki));
        let recorder = Recorder::default();
        let mut cx = Context::new(
            true,
            SeededRng::shared(5),
            Arc::new(FixedClock(FIXED_NOW)),
            Box::new(recorder.clone()),
        );
        let mut transcript = Transcript::new();
        let request = CertificateRequested {
            certificate_request_context: vec![7],
            ed25519_accepted,
        };
        send_client_certificate(&config, &mut transcript, request, &mut cx).unwrap();
        let sent: Sent = (recorder.events().into_iter())
            .filter_map(|e| match e {
                RecordedEvent::MessageSent(name, bytes) => Some((name, bytes)),
                _ => None,
            })
            .collect();
        let mut after_certificate = Transcript::new();
        after_certificate.add(&sent[0].1);
        let hash = after_certificate.current().as_bytes().to_vec();
        (sent, hash, config)
    }

    #[test]
    fn a_request_without_ed25519_gets_an_empty_certificate() {
        // RFC 8446 §4.4.2: no suitable certificate, so none, and no
        // CertificateVerify (§4.4.3); the context is echoed.
        let (sent, _, _) = answer(false);
        assert_eq!(sent, [("Certificate", vec![11, 0, 0, 5, 1, 7, 0, 0, 0])]);
    }

    #[test]
    fn a_request_with_ed25519_gets_our_chain_and_a_client_signature() {
        let (sent, hash, config) = answer(true);
        let names: Vec<&str> = sent.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["Certificate", "CertificateVerify"]);
        let ours = config.client_certificate.unwrap();
        let HandshakeMessage::Certificate(certificate) =
            HandshakeMessage::decode(&sent[0].1).unwrap()
        else {
            panic!("not a Certificate");
        };
        assert_eq!(certificate.certificate_request_context, [7]);
        assert_eq!(
            certificate.certificate_list[0].cert_data,
            ours.certificate_chain[0]
        );
        let HandshakeMessage::CertificateVerify(verify) =
            HandshakeMessage::decode(&sent[1].1).unwrap()
        else {
            panic!("not a CertificateVerify");
        };
        let public = ours.private_key.public_key();
        // Signed under the client's context string (RFC 8446 §4.4.3), not the server's.
        assert!(crypto::ed25519_verify(
            &public,
            &signed_content(CLIENT_CONTEXT, &hash),
            &verify.signature
        ));
        assert!(!crypto::ed25519_verify(
            &public,
            &signed_content(SERVER_CONTEXT, &hash),
            &verify.signature
        ));
    }
}
