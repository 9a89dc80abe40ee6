//! Real calls over loopback that walk the fault (3 → 1), complaint (3 → 2) and
//! suggestion (3 → 3) branches of the bundled menu with keys and a spoken description,
//! then find the ticket in the database: kind, number, prefecture, phenomenon, contact,
//! recording and the serial the caller heard. Each scenario runs on SQLite, and on
//! PostgreSQL too when `DATABASE_URL` names one.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use std::io::Cursor;
use std::path::Path;

use chrono::Utc;
use common::{on_every_backend, walk, TestServer, HEAR, WAIT};
use hotline::caller::Call;
use hotline::store::{Ticket, Which};
use hotline::tickets::lifecycle::{Actor, ActorKind};
use hotline::tickets::model::{Line, LineKind, LineStatus, TicketKind, Tier};
use hotline::tickets::rules::FaultReport;
use store_common::{backends, TestDb};

const OWN_LINE: &str = "05512345678";
const OTHER_LINE: &str = "05512345679";
const BROADBAND: &str = "lan551234567";
const ARREARS: &str = "05512345601";
const VACANT: &str = "05512345602";
const LEASED: &str = "05512345603";
const MOBILE: &str = "13800138000";

fn line(number: &str, kind: LineKind, status: LineStatus) -> Line {
    Line {
        number: number.to_string(),
        kind,
        status,
        tier: Tier::Ordinary,
        big_customer: false,
        leased_line: kind == LineKind::LeasedLine,
        prefecture: "jinghe".to_string(),
        owner_name: format!("用户{}", &number[number.len() - 2..]),
        contact_phone: None,
        contract_number: None,
    }
}

/// A server on `db`'s database with the test lines imported.
async fn server_on(db: &TestDb) -> TestServer {
    let lines = [
        line(OWN_LINE, LineKind::Landline, LineStatus::Active),
        line(OTHER_LINE, LineKind::Landline, LineStatus::Active),
        line(BROADBAND, LineKind::Broadband, LineStatus::Active),
        line(ARREARS, LineKind::Landline, LineStatus::SuspendedForArrears),
        line(VACANT, LineKind::Landline, LineStatus::Vacant),
        line(LEASED, LineKind::LeasedLine, LineStatus::Active),
    ];
    TestServer::with_lines(&db.url, &lines).await
}

/// 2.5 s of Mandarin speech at 8 kHz, the caller's description.
fn speech() -> Vec<i16> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/speech-zh.wav");
    let reader = hound::WavReader::open(path).expect("speech fixture");
    reader
        .into_samples::<i16>()
        .take(20_000)
        .map(Result::unwrap)
        .collect()
}

/// The number's only active ticket.
async fn only_ticket(server: &TestServer, number: &str) -> Ticket {
    let mut tickets = (server.server.store())
        .tickets_for_number(number, Which::Active)
        .await
        .expect("tickets");
    assert_eq!(tickets.len(), 1, "{number}: {tickets:#?}");
    tickets.remove(0)
}

/// Waits for prompt 31 and the serial's digits, which must be `ticket`'s serial.
async fn expect_serial(call: &mut Call, ticket: &Ticket) {
    let digits: Vec<String> = (ticket.serial.as_str().chars())
        .map(|d| format!("zh/digit-{d}"))
        .collect();
    let digits: Vec<&str> = digits.iter().map(String::as_str).collect();
    call.expect_prompts(&digits, HEAR)
        .await
        .expect("the serial spoken digit by digit");
}

/// The recording linked to `ticket`: its samples.
async fn recording_of(server: &TestServer, ticket: &Ticket) -> Vec<i16> {
    let store = server.server.store();
    let detail = store
        .ticket(ticket.id)
        .await
        .expect("ticket")
        .expect("found");
    assert_eq!(detail.recordings.len(), 1, "{detail:#?}");
    let recording = (store.recording(detail.recordings[0].id))
        .await
        .expect("recording")
        .expect("found");
    let reader = hound::WavReader::new(Cursor::new(recording.wav)).expect("a WAV");
    assert_eq!(reader.spec().sample_rate, 8000);
    reader.into_samples().map(Result::unwrap).collect()
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

async fn fault_on_own_line_with_a_description(server: &TestServer) {
    let mut call = server.dial_from(OWN_LINE).await;
    to_whose_number(&mut call, "1").await;
    walk(
        &mut call,
        &[
            ("1", &["zh/phenomenon-telephone"]),
            ("2", &["zh/describe", "zh/beep"]),
        ],
    )
    .await;
    call.speak(speech()).await.expect("description spoken");
    walk(
        &mut call,
        &[("#", &["zh/contact-number"]), ("#", &["zh/31"])],
    )
    .await;
    let ticket = only_ticket(server, OWN_LINE).await;
    expect_serial(&mut call, &ticket).await;
    call.expect_prompts(&["zh/fault-accepted", "zh/report-done"], HEAR)
        .await
        .expect("accepted, then what next");
    call.hang_up().await.expect("BYE answered");

    let made = &ticket.ticket;
    assert_eq!(made.kind, TicketKind::Fault);
    assert_eq!(made.number, OWN_LINE);
    assert_eq!(made.prefecture, "jinghe");
    assert_eq!(made.phenomenon.as_deref(), Some("noise"));
    assert_eq!(made.contact_phone, OWN_LINE);
    assert_eq!(made.contact_name, "用户78");
    assert!(
        made.menu_path.starts_with("3-1-1-1-2"),
        "{}",
        made.menu_path
    );
    assert_eq!(ticket.created_by.kind, ActorKind::Ivr);
    let samples = recording_of(server, &ticket).await;
    let seconds = samples.len() as f64 / 8000.0;
    assert!((1.0..=3.0).contains(&seconds), "recorded {seconds} s");
    assert!(rms(&samples) > 300.0, "the recording holds the speech");
    let filed = r#"hotline_ticket_filing_seconds_count{kind="fault"} 1"#;
    let metrics = server.server.metrics().encode();
    assert!(metrics.contains(filed), "{filed} in {metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_on_the_callers_own_line_makes_a_ticket_with_its_recording_and_serial() {
    on_every_backend!(server_on, fault_on_own_line_with_a_description);
}

async fn broadband_fault_keyed_with_a_contact(server: &TestServer) {
    let mut call = server.dial_from(MOBILE).await;
    to_whose_number(&mut call, "2").await;
    walk(
        &mut call,
        &[
            ("2", &["zh/21"]),
            ("551234567#", &["zh/phenomenon-broadband"]),
            ("3", &["zh/describe", "zh/beep"]),
            ("#", &["zh/contact-number"]),
            ("13900139000#", &["zh/31"]),
        ],
    )
    .await;
    let ticket = only_ticket(server, BROADBAND).await;
    expect_serial(&mut call, &ticket).await;
    call.hang_up().await.expect("BYE answered");
    let made = &ticket.ticket;
    assert_eq!(made.kind, TicketKind::Fault);
    assert_eq!(made.phenomenon.as_deref(), Some("drops"));
    assert_eq!(made.contact_phone, "13900139000");
    let detail = (server.server.store().ticket(ticket.id).await)
        .expect("ticket")
        .expect("found");
    assert!(detail.recordings.is_empty(), "the description was skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadband_fault_keyed_by_account_digits_takes_the_keyed_contact_number() {
    on_every_backend!(server_on, broadband_fault_keyed_with_a_contact);
}

/// 3 → 1 → the product (`1` telephone, `2` broadband): the caller is asked whose number.
async fn to_whose_number(call: &mut Call, product: &str) {
    let steps: [(&str, &[&str]); 3] = [
        ("3", &["zh/06"]),
        ("1", &["zh/fault-product"]),
        (product, &["zh/whose-number"]),
    ];
    walk(call, &steps).await;
}

/// 3 → 1 → telephone → own line → no dial tone → skip the description → contact #.
async fn report_own_line_fault(call: &mut Call, outcome: &[&str]) {
    to_whose_number(call, "1").await;
    walk(
        call,
        &[
            ("1", &["zh/phenomenon-telephone"]),
            ("1", &["zh/describe", "zh/beep"]),
            ("#", &["zh/contact-number"]),
            ("#", outcome),
        ],
    )
    .await;
}

fn ivr() -> Actor {
    Actor {
        kind: ActorKind::Ivr,
        id: OWN_LINE.to_string(),
    }
}

fn earlier_report() -> FaultReport {
    FaultReport {
        contact_name: "用户78".to_string(),
        contact_phone: OWN_LINE.to_string(),
        phenomenon: "no-dial-tone".to_string(),
        description: String::new(),
        no_call_back: false,
        menu_path: "3-1".to_string(),
    }
}

async fn repeat_reports(server: &TestServer) {
    let store = server.server.store();
    let calendar = store_common::calendar();
    // A fault reported an hour ago and still open: the repeat is an urge.
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    (store.report_fault(
        OWN_LINE,
        &earlier_report(),
        &ivr(),
        &calendar,
        an_hour_ago,
        None,
    ))
    .await
    .expect("first report");
    let mut call = server.dial_from(OWN_LINE).await;
    report_own_line_fault(&mut call, &["zh/urged"]).await;
    call.hang_up().await.expect("BYE answered");
    let tickets = (store.tickets_for_number(OWN_LINE, Which::Active))
        .await
        .expect("tickets");
    assert_eq!(tickets.len(), 1, "an urge makes no new ticket");
    assert_eq!(tickets[0].state.urges, 1);

    // A fault first reported 25 hours ago and not repaired: a complaint.
    let yesterday = Utc::now() - chrono::Duration::hours(25);
    let mut report = earlier_report();
    report.contact_phone = OTHER_LINE.to_string();
    (store.report_fault(OTHER_LINE, &report, &ivr(), &calendar, yesterday, None))
        .await
        .expect("yesterday's report");
    let mut call = server.dial_from(OTHER_LINE).await;
    report_own_line_fault(&mut call, &["zh/31"]).await;
    let tickets = (store.tickets_for_number(OTHER_LINE, Which::Active))
        .await
        .expect("tickets");
    let complaint = tickets
        .iter()
        .find(|t| t.ticket.kind == TicketKind::Complaint)
        .expect("a complaint ticket");
    expect_serial(&mut call, complaint).await;
    call.hang_up().await.expect("BYE answered");
    assert_eq!(
        tickets.len(),
        2,
        "the fault and the complaint: {tickets:#?}"
    );
    assert_eq!(
        complaint.ticket.complaint_type.as_deref(),
        Some("repair-time-limit")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_report_urges_an_open_fault_and_a_fault_unrepaired_after_24_hours_becomes_a_complaint(
) {
    on_every_backend!(server_on, repeat_reports);
}

/// A caller handed to a queue nobody is logged in for: busy (12), a call-back request
/// kept, and the server hangs up.
async fn busy_with_call_back(call: &mut Call) {
    call.expect_prompts(&["zh/12", "zh/queue-callback-taken"], HEAR)
        .await
        .expect("busy, call-back kept");
    call.wait_for_bye(WAIT).await.expect("the server hangs up");
}

async fn no_ticket_cases(server: &TestServer) {
    // Arrears: reminded to pay, no ticket, back to the main menu.
    let mut call = server.dial_from(ARREARS).await;
    report_own_line_fault(&mut call, &["zh/remind-to-pay", "zh/02"]).await;
    call.hang_up().await.expect("BYE answered");
    // Vacant: no ticket, handed to a supervisor.
    let mut call = server.dial_from(VACANT).await;
    report_own_line_fault(&mut call, &["zh/supervisor-handoff", "zh/05"]).await;
    busy_with_call_back(&mut call).await;
    // A leased line does not take the 112 path: an agent.
    let mut call = server.dial_from(LEASED).await;
    to_whose_number(&mut call, "1").await;
    walk(&mut call, &[("1", &["zh/not-112", "zh/05"])]).await;
    busy_with_call_back(&mut call).await;
    let store = server.server.store();
    for number in [ARREARS, VACANT, LEASED] {
        let tickets = store.tickets_for_number(number, Which::Active).await;
        assert!(tickets.expect("tickets").is_empty(), "{number}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrears_vacant_and_leased_lines_make_no_ticket_and_the_caller_is_told_why() {
    on_every_backend!(server_on, no_ticket_cases);
}

async fn unknown_number_is_keyed_again(server: &TestServer) {
    let mut call = server.dial_from(MOBILE).await;
    to_whose_number(&mut call, "1").await;
    walk(
        &mut call,
        &[("1", &["zh/number-unknown", "zh/whose-number"])],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_that_is_not_ours_is_refused_and_the_caller_chooses_again() {
    on_every_backend!(server_on, unknown_number_is_keyed_again);
}

async fn complaint_about_another_number(server: &TestServer) {
    let mut call = server.dial_from(MOBILE).await;
    walk(
        &mut call,
        &[
            ("3", &["zh/06"]),
            ("2", &["zh/complaint-category"]),
            ("3", &["zh/complaint-type-billing"]),
            ("1", &["zh/whose-number"]),
            ("2", &["zh/21"]),
            (&format!("{OTHER_LINE}#"), &["zh/describe", "zh/beep"]),
        ],
    )
    .await;
    call.speak(speech()).await.expect("description spoken");
    walk(
        &mut call,
        &[("#", &["zh/contact-number"]), ("#", &["zh/31"])],
    )
    .await;
    let ticket = only_ticket(server, OTHER_LINE).await;
    expect_serial(&mut call, &ticket).await;
    call.expect_prompts(&["zh/complaint-accepted"], HEAR)
        .await
        .expect("accepted");
    call.hang_up().await.expect("BYE answered");
    let made = &ticket.ticket;
    assert_eq!(made.kind, TicketKind::Complaint);
    assert_eq!(made.category.as_deref(), Some("billing"));
    assert_eq!(made.complaint_type.as_deref(), Some("bill-dispute"));
    assert_eq!(made.prefecture, "jinghe");
    assert_eq!(made.contact_phone, MOBILE);
    assert!(made.deadlines.resolve_by.is_some(), "7 working days");
    let samples = recording_of(server, &ticket).await;
    assert!(samples.len() > 8000, "over a second recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_by_keypad_makes_a_complaint_ticket_with_category_type_and_recording() {
    on_every_backend!(server_on, complaint_about_another_number);
}

async fn suggestion_from_a_mobile(server: &TestServer) {
    let mut call = server.dial_from(MOBILE).await;
    walk(
        &mut call,
        &[
            ("3", &["zh/06"]),
            ("3", &["zh/suggestion-describe", "zh/beep"]),
        ],
    )
    .await;
    call.speak(speech()).await.expect("suggestion spoken");
    walk(&mut call, &[("#", &["zh/31"])]).await;
    let ticket = only_ticket(server, MOBILE).await;
    expect_serial(&mut call, &ticket).await;
    call.expect_prompts(&["zh/suggestion-accepted"], HEAR)
        .await
        .expect("thanks");
    call.hang_up().await.expect("BYE answered");
    assert_eq!(ticket.ticket.kind, TicketKind::Suggestion);
    assert_eq!(ticket.ticket.contact_phone, MOBILE);
    assert!(!recording_of(server, &ticket).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggestion_is_recorded_and_kept_as_a_suggestion_ticket() {
    on_every_backend!(server_on, suggestion_from_a_mobile);
}

async fn store_down(server: &TestServer) {
    let mut call = server.dial_from(OWN_LINE).await;
    to_whose_number(&mut call, "1").await;
    server.server.store().close().await;
    walk(&mut call, &[("1", &["zh/store-unavailable", "zh/02"])]).await;
    walk(&mut call, &[("3", &["zh/06"])]).await;
    call.hang_up()
        .await
        .expect("BYE answered: the call went on");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_store_is_down_the_caller_is_told_politely_and_the_call_goes_on() {
    on_every_backend!(server_on, store_down);
}
