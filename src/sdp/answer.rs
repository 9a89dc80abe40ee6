//! RFC 3264 answerer (and a minimal offerer for our own outgoing legs and test callers).

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use super::{Direction, Negotiated, Offer, SdpError};
use crate::media::G711;

/// Chooses the first G.711 payload type in the caller's order, the caller's
/// telephone-event payload type when offered, and our direction (the caller's mirrored;
/// receive-only at most when the caller gave `c=0.0.0.0`).
pub fn negotiate(offer: &Offer) -> Result<Negotiated, SdpError> {
    let &(codec_pt, codec) = offer.g711.first().ok_or(SdpError::NoCommonCodec)?;
    let mut direction = offer.direction.mirrored();
    if offer.remote_rtp.ip().is_unspecified() {
        direction = match direction {
            Direction::SendRecv => Direction::RecvOnly,
            Direction::SendOnly => Direction::Inactive,
            other => other,
        };
    }
    Ok(Negotiated {
        remote_rtp: offer.remote_rtp,
        codec,
        codec_pt,
        telephone_event: offer.telephone_event,
        direction,
        audio_index: offer.audio_index,
        declined: offer.declined.clone(),
        latch_first: false,
    })
}

/// The SDP answer (CRLF lines) for a negotiated call: our address and port, the chosen
/// codec (in the caller's payload type), telephone-event when the caller offered it,
/// ptime 20, our direction; every other offered `m=` line declined with port 0.
pub fn answer(neg: &Negotiated, local_rtp: SocketAddr, session_id: u64, version: u64) -> String {
    let mut sdp = session_header(local_rtp.ip(), session_id, version);
    let (before, after): (Vec<_>, Vec<_>) = neg
        .declined
        .iter()
        .partition(|declined| declined.index < neg.audio_index);
    let decline = |sdp: &mut String, list: &[&super::DeclinedMedia]| {
        for declined in list {
            line(
                sdp,
                format_args!(
                    "m={} 0 {} {}",
                    declined.media, declined.proto, declined.format
                ),
            );
        }
    };
    decline(&mut sdp, &before);
    audio_section(
        &mut sdp,
        local_rtp.port(),
        &[(neg.codec_pt, neg.codec)],
        neg.telephone_event,
        neg.direction,
    );
    decline(&mut sdp, &after);
    sdp
}

/// An SDP offer for `codecs` (in our order of preference) and, if given, telephone-event
/// on that payload type; sendrecv, ptime 20.
pub fn offer(
    local_rtp: SocketAddr,
    codecs: &[G711],
    telephone_event: Option<u8>,
    session_id: u64,
) -> String {
    let mut sdp = session_header(local_rtp.ip(), session_id, session_id);
    let codecs: Vec<(u8, G711)> = codecs.iter().map(|c| (c.payload_type(), *c)).collect();
    audio_section(
        &mut sdp,
        local_rtp.port(),
        &codecs,
        telephone_event,
        Direction::SendRecv,
    );
    sdp
}

fn session_header(ip: IpAddr, session_id: u64, version: u64) -> String {
    let family = match ip {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    };
    let mut sdp = String::with_capacity(320);
    line(&mut sdp, format_args!("v=0"));
    line(
        &mut sdp,
        format_args!("o=hotline {session_id} {version} IN {family} {ip}"),
    );
    line(&mut sdp, format_args!("s=hotline"));
    line(&mut sdp, format_args!("c=IN {family} {ip}"));
    line(&mut sdp, format_args!("t=0 0"));
    sdp
}

fn audio_section(
    sdp: &mut String,
    port: u16,
    codecs: &[(u8, G711)],
    telephone_event: Option<u8>,
    direction: Direction,
) {
    let mut m = format!("m=audio {port} RTP/AVP");
    for (pt, _) in codecs {
        let _ = write!(m, " {pt}");
    }
    if let Some(te) = telephone_event {
        let _ = write!(m, " {te}");
    }
    line(sdp, format_args!("{m}"));
    for (pt, codec) in codecs {
        line(
            sdp,
            format_args!("a=rtpmap:{pt} {}/8000", codec.encoding_name()),
        );
    }
    if let Some(te) = telephone_event {
        line(sdp, format_args!("a=rtpmap:{te} telephone-event/8000"));
        line(sdp, format_args!("a=fmtp:{te} 0-16"));
    }
    line(sdp, format_args!("a=ptime:20"));
    line(sdp, format_args!("a={}", direction.attribute()));
}

fn line(sdp: &mut String, args: std::fmt::Arguments<'_>) {
    // Writing into a String cannot fail.
    let _ = sdp.write_fmt(args);
    sdp.push_str("\r\n");
}
