//! Actions (`goto`, `back`, `play`, …) and the names they refer to (menus, transfers).

use super::super::schema::{Action, ActionId, DigitSource, NodeId};
use super::super::yaml::{Node, Value};
use super::super::Pos;
use super::{Decoder, ACTION_KINDS};

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

    pub(super) fn transfer_ref(&mut self, node: &Node) -> Option<String> {
        let name = self.text(node, "transfer")?;
        let found = self
            .transfers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, uri)| uri.clone());
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
            "goto" | "play" | "say_digits" | "transfer" => {
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

    pub(super) fn action_map(&mut self, node: &Node, map: &[(Node, Node)]) -> Option<Action> {
        let mut kind: Option<(&str, &Node)> = None;
        let mut then: Option<(&Node, &Node)> = None;
        for (k, v) in map {
            let name = self.key_text(k)?;
            if name == "then" {
                if then.is_some() {
                    self.problem(k.pos, "`then` is given twice in this action");
                }
                then = Some((k, v));
            } else if !ACTION_KINDS.contains(&name) {
                let message = format!(
                    "unknown action or field `{name}`; actions are: {}; `then` may follow play and say_digits",
                    ACTION_KINDS.join(", ")
                );
                self.problem(k.pos, message);
            } else if let Some((first, _)) = kind {
                let message = format!("one action at a time: `{first}` and `{name}` found; chain them with `then:` after play or say_digits");
                self.problem(k.pos, message);
            } else {
                kind = Some((name, v));
            }
        }
        let Some((name, value)) = kind else {
            let message = format!("an action needs one of: {}", ACTION_KINDS.join(", "));
            self.problem(node.pos, message);
            return None;
        };
        let then_id = match (then, name) {
            (None, _) => self.push_action(Action::Repeat),
            (Some((_, v)), "play" | "say_digits") => self.action(v, "then"),
            (Some((k, _)), _) => {
                self.problem(
                    k.pos,
                    format!("`then` only follows play or say_digits, not `{name}`"),
                );
                return None;
            }
        };
        match name {
            "goto" => self.node_ref(value, "goto").map(Action::Goto),
            "transfer" => self.transfer_ref(value).map(|uri| Action::Transfer { uri }),
            "play" => self
                .prompts(value, "play", false)
                .map(|prompts| Action::Play {
                    prompts,
                    then: then_id,
                }),
            "say_digits" => self.digit_source(value).map(|source| Action::SayDigits {
                source,
                then: then_id,
            }),
            "hangup" if value.is_null() => Some(Action::Hangup { goodbye: None }),
            "hangup" => self
                .prompts(value, "hangup", true)
                .map(|p| Action::Hangup { goodbye: Some(p) }),
            _ if value.is_null() => self.action_word(node.pos, name),
            _ => {
                self.problem(value.pos, format!("`{name}` takes no value"));
                None
            }
        }
    }

    pub(super) fn digit_source(&mut self, node: &Node) -> Option<DigitSource> {
        let text = self.text(node, "say_digits")?;
        let source = match text {
            "collected" => DigitSource::Collected,
            "caller" => DigitSource::Caller,
            t if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) => {
                DigitSource::Literal(t.to_string())
            }
            _ => {
                let message = format!(
                    "`say_digits` takes `collected`, `caller` or digits like \"102\", found `{text}`"
                );
                self.problem(node.pos, message);
                return None;
            }
        };
        let digits = match &source {
            DigitSource::Literal(t) => t.as_str(),
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
