//! G.711 µ-law (PCMU, static payload type 0) and A-law (PCMA, payload type 8).
//!
//! The codec itself is the `audio-codec-algorithms` crate; this file only names the
//! two laws the way SDP and RTP do and converts whole frames without allocating.

use audio_codec_algorithms::{decode_alaw, decode_ulaw, encode_alaw, encode_ulaw};

/// One of the two G.711 companding laws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G711 {
    /// µ-law, "PCMU", RTP payload type 0.
    Ulaw,
    /// A-law, "PCMA", RTP payload type 8.
    Alaw,
}

impl G711 {
    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub fn payload_type(self) -> u8 {
        match self {
            G711::Ulaw => 0,
            G711::Alaw => 8,
        }
    }

    /// The law for a static payload type, `None` for anything but 0 and 8.
    pub fn from_payload_type(pt: u8) -> Option<G711> {
        match pt {
            0 => Some(G711::Ulaw),
            8 => Some(G711::Alaw),
            _ => None,
        }
    }

    /// The SDP encoding name (`a=rtpmap:0 PCMU/8000`).
    pub fn encoding_name(self) -> &'static str {
        match self {
            G711::Ulaw => "PCMU",
            G711::Alaw => "PCMA",
        }
    }

    /// Encodes one 16-bit linear sample.
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            G711::Ulaw => encode_ulaw(sample),
            G711::Alaw => encode_alaw(sample),
        }
    }

    /// Decodes one byte to a 16-bit linear sample.
    pub fn decode(self, byte: u8) -> i16 {
        match self {
            G711::Ulaw => decode_ulaw(byte),
            G711::Alaw => decode_alaw(byte),
        }
    }

    /// Encodes `pcm` into `out`, sample for byte; stops at the shorter of the two.
    pub fn encode_into(self, pcm: &[i16], out: &mut [u8]) {
        for (byte, &sample) in out.iter_mut().zip(pcm) {
            *byte = self.encode(sample);
        }
    }

    /// Decodes `bytes` into `out`, byte for sample; stops at the shorter of the two.
    pub fn decode_into(self, bytes: &[u8], out: &mut [i16]) {
        for (sample, &byte) in out.iter_mut().zip(bytes) {
            *sample = self.decode(byte);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_types_and_names_follow_rfc_3551() {
        assert_eq!(G711::Ulaw.payload_type(), 0);
        assert_eq!(G711::Alaw.payload_type(), 8);
        assert_eq!(G711::from_payload_type(0), Some(G711::Ulaw));
        assert_eq!(G711::from_payload_type(8), Some(G711::Alaw));
        assert_eq!(G711::from_payload_type(101), None);
        assert_eq!(G711::Ulaw.encoding_name(), "PCMU");
        assert_eq!(G711::Alaw.encoding_name(), "PCMA");
    }

    #[test]
    fn silence_encodes_to_the_standard_idle_bytes() {
        assert_eq!(G711::Ulaw.encode(0), 0xFF);
        assert_eq!(G711::Alaw.encode(0), 0xD5);
    }

    #[test]
    fn every_code_word_survives_decode_then_encode() {
        for law in [G711::Ulaw, G711::Alaw] {
            for byte in 0..=255u8 {
                let again = law.encode(law.decode(byte));
                // µ-law has two code words for zero (0x7F and 0xFF); both decode to 0.
                if law == G711::Ulaw && byte == 0x7F {
                    assert_eq!(again, 0xFF);
                } else {
                    assert_eq!(again, byte, "{law:?} byte {byte:#04x}");
                }
            }
        }
    }

    #[test]
    fn round_trip_error_stays_within_the_quantisation_step() {
        for law in [G711::Ulaw, G711::Alaw] {
            for sample in (i16::MIN..=i16::MAX).step_by(7) {
                let back = law.decode(law.encode(sample));
                let error = (i32::from(back) - i32::from(sample)).abs();
                // Segment step is 1/16 of the segment's range: < 1/15 of |x| plus the
                // smallest step, 132 being the largest error at the top of µ-law.
                let limit = i32::from(sample).abs() / 15 + 132;
                assert!(error <= limit, "{law:?} {sample} -> {back}");
            }
        }
    }

    #[test]
    fn frames_convert_without_length_assumptions() {
        let pcm: Vec<i16> = (0..160).map(|i| (i * 200 - 16000) as i16).collect();
        for law in [G711::Ulaw, G711::Alaw] {
            let mut bytes = [0u8; 160];
            law.encode_into(&pcm, &mut bytes);
            let mut back = [0i16; 160];
            law.decode_into(&bytes, &mut back);
            for (i, (&a, &b)) in pcm.iter().zip(&back).enumerate() {
                assert_eq!(law.encode(a), bytes[i]);
                assert_eq!(law.decode(bytes[i]), b);
            }
            let mut short = [0u8; 10];
            law.encode_into(&pcm, &mut short);
            assert_eq!(short[..], bytes[..10]);
        }
    }
}
