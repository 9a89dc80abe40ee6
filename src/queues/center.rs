//! The call centre at one moment: every queue's waiting callers, every agent's seat, the
//! callers whose agent's phone is ringing and the calls being talked, moved by the call
//! tasks, the agents' buttons and the clock. It decides who is offered to whom
//! ([`super::dispatch`]), when a ring times out, when a caller has waited too long, and
//! counts each queue's service level. Pure: time is an argument, and what the shell must
//! tell a call comes back as [`Notice`]s.
//!
//! Decisions the spec is silent on:
//! - a caller is refused at the door (`NoAgents`) when no agent who could serve the queue
//!   is logged in at all: waiting for nobody helps no one, while agents who are merely
//!   busy, not ready or in wrap-up will come back;
//! - a ring that fails (the phone refused, or has no registration) counts like a ring
//!   timeout: the agent goes not ready ("no answer") and the caller goes back to the head
//!   of their queue, keeping their original arrival time;
//! - the maximum wait counts from the first arrival and stops while an agent's phone rings
//!   for the caller (a caller is never taken away from a ringing phone);
//! - a caller who hangs up while waiting, or while the phone rings, is abandoned for the
//!   service level with their waiting time until then; an answered caller counts with the
//!   time from arrival to the agent's answer.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::dispatch::{offers_to_make, AgentView, QueueView};
use super::seat::{CallId, Seat, SeatError, SeatState, SeatTimeout};
use super::service_level::{Figures, ServiceLevel};
use super::waiting::{EnqueueError, Waiter, WaitingLine};
use crate::tickets::model::Tier;

/// The centre's timings.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub ring_timeout: Duration,
    pub wrap_up: Duration,
    pub starvation_bound: Duration,
    pub service_level_threshold: Duration,
}

/// One queue as configured.
#[derive(Clone, Debug)]
pub struct QueueSetup {
    pub name: String,
    pub skills: Vec<String>,
    pub max_waiting: usize,
    pub max_wait: Duration,
}

/// Why a caller could not join a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("there is no such queue")]
    UnknownQueue,
    #[error("no agent who serves the queue is logged in")]
    NoAgents,
    #[error("the queue is full")]
    Full,
}

/// Something a call's task must act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Ring this agent's phone for the call.
    Offer { call: CallId, agent: String },
    /// The agent did not answer in time: stop ringing; the caller waits again.
    RingTimeout { call: CallId },
    /// The caller has waited the queue's maximum: they are out of the queue.
    MaxWait { call: CallId },
}

/// What an agent asks from the console or the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentCommand {
    LogIn,
    Ready,
    NotReady(String),
    LogOut,
}

/// One agent's seat and skills.
#[derive(Debug)]
struct Agent {
    skills: Vec<String>,
    seat: Seat,
}

#[derive(Debug)]
struct Queue {
    setup: QueueSetup,
    line: WaitingLine,
    service: ServiceLevel,
}

/// A caller offered to an agent whose phone rings.
#[derive(Clone, Debug)]
struct Ringing {
    waiter: Waiter,
    queue: usize,
    agent: String,
}

/// One queue as the supervisor sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSnapshot {
    pub name: String,
    pub waiting: usize,
    pub longest_wait: Option<Duration>,
    pub figures: Figures,
}

/// One caller in the centre: waiting in a queue, or offered to an agent whose phone rings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerSnapshot {
    pub call: CallId,
    pub queue: String,
    pub waiter: Waiter,
    /// 1-based place in the queue; None while an agent's phone rings.
    pub place: Option<usize>,
    /// The agent whose phone rings.
    pub ringing: Option<String>,
}

/// One agent as the supervisor sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSnapshot {
    pub work_number: String,
    pub skills: Vec<String>,
    pub state: SeatState,
}

/// The whole centre. See the module docs.
#[derive(Debug)]
pub struct Center {
    timing: Timing,
    queues: Vec<Queue>,
    agents: BTreeMap<String, Agent>,
    ringing: HashMap<CallId, Ringing>,
    /// Answered calls: their agent.
    talking: HashMap<CallId, String>,
}

impl Center {
    pub fn new(timing: Timing, queues: impl IntoIterator<Item = QueueSetup>) -> Center {
        let queues = queues
            .into_iter()
            .map(|setup| Queue {
                line: WaitingLine::new(setup.max_waiting, timing.starvation_bound),
                service: ServiceLevel::new(timing.service_level_threshold),
                setup,
            })
            .collect();
        Center {
            timing,
            queues,
            agents: BTreeMap::new(),
            ringing: HashMap::new(),
            talking: HashMap::new(),
        }
    }

    /// A caller asks to wait in `queue`.
    pub fn join(
        &mut self,
        call: CallId,
        queue: &str,
        tier: Tier,
        now: Instant,
    ) -> Result<(), Refusal> {
        let index = self.queue_index(queue).ok_or(Refusal::UnknownQueue)?;
        let skills = &self.queues[index].setup.skills;
        let anyone = self.agents.values().any(|agent| {
            !matches!(agent.seat.state(), SeatState::LoggedOut) && serves(&agent.skills, skills)
        });
        if !anyone {
            return Err(Refusal::NoAgents);
        }
        let queue = &mut self.queues[index];
        match queue.line.enqueue(call, tier, now) {
            Ok(()) => {
                queue.service.offered();
                Ok(())
            }
            Err(EnqueueError::Full { .. }) => Err(Refusal::Full),
            // The call is already waiting: joining again changes nothing.
            Err(EnqueueError::AlreadyWaiting(_)) => Ok(()),
        }
    }

    /// The caller hung up (or left to keep a call-back request) before any agent
    /// answered: out of the queue, abandoned; a ringing phone is released.
    pub fn leave(&mut self, call: CallId, now: Instant) {
        if let Some(ringing) = self.ringing.remove(&call) {
            let waited = ringing.waiter.waited(now);
            self.queues[ringing.queue].service.abandoned(waited);
            if let Some(agent) = self.agents.get_mut(&ringing.agent) {
                let _ = agent.seat.hung_up(call, now, self.timing.wrap_up);
            }
            return;
        }
        for queue in &mut self.queues {
            if let Some(waited) = queue.line.remove(call, now) {
                queue.service.abandoned(waited);
                return;
            }
        }
    }

    /// Where the caller stands in their queue, 1-based (1: next); None when not waiting.
    pub fn position(&self, call: CallId, now: Instant) -> Option<usize> {
        (self.queues.iter()).find_map(|queue| queue.line.position(call, now))
    }

    /// The agent answered the call: talking; the caller's wait is over.
    pub fn answered(&mut self, call: CallId, now: Instant) -> Result<(), SeatError> {
        let Some(ringing) = self.ringing.get(&call) else {
            return Ok(());
        };
        let agent = self.agents.get_mut(&ringing.agent);
        if let Some(agent) = agent {
            agent.seat.answered(call, now)?;
        }
        let ringing = self.ringing.remove(&call).expect("looked up above");
        let waited = ringing.waiter.waited(now);
        self.queues[ringing.queue].service.answered(waited);
        self.talking.insert(call, ringing.agent);
        Ok(())
    }

    /// The agent's phone refused the call or could not be called: the agent goes not
    /// ready and the caller back to the head of the queue.
    pub fn ring_failed(&mut self, call: CallId, now: Instant) {
        let Some(ringing) = self.ringing.remove(&call) else {
            return;
        };
        if let Some(agent) = self.agents.get_mut(&ringing.agent) {
            let _ = agent.seat.not_answered(call, now);
        }
        let _ = self.queues[ringing.queue].line.requeue(ringing.waiter);
    }

    /// A talked call ended (either side hung up): the agent goes to wrap-up.
    pub fn ended(&mut self, call: CallId, now: Instant) {
        if let Some(work_number) = self.talking.remove(&call) {
            if let Some(agent) = self.agents.get_mut(&work_number) {
                let _ = agent.seat.hung_up(call, now, self.timing.wrap_up);
            }
        }
    }

    /// An agent's button. `skills` are the agent's as stored (they replace what was
    /// known, so a changed agent is served by their new skills from their next press).
    pub fn agent(
        &mut self,
        work_number: &str,
        skills: Vec<String>,
        command: AgentCommand,
        now: Instant,
    ) -> Result<SeatState, SeatError> {
        let agent = (self.agents)
            .entry(work_number.to_string())
            .or_insert_with(|| Agent {
                skills: Vec::new(),
                seat: Seat::default(),
            });
        agent.skills = skills;
        let seat = &mut agent.seat;
        match command {
            AgentCommand::LogIn => seat.log_in(now)?,
            AgentCommand::Ready => {
                if matches!(seat.state(), SeatState::LoggedOut) {
                    seat.log_in(now)?;
                }
                seat.ready(now)?;
            }
            AgentCommand::NotReady(reason) => {
                if matches!(seat.state(), SeatState::LoggedOut) {
                    seat.log_in(now)?;
                }
                seat.not_ready(reason, now)?;
            }
            AgentCommand::LogOut => seat.log_out()?,
        }
        Ok(seat.state().clone())
    }

    /// The agent's seat, if they have pressed any button since the server started.
    pub fn seat(&self, work_number: &str) -> Option<&SeatState> {
        self.agents.get(work_number).map(|agent| agent.seat.state())
    }

    /// Makes the offers due now: each taken caller leaves their queue and rings their agent.
    pub fn dispatch(&mut self, now: Instant) -> Vec<Notice> {
        let offers: Vec<(usize, CallId, String)> = {
            let queues: Vec<QueueView<'_>> = (self.queues.iter())
                .map(|queue| QueueView {
                    name: &queue.setup.name,
                    skills: &queue.setup.skills,
                    waiting: &queue.line,
                })
                .collect();
            let agents: Vec<AgentView<'_>> = (self.agents.iter())
                .map(|(work_number, agent)| AgentView {
                    work_number,
                    skills: &agent.skills,
                    seat: &agent.seat,
                })
                .collect();
            offers_to_make(&queues, &agents, now)
                .into_iter()
                .filter_map(|offer| {
                    let index = self.queue_index(offer.queue)?;
                    Some((index, offer.call, offer.agent.to_string()))
                })
                .collect()
        };
        let mut notices = Vec::new();
        for (queue, call, work_number) in offers {
            let Some(agent) = self.agents.get_mut(&work_number) else {
                continue;
            };
            if agent
                .seat
                .offer(call, now, self.timing.ring_timeout)
                .is_err()
            {
                continue;
            }
            let Some(waiter) = self.queues[queue].line.take(call) else {
                continue;
            };
            self.ringing.insert(
                call,
                Ringing {
                    waiter,
                    queue,
                    agent: work_number.clone(),
                },
            );
            notices.push(Notice::Offer {
                call,
                agent: work_number,
            });
        }
        notices
    }

    /// The next moment something is due: a ring timeout, the end of a wrap-up, a
    /// caller's maximum wait.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let seats = self.agents.values().filter_map(|a| a.seat.poll_timeout());
        let waits = self.queues.iter().filter_map(|queue| {
            let oldest = queue.line.earliest_arrival()?;
            Some(oldest + queue.setup.max_wait)
        });
        seats.chain(waits).min()
    }

    /// Applies what is due at `now`: ring timeouts (caller back to the head of the
    /// queue), ends of wrap-up, callers past their queue's maximum wait.
    pub fn on_timeout(&mut self, now: Instant) -> Vec<Notice> {
        let mut notices = Vec::new();
        for agent in self.agents.values_mut() {
            if let Some(SeatTimeout::RingNotAnswered { call }) = agent.seat.on_timeout(now) {
                if let Some(ringing) = self.ringing.remove(&call) {
                    let _ = self.queues[ringing.queue].line.requeue(ringing.waiter);
                }
                notices.push(Notice::RingTimeout { call });
            }
        }
        for queue in &mut self.queues {
            for call in queue.line.expired(now, queue.setup.max_wait) {
                if let Some(waited) = queue.line.remove(call, now) {
                    queue.service.abandoned(waited);
                }
                notices.push(Notice::MaxWait { call });
            }
        }
        notices
    }

    /// Every queue, in configuration order.
    pub fn queues(&self, now: Instant) -> Vec<QueueSnapshot> {
        (self.queues.iter())
            .map(|queue| QueueSnapshot {
                name: queue.setup.name.clone(),
                waiting: queue.line.len(),
                longest_wait: queue.line.longest_wait(now),
                figures: queue.service.figures(),
            })
            .collect()
    }

    /// Every caller waiting (queue by queue, in order) or ringing an agent.
    pub fn callers(&self, now: Instant) -> Vec<CallerSnapshot> {
        let waiting = self.queues.iter().flat_map(|queue| {
            let in_order = queue.line.in_order(now);
            (in_order.into_iter().enumerate()).map(move |(index, (_, waiter))| CallerSnapshot {
                call: waiter.call,
                queue: queue.setup.name.clone(),
                waiter: *waiter,
                place: Some(index + 1),
                ringing: None,
            })
        });
        let ringing = self.ringing.iter().map(|(call, ringing)| CallerSnapshot {
            call: *call,
            queue: self.queues[ringing.queue].setup.name.clone(),
            waiter: ringing.waiter,
            place: None,
            ringing: Some(ringing.agent.clone()),
        });
        waiting.chain(ringing).collect()
    }

    /// Every agent who has pressed a button since the server started, by work number.
    pub fn agents(&self) -> Vec<AgentSnapshot> {
        (self.agents.iter())
            .map(|(work_number, agent)| AgentSnapshot {
                work_number: work_number.clone(),
                skills: agent.skills.clone(),
                state: agent.seat.state().clone(),
            })
            .collect()
    }

    fn queue_index(&self, name: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.setup.name == name)
    }
}

/// Whether an agent with `skills` serves a queue served by `wanted`.
fn serves(skills: &[String], wanted: &[String]) -> bool {
    skills.iter().any(|skill| wanted.contains(skill))
}
