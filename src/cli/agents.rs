//! `hotline agents add|list|passwd|disable|enable`: the agents in the store.
//!
//! Decisions:
//! - A password is never a command-line argument (it would show in `ps` and the shell's
//!   history): it comes from `HOTLINE_AGENT_PASSWORD`, else it is typed twice on the
//!   terminal without echo. Echo is turned off with `nix`'s termios (already a
//!   dependency) rather than another crate.
//! - The realm of the HA1s is `--realm` / `HOTLINE_SIP_REALM`, by default the server's
//!   [`DEFAULT_SIP_REALM`]: it must be the realm the server challenges with.
//! - Checking the input is the store's ([`hotline::store::NewAgent::validate`]): its
//!   messages are printed as they are.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use hotline::passwords::Secret;
use hotline::store::{NewAgent, Store, DEFAULT_SIP_REALM};
use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
use zeroize::Zeroizing;

use super::DbArgs;

/// The environment variable a password is taken from instead of the terminal.
const PASSWORD_VAR: &str = "HOTLINE_AGENT_PASSWORD";

#[derive(Args)]
pub struct AgentsArgs {
    #[command(flatten)]
    pub store: DbArgs,
    #[command(subcommand)]
    pub command: AgentsCommand,
}

#[derive(Subcommand)]
pub enum AgentsCommand {
    /// Add an agent; the password from HOTLINE_AGENT_PASSWORD or typed on the terminal.
    Add {
        /// The work number (工号): 1 to 10 digits, also the SIP digest username.
        work_number: String,
        /// The agent's name, as the console shows it.
        #[arg(long)]
        name: String,
        /// Comma-separated, in order: ordinary,senior,supervisor,directory …
        #[arg(long, value_delimiter = ',', required = true)]
        skills: Vec<String>,
        #[command(flatten)]
        realm: RealmArgs,
    },
    /// One line per agent: work number, name, skills, enabled or disabled, registrations.
    List,
    /// Set an agent's password (console login and SIP digest alike).
    Passwd {
        work_number: String,
        #[command(flatten)]
        realm: RealmArgs,
    },
    /// Refuse the agent's login and registrations, and drop their phones' registrations.
    Disable { work_number: String },
    /// Let a disabled agent log in and register again.
    Enable { work_number: String },
}

#[derive(Args)]
pub struct RealmArgs {
    /// The SIP digest realm the password's HA1s are made for (the server's realm).
    #[arg(long, env = "HOTLINE_SIP_REALM", default_value = DEFAULT_SIP_REALM)]
    realm: String,
}

pub async fn agents(store: Store, command: AgentsCommand) -> Result<ExitCode, String> {
    let now = chrono::Utc::now();
    match command {
        AgentsCommand::Add {
            work_number,
            name,
            skills,
            realm,
        } => {
            let agent = NewAgent {
                work_number,
                name,
                skills,
                password: new_password()?,
            };
            store
                .add_agent(&agent, &realm.realm, now)
                .await
                .map_err(|e| e.to_string())?;
            println!("agent {} added", agent.work_number);
        }
        AgentsCommand::List => {
            let seats = store.seats().await.map_err(|e| e.to_string())?;
            for agent in store.agents().await.map_err(|e| e.to_string())? {
                let bindings = store.bindings(&agent.work_number, now).await;
                let registered = bindings.map_err(|e| e.to_string())?.len();
                let access = if agent.disabled {
                    "disabled"
                } else {
                    "enabled"
                };
                let seat = seats.iter().find(|s| s.work_number == agent.work_number);
                let seat = seat.map_or("logged-out".to_string(), |seat| {
                    let reason = seat.reason.as_ref().map(|r| format!(" ({r})"));
                    format!(
                        "{}{} since {}",
                        seat.state,
                        reason.unwrap_or_default(),
                        seat.since
                    )
                });
                println!(
                    "{}\t{}\t{}\t{access}\t{registered} registration(s)\t{seat}",
                    agent.work_number,
                    agent.name,
                    agent.skills.join(","),
                );
            }
        }
        AgentsCommand::Passwd { work_number, realm } => {
            let password = new_password()?;
            let set = store.set_agent_password(&work_number, &password, &realm.realm, now);
            if !set.await.map_err(|e| e.to_string())? {
                return Err(format!("no agent {work_number}"));
            }
            println!("agent {work_number}: password set");
        }
        AgentsCommand::Disable { work_number } => set_disabled(&store, &work_number, true).await?,
        AgentsCommand::Enable { work_number } => set_disabled(&store, &work_number, false).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn set_disabled(store: &Store, work_number: &str, disabled: bool) -> Result<(), String> {
    let changed = store.set_agent_disabled(work_number, disabled).await;
    if !changed.map_err(|e| e.to_string())? {
        return Err(format!("no agent {work_number}"));
    }
    let state = if disabled { "disabled" } else { "enabled" };
    println!("agent {work_number} {state}");
    Ok(())
}

/// The password from `HOTLINE_AGENT_PASSWORD`, else typed twice on the terminal.
fn new_password() -> Result<Secret, String> {
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        return Ok(Secret::new(password));
    }
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| format!("no terminal to type the password on ({e}): set {PASSWORD_VAR}"))?;
    let first = ask_without_echo(&mut tty, "Password: ")?;
    if ask_without_echo(&mut tty, "Password again: ")? != first {
        return Err("the two passwords differ; nothing changed".to_string());
    }
    Ok(first)
}

/// One line typed on `tty` with echo off (restored even when reading fails).
fn ask_without_echo(tty: &mut File, prompt: &str) -> Result<Secret, String> {
    let terminal_error = |e: &dyn std::fmt::Display| format!("terminal: {e}");
    let saved = tcgetattr(&*tty).map_err(|e| terminal_error(&e))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    quiet.local_flags.insert(LocalFlags::ECHONL);
    tcsetattr(&*tty, SetArg::TCSAFLUSH, &quiet).map_err(|e| terminal_error(&e))?;
    let mut line = Zeroizing::new(String::new());
    let read = tty
        .write_all(prompt.as_bytes())
        .and_then(|()| BufReader::new(&*tty).read_line(&mut line));
    let restored = tcsetattr(&*tty, SetArg::TCSAFLUSH, &saved);
    read.map_err(|e| terminal_error(&e))?;
    restored.map_err(|e| terminal_error(&e))?;
    Ok(Secret::new(line.trim_end_matches(['\r', '\n']).to_string()))
}
