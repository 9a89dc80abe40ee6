//! One direction of a bridge between two RTP legs (leg A's packets out on leg B), as
//! pure code: re-framing, G.711 transcoding, a bounded jitter queue and the
//! re-timestamping of RFC 4733 events onto B's timeline.
//!
//! Each leg keeps its own RTP timeline (SSRC, sequence, timestamp), so nothing of A's
//! header is copied to B: what A sends is cut into what B sends once per 20 ms tick.
//!
//! Decisions where the RFCs leave a choice:
//! - audio is cut into 20 ms frames whatever A's packetization (10 ms packets are
//!   accumulated, 30 ms ones split), transcoded when the two legs use different laws
//!   (through a 256-entry table built once: µ-law → PCM → A-law and back), and queued
//!   for B; payload bytes are concatenated in arrival order, gaps and reordering are not
//!   repaired (a lost packet shortens the audio by its length);
//! - the queue holds [`RELAY_QUEUE_FRAMES`] packets (100 ms); when A delivers faster than
//!   B's clock takes, the oldest is dropped, so clock drift and bursts never build
//!   latency; when it is empty B sends silence (the caller of [`Relay::next`] decides).
//!   A queue that has held more than the packet of the tick for
//!   [`STANDING_QUEUE_TICKS`] ticks in a row loses its oldest audio frame, so the delay
//!   a burst leaves behind (or a sender's clock slightly faster than B's) drains within
//!   seconds instead of staying until the sender pauses;
//! - an RFC 4733 event packet takes one queue place and goes out on B in place of that
//!   tick's audio frame, with B's telephone-event payload type, its event block (event
//!   code, end bit, volume, duration) unchanged, and one timestamp per event: the B
//!   timestamp of the tick its first relayed packet goes out on, with the marker bit on
//!   that first packet only. Packets of one event are recognised by A's event
//!   timestamp; a sender that re-stamps every packet of one event therefore appears on B
//!   as a run of short events (the receiver rules of [`super::rfc4733`] take that for
//!   one press). End packet repetitions are relayed one for one. Only the first event
//!   block of a payload is relayed (as the receiver reads only that one);
//! - when B negotiated no telephone-event, A's events are dropped: a phone that sends
//!   keys only as events is then heard by B as nothing, one that also sends them in band
//!   is heard through its audio. The reverse (A without telephone-event) needs nothing:
//!   A's in-band tones are relayed as audio.
//!
//! Nothing here allocates, locks or logs per packet.

use super::{FRAME_SAMPLES, G711};

/// Packets waiting for one leg at most (20 ms each): 100 ms.
pub const RELAY_QUEUE_FRAMES: usize = 5;

/// Ticks in a row with a standing queue (more than one packet waiting when B takes
/// one) before its oldest audio frame is dropped: one second.
pub const STANDING_QUEUE_TICKS: u32 = 50;

/// Bytes of one RFC 4733 event block: event, E/R/volume, duration.
const EVENT_BLOCK: usize = 4;

/// A packet waiting to go out on B.
#[derive(Clone, Copy, Debug)]
enum Queued {
    Audio([u8; FRAME_SAMPLES]),
    Event {
        block: [u8; EVENT_BLOCK],
        source_timestamp: u32,
    },
}

/// What B sends at one tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outgoing<'a> {
    /// A 20 ms audio frame in B's law.
    Audio(&'a [u8; FRAME_SAMPLES]),
    /// A telephone-event packet for B's timeline.
    Event {
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        block: &'a [u8; EVENT_BLOCK],
    },
}

/// The event B is relaying: A's timestamp for it and the one B gave it.
#[derive(Clone, Copy, Debug)]
struct RetimedEvent {
    source_timestamp: u32,
    timestamp: u32,
}

/// A → B: what A sent, waiting to go out on B.
#[derive(Debug)]
pub struct Relay {
    transcode: [u8; 256],
    telephone_event: Option<u8>,
    partial: [u8; FRAME_SAMPLES],
    partial_len: usize,
    queue: [Queued; RELAY_QUEUE_FRAMES],
    head: usize,
    len: usize,
    event: Option<RetimedEvent>,
    standing_ticks: u32,
}

impl Relay {
    /// A relay from a leg speaking `from` to a leg speaking `to` whose negotiated
    /// telephone-event payload type is `to_telephone_event`.
    pub fn new(from: G711, to: G711, to_telephone_event: Option<u8>) -> Relay {
        let mut transcode = [0u8; 256];
        for (byte, out) in (0..=255u8).zip(transcode.iter_mut()) {
            *out = if from == to {
                byte
            } else {
                to.encode(from.decode(byte))
            };
        }
        Relay {
            transcode,
            telephone_event: to_telephone_event,
            partial: [0; FRAME_SAMPLES],
            partial_len: 0,
            queue: [Queued::Audio([0; FRAME_SAMPLES]); RELAY_QUEUE_FRAMES],
            head: 0,
            len: 0,
            event: None,
            standing_ticks: 0,
        }
    }

    /// Takes the audio payload of one packet from A (any length).
    pub fn push_audio(&mut self, payload: &[u8]) {
        let mut rest = payload;
        while !rest.is_empty() {
            let take = rest.len().min(FRAME_SAMPLES - self.partial_len);
            let (chunk, after) = rest.split_at(take);
            let start = self.partial_len;
            for (out, &byte) in self.partial[start..start + take].iter_mut().zip(chunk) {
                *out = self.transcode[usize::from(byte)];
            }
            self.partial_len += take;
            if self.partial_len == FRAME_SAMPLES {
                self.partial_len = 0;
                self.enqueue(Queued::Audio(self.partial));
            }
            rest = after;
        }
    }

    /// Takes one telephone-event packet from A (its payload and RTP timestamp); dropped
    /// when B negotiated no telephone-event or the payload holds no whole event block.
    pub fn push_event(&mut self, payload: &[u8], timestamp: u32) {
        if self.telephone_event.is_none() {
            return;
        }
        let Some(block) = payload.get(..EVENT_BLOCK) else {
            return;
        };
        let mut copied = [0; EVENT_BLOCK];
        copied.copy_from_slice(block);
        self.enqueue(Queued::Event {
            block: copied,
            source_timestamp: timestamp,
        });
    }

    /// What B sends at this tick, B's next audio timestamp being `next_timestamp`;
    /// `None` when nothing waits (B then sends silence).
    pub fn next(&mut self, next_timestamp: u32) -> Option<Outgoing<'_>> {
        if self.len == 0 {
            return None;
        }
        self.trim_standing_queue();
        let index = self.head;
        self.head = (self.head + 1) % RELAY_QUEUE_FRAMES;
        self.len -= 1;
        match &self.queue[index] {
            Queued::Audio(frame) => Some(Outgoing::Audio(frame)),
            Queued::Event {
                block,
                source_timestamp,
            } => {
                let payload_type = self.telephone_event?;
                let (timestamp, marker) = match self.event {
                    Some(event) if event.source_timestamp == *source_timestamp => {
                        (event.timestamp, false)
                    }
                    _ => {
                        self.event = Some(RetimedEvent {
                            source_timestamp: *source_timestamp,
                            timestamp: next_timestamp,
                        });
                        (next_timestamp, true)
                    }
                };
                Some(Outgoing::Event {
                    payload_type,
                    timestamp,
                    marker,
                    block,
                })
            }
        }
    }

    /// Counts the ticks a queue stands, and drops its oldest audio frame after
    /// [`STANDING_QUEUE_TICKS`] of them (an event packet waits its turn instead).
    fn trim_standing_queue(&mut self) {
        if self.len < 2 {
            self.standing_ticks = 0;
            return;
        }
        self.standing_ticks += 1;
        if self.standing_ticks >= STANDING_QUEUE_TICKS
            && matches!(self.queue[self.head], Queued::Audio(_))
        {
            self.standing_ticks = 0;
            self.head = (self.head + 1) % RELAY_QUEUE_FRAMES;
            self.len -= 1;
        }
    }

    fn enqueue(&mut self, packet: Queued) {
        if self.len == RELAY_QUEUE_FRAMES {
            self.head = (self.head + 1) % RELAY_QUEUE_FRAMES;
            self.len -= 1;
        }
        self.queue[(self.head + self.len) % RELAY_QUEUE_FRAMES] = packet;
        self.len += 1;
    }
}

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
