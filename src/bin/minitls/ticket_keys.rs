//! `minitls ticket-keys new|rotate FILE`: make and rotate the ticket key
//! file that a fleet of `minitls server --ticket-keys FILE` shares (the
//! format and the rotation schedule are in
//! `minitls::resumption::ticket_keys`).
//!
//! Both write the file atomically (a reader sees the old file or the new,
//! never half of one) with mode 0600, and print the key ids, never the
//! keys: the output may end up in a cron mail or a CI log.

use std::path::{Path, PathBuf};

use minitls::config::{Clock, SystemClock};
use minitls::resumption::ticket_keys::{TicketKeys, key_id_hex};

use crate::output::print;

/// The flags of `minitls ticket-keys`.
#[derive(clap::Args)]
pub struct TicketKeysArgs {
    #[command(subcommand)]
    action: Action,
}

/// What to do to the file.
#[derive(clap::Subcommand)]
enum Action {
    /// Write a key file with one fresh key.
    New {
        /// The key file to write.
        file: PathBuf,
        /// Replace FILE if it exists (every ticket sealed under its keys
        /// then leads to a full handshake).
        #[arg(long)]
        force: bool,
    },
    /// Put a fresh key first (it seals from the next reload on) and keep
    /// the newest old ones (they still open).
    Rotate {
        /// The key file to rotate; it must exist.
        file: PathBuf,
        /// How many keys the file keeps, the new one included (1 to 16).
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=16))]
        keep: u8,
    },
}

/// Runs `new` or `rotate`.
pub fn run(args: TicketKeysArgs) -> Result<(), String> {
    let mut rng = minitls::crypto::os_rng();
    let now = SystemClock.now();
    match args.action {
        Action::New { file, force } => {
            // A racing writer could still slip in between this check and
            // the rename; the check is against mistakes, not adversaries.
            if !force && file.exists() {
                return Err(format!(
                    "{} exists; use --force to replace it (its tickets would stop resuming)",
                    file.display()
                ));
            }
            let keys = TicketKeys::generate(&mut rng, now);
            write(&keys, &file)
        }
        Action::Rotate { file, keep } => {
            let keys = TicketKeys::read(&file).map_err(|e| e.to_string())?;
            let rotated = keys.rotated(&mut rng, now, usize::from(keep));
            write(&rotated, &file)
        }
    }
}

/// Write `keys` to `file` and say which ids it now holds.
fn write(keys: &TicketKeys, file: &Path) -> Result<(), String> {
    keys.write_atomically(file).map_err(|e| e.to_string())?;
    print(format!(
        "wrote {}: key ids {} (newest first; the first seals)",
        file.display(),
        ids_text(keys)
    ));
    Ok(())
}

/// "3f9a0c17, 0c55e2a9": the ids only, never a key.
pub fn ids_text(keys: &TicketKeys) -> String {
    keys.key_ids()
        .iter()
        .map(key_id_hex)
        .collect::<Vec<_>>()
        .join(", ")
}
