//! The minitls course: one exercise per chapter of the book, each with a
//! check that a command runs.
//!
//! A student edits a starter in `labs/exercises/NN_name.rs` and runs
//! `cargo run -p labs -- check NN`. The check (in `labs/src/checks/`) holds
//! the student's code to real behaviour: RFC 8448's values, a real
//! handshake with minitls or rustls, a golden transcript; never merely that
//! a function returns.
//!
//! Each exercise module below is the starter, or, with the `solutions`
//! feature, the reference solution in `labs/solutions/` with the same file
//! name. The two files have the same public items, so one check serves
//! both, and CI builds the whole set twice: as shipped, every check must
//! fail (`tests/course.rs`), and with `--features solutions`, every check
//! must pass.

pub mod checks;
pub mod runner;

/// One exercise of the course.
pub struct Exercise {
    /// Two digits, in the book's reading order: what `check NN` takes.
    pub number: &'static str,
    /// The chapter it belongs to: a file name in `book/src/`.
    pub chapter: &'static str,
    /// A few words: what the student builds.
    pub title: &'static str,
    /// One sentence: what doing it teaches.
    pub teaches: &'static str,
    /// The starter a student edits, relative to `labs/`.
    pub starter: &'static str,
    /// Runs the check: `Err` says what is still wrong.
    pub check: fn() -> Result<(), String>,
}

/// Every exercise, in number order.
pub const EXERCISES: &[Exercise] = &[
    // Part one: exercises 01-09 (introduction … key schedule).
    Exercise {
        number: "01",
        chapter: "introduction.md",
        title: "the messages of a full handshake, in order",
        teaches: "that a TLS 1.3 handshake is one round trip: which side sends which message, in which order, and how minitls shows it",
        starter: "exercises/01_handshake_messages.rs",
        check: checks::c01_handshake_messages::check,
    },
    Exercise {
        number: "02",
        chapter: "forward-secrecy.md",
        title: "from a leaked ephemeral key to the handshake traffic secret",
        teaches: "that the traffic keys come from an ephemeral X25519 exchange and the transcript, not from the certificate's key, so only an ephemeral private key opens a recorded handshake",
        starter: "exercises/02_forward_secrecy.rs",
        check: checks::c02_forward_secrecy::check,
    },
    Exercise {
        number: "03",
        chapter: "handshake-overview.md",
        title: "which keys protect each handshake message",
        teaches: "that a handshake moves through three protections (none, handshake traffic keys, application traffic keys) and which message is sent under which",
        starter: "exercises/03_which_keys.rs",
        check: checks::c03_which_keys::check,
    },
    Exercise {
        number: "04",
        chapter: "state-machines.md",
        title: "the client's state machine as a function",
        teaches: "how RFC 8446 Appendix A's client state machine decides, from the state and the message alone, what may come next",
        starter: "exercises/04_client_transitions.rs",
        check: checks::c04_client_transitions::check,
    },
    Exercise {
        number: "05",
        chapter: "codec.md",
        title: "reading a <floor..ceiling> vector",
        teaches: "how the presentation language's length-prefixed vectors are read, and why a length outside the declared bounds is a decode_error",
        starter: "exercises/05_vectors.rs",
        check: checks::c05_vectors::check,
    },
    Exercise {
        number: "06",
        chapter: "records.md",
        title: "cutting a byte stream into records",
        teaches: "how a receiver finds record boundaries in a TCP stream from the 5-byte header, and why it checks the length before it waits for the body",
        starter: "exercises/06_records.rs",
        check: checks::c06_records::check,
    },
    Exercise {
        number: "07",
        chapter: "client-hello.md",
        title: "the supported_versions and key_share extensions",
        teaches: "how a TLS 1.3 ClientHello says TLS 1.3 and carries its X25519 public key, byte for byte, so that a real server accepts it",
        starter: "exercises/07_client_extensions.rs",
        check: checks::c07_client_extensions::check,
    },
    Exercise {
        number: "08",
        chapter: "server-hello.md",
        title: "recognising a HelloRetryRequest",
        teaches: "that a HelloRetryRequest is a ServerHello with a special random, and nothing else tells the two apart",
        starter: "exercises/08_hello_retry_request.rs",
        check: checks::c08_hello_retry_request::check,
    },
    Exercise {
        number: "09",
        chapter: "key-schedule.md",
        title: "HKDF-Expand-Label and the HkdfLabel structure",
        teaches: "how every TLS 1.3 secret and key is one HKDF-Expand call whose info field is a small length-prefixed structure naming its purpose",
        starter: "exercises/09_hkdf_label.rs",
        check: checks::c09_hkdf_label::check,
    },
    // Part one: exercises 10-17 (EncryptedExtensions … attacks).
    Exercise {
        number: "10",
        chapter: "encrypted-extensions.md",
        title: "Which EncryptedExtensions a client accepts",
        teaches: "that a client refuses a server's extensions in two layers with two alerts: illegal_parameter for one RFC 8446 §4.2 does not allow in the message, unsupported_extension for one it never offered",
        starter: "exercises/10_encrypted_extensions.rs",
        check: checks::c10_encrypted_extensions::check,
    },
    Exercise {
        number: "11",
        chapter: "certificate.md",
        title: "Walk the DER of a real certificate",
        teaches: "how DER's tag-length-value encoding works, why its lengths have exactly one form, and where in a certificate the server's public key sits",
        starter: "exercises/11_der_walk.rs",
        check: checks::c11_der_walk::check,
    },
    Exercise {
        number: "12",
        chapter: "certificate-validation.md",
        title: "Match a server name against a certificate's",
        teaches: "how a client decides that a certificate names the server it asked for, with RFC 9525's one wildcard form, and that a wrong name stops the handshake",
        starter: "exercises/12_name_matching.rs",
        check: checks::c12_name_matching::check,
    },
    Exercise {
        number: "13",
        chapter: "certificate-verify.md",
        title: "The content CertificateVerify signs",
        teaches: "what exactly a server signs in TLS 1.3 (64 spaces, a context string, a zero byte, the transcript hash) and how a client checks a real server's signature over it",
        starter: "exercises/13_certificate_verify.rs",
        check: checks::c13_certificate_verify::check,
    },
    Exercise {
        number: "14",
        chapter: "finished.md",
        title: "The Finished MAC",
        teaches: "how verify_data binds the whole handshake to each side's traffic secret: a finished_key from HKDF-Expand-Label, then an HMAC over the transcript hash",
        starter: "exercises/14_finished.rs",
        check: checks::c14_finished::check,
    },
    Exercise {
        number: "15",
        chapter: "application-data.md",
        title: "Build and strip TLSInnerPlaintext",
        teaches: "how a protected record hides its real content type and length: content, type, then zero padding, and how a receiver finds the type again",
        starter: "exercises/15_inner_plaintext.rs",
        check: checks::c15_inner_plaintext::check,
    },
    Exercise {
        number: "16",
        chapter: "alerts.md",
        title: "Which alert a bad input earns, and its bytes",
        teaches: "that every failure ends in one fatal alert naming its kind (RFC 8446 §6.2), and what that alert looks like on the wire before any keys exist",
        starter: "exercises/16_alerts.rs",
        check: checks::c16_alerts::check,
    },
    Exercise {
        number: "17",
        chapter: "attacks.md",
        title: "Detect the downgrade sentinels",
        teaches: "how a TLS 1.3 server's random tells a TLS 1.3 client that an attacker pushed the handshake down to TLS 1.2, and what the client does about it",
        starter: "exercises/17_downgrade.rs",
        check: checks::c17_downgrade::check,
    },
    // Resumption: exercises 18-25 (Wireshark … misconceptions).
    Exercise {
        number: "18",
        chapter: "wireshark.md",
        title: "NSS key log lines for Wireshark",
        teaches: "that Wireshark decrypts TLS 1.3 from five traffic-protecting secrets per connection, each named by a label and the connection's ClientHello.random",
        starter: "exercises/18_key_log.rs",
        check: checks::c18_key_log::check,
    },
    Exercise {
        number: "19",
        chapter: "resumption-history.md",
        title: "Does this ClientHello offer resumption?",
        teaches: "that TLS 1.3 offers a session only in the pre_shared_key extension, while legacy_session_id is filled for middleboxes on every connection",
        starter: "exercises/19_offers_resumption.rs",
        check: checks::c19_offers_resumption::check,
    },
    Exercise {
        number: "20",
        chapter: "resumption-new-session-ticket.md",
        title: "A ticket's PSK from its nonce",
        teaches: "that a ticket's PSK never travels in the NewSessionTicket: both sides derive it from the resumption secret and the ticket's nonce",
        starter: "exercises/20_ticket_psk.rs",
        check: checks::c20_ticket_psk::check,
    },
    Exercise {
        number: "21",
        chapter: "resumption-client-hello.md",
        title: "The PSK binder over a truncated ClientHello",
        teaches: "how a client proves it holds the PSK: an HMAC, keyed from the PSK's early secret, over the ClientHello up to its binders",
        starter: "exercises/21_psk_binder.rs",
        check: checks::c21_psk_binder::check,
    },
    Exercise {
        number: "22",
        chapter: "resumption-strategies.md",
        title: "A single-use session store",
        teaches: "why a stateful server looks a session up before the binder is checked and removes it only after, and how that makes each ticket work once",
        starter: "exercises/22_single_use_store.rs",
        check: checks::c22_single_use_store::check,
    },
    Exercise {
        number: "23",
        chapter: "resumption-trade-offs.md",
        title: "The ticket age window",
        teaches: "how a server compares the client's obfuscated ticket age with its own to refuse stale or replayed ClientHellos, and what the modulo 2^32 demands",
        starter: "exercises/23_ticket_age_window.rs",
        check: checks::c23_ticket_age_window::check,
    },
    Exercise {
        number: "24",
        chapter: "resumption-fleet.md",
        title: "A ring of ticket keys",
        teaches: "how a fleet rotates shared ticket keys without breaking tickets: the newest key seals, every listed key opens, and the key id is authenticated",
        starter: "exercises/24_ticket_key_ring.rs",
        check: checks::c24_ticket_key_ring::check,
    },
    Exercise {
        number: "25",
        chapter: "resumption-misconceptions.md",
        title: "What a server does with a ticket it cannot use",
        teaches: "that a ticket the server cannot use costs a full handshake, never an error, while a binder that does not verify aborts with decrypt_error",
        starter: "exercises/25_ticket_outcomes.rs",
        check: checks::c25_ticket_outcomes::check,
    },
    // Mutual TLS, KeyUpdate, ALPN and exporters: exercises 26-27.
    Exercise {
        number: "26",
        chapter: "mutual-tls.md",
        title: "The content a client's CertificateVerify signs",
        teaches: "how a client proves it holds its certificate's key: the client context string, and a transcript that runs through the server's Finished and the client's own Certificate, checked on a real client's signature as a server's WAIT_CV does",
        starter: "exercises/26_client_certificate_verify.rs",
        check: checks::c26_client_certificate_verify::check,
    },
    Exercise {
        number: "27",
        chapter: "key-update.md",
        title: "The next generation of a traffic secret",
        teaches: "that after a KeyUpdate each direction's next secret comes from its current one alone (\"traffic upd\"), so a KeyUpdate needs no new key exchange and an old key stays out of reach of the new one",
        starter: "exercises/27_traffic_update.rs",
        check: checks::c27_traffic_update::check,
    },
    Exercise {
        number: "28",
        chapter: "alpn-exporters.md",
        title: "The TLS exporter",
        teaches: "how an exporter derives keying material both ends agree on from the exporter_master_secret, with a label and context of the application's own, without touching the record keys",
        starter: "exercises/28_exporter.rs",
        check: checks::c28_exporter::check,
    },
    // Issue 10: exercise 29 (0-RTT and replay).
    Exercise {
        number: "29",
        chapter: "early-data.md",
        title: "client_early_traffic_secret, from a ticket's PSK and a ClientHello",
        teaches: "that 0-RTT keys come from the PSK and the ClientHello alone, nothing fresh from the server, which is why anyone can replay the flight and the server can decrypt it again",
        starter: "exercises/29_early_data.rs",
        check: checks::c29_early_data::check,
    },
];

// The exercise modules. Each is the starter, or with `--features
// solutions` the reference solution of the same name (`#[path]` picks the
// file; the module and its items are the same either way).

// Exercises 01-09.

// Exercise 01: the messages of a full handshake (introduction.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/01_handshake_messages.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/01_handshake_messages.rs")]
pub mod e01_handshake_messages;

// Exercise 02: from a leaked ephemeral key to the handshake traffic secret (forward-secrecy.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/02_forward_secrecy.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/02_forward_secrecy.rs")]
pub mod e02_forward_secrecy;

// Exercise 03: which keys protect each message (handshake-overview.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/03_which_keys.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/03_which_keys.rs")]
pub mod e03_which_keys;

// Exercise 04: the client's state machine as a function (state-machines.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/04_client_transitions.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/04_client_transitions.rs")]
pub mod e04_client_transitions;

// Exercise 05: reading a bounded vector (codec.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/05_vectors.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/05_vectors.rs")]
pub mod e05_vectors;

// Exercise 06: cutting a byte stream into records (records.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/06_records.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/06_records.rs")]
pub mod e06_records;

// Exercise 07: the supported_versions and key_share extensions (client-hello.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/07_client_extensions.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/07_client_extensions.rs")]
pub mod e07_client_extensions;

// Exercise 08: recognising a HelloRetryRequest (server-hello.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/08_hello_retry_request.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/08_hello_retry_request.rs")]
pub mod e08_hello_retry_request;

// Exercise 09: HKDF-Expand-Label (key-schedule.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/09_hkdf_label.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/09_hkdf_label.rs")]
pub mod e09_hkdf_label;

// Exercises 10-17.

// Exercise 10: the client's verdict on EncryptedExtensions (encrypted-extensions.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/10_encrypted_extensions.rs"
)]
#[cfg_attr(
    feature = "solutions",
    path = "../solutions/10_encrypted_extensions.rs"
)]
pub mod e10_encrypted_extensions;

// Exercise 11: the DER walk to the public key (certificate.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/11_der_walk.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/11_der_walk.rs")]
pub mod e11_der_walk;

// Exercise 12: matching a server name (certificate-validation.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/12_name_matching.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/12_name_matching.rs")]
pub mod e12_name_matching;

// Exercise 13: CertificateVerify's signed content (certificate-verify.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/13_certificate_verify.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/13_certificate_verify.rs")]
pub mod e13_certificate_verify;

// Exercise 14: the Finished MAC (finished.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/14_finished.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/14_finished.rs")]
pub mod e14_finished;

// Exercise 15: TLSInnerPlaintext (application-data.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/15_inner_plaintext.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/15_inner_plaintext.rs")]
pub mod e15_inner_plaintext;

// Exercise 16: which alert, and its record (alerts.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/16_alerts.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/16_alerts.rs")]
pub mod e16_alerts;

// Exercise 17: the downgrade sentinels (attacks.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/17_downgrade.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/17_downgrade.rs")]
pub mod e17_downgrade;

// Exercises 18-25.

// Exercise 18: NSS key log lines (wireshark.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/18_key_log.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/18_key_log.rs")]
pub mod e18_key_log;

// Exercise 19: does a ClientHello offer resumption (resumption-history.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/19_offers_resumption.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/19_offers_resumption.rs")]
pub mod e19_offers_resumption;

// Exercise 20: a ticket's PSK (resumption-new-session-ticket.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/20_ticket_psk.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/20_ticket_psk.rs")]
pub mod e20_ticket_psk;

// Exercise 21: the PSK binder (resumption-client-hello.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/21_psk_binder.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/21_psk_binder.rs")]
pub mod e21_psk_binder;

// Exercise 22: a single-use session store (resumption-strategies.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/22_single_use_store.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/22_single_use_store.rs")]
pub mod e22_single_use_store;

// Exercise 23: the ticket age window (resumption-trade-offs.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/23_ticket_age_window.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/23_ticket_age_window.rs")]
pub mod e23_ticket_age_window;

// Exercise 24: a ring of ticket keys (resumption-fleet.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/24_ticket_key_ring.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/24_ticket_key_ring.rs")]
pub mod e24_ticket_key_ring;

// Exercise 25: what a server does with an unusable ticket (resumption-misconceptions.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/25_ticket_outcomes.rs"
)]
#[cfg_attr(feature = "solutions", path = "../solutions/25_ticket_outcomes.rs")]
pub mod e25_ticket_outcomes;

// Exercises 26-27.

// Exercise 26: the client's CertificateVerify (mutual-tls.md).
#[cfg_attr(
    not(feature = "solutions"),
    path = "../exercises/26_client_certificate_verify.rs"
)]
#[cfg_attr(
    feature = "solutions",
    path = "../solutions/26_client_certificate_verify.rs"
)]
pub mod e26_client_certificate_verify;

// Exercise 27: the next traffic secret (key-update.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/27_traffic_update.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/27_traffic_update.rs")]
pub mod e27_traffic_update;

// Exercise 28: the TLS exporter (alpn-exporters.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/28_exporter.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/28_exporter.rs")]
pub mod e28_exporter;
// Exercise 29: client_early_traffic_secret (early-data.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/29_early_data.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/29_early_data.rs")]
pub mod e29_early_data;
