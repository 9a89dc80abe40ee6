//! Endpoint tests, part 1: call setup, transactions and timers (fake clock).
//! Part 2 (`endpoint_tests_dialog`): in-dialog requests; part 3 (`endpoint_tests_input`):
//! routing and bad input; part 4 (`endpoint_tests_register`): REGISTER handed to the
//! registrar; part 5 (`endpoint_tests_outgoing`): outgoing calls. The shared helpers
//! live here.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::message::{Message, StartLine};
use super::*;

pub(super) const CALLER: &str = "198.51.100.7:5062";
pub(super) const SDP: &str = "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(super) fn endpoint() -> Endpoint {
    Endpoint::new(EndpointConfig {
        local: "192.0.2.1:5060".parse().unwrap(),
        user_agent: "hotline-test".into(),
    })
}

pub(super) fn caller() -> SocketAddr {
    CALLER.parse().unwrap()
}

/// A request from the caller: `headers` replace nothing, they are added after the basics.
pub(super) fn request(
    method: &str,
    branch: &str,
    to_tag: Option<&str>,
    cseq: u32,
    headers: &str,
    body: &str,
) -> String {
    let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    let cseq_method = if method == "ACK" && cseq == 0 {
        "ACK".to_string()
    } else {
        method.to_string()
    };
    format!(
        "{method} sip:hotline@192.0.2.1:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5062;branch={branch};rport\r\n\
         Max-Forwards: 70\r\nFrom: \"Alice\" <sip:+86 10-5555@example.com>;tag=caller1\r\n\
         To: <sip:hotline@192.0.2.1>{to_tag}\r\nCall-ID: call-1@example.com\r\n\
         CSeq: {cseq} {cseq_method}\r\nContact: <sip:alice@198.51.100.7:5062>\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

pub(super) fn invite(branch: &str) -> String {
    request(
        "INVITE",
        branch,
        None,
        1,
        "Content-Type: application/sdp\r\n",
        SDP,
    )
}

/// A request inside the call's dialog (our To tag `tag`), without headers or body.
pub(super) fn in_dialog(method: &str, branch: &str, tag: &str, cseq: u32) -> String {
    request(method, branch, Some(tag), cseq, "", "")
}

/// Hands `bytes` to the endpoint as received from `from` over `transport`.
pub(super) fn feed_from(
    ep: &mut Endpoint,
    transport: Transport,
    from: SocketAddr,
    bytes: &[u8],
    now: Instant,
) {
    ep.handle_input(
        Incoming {
            transport,
            from,
            bytes,
        },
        now,
    );
}

/// Hands `text` to the endpoint as a UDP datagram from the caller.
pub(super) fn feed(ep: &mut Endpoint, text: &str, now: Instant) {
    feed_from(ep, Transport::Udp, caller(), text.as_bytes(), now);
}

pub(super) fn drain(ep: &mut Endpoint) -> Vec<Output> {
    std::iter::from_fn(|| ep.poll_output()).collect()
}

/// Feeds `text` from the caller and returns everything the endpoint then outputs.
pub(super) fn exchange(ep: &mut Endpoint, text: &str, now: Instant) -> Vec<Output> {
    feed(ep, text, now);
    drain(ep)
}

/// The messages sent, parsed, with where they went.
pub(super) fn sent(outputs: &[Output]) -> Vec<(SocketAddr, Message)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Transmit { to, bytes, .. } => Some((
                *to,
                Message::parse(bytes).expect("we send parseable messages"),
            )),
            Output::Event(_) | Output::Registration(_) => None,
        })
        .collect()
}

pub(super) fn events(outputs: &[Output]) -> Vec<CallEvent> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e.clone()),
            Output::Transmit { .. } | Output::Registration(_) => None,
        })
        .collect()
}

pub(super) fn status(msg: &Message) -> u16 {
    match msg.start {
        StartLine::Response { code, .. } => code,
        StartLine::Request { .. } => 0,
    }
}

/// The status codes of the responses sent.
pub(super) fn statuses(outputs: &[Output]) -> Vec<u16> {
    sent(outputs)
        .iter()
        .map(|(_, m)| status(m))
        .filter(|c| *c != 0)
        .collect()
}

/// Our To tag in `msg`, a response we sent.
pub(super) fn to_tag(msg: &Message) -> String {
    msg.to().unwrap().tag().unwrap().to_string()
}

/// Feeds an INVITE; returns the handle of the one `Incoming` call it reports.
pub(super) fn incoming_call(ep: &mut Endpoint, t0: Instant) -> CallHandle {
    match events(&exchange(ep, &invite("z9hG4bKinv1"), t0)).first() {
        Some(CallEvent::Incoming { call, .. }) => *call,
        other => panic!("expected Incoming, got {other:?}"),
    }
}

/// Answers `call` with `sdp`; returns our To tag from the 200.
pub(super) fn answer(ep: &mut Endpoint, call: CallHandle, sdp: &str, now: Instant) -> String {
    ep.answer(call, sdp.into(), now);
    to_tag(&sent(&drain(ep))[0].1)
}

/// An incoming call, answered and confirmed at `t0`; returns its handle and our To tag.
pub(super) fn confirmed_call(ep: &mut Endpoint, t0: Instant) -> (CallHandle, String) {
    let call = incoming_call(ep, t0);
    let tag = answer(ep, call, "v=0 answer", t0);
    let out = exchange(ep, &in_dialog("ACK", "z9hG4bKack1", &tag, 1), t0);
    assert_eq!(events(&out), vec![CallEvent::Confirmed { call }]);
    (call, tag)
}

#[test]
fn invite_gets_100_trying_immediately_and_one_incoming_event() {
    let mut ep = endpoint();
    let out = exchange(&mut ep, &invite("z9hG4bKinv1"), Instant::now());
    assert_eq!(statuses(&out), vec![100]);
    match &events(&out)[..] {
        [CallEvent::Incoming {
            caller,
            called,
            offer,
            signalling_from,
            call_id,
            ..
        }] => {
            assert_eq!(caller, "+86105555");
            assert_eq!(called, "hotline");
            assert_eq!(offer, SDP.as_bytes());
            assert_eq!(*signalling_from, super::endpoint_tests::caller());
            assert_eq!(call_id, "call-1@example.com");
        }
        other => panic!("unexpected events {other:?}"),
    }
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn caller_number_comes_from_p_asserted_identity_tel_uri() {
    let mut ep = endpoint();
    let pai = "P-Asserted-Identity: \"Bob\" <tel:+86-10-1234-5678>, <sip:bob@example.com>\r\n";
    let invite = request("INVITE", "z9hG4bKpai", None, 1, pai, "");
    match &events(&exchange(&mut ep, &invite, Instant::now()))[..] {
        [CallEvent::Incoming { caller, offer, .. }] => {
            assert_eq!(caller, "+861012345678");
            assert!(offer.is_empty());
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn invite_retransmission_is_absorbed_and_gets_the_last_response() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    let out = exchange(&mut ep, &invite("z9hG4bKinv1"), t0 + ms(400));
    assert_eq!(statuses(&out), vec![100]);
    assert!(events(&out).is_empty(), "never a second Incoming");
    ep.answer(call, "v=0 answer".into(), t0 + ms(500));
    drain(&mut ep);
    let out = exchange(&mut ep, &invite("z9hG4bKinv1"), t0 + ms(600));
    assert_eq!(statuses(&out), vec![200]);
    assert!(events(&out).is_empty());
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn answer_sends_200_with_sdp_contact_to_tag_and_ack_confirms() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    ep.answer(call, "v=0 answer".into(), t0);
    let out = drain(&mut ep);
    let (to, ok) = &sent(&out)[0];
    assert_eq!(*to, caller());
    assert_eq!(status(ok), 200);
    assert!(ok.to().unwrap().tag().is_some_and(|t| t.len() >= 8));
    assert_eq!(ok.header("Contact"), Some("<sip:hotline@192.0.2.1:5060>"));
    assert_eq!(ok.content_type().as_deref(), Some("application/sdp"));
    assert_eq!(ok.body, b"v=0 answer");
    assert_eq!(ok.header("Server"), Some("hotline-test"));
    assert!(ok
        .header("Allow")
        .is_some_and(|a| a.contains("INVITE") && a.contains("BYE")));
    let ack = in_dialog("ACK", "z9hG4bKack1", &to_tag(ok), 1);
    let out = exchange(&mut ep, &ack, t0 + ms(10));
    assert_eq!(events(&out), vec![CallEvent::Confirmed { call }]);
    let out = exchange(&mut ep, &ack, t0 + ms(20));
    assert!(out.is_empty(), "a repeated ACK is silent");
}

#[test]
fn ok_is_retransmitted_with_doubling_intervals_capped_at_t2_until_ack() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    let tag = answer(&mut ep, call, "v=0 answer", t0);
    let mut sends = Vec::new();
    while let Some(at) = ep.poll_timeout().filter(|at| *at <= t0 + ms(16_000)) {
        ep.handle_timeout(at);
        if statuses(&drain(&mut ep)) == vec![200] {
            sends.push((at - t0).as_millis());
        }
    }
    assert_eq!(sends, vec![500, 1500, 3500, 7500, 11500, 15500]);
    let ack = in_dialog("ACK", "z9hG4bKack1", &tag, 1);
    let out = exchange(&mut ep, &ack, t0 + ms(16_000));
    assert_eq!(events(&out), vec![CallEvent::Confirmed { call }]);
    ep.handle_timeout(t0 + ms(20_000));
    assert!(drain(&mut ep).is_empty(), "no retransmission after the ACK");
}

#[test]
fn no_ack_after_64_t1_ends_the_call_with_bye() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    ep.answer(call, "v=0 answer".into(), t0);
    drain(&mut ep);
    ep.handle_timeout(t0 + ms(31_999));
    assert!(events(&drain(&mut ep)).is_empty());
    ep.handle_timeout(t0 + ms(32_000));
    let out = drain(&mut ep);
    assert_eq!(
        events(&out),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::NoAck
        }]
    );
    let bye = sent(&out)
        .into_iter()
        .find(|(_, m)| m.method() == Some("BYE"))
        .expect("a BYE");
    assert_eq!(bye.0, caller());
    assert_eq!(ep.active_calls(), 0);
}

#[test]
fn cancel_before_answer_sends_200_and_487() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    let cancel = request("CANCEL", "z9hG4bKinv1", None, 1, "", "");
    let out = exchange(&mut ep, &cancel, t0 + ms(100));
    let msgs = sent(&out);
    assert_eq!(statuses(&out), vec![200, 487]);
    assert_eq!(msgs[0].1.cseq().unwrap().method, "CANCEL");
    assert_eq!(msgs[1].1.cseq().unwrap().method, "INVITE");
    assert_eq!(events(&out), vec![CallEvent::Cancelled { call }]);
    assert_eq!(ep.active_calls(), 0);
    // The 487 is retransmitted (timer G) until the ACK, which is absorbed.
    ep.handle_timeout(t0 + ms(600));
    assert_eq!(statuses(&drain(&mut ep)), vec![487]);
    let ack = in_dialog("ACK", "z9hG4bKinv1", &to_tag(&msgs[1].1), 1);
    assert!(exchange(&mut ep, &ack, t0 + ms(700)).is_empty());
    ep.handle_timeout(t0 + ms(5000));
    assert!(drain(&mut ep).is_empty(), "no 487 after the ACK");
    ep.answer(call, "late".into(), t0 + ms(800));
    assert!(
        drain(&mut ep).is_empty(),
        "answering a cancelled call does nothing"
    );
}

#[test]
fn cancel_matching_nothing_gets_481() {
    let mut ep = endpoint();
    let cancel = request("CANCEL", "z9hG4bKnothing", None, 1, "", "");
    assert_eq!(
        statuses(&exchange(&mut ep, &cancel, Instant::now())),
        vec![481]
    );
}

#[test]
fn reject_sends_the_final_status_and_absorbs_the_ack() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    ep.reject(call, 488, t0);
    let out = drain(&mut ep);
    assert_eq!(statuses(&out), vec![488]);
    assert_eq!(
        events(&out),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::Rejected { status: 488 }
        }]
    );
    let ack = in_dialog("ACK", "z9hG4bKinv1", &to_tag(&sent(&out)[0].1), 1);
    assert!(exchange(&mut ep, &ack, t0 + ms(50)).is_empty());
}
