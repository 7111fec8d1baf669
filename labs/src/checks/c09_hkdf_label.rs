//! Check of exercise 09 (HkdfLabel) against RFC 8448 §3, which prints the
//! `info` bytes of each HKDF-Expand-Label call next to its output.

use minitls::crypto::hkdf_expand;
use minitls::testing::rfc8448::{C_HS_TRAFFIC, SERVER_HS_KEYS, rfc, rfc32};

use super::same;
use crate::e09_hkdf_label::hkdf_label;

/// Holds `hkdf_label` to RFC 8448's `info` values, and the output of
/// HKDF-Expand over them to the RFC's key and secret.
pub fn check() -> Result<(), String> {
    // The server's handshake write key and IV: no context.
    same(
        "hkdf_label(16, \"key\", &[])",
        &hkdf_label(16, "key", &[]),
        &rfc(SERVER_HS_KEYS, "key info"),
    )?;
    same(
        "hkdf_label(12, \"iv\", &[])",
        &hkdf_label(12, "iv", &[]),
        &rfc(SERVER_HS_KEYS, "iv info"),
    )?;

    // The client handshake traffic secret: the context is a transcript hash.
    let hash = rfc(C_HS_TRAFFIC, "hash");
    let info = hkdf_label(32, "c hs traffic", &hash);
    same(
        "hkdf_label(32, \"c hs traffic\", hash)",
        &info,
        &rfc(C_HS_TRAFFIC, "info"),
    )?;

    // And the labels do their job: HKDF-Expand over them gives the RFC's
    // key and secret.
    let mut key = [0u8; 16];
    hkdf_expand(
        &rfc32(SERVER_HS_KEYS, "PRK"),
        &hkdf_label(16, "key", &[]),
        &mut key,
    );
    same(
        "the server's handshake key",
        &key,
        &rfc(SERVER_HS_KEYS, "key expanded"),
    )?;
    let mut secret = [0u8; 32];
    hkdf_expand(&rfc32(C_HS_TRAFFIC, "PRK"), &info, &mut secret);
    same(
        "client_handshake_traffic_secret",
        &secret,
        &rfc(C_HS_TRAFFIC, "expanded"),
    )
}
