//! The caller's outgoing RTP stream, one packet per 20 ms tick, like a phone: silence
//! frames, in-band tone frames, or RFC 4733 telephone-event packets in place of audio.
//! Pure: the shell calls `next_packet` on each tick of its pacer.

use std::collections::VecDeque;

use rtp::header::Header;
use webrtc_util::marshal::Marshal;

use crate::media::{dtmf_tone, Key, FRAME_SAMPLES, G711, SAMPLE_RATE};

const RTP_HEADER_LEN: usize = 12;
/// Samples per frame as an RTP timestamp step.
const FRAME_STEP: u32 = FRAME_SAMPLES as u32;
/// RFC 4733 end packets are sent three times.
const END_REPEATS: u32 = 3;
/// Volume field of our events (−10 dBm0).
const EVENT_VOLUME: u8 = 10;

/// A key lasts 100 ms, whichever way it is sent.
pub const KEY_MS: u32 = 100;
/// RFC 4733 frames of one key (before its three end packets).
const KEY_FRAMES: u32 = KEY_MS / 20;
/// Silence after an in-band tone, so that two keys in a row are two tones.
const TONE_PAUSE_MS: u32 = 100;
/// Amplitude of each of the two tone components (about −10 dBm0 together).
const TONE_AMPLITUDE: i16 = 6000;

/// Something to send in place of silence, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// An RFC 4733 event lasting `frames` frames, then its end packet three times.
    Event { key: Key, frames: u32 },
    /// PCM to send as audio (a tone and the pause after it), 160 samples per frame.
    Audio(Vec<i16>),
}

impl Outgoing {
    /// A key as RFC 4733 telephone-events lasting [`KEY_MS`].
    pub fn key_event(key: Key) -> Outgoing {
        Outgoing::Event {
            key,
            frames: KEY_FRAMES,
        }
    }

    /// A key as [`KEY_MS`] of DTMF tone samples, then a pause.
    pub fn key_tone(key: Key) -> Outgoing {
        let mut pcm = dtmf_tone(key, KEY_MS, TONE_AMPLITUDE);
        pcm.resize(pcm.len() + (SAMPLE_RATE * TONE_PAUSE_MS / 1000) as usize, 0);
        Outgoing::Audio(pcm)
    }
}

#[derive(Debug)]
struct Active {
    item: Outgoing,
    /// Packets (or frames) of this item already sent.
    sent: u32,
    /// RTP timestamp of the event's start.
    start: u32,
}

/// The caller's send clock and queue of keys.
#[derive(Debug)]
pub struct OutgoingStream {
    ssrc: u32,
    sequence: u16,
    /// Timestamp of the frame the next tick sends.
    timestamp: u32,
    codec: G711,
    telephone_event: Option<u8>,
    first: bool,
    queue: VecDeque<Outgoing>,
    active: Option<Active>,
}

impl OutgoingStream {
    pub fn new(
        ssrc: u32,
        first_sequence: u16,
        first_timestamp: u32,
        codec: G711,
        telephone_event: Option<u8>,
    ) -> Self {
        OutgoingStream {
            ssrc,
            sequence: first_sequence,
            timestamp: first_timestamp,
            codec,
            telephone_event,
            first: true,
            queue: VecDeque::new(),
            active: None,
        }
    }

    /// Queues an item behind those already queued. An event without a negotiated
    /// telephone-event payload type is refused (returned).
    pub fn push(&mut self, item: Outgoing) -> Result<(), Outgoing> {
        if matches!(item, Outgoing::Event { .. }) && self.telephone_event.is_none() {
            return Err(item);
        }
        self.queue.push_back(item);
        Ok(())
    }

    /// Writes the packet for this 20 ms tick into `out` and advances the send clock by
    /// one frame. Returns true when a queued item has been sent completely.
    pub fn next_packet(&mut self, out: &mut Vec<u8>) -> bool {
        if self.active.is_none() {
            self.active = self.queue.pop_front().map(|item| Active {
                item,
                sent: 0,
                start: self.timestamp,
            });
        }
        let finished = match (&mut self.active, self.telephone_event) {
            (
                Some(Active {
                    item: Outgoing::Event { key, frames },
                    sent,
                    start,
                }),
                Some(event_pt),
            ) => {
                let frames = (*frames).max(1);
                let end = *sent >= frames;
                let duration = FRAME_STEP * (*sent + 1).min(frames);
                let payload = [
                    key.event_code(),
                    (u8::from(end) << 7) | EVENT_VOLUME,
                    (duration >> 8) as u8,
                    duration as u8,
                ];
                let (marker, sequence, ssrc) = (*sent == 0, self.sequence, self.ssrc);
                write_packet(out, marker, event_pt, sequence, *start, ssrc, &payload);
                *sent += 1;
                *sent >= frames + END_REPEATS
            }
            (
                Some(Active {
                    item: Outgoing::Audio(pcm),
                    sent,
                    ..
                }),
                _,
            ) => {
                let from = (*sent as usize * FRAME_SAMPLES).min(pcm.len());
                let to = (from + FRAME_SAMPLES).min(pcm.len());
                let mut frame = [0i16; FRAME_SAMPLES];
                frame[..to - from].copy_from_slice(&pcm[from..to]);
                *sent += 1;
                let finished = to == pcm.len();
                self.write_audio(out, &frame);
                finished
            }
            _ => {
                self.write_audio(out, &[0; FRAME_SAMPLES]);
                false
            }
        };
        if finished {
            self.active = None;
        }
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME_STEP);
        self.first = false;
        finished
    }

    fn write_audio(&self, out: &mut Vec<u8>, pcm: &[i16; FRAME_SAMPLES]) {
        let mut payload = [0u8; FRAME_SAMPLES];
        self.codec.encode_into(pcm, &mut payload);
        write_packet(
            out,
            self.first,
            self.codec.payload_type(),
            self.sequence,
            self.timestamp,
            self.ssrc,
            &payload,
        );
    }
}

fn write_packet(
    out: &mut Vec<u8>,
    marker: bool,
    payload_type: u8,
    sequence_number: u16,
    timestamp: u32,
    ssrc: u32,
    payload: &[u8],
) {
    let header = Header {
        version: 2,
        marker,
        payload_type,
        sequence_number,
        timestamp,
        ssrc,
        ..Header::default()
    };
    out.clear();
    out.resize(RTP_HEADER_LEN + payload.len(), 0);
    // A 12-byte header always fits the 12 bytes reserved for it.
    let _ = header.marshal_to(&mut out[..RTP_HEADER_LEN]);
    out[RTP_HEADER_LEN..].copy_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::parse_rtp;

    fn key(c: char) -> Key {
        Key::from_char(c).unwrap()
    }

    /// (marker, payload type, sequence, timestamp, payload) of the next `n` packets.
    fn run(stream: &mut OutgoingStream, n: usize) -> Vec<(bool, u8, u16, u32, Vec<u8>, bool)> {
        let mut out = Vec::new();
        (0..n)
            .map(|_| {
                let finished = stream.next_packet(&mut out);
                let p = parse_rtp(&out).expect("valid RTP");
                (
                    p.marker,
                    p.payload_type,
                    p.sequence,
                    p.timestamp,
                    p.payload.to_vec(),
                    finished,
                )
            })
            .collect()
    }

    #[test]
    fn silence_stream_advances_one_frame_per_tick_with_marker_only_first() {
        let mut stream = OutgoingStream::new(9, 65535, 1000, G711::Alaw, None);
        let packets = run(&mut stream, 3);
        let heads: Vec<_> = packets.iter().map(|p| (p.0, p.1, p.2, p.3)).collect();
        assert_eq!(
            heads,
            [
                (true, 8, 65535, 1000),
                (false, 8, 0, 1160),
                (false, 8, 1, 1320)
            ]
        );
        assert!(packets
            .iter()
            .all(|p| p.4 == vec![G711::Alaw.encode(0); 160]));
    }

    #[test]
    fn event_packets_share_the_start_timestamp_and_end_three_times() {
        let mut stream = OutgoingStream::new(9, 100, 0, G711::Ulaw, Some(101));
        run(&mut stream, 2);
        stream
            .push(Outgoing::Event {
                key: key('#'),
                frames: 3,
            })
            .unwrap();
        let packets = run(&mut stream, 7);
        let events = &packets[..6];
        assert!(events.iter().all(|p| p.1 == 101 && p.3 == 320));
        let markers: Vec<bool> = events.iter().map(|p| p.0).collect();
        assert_eq!(markers, [true, false, false, false, false, false]);
        let fields: Vec<(u8, bool, u16)> = events
            .iter()
            .map(|p| {
                (
                    p.4[0],
                    p.4[1] & 0x80 != 0,
                    u16::from_be_bytes([p.4[2], p.4[3]]),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                (11, false, 160),
                (11, false, 320),
                (11, false, 480),
                (11, true, 480),
                (11, true, 480),
                (11, true, 480)
            ]
        );
        let finished: Vec<bool> = events.iter().map(|p| p.5).collect();
        assert_eq!(finished, [false, false, false, false, false, true]);
        let after = &packets[6];
        assert_eq!(
            (after.0, after.1, after.2, after.3),
            (false, 0, 108, 320 + 6 * 160)
        );
    }

    #[test]
    fn audio_item_is_sent_frame_by_frame_and_padded_with_silence() {
        let mut stream = OutgoingStream::new(9, 0, 0, G711::Ulaw, None);
        let pcm: Vec<i16> = (0..200).map(|i| (i * 100) as i16).collect();
        stream.push(Outgoing::Audio(pcm.clone())).unwrap();
        let packets = run(&mut stream, 3);
        let mut expected = [0u8; 160];
        G711::Ulaw.encode_into(&pcm[..160], &mut expected);
        assert_eq!(packets[0].4, expected.to_vec());
        assert_eq!(packets[1].4[40..], vec![G711::Ulaw.encode(0); 120][..]);
        let finished: Vec<bool> = packets.iter().map(|p| p.5).collect();
        assert_eq!(finished, [false, true, false]);
    }

    #[test]
    fn event_without_negotiated_telephone_event_is_refused() {
        let mut stream = OutgoingStream::new(9, 0, 0, G711::Ulaw, None);
        let item = Outgoing::Event {
            key: key('1'),
            frames: 5,
        };
        assert_eq!(stream.push(item.clone()), Err(item));
    }
}
