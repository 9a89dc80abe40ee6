//! The call distributor: one task that owns the centre ([`crate::queues::center`]) —
//! every queue, every agent's seat — and serves the call tasks and the agents' API
//! through a [`Distributor`] handle. Each change is followed by a dispatch, and the
//! task wakes for the centre's next deadline (ring timeouts, wrap-ups, maximum waits);
//! what a call must do is sent to that call's own channel as a [`Notice`].
//!
//! Decisions: the centre lives in this server's memory (one server serves the queues;
//! the store keeps the agents, their phones and the call-back requests, and each seat
//! and queued caller is written through to it by [`CenterMirror`]); a call whose task
//! has gone (its channel closed) is taken out of the centre as abandoned.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::center_mirror::CenterMirror;
use crate::queues::center::{
    AgentCommand, AgentSnapshot, Center, Notice, QueueSetup, QueueSnapshot, Refusal, Timing,
};
use crate::queues::config::QueueConfig;
use crate::queues::seat::{CallId, SeatError, SeatState};
use crate::store::Store;
use crate::tickets::model::Tier;

/// What the task is asked.
enum Request {
    Join {
        call: CallId,
        sip_call_id: String,
        caller: String,
        queue: String,
        tier: Tier,
        notices: mpsc::UnboundedSender<Notice>,
        reply: oneshot::Sender<Result<(), Refusal>>,
    },
    Leave(CallId),
    Position(CallId, oneshot::Sender<Option<usize>>),
    Answered(CallId),
    RingFailed(CallId),
    Ended(CallId),
    Agent {
        work_number: String,
        skills: Vec<String>,
        command: AgentCommand,
        reply: oneshot::Sender<Result<SeatState, SeatError>>,
    },
    Snapshot(oneshot::Sender<(Vec<QueueSnapshot>, Vec<AgentSnapshot>)>),
}

/// The handle the call tasks and the API use; cheap to clone.
#[derive(Clone)]
pub struct Distributor {
    requests: mpsc::UnboundedSender<Request>,
}

/// The distributor task has stopped (the server is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the call distributor has stopped")]
pub struct Stopped;

impl Distributor {
    /// Starts the task on the current tokio runtime, with the queues of `config`; the
    /// seats are written through to `store`.
    pub fn start(config: &QueueConfig, store: Store) -> Distributor {
        let timing = Timing {
            ring_timeout: config.ring_timeout,
            wrap_up: config.wrap_up,
            starvation_bound: config.starvation_bound,
            service_level_threshold: config.service_level_threshold,
        };
        let queues = (config.queues.iter()).map(|spec| QueueSetup {
            name: spec.name.clone(),
            skills: spec.skills.clone(),
            max_waiting: spec.max_waiting,
            max_wait: spec.max_wait,
        });
        let (requests, received) = mpsc::unbounded_channel();
        let mirror = CenterMirror::start(store, config.wrap_up);
        tokio::spawn(run(Center::new(timing, queues), mirror, received));
        Distributor { requests }
    }

    /// The call joins `queue`; its notices come on the returned channel.
    pub async fn join(
        &self,
        call: CallId,
        sip_call_id: &str,
        caller: &str,
        queue: &str,
        tier: Tier,
    ) -> Result<Result<mpsc::UnboundedReceiver<Notice>, Refusal>, Stopped> {
        let (notices, received) = mpsc::unbounded_channel();
        let (reply, answer) = oneshot::channel();
        self.send(Request::Join {
            call,
            sip_call_id: sip_call_id.to_string(),
            caller: caller.to_string(),
            queue: queue.to_string(),
            tier,
            notices,
            reply,
        });
        let joined = answer.await.map_err(|_| Stopped)?;
        Ok(joined.map(|()| received))
    }

    /// The caller left before an agent answered (hung up, or kept a call-back request).
    pub fn leave(&self, call: CallId) {
        self.send(Request::Leave(call));
    }

    /// The caller's 1-based place in their queue; None when not waiting.
    pub async fn position(&self, call: CallId) -> Option<usize> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Position(call, reply));
        answer.await.ok().flatten()
    }

    /// The offered agent answered.
    pub fn answered(&self, call: CallId) {
        self.send(Request::Answered(call));
    }

    /// The offered agent's phone refused the call or could not be called.
    pub fn ring_failed(&self, call: CallId) {
        self.send(Request::RingFailed(call));
    }

    /// The talk with the agent ended.
    pub fn ended(&self, call: CallId) {
        self.send(Request::Ended(call));
    }

    /// An agent's button (see [`Center::agent`]).
    pub async fn agent(
        &self,
        work_number: &str,
        skills: Vec<String>,
        command: AgentCommand,
    ) -> Result<Result<SeatState, SeatError>, Stopped> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Agent {
            work_number: work_number.to_string(),
            skills,
            command,
            reply,
        });
        answer.await.map_err(|_| Stopped)
    }

    /// Every queue and every agent now.
    pub async fn snapshot(&self) -> Result<(Vec<QueueSnapshot>, Vec<AgentSnapshot>), Stopped> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Snapshot(reply));
        answer.await.map_err(|_| Stopped)
    }

    fn send(&self, request: Request) {
        // Fails only when the task has stopped, which the replies report.
        let _ = self.requests.send(request);
    }
}

/// The task: requests and deadlines in, notices out.
async fn run(
    mut center: Center,
    mut mirror: CenterMirror,
    mut requests: mpsc::UnboundedReceiver<Request>,
) {
    let mut calls: HashMap<CallId, mpsc::UnboundedSender<Notice>> = HashMap::new();
    loop {
        let due = center
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        let notices = tokio::select! {
            request = requests.recv() => {
                let Some(request) = request else { return };
                handle(&mut center, &mut calls, &mut mirror, request);
                Vec::new()
            }
            () = tokio::time::sleep_until(due.into()) => center.on_timeout(Instant::now()),
        };
        let mut due_now: Vec<Notice> = notices;
        due_now.extend(center.dispatch(Instant::now()));
        // An offer to a call that has gone frees its agent for the next caller at once.
        while !due_now.is_empty() {
            let mut lost = false;
            for notice in std::mem::take(&mut due_now) {
                // Every notice is delivered, whatever happened to the ones before.
                lost |= !deliver(&mut center, &mut calls, notice);
            }
            if lost {
                due_now = center.dispatch(Instant::now());
            }
        }
        mirror.sync(&center.agents(), &center.callers(Instant::now()));
    }
}

fn handle(
    center: &mut Center,
    calls: &mut HashMap<CallId, mpsc::UnboundedSender<Notice>>,
    mirror: &mut CenterMirror,
    request: Request,
) {
    let now = Instant::now();
    match request {
        Request::Join {
            call,
            sip_call_id,
            caller,
            queue,
            tier,
            notices,
            reply,
        } => {
            let joined = center.join(call, &queue, tier, now);
            if joined.is_ok() {
                calls.insert(call, notices);
                mirror.joined(call, sip_call_id, caller);
            }
            let _ = reply.send(joined);
        }
        Request::Leave(call) => {
            center.leave(call, now);
            calls.remove(&call);
            mirror.left(call);
        }
        Request::Position(call, reply) => {
            let _ = reply.send(center.position(call, now));
        }
        Request::Answered(call) => {
            if let Err(error) = center.answered(call, now) {
                tracing::warn!(%call, %error, "answer not applied to the agent's seat");
            }
        }
        Request::RingFailed(call) => center.ring_failed(call, now),
        Request::Ended(call) => {
            center.ended(call, now);
            calls.remove(&call);
            mirror.left(call);
        }
        Request::Agent {
            work_number,
            skills,
            command,
            reply,
        } => {
            let _ = reply.send(center.agent(&work_number, skills, command, now));
        }
        Request::Snapshot(reply) => {
            let _ = reply.send((center.queues(now), center.agents()));
        }
    }
}

/// Sends a notice to its call; a call whose task is gone is taken out as abandoned
/// (false).
fn deliver(
    center: &mut Center,
    calls: &mut HashMap<CallId, mpsc::UnboundedSender<Notice>>,
    notice: Notice,
) -> bool {
    let call = match &notice {
        Notice::Offer { call, .. } | Notice::RingTimeout { call } | Notice::MaxWait { call } => {
            *call
        }
    };
    let delivered = calls.get(&call).is_some_and(|to| to.send(notice).is_ok());
    if !delivered {
        tracing::warn!(%call, "notice for a call that has gone; taken out of the queues");
        calls.remove(&call);
        center.leave(call, Instant::now());
    }
    delivered
}
