//! The record of one call as its task learns it (issue 7): the times, the path at the end
//! of the menu, the tickets from the desk's replies, the queue, the wait, the agent and
//! the talk time; at the end the outcome ([`crate::records::classify`]); and the
//! [`RecordWriter`] that takes the records to the store.
//!
//! Decisions:
//! - started is when the call task began (the INVITE's arrival), answered when the call
//!   was confirmed (the ACK of our 200 OK), ended when the task finished;
//! - the tickets are the serials of `Submitted::Created` and `Submitted::Urged` replies,
//!   and of an overdue fault the repair query urged; the desk "served" the caller when it
//!   answered a query (balance, card, order, repair) or stored a password;
//! - the wait runs from the menu's hand-over to the queue until an agent answers (or the
//!   call leaves the queue: abandoned, call-back kept, external ACD); the talk time from
//!   the bridge to the end, 0 for a call that ended while the agent's number was spoken;
//! - the queue is the one that took the call (a senior routing shows the senior queue);
//! - writing the record never delays the call: one writer task takes the records as
//!   calls end and writes whatever has gathered meanwhile in one transaction (at most
//!   [`BATCH`]), so a storm of short calls costs a transaction per batch, not per call;
//!   a store error is logged with the batch's call ids.

use std::time::Instant;

use chrono::{DateTime, Utc};

use tokio::sync::mpsc;

use super::task::CallSetup;
use crate::menu::{
    BalanceFound, CardRedeemed, OrderFound, PasswordSet, PathStep, RepairFound, Reply, Submitted,
};
use crate::metrics::CallOutcome;
use crate::records::{classify, CallFacts, CallRecord};
use crate::store::Store;

/// What the call task has learnt of its call so far.
pub(super) struct Recorder {
    call_id: String,
    caller: String,
    called: String,
    started_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    /// The version of the release the call was answered with.
    menu_version: Option<i64>,
    path: Vec<PathStep>,
    tickets: Vec<String>,
    served: bool,
    queue: Option<String>,
    handed_over: Option<Instant>,
    wait_ms: Option<i64>,
    agent: Option<String>,
    bridged: Option<Instant>,
}

impl Recorder {
    /// A call whose INVITE has just arrived.
    pub fn new(setup: &CallSetup) -> Self {
        Recorder {
            call_id: setup.call_id.clone(),
            caller: setup.caller.clone(),
            called: setup.called.clone(),
            started_at: Utc::now(),
            answered_at: None,
            menu_version: None,
            path: Vec::new(),
            tickets: Vec::new(),
            served: false,
            queue: None,
            handed_over: None,
            wait_ms: None,
            agent: None,
            bridged: None,
        }
    }

    /// The call is confirmed and served with the release of `menu_version`.
    pub fn answered(&mut self, menu_version: i64) {
        self.answered_at = Some(Utc::now());
        self.menu_version = Some(menu_version);
    }

    /// A reply of the desk: the tickets it made or urged, or a query answered.
    pub fn heard(&mut self, reply: &Reply) {
        match reply {
            Reply::Submitted(Submitted::Created { serial })
            | Reply::Submitted(Submitted::Urged {
                serial: Some(serial),
            }) => self.tickets.push(serial.clone()),
            Reply::Repair(RepairFound::Open(progress)) => {
                self.served = true;
                if progress.overdue {
                    self.tickets.push(progress.serial.clone());
                }
            }
            Reply::Balance(BalanceFound::Found { .. })
            | Reply::CardRedeemed(CardRedeemed::ToppedUp { .. })
            | Reply::Order(OrderFound::Found(_))
            | Reply::Repair(RepairFound::NoOpenFault)
            | Reply::PasswordSet(PasswordSet::Stored) => self.served = true,
            _ => {}
        }
    }

    /// The walk through the menu is over: its path.
    pub fn menu_ended(&mut self, path: &[PathStep]) {
        self.path = path.to_vec();
    }

    /// The menu handed the call to `queue`.
    pub fn handed_to_queue(&mut self, queue: &str) {
        self.queue = Some(queue.to_string());
        self.handed_over = Some(Instant::now());
    }

    /// The queue that took the call (a routing may pick another than the menu's).
    pub fn routed_to(&mut self, queue: &str) {
        self.queue = Some(queue.to_string());
    }

    /// The call leaves the queue: the wait ends now (if it has not already).
    pub fn left_queue(&mut self) {
        if self.wait_ms.is_none() {
            self.wait_ms = self.handed_over.map(|at| elapsed_ms(at, Instant::now()));
        }
    }

    /// `agent` answered: the wait ends.
    pub fn agent_answered(&mut self, agent: &str) {
        self.left_queue();
        self.agent = Some(agent.to_string());
    }

    /// The caller and the agent are bridged: the talk starts.
    pub fn bridged(&mut self) {
        self.bridged = Some(Instant::now());
    }

    /// The record of the call that ended as `ended`; `live_version` is the menu version
    /// in service now, for a call never answered.
    pub fn finish(mut self, ended: CallOutcome, live_version: i64) -> CallRecord {
        let now = Instant::now();
        self.left_queue();
        let talk_ms = match (self.bridged, &self.agent) {
            (Some(at), _) => Some(elapsed_ms(at, now)),
            (None, Some(_)) => Some(0),
            (None, None) => None,
        };
        let outcome = classify(&CallFacts {
            ended,
            touched_tickets: !self.tickets.is_empty(),
            served: self.served,
            queued: self.queue.is_some(),
            last_step: self.path.last(),
        });
        CallRecord {
            call_id: self.call_id,
            started_at: self.started_at,
            answered_at: self.answered_at,
            ended_at: Utc::now(),
            caller: self.caller,
            called: self.called,
            path: self.path.iter().map(ToString::to_string).collect(),
            outcome,
            tickets: self.tickets,
            queue: self.queue,
            wait_ms: self.wait_ms,
            agent: self.agent,
            talk_ms,
            menu_version: self.menu_version.unwrap_or(live_version),
        }
    }
}

/// Most records written in one transaction.
pub const BATCH: usize = 256;

/// The calls' records on their way to the store. Cheap to clone.
#[derive(Clone)]
pub struct RecordWriter {
    queue: mpsc::UnboundedSender<CallRecord>,
}

impl RecordWriter {
    /// Starts the writer task on the current runtime; it ends when every handle is gone.
    pub fn start(store: Store) -> RecordWriter {
        let (queue, mut records) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while records.recv_many(&mut batch, BATCH).await > 0 {
                if let Err(error) = store.insert_call_records(&batch).await {
                    let calls: Vec<&str> = batch.iter().map(|r| r.call_id.as_str()).collect();
                    tracing::error!(%error, ?calls, "call records not kept");
                }
                batch.clear();
            }
        });
        RecordWriter { queue }
    }

    /// Hands `record` to the writer.
    pub fn keep(&self, record: CallRecord) {
        if let Err(unsent) = self.queue.send(record) {
            tracing::error!(call_id = %unsent.0.call_id, "call record not kept: the writer has stopped");
        }
    }
}

fn elapsed_ms(from: Instant, to: Instant) -> i64 {
    i64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Key;
    use crate::menu::{Cents, RepairProgress, RepairStage};
    use crate::records::RecordOutcome;

    fn recorder() -> Recorder {
        Recorder::new(&CallSetup {
            caller: "05512345678".into(),
            called: "112".into(),
            offer: Vec::new(),
            signalling_from: ([127, 0, 0, 1], 5060).into(),
            call_id: "a@h".into(),
        })
    }

    fn repair(serial: &str, overdue: bool) -> Reply {
        Reply::Repair(RepairFound::Open(RepairProgress {
            serial: serial.into(),
            stage: RepairStage::Dispatched,
            due: chrono::NaiveDateTime::default(),
            overdue,
        }))
    }

    #[test]
    fn tickets_made_or_urged_are_kept_and_answered_queries_serve_the_caller() {
        let mut record = recorder();
        record.answered(4);
        let created = Submitted::Created { serial: "1".into() };
        record.heard(&Reply::Submitted(created));
        let urged = Submitted::Urged {
            serial: Some("2".into()),
        };
        record.heard(&Reply::Submitted(urged));
        record.heard(&Reply::Submitted(Submitted::Urged { serial: None }));
        record.heard(&repair("3", true));
        record.heard(&repair("4", false));
        record.menu_ended(&[PathStep::Menu("main".into())]);
        let record = record.finish(CallOutcome::HungUpByCaller, 9);
        assert_eq!(record.tickets, ["1", "2", "3"]);
        assert_eq!(record.outcome, RecordOutcome::TicketCreated);
        assert_eq!((record.menu_version, record.path.len()), (4, 1));
        assert!(record.answered_at.is_some());

        let mut served = recorder();
        served.answered(4);
        let balance = BalanceFound::Found {
            balance: Cents(100),
            charges: Cents(0),
        };
        served.heard(&Reply::Balance(balance));
        let wrong = PathStep::WrongKey(Key::from_char('7').unwrap());
        served.menu_ended(&[wrong]);
        let served = served.finish(CallOutcome::HungUpByMenu, 4);
        assert_eq!(served.outcome, RecordOutcome::SelfServed);
    }

    #[test]
    fn a_queued_call_has_its_queue_wait_agent_and_talk() {
        let mut record = recorder();
        record.answered(4);
        record.handed_to_queue("general");
        record.routed_to("senior");
        record.agent_answered("1001");
        let record = record.finish(CallOutcome::AnsweredByAgent, 4);
        assert_eq!(record.queue.as_deref(), Some("senior"));
        assert_eq!(record.agent.as_deref(), Some("1001"));
        assert!(record.wait_ms.is_some_and(|ms| ms >= 0));
        assert_eq!(record.talk_ms, Some(0), "ended before the bridge");

        let mut abandoned = recorder();
        abandoned.answered(4);
        abandoned.handed_to_queue("general");
        let abandoned = abandoned.finish(CallOutcome::Abandoned, 4);
        assert!(abandoned.wait_ms.is_some());
        assert_eq!((abandoned.agent, abandoned.talk_ms), (None, None));
    }

    #[test]
    fn a_call_never_answered_takes_the_live_menu_version() {
        let record = recorder().finish(CallOutcome::Rejected, 7);
        assert_eq!(record.outcome, RecordOutcome::Rejected);
        assert_eq!((record.answered_at, record.menu_version), (None, 7));
        assert!(record.path.is_empty() && record.queue.is_none() && record.wait_ms.is_none());
    }
}
