//! The `minitls` command line: `cert`, `server`, `client`, `demo` and `fleet`.
//!
//! The command line is a contract (DESIGN.md): the tests and the book rely
//! on its flags and on the summary lines the client prints. All of the TLS
//! is in the library; this binary only opens sockets and files, and prints.
//!
//! One module per subcommand, each with its flags in one struct that clap
//! parses once, and a `run` that takes it:
//!
//! | subcommand | module | flags |
//! |---|---|---|
//! | `minitls cert` | `cert.rs` | `CertArgs` |
//! | `minitls server` | `server.rs` (and the little HTTP it speaks, `http.rs`) | `ServerArgs` |
//! | `minitls client` | `client.rs` | `ClientArgs` |
//! | `minitls demo` | `demo.rs` | none |
//! | `minitls ticket-keys` | `ticket_keys.rs` | `TicketKeysArgs` |
//! | `minitls fleet` | `fleet.rs` (and its balancer, `balancer.rs`) | `FleetArgs` |
//!
//! What they share is in `shared.rs` (files, observers, how a connection
//! is described) and `output.rs` (standard output).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod balancer;
mod cert;
mod client;
mod demo;
mod fleet;
mod http;
mod output;
mod server;
mod shared;
mod ticket_keys;

#[derive(Parser)]
#[command(
    name = "minitls",
    version,
    about = "A TLS 1.3 client and server written to be read (TLS_CHACHA20_POLY1305_SHA256, X25519, Ed25519)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Issue a demo PKI: ca.pem, ca.key, server.pem, server.key (Ed25519, PKCS#8 PEM).
    Cert(cert::CertArgs),
    /// Serve TLS 1.3 until stopped, one thread per connection. Answers an HTTP
    /// request with a page describing the connection; echoes anything else.
    Server(server::ServerArgs),
    /// Connect, report what was negotiated, optionally send data and print the answer.
    Client(client::ClientArgs),
    /// Run a loopback server and client with an in-memory PKI and show what a handshake costs.
    Demo,
    /// Make (`new FILE`) or rotate (`rotate FILE`) the ticket key file a
    /// fleet of `minitls server --ticket-keys FILE` shares.
    TicketKeys(ticket_keys::TicketKeysArgs),
    /// Start N servers behind a round-robin balancer and measure resumption
    /// with state per server and shared, before and after a restart.
    Fleet(fleet::FleetArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Cert(args) => cert::run(args),
        Command::Server(args) => server::run(args),
        Command::Client(args) => client::run(args),
        Command::Demo => demo::run(),
        Command::TicketKeys(args) => ticket_keys::run(args),
        Command::Fleet(args) => fleet::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("minitls: {message}");
            ExitCode::FAILURE
        }
    }
}
