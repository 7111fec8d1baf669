//! Exercise 12, reference solution: a DNS-ID against a presented dNSName
//! (RFC 9525 §6.3). minitls's own is `pki::verify::dns_name_matches`.

/// Whether a certificate presenting the DNS name `presented` is a
/// certificate for `reference`.
pub fn name_matches(presented: &str, reference: &str) -> bool {
    // An absolute name ("example.com.") is the same name.
    let presented = presented.strip_suffix('.').unwrap_or(presented);
    let reference = reference.strip_suffix('.').unwrap_or(reference);
    if presented.is_empty() || reference.is_empty() {
        return false;
    }
    match presented.strip_prefix("*.") {
        // The wildcard is the whole left-most label and stands for one
        // non-empty label; what follows must be two labels at least and
        // hold no other `*`.
        Some(parent) => {
            if !parent.contains('.') || parent.contains('*') {
                return false;
            }
            match reference.split_once('.') {
                Some((label, rest)) => !label.is_empty() && rest.eq_ignore_ascii_case(parent),
                None => false,
            }
        }
        // A `*` anywhere else makes the identifier invalid.
        None => !presented.contains('*') && presented.eq_ignore_ascii_case(reference),
    }
}
