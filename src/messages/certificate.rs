//! Certificate and CertificateRequest (RFC 8446 §4.4.2, §4.3.2).
//!
//! ```text
//! struct {
//!     select (certificate_type) {
//!         case X509: opaque cert_data<1..2^24-1>;
//!     };
//!     Extension extensions<0..2^16-1>;
//! } CertificateEntry;
//!
//! struct {
//!     opaque certificate_request_context<0..2^8-1>;
//!     CertificateEntry certificate_list<0..2^24-1>;
//! } Certificate;
//!
//! struct {
//!     opaque certificate_request_context<0..2^8-1>;
//!     Extension extensions<0..2^16-1>;
//! } CertificateRequest;
//! ```
//!
//! The sender's certificate comes first and each following one certifies
//! the one before it (RFC 8446 §4.4.2). This file only moves the bytes; the
//! DER and the chain are checked by `pki`.

use super::extensions::{
    self, Extension, ExtensionContext, ReceivedExtension, extension_type as et, write_extension,
    write_u16_list,
};
use crate::codec::{Reader, Writer};
use crate::error::Error;

/// `struct { ... } CertificateEntry;` (RFC 8446 §4.4.2): one certificate of
/// the chain, with its extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// `opaque cert_data<1..2^24-1>;` one DER certificate.
    pub cert_data: Vec<u8>,
    /// `Extension extensions<0..2^16-1>;` (OCSP, SCT): minitls knows none
    /// of them, so only their types and lengths are kept, and it sends none.
    pub extensions: Vec<ReceivedExtension>,
}

/// `struct { ... } Certificate;` (RFC 8446 §4.4.2): the sender's certificate
/// chain, sent by the server after EncryptedExtensions (or
/// CertificateRequest), and by a client in answer to a CertificateRequest.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Certificate {
    /// `opaque certificate_request_context<0..2^8-1>;` empty in the main handshake.
    pub certificate_request_context: Vec<u8>,
    /// `CertificateEntry certificate_list<0..2^24-1>;`
    pub certificate_list: Vec<CertificateEntry>,
}

impl Certificate {
    // ANCHOR: certificate_encode
    /// Encode the body (no handshake header), each entry with an empty
    /// extension block.
    pub fn encode(&self, w: &mut Writer) {
        w.opaque_u8(&self.certificate_request_context);
        w.vec_u24(|w| {
            for entry in &self.certificate_list {
                w.opaque_u24(&entry.cert_data);
                Extension::write_list(w, &[]);
            }
        });
    }
    // ANCHOR_END: certificate_encode

    // ANCHOR: certificate_read
    /// Decode the body (no handshake header). The chain may be empty here:
    /// whether that is allowed is the receiver's to decide (RFC 8446 §4.4.2.4).
    pub fn read(r: &mut Reader) -> Result<Certificate, Error> {
        let certificate_request_context = r
            .opaque_u8("certificate_request_context", 0..=(1 << 8) - 1)?
            .to_vec();
        let certificate_list = r.vec_u24("certificate_list", 0..=(1 << 24) - 1, |r| {
            r.items(|r| {
                let cert_data = r.opaque_u24("cert_data", 1..=(1 << 24) - 1)?.to_vec();
                // No known extension is allowed here (RFC 8446 §4.2), so
                // `read_data` is never called.
                let context = ExtensionContext::Certificate;
                let extensions = extensions::read_block(r, context, 0..=(1 << 16) - 1, |_, r| {
                    r.rest("extension_data").map(|_| ())
                })?;
                Ok(CertificateEntry {
                    cert_data,
                    extensions,
                })
            })
        })?;
        Ok(Certificate {
            certificate_request_context,
            certificate_list,
        })
    }
    // ANCHOR_END: certificate_read
}

/// `struct { ... } CertificateRequest;` (RFC 8446 §4.3.2): a server asking
/// the client for a certificate, after EncryptedExtensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest {
    /// `opaque certificate_request_context<0..2^8-1>;`
    pub certificate_request_context: Vec<u8>,
    /// `Extension extensions<2..2^16-1>;` must hold signature_algorithms.
    pub extensions: CertificateRequestExtensions,
}

/// The extensions of a CertificateRequest that minitls knows (RFC 8446 §4.3.2).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CertificateRequestExtensions {
    /// `SignatureScheme supported_signature_algorithms<2..2^16-2>;` (RFC 8446 §4.2.3).
    pub signature_algorithms: Option<Vec<u16>>,
    /// Every extension as received, unknown ones included, in order.
    /// Filled in by the reader; the writer ignores it.
    pub received: Vec<ReceivedExtension>,
}

impl CertificateRequestExtensions {
    /// `Extension extensions<2..2^16-1>`: signature_algorithms, the one
    /// minitls sends.
    pub fn encode(&self, w: &mut Writer) {
        w.vec_u16(|w| {
            if let Some(schemes) = &self.signature_algorithms {
                write_extension(w, et::SIGNATURE_ALGORITHMS, |w| write_u16_list(w, schemes));
            }
        });
    }

    /// The same extensions as [`Self::encode`] writes, as a list a test
    /// can alter (each field is cloned).
    pub fn to_list(&self) -> Vec<Extension> {
        let mut list = Vec::new();
        if let Some(schemes) = &self.signature_algorithms {
            list.push(Extension::SignatureAlgorithms(schemes.clone()));
        }
        list
    }

    fn read(r: &mut Reader) -> Result<Self, Error> {
        let mut e = CertificateRequestExtensions::default();
        let context = ExtensionContext::CertificateRequest;
        // RFC 8446 §4.3.2: `Extension extensions<2..2^16-1>`.
        e.received = extensions::read_block(r, context, 2..=(1 << 16) - 1, |t, r| {
            match t {
                et::SIGNATURE_ALGORITHMS => {
                    e.signature_algorithms = Some(extensions::read_signature_algorithms(r)?)
                }
                // Every other known type is refused by `read_block` here.
                _ => {
                    r.rest("extension_data")?;
                }
            }
            Ok(())
        })?;
        Ok(e)
    }
}

impl CertificateRequest {
    /// Encode the body (no handshake header).
    pub fn encode(&self, w: &mut Writer) {
        w.opaque_u8(&self.certificate_request_context);
        self.extensions.encode(w);
    }

    /// Encode with `extensions` as the extension block, written as given
    /// (for tests: any list, rules broken included).
    pub fn encode_with_extensions(&self, w: &mut Writer, extensions: &[Extension]) {
        w.opaque_u8(&self.certificate_request_context);
        Extension::write_list(w, extensions);
    }

    /// Decode the body (no handshake header). Whether signature_algorithms
    /// is present is the receiver's to check (RFC 8446 §4.3.2).
    pub fn read(r: &mut Reader) -> Result<CertificateRequest, Error> {
        Ok(CertificateRequest {
            certificate_request_context: r
                .opaque_u8("certificate_request_context", 0..=(1 << 8) - 1)?
                .to_vec(),
            extensions: CertificateRequestExtensions::read(r)?,
        })
    }
}
