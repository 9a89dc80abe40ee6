//! A tolerant reader for SDP offers: any line order, LF or CRLF, unknown line types and
//! attributes ignored; only what the audio negotiation needs is interpreted.

use std::net::{IpAddr, SocketAddr};

use super::{DeclinedMedia, Direction, Offer, SdpError};
use crate::media::G711;

/// Parses an SDP offer and picks its audio stream: the first `m=audio` with a non-zero
/// port over RTP/AVP (or RTP/AVPF). Secure-only audio (RTP/SAVP…) is
/// [`SdpError::NoCommonCodec`]; no active audio at all is [`SdpError::NoAudio`].
pub fn parse_offer(body: &[u8]) -> Result<Offer, SdpError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed("body is not UTF-8"))?;
    let mut session = Attributes::default();
    let mut media: Vec<MediaSection> = Vec::new();
    let mut saw_version = false;
    for (number, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches(['\r', ' ', '\t']);
        if line.is_empty() {
            continue;
        }
        let at = |what: &str| malformed(format!("line {}: {what}", number + 1));
        let (kind, value) = split_line(line).ok_or_else(|| at("expected <type>=<value>"))?;
        if !saw_version {
            if kind != 'v' || value.trim() != "0" {
                return Err(at("SDP must start with v=0"));
            }
            saw_version = true;
            continue;
        }
        match kind {
            'm' => media.push(MediaSection::parse(value).map_err(|e| at(&e))?),
            'c' => {
                let address = parse_connection(value).map_err(|e| at(&e))?;
                match media.last_mut() {
                    Some(section) => section.attributes.connection = Some(address),
                    None => session.connection = Some(address),
                }
            }
            'a' => {
                let attributes = match media.last_mut() {
                    Some(section) => &mut section.attributes,
                    None => &mut session,
                };
                attributes.add(value).map_err(|e| at(&e))?;
            }
            _ => {} // o= s= t= b= i= … carry nothing the audio negotiation needs
        }
    }
    if !saw_version {
        return Err(malformed("empty body"));
    }
    select_audio(&session, &media)
}

fn select_audio(session: &Attributes, media: &[MediaSection]) -> Result<Offer, SdpError> {
    let active_audio = |s: &&MediaSection| s.media.eq_ignore_ascii_case("audio") && s.port != 0;
    let plain_rtp = |proto: &str| {
        proto.eq_ignore_ascii_case("RTP/AVP") || proto.eq_ignore_ascii_case("RTP/AVPF")
    };
    let audio_index = media
        .iter()
        .position(|s| active_audio(&s) && plain_rtp(&s.proto))
        .ok_or_else(|| match media.iter().any(|s| active_audio(&s)) {
            true => SdpError::NoCommonCodec,
            false => SdpError::NoAudio,
        })?;
    let audio = &media[audio_index];
    let ip = audio
        .attributes
        .connection
        .or(session.connection)
        .ok_or_else(|| malformed("no c= line for the audio stream"))?;
    let formats = audio
        .formats
        .iter()
        .map(|f| f.parse::<u8>().ok().filter(|pt| *pt < 128))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| malformed("m=audio payload types must be numbers 0-127"))?;
    if formats.is_empty() {
        return Err(malformed("m=audio without payload types"));
    }
    let encoding_of = |pt: u8| {
        audio
            .attributes
            .rtpmaps
            .iter()
            .find(|(mapped, _)| *mapped == pt)
            .map(|(_, encoding)| *encoding)
            .unwrap_or_else(|| match G711::from_payload_type(pt) {
                Some(codec) => Encoding::G711(codec),
                None => Encoding::Other,
            })
    };
    let g711 = formats
        .iter()
        .filter_map(|&pt| match encoding_of(pt) {
            Encoding::G711(codec) => Some((pt, codec)),
            _ => None,
        })
        .collect();
    let telephone_event = formats
        .iter()
        .copied()
        .find(|&pt| encoding_of(pt) == Encoding::TelephoneEvent);
    let direction = audio
        .attributes
        .direction
        .or(session.direction)
        .unwrap_or(Direction::SendRecv);
    let declined = media
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != audio_index)
        .map(|(index, s)| DeclinedMedia {
            index,
            media: s.media.clone(),
            proto: s.proto.clone(),
            format: s.formats.first().cloned().unwrap_or_else(|| "0".into()),
        })
        .collect();
    Ok(Offer {
        remote_rtp: SocketAddr::new(ip, audio.port),
        formats,
        g711,
        telephone_event,
        direction,
        hold: ip.is_unspecified() || !direction.receives(),
        ptime: audio.attributes.ptime.or(session.ptime),
        audio_index,
        declined,
    })
}

fn malformed(reason: impl Into<String>) -> SdpError {
    SdpError::Malformed(reason.into())
}

/// `x=value` with `x` a lowercase letter.
fn split_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let kind = chars.next().filter(char::is_ascii_lowercase)?;
    let value = chars.as_str().strip_prefix('=')?;
    Some((kind, value))
}

/// `IN IP4 192.0.2.1`, `IN IP6 ::1`, `IN IP4 233.252.0.1/127`.
fn parse_connection(value: &str) -> Result<IpAddr, String> {
    let mut fields = value.split_whitespace();
    let (Some(net), Some(family), Some(address)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(format!("c={value}: expected IN IP4|IP6 <address>"));
    };
    if !net.eq_ignore_ascii_case("IN") {
        return Err(format!("c={value}: network type must be IN"));
    }
    let address = address.split('/').next().unwrap_or(address);
    let ip: IpAddr = address
        .parse()
        .map_err(|_| format!("c={value}: {address} is not an IP address"))?;
    let family_matches = match ip {
        IpAddr::V4(_) => family.eq_ignore_ascii_case("IP4"),
        IpAddr::V6(_) => family.eq_ignore_ascii_case("IP6"),
    };
    if !family_matches {
        return Err(format!("c={value}: address does not match {family}"));
    }
    Ok(ip)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    G711(G711),
    TelephoneEvent,
    Other,
}

/// The `c=` and attributes we interpret, at session or media level.
#[derive(Default)]
struct Attributes {
    connection: Option<IpAddr>,
    direction: Option<Direction>,
    ptime: Option<u32>,
    rtpmaps: Vec<(u8, Encoding)>,
}

impl Attributes {
    fn add(&mut self, value: &str) -> Result<(), String> {
        let (name, argument) = match value.split_once(':') {
            Some((name, argument)) => (name, Some(argument.trim())),
            None => (value.trim(), None),
        };
        if let Some(direction) = Direction::from_attribute(name) {
            self.direction = Some(direction);
        } else if name.eq_ignore_ascii_case("ptime") {
            // A fractional or garbled ptime is advice we can ignore, not a failure.
            self.ptime = argument.and_then(|a| a.parse().ok());
        } else if name.eq_ignore_ascii_case("rtpmap") {
            let argument = argument.unwrap_or_default();
            let rtpmap =
                parse_rtpmap(argument).ok_or(format!("a=rtpmap:{argument}: bad syntax"))?;
            self.rtpmaps.push(rtpmap);
        }
        Ok(())
    }
}

/// `<pt> <encoding>/<clock>[/<channels>]`; encoding names are case-insensitive.
fn parse_rtpmap(argument: &str) -> Option<(u8, Encoding)> {
    let (pt, encoding) = argument.split_once(char::is_whitespace)?;
    let pt: u8 = pt.parse().ok().filter(|pt| *pt < 128)?;
    let mut parts = encoding.trim().split('/');
    let name = parts.next()?;
    // No clock rate (RFC 4475's messages carry `a=rtpmap:31 LPC`): a map naming no codec
    // we could use, not a broken offer.
    let clock: u32 = match parts.next() {
        Some(clock) => clock.trim().parse().ok()?,
        None => 0,
    };
    let mono = match parts.next() {
        Some(channels) => channels.trim() == "1",
        None => true,
    };
    let encoding = match (name.to_ascii_uppercase().as_str(), clock, mono) {
        ("PCMU", 8000, true) => Encoding::G711(G711::Ulaw),
        ("PCMA", 8000, true) => Encoding::G711(G711::Alaw),
        ("TELEPHONE-EVENT", 8000, _) => Encoding::TelephoneEvent,
        _ => Encoding::Other,
    };
    Some((pt, encoding))
}

/// One `m=` section.
struct MediaSection {
    media: String,
    port: u16,
    proto: String,
    formats: Vec<String>,
    attributes: Attributes,
}

impl MediaSection {
    /// `<media> <port>[/<count>] <proto> <fmt> …`
    fn parse(value: &str) -> Result<MediaSection, String> {
        let mut fields = value.split_whitespace();
        let (Some(media), Some(port), Some(proto)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!(
                "m={value}: expected <media> <port> <proto> <formats>"
            ));
        };
        let port = port.split('/').next().unwrap_or(port);
        let port = port
            .parse()
            .map_err(|_| format!("m={value}: bad port {port}"))?;
        Ok(MediaSection {
            media: media.to_owned(),
            port,
            proto: proto.to_owned(),
            formats: fields.map(str::to_owned).collect(),
            attributes: Attributes::default(),
        })
    }
}
