//! Calls: the shell that turns SIP events into call tasks and a call task's decisions
//! into media and SIP commands.
//!
//! - [`switchboard`] runs the pure SIP endpoint, routes its events to call tasks and
//!   carries their commands back;
//! - [`task`] is one call: SDP negotiation, the RTP socket, the menu engine driven by
//!   SIP events, key presses and prompt ends;
//! - [`media_clock`] sends and reads every call's RTP on a few shared 20 ms schedules
//!   (the per-call state is `media_path`, the agent's leg of a bridged call
//!   `media_bridge`, each phone's socket and timeline an `rtp_leg`);
//! - [`rtp_ports`] hands out RTP sockets;
//! - `call_record` collects the call's record and keeps it at the end;
//! - [`board`] shows the queued calls to the agents (what the menu learnt, the stage);
//! - [`desk`] carries out the menu's ticket requests against the store;
//! - [`distributor`] owns the queues and the agents' seats; `queued` is a call from the
//!   moment the menu hands it to a queue: waiting, ringing the agent, bridged.
//!
//! Protocol rules are not decided here: SIP lives in [`crate::sip`], media arithmetic
//! and decoding in [`crate::media`], the walk through the menu in [`crate::menu`].

pub mod board;
mod call_record;
mod center_mirror;
pub mod desk;
pub mod distributor;
mod media_bridge;
#[cfg(test)]
mod media_bridge_tests;
pub mod media_clock;
mod media_path;
mod queue_exits;
mod queued;
mod rtp_leg;
pub mod rtp_ports;
pub mod switchboard;
mod task;

use std::net::IpAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::live::LiveMenu;
use crate::metrics::Metrics;
use crate::queues::config::QueueConfig;

pub use board::CallBoard;
pub use call_record::RecordWriter;
pub use desk::Desk;
pub use distributor::Distributor;
pub use media_clock::MediaClock;
pub use rtp_ports::RtpPorts;

/// What every call task shares.
pub struct CallContext {
    /// The menu and prompts new calls get (each call keeps the release it started with).
    pub live: LiveMenu,
    /// RTP sockets.
    pub rtp_ports: RtpPorts,
    /// The threads that send and read every call's RTP.
    pub media_clock: MediaClock,
    /// The address RTP sockets bind to (the SIP address's IP).
    pub rtp_ip: IpAddr,
    /// Counters and gauges.
    pub metrics: Arc<Metrics>,
    /// The ticket store and rules, for the menu's requests.
    pub desk: Desk,
    /// The queues and the agents' seats.
    pub distributor: Distributor,
    /// The cards of the queued calls, for the agents' console.
    pub board: CallBoard,
    /// The queues' configuration (`config/queues.yaml`).
    pub queues: Arc<QueueConfig>,
    /// The console's address (`http://host:port`), for links in agents' INVITEs.
    pub console_base: String,
    /// Our SIP host (`address:port`), for the From and To of agents' INVITEs.
    pub sip_host: String,
    /// Takes each call's record to the store.
    pub records: RecordWriter,
    /// Set when the server drains: new calls are refused with 503.
    pub draining: Arc<AtomicBool>,
}
