//! What the caller measures on the server's RTP stream: inter-arrival deviation from the
//! 20 ms frame period, sequence gaps and reordering, timestamp and marker correctness.
//! Pure (arrival instants are arguments) and allocation-free per packet; stats of many
//! calls merge, for the load tool.

use std::time::{Duration, Instant};

use crate::media::FRAME_DURATION;

/// Width of one histogram bucket.
const BUCKET: Duration = Duration::from_micros(100);
/// Buckets cover 0..100 ms of deviation; the last one also holds everything above.
const BUCKETS: usize = 1000;

/// Histogram of |inter-arrival − 20 ms| with 0.1 ms resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviationHistogram {
    buckets: Box<[u64]>,
    count: u64,
    max: Duration,
}

impl Default for DeviationHistogram {
    fn default() -> Self {
        DeviationHistogram {
            buckets: vec![0; BUCKETS].into_boxed_slice(),
            count: 0,
            max: Duration::ZERO,
        }
    }
}

impl DeviationHistogram {
    pub fn record(&mut self, deviation: Duration) {
        let index = (deviation.as_micros() / BUCKET.as_micros()).min(BUCKETS as u128 - 1);
        self.buckets[index as usize] += 1;
        self.count += 1;
        self.max = self.max.max(deviation);
    }

    /// Number of deviations recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Largest deviation recorded.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// Deviation at or below which a fraction `q` (0..=1) of the samples lie, rounded up
    /// to the bucket width and never above `max()`. Zero when nothing was recorded.
    pub fn percentile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank && index < BUCKETS - 1 {
                return (BUCKET * (index as u32 + 1)).min(self.max);
            }
        }
        self.max
    }

    pub fn merge(&mut self, other: &DeviationHistogram) {
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            *mine += theirs;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LastPacket {
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    at: Instant,
}

/// Receive statistics of one RTP stream (or, merged, of many).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RtpStats {
    /// Packets recorded.
    pub packets: u64,
    /// Times the sequence number jumped forward by more than one.
    pub gaps: u64,
    /// Sequence numbers skipped by those jumps (packets lost or never sent).
    pub lost: u64,
    /// Duplicates and packets older than the newest one seen.
    pub out_of_order: u64,
    /// In-order packets whose timestamp advanced less than the samples of the packets
    /// in between (one frame per sequence number), or went backwards.
    pub timestamp_errors: u64,
    /// In-order packets whose timestamp advanced more than that: frames not sent (a
    /// sender that skips frames after a stall); allowed by RFC 3550, counted apart.
    pub timestamp_jumps: u64,
    /// Packets with the marker bit set.
    pub markers: u64,
    /// Streams whose first packet lacked the marker bit.
    pub marker_errors: u64,
    /// Times the SSRC changed.
    pub ssrc_changes: u64,
    /// |inter-arrival − 20 ms| between packets with consecutive sequence numbers.
    pub interarrival: DeviationHistogram,
    first: Option<LastPacket>,
    last: Option<LastPacket>,
}

impl RtpStats {
    /// Records one media packet carrying `samples` samples, arrived at `now`.
    pub fn record(
        &mut self,
        marker: bool,
        sequence: u16,
        timestamp: u32,
        ssrc: u32,
        samples: u32,
        now: Instant,
    ) {
        self.packets += 1;
        self.markers += u64::from(marker);
        let this = LastPacket {
            sequence,
            timestamp,
            ssrc,
            at: now,
        };
        let Some(last) = self.last else {
            self.marker_errors += u64::from(!marker);
            self.first = Some(this);
            self.last = Some(this);
            return;
        };
        if ssrc != last.ssrc {
            self.ssrc_changes += 1;
            self.first = Some(this);
            self.last = Some(this);
            return;
        }
        let step = sequence.wrapping_sub(last.sequence);
        if step == 0 || step >= 0x8000 {
            self.out_of_order += 1;
            return;
        }
        if step > 1 {
            self.gaps += 1;
            self.lost += u64::from(step - 1);
        } else {
            let interval = now.saturating_duration_since(last.at);
            self.interarrival.record(interval.abs_diff(FRAME_DURATION));
        }
        let expected = samples.wrapping_mul(u32::from(step));
        let advanced = timestamp.wrapping_sub(last.timestamp);
        if advanced != expected {
            if advanced > expected && advanced < 0x8000_0000 {
                self.timestamp_jumps += 1;
            } else {
                self.timestamp_errors += 1;
            }
        }
        self.last = Some(this);
    }

    /// How far the sender's clock has moved from ours: |time between the first and the
    /// newest packet − the RTP timestamps' span|. A sender pacing from its start instant
    /// keeps this within its jitter; one that sleeps 20 ms per frame drifts away.
    /// `None` before two packets of one SSRC.
    pub fn clock_drift(&self) -> Option<Duration> {
        let (first, last) = (self.first?, self.last?);
        let samples = last.timestamp.wrapping_sub(first.timestamp);
        let by_timestamps = Duration::from_micros(u64::from(samples) * 1000 / 8);
        Some(
            last.at
                .saturating_duration_since(first.at)
                .abs_diff(by_timestamps),
        )
    }

    /// Adds another stream's figures (the per-stream continuity state is kept as is).
    pub fn merge(&mut self, other: &RtpStats) {
        self.packets += other.packets;
        self.gaps += other.gaps;
        self.lost += other.lost;
        self.out_of_order += other.out_of_order;
        self.timestamp_errors += other.timestamp_errors;
        self.timestamp_jumps += other.timestamp_jumps;
        self.markers += other.markers;
        self.marker_errors += other.marker_errors;
        self.ssrc_changes += other.ssrc_changes;
        self.interarrival.merge(&other.interarrival);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn feed(stats: &mut RtpStats, packets: &[(bool, u16, u32, u64)]) {
        let start = Instant::now();
        for &(marker, seq, ts, at_ms) in packets {
            stats.record(marker, seq, ts, 7, 160, start + MS * at_ms as u32);
        }
    }

    #[test]
    fn steady_20ms_stream_has_no_deviation_and_no_errors() {
        let mut stats = RtpStats::default();
        let packets: Vec<_> = (0..50u16)
            .map(|i| {
                (
                    i == 0,
                    65530u16.wrapping_add(i),
                    (u32::MAX - 319).wrapping_add(160 * i as u32),
                    20 * i as u64,
                )
            })
            .collect();
        feed(&mut stats, &packets);
        assert_eq!(stats.packets, 50);
        assert_eq!(stats.interarrival.count(), 49);
        assert_eq!(stats.interarrival.max(), Duration::ZERO);
        assert_eq!(
            (
                stats.gaps,
                stats.out_of_order,
                stats.timestamp_errors,
                stats.marker_errors
            ),
            (0, 0, 0, 0)
        );
    }

    #[test]
    fn clock_drift_compares_arrival_time_with_timestamps() {
        let mut stats = RtpStats::default();
        assert_eq!(stats.clock_drift(), None);
        feed(
            &mut stats,
            &[(true, 1, 0, 0), (false, 2, 160, 21), (false, 3, 320, 43)],
        );
        assert_eq!(stats.clock_drift(), Some(3 * MS));
    }

    #[test]
    fn sequence_jump_counts_a_gap_and_the_lost_packets() {
        let mut stats = RtpStats::default();
        feed(&mut stats, &[(true, 1, 0, 0), (false, 4, 480, 60)]);
        assert_eq!((stats.gaps, stats.lost, stats.timestamp_errors), (1, 2, 0));
        assert_eq!(stats.interarrival.count(), 0);
    }

    #[test]
    fn duplicate_and_late_packets_count_as_out_of_order() {
        let mut stats = RtpStats::default();
        feed(
            &mut stats,
            &[
                (true, 10, 0, 0),
                (false, 11, 160, 20),
                (false, 11, 160, 21),
                (false, 9, 0, 22),
            ],
        );
        assert_eq!(stats.out_of_order, 2);
    }

    #[test]
    fn timestamp_behind_the_sequence_is_an_error_and_ahead_a_jump() {
        let mut stats = RtpStats::default();
        feed(
            &mut stats,
            &[
                (true, 1, 1000, 0),
                (false, 2, 1100, 20),
                (false, 3, 900, 40),
                (false, 4, 2000, 60),
            ],
        );
        assert_eq!((stats.timestamp_errors, stats.timestamp_jumps), (2, 1));
    }

    #[test]
    fn first_packet_without_marker_is_a_marker_error() {
        let mut stats = RtpStats::default();
        feed(&mut stats, &[(false, 1, 0, 0), (true, 2, 160, 20)]);
        assert_eq!((stats.marker_errors, stats.markers), (1, 1));
    }

    #[test]
    fn late_and_early_arrivals_both_deviate_from_20ms() {
        let mut stats = RtpStats::default();
        feed(
            &mut stats,
            &[(true, 1, 0, 0), (false, 2, 160, 30), (false, 3, 320, 40)],
        );
        assert_eq!(stats.interarrival.max(), 10 * MS);
        assert_eq!(stats.interarrival.percentile(0.5), 10 * MS);
    }

    #[test]
    fn percentile_rounds_up_to_bucket_and_merge_adds_counts() {
        let mut a = DeviationHistogram::default();
        for us in [50, 150, 250, 5_000] {
            a.record(Duration::from_micros(us));
        }
        assert_eq!(a.percentile(0.5), Duration::from_micros(200));
        assert_eq!(a.percentile(1.0), Duration::from_micros(5_000));
        let mut b = DeviationHistogram::default();
        b.record(Duration::from_secs(1));
        a.merge(&b);
        assert_eq!((a.count(), a.max()), (5, Duration::from_secs(1)));
        assert_eq!(a.percentile(1.0), Duration::from_secs(1));
        assert_eq!(
            DeviationHistogram::default().percentile(0.99),
            Duration::ZERO
        );
    }
}
