//! Media: everything that happens to audio and keys on the RTP path, as pure code.
//!
//! Owns G.711, RTP packetization, RFC 4733 telephone-event decoding, in-band DTMF
//! (Goertzel) detection, the 20 ms pacing arithmetic and the capture of a caller's
//! recorded description, and the relay of one leg's packets onto another's timeline
//! (the bridge of a caller and an agent). Owns no sockets and reads no clock: the call
//! task (`crate::call`) feeds it packets and instants. Must not touch SIP, SDP, prompts
//! or the menu, and never allocates, locks or logs per packet.

pub mod g711;
mod key;
pub mod pacing;
pub mod recorder;
pub mod relay;
pub mod rfc4733;
pub mod rtp_packet;
pub mod tone_detector;

pub use g711::G711;
pub use key::Key;
pub use pacing::{Pacer, Tick, TickSchedule};
pub use recorder::{telephone_wav, Recorded, Recorder};
pub use relay::{Outgoing, Relay};
pub use rfc4733::TelephoneEventReceiver;
pub use rtp_packet::{parse_rtp, RtpPacketizer, RtpView};
pub use tone_detector::{dtmf_tone, ToneDetector};

/// G.711 sample rate.
pub const SAMPLE_RATE: u32 = 8000;
/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// Duration of one frame.
pub const FRAME_DURATION: std::time::Duration = std::time::Duration::from_millis(20);
