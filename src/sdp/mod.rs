//! SDP (RFC 4566) parsing and the offer/answer model (RFC 3264) for G.711 audio with
//! RFC 4733 telephone-event. Pure: text in, values out; no sockets, no clock.
//!
//! Owns: reading a caller's offer ([`parse_offer`]), choosing what we use
//! ([`negotiate`]), writing our answer ([`answer`]) and our own offers ([`offer`]).
//! Must not touch: SIP messages (the `sip` module carries the bodies), RTP, the call task.
//!
//! The offer is parsed by hand, not with the `sdp` crate: that crate's lexer enforces the
//! RFC 4566 line order strictly (it rejects an offer whose `a=` precedes `t=`, one
//! without `s=`/`t=`, or one with a line type it does not know), and real phones send
//! such offers. We need only a handful of fields, so a tolerant line reader is smaller
//! and more forgiving; anything we cannot interpret where it matters is
//! [`SdpError::Malformed`].

mod answer;
mod parse;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;

use crate::media::G711;

pub use answer::{answer, negotiate, offer};
pub use parse::parse_offer;

/// Media direction attribute (RFC 3264 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    /// Parses an attribute name (`sendrecv`, …), case-insensitively.
    pub fn from_attribute(name: &str) -> Option<Direction> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| d.attribute().eq_ignore_ascii_case(name))
    }

    /// The SDP attribute name.
    pub fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The answerer's direction for an offer with this direction (sendonly ↔ recvonly).
    pub fn mirrored(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }

    /// Whether the side with this direction sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the side with this direction receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
}

/// An `m=` line of the offer that we do not use. RFC 3264 §6 wants the answer to repeat
/// every offered `m=` line in order, a declined one with port 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclinedMedia {
    /// Position among the offer's `m=` lines (0-based).
    pub index: usize,
    /// Media type (`video`, `audio`, `application`, …).
    pub media: String,
    /// Transport protocol as offered (`RTP/AVP`, `RTP/SAVP`, `UDP/BFCP`, …).
    pub proto: String,
    /// The first offered format (an answer's `m=` line needs at least one).
    pub format: String,
}

/// What the caller offered for the audio stream we will use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// Where the caller wants RTP: `c=` (media level, else session level) + `m=audio` port.
    pub remote_rtp: SocketAddr,
    /// The `m=` line's payload types, in the caller's order.
    pub formats: Vec<u8>,
    /// Usable G.711 payload types, caller's order (static 0/8, or an rtpmap PCMU/PCMA/8000).
    pub g711: Vec<(u8, G711)>,
    /// `a=rtpmap:N telephone-event/8000`, when N is among `formats`.
    pub telephone_event: Option<u8>,
    /// The caller's direction (media level, else session level, else sendrecv).
    pub direction: Direction,
    /// The caller puts us on hold: sendonly/inactive, or the old-style `c=0.0.0.0`.
    pub hold: bool,
    /// `a=ptime`, if given.
    pub ptime: Option<u32>,
    /// Position of the chosen audio stream among the offer's `m=` lines.
    pub audio_index: usize,
    /// Every other `m=` line, to be declined in the answer.
    pub declined: Vec<DeclinedMedia>,
}

/// Why an offer cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// Not SDP, or SDP we cannot interpret (answer 400 / 488).
    #[error("malformed SDP: {0}")]
    Malformed(String),
    /// No audio stream with a non-zero port (answer 488).
    #[error("the offer has no active audio stream")]
    NoAudio,
    /// Audio, but neither PCMU nor PCMA over RTP/AVP (answer 488).
    #[error("no common codec: the offer has neither PCMU nor PCMA over RTP/AVP")]
    NoCommonCodec,
}

/// The outcome of negotiation: what the call's media uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP (until symmetric RTP learns the real source).
    pub remote_rtp: SocketAddr,
    pub codec: G711,
    /// The payload type the caller uses for `codec` (usually its static 0/8).
    pub codec_pt: u8,
    /// The caller's telephone-event payload type, if offered.
    pub telephone_event: Option<u8>,
    /// Our direction: the offer's mirrored, without "send" when the caller gave
    /// `c=0.0.0.0` (nowhere to send to). `direction.sends()` tells the call task whether
    /// to transmit.
    pub direction: Direction,
    /// Position of the audio stream among the `m=` lines (repeated in the answer).
    pub audio_index: usize,
    /// The offer's other `m=` lines, answered with port 0.
    pub declined: Vec<DeclinedMedia>,
    /// Send nothing until the phone's first RTP packet latches the destination. The call
    /// shell sets it when `remote_rtp` is not on the host the signalling came from: an
    /// SDP address can name anyone, and RTP sent there unasked would make the server a
    /// reflector. `negotiate` leaves it false.
    pub latch_first: bool,
}
