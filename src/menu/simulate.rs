//! `hotline simulate`: drives a [`Session`] with a fake clock through a key script and
//! returns what a caller would hear and what the server would do, one line each:
//! `play zh/01 zh/02`, `key 3`, `stop`, `timeout`, `transfer sip:…`, `hangup`.
//!
//! Script rules: tokens are separated by spaces. A key token (`3`, `*`, `#`, or several
//! keys typed in one go like `0571#`) waits until the prompt playing has finished, then
//! presses its keys 1 s apart. Prefix it with `+` (`+3`) to press while the prompt is
//! still playing (barge-in). `wait` (or `timeout`) lets the prompt finish and then
//! stays silent until the menu's timer fires (no-input or inter-digit timeout). At the
//! end of the script the last prompt is played out, so a final hangup or transfer shows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{CallInfo, Input, Menu, Output, Session};
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
    lines: Vec<String>,
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
        lines: Vec::new(),
    };
    run.session.start(run.now);
    run.drain();
    for (i, (token, step)) in script.iter().enumerate() {
        if !matches!(step, Step::Keys { barge_in: true, .. }) {
            run.finish_playing();
        }
        if run.session.is_ended() {
            let rest: Vec<&str> = script[i..].iter().map(|(t, _)| t.as_str()).collect();
            run.lines
                .push(format!("call ended; not used: {}", rest.join(" ")));
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
        let line = format!("waiting in menu {}", run.session.menu_id());
        run.lines.push(line);
    }
    Ok(run.lines)
}
