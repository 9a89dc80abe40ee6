//! `hotline menu versions|show|rollback`: the history of the menu and prompt versions that
//! went live, and putting an earlier one back.
//!
//! Decisions:
//! - `rollback` writes the version's menu file and prompt files back where the server
//!   reads them (`--menu`, `--prompts`); a running server puts them in service when its
//!   file watcher sees them (or on SIGHUP / `POST /api/reload`), after validating them like
//!   any edit, and its history then shows the new version as the same as the old one.
//!   The console's rollback button does the same inside the server.
//! - `show` prints what changed from the version before (a unified diff of the menu and
//!   the prompt files added, changed or removed).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use hotline::live::restore::restore;
use hotline::store::Store;

use super::{DbArgs, MenuArgs};

#[derive(Args)]
pub struct MenuCommandArgs {
    #[command(flatten)]
    pub store: DbArgs,
    #[command(subcommand)]
    pub command: MenuCommand,
}

#[derive(Subcommand)]
pub enum MenuCommand {
    /// The versions that went live, newest first: number, time, source, rollbacks.
    Versions {
        /// How many to list.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// What one version changed from the one before.
    Show { version: i64 },
    /// Write an earlier version's menu and prompt files back (a running server then
    /// switches to them).
    Rollback {
        version: i64,
        #[command(flatten)]
        files: MenuArgs,
    },
}

pub async fn menu(store: Store, command: MenuCommand) -> Result<ExitCode, String> {
    match command {
        MenuCommand::Versions { limit } => {
            let versions = store
                .menu_versions(limit)
                .await
                .map_err(|e| e.to_string())?;
            for version in versions {
                let same = version
                    .same_as
                    .map(|earlier| format!("  (same as version {earlier})"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}{same}",
                    version.version,
                    version.activated_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    version.source
                );
            }
        }
        MenuCommand::Show { version } => {
            let (version, _) = (store
                .menu_version(version)
                .await
                .map_err(|e| e.to_string())?)
            .ok_or_else(|| format!("there is no version {version}"))?;
            println!(
                "version {} of {}, live since {} ({})",
                version.version,
                version.menu_file,
                version.activated_at.format("%Y-%m-%d %H:%M:%S UTC"),
                version.source
            );
            print!("{}", version.changes);
        }
        MenuCommand::Rollback { version, files } => {
            let (_, contents) = (store
                .menu_version(version)
                .await
                .map_err(|e| e.to_string())?)
            .ok_or_else(|| format!("there is no version {version}"))?;
            restore(&store, &contents, &files.menu, &files.prompts)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "version {version} written to {} and {}; a running server switches to it when it \
                 sees the change (or on SIGHUP or POST /api/reload)",
                files.menu.display(),
                files.prompts.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
