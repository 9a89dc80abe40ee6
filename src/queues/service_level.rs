//! One queue's service level over a reporting period (spec §5: an agent answers within 15
//! seconds of the caller entering the queue): callers offered to the queue, answered
//! within the threshold or later, and abandoned with their waiting times.
//!
//! The definition, one of several the industry uses: service level = answered within the
//! threshold / (answered + abandoned after the threshold). Callers who hang up within
//! the threshold are left out of it: no agent could have been expected to answer them
//! yet, and counting them would make the figure depend on impatient callers rather than
//! on the centre. Callers who give up after the threshold count as failures: otherwise
//! a centre could look better by letting callers wait until they hang up.
//!
//! Decisions:
//! - "within" includes the threshold itself (answered at 15 s exactly is in time);
//! - waiting time runs from the first entry to the queue to the agent's answer, through
//!   any re-queueing after a ring without answer; a re-queued caller is offered once;
//! - callers sent away at the maximum wait count as abandoned with that wait (they were
//!   not answered); callers refused by a full queue never entered and are not offered;
//! - callers still waiting are in `offered` only; their longest wait is
//!   [`WaitingLine::longest_wait`](super::waiting::WaitingLine::longest_wait);
//! - one value covers one period: the shell starts a new one per period, so the list of
//!   abandoned waits stays bounded.

use std::time::Duration;

/// The spec's threshold: answered within 15 seconds.
pub const DEFAULT_THRESHOLD: Duration = Duration::from_secs(15);

/// One queue's counts over one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceLevel {
    threshold: Duration,
    offered: u64,
    answered_within: u64,
    answered_later: u64,
    abandoned_waits: Vec<Duration>,
}

/// The figures of one queue over one period.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub offered: u64,
    pub answered_within_threshold: u64,
    pub answered_after_threshold: u64,
    pub abandoned_within_threshold: u64,
    pub abandoned_after_threshold: u64,
    pub mean_abandoned_wait: Option<Duration>,
    pub longest_abandoned_wait: Option<Duration>,
    /// Between 0 and 1; None while no caller has been answered or abandoned after the
    /// threshold.
    pub service_level: Option<f64>,
}

impl Default for ServiceLevel {
    fn default() -> Self {
        ServiceLevel::new(DEFAULT_THRESHOLD)
    }
}

impl ServiceLevel {
    pub fn new(threshold: Duration) -> Self {
        ServiceLevel {
            threshold,
            offered: 0,
            answered_within: 0,
            answered_later: 0,
            abandoned_waits: Vec::new(),
        }
    }

    /// A caller entered the queue.
    pub fn offered(&mut self) {
        self.offered += 1;
    }

    /// An agent answered a caller who had waited `waited`.
    pub fn answered(&mut self, waited: Duration) {
        if self.in_time(waited) {
            self.answered_within += 1;
        } else {
            self.answered_later += 1;
        }
    }

    /// A caller left the queue unanswered after `waited`.
    pub fn abandoned(&mut self, waited: Duration) {
        self.abandoned_waits.push(waited);
    }

    /// The waiting times of the abandoned callers, in the order they left.
    pub fn abandoned_waits(&self) -> &[Duration] {
        &self.abandoned_waits
    }

    pub fn figures(&self) -> Figures {
        let abandoned_within = self
            .abandoned_waits
            .iter()
            .filter(|waited| self.in_time(**waited))
            .count() as u64;
        let abandoned_after = self.abandoned_waits.len() as u64 - abandoned_within;
        let counted = self.answered_within + self.answered_later + abandoned_after;
        Figures {
            offered: self.offered,
            answered_within_threshold: self.answered_within,
            answered_after_threshold: self.answered_later,
            abandoned_within_threshold: abandoned_within,
            abandoned_after_threshold: abandoned_after,
            mean_abandoned_wait: self.mean_abandoned_wait(),
            longest_abandoned_wait: self.abandoned_waits.iter().max().copied(),
            service_level: (counted > 0).then(|| self.answered_within as f64 / counted as f64),
        }
    }

    fn in_time(&self, waited: Duration) -> bool {
        waited <= self.threshold
    }

    fn mean_abandoned_wait(&self) -> Option<Duration> {
        let count = u32::try_from(self.abandoned_waits.len()).ok()?;
        let total = self
            .abandoned_waits
            .iter()
            .fold(Duration::ZERO, |sum, waited| sum.saturating_add(*waited));
        total.checked_div(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn service_level_figures_on_a_hand_made_series() {
        let mut level = ServiceLevel::default();
        for _ in 0..10 {
            level.offered();
        }
        for waited in [3, 10, 15, 16, 40] {
            level.answered(secs(waited));
        }
        for waited in [4, 12, 30, 90] {
            level.abandoned(secs(waited));
        }
        // one caller is still waiting
        let figures = level.figures();
        assert_eq!(
            figures,
            Figures {
                offered: 10,
                answered_within_threshold: 3,
                answered_after_threshold: 2,
                abandoned_within_threshold: 2,
                abandoned_after_threshold: 2,
                mean_abandoned_wait: Some(secs(34)),
                longest_abandoned_wait: Some(secs(90)),
                // 3 in time / (5 answered + 2 abandoned after 15 s)
                service_level: Some(3.0 / 7.0),
            }
        );
        assert_eq!(level.abandoned_waits(), [4, 12, 30, 90].map(secs));
    }

    #[test]
    fn answered_at_the_threshold_exactly_is_in_time() {
        let mut level = ServiceLevel::new(secs(20));
        level.answered(secs(20));
        level.abandoned(secs(20));
        let figures = level.figures();
        assert_eq!(figures.answered_within_threshold, 1);
        assert_eq!(figures.abandoned_within_threshold, 1);
        assert_eq!(figures.service_level, Some(1.0));
    }

    #[test]
    fn short_abandons_alone_give_no_service_level() {
        let mut level = ServiceLevel::default();
        assert_eq!(level.figures().service_level, None);
        assert_eq!(level.figures().mean_abandoned_wait, None);
        level.offered();
        level.abandoned(secs(5));
        assert_eq!(level.figures().service_level, None);
    }

    #[test]
    fn abandoned_after_the_threshold_count_against_the_level() {
        let mut level = ServiceLevel::default();
        level.answered(secs(2));
        level.abandoned(secs(16));
        assert_eq!(level.figures().service_level, Some(0.5));
    }
}
