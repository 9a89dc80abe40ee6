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

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use super::schema::{Action, ActionId, DigitSource, Menu, MenuNode, NodeId, PromptRef, Settings};
use crate::media::Key;

/// Who called whom, as the SIP layer saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallInfo {
    pub caller: String,
    pub called: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The last `Play` has been played to its end (not sent after `StopPlayback`).
    PlaybackFinished,
    Timeout,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Replace whatever is playing with this playlist (PromptStore names, in order).
    Play {
        prompts: Vec<String>,
        barge_in: bool,
    },
    StopPlayback,
    /// Blind transfer by SIP REFER to a configured URI.
    Transfer {
        target: String,
    },
    Hangup,
}

/// One step of the call's way through the menu, for agents and records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A menu entered (its id).
    Menu(String),
    /// A key that chose an action.
    Key(Key),
    /// A completed digit entry; `******` when the entry is secret.
    Entry(String),
}

/// Masked form of a secret entry (its length is not revealed either).
const MASK: &str = "******";

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
    Ended,
}

#[derive(Clone)]
enum AfterPlay {
    /// Start the no-input timer of the current menu.
    Listen,
    Run(ActionId),
    Finish(Output),
}

enum Failure {
    Invalid,
    Timeout,
}

pub struct Session {
    menu: Arc<Menu>,
    call: CallInfo,
    node: NodeId,
    /// Menus we came from by `goto`, for `back`.
    stack: Vec<NodeId>,
    state: State,
    failures: u32,
    timeouts: u32,
    digits: String,
    /// The last completed entry, for `say_digits: collected`.
    collected: String,
    path: Vec<PathStep>,
    outputs: VecDeque<Output>,
}

impl Session {
    pub fn new(menu: Arc<Menu>, call: CallInfo) -> Self {
        let node = menu.start;
        Session {
            menu,
            call,
            node,
            stack: Vec::new(),
            state: State::NotStarted,
            failures: 0,
            timeouts: 0,
            digits: String::new(),
            collected: String::new(),
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
            (State::Playing { then, .. }, Input::PlaybackFinished) => match then.clone() {
                AfterPlay::Listen => {
                    let deadline = now + self.settings().timeout;
                    self.state = State::Listening { deadline };
                }
                AfterPlay::Run(action) => self.run(action),
                AfterPlay::Finish(output) => {
                    self.outputs.push_back(output);
                    self.state = State::Ended;
                }
            },
            (State::Playing { barge_in: true, .. }, Input::Key(key)) => {
                self.outputs.push_back(Output::StopPlayback);
                self.on_key(key, now);
            }
            (State::Listening { .. } | State::Collecting { .. }, Input::Key(key)) => {
                self.on_key(key, now)
            }
            (State::Listening { deadline }, Input::Timeout) if now >= *deadline => {
                self.fail(Failure::Timeout)
            }
            (State::Collecting { deadline }, Input::Timeout) if now >= *deadline => {
                self.end_entry()
            }
            _ => {} // a key during a prompt without barge-in, a stale timer or event
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When to deliver `Input::Timeout` (none while a prompt plays).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Listening { deadline } | State::Collecting { deadline } => Some(deadline),
            _ => None,
        }
    }

    /// Menus entered, keys chosen and entries made, in order (secret entries masked).
    pub fn path(&self) -> &[PathStep] {
        &self.path
    }

    /// True once `Hangup` or `Transfer` has been output.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    /// The id of the menu the caller is in.
    pub fn menu_id(&self) -> &str {
        &self.current().id
    }

    fn current(&self) -> &MenuNode {
        self.menu.node(self.node)
    }

    fn settings(&self) -> &Settings {
        &self.current().settings
    }

    fn play(&mut self, prompts: Vec<String>, barge_in: bool, then: AfterPlay) {
        self.state = State::Playing { barge_in, then };
        self.outputs.push_back(Output::Play { prompts, barge_in });
    }

    fn on_key(&mut self, key: Key, now: Instant) {
        let menu = Arc::clone(&self.menu);
        let node = menu.node(self.node);
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
                self.succeed();
                self.run(action);
            }
            None => self.fail(Failure::Invalid),
        }
    }

    /// Checks the digits entered so far (end key, max length or inter-digit timeout).
    fn end_entry(&mut self) {
        let menu = Arc::clone(&self.menu);
        let Some(collect) = &menu.node(self.node).collect else {
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
            return self.fail(Failure::Invalid);
        }
        let shown = if collect.secret {
            MASK.to_string()
        } else {
            entry.clone()
        };
        self.path.push(PathStep::Entry(shown));
        self.collected = entry;
        self.succeed();
        self.run(collect.then);
    }

    fn succeed(&mut self) {
        self.failures = 0;
        self.timeouts = 0;
    }

    fn fail(&mut self, failure: Failure) {
        self.digits.clear();
        let menu = Arc::clone(&self.menu);
        let node = menu.node(self.node);
        let s = &node.settings;
        let (count, max, prompt) = match failure {
            Failure::Invalid => (&mut self.failures, s.max_failures, &s.invalid_prompt),
            Failure::Timeout => (&mut self.timeouts, s.max_timeouts, &s.timeout_prompt),
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
        let settings = &menu.node(self.node).settings;
        let barge_in = settings.barge_in;
        match menu.action(action) {
            Action::Goto(to) => {
                self.stack.push(self.node);
                self.enter(*to);
            }
            Action::Back => match self.stack.pop() {
                Some(to) => self.enter(to),
                None => self.repeat(),
            },
            Action::Top => {
                self.stack.clear();
                self.enter(menu.start);
            }
            Action::Repeat => self.repeat(),
            Action::Play { prompts, then } => self.play_then(names(prompts), barge_in, *then),
            Action::SayDigits { source, then } => {
                let digits = match source {
                    DigitSource::Collected => self.collected.as_str(),
                    DigitSource::Caller => self.call.caller.as_str(),
                    DigitSource::Literal(digits) => digits.as_str(),
                };
                let prompts = digits
                    .chars()
                    .filter(char::is_ascii_digit)
                    .map(|d| format!("{}/digit-{d}", menu.language))
                    .collect();
                self.play_then(prompts, barge_in, *then);
            }
            Action::Hangup { goodbye } => {
                let prompts = goodbye.as_ref().unwrap_or(&settings.goodbye_prompt);
                self.finish(names(prompts), Output::Hangup);
            }
            Action::Transfer { uri } => {
                let target = uri.clone();
                self.finish(
                    names(&settings.transfer_prompt),
                    Output::Transfer { target },
                );
            }
        }
    }

    fn finish(&mut self, prompts: Vec<String>, output: Output) {
        if prompts.is_empty() {
            self.outputs.push_back(output);
            self.state = State::Ended;
        } else {
            self.play(prompts, false, AfterPlay::Finish(output));
        }
    }

    fn enter(&mut self, node: NodeId) {
        self.node = node;
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
