//! Loading: every class of problem reported at its exact line and column, on broken
//! copies of the bundled menu. Expected positions are found by locating the edited text.

use super::{edit, load, locate, BUNDLED};
use crate::menu::Diagnostic;

pub(super) fn problems(text: &str) -> Vec<Diagnostic> {
    match load(text) {
        Ok(_) => panic!("the broken menu loaded"),
        Err(d) => d,
    }
}

/// The one diagnostic whose message contains `part`, as (line, column).
pub(super) fn at(diagnostics: &[Diagnostic], part: &str) -> (usize, usize) {
    let found: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.message.contains(part))
        .collect();
    assert_eq!(found.len(), 1, "`{part}` in {diagnostics:#?}");
    (found[0].line, found[0].column)
}

/// Where menu `id` is named (the `nth` time) under `menus:`.
pub(super) fn menu_key(text: &str, id: &str, nth: usize) -> (usize, usize) {
    let (line, _) = locate(text, &format!("\n  {id}:"), nth);
    (line + 1, 3)
}

/// Adds menus at the end of the bundled file, reachable from the main menu by key 9.
pub(super) fn with_menus(extra: &str) -> String {
    let text = edit(
        BUNDLED,
        "      0: {transfer: agent}\n",
        "      0: {transfer: agent}\n      9: {goto: extra}\n",
    );
    format!("{text}{extra}")
}

#[test]
fn bundled_menu_loads_and_uses_the_manuals_prompt_ids() {
    let menu = super::bundled();
    let mut names: Vec<String> = menu.prompt_refs().into_iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    let want = [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "102",
        "11",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "27",
        "28",
        "29",
        "31",
        "afternoon",
        "balance-is",
        "balance-unknown",
        "beep",
        "booking-info",
        "card-number",
        "card-pin",
        "card-refused",
        "charges-are",
        "complaint-accepted",
        "complaint-category",
        "complaint-type-billing",
        "complaint-type-fault-repair",
        "complaint-type-installation",
        "complaint-type-network",
        "complaint-type-service",
        "contact-number",
        "day",
        "describe",
        "digit-0",
        "digit-1",
        "digit-2",
        "digit-3",
        "digit-4",
        "digit-5",
        "digit-6",
        "digit-7",
        "digit-8",
        "digit-9",
        "fault-accepted",
        "fault-product",
        "fen",
        "jiao",
        "month",
        "morning",
        "negative",
        "not-112",
        "num-1",
        "num-10",
        "num-100",
        "num-1000",
        "num-10000",
        "num-100000000",
        "number-unknown",
        "o-clock",
        "order-appointed",
        "order-construction",
        "order-deferred",
        "order-done",
        "order-number",
        "order-unknown",
        "order-waiting",
        "owing",
        "password-info",
        "password-locked",
        "password-not-allowed",
        "password-other-line",
        "password-six-digits",
        "password-weak-line",
        "password-weak-run",
        "password-weak-same",
        "phenomenon-broadband",
        "phenomenon-telephone",
        "remind-to-pay",
        "repair-accepted",
        "repair-dispatched",
        "repair-due",
        "repair-in-progress",
        "repair-none",
        "repair-offer",
        "repair-overdue",
        "report-done",
        "report-refused",
        "store-unavailable",
        "suggestion-accepted",
        "suggestion-describe",
        "supervisor-handoff",
        "topup-done",
        "topup-offer",
        "urged",
        "whose-number",
        "yuan",
    ];
    let want: Vec<String> = want.iter().map(|id| format!("zh/{id}")).collect();
    assert_eq!(names, want);
}

#[test]
fn diagnostic_displays_as_file_line_column_message() {
    let text = "language: zh\ndefaults:\n    timeout: 5s\n    colour: red\n";
    let d = problems(text);
    assert_eq!(
        d[0].to_string(),
        "menus/hotline.yaml:1:1: the menu file needs `menus`"
    );
    let unknown = d.iter().find(|d| d.message.contains("colour")).unwrap();
    assert_eq!((unknown.line, unknown.column), (4, 5));
}

#[test]
fn missing_field_is_reported_at_the_name_of_its_map() {
    let text = edit(BUNDLED, "  max_timeouts: 3 ", "  # max_timeouts: 3 ");
    let d = problems(&text);
    let (line, _) = locate(&text, "\ndefaults:", 0);
    assert_eq!(at(&d, "`defaults` needs `max_timeouts`"), (line + 1, 1));
    let entry = "  extra:\n    prompt: 21\n    collect: {min_digits: 2}\n";
    let text = with_menus(entry);
    let d = problems(&text);
    let collect = locate(&text, "collect: {min_digits", 0);
    assert_eq!(at(&d, "needs `max_digits`"), collect);
    assert_eq!(at(&d, "needs `then`"), collect);
}

#[test]
fn yaml_syntax_error_is_reported_where_the_parser_stops() {
    let text = edit(BUNDLED, "    prompt: 04", "    prompt: \"04");
    let d = problems(&text);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].line, d[0].column), locate(&text, "\"04", 0));
}

#[test]
fn unquoted_star_key_is_pointed_at_with_the_fix() {
    let text = edit(
        BUNDLED,
        "      \"*\": back\n\n  consult",
        "      *: back\n\n  consult",
    );
    let d = problems(&text);
    assert_eq!((d[0].line, d[0].column), locate(&text, "*: back", 0));
    assert!(d[0].message.contains("in quotes"), "{}", d[0].message);
}

#[test]
fn unknown_field_is_named_with_the_allowed_ones() {
    let text = edit(BUNDLED, "    prompt: 04", "    promt: 04");
    let d = problems(&text);
    assert_eq!(at(&d, "unknown field `promt`"), locate(&text, "promt", 0));
    let message = &d
        .iter()
        .find(|d| d.message.contains("promt"))
        .unwrap()
        .message;
    assert!(
        message.contains("allowed: prompt, keys, collect, record, timeout"),
        "{message}"
    );
    assert_eq!(at(&d, "needs `prompt`"), locate(&text, "query:", 0));
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    let text = edit(BUNDLED, "  max_failures: 3 ", "  max_failures: three ");
    assert_eq!(
        at(&problems(&text), "whole number"),
        locate(&text, "three", 0)
    );
    let text = edit(BUNDLED, "    prompt: 03", "    prompt: {id: 03}");
    assert_eq!(
        at(&problems(&text), "`prompt` needs"),
        locate(&text, "{id: 03}", 0)
    );
    let text = edit(BUNDLED, "  timeout: 5s", "  timeout: soon");
    assert_eq!(at(&problems(&text), "time like"), locate(&text, "soon", 0));
    let text = edit(BUNDLED, "  barge_in: true", "  barge_in: [true]");
    assert_eq!(
        at(&problems(&text), "must be text"),
        locate(&text, "[true]", 0)
    );
}

#[test]
fn unknown_target_menu_is_reported_at_its_name() {
    let text = edit(BUNDLED, "{goto: fault}", "{goto: faults}");
    let d = problems(&text);
    assert_eq!(
        at(&d, "no menu named `faults`"),
        locate(&text, "faults}", 0)
    );
}

#[test]
fn unknown_transfer_name_is_reported_at_its_name() {
    let text = edit(BUNDLED, "{transfer: directory}", "{transfer: directroy}");
    let d = problems(&text);
    assert_eq!(
        at(&d, "no transfer named `directroy`"),
        locate(&text, "directroy", 0)
    );
    assert!(d[0].message.contains("agent, directory, long-distance"));
}

#[test]
fn a_transfer_is_a_queue_or_a_sip_address() {
    let text = edit(BUNDLED, "{queue: general}", "{queue: general, ring: all}");
    let d = problems(&text);
    assert_eq!(
        at(&d, "unknown field `ring`"),
        locate(&text, "ring: all", 0)
    );
    let text = edit(BUNDLED, "{queue: directory}", "ftp:114");
    let d = problems(&text);
    assert_eq!(
        at(&d, "needs `{queue: NAME}` or a SIP address"),
        locate(&text, "ftp:114", 0)
    );
}

#[test]
fn unknown_action_is_reported_with_the_known_ones() {
    let text = edit(
        BUNDLED,
        "      \"*\": back\n\n  consult",
        "      \"*\": bak\n\n  consult",
    );
    let d = problems(&text);
    assert_eq!(at(&d, "unknown action `bak`"), locate(&text, "bak", 0));
    let text = edit(
        BUNDLED,
        "2: {play: 102, then: back}",
        "2: {goto: business, then: back}",
    );
    let (line, column) = locate(&text, "{goto: business, then: back}", 0);
    let then = (line, column + "{goto: business, ".len());
    assert_eq!(at(&problems(&text), "`then` only follows"), then);
}

#[test]
fn unreachable_menus_are_each_reported_at_their_name() {
    let text = edit(BUNDLED, "      2: {goto: consult}\n", "");
    let d = problems(&text);
    assert_eq!(d.len(), 3, "{d:#?}");
    for id in ["consult", "business", "value-added"] {
        let message = format!("menu `{id}` can never be reached");
        assert_eq!(at(&d, &message), menu_key(&text, id, 0));
    }
}

#[test]
fn key_used_twice_in_one_menu_is_reported_at_the_second() {
    let text = edit(
        BUNDLED,
        "      0: {transfer: agent}\n",
        "      0: {transfer: agent}\n      \"1\": {goto: fault}\n",
    );
    let d = problems(&text);
    assert_eq!(
        at(&d, "key `1` is used twice in menu `main`"),
        locate(&text, "\"1\": {goto: fault}", 0)
    );
    assert!(d[0].message.contains(&format!(
        "first on line {}",
        locate(&text, "1: {goto: query}", 0).0
    )));
}

#[test]
fn field_or_menu_written_twice_is_reported_at_the_second() {
    let text = edit(
        BUNDLED,
        "    prompt: 07\n",
        "    prompt: 07\n    prompt: 102\n",
    );
    let twice = at(&problems(&text), "`prompt` is given twice");
    assert_eq!(twice, locate(&text, "prompt: 102", 0));
    let text = format!("{BUNDLED}  fault:\n    prompt: 06\n    keys: {{1: back}}\n");
    let second = menu_key(&text, "fault", 1);
    assert_eq!(
        at(&problems(&text), "menu `fault` is defined twice"),
        second
    );
}

#[test]
fn invalid_key_name_is_reported_at_the_key() {
    let text = edit(
        BUNDLED,
        "      6: {goto: password}",
        "      66: {goto: password}",
    );
    let d = problems(&text);
    assert_eq!(
        d.len(),
        1,
        "graph checks wait for a menu that decodes: {d:#?}"
    );
    assert_eq!(at(&d, "`66` is not a key"), locate(&text, "66:", 0));
}

#[test]
fn bad_pattern_is_reported_at_the_pattern() {
    let text = with_menus(
        "  extra:\n    prompt: 21\n    collect:\n      max_digits: 12\n      pattern: '[0-9'\n      then: back\n",
    );
    let d = problems(&text);
    assert_eq!(
        at(&d, "bad pattern `[0-9`: unclosed character class"),
        locate(&text, "'[0-9'", 0)
    );
}

#[test]
fn entry_digits_cannot_also_be_menu_keys() {
    let text = with_menus(
        "  extra:\n    prompt: 21\n    collect: {max_digits: 4, then: back}\n    keys: {\"#\": top, 5: back}\n",
    );
    let d = problems(&text);
    assert_eq!(
        at(&d, "key `#` is the end key"),
        locate(&text, "\"#\": top", 0)
    );
    assert_eq!(at(&d, "key `5` is a digit"), locate(&text, "5: back", 0));
}

#[test]
fn loop_with_no_way_out_is_reported_at_each_trapped_menu() {
    let trap = "  extra:\n    prompt: 03\n    on_too_many: repeat\n    keys: {1: {goto: trap-b}}\n  \
                trap-b:\n    prompt: 04\n    on_too_many: repeat\n    keys: {1: {goto: extra}, 2: {play: 28}}\n";
    let text = with_menus(trap);
    let d = problems(&text);
    assert_eq!(d.len(), 2, "{d:#?}");
    let a = at(&d, "menu `extra` has no way out");
    assert_eq!(a, menu_key(&text, "extra", 0));
    assert_eq!(
        at(&d, "menu `trap-b` has no way out"),
        menu_key(&text, "trap-b", 0)
    );
    assert!(
        d[0].message.contains("loops among extra, trap-b"),
        "{}",
        d[0].message
    );
}

#[test]
fn a_way_back_out_of_a_loop_is_a_way_out() {
    let trap = "  extra:\n    prompt: 03\n    on_too_many: repeat\n    keys: {1: {goto: trap-b}, \"*\": back}\n  \
                trap-b:\n    prompt: 04\n    on_too_many: repeat\n    keys: {1: {goto: extra}}\n";
    assert!(load(&with_menus(trap)).is_ok());
}

#[test]
fn all_problems_are_reported_in_file_order() {
    let text = edit(BUNDLED, "{goto: fault}", "{goto: faults}");
    let text = edit(&text, "    prompt: 27", "    prompt: 2/7");
    let d = problems(&text);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d[0].line < d[1].line);
    assert_eq!(at(&d, "not a valid prompt id"), locate(&text, "2/7", 0));
}

#[test]
fn empty_file_and_second_document_are_refused() {
    assert_eq!(problems("# nothing\n")[0].message, "the menu file is empty");
    let text = format!("{BUNDLED}---\nlanguage: en\n");
    let (line, _) = locate(&text, "\n---", 0);
    assert_eq!(at(&problems(&text), "one document"), (line + 1, 1));
}
