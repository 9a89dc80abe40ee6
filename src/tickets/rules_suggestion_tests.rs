//! The suggestion rule (3 → 3): who may leave one, where it goes and when it is due.

use super::*;

fn suggestion_request() -> SuggestionRequest {
    SuggestionRequest {
        contact_name: String::new(),
        contact_phone: "13800000001".into(),
        description: "希望延长营业厅周末营业时间".into(),
        menu_path: "3-3".into(),
    }
}

/// The suggestion ticket of a decision, or panics.
fn suggestion(decision: Decision) -> NewTicket {
    match decision {
        Decision::Suggestion { ticket } => ticket,
        other => panic!("expected a suggestion, got {other:?}"),
    }
}

#[test]
fn suggestion_from_a_known_line_is_a_general_customer_service_ticket() {
    let mut gold = landline();
    gold.tier = Tier::Gold;
    let now = at(2, 10, 0);
    let d = decide_suggestion(
        &suggestion_request(),
        "05512345678",
        Some(&gold),
        &calendar(),
        now,
    );
    let ticket = suggestion(d);
    assert_eq!(ticket.kind, TicketKind::Suggestion);
    assert_eq!(ticket.team, Team::CustomerService);
    assert_eq!((ticket.priority, ticket.rush), (Priority::General, false));
    assert_eq!(
        (ticket.number.as_str(), ticket.prefecture.as_str()),
        ("05512345678", "jinghe")
    );
    assert_eq!(ticket.subscriber_name, "王建国");
    assert_eq!(ticket.contact_phone, "13800000001");
    assert_eq!(ticket.content, "希望延长营业厅周末营业时间");
    assert_eq!((ticket.menu_path.as_str(), ticket.created_at), ("3-3", now));
}

#[test]
fn suggestion_from_a_number_we_do_not_serve_is_accepted_with_an_empty_prefecture() {
    let d = decide_suggestion(
        &suggestion_request(),
        "13912340000",
        None,
        &calendar(),
        at(2, 10, 0),
    );
    let ticket = suggestion(d);
    assert_eq!(ticket.number, "13912340000");
    assert_eq!(ticket.prefecture, "");
    assert_eq!(ticket.subscriber_name, "");
}

#[test]
fn suggestion_from_a_line_in_arrears_is_still_taken() {
    let mut arrears = landline();
    arrears.status = LineStatus::SuspendedForArrears;
    let d = decide_suggestion(
        &suggestion_request(),
        "05512345678",
        Some(&arrears),
        &calendar(),
        at(2, 10, 0),
    );
    assert!(matches!(d, Decision::Suggestion { .. }), "{d:?}");
}

#[test]
fn suggestion_without_a_contact_phone_is_refused() {
    for phone in ["", "  ", "12ab5678"] {
        let mut request = suggestion_request();
        request.contact_phone = phone.into();
        let d = decide_suggestion(&request, "05512345678", None, &calendar(), at(2, 10, 0));
        assert_eq!(d, refused(Refusal::MissingContactPhone), "{phone:?}");
    }
}

#[test]
fn suggestion_is_due_in_7_working_days_across_a_holiday() {
    // Fri 6 March 15:00, Mon 9 a holiday: Tue 10 … Wed 18 are the 7 working days.
    let holiday = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let calendar = Calendar::new(FixedOffset::east_opt(8 * 3600).unwrap(), [holiday], []);
    let now = at(6, 15, 0);
    let d = decide_suggestion(&suggestion_request(), "05512345678", None, &calendar, now);
    let ticket = suggestion(d);
    assert_eq!(ticket.deadlines.resolve_by, Some(at(19, 0, 0)));
    assert_eq!(ticket.deadlines.reply_by, now + Duration::hours(144));
}
