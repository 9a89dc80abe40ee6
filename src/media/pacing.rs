//! The 20 ms send schedule of one call, as arithmetic on instants.
//!
//! Frame `n` is due at `start + n * 20 ms`, always computed from the start instant, so
//! timer lateness never accumulates into drift. The call task sleeps until
//! [`Pacer::next_due`], then asks [`Pacer::on_tick`] what to do: first drop the
//! `skipped` oldest frames (advance the prompt, and the RTP timestamp with
//! `RtpPacketizer::skip_samples` + `start_talkspurt`), then send `frames` frames back
//! to back.

use std::time::{Duration, Instant};

use super::FRAME_DURATION;

/// The most frames sent back to back to catch up after a stall; a longer stall skips
/// frames instead, so the caller's jitter buffer is not flooded with a burst.
pub const MAX_CATCH_UP: u32 = 3;

/// What is due at one timer tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Frames to send now (0 if the tick came early).
    pub frames: u32,
    /// Frames whose time has passed and that are not to be sent at all.
    pub skipped: u32,
    /// `now` was past the oldest due frame's time by more than one frame.
    pub late: bool,
}

/// 20 ms frame schedule computed from the call's start instant: frame n is due at
/// start + n * 20 ms (no drift from accumulated sleeps).
#[derive(Clone, Copy, Debug)]
pub struct Pacer {
    start: Instant,
    next: u64,
}

impl Pacer {
    /// Frame 0 is due at `start`.
    pub fn new(start: Instant) -> Self {
        Pacer { start, next: 0 }
    }

    /// When the next unsent frame is due.
    pub fn next_due(&self) -> Instant {
        self.due(self.next)
    }

    /// Call when the timer fires: returns how many frames are due now (>= 1 normally;
    /// more after a stall, at most [`MAX_CATCH_UP`], beyond which the older ones are
    /// reported as `skipped`) and advances past all of them.
    pub fn on_tick(&mut self, now: Instant) -> Tick {
        let Some(elapsed) = now.checked_duration_since(self.start) else {
            return Tick {
                frames: 0,
                skipped: 0,
                late: false,
            };
        };
        let frame_nanos = FRAME_DURATION.as_nanos();
        let due_through = u64::try_from(elapsed.as_nanos() / frame_nanos).unwrap_or(u64::MAX);
        if due_through < self.next {
            return Tick {
                frames: 0,
                skipped: 0,
                late: false,
            };
        }
        let late = now.saturating_duration_since(self.next_due()) > FRAME_DURATION;
        let behind = due_through - self.next + 1;
        let frames = behind.min(u64::from(MAX_CATCH_UP));
        self.next = due_through + 1;
        Tick {
            frames: frames as u32,
            skipped: u32::try_from(behind - frames).unwrap_or(u32::MAX),
            late,
        }
    }

    fn due(&self, frame: u64) -> Instant {
        let nanos = u128::from(frame) * FRAME_DURATION.as_nanos();
        self.start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn frame_n_is_due_at_start_plus_n_times_20_ms() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        assert_eq!(p.next_due(), start);
        for n in 0..1000u64 {
            assert_eq!(p.next_due(), start + ms(20 * n));
            // The timer always fires a little late; the schedule must not drift with it.
            let tick = p.on_tick(p.next_due() + ms(3));
            assert_eq!(
                tick,
                Tick {
                    frames: 1,
                    skipped: 0,
                    late: false
                }
            );
        }
        assert_eq!(p.next_due(), start + ms(20_000));
    }

    #[test]
    fn early_tick_sends_nothing() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        p.on_tick(start);
        assert_eq!(
            p.on_tick(start + ms(19)),
            Tick {
                frames: 0,
                skipped: 0,
                late: false
            }
        );
        assert_eq!(p.next_due(), start + ms(20));
    }

    #[test]
    fn short_stall_catches_up_with_a_few_frames() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        p.on_tick(start);
        // Woke up at 65 ms: frames 1, 2 and 3 (due at 20, 40, 60) are due.
        assert_eq!(
            p.on_tick(start + ms(65)),
            Tick {
                frames: 3,
                skipped: 0,
                late: true
            }
        );
        assert_eq!(p.next_due(), start + ms(80));
    }

    #[test]
    fn long_stall_skips_instead_of_bursting() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        p.on_tick(start);
        // 500 ms stall: frames 1..=25 are due; 3 are sent, 22 skipped.
        let tick = p.on_tick(start + ms(505));
        assert_eq!(
            tick,
            Tick {
                frames: MAX_CATCH_UP,
                skipped: 22,
                late: true
            }
        );
        assert_eq!(p.next_due(), start + ms(520));
        assert_eq!(
            p.on_tick(start + ms(520)),
            Tick {
                frames: 1,
                skipped: 0,
                late: false
            }
        );
    }

    #[test]
    fn a_tick_less_than_a_frame_late_is_not_late() {
        let start = Instant::now();
        let mut p = Pacer::new(start);
        assert!(!p.on_tick(start + ms(19)).late);
        assert!(p.on_tick(start + ms(41)).late);
    }

    #[test]
    fn tick_before_start_is_ignored() {
        let start = Instant::now() + ms(100);
        let mut p = Pacer::new(start);
        assert_eq!(
            p.on_tick(start - ms(50)),
            Tick {
                frames: 0,
                skipped: 0,
                late: false
            }
        );
        assert_eq!(p.next_due(), start);
    }
}
