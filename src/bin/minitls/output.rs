//! Standard output, for what the subcommands report to the user.
//!
//! Everything `minitls` prints on standard output goes through [`print`],
//! so one rule holds everywhere: a closed standard output
//! (`minitls client ... | head`) ends the output, not the command, where
//! `println!` would panic. Messages about failures go to standard error
//! with `eprintln!`.

use std::fmt::Display;
use std::io::Write;

/// Writes `text` and a newline to standard output; a closed pipe is not
/// an error.
pub fn print(text: impl Display) {
    let _ = writeln!(std::io::stdout(), "{text}");
}
