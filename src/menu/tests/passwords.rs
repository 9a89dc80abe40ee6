//! The bundled menu's password flows (main menu 6, spec §2) walked branch by branch with
//! the store's replies given by hand: set (14 → 16 → 17), change (15 → 16 → 17), the
//! contract number (29), mismatches, weak passwords, wrong entries, locks, other callers
//! and store trouble; secret entries masked; `simulate` stopping at the first question.

use super::call::{play, play_fixed, Call, CALLER};
use super::{bundled, load};
use crate::menu::requests::{PasswordSubject, Secret, Weakness};
use crate::menu::{
    simulate, Output, PasswordChecked, PasswordSet, PasswordStatus, PathStep, Reply, Request,
};

const CONTRACT: &str = "88001";

fn line() -> PasswordSubject {
    PasswordSubject::Line(CALLER.into())
}

fn contract() -> PasswordSubject {
    PasswordSubject::Contract(CONTRACT.into())
}

fn secret(digits: &str) -> Secret {
    Secret::new(digits.to_string())
}

fn status(account: PasswordSubject) -> Vec<Output> {
    vec![Output::Request(Request::PasswordStatus { account })]
}

fn check(account: PasswordSubject, password: &str) -> Vec<Output> {
    let password = secret(password);
    vec![Output::Request(Request::CheckPassword {
        account,
        password,
    })]
}

fn set(account: PasswordSubject, new: &str, again: &str) -> Vec<Output> {
    let (new, again) = (secret(new), secret(again));
    vec![Output::Request(Request::SetPassword {
        account,
        new,
        again,
    })]
}

fn answered(status: PasswordStatus) -> Reply {
    Reply::PasswordStatus(status)
}

fn checked(verdict: PasswordChecked) -> Reply {
    Reply::PasswordChecked(verdict)
}

fn stored(outcome: PasswordSet) -> Reply {
    Reply::PasswordSet(outcome)
}

/// Lets the prompt finish and types `keys` (an entry and its `#`).
fn enter(call: &mut Call, keys: &str) -> Vec<Output> {
    assert_eq!(call.finished(), vec![]);
    call.keys(keys)
}

/// 6 2 on the caller's own line, answered `status`.
fn own_line(status_reply: PasswordStatus) -> (Call, Vec<Output>) {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("62"), status(line()));
    let out = call.reply(answered(status_reply));
    (call, out)
}

/// 6 2, no password yet, 1: at 16.
fn setting() -> Call {
    let (mut call, out) = own_line(PasswordStatus::NoPassword);
    assert_eq!(out, vec![play(&["14"])]);
    assert_eq!(call.answer('1'), vec![play(&["16"])]);
    call
}

/// 6 2 with a password set: at 15.
fn changing() -> Call {
    let (call, out) = own_line(PasswordStatus::HasPassword);
    assert_eq!(out, vec![play(&["15"])]);
    call
}

/// Types the new password twice from 16: the `set_password` request goes out.
fn new_twice(call: &mut Call, new: &str, again: &str) -> Vec<Output> {
    assert_eq!(enter(call, &format!("{new}#")), vec![play(&["17"])]);
    enter(call, &format!("{again}#"))
}

#[test]
fn six_one_explains_the_password_and_six_two_asks_about_the_callers_own_line() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("61"), vec![play(&["password-info"])]);
    assert_eq!(call.finished(), vec![play(&["27"])]);
    assert_eq!(call.answer('2'), status(line()));
}

#[test]
fn no_password_yet_sets_one_and_confirms_it_with_19() {
    let mut call = setting();
    assert!(call.session.is_secret_entry());
    let out = new_twice(&mut call, "582046", "582046");
    assert_eq!(out, set(line(), "582046", "582046"));
    assert_eq!(call.reply(stored(PasswordSet::Stored)), vec![play(&["19"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn star_at_14_goes_back_to_the_password_menu() {
    let (mut call, _) = own_line(PasswordStatus::NoPassword);
    assert_eq!(call.answer('*'), vec![play(&["27"])]);
}

#[test]
fn entries_that_differ_play_22_and_start_again_from_16() {
    let mut call = setting();
    assert_eq!(
        new_twice(&mut call, "582046", "582047"),
        set(line(), "582046", "582047")
    );
    assert_eq!(
        call.reply(stored(PasswordSet::Mismatch)),
        vec![play(&["22"])]
    );
    assert_eq!(call.finished(), vec![play(&["16"])]);
    let out = new_twice(&mut call, "390417", "390417");
    assert_eq!(out, set(line(), "390417", "390417"));
}

#[test]
fn a_weak_password_is_refused_with_its_reason_and_16_again() {
    let cases = [
        (Weakness::NotSixDigits, "password-six-digits"),
        (Weakness::SameDigit, "password-weak-same"),
        (Weakness::StraightRun, "password-weak-run"),
        (Weakness::LineSuffix, "password-weak-line"),
    ];
    for (weakness, prompt) in cases {
        let mut call = setting();
        new_twice(&mut call, "123456", "123456");
        let out = call.reply(stored(PasswordSet::Weak(weakness)));
        assert_eq!(out, vec![play(&[prompt])], "{weakness:?}");
        assert_eq!(call.finished(), vec![play(&["16"])]);
    }
}

#[test]
fn a_store_failure_while_setting_plays_23_and_while_changing_18() {
    let mut call = setting();
    new_twice(&mut call, "582046", "582046");
    let out = call.reply(stored(PasswordSet::Unavailable));
    assert_eq!(out, vec![play(&["23"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);

    let mut call = changing();
    assert_eq!(enter(&mut call, "271828#"), check(line(), "271828"));
    let out = call.reply(checked(PasswordChecked::Accepted));
    assert_eq!(out, vec![play(&["16"])]);
    new_twice(&mut call, "582046", "582046");
    let out = call.reply(stored(PasswordSet::Unavailable));
    assert_eq!(out, vec![play(&["18"])]);
}

#[test]
fn a_password_set_is_checked_first_wrong_plays_24_and_15_again() {
    let mut call = changing();
    assert_eq!(enter(&mut call, "111111#"), check(line(), "111111"));
    let out = call.reply(checked(PasswordChecked::Wrong));
    assert_eq!(out, vec![play(&["24"])]);
    assert_eq!(call.finished(), vec![play(&["15"])]);
    assert_eq!(enter(&mut call, "271828#"), check(line(), "271828"));
    let out = call.reply(checked(PasswordChecked::Accepted));
    assert_eq!(out, vec![play(&["16"])]);
    let out = new_twice(&mut call, "582046", "582046");
    assert_eq!(out, set(line(), "582046", "582046"));
    assert_eq!(call.reply(stored(PasswordSet::Stored)), vec![play(&["19"])]);
}

/// At 15 after one wrong password (24 played).
fn once_wrong() -> Call {
    let mut call = changing();
    enter(&mut call, "111111#");
    call.reply(checked(PasswordChecked::Wrong));
    assert_eq!(call.finished(), vec![play(&["15"])]);
    call
}

#[test]
fn two_wrong_passwords_end_the_service_with_09() {
    let mut call = once_wrong();
    enter(&mut call, "222222#");
    let out = call.reply(checked(PasswordChecked::Wrong));
    assert_eq!(out, vec![play_fixed(&["09"])]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
    assert!(call.session.is_ended());
}

#[test]
fn an_accepted_password_starts_the_count_of_wrong_entries_again() {
    let mut call = once_wrong();
    enter(&mut call, "271828#");
    call.reply(checked(PasswordChecked::Accepted));
    assert_eq!(call.answer('*'), vec![play(&["15"])], "back to 15");
    enter(&mut call, "111111#");
    let out = call.reply(checked(PasswordChecked::Wrong));
    assert_eq!(out, vec![play(&["24"])], "a first wrong entry again");
}

#[test]
fn a_locked_password_is_told_and_the_caller_returns_to_the_main_menu() {
    let mut call = changing();
    enter(&mut call, "271828#");
    let out = call.reply(checked(PasswordChecked::Locked));
    assert_eq!(out, vec![play(&["password-locked"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn another_caller_a_suspended_line_and_store_trouble_are_told_why() {
    let (mut call, out) = own_line(PasswordStatus::OtherLine);
    assert_eq!(out, vec![play(&["password-other-line"])]);
    assert_eq!(call.finished(), vec![play(&["27"])]);
    let (mut call, out) = own_line(PasswordStatus::NotAllowed);
    assert_eq!(out, vec![play(&["password-not-allowed"])]);
    assert_eq!(call.finished(), vec![play(&["27"])]);
    let (mut call, out) = own_line(PasswordStatus::Unavailable);
    assert_eq!(out, vec![play(&["store-unavailable"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
    let mut call = changing();
    enter(&mut call, "271828#");
    let out = call.reply(checked(PasswordChecked::Unavailable));
    assert_eq!(out, vec![play(&["store-unavailable"])]);
}

/// 6 3 and the contract number keyed: the status request is out.
fn contract_keyed() -> Call {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("63"), vec![play(&["29"])]);
    assert_eq!(
        enter(&mut call, &format!("{CONTRACT}#")),
        status(contract())
    );
    call
}

#[test]
fn the_contract_password_is_set_and_changed_by_the_same_flow() {
    let mut call = contract_keyed();
    let out = call.reply(answered(PasswordStatus::NoPassword));
    assert_eq!(out, vec![play(&["14"])]);
    assert_eq!(call.answer('1'), vec![play(&["16"])]);
    let out = new_twice(&mut call, "582046", "582046");
    assert_eq!(out, set(contract(), "582046", "582046"));

    let mut call = contract_keyed();
    let out = call.reply(answered(PasswordStatus::HasPassword));
    assert_eq!(out, vec![play(&["15"])]);
    assert_eq!(enter(&mut call, "271828#"), check(contract(), "271828"));
}

#[test]
fn an_unknown_contract_number_is_a_wrong_entry_and_the_second_ends_the_call() {
    let mut call = contract_keyed();
    let out = call.reply(answered(PasswordStatus::Unknown));
    assert_eq!(out, vec![play(&["number-unknown"])]);
    assert_eq!(call.finished(), vec![play(&["29"])]);
    assert_eq!(
        enter(&mut call, "88002#"),
        status(PasswordSubject::Contract("88002".into()))
    );
    let out = call.reply(answered(PasswordStatus::Unknown));
    assert_eq!(out, vec![play_fixed(&["09"])]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
}

#[test]
fn a_wrong_contract_number_and_a_wrong_password_are_two_wrong_entries() {
    let mut call = contract_keyed();
    call.reply(answered(PasswordStatus::Unknown));
    call.finished();
    enter(&mut call, &format!("{CONTRACT}#"));
    call.reply(answered(PasswordStatus::HasPassword));
    enter(&mut call, "111111#");
    let out = call.reply(checked(PasswordChecked::Wrong));
    assert_eq!(out, vec![play_fixed(&["09"])]);
}

#[test]
fn a_contract_of_another_line_is_refused_and_the_caller_returns_to_27() {
    let mut call = contract_keyed();
    let out = call.reply(answered(PasswordStatus::OtherLine));
    assert_eq!(out, vec![play(&["password-other-line"])]);
    assert_eq!(call.finished(), vec![play(&["27"])]);
}

#[test]
fn secret_entries_are_masked_in_the_path_and_never_in_collected() {
    let mut call = setting();
    new_twice(&mut call, "582046", "582046");
    let entries: Vec<&PathStep> = (call.session.path().iter())
        .filter(|step| matches!(step, PathStep::Entry(_)))
        .collect();
    let masked = PathStep::Entry("******".into());
    assert_eq!(entries, vec![&masked, &masked]);
    let shown = format!("{:?}", call.session.path());
    assert!(!shown.contains("582046"), "{shown}");
    let request = set(line(), "582046", "582046");
    assert!(!format!("{request:?}").contains("582046"), "{request:?}");
}

#[test]
fn password_actions_before_any_status_take_unavailable_without_asking() {
    let text = super::BUNDLED.replace(
        "      1: {play: password-info}",
        "      1: {goto: password-old}\n      4: {goto: password-change-new}",
    );
    let menu = std::sync::Arc::new(load(&text).expect("loads"));
    let (mut call, _) = Call::new(menu.clone());
    call.walk("61");
    let out = enter(&mut call, "271828#");
    assert_eq!(out, vec![play(&["store-unavailable"])]);
    let (mut call, _) = Call::new(menu);
    call.walk("64");
    let out = new_twice(&mut call, "582046", "582046");
    assert_eq!(out, vec![play(&["18"])]);
}

#[test]
fn simulate_stops_at_the_first_password_question() {
    let lines = simulate(bundled(), CALLER, "6 2 1 582046#").unwrap();
    let want = [
        format!("ask password_status line {CALLER}"),
        "waiting for the store's answer in menu password; not used: 1 582046#".to_string(),
    ];
    assert_eq!(lines[lines.len() - 2..], want);
}
