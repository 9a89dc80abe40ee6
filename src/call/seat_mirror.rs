//! Writes the agents' seats through to the store (`agent_seats`) as the distributor
//! changes them, so that other processes see who is ready, ringing or talking. The
//! distributor hands over every seat after each change ([`SeatMirror::sync`]); only the
//! seats that differ from what was last sent are written, in order, by one writer task,
//! so the distributor never waits for the store. A failed write is logged and the next
//! change of that seat writes it again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::queues::center::AgentSnapshot;
use crate::queues::seat::{CallId, NotReadyReason, SeatState};
use crate::store::{SeatRecord, Store};

/// What was last sent per agent, and the SIP Call-IDs of the calls in the centre.
pub struct SeatMirror {
    sent: HashMap<String, SeatState>,
    call_ids: HashMap<CallId, String>,
    wrap_up: Duration,
    writes: mpsc::UnboundedSender<SeatRecord>,
}

impl SeatMirror {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store, wrap_up: Duration) -> SeatMirror {
        let (writes, mut pending) = mpsc::unbounded_channel::<SeatRecord>();
        tokio::spawn(async move {
            while let Some(seat) = pending.recv().await {
                if let Err(error) = store.save_seat(&seat).await {
                    let work_number = &seat.work_number;
                    tracing::warn!(%error, work_number, "agent's seat not written to the store");
                }
            }
        });
        SeatMirror {
            sent: HashMap::new(),
            call_ids: HashMap::new(),
            wrap_up,
            writes,
        }
    }

    /// A call joined: its SIP Call-ID, for the seats that ring or talk with it.
    pub fn joined(&mut self, call: CallId, sip_call_id: String) {
        self.call_ids.insert(call, sip_call_id);
    }

    /// A call has left the centre.
    pub fn left(&mut self, call: CallId) {
        self.call_ids.remove(&call);
    }

    /// Sends the seats that changed since the last time.
    pub fn sync(&mut self, agents: &[AgentSnapshot]) {
        let (now, wall) = (Instant::now(), Utc::now());
        for agent in agents {
            if self.sent.get(&agent.work_number) == Some(&agent.state) {
                continue;
            }
            let record = self.record(agent, now, wall);
            self.sent
                .insert(agent.work_number.clone(), agent.state.clone());
            let _ = self.writes.send(record);
        }
    }

    fn record(&self, agent: &AgentSnapshot, now: Instant, wall: DateTime<Utc>) -> SeatRecord {
        let at = |instant: Instant| {
            let ago = now.saturating_duration_since(instant);
            wall - chrono::Duration::from_std(ago).unwrap_or(chrono::Duration::zero())
        };
        let call_id = |call: &CallId| self.call_ids.get(call).cloned();
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
