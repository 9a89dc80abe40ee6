use std::path::{Path, PathBuf};

use chrono::TimeZone;

use super::*;
use crate::tickets::model::LineStatus;

fn repo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

/// The smallest valid file, followed by `extra` lines.
fn minimal(extra: &str) -> String {
    format!(
        "ring_timeout: 15s\nwrap_up: 30s\nannounce_every: 30s\nstarvation_bound: 5m\n\
         service_level_threshold: 15s\ncallback_key: \"1\"\n{extra}"
    )
}

const TWO_QUEUES: &str =
    "queues:\n  general: {skills: [ordinary], max_waiting: 5, max_wait: 5m}\n  \
                          senior: {skills: [senior], max_waiting: 5, max_wait: 5m}\n";

fn parse(text: &str) -> Result<QueueConfig, ConfigError> {
    parse_queue_config(text, Path::new("queues.yaml"))
}

/// The error's `line:column: message`, without the file.
fn error(text: &str) -> String {
    let e = parse(text).unwrap_err();
    assert_eq!(e.file, Path::new("queues.yaml"));
    format!("{}:{}: {}", e.line, e.column, e.message)
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// `hh:mm` local time in China on an ordinary day, as UTC.
fn beijing(hour: u32, minute: u32) -> DateTime<Utc> {
    china()
        .with_ymd_and_hms(2026, 11, 28, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn standing(tier: Tier, big_customer: bool, leased_line: bool) -> Standing {
    Standing {
        tier,
        big_customer,
        leased_line,
    }
}

#[test]
fn shipped_file_has_the_four_queues_in_order_with_their_timings() {
    let config = load_queue_config(&repo("config/queues.yaml")).unwrap();
    let names: Vec<_> = config.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["general", "senior", "supervisor", "directory"]);
    assert_eq!(config.ring_timeout, Duration::from_secs(15));
    assert_eq!(config.wrap_up, Duration::from_secs(30));
    assert_eq!(config.announce_every, Duration::from_secs(30));
    assert_eq!(config.starvation_bound, Duration::from_secs(300));
    assert_eq!(config.service_level_threshold, Duration::from_secs(15));
    assert_eq!(config.callback_key, Key::from_char('1').unwrap());
    let general = config.queue("general").unwrap();
    assert_eq!(general.skills, ["ordinary", "senior"]);
    assert_eq!(
        (general.max_waiting, general.max_wait),
        (50, Duration::from_secs(300))
    );
    assert_eq!(general.title, "普通坐席 general");
    assert_eq!(general.hours, OpeningHours::Always);
    let supervisor = config.queue("supervisor").unwrap();
    assert_eq!(supervisor.max_wait, Duration::from_secs(600));
    assert_eq!(supervisor.hours, OpeningHours::Always);
    assert!(config.queue("billing").is_none());
}

#[test]
fn times_take_milliseconds_seconds_minutes_and_hours() {
    let config = parse(&minimal(
        "queues:\n  a: {skills: [x], max_waiting: 1, max_wait: 1.5h}\n  \
         b: {skills: [x], max_waiting: 1, max_wait: 800ms}\n  \
         c: {skills: [x], max_waiting: 1, max_wait: 2.5s}\n",
    ))
    .unwrap();
    let waits: Vec<_> = config.queues.iter().map(|q| q.max_wait).collect();
    assert_eq!(
        waits,
        [
            Duration::from_secs(5400),
            Duration::from_millis(800),
            Duration::from_millis(2500)
        ]
    );
}

#[test]
fn a_queue_without_a_title_is_titled_by_its_name() {
    let config = parse(&minimal(TWO_QUEUES)).unwrap();
    assert_eq!(config.queues[0].title, "general");
    assert_eq!(config.senior_routing, None);
}

#[test]
fn senior_customers_asking_for_general_go_to_senior() {
    let config = load_queue_config(&repo("config/queues.yaml")).unwrap();
    let route = |requested, caller| config.route(requested, caller).map(|q| q.name.as_str());
    assert_eq!(
        route("general", standing(Tier::Ordinary, false, false)),
        Some("general")
    );
    assert_eq!(
        route("general", standing(Tier::Silver, false, false)),
        Some("general")
    );
    // important customers: the tiers listed
    assert_eq!(
        route("general", standing(Tier::Diamond, false, false)),
        Some("senior")
    );
    assert_eq!(
        route("general", standing(Tier::Gold, false, false)),
        Some("senior")
    );
    // big customers and leased lines whatever their tier
    assert_eq!(
        route("general", standing(Tier::Ordinary, true, false)),
        Some("senior")
    );
    assert_eq!(
        route("general", standing(Tier::Silver, false, true)),
        Some("senior")
    );
}

#[test]
fn other_queues_keep_whoever_asks_and_unknown_queues_route_nowhere() {
    let config = load_queue_config(&repo("config/queues.yaml")).unwrap();
    let diamond_big = standing(Tier::Diamond, true, true);
    for queue in ["senior", "supervisor", "directory"] {
        assert_eq!(config.route(queue, diamond_big).unwrap().name, queue);
    }
    assert_eq!(config.route("billing", diamond_big), None);
}

#[test]
fn standing_reads_the_line_and_an_unknown_caller_is_ordinary() {
    let mut line = Line {
        number: "05512345678".to_string(),
        kind: LineKind::Landline,
        status: LineStatus::Active,
        tier: Tier::Gold,
        big_customer: true,
        leased_line: false,
        prefecture: "jinghe".to_string(),
        owner_name: "张三".to_string(),
        contact_phone: None,
        contract_number: None,
    };
    assert_eq!(Standing::of(Some(&line)), standing(Tier::Gold, true, false));
    line.kind = LineKind::LeasedLine;
    line.big_customer = false;
    assert_eq!(Standing::of(Some(&line)), standing(Tier::Gold, false, true));
    assert_eq!(Standing::of(None), standing(Tier::Ordinary, false, false));
}

#[test]
fn daytime_hours_are_open_from_their_start_until_just_before_their_end() {
    let hours = OpeningHours::parse("08:00-22:00").unwrap();
    assert!(!hours.is_open(beijing(7, 59), china()));
    assert!(hours.is_open(beijing(8, 0), china()));
    assert!(hours.is_open(beijing(21, 59), china()));
    assert!(!hours.is_open(beijing(22, 0), china()));
    // 08:00 in Beijing is midnight UTC: with a UTC offset of zero it is closed then
    let utc = FixedOffset::east_opt(0).unwrap();
    assert!(!hours.is_open(beijing(8, 0), utc));
    assert!(hours.is_open(beijing(16, 0), utc));
}

#[test]
fn hours_may_have_a_break_run_over_midnight_or_end_at_24() {
    let split = OpeningHours::parse("08:00-12:00, 13:30-17:30").unwrap();
    assert!(split.is_open(beijing(11, 59), china()));
    assert!(!split.is_open(beijing(12, 30), china()));
    assert!(split.is_open(beijing(13, 30), china()));
    let night = OpeningHours::parse("22:00-06:00").unwrap();
    assert!(night.is_open(beijing(23, 0), china()));
    assert!(night.is_open(beijing(5, 59), china()));
    assert!(!night.is_open(beijing(6, 0), china()));
    assert!(!night.is_open(beijing(12, 0), china()));
    let evening = OpeningHours::parse("18:00-24:00").unwrap();
    assert!(evening.is_open(beijing(23, 59), china()));
    assert!(!evening.is_open(beijing(0, 0), china()));
    assert!(OpeningHours::Always.is_open(beijing(3, 0), china()));
}

#[test]
fn a_queue_without_hours_takes_the_files_default() {
    let text = minimal(&format!("hours: \"09:00-17:00\"\n{TWO_QUEUES}"));
    let config = parse(&text).unwrap();
    let default = OpeningHours::Daily(vec![(9 * 60, 17 * 60)]);
    assert!(config.queues.iter().all(|q| q.hours == default));
}

#[test]
fn unknown_field_is_reported_where_it_is() {
    let text = minimal(
        "queues:\n  general: {skills: [ordinary], max_waiting: 5, max_wait: 5m, colour: red}\n",
    );
    let e = error(&text);
    assert!(
        e.starts_with("8:63: queues.general: unknown field `colour`"),
        "{e}"
    );
    let e = error(&minimal(&format!("ring_timout: 15s\n{TWO_QUEUES}")));
    assert!(e.starts_with("7:1: unknown field `ring_timout`"), "{e}");
}

#[test]
fn bad_times_are_reported_at_their_value() {
    let e = error(&minimal(
        "queues:\n  general: {skills: [x], max_waiting: 5, max_wait: 5 minutes}\n",
    ));
    assert!(e.starts_with("8:52: queues.general.max_wait: invalid value: string \"5 minutes\", expected a time like"), "{e}");
    let zero = "ring_timeout: 0s\nwrap_up: 30s\nannounce_every: 30s\nstarvation_bound: 5m\n";
    let e = error(zero);
    assert!(
        e.starts_with("1:15: ring_timeout: invalid value: string \"0s\""),
        "{e}"
    );
    let e = error(&minimal(
        "queues:\n  general: {skills: [x], max_waiting: 5, max_wait: 2d}\n",
    ));
    assert!(
        e.starts_with("8:52: queues.general.max_wait: invalid value: string \"2d\""),
        "{e}"
    );
    let e = error(&minimal(
        "queues:\n  general: {skills: [x], max_waiting: 5, max_wait: 25h}\n",
    ));
    assert!(
        e.starts_with("8:52: queues.general.max_wait: invalid value: string \"25h\""),
        "{e}"
    );
}

#[test]
fn empty_skills_are_reported_at_the_list() {
    let e = error(&minimal(
        "queues:\n  general: {skills: [], max_waiting: 5, max_wait: 5m}\n",
    ));
    assert_eq!(e, "8:21: queue `general` needs at least one skill");
}

#[test]
fn a_malformed_or_repeated_skill_is_reported_at_itself() {
    let e = error(&minimal(
        "queues:\n  general:\n    skills: [ordinary, senior, ordinary]\n    max_waiting: 5\n    max_wait: 5m\n",
    ));
    assert_eq!(e, "9:32: skill `ordinary` is listed twice");
    let e = error(&minimal(
        "queues:\n  general: {skills: [\"a b\"], max_waiting: 5, max_wait: 5m}\n",
    ));
    assert_eq!(e, "8:22: skill `a b` must be letters, digits, `-` and `_`");
}

#[test]
fn zero_max_waiting_is_reported_at_its_value() {
    let e = error(&minimal(
        "queues:\n  general: {skills: [x], max_waiting: 0, max_wait: 5m}\n",
    ));
    assert!(e.starts_with("8:39: max_waiting must be at least 1"), "{e}");
}

#[test]
fn a_senior_routing_target_that_is_not_a_queue_is_reported_at_it() {
    let text = minimal(&format!(
        "senior_routing:\n  from: general\n  to: vip\n{TWO_QUEUES}"
    ));
    assert_eq!(error(&text), "9:7: senior_routing.to: `vip` is not a queue");
    let text = minimal(&format!(
        "senior_routing: {{from: normal, to: senior}}\n{TWO_QUEUES}"
    ));
    assert_eq!(
        error(&text),
        "7:24: senior_routing.from: `normal` is not a queue"
    );
    let text = minimal(&format!(
        "senior_routing: {{from: senior, to: senior}}\n{TWO_QUEUES}"
    ));
    assert_eq!(
        error(&text),
        "7:36: senior_routing.to must be another queue than `from`"
    );
    let text = minimal(&format!(
        "senior_routing: {{from: general, to: senior, tiers: [platinum]}}\n{TWO_QUEUES}"
    ));
    let e = error(&text);
    assert!(
        e.starts_with("7:52: senior_routing.tiers: unknown customer tier `platinum`"),
        "{e}"
    );
}

#[test]
fn bad_hours_are_reported_at_their_value() {
    for bad in [
        "\"8-22\"",
        "\"08:00-25:00\"",
        "\"08:00-08:00\"",
        "sometimes",
        "\"08:00-12:00,\"",
    ] {
        let text = minimal(&format!(
            "queues:\n  general: {{skills: [x], max_waiting: 5, max_wait: 5m, hours: {bad}}}\n"
        ));
        let e = error(&text);
        assert!(
            e.starts_with("8:63: queues.general.hours: invalid value"),
            "{bad}: {e}"
        );
        assert!(e.contains("expected `always` or local times"), "{bad}: {e}");
    }
    let e = error(&minimal(&format!("hours: \"24:00-08:00\"\n{TWO_QUEUES}")));
    assert!(
        e.starts_with("7:8: hours: invalid value: string \"24:00-08:00\""),
        "{e}"
    );
}

#[test]
fn the_callback_key_is_one_key() {
    let text = minimal(TWO_QUEUES).replace("callback_key: \"1\"", "callback_key: \"12\"");
    let e = error(&text);
    assert!(
        e.starts_with("6:15: callback_key: invalid value: string \"12\", expected one key"),
        "{e}"
    );
    let hash = minimal(TWO_QUEUES).replace("callback_key: \"1\"", "callback_key: \"#\"");
    assert_eq!(
        parse(&hash).unwrap().callback_key,
        Key::from_char('#').unwrap()
    );
}

#[test]
fn queue_names_are_checked_and_at_least_one_queue_is_needed() {
    let e = error(&minimal(
        "queues:\n  General: {skills: [x], max_waiting: 5, max_wait: 5m}\n",
    ));
    assert_eq!(
        e,
        "8:12: queue name `General` must be lower-case letters, digits and `-`"
    );
    let e = error(&minimal("queues: {}\n"));
    assert_eq!(e, "7:9: at least one queue is needed");
    let twice = "queues:\n  a: {skills: [x], max_waiting: 5, max_wait: 5m}\n  \
                 a: {skills: [y], max_waiting: 5, max_wait: 5m}\n";
    let e = error(&minimal(twice));
    assert_eq!(e, "9:6: queue `a` is defined twice");
}

#[test]
fn unreadable_file_is_reported_at_its_start() {
    let e = load_queue_config(Path::new("/nonexistent/queues.yaml")).unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(e.message.starts_with("cannot read"));
}

#[test]
fn an_unquoted_digit_key_is_a_key_but_a_time_needs_its_unit() {
    let bare_key = minimal(TWO_QUEUES).replace("callback_key: \"1\"", "callback_key: 9");
    assert_eq!(
        parse(&bare_key).unwrap().callback_key,
        Key::from_char('9').unwrap()
    );
    let bare_time = minimal(TWO_QUEUES).replace("wrap_up: 30s", "wrap_up: 30");
    let e = error(&bare_time);
    assert!(
        e.starts_with("2:10: wrap_up: invalid value: string \"30\", expected a time"),
        "{e}"
    );
}

#[test]
fn a_queue_kept_by_an_external_acd_needs_a_sip_address_and_no_skills() {
    let text = minimal(
        "queues:\n  general: {skills: [ordinary], max_waiting: 5, max_wait: 5m}\n  \
         acd: {refer_to: \"sip:acd@10.0.0.9\", max_waiting: 5, max_wait: 5m}\n",
    );
    let config = parse(&text).unwrap();
    let acd = config.queue("acd").unwrap();
    assert_eq!(acd.refer_to.as_deref(), Some("sip:acd@10.0.0.9"));
    assert!(acd.skills.is_empty());
    assert_eq!(config.queue("general").unwrap().refer_to, None);

    let text = text.replace("sip:acd@10.0.0.9", "tel:114");
    let e = error(&text);
    assert!(
        e.starts_with("9:19: refer_to needs a SIP address like sip:acd@10.0.0.9, found `tel:114`"),
        "{e}"
    );
    let e = error(&minimal(
        "queues:\n  general: {max_waiting: 5, max_wait: 5m}\n",
    ));
    assert!(
        e.contains("queue `general` needs at least one skill"),
        "{e}"
    );
}
