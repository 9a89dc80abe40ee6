//! The caller's side of SIP as plain text: the requests a UAC sends in one call (INVITE,
//! ACK, CANCEL, BYE, INFO, OPTIONS), the 200 it answers the server's requests with, and
//! the RFC 3261 retransmission intervals. Pure: no sockets, no clock.
//!
//! Messages are written by hand rather than through rsip's builders so that a test can
//! send exactly the bytes it means (the same INVITE twice, for instance); incoming
//! messages are parsed with rsip.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use rsip::headers::UntypedHeader;
use rsip::message::HeadersExt;

use crate::sip::Transport;

/// RFC 3261 T1: round-trip estimate, first retransmission interval.
pub const T1: Duration = Duration::from_millis(500);
/// RFC 3261 T2: cap of the non-INVITE retransmission interval.
pub const T2: Duration = Duration::from_secs(4);
/// RFC 3261 timers B and F: a transaction without a final response gives up after 64*T1.
pub const TRANSACTION_TIMEOUT: Duration = Duration::from_secs(32);

/// Delay before retransmission number `n` (0 = first retransmission) on UDP: timer A
/// doubles without limit for INVITE, timer E doubles up to T2 for other requests.
pub fn retransmit_interval(n: u32, invite: bool) -> Duration {
    let doubled = T1.saturating_mul(1u32 << n.min(10));
    if invite {
        doubled
    } else {
        doubled.min(T2)
    }
}

fn transport_token(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "UDP",
        Transport::Tcp => "TCP",
    }
}

/// Identity of one call leg as seen from the caller, and the dialog state the server's
/// 200 OK adds to it. Builds every request of the call.
#[derive(Clone, Debug)]
pub struct Leg {
    transport: Transport,
    local: SocketAddr,
    server: SocketAddr,
    caller: String,
    called: String,
    call_id: String,
    from_tag: String,
    cseq: u32,
    invite_branch: String,
    invite_cseq: u32,
    /// To tag of the server, once a response carried one.
    remote_tag: Option<String>,
    /// Request-URI for in-dialog requests (the server's Contact), once answered.
    remote_target: Option<String>,
}

/// Random tokens for Call-ID, tags and branches, passed in so that building is pure.
pub struct Ids {
    pub call_id: String,
    pub from_tag: String,
}

impl Leg {
    pub fn new(
        transport: Transport,
        local: SocketAddr,
        server: SocketAddr,
        caller: &str,
        called: &str,
        ids: Ids,
    ) -> Leg {
        Leg {
            transport,
            local,
            server,
            caller: caller.to_owned(),
            called: called.to_owned(),
            call_id: ids.call_id,
            from_tag: ids.from_tag,
            cseq: 0,
            invite_branch: String::new(),
            invite_cseq: 0,
            remote_tag: None,
            remote_target: None,
        }
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    fn request_uri(&self) -> String {
        format!("sip:{}@{}", self.called, self.server)
    }

    fn contact(&self) -> String {
        match self.transport {
            Transport::Udp => format!("<sip:{}@{}>", self.caller, self.local),
            Transport::Tcp => format!("<sip:{}@{};transport=tcp>", self.caller, self.local),
        }
    }

    fn to_header(&self, with_tag: bool) -> String {
        let mut to = format!("<{}>", self.request_uri());
        if with_tag {
            if let Some(tag) = &self.remote_tag {
                let _ = write!(to, ";tag={tag}");
            }
        }
        to
    }

    #[allow(clippy::too_many_arguments)]
    fn write_request(
        &self,
        method: &str,
        uri: &str,
        branch: &str,
        cseq: u32,
        to: &str,
        with_contact: bool,
        body: Option<(&str, &str)>,
    ) -> String {
        let mut m = String::with_capacity(512);
        let _ = write!(
            m,
            "{method} {uri} SIP/2.0\r\n\
             Via: SIP/2.0/{} {};branch={branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{}@{}>;tag={}\r\n\
             To: {to}\r\n\
             Call-ID: {}\r\n\
             CSeq: {cseq} {method}\r\n",
            transport_token(self.transport),
            self.local,
            self.caller,
            self.local.ip(),
            self.from_tag,
            self.call_id,
        );
        if with_contact {
            let _ = write!(m, "Contact: {}\r\n", self.contact());
        }
        m.push_str("User-Agent: hotline-caller\r\n");
        push_body(&mut m, body);
        m
    }

    /// The INVITE with its SDP offer; remembers branch and CSeq for ACK and CANCEL.
    pub fn invite(&mut self, branch: String, sdp: &str) -> String {
        self.cseq += 1;
        self.invite_cseq = self.cseq;
        self.invite_branch = branch;
        self.write_request(
            "INVITE",
            &self.request_uri(),
            &self.invite_branch,
            self.invite_cseq,
            &self.to_header(false),
            true,
            Some(("application/sdp", sdp)),
        )
    }

    /// Records what a response to the INVITE established: the server's tag and, on 2xx,
    /// its Contact as the target of later requests.
    pub fn on_invite_response(&mut self, to_tag: Option<String>, contact: Option<String>) {
        if to_tag.is_some() {
            self.remote_tag = to_tag;
        }
        if contact.is_some() {
            self.remote_target = contact;
        }
    }

    fn dialog_target(&self) -> String {
        self.remote_target
            .clone()
            .unwrap_or_else(|| self.request_uri())
    }

    /// ACK for a 2xx: a transaction of its own (new branch), sent to the remote target.
    pub fn ack_for_2xx(&self, branch: &str) -> String {
        self.write_request(
            "ACK",
            &self.dialog_target(),
            branch,
            self.invite_cseq,
            &self.to_header(true),
            false,
            None,
        )
    }

    /// ACK for a failure response: part of the INVITE transaction (same branch and URI).
    pub fn ack_for_failure(&self) -> String {
        self.write_request(
            "ACK",
            &self.request_uri(),
            &self.invite_branch,
            self.invite_cseq,
            &self.to_header(true),
            false,
            None,
        )
    }

    /// CANCEL for the pending INVITE: same branch, URI, Call-ID, From, To and CSeq number.
    pub fn cancel(&self) -> String {
        self.write_request(
            "CANCEL",
            &self.request_uri(),
            &self.invite_branch,
            self.invite_cseq,
            &self.to_header(false),
            false,
            None,
        )
    }

    /// A request inside the dialog (BYE, INFO) with the next CSeq; returns it and its CSeq.
    pub fn in_dialog(
        &mut self,
        method: &str,
        branch: &str,
        body: Option<(&str, &str)>,
    ) -> (String, u32) {
        self.cseq += 1;
        let text = self.write_request(
            method,
            &self.dialog_target(),
            branch,
            self.cseq,
            &self.to_header(true),
            method != "BYE",
            body,
        );
        (text, self.cseq)
    }

    /// The NOTIFY that reports a REFER's outcome (RFC 3515) and ends its subscription.
    pub fn notify_refer(&mut self, branch: &str, sipfrag: &str) -> (String, u32) {
        let (mut text, cseq) = self.in_dialog(
            "NOTIFY",
            branch,
            Some(("message/sipfrag;version=2.0", sipfrag)),
        );
        if let Some(at) = text.find("Content-Type:") {
            text.insert_str(
                at,
                "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n",
            );
        }
        (text, cseq)
    }

    /// An OPTIONS ping outside any dialog.
    pub fn options(&mut self, branch: &str) -> (String, u32) {
        self.cseq += 1;
        let text = self.write_request(
            "OPTIONS",
            &self.request_uri(),
            branch,
            self.cseq,
            &self.to_header(false),
            true,
            None,
        );
        (text, self.cseq)
    }

    pub fn invite_cseq(&self) -> u32 {
        self.invite_cseq
    }
}

/// Body of a SIP INFO carrying a key (`application/dtmf-relay`).
/// Ends a message's headers with Content-Type (if any) and Content-Length, then the body.
pub(super) fn push_body(m: &mut String, body: Option<(&str, &str)>) {
    match body {
        Some((content_type, body)) => {
            let _ = write!(
                m,
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
        None => m.push_str("Content-Length: 0\r\n\r\n"),
    }
}

pub fn dtmf_relay_body(key: char, duration_ms: u32) -> String {
    format!("Signal={key}\r\nDuration={duration_ms}\r\n")
}

/// A response to a request the server sent us (BYE, INFO, OPTIONS …): Vias, From, To,
/// Call-ID and CSeq copied from the request.
pub fn response_to(request: &rsip::Request, status: u16, reason: &str) -> String {
    let mut m = format!("SIP/2.0 {status} {reason}\r\n");
    for header in request.headers.iter() {
        match header {
            rsip::Header::Via(_)
            | rsip::Header::From(_)
            | rsip::Header::To(_)
            | rsip::Header::CallId(_)
            | rsip::Header::CSeq(_) => {
                let _ = write!(m, "{header}\r\n");
            }
            _ => {}
        }
    }
    m.push_str("User-Agent: hotline-caller\r\nContent-Length: 0\r\n\r\n");
    m
}

/// What the caller needs from a response, pulled out of rsip's types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseInfo {
    pub status: u16,
    pub cseq: u32,
    pub method: String,
    pub to_tag: Option<String>,
    /// The URI inside the Contact header's angle brackets (or the bare value).
    pub contact: Option<String>,
    pub body: Vec<u8>,
}

impl ResponseInfo {
    pub fn from_response(response: &rsip::Response) -> Result<ResponseInfo, String> {
        let cseq = response.cseq_header().map_err(|e| e.to_string())?;
        let to_tag = response
            .to_header()
            .map_err(|e| e.to_string())?
            .tag()
            .map_err(|e| e.to_string())?
            .map(|t| t.to_string());
        let contact = response
            .contact_header()
            .ok()
            .map(|c| contact_uri(c.value()));
        Ok(ResponseInfo {
            status: response.status_code.code(),
            cseq: cseq.seq().map_err(|e| e.to_string())?,
            method: cseq.method().map_err(|e| e.to_string())?.to_string(),
            to_tag,
            contact,
            body: response.body.clone(),
        })
    }
}

fn contact_uri(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(open), Some(close)) if open < close => value[open + 1..close].to_owned(),
        _ => value.split(';').next().unwrap_or(value).trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(transport: Transport) -> Leg {
        Leg::new(
            transport,
            "127.0.0.1:40000".parse().unwrap(),
            "127.0.0.1:5060".parse().unwrap(),
            "13800000000",
            "1000",
            Ids {
                call_id: "cid1".into(),
                from_tag: "ftag".into(),
            },
        )
    }

    fn parse_request(text: &str) -> rsip::Request {
        rsip::Request::try_from(text).expect("request parses")
    }

    #[test]
    fn invite_carries_sdp_with_exact_content_length() {
        let mut leg = leg(Transport::Udp);
        let invite = leg.invite("z9hG4bKa".into(), "v=0\r\n");
        let request = parse_request(&invite);
        assert_eq!(request.method, rsip::Method::Invite);
        assert_eq!(request.body, b"v=0\r\n");
        assert!(invite.contains("Content-Length: 5\r\n"));
        assert!(invite.contains("Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKa;rport"));
        assert_eq!(
            request.transaction_id().unwrap().unwrap().to_string(),
            "z9hG4bKa"
        );
    }

    #[test]
    fn tcp_leg_says_tcp_in_via_and_contact() {
        let mut leg = leg(Transport::Tcp);
        let invite = leg.invite("z9hG4bKa".into(), "");
        assert!(invite.contains("Via: SIP/2.0/TCP "));
        assert!(invite.contains(";transport=tcp>"));
    }

    #[test]
    fn ack_for_2xx_has_new_branch_remote_tag_and_targets_contact() {
        let mut leg = leg(Transport::Udp);
        leg.invite("z9hG4bKa".into(), "");
        leg.on_invite_response(
            Some("srv".into()),
            Some("sip:hotline@127.0.0.1:5070".into()),
        );
        let ack = leg.ack_for_2xx("z9hG4bKb");
        assert!(ack.starts_with("ACK sip:hotline@127.0.0.1:5070 SIP/2.0\r\n"));
        assert!(ack.contains("branch=z9hG4bKb"));
        assert!(ack.contains("To: <sip:1000@127.0.0.1:5060>;tag=srv\r\n"));
        assert!(ack.contains("CSeq: 1 ACK\r\n"));
    }

    #[test]
    fn ack_for_failure_and_cancel_reuse_the_invite_branch() {
        let mut leg = leg(Transport::Udp);
        leg.invite("z9hG4bKa".into(), "");
        let cancel = leg.cancel();
        assert!(cancel.starts_with("CANCEL sip:1000@127.0.0.1:5060 SIP/2.0\r\n"));
        assert!(cancel.contains("branch=z9hG4bKa;"));
        assert!(cancel.contains("CSeq: 1 CANCEL\r\n"));
        leg.on_invite_response(Some("srv".into()), None);
        let ack = leg.ack_for_failure();
        assert!(ack.contains("branch=z9hG4bKa;"));
        assert!(ack.contains(";tag=srv\r\n"));
    }

    #[test]
    fn in_dialog_requests_take_increasing_cseq() {
        let mut leg = leg(Transport::Udp);
        leg.invite("z9hG4bKa".into(), "");
        leg.on_invite_response(Some("srv".into()), None);
        let body = dtmf_relay_body('5', 160);
        let (info, first) =
            leg.in_dialog("INFO", "z9hG4bKc", Some(("application/dtmf-relay", &body)));
        let (bye, second) = leg.in_dialog("BYE", "z9hG4bKd", None);
        assert_eq!((first, second), (2, 3));
        let info = parse_request(&info);
        assert_eq!(info.body, b"Signal=5\r\nDuration=160\r\n");
        assert!(bye.contains("CSeq: 3 BYE\r\n"));
    }

    #[test]
    fn notify_for_refer_carries_event_state_and_sipfrag() {
        let mut leg = leg(Transport::Udp);
        leg.invite("z9hG4bKa".into(), "");
        leg.on_invite_response(Some("srv".into()), None);
        let (text, _) = leg.notify_refer("z9hG4bKn", "SIP/2.0 200 OK\r\n");
        let request = parse_request(&text);
        assert_eq!(request.method, rsip::Method::Notify);
        assert!(
            text.contains("Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n")
        );
        assert!(text.contains("Content-Type: message/sipfrag;version=2.0\r\n"));
        assert_eq!(request.body, b"SIP/2.0 200 OK\r\n");
    }

    #[test]
    fn response_to_bye_copies_the_transaction_headers() {
        let bye = "BYE sip:13800000000@127.0.0.1:40000 SIP/2.0\r\n\
                   Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKs1\r\n\
                   From: <sip:1000@127.0.0.1>;tag=srv\r\n\
                   To: <sip:13800000000@127.0.0.1>;tag=ftag\r\n\
                   Call-ID: cid1\r\nCSeq: 7 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        let text = response_to(&parse_request(bye), 200, "OK");
        let response = rsip::Response::try_from(text.as_str()).unwrap();
        let info = ResponseInfo::from_response(&response).unwrap();
        assert_eq!(
            (info.status, info.cseq, info.method.as_str()),
            (200, 7, "BYE")
        );
        assert_eq!(info.to_tag.as_deref(), Some("ftag"));
        assert!(text.contains("branch=z9hG4bKs1"));
        assert!(!text.contains("Max-Forwards"));
    }

    #[test]
    fn response_info_reads_status_tag_and_contact() {
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKa\r\n\
                    From: <sip:1@127.0.0.1>;tag=ftag\r\nTo: <sip:1000@127.0.0.1>;tag=srv\r\n\
                    Call-ID: cid1\r\nCSeq: 1 INVITE\r\nContact: <sip:hotline@127.0.0.1:5070>\r\n\
                    Content-Length: 3\r\n\r\nabc";
        let response = rsip::Response::try_from(text).unwrap();
        let info = ResponseInfo::from_response(&response).unwrap();
        assert_eq!(info.status, 200);
        assert_eq!(info.method, "INVITE");
        assert_eq!(info.to_tag.as_deref(), Some("srv"));
        assert_eq!(info.contact.as_deref(), Some("sip:hotline@127.0.0.1:5070"));
        assert_eq!(info.body, b"abc");
    }

    #[test]
    fn timer_a_doubles_and_timer_e_caps_at_t2() {
        let a: Vec<u64> = (0..5)
            .map(|n| retransmit_interval(n, true).as_millis() as u64)
            .collect();
        assert_eq!(a, [500, 1000, 2000, 4000, 8000]);
        let e: Vec<u64> = (0..5)
            .map(|n| retransmit_interval(n, false).as_millis() as u64)
            .collect();
        assert_eq!(e, [500, 1000, 2000, 4000, 4000]);
    }
}
