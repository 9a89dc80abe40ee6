//! Which ready agent is offered which waiting caller now. A queue is served by the agents
//! having one of its skills; among them the one ready the longest takes the call.
//!
//! Decisions:
//! - skills are plain strings from the configuration (`ordinary`, `senior`, `supervisor`,
//!   `directory` …): a centre adds one by naming it on a queue and on its agents, with no
//!   code change; a skill named on one side only simply matches nobody;
//! - the callers of all queues are served in one order, most urgent first, by their
//!   [`Precedence`](super::waiting::Precedence) (re-queued, starving, tier, waiting
//!   time); equal precedence goes to the queue listed first, then to arrival;
//! - each caller in that order takes the longest-ready agent who serves their queue; a
//!   caller nobody can serve is passed over, so callers of other queues still get
//!   agents with other skills. An agent with several skills may thereby take a general
//!   caller that only they could have served in another queue: the order of callers,
//!   not a search for the best matching, decides, which keeps it predictable;
//! - this only plans: the shell takes each offered caller out of their queue
//!   ([`WaitingLine::take`]), offers the call to the seat ([`Seat::offer`]) and keeps the
//!   taken waiter while the phone rings, to hand it back ([`WaitingLine::requeue`]) if
//!   the ring times out.

use std::time::Instant;

use super::seat::{CallId, Seat};
use super::waiting::WaitingLine;

/// One queue as the dispatcher sees it.
#[derive(Clone, Copy, Debug)]
pub struct QueueView<'a> {
    pub name: &'a str,
    /// The skills that serve this queue: an agent needs one of them.
    pub skills: &'a [String],
    pub waiting: &'a WaitingLine,
}

/// One agent as the dispatcher sees it.
#[derive(Clone, Copy, Debug)]
pub struct AgentView<'a> {
    /// The agent's work number (工号).
    pub work_number: &'a str,
    pub skills: &'a [String],
    pub seat: &'a Seat,
}

/// Offer `call`, waiting in `queue`, to the agent `agent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer<'a> {
    pub queue: &'a str,
    pub call: CallId,
    pub agent: &'a str,
}

/// The offers to make now: at most one per ready agent, callers most urgent first.
pub fn offers_to_make<'a>(
    queues: &[QueueView<'a>],
    agents: &[AgentView<'a>],
    now: Instant,
) -> Vec<Offer<'a>> {
    let mut callers: Vec<_> = queues
        .iter()
        .flat_map(|queue| {
            queue
                .waiting
                .in_order(now)
                .into_iter()
                .map(move |(precedence, waiter)| (precedence, queue, waiter.call))
        })
        .collect();
    callers.sort_by_key(|(precedence, ..)| *precedence); // stable: queue order breaks ties

    let mut ready: Vec<_> = agents
        .iter()
        .filter_map(|agent| agent.seat.ready_since().map(|since| (since, agent)))
        .collect();
    ready.sort_by_key(|(since, _)| *since);

    let mut offers = Vec::new();
    for (_, queue, call) in callers {
        if ready.is_empty() {
            break;
        }
        if let Some(index) = ready.iter().position(|(_, agent)| serves(agent, queue)) {
            let (_, agent) = ready.remove(index);
            offers.push(Offer {
                queue: queue.name,
                call,
                agent: agent.work_number,
            });
        }
    }
    offers
}

fn serves(agent: &AgentView, queue: &QueueView) -> bool {
    queue
        .skills
        .iter()
        .any(|skill| agent.skills.contains(skill))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::tickets::model::Tier;

    const STARVATION: Duration = Duration::from_secs(60);

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn skills(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    fn ready_since(since: Instant) -> Seat {
        let mut seat = Seat::default();
        seat.log_in(since).unwrap();
        seat.ready(since).unwrap();
        seat
    }

    fn waiting(callers: &[(u64, Tier, Instant)]) -> WaitingLine {
        let mut line = WaitingLine::new(10, STARVATION);
        for &(call, tier, entered) in callers {
            line.enqueue(CallId(call), tier, entered).unwrap();
        }
        line
    }

    fn offer<'a>(queue: &'a str, call: u64, agent: &'a str) -> Offer<'a> {
        Offer {
            queue,
            call: CallId(call),
            agent,
        }
    }

    #[test]
    fn the_longest_ready_agent_with_the_skill_gets_the_call() {
        let t0 = Instant::now();
        let general = skills(&["ordinary"]);
        let line = waiting(&[(1, Tier::Ordinary, t0 + secs(30))]);
        let queues = [QueueView {
            name: "general",
            skills: &general,
            waiting: &line,
        }];
        let (recent, longest) = (ready_since(t0 + secs(20)), ready_since(t0 + secs(10)));
        let agents = [
            AgentView {
                work_number: "1002",
                skills: &general,
                seat: &recent,
            },
            AgentView {
                work_number: "1001",
                skills: &general,
                seat: &longest,
            },
        ];
        assert_eq!(
            offers_to_make(&queues, &agents, t0 + secs(31)),
            [offer("general", 1, "1001")]
        );
    }

    #[test]
    fn an_agent_without_the_skill_does_not_get_the_call() {
        let t0 = Instant::now();
        let (senior, directory) = (skills(&["senior"]), skills(&["directory"]));
        let line = waiting(&[(1, Tier::Diamond, t0)]);
        let queues = [QueueView {
            name: "senior",
            skills: &senior,
            waiting: &line,
        }];
        let seat = ready_since(t0);
        let agents = [AgentView {
            work_number: "2001",
            skills: &directory,
            seat: &seat,
        }];
        assert_eq!(offers_to_make(&queues, &agents, t0 + secs(1)), []);
    }

    #[test]
    fn agents_who_are_not_ready_are_not_offered_calls() {
        let t0 = Instant::now();
        let general = skills(&["ordinary"]);
        let line = waiting(&[(1, Tier::Ordinary, t0)]);
        let queues = [QueueView {
            name: "general",
            skills: &general,
            waiting: &line,
        }];
        let mut talking = ready_since(t0);
        talking.offer(CallId(9), t0, secs(20)).unwrap();
        let mut logged_in = Seat::default();
        logged_in.log_in(t0).unwrap();
        let agents = [
            AgentView {
                work_number: "1001",
                skills: &general,
                seat: &talking,
            },
            AgentView {
                work_number: "1002",
                skills: &general,
                seat: &logged_in,
            },
        ];
        assert_eq!(offers_to_make(&queues, &agents, t0 + secs(1)), []);
    }

    #[test]
    fn each_ready_agent_takes_one_caller_in_the_queues_order() {
        let t0 = Instant::now();
        let general = skills(&["ordinary"]);
        let line = waiting(&[
            (1, Tier::Ordinary, t0),
            (2, Tier::Gold, t0 + secs(1)),
            (3, Tier::Ordinary, t0 + secs(2)),
        ]);
        let queues = [QueueView {
            name: "general",
            skills: &general,
            waiting: &line,
        }];
        let (first, second) = (ready_since(t0), ready_since(t0 + secs(1)));
        let agents = [
            AgentView {
                work_number: "1002",
                skills: &general,
                seat: &second,
            },
            AgentView {
                work_number: "1001",
                skills: &general,
                seat: &first,
            },
        ];
        assert_eq!(
            offers_to_make(&queues, &agents, t0 + secs(3)),
            [offer("general", 2, "1001"), offer("general", 1, "1002")]
        );
    }

    #[test]
    fn the_most_urgent_caller_of_all_queues_is_served_first() {
        let t0 = Instant::now();
        let (general, senior) = (skills(&["ordinary"]), skills(&["senior"]));
        let both = skills(&["ordinary", "senior"]);
        let general_line = waiting(&[(1, Tier::Ordinary, t0)]);
        let senior_line = waiting(&[(2, Tier::Diamond, t0 + secs(5))]);
        let queues = [
            QueueView {
                name: "general",
                skills: &general,
                waiting: &general_line,
            },
            QueueView {
                name: "senior",
                skills: &senior,
                waiting: &senior_line,
            },
        ];
        let seat = ready_since(t0);
        let agents = [AgentView {
            work_number: "3001",
            skills: &both,
            seat: &seat,
        }];
        assert_eq!(
            offers_to_make(&queues, &agents, t0 + secs(10)),
            [offer("senior", 2, "3001")]
        );
        // past the starvation bound the ordinary caller goes first
        assert_eq!(
            offers_to_make(&queues, &agents, t0 + secs(60)),
            [offer("general", 1, "3001")]
        );
    }

    #[test]
    fn a_caller_nobody_can_serve_does_not_hold_up_other_queues() {
        let t0 = Instant::now();
        let (supervisor, general) = (skills(&["supervisor"]), skills(&["ordinary"]));
        let supervisor_line = waiting(&[(1, Tier::Diamond, t0)]);
        let general_line = waiting(&[(2, Tier::Ordinary, t0 + secs(1))]);
        let queues = [
            QueueView {
                name: "supervisor",
                skills: &supervisor,
                waiting: &supervisor_line,
            },
            QueueView {
                name: "general",
                skills: &general,
                waiting: &general_line,
            },
        ];
        let seat = ready_since(t0);
        let agents = [AgentView {
            work_number: "1001",
            skills: &general,
            seat: &seat,
        }];
        assert_eq!(
            offers_to_make(&queues, &agents, t0 + secs(2)),
            [offer("general", 2, "1001")]
        );
    }
}
