//! Actions (`goto`, `back`, `play`, …) and the names they refer to (menus, transfers).

use super::super::schema::{Action, ActionId, Handoff, NodeId, Source};
use super::super::yaml::{Node, Value};
use super::super::Pos;
use super::passwords::SECRET_NOT_SPOKEN;
use super::{Decoder, Entry, ACTION_KINDS};

/// The actions that take `then:`.
const THEN_TAKERS: &[&str] = &["play", "say_digits", "set", "say"];

impl Decoder {
    pub(super) fn node_ref(&mut self, node: &Node, what: &str) -> Option<NodeId> {
        let name = self.text(node, what)?;
        let found = self.node_names.iter().position(|n| n == name);
        if found.is_none() {
            let message = format!(
                "no menu named `{name}`; menus are: {}",
                self.node_names.join(", ")
            );
            self.problem(node.pos, message);
        }
        found
    }

    pub(super) fn transfer_ref(&mut self, node: &Node) -> Option<Handoff> {
        let name = self.text(node, "transfer")?;
        let found = self
            .transfers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, to)| to.clone());
        if found.is_none() {
            let names: Vec<&str> = self.transfers.iter().map(|(n, _)| n.as_str()).collect();
            let message = format!(
                "no transfer named `{name}`; transfers are: {}",
                names.join(", ")
            );
            self.problem(node.pos, message);
        }
        found
    }

    pub(super) fn push_action(&mut self, action: Action) -> ActionId {
        self.actions.push(action);
        self.actions.len() - 1
    }

    /// An action; on a problem, the problem is recorded and a placeholder returned.
    pub(super) fn action(&mut self, node: &Node, what: &str) -> ActionId {
        let action = match &node.value {
            Value::Map(map) => self.action_map(node, map),
            _ => match node.as_text() {
                Some(text) => self.action_word(node.pos, text),
                None => {
                    let message =
                        format!("an action is expected for `{what}`, found {}", node.kind());
                    self.problem(node.pos, message);
                    None
                }
            },
        };
        self.push_action(action.unwrap_or(Action::Repeat))
    }

    pub(super) fn action_word(&mut self, pos: Pos, word: &str) -> Option<Action> {
        match word {
            "back" => Some(Action::Back),
            "top" => Some(Action::Top),
            "repeat" => Some(Action::Repeat),
            "hangup" => Some(Action::Hangup { goodbye: None }),
            _ if ACTION_KINDS.contains(&word) => {
                self.problem(pos, format!("`{word}` needs a value, e.g. `{{{word}: …}}`"));
                None
            }
            _ => {
                let message = format!(
                    "unknown action `{word}`; actions are: {}",
                    ACTION_KINDS.join(", ")
                );
                self.problem(pos, message);
                None
            }
        }
    }

    /// An action written as a map: one action kind, and its `then` or (for `submit`)
    /// its branches.
    pub(super) fn action_map(&mut self, node: &Node, map: &[(Node, Node)]) -> Option<Action> {
        let entries = self.entries(map, |name, line| {
            format!("`{name}` is given twice in this action (first on line {line})")
        });
        let (kinds, options): (Vec<Entry>, Vec<Entry>) = entries
            .into_iter()
            .partition(|e| ACTION_KINDS.contains(&e.name));
        let Some(&kind) = kinds.first() else {
            self.not_options(&options);
            let message = format!("an action needs one of: {}", ACTION_KINDS.join(", "));
            self.problem(node.pos, message);
            return None;
        };
        for extra in &kinds[1..] {
            let message = format!(
                "one action at a time: `{}` and `{}` found; chain them with `then:` after {}",
                kind.name,
                extra.name,
                THEN_TAKERS.join(", ")
            );
            self.problem(extra.pos, message);
        }
        let (thens, others): (Vec<Entry>, Vec<Entry>) =
            options.into_iter().partition(|e| e.name == "then");
        let then = self.then_beside(kind, thens.first())?;
        match kind.name {
            "submit" => self.submit(kind, &others),
            "password_status" => self.password_status(kind, &others),
            _ if others.is_empty() => self.action_of_kind(kind, then),
            _ => {
                self.not_options(&others);
                None
            }
        }
    }

    /// The `then:` written beside `kind`: `Some(None)` when there is none, `None` (and a
    /// problem) when `kind` takes none.
    fn then_beside(&mut self, kind: Entry, then: Option<&Entry>) -> Option<Option<ActionId>> {
        let Some(then) = then else {
            return Some(None);
        };
        if THEN_TAKERS.contains(&kind.name) {
            return Some(Some(self.action(then.value, "then")));
        }
        let message = format!(
            "`then` only follows {}; not `{}`",
            THEN_TAKERS.join(", "),
            kind.name
        );
        self.problem(then.pos, message);
        None
    }

    /// Reports fields of an action map that are neither an action nor `then`.
    fn not_options(&mut self, entries: &[Entry]) {
        for e in entries {
            let message = format!(
                "unknown action or field `{}`; actions are: {}; `then` may follow {}",
                e.name,
                ACTION_KINDS.join(", "),
                THEN_TAKERS.join(", ")
            );
            self.problem(e.pos, message);
        }
    }

    /// The action `kind` names, with its value and the `then` written beside it.
    fn action_of_kind(&mut self, kind: Entry, then: Option<ActionId>) -> Option<Action> {
        let value = kind.value;
        match kind.name {
            "goto" => self.node_ref(value, "goto").map(Action::Goto),
            "transfer" => self.transfer_ref(value).map(|to| Action::Transfer { to }),
            "play" => {
                let prompts = self.prompts(value, "play", false)?;
                let then = self.then_or_repeat(then);
                Some(Action::Play { prompts, then })
            }
            "say_digits" => {
                let source = self.digit_source(value)?;
                let then = self.then_or_repeat(then);
                Some(Action::SayDigits { source, then })
            }
            "set" => self.set(kind, then),
            "lookup_line" => self.lookup_line(kind),
            "check_password" => self.password_request(kind),
            "set_password" => self.password_request(kind),
            "query_balance" | "redeem_card" | "order_status" | "repair_status" => self.query(kind),
            "say" => {
                let what = self.said(value)?;
                let then = self.then_or_repeat(then);
                Some(Action::Say { what, then })
            }
            "hangup" if value.is_null() => Some(Action::Hangup { goodbye: None }),
            "hangup" => self
                .prompts(value, "hangup", true)
                .map(|p| Action::Hangup { goodbye: Some(p) }),
            name if value.is_null() => self.action_word(kind.pos, name),
            name => {
                self.problem(value.pos, format!("`{name}` takes no value"));
                None
            }
        }
    }

    /// `then`, or `repeat` when none is written.
    fn then_or_repeat(&mut self, then: Option<ActionId>) -> ActionId {
        then.unwrap_or_else(|| self.push_action(Action::Repeat))
    }

    /// The source of `say_digits`; notes the digit prompts it can play.
    pub(super) fn digit_source(&mut self, node: &Node) -> Option<Source> {
        let text = self.text(node, "say_digits")?;
        if text == "collected" && self.in_secret_entry {
            self.problem(node.pos, SECRET_NOT_SPOKEN);
            return None;
        }
        let Some(source) = digits_source(text) else {
            let message = format!(
                "`say_digits` takes `collected`, `caller`, `serial` or digits like \"102\", found `{text}`"
            );
            self.problem(node.pos, message);
            return None;
        };
        let digits = match &source {
            Source::Literal(t) => t.as_str(),
            _ => "0123456789",
        };
        let mut used: Vec<char> = digits.chars().collect();
        used.sort_unstable();
        used.dedup();
        for d in used {
            self.use_prompt(format!("{}/digit-{d}", self.language), node.pos);
        }
        Some(source)
    }
}

/// `collected`, `caller`, `serial` or digits written out.
pub(super) fn digits_source(text: &str) -> Option<Source> {
    match text {
        "collected" => Some(Source::Collected),
        "caller" => Some(Source::Caller),
        "serial" => Some(Source::Serial),
        t if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) => {
            Some(Source::Literal(t.to_string()))
        }
        _ => None,
    }
}
