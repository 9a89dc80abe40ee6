//! Real calls over loopback through main menu 6 (spec §2): a line password set from the
//! line itself and kept as an argon2id hash, refused to callers from other numbers (the
//! line and the contract number), changed after a wrong and then the right old password;
//! and the server's whole log of such calls without a digit of the passwords. Each
//! scenario runs on SQLite, and on PostgreSQL too when `DATABASE_URL` names one.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use common::log::server_log;
use common::{on_every_backend, walk, TestServer};
use hotline::caller::Call;
use hotline::passwords::hash::{hash_password, verify_password};
use hotline::passwords::Secret;
use hotline::store::PasswordSubject;
use hotline::tickets::model::{Line, LineStatus};
use store_common::{backends, TestDb};

const OWN_LINE: &str = "05512345678";
const OTHER_LINE: &str = "05512345679";
const VACANT: &str = "05512345602";
const MOBILE: &str = "13800138000";
const CONTRACT: &str = "88001";
/// Passwords without the menu keys 1, 2 and 6, so that a logged key would show.
const FIRST: &str = "583947";
const SECOND: &str = "390758";

fn line(number: &str, status: LineStatus, contract: &str) -> Line {
    let contract_number = Some(contract.to_string());
    Line {
        contract_number,
        ..store_common::line(number, status)
    }
}

/// A server on `db`'s database with the test lines imported.
async fn server_on(db: &TestDb) -> TestServer {
    let lines = [
        line(OWN_LINE, LineStatus::Active, CONTRACT),
        line(OTHER_LINE, LineStatus::Active, "88002"),
        line(VACANT, LineStatus::Vacant, "88003"),
    ];
    TestServer::with_lines(&db.url, &lines).await
}

/// Dials from `caller`, waits for the welcome and the main menu, presses 6.
async fn password_menu_from(server: &TestServer, caller: &str) -> Call {
    let mut call = server.dial_from(caller).await;
    walk(&mut call, &[("6", &["zh/27"])]).await;
    call
}

fn own_line() -> PasswordSubject {
    PasswordSubject::Line(OWN_LINE.to_string())
}

fn secret(digits: &str) -> Secret {
    Secret::new(digits.to_string())
}

/// The stored hash of `subject`'s password.
async fn stored_hash(server: &TestServer, subject: &PasswordSubject) -> String {
    let hash = server.server.store().password_hash(subject).await;
    hash.expect("read").expect("a password is set")
}

/// 6 2 from the line: no password yet, 1, the new password twice: 19, the main menu.
async fn set_first_password(server: &TestServer) {
    let mut call = password_menu_from(server, OWN_LINE).await;
    let entry = format!("{FIRST}#");
    walk(
        &mut call,
        &[
            ("2", &["zh/14"]),
            ("1", &["zh/16"]),
            (&entry, &["zh/17"]),
            (&entry, &["zh/19", "zh/02"]),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

/// 6 2 from the line with a password set: a wrong one (24, 15 again), the right one,
/// then the new one twice.
async fn change_first_password(server: &TestServer) {
    let mut call = password_menu_from(server, OWN_LINE).await;
    let (old, new) = (format!("{FIRST}#"), format!("{SECOND}#"));
    walk(
        &mut call,
        &[
            ("2", &["zh/15"]),
            ("909090#", &["zh/24", "zh/15"]),
            (&old, &["zh/16"]),
            (&new, &["zh/17"]),
            (&new, &["zh/19", "zh/02"]),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
}

async fn set_from_the_line(server: &TestServer) {
    set_first_password(server).await;
    let hash = stored_hash(server, &own_line()).await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(FIRST), "{hash}");
    assert!(verify_password(&secret(FIRST), &hash));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_set_from_the_line_is_stored_as_an_argon2id_hash() {
    on_every_backend!(server_on, set_from_the_line);
}

async fn others_cannot_change_it(server: &TestServer) {
    let store = server.server.store();
    let hash = hash_password(&secret(FIRST));
    let now = chrono::Utc::now();
    store
        .set_password(&own_line(), &hash, now)
        .await
        .expect("set");
    // A phone that is no line of ours: told so, back at 27.
    let mut call = password_menu_from(server, MOBILE).await;
    walk(&mut call, &[("2", &["zh/password-other-line", "zh/27"])]).await;
    call.hang_up().await.expect("BYE answered");
    // Another line keying this line's contract number.
    let mut call = password_menu_from(server, OTHER_LINE).await;
    let contract = format!("{CONTRACT}#");
    walk(
        &mut call,
        &[
            ("3", &["zh/29"]),
            (&contract, &["zh/password-other-line", "zh/27"]),
        ],
    )
    .await;
    call.hang_up().await.expect("BYE answered");
    // A vacant line may not set one.
    let mut call = password_menu_from(server, VACANT).await;
    walk(&mut call, &[("2", &["zh/password-not-allowed", "zh/27"])]).await;
    call.hang_up().await.expect("BYE answered");
    assert_eq!(stored_hash(server, &own_line()).await, hash, "unchanged");
    let contract = PasswordSubject::Contract(CONTRACT.to_string());
    let none = store.password_hash(&contract).await.expect("read");
    assert_eq!(none, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_number_can_neither_set_nor_change_the_lines_password() {
    on_every_backend!(server_on, others_cannot_change_it);
}

async fn change_after_a_wrong_old_password(server: &TestServer) {
    let store = server.server.store();
    let now = chrono::Utc::now();
    let old = hash_password(&secret(FIRST));
    store
        .set_password(&own_line(), &old, now)
        .await
        .expect("set");
    change_first_password(server).await;
    let hash = stored_hash(server, &own_line()).await;
    assert!(verify_password(&secret(SECOND), &hash));
    assert!(!verify_password(&secret(FIRST), &hash));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_changed_after_a_wrong_then_the_right_old_password() {
    on_every_backend!(server_on, change_after_a_wrong_old_password);
}

async fn whole_calls_logged(server: &TestServer) {
    set_first_password(server).await;
    change_first_password(server).await;
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_digit_reaches_the_servers_log() {
    let log = server_log();
    on_every_backend!(server_on, whole_calls_logged);
    let text = String::from_utf8_lossy(&log.lock().expect("log")).to_string();
    assert!(text.contains("request to the desk"), "the log was captured");
    assert!(
        text.contains("password: ******"),
        "the request is logged masked"
    );
    assert!(
        text.contains("key (secret entry)"),
        "secret keys are logged masked"
    );
    for password in [FIRST, SECOND, "909090"] {
        assert!(!text.contains(password), "{password} in the log");
    }
    // The menu keys were 6, 2 and 1: no other key may be named in a call from the line
    // (the other tests of this binary log here too, with keys of their own from other
    // numbers).
    let own_calls = format!("caller={OWN_LINE}");
    let keys = text
        .lines()
        .filter(|l| l.contains(&own_calls) && l.contains("key="));
    assert!(text.contains("key=6"), "menu keys are logged");
    for line in keys {
        let named = line
            .split("key=")
            .nth(1)
            .and_then(|rest| rest.chars().next());
        assert!(
            matches!(named, Some('6' | '2' | '1')),
            "a key of an entry logged: {line}"
        );
    }
}
