//! Exercise 11, reference solution: one DER TLV (X.690 §8.1, §10.1) and
//! the walk to a certificate's subjectPublicKey (RFC 5280 §4.1).
//! minitls's own reader is `minitls::pki::der::Reader`.

/// The first TLV of `input`: its tag, its contents and the bytes after
/// it. `None` if `input` does not start with a valid DER TLV.
pub fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length bytes. 0x80 alone
        // (indefinite) is BER, not DER.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (octets, rest) = rest.split_at(count);
        let len = octets.iter().fold(0, |acc, &b| (acc << 8) | usize::from(b));
        // X.690 §10.1: the fewest bytes possible, so no leading zero and
        // no long form for what the short form can say.
        if octets[0] == 0 || len < 0x80 {
            return None;
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (contents, after) = rest.split_at(len);
    Some((tag, contents, after))
}

/// The subjectPublicKey of a DER certificate, without the BIT STRING's
/// unused-bits byte. `None` if the certificate is not shaped as above.
pub fn subject_public_key(certificate: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const BIT_STRING: u8 = 0x03;
    let (SEQUENCE, certificate, _) = read_tlv(certificate)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = read_tlv(certificate)? else {
        return None;
    };
    // Skip version [0], serialNumber, signature, issuer, validity, subject.
    let mut fields = tbs;
    for _ in 0..6 {
        let (_, _, rest) = read_tlv(fields)?;
        fields = rest;
    }
    let (SEQUENCE, spki, _) = read_tlv(fields)? else {
        return None;
    };
    let (_, _, after_algorithm) = read_tlv(spki)?;
    let (BIT_STRING, bits, _) = read_tlv(after_algorithm)? else {
        return None;
    };
    // The first contents byte counts unused bits: 0 for a whole key.
    match bits.split_first()? {
        (0, key) => Some(key),
        _ => None,
    }
}
