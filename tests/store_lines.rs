//! The subscriber-lines import through `hotline lines import`, and the line a caller
//! keyed on the phone pad, on every backend.

mod store_common;

use std::process::Command;

use hotline::tickets::model::{LineKind, LineStatus, Product};
use store_common::{backends, line};

fn import(url: &str, file: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lines", "import", "--db", url])
        .arg(file)
        .output()
        .expect("run hotline")
}

#[tokio::test]
async fn demo_file_imports_every_prefecture_kind_and_status() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/lines.csv");
    for db in backends().await {
        let out = import(&db.url, &demo);
        assert!(out.status.success(), "{}: {out:?}", db.backend);
        assert!(String::from_utf8_lossy(&out.stdout).contains("330 line(s) imported"));
        assert_eq!(db.store.count_lines().await.unwrap(), 330, "{}", db.backend);
        // again: an upsert, not duplicates
        assert!(import(&db.url, &demo).status.success());
        assert_eq!(db.store.count_lines().await.unwrap(), 330);
        let line = db.store.line("05517054526").await.unwrap().expect("line");
        assert_eq!(line.prefecture, "jinghe");
        assert_eq!(line.kind, LineKind::Landline);
        assert_eq!(line.status, LineStatus::Active);
        db.finish().await;
    }
}

#[tokio::test]
async fn import_with_bad_rows_changes_nothing_and_names_every_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lines.csv");
    std::fs::write(
        &file,
        "number,kind,prefecture,status,tier,big_customer,leased_line,owner_name,contact_phone,contract_number\n\
         05512345678,landline,jinghe,active,gold,false,false,王芳,13900000001,HT1\n\
         05522345678,landline,jinghe,active,gold,false,false,李强,,\n\
         lan0551abc,broadband,jinghe,closed,gold,false,false,张伟,,\n\
         05532345678,landline,baiyun,active,gold,false,false,,,\n\
         05512345678,landline,jinghe,active,gold,false,false,王芳,,\n",
    )
    .unwrap();
    for db in backends().await {
        let out = import(&db.url, &file);
        assert_eq!(out.status.code(), Some(1), "{}", db.backend);
        let stderr = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        let name = file.display().to_string();
        for (line, reason) in [
            (3, "area code of qingshan"),
            (4, "unknown line status `closed`"),
            (5, "owner_name is required"),
            (6, "already on line 2"),
        ] {
            let expected = format!("{name}:{line}: ");
            assert!(
                stderr
                    .lines()
                    .any(|l| l.starts_with(&expected) && l.contains(reason)),
                "{}: no `{expected}… {reason}` in\n{stderr}",
                db.backend
            );
        }
        assert!(!stderr.contains(&format!("{name}:2:")), "{stderr}");
        assert!(
            stderr.contains("4 bad row(s); nothing imported"),
            "{stderr}"
        );
        assert_eq!(db.store.count_lines().await.unwrap(), 0, "{}", db.backend);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_keyed_number_finds_its_line_as_keyed_then_adsl_then_lan_within_the_product() {
    let lines = [
        ("05512345678", LineKind::Landline),
        ("adsl05512345678", LineKind::Broadband),
        ("adsl05587654321", LineKind::Broadband),
        ("lan05587654321", LineKind::Broadband),
        ("lan05511112222", LineKind::Broadband),
        ("13912345678", LineKind::WirelessBroadband),
        ("05513334444", LineKind::PublicCardPhone),
        ("05515556666", LineKind::LeasedLine),
    ]
    .map(|(number, kind)| hotline::tickets::model::Line {
        kind,
        ..line(number, LineStatus::Active)
    });
    use Product::{Broadband, Telephone};
    let cases = [
        // the digits as keyed come first; the product filters
        ("05512345678", None, Some("05512345678")),
        ("05512345678", Some(Telephone), Some("05512345678")),
        ("05512345678", Some(Broadband), Some("adsl05512345678")),
        // adsl before lan
        ("05587654321", None, Some("adsl05587654321")),
        ("05587654321", Some(Broadband), Some("adsl05587654321")),
        ("05511112222", Some(Broadband), Some("lan05511112222")),
        ("05511112222", None, Some("lan05511112222")),
        // telephone never tries the broadband accounts
        ("05587654321", Some(Telephone), None),
        ("05511112222", Some(Telephone), None),
        // wireless broadband is broadband; card phones and leased lines are telephone
        ("13912345678", Some(Broadband), Some("13912345678")),
        ("13912345678", Some(Telephone), None),
        ("05513334444", Some(Telephone), Some("05513334444")),
        ("05513334444", Some(Broadband), None),
        ("05515556666", Some(Telephone), Some("05515556666")),
        ("05515556666", None, Some("05515556666")),
        ("05500000000", None, None),
        ("", None, None),
    ];
    for db in backends().await {
        db.store.upsert_lines(&lines).await.unwrap();
        for (digits, product, expected) in cases {
            let found = db.store.find_keyed_line(digits, product).await.unwrap();
            assert_eq!(
                found.as_ref().map(|l| l.number.as_str()),
                expected,
                "{}: {digits:?} as {product:?}",
                db.backend
            );
        }
        db.finish().await;
    }
}
