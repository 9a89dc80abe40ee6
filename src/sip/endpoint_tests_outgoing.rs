//! Endpoint tests, part 5: outgoing calls (`Endpoint::invite`): the INVITE, its
//! responses and ACKs, CANCEL, timers A and B, forking, Record-Route, and the phone's
//! requests in the dialog.

use std::net::SocketAddr;
use std::time::Instant;

use super::endpoint_tests::{drain, endpoint, events, feed_from, ms, sent, status, SDP};
use super::message::{reason_phrase, Message};
use super::*;

const PHONE: &str = "203.0.113.5:5062";
const PHONE_TAG: &str = "phone1";
const ANSWER: &str = "v=0\r\no=- 2 2 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";
/// The Contact of the phone's 2xx.
const PHONE_CONTACT: &str = "<sip:1001@203.0.113.5:5070>";

fn phone() -> SocketAddr {
    PHONE.parse().unwrap()
}

fn outgoing() -> OutgoingInvite {
    OutgoingInvite {
        request_uri: "sip:1001@203.0.113.5:5062;transport=udp".into(),
        destination: phone(),
        transport: Transport::Udp,
        from: "\"075512345678\" <sip:075512345678@192.0.2.1:5060>".into(),
        to: "<sip:1001@192.0.2.1>".into(),
        sdp: SDP.into(),
        headers: vec![
            (
                "Call-Info".into(),
                "<http://hotline.invalid/tickets/7>;purpose=info".into(),
            ),
            ("X-Hotline-Ticket".into(), "7".into()),
        ],
    }
}

/// Calls the phone at `t0`; the handle and the INVITE as sent (with where it went).
fn call_phone(ep: &mut Endpoint, t0: Instant) -> (CallHandle, SocketAddr, Message) {
    let call = ep.invite(outgoing(), t0);
    let out = drain(ep);
    assert!(events(&out).is_empty());
    let (to, invite) = sent(&out).remove(0);
    (call, to, invite)
}

/// A call to the phone that has rung (180 with the phone's tag at `t0`), and its INVITE.
fn ringing_phone(ep: &mut Endpoint, t0: Instant) -> (CallHandle, Message) {
    let (call, _, invite) = call_phone(ep, t0);
    from_phone(ep, &response(&invite, 180, Some(PHONE_TAG), "", ""), t0);
    (call, invite)
}

/// The phone's response `code` to `req` (one of our requests), To tag added when given.
fn response(req: &Message, code: u16, to_tag: Option<&str>, extra: &str, body: &str) -> String {
    let to = req.header("To").unwrap();
    let to = match to_tag {
        Some(tag) => format!("{to};tag={tag}"),
        None => to.to_string(),
    };
    format!(
        "SIP/2.0 {code} {}\r\nVia: {}\r\nFrom: {}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {}\r\n\
         {extra}Content-Length: {}\r\n\r\n{body}",
        reason_phrase(code),
        req.header("Via").unwrap(),
        req.header("From").unwrap(),
        req.call_id().unwrap(),
        req.header("CSeq").unwrap(),
        body.len()
    )
}

/// The phone's 200 to our INVITE with To tag `tag`, its Contact and `extra`, with the answer.
fn ok(invite: &Message, tag: &str, extra: &str) -> String {
    let extra = format!("Contact: {PHONE_CONTACT}\r\n{extra}Content-Type: application/sdp\r\n");
    response(invite, 200, Some(tag), &extra, ANSWER)
}

/// Feeds `text` from the phone; everything the endpoint then outputs.
fn from_phone(ep: &mut Endpoint, text: &str, now: Instant) -> Vec<Output> {
    feed_from(ep, Transport::Udp, phone(), text.as_bytes(), now);
    drain(ep)
}

/// A request from the phone inside the dialog of our `invite` (answered with PHONE_TAG).
fn phone_request(invite: &Message, method: &str, cseq: u32, extra: &str, body: &str) -> String {
    format!(
        "{method} sip:hotline@192.0.2.1:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bKphone{cseq};rport\r\n\
         Max-Forwards: 70\r\nFrom: {};tag={PHONE_TAG}\r\nTo: {}\r\nCall-ID: {}\r\n\
         CSeq: {cseq} {method}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        invite.header("To").unwrap(),
        invite.header("From").unwrap(),
        invite.call_id().unwrap(),
        body.len()
    )
}

fn branch(msg: &Message) -> String {
    msg.top_via().unwrap().branch().unwrap().to_string()
}

fn request_uri(msg: &Message) -> &str {
    match &msg.start {
        message::StartLine::Request { uri, .. } => uri,
        message::StartLine::Response { .. } => "",
    }
}

/// The one request sent with `method`, with where it went.
fn the_request(out: &[Output], method: &str) -> (SocketAddr, Message) {
    let mut found: Vec<_> = sent(out)
        .into_iter()
        .filter(|(_, m)| m.method() == Some(method))
        .collect();
    assert_eq!(found.len(), 1, "one {method} in {out:?}");
    found.remove(0)
}

fn ended(call: CallHandle, reason: EndReason) -> Vec<CallEvent> {
    vec![CallEvent::Ended { call, reason }]
}

/// An answered outgoing call at `t0`: handle, the INVITE, and the ACK sent for the 200.
fn answered_call(ep: &mut Endpoint, t0: Instant, extra: &str) -> (CallHandle, Message, Message) {
    let (call, _, invite) = call_phone(ep, t0);
    let out = from_phone(ep, &ok(&invite, PHONE_TAG, extra), t0 + ms(10));
    assert_eq!(
        events(&out),
        vec![CallEvent::Answered {
            call,
            answer: ANSWER.as_bytes().to_vec()
        }]
    );
    let (_, ack) = the_request(&out, "ACK");
    (call, invite, ack)
}

#[test]
fn invite_carries_the_offer_our_headers_and_the_extra_ones() {
    let mut ep = endpoint();
    let (_, to, invite) = call_phone(&mut ep, Instant::now());
    assert_eq!(to, phone());
    assert_eq!(invite.method(), Some("INVITE"));
    assert_eq!(
        request_uri(&invite),
        "sip:1001@203.0.113.5:5062;transport=udp"
    );
    assert!(branch(&invite).starts_with("z9hG4bK"));
    let from = invite.from().unwrap();
    assert_eq!(from.uri.user.as_deref(), Some("075512345678"));
    assert!(from.tag().is_some_and(|t| t.len() >= 8));
    assert_eq!(invite.header("To"), Some("<sip:1001@192.0.2.1>"));
    assert!(invite.call_id().is_some_and(|id| id.len() >= 16));
    assert_eq!(invite.header("CSeq"), Some("1 INVITE"));
    assert_eq!(invite.header("Max-Forwards"), Some("70"));
    assert_eq!(
        invite.header("Contact"),
        Some("<sip:hotline@192.0.2.1:5060>")
    );
    assert!(invite.header("Allow").is_some_and(|a| a.contains("BYE")));
    assert_eq!(invite.header("Supported"), Some("timer"));
    assert_eq!(invite.header("User-Agent"), Some("hotline-test"));
    assert_eq!(invite.content_type().as_deref(), Some("application/sdp"));
    assert_eq!(invite.body, SDP.as_bytes());
    assert_eq!(
        invite.header("Call-Info"),
        Some("<http://hotline.invalid/tickets/7>;purpose=info")
    );
    assert_eq!(invite.header("X-Hotline-Ticket"), Some("7"));
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn ringing_answer_ack_retransmitted_2xx_and_the_phones_bye() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, invite) = call_phone(&mut ep, t0);
    let trying = response(&invite, 100, None, "", "");
    assert!(from_phone(&mut ep, &trying, t0 + ms(5)).is_empty());
    let ringing = response(&invite, 180, Some(PHONE_TAG), "", "");
    let progress = |status| vec![CallEvent::Progress { call, status }];
    assert_eq!(
        events(&from_phone(&mut ep, &ringing, t0 + ms(6))),
        progress(180)
    );
    assert!(
        from_phone(&mut ep, &ringing, t0 + ms(7)).is_empty(),
        "180 once"
    );
    let early_media = response(&invite, 183, Some(PHONE_TAG), "", "");
    assert_eq!(
        events(&from_phone(&mut ep, &early_media, t0 + ms(8))),
        progress(183)
    );
    ep.handle_timeout(t0 + ms(600));
    assert!(drain(&mut ep).is_empty(), "no timer A once proceeding");

    let out = from_phone(&mut ep, &ok(&invite, PHONE_TAG, ""), t0 + ms(10));
    assert_eq!(
        events(&out),
        vec![CallEvent::Answered {
            call,
            answer: ANSWER.as_bytes().to_vec()
        }]
    );
    let (to, ack) = the_request(&out, "ACK");
    assert_eq!(
        to,
        "203.0.113.5:5070".parse().unwrap(),
        "to the 2xx's Contact"
    );
    assert_eq!(request_uri(&ack), "sip:1001@203.0.113.5:5070");
    assert_eq!(ack.header("CSeq"), Some("1 ACK"));
    assert_ne!(
        branch(&ack),
        branch(&invite),
        "a 2xx ACK is a new transaction"
    );
    assert_eq!(ack.to().unwrap().tag(), Some(PHONE_TAG));
    assert_eq!(ack.header("From"), invite.header("From"));
    assert_eq!(ack.call_id(), invite.call_id());

    let again = from_phone(&mut ep, &ok(&invite, PHONE_TAG, ""), t0 + ms(510));
    assert!(events(&again).is_empty());
    assert_eq!(
        the_request(&again, "ACK").1.header("Via"),
        ack.header("Via")
    );

    let bye = phone_request(&invite, "BYE", 1, "", "");
    let out = from_phone(&mut ep, &bye, t0 + ms(2000));
    assert_eq!(
        sent(&out)
            .iter()
            .map(|(_, m)| status(m))
            .collect::<Vec<_>>(),
        vec![200]
    );
    assert_eq!(events(&out), ended(call, EndReason::RemoteBye));
    assert_eq!(ep.active_calls(), 0);
}

#[test]
fn hangup_after_the_answer_sends_bye_and_its_200_ends_the_call() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, invite, _) = answered_call(&mut ep, t0, "");
    ep.hangup(call, t0 + ms(100));
    let out = drain(&mut ep);
    let (to, bye) = the_request(&out, "BYE");
    assert_eq!(to, "203.0.113.5:5070".parse().unwrap());
    assert_eq!(bye.header("CSeq"), Some("2 BYE"));
    assert_eq!(bye.header("From"), invite.header("From"));
    assert_eq!(bye.to().unwrap().tag(), Some(PHONE_TAG));
    assert!(events(&out).is_empty());
    let out = from_phone(&mut ep, &response(&bye, 200, None, "", ""), t0 + ms(150));
    assert_eq!(
        events(&out),
        ended(call, EndReason::LocalBye { status: 200 })
    );
}

#[test]
fn busy_is_acked_in_the_transaction_and_refuses_the_call() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, invite) = call_phone(&mut ep, t0);
    let busy = response(&invite, 486, Some(PHONE_TAG), "", "");
    let out = from_phone(&mut ep, &busy, t0 + ms(20));
    assert_eq!(
        events(&out),
        ended(call, EndReason::Refused { status: 486 })
    );
    let (to, ack) = the_request(&out, "ACK");
    assert_eq!(to, phone());
    assert_eq!(branch(&ack), branch(&invite), "same branch as the INVITE");
    assert_eq!(ack.header("CSeq"), Some("1 ACK"));
    assert_eq!(ack.to().unwrap().tag(), Some(PHONE_TAG));
    assert_eq!(request_uri(&ack), request_uri(&invite));
    let again = from_phone(&mut ep, &busy, t0 + ms(520));
    assert!(events(&again).is_empty(), "Ended once");
    assert_eq!(
        the_request(&again, "ACK").1.header("Via"),
        ack.header("Via")
    );
    ep.handle_timeout(t0 + ms(40_000));
    assert!(
        drain(&mut ep).is_empty(),
        "no INVITE retransmission after the final"
    );
}

#[test]
fn timer_a_retransmits_the_invite_and_timer_b_ends_the_call_with_408() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, invite) = call_phone(&mut ep, t0);
    let mut sends = Vec::new();
    let mut end = Vec::new();
    while let Some(at) = ep.poll_timeout() {
        ep.handle_timeout(at);
        let out = drain(&mut ep);
        for (to, msg) in sent(&out) {
            assert_eq!((to, msg.header("Via")), (phone(), invite.header("Via")));
            sends.push((at - t0).as_millis());
        }
        end.extend(events(&out).into_iter().map(|e| ((at - t0).as_millis(), e)));
    }
    assert_eq!(sends, vec![500, 1500, 3500, 7500, 15500, 31500]);
    let reason = EndReason::Refused { status: 408 };
    assert_eq!(end, vec![(32_000, CallEvent::Ended { call, reason })]);
    assert_eq!(ep.active_calls(), 0);
}

#[test]
fn hangup_while_ringing_cancels_and_the_487_ends_the_call() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, invite) = ringing_phone(&mut ep, t0);
    ep.hangup(call, t0 + ms(100));
    let out = drain(&mut ep);
    let (to, cancel) = the_request(&out, "CANCEL");
    assert_eq!(to, phone());
    assert_eq!(branch(&cancel), branch(&invite));
    assert_eq!(cancel.header("CSeq"), Some("1 CANCEL"));
    assert_eq!(request_uri(&cancel), request_uri(&invite));
    assert_eq!(cancel.header("To"), invite.header("To"));
    assert_eq!(cancel.header("From"), invite.header("From"));
    assert!(events(&out).is_empty());
    ep.hangup(call, t0 + ms(110));
    assert!(drain(&mut ep).is_empty(), "one CANCEL");
    let cancel_ok = response(&cancel, 200, Some(PHONE_TAG), "", "");
    assert!(from_phone(&mut ep, &cancel_ok, t0 + ms(120)).is_empty());
    let terminated = response(&invite, 487, Some(PHONE_TAG), "", "");
    let out = from_phone(&mut ep, &terminated, t0 + ms(130));
    assert_eq!(branch(&the_request(&out, "ACK").1), branch(&invite));
    assert_eq!(
        events(&out),
        ended(call, EndReason::Refused { status: 487 })
    );
}

#[test]
fn hangup_before_any_provisional_waits_for_one_to_cancel() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, invite) = call_phone(&mut ep, t0);
    ep.hangup(call, t0 + ms(100));
    assert!(drain(&mut ep).is_empty(), "no CANCEL before a provisional");
    let trying = response(&invite, 100, None, "", "");
    let out = from_phone(&mut ep, &trying, t0 + ms(200));
    assert_eq!(branch(&the_request(&out, "CANCEL").1), branch(&invite));
    let ringing = response(&invite, 180, Some(PHONE_TAG), "", "");
    assert!(
        from_phone(&mut ep, &ringing, t0 + ms(300)).is_empty(),
        "no Progress after hangup, no second CANCEL"
    );
}

#[test]
fn a_2xx_crossing_the_cancel_is_acked_then_byed() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, invite) = ringing_phone(&mut ep, t0);
    ep.hangup(call, t0 + ms(100));
    drain(&mut ep);
    let out = from_phone(&mut ep, &ok(&invite, PHONE_TAG, ""), t0 + ms(110));
    assert!(events(&out).is_empty(), "never Answered");
    let (_, ack) = the_request(&out, "ACK");
    let (to, bye) = the_request(&out, "BYE");
    assert_eq!(ack.header("CSeq"), Some("1 ACK"));
    assert_eq!(bye.header("CSeq"), Some("2 BYE"));
    assert_eq!(to, "203.0.113.5:5070".parse().unwrap());
    let out = from_phone(&mut ep, &response(&bye, 200, None, "", ""), t0 + ms(150));
    assert_eq!(
        events(&out),
        ended(call, EndReason::LocalBye { status: 200 })
    );
}

#[test]
fn record_route_reversed_is_the_route_set_of_ack_and_bye() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let rr = "Record-Route: <sip:198.51.100.1;lr>, <sip:198.51.100.2:5070;lr>\r\n";
    let (call, invite, ack) = answered_call(&mut ep, t0, rr);
    let routes = vec!["<sip:198.51.100.2:5070;lr>", "<sip:198.51.100.1;lr>"];
    assert_eq!(ack.header_values("Route"), routes);
    assert_eq!(request_uri(&ack), "sip:1001@203.0.113.5:5070");
    let again = from_phone(&mut ep, &ok(&invite, PHONE_TAG, rr), t0 + ms(500));
    assert_eq!(
        the_request(&again, "ACK").0,
        "198.51.100.2:5070".parse().unwrap()
    );
    ep.hangup(call, t0 + ms(1000));
    let (to, bye) = the_request(&drain(&mut ep), "BYE");
    assert_eq!(
        to,
        "198.51.100.2:5070".parse().unwrap(),
        "to the first route"
    );
    assert_eq!(bye.header_values("Route"), routes);
}

#[test]
fn an_extra_2xx_from_another_fork_is_acked_and_byed_alone() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, invite, _) = answered_call(&mut ep, t0, "");
    let out = from_phone(&mut ep, &ok(&invite, "fork2", ""), t0 + ms(20));
    assert!(events(&out).is_empty());
    let (_, ack) = the_request(&out, "ACK");
    let (_, bye) = the_request(&out, "BYE");
    assert_eq!(ack.to().unwrap().tag(), Some("fork2"));
    assert_eq!(bye.to().unwrap().tag(), Some("fork2"));
    let out = from_phone(&mut ep, &response(&bye, 200, None, "", ""), t0 + ms(30));
    assert!(events(&out).is_empty(), "the answered call goes on");
    assert_eq!(ep.active_calls(), 1);
    let info = phone_request(
        &invite,
        "INFO",
        1,
        "Content-Type: application/dtmf-relay\r\n",
        "Signal=5\r\nDuration=160\r\n",
    );
    let out = from_phone(&mut ep, &info, t0 + ms(40));
    let key = crate::media::Key::from_char('5').unwrap();
    assert_eq!(events(&out), vec![CallEvent::Key { call, key }]);
}

#[test]
fn re_invite_from_the_phone_is_offered_to_the_integrator() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, invite, _) = answered_call(&mut ep, t0, "");
    let reinvite = phone_request(
        &invite,
        "INVITE",
        2,
        "Contact: <sip:1001@203.0.113.5:5070>\r\nContent-Type: application/sdp\r\n",
        ANSWER,
    );
    let out = from_phone(&mut ep, &reinvite, t0 + ms(50));
    let offer = ANSWER.as_bytes().to_vec();
    assert_eq!(events(&out), vec![CallEvent::Reoffer { call, offer }]);
}

#[test]
fn over_tcp_nothing_is_retransmitted_and_a_challenge_refuses_the_call() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let tcp = OutgoingInvite {
        request_uri: "sip:1001@198.51.100.9:5062;transport=tcp".into(),
        transport: Transport::Tcp,
        ..outgoing()
    };
    let call = ep.invite(tcp, t0);
    let out = drain(&mut ep);
    let Some(Output::Transmit { transport, to, .. }) = out.first() else {
        panic!("expected the INVITE, got {out:?}");
    };
    assert_eq!((*transport, *to), (Transport::Tcp, phone()));
    let invite = sent(&out).remove(0).1;
    assert!(invite.header("Via").unwrap().starts_with("SIP/2.0/TCP "));
    assert_eq!(
        invite.header("Contact"),
        Some("<sip:hotline@192.0.2.1:5060;transport=tcp>")
    );
    assert_eq!(ep.poll_timeout(), Some(t0 + ms(32_000)), "only timer B");
    let challenge = response(&invite, 407, Some(PHONE_TAG), "", "");
    feed_from(
        &mut ep,
        Transport::Tcp,
        phone(),
        challenge.as_bytes(),
        t0 + ms(10),
    );
    let out = drain(&mut ep);
    assert_eq!(
        events(&out),
        ended(call, EndReason::Refused { status: 407 })
    );
    assert_eq!(the_request(&out, "ACK").0, phone());
}

#[test]
fn no_final_response_within_64_t1_of_the_cancel_ends_the_call_with_408() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _) = ringing_phone(&mut ep, t0);
    ep.hangup(call, t0 + ms(1000));
    drain(&mut ep);
    ep.handle_timeout(t0 + ms(32_999));
    assert!(events(&drain(&mut ep)).is_empty());
    ep.handle_timeout(t0 + ms(33_000));
    let reason = EndReason::Refused { status: 408 };
    assert_eq!(events(&drain(&mut ep)), ended(call, reason));
    assert_eq!(ep.active_calls(), 0);
}
