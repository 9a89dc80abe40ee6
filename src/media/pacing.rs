//! The 20 ms send schedule of one call, and the tick schedule of a clock thread that
//! drives many calls ([`TickSchedule`]), as arithmetic on instants.
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

/// The ticks of a thread that drives many streams: tick n is at `start + n * 20 ms`,
/// computed from the start so sleeping late never accumulates into drift.
#[derive(Clone, Copy, Debug)]
pub struct TickSchedule {
    start: Instant,
    tick: u64,
}

impl TickSchedule {
    /// Tick 0 is at `start`.
    pub fn new(start: Instant) -> TickSchedule {
        TickSchedule { start, tick: 0 }
    }

    /// When the current tick was due.
    pub fn current(&self) -> Instant {
        let nanos = u128::from(self.tick) * FRAME_DURATION.as_nanos();
        self.start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Moves to the next tick and returns how long to sleep until it. After an overrun
    /// the latest tick already due runs at once (zero sleep) and the older missed ones
    /// are skipped, not run back to back.
    pub fn advance(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.start).as_nanos();
        let latest_due = u64::try_from(elapsed / FRAME_DURATION.as_nanos()).unwrap_or(u64::MAX);
        self.tick = (self.tick + 1).max(latest_due);
        self.current().saturating_duration_since(now)
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

    #[test]
    fn a_clock_sleeps_to_its_next_tick_and_skips_overrun_ticks() {
        let start = Instant::now();
        let mut schedule = TickSchedule::new(start);
        assert_eq!(schedule.advance(start + ms(3)), ms(17));
        assert_eq!(schedule.current(), start + ms(20));
        // A tick that ran 45 ms over: tick 2 (40 ms) is skipped, tick 3 (60 ms) runs
        // at once.
        assert_eq!(schedule.advance(start + ms(65)), Duration::ZERO);
        assert_eq!(schedule.current(), start + ms(60));
        assert_eq!(schedule.advance(start + ms(61)), ms(19));
        assert_eq!(schedule.current(), start + ms(80));
    }
}
