//! The accounts in the store on every backend: balances, installation orders, recharge
//! cards redeemed once only (also by two callers at once), and passwords checked,
//! locked on a fake clock, listed and lifted.

mod store_common;

use chrono::{Duration, NaiveDate};
use hotline::accounts::money::Cents;
use hotline::accounts::orders::{HalfDay, OrderKind, OrderState};
use hotline::passwords::hash::hash_password;
use hotline::passwords::lockout::{LockoutPolicy, Verdict};
use hotline::passwords::Secret;
use hotline::store::{Balance, InstallOrder, NewCard, PasswordSubject, Redeemed, Store};
use hotline::tickets::model::Tier;
use store_common::{backends, local, ARREARS, LANDLINE};

fn secret(digits: &str) -> Secret {
    Secret::new(digits.to_string())
}

fn balance(number: &str, balance: i64, charges: i64) -> Balance {
    Balance {
        number: number.to_string(),
        balance: Cents(balance),
        month: "2026-03".to_string(),
        charges: Cents(charges),
    }
}

fn order(order_number: &str, number: &str, state: OrderState, day: u32) -> InstallOrder {
    InstallOrder {
        order_number: order_number.to_string(),
        number: number.to_string(),
        kind: OrderKind::NewInstall,
        state,
        tier: Tier::Gold,
        created_at: local(day, 9, 0),
        appointment_due: local(day, 16, 0),
    }
}

/// A card worth 50.00 whose PIN is 271828.
fn card(card_number: &str) -> NewCard {
    NewCard {
        card_number: card_number.to_string(),
        pin_hash: hash_password(&secret("271828")),
        value: Cents(5_000),
    }
}

#[tokio::test]
async fn balances_are_read_back_exactly_and_replaced_by_a_new_import() {
    for db in backends().await {
        let store = &db.store;
        let rows = [
            balance(LANDLINE, 12_345, 5_670),
            balance(ARREARS, -3_520, 12_030),
        ];
        assert_eq!(
            store.import_balances(&rows, local(10, 8, 0)).await.unwrap(),
            2
        );
        assert_eq!(
            store.balance(LANDLINE).await.unwrap(),
            Some(rows[0].clone())
        );
        assert_eq!(store.balance(ARREARS).await.unwrap(), Some(rows[1].clone()));
        assert_eq!(store.balance("05510000000").await.unwrap(), None);
        let again = [balance(LANDLINE, 1, 2)];
        store
            .import_balances(&again, local(11, 8, 0))
            .await
            .unwrap();
        assert_eq!(
            store.balance(LANDLINE).await.unwrap(),
            Some(again[0].clone())
        );
        assert_eq!(db.count_rows("balances").await, 2, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn an_order_is_found_by_its_number_or_as_the_newest_of_its_line() {
    let appointed = OrderState::Appointed {
        date: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
        half: HalfDay::Afternoon,
    };
    for db in backends().await {
        let store = &db.store;
        let orders = [
            order("2026031001", LANDLINE, OrderState::Done, 9),
            order("2026031002", LANDLINE, appointed, 10),
            order("2026031003", ARREARS, OrderState::Deferred, 10),
        ];
        assert_eq!(store.import_orders(&orders).await.unwrap(), 3);
        let found = store.install_order("2026031001").await.unwrap();
        assert_eq!(found.as_ref(), Some(&orders[0]), "{}", db.backend);
        let newest = store.install_order(LANDLINE).await.unwrap();
        assert_eq!(newest.as_ref(), Some(&orders[1]), "{}", db.backend);
        assert_eq!(store.install_order("2026039999").await.unwrap(), None);
        // upsert: the order moves on
        let moved = order("2026031002", LANDLINE, OrderState::UnderConstruction, 10);
        store
            .import_orders(std::slice::from_ref(&moved))
            .await
            .unwrap();
        assert_eq!(store.install_order(LANDLINE).await.unwrap(), Some(moved));
        assert_eq!(db.count_rows("install_orders").await, 3);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_card_tops_up_once_and_refuses_unknown_wrong_and_used() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 12, 0);
        store
            .import_balances(&[balance(LANDLINE, 1_000, 0)], now)
            .await
            .unwrap();
        let cards = [card("1000000001"), card("1000000002")];
        assert_eq!(store.import_cards(&cards, now).await.unwrap(), 2);
        let pin = secret("271828");
        let redeem = |card: &'static str, pin: &Secret, number: &'static str| {
            let (store, pin) = (store.clone(), pin.clone());
            async move { store.redeem_card(card, &pin, number, now).await.unwrap() }
        };
        assert_eq!(
            redeem("1000000009", &pin, LANDLINE).await,
            Redeemed::Refused
        );
        let wrong = secret("271829");
        assert_eq!(
            redeem("1000000001", &wrong, LANDLINE).await,
            Redeemed::Refused
        );
        // no balance row for that number: refused, and the card stays usable
        assert_eq!(redeem("1000000001", &pin, ARREARS).await, Redeemed::Refused);
        let topped = Redeemed::ToppedUp {
            balance: Cents(6_000),
        };
        assert_eq!(
            redeem("1000000001", &pin, LANDLINE).await,
            topped,
            "{}",
            db.backend
        );
        assert_eq!(
            redeem("1000000001", &pin, LANDLINE).await,
            Redeemed::Refused
        );
        assert_eq!(
            store.balance(LANDLINE).await.unwrap().unwrap().balance,
            Cents(6_000)
        );
        // reloading a redeemed card leaves it redeemed
        store.import_cards(&cards, now).await.unwrap();
        assert_eq!(
            redeem("1000000001", &pin, LANDLINE).await,
            Redeemed::Refused
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_callers_with_one_card_at_once_top_up_exactly_once() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 12, 0);
        let balances = [balance(LANDLINE, 1_000, 0), balance(ARREARS, -500, 0)];
        store.import_balances(&balances, now).await.unwrap();
        for round in 0..5 {
            let number = format!("200000000{round}");
            store.import_cards(&[card(&number)], now).await.unwrap();
            let caller = |store: Store, card: String, line: &'static str| {
                tokio::spawn(async move {
                    let pin = secret("271828");
                    store.redeem_card(&card, &pin, line, now).await.unwrap()
                })
            };
            let first = caller(store.clone(), number.clone(), LANDLINE);
            let second = caller(store.clone(), number.clone(), ARREARS);
            let results = [first.await.unwrap(), second.await.unwrap()];
            let topped = results
                .iter()
                .filter(|r| matches!(r, Redeemed::ToppedUp { .. }))
                .count();
            assert_eq!(topped, 1, "{}: round {round}: {results:?}", db.backend);
        }
        let total = |number| async move { store.balance(number).await.unwrap().unwrap().balance.0 };
        // five cards of 50.00, each credited once to one of the two lines
        assert_eq!(total(LANDLINE).await + total(ARREARS).await, 500 + 25_000);
        db.finish().await;
    }
}

#[tokio::test]
async fn passwords_lock_after_five_failures_and_an_agent_lifts_the_lock() {
    let policy = LockoutPolicy::default();
    let line = PasswordSubject::Line(LANDLINE.to_string());
    let contract = PasswordSubject::Contract(LANDLINE.to_string());
    for db in backends().await {
        let store = &db.store;
        let t0 = local(10, 9, 0);
        let at = |minutes| t0 + Duration::minutes(minutes);
        assert_eq!(store.password_hash(&line).await.unwrap(), None);
        let nothing = Verdict::Wrong { locked_until: None };
        let check = |subject: &PasswordSubject, digits: &str, minute: i64| {
            let (store, subject, policy) = (store.clone(), subject.clone(), policy.clone());
            let entry = secret(digits);
            async move {
                let now = at(minute);
                store
                    .check_password(&subject, &entry, &policy, now)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(check(&line, "271828", 0).await, nothing, "no password yet");
        store
            .set_password(&line, &hash_password(&secret("271828")), t0)
            .await
            .unwrap();
        assert!(store
            .password_hash(&line)
            .await
            .unwrap()
            .unwrap()
            .starts_with("$argon2id$"));
        assert_eq!(store.password_hash(&contract).await.unwrap(), None);
        assert_eq!(check(&line, "271828", 0).await, Verdict::Accepted);
        for minute in 1..=4 {
            assert_eq!(check(&line, "000001", minute).await, nothing);
        }
        let until = at(5) + Duration::minutes(30);
        assert_eq!(
            check(&line, "000001", 5).await,
            Verdict::Wrong {
                locked_until: Some(until)
            },
            "{}",
            db.backend
        );
        assert_eq!(check(&line, "271828", 6).await, Verdict::Locked { until });
        let locks = store.password_locks(true, at(6)).await.unwrap();
        assert_eq!(locks.len(), 1, "{}", db.backend);
        assert_eq!(locks[0].subject, line);
        assert_eq!((locks[0].locked_at, locks[0].locked_until), (at(5), until));
        assert_eq!(
            (locks[0].lifted_at, locks[0].lifted_by.as_deref()),
            (None, None)
        );

        assert!(!store.lift_lock(&contract, "agent-7", at(7)).await.unwrap());
        assert!(store.lift_lock(&line, "agent-7", at(7)).await.unwrap());
        assert!(!store.lift_lock(&line, "agent-7", at(7)).await.unwrap());
        assert!(store.password_locks(true, at(7)).await.unwrap().is_empty());
        let all = store.password_locks(false, at(7)).await.unwrap();
        assert_eq!(all[0].lifted_by.as_deref(), Some("agent-7"));
        assert_eq!(all[0].lifted_at, Some(at(7)));
        // lifted: the count starts again
        assert_eq!(check(&line, "000001", 8).await, nothing);
        assert_eq!(check(&line, "271828", 9).await, Verdict::Accepted);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_lock_runs_out_by_itself_and_stays_on_record() {
    let policy = LockoutPolicy {
        max_failures: 2,
        lock_minutes: 10,
    };
    let subject = PasswordSubject::Contract("HT000001".to_string());
    for db in backends().await {
        let store = &db.store;
        let t0 = local(10, 9, 0);
        store
            .set_password(&subject, &hash_password(&secret("802011")), t0)
            .await
            .unwrap();
        let wrong = secret("000001");
        for minute in [0, 1] {
            let now = t0 + Duration::minutes(minute);
            store
                .check_password(&subject, &wrong, &policy, now)
                .await
                .unwrap();
        }
        let until = t0 + Duration::minutes(11);
        assert_eq!(
            store
                .password_locks(true, until - Duration::seconds(1))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(store.password_locks(true, until).await.unwrap().is_empty());
        assert_eq!(store.password_locks(false, until).await.unwrap().len(), 1);
        assert!(!store.lift_lock(&subject, "agent-7", until).await.unwrap());
        let right = secret("802011");
        let verdict = store
            .check_password(&subject, &right, &policy, until)
            .await
            .unwrap();
        assert_eq!(verdict, Verdict::Accepted, "{}", db.backend);
        db.finish().await;
    }
}
