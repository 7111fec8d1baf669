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

    // Resumption: exercises 18-25 (Wireshark … misconceptions).
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

// Exercises 18-25.
