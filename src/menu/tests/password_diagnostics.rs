//! Loading the password vocabulary (`password_status`, `check_password`,
//! `set_password`, `say`, the secret fields of `set`): each mistake at its exact line
//! and column, and the digits of a secret entry kept out of everything but the password
//! fields.

use super::diagnostics::{problems, with_menus};
use super::flow_diagnostics::{expect, find, with_key_action};

/// `text` with a menu `extra` whose secret entry's `then` is `then`.
fn with_secret_entry(then: &str) -> String {
    with_menus(&format!(
        "  extra:\n    prompt: 15\n    collect:\n      max_digits: 12\n      secret: true\n      \
         then: {then}\n    keys: {{\"*\": back}}\n"
    ))
}

const CHECK: &str = "{check_password: {accepted: top, wrong: repeat, too_many_wrong: hangup, \
                     locked: top, unavailable: top}}";

#[test]
fn password_fields_take_only_the_digits_of_a_secret_entry() {
    let text = with_key_action("{set: {password: collected}, then: top}");
    let message = "`password` takes only `collected`, in the `then:` of a `collect:` with \
                   `secret: true` (the digits of a secret entry), found `collected`";
    expect(&text, find(&text, "collected}"), message);
    let text = with_secret_entry("{set: {new_password: \"123456\"}, then: top}");
    let message = "`new_password` takes only `collected`, in the `then:` of a `collect:` with \
                   `secret: true` (the digits of a secret entry), found `123456`";
    expect(&text, find(&text, "\"123456\""), message);
    let loads = with_secret_entry(&format!("{{set: {{password: collected}}, then: {CHECK}}}"));
    assert!(super::load(&loads).is_ok());
}

#[test]
fn the_digits_of_a_secret_entry_are_never_spoken_or_copied() {
    let text = with_secret_entry("{say_digits: collected}");
    let message = "the digits of a secret entry are never spoken: `say_digits: collected` \
                   cannot follow a `collect:` with `secret: true`";
    expect(&text, find(&text, "collected}"), message);
    let text = with_secret_entry("{set: {contract: collected}, then: top}");
    let message = "`contract`: the digits of a secret entry go only to `password`, \
                   `new_password`, `new_password_again` or `card_pin`";
    expect(&text, find(&text, "collected}"), message);
}

#[test]
fn password_status_takes_line_or_contract_and_each_its_branches() {
    let text = with_key_action("{password_status: phone, no_password: top}");
    let message = "`password_status` takes line or contract, found `phone`";
    expect(&text, find(&text, "phone"), message);
    let line = "{password_status: line, no_password: top, has_password: top, other_line: top, \
                not_allowed: top, unavailable: top, unknown: top}";
    let text = with_key_action(line);
    let message = "`password_status: line` has no `unknown` branch; its branches are: \
                   no_password, has_password, other_line, not_allowed, unavailable";
    expect(&text, find(&text, "unknown"), message);
    let contract = "{password_status: contract, no_password: top, has_password: top, \
                    other_line: top, not_allowed: top, unavailable: top}";
    let d = problems(&with_key_action(contract));
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`password_status: contract` needs the branch `too_many_wrong`",
            "`password_status: contract` needs the branch `unknown`",
        ]
    );
}

#[test]
fn check_and_set_password_need_their_branches_as_a_map() {
    let text = with_key_action("{check_password: {accepted: top, wrong: top}}");
    let d = problems(&text);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert_eq!(d[0].message, "`check_password` needs the branch `locked`");
    assert_eq!((d[0].line, d[0].column), find(&text, "check_password"));
    let text = with_key_action("{set_password: stored}");
    let message = "`set_password` needs its branches (stored, mismatch, weak, unavailable) as \
                   a map, found text";
    expect(&text, find(&text, "stored}"), message);
}

#[test]
fn say_speaks_only_what_a_reply_told_and_takes_then() {
    let text = with_key_action("{say: serial}");
    expect(
        &text,
        find(&text, "serial"),
        "`say` takes weakness, balance, charges, new_balance, order, repair, found `serial`",
    );
    let menu = super::load(&with_key_action("{say: weakness, then: back}")).expect("loads");
    let prompts: Vec<String> = menu.prompt_refs().into_iter().map(|(n, _)| n).collect();
    assert!(prompts.contains(&"zh/password-weak-line".to_string()));
}

#[test]
fn password_branches_are_ways_through_the_menu() {
    // `stuck` is reached only by a password branch; its only way out is another one.
    let extra = "  extra:\n    prompt: 15\n    on_too_many: repeat\n    keys:\n      1: \
                 {check_password: {accepted: {goto: stuck}, wrong: repeat, too_many_wrong: \
                 repeat, locked: repeat, unavailable: repeat}}\n  stuck:\n    prompt: 16\n    \
                 on_too_many: repeat\n    keys:\n      1: {set_password: {stored: repeat, \
                 mismatch: repeat, weak: hangup, unavailable: repeat}}\n";
    assert!(super::load(&with_menus(extra)).is_ok());
    let trapped = extra.replace("weak: hangup", "weak: repeat");
    let d = problems(&with_menus(&trapped));
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages[1].starts_with("menu `stuck` has no way out"),
        "{messages:#?}"
    );
}
