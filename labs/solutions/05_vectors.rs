//! Exercise 05, reference solution: one `<floor..ceiling>` vector (RFC 8446
//! §3.4). minitls's own reader is `codec::Reader::vec_n`, which also
//! narrows the reader to the vector so its contents cannot overrun it.

/// One vector `<floor..ceiling>` with a `length_bytes`-wide length at the
/// front of `input`: `Some((contents, rest))`, or `None` when malformed.
pub fn read_vector(
    input: &[u8],
    length_bytes: usize,
    floor: usize,
    ceiling: usize,
) -> Option<(&[u8], &[u8])> {
    if input.len() < length_bytes {
        return None;
    }
    let (length, after) = input.split_at(length_bytes);
    // Big-endian, as every number in the presentation language (§3.3).
    let len = length
        .iter()
        .fold(0usize, |n, byte| (n << 8) | usize::from(*byte));
    // Bounds first: a length outside them is malformed whatever follows
    // (§6.2's decode_error), and no byte of the contents is looked at.
    if len < floor || len > ceiling || after.len() < len {
        return None;
    }
    Some(after.split_at(len))
}
