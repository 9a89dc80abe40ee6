//! One call's walk through the menu, sans-IO: feed [`Input`]s with the time, take
//! [`Output`]s with `poll_output`, deliver `Input::Timeout` at `poll_timeout()`.
//!
//! Rules (spec §1): the call starts with `welcome` and the start menu's prompt as one
//! playlist. The no-input timer starts when a menu prompt has finished playing. A key
//! during a prompt that allows barge-in stops it (`StopPlayback`) and is acted on; during
//! other prompts (goodbye, transfer, too-many) keys are ignored. A wrong key plays
//! `invalid_prompt` and the menu prompt again, a timeout `timeout_prompt` and the menu
//! prompt; `max_failures` wrong keys (or `max_timeouts` timeouts) in a row play
//! `too_many_prompt` and run `on_too_many`. A valid key or entry, or a new menu, resets
//! both counts. `hangup` plays the goodbye and sends `Hangup` when it has finished;
//! `transfer` likewise with the transfer prompt and `Transfer`.
//!
//! Ticket flows (spec §3, §4): `set` fills the call's [`Form`]; `lookup_line` and `submit`
//! send a [`Request`] and wait, ignoring keys and with no timer, for the shell's
//! `Input::Reply`, whose branch runs next (a reply when none is awaited, or of the other
//! kind, is stale and ignored). A `Submit` reply clears the form; a `Created` one keeps
//! its serial for `say_digits: serial`. `menu_path` is the key chosen in each menu on
//! the way to the current one; `back` restores the form and that path as they were when
//! the menu returned to was entered, `top` clears both.
//!
//! A record node plays its prompt (its keys work during it; its end key skips the
//! recording), then sends `StartRecording`; its end key or `max` elapsed sends
//! `StopRecording` and runs its `then`. Other keys while recording are ignored.
//!
//! The path ([`PathStep`]) also shows the failures, for the agents and the call records:
//! a timeout where no key came, a wrong key (never a digit of an entry: those go to the
//! entry), and an entry refused as too short or not matching its pattern.
//!
//! A secret entry (`secret: true`) is kept apart: `collected` reads empty after it, the
//! path shows `******` (also for a refused one), and only the password fields of the form
//! (and `card_pin`) take its digits. The steps are in [`path`]; requests and replies in
//! [`asking`]; the password actions in [`passwords`]; the queries and `say` in
//! [`queries`].

mod asking;
mod form;
mod passwords;
mod path;
mod queries;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::requests::{Form, Reply, Request, Secret};
use super::schema::{Action, ActionId, Handoff, Menu, MenuNode, NodeId, PromptRef, Settings};
use crate::media::Key;

pub use path::PathStep;
use path::MASK;

/// Who called whom, as the SIP layer saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallInfo {
    pub caller: String,
    pub called: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The last `Play` has been played to its end (not sent after `StopPlayback`).
    PlaybackFinished,
    Timeout,
    /// The answer to the pending `Output::Request` (ignored when none is pending).
    Reply(Reply),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Replace whatever is playing with this playlist (PromptStore names, in order).
    Play {
        prompts: Vec<String>,
        barge_in: bool,
    },
    StopPlayback,
    /// Start capturing the caller's audio, for at most `max` (replacing any earlier
    /// capture of this call).
    StartRecording {
        max: Duration,
    },
    /// Stop capturing and keep what was captured for the next `Submit`.
    StopRecording,
    /// The caller skipped a recording: drop any capture kept from earlier, so that it
    /// cannot go with a later report.
    DiscardRecording,
    /// Carry this out and answer with `Input::Reply`; until then keys are ignored and
    /// there is no timeout.
    Request(Request),
    /// Hand the call on: to one of our queues, or by SIP REFER to a configured URI.
    Transfer {
        target: Handoff,
    },
    Hangup,
}

enum State {
    NotStarted,
    Playing {
        barge_in: bool,
        then: AfterPlay,
    },
    /// The menu prompt has finished; waiting for a first key until `deadline`.
    Listening {
        deadline: Instant,
    },
    /// Digits are being entered; the entry ends at `deadline` without another key.
    Collecting {
        deadline: Instant,
    },
    /// The caller's audio is being captured until the end key or `deadline`.
    Recording {
        deadline: Instant,
    },
    /// A request is out; `action` holds the branches for its reply.
    Waiting {
        action: ActionId,
    },
    Ended,
}

#[derive(Clone)]
enum AfterPlay {
    /// The menu prompt has finished: listen for keys (or record, on a record node).
    Listen,
    Run(ActionId),
    Finish(Output),
}

enum Failure {
    /// A wrong key or a refused entry: the step the path shows for it.
    Invalid(PathStep),
    Timeout,
}

/// A menu as the caller entered it, with the form and the length of the key trail at
/// that moment: `back` to it restores both.
#[derive(Clone)]
struct Visit {
    node: NodeId,
    form: Form,
    trail: usize,
}

pub struct Session {
    menu: Arc<Menu>,
    call: CallInfo,
    visit: Visit,
    /// Menus we came from by `goto`, for `back`.
    stack: Vec<Visit>,
    state: State,
    failures: u32,
    timeouts: u32,
    digits: String,
    /// The last completed entry, for `collected` (empty after a secret entry).
    collected: String,
    /// The last completed entry when it was secret, for the password fields.
    collected_secret: Option<Secret>,
    passwords: passwords::Passwords,
    /// What the queries found, for `say`.
    found: queries::Found,
    form: Form,
    /// The serial of the last ticket made, for `say_digits: serial`.
    serial: String,
    /// The key chosen in each menu on the way to this one, for `menu_path`.
    trail: Vec<Key>,
    path: Vec<PathStep>,
    outputs: VecDeque<Output>,
}

impl Session {
    pub fn new(menu: Arc<Menu>, call: CallInfo) -> Self {
        let visit = Visit {
            node: menu.start,
            form: Form::default(),
            trail: 0,
        };
        Session {
            menu,
            call,
            visit,
            stack: Vec::new(),
            state: State::NotStarted,
            failures: 0,
            timeouts: 0,
            digits: String::new(),
            collected: String::new(),
            collected_secret: None,
            passwords: passwords::Passwords::default(),
            found: queries::Found::default(),
            form: Form::default(),
            serial: String::new(),
            trail: Vec::new(),
            path: Vec::new(),
            outputs: VecDeque::new(),
        }
    }

    /// Plays the welcome and the start menu.
    pub fn start(&mut self, _now: Instant) {
        if !matches!(self.state, State::NotStarted) {
            return;
        }
        self.path.push(PathStep::Menu(self.current().id.clone()));
        let mut prompts = names(&self.menu.welcome);
        prompts.extend(names(&self.current().prompt));
        let barge_in = self.settings().barge_in;
        self.play(prompts, barge_in, AfterPlay::Listen);
    }

    pub fn handle(&mut self, input: Input, now: Instant) {
        match (&self.state, input) {
            (State::Playing { then, .. }, Input::PlaybackFinished) => {
                let then = then.clone();
                self.played(then, now);
            }
            (State::Playing { barge_in: true, .. }, Input::Key(key)) => {
                self.outputs.push_back(Output::StopPlayback);
                self.on_key(key, now);
            }
            (State::Listening { .. } | State::Collecting { .. }, Input::Key(key)) => {
                self.on_key(key, now)
            }
            (State::Recording { .. }, Input::Key(key)) if self.is_end_of_recording(key) => {
                self.end_recording()
            }
            (State::Listening { deadline }, Input::Timeout) if now >= *deadline => {
                self.fail(Failure::Timeout)
            }
            (State::Collecting { deadline }, Input::Timeout) if now >= *deadline => {
                self.end_entry()
            }
            (State::Recording { deadline }, Input::Timeout) if now >= *deadline => {
                self.end_recording()
            }
            (State::Waiting { action }, Input::Reply(reply)) => {
                let action = *action;
                self.on_reply(action, reply);
            }
            // A key during a prompt without barge-in, while recording (not the end key) or
            // while a request is out; a stale timer, event or reply.
            _ => {}
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When to deliver `Input::Timeout` (none while a prompt plays or a request is out).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Listening { deadline }
            | State::Collecting { deadline }
            | State::Recording { deadline } => Some(deadline),
            _ => None,
        }
    }

    /// Menus entered, keys chosen, entries made, timeouts and wrong keys or entries, in
    /// order (secret entries masked).
    pub fn path(&self) -> &[PathStep] {
        &self.path
    }

    /// The ticket fields the caller has given so far (no secret, no card number).
    pub fn draft(&self) -> Vec<(String, String)> {
        self.form.draft()
    }

    /// The serial of the last ticket made in this call, if any.
    pub fn ticket_serial(&self) -> Option<&str> {
        Some(self.serial.as_str()).filter(|serial| !serial.is_empty())
    }

    /// True once `Hangup` or `Transfer` has been output.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    /// True while the caller is in a menu whose entry is secret (`secret: true`): the keys
    /// pressed now must not be logged.
    pub fn is_secret_entry(&self) -> bool {
        self.current().collect.as_ref().is_some_and(|c| c.secret)
    }

    /// The id of the menu the caller is in.
    pub fn menu_id(&self) -> &str {
        &self.current().id
    }

    fn current(&self) -> &MenuNode {
        self.menu.node(self.visit.node)
    }

    fn settings(&self) -> &Settings {
        &self.current().settings
    }

    fn play(&mut self, prompts: Vec<String>, barge_in: bool, then: AfterPlay) {
        self.state = State::Playing { barge_in, then };
        self.outputs.push_back(Output::Play { prompts, barge_in });
    }

    fn played(&mut self, then: AfterPlay, now: Instant) {
        match then {
            AfterPlay::Listen => self.listen(now),
            AfterPlay::Run(action) => self.run(action),
            AfterPlay::Finish(output) => {
                self.outputs.push_back(output);
                self.state = State::Ended;
            }
        }
    }

    /// After the menu prompt: record (a record node) or wait for a key.
    fn listen(&mut self, now: Instant) {
        self.state = match &self.current().record {
            Some(record) => {
                let max = record.max;
                self.outputs.push_back(Output::StartRecording { max });
                State::Recording {
                    deadline: now + max,
                }
            }
            None => State::Listening {
                deadline: now + self.settings().timeout,
            },
        };
    }

    fn on_key(&mut self, key: Key, now: Instant) {
        let menu = Arc::clone(&self.menu);
        let node = menu.node(self.visit.node);
        if let Some(record) = node.record.as_ref().filter(|r| r.end_key == key) {
            // The end key during a record node's prompt: nothing to record.
            self.outputs.push_back(Output::DiscardRecording);
            self.succeed();
            return self.run(record.then);
        }
        if let Some(collect) = &node.collect {
            if key.as_char().is_ascii_digit() {
                self.digits.push(key.as_char());
                if self.digits.len() >= collect.max_digits {
                    self.end_entry();
                } else {
                    let deadline = now + node.settings.inter_digit_timeout;
                    self.state = State::Collecting { deadline };
                }
                return;
            }
            if collect.end_key == Some(key) {
                return self.end_entry();
            }
        }
        match node.action_for(key) {
            Some(action) => {
                self.path.push(PathStep::Key(key));
                self.trail.truncate(self.visit.trail);
                self.trail.push(key);
                self.succeed();
                self.run(action);
            }
            None => self.fail(Failure::Invalid(PathStep::WrongKey(key))),
        }
    }

    /// Checks the digits entered so far (end key, max length or inter-digit timeout).
    fn end_entry(&mut self) {
        let menu = Arc::clone(&self.menu);
        let Some(collect) = &menu.node(self.visit.node).collect else {
            return;
        };
        let entry = std::mem::take(&mut self.digits);
        let long_enough = entry.len() >= collect.min_digits;
        if !long_enough
            || collect
                .pattern
                .as_ref()
                .is_some_and(|p| !p.is_match(&entry))
        {
            let shown = if collect.secret && !entry.is_empty() {
                MASK.to_string()
            } else {
                entry
            };
            return self.fail(Failure::Invalid(PathStep::WrongEntry(shown)));
        }
        if collect.secret {
            self.path.push(PathStep::Entry(MASK.to_string()));
            self.collected.clear();
            self.collected_secret = Some(Secret::new(entry));
        } else {
            self.path.push(PathStep::Entry(entry.clone()));
            self.collected = entry;
            self.collected_secret = None;
        }
        self.succeed();
        self.run(collect.then);
    }

    fn is_end_of_recording(&self, key: Key) -> bool {
        self.current().record.as_ref().map(|r| r.end_key) == Some(key)
    }

    /// The end key or `max` while recording: stop, then the node's `then`.
    fn end_recording(&mut self) {
        let menu = Arc::clone(&self.menu);
        let Some(record) = &menu.node(self.visit.node).record else {
            return;
        };
        self.outputs.push_back(Output::StopRecording);
        self.succeed();
        self.run(record.then);
    }

    fn succeed(&mut self) {
        self.failures = 0;
        self.timeouts = 0;
    }

    fn fail(&mut self, failure: Failure) {
        self.digits.clear();
        let menu = Arc::clone(&self.menu);
        let node = menu.node(self.visit.node);
        let s = &node.settings;
        let (count, max, prompt) = match failure {
            Failure::Invalid(step) => {
                self.path.push(step);
                (&mut self.failures, s.max_failures, &s.invalid_prompt)
            }
            Failure::Timeout => {
                self.path.push(PathStep::Timeout);
                (&mut self.timeouts, s.max_timeouts, &s.timeout_prompt)
            }
        };
        *count += 1;
        if *count >= max {
            self.succeed();
            self.play_then(names(&s.too_many_prompt), false, s.on_too_many);
        } else {
            let mut prompts = names(prompt);
            prompts.extend(names(&node.prompt));
            let barge_in = s.barge_in;
            self.play(prompts, barge_in, AfterPlay::Listen);
        }
    }

    /// Plays `prompts` then continues; with nothing to play, continues at once.
    fn play_then(&mut self, prompts: Vec<String>, barge_in: bool, then: ActionId) {
        if prompts.is_empty() {
            self.run(then);
        } else {
            self.play(prompts, barge_in, AfterPlay::Run(then));
        }
    }

    fn run(&mut self, action: ActionId) {
        let menu = Arc::clone(&self.menu);
        let settings = &menu.node(self.visit.node).settings;
        let barge_in = settings.barge_in;
        match menu.action(action) {
            Action::Goto(to) => {
                self.stack.push(self.visit.clone());
                self.enter(*to);
            }
            Action::Back => self.back(),
            Action::Top => self.top(),
            Action::Repeat => self.repeat(),
            Action::Play { prompts, then } => self.play_then(names(prompts), barge_in, *then),
            Action::SayDigits { source, then } => {
                let prompts = self.digit_prompts(source);
                self.play_then(prompts, barge_in, *then);
            }
            Action::Hangup { goodbye } => {
                let prompts = goodbye.as_ref().unwrap_or(&settings.goodbye_prompt);
                self.finish(names(prompts), Output::Hangup);
            }
            Action::Transfer { to } => {
                let target = to.clone();
                self.finish(
                    names(&settings.transfer_prompt),
                    Output::Transfer { target },
                );
            }
            Action::Set { assignments, then } => {
                assignments.iter().for_each(|a| self.assign(a));
                self.run(*then);
            }
            Action::LookupLine { .. } => {
                let request = Request::LookupLine {
                    number: self.form.number.clone().unwrap_or_default(),
                    product: self.form.product,
                };
                self.ask(action, request);
            }
            Action::Submit { kind, .. } => {
                let request = Request::Submit {
                    kind: *kind,
                    form: Box::new(self.form.clone()),
                    menu_path: self.menu_path(),
                };
                self.ask(action, request);
            }
            Action::PasswordStatus { .. }
            | Action::CheckPassword { .. }
            | Action::SetPassword { .. } => self.ask_password(action),
            Action::QueryBalance { .. }
            | Action::RedeemCard { .. }
            | Action::OrderStatus { .. }
            | Action::RepairStatus { .. } => self.ask_query(action),
            Action::Say { what, then } => {
                let prompts = self.said(*what);
                self.play_then(prompts, barge_in, *then);
            }
        }
    }

    /// The key chosen in each menu on the way here, joined by '-' ("3-1-1-1").
    fn menu_path(&self) -> String {
        let keys: Vec<String> = self.trail.iter().map(Key::to_string).collect();
        keys.join("-")
    }

    fn finish(&mut self, prompts: Vec<String>, output: Output) {
        if prompts.is_empty() {
            self.outputs.push_back(output);
            self.state = State::Ended;
        } else {
            self.play(prompts, false, AfterPlay::Finish(output));
        }
    }

    /// Returns to the start menu with an empty form and path.
    fn top(&mut self) {
        self.stack.clear();
        self.form = Form::default();
        self.trail.clear();
        self.enter(self.menu.start);
    }

    /// Returns to the menu we came from, as it was when we entered it (form and trail).
    fn back(&mut self) {
        match self.stack.pop() {
            Some(visit) => {
                self.form = visit.form;
                self.trail.truncate(visit.trail);
                self.enter(visit.node);
            }
            None => self.repeat(),
        }
    }

    fn enter(&mut self, node: NodeId) {
        self.visit = Visit {
            node,
            form: self.form.clone(),
            trail: self.trail.len(),
        };
        self.path.push(PathStep::Menu(self.current().id.clone()));
        self.succeed();
        self.repeat();
    }

    /// Plays the current menu's prompt and listens again.
    fn repeat(&mut self) {
        self.digits.clear();
        let prompts = names(&self.current().prompt);
        let barge_in = self.settings().barge_in;
        self.play(prompts, barge_in, AfterPlay::Listen);
    }
}

fn names(prompts: &[PromptRef]) -> Vec<String> {
    prompts.iter().map(|p| p.name.clone()).collect()
}
