//! The agent phone's SIP as plain text: a tolerant reader of the messages the server
//! sends it (start line, header lines in order, body), the responses it gives (100, 180,
//! 200 with SDP, errors, each carrying our To tag), its REGISTERs with digest
//! credentials, and the BYE it sends in a dialog the server opened. Pure: no sockets,
//! no clock, random tokens passed in.
//!
//! Messages are read by hand rather than with rsip so that a test can look at any header
//! as the server wrote it (`header("X-Hotline-Queue")`), in order and repeated. Compact
//! header names (RFC 3261 §7.3.3) are read as their long forms; folded lines are not
//! supported (the server never folds).

use std::fmt::Write as _;
use std::net::SocketAddr;

use super::message::push_body;
use crate::agents::digest::{ha1, Algorithm, Credentials};

/// A SIP request or response as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    first_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The long name of a compact header name; other names unchanged.
fn long_name(name: &str) -> &str {
    const COMPACT: [(&str, &str); 10] = [
        ("i", "Call-ID"),
        ("m", "Contact"),
        ("e", "Content-Encoding"),
        ("l", "Content-Length"),
        ("c", "Content-Type"),
        ("f", "From"),
        ("s", "Subject"),
        ("k", "Supported"),
        ("t", "To"),
        ("v", "Via"),
    ];
    COMPACT
        .iter()
        .find(|(short, _)| short.eq_ignore_ascii_case(name))
        .map_or(name, |(_, long)| long)
}

impl Message {
    /// Reads a datagram; `None` if it has no blank line after its headers or a header
    /// line without a colon.
    pub fn parse(bytes: &[u8]) -> Option<Message> {
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&bytes[..split]).ok()?;
        let mut lines = head.split("\r\n");
        let first_line = lines.next()?.trim().to_owned();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((long_name(name.trim()).to_owned(), value.trim().to_owned()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Message {
            first_line,
            headers,
            body: bytes[split + 4..].to_vec(),
        })
    }

    /// The method of a request; `None` for a response.
    pub fn method(&self) -> Option<&str> {
        let (method, rest) = self.first_line.split_once(' ')?;
        (!method.starts_with("SIP/") && rest.ends_with("SIP/2.0")).then_some(method)
    }

    /// The Request-URI of a request (empty for a response).
    pub fn request_uri(&self) -> &str {
        match self.method() {
            Some(_) => self.first_line.split(' ').nth(1).unwrap_or_default(),
            None => "",
        }
    }

    /// The status code of a response; `None` for a request.
    pub fn status(&self) -> Option<u16> {
        let rest = self.first_line.strip_prefix("SIP/2.0 ")?;
        rest.split(' ').next()?.parse().ok()
    }

    /// The first value of header `name` (case-insensitive; compact names accepted).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers(name).into_iter().next()
    }

    /// Every value of header `name`, one per header line, in order.
    pub fn headers(&self, name: &str) -> Vec<&str> {
        let name = long_name(name);
        (self.headers.iter())
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn call_id(&self) -> Option<&str> {
        self.header("Call-ID")
    }

    /// The CSeq number and method.
    pub fn cseq(&self) -> Option<(u32, &str)> {
        let (number, method) = self.header("CSeq")?.split_once(' ')?;
        Some((number.trim().parse().ok()?, method.trim()))
    }

    /// The branch of the top Via.
    pub fn branch(&self) -> Option<&str> {
        param(self.header("Via")?, "branch")
    }
}

/// The value of `;name=value` in a header value (without quotes).
fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(';').skip(1).find_map(|p| {
        let (n, v) = p.split_once('=')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"'))
    })
}

/// The URI inside a name-addr's angle brackets, or the bare value up to its parameters.
pub fn uri_of(value: &str) -> &str {
    match (value.find('<'), value.find('>')) {
        (Some(open), Some(close)) if open < close => &value[open + 1..close],
        _ => value.split(';').next().unwrap_or(value).trim(),
    }
}

/// The usual reason phrase of a status the phone sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Trying",
        180 => "Ringing",
        200 => "OK",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        600 => "Busy Everywhere",
        603 => "Decline",
        _ => "Refused",
    }
}

/// A response to `request`: its Vias, From, Call-ID and CSeq copied, its To with our
/// `to_tag` added when it has none; `extra` header lines (each ending in CRLF) and an
/// optional body with its content type.
pub fn response(
    request: &Message,
    status: u16,
    to_tag: Option<&str>,
    extra: &str,
    body: Option<(&str, &str)>,
) -> String {
    let mut m = format!("SIP/2.0 {status} {}\r\n", reason(status));
    for via in request.headers("Via") {
        let _ = write!(m, "Via: {via}\r\n");
    }
    let to = request.header("To").unwrap_or_default();
    let _ = write!(
        m,
        "From: {}\r\nTo: {to}",
        request.header("From").unwrap_or_default()
    );
    if let (Some(tag), None) = (to_tag, param(to, "tag")) {
        let _ = write!(m, ";tag={tag}");
    }
    let _ = write!(
        m,
        "\r\nCall-ID: {}\r\nCSeq: {}\r\n{extra}User-Agent: hotline-agent-phone\r\n",
        request.call_id().unwrap_or_default(),
        request.header("CSeq").unwrap_or_default(),
    );
    push_body(&mut m, body);
    m
}

/// The phone's registration: one Call-ID and From tag, CSeq growing (RFC 3261 §10.2).
pub struct Registration {
    pub user: String,
    pub server: SocketAddr,
    pub local: SocketAddr,
    pub call_id: String,
    pub from_tag: String,
    pub cseq: u32,
}

impl Registration {
    /// `sip:<user>@<local address>`: where the server sends INVITEs.
    pub fn contact(&self) -> String {
        format!("sip:{}@{}", self.user, self.local)
    }

    /// The Request-URI, also the digest `uri`.
    pub fn uri(&self) -> String {
        format!("sip:{}", self.server)
    }

    /// The next REGISTER binding our contact for `expires` seconds (0 removes it), with
    /// an `Authorization` value if given; returns it and its CSeq.
    pub fn register(
        &mut self,
        branch: &str,
        expires: u32,
        authorization: Option<&str>,
    ) -> (String, u32) {
        self.cseq += 1;
        let (user, server, local) = (&self.user, self.server, self.local);
        let mut m = format!(
            "REGISTER {} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch={branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{user}@{server}>;tag={}\r\n\
             To: <sip:{user}@{server}>\r\n\
             Call-ID: {}\r\n\
             CSeq: {} REGISTER\r\n\
             Contact: <{}>\r\n\
             Expires: {expires}\r\n",
            self.uri(),
            self.from_tag,
            self.call_id,
            self.cseq,
            self.contact(),
        );
        if let Some(authorization) = authorization {
            let _ = write!(m, "Authorization: {authorization}\r\n");
        }
        m.push_str("User-Agent: hotline-agent-phone\r\nContent-Length: 0\r\n\r\n");
        (m, self.cseq)
    }
}

/// The `Authorization` value answering the challenge among `challenges` (the
/// WWW-Authenticate values of a 401) that offers `algorithm`.
pub fn authorization(
    challenges: &[&str],
    algorithm: Algorithm,
    username: &str,
    password: &str,
    uri: &str,
    cnonce: &str,
) -> Result<String, String> {
    let offered = format!("algorithm={}", algorithm.name());
    let challenge = challenges
        .iter()
        .find(|c| {
            c.split([',', ' '])
                .any(|p| p.eq_ignore_ascii_case(&offered))
        })
        .ok_or_else(|| format!("no {} challenge in {challenges:?}", algorithm.name()))?;
    let quoted = |name: &str| {
        let start = challenge.find(&format!("{name}=\""))? + name.len() + 2;
        let end = challenge[start..].find('"')? + start;
        Some(challenge[start..end].to_owned())
    };
    let realm = quoted("realm").ok_or("a challenge without realm")?;
    let mut credentials = Credentials {
        username: username.to_owned(),
        realm: realm.clone(),
        nonce: quoted("nonce").ok_or("a challenge without nonce")?,
        uri: uri.to_owned(),
        response: String::new(),
        algorithm,
        nc: 1,
        cnonce: cnonce.to_owned(),
    };
    let ha1 = ha1(algorithm, username, &realm, password);
    credentials.response = credentials.expected_response(&ha1, "REGISTER");
    Ok(credentials.to_string())
}

/// A dialog the server opened with its INVITE, as the answering phone sees it.
#[derive(Clone, Debug)]
pub struct CalleeDialog {
    call_id: String,
    /// Our side: the INVITE's To value with our tag.
    local: String,
    /// The server's side: the INVITE's From value (with its tag).
    remote: String,
    /// Where in-dialog requests go: the INVITE's Contact (or its From URI).
    remote_target: String,
    cseq: u32,
}

impl CalleeDialog {
    pub fn new(invite: &Message, local_tag: &str) -> CalleeDialog {
        let from = invite.header("From").unwrap_or_default().to_owned();
        let to = invite.header("To").unwrap_or_default();
        let local = match param(to, "tag") {
            Some(_) => to.to_owned(),
            None => format!("{to};tag={local_tag}"),
        };
        let remote_target = uri_of(invite.header("Contact").unwrap_or(&from)).to_owned();
        CalleeDialog {
            call_id: invite.call_id().unwrap_or_default().to_owned(),
            local,
            remote: from,
            remote_target,
            cseq: 0,
        }
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Our BYE, sent from `local`; returns it and its CSeq.
    pub fn bye(&mut self, branch: &str, local: SocketAddr) -> (String, u32) {
        self.cseq += 1;
        let text = format!(
            "BYE {} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch={branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: {}\r\n\
             To: {}\r\n\
             Call-ID: {}\r\n\
             CSeq: {} BYE\r\n\
             User-Agent: hotline-agent-phone\r\n\
             Content-Length: 0\r\n\r\n",
            self.remote_target, self.local, self.remote, self.call_id, self.cseq
        );
        (text, self.cseq)
    }
}

#[cfg(test)]
#[path = "agent_phone_sip_tests.rs"]
mod tests;
