//! The numbered examples (`examples/NN_*.rs`) are part of the course: each
//! chapter of the book ends at one (STYLE.md §10). This runs every one of
//! them as a reader would, `cargo run --example NAME`, with no input, and
//! checks that it finishes, exits 0 and prints what it is about, so that
//! none of them can rot. A second test makes sure a new example cannot be
//! added without being run here.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use support::{Output, run_with_timeout};

/// How long one example may run. They take well under a second.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One run of one example: its arguments, what it reads on stdin (`None`
/// is /dev/null), and lines its stdout must contain.
struct Case {
    example: &'static str,
    args: &'static [&'static str],
    stdin: Option<&'static [u8]>,
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        example: "01_handshake_in_memory",
        args: &[],
        stdin: None,
        expect: &[
            "== flight 1: client -> server",
            "message ClientHello",
            "message CertificateVerify",
            "server moves WAIT_FINISHED -> CONNECTED",
            "now: client CONNECTED, server CONNECTED",
            "handshake complete after 3 flights",
        ],
    },
    Case {
        example: "01_handshake_in_memory",
        args: &["--explain"],
        stdin: None,
        expect: &[
            "ClientHello client -> server",
            "legacy_session_id",
            "CertificateVerify server -> client",
            "K_recv = handshake",
        ],
    },
    Case {
        // --step waits for Enter between flights; here Enter is piped in.
        example: "01_handshake_in_memory",
        args: &["--step"],
        stdin: Some(b"\n\n\n\n"),
        expect: &["(press Enter for flight 2)", "handshake complete"],
    },
    Case {
        example: "02_key_schedule",
        args: &[],
        stdin: None,
        expect: &[
            "early secret                 33ad0a1c607ec03b",
            "s ap traffic                 a11af9f05531f856",
            "resumption PSK               4ecd0eb6ec3b4d87",
            "all values match RFC 8448 §3",
        ],
    },
    Case {
        example: "03_certificates",
        args: &[],
        stdin: None,
        expect: &[
            "-----BEGIN CERTIFICATE-----",
            "subject               CN=localhost",
            "valid for \"localhost\"",
            "-> alert bad_certificate",
            "-> alert certificate_expired",
            "-> alert unknown_ca",
        ],
    },
    Case {
        example: "04_resumption_by_id",
        args: &[],
        stdin: None,
        expect: &[
            "<- NewSessionTicket",
            "ticket (32 bytes)",
            "the server now holds 2 sessions",
            "resumed: true, psk_mode: Some(\"psk_dhe_ke\"), strategy: Some(\"stateful\")",
        ],
    },
    Case {
        example: "05_resumption_by_ticket",
        args: &[],
        stdin: None,
        expect: &[
            "the server holds 0 bytes per session",
            "resumed: true, psk_mode: Some(\"psk_dhe_ke\"), strategy: Some(\"stateless\")",
            "client: NotAccepted",
            "a full handshake instead",
        ],
    },
    Case {
        example: "06_loopback_tcp",
        args: &[],
        stdin: None,
        expect: &[
            "cipher suite  0x1303 TLS_CHACHA20_POLY1305_SHA256",
            "client: got back \"echo: hello over loopback\"",
        ],
    },
];

/// `examples/NN_*.rs`, by name without `.rs`.
fn numbered_examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.as_bytes().iter().take(2).all(u8::is_ascii_digit))
        .filter_map(|name| name.strip_suffix(".rs").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Where Cargo puts example binaries: next to this test's `deps` directory
/// (`target/debug/deps/examples-HASH` -> `target/debug/examples/`).
fn examples_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/PROFILE");
    profile_dir.join("examples")
}

/// The examples, built once per run. `cargo test` builds them anyway, but
/// `cargo test --test examples` does not, and a stale binary would test old
/// code; asking Cargo again costs nothing when they are up to date.
fn built_examples() -> &'static Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = examples_dir();
        let profile = dir.parent().and_then(Path::file_name).unwrap();
        let target_dir = dir.parent().and_then(Path::parent).unwrap();
        let profile = match profile.to_str() {
            Some("debug") => "dev",
            Some(other) => other,
            None => return Err("target directory is not UTF-8".into()),
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_string());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--examples",
                "--offline",
                "--quiet",
                "--profile",
                profile,
            ])
            .arg("--manifest-path")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir);
        let out = run_with_timeout(&mut build, None, Duration::from_secs(600));
        if !out.success() {
            return Err(format!("`cargo build --examples` failed\n{out}"));
        }
        Ok(dir)
    })
}

fn run_example(case: &Case) -> Output {
    let dir = built_examples().as_ref().unwrap_or_else(|e| panic!("{e}"));
    let binary = dir.join(format!("{}{}", case.example, std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: build the examples with `cargo build --examples` (or run `cargo test`)",
        binary.display()
    );
    let mut command = Command::new(binary);
    command
        .args(case.args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    run_with_timeout(&mut command, case.stdin, TIMEOUT)
}

#[test]
fn every_example_runs_to_completion_and_prints_what_it_shows() {
    let mut failures = Vec::new();
    for case in CASES {
        let out = run_example(case);
        let missing: Vec<_> = case
            .expect
            .iter()
            .filter(|t| !out.stdout.contains(*t))
            .collect();
        if !out.success() || !missing.is_empty() {
            failures.push(format!(
                "{} {:?}: missing {missing:?}\n{out}",
                case.example, case.args
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Examples 01 to 05 say they print the same bytes on every run (a seeded
/// RNG and a fixed clock); the book may quote them.
#[test]
fn in_memory_examples_are_deterministic() {
    for case in CASES
        .iter()
        .filter(|c| c.example < "06" && c.stdin.is_none())
    {
        let first = run_example(case);
        let second = run_example(case);
        assert!(
            first.success() && first.stdout == second.stdout,
            "{} {:?} printed different output on two runs\n{first}\n{second}",
            case.example,
            case.args
        );
    }
}

#[test]
fn every_numbered_example_is_run_here() {
    let covered: Vec<&str> = CASES.iter().map(|c| c.example).collect();
    for name in numbered_examples() {
        assert!(
            covered.contains(&name.as_str()),
            "examples/{name}.rs is not run by tests/examples.rs: add a Case for it to CASES"
        );
    }
    for name in covered {
        assert!(
            numbered_examples().iter().any(|n| n == name),
            "CASES names {name}, but there is no examples/{name}.rs"
        );
    }
}

/// `examples/load.rs` is a tool, not a numbered example: a short run of it
/// against the real `minitls server` (8 clients x 5 handshakes, in each of
/// the three modes, with 4 idle half-open connections and a 1 s handshake
/// deadline) must finish with no failures, resume every handshake after
/// each client's first, and see the idle connections closed by the server.
#[test]
fn load_tool_drives_minitls_server_without_failures() {
    let dir = built_examples().as_ref().unwrap_or_else(|e| panic!("{e}"));
    let binary = dir.join(format!("load{}", std::env::consts::EXE_SUFFIX));
    let mut command = Command::new(binary);
    command
        .args(["--spawn", env!("CARGO_BIN_EXE_minitls")])
        .args([
            "--clients",
            "8",
            "--handshakes",
            "5",
            "--idle",
            "4",
            "--idle-wait",
            "10",
            "--server-arg=--handshake-timeout",
            "--server-arg=1",
        ]);
    let out = run_with_timeout(&mut command, None, Duration::from_secs(60));
    assert!(out.success(), "{out}");
    // The throughput table: mode ok failed resumed ...
    for (mode, resumed) in [("full", "0"), ("stateful", "32"), ("stateless", "32")] {
        let row: Vec<&str> = out
            .stdout
            .lines()
            .find(|l| l.starts_with(mode) && l.split_whitespace().count() > 6)
            .unwrap_or_else(|| panic!("no {mode} row\n{out}"))
            .split_whitespace()
            .collect();
        assert_eq!(&row[1..4], &["40", "0", resumed], "{mode}\n{out}");
    }
    // The idle table: mode opened closed open ...
    let idle_rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("idle"))
        .skip(1)
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(idle_rows.len(), 3, "{out}");
    for row in idle_rows {
        assert_eq!(&row[1..4], &["4", "4", "0"], "{out}");
        assert_eq!(row.get(6..8), Some(&["4", "logged"][..]), "{out}");
    }
}

/// The attack lab's whole output is a reviewed snapshot: what a stolen
/// ticket key opens (a recorded psk_ke resumption, to the last byte of
/// application data) and what it does not (a psk_dhe_ke one).
#[test]
fn the_stolen_ticket_key_lab_reads_psk_ke_but_not_psk_dhe_ke() {
    let out = run_example(&Case {
        example: "lab_stolen_ticket_key",
        args: &[],
        stdin: None,
        expect: &[],
    });
    out.assert_success();
    // The anchors are for the book, which includes the output.
    let snapshot = format!("ANCHOR: lab_output\n{}ANCHOR_END: lab_output\n", out.stdout);
    insta::assert_snapshot!("lab_stolen_ticket_key", snapshot);
}

/// The second attack lab: a recorded full handshake against two leaked
/// keys. The certificate's Ed25519 key opens nothing in the recording
/// (though it impersonates the server to a new client); the server's
/// X25519 ephemeral key of that connection opens the whole flight and the
/// application data both ways. The whole output is a reviewed snapshot.
#[test]
fn the_leaked_keys_lab_decrypts_with_the_ephemeral_key_but_not_the_signing_key() {
    let out = run_example(&Case {
        example: "lab_leaked_keys",
        args: &[],
        stdin: None,
        expect: &[],
    });
    out.assert_success();
    let section = |from: &str, to: &str| -> String {
        let start = out
            .stdout
            .find(from)
            .unwrap_or_else(|| panic!("no {from:?}\n{out}"));
        let rest = &out.stdout[start..];
        rest[..rest.find(to).unwrap_or(rest.len())].to_string()
    };
    let signing_key = section("\n2. ", "\n3. ");
    let ephemeral_key = section("\n3. ", "\n4. ");

    assert!(
        signing_key.contains("does not open: bad_record_mac"),
        "the signing key must not open the recording\n{out}"
    );
    assert!(
        !signing_key.contains("decrypted") && !signing_key.contains("PIN accepted"),
        "{out}"
    );
    assert!(
        signing_key.contains("(CN=localhost)") && signing_key.contains("(ed25519), and connects"),
        "a client accepts the impersonating server\n{out}"
    );

    assert!(
        ephemeral_key.contains("its public half is the ServerHello's key_share: true"),
        "{out}"
    );
    for message in [
        "EncryptedExtensions",
        "Certificate",
        "CertificateVerify",
        "Finished",
    ] {
        assert!(
            ephemeral_key.contains(&format!("decrypted the server's {message} (")),
            "the ephemeral key opens {message}\n{out}"
        );
    }
    assert!(ephemeral_key.contains("signature valid: true"), "{out}");
    assert!(
        ephemeral_key.contains("decrypted the client's application data: \"PIN 4711\""),
        "{out}"
    );
    assert!(
        ephemeral_key.contains("decrypted the server's application data: \"PIN accepted\""),
        "{out}"
    );

    // The anchors are for the book, which includes the whole output and,
    // on its own, the two key shares as they crossed the wire.
    let mut snapshot = String::from("ANCHOR: lab_output\n");
    for line in out.stdout.lines() {
        if line.trim_start().starts_with("ClientHello key_share") {
            snapshot.push_str("ANCHOR: key_shares\n");
        }
        snapshot.push_str(line);
        snapshot.push('\n');
        if line.trim_start().starts_with("ServerHello key_share") {
            snapshot.push_str("ANCHOR_END: key_shares\n");
        }
    }
    snapshot.push_str("ANCHOR_END: lab_output\n");
    assert!(snapshot.contains("ANCHOR_END: key_shares"), "{out}");
    insta::assert_snapshot!("lab_leaked_keys", snapshot);
}

// Attack labs of the attacks chapter (issue 9): each test runs the lab,
// asserts what the real connections did, and snapshots the output with
// anchors around the parts the book includes.

/// Run the lab `example` (no arguments) and return its stdout.
fn run_lab(example: &'static str) -> String {
    let out = run_example(&Case {
        example,
        args: &[],
        stdin: None,
        expect: &[],
    });
    out.assert_success();
    out.stdout
}

/// `stdout`'s paragraphs (split at blank lines), each between the anchors
/// named in `anchors`, in order: the book includes them one by one. The
/// lab must print exactly that many paragraphs.
fn anchored(stdout: &str, anchors: &[&str]) -> String {
    let parts: Vec<&str> = stdout.trim_end().split("\n\n").collect();
    assert_eq!(parts.len(), anchors.len(), "paragraphs of:\n{stdout}");
    parts
        .iter()
        .zip(anchors)
        .map(|(part, name)| format!("ANCHOR: {name}\n{part}\nANCHOR_END: {name}\n"))
        .collect()
}

/// One bit flipped in a protected record, in each direction: the receiver
/// refuses it with bad_record_mac, and its peer reads that alert.
#[test]
fn the_tampered_record_lab_is_refused_with_bad_record_mac() {
    let stdout = run_lab("lab_tampered_record");
    let snapshot = anchored(&stdout, &["handshake_record", "application_record"]);
    let (handshake, application) = stdout.split_once("\n\n").expect("two parts");
    for (part, receiver, sender) in [
        (handshake, "client", "server"),
        (application, "server", "client"),
    ] {
        for line in [
            format!("{receiver}: receive() returned Err: record failed to decrypt"),
            format!("{receiver} sends the alert: bad_record_mac"),
            format!("{receiver} is now CLOSED"),
            format!("{sender}: receive() returned Err: peer sent alert bad_record_mac"),
        ] {
            assert!(part.contains(&line), "missing {line:?} in\n{part}");
        }
    }
    assert!(application.contains("the server reads \"hello\": true"));
    insta::assert_snapshot!("lab_tampered_record", snapshot);
}

/// A man in the middle with another CA's certificate is refused with
/// unknown_ca; the same bytes pass once the client trusts that CA.
#[test]
fn the_mitm_lab_is_refused_with_unknown_ca_until_its_ca_is_trusted() {
    let stdout = run_lab("lab_mitm_other_ca");
    let snapshot = anchored(&stdout, &["certificates", "real", "mitm", "trusted"]);
    let parts: Vec<&str> = stdout.split("\n\n").collect();
    assert!(parts[1].contains("client: connected"), "{stdout}");
    assert!(
        parts[2].contains("sent the alert unknown_ca")
            && parts[2].contains("the attacker's server: closed: peer sent alert unknown_ca"),
        "{stdout}"
    );
    assert!(
        parts[3].contains("client: connected") && parts[3].contains("the same bytes: true"),
        "{stdout}"
    );
    insta::assert_snapshot!("lab_mitm_other_ca", snapshot);
}

/// A replayed resumption ClientHello: refused by the single-use store,
/// accepted by the stateless ticketer inside the age window only.
#[test]
fn the_replayed_ticket_lab_is_single_use_only_with_the_store() {
    let stdout = run_lab("lab_replayed_ticket");
    let snapshot = anchored(&stdout, &["stateful", "stateless", "early_data"]);
    let parts: Vec<&str> = stdout.split("\n\n").collect();
    assert!(parts[0].contains("(resumed: true)"), "{stdout}");
    assert!(
        parts[0].contains("server: ticket refused (stateful): ticket not found")
            && !parts[0].contains("ticket accepted"),
        "{stdout}"
    );
    let (inside, outside) = parts[1].split_once("60 s later").expect("two replays");
    assert!(inside.contains("(resumed: true)"), "{stdout}");
    assert!(
        inside.contains("server: ticket accepted (stateless, psk_dhe_ke)")
            && inside.contains("selects PSK identity 0"),
        "{stdout}"
    );
    assert!(
        outside.contains("server: ticket refused (stateless): obfuscated_ticket_age"),
        "{stdout}"
    );
    insta::assert_snapshot!("lab_replayed_ticket", snapshot);
}

/// A recorded 0-RTT flight, replayed: its early data is refused by the
/// single-use store and by the stateless ticketer's strike register, and
/// read a second time only with anti-replay off (RFC 8446 §8).
#[test]
fn the_replayed_early_data_lab_is_refused_by_each_strategy() {
    let stdout = run_lab("lab_replayed_early_data");
    let snapshot = anchored(
        &stdout,
        &[
            "stateful_0rtt",
            "stateless_0rtt",
            "unprotected_0rtt",
            "post_0rtt",
        ],
    );
    let parts: Vec<&str> = stdout.split("\n\n").collect();
    let acted = "early data the server acted on: 68 bytes";
    for part in &parts[..3] {
        let (original, replay) = part.split_once("3. One second later").expect("a replay");
        assert!(original.contains("server: 0-RTT accepted") && original.contains(acted));
        assert!(!replay.contains("0-RTT accepted") || part.contains("anti-replay OFF"));
    }
    let replay = |i: usize| parts[i].split_once("3. One second later").unwrap().1;
    assert!(replay(0).contains("ticket refused (stateful)"));
    assert!(replay(0).contains("early data the server acted on: none"));
    assert!(replay(1).contains("ticket accepted (stateless)"));
    assert!(replay(1).contains("0-RTT rejected (anti-replay refused this ClientHello)"));
    assert!(replay(1).contains("early data the server acted on: none"));
    assert!(replay(2).contains("server: 0-RTT accepted") && replay(2).contains(acted));
    insta::assert_snapshot!("lab_replayed_early_data", snapshot);
}
