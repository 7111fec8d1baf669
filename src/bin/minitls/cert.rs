//! `minitls cert`: issue a demo PKI (a CA, a server certificate and a
//! client certificate for mutual TLS, all Ed25519) into a directory, as PEM
//! files OpenSSL reads too.

use std::path::PathBuf;

use minitls::pki::issue::{DemoPki, write_client_to_dir};

use crate::output::print;
use crate::shared::now_secs;

/// The flags of `minitls cert`.
#[derive(clap::Args)]
pub struct CertArgs {
    /// Directory to write the six files into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// DNS name(s) for the server certificate's subjectAltName (default: localhost).
    #[arg(long = "name")]
    names: Vec<String>,
}

/// Writes `ca.pem`, `ca.key`, `server.pem`, `server.key`, `client.pem`
/// and `client.key` (CN=client, extKeyUsage clientAuth) to `--out`.
pub fn run(args: CertArgs) -> Result<(), String> {
    let out = &args.out;
    let names: Vec<&str> = if args.names.is_empty() {
        vec!["localhost"]
    } else {
        args.names.iter().map(String::as_str).collect()
    };
    let mut rng = minitls::crypto::os_rng();
    let pki = DemoPki::generate(&mut rng, &names, now_secs());
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    pki.write_to_dir(out)
        .map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
    let (client_cert, client_key) = pki.issue_client(&mut rng, "client", now_secs());
    write_client_to_dir(out, &client_cert, &client_key)
        .map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
    print(format!(
        "wrote ca.pem, ca.key, server.pem, server.key, client.pem, client.key to {} (server names: {}; client: CN=client)",
        out.display(),
        names.join(", ")
    ));
    Ok(())
}
