//! Tickets through the store: the rules decided and written in one transaction, the
//! lifecycle steps with who and when, on every backend.

mod store_common;

use chrono::Duration;
use hotline::store::{StoreError, Which};
use hotline::tickets::lifecycle::{ActorKind, Step, StepKind};
use hotline::tickets::model::{Team, TicketKind, TicketStatus};
use hotline::tickets::rules::{ComplaintRequest, Decision, SuggestionRequest};
use store_common::*;

#[tokio::test]
async fn a_first_fault_makes_a_ticket_with_serial_and_prefecture() {
    let now = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let out = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, None)
            .await
            .unwrap();
        assert!(matches!(out.decision, Decision::NewFault { .. }), "{out:?}");
        let created = out.created.expect("a ticket");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert_eq!(
            created.serial,
            hotline::tickets::serial::Serial::new(day, 1).unwrap()
        );
        let second = db
            .store
            .report_fault(ARREARS, &report(), &ivr(), &calendar(), now, None)
            .await
            .unwrap();
        assert!(second.created.is_none());
        let detail = db.store.ticket(created.id).await.unwrap().expect("stored");
        let t = &detail.ticket;
        assert_eq!(t.serial, created.serial);
        assert_eq!(t.ticket.kind, TicketKind::Fault);
        assert_eq!(t.ticket.number, LANDLINE);
        assert_eq!(t.ticket.prefecture, "jinghe");
        assert_eq!(t.ticket.team, Team::RepairCentre);
        assert_eq!(t.ticket.phenomenon.as_deref(), Some("no-dial-tone"));
        assert_eq!(t.ticket.menu_path, "3-1");
        assert_eq!(t.ticket.created_at, now);
        assert_eq!(t.state.status, TicketStatus::Created);
        assert_eq!(t.created_by, ivr());
        assert!(detail.events.is_empty());
        let active = db
            .store
            .tickets_for_number(LANDLINE, Which::Active)
            .await
            .unwrap();
        assert_eq!(active.len(), 1, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_days_serials_count_up_and_restart_the_next_local_day() {
    for db in backends().await {
        let mut lines = Vec::new();
        for n in 0..3 {
            lines.push(line(
                &format!("0551234567{n}"),
                hotline::tickets::model::LineStatus::Active,
            ));
        }
        db.store.upsert_lines(&lines).await.unwrap();
        let mut serials = Vec::new();
        // 23:59 local on the 10th, then 00:00 and 00:01 local on the 11th
        for (l, at) in lines
            .iter()
            .zip([local(10, 23, 59), local(11, 0, 0), local(11, 0, 1)])
        {
            let out = db
                .store
                .report_fault(&l.number, &report(), &ivr(), &calendar(), at, None)
                .await;
            serials.push(out.unwrap().created.unwrap().serial.as_str()[..11].to_string());
        }
        assert_eq!(
            serials,
            ["26031000001", "26031100001", "26031100002"],
            "{}",
            db.backend
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_repeat_within_24_hours_urges_the_open_ticket() {
    let first = local(10, 10, 0);
    let again = first + Duration::hours(23);
    for db in backends().await {
        with_lines(&db.store).await;
        let cal = calendar();
        let made = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &cal, first, None)
            .await;
        let id = made.unwrap().created.unwrap().id;
        let out = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &cal, again, None)
            .await
            .unwrap();
        assert_eq!(out.decision, Decision::Urge { ticket: id });
        assert!(out.created.is_none());
        let detail = db.store.ticket(id).await.unwrap().unwrap();
        assert_eq!(detail.ticket.state.urges, 1);
        assert_eq!(detail.events.len(), 1);
        let urge = &detail.events[0];
        assert_eq!((urge.step.kind(), urge.at), (StepKind::Urge, again));
        assert_eq!(urge.actor, ivr());
        let all = db
            .store
            .tickets_for_number(LANDLINE, Which::Active)
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn cleared_then_reported_again_within_24_hours_makes_a_repair_time_limit_complaint() {
    let first = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let cal = calendar();
        let made = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &cal, first, None)
            .await;
        let fault = made.unwrap().created.unwrap().id;
        let team = agent("repair-7");
        let steps = [
            Step::Dispatch {
                team: Team::RepairCentre,
            },
            Step::Accept,
            Step::Start,
            Step::Clear {
                result: "换线".to_string(),
            },
        ];
        for (i, step) in steps.iter().enumerate() {
            let at = first + Duration::hours(1 + i as i64);
            db.store.apply_step(fault, step, &team, at).await.unwrap();
        }
        let again = first + Duration::hours(20);
        let out = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &cal, again, None)
            .await
            .unwrap();
        let Decision::Complaint { ticket } = &out.decision else {
            panic!("{}: {:?}", db.backend, out.decision);
        };
        assert_eq!(ticket.complaint_type.as_deref(), Some("repair-time-limit"));
        let created = out.created.expect("complaint stored");
        let stored = db.store.ticket(created.id).await.unwrap().unwrap().ticket;
        assert_eq!(stored.ticket.kind, TicketKind::Complaint);
        assert_eq!(stored.ticket.about, Some(fault));
        assert!(
            stored.ticket.content.contains("换线"),
            "{}",
            stored.ticket.content
        );
        let cleared = db.store.ticket(fault).await.unwrap().unwrap().ticket;
        assert_eq!(cleared.cleared_at, Some(first + Duration::hours(4)));
        assert_eq!(cleared.clearing_result.as_deref(), Some("换线"));
        db.finish().await;
    }
}

#[tokio::test]
async fn arrears_makes_no_ticket_and_reminds_to_pay() {
    for db in backends().await {
        with_lines(&db.store).await;
        let out = db
            .store
            .report_fault(
                ARREARS,
                &report(),
                &ivr(),
                &calendar(),
                local(10, 10, 0),
                None,
            )
            .await
            .unwrap();
        assert_eq!(out.decision, Decision::RemindToPay);
        assert!(out.created.is_none());
        let complaint = ComplaintRequest {
            complaint_type: "bill-dispute".to_string(),
            contact_name: "王芳".to_string(),
            contact_phone: "13900000001".to_string(),
            description: "多收费".to_string(),
            order: None,
            menu_path: "3-2".to_string(),
        };
        let out = db
            .store
            .file_complaint(
                ARREARS,
                &complaint,
                &ivr(),
                &catalogue(),
                &calendar(),
                local(10, 10, 5),
                None,
            )
            .await
            .unwrap();
        assert_eq!(out.decision, Decision::RemindToPay);
        for which in [Which::Active, Which::History] {
            let list = db.store.tickets_for_number(ARREARS, which).await.unwrap();
            assert!(list.is_empty(), "{}", db.backend);
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn a_complaint_from_the_menu_is_stored_with_its_catalogue_type() {
    for db in backends().await {
        with_lines(&db.store).await;
        let complaint = ComplaintRequest {
            complaint_type: "bill-dispute".to_string(),
            contact_name: "王芳".to_string(),
            contact_phone: "13900000001".to_string(),
            description: "多收费".to_string(),
            order: None,
            menu_path: "3-2".to_string(),
        };
        let out = db
            .store
            .file_complaint(
                LANDLINE,
                &complaint,
                &ivr(),
                &catalogue(),
                &calendar(),
                local(10, 9, 0),
                None,
            )
            .await
            .unwrap();
        let id = out.created.expect("complaint").id;
        let stored = db.store.ticket(id).await.unwrap().unwrap().ticket.ticket;
        assert_eq!(stored.category.as_deref(), Some("billing"));
        assert_eq!(stored.complaint_type.as_deref(), Some("bill-dispute"));
        assert!(stored.deadlines.resolve_by.is_some(), "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_suggestion_is_stored_for_a_known_line_and_for_a_number_we_do_not_serve() {
    let now = local(10, 9, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let request = SuggestionRequest {
            contact_name: String::new(),
            contact_phone: "13900000001".to_string(),
            description: "建议开通微信交费".to_string(),
            menu_path: "3-3".to_string(),
        };
        let mut stored = Vec::new();
        for number in [ARREARS, "13912340000"] {
            let out = db
                .store
                .file_suggestion(number, &request, &ivr(), &calendar(), now, None)
                .await
                .unwrap();
            assert!(
                matches!(out.decision, Decision::Suggestion { .. }),
                "{}: {:?}",
                db.backend,
                out.decision
            );
            let id = out.created.expect("a suggestion").id;
            stored.push(db.store.ticket(id).await.unwrap().unwrap().ticket.ticket);
        }
        let seen: Vec<_> = stored
            .iter()
            .map(|t| (t.kind, t.team, t.number.as_str(), t.prefecture.as_str()))
            .collect();
        use TicketKind::Suggestion;
        assert_eq!(
            seen,
            [
                (Suggestion, Team::CustomerService, ARREARS, "jinghe"),
                (Suggestion, Team::CustomerService, "13912340000", ""),
            ],
            "{}",
            db.backend
        );
        // Tue 10 March: Wed 11 … Thu 19 are the 7 working days.
        assert_eq!(stored[0].deadlines.resolve_by, Some(local(20, 0, 0)));
        assert_eq!(stored[0].content, "建议开通微信交费");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reports_of_one_number_at_the_same_moment_make_one_ticket() {
    let now = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let store = db.store.clone();
                tokio::spawn(async move {
                    store
                        .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, None)
                        .await
                })
            })
            .collect();
        let mut decisions = Vec::new();
        for task in tasks {
            decisions.push(task.await.unwrap().unwrap().decision);
        }
        let new = decisions
            .iter()
            .filter(|d| matches!(d, Decision::NewFault { .. }))
            .count();
        let urged = decisions
            .iter()
            .filter(|d| matches!(d, Decision::Urge { .. }))
            .count();
        assert_eq!((new, urged), (1, 1), "{}: {decisions:?}", db.backend);
        let all = db
            .store
            .tickets_for_number(LANDLINE, Which::Active)
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn an_illegal_step_is_refused_and_nothing_changes() {
    let now = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let made = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, None)
            .await;
        let id = made.unwrap().created.unwrap().id;
        let before = db.store.ticket(id).await.unwrap().unwrap();
        let clear = Step::Clear {
            result: "修好".to_string(),
        };
        let error = db
            .store
            .apply_step(id, &clear, &agent("a1"), now)
            .await
            .unwrap_err();
        let StoreError::Illegal(illegal) = &error else {
            panic!("{}: {error}", db.backend);
        };
        assert_eq!(illegal.status, TicketStatus::Created);
        assert!(
            error.to_string().contains("a ticket in progress"),
            "{error}"
        );
        assert_eq!(
            db.store.ticket(id).await.unwrap().unwrap(),
            before,
            "{}",
            db.backend
        );
        let missing = hotline::tickets::model::TicketId(id.0 + 100);
        let error = db
            .store
            .apply_step(missing, &Step::Accept, &agent("a1"), now)
            .await;
        assert!(matches!(error, Err(StoreError::NoTicket(_))));
        db.finish().await;
    }
}

#[tokio::test]
async fn every_step_is_recorded_with_who_and_when() {
    let now = local(10, 10, 0);
    for db in backends().await {
        with_lines(&db.store).await;
        let made = db
            .store
            .report_fault(LANDLINE, &report(), &ivr(), &calendar(), now, None)
            .await;
        let id = made.unwrap().created.unwrap().id;
        let dispatcher = agent("8001");
        let team = hotline::tickets::lifecycle::Actor {
            kind: ActorKind::Team,
            id: "repair-centre".to_string(),
        };
        let steps = [
            (
                Step::Dispatch {
                    team: Team::RepairCentre,
                },
                &dispatcher,
            ),
            (
                Step::Return {
                    reason: "不是本组".to_string(),
                },
                &team,
            ),
            (
                Step::Dispatch {
                    team: Team::BigCustomerDept,
                },
                &dispatcher,
            ),
        ];
        for (i, (step, actor)) in steps.iter().enumerate() {
            let at = now + Duration::minutes(10 * (i as i64 + 1));
            db.store.apply_step(id, step, actor, at).await.unwrap();
        }
        let detail = db.store.ticket(id).await.unwrap().unwrap();
        let seen: Vec<_> = detail
            .events
            .iter()
            .map(|e| (e.step.clone(), e.actor.id.clone(), e.at, e.from, e.to))
            .collect();
        let m = |n| now + Duration::minutes(n);
        use TicketStatus as S;
        assert_eq!(
            seen,
            [
                (
                    steps[0].0.clone(),
                    "8001".to_string(),
                    m(10),
                    S::Created,
                    S::Dispatched
                ),
                (
                    steps[1].0.clone(),
                    "repair-centre".to_string(),
                    m(20),
                    S::Dispatched,
                    S::Returned
                ),
                (
                    steps[2].0.clone(),
                    "8001".to_string(),
                    m(30),
                    S::Returned,
                    S::Dispatched
                ),
            ],
            "{}",
            db.backend
        );
        assert_eq!(detail.ticket.state.team, Some(Team::BigCustomerDept));
        let history = db
            .store
            .tickets_for_number(LANDLINE, Which::History)
            .await
            .unwrap();
        assert!(history.is_empty());
        db.finish().await;
    }
}
