//! RTP (RFC 3550) for one G.711 stream: the outgoing packetizer and a zero-copy parser.
//!
//! Writing uses the webrtc-rs `rtp` crate's [`Header`] and its `marshal_to` into the
//! caller's reused buffer: a header without CSRCs or extensions holds only empty `Vec`s,
//! so nothing is allocated per packet.
//!
//! Reading does *not* use `Header::unmarshal`: it builds a `Vec` for the CSRC list and
//! copies every header extension into freshly allocated `Bytes`, ignores the padding bit
//! (that is left to `Packet`, which copies the payload), and panics on an extension
//! element longer than its block (`copy_to_bytes` past the end). [`parse_rtp`] reads the
//! fixed header itself, skips CSRCs and extension by their lengths, strips padding and
//! borrows the payload. The tests check both directions against the `rtp` crate.

use rtp::header::Header;
use webrtc_util::marshal::Marshal;

/// Length of the fixed RTP header (no CSRC, no extension).
pub const RTP_HEADER_LEN: usize = 12;

/// Packetizer for one outgoing stream: owns SSRC, sequence number, timestamp and marker.
#[derive(Clone, Debug)]
pub struct RtpPacketizer {
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    payload_type: u8,
    marker: bool,
}

impl RtpPacketizer {
    /// A stream starting at `first_seq`/`first_timestamp`. RFC 3550 wants both (and the
    /// SSRC) random; the caller picks them.
    pub fn new(ssrc: u32, first_seq: u16, first_timestamp: u32, payload_type: u8) -> Self {
        RtpPacketizer {
            ssrc,
            sequence: first_seq,
            timestamp: first_timestamp,
            payload_type: payload_type & 0x7F,
            marker: true,
        }
    }

    /// Writes one RTP packet for `payload` (one 20 ms frame) into `out` (cleared first);
    /// advances seq by 1 and timestamp by `samples`. Marker set on the first packet and
    /// after [`start_talkspurt`](Self::start_talkspurt). Allocates only if `out` has less
    /// capacity than the packet.
    pub fn write_packet(&mut self, payload: &[u8], samples: u32, out: &mut Vec<u8>) {
        let (marker, payload_type, timestamp) = (self.marker, self.payload_type, self.timestamp);
        self.write(marker, payload_type, timestamp, payload, out);
        self.marker = false;
        self.timestamp = self.timestamp.wrapping_add(samples);
    }

    /// Writes one packet of another payload type on this stream's timeline (an RFC 4733
    /// event, whose timestamp is that of the event's start): `payload_type`, `timestamp`
    /// and `marker` as given, the stream's SSRC and next sequence number. Advances the
    /// sequence number only; the audio timestamp moves on with
    /// [`skip_samples`](Self::skip_samples).
    pub fn write_other_packet(
        &mut self,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        self.write(marker, payload_type & 0x7F, timestamp, payload, out);
    }

    /// Writes a packet with this stream's SSRC and next sequence number into `out`
    /// (cleared first) and advances the sequence number.
    fn write(
        &mut self,
        marker: bool,
        payload_type: u8,
        timestamp: u32,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        let header = Header {
            version: 2,
            marker,
            payload_type,
            sequence_number: self.sequence,
            timestamp,
            ssrc: self.ssrc,
            ..Header::default()
        };
        out.clear();
        out.resize(RTP_HEADER_LEN, 0);
        // Cannot fail: the buffer is exactly the size of a header without CSRC/extension.
        let written = header.marshal_to(out);
        debug_assert_eq!(written.ok(), Some(RTP_HEADER_LEN));
        out.extend_from_slice(payload);
        self.sequence = self.sequence.wrapping_add(1);
    }

    /// The next packet begins a talkspurt (after silence not sent): it gets the marker bit.
    pub fn start_talkspurt(&mut self) {
        self.marker = true;
    }

    /// Advances the timestamp over `samples` of silence (or skipped frames) not sent.
    pub fn skip_samples(&mut self, samples: u32) {
        self.timestamp = self.timestamp.wrapping_add(samples);
    }

    /// Sequence number the next packet will carry.
    pub fn next_sequence(&self) -> u16 {
        self.sequence
    }

    /// Timestamp the next packet will carry.
    pub fn next_timestamp(&self) -> u32 {
        self.timestamp
    }
}

/// A parsed RTP packet borrowing its payload from the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpView<'a> {
    pub payload_type: u8,
    pub marker: bool,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// Payload without CSRCs, header extension or padding.
    pub payload: &'a [u8],
}

/// Parses an incoming datagram. `None` for anything that is not RTP version 2 media:
/// RTCP (second byte 192–223, i.e. packet types 192–223 that RFC 5761 §4 keeps apart
/// from RTP payload types 64–95 with the marker bit; SR/RR/SDES/BYE/APP are 200–204),
/// STUN and other keep-alives (first two bits not `10`), truncated packets, and bad
/// padding. Zero allocation.
pub fn parse_rtp(datagram: &[u8]) -> Option<RtpView<'_>> {
    let fixed: &[u8; RTP_HEADER_LEN] = datagram.get(..RTP_HEADER_LEN)?.try_into().ok()?;
    let (b0, b1) = (fixed[0], fixed[1]);
    if b0 >> 6 != 2 || (192..=223).contains(&b1) {
        return None;
    }
    let csrc_count = usize::from(b0 & 0x0F);
    let mut start = RTP_HEADER_LEN + 4 * csrc_count;
    if b0 & 0x10 != 0 {
        let extension = datagram.get(start..start + 4)?;
        let words = usize::from(u16::from_be_bytes([extension[2], extension[3]]));
        start += 4 + 4 * words;
    }
    let mut end = datagram.len();
    if b0 & 0x20 != 0 {
        let padding = usize::from(*datagram.last()?);
        if padding == 0 {
            return None;
        }
        end = end.checked_sub(padding)?;
    }
    let payload = datagram.get(start..end)?;
    Some(RtpView {
        payload_type: b1 & 0x7F,
        marker: b1 & 0x80 != 0,
        sequence: u16::from_be_bytes([fixed[2], fixed[3]]),
        timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
        ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use rtp::header::Extension;
    use rtp::packet::Packet;
    use webrtc_util::marshal::Unmarshal;

    fn reference(bytes: &[u8]) -> Packet {
        Packet::unmarshal(&mut &bytes[..]).expect("the rtp crate parses it")
    }

    #[test]
    fn packets_carry_consecutive_sequence_and_timestamp_and_wrap() {
        let mut p = RtpPacketizer::new(0xDEADBEEF, 0xFFFE, 0xFFFF_FF00, 0);
        let mut out = Vec::with_capacity(200);
        let mut seen = Vec::new();
        for _ in 0..3 {
            p.write_packet(&[0xFF; 160], 160, &mut out);
            let r = reference(&out);
            assert_eq!(r.header.version, 2);
            assert_eq!(r.header.ssrc, 0xDEADBEEF);
            assert_eq!(r.header.payload_type, 0);
            assert_eq!(r.payload.len(), 160);
            seen.push((r.header.sequence_number, r.header.timestamp));
        }
        assert_eq!(
            seen,
            [(0xFFFE, 0xFFFF_FF00), (0xFFFF, 0xFFFF_FFA0), (0, 0x40)]
        );
    }

    #[test]
    fn marker_only_on_first_packet_of_each_talkspurt() {
        let mut p = RtpPacketizer::new(1, 100, 1000, 8);
        let mut out = Vec::new();
        let mut markers = Vec::new();
        for i in 0..5 {
            if i == 3 {
                p.skip_samples(800);
                p.start_talkspurt();
            }
            p.write_packet(&[0xD5; 160], 160, &mut out);
            let view = parse_rtp(&out).unwrap();
            markers.push((view.marker, view.timestamp));
        }
        assert_eq!(
            markers,
            [
                (true, 1000),
                (false, 1160),
                (false, 1320),
                (true, 2280),
                (false, 2440)
            ]
        );
    }

    #[test]
    fn other_packets_share_ssrc_and_sequence_but_keep_their_own_timestamp() {
        let mut p = RtpPacketizer::new(0xABCD, 10, 5000, 0);
        let mut out = Vec::new();
        p.write_packet(&[0xFF; 160], 160, &mut out);
        p.write_other_packet(101, 4000, true, &[5, 0x0A, 0, 160], &mut out);
        let event = parse_rtp(&out).unwrap();
        assert_eq!(
            (
                event.payload_type,
                event.marker,
                event.sequence,
                event.timestamp,
                event.ssrc
            ),
            (101, true, 11, 4000, 0xABCD)
        );
        assert_eq!(event.payload, [5, 0x0A, 0, 160]);
        p.skip_samples(160);
        p.write_packet(&[0xFF; 160], 160, &mut out);
        let audio = parse_rtp(&out).unwrap();
        assert_eq!(
            (audio.sequence, audio.timestamp, audio.marker),
            (12, 5320, false)
        );
    }

    #[test]
    fn write_packet_reuses_the_buffer_without_growing_it() {
        let mut p = RtpPacketizer::new(1, 1, 1, 0);
        let mut out = Vec::with_capacity(172);
        let before = out.as_ptr();
        for _ in 0..10 {
            p.write_packet(&[0; 160], 160, &mut out);
        }
        assert_eq!(out.len(), 172);
        assert_eq!(out.as_ptr(), before);
    }

    #[test]
    fn parse_matches_the_rtp_crate_with_csrc_extension_and_padding() {
        let payload = Bytes::from_static(&[1, 2, 3, 4, 5, 6, 7]);
        let cases = [
            (vec![], None, false),
            (vec![11, 22, 33], None, false),
            (vec![], None, true),
            (vec![], Some(0xBEDE), false),
            (vec![7], Some(0x1000), true),
            (vec![], Some(0x1234), false),
            (vec![5, 6], Some(0xBEDE), true),
        ];
        for (csrc, profile, padding) in cases {
            let extensions = match profile {
                Some(0x1234) => vec![Extension {
                    id: 0,
                    payload: Bytes::from_static(&[9, 9, 9, 9, 8, 8, 8, 8]),
                }],
                Some(_) => vec![Extension {
                    id: 3,
                    payload: Bytes::from_static(&[0xAB, 0xCD]),
                }],
                None => vec![],
            };
            let packet = Packet {
                header: Header {
                    version: 2,
                    padding,
                    extension: profile.is_some(),
                    marker: true,
                    payload_type: 101,
                    sequence_number: 4242,
                    timestamp: 99_999,
                    ssrc: 0x0102_0304,
                    csrc,
                    extension_profile: profile.unwrap_or(0),
                    extensions,
                    extensions_padding: 0,
                },
                payload: payload.clone(),
            };
            // The rtp crate pads the 7-byte payload to a multiple of 4 itself.
            let bytes = packet.marshal().unwrap().to_vec();
            let view = parse_rtp(&bytes).expect("valid RTP");
            let r = reference(&bytes);
            assert_eq!(view.payload, &r.payload[..], "{profile:?} pad {padding}");
            assert_eq!(view.payload, &payload[..]);
            assert_eq!(view.payload_type, r.header.payload_type);
            assert_eq!(view.marker, r.header.marker);
            assert_eq!(view.sequence, r.header.sequence_number);
            assert_eq!(view.timestamp, r.header.timestamp);
            assert_eq!(view.ssrc, r.header.ssrc);
        }
    }

    fn minimal(b0: u8, b1: u8) -> Vec<u8> {
        let mut d = vec![b0, b1, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7];
        d.extend([0xFF; 160]);
        d
    }

    #[test]
    fn rtcp_with_packet_types_200_to_204_is_not_media() {
        for pt in 200..=204u8 {
            assert_eq!(parse_rtp(&minimal(0x80, pt)), None, "PT {pt}");
        }
        assert_eq!(
            parse_rtp(&minimal(0x81, 201)),
            None,
            "RR with one report block"
        );
        assert!(parse_rtp(&minimal(0x80, 0)).is_some());
        assert!(parse_rtp(&minimal(0x80, 0x80 | 8)).is_some());
        assert!(parse_rtp(&minimal(0x80, 0x80 | 101)).is_some());
    }

    #[test]
    fn stun_and_keep_alives_are_not_rtp() {
        // STUN binding request: first two bits 00, magic cookie at offset 4.
        let stun = [
            0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        ];
        assert_eq!(parse_rtp(&stun), None);
        assert_eq!(parse_rtp(b"\r\n\r\n"), None);
        assert_eq!(parse_rtp(&[0; 4]), None);
        assert_eq!(parse_rtp(&[]), None);
    }

    #[test]
    fn other_versions_are_rejected() {
        for b0 in [0x40, 0xC0, 0x00] {
            assert_eq!(parse_rtp(&minimal(b0, 0)), None, "{b0:#x}");
        }
    }

    #[test]
    fn truncated_headers_are_rejected() {
        let full = minimal(0x80, 0);
        assert_eq!(parse_rtp(&full[..11]), None);
        assert_eq!(parse_rtp(&full[..12]).map(|v| v.payload.len()), Some(0));
        // Two CSRCs announced, one present.
        let mut short_csrc = full[..16].to_vec();
        short_csrc[0] = 0x82;
        assert_eq!(parse_rtp(&short_csrc), None);
        // Extension header missing, then extension longer than the datagram.
        let mut ext = full[..12].to_vec();
        ext[0] = 0x90;
        assert_eq!(parse_rtp(&ext), None);
        ext.extend([0xBE, 0xDE, 0x00, 0x05, 0, 0, 0, 0]);
        assert_eq!(parse_rtp(&ext), None);
    }

    #[test]
    fn bad_padding_is_rejected() {
        let mut zero = minimal(0xA0, 0);
        *zero.last_mut().unwrap() = 0;
        assert_eq!(parse_rtp(&zero), None);
        let mut too_long = minimal(0xA0, 0);
        *too_long.last_mut().unwrap() = 200;
        assert_eq!(parse_rtp(&too_long), None);
        let mut whole_payload = minimal(0xA0, 0);
        *whole_payload.last_mut().unwrap() = 160;
        assert_eq!(parse_rtp(&whole_payload).map(|v| v.payload.len()), Some(0));
    }
}
