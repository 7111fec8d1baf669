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
        number: "09",
        chapter: "key-schedule.md",
        title: "HKDF-Expand-Label and the HkdfLabel structure",
        teaches: "how every TLS 1.3 secret and key is one HKDF-Expand call whose info field is a small length-prefixed structure naming its purpose",
        starter: "exercises/09_hkdf_label.rs",
        check: checks::c09_hkdf_label::check,
    },
    // Part one: exercises 10-17 (EncryptedExtensions … attacks).

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
];

// The exercise modules. Each is the starter, or with `--features
// solutions` the reference solution of the same name (`#[path]` picks the
// file; the module and its items are the same either way).

// Exercises 01-09.

/// Exercise 09: HKDF-Expand-Label (key-schedule.md).
#[cfg_attr(not(feature = "solutions"), path = "../exercises/09_hkdf_label.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/09_hkdf_label.rs")]
pub mod e09_hkdf_label;

// Exercises 10-17.

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
