//! One queue's waiting callers and the order they are served in (spec §5: customer tier,
//! then waiting time, with a bound so that nobody starves).
//!
//! The order, first to last:
//! 1. callers handed back after an agent's phone rang out (re-queued at the head);
//! 2. callers who have waited at least the starvation bound, before any tier;
//! 3. everyone else by tier (diamond, gold, silver, ordinary);
//!
//! and within each group, longest wait first; equal waits keep their arrival order.
//!
//! Decisions:
//! - the order depends on `now` (a caller crosses the starvation bound while waiting), so
//!   it is computed when asked rather than kept in a heap; queues are a few dozen callers
//!   and a scan is cheaper than keeping a heap's keys fresh;
//! - a re-queued caller keeps the moment they first entered: their waiting time (for the
//!   starvation bound, the maximum wait and the service level) counts from then;
//! - re-queueing is never refused for a full queue: that caller already had their place;
//! - [`Precedence`] is comparable across queues, so the dispatcher serves the most urgent
//!   caller of all queues first.

use std::time::{Duration, Instant};

use super::seat::CallId;
use crate::tickets::model::Tier;

/// One caller waiting in a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub call: CallId,
    pub tier: Tier,
    /// When the caller first entered the queue (kept when re-queued).
    pub entered: Instant,
    /// Handed back after an agent did not answer.
    pub requeued: bool,
}

impl Waiter {
    pub fn waited(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.entered)
    }
}

/// Why a caller could not join the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnqueueError {
    #[error("the queue is full ({max_length} callers waiting)")]
    Full { max_length: usize },
    #[error("{0} is already waiting")]
    AlreadyWaiting(CallId),
}

/// Which group of the order a waiter is in, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Requeued,
    Starving,
    InTurn,
}

/// Where a waiter stands at one moment: smaller is served first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Precedence {
    group: Group,
    /// Only for callers in turn; the other groups go by waiting time alone.
    tier: Option<Tier>,
    entered: Instant,
}

/// One queue's waiting callers.
#[derive(Clone, Debug)]
pub struct WaitingLine {
    max_length: usize,
    starvation_bound: Duration,
    /// In arrival order, which breaks ties of equal precedence.
    waiters: Vec<Waiter>,
}

impl WaitingLine {
    /// A queue taking at most `max_length` callers, where a caller who has waited
    /// `starvation_bound` goes before every tier.
    pub fn new(max_length: usize, starvation_bound: Duration) -> Self {
        WaitingLine {
            max_length,
            starvation_bound,
            waiters: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// A new caller joins; refused when the queue is full or the call already waits.
    pub fn enqueue(&mut self, call: CallId, tier: Tier, now: Instant) -> Result<(), EnqueueError> {
        self.refuse_duplicate(call)?;
        if self.waiters.len() >= self.max_length {
            return Err(EnqueueError::Full {
                max_length: self.max_length,
            });
        }
        self.waiters.push(Waiter {
            call,
            tier,
            entered: now,
            requeued: false,
        });
        Ok(())
    }

    /// A caller whose offered agent did not answer goes back to the head, full or not.
    pub fn requeue(&mut self, waiter: Waiter) -> Result<(), EnqueueError> {
        self.refuse_duplicate(waiter.call)?;
        self.waiters.push(Waiter {
            requeued: true,
            ..waiter
        });
        Ok(())
    }

    /// The caller hung up: how long they waited, if they were waiting.
    pub fn remove(&mut self, call: CallId, now: Instant) -> Option<Duration> {
        self.take(call).map(|waiter| waiter.waited(now))
    }

    /// Takes a given caller out (to offer them to an agent).
    pub fn take(&mut self, call: CallId) -> Option<Waiter> {
        let index = self.waiters.iter().position(|w| w.call == call)?;
        Some(self.waiters.remove(index))
    }

    /// The caller to serve next.
    pub fn next(&self, now: Instant) -> Option<&Waiter> {
        self.waiters.iter().min_by_key(|w| self.precedence(w, now))
    }

    /// Takes the caller to serve next out of the queue.
    pub fn take_next(&mut self, now: Instant) -> Option<Waiter> {
        let call = self.next(now)?.call;
        self.take(call)
    }

    /// The callers in the order they are served, with their precedence.
    pub fn in_order(&self, now: Instant) -> Vec<(Precedence, &Waiter)> {
        let mut ordered: Vec<_> = self
            .waiters
            .iter()
            .map(|w| (self.precedence(w, now), w))
            .collect();
        ordered.sort_by_key(|(precedence, _)| *precedence); // stable: arrival breaks ties
        ordered
    }

    /// 1-based place of `call` in the order ("您前面还有N位" says N = position - 1).
    pub fn position(&self, call: CallId, now: Instant) -> Option<usize> {
        self.in_order(now)
            .iter()
            .position(|(_, w)| w.call == call)
            .map(|index| index + 1)
    }

    /// The callers who have waited `max_wait` or longer, longest first; they stay in the
    /// queue until removed.
    pub fn expired(&self, now: Instant, max_wait: Duration) -> Vec<CallId> {
        let mut expired: Vec<_> = self
            .waiters
            .iter()
            .filter(|w| w.waited(now) >= max_wait)
            .collect();
        expired.sort_by_key(|w| w.entered);
        expired.into_iter().map(|w| w.call).collect()
    }

    /// When the longest-waiting caller first arrived.
    pub fn earliest_arrival(&self) -> Option<Instant> {
        self.waiters.iter().map(|w| w.entered).min()
    }

    /// How long the longest-waiting caller has waited so far.
    pub fn longest_wait(&self, now: Instant) -> Option<Duration> {
        self.waiters.iter().map(|w| w.waited(now)).max()
    }

    fn precedence(&self, waiter: &Waiter, now: Instant) -> Precedence {
        let group = if waiter.requeued {
            Group::Requeued
        } else if waiter.waited(now) >= self.starvation_bound {
            Group::Starving
        } else {
            Group::InTurn
        };
        Precedence {
            group,
            tier: (group == Group::InTurn).then_some(waiter.tier),
            entered: waiter.entered,
        }
    }

    fn refuse_duplicate(&self, call: CallId) -> Result<(), EnqueueError> {
        if self.waiters.iter().any(|w| w.call == call) {
            Err(EnqueueError::AlreadyWaiting(call))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STARVATION: Duration = Duration::from_secs(60);

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn line() -> WaitingLine {
        WaitingLine::new(10, STARVATION)
    }

    fn order(line: &WaitingLine, now: Instant) -> Vec<u64> {
        line.in_order(now).iter().map(|(_, w)| w.call.0).collect()
    }

    #[test]
    fn ordering_by_tier_then_wait() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(2), Tier::Gold, t0 + secs(1)).unwrap();
        line.enqueue(CallId(3), Tier::Diamond, t0 + secs(2))
            .unwrap();
        line.enqueue(CallId(4), Tier::Gold, t0 + secs(3)).unwrap();
        line.enqueue(CallId(5), Tier::Silver, t0 + secs(4)).unwrap();
        line.enqueue(CallId(6), Tier::Ordinary, t0 + secs(4))
            .unwrap();
        assert_eq!(order(&line, t0 + secs(5)), [3, 2, 4, 5, 1, 6]);
        assert_eq!(line.next(t0 + secs(5)).map(|w| w.call), Some(CallId(3)));
    }

    #[test]
    fn the_starvation_bound_overtakes_tiers() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(2), Tier::Silver, t0 + secs(10))
            .unwrap();
        line.enqueue(CallId(3), Tier::Diamond, t0 + secs(50))
            .unwrap();
        assert_eq!(order(&line, t0 + secs(59)), [3, 2, 1]);
        // the ordinary caller has waited the bound: first, before the diamond
        assert_eq!(order(&line, t0 + secs(60)), [1, 3, 2]);
        // both starving callers go by waiting time, whatever their tier
        assert_eq!(order(&line, t0 + secs(70)), [1, 2, 3]);
    }

    #[test]
    fn requeued_at_the_head() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(2), Tier::Diamond, t0 + secs(1))
            .unwrap();
        line.enqueue(CallId(3), Tier::Ordinary, t0 + secs(2))
            .unwrap();
        let offered = line.take_next(t0 + secs(3)).unwrap();
        assert_eq!(offered.call, CallId(2));
        line.enqueue(CallId(4), Tier::Diamond, t0 + secs(4))
            .unwrap();
        line.requeue(offered).unwrap();
        // the starving caller 1 still comes after the re-queued one
        assert_eq!(order(&line, t0 + secs(61)), [2, 1, 4, 3]);
        let back = line.next(t0 + secs(61)).unwrap();
        assert!(back.requeued);
        assert_eq!(
            back.entered,
            t0 + secs(1),
            "the wait counts from the first entry"
        );
    }

    #[test]
    fn requeueing_into_a_full_queue_is_accepted() {
        let t0 = Instant::now();
        let mut line = WaitingLine::new(1, STARVATION);
        line.enqueue(CallId(1), Tier::Gold, t0).unwrap();
        let offered = line.take_next(t0).unwrap();
        line.enqueue(CallId(2), Tier::Gold, t0 + secs(1)).unwrap();
        line.requeue(offered).unwrap();
        assert_eq!(order(&line, t0 + secs(2)), [1, 2]);
    }

    #[test]
    fn position_counts_the_callers_ahead_plus_one() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(2), Tier::Ordinary, t0 + secs(1))
            .unwrap();
        line.enqueue(CallId(3), Tier::Gold, t0 + secs(2)).unwrap();
        let now = t0 + secs(3);
        assert_eq!(line.position(CallId(3), now), Some(1));
        assert_eq!(line.position(CallId(1), now), Some(2));
        assert_eq!(line.position(CallId(2), now), Some(3));
        assert_eq!(line.position(CallId(9), now), None);
        line.remove(CallId(3), now);
        assert_eq!(line.position(CallId(2), now), Some(2));
    }

    #[test]
    fn full_queue_refused() {
        let t0 = Instant::now();
        let mut line = WaitingLine::new(2, STARVATION);
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(2), Tier::Ordinary, t0).unwrap();
        assert_eq!(
            line.enqueue(CallId(3), Tier::Diamond, t0),
            Err(EnqueueError::Full { max_length: 2 })
        );
        assert_eq!(line.len(), 2);
    }

    #[test]
    fn a_call_already_waiting_is_refused() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Ordinary, t0).unwrap();
        assert_eq!(
            line.enqueue(CallId(1), Tier::Ordinary, t0),
            Err(EnqueueError::AlreadyWaiting(CallId(1)))
        );
    }

    #[test]
    fn max_wait_expiry() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Diamond, t0 + secs(5))
            .unwrap();
        line.enqueue(CallId(2), Tier::Ordinary, t0).unwrap();
        line.enqueue(CallId(3), Tier::Ordinary, t0 + secs(100))
            .unwrap();
        let max_wait = secs(120);
        assert_eq!(line.expired(t0 + secs(119), max_wait), []);
        assert_eq!(
            line.expired(t0 + secs(125), max_wait),
            [CallId(2), CallId(1)]
        );
        assert_eq!(line.len(), 3, "expiry only names the callers");
    }

    #[test]
    fn a_caller_hanging_up_leaves_with_their_waiting_time() {
        let t0 = Instant::now();
        let mut line = line();
        line.enqueue(CallId(1), Tier::Silver, t0).unwrap();
        assert_eq!(line.remove(CallId(1), t0 + secs(42)), Some(secs(42)));
        assert_eq!(line.remove(CallId(1), t0 + secs(43)), None);
        assert!(line.is_empty());
    }

    #[test]
    fn longest_current_wait() {
        let t0 = Instant::now();
        let mut line = line();
        assert_eq!(line.longest_wait(t0), None);
        line.enqueue(CallId(1), Tier::Diamond, t0 + secs(10))
            .unwrap();
        line.enqueue(CallId(2), Tier::Ordinary, t0).unwrap();
        assert_eq!(line.longest_wait(t0 + secs(30)), Some(secs(30)));
    }
}
