//! The INVITE client transaction (RFC 3261 17.1.1 with the RFC 6026 Accepted state), as a
//! pure state machine over a caller-supplied clock, for our outgoing INVITE.
//!
//! Calling: timer A retransmits the INVITE over UDP (T1, doubling without a cap), timer B
//! (64·T1) times it out. Proceeding (a 1xx arrived): no retransmission and no timer, the
//! phone may ring as long as it likes, except that once we sent a CANCEL the INVITE
//! times out 64·T1 later (RFC 3261 9.1). Completed (a non-2xx final): the core ACKs it
//! and every retransmission of it until timer D (32 s on UDP, 0 on TCP). Accepted (a
//! 2xx): every 2xx, retransmitted or forked, goes to the core, which ACKs it in its
//! dialog, until timer M (64·T1).

use std::time::{Duration, Instant};

use super::transaction::{earliest, Backoff, TxEvent, T1};

/// Timer D on UDP: how long a completed transaction absorbs retransmitted finals.
const TIMER_D: Duration = Duration::from_secs(32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Calling,
    Proceeding,
    Completed,
    Accepted,
}

/// What a response means for the transaction (and what the core must do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InviteResponse {
    /// A 1xx before any final response.
    Provisional,
    /// A 2xx: the first, a retransmission, or one from another fork.
    Success,
    /// The first non-2xx final response: ACK it, the INVITE failed.
    Failure,
    /// The non-2xx final again: send the same ACK again.
    FailureAgain,
    /// Nothing to do (a 1xx after a final, a non-2xx after a 2xx).
    Stray,
}

#[derive(Debug)]
pub(crate) struct ClientInviteTx {
    state: State,
    reliable: bool,
    request: Vec<u8>,
    backoff: Option<Backoff>,
    deadline: Option<Instant>,
    /// 64·T1 after our CANCEL: when a Proceeding INVITE gives up waiting for its final.
    cancel_deadline: Option<Instant>,
}

impl ClientInviteTx {
    /// Starts the transaction for `request`, which the caller sends at `now`.
    pub fn new(request: Vec<u8>, now: Instant, reliable: bool) -> ClientInviteTx {
        ClientInviteTx {
            state: State::Calling,
            reliable,
            request,
            backoff: (!reliable).then(|| Backoff::uncapped(now)),
            deadline: Some(now + 64 * T1),
            cancel_deadline: None,
        }
    }

    /// Our CANCEL went out at `now`: without a final response in 64·T1 the INVITE times out.
    pub fn cancelled(&mut self, now: Instant) {
        let at = now + 64 * T1;
        self.cancel_deadline = Some(at);
        if self.state == State::Proceeding {
            self.deadline = Some(at);
        }
    }

    pub fn on_response(&mut self, code: u16, now: Instant) -> InviteResponse {
        match (self.state, code) {
            (State::Calling | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                self.backoff = None;
                self.deadline = self.cancel_deadline;
                InviteResponse::Provisional
            }
            (State::Calling | State::Proceeding, 200..=299) => {
                self.state = State::Accepted;
                self.backoff = None;
                self.deadline = Some(now + 64 * T1);
                InviteResponse::Success
            }
            (State::Accepted, 200..=299) => InviteResponse::Success,
            (State::Calling | State::Proceeding, 300..) => {
                self.state = State::Completed;
                self.backoff = None;
                self.deadline = Some(if self.reliable { now } else { now + TIMER_D });
                InviteResponse::Failure
            }
            (State::Completed, 300..) => InviteResponse::FailureAgain,
            _ => InviteResponse::Stray,
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(self.backoff.as_ref().map(|b| b.next), self.deadline)
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<TxEvent> {
        if self.deadline.is_some_and(|d| now >= d) {
            self.backoff = None;
            self.deadline = None;
            return Some(match self.state {
                State::Calling | State::Proceeding => TxEvent::TimedOut,
                State::Completed | State::Accepted => TxEvent::Terminated,
            });
        }
        let backoff = self.backoff.as_mut().filter(|b| now >= b.next)?;
        backoff.fire(now);
        Some(TxEvent::Retransmit(self.request.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Fires the transaction's timers until it reports something other than a
    /// retransmission; the retransmission offsets (ms) and that event with its offset.
    fn run(tx: &mut ClientInviteTx, t0: Instant) -> (Vec<u128>, Option<(u128, TxEvent)>) {
        let mut sends = Vec::new();
        while let Some(at) = tx.poll_timeout() {
            match tx.handle_timeout(at) {
                Some(TxEvent::Retransmit(_)) => sends.push((at - t0).as_millis()),
                Some(other) => return (sends, Some(((at - t0).as_millis(), other))),
                None => {}
            }
        }
        (sends, None)
    }

    #[test]
    fn timer_a_doubles_without_a_cap_until_timer_b() {
        let t0 = Instant::now();
        let mut tx = ClientInviteTx::new(b"INVITE".to_vec(), t0, false);
        let (sends, end) = run(&mut tx, t0);
        assert_eq!(sends, vec![500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!(end, Some((32000, TxEvent::TimedOut)));
    }

    #[test]
    fn provisional_stops_retransmission_and_timer_b() {
        let t0 = Instant::now();
        let mut tx = ClientInviteTx::new(b"INVITE".to_vec(), t0, false);
        assert_eq!(tx.on_response(180, t0 + MS), InviteResponse::Provisional);
        assert_eq!(tx.poll_timeout(), None, "a phone may ring for minutes");
        tx.cancelled(t0 + 10 * MS);
        assert_eq!(tx.poll_timeout(), Some(t0 + 10 * MS + 64 * T1));
        assert_eq!(
            tx.handle_timeout(t0 + 10 * MS + 64 * T1),
            Some(TxEvent::TimedOut)
        );
    }

    #[test]
    fn non_2xx_final_is_acked_again_until_timer_d() {
        let t0 = Instant::now();
        let mut tx = ClientInviteTx::new(b"INVITE".to_vec(), t0, false);
        assert_eq!(tx.on_response(486, t0), InviteResponse::Failure);
        assert_eq!(tx.on_response(486, t0 + MS), InviteResponse::FailureAgain);
        assert_eq!(tx.on_response(180, t0 + MS), InviteResponse::Stray);
        assert_eq!(tx.on_response(200, t0 + MS), InviteResponse::Stray);
        assert_eq!(tx.poll_timeout(), Some(t0 + TIMER_D));
        assert_eq!(tx.handle_timeout(t0 + TIMER_D), Some(TxEvent::Terminated));
    }

    #[test]
    fn every_2xx_goes_to_the_core_until_timer_m() {
        let t0 = Instant::now();
        let mut tx = ClientInviteTx::new(b"INVITE".to_vec(), t0, true);
        assert_eq!(tx.poll_timeout(), Some(t0 + 64 * T1), "no timer A on TCP");
        assert_eq!(tx.on_response(200, t0 + MS), InviteResponse::Success);
        assert_eq!(tx.on_response(200, t0 + 2 * MS), InviteResponse::Success);
        assert_eq!(tx.on_response(486, t0 + 2 * MS), InviteResponse::Stray);
        assert_eq!(
            tx.handle_timeout(t0 + MS + 64 * T1),
            Some(TxEvent::Terminated)
        );
    }
}
