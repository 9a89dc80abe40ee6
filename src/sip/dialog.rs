//! An INVITE dialog (RFC 3261 §12), ours as UAS or as UAC. Its id is the Call-ID, the
//! local tag (our To tag as UAS, our From tag as UAC) and the remote tag. It keeps both
//! CSeq spaces, the route set from Record-Route (as UAC: of the 2xx, reversed), and the
//! remote target from Contact (refreshed by re-INVITE).
//!
//! As UAC the dialog exists from our INVITE on, with no remote tag and the Request-URI
//! as remote target, so that the call is indexed by Call-ID; the 2xx establishes it
//! (a copy of it per extra 2xx from another fork).
//!
//! Where our in-dialog requests (BYE, REFER) go: the first route, else the remote target,
//! when its host is an IP literal that is public or the very address the caller's
//! requests come from; otherwise (a host name we would have to resolve, or a private
//! address behind a NAT) the address the dialog's requests came from. On TCP always the
//! connection the dialog came in on. No DNS in the pure core.

use std::net::{IpAddr, SocketAddr};

use super::header::{NameAddr, Uri};
use super::message::{Builder, Message};
use super::{EndpointConfig, Transport};

#[derive(Clone, Debug)]
pub(crate) struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    /// Our side: as UAS the INVITE's To value plus our tag, as UAC our From (with tag).
    pub local_party: String,
    /// The other side: as UAS the caller's From value (with its tag), as UAC the To of
    /// our INVITE, then of the 2xx.
    pub remote_party: String,
    remote_target: Option<NameAddr>,
    route_set: Vec<NameAddr>,
    local_cseq: u32,
    remote_cseq: u32,
    pub transport: Transport,
    /// Where the other side's requests come from (as UAC, at first where we sent the INVITE).
    pub peer: SocketAddr,
}

impl Dialog {
    /// The dialog an INVITE creates once we pick `local_tag`. None without From/To/Call-ID/CSeq.
    pub fn from_invite(
        invite: &Message,
        local_tag: String,
        transport: Transport,
        peer: SocketAddr,
    ) -> Option<Dialog> {
        let from = invite.from()?;
        Some(Dialog {
            call_id: invite.call_id()?.to_string(),
            remote_tag: from.tag().unwrap_or_default().to_string(),
            local_party: format!("{};tag={local_tag}", invite.header("To")?),
            local_tag,
            remote_party: invite.header("From")?.to_string(),
            remote_target: invite
                .header_values("Contact")
                .first()
                .and_then(|c| NameAddr::parse(c)),
            route_set: invite
                .header_values("Record-Route")
                .iter()
                .filter_map(|r| NameAddr::parse(r))
                .collect(),
            local_cseq: 1,
            remote_cseq: invite.cseq()?.number,
            transport,
            peer,
        })
    }

    /// The dialog our INVITE (From `local_party` with our `local_tag`, To `remote_party`,
    /// to `request_uri`) will create once a 2xx [`Self::establish`]es it. The INVITE is
    /// its first [`Self::request`] (CSeq 1).
    pub fn from_outgoing(
        call_id: String,
        local_tag: String,
        local_party: &str,
        remote_party: String,
        request_uri: &str,
        transport: Transport,
        destination: SocketAddr,
    ) -> Dialog {
        Dialog {
            call_id,
            local_party: format!("{local_party};tag={local_tag}"),
            local_tag,
            remote_tag: String::new(),
            remote_party,
            remote_target: NameAddr::parse(&format!("<{request_uri}>")),
            route_set: Vec::new(),
            local_cseq: 0,
            remote_cseq: 0,
            transport,
            peer: destination,
        }
    }

    /// A 2xx to our INVITE: its To (with the remote tag), Contact as remote target and
    /// Record-Route, reversed, as route set.
    pub fn establish(&mut self, response: &Message) {
        if let Some(to) = response.header("To") {
            self.remote_party = to.to_string();
        }
        self.remote_tag = response
            .to()
            .and_then(|t| t.tag().map(str::to_string))
            .unwrap_or_default();
        if let Some(contact) = response
            .header_values("Contact")
            .first()
            .and_then(|c| NameAddr::parse(c))
        {
            self.remote_target = Some(contact);
        }
        self.route_set = response
            .header_values("Record-Route")
            .iter()
            .rev()
            .filter_map(|r| NameAddr::parse(r))
            .collect();
    }

    /// Whether an incoming request (To tag = ours, From tag = theirs) belongs here.
    pub fn matches(&self, call_id: &str, to_tag: &str, from_tag: &str) -> bool {
        self.call_id == call_id && self.local_tag == to_tag && self.remote_tag == from_tag
    }

    /// Accepts the CSeq of a new in-dialog request; false when it is lower than the last
    /// one (RFC 3261 12.2.2: answer 500).
    pub fn accept_remote_cseq(&mut self, number: u32) -> bool {
        if number < self.remote_cseq {
            return false;
        }
        self.remote_cseq = number;
        true
    }

    /// Target refresh (re-INVITE): a new Contact replaces the remote target.
    pub fn refresh_target(&mut self, request: &Message, source: SocketAddr) {
        if let Some(contact) = request
            .header_values("Contact")
            .first()
            .and_then(|c| NameAddr::parse(c))
        {
            self.remote_target = Some(contact);
        }
        self.peer = source;
    }

    /// Starts an in-dialog request with Via (new `branch`), Max-Forwards, From, To,
    /// Call-ID, CSeq, Route, Contact and User-Agent. Returns it and the next hop.
    pub fn request(
        &mut self,
        method: &str,
        branch: &str,
        config: &EndpointConfig,
    ) -> (Builder, SocketAddr) {
        self.local_cseq += 1;
        let b = self
            .start(method, self.local_cseq, branch, config)
            .header("Contact", &contact(config, self.transport))
            .header("User-Agent", &config.user_agent);
        (b, self.next_hop())
    }

    /// The ACK for a 2xx to our INVITE number `cseq` (RFC 3261 13.2.2.4): a request of
    /// its own (new `branch`) with the INVITE's CSeq number. Returns it and the next hop.
    pub fn ack(&self, cseq: u32, branch: &str, config: &EndpointConfig) -> (Builder, SocketAddr) {
        let b = self
            .start("ACK", cseq, branch, config)
            .header("User-Agent", &config.user_agent);
        (b, self.next_hop())
    }

    /// The Request-URI of our requests: the remote target as written.
    pub fn remote_target_uri(&self) -> &str {
        self.remote_target
            .as_ref()
            .map_or("sip:anonymous@invalid", |t| t.uri_text.as_str())
    }

    /// Request line, Via, Max-Forwards, From, To, Call-ID, CSeq and Route.
    fn start(&self, method: &str, cseq: u32, branch: &str, config: &EndpointConfig) -> Builder {
        let mut b = Builder::request(method, self.remote_target_uri())
            .header("Via", &via(config, self.transport, branch))
            .header("Max-Forwards", "70")
            .header("From", &self.local_party)
            .header("To", &self.remote_party)
            .header("Call-ID", &self.call_id)
            .header("CSeq", &format!("{cseq} {method}"));
        for route in &self.route_set {
            b = b.header("Route", &format!("<{}>", route.uri_text));
        }
        b
    }

    fn next_hop(&self) -> SocketAddr {
        if self.transport == Transport::Tcp {
            return self.peer;
        }
        let hop = self
            .route_set
            .first()
            .or(self.remote_target.as_ref())
            .map(|na| &na.uri);
        hop.and_then(|uri| usable_address(uri, self.peer))
            .unwrap_or(self.peer)
    }
}

/// The URI's address if its host is an IP literal we may send to directly.
fn usable_address(uri: &Uri, peer: SocketAddr) -> Option<SocketAddr> {
    let ip = uri.ip()?;
    let port = uri.port.unwrap_or(5060);
    (ip == peer.ip() || is_public(ip) || ip.is_loopback()).then_some(SocketAddr::new(ip, port))
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_loopback()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (s & 0xfe00) == 0xfc00
                || (s & 0xffc0) == 0xfe80)
        }
    }
}

/// The Via of a request we send: our address, `branch`, rport (RFC 3581).
pub(crate) fn via(config: &EndpointConfig, transport: Transport, branch: &str) -> String {
    let transport = match transport {
        Transport::Udp => "UDP",
        Transport::Tcp => "TCP",
    };
    format!("SIP/2.0/{transport} {};branch={branch};rport", config.local)
}

/// Our Contact: `<sip:hotline@local>`, with `;transport=tcp` on TCP.
pub(crate) fn contact(config: &EndpointConfig, transport: Transport) -> String {
    match transport {
        Transport::Udp => format!("<sip:hotline@{}>", config.local),
        Transport::Tcp => format!("<sip:hotline@{};transport=tcp>", config.local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(contact: &str, record_route: &str) -> Message {
        let text = format!(
            "INVITE sip:hotline@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5;branch=z9hG4bK1\r\n\
             From: <sip:100@example.com>;tag=r1\r\nTo: <sip:hotline@example.com>\r\nCall-ID: c1\r\n\
             CSeq: 7 INVITE\r\nContact: {contact}\r\n{record_route}Content-Length: 0\r\n\r\n"
        );
        Message::parse(text.as_bytes()).unwrap()
    }

    /// The dialog of a UDP INVITE from `peer` with `contact` and `record_route`, our tag l1.
    fn dialog(contact: &str, record_route: &str, peer: SocketAddr) -> Dialog {
        Dialog::from_invite(
            &invite(contact, record_route),
            "l1".into(),
            Transport::Udp,
            peer,
        )
        .unwrap()
    }

    fn config() -> EndpointConfig {
        EndpointConfig {
            local: "192.0.2.1:5060".parse().unwrap(),
            user_agent: "hotline".into(),
        }
    }

    #[test]
    fn private_contact_behind_nat_sends_to_the_source_address() {
        let peer: SocketAddr = "203.0.113.5:40000".parse().unwrap();
        let mut d = dialog("<sip:100@192.168.1.20:5062>", "", peer);
        let (_, hop) = d.request("BYE", "z9hG4bKb", &config());
        assert_eq!(hop, peer);
    }

    #[test]
    fn public_contact_is_the_next_hop_and_host_names_fall_back_to_source() {
        let peer: SocketAddr = "203.0.113.5:40000".parse().unwrap();
        let mut d = dialog("<sip:100@198.51.100.7:5070>", "", peer);
        assert_eq!(
            d.request("BYE", "z9hG4bKb", &config()).1,
            "198.51.100.7:5070".parse().unwrap()
        );
        let mut d = dialog("<sip:100@phone.example.com>", "", peer);
        assert_eq!(d.request("BYE", "z9hG4bKb", &config()).1, peer);
    }

    #[test]
    fn in_dialog_request_swaps_from_and_to_and_carries_the_route_set() {
        let peer: SocketAddr = "203.0.113.5:5060".parse().unwrap();
        let rr = "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n";
        let mut d = dialog("<sip:100@203.0.113.5>", rr, peer);
        let bytes = d.request("BYE", "z9hG4bKb", &config()).0.finish(None);
        let bye = Message::parse(&bytes).unwrap();
        assert_eq!(bye.header("From"), Some("<sip:hotline@example.com>;tag=l1"));
        assert_eq!(bye.to().unwrap().tag(), Some("r1"));
        assert_eq!(
            bye.header_values("Route"),
            vec!["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
        );
        assert_eq!(bye.cseq().unwrap().number, 2);
        assert!(d.matches("c1", "l1", "r1"));
        assert!(!d.accept_remote_cseq(6));
        assert!(d.accept_remote_cseq(8));
    }

    #[test]
    fn outgoing_dialog_is_established_by_the_2xx_with_the_record_route_reversed() {
        let phone: SocketAddr = "203.0.113.5:5062".parse().unwrap();
        let mut d = Dialog::from_outgoing(
            "c2".into(),
            "ours".into(),
            "<sip:075512345678@192.0.2.1>",
            "<sip:1001@192.0.2.1>".into(),
            "sip:1001@203.0.113.5:5062",
            Transport::Udp,
            phone,
        );
        let (_, hop) = d.request("INVITE", "z9hG4bKi", &config());
        assert_eq!(hop, phone);
        let ok = Message::parse(
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKi\r\n\
              From: <sip:075512345678@192.0.2.1>;tag=ours\r\nTo: <sip:1001@192.0.2.1>;tag=theirs\r\n\
              Call-ID: c2\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@203.0.113.5:5070>\r\n\
              Record-Route: <sip:198.51.100.1;lr>, <sip:198.51.100.2;lr>\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        d.establish(&ok);
        assert!(d.matches("c2", "ours", "theirs"));
        let (ack, hop) = d.ack(1, "z9hG4bKa", &config());
        let ack = Message::parse(&ack.finish(None)).unwrap();
        assert_eq!(hop, "198.51.100.2:5060".parse().unwrap());
        assert_eq!(ack.header("CSeq"), Some("1 ACK"));
        assert_eq!(
            ack.header_values("Route"),
            vec!["<sip:198.51.100.2;lr>", "<sip:198.51.100.1;lr>"]
        );
        let bye = Message::parse(&d.request("BYE", "z9hG4bKb", &config()).0.finish(None)).unwrap();
        assert_eq!(bye.header("CSeq"), Some("2 BYE"));
        assert_eq!(bye.header("To"), Some("<sip:1001@192.0.2.1>;tag=theirs"));
        assert_eq!(
            bye.header("From"),
            Some("<sip:075512345678@192.0.2.1>;tag=ours")
        );
    }
}
