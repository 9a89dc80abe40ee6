//! SIP message parsing and building.
//!
//! Our own small tokenizer rather than rsip 0.4: rsip's URI parser rejects IPv6 hosts and
//! `tel:` URIs and reads `sip:user;par=x@host` as host `user`, and it does not unfold
//! headers or honour Content-Length. Everything message-shaped lives here, so a swap
//! touches one file. Parsing: leading CRLFs skipped, folded header lines unfolded,
//! compact names expanded, the body cut at Content-Length. Problems that still leave a
//! request answerable (bad Content-Length, duplicated single-value headers, a CSeq that
//! disagrees with the method, LWS inside the Request-Line, empty Via or Contact
//! parameters…) are kept in [`Message::defect`] so the endpoint can send 400.

use super::header::{split_list, CSeq, NameAddr, Via};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StartLine {
    Request {
        method: String,
        uri: String,
        version: String,
    },
    Response {
        version: String,
        code: u16,
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub start: StartLine,
    /// Header lines in order, names in canonical (long) form.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Why the message is malformed though still answerable.
    pub defect: Option<String>,
}

const COMPACT: &[(&str, &str)] = &[
    ("i", "Call-ID"),
    ("f", "From"),
    ("t", "To"),
    ("v", "Via"),
    ("m", "Contact"),
    ("l", "Content-Length"),
    ("c", "Content-Type"),
    ("k", "Supported"),
    ("s", "Subject"),
    ("e", "Content-Encoding"),
    ("o", "Event"),
    ("r", "Refer-To"),
    ("x", "Session-Expires"),
];

const CANONICAL: &[&str] = &[
    "Call-ID",
    "From",
    "To",
    "Via",
    "Contact",
    "Content-Length",
    "Content-Type",
    "Supported",
    "Subject",
    "CSeq",
    "Max-Forwards",
    "Record-Route",
    "Route",
    "Require",
    "Event",
    "Refer-To",
    "Session-Expires",
    "P-Asserted-Identity",
    "Subscription-State",
    "Accept",
    "Allow",
];

/// Headers that may appear only once (RFC 3261 7.3.1 / 20).
const SINGLE: &[&str] = &[
    "Call-ID",
    "From",
    "To",
    "CSeq",
    "Max-Forwards",
    "Content-Length",
    "Content-Type",
];

fn canonical_name(name: &str) -> String {
    if let Some((_, long)) = COMPACT
        .iter()
        .find(|(short, _)| short.eq_ignore_ascii_case(name))
    {
        return (*long).to_string();
    }
    match CANONICAL.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        Some(c) => (*c).to_string(),
        None => name.to_string(),
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

/// Why a datagram could not be understood at all (dropped, not answered).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unparseable(pub String);

impl Message {
    pub fn parse(bytes: &[u8]) -> Result<Message, Unparseable> {
        let start = bytes
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        if bytes.is_empty() {
            return Err(Unparseable("empty message".into()));
        }
        let (head, rest) = match find(bytes, b"\r\n\r\n") {
            Some(i) => (&bytes[..i], &bytes[i + 4..]),
            None => match find(bytes, b"\n\n") {
                Some(i) => (&bytes[..i], &bytes[i + 2..]),
                None => (bytes, &bytes[bytes.len()..]),
            },
        };
        let head = String::from_utf8_lossy(head);
        let mut lines: Vec<String> = Vec::new();
        for line in head.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let folds = line.starts_with([' ', '\t']) && lines.len() > 1;
            match lines.last_mut() {
                Some(last) if folds => {
                    last.push(' ');
                    last.push_str(line.trim());
                }
                _ => lines.push(line.to_string()),
            }
        }
        let start = parse_start_line(&lines[0])?;
        let mut defect = None;
        let mut headers = Vec::new();
        for line in &lines[1..] {
            match line.split_once(':') {
                Some((name, value)) if is_token(name.trim()) => {
                    headers.push((canonical_name(name.trim()), value.trim().to_string()))
                }
                _ => {
                    defect.get_or_insert_with(|| "Malformed header line".to_string());
                }
            }
        }
        if matches!(start, StartLine::Request { .. }) && lines[0].split(' ').count() != 3 {
            defect.get_or_insert_with(|| "Malformed request line".to_string());
        }
        let mut msg = Message {
            start,
            headers,
            body: Vec::new(),
            defect,
        };
        msg.body = rest.to_vec();
        match msg.header("Content-Length").map(|v| v.parse::<usize>()) {
            Some(Ok(len)) if len <= rest.len() => msg.body.truncate(len),
            Some(Ok(_)) => msg.note_defect("Content-Length exceeds body"),
            Some(Err(_)) => msg.note_defect("Bad Content-Length"),
            None => {}
        }
        msg.validate();
        Ok(msg)
    }

    fn note_defect(&mut self, why: &str) {
        self.defect.get_or_insert_with(|| why.to_string());
    }

    fn validate(&mut self) {
        for name in SINGLE {
            if self.headers.iter().filter(|(n, _)| n == name).count() > 1 {
                self.note_defect(&format!("Duplicate {name}"));
            }
        }
        if let StartLine::Request { method, .. } = self.start.clone() {
            for name in ["Call-ID", "From", "To", "CSeq", "Via"] {
                if self.header(name).is_none() {
                    self.note_defect(&format!("Missing {name}"));
                }
            }
            match self.header("CSeq").map(CSeq::parse) {
                Some(Some(cseq)) if cseq.method != method => {
                    self.note_defect("CSeq method mismatch")
                }
                Some(None) => self.note_defect("Bad CSeq"),
                _ => {}
            }
            for name in ["From", "To"] {
                if self
                    .header(name)
                    .is_some_and(|v| NameAddr::parse(v).is_none())
                {
                    self.note_defect(&format!("Bad {name}"));
                }
            }
            if self.header("Via").is_some() && self.top_via().is_none() {
                self.note_defect("Bad Via");
            }
            for name in ["Via", "Contact"] {
                let lines = self.headers.iter().filter(|(n, _)| n == name);
                if lines.clone().any(|(_, v)| has_empty_element(v)) {
                    self.note_defect(&format!("Empty parameter in {name}"));
                }
            }
            if self
                .header("Max-Forwards")
                .is_some_and(|v| v.parse::<u8>().is_err())
            {
                self.note_defect("Bad Max-Forwards");
            }
        }
    }

    /// The first value of a header (case-insensitive, compact forms already expanded).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every comma-separated value of every line of a header, in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| split_list(v))
            .collect()
    }

    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    pub fn top_via(&self) -> Option<Via> {
        self.header_values("Via")
            .first()
            .and_then(|v| Via::parse(v))
    }

    pub fn cseq(&self) -> Option<CSeq> {
        self.header("CSeq").and_then(CSeq::parse)
    }

    pub fn call_id(&self) -> Option<&str> {
        self.header("Call-ID")
    }

    pub fn from(&self) -> Option<NameAddr> {
        self.header("From").and_then(NameAddr::parse)
    }

    pub fn to(&self) -> Option<NameAddr> {
        self.header("To").and_then(NameAddr::parse)
    }

    pub fn content_type(&self) -> Option<String> {
        let ct = self.header("Content-Type")?;
        Some(
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase(),
        )
    }

    /// True when a response can be addressed and matched: a Via and a CSeq. A request
    /// missing From, To or Call-ID still gets its 400 (RFC 4475 3.3.1).
    pub fn is_answerable(&self) -> bool {
        self.header("Via").is_some() && self.header("CSeq").is_some()
    }
}

/// A `;` or `,` with nothing before it since the start or the last one, or nothing after
/// it (outside quotes; RFC 4475 3.1.2.1): a parameter or list element with nothing in it.
fn has_empty_element(value: &str) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    let (mut after_separator, mut seen) = (true, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            ';' | ',' if !quoted => {
                if after_separator {
                    return true;
                }
                after_separator = true;
            }
            _ if c.is_whitespace() && !quoted => {}
            _ => {
                if c == '"' {
                    quoted = !quoted;
                }
                (after_separator, seen) = (false, true);
            }
        }
    }
    seen && after_separator
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_start_line(line: &str) -> Result<StartLine, Unparseable> {
    let bad = || {
        Unparseable(format!(
            "bad start line {:?}",
            line.chars().take(80).collect::<String>()
        ))
    };
    if let Some(rest) = line.strip_prefix("SIP/") {
        let mut parts = rest.splitn(3, ' ');
        let version = format!("SIP/{}", parts.next().ok_or_else(bad)?);
        let code: u16 = parts.next().and_then(|c| c.parse().ok()).ok_or_else(bad)?;
        if !(100..700).contains(&code) {
            return Err(bad());
        }
        let reason = parts.next().unwrap_or_default().to_string();
        return Ok(StartLine::Response {
            version,
            code,
            reason,
        });
    }
    // Extra whitespace between the elements or inside the URI (RFC 4475 3.1.2.8-3.1.2.10)
    // is read, then answered with 400 ("Malformed request line").
    let parts: Vec<&str> = line.split_whitespace().collect();
    match parts.as_slice() {
        [method, uri @ .., version]
            if !uri.is_empty() && is_token(method) && version.starts_with("SIP/") =>
        {
            Ok(StartLine::Request {
                method: method.to_string(),
                uri: uri.join(" "),
                version: version.to_string(),
            })
        }
        _ => Err(bad()),
    }
}

/// The reason phrase for the status codes this server sends.
pub(crate) fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        603 => "Decline",
        _ => match code / 100 {
            1 => "Session Progress",
            2 => "Successful",
            3 => "Redirect",
            4 => "Request Failure",
            5 => "Server Failure",
            _ => "Global Failure",
        },
    }
}

/// A message being written: start line, header lines, body. Content-Length is added by
/// [`Builder::finish`].
pub(crate) struct Builder {
    text: String,
}

impl Builder {
    pub fn request(method: &str, uri: &str) -> Builder {
        Builder {
            text: format!("{method} {uri} SIP/2.0\r\n"),
        }
    }

    pub fn response(code: u16, reason: &str) -> Builder {
        Builder {
            text: format!("SIP/2.0 {code} {reason}\r\n"),
        }
    }

    /// A response to `req`: its Vias (all, in order; the top one as given in `top_via`),
    /// From, To (with `to_tag` added when the request's To has none), Call-ID and CSeq.
    pub fn response_to(
        req: &Message,
        code: u16,
        reason: &str,
        top_via: &str,
        to_tag: Option<&str>,
    ) -> Builder {
        let mut b = Builder::response(code, reason);
        for (i, via) in req.header_values("Via").iter().enumerate() {
            b = b.header("Via", if i == 0 { top_via } else { via });
        }
        if let Some(from) = req.header("From") {
            b = b.header("From", from);
        }
        if let Some(to) = req.header("To") {
            let has_tag = NameAddr::parse(to).is_some_and(|na| na.tag().is_some());
            b = match to_tag {
                Some(tag) if !has_tag => b.header("To", &format!("{to};tag={tag}")),
                _ => b.header("To", to),
            };
        }
        // A request missing some of these (RFC 4475 3.3.1) gets a 400 echoing the rest.
        for name in ["Call-ID", "CSeq"] {
            if let Some(value) = req.header(name) {
                b = b.header(name, value);
            }
        }
        b
    }

    pub fn header(mut self, name: &str, value: &str) -> Builder {
        self.text.push_str(name);
        self.text.push_str(": ");
        self.text.push_str(value);
        self.text.push_str("\r\n");
        self
    }

    pub fn finish(self, body: Option<(&str, &[u8])>) -> Vec<u8> {
        let mut text = self.text;
        match body {
            Some((content_type, body)) => {
                text.push_str(&format!(
                    "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                ));
                let mut bytes = text.into_bytes();
                bytes.extend_from_slice(body);
                bytes
            }
            None => {
                text.push_str("Content-Length: 0\r\n\r\n");
                text.into_bytes()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Message {
        Message::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn folded_header_lines_are_unfolded() {
        let m = parse(
            "OPTIONS sip:a@b SIP/2.0\r\nSubject: one\r\n  two\r\n\ttwo-b\r\nCall-ID: x\r\n\r\n",
        );
        assert_eq!(m.header("subject"), Some("one two two-b"));
        assert_eq!(m.call_id(), Some("x"));
    }

    #[test]
    fn bytes_past_content_length_are_ignored() {
        let m = parse("MESSAGE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcdef");
        assert_eq!(m.body, b"abc");
        assert_eq!(m.defect, Some("Missing Call-ID".into()));
    }

    #[test]
    fn content_length_beyond_the_datagram_is_a_defect() {
        let m = parse("INVITE sip:a@b SIP/2.0\r\nContent-Length: 99\r\n\r\nabc");
        assert_eq!(m.defect.as_deref(), Some("Content-Length exceeds body"));
    }

    #[test]
    fn compact_names_are_expanded() {
        let m = parse("BYE sip:a@b SIP/2.0\r\ni: c1\r\nf: <sip:x@y>;tag=1\r\nt: <sip:a@b>\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nm: <sip:x@h>\r\nk: timer\r\n\r\n");
        assert_eq!(m.call_id(), Some("c1"));
        assert_eq!(m.from().unwrap().tag(), Some("1"));
        assert_eq!(m.top_via().unwrap().branch(), Some("z9hG4bK1"));
        assert_eq!(m.header("Contact"), Some("<sip:x@h>"));
        assert_eq!(m.header("Supported"), Some("timer"));
    }

    #[test]
    fn response_status_line_is_parsed() {
        let m = parse("SIP/2.0 200 OK\r\nCSeq: 1 BYE\r\n\r\n");
        assert!(matches!(m.start, StartLine::Response { code: 200, .. }));
    }

    #[test]
    fn lws_inside_the_request_uri_is_read_as_a_defect() {
        let m = parse("INVITE sip:user@example.com; lr SIP/2.0\r\n\r\n");
        assert!(
            matches!(&m.start, StartLine::Request { uri, .. } if uri == "sip:user@example.com; lr")
        );
        assert_eq!(m.defect.as_deref(), Some("Malformed request line"));
    }

    #[test]
    fn empty_parameters_and_list_elements_are_found_outside_quotes() {
        for value in [
            "h;;",
            "h;,",
            "a,,b",
            "a,",
            ";a",
            "SIP/2.0/UDP 192.0.2.15;;,;,,",
        ] {
            assert!(has_empty_element(value), "{value}");
        }
        for value in [
            "",
            "a;b=1, c",
            "\";;\" <sip:a@b>;q=1",
            "SIP/2.0/UDP h ; branch = x",
        ] {
            assert!(!has_empty_element(value), "{value}");
        }
    }

    #[test]
    fn garbage_start_line_is_unparseable() {
        assert!(Message::parse(b"\x00\x01hello").is_err());
        assert!(Message::parse(b"\r\n\r\n").is_err());
        assert!(Message::parse(b"SIP/2.0 abc OK\r\n\r\n").is_err());
    }
}
