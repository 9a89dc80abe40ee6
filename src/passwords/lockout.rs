//! Locking a password after consecutive failures, across calls: the count of failures
//! and the lock are [`Attempts`] the store keeps per password; [`LockoutPolicy::judge`]
//! decides one check and what to keep after it.
//!
//! Decisions the spec is silent on: a password locked until `t` is usable again at `t`
//! exactly; while locked, entries are not checked at all (even the right one is not
//! accepted, so guessing during the lock learns nothing); when the lock has run out the
//! count starts again from zero; `max_failures: 0` behaves as 1.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

/// How many consecutive failures lock a password, and for how long. Default 5, 30 min.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_minutes: 30,
        }
    }
}

/// What is kept of one password's checks: consecutive failures and the current lock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// The verdict on one password check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// A wrong password; `locked_until` is Some when this failure locked it.
    Wrong {
        locked_until: Option<DateTime<Utc>>,
    },
    /// Locked: the entry was not checked.
    Locked {
        until: DateTime<Utc>,
    },
}

impl LockoutPolicy {
    /// The end of the lock in force at `now`, if any.
    pub fn is_locked(&self, attempts: &Attempts, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        attempts.locked_until.filter(|until| *until > now)
    }

    /// The verdict on one check and the attempts to store after it. A locked password is
    /// not checked at all (Locked, attempts unchanged). Success resets failures; a failure
    /// increments; reaching max_failures locks until now + lock_minutes and resets the count
    /// when the lock has run out.
    pub fn judge(
        &self,
        attempts: &Attempts,
        correct: bool,
        now: DateTime<Utc>,
    ) -> (Verdict, Attempts) {
        if let Some(until) = self.is_locked(attempts, now) {
            return (Verdict::Locked { until }, attempts.clone());
        }
        if correct {
            return (Verdict::Accepted, Attempts::default());
        }
        let before = if attempts.locked_until.is_some() {
            0 // the lock has run out
        } else {
            attempts.failures
        };
        let failures = before.saturating_add(1);
        let locked_until = (failures >= self.max_failures.max(1))
            .then(|| now + Duration::minutes(self.lock_minutes));
        (
            Verdict::Wrong { locked_until },
            Attempts {
                failures,
                locked_until,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap() + Duration::minutes(minute)
    }

    /// Checks `entries` (true = right password) one minute apart from `start`.
    fn run(
        policy: &LockoutPolicy,
        mut attempts: Attempts,
        start: i64,
        entries: &[bool],
    ) -> (Vec<Verdict>, Attempts) {
        let mut verdicts = Vec::new();
        for (i, correct) in entries.iter().enumerate() {
            let (verdict, next) = policy.judge(&attempts, *correct, at(start + i as i64));
            verdicts.push(verdict);
            attempts = next;
        }
        (verdicts, attempts)
    }

    const WRONG: Verdict = Verdict::Wrong { locked_until: None };

    #[test]
    fn the_fifth_consecutive_failure_locks_for_thirty_minutes() {
        let policy = LockoutPolicy::default();
        let (verdicts, attempts) = run(&policy, Attempts::default(), 0, &[false; 5]);
        let until = at(4) + Duration::minutes(30);
        assert_eq!(verdicts[..4], [WRONG; 4]);
        assert_eq!(
            verdicts[4],
            Verdict::Wrong {
                locked_until: Some(until)
            }
        );
        assert_eq!(
            attempts,
            Attempts {
                failures: 5,
                locked_until: Some(until)
            }
        );
        assert_eq!(policy.is_locked(&attempts, at(5)), Some(until));
    }

    #[test]
    fn a_locked_password_is_not_checked_even_when_right() {
        let policy = LockoutPolicy::default();
        let (_, locked) = run(&policy, Attempts::default(), 0, &[false; 5]);
        let until = at(34);
        for (minute, correct) in [(5, true), (20, false), (33, true)] {
            let (verdict, after) = policy.judge(&locked, correct, at(minute));
            assert_eq!(verdict, Verdict::Locked { until });
            assert_eq!(after, locked, "attempts unchanged while locked");
        }
    }

    #[test]
    fn the_lock_runs_out_at_its_end_and_the_count_starts_again() {
        let policy = LockoutPolicy::default();
        let (_, locked) = run(&policy, Attempts::default(), 0, &[false; 5]);
        assert_eq!(policy.is_locked(&locked, at(34)), None);
        let (verdict, after) = policy.judge(&locked, false, at(34));
        assert_eq!(verdict, WRONG);
        assert_eq!(
            after,
            Attempts {
                failures: 1,
                locked_until: None
            }
        );
        let (verdict, after) = policy.judge(&locked, true, at(34));
        assert_eq!((verdict, after), (Verdict::Accepted, Attempts::default()));
    }

    #[test]
    fn success_resets_the_count() {
        let policy = LockoutPolicy::default();
        let entries = [false, false, false, false, true, false, false, false, false];
        let (verdicts, attempts) = run(&policy, Attempts::default(), 0, &entries);
        assert_eq!(verdicts[4], Verdict::Accepted);
        assert!(verdicts.iter().all(|v| !matches!(
            v,
            Verdict::Wrong {
                locked_until: Some(_)
            }
        )));
        assert_eq!(
            attempts,
            Attempts {
                failures: 4,
                locked_until: None
            }
        );
    }

    #[test]
    fn failures_count_across_calls_whatever_the_time_between() {
        let policy = LockoutPolicy::default();
        let (_, attempts) = run(&policy, Attempts::default(), 0, &[false; 3]);
        let (verdicts, _) = run(&policy, attempts, 24 * 60, &[false, false]);
        assert!(matches!(
            verdicts[1],
            Verdict::Wrong {
                locked_until: Some(_)
            }
        ));
    }

    #[test]
    fn the_policy_is_configurable() {
        let policy = LockoutPolicy {
            max_failures: 2,
            lock_minutes: 5,
        };
        let (verdicts, attempts) = run(&policy, Attempts::default(), 0, &[false, false]);
        assert_eq!(
            verdicts[1],
            Verdict::Wrong {
                locked_until: Some(at(6))
            }
        );
        assert_eq!(policy.is_locked(&attempts, at(5)), Some(at(6)));
        assert_eq!(policy.is_locked(&attempts, at(6)), None);
        let once = LockoutPolicy {
            max_failures: 0,
            lock_minutes: 1,
        };
        let (verdict, _) = once.judge(&Attempts::default(), false, at(0));
        assert_eq!(
            verdict,
            Verdict::Wrong {
                locked_until: Some(at(1))
            }
        );
        let read: LockoutPolicy = serde_yaml::from_str("lock_minutes: 10").unwrap();
        assert_eq!(
            read,
            LockoutPolicy {
                max_failures: 5,
                lock_minutes: 10
            }
        );
    }
}
