//! The call records and reports over real HTTP on every backend: the CSV export parses
//! back to the stored records, the reports and the menu usage are computed from records
//! and a ticket written through the store; supervisors only (401 without a login, 403 for
//! an agent), 400 for bad dates or periods.

mod store_common;

use chrono::{DateTime, Utc};
use hotline::passwords::Secret;
use hotline::records::{split_path, CallRecord};
use hotline::server::RunningServer;
use hotline::store::{NewAgent, Store, DEFAULT_SIP_REALM};
use store_common::api::{request_as, send_as, servers};
use store_common::records::{at, call_record, gave_up};
use store_common::{calendar, ivr, report, LANDLINE};

const LEAD: (&str, &str) = ("9001", "lead-pass");
const AGENT: (&str, &str) = ("1001", "agent-pass");
const OPERATOR: (&str, &str) = ("8001", "operator-pass");

async fn with_agents(store: &Store) {
    let staff = [
        (LEAD, "supervisor"),
        (AGENT, "ordinary"),
        (OPERATOR, "operator"),
    ];
    for ((work_number, password), skill) in staff {
        let agent = NewAgent {
            work_number: work_number.to_string(),
            name: "值班".to_string(),
            skills: vec![skill.to_string()],
            password: Secret::new(password.to_string()),
        };
        (store.add_agent(&agent, DEFAULT_SIP_REALM, Utc::now()))
            .await
            .unwrap();
    }
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The records of an exported CSV, read back with the `csv` crate.
fn parse_csv(text: &str) -> Vec<CallRecord> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            let field = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
            let text = |name: &str| Some(field(name).to_string()).filter(|t| !t.is_empty());
            let number = |name: &str| text(name).map(|t| t.parse::<i64>().unwrap());
            CallRecord {
                call_id: field("call_id").to_string(),
                started_at: time(field("started_at")),
                answered_at: text("answered_at").map(|t| time(&t)),
                ended_at: time(field("ended_at")),
                caller: field("caller").to_string(),
                called: field("called").to_string(),
                path: split_path(field("path")),
                outcome: field("outcome").parse().unwrap(),
                tickets: field("tickets")
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
                queue: text("queue"),
                wait_ms: number("wait_ms"),
                agent: text("agent"),
                talk_ms: number("talk_ms"),
                menu_version: field("menu_version").parse().unwrap(),
            }
        })
        .collect()
}

async fn status(server: &RunningServer, login: Option<(&str, &str)>, path: &str) -> u16 {
    send_as(server, login, "GET", path, None).await.status
}

#[tokio::test]
async fn the_csv_export_parses_back_to_the_records_of_the_days_asked() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let store = server.store();
        with_agents(store).await;
        let inside = [
            call_record("a,1@127.0.0.1", at(10, 0, 0, 0)),
            gave_up("b\"2@127.0.0.1", at(11, 23, 59, 59)),
        ];
        let outside = [
            gave_up("c@h", at(9, 23, 59, 59)),
            gave_up("d@h", at(12, 0, 0, 0)),
        ];
        for record in inside.iter().chain(&outside) {
            store.insert_call_record(record).await.unwrap();
        }
        let path = "/api/call-records.csv?from=2026-03-10&to=2026-03-11";
        assert_eq!(status(&server, None, path).await, 401, "{backend}");
        assert_eq!(status(&server, Some(AGENT), path).await, 403, "{backend}");
        let answer = send_as(&server, Some(LEAD), "GET", path, None).await;
        assert_eq!(answer.status, 200, "{backend}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/csv; charset=utf-8")
        );
        let text = String::from_utf8(answer.body).unwrap();
        assert!(text.contains("menu main > wrong key 7 > key 2"), "{text}");
        assert_eq!(parse_csv(&text), inside, "{backend}");

        for bad in [
            "from=2026-03-10&to=2026-02-30",
            "from=2026-03-11&to=2026-03-10",
            "from=2025-01-01&to=2026-03-10",
            "from=2026-03-10",
        ] {
            let path = format!("/api/call-records.csv?{bad}");
            let (code, body) = request_as(&server, Some(LEAD), "GET", &path, None).await;
            assert_eq!(code, 400, "{backend} {bad}: {body}");
            assert!(body["error"].is_string(), "{body}");
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn reports_and_menu_usage_come_from_the_stored_records_and_tickets() {
    for (server, db) in servers().await {
        let backend = db.backend;
        let store = server.store();
        with_agents(store).await;
        for record in [
            call_record("agent@h", at(10, 9, 0, 0)),
            gave_up("timeout@h", at(10, 10, 0, 0)),
            gave_up("next-day@h", at(11, 10, 0, 0)),
        ] {
            store.insert_call_record(&record).await.unwrap();
        }
        let (fault, by, calendar) = (report(), ivr(), calendar());
        let filed = store.report_fault(LANDLINE, &fault, &by, &calendar, at(10, 8, 0, 0), None);
        assert!(filed.await.unwrap().created.is_some(), "{backend}");

        let path = "/api/reports?period=day&from=2026-03-10&to=2026-03-11";
        assert_eq!(status(&server, None, path).await, 401, "{backend}");
        assert_eq!(status(&server, Some(AGENT), path).await, 403, "{backend}");
        let (code, rows) = request_as(&server, Some(LEAD), "GET", path, None).await;
        assert_eq!(code, 200, "{backend}: {rows}");
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0]["from"], "2026-03-10");
        assert_eq!(rows[0]["calls"], 2);
        assert_eq!(rows[0]["answered_by_agent"], 1);
        assert_eq!(rows[0]["outcomes"]["timed_out"], 1);
        assert_eq!(rows[0]["service_level"]["general"]["rate"], 1.0);
        assert_eq!(rows[0]["tickets"]["total"], 1);
        assert_eq!(rows[0]["tickets"]["by_kind"]["fault"], 1);
        assert_eq!(rows[0]["tickets"]["by_prefecture"]["jinghe"], 1);
        assert_eq!(rows[0]["satisfaction"], serde_json::Value::Null);
        assert_eq!(
            rows[0]["satisfaction_note"],
            "no call-back answers on these tickets yet"
        );
        assert_eq!(
            (
                rows[1]["calls"].clone(),
                rows[1]["tickets"]["total"].clone()
            ),
            (1.into(), 0.into())
        );

        let csv_path = "/api/reports.csv?period=week&from=2026-03-10&to=2026-03-11";
        let answer = send_as(&server, Some(LEAD), "GET", csv_path, None).await;
        assert_eq!(answer.status, 200, "{backend}");
        let text = String::from_utf8(answer.body).unwrap();
        assert_eq!(text.lines().count(), 2, "one week: {text}");
        assert!(text.starts_with("period,from,to,"), "{text}");

        let usage = "/api/reports/menu-usage?from=2026-03-10&to=2026-03-11";
        let (code, nodes) = request_as(&server, Some(LEAD), "GET", usage, None).await;
        assert_eq!(code, 200, "{backend}: {nodes}");
        let main = serde_json::json!({"node": "main", "visits": 3, "timeouts": 2,
            "wrong_keys": 1, "gave_up": 2, "to_agent": 0});
        assert_eq!(nodes[0], main, "{nodes}");
        assert_eq!(nodes[1]["node"], "pin");
        assert_eq!(nodes[1]["to_agent"], 1);
        let (code, seen) = request_as(&server, Some(OPERATOR), "GET", usage, None).await;
        assert_eq!(
            (code, seen),
            (200, nodes),
            "{backend}: operators colour the diagram"
        );
        let (code, _) = request_as(&server, Some(AGENT), "GET", usage, None).await;
        assert_eq!(code, 403, "{backend}: not an agent's");
        let reports = "/api/reports?period=day&from=2026-03-10&to=2026-03-11";
        let (code, _) = request_as(&server, Some(OPERATOR), "GET", reports, None).await;
        assert_eq!(code, 403, "{backend}: the reports are the supervisors'");

        let bad = "/api/reports?period=year&from=2026-03-10&to=2026-03-11";
        let (code, body) = request_as(&server, Some(LEAD), "GET", bad, None).await;
        assert_eq!(code, 400, "{backend}: {body}");
        db.finish().await;
    }
}
