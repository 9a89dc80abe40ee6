//! One RTP leg: a socket towards one phone, where its packets go, the 20 ms timeline
//! of what is sent on it, and its packet counts. A call's path to the caller
//! ([`super::media_path`]) and the agent's leg of a bridge ([`super::media_bridge`]) are
//! each one leg; what they send and what they do with what they receive is theirs.
//!
//! Symmetric RTP: packets go to where the phone's RTP comes from. The first valid RTP
//! packet latches the destination; later, only packets with the latched SSRC move it
//! (so a stray sender can't redirect the media), and a new SDP negotiation resets the
//! latch. A negotiation marked `latch_first` (the SDP's address is not the signalling
//! source's host) sends nothing at all until that first packet: the server never sends
//! media unasked to an address a caller merely wrote down. A leg negotiated without "send" (hold) sends nothing but keeps its timeline
//! moving, so the packets after the hold continue it.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::media::{
    parse_rtp, Outgoing, Pacer, Relay, RtpPacketizer, RtpView, Tick, FRAME_SAMPLES, G711,
};
use crate::metrics::Metrics;
use crate::prompts::silence;
use crate::sdp::{Direction, Negotiated};

/// Packet counts are added to the shared counters once per this many send ticks.
const FLUSH_EVERY_TICKS: u32 = 50;

/// What a packet received on a leg carries, by the leg's negotiation.
pub(super) enum Received<'a> {
    /// The payload of an audio packet in the leg's codec.
    Audio(&'a [u8]),
    /// A packet of the negotiated telephone-event payload type.
    Event(RtpView<'a>),
}

/// One RTP leg's socket, destination and outgoing timeline.
pub(super) struct RtpLeg {
    socket: UdpSocket,
    remote: SocketAddr,
    latched_ssrc: Option<u32>,
    /// Nothing is sent until the first packet latches `remote` (see the module doc).
    awaiting_latch: bool,
    codec: G711,
    codec_payload_type: u8,
    telephone_event: Option<u8>,
    sending: bool,
    packetizer: RtpPacketizer,
    pacer: Pacer,
    send_buffer: Vec<u8>,
    receive_buffer: Box<[u8; 2048]>,
    last_received: Instant,
    counts: Counts,
}

#[derive(Default)]
struct Counts {
    packets_in: u64,
    packets_out: u64,
    late: u64,
    ticks: u32,
}

impl RtpLeg {
    /// A leg negotiated as `negotiated` on `socket` (non-blocking), its first frame due
    /// `now`.
    pub(super) fn new(socket: UdpSocket, negotiated: &Negotiated, now: Instant) -> RtpLeg {
        let mut leg = RtpLeg {
            socket,
            remote: negotiated.remote_rtp,
            latched_ssrc: None,
            awaiting_latch: negotiated.latch_first,
            codec: negotiated.codec,
            codec_payload_type: negotiated.codec_pt,
            telephone_event: None,
            sending: true,
            packetizer: random_packetizer(negotiated.codec_pt),
            pacer: Pacer::new(now),
            send_buffer: Vec::with_capacity(12 + FRAME_SAMPLES),
            receive_buffer: Box::new([0; 2048]),
            last_received: now,
            counts: Counts::default(),
        };
        leg.apply(negotiated);
        leg
    }

    /// Takes a new SDP negotiation (re-INVITE): destination, codec, hold. A new codec
    /// starts a new RTP stream (new SSRC).
    pub(super) fn renegotiate(&mut self, negotiated: &Negotiated) {
        if negotiated.codec != self.codec || negotiated.codec_pt != self.codec_payload_type {
            self.packetizer = random_packetizer(negotiated.codec_pt);
        }
        self.remote = negotiated.remote_rtp;
        self.latched_ssrc = None;
        self.awaiting_latch = negotiated.latch_first;
        self.apply(negotiated);
    }

    fn apply(&mut self, negotiated: &Negotiated) {
        self.codec = negotiated.codec;
        self.codec_payload_type = negotiated.codec_pt;
        self.telephone_event = negotiated.telephone_event;
        self.sending = matches!(
            negotiated.direction,
            Direction::SendRecv | Direction::SendOnly
        );
    }

    /// The leg's G.711 law.
    pub(super) fn codec(&self) -> G711 {
        self.codec
    }

    /// The leg's negotiated telephone-event payload type.
    pub(super) fn telephone_event(&self) -> Option<u8> {
        self.telephone_event
    }

    /// Whether no RTP has come on this leg for `limit` by `now`.
    pub(super) fn silent_for(&self, limit: Duration, now: Instant) -> bool {
        now.saturating_duration_since(self.last_received) >= limit
    }

    /// The next packet begins a talkspurt (marker bit).
    pub(super) fn start_talkspurt(&mut self) {
        self.packetizer.start_talkspurt();
    }

    /// Reads every packet waiting on the socket (it never blocks), latches the
    /// destination, and hands each audio or telephone-event packet to `on_packet`
    /// (other payload types are ignored). An error other than "nothing more to read"
    /// means the socket is unusable.
    pub(super) fn drain_received(
        &mut self,
        now: Instant,
        mut on_packet: impl FnMut(Received<'_>),
    ) -> io::Result<()> {
        loop {
            let (len, from) = match self.socket.recv_from(&mut self.receive_buffer[..]) {
                Ok(received) => received,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            let Some(packet) = parse_rtp(&self.receive_buffer[..len]) else {
                continue;
            };
            self.counts.packets_in += 1;
            self.last_received = now;
            if from != self.remote && self.latched_ssrc.is_none_or(|ssrc| ssrc == packet.ssrc) {
                self.remote = from;
            }
            self.latched_ssrc.get_or_insert(packet.ssrc);
            self.awaiting_latch = false;
            if Some(packet.payload_type) == self.telephone_event {
                on_packet(Received::Event(packet));
            } else if packet.payload_type == self.codec_payload_type {
                on_packet(Received::Audio(packet.payload));
            }
        }
    }

    /// Starts the send tick at `now`: the frames of a stall are dropped, not burst (the
    /// timeline jumps over them and the receiver sees a new talkspurt). Returns what is
    /// due; the caller sends `frames` packets, then calls [`RtpLeg::end_tick`].
    pub(super) fn start_tick(&mut self, now: Instant) -> Tick {
        let tick = self.pacer.on_tick(now);
        if tick.late {
            self.counts.late += 1;
        }
        if tick.skipped > 0 {
            self.packetizer
                .skip_samples(tick.skipped * FRAME_SAMPLES as u32);
            self.packetizer.start_talkspurt();
        }
        tick
    }

    /// Sends one frame's worth: an audio frame, or an event packet in its place (the
    /// audio timeline moves on by a frame either way). A full socket buffer drops it.
    pub(super) fn send(&mut self, outgoing: Outgoing<'_>) {
        if !self.sending {
            self.packetizer.skip_samples(FRAME_SAMPLES as u32);
            return;
        }
        match outgoing {
            Outgoing::Audio(frame) => {
                self.packetizer
                    .write_packet(frame, FRAME_SAMPLES as u32, &mut self.send_buffer);
            }
            Outgoing::Event {
                payload_type,
                timestamp,
                marker,
                block,
            } => {
                self.packetizer.write_other_packet(
                    payload_type,
                    timestamp,
                    marker,
                    block,
                    &mut self.send_buffer,
                );
                self.packetizer.skip_samples(FRAME_SAMPLES as u32);
            }
        }
        if !self.awaiting_latch && self.socket.send_to(&self.send_buffer, self.remote).is_ok() {
            self.counts.packets_out += 1;
        }
    }

    /// Sends what `relay` has for this frame, or silence when it has nothing.
    pub(super) fn send_relayed(&mut self, relay: &mut Relay) {
        match relay.next(self.packetizer.next_timestamp()) {
            Some(outgoing) => self.send(outgoing),
            None => self.send_silence(),
        }
    }

    /// Sends a frame of silence.
    pub(super) fn send_silence(&mut self) {
        self.send(Outgoing::Audio(silence(self.codec)));
    }

    /// Ends a send tick; the counts go to `metrics` every [`FLUSH_EVERY_TICKS`].
    pub(super) fn end_tick(&mut self, metrics: &Metrics) {
        self.counts.ticks += 1;
        if self.counts.ticks >= FLUSH_EVERY_TICKS {
            self.flush_counts(metrics);
        }
    }

    /// Adds the packet counts gathered since the last flush to the shared counters.
    pub(super) fn flush_counts(&mut self, metrics: &Metrics) {
        let counts = std::mem::take(&mut self.counts);
        metrics.rtp_packets_in.inc_by(counts.packets_in);
        metrics.rtp_packets_out.inc_by(counts.packets_out);
        metrics.rtp_late_sends.inc_by(counts.late);
    }
}

/// RFC 3550 wants the SSRC, first sequence number and first timestamp random.
fn random_packetizer(payload_type: u8) -> RtpPacketizer {
    RtpPacketizer::new(rand::random(), rand::random(), rand::random(), payload_type)
}

#[cfg(test)]
#[path = "rtp_leg_tests.rs"]
mod tests;
