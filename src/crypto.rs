//! Thin, named wrappers over the primitive crates.
//!
//! This is the only file that calls the cryptographic crates directly
//! (DESIGN.md principle 1: protocol by hand, primitives from crates). Every
//! function here is one primitive with the name a reader of the RFC expects:
//! SHA-256, HMAC-SHA256 and HKDF (RFC 5869) for the key schedule,
//! ChaCha20-Poly1305 (RFC 8439) for records, X25519 (RFC 7748) for the key
//! exchange and Ed25519 (RFC 8032) for signatures. Nothing here knows
//! about TLS framing; that is the rest of the crate's job.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use ed25519_dalek::Signer;
use hmac::Mac;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The randomness a connection draws on, injected through the config
/// (DESIGN.md principle 7). Any `rand_core` cryptographic RNG will do.
pub trait Rng: rand_core::CryptoRng + Send {}
impl<T: rand_core::CryptoRng + Send> Rng for T {}

/// The operating system's RNG, read [`OS_RNG_POOL`] bytes at a time.
pub fn os_rng() -> impl Rng {
    OsRng {
        pool: Zeroizing::new([0; OS_RNG_POOL]),
        used: OS_RNG_POOL,
    }
}

/// How many bytes [`os_rng`] asks the OS for at once.
pub const OS_RNG_POOL: usize = 512;

/// Bytes from the OS RNG (`getrandom`), fetched a pool at a time. A
/// handshake draws about 200 random bytes in five pieces (randoms,
/// legacy_session_id, key shares, ticket fields), and one system call per
/// piece cost more than all the HKDF of a psk_ke resumption on the bench
/// machine (about 1.5 µs each). The bytes are the OS's own; nothing is
/// derived from them. Bytes handed out are wiped from the pool, and the
/// rest on drop. Like any user-space pool it must not be used on both
/// sides of a `fork()`, which would repeat its bytes; minitls uses threads.
struct OsRng {
    pool: Zeroizing<[u8; OS_RNG_POOL]>,
    /// Bytes of `pool` already handed out.
    used: usize,
}

impl rand_core::TryRng for OsRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let mut os = rand_core::UnwrapErr(getrandom::SysRng);
        if dst.len() > OS_RNG_POOL {
            rand_core::Rng::fill_bytes(&mut os, dst);
            return Ok(());
        }
        let mut filled = 0;
        while filled < dst.len() {
            if self.used == OS_RNG_POOL {
                rand_core::Rng::fill_bytes(&mut os, &mut self.pool[..]);
                self.used = 0;
            }
            let n = (dst.len() - filled).min(OS_RNG_POOL - self.used);
            let taken = &mut self.pool[self.used..self.used + n];
            dst[filled..filled + n].copy_from_slice(taken);
            taken.zeroize();
            self.used += n;
            filled += n;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for OsRng {}

/// `N` random bytes.
pub fn random_array<const N: usize>(rng: &mut dyn Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

/// Length of a SHA-256 output, `Hash.length` in RFC 8446 §7.1.
pub const HASH_LEN: usize = 32;

/// SHA-256 of `data` in one call (FIPS 180-4), the suite's `Hash`.
pub fn sha256(data: &[u8]) -> [u8; HASH_LEN] {
    Sha256::digest(data).into()
}

/// A running SHA-256, for the transcript hash.
#[derive(Clone, Default)]
pub struct Sha256Hasher(Sha256);

impl Sha256Hasher {
    /// Feed more bytes to the hash.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The hash of everything so far; the hasher keeps running.
    pub fn current(&self) -> [u8; HASH_LEN] {
        self.0.clone().finalize().into()
    }
}

/// HMAC-SHA256 (RFC 2104) of `data` under `key`: the Finished MAC and the
/// PSK binder (RFC 8446 §4.4.4), and inside HKDF.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; HASH_LEN] {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// HKDF-Extract(salt, IKM) from RFC 5869 §2.2.
pub fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> [u8; HASH_LEN] {
    let (prk, _) = hkdf::Hkdf::<Sha256>::extract(Some(salt), ikm);
    prk.into()
}

/// HKDF-Expand(PRK, info, L) from RFC 5869 §2.3.
pub fn hkdf_expand(prk: &[u8; HASH_LEN], info: &[u8], out: &mut [u8]) {
    hkdf_expand_pieces(prk, &[info], out);
}

/// HKDF-Expand with `info` given in pieces, read as their concatenation:
/// the key schedule hands over an `HkdfLabel` field by field.
pub fn hkdf_expand_pieces(prk: &[u8; HASH_LEN], info: &[&[u8]], out: &mut [u8]) {
    let hk = hkdf::Hkdf::<Sha256>::from_prk(prk).expect("PRK is Hash.length");
    // L <= 255 * HashLen always holds for TLS's labels (at most 32 bytes here).
    hk.expand_multi_info(info, out)
        .expect("output length within HKDF's limit");
}

/// Compare two MACs (or binders) in constant time, so a forger learns
/// nothing from how long the comparison took.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Length of the Poly1305 tag (RFC 8439 §2.8).
pub const AEAD_TAG_LEN: usize = 16;

/// ChaCha20-Poly1305 with a fixed key (RFC 8439 §2.8).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Aead {
    key: [u8; 32],
}

impl Aead {
    /// A cipher under a 32-byte key (a record key, or a ticket key).
    pub fn new(key: [u8; 32]) -> Self {
        Aead { key }
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(self.key))
    }

    /// Encrypt `data` in place and append the tag.
    pub fn seal(&self, nonce: &[u8; 12], aad: &[u8], data: &mut Vec<u8>) {
        let tag = self.seal_in_place(nonce, aad, data);
        data.extend_from_slice(&tag);
    }

    /// Encrypt `data` in place and return the tag, for a caller that
    /// writes it after the ciphertext itself.
    pub fn seal_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> [u8; AEAD_TAG_LEN] {
        self.cipher()
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, data.into())
            .expect("plaintext within ChaCha20-Poly1305's limit")
            .into()
    }

    /// Check the tag at the end of `data`, then decrypt in place and drop the
    /// tag. On failure `data` is left unusable and `Err(())` returned.
    #[allow(clippy::result_unit_err)]
    pub fn open(&self, nonce: &[u8; 12], aad: &[u8], data: &mut Vec<u8>) -> Result<(), ()> {
        if data.len() < AEAD_TAG_LEN {
            return Err(());
        }
        let split = data.len() - AEAD_TAG_LEN;
        let tag = Tag::try_from(&data[split..]).map_err(|_| ())?;
        data.truncate(split);
        self.cipher()
            .decrypt_inout_detached(&Nonce::from(*nonce), aad, data.as_mut_slice().into(), &tag)
            .map_err(|_| ())
    }
}

// ANCHOR: x25519_key_pair
/// An X25519 key pair used once, for one `key_share` (RFC 8446 §4.2.8.2).
pub struct X25519KeyPair {
    secret: x25519_dalek::EphemeralSecret,
    /// The public key, sent as `key_exchange` in the KeyShareEntry.
    pub public: [u8; 32],
}

impl X25519KeyPair {
    /// A fresh key pair from `rng` (RFC 7748 §5: 32 random bytes, clamped).
    pub fn generate(rng: &mut dyn Rng) -> Self {
        let secret = x25519_dalek::EphemeralSecret::random_from_rng(rng);
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        X25519KeyPair { secret, public }
    }

    /// The shared secret with the peer's public key, or `None` when it is all
    /// zeros: RFC 8446 §7.4.2 says implementations MUST check for the
    /// all-zero value and abort, since it means the peer sent a point of
    /// small order and the "shared" secret is public.
    pub fn agree(self, peer_public: &[u8; 32]) -> Option<SharedSecret> {
        let shared = self
            .secret
            .diffie_hellman(&x25519_dalek::PublicKey::from(*peer_public));
        if !shared.was_contributory() {
            return None;
        }
        Some(SharedSecret(shared.to_bytes()))
    }
}
// ANCHOR_END: x25519_key_pair

/// The X25519 output, the `(EC)DHE` input of RFC 8446 §7.1.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret(pub [u8; 32]);

/// An Ed25519 private key (RFC 8032), kept as its 32-byte seed and the
/// expanded signing key made from it once (expanding costs a scalar
/// multiplication, too much to repeat for every signature).
#[derive(Clone)]
pub struct Ed25519PrivateKey {
    seed: [u8; 32],
    /// Wipes itself on drop (ed25519-dalek's `zeroize` feature).
    signing_key: ed25519_dalek::SigningKey,
}

impl Drop for Ed25519PrivateKey {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

impl Ed25519PrivateKey {
    /// A fresh key from 32 random bytes of `rng` (RFC 8032 §5.1.5).
    pub fn generate(rng: &mut dyn Rng) -> Self {
        Ed25519PrivateKey::from_seed(random_array(rng))
    }

    /// The key whose 32-byte private seed is `seed` (RFC 8032 §5.1.5), as
    /// stored in a PKCS#8 file (RFC 8410 §7).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Ed25519PrivateKey {
            seed,
            signing_key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    /// The 32-byte private seed, for writing the key out (PKCS#8, RFC 8410).
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// The 32-byte public key (RFC 8032 §5.1.5), as in a certificate's
    /// SubjectPublicKeyInfo (RFC 8410 §4).
    pub fn public_key(&self) -> [u8; 32] {
        self.signing_key.verifying_key().to_bytes()
    }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032 §5.1.6).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key.sign(message).to_bytes()
    }
}

/// Verify an Ed25519 signature with the strict checks of RFC 8032 §5.1.7
/// (canonical S, no small-order keys), which is what RFC 8410 asks for.
pub fn ed25519_verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (
        <[u8; 32]>::try_from(public_key),
        <[u8; 64]>::try_from(signature),
    ) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aead_round_trip_and_tamper() {
        let aead = Aead::new([7; 32]);
        let mut data = b"hello".to_vec();
        aead.seal(&[1; 12], b"aad", &mut data);
        assert_eq!(data.len(), 5 + AEAD_TAG_LEN);
        let mut copy = data.clone();
        aead.open(&[1; 12], b"aad", &mut copy).unwrap();
        assert_eq!(copy, b"hello");
        data[0] ^= 1;
        assert!(aead.open(&[1; 12], b"aad", &mut data).is_err());
    }

    #[test]
    fn os_rng_hands_out_each_pooled_byte_once() {
        let mut rng = os_rng();
        let mut seen = Vec::new();
        // Across several pools, in pieces that do not divide the pool.
        for _ in 0..(3 * OS_RNG_POOL / 24) {
            seen.push(random_array::<24>(&mut rng));
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len());
        assert!(seen.iter().all(|piece| piece != &[0; 24]));
        let mut big = vec![0u8; OS_RNG_POOL + 1];
        rand_core::Rng::fill_bytes(&mut rng, &mut big);
        assert!(big.iter().any(|&b| b != 0));
    }

    #[test]
    fn x25519_rejects_small_order_point() {
        let mut rng = os_rng();
        let kp = X25519KeyPair::generate(&mut rng);
        assert!(kp.agree(&[0; 32]).is_none());
    }

    #[test]
    fn ed25519_sign_verify() {
        let key = Ed25519PrivateKey::from_seed([9; 32]);
        let sig = key.sign(b"msg");
        assert!(ed25519_verify(&key.public_key(), b"msg", &sig));
        assert!(!ed25519_verify(&key.public_key(), b"msh", &sig));
    }
}
