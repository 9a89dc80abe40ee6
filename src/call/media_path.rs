//! One call's path to the caller: what is being played, key detection on what the
//! caller sends, the recording of a description, and, while the caller is bridged to an
//! agent, the agent's audio in place of prompts. It does no waiting of its own: the
//! media clock ([`super::media_clock`]) calls it once per 20 ms tick to drain the socket
//! and send what is due. The socket, symmetric RTP and the send timeline are the
//! [`RtpLeg`]'s.
//!
//! In-band tone detection runs only when the caller offered no telephone-event, so a
//! phone that sends both never reports a key twice. While the menu records a
//! description, the caller's audio is decoded into the call's [`Recorder`].

use std::io;
use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::rtp_leg::{Received, RtpLeg};
use crate::media::{
    Key, Outgoing, Recorded, Recorder, Relay, TelephoneEventReceiver, ToneDetector, FRAME_SAMPLES,
    G711,
};
use crate::metrics::{DtmfMethod, Metrics};
use crate::prompts::{silence, Playout, Prompt};
use crate::sdp::Negotiated;

/// The per-call media state.
pub struct MediaPath {
    leg: RtpLeg,
    playout: Option<Playout>,
    events: TelephoneEventReceiver,
    heard: CallerAudio,
}

impl MediaPath {
    /// Starts the media of a call answered with `negotiated` on `socket` (non-blocking),
    /// the first frame due `now`.
    pub fn new(socket: UdpSocket, negotiated: &Negotiated, now: Instant) -> MediaPath {
        let mut path = MediaPath {
            leg: RtpLeg::new(socket, negotiated, now),
            playout: None,
            events: TelephoneEventReceiver::new(),
            heard: CallerAudio {
                codec: negotiated.codec,
                tones: None,
                recorder: Recorder::new(),
                pcm: [0; FRAME_SAMPLES],
            },
        };
        path.apply(negotiated);
        path
    }

    /// Takes a new SDP negotiation (re-INVITE): destination, codec, hold.
    pub fn renegotiate(&mut self, negotiated: &Negotiated) {
        self.leg.renegotiate(negotiated);
        self.apply(negotiated);
    }

    fn apply(&mut self, negotiated: &Negotiated) {
        self.heard.codec = negotiated.codec;
        self.heard.tones = match negotiated.telephone_event {
            Some(_) => None,
            None => Some(ToneDetector::new()),
        };
    }

    /// The caller's leg (its codec and telephone-event, for a bridge).
    pub(super) fn leg(&self) -> &RtpLeg {
        &self.leg
    }

    /// Replaces what is playing with `prompts`, in order.
    pub fn play(&mut self, prompts: Vec<Arc<Prompt>>) {
        self.playout = Some(Playout::new(prompts, self.leg.codec()));
        self.leg.start_talkspurt();
    }

    /// Stops what is playing (silence follows).
    pub fn stop(&mut self) {
        self.playout = None;
    }

    /// Whether the caller's RTP has not been seen for `limit` by `now`.
    pub fn silent_for(&self, limit: Duration, now: Instant) -> bool {
        self.leg.silent_for(limit, now)
    }

    /// Sends the frames due at `now`: what `from_agent` relays while bridged, else a
    /// prompt frame, or silence when nothing plays. Returns true when the playlist has
    /// just finished.
    pub fn send_due(
        &mut self,
        now: Instant,
        metrics: &Metrics,
        mut from_agent: Option<&mut Relay>,
    ) -> bool {
        let tick = self.leg.start_tick(now);
        if let (Some(playout), None) = (self.playout.as_mut(), from_agent.as_ref()) {
            for _ in 0..tick.skipped {
                playout.next_frame();
            }
        }
        for _ in 0..tick.frames {
            match from_agent.as_deref_mut() {
                Some(relay) => self.leg.send_relayed(relay),
                None => {
                    let frame = self
                        .playout
                        .as_mut()
                        .and_then(Playout::next_frame)
                        .unwrap_or(silence(self.leg.codec()));
                    self.leg.send(Outgoing::Audio(frame));
                }
            }
        }
        let finished = self.playout.as_ref().is_some_and(Playout::is_finished);
        if finished {
            self.playout = None;
        }
        self.leg.end_tick(metrics);
        finished
    }

    /// Reads every packet waiting on the socket (it never blocks), hands each key they
    /// carry to `on_key` (RFC 4733 events, or in-band tones when no telephone-event was
    /// negotiated) and, while bridged, the audio and events to `to_agent`. An error
    /// other than "nothing more to read" means the socket is unusable.
    pub fn drain_received(
        &mut self,
        now: Instant,
        mut to_agent: Option<&mut Relay>,
        mut on_key: impl FnMut(Key, DtmfMethod),
    ) -> io::Result<()> {
        let MediaPath {
            leg, events, heard, ..
        } = self;
        leg.drain_received(now, |received| match received {
            Received::Event(packet) => {
                if let Some(relay) = to_agent.as_deref_mut() {
                    relay.push_event(packet.payload, packet.timestamp);
                }
                if let Some(key) = events.on_packet(&packet, now) {
                    on_key(key, DtmfMethod::Rfc4733);
                }
            }
            Received::Audio(payload) => {
                if let Some(relay) = to_agent.as_deref_mut() {
                    relay.push_audio(payload);
                }
                if let Some(key) = heard.on_audio(payload) {
                    on_key(key, DtmfMethod::Inband);
                }
            }
        })
    }

    /// Starts recording the caller (at most `max`), replacing an earlier recording.
    pub fn start_recording(&mut self, max: Duration) {
        self.heard.recorder.start(max);
    }

    /// Stops recording; the recording is kept for [`MediaPath::take_recording`].
    pub fn stop_recording(&mut self) {
        self.heard.recorder.stop();
    }

    /// Stops recording and returns what was recorded since the last take, if it is long
    /// enough to keep.
    pub fn take_recording(&mut self) -> Option<Recorded> {
        self.heard.recorder.take()
    }

    /// Adds the packet counts gathered since the last flush to the shared counters.
    pub fn flush_counts(&mut self, metrics: &Metrics) {
        self.leg.flush_counts(metrics);
    }
}

/// What is done with the caller's audio: in-band key detection (only without
/// telephone-event) and the recording of a description.
struct CallerAudio {
    codec: G711,
    tones: Option<ToneDetector>,
    recorder: Recorder,
    pcm: [i16; FRAME_SAMPLES],
}

impl CallerAudio {
    /// Decodes `payload` when the detector or a recording needs it, a frame at a time;
    /// returns a key the detector heard.
    fn on_audio(&mut self, payload: &[u8]) -> Option<Key> {
        if self.tones.is_none() && !self.recorder.is_capturing() {
            return None;
        }
        let mut key_heard = None;
        for chunk in payload.chunks(FRAME_SAMPLES) {
            let pcm = &mut self.pcm[..chunk.len()];
            self.codec.decode_into(chunk, pcm);
            self.recorder.push(pcm);
            if let Some(key) = self.tones.as_mut().and_then(|tones| tones.push(pcm)) {
                key_heard = Some(key);
            }
        }
        key_heard
    }
}
