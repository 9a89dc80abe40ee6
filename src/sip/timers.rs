//! The endpoint's timer index: when each transaction next wants `handle_timeout`, kept
//! in a min-heap so the earliest deadline is found without scanning every transaction
//! (a scan per message made call set-up cost grow with the transactions alive, which at
//! a few hundred calls per second are thousands: completed INVITE transactions linger
//! 32 s).
//!
//! Entries are lazy: whenever a transaction may have changed its timers the endpoint
//! pushes its current deadline again, and an entry whose transaction has gone or now
//! wants another time is dropped when it reaches the top.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use super::endpoint::TxKey;

/// Which transaction a deadline belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TimerKey {
    Server(TxKey),
    /// A non-INVITE client transaction, by branch.
    Client(String),
    /// Our outgoing INVITE's client transaction, by branch.
    Invite(String),
}

#[derive(Debug)]
struct Entry {
    at: Instant,
    key: TimerKey,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

/// Deadlines of transactions, earliest first.
#[derive(Debug, Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Reverse<Entry>>,
}

impl Timers {
    /// Records that `key` wants `handle_timeout` at `at`.
    pub(super) fn push(&mut self, at: Instant, key: TimerKey) {
        self.heap.push(Reverse(Entry { at, key }));
    }

    /// The earliest deadline still wanted: entries for which `current` (the
    /// transaction's own deadline now) says otherwise are dropped first.
    pub(super) fn earliest(
        &mut self,
        current: impl Fn(&TimerKey) -> Option<Instant>,
    ) -> Option<Instant> {
        while let Some(Reverse(top)) = self.heap.peek() {
            if current(&top.key) == Some(top.at) {
                return Some(top.at);
            }
            self.heap.pop();
        }
        None
    }

    /// Takes every entry due by `now` (stale ones too: handling a transaction that is
    /// not due does nothing), each key once.
    pub(super) fn take_due(&mut self, now: Instant) -> Vec<TimerKey> {
        let mut due: Vec<TimerKey> = Vec::new();
        while self.heap.peek().is_some_and(|Reverse(top)| top.at <= now) {
            let Some(Reverse(entry)) = self.heap.pop() else {
                break;
            };
            if !due.contains(&entry.key) {
                due.push(entry.key);
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn client(branch: &str) -> TimerKey {
        TimerKey::Client(branch.to_owned())
    }

    #[test]
    fn the_earliest_wanted_deadline_skips_stale_entries() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timers = Timers::default();
        timers.push(t0 + ms(500), client("a"));
        timers.push(t0 + ms(100), client("b"));
        timers.push(t0 + ms(300), client("a"));
        // "b" has ended; "a" now wants 300 ms (its 500 ms entry is stale).
        let current = |key: &TimerKey| match key {
            TimerKey::Client(b) if b == "a" => Some(t0 + ms(300)),
            _ => None,
        };
        assert_eq!(timers.earliest(current), Some(t0 + ms(300)));
        assert_eq!(timers.take_due(t0 + ms(600)), vec![client("a")]);
        assert_eq!(timers.earliest(current), None);
    }
}
