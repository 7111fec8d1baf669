//! Just enough HTTP for `minitls server` to tell a browser's or curl's
//! request from data to echo, and to answer it with a page.
//!
//! The reader is bounded and incremental, because what it reads comes from
//! the peer: a request head may be at most [`MAX_REQUEST`] bytes, and the
//! end of the head is searched for only in the bytes that just arrived
//! (plus 3 bytes of overlap, for a `\r\n\r\n` split between two reads), so
//! a peer trickling its request byte by byte costs linear work, not
//! quadratic. A request is recognised only once its head is complete, so a
//! request split across TLS records ("GET" then " / HTTP/1.0\r\n\r\n") is
//! answered once, and never echoed in pieces.

/// The largest request head (request line + headers + blank line) we read.
pub const MAX_REQUEST: usize = 8 * 1024;

/// The methods whose requests get the page; anything else is echoed.
const METHODS: [&[u8]; 3] = [b"GET ", b"HEAD ", b"POST "];

/// Whether `data` starts like an HTTP request (a method and a space).
pub fn is_http(data: &[u8]) -> bool {
    METHODS.iter().any(|m| data.starts_with(m))
}

/// Whether `data` is too short to tell: it could still become "GET ".
fn could_become_http(data: &[u8]) -> bool {
    METHODS
        .iter()
        .any(|m| data.len() < m.len() && m.starts_with(data))
}

/// What the bytes received so far amount to.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not HTTP: echo these bytes back (the reader forgets them).
    Echo(Vec<u8>),
    /// The start of an HTTP request, or too short to tell: read more.
    NeedMore,
    /// A complete HTTP request head: answer it.
    Request,
    /// An HTTP request head longer than [`MAX_REQUEST`]: refuse it.
    TooLarge,
}

/// Accumulates one request head, incrementally and within [`MAX_REQUEST`].
#[derive(Default)]
pub struct RequestReader {
    /// Bytes of a request (or of what may become one) not yet answered.
    buf: Vec<u8>,
    /// How far `buf` has been searched for the end of the head.
    scanned: usize,
}

impl RequestReader {
    /// Takes the bytes one `read` returned and says what to do next.
    pub fn push(&mut self, data: &[u8]) -> Verdict {
        // At most MAX_REQUEST bytes are kept: once past it the answer is
        // TooLarge whatever comes next, so nothing beyond it is stored.
        let room = (MAX_REQUEST + 1).saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&data[..data.len().min(room)]);
        if could_become_http(&self.buf) {
            return Verdict::NeedMore;
        }
        if !is_http(&self.buf) {
            // Echo everything, including what `room` cut off: only a
            // request head is bounded; echoed data is never kept.
            let mut echo = std::mem::take(&mut self.buf);
            echo.extend_from_slice(&data[data.len().min(room)..]);
            self.scanned = 0;
            return Verdict::Echo(echo);
        }
        // Search only what is new, plus 3 bytes in case "\r\n\r\n" (or
        // "\n\n") straddles the previous read.
        let from = self.scanned.saturating_sub(3);
        let searched_to = self.buf.len().min(MAX_REQUEST);
        let window = &self.buf[from..searched_to];
        self.scanned = searched_to;
        let ends = window.windows(4).any(|w| w == b"\r\n\r\n")
            // Bare LF line ends are tolerated, as most servers do.
            || window.windows(2).any(|w| w == b"\n\n");
        if ends {
            Verdict::Request
        } else if self.buf.len() >= MAX_REQUEST {
            Verdict::TooLarge
        } else {
            Verdict::NeedMore
        }
    }

    /// The path of the request line (`GET /path HTTP/1.0`), once
    /// [`Verdict::Request`] was given: the bytes between the method's space
    /// and the next space or line end.
    pub fn path(&self) -> Option<&[u8]> {
        let method = METHODS.iter().find(|m| self.buf.starts_with(m))?;
        let rest = &self.buf[method.len()..];
        let end = rest
            .iter()
            .position(|b| matches!(b, b' ' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }

    /// The bytes being held as a (possible) request head.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.buf.len()
    }
}

/// `text` made safe to put in HTML: the five characters with a meaning
/// there become entities, so a peer-chosen server name cannot add markup.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The answer to a request head over [`MAX_REQUEST`] (RFC 6585 §5).
pub const TOO_LARGE: &str = "HTTP/1.0 431 Request Header Fields Too Large\r\n\
    Content-Type: text/plain\r\nContent-Length: 32\r\nConnection: close\r\n\r\n\
    request head larger than 8 KiB\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_split_anywhere_is_recognised_once_complete() {
        let request = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n";
        for split in 1..request.len() {
            let mut reader = RequestReader::default();
            assert_eq!(reader.push(&request[..split]), Verdict::NeedMore, "{split}");
            assert_eq!(reader.push(&request[split..]), Verdict::Request, "{split}");
        }
    }

    #[test]
    fn a_request_trickled_byte_by_byte_is_recognised_at_its_last_byte() {
        let request = b"HEAD / HTTP/1.0\n\n";
        let mut reader = RequestReader::default();
        for (i, byte) in request.iter().enumerate() {
            let verdict = reader.push(&[*byte]);
            let expected = if i + 1 == request.len() {
                Verdict::Request
            } else {
                Verdict::NeedMore
            };
            assert_eq!(verdict, expected, "after {} bytes", i + 1);
        }
    }

    #[test]
    fn other_data_is_echoed_at_once() {
        let mut reader = RequestReader::default();
        assert_eq!(reader.push(b"hello"), Verdict::Echo(b"hello".to_vec()));
        // A prefix of a method is held until it is decided, then echoed whole.
        assert_eq!(reader.push(b"GE"), Verdict::NeedMore);
        assert_eq!(reader.push(b"M!"), Verdict::Echo(b"GEM!".to_vec()));
        assert_eq!(reader.held(), 0);
        // Big echoed chunks are not cut at the request bound.
        let big = vec![b'x'; MAX_REQUEST * 2];
        assert_eq!(reader.push(&big), Verdict::Echo(big.clone()));
    }

    #[test]
    fn a_head_over_the_bound_is_too_large_and_not_stored() {
        let mut reader = RequestReader::default();
        assert_eq!(reader.push(b"GET /"), Verdict::NeedMore);
        let filler = vec![b'a'; 1000];
        let mut verdict = Verdict::NeedMore;
        for _ in 0..20 {
            verdict = reader.push(&filler);
            if verdict != Verdict::NeedMore {
                break;
            }
        }
        assert_eq!(verdict, Verdict::TooLarge);
        assert!(reader.held() <= MAX_REQUEST + 1, "{}", reader.held());
        // The end of the head past the bound does not make it acceptable.
        assert_eq!(reader.push(b"\r\n\r\n"), Verdict::TooLarge);
    }

    #[test]
    fn a_head_of_exactly_the_bound_is_accepted() {
        let mut head = b"GET /".to_vec();
        head.resize(MAX_REQUEST - 4, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        assert_eq!(head.len(), MAX_REQUEST);
        let mut reader = RequestReader::default();
        assert_eq!(reader.push(&head), Verdict::Request);
    }

    #[test]
    fn the_path_is_the_request_line_s_second_word() {
        let mut reader = RequestReader::default();
        assert_eq!(
            reader.push(b"GET /keyupdate HTTP/1.0\r\n\r\n"),
            Verdict::Request
        );
        assert_eq!(reader.path(), Some(&b"/keyupdate"[..]));
        let mut reader = RequestReader::default();
        assert_eq!(reader.push(b"HEAD /\n\n"), Verdict::Request);
        assert_eq!(reader.path(), Some(&b"/"[..]));
    }

    #[test]
    fn too_large_answer_has_the_right_length() {
        let (head, body) = TOO_LARGE.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }

    #[test]
    fn html_escape_leaves_no_markup() {
        assert_eq!(
            html_escape("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;"
        );
        assert_eq!(html_escape("localhost"), "localhost");
    }
}
