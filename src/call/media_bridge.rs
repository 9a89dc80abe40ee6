//! The agent's leg of a call and its bridge with the caller (a B2BUA's media): both
//! legs live in the same clock shard's stream, so relaying a packet is a copy between
//! two structs, never a message between threads.
//!
//! Until bridged, the agent's leg sends paced silence (the phone's RTP timeout and NAT
//! latch are kept) and its received audio is discarded. Bridged, each direction is a
//! [`Relay`]: what one leg received during a tick's drain waits in the other leg's
//! queue and goes out on that leg's own timeline (own SSRC, sequence and timestamp),
//! one frame per tick, silence when the queue is empty; codecs may differ (PCMU on one
//! side, PCMA on the other) and RFC 4733 events are re-stamped with the receiving
//! side's telephone-event payload type, or dropped when that side negotiated none (see
//! [`crate::media::relay`]).
//!
//! The relays are built from both legs' negotiations when the bridge starts, and built
//! again when either side renegotiates (a re-INVITE may change its codec); what was
//! queued then is dropped (at most 100 ms).

use std::io;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use super::media_path::MediaPath;
use super::rtp_leg::{Received, RtpLeg};
use crate::media::Relay;
use crate::metrics::Metrics;
use crate::sdp::Negotiated;

/// The agent's leg of a call, bridged or not yet.
pub(super) struct AgentLeg {
    leg: RtpLeg,
    bridge: Option<Bridge>,
    reported_silent: bool,
}

/// Both directions of a bridge.
struct Bridge {
    to_agent: Relay,
    to_caller: Relay,
}

impl Bridge {
    fn between(caller: &RtpLeg, agent: &RtpLeg) -> Bridge {
        Bridge {
            to_agent: Relay::new(caller.codec(), agent.codec(), agent.telephone_event()),
            to_caller: Relay::new(agent.codec(), caller.codec(), caller.telephone_event()),
        }
    }
}

impl AgentLeg {
    /// The agent's leg on `socket` (non-blocking) as `negotiated`, its first frame due
    /// `now`; not bridged yet.
    pub(super) fn new(socket: UdpSocket, negotiated: &Negotiated, now: Instant) -> AgentLeg {
        AgentLeg {
            leg: RtpLeg::new(socket, negotiated, now),
            bridge: None,
            reported_silent: false,
        }
    }

    /// Bridges this leg with the caller's `path`, from the next packets on.
    pub(super) fn bridge(&mut self, caller: &MediaPath) {
        self.bridge = Some(Bridge::between(caller.leg(), &self.leg));
    }

    /// One side renegotiated: a running bridge is rebuilt for both sides' codecs and
    /// telephone-events as they now are.
    pub(super) fn rebuild_bridge(&mut self, caller: &MediaPath) {
        if self.bridge.is_some() {
            self.bridge(caller);
        }
    }

    /// The agent's phone renegotiated (re-INVITE); a running bridge is rebuilt for the
    /// leg's new codec and telephone-event.
    pub(super) fn renegotiate(&mut self, negotiated: &Negotiated, caller: &MediaPath) {
        self.leg.renegotiate(negotiated);
        self.rebuild_bridge(caller);
    }

    /// Where the caller's packets go: the relay to this leg while bridged.
    pub(super) fn relay_to_agent(&mut self) -> Option<&mut Relay> {
        self.bridge.as_mut().map(|bridge| &mut bridge.to_agent)
    }

    /// What the caller hears: the relay from this leg while bridged.
    pub(super) fn relay_to_caller(&mut self) -> Option<&mut Relay> {
        self.bridge.as_mut().map(|bridge| &mut bridge.to_caller)
    }

    /// Reads every packet waiting from the agent's phone; while bridged, its audio and
    /// events go to the caller's relay, otherwise they are discarded. An error other
    /// than "nothing more to read" means the socket is unusable.
    pub(super) fn drain_received(&mut self, now: Instant) -> io::Result<()> {
        let mut to_caller = self.bridge.as_mut().map(|bridge| &mut bridge.to_caller);
        self.leg.drain_received(now, |received| {
            if let Some(relay) = to_caller.as_deref_mut() {
                match received {
                    Received::Audio(payload) => relay.push_audio(payload),
                    Received::Event(packet) => relay.push_event(packet.payload, packet.timestamp),
                }
            }
        })
    }

    /// True the first time the agent's phone has sent nothing for `limit` by `now`.
    pub(super) fn newly_silent(&mut self, limit: Duration, now: Instant) -> bool {
        if self.reported_silent || !self.leg.silent_for(limit, now) {
            return false;
        }
        self.reported_silent = true;
        true
    }

    /// Sends the frames due at `now`: the caller's relayed packets while bridged,
    /// silence otherwise.
    pub(super) fn send_due(&mut self, now: Instant, metrics: &Metrics) {
        let tick = self.leg.start_tick(now);
        let AgentLeg { leg, bridge, .. } = self;
        for _ in 0..tick.frames {
            match bridge.as_mut() {
                Some(bridge) => leg.send_relayed(&mut bridge.to_agent),
                None => leg.send_silence(),
            }
        }
        self.leg.end_tick(metrics);
    }

    /// Adds the leg's packet counts to the shared counters.
    pub(super) fn flush_counts(&mut self, metrics: &Metrics) {
        self.leg.flush_counts(metrics);
    }
}
