//! G.711 µ-law / A-law (TEMPORARY shim written by the prompts helper so `sdp` and
//! `prompts` build before the media branch is merged; the media helper's file replaces it).

use audio_codec_algorithms::{decode_alaw, decode_ulaw, encode_alaw, encode_ulaw};

/// A G.711 variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G711 {
    /// µ-law, RTP static payload type 0 ("PCMU").
    Ulaw,
    /// A-law, RTP static payload type 8 ("PCMA").
    Alaw,
}

impl G711 {
    /// Static RTP payload type (RFC 3551).
    pub fn payload_type(self) -> u8 {
        match self {
            G711::Ulaw => 0,
            G711::Alaw => 8,
        }
    }

    /// The variant for a static payload type, if any.
    pub fn from_payload_type(pt: u8) -> Option<G711> {
        match pt {
            0 => Some(G711::Ulaw),
            8 => Some(G711::Alaw),
            _ => None,
        }
    }

    /// SDP encoding name.
    pub fn encoding_name(self) -> &'static str {
        match self {
            G711::Ulaw => "PCMU",
            G711::Alaw => "PCMA",
        }
    }

    /// Encodes one linear sample.
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            G711::Ulaw => encode_ulaw(sample),
            G711::Alaw => encode_alaw(sample),
        }
    }

    /// Decodes one byte.
    pub fn decode(self, byte: u8) -> i16 {
        match self {
            G711::Ulaw => decode_ulaw(byte),
            G711::Alaw => decode_alaw(byte),
        }
    }

    /// Encodes `pcm` into `out` (pairs up to the shorter length).
    pub fn encode_into(self, pcm: &[i16], out: &mut [u8]) {
        for (o, &s) in out.iter_mut().zip(pcm) {
            *o = self.encode(s);
        }
    }

    /// Decodes `bytes` into `out` (pairs up to the shorter length).
    pub fn decode_into(self, bytes: &[u8], out: &mut [i16]) {
        for (o, &b) in out.iter_mut().zip(bytes) {
            *o = self.decode(b);
        }
    }
}
