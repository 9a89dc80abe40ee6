//! Endpoint tests, part 2: requests inside a confirmed call (BYE both ways, INFO DTMF,
//! re-INVITE, REFER and its NOTIFYs, OPTIONS) on a fake clock.

use std::time::Instant;

use super::endpoint_tests::{
    answer, caller, confirmed_call, drain, endpoint, events, exchange, feed, in_dialog,
    incoming_call, ms, request, sent, status, statuses, SDP,
};
use super::*;
use crate::media::Key;

/// A response from the caller to the request `req` we sent.
fn answer_to(req: &super::message::Message, code: u16) -> String {
    format!(
        "SIP/2.0 {code} X\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {}\r\nContent-Length: 0\r\n\r\n",
        req.header("Via").unwrap(),
        req.header("From").unwrap(),
        req.header("To").unwrap(),
        req.call_id().unwrap(),
        req.header("CSeq").unwrap()
    )
}

fn info(tag: &str, branch: &str, cseq: u32, content_type: &str, body: &str) -> String {
    request(
        "INFO",
        branch,
        Some(tag),
        cseq,
        &format!("Content-Type: {content_type}\r\n"),
        body,
    )
}

/// A re-INVITE in the call's dialog (our To tag `tag`) offering `sdp`.
fn reinvite(tag: &str, branch: &str, cseq: u32, sdp: &str) -> String {
    request(
        "INVITE",
        branch,
        Some(tag),
        cseq,
        "Content-Type: application/sdp\r\n",
        sdp,
    )
}

#[test]
fn bye_from_caller_gets_200_and_ends_the_call() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    let bye = in_dialog("BYE", "z9hG4bKbye", &tag, 2);
    let out = exchange(&mut ep, &bye, t0 + ms(10));
    assert_eq!(statuses(&out), vec![200]);
    assert_eq!(
        events(&out),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::RemoteBye
        }]
    );
    assert_eq!(ep.active_calls(), 0);
    let out = exchange(&mut ep, &bye, t0 + ms(20));
    assert_eq!(
        statuses(&out),
        vec![200],
        "a retransmitted BYE gets the same 200"
    );
    assert!(events(&out).is_empty());
}

#[test]
fn bye_in_unknown_dialog_gets_481() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    confirmed_call(&mut ep, t0);
    let bye = in_dialog("BYE", "z9hG4bKbye", "not-our-tag", 2);
    assert_eq!(statuses(&exchange(&mut ep, &bye, t0)), vec![481]);
    let untagged = request("INFO", "z9hG4bKinfo", None, 2, "", "");
    assert_eq!(
        statuses(&exchange(&mut ep, &untagged, t0)),
        vec![481],
        "no To tag outside INVITE/OPTIONS"
    );
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn hangup_sends_bye_retransmitted_by_timer_e_and_ends_on_its_response() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    ep.hangup(call, t0 + ms(1000));
    let (to, bye) = sent(&drain(&mut ep))[0].clone();
    assert_eq!(to, caller());
    assert_eq!(bye.method(), Some("BYE"));
    assert_eq!(
        bye.header("From")
            .map(|f| f.ends_with(&format!(";tag={tag}"))),
        Some(true)
    );
    assert_eq!(bye.to().unwrap().tag(), Some("caller1"));
    assert!(bye
        .top_via()
        .unwrap()
        .branch()
        .unwrap()
        .starts_with("z9hG4bK"));
    ep.handle_timeout(t0 + ms(1500));
    assert_eq!(sent(&drain(&mut ep))[0].1.method(), Some("BYE"));
    feed(&mut ep, &answer_to(&bye, 200), t0 + ms(1600));
    assert_eq!(
        events(&drain(&mut ep)),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::LocalBye { status: 200 }
        }]
    );
    assert_eq!(ep.active_calls(), 0);
}

#[test]
fn bye_without_response_ends_the_call_after_timer_f() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _) = confirmed_call(&mut ep, t0);
    ep.hangup(call, t0);
    drain(&mut ep);
    ep.handle_timeout(t0 + ms(32_000));
    let out = drain(&mut ep);
    assert_eq!(
        events(&out),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::LocalBye { status: 408 }
        }]
    );
}

#[test]
fn hangup_before_the_ack_waits_for_it_then_sends_bye() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    let tag = answer(&mut ep, call, "v=0", t0);
    ep.hangup(call, t0 + ms(10));
    assert!(drain(&mut ep).is_empty(), "no BYE before the ACK");
    let ack = in_dialog("ACK", "z9hG4bKack", &tag, 1);
    let out = exchange(&mut ep, &ack, t0 + ms(20));
    assert_eq!(events(&out), vec![CallEvent::Confirmed { call }]);
    assert_eq!(sent(&out)[0].1.method(), Some("BYE"));
}

#[test]
fn hangup_before_the_answer_rejects_with_480() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let call = incoming_call(&mut ep, t0);
    ep.hangup(call, t0);
    let out = drain(&mut ep);
    assert_eq!(statuses(&out), vec![480]);
    assert_eq!(
        events(&out),
        vec![CallEvent::Ended {
            call,
            reason: EndReason::Rejected { status: 480 }
        }]
    );
}

#[test]
fn options_gets_200_with_allow_and_accept_in_or_out_of_dialog() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let options = request("OPTIONS", "z9hG4bKopt1", None, 1, "", "");
    let (_, ok) = sent(&exchange(&mut ep, &options, t0))[0].clone();
    assert_eq!(status(&ok), 200);
    assert!(ok
        .header("Allow")
        .is_some_and(|a| a.contains("INVITE") && a.contains("INFO")));
    assert_eq!(
        ok.header("Accept"),
        Some("application/sdp, application/dtmf-relay, application/dtmf")
    );
    let (_, tag) = confirmed_call(&mut ep, t0);
    let options = in_dialog("OPTIONS", "z9hG4bKopt2", &tag, 5);
    assert_eq!(statuses(&exchange(&mut ep, &options, t0)), vec![200]);
}

#[test]
fn info_dtmf_relay_reports_key() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    let relay = "application/dtmf-relay";
    let five = info(&tag, "z9hG4bKi1", 2, relay, "Signal=5\r\nDuration=160\r\n");
    let out = exchange(&mut ep, &five, t0);
    assert_eq!(statuses(&out), vec![200]);
    assert_eq!(
        events(&out),
        vec![CallEvent::Key {
            call,
            key: Key::from_char('5').unwrap()
        }]
    );
    let star = info(&tag, "z9hG4bKi2", 3, relay, "signal= *\r\nDuration=100\r\n");
    assert_eq!(
        events(&exchange(&mut ep, &star, t0)),
        vec![CallEvent::Key {
            call,
            key: Key::from_char('*').unwrap()
        }]
    );
    let hash = info(&tag, "z9hG4bKi3", 4, relay, "Signal=11\r\n");
    assert_eq!(
        events(&exchange(&mut ep, &hash, t0)),
        vec![CallEvent::Key {
            call,
            key: Key::from_char('#').unwrap()
        }]
    );
}

#[test]
fn info_application_dtmf_reports_key() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    for (i, c) in ['5', '#', 'A', 'd'].into_iter().enumerate() {
        let out = exchange(
            &mut ep,
            &info(
                &tag,
                &format!("z9hG4bKd{i}"),
                2 + i as u32,
                "application/dtmf",
                &c.to_string(),
            ),
            t0,
        );
        assert_eq!(statuses(&out), vec![200]);
        assert_eq!(
            events(&out),
            vec![CallEvent::Key {
                call,
                key: Key::from_char(c).unwrap()
            }]
        );
    }
}

#[test]
fn info_with_other_content_gets_415_and_bad_dtmf_gets_400() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (_, tag) = confirmed_call(&mut ep, t0);
    let xml = info(
        &tag,
        "z9hG4bKx1",
        2,
        "application/media_control+xml",
        "<x/>",
    );
    let (_, resp) = sent(&exchange(&mut ep, &xml, t0))[0].clone();
    assert_eq!(status(&resp), 415);
    assert!(resp.header("Accept").is_some());
    let bad = info(
        &tag,
        "z9hG4bKx2",
        3,
        "application/dtmf-relay",
        "Signal=Z\r\n",
    );
    assert_eq!(statuses(&exchange(&mut ep, &bad, t0)), vec![400]);
    let out = exchange(&mut ep, &in_dialog("INFO", "z9hG4bKx3", &tag, 4), t0);
    assert_eq!(statuses(&out), vec![200], "an empty INFO is a keep-alive");
    assert!(events(&out).is_empty());
}

#[test]
fn lower_cseq_in_dialog_gets_500() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (_, tag) = confirmed_call(&mut ep, t0);
    exchange(
        &mut ep,
        &info(&tag, "z9hG4bKc1", 10, "application/dtmf", "1"),
        t0,
    );
    let out = exchange(
        &mut ep,
        &info(&tag, "z9hG4bKc2", 9, "application/dtmf", "2"),
        t0,
    );
    assert_eq!(statuses(&out), vec![500]);
    assert!(events(&out).is_empty());
}

#[test]
fn reinvite_with_sdp_reports_reoffer_and_answer_reoffer_sends_200() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    let hold = SDP.replace("m=audio", "a=sendonly\r\nm=audio");
    let out = exchange(
        &mut ep,
        &reinvite(&tag, "z9hG4bKre1", 2, &hold),
        t0 + ms(100),
    );
    assert_eq!(statuses(&out), vec![100]);
    assert_eq!(
        events(&out),
        vec![CallEvent::Reoffer {
            call,
            offer: hold.clone().into_bytes()
        }]
    );
    ep.answer_reoffer(call, "v=0 hold answer".into(), t0 + ms(110));
    let (_, ok) = sent(&drain(&mut ep))[0].clone();
    assert_eq!(
        (status(&ok), ok.body.as_slice()),
        (200, &b"v=0 hold answer"[..])
    );
    assert_eq!(ok.to().unwrap().tag(), Some(tag.as_str()));
    ep.handle_timeout(t0 + ms(610));
    assert_eq!(
        statuses(&drain(&mut ep)),
        vec![200],
        "retransmitted until the ACK"
    );
    let ack = in_dialog("ACK", "z9hG4bKack2", &tag, 2);
    assert!(
        events(&exchange(&mut ep, &ack, t0 + ms(700))).is_empty(),
        "the re-INVITE's ACK reports nothing"
    );
    ep.handle_timeout(t0 + ms(40_000));
    assert!(drain(&mut ep).is_empty());
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn reinvite_without_sdp_is_answered_with_the_last_sdp() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (_, tag) = confirmed_call(&mut ep, t0);
    let out = exchange(&mut ep, &in_dialog("INVITE", "z9hG4bKre2", &tag, 2), t0);
    assert_eq!(statuses(&out), vec![100, 200]);
    assert_eq!(sent(&out)[1].1.body, b"v=0 answer");
    assert!(events(&out).is_empty());
}

#[test]
fn reject_reoffer_keeps_the_call_and_second_reinvite_while_pending_gets_500() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag) = confirmed_call(&mut ep, t0);
    exchange(&mut ep, &reinvite(&tag, "z9hG4bKre3", 2, SDP), t0);
    let second = reinvite(&tag, "z9hG4bKre4", 3, SDP);
    let (_, busy) = sent(&exchange(&mut ep, &second, t0))[0].clone();
    assert_eq!(status(&busy), 500);
    assert!(busy.header("Retry-After").is_some());
    ep.reject_reoffer(call, 488, t0);
    assert_eq!(statuses(&drain(&mut ep)), vec![488]);
    let ack = in_dialog("ACK", "z9hG4bKre3", &tag, 2);
    assert!(exchange(&mut ep, &ack, t0).is_empty());
    assert_eq!(ep.active_calls(), 1);
}

#[test]
fn session_timer_request_is_echoed_with_refresher_uac() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (_, tag) = confirmed_call(&mut ep, t0);
    let headers = "Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n";
    let refresh = request("INVITE", "z9hG4bKst", Some(&tag), 2, headers, "");
    let (_, ok) = sent(&exchange(&mut ep, &refresh, t0))[1].clone();
    assert_eq!(ok.header("Session-Expires"), Some("1800;refresher=uac"));
    assert_eq!(ok.header("Require"), Some("timer"));
}

#[test]
fn update_gets_405() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (_, tag) = confirmed_call(&mut ep, t0);
    let update = in_dialog("UPDATE", "z9hG4bKup", &tag, 2);
    assert_eq!(statuses(&exchange(&mut ep, &update, t0)), vec![405]);
}

/// Sends REFER on a confirmed call; returns the call, our tag and the REFER.
fn referred(ep: &mut Endpoint, t0: Instant) -> (CallHandle, String, super::message::Message) {
    let (call, tag) = confirmed_call(ep, t0);
    ep.refer(call, "sip:agent@203.0.113.50", t0);
    let (to, refer) = sent(&drain(ep))[0].clone();
    assert_eq!(to, caller());
    assert_eq!(refer.method(), Some("REFER"));
    assert_eq!(refer.header("Refer-To"), Some("<sip:agent@203.0.113.50>"));
    (call, tag, refer)
}

fn notify(tag: &str, branch: &str, cseq: u32, frag: &str) -> String {
    let headers = "Event: refer\r\nSubscription-State: active;expires=60\r\nContent-Type: message/sipfrag;version=2.0\r\n";
    request("NOTIFY", branch, Some(tag), cseq, headers, frag)
}

#[test]
fn refer_then_notify_200_reports_transfer_accepted() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag, refer) = referred(&mut ep, t0);
    assert!(exchange(&mut ep, &answer_to(&refer, 202), t0 + ms(10)).is_empty());
    let out = exchange(
        &mut ep,
        &notify(&tag, "z9hG4bKn1", 2, "SIP/2.0 100 Trying\r\n"),
        t0 + ms(20),
    );
    assert_eq!(statuses(&out), vec![200]);
    assert!(events(&out).is_empty());
    let out = exchange(
        &mut ep,
        &notify(&tag, "z9hG4bKn2", 3, "SIP/2.0 200 OK\r\n"),
        t0 + ms(30),
    );
    assert_eq!(statuses(&out), vec![200]);
    assert_eq!(events(&out), vec![CallEvent::TransferAccepted { call }]);
}

#[test]
fn notify_with_failure_reports_transfer_failed() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, tag, refer) = referred(&mut ep, t0);
    feed(&mut ep, &answer_to(&refer, 202), t0);
    feed(
        &mut ep,
        &notify(&tag, "z9hG4bKn1", 2, "SIP/2.0 486 Busy Here\r\n"),
        t0,
    );
    assert_eq!(
        events(&drain(&mut ep)),
        vec![CallEvent::TransferFailed { call, status: 486 }]
    );
}

#[test]
fn refused_refer_reports_transfer_failed() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, refer) = referred(&mut ep, t0);
    feed(&mut ep, &answer_to(&refer, 603), t0);
    assert_eq!(
        events(&drain(&mut ep)),
        vec![CallEvent::TransferFailed { call, status: 603 }]
    );
}

#[test]
fn unanswered_refer_reports_transfer_failed_408_after_timer_f() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    let (call, _, _) = referred(&mut ep, t0);
    ep.handle_timeout(t0 + ms(32_000));
    assert_eq!(
        events(&drain(&mut ep)),
        vec![CallEvent::TransferFailed { call, status: 408 }]
    );
}
