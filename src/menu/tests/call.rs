//! A [`Session`] driven by hand with a fake clock, and the outputs tests expect.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::media::Key;
use crate::menu::{CallInfo, Handoff, Input, Menu, Output, Reply, Session};

/// The caller's number in every test call.
pub(super) const CALLER: &str = "075512345678";

pub(super) struct Call {
    pub session: Session,
    pub now: Instant,
}

impl Call {
    pub fn new(menu: Arc<Menu>) -> (Call, Vec<Output>) {
        let call = CallInfo {
            caller: CALLER.into(),
            called: "1000".into(),
        };
        let mut call = Call {
            session: Session::new(menu, call),
            now: Instant::now(),
        };
        call.session.start(call.now);
        let out = call.outputs();
        (call, out)
    }

    pub fn outputs(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.session.poll_output()).collect()
    }

    pub fn send(&mut self, input: Input) -> Vec<Output> {
        self.now += Duration::from_millis(500);
        self.session.handle(input, self.now);
        self.outputs()
    }

    pub fn key(&mut self, c: char) -> Vec<Output> {
        self.send(Input::Key(Key::from_char(c).unwrap()))
    }

    /// Presses every key of `keys` in a row; the outputs of the last one.
    pub fn keys(&mut self, keys: &str) -> Vec<Output> {
        keys.chars().map(|c| self.key(c)).last().unwrap_or_default()
    }

    pub fn finished(&mut self) -> Vec<Output> {
        self.send(Input::PlaybackFinished)
    }

    /// Lets the prompt finish, then presses `c`.
    pub fn answer(&mut self, c: char) -> Vec<Output> {
        assert_eq!(self.finished(), vec![]);
        self.key(c)
    }

    /// Lets the prompt finish, then presses `c`, for each key of `keys`.
    pub fn walk(&mut self, keys: &str) -> Vec<Output> {
        keys.chars()
            .map(|c| self.answer(c))
            .last()
            .unwrap_or_default()
    }

    pub fn reply(&mut self, reply: Reply) -> Vec<Output> {
        self.send(Input::Reply(reply))
    }

    /// Lets time run to the armed timer and delivers it.
    pub fn expire(&mut self) -> Vec<Output> {
        self.now = self.session.poll_timeout().expect("a timer is armed");
        self.session.handle(Input::Timeout, self.now);
        self.outputs()
    }
}

pub(super) fn play(ids: &[&str]) -> Output {
    let prompts = ids.iter().map(|id| format!("zh/{id}")).collect();
    Output::Play {
        prompts,
        barge_in: true,
    }
}

pub(super) fn play_fixed(ids: &[&str]) -> Output {
    match play(ids) {
        Output::Play { prompts, .. } => Output::Play {
            prompts,
            barge_in: false,
        },
        other => other,
    }
}

/// The digit prompts that speak `digits`.
pub(super) fn say(digits: &str) -> Output {
    let ids: Vec<String> = digits.chars().map(|d| format!("digit-{d}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    play(&ids)
}

pub(super) fn transfer(uri: &str) -> Output {
    Output::Transfer {
        target: Handoff::Refer(uri.to_string()),
    }
}

pub(super) fn queue(name: &str) -> Output {
    Output::Transfer {
        target: Handoff::Queue(name.to_string()),
    }
}
