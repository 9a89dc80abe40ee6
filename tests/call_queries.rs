//! Real calls over loopback through the query branches (issue 5): the bill of main menu
//! 1 2 behind the line password, spoken in Mandarin amounts, topped up with a recharge
//! card that then can't be used again; an installation order's state (1 3); the open
//! fault report of the caller's line with its promised time (3 4); no password or card
//! PIN digit in the server's log. Each scenario runs on SQLite, and on PostgreSQL too
//! when `DATABASE_URL` names one.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use chrono::{Duration, DurationRound, NaiveDate, Utc};
use common::log::server_log;
use common::{on_every_backend, walk, TestServer};
use hotline::accounts::money::Cents;
use hotline::accounts::orders::{HalfDay, OrderKind, OrderState};
use hotline::accounts::spoken::speak_date_hour;
use hotline::passwords::hash::hash_password;
use hotline::passwords::Secret;
use hotline::store::{Balance, InstallOrder, NewCard, PasswordSubject};
use hotline::tickets::model::{LineStatus, Tier};
use store_common::{backends, ivr, report, TestDb};

const OWN_LINE: &str = "05512345678";
const OTHER_LINE: &str = "05512345679";
/// A password without the menu keys 1 and 2, so that a misheard key would show.
const PASSWORD: &str = "583947";
const CARD: &str = "8800123456";
const CARD_PIN: &str = "39057468";
const ORDER: &str = "2026112000017";

async fn server_on(db: &TestDb) -> TestServer {
    let lines = [
        store_common::line(OWN_LINE, LineStatus::Active),
        store_common::line(OTHER_LINE, LineStatus::Active),
    ];
    TestServer::with_lines(&db.url, &lines).await
}

fn zh(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| format!("zh/{id}")).collect()
}

/// The bill as heard: the balance (its whole yuan read as `yuan_words`, then 四角五分),
/// this month's charges (三十元五角) and the top-up offer.
fn bill(yuan_words: &[&str]) -> Vec<String> {
    let mut heard = zh(&["balance-is"]);
    heard.extend(zh(yuan_words));
    heard.extend(zh(&["digit-4", "jiao", "digit-5", "fen"]));
    let charges = [
        "charges-are",
        "digit-3",
        "num-10",
        "yuan",
        "digit-5",
        "jiao",
    ];
    heard.extend(zh(&charges));
    heard.extend(zh(&["topup-offer"]));
    heard
}

/// A call from the line: 1 2, the password (hearing `bill`), 1, the card and its PIN
/// (hearing `after_pin`), then BYE.
async fn top_up_call(server: &TestServer, bill: Vec<String>, after_pin: Vec<String>) {
    let mut call = server.dial_from(OWN_LINE).await;
    let password = format!("{PASSWORD}#");
    let (card_entry, pin_entry) = (format!("{CARD}#"), format!("{CARD_PIN}#"));
    walk_owned(
        &mut call,
        &[
            ("1", zh(&["04"])),
            ("2", zh(&["15"])),
            (&password, bill),
            ("1", zh(&["card-number"])),
            (&card_entry, zh(&["card-pin"])),
            (&pin_entry, after_pin),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

/// Keys and the prompts that follow them, with owned prompt lists.
async fn walk_owned(call: &mut hotline::caller::Call, steps: &[(&str, Vec<String>)]) {
    for (keys, prompts) in steps {
        let prompts: Vec<&str> = prompts.iter().map(String::as_str).collect();
        walk(call, &[(keys, &prompts)]).await;
    }
}

async fn bill_and_top_up(server: &TestServer) {
    let store = server.server.store();
    let now = Utc::now();
    let line = PasswordSubject::Line(OWN_LINE.to_string());
    let hash = hash_password(&Secret::new(PASSWORD.to_string()));
    store
        .set_password(&line, &hash, now)
        .await
        .expect("password");
    let balance = Balance {
        number: OWN_LINE.to_string(),
        balance: Cents(12_345),
        month: now.format("%Y-%m").to_string(),
        charges: Cents(3_050),
    };
    store
        .import_balances(&[balance], now)
        .await
        .expect("balance");
    let card = NewCard {
        card_number: CARD.to_string(),
        pin_hash: hash_password(&Secret::new(CARD_PIN.to_string())),
        value: Cents(5_000),
    };
    store.import_cards(&[card], now).await.expect("card");

    // 一百二十三元四角五分, 三十元五角; after 50 yuan: 一百七十三元四角五分.
    let before = ["num-1", "num-100", "digit-2", "num-10", "digit-3", "yuan"];
    let topped = ["num-1", "num-100", "digit-7", "num-10", "digit-3", "yuan"];
    let mut topped_up = zh(&["topup-done"]);
    topped_up.extend(zh(&topped));
    topped_up.extend(zh(&["digit-4", "jiao", "digit-5", "fen", "02"]));
    top_up_call(server, bill(&before), topped_up).await;
    let after = store
        .balance(OWN_LINE)
        .await
        .expect("read")
        .expect("a balance");
    assert_eq!(after.balance, Cents(17_345));

    // The same card again: refused, and the balance stays.
    let refused = zh(&["card-refused", "card-number"]);
    top_up_call(server, bill(&topped), refused).await;
    let after = store
        .balance(OWN_LINE)
        .await
        .expect("read")
        .expect("a balance");
    assert_eq!(after.balance, Cents(17_345), "a card tops up once only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bill_is_heard_after_the_password_and_a_card_tops_up_once_only() {
    let log = server_log();
    on_every_backend!(server_on, bill_and_top_up);
    let text = String::from_utf8_lossy(&log.lock().expect("log")).to_string();
    assert!(text.contains("request to the desk"), "the log was captured");
    for secret in [PASSWORD, CARD_PIN] {
        assert!(!text.contains(secret), "{secret} in the log");
    }
}

async fn installation_progress(server: &TestServer) {
    let store = server.server.store();
    let created_at = Utc::now() - Duration::hours(2);
    let order = InstallOrder {
        order_number: ORDER.to_string(),
        number: OTHER_LINE.to_string(),
        kind: OrderKind::NewInstall,
        state: OrderState::Appointed {
            date: NaiveDate::from_ymd_opt(2026, 12, 3).expect("a date"),
            half: HalfDay::Afternoon,
        },
        tier: Tier::Gold,
        created_at,
        appointment_due: created_at + Duration::hours(7),
    };
    store.import_orders(&[order]).await.expect("order");
    let mut call = server.dial_from(OWN_LINE).await;
    let order_entry = format!("{ORDER}#");
    // 十二月三日下午
    let appointed = zh(&[
        "order-appointed",
        "num-10",
        "digit-2",
        "month",
        "digit-3",
        "day",
        "afternoon",
        "02",
    ]);
    walk_owned(
        &mut call,
        &[
            ("1", zh(&["04"])),
            ("3", zh(&["20"])),
            ("1", zh(&["order-number"])),
            (&order_entry, appointed),
            ("1", zh(&["04"])),
            ("3", zh(&["20"])),
            ("1", zh(&["order-number"])),
            ("9999999#", zh(&["order-unknown", "order-number"])),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_orders_state_is_heard_by_its_order_number() {
    on_every_backend!(server_on, installation_progress);
}

async fn repair_progress(server: &TestServer) {
    let store = server.server.store();
    let calendar = store_common::calendar();
    // On a whole hour, so that the promised time (24 h later) is heard to the hour.
    let reported = Utc::now()
        .duration_trunc(Duration::hours(1))
        .expect("an hour")
        - Duration::hours(1);
    (store.report_fault(OWN_LINE, &report(), &ivr(), &calendar, reported, None))
        .await
        .expect("a fault report");
    let mut call = server.dial_from(OWN_LINE).await;
    let due = calendar.local(reported + Duration::hours(24));
    let mut heard = zh(&["repair-accepted", "repair-due"]);
    heard.extend(zh(&speak_date_hour(due)));
    heard.push("zh/02".to_string());
    walk_owned(
        &mut call,
        &[
            ("3", zh(&["06", "repair-offer"])),
            ("4", zh(&["whose-number"])),
            ("1", heard),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
    // Another number without an open fault.
    let mut call = server.dial_from(OWN_LINE).await;
    let other = format!("{OTHER_LINE}#");
    walk_owned(
        &mut call,
        &[
            ("3", zh(&["06", "repair-offer"])),
            ("4", zh(&["whose-number"])),
            ("2", zh(&["21"])),
            (&other, zh(&["repair-none", "02"])),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_fault_of_the_callers_line_is_heard_with_its_promised_time() {
    on_every_backend!(server_on, repair_progress);
}
