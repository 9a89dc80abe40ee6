//! `hotline balances|orders|cards import` as an operator runs them: the demo files load
//! on every backend (again: upserts), and a file with bad rows loads nothing and names
//! each bad row as `FILE:LINE: reason` without ever showing a card PIN.

mod store_common;

use std::path::Path;
use std::process::{Command, Output};

use hotline::accounts::money::Cents;
use hotline::accounts::orders::{HalfDay, OrderState};
use hotline::passwords::Secret;
use hotline::store::Redeemed;
use store_common::{backends, local};

fn import(what: &str, url: &str, file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([what, "import", "--db", url])
        .arg(file)
        .output()
        .expect("run hotline")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

fn demo(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demo")
        .join(file)
}

#[tokio::test]
async fn the_demo_files_import_on_every_backend() {
    for db in backends().await {
        let backend = db.backend;
        for (what, file, count) in [
            ("balances", "balances.csv", "12 balance(s)"),
            ("orders", "orders.csv", "8 order(s)"),
            ("cards", "cards.csv", "8 card(s)"),
        ] {
            for _ in 0..2 {
                let out = import(what, &db.url, &demo(file));
                assert!(out.status.success(), "{backend} {what}: {}", text(&out));
                assert!(
                    text(&out).contains(&format!("{count} imported")),
                    "{}",
                    text(&out)
                );
            }
        }
        assert_eq!(db.count_rows("balances").await, 12, "{backend}");
        assert_eq!(db.count_rows("install_orders").await, 8, "{backend}");
        assert_eq!(db.count_rows("recharge_cards").await, 8, "{backend}");
        let store = &db.store;
        let balance = store.balance("05517054526").await.unwrap().unwrap();
        assert_eq!(
            (balance.balance, balance.charges),
            (Cents(12_345), Cents(5_670))
        );
        let newest = store.install_order("05517054526").await.unwrap().unwrap();
        assert_eq!(newest.order_number, "202611220008");
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let half = HalfDay::Afternoon;
        assert_eq!(newest.state, OrderState::Appointed { date, half });
        let pin = Secret::new("271828182845".to_string());
        let now = local(10, 12, 0);
        let redeemed = store.redeem_card("1000000000000001", &pin, "05517054526", now);
        let topped = Redeemed::ToppedUp {
            balance: Cents(17_345),
        };
        assert_eq!(redeemed.await.unwrap(), topped, "{backend}");
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_rows_import_nothing_and_are_each_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, content: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let balances = write(
        "balances.csv",
        "number,balance,month,charges\n05512345678,1.00,2026-11,0\n05512345679,1.005,2026-11,0\n",
    );
    let orders = write(
        "orders.csv",
        "order_number,number,kind,tier,state,appointment_date,half_day,created_at\n\
         1,05512345678,move,gold,waiting,,,2026-11-20 09:00\n\
         2,05512345678,move,gold,appointed,,,2026-11-20 09:00\n",
    );
    let cards = write(
        "cards.csv",
        "card_number,pin,value\n1000000001,8675309x,50\n1000000002,867530,50\n",
    );
    for db in backends().await {
        for (what, file, line, reason, table) in [
            ("balances", &balances, 3, "more than 2 decimals", "balances"),
            ("orders", &orders, 3, "appointment date", "install_orders"),
            ("cards", &cards, 2, "pin must be digits", "recharge_cards"),
        ] {
            let out = import(what, &db.url, file);
            let shown = text(&out);
            assert_eq!(out.status.code(), Some(1), "{}: {shown}", db.backend);
            let expected = format!("{}:{line}: ", file.display());
            assert!(
                shown
                    .lines()
                    .any(|l| l.starts_with(&expected) && l.contains(reason)),
                "no `{expected}… {reason}` in\n{shown}"
            );
            assert!(shown.contains("1 bad row(s); nothing imported"), "{shown}");
            assert!(!shown.contains("8675309"), "a PIN was shown: {shown}");
            assert_eq!(db.count_rows(table).await, 0, "{}", db.backend);
        }
        db.finish().await;
    }
}
