//! The menu as a graph for people: one node per menu with its prompts and one edge per
//! way out of it, for the console's diagram and the prompt catalogue.
//!
//! Decisions (the spec is silent):
//! - a key whose action is a chain (`set`, `play`, `say` … `then:`) or a request with
//!   branches gives one edge per end of the chain: `{set: …, then: {lookup_line: …}}` on
//!   key 1 is five edges, each with the whole way written out ("set → lookup_line
//!   telephone → goto fault-phenomenon-telephone");
//! - the end of a digit entry is the key `entry`, the end of a recording `recorded`;
//! - only `goto` has a target: `back`, `top` and `repeat` depend on the way the caller
//!   came, and drawing them would turn the tree into a tangle;
//! - `on_too_many` is left out: every menu has one, usually the same.

use serde::Serialize;

use super::actions::Action;
use super::schema::{ActionId, Menu, MenuNode, PromptRef};

/// The whole menu: where calls start, what they hear first, every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MenuGraph {
    pub start: String,
    pub welcome: Vec<String>,
    pub nodes: Vec<GraphNode>,
}

/// One menu of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    pub id: String,
    pub kind: NodeKind,
    /// The menu's own prompt (`zh/02`), in playing order.
    pub prompts: Vec<String>,
    /// Prompts its keys play (`play:`, a named goodbye), each once.
    pub plays: Vec<String>,
    pub keys: Vec<GraphKey>,
}

/// What a node does with the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// Keys choose.
    Menu,
    /// Digit entry.
    Collect,
    /// Voice recording.
    Record,
}

/// One way out of a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphKey {
    /// `1`, `*`, `entry` (a digit entry ended) or `recorded`.
    pub key: String,
    /// The steps taken, e.g. `submit fault: created → goto report-done`.
    pub action: String,
    /// The node the caller ends up in, for `goto`.
    pub target: Option<String>,
}

impl Menu {
    /// The menu as nodes and edges.
    pub fn graph(&self) -> MenuGraph {
        MenuGraph {
            start: self.node(self.start).id.clone(),
            welcome: names(&self.welcome),
            nodes: self
                .nodes
                .iter()
                .map(|node| self.graph_node(node))
                .collect(),
        }
    }

    fn graph_node(&self, node: &MenuNode) -> GraphNode {
        let mut ways: Vec<(String, ActionId)> = (node.keys.iter())
            .map(|(key, action)| (key.to_string(), *action))
            .collect();
        if let Some(collect) = &node.collect {
            ways.insert(0, ("entry".to_string(), collect.then));
        }
        if let Some(record) = &node.record {
            ways.insert(0, ("recorded".to_string(), record.then));
        }
        let mut keys = Vec::new();
        let mut plays = Vec::new();
        for (key, action) in ways {
            for (steps, target) in self.ends(action, &mut plays) {
                keys.push(GraphKey {
                    key: key.clone(),
                    action: steps.join(" → "),
                    target,
                });
            }
        }
        let kind = match (&node.collect, &node.record) {
            (Some(_), _) => NodeKind::Collect,
            (_, Some(_)) => NodeKind::Record,
            _ => NodeKind::Menu,
        };
        GraphNode {
            id: node.id.clone(),
            kind,
            prompts: names(&node.prompt),
            plays,
            keys,
        }
    }

    /// Every end of the chain starting at `action`: the steps to it and the node it goes
    /// to; the prompts played on the way are added to `plays`.
    fn ends(
        &self,
        action: ActionId,
        plays: &mut Vec<String>,
    ) -> Vec<(Vec<String>, Option<String>)> {
        let mut play = |prompts: &[PromptRef]| {
            for name in names(prompts) {
                if !plays.contains(&name) {
                    plays.push(name);
                }
            }
        };
        let (step, then) = match self.action(action) {
            Action::Goto(node) => {
                let id = self.node(*node).id.clone();
                return vec![(vec![format!("goto {id}")], Some(id))];
            }
            Action::Back => ("back".to_string(), None),
            Action::Top => ("top".to_string(), None),
            Action::Repeat => ("repeat".to_string(), None),
            Action::Hangup { goodbye } => {
                goodbye.as_deref().map(&mut play);
                ("hangup".to_string(), None)
            }
            Action::Transfer { to } => (format!("transfer {to}"), None),
            Action::Play { prompts, then } => {
                play(prompts);
                (format!("play {}", short_names(prompts)), Some(*then))
            }
            Action::SayDigits { then, .. } => ("say digits".to_string(), Some(*then)),
            Action::Say { what, then } => (format!("say {}", said(*what)), Some(*then)),
            Action::Set { then, .. } => ("set".to_string(), Some(*then)),
            request => {
                let name = request_name(request);
                let mut ends = Vec::new();
                for (branch, next) in request.branches() {
                    for (mut steps, target) in self.ends(*next, plays) {
                        steps.insert(0, format!("{name}: {}", branch.name()));
                        ends.push((steps, target));
                    }
                }
                return ends;
            }
        };
        match then {
            None => vec![(vec![step], None)],
            Some(then) => (self.ends(then, plays).into_iter())
                .map(|(mut steps, target)| {
                    steps.insert(0, step.clone());
                    (steps, target)
                })
                .collect(),
        }
    }
}

fn names(prompts: &[PromptRef]) -> Vec<String> {
    prompts.iter().map(|prompt| prompt.name.clone()).collect()
}

/// `zh/28 zh/09` → `28 09`: the ids as the menu file writes them.
fn short_names(prompts: &[PromptRef]) -> String {
    let ids: Vec<&str> = (prompts.iter())
        .map(|p| p.name.rsplit('/').next().unwrap_or(&p.name))
        .collect();
    ids.join(" ")
}

fn said(what: super::actions::Said) -> &'static str {
    use super::actions::Said;
    match what {
        Said::Weakness => "weakness",
        Said::Balance => "balance",
        Said::Charges => "charges",
        Said::NewBalance => "new_balance",
        Said::Order => "order",
        Said::Repair => "repair",
    }
}

/// A request's name as the menu file writes it (`submit fault`).
fn request_name(request: &Action) -> String {
    match request {
        Action::LookupLine { .. } => "lookup_line".to_string(),
        Action::Submit { kind, .. } => format!("submit {}", kind.as_str()),
        Action::PasswordStatus { .. } => "password_status".to_string(),
        Action::CheckPassword { .. } => "check_password".to_string(),
        Action::SetPassword { .. } => "set_password".to_string(),
        Action::QueryBalance { .. } => "query_balance".to_string(),
        Action::RedeemCard { .. } => "redeem_card".to_string(),
        Action::OrderStatus { .. } => "order_status".to_string(),
        Action::RepairStatus { .. } => "repair_status".to_string(),
        _ => "request".to_string(),
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
