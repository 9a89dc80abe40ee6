//! Scalar values of the menu file: text, numbers, times, booleans, keys and prompt ids.

use std::time::Duration;

use super::super::schema::PromptRef;
use super::super::yaml::{Node, Value};
use super::super::Pos;
use super::{Decoder, Limit, KEYS_HELP};
use crate::media::Key;

impl Decoder {
    pub(super) fn text<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        let text = node.as_text();
        if text.is_none() {
            let message = format!("`{what}` must be text, found {}", node.kind());
            self.problem(node.pos, message);
        }
        text
    }

    pub(super) fn number(&mut self, node: &Node, what: &str, min: u32) -> Option<u32> {
        let text = self.text(node, what)?;
        match text.parse::<u32>() {
            Ok(n) if n >= min => Some(n),
            _ => {
                let message =
                    format!("`{what}` must be a whole number of at least {min}, found `{text}`");
                self.problem(node.pos, message);
                None
            }
        }
    }

    /// A time like `5s`, `1.5s` or `800ms`, more than zero and at most `limit`.
    pub(super) fn duration(&mut self, node: &Node, what: &str, limit: Limit) -> Option<Duration> {
        let text = self.text(node, what)?;
        let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
            (ms, 0.001)
        } else {
            (text.strip_suffix('s').unwrap_or(text), 1.0)
        };
        match number.trim().parse::<f64>() {
            Ok(v) if v > 0.0 && v * scale <= limit.at_most.as_secs_f64() => {
                Some(Duration::from_secs_f64(v * scale))
            }
            _ => {
                let message = format!(
                    "`{what}` must be a time like 5s, 1.5s or 800ms (at most {}), found `{text}`",
                    limit.said
                );
                self.problem(node.pos, message);
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        let text = self.text(node, what)?;
        match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => {
                let message = format!("`{what}` must be true or false, found `{text}`");
                self.problem(node.pos, message);
                None
            }
        }
    }

    pub(super) fn key(&mut self, node: &Node, what: &str) -> Option<Key> {
        let text = self.text(node, what)?;
        let mut chars = text.chars();
        match (chars.next().and_then(Key::from_char), chars.next()) {
            (Some(key), None) => Some(key),
            _ => {
                self.problem(node.pos, format!("`{text}` is not a key; {KEYS_HELP}"));
                None
            }
        }
    }

    /// A prompt id (or the language): letters, digits, `-` and `_`.
    pub(super) fn prompt_id(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.text(node, what)?;
        let ok = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            let message = format!("`{text}` is not a valid {what}: use letters, digits, - and _");
            self.problem(node.pos, message);
            return None;
        }
        Some(text.to_string())
    }

    /// One prompt id or a list of them, as store names (`zh/02`).
    pub(super) fn prompts(
        &mut self,
        node: &Node,
        what: &str,
        allow_empty: bool,
    ) -> Option<Vec<PromptRef>> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Scalar { .. } if !node.is_null() => vec![node],
            _ => Vec::new(),
        };
        if items.is_empty() && !allow_empty {
            let message = format!(
                "`{what}` needs a prompt id or a list of them, found {}",
                node.kind()
            );
            self.problem(node.pos, message);
            return None;
        }
        let mut out = Vec::new();
        for item in items {
            let id = self.prompt_id(item, "prompt id")?;
            out.push(self.use_prompt(format!("{}/{id}", self.language), item.pos));
        }
        Some(out)
    }

    pub(super) fn use_prompt(&mut self, name: String, pos: Pos) -> PromptRef {
        let prompt = PromptRef { name, pos };
        self.prompt_uses.push(prompt.clone());
        prompt
    }
}
