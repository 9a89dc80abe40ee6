//! The subscriber-lines import through `hotline lines import`, on every backend.

mod store_common;

use std::process::Command;

use hotline::tickets::model::{LineKind, LineStatus};
use store_common::backends;

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
