//! A scripted SIP caller (UAC) on tokio: places a real call over UDP or TCP, sends keys
//! (RFC 4733, SIP INFO or in-band tones), identifies the prompts it hears by comparing
//! the received frames with the PromptStore's, and measures the server's RTP. Used by
//! the integration tests and by the load tool.
//!
//! Owns its sockets and tasks only; it talks to the server through the network like any
//! phone and must not reach into server internals. Pure parts (message text, outgoing
//! stream, prompt matching, statistics) are separate from the shell (`signalling`,
//! `media_clock`, `call`).
//!
//! The other end of an agent's calls lives here too: [`AgentPhone`], a scripted agent
//! softphone that registers, rings, answers and talks (`agent_phone*`, `agent_call`),
//! built from the same message helpers, RTP stream, clock and tone meter (`tone`).

mod agent_call;
mod agent_phone;
mod agent_phone_link;
mod agent_phone_sip;
mod call;
mod media_clock;
mod message;
mod outgoing;
mod prompt_match;
mod rtp_stats;
mod signalling;
mod tone;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use agent_call::AgentCall;
pub use agent_phone::{
    AgentPhone, AgentPhoneConfig, IncomingInvite, PhoneError, REGISTRATION_EXPIRES,
};
pub use call::{options, Call, CancelOutcome};
pub use media_clock::{CallerClock, StreamHandle, ToneNotHeard};
pub use prompt_match::PromptIndex;
pub use rtp_stats::{DeviationHistogram, RtpStats};
pub use tone::{tone_pcm, ToneMeter};

use crate::media::G711;
use crate::sip::Transport;

/// How a call is placed.
#[derive(Clone)]
pub struct CallerConfig {
    pub server: SocketAddr,
    pub transport: Transport,
    /// From user part: the subscriber's number.
    pub caller_number: String,
    /// Request-URI user part: the number dialled.
    pub called_number: String,
    /// Codecs offered, in order of preference.
    pub codecs: Vec<G711>,
    /// Telephone-event payload type offered; `None` offers none (in-band keys only).
    pub telephone_event: Option<u8>,
    /// The prompts to recognise in what the server plays; `None` recognises nothing.
    pub prompts: Option<Arc<PromptIndex>>,
    /// How long to wait for the final response to the INVITE (timer B: 64*T1).
    pub answer_timeout: Duration,
    /// The same INVITE (same branch) is sent this many extra times right after the
    /// first: to check that the server absorbs retransmissions.
    pub extra_invite_copies: u32,
    /// The thread(s) that send and read the call's RTP.
    pub clock: Arc<CallerClock>,
}

impl CallerConfig {
    /// A call from 13800000000 to 1000: PCMU then PCMA, telephone-event 101, its RTP on
    /// the process's shared caller clock.
    pub fn new(server: SocketAddr, transport: Transport) -> Self {
        CallerConfig {
            server,
            transport,
            caller_number: "13800000000".to_owned(),
            called_number: "1000".to_owned(),
            codecs: vec![G711::Ulaw, G711::Alaw],
            telephone_event: Some(101),
            prompts: None,
            answer_timeout: message::TRANSACTION_TIMEOUT,
            extra_invite_copies: 0,
            clock: CallerClock::shared(),
        }
    }
}

/// How `Call::press` sends a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMethod {
    /// RFC 4733 telephone-event packets in the RTP stream.
    Rfc4733,
    /// SIP INFO with `application/dtmf-relay`.
    SipInfo,
    /// DTMF tone samples, G.711-encoded into the audio stream.
    InBand,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the server answered {status}")]
    Rejected { status: u16 },
    #[error("timed out waiting for {0}")]
    Timeout(String),
    #[error("expected prompts {expected:?}, heard {heard:?}")]
    Prompts {
        expected: Vec<String>,
        heard: Vec<String>,
    },
    #[error("the server ended the call (heard {heard:?})")]
    EndedByServer { heard: Vec<String> },
    #[error("bad message from the server: {0}")]
    Protocol(String),
    #[error("no telephone-event was negotiated")]
    NoTelephoneEvent,
    #[error("the caller was configured without prompts to recognise")]
    NoPrompts,
    #[error("the signalling connection closed")]
    Closed,
}

/// A spawned task that ends when its owner is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
