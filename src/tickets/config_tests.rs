use std::path::{Path, PathBuf};

use super::*;

fn repo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

fn fixture(name: &str) -> (String, PathBuf) {
    let path = repo(&format!("tests/fixtures/tickets/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    (text, path)
}

/// The error's `line:column: message`, without the file.
fn at(e: ConfigError) -> String {
    format!("{}:{}: {}", e.line, e.column, e.message)
}

#[test]
fn shipped_prefectures_file_has_eleven_prefectures_two_with_logical_broadband() {
    let p = load_prefectures(&repo("config/prefectures.yaml")).unwrap();
    assert_eq!(p.all().len(), 11);
    let logical: Vec<_> = p.all().iter().filter(|p| p.logical_broadband).collect();
    assert_eq!(logical.len(), 2);
}

#[test]
fn shipped_calendar_knows_2026_and_2027_holidays_and_make_up_days() {
    let cal = load_calendar(&repo("config/holidays.yaml")).unwrap();
    assert_eq!(cal.offset().local_minus_utc(), 8 * 3600);
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert!(!cal.is_working_day(d(2026, 10, 1)));
    assert!(cal.is_working_day(d(2026, 10, 10)));
    assert!(!cal.is_working_day(d(2027, 2, 8)));
}

#[test]
fn shipped_catalogue_has_the_rule_types_and_installation_needs_an_order() {
    let c = load_catalogue(&repo("config/complaint-catalogue.yaml")).unwrap();
    let (category, t) = c.find("repair-quality").unwrap();
    assert_eq!(
        (category.code.as_str(), t.name.as_str()),
        ("fault-repair", "修障质量")
    );
    assert!(c.find(INSTALL_MOVE_TIME_LIMIT).unwrap().1.needs_order);
}

#[test]
fn duplicate_area_code_prefix_is_reported_at_its_value() {
    let (text, path) = fixture("prefectures-clash.yaml");
    let e = parse_prefectures(&text, &path).unwrap_err();
    assert_eq!(e.file, path);
    assert_eq!(at(e), "7:16: area code `055` clashes with `0551` of jinghe");
}

#[test]
fn unquoted_area_code_loses_its_zero_and_is_reported_at_its_value() {
    let text = "prefectures:\n  - code: jinghe\n    name: J\n    area_code: 551\n";
    let e = parse_prefectures(text, Path::new("p.yaml")).unwrap_err();
    assert!(e.to_string().starts_with("p.yaml:4:16: "), "{e}");
}

#[test]
fn unknown_field_in_a_prefecture_is_reported_with_its_position() {
    let text = "prefectures:\n  - code: jinghe\n    name: J\n    areacode: \"0551\"\n";
    let e = parse_prefectures(text, Path::new("p.yaml")).unwrap_err();
    assert_eq!((e.line, e.column), (4, 5), "{e}");
    assert!(e.message.contains("unknown field `areacode`"), "{e}");
}

#[test]
fn bad_date_in_holidays_is_reported_at_the_date() {
    let text = "utc_offset: \"+08:00\"\nholidays:\n  - 2026-01-01\n  - 2026-02-30\n";
    let e = parse_calendar(text, Path::new("h.yaml")).unwrap_err();
    assert_eq!((e.line, e.column), (4, 5), "{e}");
}

#[test]
fn make_up_working_day_on_a_weekday_is_refused_at_its_line() {
    let (text, path) = fixture("holidays-weekday-make-up.yaml");
    let e = parse_calendar(&text, &path).unwrap_err();
    assert_eq!(
        at(e),
        "6:5: 2026-10-09 is a Fri: a make-up working day is a Saturday or Sunday"
    );
}

#[test]
fn bad_utc_offset_is_reported_at_its_value() {
    let text = "# local time\nutc_offset: \"8 hours\"\n";
    let e = parse_calendar(text, Path::new("h.yaml")).unwrap_err();
    assert_eq!((e.line, e.column), (2, 13), "{e}");
}

#[test]
fn catalogue_type_code_used_twice_is_reported_at_the_second_use() {
    let (text, path) = fixture("catalogue-duplicate.yaml");
    let e = parse_catalogue(&text, &path).unwrap_err();
    assert_eq!(
        at(e),
        "13:15: code `repair-quality` is used twice in the catalogue"
    );
}

#[test]
fn catalogue_without_a_rule_type_is_refused() {
    let text = "categories:\n  - code: x\n    name: X\n    types:\n      - {code: y, name: Y}\n";
    let e = parse_catalogue(text, Path::new("c.yaml")).unwrap_err();
    assert_eq!((e.line, e.column), (2, 3), "{e}");
    assert!(e.message.contains("`repair-time-limit`"), "{e}");
}

#[test]
fn yaml_syntax_error_is_reported_with_its_position() {
    let text = "prefectures:\n  - code: [jinghe\n";
    let e = parse_prefectures(text, Path::new("p.yaml")).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn missing_file_names_the_file() {
    let e = load_catalogue(Path::new("/nonexistent/catalogue.yaml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/catalogue.yaml:1:1: cannot read"),
        "{e}"
    );
}

#[test]
fn shipped_password_rules_are_the_spec_defaults() {
    let rules = load_password_rules(&repo("config/passwords.yaml")).unwrap();
    assert_eq!(rules, PasswordRules::default());
    assert_eq!(
        (rules.lockout.max_failures, rules.lockout.lock_minutes),
        (5, 30)
    );
}

#[test]
fn password_rules_take_defaults_for_what_is_left_out_and_refuse_unknown_fields() {
    let file = Path::new("passwords.yaml");
    let text = "lockout:\n  max_failures: 3\nstrength:\n  refuse_line_suffix: false\n";
    let rules: PasswordRules = Doc::new(text, file).unwrap().decode().unwrap();
    assert_eq!(
        (rules.lockout.max_failures, rules.lockout.lock_minutes),
        (3, 30)
    );
    assert!(!rules.strength.refuse_line_suffix && rules.strength.refuse_straight_run);
    let typo = "lockout:\n  max_failure: 3\n";
    let e = Doc::new(typo, file)
        .unwrap()
        .decode::<PasswordRules>()
        .unwrap_err();
    assert_eq!((e.line, e.column), (2, 3), "{e}");
    assert!(e.message.contains("max_failure"), "{e}");
}
