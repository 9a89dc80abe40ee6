//! The engine against spec §1, on the bundled menu and on a digit-entry fixture,
//! with a fake clock.

use std::sync::Arc;
use std::time::Duration;

use super::call::{play, play_fixed, queue, Call};
use super::{bundled, edit, load, BUNDLED};
use crate::media::Key;
use crate::menu::{simulate, Input, Menu, Output, PathStep};

const COLLECT: &str = include_str!("../../../tests/fixtures/menu/collect.yaml");

fn fixture() -> Arc<Menu> {
    Arc::new(load(COLLECT).expect("fixture loads"))
}

#[test]
fn call_starts_with_welcome_then_main_menu_as_one_playlist() {
    let (_, out) = Call::new(bundled());
    assert_eq!(out, vec![play(&["01", "02"])]);
}

#[test]
fn no_input_timer_starts_when_the_prompt_has_finished() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.session.poll_timeout(), None);
    call.finished();
    assert_eq!(
        call.session.poll_timeout(),
        Some(call.now + Duration::from_secs(5))
    );
}

#[test]
fn timeout_plays_10_and_repeats_the_menu_prompt() {
    let (mut call, _) = Call::new(bundled());
    call.finished();
    assert_eq!(call.expire(), vec![play(&["10", "02"])]);
    assert_eq!(call.session.poll_timeout(), None);
}

#[test]
fn timeout_input_before_the_deadline_is_ignored() {
    let (mut call, _) = Call::new(bundled());
    call.finished();
    assert_eq!(call.send(Input::Timeout), vec![]);
    assert!(call.session.poll_timeout().is_some());
}

#[test]
fn wrong_key_plays_11_and_repeats_the_menu_prompt() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.answer('7'), vec![play(&["11", "02"])]);
}

#[test]
fn too_many_wrong_keys_play_08_then_transfer_to_agent_as_the_yaml_says() {
    let (mut call, _) = Call::new(bundled());
    call.answer('7');
    call.answer('8');
    assert_eq!(call.answer('9'), vec![play_fixed(&["08"])]);
    assert_eq!(call.finished(), vec![play_fixed(&["05"])]);
    assert_eq!(call.finished(), vec![queue("general")]);
    assert!(call.session.is_ended());
}

#[test]
fn too_many_timeouts_play_08_then_hang_up_with_09_when_the_yaml_says_hangup() {
    let text = edit(
        BUNDLED,
        "on_too_many: {transfer: agent}",
        "on_too_many: hangup",
    );
    let (mut call, _) = Call::new(Arc::new(load(&text).unwrap()));
    for _ in 0..2 {
        call.finished();
        assert_eq!(call.expire(), vec![play(&["10", "02"])]);
    }
    call.finished();
    assert_eq!(call.expire(), vec![play_fixed(&["08"])]);
    assert_eq!(call.finished(), vec![play_fixed(&["09"])]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
    assert!(call.session.is_ended());
    assert_eq!(call.key('1'), vec![]);
}

#[test]
fn a_valid_key_resets_the_failure_count() {
    let (mut call, _) = Call::new(bundled());
    call.answer('7');
    call.answer('8');
    assert_eq!(call.answer('1'), vec![play(&["04"])]);
    call.answer('9');
    assert_eq!(call.answer('9'), vec![play(&["11", "04"])]);
}

#[test]
fn star_returns_to_the_menu_we_came_from_level_by_level() {
    let (mut call, _) = Call::new(bundled());
    for key in ['2', '1', '1'] {
        call.answer(key);
    }
    assert_eq!(call.answer('*'), vec![play(&["25"])]);
    assert_eq!(call.answer('*'), vec![play(&["03"])]);
    assert_eq!(call.answer('*'), vec![play(&["02"])]);
}

#[test]
fn play_then_back_returns_to_the_parent_menu() {
    let (mut call, _) = Call::new(bundled());
    for key in ['2', '1', '1'] {
        call.answer(key);
    }
    assert_eq!(call.answer('2'), vec![play(&["102"])]);
    assert_eq!(call.finished(), vec![play(&["25"])]);
}

#[test]
fn key_during_a_barge_in_prompt_stops_it_and_acts() {
    let (mut call, _) = Call::new(bundled());
    let fault = play(&["06", "repair-offer"]);
    assert_eq!(call.key('3'), vec![Output::StopPlayback, fault]);
    assert_eq!(call.key('*'), vec![Output::StopPlayback, play(&["02"])]);
}

#[test]
fn key_during_a_prompt_without_barge_in_is_ignored() {
    let (mut call, _) = Call::new(fixture());
    assert_eq!(call.answer('3'), vec![play_fixed(&["28"])]);
    assert_eq!(call.key('*'), vec![]);
    assert_eq!(call.finished(), vec![]);
    assert_eq!(call.key('*'), vec![play(&["02"])]);
}

#[test]
fn key_during_an_info_prompt_acts_in_the_current_menu() {
    let (mut call, _) = Call::new(bundled());
    call.answer('2');
    call.answer('1');
    assert_eq!(call.answer('2'), vec![play(&["28"])]);
    assert_eq!(
        call.key('3'),
        vec![Output::StopPlayback, play_fixed(&["05"])]
    );
}

#[test]
fn top_returns_to_the_start_menu() {
    let (mut call, _) = Call::new(fixture());
    call.answer('3');
    assert_eq!(call.answer('1'), vec![play(&["02"])]);
    assert_eq!(call.answer('1'), vec![play(&["21"])]);
    assert_eq!(call.answer('*'), vec![play(&["02"])]);
}

#[test]
fn hangup_plays_09_without_barge_in_then_hangs_up() {
    let (mut call, _) = Call::new(fixture());
    assert_eq!(call.answer('9'), vec![play_fixed(&["09"])]);
    assert_eq!(call.key('1'), vec![]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
    assert_eq!(call.session.poll_timeout(), None);
}

#[test]
fn transfer_plays_05_then_refers_to_the_configured_uri() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.answer('0'), vec![play_fixed(&["05"])]);
    assert_eq!(call.finished(), vec![queue("general")]);
}

#[test]
fn entry_ended_by_hash_is_spoken_back_from_digit_prompts() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    call.answer('0');
    for c in "571".chars() {
        assert_eq!(call.key(c), vec![]);
    }
    assert_eq!(call.key('#'), vec![play(&["31"])]);
    let digits = ["digit-0", "digit-5", "digit-7", "digit-1"];
    assert_eq!(call.finished(), vec![play(&digits)]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
    let path = call.session.path().to_vec();
    assert_eq!(path[path.len() - 2], PathStep::Entry("0571".into()));
}

#[test]
fn entry_ends_by_itself_at_max_digits() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    for c in "0123456".chars() {
        call.key(c);
    }
    assert_eq!(call.key('7'), vec![play(&["31"])]);
}

#[test]
fn inter_digit_timeout_ends_the_entry() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    call.answer('0');
    call.key('1');
    let last_key = call.now;
    call.key('2');
    assert_eq!(
        call.session.poll_timeout(),
        Some(call.now + Duration::from_secs(3))
    );
    assert!(call.session.poll_timeout() > Some(last_key + Duration::from_secs(3)));
    assert_eq!(call.expire(), vec![play(&["31"])]);
}

#[test]
fn entry_not_matching_the_pattern_counts_as_a_wrong_key() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    call.answer('5');
    call.key('5');
    call.key('5');
    assert_eq!(call.key('#'), vec![play(&["11", "21"])]);
    call.answer('9');
    call.key('9');
    call.key('9');
    assert_eq!(call.key('#'), vec![play_fixed(&["08"])]);
    assert_eq!(call.finished(), vec![play_fixed(&["09"])]);
}

#[test]
fn entry_shorter_than_min_digits_counts_as_a_wrong_key() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    call.answer('0');
    assert_eq!(call.key('#'), vec![play(&["11", "21"])]);
}

#[test]
fn first_digit_may_interrupt_the_entry_prompt() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    assert_eq!(call.key('0'), vec![Output::StopPlayback]);
    assert!(call.session.poll_timeout().is_some());
}

#[test]
fn star_in_an_entry_menu_goes_back_and_drops_the_digits() {
    let (mut call, _) = Call::new(fixture());
    call.answer('1');
    call.answer('0');
    call.key('5');
    assert_eq!(call.key('*'), vec![play(&["02"])]);
}

#[test]
fn secret_entry_is_masked_in_the_path() {
    let (mut call, _) = Call::new(fixture());
    call.answer('2');
    call.finished();
    for c in "13579".chars() {
        call.key(c);
    }
    assert_eq!(call.key('2'), vec![play(&["19"])]);
    let path = call.session.path();
    assert!(path.contains(&PathStep::Entry("******".into())));
    assert!(!format!("{path:?}").contains("135792"));
}

#[test]
fn say_digits_caller_speaks_the_callers_number() {
    let (mut call, _) = Call::new(fixture());
    let out = call.answer('4');
    let Output::Play { prompts, .. } = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(prompts.len(), 12);
    assert_eq!(prompts[0], "zh/digit-0");
    assert_eq!(prompts[11], "zh/digit-8");
}

#[test]
fn path_records_menus_chosen_keys_and_wrong_keys() {
    let (mut call, _) = Call::new(bundled());
    call.answer('7');
    call.answer('6');
    call.answer('1');
    let key = |c| PathStep::Key(Key::from_char(c).unwrap());
    let menu = |id: &str| PathStep::Menu(id.into());
    let wrong = PathStep::WrongKey(Key::from_char('7').unwrap());
    assert_eq!(
        call.session.path(),
        &[menu("main"), wrong, key('6'), menu("password"), key('1')]
    );
    let shown: Vec<String> = call.session.path().iter().map(|s| s.to_string()).collect();
    assert_eq!(shown[1], "wrong key 7");
}

#[test]
fn path_records_timeouts_and_refused_entries() {
    let (mut call, _) = Call::new(fixture());
    call.finished();
    call.expire();
    assert_eq!(call.session.path().last(), Some(&PathStep::Timeout));
    assert_eq!(PathStep::Timeout.to_string(), "timeout");
    call.answer('1');
    call.answer('5');
    call.key('5');
    call.key('5');
    call.key('#');
    let refused = PathStep::WrongEntry("555".into());
    assert_eq!(call.session.path().last(), Some(&refused));
    assert_eq!(refused.to_string(), "wrong entry 555");
    assert_eq!(
        PathStep::WrongEntry(String::new()).to_string(),
        "wrong entry"
    );
}

#[test]
fn a_refused_secret_entry_is_masked_in_the_path() {
    let (mut call, _) = Call::new(fixture());
    call.answer('2');
    call.finished();
    call.keys("13579");
    call.expire();
    let path = call.session.path();
    assert_eq!(path.last(), Some(&PathStep::WrongEntry("******".into())));
}

/// Every branch of spec §1 as the bundled menu has it: the lines after the last key.
#[test]
fn every_branch_of_the_bundled_menu_leads_where_the_manual_says() {
    let agent = "transfer queue general";
    let handed_on = |t: &str| vec!["play zh/05 (no barge-in)".to_string(), t.to_string()];
    let info = |p: &str, menu: &str, id: &str| {
        vec![
            format!("play zh/{p}"),
            format!("play zh/{menu}"),
            format!("waiting in menu {id}"),
        ]
    };
    let menu = |p: &str, id: &str| vec![format!("play zh/{p}"), format!("waiting in menu {id}")];
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("1", menu("04", "query")),
        ("1 1", handed_on("transfer queue directory")),
        (
            "1 2",
            vec![
                "ask password_status line 075512345678".into(),
                "waiting for the store's answer in menu query".into(),
            ],
        ),
        ("1 3", menu("20", "install-kind")),
        ("1 3 1", menu("order-number", "install-order")),
        ("1 3 2", menu("21", "install-number")),
        ("1 3 *", menu("04", "query")),
        ("1 4", handed_on(agent)),
        ("1 *", menu("02", "main")),
        ("2", menu("03", "consult")),
        ("2 1", menu("25", "business")),
        ("2 1 1", menu("07", "value-added")),
        ("2 1 1 1", info("booking-info", "07", "value-added")),
        ("2 1 1 2", info("102", "25", "business")),
        ("2 1 1 *", menu("25", "business")),
        ("2 1 2", info("28", "25", "business")),
        (
            "2 1 3",
            handed_on("transfer refer sip:operator@127.0.0.1:5070"),
        ),
        ("2 1 *", menu("03", "consult")),
        ("2 *", menu("02", "main")),
        ("3", menu("06 zh/repair-offer", "fault")),
        ("3 1", menu("fault-product", "fault-product")),
        ("3 1 1", menu("whose-number", "fault-whose")),
        ("3 1 1 2", menu("21", "fault-number")),
        ("3 1 1 *", menu("fault-product", "fault-product")),
        ("3 1 *", menu("06 zh/repair-offer", "fault")),
        ("3 2", menu("complaint-category", "complaint")),
        (
            "3 2 1",
            menu("complaint-type-fault-repair", "complaint-fault-repair"),
        ),
        (
            "3 2 2",
            menu("complaint-type-installation", "complaint-installation"),
        ),
        ("3 2 2 1", menu("order-number", "complaint-order")),
        ("3 2 3", menu("complaint-type-billing", "complaint-billing")),
        ("3 2 4", menu("complaint-type-network", "complaint-network")),
        ("3 2 5", menu("complaint-type-service", "complaint-service")),
        ("3 2 5 3", menu("whose-number", "complaint-whose")),
        ("3 2 5 3 2", menu("21", "complaint-number")),
        ("3 2 *", menu("06 zh/repair-offer", "fault")),
        (
            "3 3 +*",
            vec![
                "stop".into(),
                "play zh/06 zh/repair-offer".into(),
                "waiting in menu fault".into(),
            ],
        ),
        ("3 4", menu("whose-number", "repair-whose")),
        (
            "3 4 1",
            vec![
                "ask repair_status 075512345678".into(),
                "waiting for the store's answer in menu repair-whose".into(),
            ],
        ),
        ("3 4 2", menu("21", "repair-number")),
        ("3 *", menu("02", "main")),
        ("6", menu("27", "password")),
        ("6 1", info("password-info", "27", "password")),
        (
            "6 2",
            vec![
                "ask password_status line 075512345678".into(),
                "waiting for the store's answer in menu password".into(),
            ],
        ),
        ("6 3", menu("29", "contract-number")),
        ("6 *", menu("02", "main")),
        ("0", handed_on(agent)),
    ];
    for (keys, want) in cases {
        let lines = simulate(bundled(), "075512345678", keys).unwrap();
        let last_key = lines.iter().rposition(|l| l.starts_with("key ")).unwrap();
        assert_eq!(lines[last_key + 1..], want[..], "keys {keys}: {lines:?}");
    }
}
