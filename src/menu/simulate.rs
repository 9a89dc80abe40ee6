//! `hotline simulate`: drives a [`Session`] with a fake clock through a key script and
//! returns what a caller would hear and what the server would do, one line each:
//! `play zh/01 zh/02`, `key 3`, `stop`, `timeout`, `record (at most 60s)`,
//! `stop recording`, `transfer sip:…`, `hangup`, and `ask …` for a question to the
//! ticket store (`ask lookup_line number=0755… product=telephone`,
//! `ask submit fault menu_path=3-1-1-1-1 product=telephone …`,
//! `ask password_status line 075512345678`, `ask check_password line 075512345678
//! password=******`). Password digits are always shown as `******`. There is no store
//! here: the simulation stops at the first question.
//!
//! Script rules: tokens are separated by spaces. A key token (`3`, `*`, `#`, or several
//! keys typed in one go like `0571#`) waits until the prompt playing has finished, then
//! presses its keys 1 s apart. Prefix it with `+` (`+3`) to press while the prompt is
//! still playing (barge-in). `wait` (or `timeout`) lets the prompt finish and then
//! stays silent until the menu's timer fires (no-input or inter-digit timeout, or the
//! end of a recording's `max`). At the
//! end of the script the last prompt is played out, so a final hangup or transfer shows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::requests::PasswordSubject;
use super::{CallInfo, Form, Input, Menu, Output, Request, Session};
use crate::media::Key;

enum Step {
    Keys { keys: Vec<Key>, barge_in: bool },
    Wait,
}

fn parse_script(script: &str) -> Result<Vec<(String, Step)>, String> {
    script
        .split_whitespace()
        .map(|token| {
            if matches!(token, "wait" | "timeout") {
                return Ok((token.to_string(), Step::Wait));
            }
            let (barge_in, keys) = match token.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, token),
            };
            let keys: Option<Vec<Key>> = keys.chars().map(Key::from_char).collect();
            match keys {
                Some(keys) if !keys.is_empty() => Ok((token.to_string(), Step::Keys { keys, barge_in })),
                _ => Err(format!(
                    "`{token}` is neither keys (0-9 * # A-D, `+` in front to press during the prompt) nor `wait`"
                )),
            }
        })
        .collect()
}

struct Run {
    session: Session,
    now: Instant,
    playing: Option<bool>, // Some(barge_in) while a prompt plays
    /// The session has asked the store something: the script stops there.
    asked: bool,
    lines: Vec<String>,
}

/// A request as a line: `lookup_line number=… product=…`, `submit KIND menu_path=… …`,
/// `password_status KIND SUBJECT`, `check_password …`, `set_password …`, or a query:
/// `query_balance line NUMBER`, `redeem_card …`, `order_status …`, `repair_status …`.
fn describe(request: &Request) -> String {
    match request {
        Request::LookupLine { number, product } => {
            let product = product.map_or("any", |p| p.as_str());
            format!("lookup_line number={number} product={product}")
        }
        Request::Submit {
            kind,
            form,
            menu_path,
        } => format!(
            "submit {} menu_path={menu_path}{}",
            kind.as_str(),
            form_fields(form)
        ),
        Request::PasswordStatus { account } => format!("password_status {}", subject(account)),
        Request::CheckPassword { account, password } => {
            format!("check_password {} password={password}", subject(account))
        }
        Request::SetPassword {
            account,
            new,
            again,
        } => format!("set_password {} new={new} again={again}", subject(account)),
        Request::QueryBalance { number } => format!("query_balance line {number}"),
        Request::RedeemCard { number, card, pin } => {
            format!("redeem_card line {number} card={card} pin={pin}")
        }
        Request::OrderStatus { order_or_number } => format!("order_status {order_or_number}"),
        Request::RepairStatus { number } => format!("repair_status {number}"),
    }
}

/// `line 075512345678` or `contract 12345`.
fn subject(account: &PasswordSubject) -> String {
    format!("{} {}", account.kind(), account.subject())
}

/// The fields set in the form, each as ` name=value`.
fn form_fields(form: &Form) -> String {
    let fields = [
        ("product", form.product.map(|p| p.as_str())),
        ("number", form.number.as_deref()),
        ("phenomenon", form.phenomenon.as_deref()),
        ("contact", form.contact.as_deref()),
        ("complaint_type", form.complaint_type.as_deref()),
        ("order", form.order.as_deref()),
        ("contract", form.contract.as_deref()),
        ("card", form.card.as_deref()),
    ];
    fields
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!(" {name}={v}")))
        .collect()
}

impl Run {
    fn drain(&mut self) {
        while let Some(output) = self.session.poll_output() {
            let line = match output {
                Output::Play { prompts, barge_in } => {
                    self.playing = Some(barge_in);
                    let note = if barge_in { "" } else { " (no barge-in)" };
                    format!("play {}{note}", prompts.join(" "))
                }
                Output::StopPlayback => {
                    self.playing = None;
                    "stop".to_string()
                }
                Output::StartRecording { max } => format!("record (at most {max:?})"),
                Output::StopRecording => "stop recording".to_string(),
                Output::DiscardRecording => "no recording (skipped)".to_string(),
                Output::Request(request) => {
                    self.asked = true;
                    format!("ask {}", describe(&request))
                }
                Output::Transfer { target } => format!("transfer {target}"),
                Output::Hangup => "hangup".to_string(),
            };
            self.lines.push(line);
        }
    }

    fn input(&mut self, input: Input) {
        self.session.handle(input, self.now);
        self.drain();
    }

    /// Where the call waits when the script has ended or cannot go on.
    fn waiting(&self) -> String {
        let menu = self.session.menu_id();
        if self.asked {
            format!("waiting for the store's answer in menu {menu}")
        } else {
            format!("waiting in menu {menu}")
        }
    }

    /// Plays every prompt to its end (a play may be followed by another one).
    fn finish_playing(&mut self) {
        while self.playing.take().is_some() && !self.session.is_ended() {
            self.now += Duration::from_secs(1);
            self.input(Input::PlaybackFinished);
        }
    }
}

/// Runs `keys` (see the module doc) against `menu` as a call from `caller`.
/// Errors: a token that is not a key or `wait`.
pub fn simulate(menu: Arc<Menu>, caller: &str, keys: &str) -> Result<Vec<String>, String> {
    let script = parse_script(keys)?;
    let call = CallInfo {
        caller: caller.to_string(),
        called: String::new(),
    };
    let mut run = Run {
        session: Session::new(menu, call),
        now: Instant::now(),
        playing: None,
        asked: false,
        lines: Vec::new(),
    };
    run.session.start(run.now);
    run.drain();
    for (i, (token, step)) in script.iter().enumerate() {
        if !matches!(step, Step::Keys { barge_in: true, .. }) {
            run.finish_playing();
        }
        if run.session.is_ended() || run.asked {
            let rest: Vec<&str> = script[i..].iter().map(|(t, _)| t.as_str()).collect();
            let stop = if run.session.is_ended() {
                "call ended".to_string()
            } else {
                run.waiting()
            };
            run.lines
                .push(format!("{stop}; not used: {}", rest.join(" ")));
            return Ok(run.lines);
        }
        match step {
            Step::Wait => match run.session.poll_timeout() {
                Some(at) => {
                    run.now = run.now.max(at);
                    run.lines.push("timeout".to_string());
                    run.input(Input::Timeout);
                }
                None => run.lines.push(format!("{token}: nothing to wait for")),
            },
            Step::Keys { keys, .. } => {
                for key in keys {
                    run.now += Duration::from_secs(1);
                    let ignored = run.playing == Some(false) && !run.session.is_ended();
                    let note = if ignored {
                        " (ignored: this prompt cannot be interrupted)"
                    } else {
                        ""
                    };
                    run.lines.push(format!("key {key}{note}"));
                    run.input(Input::Key(*key));
                }
            }
        }
    }
    run.finish_playing();
    if !run.session.is_ended() {
        let line = run.waiting();
        run.lines.push(line);
    }
    Ok(run.lines)
}
