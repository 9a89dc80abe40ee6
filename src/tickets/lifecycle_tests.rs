use chrono::TimeZone;

use super::*;

fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, minute, 0).unwrap()
}

fn agent() -> Actor {
    Actor {
        kind: ActorKind::Agent,
        id: "1024".into(),
    }
}

fn dispatch() -> Step {
    Step::Dispatch {
        team: Team::RepairCentre,
    }
}

/// Runs `steps` from a new ticket, one minute apart; panics on a refusal.
fn walk(no_call_back: bool, steps: &[Step]) -> (TicketState, Vec<StepRecord>) {
    let mut state = TicketState::new(no_call_back);
    let mut records = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let tr = apply(&state, step, &agent(), t(i as u32)).unwrap();
        state = tr.state;
        records.push(tr.record);
    }
    (state, records)
}

fn happy_path() -> Vec<Step> {
    vec![
        dispatch(),
        Step::Accept,
        Step::Start,
        Step::Clear {
            result: "replaced the drop wire".into(),
        },
        Step::CallBack { satisfied: true },
        Step::Archive,
    ]
}

#[test]
fn full_lifecycle_records_every_step_with_who_and_when() {
    let (state, records) = walk(false, &happy_path());
    assert_eq!(state.status, TicketStatus::Archived);
    let path: Vec<_> = records.iter().map(|r| r.to.as_str()).collect();
    assert_eq!(
        path,
        [
            "dispatched",
            "accepted",
            "in-progress",
            "cleared",
            "called-back",
            "archived"
        ]
    );
    assert_eq!(records[3].at, t(3));
    assert_eq!(records[3].from, TicketStatus::InProgress);
    assert!(records.iter().all(|r| r.actor == agent()));
}

#[test]
fn dispatched_ticket_cannot_go_to_a_second_team_until_returned() {
    let (state, _) = walk(false, &[dispatch(), Step::Accept]);
    let again = Step::Dispatch {
        team: Team::LanMaintenanceBranch,
    };
    let err = apply(&state, &again, &agent(), t(9)).unwrap_err();
    assert!(err.reason.contains("with repair-centre"), "{err}");
    let back = Step::Return {
        reason: "not our area".into(),
    };
    let (state, _) = walk(false, &[dispatch(), Step::Accept, back, again]);
    assert_eq!(state.status, TicketStatus::Dispatched);
    assert_eq!(state.team, Some(Team::LanMaintenanceBranch));
}

#[test]
fn clearing_a_ticket_not_in_progress_is_refused_with_the_reason() {
    let (state, _) = walk(false, &[dispatch()]);
    let clear = Step::Clear {
        result: "ok".into(),
    };
    let err = apply(&state, &clear, &agent(), t(5)).unwrap_err();
    assert_eq!(err.status, TicketStatus::Dispatched);
    assert_eq!(
        err.to_string(),
        "cannot clear a ticket that is dispatched: clear needs a ticket in progress"
    );
}

#[test]
fn clearing_needs_a_result() {
    let (state, _) = walk(false, &[dispatch(), Step::Accept, Step::Start]);
    let clear = Step::Clear { result: " ".into() };
    assert!(apply(&state, &clear, &agent(), t(5)).is_err());
}

#[test]
fn urge_and_follow_up_keep_the_status_and_count_urges() {
    let remark = Step::FollowUp {
        remark: "also no dial tone on the extension".into(),
    };
    let (state, records) = walk(false, &[dispatch(), Step::Urge, remark, Step::Urge]);
    assert_eq!(state.status, TicketStatus::Dispatched);
    assert_eq!(state.urges, 2);
    assert!(records.iter().skip(1).all(|r| r.from == r.to));
}

#[test]
fn urge_on_a_cleared_ticket_is_refused() {
    let (state, _) = walk(false, &happy_path()[..4]);
    assert!(apply(&state, &Step::Urge, &agent(), t(9)).is_err());
}

#[test]
fn withdrawal_ends_an_open_ticket_and_nothing_follows() {
    let withdraw = Step::Withdraw {
        reason: "works again".into(),
    };
    let (state, _) = walk(false, &[dispatch(), withdraw]);
    assert_eq!(state.status, TicketStatus::Withdrawn);
    assert_eq!(state.team, None);
    for step in happy_path() {
        assert!(apply(&state, &step, &agent(), t(9)).is_err(), "{step:?}");
    }
}

#[test]
fn card_phone_with_no_call_back_is_archived_straight_after_clearing() {
    let mut steps = happy_path();
    steps.remove(4); // no call-back
    let (state, _) = walk(true, &steps);
    assert_eq!(state.status, TicketStatus::Archived);
    let (cleared, _) = walk(true, &happy_path()[..4]);
    let err = apply(
        &cleared,
        &Step::CallBack { satisfied: true },
        &agent(),
        t(9),
    );
    assert!(err.unwrap_err().reason.contains("no call-back"));
}

#[test]
fn cleared_ticket_is_not_archived_before_the_call_back() {
    let (state, _) = walk(false, &happy_path()[..4]);
    let err = apply(&state, &Step::Archive, &agent(), t(9)).unwrap_err();
    assert!(err.reason.contains("called back first"), "{err}");
}

#[test]
fn unsatisfied_call_back_is_dispatched_a_second_time() {
    let mut steps = happy_path();
    steps[4] = Step::CallBack { satisfied: false };
    steps[5] = dispatch();
    let (state, _) = walk(false, &steps);
    assert_eq!(state.status, TicketStatus::Dispatched);
    let (satisfied, _) = walk(false, &happy_path()[..5]);
    assert!(apply(&satisfied, &dispatch(), &agent(), t(9)).is_err());
}

#[test]
fn steps_serialize_with_a_stable_step_tag() {
    let json = serde_yaml::to_string(&Step::Return {
        reason: "wrong area".into(),
    })
    .unwrap();
    assert_eq!(json, "step: return\nreason: wrong area\n");
    let back: Step =
        serde_yaml::from_str("step: dispatch\nteam: lan-maintenance-branch\n").unwrap();
    assert_eq!(back.kind(), StepKind::Dispatch);
}
