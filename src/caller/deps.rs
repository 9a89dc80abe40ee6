//! TEMP until media, sdp, prompts and sip merge: minimal stand-ins with the contract's
//! signatures so the caller compiles and its pure parts can be tested. Removed before
//! the branch is finished; the caller then imports the real modules.
#![allow(dead_code)]

pub mod media {
    pub use crate::media::{Key, FRAME_DURATION, FRAME_SAMPLES, SAMPLE_RATE};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum G711 {
        Ulaw,
        Alaw,
    }
    impl G711 {
        pub fn payload_type(self) -> u8 {
            match self {
                G711::Ulaw => 0,
                G711::Alaw => 8,
            }
        }
        pub fn encode(self, s: i16) -> u8 {
            match self {
                G711::Ulaw => audio_codec_algorithms::encode_ulaw(s),
                G711::Alaw => audio_codec_algorithms::encode_alaw(s),
            }
        }
        pub fn decode(self, b: u8) -> i16 {
            match self {
                G711::Ulaw => audio_codec_algorithms::decode_ulaw(b),
                G711::Alaw => audio_codec_algorithms::decode_alaw(b),
            }
        }
        pub fn encode_into(self, pcm: &[i16], out: &mut [u8]) {
            for (o, s) in out.iter_mut().zip(pcm) {
                *o = self.encode(*s);
            }
        }
    }

    pub struct RtpView<'a> {
        pub payload_type: u8,
        pub marker: bool,
        pub sequence: u16,
        pub timestamp: u32,
        pub ssrc: u32,
        pub payload: &'a [u8],
    }
    pub fn parse_rtp(d: &[u8]) -> Option<RtpView<'_>> {
        if d.len() < 12 || d[0] >> 6 != 2 {
            return None;
        }
        Some(RtpView {
            payload_type: d[1] & 0x7f,
            marker: d[1] & 0x80 != 0,
            sequence: u16::from_be_bytes([d[2], d[3]]),
            timestamp: u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
            ssrc: u32::from_be_bytes([d[8], d[9], d[10], d[11]]),
            payload: &d[12..],
        })
    }
    pub fn dtmf_tone(_key: Key, duration_ms: u32, amplitude: i16) -> Vec<i16> {
        (0..duration_ms * 8)
            .map(|i| ((i as f32 * 0.5).sin() * amplitude as f32) as i16)
            .collect()
    }
}

pub mod sdp {
    use super::media::G711;
    use std::net::SocketAddr;

    #[derive(Debug)]
    pub struct SdpError;
    impl std::fmt::Display for SdpError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bad sdp")
        }
    }
    pub struct Offer {
        pub remote_rtp: SocketAddr,
        pub g711: Vec<(u8, G711)>,
        pub telephone_event: Option<u8>,
    }
    pub fn parse_offer(_body: &[u8]) -> Result<Offer, SdpError> {
        Err(SdpError)
    }
    pub fn offer(_l: SocketAddr, _c: &[G711], _t: Option<u8>, _s: u64) -> String {
        String::new()
    }
}

pub mod prompts {
    use super::media::G711;
    use std::sync::Arc;

    pub type Frame = [u8; 160];
    pub struct Prompt {
        pub ulaw: Arc<[Frame]>,
        pub alaw: Arc<[Frame]>,
    }
    impl Prompt {
        pub fn frames(&self, codec: G711) -> &Arc<[Frame]> {
            match codec {
                G711::Ulaw => &self.ulaw,
                G711::Alaw => &self.alaw,
            }
        }
    }
    pub struct PromptStore;
    impl PromptStore {
        pub fn get(&self, _name: &str) -> Option<&Arc<Prompt>> {
            None
        }
        pub fn names(&self) -> impl Iterator<Item = &str> {
            std::iter::empty()
        }
    }
}

pub mod sip {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Transport {
        Udp,
        Tcp,
    }
    #[derive(Debug)]
    pub struct FramingError;
    pub fn take_stream_message(
        _buf: &mut bytes::BytesMut,
    ) -> Result<Option<bytes::Bytes>, FramingError> {
        Ok(None)
    }
}
