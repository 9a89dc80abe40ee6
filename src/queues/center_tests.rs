//! The centre on a fake clock: refusals at the door, offers, ring timeouts and failures
//! that re-queue at the head, abandonment while ringing, wrap-up, maximum waits and the
//! service level they add up to.

use std::time::{Duration, Instant};

use super::center::{AgentCommand, Center, Notice, QueueSetup, Refusal, Timing};
use super::seat::{CallId, NotReadyReason, SeatState};
use crate::tickets::model::Tier;

const TIMING: Timing = Timing {
    ring_timeout: Duration::from_secs(15),
    wrap_up: Duration::from_secs(30),
    starvation_bound: Duration::from_secs(300),
    service_level_threshold: Duration::from_secs(15),
};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn center() -> Center {
    let queue = |name: &str, skills: &[&str]| QueueSetup {
        name: name.to_string(),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        max_waiting: 2,
        max_wait: secs(120),
    };
    Center::new(
        TIMING,
        [
            queue("general", &["ordinary", "senior"]),
            queue("senior", &["senior"]),
        ],
    )
}

fn ready(center: &mut Center, agent: &str, skill: &str, now: Instant) {
    let skills = vec![skill.to_string()];
    (center.agent(agent, skills, AgentCommand::Ready, now)).expect("ready");
}

fn offer(call: u64, agent: &str) -> Notice {
    Notice::Offer {
        call: CallId(call),
        agent: agent.to_string(),
    }
}

#[test]
fn a_queue_nobody_is_logged_in_for_refuses_callers_and_a_full_one_too() {
    let t0 = Instant::now();
    let mut center = center();
    let refused = center.join(CallId(1), "general", Tier::Ordinary, t0);
    assert_eq!(refused, Err(Refusal::NoAgents));
    assert_eq!(
        center.join(CallId(1), "nowhere", Tier::Ordinary, t0),
        Err(Refusal::UnknownQueue)
    );
    // Logged in but not ready still lets callers wait.
    let skills = vec!["ordinary".to_string()];
    (center.agent("1001", skills, AgentCommand::LogIn, t0)).expect("logged in");
    assert_eq!(
        center.join(CallId(1), "general", Tier::Ordinary, t0),
        Ok(())
    );
    assert_eq!(
        center.join(CallId(2), "general", Tier::Ordinary, t0),
        Ok(())
    );
    assert_eq!(
        center.join(CallId(3), "general", Tier::Ordinary, t0),
        Err(Refusal::Full)
    );
    // An ordinary agent does not serve the senior queue.
    assert_eq!(
        center.join(CallId(4), "senior", Tier::Gold, t0),
        Err(Refusal::NoAgents)
    );
    assert_eq!(center.position(CallId(2), t0), Some(2));
    assert_eq!(center.dispatch(t0), vec![]);
}

#[test]
fn a_ready_agent_is_offered_the_caller_who_is_talked_to_then_wraps_up() {
    let t0 = Instant::now();
    let mut center = center();
    ready(&mut center, "1001", "ordinary", t0);
    center
        .join(CallId(1), "general", Tier::Ordinary, t0)
        .unwrap();
    assert_eq!(center.dispatch(t0 + secs(1)), vec![offer(1, "1001")]);
    assert_eq!(center.position(CallId(1), t0), None, "out of the queue");
    center.answered(CallId(1), t0 + secs(5)).expect("answered");
    assert!(matches!(
        center.seat("1001"),
        Some(SeatState::Talking { .. })
    ));
    center.ended(CallId(1), t0 + secs(65));
    assert_eq!(
        center.poll_timeout(),
        Some(t0 + secs(95)),
        "the end of wrap-up"
    );
    assert_eq!(center.on_timeout(t0 + secs(95)), vec![]);
    assert_eq!(
        center.seat("1001"),
        Some(&SeatState::Ready {
            since: t0 + secs(95)
        })
    );
    let general = &center.queues(t0 + secs(95))[0];
    assert_eq!(general.figures.answered_within_threshold, 1);
    assert_eq!(general.figures.service_level, Some(1.0));
}

#[test]
fn a_ring_timeout_puts_the_caller_back_at_the_head_and_the_agent_not_ready() {
    let t0 = Instant::now();
    let mut center = center();
    ready(&mut center, "1001", "ordinary", t0);
    center
        .join(CallId(1), "general", Tier::Ordinary, t0)
        .unwrap();
    assert_eq!(center.dispatch(t0), vec![offer(1, "1001")]);
    center
        .join(CallId(2), "general", Tier::Diamond, t0 + secs(1))
        .unwrap();
    assert_eq!(center.poll_timeout(), Some(t0 + secs(15)));
    assert_eq!(
        center.on_timeout(t0 + secs(15)),
        vec![Notice::RingTimeout { call: CallId(1) }]
    );
    assert_eq!(
        center.seat("1001"),
        Some(&SeatState::NotReady {
            reason: NotReadyReason::NoAnswer,
            since: t0 + secs(15)
        })
    );
    // Re-queued callers go before a diamond customer who arrived later.
    assert_eq!(center.position(CallId(1), t0 + secs(16)), Some(1));
    let places: Vec<(CallId, Option<usize>, bool)> = (center.callers(t0 + secs(16)).iter())
        .map(|c| (c.call, c.place, c.waiter.requeued))
        .collect();
    assert_eq!(
        places,
        [(CallId(1), Some(1), true), (CallId(2), Some(2), false)]
    );
    ready(&mut center, "1002", "ordinary", t0 + secs(20));
    assert_eq!(center.dispatch(t0 + secs(20)), vec![offer(1, "1002")]);
    let ringing = &center.callers(t0 + secs(20))[1];
    assert_eq!(
        (ringing.call, ringing.place, ringing.ringing.as_deref()),
        (CallId(1), None, Some("1002"))
    );
    // A refused ring does the same at once.
    center.ring_failed(CallId(1), t0 + secs(21));
    assert_eq!(center.position(CallId(1), t0 + secs(21)), Some(1));
    assert!(matches!(
        center.seat("1002"),
        Some(SeatState::NotReady { .. })
    ));
}

#[test]
fn hanging_up_while_the_phone_rings_frees_the_agent_and_counts_as_abandoned() {
    let t0 = Instant::now();
    let mut center = center();
    ready(&mut center, "1001", "ordinary", t0);
    center
        .join(CallId(1), "general", Tier::Ordinary, t0)
        .unwrap();
    assert_eq!(center.dispatch(t0 + secs(20)), vec![offer(1, "1001")]);
    center.leave(CallId(1), t0 + secs(22));
    assert_eq!(
        center.seat("1001"),
        Some(&SeatState::Ready {
            since: t0 + secs(22)
        })
    );
    let figures = &center.queues(t0 + secs(22))[0].figures;
    assert_eq!(figures.abandoned_after_threshold, 1);
    assert_eq!(figures.service_level, Some(0.0));
}

#[test]
fn a_caller_past_the_maximum_wait_leaves_the_queue() {
    let t0 = Instant::now();
    let mut center = center();
    let skills = vec!["ordinary".to_string()];
    (center.agent("1001", skills, AgentCommand::NotReady("break".into()), t0)).unwrap();
    center
        .join(CallId(1), "general", Tier::Ordinary, t0)
        .unwrap();
    center
        .join(CallId(2), "general", Tier::Ordinary, t0 + secs(30))
        .unwrap();
    assert_eq!(center.poll_timeout(), Some(t0 + secs(120)));
    assert_eq!(center.on_timeout(t0 + secs(119)), vec![]);
    assert_eq!(
        center.on_timeout(t0 + secs(120)),
        vec![Notice::MaxWait { call: CallId(1) }]
    );
    assert_eq!(center.position(CallId(1), t0 + secs(120)), None);
    assert_eq!(center.position(CallId(2), t0 + secs(120)), Some(1));
    assert_eq!(center.poll_timeout(), Some(t0 + secs(150)));
}

#[test]
fn an_agent_cannot_log_out_while_ringing() {
    let t0 = Instant::now();
    let mut center = center();
    ready(&mut center, "1001", "ordinary", t0);
    center
        .join(CallId(1), "general", Tier::Ordinary, t0)
        .unwrap();
    center.dispatch(t0);
    let skills = vec!["ordinary".to_string()];
    assert!(center
        .agent("1001", skills, AgentCommand::LogOut, t0 + secs(1))
        .is_err());
    assert_eq!(center.agents()[0].work_number, "1001");
}
