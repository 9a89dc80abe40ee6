//! Endpoint tests, part 3: routing and robustness: rport, several Vias, compact headers,
//! TCP, malformed and garbage input (the RFC 4475 torture messages: `torture_tests`).

use std::net::SocketAddr;
use std::time::Instant;

use super::endpoint_tests::{
    caller, drain, endpoint, events, exchange, feed_from, invite, ms, request, sent, status,
    statuses,
};
use super::message::{Message, StartLine};
use super::*;

/// Feeds `text` from the caller; returns the first message the endpoint sends back.
fn first_reply(ep: &mut Endpoint, text: &str) -> Message {
    sent(&exchange(ep, text, Instant::now()))[0].1.clone()
}

#[test]
fn rport_response_goes_to_source_port_with_received() {
    let mut ep = endpoint();
    let natted: SocketAddr = "203.0.113.9:40001".parse().unwrap();
    let text = invite("z9hG4bKnat");
    feed_from(
        &mut ep,
        Transport::Udp,
        natted,
        text.as_bytes(),
        Instant::now(),
    );
    let out = drain(&mut ep);
    let (to, trying) = &sent(&out)[0];
    assert_eq!(*to, natted);
    let via = trying.header_values("Via")[0];
    assert!(
        via.contains(";rport=40001") && via.contains(";received=203.0.113.9"),
        "{via}"
    );
}

#[test]
fn without_rport_response_goes_to_the_via_port() {
    let mut ep = endpoint();
    let text = invite("z9hG4bKnr").replace(";rport", "");
    let natted: SocketAddr = "203.0.113.9:40001".parse().unwrap();
    feed_from(
        &mut ep,
        Transport::Udp,
        natted,
        text.as_bytes(),
        Instant::now(),
    );
    let (to, _) = sent(&drain(&mut ep))[0].clone();
    assert_eq!(to, "203.0.113.9:5062".parse().unwrap());
}

#[test]
fn several_vias_are_echoed_in_order() {
    let mut ep = endpoint();
    let text = invite("z9hG4bKtop").replace(
        "Max-Forwards",
        "Via: SIP/2.0/UDP proxy2.example.com;branch=z9hG4bKp2, SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKp3\r\n\
         v: SIP/2.0/UDP proxy4.example.com;branch=z9hG4bKp4\r\nMax-Forwards",
    );
    let trying = first_reply(&mut ep, &text);
    let vias = trying.header_values("Via");
    assert_eq!(vias.len(), 4);
    assert!(vias[0].contains("branch=z9hG4bKtop"));
    assert_eq!(
        &vias[1..],
        &[
            "SIP/2.0/UDP proxy2.example.com;branch=z9hG4bKp2",
            "SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKp3",
            "SIP/2.0/UDP proxy4.example.com;branch=z9hG4bKp4"
        ]
    );
}

#[test]
fn compact_headers_are_understood() {
    let mut ep = endpoint();
    let text = "INVITE sip:hotline@192.0.2.1 SIP/2.0\r\nv: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKc;rport\r\n\
                f: <sip:1001@example.com>;tag=a\r\nt: <sip:hotline@192.0.2.1>\r\ni: compact-1\r\nCSeq: 1 INVITE\r\n\
                m: <sip:1001@198.51.100.7:5062>\r\nk: timer\r\nc: application/sdp\r\ns: hi\r\nl: 3\r\n\r\nv=0";
    let out = exchange(&mut ep, text, Instant::now());
    assert_eq!(statuses(&out), vec![100]);
    match &events(&out)[..] {
        [CallEvent::Incoming {
            caller,
            offer,
            call_id,
            ..
        }] => {
            assert_eq!(
                (caller.as_str(), offer.as_slice(), call_id.as_str()),
                ("1001", &b"v=0"[..], "compact-1")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn tcp_responses_go_to_the_connection_peer_and_contact_says_tcp() {
    let mut ep = endpoint();
    let peer: SocketAddr = "198.51.100.7:51000".parse().unwrap();
    let text = invite("z9hG4bKtcp")
        .replace("UDP", "TCP")
        .replace(";rport", "");
    let t0 = Instant::now();
    feed_from(&mut ep, Transport::Tcp, peer, text.as_bytes(), t0);
    let call = match events(&drain(&mut ep))[..] {
        [CallEvent::Incoming { call, .. }] => call,
        _ => panic!("no call"),
    };
    ep.answer(call, "v=0".into(), t0);
    match &drain(&mut ep)[..] {
        [Output::Transmit {
            transport: Transport::Tcp,
            to,
            bytes,
        }] => {
            assert_eq!(*to, peer);
            let ok = Message::parse(bytes).unwrap();
            assert_eq!(
                ok.header("Contact"),
                Some("<sip:hotline@192.0.2.1:5060;transport=tcp>")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn malformed_request_gets_400_with_a_reason() {
    let mut ep = endpoint();
    let text = request("OPTIONS", "z9hG4bKbad", None, 1, "", "")
        .replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    let resp = first_reply(&mut ep, &text);
    assert!(
        matches!(&resp.start, StartLine::Response { code: 400, reason, .. } if reason == "CSeq method mismatch")
    );
    let text = request("INVITE", "z9hG4bKbad2", None, 1, "", "")
        .replace("Content-Length: 0", "Content-Length: 50");
    assert_eq!(
        statuses(&exchange(&mut ep, &text, Instant::now())),
        vec![400]
    );
    assert_eq!(ep.active_calls(), 0);
}

#[test]
fn garbage_datagram_is_dropped_without_panic() {
    let mut ep = endpoint();
    let t0 = Instant::now();
    for bytes in [
        &b""[..],
        b"\r\n\r\n",
        b"\x80\xff\x00garbage",
        b"INVITE\r\n\r\n",
        b"SIP/2.0 200\r\n\r\n",
        b"INVITE sip:a@b SIP/2.0\r\n\r\n",
    ] {
        feed_from(&mut ep, Transport::Udp, caller(), bytes, t0);
    }
    assert!(drain(&mut ep).is_empty());
    // Missing Call-ID: answered 400 with what it has (RFC 4475 3.3.1); no CSeq: dropped.
    let no_call_id = invite("z9hG4bKnoid").replace("Call-ID: call-1@example.com\r\n", "");
    let resp = first_reply(&mut ep, &no_call_id);
    assert!(
        matches!(&resp.start, StartLine::Response { code: 400, reason, .. } if reason == "Missing Call-ID")
    );
    assert_eq!(resp.call_id(), None);
    let no_cseq = invite("z9hG4bKnocseq").replace("CSeq: 1 INVITE\r\n", "");
    assert!(exchange(&mut ep, &no_cseq, t0).is_empty());
}

/// An endpoint is the request's last hop: Max-Forwards 0 is no reason to refuse it
/// (RFC 4475 3.3.11; 483 is a proxy's answer).
#[test]
fn max_forwards_zero_is_served_like_any_request() {
    let mut ep = endpoint();
    let text = invite("z9hG4bKmf").replace("Max-Forwards: 70", "Max-Forwards: 0");
    assert_eq!(
        statuses(&exchange(&mut ep, &text, Instant::now())),
        vec![100]
    );
}

#[test]
fn request_uri_with_unknown_scheme_gets_416() {
    let mut ep = endpoint();
    let text = invite("z9hG4bKuri").replace(
        "INVITE sip:hotline@192.0.2.1:5060",
        "INVITE http://example.com/x",
    );
    assert_eq!(
        statuses(&exchange(&mut ep, &text, Instant::now())),
        vec![416]
    );
}

#[test]
fn unsupported_method_gets_405_with_allow() {
    let mut ep = endpoint();
    let resp = first_reply(&mut ep, &request("MESSAGE", "z9hG4bKmsg", None, 1, "", ""));
    assert_eq!(status(&resp), 405);
    assert!(resp.header("Allow").is_some_and(|a| a.contains("OPTIONS")));
}

#[test]
fn unrecognised_method_gets_501() {
    let mut ep = endpoint();
    let resp = first_reply(&mut ep, &request("FOO", "z9hG4bKfoo", None, 1, "", ""));
    assert_eq!(status(&resp), 501);
}

#[test]
fn invite_with_a_body_that_is_not_sdp_gets_415_and_one_refusing_sdp_gets_406() {
    let mut ep = endpoint();
    let xml = request(
        "INVITE",
        "z9hG4bKxml",
        None,
        1,
        "Content-Type: application/xml\r\n",
        "<a/>",
    );
    let resp = first_reply(&mut ep, &xml);
    assert_eq!(
        (status(&resp), resp.header("Accept")),
        (415, Some("application/sdp"))
    );
    let text_only =
        invite("z9hG4bKacc").replace("Max-Forwards", "Accept: text/plain\r\nMax-Forwards");
    assert_eq!(status(&first_reply(&mut ep, &text_only)), 406);
    let any =
        invite("z9hG4bKany").replace("Max-Forwards", "Accept: text/plain, */*\r\nMax-Forwards");
    assert_eq!(
        statuses(&exchange(&mut ep, &any, Instant::now())),
        vec![100]
    );
    assert_eq!(ep.active_calls(), 1);
}

/// A branch that is the bare magic cookie identifies nothing (RFC 4475 3.2.1): two
/// requests with it are two transactions, not a retransmission.
#[test]
fn bare_magic_cookie_branches_fall_back_to_the_rfc_2543_key() {
    let mut ep = endpoint();
    let first = request("OPTIONS", "z9hG4bK", None, 8, "", "");
    let second = first
        .replace("call-1@example.com", "call-2@example.com")
        .replace("CSeq: 8", "CSeq: 9");
    assert_eq!(
        first_reply(&mut ep, &first).call_id(),
        Some("call-1@example.com")
    );
    assert_eq!(
        first_reply(&mut ep, &second).call_id(),
        Some("call-2@example.com")
    );
    assert_eq!(
        first_reply(&mut ep, &first).call_id(),
        Some("call-1@example.com")
    );
}

#[test]
fn unknown_required_extension_gets_420_with_unsupported() {
    let mut ep = endpoint();
    let require = "Require: 100rel, timer\r\n";
    let resp = first_reply(
        &mut ep,
        &request("INVITE", "z9hG4bKreq", None, 1, require, ""),
    );
    assert_eq!(status(&resp), 420);
    assert_eq!(resp.header("Unsupported"), Some("100rel"));
}

#[test]
fn response_matching_nothing_is_ignored() {
    let mut ep = endpoint();
    let resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKunknown\r\nCSeq: 1 BYE\r\nCall-ID: x\r\n\r\n";
    assert!(exchange(&mut ep, resp, Instant::now()).is_empty());
    assert_eq!(ep.poll_timeout(), None);
}

#[test]
fn mutated_messages_never_panic() {
    let seeds = [
        invite("z9hG4bKfz"),
        request("BYE", "z9hG4bKfz2", Some("t"), 2, "", ""),
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ep = endpoint();
    let t0 = Instant::now();
    for round in 0..3000u64 {
        let mut bytes = seeds[(round % 2) as usize].clone().into_bytes();
        for _ in 0..(next() % 8 + 1) {
            if bytes.is_empty() {
                break;
            }
            let at = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => {
                    let specials = b" :;,<>@[]\r\n\"0";
                    bytes[at] = specials[(next() % specials.len() as u64) as usize];
                }
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        feed_from(&mut ep, Transport::Udp, caller(), &bytes, t0 + ms(round));
        drain(&mut ep);
    }
    ep.handle_timeout(t0 + ms(100_000));
    drain(&mut ep);
}
