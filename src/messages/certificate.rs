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

use super::extensions::{self, Extension, ExtensionContext};
use crate::codec::{Reader, Writer};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// `opaque cert_data<1..2^24-1>;` one DER certificate.
    pub cert_data: Vec<u8>,
    /// `Extension extensions<0..2^16-1>;` (OCSP, SCT: ignored by minitls).
    pub extensions: Vec<Extension>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Certificate {
    /// `opaque certificate_request_context<0..2^8-1>;` empty in the main handshake.
    pub certificate_request_context: Vec<u8>,
    /// `CertificateEntry certificate_list<0..2^24-1>;`
    pub certificate_list: Vec<CertificateEntry>,
}

impl Certificate {
    // ANCHOR: certificate_encode
    pub fn encode(&self, w: &mut Writer) {
        w.opaque_u8(&self.certificate_request_context);
        w.vec_u24(|w| {
            for entry in &self.certificate_list {
                w.opaque_u24(&entry.cert_data);
                Extension::write_list(w, &entry.extensions);
            }
        });
    }
    // ANCHOR_END: certificate_encode

    // ANCHOR: certificate_read
    pub fn read(r: &mut Reader) -> Result<Certificate, Error> {
        let certificate_request_context = r
            .opaque_u8("certificate_request_context", 0..=(1 << 8) - 1)?
            .to_vec();
        let certificate_list = r.vec_u24("certificate_list", 0..=(1 << 24) - 1, |r| {
            r.items(|r| {
                let cert_data = r.opaque_u24("cert_data", 1..=(1 << 24) - 1)?.to_vec();
                let extensions =
                    Extension::read_list(r, ExtensionContext::Certificate, 0..=(1 << 16) - 1)?;
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest {
    /// `opaque certificate_request_context<0..2^8-1>;`
    pub certificate_request_context: Vec<u8>,
    /// `Extension extensions<2..2^16-1>;` must hold signature_algorithms.
    pub extensions: Vec<Extension>,
}

impl CertificateRequest {
    pub fn encode(&self, w: &mut Writer) {
        w.opaque_u8(&self.certificate_request_context);
        Extension::write_list(w, &self.extensions);
    }

    pub fn read(r: &mut Reader) -> Result<CertificateRequest, Error> {
        Ok(CertificateRequest {
            certificate_request_context: r
                .opaque_u8("certificate_request_context", 0..=(1 << 8) - 1)?
                .to_vec(),
            // RFC 8446 §4.3.2: `Extension extensions<2..2^16-1>`.
            extensions: Extension::read_list(
                r,
                ExtensionContext::CertificateRequest,
                2..=(1 << 16) - 1,
            )?,
        })
    }

    pub fn find_extension(&self, extension_type: u16) -> Option<&Extension> {
        extensions::find(&self.extensions, extension_type)
    }
}
