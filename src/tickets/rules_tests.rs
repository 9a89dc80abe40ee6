//! One test per rule of spec §3/§4 and per boundary, with fixed clocks (local UTC+8).

use chrono::{FixedOffset, TimeZone};

use super::*;
use crate::tickets::config::{Category, ComplaintType, INSTALL_MOVE_TIME_LIMIT};
use crate::tickets::model::TicketStatus as S;

fn calendar() -> Calendar {
    Calendar::new(FixedOffset::east_opt(8 * 3600).unwrap(), [], [])
}

/// Local wall-clock time in March 2026 (Mon 2 March … ), as UTC.
fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn line(kind: LineKind) -> Line {
    let number = match kind {
        LineKind::Broadband => "adsl05512345678",
        LineKind::WirelessBroadband => "13912345678",
        _ => "05512345678",
    };
    Line {
        number: number.into(),
        kind,
        status: LineStatus::Active,
        tier: Tier::Ordinary,
        big_customer: false,
        leased_line: false,
        prefecture: "jinghe".into(),
        owner_name: "王建国".into(),
        contact_phone: Some("13800000001".into()),
        contract_number: None,
    }
}

fn landline() -> Line {
    line(LineKind::Landline)
}

fn report() -> FaultReport {
    FaultReport {
        contact_name: "王先生".into(),
        contact_phone: "13800000001".into(),
        phenomenon: "no-dial-tone".into(),
        description: "还是没有拨号音".into(),
        no_call_back: false,
        menu_path: "3-1".into(),
    }
}

const FAULT: TicketId = TicketId(7);

/// The number's fault ticket, first reported at `created`; cleared at `cleared` if given.
fn fault(created: DateTime<Utc>, cleared: Option<DateTime<Utc>>) -> TicketFacts {
    TicketFacts {
        id: FAULT,
        kind: TicketKind::Fault,
        status: if cleared.is_some() {
            S::Cleared
        } else {
            S::Dispatched
        },
        created_at: created,
        cleared_at: cleared,
        clearing_result: cleared.map(|_| "更换入户线".to_string()),
        about: None,
    }
}

fn complaint(id: i64, created: DateTime<Utc>, about: Option<TicketId>) -> TicketFacts {
    TicketFacts {
        id: TicketId(id),
        kind: TicketKind::Complaint,
        status: S::Dispatched,
        created_at: created,
        cleared_at: None,
        clearing_result: None,
        about,
    }
}

fn decide(line: &Line, history: &[TicketFacts], now: DateTime<Utc>) -> Decision {
    decide_fault_report(&report(), Some(line), history, &calendar(), now)
}

/// The complaint type of a `Complaint` decision, or panics.
fn complaint_type(decision: &Decision) -> &str {
    match decision {
        Decision::Complaint { ticket } => ticket.complaint_type.as_deref().unwrap(),
        other => panic!("expected a complaint, got {other:?}"),
    }
}

#[test]
fn first_report_of_a_number_makes_a_new_fault_ticket() {
    let Decision::NewFault { ticket } = decide(&landline(), &[], at(2, 10, 0)) else {
        panic!("expected a new fault");
    };
    assert_eq!(ticket.kind, TicketKind::Fault);
    assert_eq!(ticket.team, Team::RepairCentre);
    assert_eq!(
        (ticket.number.as_str(), ticket.prefecture.as_str()),
        ("05512345678", "jinghe")
    );
    assert_eq!(ticket.phenomenon.as_deref(), Some("no-dial-tone"));
    assert_eq!(
        (ticket.menu_path.as_str(), ticket.created_at),
        ("3-1", at(2, 10, 0))
    );
}

#[test]
fn broadband_fault_goes_to_the_lan_maintenance_branch() {
    for kind in [LineKind::Broadband, LineKind::WirelessBroadband] {
        let Decision::NewFault { ticket } = decide(&line(kind), &[], at(2, 10, 0)) else {
            panic!("expected a new fault for {kind}");
        };
        assert_eq!(ticket.team, Team::LanMaintenanceBranch);
    }
}

#[test]
fn leased_line_fault_does_not_take_the_112_path() {
    let d = decide(&line(LineKind::LeasedLine), &[], at(2, 10, 0));
    assert_eq!(d, refused(Refusal::NotOn112));
}

#[test]
fn repeat_within_24h_not_cleared_urges_the_open_ticket() {
    let d = decide(&landline(), &[fault(at(2, 10, 0), None)], at(2, 15, 0));
    assert_eq!(d, Decision::Urge { ticket: FAULT });
}

#[test]
fn report_one_minute_before_24h_not_cleared_still_urges() {
    let d = decide(&landline(), &[fault(at(2, 10, 0), None)], at(3, 9, 59));
    assert_eq!(d, Decision::Urge { ticket: FAULT });
}

#[test]
fn report_at_exactly_24h_after_first_is_repair_time_limit_complaint() {
    let d = decide(&landline(), &[fault(at(2, 10, 0), None)], at(3, 10, 0));
    assert_eq!(complaint_type(&d), "repair-time-limit");
}

#[test]
fn fault_not_repaired_after_24h_whatever_the_system_shows_is_repair_time_limit() {
    for status in [S::Created, S::Accepted, S::Returned, S::InProgress] {
        let mut open = fault(at(2, 10, 0), None);
        open.status = status;
        let d = decide(&landline(), &[open], at(4, 9, 0));
        assert_eq!(complaint_type(&d), "repair-time-limit", "{status}");
    }
}

#[test]
fn repeat_within_24h_after_clearing_is_repair_time_limit_complaint() {
    let history = [fault(at(2, 10, 0), Some(at(2, 16, 0)))];
    let d = decide(&landline(), &history, at(3, 9, 59));
    assert_eq!(complaint_type(&d), "repair-time-limit");
}

#[test]
fn cleared_fault_reported_at_exactly_24h_is_repair_quality_complaint() {
    let history = [fault(at(2, 10, 0), Some(at(2, 16, 0)))];
    let d = decide(&landline(), &history, at(3, 10, 0));
    assert_eq!(complaint_type(&d), "repair-quality");
}

#[test]
fn reported_again_exactly_3_days_after_clearing_is_repair_quality_complaint() {
    let history = [fault(at(2, 10, 0), Some(at(3, 12, 0)))];
    let d = decide(&landline(), &history, at(6, 12, 0));
    assert_eq!(complaint_type(&d), "repair-quality");
}

#[test]
fn reported_again_more_than_3_days_after_clearing_is_a_new_fault() {
    let history = [fault(at(2, 10, 0), Some(at(3, 12, 0)))];
    let d = decide(&landline(), &history, at(6, 12, 1));
    assert!(matches!(d, Decision::NewFault { .. }), "{d:?}");
}

#[test]
fn repeat_fault_complaint_states_first_report_time_clearing_result_and_repeat_fault() {
    let history = [fault(at(2, 10, 5), Some(at(2, 16, 0)))];
    let Decision::Complaint { ticket } = decide(&landline(), &history, at(4, 9, 0)) else {
        panic!("expected a complaint");
    };
    assert!(
        ticket.content.contains("首次申告时间：2026-03-02 10:05"),
        "{}",
        ticket.content
    );
    assert!(
        ticket.content.contains("修复结果：更换入户线"),
        "{}",
        ticket.content
    );
    assert!(
        ticket.content.contains("重复障碍投诉（修障质量）"),
        "{}",
        ticket.content
    );
    assert!(ticket.content.ends_with("本次申告：还是没有拨号音"));
    assert_eq!(
        (ticket.kind, ticket.about),
        (TicketKind::Complaint, Some(FAULT))
    );
    assert_eq!(ticket.category.as_deref(), Some("fault-repair"));
}

#[test]
fn unrepaired_fault_complaint_says_not_repaired_and_the_system_status() {
    let d = decide(&landline(), &[fault(at(2, 10, 0), None)], at(3, 11, 0));
    let Decision::Complaint { ticket } = d else {
        panic!("expected a complaint");
    };
    assert!(
        ticket
            .content
            .contains("修复结果：未修复（系统状态：dispatched）"),
        "{}",
        ticket.content
    );
}

#[test]
fn one_report_never_makes_both_a_fault_and_a_complaint() {
    // Every repeat that is a complaint refers to the existing fault and makes no new one.
    let history = [fault(at(2, 10, 0), Some(at(2, 16, 0)))];
    for hours in [1, 23, 24, 48, 60] {
        let now = at(2, 10, 0) + Duration::hours(hours);
        match decide(&landline(), &history, now) {
            Decision::Complaint { ticket } => {
                assert_eq!(
                    (ticket.kind, ticket.about),
                    (TicketKind::Complaint, Some(FAULT))
                );
            }
            other => panic!("{hours} h: {other:?}"),
        }
    }
}

#[test]
fn arrears_line_gets_no_ticket_and_no_complaint_but_a_reminder_to_pay() {
    let mut arrears = landline();
    arrears.status = LineStatus::SuspendedForArrears;
    assert_eq!(decide(&arrears, &[], at(2, 10, 0)), Decision::RemindToPay);
    let overdue = [fault(at(1, 10, 0), None)];
    assert_eq!(
        decide(&arrears, &overdue, at(3, 10, 0)),
        Decision::RemindToPay
    );
}

#[test]
fn vacant_number_goes_to_a_supervisor_without_a_ticket() {
    let mut vacant = landline();
    vacant.status = LineStatus::Vacant;
    let d = decide(&vacant, &[], at(2, 10, 0));
    assert_eq!(
        d,
        Decision::Supervisor {
            reason: SupervisorReason::VacantNumber,
            ticket: None
        }
    );
}

#[test]
fn number_retained_line_goes_to_a_supervisor_without_a_ticket() {
    let mut retained = landline();
    retained.status = LineStatus::SuspendedNumberRetained;
    let d = decide(&retained, &[], at(2, 10, 0));
    assert!(matches!(
        d,
        Decision::Supervisor {
            reason: SupervisorReason::NumberRetained,
            ..
        }
    ));
}

#[test]
fn unknown_number_is_refused() {
    let d = decide_fault_report(&report(), None, &[], &calendar(), at(2, 10, 0));
    assert_eq!(d, refused(Refusal::UnknownNumber));
}

fn night_case(first: DateTime<Utc>) -> Decision {
    let history = [fault(first, Some(first + Duration::hours(3)))];
    decide(&landline(), &history, first + Duration::hours(10))
}

fn night_supervisor() -> Decision {
    Decision::Supervisor {
        reason: SupervisorReason::NightFaultReportedAgain,
        ticket: Some(FAULT),
    }
}

#[test]
fn first_fault_at_18_00_cleared_and_reported_again_goes_to_a_supervisor() {
    assert_eq!(night_case(at(2, 18, 0)), night_supervisor());
}

#[test]
fn first_fault_at_17_59_cleared_and_reported_again_is_a_complaint() {
    assert_eq!(
        complaint_type(&night_case(at(2, 17, 59))),
        "repair-time-limit"
    );
}

#[test]
fn first_fault_at_07_59_cleared_and_reported_again_goes_to_a_supervisor() {
    assert_eq!(night_case(at(3, 7, 59)), night_supervisor());
}

#[test]
fn first_fault_at_08_00_cleared_and_reported_again_is_a_complaint() {
    assert_eq!(
        complaint_type(&night_case(at(3, 8, 0))),
        "repair-time-limit"
    );
}

#[test]
fn night_fault_still_open_is_urged_not_sent_to_a_supervisor() {
    let d = decide(&landline(), &[fault(at(2, 23, 0), None)], at(3, 9, 0));
    assert_eq!(d, Decision::Urge { ticket: FAULT });
}

#[test]
fn second_complaint_within_4h_is_an_escalated_declaration() {
    let history = [
        fault(at(2, 10, 0), None),
        complaint(8, at(3, 11, 0), Some(FAULT)),
    ];
    let Decision::Declaration { earlier, ticket } = decide(&landline(), &history, at(3, 13, 0))
    else {
        panic!("expected a declaration");
    };
    assert_eq!(
        (earlier, ticket.escalates),
        (TicketId(8), Some(TicketId(8)))
    );
    assert_eq!((ticket.priority, ticket.rush), (Priority::Urgent, true));
}

#[test]
fn second_complaint_at_exactly_4h_is_a_declaration() {
    let history = [
        fault(at(2, 10, 0), None),
        complaint(8, at(3, 11, 0), Some(FAULT)),
    ];
    let d = decide(&landline(), &history, at(3, 15, 0));
    assert!(matches!(d, Decision::Declaration { .. }), "{d:?}");
}

#[test]
fn repeat_after_4h_with_an_open_complaint_urges_the_complaint() {
    let history = [
        fault(at(2, 10, 0), None),
        complaint(8, at(3, 11, 0), Some(FAULT)),
    ];
    let d = decide(&landline(), &history, at(3, 15, 1));
    assert_eq!(
        d,
        Decision::Urge {
            ticket: TicketId(8)
        }
    );
}

#[test]
fn contact_name_is_mandatory() {
    let mut r = report();
    r.contact_name = "  ".into();
    let d = decide_fault_report(&r, Some(&landline()), &[], &calendar(), at(2, 10, 0));
    assert_eq!(d, refused(Refusal::MissingContactName));
}

#[test]
fn contact_phone_is_mandatory() {
    let mut r = report();
    r.contact_phone = String::new();
    let d = decide_fault_report(&r, Some(&landline()), &[], &calendar(), at(2, 10, 0));
    assert_eq!(d, refused(Refusal::MissingContactPhone));
}

#[test]
fn wireless_broadband_needs_a_contact_number_other_than_its_account() {
    let wireless = line(LineKind::WirelessBroadband);
    let mut r = report();
    r.contact_phone = wireless.number.clone();
    let d = decide_fault_report(&r, Some(&wireless), &[], &calendar(), at(2, 10, 0));
    assert_eq!(d, refused(Refusal::ContactIsTheWirelessAccount));
}

#[test]
fn card_phone_fault_may_record_no_call_back() {
    let mut r = report();
    r.no_call_back = true;
    let card = line(LineKind::PublicCardPhone);
    let d = decide_fault_report(&r, Some(&card), &[], &calendar(), at(2, 10, 0));
    let Decision::NewFault { ticket } = d else {
        panic!("expected a new fault");
    };
    assert!(ticket.no_call_back);
    let d = decide_fault_report(&r, Some(&landline()), &[], &calendar(), at(2, 10, 0));
    assert_eq!(d, refused(Refusal::NoCallBackOnlyForCardPhones));
}

#[test]
fn withdrawn_fault_does_not_count_as_a_first_report() {
    let mut withdrawn = fault(at(2, 10, 0), None);
    withdrawn.status = S::Withdrawn;
    let d = decide(&landline(), &[withdrawn], at(2, 12, 0));
    assert!(matches!(d, Decision::NewFault { .. }), "{d:?}");
}

#[test]
fn big_customer_fault_is_urgent_and_rush_dispatched_at_once() {
    let mut big = landline();
    big.big_customer = true;
    let Decision::NewFault { ticket } = decide(&big, &[], at(2, 10, 0)) else {
        panic!("expected a new fault");
    };
    assert_eq!((ticket.priority, ticket.rush), (Priority::Urgent, true));
    assert_eq!(ticket.deadlines.dispatch_by, at(2, 10, 0));
    assert_eq!(ticket.deadlines.hand_on_by, at(2, 11, 0));
}

fn catalogue() -> Catalogue {
    let kind = |code: &str, needs_order| ComplaintType {
        code: code.into(),
        name: code.into(),
        needs_order,
    };
    Catalogue {
        categories: vec![Category {
            code: "installation".into(),
            name: "装机移机".into(),
            types: vec![
                kind(INSTALL_MOVE_TIME_LIMIT, true),
                kind("hall-service", false),
            ],
        }],
    }
}

fn complaint_request(complaint_type: &str) -> ComplaintRequest {
    ComplaintRequest {
        complaint_type: complaint_type.into(),
        contact_name: "李女士".into(),
        contact_phone: "05512345678".into(),
        description: "营业厅态度差".into(),
        order: None,
        menu_path: "3-2".into(),
    }
}

fn decide_c(request: &ComplaintRequest, history: &[TicketFacts], now: DateTime<Utc>) -> Decision {
    decide_complaint(
        request,
        Some(&landline()),
        history,
        &catalogue(),
        &calendar(),
        now,
    )
}

#[test]
fn complaint_is_due_in_7_working_days_across_the_weekend() {
    // Fri 6 March 15:00: Mon 9 … Tue 17 are the 7 working days.
    let d = decide_c(&complaint_request("hall-service"), &[], at(6, 15, 0));
    let Decision::Complaint { ticket } = d else {
        panic!("expected a complaint");
    };
    assert_eq!(ticket.deadlines.resolve_by, Some(at(18, 0, 0)));
    assert_eq!(ticket.category.as_deref(), Some("installation"));
}

#[test]
fn complaint_of_a_type_not_in_the_catalogue_is_refused() {
    let d = decide_c(&complaint_request("made-up"), &[], at(2, 10, 0));
    assert_eq!(d, refused(Refusal::UnknownComplaintType));
}

#[test]
fn installation_time_limit_complaint_needs_the_order_and_its_state() {
    let mut request = complaint_request(INSTALL_MOVE_TIME_LIMIT);
    assert_eq!(
        decide_c(&request, &[], at(2, 10, 0)),
        refused(Refusal::MissingOrder)
    );
    request.order = Some(OrderRef {
        acceptance_number: "ZJ2026030100017".into(),
        state: "waiting for a technician".into(),
    });
    let Decision::Complaint { ticket } = decide_c(&request, &[], at(2, 10, 0)) else {
        panic!("expected a complaint");
    };
    assert_eq!(ticket.order, request.order);
}

#[test]
fn second_menu_complaint_about_the_same_number_within_4h_is_a_declaration() {
    let history = [complaint(3, at(2, 9, 0), None)];
    let d = decide_c(&complaint_request("hall-service"), &history, at(2, 13, 0));
    assert!(
        matches!(
            d,
            Decision::Declaration {
                earlier: TicketId(3),
                ..
            }
        ),
        "{d:?}"
    );
    let d = decide_c(&complaint_request("hall-service"), &history, at(2, 13, 1));
    assert!(matches!(d, Decision::Complaint { .. }), "{d:?}");
}

#[test]
fn menu_complaint_from_a_line_in_arrears_is_not_taken() {
    let mut arrears = landline();
    arrears.status = LineStatus::SuspendedForArrears;
    let request = complaint_request("hall-service");
    let d = decide_complaint(
        &request,
        Some(&arrears),
        &[],
        &catalogue(),
        &calendar(),
        at(2, 10, 0),
    );
    assert_eq!(d, Decision::RemindToPay);
}

#[test]
fn decisions_serialize_with_a_decision_tag_for_the_api() {
    let json = serde_yaml::to_string(&Decision::Urge { ticket: FAULT }).unwrap();
    assert_eq!(json, "decision: urge\nticket: 7\n");
}

#[path = "rules_suggestion_tests.rs"]
mod suggestions;
