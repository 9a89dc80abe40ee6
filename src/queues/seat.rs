//! One agent's seat: logged out, ready, not ready (with a reason), ringing, talking and
//! wrap-up, moved by the agent's buttons, the call's events and two deadlines (the ring
//! timeout and the end of wrap-up) that the shell reads with [`Seat::poll_timeout`] and
//! hands back with [`Seat::on_timeout`].
//!
//! Decisions the spec is silent on:
//! - logging in leaves the seat not ready ("logged in"): a softphone that has just
//!   registered is not yet an agent wearing a headset, so ringing starts only after an
//!   explicit "ready";
//! - "ready" while ready keeps the original `since`, so a double click does not cost the
//!   agent their place among the longest-ready; "ready" during wrap-up ends it early;
//! - "not ready" is accepted while ready, not ready (a new reason, from now) and in
//!   wrap-up; logging out is refused while ringing or talking;
//! - the caller hanging up while the agent's phone rings puts the seat back to ready from
//!   that moment (the agent did no work, so no wrap-up);
//! - a deadline reached exactly is reached; the new state starts at the deadline, not at
//!   the moment the shell noticed it, so a late poll does not change who is ready longest;
//! - answering and hanging up name the call, and an event for another call (a late answer
//!   after a ring timeout) is refused rather than applied to the current one.

use std::fmt;
use std::time::{Duration, Instant};

use crate::tickets::model::named_enum;

/// One caller's call while it waits, rings and talks; the shell numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call {}", self.0)
    }
}

/// Why an agent is not taking calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReadyReason {
    /// Just logged in, not yet ready.
    LoggedIn,
    /// A call rang out without an answer.
    NoAnswer,
    /// The agent's own reason from the console (break, training, a ticket to finish …).
    Chosen(String),
}

/// Where one agent's seat is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeatState {
    LoggedOut,
    Ready {
        since: Instant,
    },
    NotReady {
        reason: NotReadyReason,
        since: Instant,
    },
    Ringing {
        call: CallId,
        since: Instant,
        deadline: Instant,
    },
    Talking {
        call: CallId,
        since: Instant,
    },
    WrapUp {
        call: CallId,
        until: Instant,
    },
}

named_enum! {
    /// The name of a seat state, as the console and the store show it.
    SeatStateName, "seat state" {
        LoggedOut = "logged-out",
        Ready = "ready",
        NotReady = "not-ready",
        Ringing = "ringing",
        Talking = "talking",
        WrapUp = "wrap-up",
    }
}

named_enum! {
    /// An input to a seat, named in the errors that refuse it.
    SeatInput, "seat input" {
        LogIn = "log-in",
        Ready = "ready",
        NotReady = "not-ready",
        LogOut = "log-out",
        Offer = "offer",
        Answered = "answered",
        NotAnswered = "not-answered",
        HungUp = "hung-up",
    }
}

impl SeatState {
    pub fn name(&self) -> SeatStateName {
        match self {
            SeatState::LoggedOut => SeatStateName::LoggedOut,
            SeatState::Ready { .. } => SeatStateName::Ready,
            SeatState::NotReady { .. } => SeatStateName::NotReady,
            SeatState::Ringing { .. } => SeatStateName::Ringing,
            SeatState::Talking { .. } => SeatStateName::Talking,
            SeatState::WrapUp { .. } => SeatStateName::WrapUp,
        }
    }
}

/// An input the seat refused; the seat is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    #[error("`{input}` is not allowed while {state}")]
    NotAllowed {
        state: SeatStateName,
        input: SeatInput,
    },
    #[error("`{input}` names {given} but the seat is on {current}")]
    OtherCall {
        input: SeatInput,
        given: CallId,
        current: CallId,
    },
}

/// What a reached deadline did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeatTimeout {
    /// Nobody answered in time: the seat is not ready ("no answer") and the call goes back
    /// to the head of its queue.
    RingNotAnswered { call: CallId },
    /// Wrap-up is over: the seat is ready.
    WrapUpEnded,
}

/// One agent's seat state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    state: SeatState,
}

impl Default for Seat {
    fn default() -> Self {
        Seat {
            state: SeatState::LoggedOut,
        }
    }
}

impl Seat {
    pub fn state(&self) -> &SeatState {
        &self.state
    }

    /// Since when the seat has been ready, if it is: the longest-ready agent is offered
    /// the next call.
    pub fn ready_since(&self) -> Option<Instant> {
        match self.state {
            SeatState::Ready { since } => Some(since),
            _ => None,
        }
    }

    /// Logged out → not ready ("logged in").
    pub fn log_in(&mut self, now: Instant) -> Result<(), SeatError> {
        match self.state {
            SeatState::LoggedOut => {
                self.state = not_ready(NotReadyReason::LoggedIn, now);
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::LogIn)),
        }
    }

    /// Not ready or wrap-up → ready from now; ready stays ready from its first moment.
    pub fn ready(&mut self, now: Instant) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ready { .. } => Ok(()),
            SeatState::NotReady { .. } | SeatState::WrapUp { .. } => {
                self.state = SeatState::Ready { since: now };
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::Ready)),
        }
    }

    /// Ready, not ready or wrap-up → not ready for `reason` from now.
    pub fn not_ready(&mut self, reason: String, now: Instant) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ready { .. } | SeatState::NotReady { .. } | SeatState::WrapUp { .. } => {
                self.state = not_ready(NotReadyReason::Chosen(reason), now);
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::NotReady)),
        }
    }

    /// Ready, not ready or wrap-up → logged out; refused with a call ringing or connected.
    pub fn log_out(&mut self) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ready { .. } | SeatState::NotReady { .. } | SeatState::WrapUp { .. } => {
                self.state = SeatState::LoggedOut;
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::LogOut)),
        }
    }

    /// Ready → ringing `call` until `now + ring_timeout`.
    pub fn offer(
        &mut self,
        call: CallId,
        now: Instant,
        ring_timeout: Duration,
    ) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ready { .. } => {
                self.state = SeatState::Ringing {
                    call,
                    since: now,
                    deadline: now + ring_timeout,
                };
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::Offer)),
        }
    }

    /// Ringing `call` → talking from now.
    pub fn answered(&mut self, call: CallId, now: Instant) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ringing { call: current, .. } => {
                same_call(SeatInput::Answered, call, current)?;
                self.state = SeatState::Talking { call, since: now };
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::Answered)),
        }
    }

    /// The agent's phone refused `call` or could not be reached before the ring timeout:
    /// ringing → not ready (no answer) from now, like a ring timeout.
    pub fn not_answered(&mut self, call: CallId, now: Instant) -> Result<(), SeatError> {
        match self.state {
            SeatState::Ringing { call: current, .. } => {
                same_call(SeatInput::NotAnswered, call, current)?;
                self.state = not_ready(NotReadyReason::NoAnswer, now);
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::NotAnswered)),
        }
    }

    /// Either side ended `call`: talking → wrap-up until `now + wrap_up`; ringing (the
    /// caller gave up before the agent answered) → ready from now.
    pub fn hung_up(
        &mut self,
        call: CallId,
        now: Instant,
        wrap_up: Duration,
    ) -> Result<(), SeatError> {
        match self.state {
            SeatState::Talking { call: current, .. } => {
                same_call(SeatInput::HungUp, call, current)?;
                self.state = SeatState::WrapUp {
                    call,
                    until: now + wrap_up,
                };
                Ok(())
            }
            SeatState::Ringing { call: current, .. } => {
                same_call(SeatInput::HungUp, call, current)?;
                self.state = SeatState::Ready { since: now };
                Ok(())
            }
            _ => Err(self.refuse(SeatInput::HungUp)),
        }
    }

    /// The next deadline: the ring timeout or the end of wrap-up.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            SeatState::Ringing { deadline, .. } => Some(deadline),
            SeatState::WrapUp { until, .. } => Some(until),
            _ => None,
        }
    }

    /// Applies the deadline if `now` has reached it; None when there was nothing due.
    pub fn on_timeout(&mut self, now: Instant) -> Option<SeatTimeout> {
        match self.state {
            SeatState::Ringing { call, deadline, .. } if now >= deadline => {
                self.state = not_ready(NotReadyReason::NoAnswer, deadline);
                Some(SeatTimeout::RingNotAnswered { call })
            }
            SeatState::WrapUp { until, .. } if now >= until => {
                self.state = SeatState::Ready { since: until };
                Some(SeatTimeout::WrapUpEnded)
            }
            _ => None,
        }
    }

    fn refuse(&self, input: SeatInput) -> SeatError {
        SeatError::NotAllowed {
            state: self.state.name(),
            input,
        }
    }
}

fn not_ready(reason: NotReadyReason, since: Instant) -> SeatState {
    SeatState::NotReady { reason, since }
}

/// Refuses an event for a call the seat is not on.
fn same_call(input: SeatInput, given: CallId, current: CallId) -> Result<(), SeatError> {
    if given == current {
        Ok(())
    } else {
        Err(SeatError::OtherCall {
            input,
            given,
            current,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: Duration = Duration::from_secs(20);
    const WRAP_UP: Duration = Duration::from_secs(30);
    const CALL: CallId = CallId(7);

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn ready_seat(t0: Instant) -> Seat {
        let mut seat = Seat::default();
        seat.log_in(t0).unwrap();
        seat.ready(t0).unwrap();
        seat
    }

    fn talking_seat(t0: Instant) -> Seat {
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0, RING).unwrap();
        seat.answered(CALL, t0 + secs(3)).unwrap();
        seat
    }

    #[test]
    fn logging_in_leaves_the_seat_not_ready_until_the_agent_says_ready() {
        let t0 = Instant::now();
        let mut seat = Seat::default();
        seat.log_in(t0).unwrap();
        assert_eq!(
            seat.state(),
            &SeatState::NotReady {
                reason: NotReadyReason::LoggedIn,
                since: t0
            }
        );
        assert_eq!(seat.ready_since(), None);
        seat.ready(t0 + secs(5)).unwrap();
        assert_eq!(seat.ready_since(), Some(t0 + secs(5)));
    }

    #[test]
    fn ready_twice_keeps_the_place_among_the_longest_ready() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.ready(t0 + secs(9)).unwrap();
        assert_eq!(seat.ready_since(), Some(t0));
    }

    #[test]
    fn an_offer_rings_until_the_ring_timeout_then_an_answer_connects() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0 + secs(1), RING).unwrap();
        assert_eq!(seat.poll_timeout(), Some(t0 + secs(1) + RING));
        assert_eq!(seat.on_timeout(t0 + secs(2)), None);
        seat.answered(CALL, t0 + secs(4)).unwrap();
        assert_eq!(
            seat.state(),
            &SeatState::Talking {
                call: CALL,
                since: t0 + secs(4)
            }
        );
        assert_eq!(seat.poll_timeout(), None);
    }

    #[test]
    fn ring_timeout_makes_the_seat_not_ready_and_hands_the_call_back() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0, RING).unwrap();
        let late = t0 + RING + secs(1);
        assert_eq!(
            seat.on_timeout(late),
            Some(SeatTimeout::RingNotAnswered { call: CALL })
        );
        assert_eq!(
            seat.state(),
            &SeatState::NotReady {
                reason: NotReadyReason::NoAnswer,
                since: t0 + RING
            }
        );
        assert_eq!(seat.poll_timeout(), None);
        assert_eq!(seat.on_timeout(late), None);
    }

    #[test]
    fn hanging_up_starts_wrap_up_and_wrap_up_ends_in_ready() {
        let t0 = Instant::now();
        let mut seat = talking_seat(t0);
        let end = t0 + secs(60);
        seat.hung_up(CALL, end, WRAP_UP).unwrap();
        assert_eq!(
            seat.state(),
            &SeatState::WrapUp {
                call: CALL,
                until: end + WRAP_UP
            }
        );
        assert_eq!(seat.poll_timeout(), Some(end + WRAP_UP));
        assert_eq!(seat.on_timeout(end + WRAP_UP - secs(1)), None);
        assert_eq!(
            seat.on_timeout(end + WRAP_UP),
            Some(SeatTimeout::WrapUpEnded)
        );
        assert_eq!(seat.ready_since(), Some(end + WRAP_UP));
    }

    #[test]
    fn ready_during_wrap_up_ends_it_early() {
        let t0 = Instant::now();
        let mut seat = talking_seat(t0);
        seat.hung_up(CALL, t0 + secs(60), WRAP_UP).unwrap();
        seat.ready(t0 + secs(65)).unwrap();
        assert_eq!(seat.ready_since(), Some(t0 + secs(65)));
        assert_eq!(seat.poll_timeout(), None);
    }

    #[test]
    fn the_caller_hanging_up_while_it_rings_leaves_the_seat_ready() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0, RING).unwrap();
        seat.hung_up(CALL, t0 + secs(5), WRAP_UP).unwrap();
        assert_eq!(seat.ready_since(), Some(t0 + secs(5)));
    }

    #[test]
    fn not_ready_records_the_agents_reason() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.not_ready("午餐".to_string(), t0 + secs(8)).unwrap();
        assert_eq!(
            seat.state(),
            &SeatState::NotReady {
                reason: NotReadyReason::Chosen("午餐".to_string()),
                since: t0 + secs(8)
            }
        );
    }

    #[test]
    fn illegal_transitions_are_refused_naming_state_and_input() {
        let t0 = Instant::now();
        let refused = |state, input| Err(SeatError::NotAllowed { state, input });

        let mut logged_out = Seat::default();
        assert_eq!(
            logged_out.ready(t0),
            refused(SeatStateName::LoggedOut, SeatInput::Ready)
        );
        assert_eq!(
            logged_out.log_out(),
            refused(SeatStateName::LoggedOut, SeatInput::LogOut)
        );

        let mut not_ready = Seat::default();
        not_ready.log_in(t0).unwrap();
        assert_eq!(
            not_ready.offer(CALL, t0, RING),
            refused(SeatStateName::NotReady, SeatInput::Offer)
        );
        assert_eq!(
            not_ready.log_in(t0),
            refused(SeatStateName::NotReady, SeatInput::LogIn)
        );

        let mut ringing = ready_seat(t0);
        ringing.offer(CALL, t0, RING).unwrap();
        assert_eq!(
            ringing.log_out(),
            refused(SeatStateName::Ringing, SeatInput::LogOut)
        );
        assert_eq!(
            ringing.offer(CallId(8), t0, RING),
            refused(SeatStateName::Ringing, SeatInput::Offer)
        );

        let mut talking = talking_seat(t0);
        assert_eq!(
            talking.log_out(),
            refused(SeatStateName::Talking, SeatInput::LogOut)
        );
        assert_eq!(
            talking.not_ready("break".to_string(), t0),
            refused(SeatStateName::Talking, SeatInput::NotReady)
        );
        assert_eq!(
            talking.answered(CALL, t0),
            refused(SeatStateName::Talking, SeatInput::Answered)
        );
        assert_eq!(talking, talking_seat(t0), "a refused input changes nothing");
    }

    #[test]
    fn events_for_another_call_are_refused() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0, RING).unwrap();
        assert_eq!(
            seat.answered(CallId(99), t0 + secs(1)),
            Err(SeatError::OtherCall {
                input: SeatInput::Answered,
                given: CallId(99),
                current: CALL
            })
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        let error = SeatError::NotAllowed {
            state: SeatStateName::Talking,
            input: SeatInput::LogOut,
        };
        assert_eq!(error.to_string(), "`log-out` is not allowed while talking");
    }

    #[test]
    fn a_refused_ring_leaves_the_agent_not_ready_from_then() {
        let t0 = Instant::now();
        let mut seat = ready_seat(t0);
        seat.offer(CALL, t0, RING).expect("offered");
        assert!(seat.not_answered(CallId(8), t0 + secs(2)).is_err());
        seat.not_answered(CALL, t0 + secs(3)).expect("refused");
        assert_eq!(
            seat.state(),
            &SeatState::NotReady {
                reason: NotReadyReason::NoAnswer,
                since: t0 + secs(3)
            }
        );
        assert!(seat.not_answered(CALL, t0 + secs(4)).is_err());
    }
}
