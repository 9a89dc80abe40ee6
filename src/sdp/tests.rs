use std::net::SocketAddr;

use super::*;
use crate::media::G711;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sdp/",
            $name
        ))
    };
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

fn negotiate_text(sdp: &str) -> Result<Negotiated, SdpError> {
    negotiate(&parse_offer(sdp.as_bytes())?)
}

const LOCAL: &str = "127.0.0.1:20000";

#[test]
fn baresip_offer_is_answered_with_pcmu_and_its_telephone_event() {
    let offer = parse_offer(fixture!("baresip.sdp")).expect("parses");
    assert_eq!(offer.remote_rtp, addr("192.0.2.2:10522"));
    assert_eq!(offer.formats, vec![0, 8, 101]);
    assert_eq!(offer.g711, vec![(0, G711::Ulaw), (8, G711::Alaw)]);
    assert_eq!(offer.telephone_event, Some(101));
    assert_eq!(offer.direction, Direction::SendRecv);
    assert!(!offer.hold);
    assert_eq!(offer.ptime, Some(20));
    let neg = negotiate(&offer).expect("negotiates");
    assert_eq!((neg.codec, neg.codec_pt), (G711::Ulaw, 0));
    assert_eq!(neg.direction, Direction::SendRecv);
}

#[test]
fn linphone_offer_uses_telephone_event_99_at_8000_hz_and_declines_video() {
    let offer = parse_offer(fixture!("linphone.sdp")).expect("parses");
    assert_eq!(offer.remote_rtp, addr("192.168.1.20:7078"));
    assert_eq!(offer.g711, vec![(0, G711::Ulaw), (8, G711::Alaw)]);
    // 101 is telephone-event/48000 (for opus); only the 8 kHz one goes with G.711.
    assert_eq!(offer.telephone_event, Some(99));
    assert_eq!(offer.declined.len(), 1);
    let neg = negotiate(&offer).expect("negotiates");
    let text = answer(&neg, addr(LOCAL), 7, 7);
    assert!(text.contains("m=audio 20000 RTP/AVP 0 99\r\n"), "{text}");
    assert!(text.ends_with("m=video 0 RTP/AVP 96\r\n"), "{text}");
}

#[test]
fn linphone_ipv6_offer_gives_an_ipv6_remote_address() {
    let offer = parse_offer(fixture!("linphone-ipv6.sdp")).expect("parses");
    assert_eq!(offer.remote_rtp, addr("[fd00::2]:7078"));
    assert_eq!(offer.g711[0], (0, G711::Ulaw));
    assert_eq!(offer.telephone_event, Some(101));
}

#[test]
fn pjsua_offer_with_media_level_connection_uses_telephone_event_120() {
    let offer = parse_offer(fixture!("pjsua.sdp")).expect("parses");
    assert_eq!(offer.remote_rtp, addr("192.168.1.30:4000"));
    assert_eq!(offer.g711, vec![(0, G711::Ulaw), (8, G711::Alaw)]);
    assert_eq!(offer.telephone_event, Some(120));
    let neg = negotiate(&offer).expect("negotiates");
    let text = answer(&neg, addr(LOCAL), 1, 1);
    assert!(text.contains("a=rtpmap:120 telephone-event/8000\r\na=fmtp:120 0-16\r\n"));
}

#[test]
fn sipp_offer_gets_pcma() {
    let neg = negotiate(&parse_offer(fixture!("sipp.sdp")).expect("parses")).expect("negotiates");
    assert_eq!(neg.remote_rtp, addr("127.0.0.1:6000"));
    assert_eq!((neg.codec, neg.codec_pt), (G711::Alaw, 8));
    assert_eq!(neg.telephone_event, Some(101));
}

#[test]
fn answer_picks_first_g711_in_callers_order() {
    let neg = negotiate_text(
        "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 18 8 0\r\na=rtpmap:18 G729/8000\r\n",
    )
    .expect("negotiates");
    assert_eq!((neg.codec, neg.codec_pt), (G711::Alaw, 8));
    let text = answer(&neg, addr(LOCAL), 42, 43);
    assert_eq!(
        text,
        "v=0\r\no=hotline 42 43 IN IP4 127.0.0.1\r\ns=hotline\r\nc=IN IP4 127.0.0.1\r\n\
         t=0 0\r\nm=audio 20000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n\
         a=sendrecv\r\n"
    );
}

#[test]
fn dynamic_payload_type_for_pcmu_is_kept_and_rtpmap_is_case_insensitive() {
    let neg = negotiate_text(
        "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 97 0\na=rtpmap:97 pcmu/8000\n",
    )
    .expect("negotiates");
    assert_eq!((neg.codec, neg.codec_pt), (G711::Ulaw, 97));
}

#[test]
fn g711_at_another_clock_rate_is_not_g711() {
    let result = negotiate_text(
        "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 96\na=rtpmap:96 PCMU/16000\n",
    );
    assert_eq!(result, Err(SdpError::NoCommonCodec));
}

#[test]
fn telephone_event_pt_follows_offer() {
    for pt in [96u8, 99, 101, 120, 127] {
        let sdp = format!(
            "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0 {pt}\r\n\
             a=rtpmap:{pt} Telephone-Event/8000\r\n"
        );
        let neg = negotiate_text(&sdp).expect("negotiates");
        assert_eq!(neg.telephone_event, Some(pt));
        let text = answer(&neg, addr(LOCAL), 1, 1);
        assert!(
            text.contains(&format!("m=audio 20000 RTP/AVP 0 {pt}\r\n")),
            "{text}"
        );
        assert!(text.contains(&format!("a=fmtp:{pt} 0-16\r\n")), "{text}");
    }
}

#[test]
fn no_telephone_event_when_not_offered() {
    let neg = negotiate_text("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n")
        .expect("negotiates");
    assert_eq!(neg.telephone_event, None);
    let text = answer(&neg, addr(LOCAL), 1, 1);
    assert!(!text.contains("telephone-event"), "{text}");
    assert!(text.contains("m=audio 20000 RTP/AVP 0\r\n"));
}

#[test]
fn telephone_event_mapped_but_not_in_the_m_line_is_not_offered() {
    let neg = negotiate_text(
        "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\na=rtpmap:101 telephone-event/8000\n",
    )
    .expect("negotiates");
    assert_eq!(neg.telephone_event, None);
}

#[test]
fn sendonly_offer_gets_recvonly_answer() {
    let offer = parse_offer(fixture!("hold-sendonly.sdp")).expect("parses");
    assert_eq!(offer.direction, Direction::SendOnly);
    assert!(offer.hold);
    let neg = negotiate(&offer).expect("negotiates");
    assert_eq!(neg.direction, Direction::RecvOnly);
    assert!(answer(&neg, addr(LOCAL), 1, 2).ends_with("a=recvonly\r\n"));
}

#[test]
fn direction_is_mirrored_for_every_offer_direction() {
    let cases = [
        ("sendrecv", Direction::SendRecv, false),
        ("sendonly", Direction::RecvOnly, true),
        ("recvonly", Direction::SendOnly, false),
        ("inactive", Direction::Inactive, true),
    ];
    for (attribute, ours, hold) in cases {
        let sdp = format!("v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\na={attribute}\n");
        let offer = parse_offer(sdp.as_bytes()).expect("parses");
        assert_eq!(offer.hold, hold, "{attribute}");
        assert_eq!(
            negotiate(&offer).expect("negotiates").direction,
            ours,
            "{attribute}"
        );
    }
}

#[test]
fn session_level_direction_applies_when_media_has_none() {
    let offer = parse_offer(b"v=0\nc=IN IP4 192.0.2.1\na=inactive\nm=audio 4000 RTP/AVP 0\n")
        .expect("parses");
    assert_eq!(offer.direction, Direction::Inactive);
}

#[test]
fn zero_address_is_hold() {
    let offer = parse_offer(fixture!("hold-zero-address.sdp")).expect("parses");
    assert!(offer.hold);
    assert_eq!(offer.direction, Direction::SendRecv);
    assert_eq!(offer.remote_rtp, addr("0.0.0.0:10522"));
    // Static payload types without rtpmap lines are still G.711.
    assert_eq!(offer.g711, vec![(0, G711::Ulaw), (8, G711::Alaw)]);
    let neg = negotiate(&offer).expect("negotiates");
    assert_eq!(neg.direction, Direction::RecvOnly);
    assert!(!neg.direction.sends());
}

#[test]
fn no_g711_is_no_common_codec() {
    let offer = parse_offer(fixture!("no-g711.sdp")).expect("parses");
    assert_eq!(negotiate(&offer), Err(SdpError::NoCommonCodec));
}

#[test]
fn secure_audio_only_is_no_common_codec() {
    let result = parse_offer(b"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/SAVP 0 8\n");
    assert_eq!(result, Err(SdpError::NoCommonCodec));
}

#[test]
fn video_only_offer_is_no_audio() {
    assert_eq!(
        parse_offer(fixture!("video-only.sdp")),
        Err(SdpError::NoAudio)
    );
}

#[test]
fn audio_with_port_zero_is_skipped_for_the_next_audio_stream() {
    let offer = parse_offer(
        b"v=0\nc=IN IP4 192.0.2.1\nm=audio 0 RTP/AVP 0\nm=audio 5000 RTP/AVP 8\nm=video 0 RTP/AVP 31\n",
    )
    .expect("parses");
    assert_eq!(offer.remote_rtp.port(), 5000);
    assert_eq!(offer.audio_index, 1);
    let text = answer(&negotiate(&offer).expect("negotiates"), addr(LOCAL), 1, 1);
    let m_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("m=")).collect();
    assert_eq!(
        m_lines,
        [
            "m=audio 0 RTP/AVP 0",
            "m=audio 20000 RTP/AVP 8",
            "m=video 0 RTP/AVP 31"
        ]
    );
}

#[test]
fn only_inactive_audio_is_no_audio() {
    assert_eq!(
        parse_offer(b"v=0\nc=IN IP4 192.0.2.1\nm=audio 0 RTP/AVP 0\n"),
        Err(SdpError::NoAudio)
    );
}

#[test]
fn media_level_connection_overrides_session_level() {
    let offer =
        parse_offer(b"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\nc=IN IP4 198.51.100.7\n")
            .expect("parses");
    assert_eq!(offer.remote_rtp, addr("198.51.100.7:4000"));
}

#[test]
fn malformed_offers_are_rejected_with_a_reason() {
    let cases: [&[u8]; 10] = [
        b"",
        b"\r\n\r\n",
        b"hello",
        b"o=- 1 1 IN IP4 192.0.2.1\nv=0\n",
        b"v=0\nm=audio 4000 RTP/AVP 0\n",
        b"v=0\nc=IN IP4 not-an-ip\nm=audio 4000 RTP/AVP 0\n",
        b"v=0\nc=IN IP6 192.0.2.1\nm=audio 4000 RTP/AVP 0\n",
        b"v=0\nc=IN IP4 192.0.2.1\nm=audio 99999 RTP/AVP 0\n",
        b"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP zero\n",
        b"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\na=rtpmap:zero PCMU/8000\n",
    ];
    for body in cases {
        match parse_offer(body) {
            Err(SdpError::Malformed(reason)) => assert!(!reason.is_empty()),
            other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(body)),
        }
    }
    assert!(matches!(
        parse_offer(&[0x76, 0x3d, 0xff, 0xfe]),
        Err(SdpError::Malformed(_))
    ));
    assert!(matches!(
        parse_offer(b"v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP\n"),
        Err(SdpError::Malformed(_))
    ));
}

#[test]
fn out_of_order_lines_and_unknown_types_are_tolerated() {
    let offer = parse_offer(
        b"v=0\na=recvonly\ny=unknown\nm=audio 4000 RTP/AVP 0\nc=IN IP4 192.0.2.1/127\n",
    )
    .expect("parses");
    assert_eq!(offer.remote_rtp, addr("192.0.2.1:4000"));
    assert_eq!(offer.direction, Direction::RecvOnly);
}

#[test]
fn our_offer_is_parsed_back_by_our_parser() {
    let text = offer(
        addr("10.0.0.5:30000"),
        &[G711::Alaw, G711::Ulaw],
        Some(101),
        99,
    );
    let parsed = parse_offer(text.as_bytes()).expect("parses");
    assert_eq!(parsed.remote_rtp, addr("10.0.0.5:30000"));
    assert_eq!(parsed.formats, vec![8, 0, 101]);
    assert_eq!(parsed.telephone_event, Some(101));
    assert_eq!(parsed.ptime, Some(20));
}

#[test]
fn answer_to_an_ipv6_local_address_uses_ip6() {
    let neg = negotiate(&parse_offer(fixture!("linphone-ipv6.sdp")).expect("parses"))
        .expect("negotiates");
    let text = answer(&neg, addr("[::1]:20002"), 5, 6);
    assert!(text.contains("o=hotline 5 6 IN IP6 ::1\r\n"), "{text}");
    assert!(text.contains("c=IN IP6 ::1\r\n"), "{text}");
}
