//! One call's RTP path: the socket, what is being played, the 20 ms send schedule, and
//! key detection on what the caller sends. It does no waiting of its own: the media
//! clock ([`super::media_clock`]) calls it once per 20 ms tick to drain the socket and
//! send what is due.
//!
//! Symmetric RTP: packets go to where the caller's RTP comes from. The first valid RTP
//! packet latches the destination; later, only packets with the latched SSRC move it
//! (so a stray sender can't redirect the media), and a new SDP offer resets the latch.
//! In-band tone detection runs only when the caller offered no telephone-event, so a
//! phone that sends both never reports a key twice. While the menu records a
//! description, the caller's audio is decoded into the call's [`Recorder`].

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::media::{
    parse_rtp, Key, Pacer, Recorded, Recorder, RtpPacketizer, TelephoneEventReceiver, ToneDetector,
    FRAME_SAMPLES, G711,
};
use crate::metrics::{DtmfMethod, Metrics};
use crate::prompts::{silence, Playout, Prompt};
use crate::sdp::{Direction, Negotiated};

/// Packet counts are added to the shared counters once per this many send ticks.
const FLUSH_EVERY_TICKS: u32 = 50;

/// The per-call media state.
pub struct MediaPath {
    socket: UdpSocket,
    remote: SocketAddr,
    latched_ssrc: Option<u32>,
    codec: G711,
    codec_payload_type: u8,
    telephone_event: Option<u8>,
    sending: bool,
    packetizer: RtpPacketizer,
    pacer: Pacer,
    playout: Option<Playout>,
    events: TelephoneEventReceiver,
    heard: CallerAudio,
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

impl MediaPath {
    /// Starts the media of a call answered with `negotiated` on `socket` (non-blocking),
    /// the first frame due `now`.
    pub fn new(socket: UdpSocket, negotiated: &Negotiated, now: Instant) -> MediaPath {
        let mut path = MediaPath {
            socket,
            remote: negotiated.remote_rtp,
            latched_ssrc: None,
            codec: negotiated.codec,
            codec_payload_type: negotiated.codec_pt,
            telephone_event: None,
            sending: true,
            packetizer: RtpPacketizer::new(
                rand::random(),
                rand::random(),
                rand::random(),
                negotiated.codec_pt,
            ),
            pacer: Pacer::new(now),
            playout: None,
            events: TelephoneEventReceiver::new(),
            heard: CallerAudio {
                codec: negotiated.codec,
                tones: None,
                recorder: Recorder::new(),
                pcm: [0; FRAME_SAMPLES],
            },
            send_buffer: Vec::with_capacity(12 + FRAME_SAMPLES),
            receive_buffer: Box::new([0; 2048]),
            last_received: now,
            counts: Counts::default(),
        };
        path.apply(negotiated);
        path
    }

    /// Takes a new SDP negotiation (re-INVITE): destination, codec, hold.
    pub fn renegotiate(&mut self, negotiated: &Negotiated) {
        if negotiated.codec != self.codec || negotiated.codec_pt != self.codec_payload_type {
            self.packetizer = RtpPacketizer::new(
                rand::random(),
                rand::random(),
                rand::random(),
                negotiated.codec_pt,
            );
        }
        self.remote = negotiated.remote_rtp;
        self.latched_ssrc = None;
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
        self.heard.codec = negotiated.codec;
        self.heard.tones = match negotiated.telephone_event {
            Some(_) => None,
            None => Some(ToneDetector::new()),
        };
    }

    /// Replaces what is playing with `prompts`, in order.
    pub fn play(&mut self, prompts: Vec<Arc<Prompt>>) {
        self.playout = Some(Playout::new(prompts, self.codec));
        self.packetizer.start_talkspurt();
    }

    /// Stops what is playing (silence follows).
    pub fn stop(&mut self) {
        self.playout = None;
    }

    /// Whether the caller's RTP has not been seen for `limit` by `now`.
    pub fn silent_for(&self, limit: Duration, now: Instant) -> bool {
        now.saturating_duration_since(self.last_received) >= limit
    }

    /// Sends the frames due at `now` (a prompt frame, or silence when nothing plays).
    /// Returns true when the playlist has just finished.
    pub fn send_due(&mut self, now: Instant, metrics: &Metrics) -> bool {
        let tick = self.pacer.on_tick(now);
        if tick.late {
            self.counts.late += 1;
        }
        if tick.skipped > 0 {
            // The frames of a stall are dropped, not burst; the receiver sees a new talkspurt.
            self.packetizer
                .skip_samples(tick.skipped * FRAME_SAMPLES as u32);
            self.packetizer.start_talkspurt();
            if let Some(playout) = self.playout.as_mut() {
                for _ in 0..tick.skipped {
                    playout.next_frame();
                }
            }
        }
        for _ in 0..tick.frames {
            let frame = self
                .playout
                .as_mut()
                .and_then(Playout::next_frame)
                .unwrap_or(silence(self.codec));
            if self.sending {
                self.packetizer
                    .write_packet(frame, FRAME_SAMPLES as u32, &mut self.send_buffer);
                // A full socket buffer drops this frame; the schedule goes on.
                if self.socket.send_to(&self.send_buffer, self.remote).is_ok() {
                    self.counts.packets_out += 1;
                }
            } else {
                self.packetizer.skip_samples(FRAME_SAMPLES as u32);
            }
        }
        let finished = self.playout.as_ref().is_some_and(Playout::is_finished);
        if finished {
            self.playout = None;
        }
        self.counts.ticks += 1;
        if self.counts.ticks >= FLUSH_EVERY_TICKS {
            self.flush_counts(metrics);
        }
        finished
    }

    /// Reads every packet waiting on the socket (it never blocks) and hands each key
    /// they carry to `on_key` (RFC 4733 events, or in-band tones when no
    /// telephone-event was negotiated). An error other than "nothing more to read"
    /// means the socket is unusable.
    pub fn drain_received(
        &mut self,
        now: Instant,
        mut on_key: impl FnMut(Key, DtmfMethod),
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
            if Some(packet.payload_type) == self.telephone_event {
                if let Some(key) = self.events.on_packet(&packet, now) {
                    on_key(key, DtmfMethod::Rfc4733);
                }
            } else if packet.payload_type == self.codec_payload_type {
                if let Some(key) = self.heard.on_audio(packet.payload) {
                    on_key(key, DtmfMethod::Inband);
                }
            }
        }
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
        let counts = std::mem::take(&mut self.counts);
        metrics.rtp_packets_in.inc_by(counts.packets_in);
        metrics.rtp_packets_out.inc_by(counts.packets_out);
        metrics.rtp_late_sends.inc_by(counts.late);
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
