//! Extensions (RFC 8446 §4.2): the wire unit [`Extension`], and the one
//! reader every message's extension block goes through.
//!
//! ```text
//! struct {
//!     ExtensionType extension_type;
//!     opaque extension_data<0..2^16-1>;
//! } Extension;
//! ```
//!
//! Each message keeps the extensions minitls knows as typed `Option` fields
//! (`ClientHelloExtensions` and its siblings, next to their messages), so a
//! handler reads `hello.extensions.key_share` rather than searching a list.
//! Every block is decoded by [`read_block`], which enforces the rules of
//! RFC 8446 §4.2 in one place:
//! - a known extension in a message the RFC's table does not allow it in is
//!   `illegal_parameter`;
//! - "There MUST NOT be more than one extension of the same type in a given
//!   extension block": a duplicate is `illegal_parameter`;
//! - in a ClientHello, pre_shared_key "MUST be the last extension"
//!   (RFC 8446 §4.2.11): anything after it is `illegal_parameter`;
//! - an extension type minitls does not know is not kept: only its type and
//!   length are recorded ([`ReceivedExtension`]), so the explainer can show
//!   it as ignored (RFC 8446 §4.1.2, §9.3) and a client can refuse what it
//!   never offered.
//!
//! The same extension type has different contents in different messages
//! (a client's `key_share` is a list of shares, a server's is one share, a
//! HelloRetryRequest's is just a group), so each message's block reads the
//! data itself, by type, in its own `read`.
//!
//! Writing goes the other way: a typed block writes each extension it has
//! straight from its field, in minitls's fixed order, with the writers
//! here ([`write_extension`] and one per kind of data). [`Extension`] is
//! the same thing as a value: `to_list` gives a block's extensions as a
//! list of them, and a test can hand a message any list instead
//! (`encode_with_extensions`), duplicates, unknown types and misplaced
//! extensions included, to check that the reader refuses what it should.

use std::ops::RangeInclusive;

use crate::codec::{Reader, U16Set, Writer};
use crate::error::{Error, IllegalParameter};

/// Where an extension block sits; the table of RFC 8446 §4.2 is per message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionContext {
    /// CH: the client's requests (RFC 8446 §4.1.2).
    ClientHello,
    /// SH: the server's answers that are sent in the clear (RFC 8446 §4.1.3).
    ServerHello,
    /// HRR: what the server needs for a second ClientHello (RFC 8446 §4.1.4).
    HelloRetryRequest,
    /// EE: the server's encrypted answers (RFC 8446 §4.3.1).
    EncryptedExtensions,
    /// CT: per-certificate extensions, in a `CertificateEntry` (RFC 8446 §4.4.2).
    Certificate,
    /// CR: the server's requests of a client certificate (RFC 8446 §4.3.2).
    CertificateRequest,
    /// NST: extensions of a session ticket (RFC 8446 §4.6.1).
    NewSessionTicket,
}

/// `enum { ... } ExtensionType;` code points minitls knows (RFC 8446 §4.2).
pub mod extension_type {
    /// `server_name(0)`: the host name the client wants (RFC 6066 §3).
    pub const SERVER_NAME: u16 = 0;
    /// `supported_groups(10)`: the key exchange groups an endpoint supports
    /// (RFC 8446 §4.2.7).
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// `signature_algorithms(13)`: the signature schemes an endpoint accepts
    /// in CertificateVerify (RFC 8446 §4.2.3).
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// `pre_shared_key(41)`: the PSKs offered, or the one selected
    /// (RFC 8446 §4.2.11).
    pub const PRE_SHARED_KEY: u16 = 41;
    /// `early_data(42)`: 0-RTT data offered, accepted or allowed by a
    /// ticket (RFC 8446 §4.2.10).
    pub const EARLY_DATA: u16 = 42;
    /// `supported_versions(43)`: the versions offered, or the one selected
    /// (RFC 8446 §4.2.1).
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// `cookie(44)`: opaque state a HelloRetryRequest asks the client to
    /// echo (RFC 8446 §4.2.2).
    pub const COOKIE: u16 = 44;
    /// `psk_key_exchange_modes(45)`: how a PSK may be used to establish
    /// keys (RFC 8446 §4.2.9).
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    /// `key_share(51)`: (EC)DHE key shares, or the group wanted in a
    /// HelloRetryRequest (RFC 8446 §4.2.8).
    pub const KEY_SHARE: u16 = 51;
    /// RFC 7685: bytes of zeros to reach a size; minitls never sends it.
    pub const PADDING: u16 = 21;
    /// `application_layer_protocol_negotiation(16)`: the application
    /// protocols a client offers, or the one a server chose (RFC 7301 §3.1).
    pub const APPLICATION_LAYER_PROTOCOL_NEGOTIATION: u16 = 16;
}
use extension_type as et;

/// ```text
/// struct {
///     NamedGroup group;
///     opaque key_exchange<1..2^16-1>;
/// } KeyShareEntry;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// `NamedGroup group;`: the group the key is for (RFC 8446 §4.2.8).
    pub group: u16,
    /// `opaque key_exchange<1..2^16-1>;`: the public value, for x25519 the
    /// 32-byte u-coordinate (RFC 8446 §4.2.8.2).
    pub key_exchange: Vec<u8>,
}

/// `PskIdentity` of RFC 8446 §4.2.11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskIdentity {
    /// `opaque identity<1..2^16-1>;`: a label for the key, here the
    /// `ticket` of a NewSessionTicket (RFC 8446 §4.6.1).
    pub identity: Vec<u8>,
    /// `uint32 obfuscated_ticket_age;`: the ticket's age in milliseconds
    /// plus its `ticket_age_add`, mod 2^32 (RFC 8446 §4.2.11.1).
    pub obfuscated_ticket_age: u32,
}

/// `OfferedPsks` of RFC 8446 §4.2.11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks {
    /// `PskIdentity identities<7..2^16-1>;`: the identities the client is
    /// willing to negotiate with.
    pub identities: Vec<PskIdentity>,
    /// `PskBinderEntry binders<33..2^16-1>;`: one HMAC per identity, in the
    /// same order (RFC 8446 §4.2.11.2).
    pub binders: Vec<Vec<u8>>,
}

/// `ProtocolNameList` of RFC 7301 §3.1: the application protocols a
/// client offers, most preferred first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolNameList {
    /// `ProtocolName protocol_name_list<2..2^16-1>;` each
    /// `opaque ProtocolName<1..2^8-1>`.
    pub protocol_name_list: Vec<Vec<u8>>,
}

/// One extension as it arrived: its type and the length of its
/// `extension_data`, in the order of the block. The reader records one for
/// every extension, known or not; an unknown one is kept only as this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceivedExtension {
    /// `ExtensionType extension_type;`
    pub extension_type: u16,
    /// The length of `opaque extension_data<0..2^16-1>;`
    pub length: u16,
    /// Where `extension_data` starts in the message's bytes, so a check
    /// can compare an extension's bytes without the decoder keeping them.
    pub offset: u32,
}

/// One extension on the wire, as a value. A typed block writes its
/// extensions from its fields without them; `to_list` gives the same
/// extensions as a list of these, which a test can alter and write with
/// `encode_with_extensions` (duplicates, unknown types, any order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extension {
    /// `server_name` in a ClientHello: the `host_name` (RFC 6066 §3).
    ServerName(String),
    /// `server_name` in EncryptedExtensions: empty, "I used your name".
    ServerNameAck,
    /// `NamedGroup named_group_list<2..2^16-1>` (RFC 8446 §4.2.7).
    SupportedGroups(Vec<u16>),
    /// `SignatureScheme supported_signature_algorithms<2..2^16-2>` (RFC 8446 §4.2.3).
    SignatureAlgorithms(Vec<u16>),
    /// `ProtocolVersion versions<2..254>` in a ClientHello (RFC 8446 §4.2.1).
    SupportedVersionsClient(Vec<u16>),
    /// `ProtocolVersion selected_version` in a ServerHello or HRR.
    SupportedVersionsServer(u16),
    /// `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2).
    Cookie(Vec<u8>),
    /// `PskKeyExchangeMode ke_modes<1..255>` (RFC 8446 §4.2.9).
    PskKeyExchangeModes(Vec<u8>),
    /// `KeyShareEntry client_shares<0..2^16-1>` (RFC 8446 §4.2.8).
    KeyShareClient(Vec<KeyShareEntry>),
    /// `KeyShareEntry server_share` in a ServerHello.
    KeyShareServer(KeyShareEntry),
    /// `NamedGroup selected_group` in a HelloRetryRequest.
    KeyShareHelloRetryRequest(u16),
    /// `OfferedPsks` in a ClientHello (RFC 8446 §4.2.11).
    PreSharedKeyClient(OfferedPsks),
    /// `uint16 selected_identity` in a ServerHello.
    PreSharedKeyServer(u16),
    /// `early_data` with an empty body: a client offering 0-RTT in its
    /// ClientHello, or a server accepting it in EncryptedExtensions (RFC
    /// 8446 §4.2.10).
    EarlyData,
    /// `early_data` in a NewSessionTicket: `uint32 max_early_data_size`,
    /// the most 0-RTT data the ticket allows (RFC 8446 §4.2.10, §4.6.1).
    MaxEarlyDataSize(u32),
    /// `ProtocolName protocol_name_list<2..2^16-1>` (RFC 7301 §3.1): the
    /// client's offer in a ClientHello, the server's one choice in
    /// EncryptedExtensions.
    ApplicationLayerProtocolNegotiation(Vec<Vec<u8>>),
    /// Any type with any bytes as its `extension_data`: what minitls never
    /// sends, for tests (an unknown type, or a known one malformed).
    Unknown {
        /// `ExtensionType extension_type;`, written as given.
        extension_type: u16,
        /// `opaque extension_data<0..2^16-1>;`, written as given.
        data: Vec<u8>,
    },
}

impl Extension {
    /// The `ExtensionType` this extension is written with.
    pub fn extension_type(&self) -> u16 {
        match self {
            Extension::ServerName(_) | Extension::ServerNameAck => et::SERVER_NAME,
            Extension::SupportedGroups(_) => et::SUPPORTED_GROUPS,
            Extension::SignatureAlgorithms(_) => et::SIGNATURE_ALGORITHMS,
            Extension::SupportedVersionsClient(_) | Extension::SupportedVersionsServer(_) => {
                et::SUPPORTED_VERSIONS
            }
            Extension::Cookie(_) => et::COOKIE,
            Extension::PskKeyExchangeModes(_) => et::PSK_KEY_EXCHANGE_MODES,
            Extension::KeyShareClient(_)
            | Extension::KeyShareServer(_)
            | Extension::KeyShareHelloRetryRequest(_) => et::KEY_SHARE,
            Extension::PreSharedKeyClient(_) | Extension::PreSharedKeyServer(_) => {
                et::PRE_SHARED_KEY
            }
            Extension::EarlyData | Extension::MaxEarlyDataSize(_) => et::EARLY_DATA,
            Extension::ApplicationLayerProtocolNegotiation(_) => {
                et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION
            }
            Extension::Unknown { extension_type, .. } => *extension_type,
        }
    }

    /// The RFC name of an extension type, for traces and errors.
    pub fn type_name(extension_type: u16) -> &'static str {
        match extension_type {
            et::SERVER_NAME => "server_name",
            et::SUPPORTED_GROUPS => "supported_groups",
            et::SIGNATURE_ALGORITHMS => "signature_algorithms",
            et::PRE_SHARED_KEY => "pre_shared_key",
            et::EARLY_DATA => "early_data",
            et::SUPPORTED_VERSIONS => "supported_versions",
            et::COOKIE => "cookie",
            et::PSK_KEY_EXCHANGE_MODES => "psk_key_exchange_modes",
            et::KEY_SHARE => "key_share",
            5 => "status_request",
            11 => "ec_point_formats",
            16 => "application_layer_protocol_negotiation",
            18 => "signed_certificate_timestamp",
            21 => "padding",
            22 => "encrypt_then_mac",
            23 => "extended_master_secret",
            28 => "record_size_limit",
            35 => "session_ticket",
            49 => "post_handshake_auth",
            50 => "signature_algorithms_cert",
            0xff01 => "renegotiation_info",
            _ => "unknown extension",
        }
    }

    // ANCHOR: extension_encode
    /// Write the extension: its type, then its data in a `<0..2^16-1>`
    /// vector, by the same writers a typed block uses.
    pub fn encode(&self, w: &mut Writer) {
        write_extension(w, self.extension_type(), |w| match self {
            Extension::ServerName(host_name) => write_server_name(w, host_name),
            Extension::ServerNameAck | Extension::EarlyData => {}
            Extension::MaxEarlyDataSize(max) => w.u32(*max),
            Extension::SupportedGroups(list) | Extension::SignatureAlgorithms(list) => {
                write_u16_list(w, list)
            }
            Extension::SupportedVersionsClient(versions) => write_versions(w, versions),
            Extension::SupportedVersionsServer(v) => w.u16(*v),
            Extension::Cookie(cookie) => w.opaque_u16(cookie),
            Extension::PskKeyExchangeModes(modes) => w.opaque_u8(modes),
            Extension::KeyShareClient(shares) => write_client_shares(w, shares),
            Extension::KeyShareServer(share) => write_key_share_entry(w, share),
            Extension::KeyShareHelloRetryRequest(group) => w.u16(*group),
            Extension::PreSharedKeyClient(offer) => write_offered_psks(w, offer),
            Extension::PreSharedKeyServer(selected) => w.u16(*selected),
            Extension::ApplicationLayerProtocolNegotiation(names) => {
                write_protocol_name_list(w, names)
            }
            Extension::Unknown { data, .. } => w.bytes(data),
        });
    }
    // ANCHOR_END: extension_encode

    /// `Extension extensions<..>`: the list, written as given.
    pub fn write_list(w: &mut Writer, list: &[Extension]) {
        w.vec_u16(|w| list.iter().for_each(|e| e.encode(w)));
    }
}

// ANCHOR: extension_writers
/// One extension (RFC 8446 §4.2): `ExtensionType extension_type;`, then
/// what `data` writes as `opaque extension_data<0..2^16-1>;`.
pub fn write_extension(w: &mut Writer, extension_type: u16, data: impl FnOnce(&mut Writer)) {
    w.u16(extension_type);
    w.vec_u16(data);
}

/// `server_name`'s `ServerNameList` with one `host_name` (RFC 6066 §3).
pub fn write_server_name(w: &mut Writer, host_name: &str) {
    w.vec_u16(|w| {
        w.u8(0); // NameType host_name
        w.opaque_u16(host_name.as_bytes());
    });
}
// ANCHOR_END: extension_writers

/// A `<2..2^16-2>` vector of two-byte code points: `named_group_list`
/// (RFC 8446 §4.2.7) or `supported_signature_algorithms` (§4.2.3).
pub fn write_u16_list(w: &mut Writer, list: &[u16]) {
    w.vec_u16(|w| list.iter().for_each(|v| w.u16(*v)));
}

/// A client's `ProtocolVersion versions<2..254>;` (RFC 8446 §4.2.1).
pub fn write_versions(w: &mut Writer, versions: &[u16]) {
    w.vec_u8(|w| versions.iter().for_each(|v| w.u16(*v)));
}

/// `KeyShareEntry` (RFC 8446 §4.2.8): the group, then the key.
pub fn write_key_share_entry(w: &mut Writer, share: &KeyShareEntry) {
    w.u16(share.group);
    w.opaque_u16(&share.key_exchange);
}

/// A client's `KeyShareEntry client_shares<0..2^16-1>;` (RFC 8446 §4.2.8).
pub fn write_client_shares(w: &mut Writer, shares: &[KeyShareEntry]) {
    w.vec_u16(|w| {
        shares
            .iter()
            .for_each(|share| write_key_share_entry(w, share))
    });
}

/// `OfferedPsks` (RFC 8446 §4.2.11): the identities, then the binders.
pub fn write_offered_psks(w: &mut Writer, offer: &OfferedPsks) {
    w.vec_u16(|w| {
        for id in &offer.identities {
            w.opaque_u16(&id.identity);
            w.u32(id.obfuscated_ticket_age);
        }
    });
    w.vec_u16(|w| offer.binders.iter().for_each(|b| w.opaque_u8(b)));
}

/// `ProtocolName protocol_name_list<2..2^16-1>;` (RFC 7301 §3.1).
pub fn write_protocol_name_list(w: &mut Writer, names: &[Vec<u8>]) {
    w.vec_u16(|w| names.iter().for_each(|name| w.opaque_u8(name)));
}

/// Whether minitls knows an extension type (has a typed field for it in
/// some message). Anything else is recorded and skipped.
pub fn is_known(extension_type: u16) -> bool {
    matches!(
        extension_type,
        et::SERVER_NAME
            | et::SUPPORTED_GROUPS
            | et::SIGNATURE_ALGORITHMS
            | et::PRE_SHARED_KEY
            | et::EARLY_DATA
            | et::SUPPORTED_VERSIONS
            | et::COOKIE
            | et::PSK_KEY_EXCHANGE_MODES
            | et::KEY_SHARE
            | et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION
    )
}

/// Whether RFC 8446 §4.2's table allows a known extension type in a message.
fn allowed_in(extension_type: u16, context: ExtensionContext) -> bool {
    use ExtensionContext as C;
    match extension_type {
        et::SERVER_NAME => matches!(context, C::ClientHello | C::EncryptedExtensions),
        et::SUPPORTED_GROUPS => matches!(context, C::ClientHello | C::EncryptedExtensions),
        et::SIGNATURE_ALGORITHMS => matches!(context, C::ClientHello | C::CertificateRequest),
        et::PRE_SHARED_KEY => matches!(context, C::ClientHello | C::ServerHello),
        et::EARLY_DATA => matches!(
            context,
            C::ClientHello | C::EncryptedExtensions | C::NewSessionTicket
        ),
        et::SUPPORTED_VERSIONS => matches!(
            context,
            C::ClientHello | C::ServerHello | C::HelloRetryRequest
        ),
        et::COOKIE => matches!(context, C::ClientHello | C::HelloRetryRequest),
        et::PSK_KEY_EXCHANGE_MODES => matches!(context, C::ClientHello),
        et::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
            matches!(context, C::ClientHello | C::EncryptedExtensions)
        }
        et::KEY_SHARE => matches!(
            context,
            C::ClientHello | C::ServerHello | C::HelloRetryRequest
        ),
        _ => false,
    }
}

// ANCHOR: read_block_start
/// Read `Extension extensions<bounds>` (the bounds are the message's:
/// `<8..2^16-1>` in a ClientHello, `<6..2^16-1>` in a ServerHello), with
/// the rules of RFC 8446 §4.2 listed at the top of this file. Each known
/// extension's `extension_data` is handed to `read_data` with its type, to
/// fill in the message's typed field; an unknown one is skipped. Returns
/// every extension's type and length, in the order received.
pub fn read_block(
    r: &mut Reader,
    context: ExtensionContext,
    bounds: RangeInclusive<usize>,
    mut read_data: impl FnMut(u16, &mut Reader) -> Result<(), Error>,
) -> Result<Vec<ReceivedExtension>, Error> {
    r.vec_u16("extensions", bounds, |r| {
        // One bit per type seen: linear however many extensions arrive.
        let mut seen = U16Set::new();
        // Room up front for as many extensions as the block can hold (each
        // takes at least its 4-byte header), up to a usual ClientHello's
        // ten or so: an empty block allocates nothing.
        let mut received = Vec::with_capacity((r.remaining() / 4).min(16));
        while !r.is_empty() {
            // RFC 8446 §4.2.11: pre_shared_key "MUST be the last extension
            // in the ClientHello", because its binders are computed over
            // everything before them; anything after it is illegal_parameter.
            if received.last().is_some_and(|e: &ReceivedExtension| {
                e.extension_type == et::PRE_SHARED_KEY && context == ExtensionContext::ClientHello
            }) {
                return Err(Error::IllegalParameter(
                    IllegalParameter::PreSharedKeyNotLast,
                ));
            }
            // ANCHOR_END: read_block_start
            // ANCHOR: read_block_each
            let extension_type = r.u16("extension_type")?;
            let known = is_known(extension_type);
            r.note(|| match (known, context) {
                (false, ExtensionContext::ClientHello) => format!(
                    "{}: ignored (RFC 8446 §4.1.2, §9.3)",
                    Extension::type_name(extension_type)
                ),
                _ => Extension::type_name(extension_type).to_string(),
            });
            if known && !allowed_in(extension_type, context) {
                // RFC 8446 §4.2: a recognised extension in a message it is
                // not specified for MUST be answered with illegal_parameter.
                return Err(Error::IllegalParameter(
                    IllegalParameter::ExtensionNotAllowedInMessage,
                ));
            }
            if !seen.insert(extension_type) {
                return Err(Error::IllegalParameter(
                    IllegalParameter::DuplicateExtension,
                ));
            }
            let start = r.remaining();
            // The data follows its 2-byte length; a message is at most
            // 2^24 - 1 bytes, so its offsets fit a u32.
            let offset = (r.position() + 2) as u32;
            r.vec_u16("extension_data", 0..=(1 << 16) - 1, |r| {
                if known {
                    read_data(extension_type, r)
                } else {
                    r.rest("extension_data").map(|_| ())
                }
            })?;
            received.push(ReceivedExtension {
                extension_type,
                // At most 2^16-1 by the vector's bounds.
                length: (start - r.remaining() - 2) as u16,
                offset,
            });
        }
        Ok(received)
    })
}
// ANCHOR_END: read_block_each

/// The longest HelloRetryRequest cookie we accept: a minitls policy, since
/// the cookie goes back in our second ClientHello, and far above what real
/// servers send (a MAC and a few fields; RFC 8446 §4.2.2 allows 2^16-1).
pub const MAX_COOKIE_LEN: usize = 8 * 1024;

/// `ServerNameList` (RFC 6066 §3): the `host_name`, checked to be a DNS
/// host name; a name of another `name_type` is skipped.
pub(crate) fn read_server_name(r: &mut Reader) -> Result<String, Error> {
    r.vec_u16("server_name_list", 1..=(1 << 16) - 1, |r| {
        let mut host = None;
        while !r.is_empty() {
            let name_type = r.u8("name_type")?;
            let name = r.opaque_u16("host_name", 1..=(1 << 16) - 1)?;
            if name_type != 0 {
                continue;
            }
            // RFC 6066 §3: "The ServerNameList MUST NOT contain more than
            // one name of the same name_type."
            if host.is_some() {
                return Err(Error::IllegalParameter(IllegalParameter::TwoHostNames));
            }
            let name = std::str::from_utf8(name)
                .map_err(|_| Error::IllegalParameter(IllegalParameter::ServerNameNotHostName))?;
            check_host_name(name)?;
            host = Some(name.to_string());
        }
        host.ok_or(Error::decode("server_name_list"))
    })
}

// ANCHOR: check_host_name
/// RFC 6066 §3: a `HostName` is "the fully qualified DNS hostname of the
/// server", "without a trailing dot", and "Literal IPv4 and IPv6 addresses
/// are not permitted". With the DNS's own limits (RFC 1035 §2.3.4): labels
/// of 1 to 63 bytes, 253 bytes in all; letters, digits and hyphens (and
/// underscores, which real names carry). Anything else is
/// `illegal_parameter`. Because a name that passes is at most 253 bytes, it
/// always fits the one-byte length of a ticket's `server_name`.
pub fn check_host_name(name: &str) -> Result<(), Error> {
    const BAD: Error = Error::IllegalParameter(IllegalParameter::ServerNameNotHostName);
    if name.is_empty() || name.len() > 253 || name.ends_with('.') {
        return Err(BAD);
    }
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Err(Error::IllegalParameter(
            IllegalParameter::ServerNameIsIpAddress,
        ));
    }
    for label in name.split('.') {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if label.is_empty() || label.len() > 63 || !label.bytes().all(allowed) {
            return Err(BAD);
        }
    }
    Ok(())
}
// ANCHOR_END: check_host_name

/// RFC 8446 §4.2.7: `NamedGroup named_group_list<2..2^16-1>;`
pub(crate) fn read_named_group_list(r: &mut Reader) -> Result<Vec<u16>, Error> {
    r.vec_u16("named_group_list", 2..=(1 << 16) - 1, |r| {
        r.items(|r| r.u16("NamedGroup"))
    })
}

/// RFC 8446 §4.2.3: `SignatureScheme supported_signature_algorithms<2..2^16-2>;`
pub(crate) fn read_signature_algorithms(r: &mut Reader) -> Result<Vec<u16>, Error> {
    r.vec_u16("supported_signature_algorithms", 2..=(1 << 16) - 2, |r| {
        r.items(|r| r.u16("SignatureScheme"))
    })
}

// ANCHOR: read_protocol_name_list
/// RFC 7301 §3.1:
///
/// ```text
/// opaque ProtocolName<1..2^8-1>;
/// struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
/// ```
///
/// "Empty strings MUST NOT be included": the `<1..2^8-1>` bound refuses
/// them, and both bounds are decode_error like any other. Each name is
/// shown by the explainer as text when it is printable.
pub(crate) fn read_protocol_name_list(r: &mut Reader) -> Result<Vec<Vec<u8>>, Error> {
    r.vec_u16("protocol_name_list", 2..=(1 << 16) - 1, |r| {
        r.items(|r| {
            let name = r.opaque_u8("ProtocolName", 1..=255)?.to_vec();
            r.note(|| protocol_name_text(&name));
            Ok(name)
        })
    })
}
// ANCHOR_END: read_protocol_name_list

/// A ProtocolName as text: quoted when it is printable ASCII (every name
/// IANA registered is), else in hex. Names come from the peer, so nothing
/// else is printed as it is.
pub fn protocol_name_text(name: &[u8]) -> String {
    if name.iter().all(|b| b.is_ascii_graphic()) {
        format!("{:?}", String::from_utf8_lossy(name))
    } else {
        format!("0x{}", hex::encode(name))
    }
}

pub(crate) fn read_key_share_entry(r: &mut Reader) -> Result<KeyShareEntry, Error> {
    let group = r.u16("group")?;
    r.note(|| super::group_name(group).to_string());
    let key_exchange = r.opaque_u16("key_exchange", 1..=(1 << 16) - 1)?.to_vec();
    Ok(KeyShareEntry {
        group,
        key_exchange,
    })
}

/// `KeyShareEntry client_shares<0..2^16-1>`. RFC 8446 §4.2.8: "Clients
/// MUST NOT offer multiple KeyShareEntry values for the same group";
/// a duplicate is illegal_parameter, found in one pass.
pub(crate) fn read_client_shares(r: &mut Reader) -> Result<Vec<KeyShareEntry>, Error> {
    r.vec_u16("client_shares", 0..=(1 << 16) - 1, |r| {
        let mut seen = U16Set::new();
        r.items(|r| {
            let share = read_key_share_entry(r)?;
            if !seen.insert(share.group) {
                return Err(Error::IllegalParameter(
                    IllegalParameter::DuplicateKeyShareGroup,
                ));
            }
            Ok(share)
        })
    })
}

pub(crate) fn read_offered_psks(r: &mut Reader) -> Result<OfferedPsks, Error> {
    // RFC 8446 §4.2.11: identities<7..2^16-1>, binders<33..2^16-1>.
    let identities = r.vec_u16("identities", 7..=(1 << 16) - 1, |r| {
        r.items(|r| {
            Ok(PskIdentity {
                identity: r.opaque_u16("identity", 1..=(1 << 16) - 1)?.to_vec(),
                obfuscated_ticket_age: r.u32("obfuscated_ticket_age")?,
            })
        })
    })?;
    let binders = r.vec_u16("binders", 33..=(1 << 16) - 1, |r| {
        r.items(|r| Ok(r.opaque_u8("PskBinderEntry", 32..=255)?.to_vec()))
    })?;
    Ok(OfferedPsks {
        identities,
        binders,
    })
}

/// The extension types of a block, in order: what a peer may be checked
/// against (RFC 8446 §4.2: only what was offered may be answered).
pub fn types(received: &[ReceivedExtension]) -> impl Iterator<Item = u16> + '_ {
    received.iter().map(|e| e.extension_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], context: ExtensionContext) -> Result<Vec<ReceivedExtension>, Error> {
        read_block(&mut Reader::new(bytes), context, 0..=0xffff, |_, r| {
            r.rest("extension_data").map(|_| ())
        })
    }

    fn block(list: &[Extension]) -> Vec<u8> {
        let mut w = Writer::new();
        Extension::write_list(&mut w, list);
        w.into_bytes().unwrap()
    }

    #[test]
    fn duplicate_extension_is_illegal_parameter() {
        let bytes = block(&[
            Extension::SupportedGroups(vec![29]),
            Extension::SupportedGroups(vec![23]),
        ]);
        let err = read(&bytes, ExtensionContext::ClientHello);
        assert_eq!(
            err,
            Err(Error::IllegalParameter(
                IllegalParameter::DuplicateExtension
            ))
        );
    }

    #[test]
    fn extension_outside_its_messages_is_illegal_parameter() {
        let bytes = block(&[Extension::KeyShareHelloRetryRequest(29)]);
        assert!(read(&bytes, ExtensionContext::HelloRetryRequest).is_ok());
        // The same bytes in EncryptedExtensions are not allowed at all.
        assert_eq!(
            read(&bytes, ExtensionContext::EncryptedExtensions),
            Err(Error::IllegalParameter(
                IllegalParameter::ExtensionNotAllowedInMessage
            ))
        );
    }

    #[test]
    fn pre_shared_key_must_be_last_in_a_client_hello() {
        let psk = Extension::Unknown {
            extension_type: et::PRE_SHARED_KEY,
            data: vec![],
        };
        let bytes = block(&[psk.clone(), Extension::EarlyData]);
        assert_eq!(
            read(&bytes, ExtensionContext::ClientHello),
            Err(Error::IllegalParameter(
                IllegalParameter::PreSharedKeyNotLast
            ))
        );
        assert!(
            read(
                &block(&[Extension::EarlyData, psk]),
                ExtensionContext::ClientHello
            )
            .is_ok()
        );
    }

    #[test]
    fn the_explainer_shows_an_unknown_extension_in_a_client_hello_as_ignored() {
        let bytes = block(&[Extension::Unknown {
            extension_type: 0xfe01,
            data: vec![7],
        }]);
        let mut r = Reader::recording(&bytes);
        read_block(&mut r, ExtensionContext::ClientHello, 0..=0xffff, |_, r| {
            r.rest("extension_data").map(|_| ())
        })
        .unwrap();
        let spans = r.into_spans();
        let note = spans.iter().find(|s| s.field == "extension_type");
        assert_eq!(
            note.and_then(|s| s.note.as_deref()),
            Some("unknown extension: ignored (RFC 8446 §4.1.2, §9.3)")
        );
    }

    #[test]
    fn unknown_extensions_are_recorded_by_type_and_length() {
        let bytes = block(&[
            Extension::Unknown {
                extension_type: 0xfe01,
                data: vec![1, 2, 3],
            },
            Extension::EarlyData,
        ]);
        let received = read(&bytes, ExtensionContext::ClientHello).unwrap();
        assert_eq!(
            received,
            [
                ReceivedExtension {
                    extension_type: 0xfe01,
                    length: 3,
                    offset: 6,
                },
                ReceivedExtension {
                    extension_type: et::EARLY_DATA,
                    length: 0,
                    offset: 13,
                },
            ]
        );
    }
}
