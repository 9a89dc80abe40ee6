//! `hotline records export` as an operator runs it on a SQLite file: the records of the
//! days asked as CSV on stdout or in `--out`, and a clear refusal of reversed dates.

#[path = "store_common/records.rs"]
mod records;

use std::process::{Command, Output};

use hotline::records::csv::to_csv;
use hotline::store::Store;
use records::{at, call_record, gave_up};

fn export(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["records", "export"])
        .args(args)
        .args(["--db", url])
        .output()
        .expect("run hotline")
}

#[tokio::test]
async fn export_prints_the_records_of_the_range_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let store = Store::connect(&url).await.unwrap();
    let inside = [
        call_record("one@h", at(10, 8, 0, 0)),
        gave_up("two@h", at(10, 9, 0, 0)),
    ];
    for record in inside.iter().chain([&gave_up("later@h", at(11, 0, 0, 0))]) {
        store.insert_call_record(record).await.unwrap();
    }
    store.close().await;

    let out = export(&url, &["--from", "2026-03-10", "--to", "2026-03-10"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        to_csv(&inside).unwrap()
    );

    let file = dir.path().join("march.csv");
    let out = export(
        &url,
        &[
            "--from",
            "2026-03-10",
            "--to",
            "2026-03-11",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written.lines().count(),
        4,
        "header and three records: {written}"
    );

    let out = export(&url, &["--from", "2026-03-11", "--to", "2026-03-10"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is after"));
}
