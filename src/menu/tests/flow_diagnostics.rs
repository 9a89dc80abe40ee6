//! Loading the ticket-flow parts of a menu (`set`, `lookup_line`, `submit`, `record:`,
//! `say_digits: serial`): each mistake with its exact line, column and message, and the
//! requests' branches as ways through the menu.

use super::diagnostics::{at, menu_key, problems, with_menus};
use super::{load, locate};

/// The one diagnostic of `text`, as (line, column, message).
pub(super) fn only(text: &str) -> (usize, usize, String) {
    let d = problems(text);
    assert_eq!(d.len(), 1, "{d:#?}");
    (d[0].line, d[0].column, d[0].message.clone())
}

/// `text` with a menu `extra` (prompt 21) whose key 1 does `action`.
pub(super) fn with_key_action(action: &str) -> String {
    with_menus(&format!(
        "  extra:\n    prompt: 21\n    keys:\n      1: {action}\n"
    ))
}

/// Where `needle` is first written in the added menus, moved `offset` characters right.
pub(super) fn at_text(text: &str, needle: &str, offset: usize) -> (usize, usize) {
    let extra = text.find("\n  extra:").expect("the added menus") + 1;
    let before = text[..extra].matches(needle).count();
    let (line, column) = locate(text, needle, before);
    (line, column + offset)
}

/// Where `needle` is first written in the added menus.
pub(super) fn find(text: &str, needle: &str) -> (usize, usize) {
    at_text(text, needle, 0)
}

pub(super) fn expect(text: &str, place: (usize, usize), message: &str) {
    assert_eq!(only(text), (place.0, place.1, message.to_string()));
}

#[test]
fn set_refuses_an_unknown_field() {
    let text = with_key_action("{set: {colour: red}, then: top}");
    let message = "unknown field `colour` in `set`; allowed: product, number, phenomenon, \
                   contact, complaint_type, order, contract, password, new_password, \
                   new_password_again, card, card_pin";
    expect(&text, find(&text, "colour"), message);
}

#[test]
fn set_refuses_a_value_its_field_does_not_take() {
    let text = with_key_action("{set: {product: fax}, then: top}");
    let message = "`product` takes `telephone` or `broadband`, found `fax`";
    expect(&text, find(&text, "fax"), message);
    let text = with_key_action("{set: {contact: serial}, then: top}");
    let message = "`contact` takes `caller`, `collected` or digits like \"0571\", found `serial`";
    expect(&text, find(&text, "serial}"), message);
    let text = with_key_action("{set: {phenomenon: No-Tone}, then: top}");
    let message =
        "`phenomenon` takes `collected` or a code of a-z, 0-9 and - like `noise`, found `No-Tone`";
    expect(&text, find(&text, "No-Tone"), message);
}

#[test]
fn set_needs_a_field_and_then() {
    let text = with_key_action("{set: {order: \"77\"}}");
    let message = "`set` needs `then:`, the action once the fields are set";
    expect(&text, at_text(&text, "{set: {order", 1), message);
    let text = with_key_action("{set: {}, then: top}");
    let message = "`set` needs a field: product, number, phenomenon, contact, complaint_type, \
                   order, contract, password, new_password, new_password_again, card, card_pin";
    expect(&text, find(&text, "{}, then: top"), message);
}

#[test]
fn lookup_line_needs_exactly_its_five_branches() {
    let text = with_key_action(
        "\n        lookup_line:\n          telephone: top\n          broadband: top\n          \
         unknown: repeat\n          maybe: top\n          unavailable: top",
    );
    let d = problems(&text);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(
        d[0].message, "`lookup_line` needs the branch `not_112`",
        "at the action's name"
    );
    assert_eq!((d[0].line, d[0].column), find(&text, "lookup_line:"));
    let unknown = "unknown branch `maybe` in `lookup_line`; its branches are: telephone, \
                   broadband, unknown, not_112, unavailable";
    assert_eq!(d[1].message, unknown);
    assert_eq!((d[1].line, d[1].column), find(&text, "maybe"));
    let text = with_key_action("{lookup_line: telephone}");
    let message = "`lookup_line` needs its branches (telephone, broadband, unknown, not_112, \
                   unavailable) as a map, found text";
    expect(&text, find(&text, "telephone}"), message);
}

#[test]
fn submit_refuses_an_unknown_kind() {
    let text = with_key_action("{submit: praise, created: top}");
    let message = "`submit` takes fault, complaint or suggestion, found `praise`";
    expect(&text, find(&text, "praise"), message);
}

#[test]
fn submit_needs_every_branch_of_its_kind() {
    let text = with_key_action(
        "{submit: complaint, created: top, urged: top, remind_to_pay: top, refused: top, \
         unavailable: top}",
    );
    let message = "`submit: complaint` needs the branch `supervisor`";
    expect(&text, at_text(&text, "{submit: complaint", 1), message);
}

#[test]
fn a_suggestion_has_no_urged_branch() {
    let text = with_key_action(
        "{submit: suggestion, created: top, urged: top, refused: top, unavailable: top}",
    );
    let message = "`submit: suggestion` has no `urged` branch; its branches are: created, \
                   refused, unavailable";
    expect(&text, find(&text, "urged: top, refused"), message);
}

#[test]
fn submit_takes_branches_not_then() {
    let text = with_key_action(
        "{submit: suggestion, created: top, refused: top, unavailable: top, then: top}",
    );
    let message = "`then` only follows play, say_digits, set, say; not `submit`";
    expect(&text, find(&text, "then: top}"), message);
}

#[test]
fn say_digits_names_serial_among_its_sources() {
    let text = with_key_action("{say_digits: ticket}");
    let message =
        "`say_digits` takes `collected`, `caller`, `serial` or digits like \"102\", found `ticket`";
    expect(&text, find(&text, "ticket"), message);
}

/// `text` with a record menu `extra`: `record` is the map's fields, `rest` more lines.
fn with_record(record: &str, rest: &str) -> String {
    with_menus(&format!(
        "  extra:\n    prompt: [describe, beep]\n    record: {{{record}}}\n{rest}"
    ))
}

#[test]
fn record_refuses_a_bad_max() {
    for bad in ["10m", "0s", "301s"] {
        let text = with_record(&format!("max: {bad}, then: top"), "");
        let message = format!(
            "`max` must be a time like 5s, 1.5s or 800ms (at most 5 minutes), found `{bad}`"
        );
        expect(&text, find(&text, bad), &message);
    }
}

#[test]
fn record_refuses_unknown_fields_and_needs_then() {
    let text = with_record("length: 60s, then: top", "");
    let message = "unknown field `length` in `record` of menu `extra`; allowed: max, end_key, then";
    expect(&text, find(&text, "length"), message);
    let text = with_record("max: 60s", "");
    let message = "`record` of menu `extra` needs `then`";
    expect(&text, find(&text, "record:"), message);
}

#[test]
fn record_end_key_is_no_menu_key_and_a_menu_cannot_also_collect() {
    let text = with_record("end_key: \"*\", then: top", "    keys: {\"*\": back}\n");
    let message =
        "key `*` is the end key of the recording in menu `extra`; only other keys can have actions here";
    expect(&text, find(&text, "\"*\": back}\n"), message);
    let text = with_record("then: top", "    collect: {max_digits: 4, then: top}\n");
    let message = "menu `extra` has both `collect:` and `record:`; a menu does one of them";
    expect(&text, find(&text, "record:"), message);
}

/// Menu `extra` (a suggestion whose `refused` branch is `refused`) and `extra-b`, which
/// does `b_key` on key 1; neither has any other way on.
fn branch_graph(refused: &str, b_key: &str) -> String {
    with_menus(&format!(
        "  extra:\n    prompt: 21\n    on_too_many: repeat\n    keys:\n      1: {{submit: \
         suggestion, created: repeat, refused: {refused}, unavailable: repeat}}\n  extra-b:\n    \
         prompt: 21\n    on_too_many: repeat\n    keys: {{1: {b_key}}}\n"
    ))
}

#[test]
fn request_branches_are_ways_through_the_menu() {
    assert!(load(&branch_graph("{goto: extra-b}", "hangup")).is_ok());
    let text = branch_graph("{goto: extra-b}", "{goto: extra}");
    let d = problems(&text);
    assert_eq!(d.len(), 2, "{d:#?}");
    let trapped = "menu `extra` has no way out: from it no hangup or transfer can be reached \
                   (the call loops among extra, extra-b)";
    assert_eq!(d[0].message, trapped);
    assert_eq!((d[0].line, d[0].column), menu_key(&text, "extra", 0));
    let text = branch_graph("repeat", "hangup");
    let d = problems(&text);
    assert_eq!(
        at(&d, "menu `extra-b` can never be reached"),
        menu_key(&text, "extra-b", 0)
    );
    assert_eq!(
        at(&d, "menu `extra` has no way out"),
        menu_key(&text, "extra", 0)
    );
}

#[test]
fn a_mistake_in_a_block_reused_by_an_alias_is_reported_once() {
    let text = super::edit(
        super::BUNDLED,
        "lookup_line: &fault-line\n",
        "lookup_line: &fault-line\n            maybe: top\n",
    );
    let message = "unknown branch `maybe` in `lookup_line`; its branches are: telephone, \
                   broadband, unknown, not_112, unavailable";
    expect(&text, locate(&text, "maybe", 0), message);
}
