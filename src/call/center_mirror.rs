//! Writes the centre through to the store as the distributor changes it: the agents'
//! seats (`agent_seats`) and the queues' callers (`queue_callers`), so that other
//! processes see who is ready, ringing or talking and who waits. The distributor hands
//! over every seat and caller after each change ([`CenterMirror::sync`]); only what
//! differs from what was last sent is written, in order, by one writer task, so the
//! distributor never waits for the store. A failed write is logged and the next change
//! of that seat or caller writes it again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::queues::center::{AgentSnapshot, CallerSnapshot};
use crate::queues::seat::{CallId, NotReadyReason, SeatState};
use crate::store::{QueueCallerRecord, SeatRecord, Store};

/// A call in the centre as the store knows it.
#[derive(Clone)]
struct Known {
    sip_call_id: String,
    caller: String,
}

/// One write to the store, in the order the distributor made the changes.
enum Write {
    Seat(SeatRecord),
    Caller(QueueCallerRecord),
    CallerGone(String),
}

/// What was last sent per agent and per caller, and the calls in the centre.
pub struct CenterMirror {
    sent_seats: HashMap<String, SeatState>,
    sent_callers: HashMap<CallId, (CallerSnapshot, String)>,
    calls: HashMap<CallId, Known>,
    wrap_up: Duration,
    writes: mpsc::UnboundedSender<Write>,
}

impl CenterMirror {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store, wrap_up: Duration) -> CenterMirror {
        let (writes, mut pending) = mpsc::unbounded_channel::<Write>();
        tokio::spawn(async move {
            while let Some(write) = pending.recv().await {
                let written = match &write {
                    Write::Seat(seat) => store.save_seat(seat).await,
                    Write::Caller(caller) => store.save_queue_caller(caller).await,
                    Write::CallerGone(call_id) => {
                        store.remove_queue_caller(call_id).await.map(drop)
                    }
                };
                if let Err(error) = written {
                    tracing::warn!(%error, "the centre's state not written to the store");
                }
            }
        });
        CenterMirror {
            sent_seats: HashMap::new(),
            sent_callers: HashMap::new(),
            calls: HashMap::new(),
            wrap_up,
            writes,
        }
    }

    /// A call joined: its SIP Call-ID and the caller's number.
    pub fn joined(&mut self, call: CallId, sip_call_id: String, caller: String) {
        let known = Known {
            sip_call_id,
            caller,
        };
        self.calls.insert(call, known);
    }

    /// A call has left the centre.
    pub fn left(&mut self, call: CallId) {
        self.calls.remove(&call);
    }

    /// Sends the seats and callers that changed since the last time, and the callers
    /// gone since.
    pub fn sync(&mut self, agents: &[AgentSnapshot], callers: &[CallerSnapshot]) {
        let (now, wall) = (Instant::now(), Utc::now());
        for agent in agents {
            if self.sent_seats.get(&agent.work_number) == Some(&agent.state) {
                continue;
            }
            let record = self.seat(agent, now, wall);
            (self.sent_seats).insert(agent.work_number.clone(), agent.state.clone());
            let _ = self.writes.send(Write::Seat(record));
        }
        let gone: Vec<CallId> = (self.sent_callers.keys())
            .filter(|call| !callers.iter().any(|c| c.call == **call))
            .copied()
            .collect();
        for call in gone {
            if let Some((_, sip_call_id)) = self.sent_callers.remove(&call) {
                let _ = self.writes.send(Write::CallerGone(sip_call_id));
            }
        }
        for caller in callers {
            let unchanged =
                (self.sent_callers.get(&caller.call)).is_some_and(|(sent, _)| sent == caller);
            let Some(known) = self.calls.get(&caller.call).filter(|_| !unchanged) else {
                continue;
            };
            let record = QueueCallerRecord {
                call_id: known.sip_call_id.clone(),
                queue: caller.queue.clone(),
                caller: known.caller.clone(),
                tier: caller.waiter.tier,
                entered_at: wall_clock(caller.waiter.entered, now, wall),
                requeued: caller.waiter.requeued,
                place: caller.place.map(|p| u32::try_from(p).unwrap_or(u32::MAX)),
                ringing: caller.ringing.clone(),
            };
            let sent = (caller.clone(), known.sip_call_id.clone());
            self.sent_callers.insert(caller.call, sent);
            let _ = self.writes.send(Write::Caller(record));
        }
    }

    fn seat(&self, agent: &AgentSnapshot, now: Instant, wall: DateTime<Utc>) -> SeatRecord {
        let at = |instant: Instant| wall_clock(instant, now, wall);
        let call_id = |call: &CallId| self.calls.get(call).map(|k| k.sip_call_id.clone());
        let (reason, call_id, since) = match &agent.state {
            SeatState::LoggedOut => (None, None, wall),
            SeatState::Ready { since } => (None, None, at(*since)),
            SeatState::NotReady { reason, since } => {
                let reason = match reason {
                    NotReadyReason::LoggedIn => "logged-in".to_string(),
                    NotReadyReason::NoAnswer => "no-answer".to_string(),
                    NotReadyReason::Chosen(reason) => reason.clone(),
                };
                (Some(reason), None, at(*since))
            }
            SeatState::Ringing { call, since, .. } | SeatState::Talking { call, since } => {
                (None, call_id(call), at(*since))
            }
            SeatState::WrapUp { call, until } => {
                let began = until.checked_sub(self.wrap_up).unwrap_or(*until);
                (None, call_id(call), at(began))
            }
        };
        SeatRecord {
            work_number: agent.work_number.clone(),
            state: agent.state.name(),
            reason,
            call_id,
            since,
        }
    }
}

/// `instant` on the wall clock, given that `now` is `wall`.
fn wall_clock(instant: Instant, now: Instant, wall: DateTime<Utc>) -> DateTime<Utc> {
    let ago = now.saturating_duration_since(instant);
    wall - chrono::Duration::from_std(ago).unwrap_or(chrono::Duration::zero())
}
