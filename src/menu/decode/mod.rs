//! From the position tree to a [`Menu`]: types, fields, names and keys, each problem
//! reported at the exact place it was written. All problems are collected, not only the
//! first. Graph checks (reachability, ways out) are in `validate`.

use std::path::Path;
use std::time::Duration;

use regex::Regex;

mod actions;
mod flows;
mod passwords;
mod queries;
mod values;

use super::schema::{
    Action, ActionId, Collect, Handoff, Menu, MenuNode, PromptRef, Record, Settings,
};
use super::yaml::{self, Node, Value};
use super::{Pos, Problem};
use crate::media::Key;

const TOP_FIELDS: &[&str] = &[
    "language",
    "welcome",
    "defaults",
    "transfers",
    "start",
    "menus",
];
const SETTING_FIELDS: &[&str] = &[
    "timeout",
    "inter_digit_timeout",
    "max_failures",
    "max_timeouts",
    "invalid_prompt",
    "timeout_prompt",
    "too_many_prompt",
    "on_too_many",
    "goodbye_prompt",
    "transfer_prompt",
    "barge_in",
];
const NODE_FIELDS: &[&str] = &["prompt", "keys", "collect", "record"];
const COLLECT_FIELDS: &[&str] = &[
    "min_digits",
    "max_digits",
    "end_key",
    "pattern",
    "secret",
    "then",
];
const ACTION_KINDS: &[&str] = &[
    "goto",
    "back",
    "top",
    "repeat",
    "play",
    "say_digits",
    "hangup",
    "transfer",
    "set",
    "lookup_line",
    "submit",
    "password_status",
    "check_password",
    "set_password",
    "query_balance",
    "redeem_card",
    "order_status",
    "repair_status",
    "say",
];
const RECORD_FIELDS: &[&str] = &["max", "end_key", "then"];
/// The longest recording a `record:` node may ask for.
const MAX_RECORDING: Limit = Limit {
    at_most: Duration::from_secs(300),
    said: "5 minutes",
};
/// The longest time a setting may have.
const MAX_SETTING: Limit = Limit {
    at_most: Duration::from_secs(3600),
    said: "an hour",
};
const KEYS_HELP: &str = "keys are 0-9, \"*\", \"#\" and A-D";

/// Parses and decodes menu text. Errors: every problem found.
pub(crate) fn decode(file: &Path, text: &str) -> Result<Menu, Vec<Problem>> {
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return Err(vec![Problem::new(START, "the menu file is empty")]),
        Err(problem) => return Err(vec![problem]),
    };
    let mut d = Decoder::default();
    let menu = d.menu(file, &root);
    match menu {
        Some(menu) if d.problems.is_empty() => Ok(menu),
        _ => {
            // A block reused by a YAML alias is decoded at each use: report it once.
            d.problems
                .sort_by(|a, b| (a.pos, &a.message).cmp(&(b.pos, &b.message)));
            d.problems.dedup();
            Err(d.problems)
        }
    }
}

const START: Pos = Pos { line: 1, column: 1 };

/// The longest a time may be, and how a message says it.
struct Limit {
    at_most: Duration,
    said: &'static str,
}

fn given_twice(name: &str, what: &str, first_line: usize) -> String {
    format!("`{name}` is given twice in {what} (first on line {first_line})")
}

/// The keys a menu's entry or recording takes for itself, with their role for messages.
fn reserved_keys(collect: Option<&Collect>, record: Option<&Record>) -> Vec<(Key, &'static str)> {
    let mut reserved = Vec::new();
    if let Some(collect) = collect {
        let digits = ('0'..='9').filter_map(Key::from_char);
        reserved.extend(digits.map(|k| (k, "a digit of the entry")));
        reserved.extend(collect.end_key.map(|k| (k, "the end key of the entry")));
    }
    if let Some(record) = record {
        reserved.push((record.end_key, "the end key of the recording"));
    }
    reserved
}

/// One entry of a map: its name, where the name is written, and its value.
#[derive(Clone, Copy)]
struct Entry<'n> {
    name: &'n str,
    pos: Pos,
    value: &'n Node,
}

/// The fields of one map, checked against the allowed names.
struct Fields<'n> {
    /// Where a missing field is reported: the key that names this map.
    owner: Pos,
    what: String,
    entries: Vec<Entry<'n>>,
}

impl<'n> Fields<'n> {
    fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
    }

    /// Where field `name` is written (the owner when it is absent).
    fn name_at(&self, name: &str) -> Pos {
        let found = self.entries.iter().find(|e| e.name == name);
        found.map_or(self.owner, |e| e.pos)
    }
}

#[derive(Default)]
struct Decoder {
    problems: Vec<Problem>,
    language: String,
    node_names: Vec<String>,
    transfers: Vec<(String, Handoff)>,
    actions: Vec<Action>,
    prompt_uses: Vec<PromptRef>,
    /// True while the `then:` of a `collect:` with `secret: true` is decoded: only there
    /// may the password fields be set, and there `collected` is not spoken or copied.
    in_secret_entry: bool,
}

impl Decoder {
    fn problem(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Problem::new(pos, message));
    }

    fn menu(&mut self, file: &Path, root: &Node) -> Option<Menu> {
        let top = self.fields(root, START, "the menu file", TOP_FIELDS)?;
        self.language = match self.required(&top, "language") {
            Some(n) => self.prompt_id(n, "language").unwrap_or_default(),
            None => String::new(),
        };
        if let Some(n) = top.get("transfers") {
            self.transfers(n);
        }
        let menus = self.required(&top, "menus");
        let entries = menus
            .map(|m| self.named_entries(m, "menu"))
            .unwrap_or_default();
        self.node_names = entries.iter().map(|e| e.name.to_string()).collect();

        let placeholder = self.placeholder_settings();
        let defaults = match self.required(&top, "defaults") {
            Some(n) => self.defaults(n, top.name_at("defaults"), &placeholder),
            None => placeholder,
        };
        let welcome = match top.get("welcome") {
            Some(n) => self.prompts(n, "welcome", true).unwrap_or_default(),
            None => Vec::new(),
        };
        let start = self
            .required(&top, "start")
            .and_then(|n| self.node_ref(n, "start"));

        let mut nodes = Vec::new();
        for e in &entries {
            nodes.push(self.node(e.name, e.pos, e.value, &defaults));
        }
        let nodes: Option<Vec<MenuNode>> = nodes.into_iter().collect();
        Some(Menu {
            file: file.to_path_buf(),
            language: std::mem::take(&mut self.language),
            welcome,
            start: start?,
            nodes: nodes?,
            actions: std::mem::take(&mut self.actions),
            prompt_uses: {
                let mut uses = std::mem::take(&mut self.prompt_uses);
                uses.sort_by_key(|p| p.pos);
                uses
            },
        })
    }

    /// Checks `node` is a map whose keys are among `allowed`, each written once.
    fn fields<'n>(
        &mut self,
        node: &'n Node,
        owner: Pos,
        what: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Map(map) = &node.value else {
            let message = format!(
                "{what} must be a map of fields ({}), found {}",
                allowed.join(", "),
                node.kind()
            );
            self.problem(node.pos, message);
            return None;
        };
        let mut entries = self.entries(map, |name, line| given_twice(name, what, line));
        entries.retain(|e| {
            let known = allowed.contains(&e.name);
            if !known {
                let message = format!(
                    "unknown field `{}` in {what}; allowed: {}",
                    e.name,
                    allowed.join(", ")
                );
                self.problem(e.pos, message);
            }
            known
        });
        Some(Fields {
            owner,
            what: what.to_string(),
            entries,
        })
    }

    /// The named entries of a map in file order; a name given twice is reported with
    /// `twice(name, first line)` and only its first entry kept.
    fn entries<'n>(
        &mut self,
        map: &'n [(Node, Node)],
        twice: impl Fn(&str, usize) -> String,
    ) -> Vec<Entry<'n>> {
        let mut entries: Vec<Entry> = Vec::new();
        for (key, value) in map {
            let Some(name) = self.key_text(key) else {
                continue;
            };
            if let Some(first) = entries.iter().find(|e| e.name == name) {
                self.problem(key.pos, twice(name, first.pos.line));
            } else {
                entries.push(Entry {
                    name,
                    pos: key.pos,
                    value,
                });
            }
        }
        entries
    }

    fn key_text<'n>(&mut self, key: &'n Node) -> Option<&'n str> {
        let text = key.as_text();
        if text.is_none() {
            let message = format!("a name is expected here, found {}", key.kind());
            self.problem(key.pos, message);
        }
        text
    }

    fn required<'n>(&mut self, fields: &Fields<'n>, name: &str) -> Option<&'n Node> {
        let found = fields.get(name);
        if found.is_none() {
            let message = format!("{} needs `{name}`", fields.what);
            self.problem(fields.owner, message);
        }
        found
    }

    /// The entries of a map of named things (menus, transfers), each name once.
    fn named_entries<'n>(&mut self, node: &'n Node, noun: &str) -> Vec<Entry<'n>> {
        let Value::Map(map) = &node.value else {
            let message = format!("expected a map of {noun}s, found {}", node.kind());
            self.problem(node.pos, message);
            return Vec::new();
        };
        self.entries(map, |name, line| {
            format!("{noun} `{name}` is defined twice (first on line {line})")
        })
    }

    fn transfers(&mut self, node: &Node) {
        for Entry { name, value, .. } in self.named_entries(node, "transfer") {
            if let Some(handoff) = self.handoff(name, value) {
                self.transfers.push((name.to_string(), handoff));
            }
        }
    }

    /// One transfer's place: `{queue: NAME}` or a SIP address.
    fn handoff(&mut self, name: &str, value: &Node) -> Option<Handoff> {
        if let Value::Map(_) = &value.value {
            let what = format!("transfer `{name}`");
            let fields = self.fields(value, value.pos, &what, &["queue"])?;
            let queue = self.required(&fields, "queue")?;
            return self
                .text(queue, "queue")
                .map(|q| Handoff::Queue(q.to_string()));
        }
        let uri = self.text(value, name)?;
        let ok = ["sip:", "sips:"]
            .iter()
            .any(|s| uri.strip_prefix(s).is_some_and(|rest| !rest.is_empty()));
        if !ok {
            let message = format!("transfer `{name}` needs `{{queue: NAME}}` or a SIP address like sip:agents@10.0.0.5:5060, found `{uri}`");
            self.problem(value.pos, message);
            return None;
        }
        Some(Handoff::Refer(uri.to_string()))
    }

    /// Settings used while `defaults:` is missing or broken (the load fails anyway).
    fn placeholder_settings(&mut self) -> Settings {
        let on_too_many = self.push_action(Action::Repeat);
        Settings {
            timeout: Duration::from_secs(5),
            inter_digit_timeout: Duration::from_secs(3),
            max_failures: 3,
            max_timeouts: 3,
            invalid_prompt: Vec::new(),
            timeout_prompt: Vec::new(),
            too_many_prompt: Vec::new(),
            on_too_many,
            goodbye_prompt: Vec::new(),
            transfer_prompt: Vec::new(),
            barge_in: true,
        }
    }

    fn defaults(&mut self, node: &Node, owner: Pos, placeholder: &Settings) -> Settings {
        let Some(fields) = self.fields(node, owner, "`defaults`", SETTING_FIELDS) else {
            return placeholder.clone();
        };
        for name in SETTING_FIELDS.iter().filter(|n| **n != "barge_in") {
            self.required(&fields, name);
        }
        self.settings(&fields, placeholder)
    }

    /// `base` with the setting fields present in `f` applied.
    fn settings(&mut self, f: &Fields, base: &Settings) -> Settings {
        let mut s = base.clone();
        for &Entry {
            name, value: node, ..
        } in &f.entries
        {
            match name {
                "timeout" => {
                    s.timeout = self.duration(node, name, MAX_SETTING).unwrap_or(s.timeout)
                }
                "inter_digit_timeout" => {
                    s.inter_digit_timeout = self
                        .duration(node, name, MAX_SETTING)
                        .unwrap_or(s.inter_digit_timeout)
                }
                "max_failures" => {
                    s.max_failures = self.number(node, name, 1).unwrap_or(s.max_failures)
                }
                "max_timeouts" => {
                    s.max_timeouts = self.number(node, name, 1).unwrap_or(s.max_timeouts)
                }
                "barge_in" => s.barge_in = self.boolean(node, name).unwrap_or(s.barge_in),
                "on_too_many" => s.on_too_many = self.action(node, "on_too_many"),
                "invalid_prompt" => self.prompt_setting(node, name, &mut s.invalid_prompt),
                "timeout_prompt" => self.prompt_setting(node, name, &mut s.timeout_prompt),
                "too_many_prompt" => self.prompt_setting(node, name, &mut s.too_many_prompt),
                "goodbye_prompt" => self.prompt_setting(node, name, &mut s.goodbye_prompt),
                "transfer_prompt" => self.prompt_setting(node, name, &mut s.transfer_prompt),
                _ => {} // menu fields (prompt, keys, collect, record) are decoded by `node`
            }
        }
        s
    }

    fn prompt_setting(&mut self, node: &Node, name: &str, slot: &mut Vec<PromptRef>) {
        if let Some(prompts) = self.prompts(node, name, true) {
            *slot = prompts;
        }
    }

    fn node(
        &mut self,
        id: &str,
        owner: Pos,
        value: &Node,
        defaults: &Settings,
    ) -> Option<MenuNode> {
        let allowed: Vec<&str> = NODE_FIELDS.iter().chain(SETTING_FIELDS).copied().collect();
        let what = format!("menu `{id}`");
        let f = self.fields(value, owner, &what, &allowed)?;
        let prompt = match self.required(&f, "prompt") {
            Some(n) => self.prompts(n, "prompt", false),
            None => None,
        };
        let collect_at = f.name_at("collect");
        let collect = f
            .get("collect")
            .and_then(|n| self.collect(n, collect_at, &what));
        let record_at = f.name_at("record");
        let record = f
            .get("record")
            .and_then(|n| self.record(n, record_at, &what));
        if f.get("collect").is_some() && f.get("record").is_some() {
            let message =
                format!("{what} has both `collect:` and `record:`; a menu does one of them");
            self.problem(record_at, message);
        }
        let reserved = reserved_keys(collect.as_ref(), record.as_ref());
        let keys = match f.get("keys") {
            Some(n) => self.keys(n, &what, &reserved),
            None => Vec::new(),
        };
        if ["keys", "collect", "record"]
            .iter()
            .all(|k| f.get(k).is_none())
        {
            let message = format!("{what} needs `keys:`, `collect:` or `record:`");
            self.problem(owner, message);
        }
        let settings = self.settings(&f, defaults);
        Some(MenuNode {
            id: id.to_string(),
            pos: owner,
            prompt: prompt?,
            keys,
            collect,
            record,
            settings,
        })
    }

    /// The key actions of a menu; a key in `reserved` (with its role) is refused.
    fn keys(&mut self, node: &Node, what: &str, reserved: &[(Key, &str)]) -> Vec<(Key, ActionId)> {
        let Value::Map(map) = &node.value else {
            let message = format!(
                "`keys` of {what} must map keys to actions, found {}",
                node.kind()
            );
            self.problem(node.pos, message);
            return Vec::new();
        };
        let mut keys: Vec<(Key, ActionId, Pos)> = Vec::new();
        for (k, v) in map {
            let action = self.action(v, "key");
            let Some(key) = self.key(k, "key") else {
                continue;
            };
            if let Some((_, _, first)) = keys.iter().find(|(seen, _, _)| *seen == key) {
                let message = format!(
                    "key `{key}` is used twice in {what} (first on line {})",
                    first.line
                );
                self.problem(k.pos, message);
            } else if let Some((_, role)) = reserved.iter().find(|(r, _)| *r == key) {
                let message = format!(
                    "key `{key}` is {role} in {what}; only other keys can have actions here"
                );
                self.problem(k.pos, message);
            } else {
                keys.push((key, action, k.pos));
            }
        }
        keys.into_iter().map(|(k, a, _)| (k, a)).collect()
    }

    fn collect(&mut self, node: &Node, owner: Pos, what: &str) -> Option<Collect> {
        let f = self.fields(node, owner, &format!("`collect` of {what}"), COLLECT_FIELDS)?;
        // Every field is checked before giving up, so all problems are reported.
        let min_digits = match f.get("min_digits") {
            Some(n) => self.number(n, "min_digits", 0),
            None => Some(1),
        };
        let max_node = self.required(&f, "max_digits");
        let max_digits = max_node.and_then(|n| self.number(n, "max_digits", 1));
        if let (Some(min), Some(max), Some(n)) = (min_digits, max_digits, max_node) {
            if min > max {
                let message = format!("`max_digits` ({max}) is smaller than `min_digits` ({min})");
                self.problem(n.pos, message);
            }
        }
        let end_key = match f.get("end_key") {
            Some(n) if n.as_text() == Some("none") => Some(None),
            Some(n) => self.key(n, "end_key").and_then(|key| {
                if key.as_char().is_ascii_digit() {
                    self.problem(n.pos, format!("the end key `{key}` cannot be a digit"));
                    return None;
                }
                Some(Some(key))
            }),
            None => Some(Key::from_char('#')),
        };
        let pattern = match f.get("pattern") {
            Some(n) => self.pattern(n).map(Some),
            None => Some(None),
        };
        let secret = match f.get("secret") {
            Some(n) => self.boolean(n, "secret"),
            None => Some(false),
        };
        self.in_secret_entry = secret == Some(true);
        let then = self.required(&f, "then").map(|n| self.action(n, "then"));
        self.in_secret_entry = false;
        Some(Collect {
            min_digits: min_digits? as usize,
            max_digits: max_digits? as usize,
            end_key: end_key?,
            pattern: pattern?,
            secret: secret?,
            then: then?,
        })
    }

    fn record(&mut self, node: &Node, owner: Pos, what: &str) -> Option<Record> {
        let f = self.fields(node, owner, &format!("`record` of {what}"), RECORD_FIELDS)?;
        let max = match f.get("max") {
            Some(n) => self.duration(n, "max", MAX_RECORDING),
            None => Some(Duration::from_secs(60)),
        };
        let end_key = match f.get("end_key") {
            Some(n) => self.key(n, "end_key"),
            None => Key::from_char('#'),
        };
        let then = self.required(&f, "then").map(|n| self.action(n, "then"));
        Some(Record {
            max: max?,
            end_key: end_key?,
            then: then?,
        })
    }

    fn pattern(&mut self, node: &Node) -> Option<Regex> {
        let text = self.text(node, "pattern")?;
        match Regex::new(&format!("^(?:{text})$")) {
            Ok(re) => Some(re),
            Err(e) => {
                let detail = e.to_string();
                let reason = detail
                    .lines()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or(&detail)
                    .to_string();
                self.problem(node.pos, format!("bad pattern `{text}`: {reason}"));
                None
            }
        }
    }
}
