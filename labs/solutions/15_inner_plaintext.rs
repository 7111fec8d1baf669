//! Exercise 15, reference solution: TLSInnerPlaintext (RFC 8446 §5.2,
//! §5.4). minitls builds and strips it in `record::RecordProtection`'s
//! `encrypt` and `decrypt`.

/// TLSInnerPlaintext: `content`, then `content_type`, then `padding` zeros.
pub fn inner_plaintext(content_type: u8, content: &[u8], padding: usize) -> Vec<u8> {
    let mut inner = Vec::with_capacity(content.len() + 1 + padding);
    inner.extend_from_slice(content);
    inner.push(content_type);
    inner.resize(inner.len() + padding, 0);
    inner
}

/// The content type and the content of a TLSInnerPlaintext; `None` when
/// it holds no non-zero byte.
pub fn strip_inner_plaintext(inner: &[u8]) -> Option<(u8, &[u8])> {
    // A content type is never 0, so the last non-zero byte is the type;
    // zeros inside the content before it are content.
    let type_at = inner.iter().rposition(|&b| b != 0)?;
    Some((inner[type_at], &inner[..type_at]))
}
