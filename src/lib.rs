//! minitls: a TLS 1.3 client and server written to be read.
#![forbid(unsafe_code)]

pub mod codec;
pub mod crypto;
pub mod error;
