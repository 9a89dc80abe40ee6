//! The ticket lifecycle as one pure step function.
//!
//! ```text
//! created ─dispatch→ dispatched ─accept→ accepted ─start→ in-progress ─clear→ cleared
//!                        │  ↑               │                                   │
//!                  return│  │dispatch  return│                    call-back│  archive (no call-back)
//!                        ↓  │               ↓                             ↓     ↓
//!                      returned ←───────────┘                      called-back ─archive→ archived
//!                                                   (dispatch again if not satisfied)
//! ```
//! A ticket is with exactly one team from `dispatch` until `return`: dispatching it again
//! is refused until it is returned. While the work is open (created … in-progress) the
//! caller may `follow-up` (追单: remarks appended), `urge` (催单) or `withdraw` (退单,
//! terminal). Every accepted step yields a [`StepRecord`] (who, when, from, to) for the
//! store's event table; an illegal step is an [`IllegalStep`] with the reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{named_enum, Team, TicketStatus};

named_enum! {
    /// Who took a step.
    ActorKind, "actor kind" {
        /// The voice menu, on the caller's behalf.
        Ivr = "ivr",
        Caller = "caller",
        Agent = "agent",
        Team = "team",
        Supervisor = "supervisor",
        /// Automatic steps (deadline jobs).
        System = "system",
    }
}

/// Who took a step: a kind and an id (agent work number, team code, caller's number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

named_enum! {
    /// The name of a lifecycle step, as stored in the event table.
    StepKind, "step" {
        Dispatch = "dispatch",
        Accept = "accept",
        Return = "return",
        Start = "start",
        Clear = "clear",
        CallBack = "call-back",
        Archive = "archive",
        FollowUp = "follow-up",
        Withdraw = "withdraw",
        Urge = "urge",
    }
}

/// One lifecycle step with its details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    Dispatch { team: Team },
    Accept,
    Return { reason: String },
    Start,
    Clear { result: String },
    CallBack { satisfied: bool },
    Archive,
    FollowUp { remark: String },
    Withdraw { reason: String },
    Urge,
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Dispatch { .. } => StepKind::Dispatch,
            Step::Accept => StepKind::Accept,
            Step::Return { .. } => StepKind::Return,
            Step::Start => StepKind::Start,
            Step::Clear { .. } => StepKind::Clear,
            Step::CallBack { .. } => StepKind::CallBack,
            Step::Archive => StepKind::Archive,
            Step::FollowUp { .. } => StepKind::FollowUp,
            Step::Withdraw { .. } => StepKind::Withdraw,
            Step::Urge => StepKind::Urge,
        }
    }
}

/// What the lifecycle needs to know of a ticket (columns of the ticket row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketState {
    pub status: TicketStatus,
    /// The one team holding it, from dispatch until return.
    pub team: Option<Team>,
    /// Card phones: the caller needs no call-back, so it is archived once cleared.
    pub no_call_back: bool,
    pub urges: u32,
    /// The answer of the last call-back.
    pub satisfied: Option<bool>,
}

impl TicketState {
    /// A new ticket, as the rules make it.
    pub fn new(no_call_back: bool) -> Self {
        TicketState {
            status: TicketStatus::Created,
            team: None,
            no_call_back,
            urges: 0,
            satisfied: None,
        }
    }
}

/// One accepted step, to be kept for ever with the ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    pub from: TicketStatus,
    pub to: TicketStatus,
}

/// The result of an accepted step: the new state and its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub state: TicketState,
    pub record: StepRecord,
}

/// A refused step, with the reason (HTTP 409).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {step} a ticket that is {status}: {reason}")]
pub struct IllegalStep {
    pub status: TicketStatus,
    pub step: StepKind,
    pub reason: String,
}

/// Applies `step` by `actor` at `now` to a ticket in `state`.
pub fn apply(
    state: &TicketState,
    step: &Step,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Transition, IllegalStep> {
    use TicketStatus as S;
    let refuse = |reason: &str| IllegalStep {
        status: state.status,
        step: step.kind(),
        reason: reason.to_string(),
    };
    let not_now = || {
        refuse(&format!(
            "{} needs {}",
            step.kind(),
            allowed_from(step.kind())
        ))
    };
    let mut next = state.clone();
    let required = |text: &str, what: &str| {
        if text.trim().is_empty() {
            Err(refuse(&format!("{what} is required")))
        } else {
            Ok(())
        }
    };
    next.status = match (step, state.status) {
        (Step::Dispatch { .. }, S::Dispatched | S::Accepted | S::InProgress) => {
            let team = state.team.map_or("a team", Team::as_str);
            return Err(refuse(&format!(
                "it is with {team}; it must be returned first"
            )));
        }
        (Step::Dispatch { .. }, S::CalledBack) if state.satisfied != Some(false) => {
            return Err(refuse(
                "only a call-back that was not satisfied is dispatched again",
            ));
        }
        (Step::Dispatch { team }, S::Created | S::Returned | S::CalledBack) => {
            next.team = Some(*team);
            S::Dispatched
        }
        (Step::Accept, S::Dispatched) => S::Accepted,
        (Step::Return { reason }, S::Dispatched | S::Accepted) => {
            required(reason, "a reason")?;
            next.team = None;
            S::Returned
        }
        (Step::Start, S::Accepted) => S::InProgress,
        (Step::Clear { result }, S::InProgress) => {
            required(result, "the clearing result")?;
            S::Cleared
        }
        (Step::CallBack { .. }, S::Cleared) if state.no_call_back => {
            return Err(refuse("the caller asked for no call-back"));
        }
        (Step::CallBack { satisfied }, S::Cleared) => {
            next.satisfied = Some(*satisfied);
            S::CalledBack
        }
        (Step::Archive, S::Cleared) if !state.no_call_back => {
            return Err(refuse("the caller must be called back first"));
        }
        (Step::Archive, S::Cleared | S::CalledBack) => S::Archived,
        (Step::FollowUp { remark }, s) if s.is_open() => {
            required(remark, "a remark")?;
            s
        }
        (Step::Urge, s) if s.is_open() => {
            next.urges = state.urges.saturating_add(1);
            s
        }
        (Step::Withdraw { reason }, s) if s.is_open() => {
            required(reason, "a reason")?;
            next.team = None;
            S::Withdrawn
        }
        _ => return Err(not_now()),
    };
    Ok(Transition {
        record: StepRecord {
            step: step.clone(),
            actor: actor.clone(),
            at: now,
            from: state.status,
            to: next.status,
        },
        state: next,
    })
}

/// The statuses a step may be taken from, for refusal messages.
fn allowed_from(step: StepKind) -> &'static str {
    match step {
        StepKind::Dispatch => "a created or returned ticket (or an unsatisfied call-back)",
        StepKind::Accept => "a dispatched ticket",
        StepKind::Return => "a dispatched or accepted ticket",
        StepKind::Start => "an accepted ticket",
        StepKind::Clear => "a ticket in progress",
        StepKind::CallBack => "a cleared ticket",
        StepKind::Archive => "a called-back ticket (or a cleared one with no call-back)",
        StepKind::FollowUp | StepKind::Urge | StepKind::Withdraw => {
            "an open ticket (not yet cleared)"
        }
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
