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
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::center_mirror::CenterMirror;
use crate::metrics::Metrics;
use crate::queues::center::{
    AgentCommand, AgentSnapshot, Center, Notice, QueueSetup, QueueSnapshot, Refusal, Timing,
};
use crate::queues::config::QueueConfig;
use crate::queues::seat::{CallId, SeatError, SeatState, SeatStateName};
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
    pub fn start(config: &QueueConfig, store: Store, metrics: Arc<Metrics>) -> Distributor {
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
        let centre = Centre {
            center: Center::new(timing, queues),
            calls: HashMap::new(),
            mirror,
            metrics,
        };
        tokio::spawn(run(centre, received));
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

/// What the task owns: the centre, each queued call's channel and where and since when
/// it waits, the store mirror and the metrics.
struct Centre {
    center: Center,
    calls: HashMap<CallId, Queued>,
    mirror: CenterMirror,
    metrics: Arc<Metrics>,
}

/// A call in the centre: its notices, and its queue and arrival (for the wait metrics).
struct Queued {
    notices: mpsc::UnboundedSender<Notice>,
    queue: String,
    joined: Instant,
}

/// The task: requests and deadlines in, notices out.
async fn run(mut centre: Centre, mut requests: mpsc::UnboundedReceiver<Request>) {
    loop {
        let due = (centre.center.poll_timeout())
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        let notices = tokio::select! {
            request = requests.recv() => {
                let Some(request) = request else { return };
                centre.handle(request);
                Vec::new()
            }
            () = tokio::time::sleep_until(due.into()) => centre.center.on_timeout(Instant::now()),
        };
        let mut due_now: Vec<Notice> = notices;
        due_now.extend(centre.center.dispatch(Instant::now()));
        // An offer to a call that has gone frees its agent for the next caller at once.
        while !due_now.is_empty() {
            let mut lost = false;
            for notice in std::mem::take(&mut due_now) {
                // Every notice is delivered, whatever happened to the ones before.
                lost |= !centre.deliver(notice);
            }
            if lost {
                due_now = centre.center.dispatch(Instant::now());
            }
        }
        centre.publish();
    }
}

impl Centre {
    fn handle(&mut self, request: Request) {
        let now = Instant::now();
        let center = &mut self.center;
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
                    let queued = Queued {
                        notices,
                        queue,
                        joined: now,
                    };
                    self.calls.insert(call, queued);
                    self.mirror.joined(call, sip_call_id, caller);
                }
                let _ = reply.send(joined);
            }
            Request::Leave(call) => {
                center.leave(call, now);
                self.gone(call, false);
            }
            Request::Position(call, reply) => {
                let _ = reply.send(center.position(call, now));
            }
            Request::Answered(call) => {
                if let Err(error) = center.answered(call, now) {
                    tracing::warn!(%call, %error, "answer not applied to the agent's seat");
                }
                if let Some(queued) = self.calls.get(&call) {
                    let waited = now.duration_since(queued.joined);
                    self.metrics.queue_wait_ended(&queued.queue, true, waited);
                }
            }
            Request::RingFailed(call) => center.ring_failed(call, now),
            Request::Ended(call) => {
                center.ended(call, now);
                // The wait was counted when the agent answered.
                self.calls.remove(&call);
                self.mirror.left(call);
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

    /// A call left the centre before an agent answered it (`answered` false) or after.
    fn gone(&mut self, call: CallId, answered: bool) {
        if let Some(queued) = self.calls.remove(&call) {
            if !answered {
                let waited = queued.joined.elapsed();
                self.metrics.queue_wait_ended(&queued.queue, false, waited);
            }
        }
        self.mirror.left(call);
    }

    /// Writes the centre through to the store and sets the queue and agent gauges.
    fn publish(&mut self) {
        let now = Instant::now();
        let agents = self.center.agents();
        self.mirror.sync(&agents, &self.center.callers(now));
        let queues = self.center.queues(now);
        self.metrics.queues_now(queues.iter().map(|queue| {
            let longest = queue.longest_wait.unwrap_or_default();
            (queue.name.as_str(), queue.waiting, longest)
        }));
        self.metrics
            .agents_now(SeatStateName::ALL.iter().map(|state| {
                let count = agents
                    .iter()
                    .filter(|agent| agent.state.name() == *state)
                    .count();
                (state.as_str(), count)
            }));
    }

    /// Sends a notice to its call; a call whose task is gone is taken out as abandoned
    /// (false).
    fn deliver(&mut self, notice: Notice) -> bool {
        let call = match &notice {
            Notice::Offer { call, .. }
            | Notice::RingTimeout { call }
            | Notice::MaxWait { call } => *call,
        };
        let delivered = (self.calls.get(&call)).is_some_and(|to| to.notices.send(notice).is_ok());
        if !delivered {
            tracing::warn!(%call, "notice for a call that has gone; taken out of the queues");
            self.center.leave(call, Instant::now());
            self.gone(call, false);
        }
        delivered
    }
}
