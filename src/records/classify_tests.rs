//! One case per record outcome, from what the call task knows at the end.

use super::*;
use crate::media::Key;

fn facts(ended: CallOutcome) -> CallFacts<'static> {
    CallFacts {
        ended,
        touched_tickets: false,
        served: false,
        queued: false,
        last_step: None,
    }
}

fn ended_after(ended: CallOutcome, last_step: &PathStep) -> RecordOutcome {
    classify(&CallFacts {
        last_step: Some(last_step),
        ..facts(ended)
    })
}

#[test]
fn a_menu_goodbye_after_an_information_prompt_is_self_served() {
    let menu = PathStep::Menu("info".into());
    let outcome = ended_after(CallOutcome::HungUpByMenu, &menu);
    assert_eq!(outcome, RecordOutcome::SelfServed);
}

#[test]
fn a_caller_the_desk_answered_is_self_served_however_they_leave() {
    let served = CallFacts {
        served: true,
        ..facts(CallOutcome::HungUpByCaller)
    };
    assert_eq!(classify(&served), RecordOutcome::SelfServed);
    let then_timed_out = CallFacts {
        served: true,
        last_step: Some(&PathStep::Timeout),
        ..facts(CallOutcome::HungUpByMenu)
    };
    assert_eq!(classify(&then_timed_out), RecordOutcome::SelfServed);
}

#[test]
fn a_ticket_made_or_urged_counts_even_when_the_caller_hangs_up_on_the_serial() {
    for ended in [CallOutcome::HungUpByCaller, CallOutcome::HungUpByMenu] {
        let touched = CallFacts {
            touched_tickets: true,
            last_step: Some(&PathStep::Timeout),
            ..facts(ended)
        };
        assert_eq!(
            classify(&touched),
            RecordOutcome::TicketCreated,
            "{ended:?}"
        );
    }
}

#[test]
fn talking_to_an_agent_is_answered_by_agent() {
    let outcome = classify(&CallFacts {
        queued: true,
        ..facts(CallOutcome::AnsweredByAgent)
    });
    assert_eq!(outcome, RecordOutcome::AnsweredByAgent);
}

#[test]
fn hanging_up_after_the_hand_over_to_a_queue_is_abandoned_in_queue() {
    let abandoned = classify(&CallFacts {
        queued: true,
        ..facts(CallOutcome::Abandoned)
    });
    assert_eq!(abandoned, RecordOutcome::AbandonedInQueue);
    let during_the_acd_hand_over = classify(&CallFacts {
        queued: true,
        ..facts(CallOutcome::HungUpByCaller)
    });
    assert_eq!(during_the_acd_hand_over, RecordOutcome::AbandonedInQueue);
}

#[test]
fn a_kept_call_back_request_is_callback_kept() {
    let outcome = classify(&CallFacts {
        queued: true,
        ..facts(CallOutcome::CallbackKept)
    });
    assert_eq!(outcome, RecordOutcome::CallbackKept);
}

#[test]
fn a_refer_is_transferred() {
    let outcome = classify(&facts(CallOutcome::Transferred));
    assert_eq!(outcome, RecordOutcome::Transferred);
}

#[test]
fn the_menu_hanging_up_after_timeouts_is_timed_out() {
    let outcome = ended_after(CallOutcome::HungUpByMenu, &PathStep::Timeout);
    assert_eq!(outcome, RecordOutcome::TimedOut);
}

#[test]
fn giving_up_in_the_menu_is_hung_up_in_menu() {
    let wrong = PathStep::WrongKey(Key::from_char('7').unwrap());
    assert_eq!(
        ended_after(CallOutcome::HungUpByMenu, &wrong),
        RecordOutcome::HungUpInMenu
    );
    let wrong_entry = PathStep::WrongEntry("12".into());
    assert_eq!(
        ended_after(CallOutcome::HungUpByMenu, &wrong_entry),
        RecordOutcome::HungUpInMenu
    );
    let key = PathStep::Key(Key::from_char('3').unwrap());
    assert_eq!(
        ended_after(CallOutcome::HungUpByCaller, &key),
        RecordOutcome::HungUpInMenu
    );
}

#[test]
fn calls_never_answered_keep_the_signalling_outcome() {
    let cases = [
        (CallOutcome::Rejected, RecordOutcome::Rejected),
        (CallOutcome::Cancelled, RecordOutcome::Cancelled),
        (CallOutcome::Failed, RecordOutcome::Failed),
    ];
    for (ended, expected) in cases {
        assert_eq!(classify(&facts(ended)), expected);
    }
}

#[test]
fn outcome_names_are_snake_case_and_round_trip() {
    assert_eq!(RecordOutcome::HungUpInMenu.as_str(), "hung_up_in_menu");
    for outcome in RecordOutcome::ALL {
        assert_eq!(outcome.as_str().parse::<RecordOutcome>(), Ok(*outcome));
    }
}

#[test]
fn the_path_is_one_field_and_splits_back() {
    let path = vec!["menu main".to_string(), "key 3".to_string()];
    assert_eq!(joined_path(&path), "menu main > key 3");
    assert_eq!(split_path("menu main > key 3"), path);
    assert!(split_path("").is_empty());
}
