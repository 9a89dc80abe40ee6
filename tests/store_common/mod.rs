//! Shared by the `store_*` and `api_*` tests: one fresh store per backend (a temp SQLite
//! file always; a fresh PostgreSQL schema when `DATABASE_URL` names one), fixtures, and
//! servers on those stores with a raw HTTP client ([`api`]).
#![allow(dead_code)]

pub mod api;
pub mod records;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use hotline::store::{NewRecording, Store};
use hotline::tickets::calendar::Calendar;
use hotline::tickets::config::{load_calendar, load_catalogue, load_prefectures, Catalogue};
use hotline::tickets::lifecycle::{Actor, ActorKind};
use hotline::tickets::model::{Line, LineKind, LineStatus, Tier};
use hotline::tickets::number::Prefectures;
use hotline::tickets::rules::FaultReport;

/// One backend's store, and how to clean it up.
pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin: sqlx::PgPool, schema: String },
}

/// A fresh store on SQLite, and on PostgreSQL when `DATABASE_URL` names one.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hotline.db").display());
    let store = Store::connect(&url).await.expect("sqlite store");
    dbs.push(TestDb {
        backend: "sqlite",
        url,
        store,
        cleanup: Cleanup::Sqlite(dir),
    });
    if let Ok(base) = std::env::var("DATABASE_URL") {
        if base.starts_with("postgres") {
            let admin = sqlx::PgPool::connect(&base).await.expect("DATABASE_URL");
            let schema = format!("t_{:016x}", rand::random::<u64>());
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .expect("create schema");
            let join = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{join}options=-c%20search_path%3D{schema}");
            let store = Store::connect(&url).await.expect("postgres store");
            dbs.push(TestDb {
                backend: "postgres",
                url,
                store,
                cleanup: Cleanup::Postgres { admin, schema },
            });
        }
    }
    dbs
}

impl TestDb {
    /// How many rows `table` holds, counted past the store (on its own connection).
    pub async fn count_rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.cleanup {
            Cleanup::Sqlite(_) => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.expect("sqlite");
                let count = sqlx::query_scalar(&sql)
                    .fetch_one(&pool)
                    .await
                    .expect("count");
                pool.close().await;
                count
            }
            Cleanup::Postgres { .. } => {
                let pool = sqlx::PgPool::connect(&self.url).await.expect("postgres");
                let count = sqlx::query_scalar(&sql)
                    .fetch_one(&pool)
                    .await
                    .expect("count");
                pool.close().await;
                count
            }
        }
    }

    /// Closes the store and drops the PostgreSQL schema.
    pub async fn finish(self) {
        self.store.close().await;
        if let Cleanup::Postgres { admin, schema } = self.cleanup {
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await
                .expect("drop schema");
            admin.close().await;
        }
    }
}

fn config(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(file)
}

pub fn calendar() -> Calendar {
    load_calendar(&config("holidays.yaml")).expect("holidays")
}

pub fn catalogue() -> Catalogue {
    load_catalogue(&config("complaint-catalogue.yaml")).expect("catalogue")
}

pub fn prefectures() -> Prefectures {
    load_prefectures(&config("prefectures.yaml")).expect("prefectures")
}

/// Tuesday 2026-03-10 at `hour`:`minute` local time (+08:00), in UTC.
pub fn local(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    calendar().to_utc(
        chrono::NaiveDate::from_ymd_opt(2026, 3, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .expect("date"),
    )
}

pub fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

pub const LANDLINE: &str = "05512345678";
pub const ARREARS: &str = "05512345679";

pub fn line(number: &str, status: LineStatus) -> Line {
    Line {
        number: number.to_string(),
        kind: LineKind::Landline,
        status,
        tier: Tier::Ordinary,
        big_customer: false,
        leased_line: false,
        prefecture: "jinghe".to_string(),
        owner_name: "王芳".to_string(),
        contact_phone: Some("13900000001".to_string()),
        contract_number: Some("HT000001".to_string()),
    }
}

pub async fn with_lines(store: &Store) {
    let lines = [
        line(LANDLINE, LineStatus::Active),
        line(ARREARS, LineStatus::SuspendedForArrears),
    ];
    store.upsert_lines(&lines).await.expect("lines");
}

pub fn report() -> FaultReport {
    FaultReport {
        contact_name: "王芳".to_string(),
        contact_phone: "13900000001".to_string(),
        phenomenon: "no-dial-tone".to_string(),
        description: "没有拨号音".to_string(),
        no_call_back: false,
        menu_path: "3-1".to_string(),
    }
}

pub fn ivr() -> Actor {
    Actor {
        kind: ActorKind::Ivr,
        id: "call-1".to_string(),
    }
}

pub fn agent(id: &str) -> Actor {
    Actor {
        kind: ActorKind::Agent,
        id: id.to_string(),
    }
}

/// A caller's recording: `ms` milliseconds of 8 kHz 16-bit mono PCM in a WAV file whose
/// samples sweep every value, so every byte value occurs (`seed` varies the bytes).
pub fn recording(ms: u32, seed: i16) -> NewRecording {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut wav, spec).expect("wav header");
    let mut sample = seed;
    for _ in 0..ms * 8 {
        writer.write_sample(sample).expect("sample");
        sample = sample.wrapping_add(257);
    }
    writer.finalize().expect("wav");
    NewRecording {
        wav: wav.into_inner(),
        duration_ms: ms,
    }
}
