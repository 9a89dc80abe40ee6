//! RFC 4733 telephone-event receiver: turns the packets of a key press into one [`Key`].
//!
//! An event payload is `event(8) | E(1) R(1) volume(6) | duration(16)`; only the first
//! event block of a payload is read (senders that pack several events into one payload,
//! RFC 4733 §2.5.1.5, are not seen in the field). Volume and duration are not needed.
//!
//! Rules, in order, for a packet of event code `c` with RTP timestamp `t`:
//! 1. **Same event**: the current event has code `c` and timestamp `t` (RFC 4733 §2.5.1:
//!    one event, one timestamp). Covers duration updates, the end packet sent three
//!    times, and a start packet without the marker bit.
//! 2. **Continuation**: the current event has code `c`, the packet has no marker bit,
//!    arrives at most [`CONTINUATION_GAP`] after the event's previous packet, and either
//!    the event has not ended yet or the packet is itself an end packet. Then `t` is a
//!    new timestamp for the same press: the sender re-stamps packets within one event,
//!    or starts a new segment of a press longer than the 16-bit duration (~8 s, §2.5.1.3,
//!    where the marker bit is not set either). The event adopts `t`.
//! 3. **Late**: a packet whose sequence number is not newer than the newest one seen on
//!    this SSRC never starts an event. It belongs to an event already over (reported, or
//!    lost with its successors); reporting it would repeat a key or put keys out of
//!    order. The sequence reference is forgotten after [`SEQUENCE_MEMORY`] without
//!    packets, so the 16-bit wrap cannot make a press after a long pause look old.
//! 4. Anything else is a **new press**, reported at once: a new timestamp, a different
//!    code, an update or end packet whose start was lost, the same key pressed again
//!    after its end, or the same key again after a pause longer than the gap.
//!
//! Limit: if every end packet of a press is lost and the same key is pressed again with
//! a release-to-press pause so short that its first packet comes within
//! [`CONTINUATION_GAP`] of the previous one, the two presses merge (one key, not two).
//! Merging is the safer side: a caller repeats a lost key, but cannot undo a double one.
//! A new SSRC resets the receiver.

use std::time::{Duration, Instant};

use super::rtp_packet::RtpView;
use super::Key;

/// Longest silence between two packets of one event for a re-stamped packet (rule 2)
/// to count as the same press. Senders update every 20–50 ms (RFC 4733 recommends 50).
pub const CONTINUATION_GAP: Duration = Duration::from_millis(120);

/// How long the newest sequence number is remembered for the lateness check (rule 3).
pub const SEQUENCE_MEMORY: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug)]
struct Event {
    code: u8,
    timestamp: u32,
    ended: bool,
    last_seen: Instant,
}

#[derive(Clone, Copy, Debug)]
struct Newest {
    sequence: u16,
    at: Instant,
}

/// Decodes the telephone-event packets of one incoming stream.
#[derive(Clone, Debug, Default)]
pub struct TelephoneEventReceiver {
    ssrc: Option<u32>,
    newest: Option<Newest>,
    current: Option<Event>,
}

impl TelephoneEventReceiver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed a packet whose payload type is the negotiated telephone-event PT.
    /// Returns the key the first time an event is seen (start, or only its end packets),
    /// never again for the same event (see the module doc for the rules).
    pub fn on_packet(&mut self, packet: &RtpView<'_>, now: Instant) -> Option<Key> {
        let block = packet.payload.get(..4)?;
        let (code, end) = (block[0], block[1] & 0x80 != 0);
        let key = Key::from_event_code(code)?;

        if self.ssrc != Some(packet.ssrc) {
            *self = Self {
                ssrc: Some(packet.ssrc),
                ..Self::default()
            };
        }
        let late = match self.newest {
            Some(n) if now.saturating_duration_since(n.at) <= SEQUENCE_MEMORY => {
                (packet.sequence.wrapping_sub(n.sequence) as i16) <= 0
            }
            _ => false,
        };
        if !late {
            self.newest = Some(Newest {
                sequence: packet.sequence,
                at: now,
            });
        }

        if let Some(event) = &mut self.current {
            let same = event.code == code && event.timestamp == packet.timestamp;
            let continuation = !late
                && event.code == code
                && !packet.marker
                && now.saturating_duration_since(event.last_seen) <= CONTINUATION_GAP
                && (!event.ended || end);
            if same || continuation {
                event.timestamp = packet.timestamp;
                event.ended |= end;
                event.last_seen = event.last_seen.max(now);
                return None;
            }
        }
        if late {
            return None;
        }
        self.current = Some(Event {
            code,
            timestamp: packet.timestamp,
            ended: end,
            last_seen: now,
        });
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSRC: u32 = 0x1234_5678;

    /// A telephone-event packet (PT 101) carrying `payload`.
    fn event_view(
        payload: &[u8],
        marker: bool,
        sequence: u16,
        timestamp: u32,
        ssrc: u32,
    ) -> RtpView<'_> {
        RtpView {
            payload_type: 101,
            marker,
            sequence,
            timestamp,
            ssrc,
            payload,
        }
    }

    /// A sender: one packet per call, sequence numbers counted, a fake clock in ms.
    struct Sender {
        rx: TelephoneEventReceiver,
        start: Instant,
        seq: u16,
        bytes: [u8; 4],
    }

    impl Sender {
        fn new() -> Self {
            Sender {
                rx: TelephoneEventReceiver::new(),
                start: Instant::now(),
                seq: 65_000,
                bytes: [0; 4],
            }
        }

        /// Sends the next packet in sequence.
        fn send(
            &mut self,
            at_ms: u64,
            code: u8,
            ts: u32,
            marker: bool,
            end: bool,
            dur: u16,
        ) -> Option<char> {
            self.seq = self.seq.wrapping_add(1);
            self.send_seq(self.seq, at_ms, code, ts, marker, end, dur)
        }

        #[allow(clippy::too_many_arguments)]
        fn send_seq(
            &mut self,
            seq: u16,
            at_ms: u64,
            code: u8,
            ts: u32,
            marker: bool,
            end: bool,
            dur: u16,
        ) -> Option<char> {
            self.bytes = [
                code,
                if end { 0x8A } else { 0x0A },
                (dur >> 8) as u8,
                dur as u8,
            ];
            let view = event_view(&self.bytes, marker, seq, ts, SSRC);
            let now = self.start + Duration::from_millis(at_ms);
            self.rx.on_packet(&view, now).map(Key::as_char)
        }

        /// A whole well-formed press: start with marker, updates every 50 ms, 3 end packets.
        fn press(&mut self, at_ms: u64, code: u8, ts: u32, len_ms: u64) -> Vec<char> {
            let mut keys = Vec::new();
            let mut t = 0;
            while t < len_ms {
                keys.extend(self.send(at_ms + t, code, ts, t == 0, false, (t * 8) as u16));
                t += 50;
            }
            keys.extend(self.end_packets(at_ms + len_ms, code, ts, (len_ms * 8) as u16));
            keys
        }

        /// The end packet of an event, sent three times 20 ms apart from `at_ms`.
        fn end_packets(&mut self, at_ms: u64, code: u8, ts: u32, dur: u16) -> Vec<char> {
            (0..3)
                .filter_map(|i| self.send(at_ms + i * 20, code, ts, false, true, dur))
                .collect()
        }
    }

    #[test]
    fn well_formed_press_reports_on_the_start_packet() {
        let mut s = Sender::new();
        assert_eq!(s.send(0, 5, 8000, true, false, 0), Some('5'));
        assert_eq!(s.press(1000, 11, 16000, 100), ['#']);
    }

    #[test]
    fn end_packet_repeated_three_times_reports_one_key() {
        let mut s = Sender::new();
        assert_eq!(s.press(0, 1, 1000, 120), ['1']);
    }

    #[test]
    fn missing_marker_bit_still_reports_once() {
        let mut s = Sender::new();
        let mut keys = Vec::new();
        for t in [0, 50, 100] {
            keys.extend(s.send(t, 7, 5000, false, false, (t * 8) as u16));
        }
        keys.extend(s.end_packets(120, 7, 5000, 960));
        assert_eq!(keys, ['7']);
    }

    #[test]
    fn timestamp_change_within_event_is_same_press() {
        // A sender that stamps every packet with its audio clock.
        let mut s = Sender::new();
        let mut keys = Vec::new();
        for i in 0..6u32 {
            keys.extend(s.send(u64::from(i) * 20, 3, 1000 + i * 160, i == 0, false, 160));
        }
        for i in 6..9u32 {
            keys.extend(s.send(u64::from(i) * 20, 3, 1000 + i * 160, false, true, 960));
        }
        assert_eq!(keys, ['3']);
        // The next press of the same key is a new one.
        assert_eq!(s.press(400, 3, 9000, 100), ['3']);
    }

    #[test]
    fn only_end_packets_report_one_key() {
        let mut s = Sender::new();
        assert_eq!(s.end_packets(100, 0, 4000, 800), ['0']);
    }

    #[test]
    fn same_key_twice_with_only_end_packets_reports_twice() {
        let mut s = Sender::new();
        let mut keys = s.end_packets(100, 9, 4000, 800);
        keys.extend(s.end_packets(340, 9, 6000, 800));
        assert_eq!(keys, ['9', '9']);
    }

    #[test]
    fn long_press_reports_once() {
        // 20 s press: duration updates every 50 ms, wrapping into new segments every
        // 0xFFFF samples (~8.2 s) with a new timestamp and no marker (RFC 4733 §2.5.1.3).
        let mut s = Sender::new();
        let mut keys = Vec::new();
        let mut elapsed: u32 = 0;
        while elapsed < 160_000 {
            let segment = elapsed / 0xFFFF;
            let ts = 50_000 + segment * 0xFFFF;
            let dur = (elapsed - segment * 0xFFFF) as u16;
            keys.extend(s.send(u64::from(elapsed / 8), 2, ts, elapsed == 0, false, dur));
            elapsed += 400;
        }
        let last_ts = 50_000 + 2 * 0xFFFF;
        keys.extend(s.end_packets(20_000, 2, last_ts, 28_930));
        assert_eq!(keys, ['2']);
    }

    #[test]
    fn same_key_pressed_twice_reports_twice() {
        let mut s = Sender::new();
        let mut keys = s.press(0, 4, 1000, 100);
        keys.extend(s.press(250, 4, 3000, 100));
        assert_eq!(keys, ['4', '4']);
    }

    #[test]
    fn same_key_again_without_marker_after_an_end_is_a_new_press() {
        let mut s = Sender::new();
        let mut keys = s.press(0, 4, 1000, 100);
        // Next press arrives 60 ms after the last end packet, its start packet lost.
        keys.extend(s.send(200, 4, 2600, false, false, 400));
        assert_eq!(keys, ['4', '4']);
    }

    #[test]
    fn lost_start_packet_reports_on_the_first_update() {
        let mut s = Sender::new();
        s.seq = s.seq.wrapping_add(1); // the start packet, lost
        assert_eq!(s.send(50, 6, 7000, false, false, 400), Some('6'));
        assert_eq!(s.send(100, 6, 7000, false, false, 800), None);
        assert_eq!(s.send(120, 6, 7000, false, true, 960), None);
    }

    #[test]
    fn reordered_late_packet_of_previous_event_is_ignored() {
        let mut s = Sender::new();
        let first = s.seq;
        let mut keys = s.press(0, 1, 1000, 100); // seq first+1 ..= first+5
        keys.extend(s.press(300, 2, 4000, 100));
        // A copy of the first event's update packet, delivered very late.
        keys.extend(s.send_seq(first.wrapping_add(2), 500, 1, 1000, false, false, 400));
        // A late packet of the first event re-stamped by its sender (unknown timestamp).
        keys.extend(s.send_seq(first.wrapping_add(3), 510, 1, 1400, false, false, 400));
        assert_eq!(keys, ['1', '2']);
    }

    #[test]
    fn reordering_within_an_event_reports_once() {
        let mut s = Sender::new();
        let base = s.seq;
        let mut keys = Vec::new();
        keys.extend(s.send_seq(base.wrapping_add(2), 0, 8, 3000, false, false, 400));
        keys.extend(s.send_seq(base.wrapping_add(1), 5, 8, 3000, true, false, 0));
        keys.extend(s.send_seq(base.wrapping_add(3), 60, 8, 3000, false, true, 800));
        assert_eq!(keys, ['8']);
    }

    #[test]
    fn duplicated_packets_report_once() {
        let mut s = Sender::new();
        let seq = s.seq.wrapping_add(1);
        let mut keys = Vec::new();
        for _ in 0..3 {
            keys.extend(s.send_seq(seq, 0, 5, 100, true, false, 0));
        }
        assert_eq!(keys, ['5']);
    }

    #[test]
    fn different_keys_in_quick_succession_are_all_reported() {
        let mut s = Sender::new();
        let mut keys = Vec::new();
        for (i, code) in [1u8, 2, 3, 10, 11, 12, 15].into_iter().enumerate() {
            let i = i as u64;
            keys.extend(s.press(i * 100, code, 1000 + i as u32 * 800, 40));
        }
        assert_eq!(keys, ['1', '2', '3', '*', '#', 'A', 'D']);
    }

    #[test]
    fn press_after_a_long_pause_is_new_despite_sequence_wrap() {
        let mut s = Sender::new();
        assert_eq!(s.press(0, 5, 1000, 100), ['5']);
        // 12 minutes of audio later the sequence number has moved by more than 2^15.
        s.seq = s.seq.wrapping_add(36_000);
        assert_eq!(s.press(720_000, 5, 5_761_000, 100), ['5']);
    }

    #[test]
    fn new_ssrc_starts_afresh() {
        let mut s = Sender::new();
        assert_eq!(s.press(0, 5, 1000, 100), ['5']);
        let view = event_view(&[5, 0x0A, 0, 0], true, 3, 1000, SSRC + 1);
        let key = s.rx.on_packet(&view, s.start + Duration::from_millis(400));
        assert_eq!(key.map(Key::as_char), Some('5'));
    }

    #[test]
    fn short_payloads_and_non_key_events_are_ignored() {
        let mut rx = TelephoneEventReceiver::new();
        let now = Instant::now();
        for payload in [&[][..], &[1, 0, 0], &[16, 0x80, 0, 0], &[255, 0, 0, 0]] {
            let view = event_view(payload, true, 1, 1, 1);
            assert_eq!(rx.on_packet(&view, now), None, "{payload:?}");
        }
    }
}
