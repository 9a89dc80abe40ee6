//! RFC 3261 §17 transactions as pure state machines over a caller-supplied clock.
//!
//! - [`ServerInviteTx`]: Proceeding → Completed (non-2xx; timer G retransmits over UDP,
//!   timer H = 64·T1 waits for the ACK) → Confirmed (timer I = T4, 0 on TCP); or, for a
//!   2xx, the RFC 6026 Accepted state, where the transaction also does the UAS core's 2xx
//!   retransmission (§13.3.1.4: T1 doubling to T2, on every transport) until the ACK, and
//!   times out (no ACK) at 64·T1. It stays until then to absorb late INVITE copies.
//! - [`ServerNonInviteTx`]: created with its final response (the UAS answers at once);
//!   answers retransmissions until timer J (64·T1 on UDP, 0 on TCP).
//! - [`ClientNonInviteTx`]: our BYE/REFER; timer E retransmits over UDP (T1 doubling to
//!   T2, T2 once a 1xx arrived), timer F = 64·T1 times it out, timer K = T4 after the
//!   final response absorbs its retransmissions.
//!
//! The INVITE client transaction (our outgoing INVITE) is in `client_invite`. The
//! transactions hold bytes, not addresses; the endpoint keeps where they go.

use std::time::{Duration, Instant};

pub(crate) const T1: Duration = Duration::from_millis(500);
pub(crate) const T2: Duration = Duration::from_secs(4);
pub(crate) const T4: Duration = Duration::from_secs(5);

/// What a transaction wants done when its timer fires.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TxEvent {
    /// Send these bytes again.
    Retransmit(Vec<u8>),
    /// Timer H / L / F: the other side never answered.
    TimedOut,
    /// Finished normally; drop the transaction.
    Terminated,
}

/// A retransmission schedule: first after T1, the interval doubling up to T2 (or, for
/// timer A, without a cap).
#[derive(Clone, Debug)]
pub(crate) struct Backoff {
    pub next: Instant,
    interval: Duration,
    cap: Duration,
}

impl Backoff {
    pub fn start(now: Instant) -> Backoff {
        Backoff {
            next: now + T1,
            interval: T1,
            cap: T2,
        }
    }

    /// Timer A of an INVITE client transaction: T1, 2·T1, 4·T1, … (RFC 3261 17.1.1.2).
    pub fn uncapped(now: Instant) -> Backoff {
        Backoff {
            cap: Duration::MAX,
            ..Backoff::start(now)
        }
    }

    pub fn fire(&mut self, now: Instant) {
        self.interval = (self.interval * 2).min(self.cap);
        self.next = now + self.interval;
    }
}

pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InviteState {
    Proceeding,
    Accepted { acked: bool },
    Completed,
    Confirmed,
}

#[derive(Debug)]
pub(crate) struct ServerInviteTx {
    state: InviteState,
    reliable: bool,
    last: Vec<u8>,
    backoff: Option<Backoff>,
    deadline: Option<Instant>,
}

impl ServerInviteTx {
    /// A new transaction; `reliable` is true on TCP.
    pub fn new(reliable: bool) -> ServerInviteTx {
        ServerInviteTx {
            state: InviteState::Proceeding,
            reliable,
            last: Vec::new(),
            backoff: None,
            deadline: None,
        }
    }

    /// Records the response sent (the caller transmits it). Ignored after a final one.
    pub fn respond(&mut self, code: u16, bytes: Vec<u8>, now: Instant) {
        if self.state != InviteState::Proceeding {
            return;
        }
        self.last = bytes;
        match code {
            100..=199 => {}
            200..=299 => {
                self.state = InviteState::Accepted { acked: false };
                self.backoff = Some(Backoff::start(now));
                self.deadline = Some(now + 64 * T1);
            }
            _ => {
                self.state = InviteState::Completed;
                self.backoff = (!self.reliable).then(|| Backoff::start(now));
                self.deadline = Some(now + 64 * T1);
            }
        }
    }

    pub fn is_proceeding(&self) -> bool {
        self.state == InviteState::Proceeding
    }

    /// The response to re-send for a retransmitted INVITE, if any.
    pub fn last_response(&self) -> Option<&[u8]> {
        (!self.last.is_empty() && self.state != InviteState::Confirmed)
            .then_some(self.last.as_slice())
    }

    /// An ACK with the INVITE's branch. True when it acknowledges our non-2xx final
    /// response (first or repeated), which absorbs it; then timer I runs.
    pub fn ack_non_2xx(&mut self, now: Instant) -> bool {
        match self.state {
            InviteState::Completed => {
                self.state = InviteState::Confirmed;
                self.backoff = None;
                self.deadline = Some(if self.reliable { now } else { now + T4 });
                true
            }
            InviteState::Confirmed => true,
            _ => false,
        }
    }

    /// The ACK for our 2xx arrived (matched by the dialog): stop retransmitting it.
    pub fn ack_2xx(&mut self) {
        if self.state == (InviteState::Accepted { acked: false }) {
            self.state = InviteState::Accepted { acked: true };
            self.backoff = None;
        }
    }

    /// Stops 2xx retransmission without an ACK (the dialog ended meanwhile).
    pub fn stop_retransmitting(&mut self) {
        self.ack_2xx();
        self.backoff = None;
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(self.backoff.as_ref().map(|b| b.next), self.deadline)
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<TxEvent> {
        if self.deadline.is_some_and(|d| now >= d) {
            self.backoff = None;
            self.deadline = None;
            return Some(match self.state {
                InviteState::Accepted { acked: false } | InviteState::Completed => {
                    TxEvent::TimedOut
                }
                _ => TxEvent::Terminated,
            });
        }
        let backoff = self.backoff.as_mut().filter(|b| now >= b.next)?;
        backoff.fire(now);
        Some(TxEvent::Retransmit(self.last.clone()))
    }
}

#[derive(Debug)]
pub(crate) struct ServerNonInviteTx {
    last: Vec<u8>,
    deadline: Instant,
}

impl ServerNonInviteTx {
    /// The transaction after its final response `bytes` was sent at `now`.
    pub fn completed(bytes: Vec<u8>, now: Instant, reliable: bool) -> ServerNonInviteTx {
        let deadline = if reliable { now } else { now + 64 * T1 };
        ServerNonInviteTx {
            last: bytes,
            deadline,
        }
    }

    pub fn last_response(&self) -> &[u8] {
        &self.last
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        Some(self.deadline)
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<TxEvent> {
        (now >= self.deadline).then_some(TxEvent::Terminated)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientState {
    Trying,
    Proceeding,
    Completed,
}

#[derive(Debug)]
pub(crate) struct ClientNonInviteTx {
    state: ClientState,
    reliable: bool,
    request: Vec<u8>,
    backoff: Option<Backoff>,
    timer_f: Instant,
    timer_k: Option<Instant>,
}

impl ClientNonInviteTx {
    /// Starts the transaction for `request`, which the caller sends at `now`.
    pub fn new(request: Vec<u8>, now: Instant, reliable: bool) -> ClientNonInviteTx {
        ClientNonInviteTx {
            state: ClientState::Trying,
            reliable,
            request,
            backoff: (!reliable).then(|| Backoff::start(now)),
            timer_f: now + 64 * T1,
            timer_k: None,
        }
    }

    /// A response matched this transaction. Returns true for the first final response.
    pub fn on_response(&mut self, code: u16, now: Instant) -> bool {
        match (self.state, code) {
            (ClientState::Completed, _) => false,
            (_, 100..=199) => {
                self.state = ClientState::Proceeding;
                if let Some(b) = &mut self.backoff {
                    b.interval = T2;
                    b.next = b.next.min(now + T2);
                }
                false
            }
            _ => {
                self.state = ClientState::Completed;
                self.backoff = None;
                self.timer_k = Some(if self.reliable { now } else { now + T4 });
                true
            }
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            ClientState::Completed => self.timer_k,
            _ => earliest(self.backoff.as_ref().map(|b| b.next), Some(self.timer_f)),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<TxEvent> {
        if self.state == ClientState::Completed {
            return self
                .timer_k
                .filter(|k| now >= *k)
                .map(|_| TxEvent::Terminated);
        }
        if now >= self.timer_f {
            self.state = ClientState::Completed;
            self.backoff = None;
            self.timer_k = Some(now);
            return Some(TxEvent::TimedOut);
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

    /// Drives a transaction through `until`, returning the offsets (ms) of retransmissions
    /// and of the final event.
    fn run(
        mut poll: impl FnMut() -> Option<Instant>,
        mut fire: impl FnMut(Instant) -> Option<TxEvent>,
        t0: Instant,
    ) -> (Vec<u128>, Option<(u128, TxEvent)>) {
        let mut sends = Vec::new();
        while let Some(at) = poll() {
            match fire(at) {
                Some(TxEvent::Retransmit(_)) => sends.push((at - t0).as_millis()),
                Some(other) => return (sends, Some(((at - t0).as_millis(), other))),
                None => {}
            }
        }
        (sends, None)
    }

    #[test]
    fn non_2xx_final_is_retransmitted_by_timer_g_until_timer_h() {
        let t0 = Instant::now();
        let tx = std::cell::RefCell::new(ServerInviteTx::new(false));
        tx.borrow_mut().respond(486, b"486".to_vec(), t0);
        let (sends, end) = run(
            || tx.borrow().poll_timeout(),
            |t| tx.borrow_mut().handle_timeout(t),
            t0,
        );
        assert_eq!(&sends[..5], &[500, 1500, 3500, 7500, 11500]);
        assert_eq!(end, Some((32000, TxEvent::TimedOut)));
    }

    #[test]
    fn ack_for_non_2xx_moves_to_confirmed_and_timer_i_terminates() {
        let t0 = Instant::now();
        let mut tx = ServerInviteTx::new(false);
        tx.respond(487, b"487".to_vec(), t0);
        assert!(tx.ack_non_2xx(t0 + 100 * MS));
        assert!(tx.ack_non_2xx(t0 + 200 * MS), "a repeated ACK is absorbed");
        assert_eq!(tx.poll_timeout(), Some(t0 + 100 * MS + T4));
        assert_eq!(
            tx.handle_timeout(t0 + 100 * MS + T4),
            Some(TxEvent::Terminated)
        );
    }

    #[test]
    fn tcp_server_transaction_does_not_retransmit_non_2xx() {
        let t0 = Instant::now();
        let mut tx = ServerInviteTx::new(true);
        tx.respond(488, b"488".to_vec(), t0);
        assert_eq!(tx.poll_timeout(), Some(t0 + 64 * T1));
    }

    #[test]
    fn accepted_2xx_is_retransmitted_until_ack_then_kept_until_timer_l() {
        let t0 = Instant::now();
        let mut tx = ServerInviteTx::new(true);
        tx.respond(200, b"200".to_vec(), t0);
        assert_eq!(
            tx.handle_timeout(t0 + T1),
            Some(TxEvent::Retransmit(b"200".to_vec()))
        );
        assert!(
            !tx.ack_non_2xx(t0 + T1 + MS),
            "an ACK for a 2xx is the dialog's"
        );
        tx.ack_2xx();
        assert_eq!(tx.poll_timeout(), Some(t0 + 64 * T1));
        assert_eq!(
            tx.last_response(),
            Some(&b"200"[..]),
            "late INVITE copies still get the 2xx"
        );
        assert_eq!(tx.handle_timeout(t0 + 64 * T1), Some(TxEvent::Terminated));
    }

    #[test]
    fn non_invite_client_retransmits_with_timer_e_and_times_out_with_timer_f() {
        let t0 = Instant::now();
        let tx = std::cell::RefCell::new(ClientNonInviteTx::new(b"BYE".to_vec(), t0, false));
        let (sends, end) = run(
            || tx.borrow().poll_timeout(),
            |t| tx.borrow_mut().handle_timeout(t),
            t0,
        );
        assert_eq!(&sends[..6], &[500, 1500, 3500, 7500, 11500, 15500]);
        assert_eq!(end, Some((32000, TxEvent::TimedOut)));
    }

    #[test]
    fn non_invite_client_after_provisional_retransmits_at_t2_and_final_stops_it() {
        let t0 = Instant::now();
        let mut tx = ClientNonInviteTx::new(b"REFER".to_vec(), t0, false);
        assert!(!tx.on_response(100, t0 + 100 * MS));
        assert_eq!(tx.poll_timeout(), Some(t0 + T1));
        assert!(tx.handle_timeout(t0 + T1).is_some());
        assert_eq!(tx.poll_timeout(), Some(t0 + T1 + T2));
        assert!(tx.on_response(202, t0 + T1 + MS));
        assert!(!tx.on_response(202, t0 + T1 + 2 * MS));
        assert_eq!(
            tx.handle_timeout(t0 + T1 + MS + T4),
            Some(TxEvent::Terminated)
        );
    }

    #[test]
    fn non_invite_server_answers_until_timer_j() {
        let t0 = Instant::now();
        let mut tx = ServerNonInviteTx::completed(b"200".to_vec(), t0, false);
        assert_eq!(tx.last_response(), b"200");
        assert_eq!(tx.handle_timeout(t0 + 63 * T1), None);
        assert_eq!(tx.handle_timeout(t0 + 64 * T1), Some(TxEvent::Terminated));
    }
}
