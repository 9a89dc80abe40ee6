//! `hotline records export --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE]`: the call
//! records of those UTC days (`to` included) as CSV, written by the same
//! [`hotline::records::csv`] writer as `GET /api/call-records.csv`, to stdout unless
//! `--out` names a file (created or replaced).

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use hotline::records::csv::write_records;
use hotline::records::range::DateRange;
use hotline::store::Store;

use super::DbArgs;

#[derive(Args)]
pub struct RecordsArgs {
    #[command(flatten)]
    pub store: DbArgs,
    #[command(subcommand)]
    pub command: RecordsCommand,
}

#[derive(Subcommand)]
pub enum RecordsCommand {
    /// The call records of a range of days as CSV, oldest first.
    Export {
        /// The first day (UTC), YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// The last day (UTC, included), YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn records(store: Store, command: RecordsCommand) -> Result<ExitCode, String> {
    let RecordsCommand::Export { from, to, out } = command;
    let range = DateRange::parse(&from, &to)?;
    let records =
        (store.call_records(range.start(), range.end()).await).map_err(|e| e.to_string())?;
    let written = match &out {
        Some(path) => File::create(path)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|file| write_records(file, &records).map_err(|e| e.to_string())),
        None => {
            let stdout = std::io::stdout().lock();
            write_records(stdout, &records).map_err(|e| e.to_string())
        }
    };
    written?;
    if let Some(path) = out {
        let mut stderr = std::io::stderr();
        // The count is a courtesy; a closed stderr does not fail the export.
        let _ = writeln!(stderr, "{}: {} call records", path.display(), records.len());
    }
    Ok(ExitCode::SUCCESS)
}
