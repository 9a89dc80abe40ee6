//! The prompt catalogue the operators see: every prompt with what it says, how long it
//! plays, who plays it, and what is wrong with it.
//!
//! A prompt is in the catalogue when it has a file, a line in a prompt list, a use in
//! the menu or a use by the server's own code. Flags:
//! - `missing`: listed or used, but there is no file;
//! - `unused`: a file neither the menu nor the server plays (a list line is no use);
//! - `format`: the file is not 8 kHz mono 16-bit PCM or G.711, so the server converts it
//!   at every load (the text says from what), or its header can't be read.
//!
//! Decisions: the prompts the server's code plays itself are listed here by hand
//! ([`SERVER_PROMPTS`], found with `grep -rn '"zh/\|digit-\|music/' src`), with the
//! module that plays them; a menu use is the node whose prompt or keys play it, and
//! `welcome` or `menu` (the defaults: invalid, timeout, goodbye, transfer prompts, and
//! what `say`/`say_digits` speak) for uses no node owns.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::texts::PromptText;
use super::{PromptStore, WavFormat};
use crate::accounts::spoken::NUMBER_WORDS;
use crate::menu::MenuGraph;

/// The prompts of the menu's language the server plays itself, with the module.
pub const SERVER_PROMPTS: &[(&str, &str)] = &[
    ("12", "call::queued"),
    ("13", "call::queued"),
    ("30", "call::queued"),
    ("queue-callback-offer", "call::queued"),
    ("queue-callback-taken", "call::queued"),
    ("queue-closed", "call::queued"),
    ("12", "call::queue_exits"),
    ("queue-callback-taken", "call::queue_exits"),
    ("queue-ahead", "queues::announce"),
    ("queue-waiting", "queues::announce"),
    ("queue-first", "queues::announce"),
    ("num-2-of", "queues::announce"),
];
/// The agent's number before prompt 30 ("107号为您服务"), digit by digit.
const AGENT_NUMBER_MODULE: &str = "call::queued";
/// The hold music, the same in every language.
const HOLD_MUSIC: (&str, &str) = ("music/hold", "call::queued");

/// Everything the catalogue is made from.
pub struct Sources<'a> {
    pub graph: &'a MenuGraph,
    /// Every prompt the menu can play (`Menu::prompt_refs`), repeats allowed.
    pub menu_prompts: &'a [String],
    /// The menu's language (`zh`): the server's own prompts are in its folder.
    pub language: &'a str,
    pub texts: &'a BTreeMap<String, PromptText>,
    /// The header of each prompt file, by prompt name.
    pub files: &'a BTreeMap<String, Result<WavFormat, String>>,
    /// The prompts in service (their playing time).
    pub prompts: &'a PromptStore,
}

/// One prompt of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// `zh/02`.
    pub name: String,
    pub text: Option<String>,
    pub gloss: Option<String>,
    /// Playing time of the version in service.
    pub duration_ms: Option<u64>,
    /// The menu nodes that play it (or `welcome`, `menu`).
    pub used_in: Vec<String>,
    /// The server's modules that play it.
    pub server: Vec<String>,
    pub missing: bool,
    pub unused: bool,
    /// What is wrong with the file's format, if anything.
    pub format: Option<String>,
}

/// The catalogue, sorted by prompt name.
pub fn catalogue(sources: &Sources<'_>) -> Vec<Entry> {
    let menu_uses = menu_uses(sources);
    let server_uses = server_uses(sources.language);
    let names: BTreeSet<&str> = (sources.files.keys())
        .chain(sources.texts.keys())
        .chain(menu_uses.keys())
        .chain(server_uses.keys())
        .map(String::as_str)
        .collect();
    names
        .into_iter()
        .map(|name| {
            let text = sources.texts.get(name);
            let used_in = menu_uses.get(name).cloned().unwrap_or_default();
            let server = server_uses.get(name).cloned().unwrap_or_default();
            let file = sources.files.get(name);
            let format = match file {
                Some(Ok(format)) if !format.is_telephone() => {
                    Some(format!("{format}: converted to 8 kHz mono at every load"))
                }
                Some(Err(error)) => Some(format!("unreadable: {error}")),
                _ => None,
            };
            let duration = sources.prompts.get(name).map(|p| p.duration.as_millis());
            Entry {
                name: name.to_string(),
                text: text.map(|t| t.text.clone()),
                gloss: text.map(|t| t.gloss.clone()),
                duration_ms: duration.map(|ms| u64::try_from(ms).unwrap_or(u64::MAX)),
                missing: file.is_none(),
                unused: file.is_some() && used_in.is_empty() && server.is_empty(),
                used_in,
                server,
                format,
            }
        })
        .collect()
}

/// Which nodes play each prompt; `welcome` and `menu` for the uses no node owns.
fn menu_uses(sources: &Sources<'_>) -> BTreeMap<String, Vec<String>> {
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: &str, user: &str| {
        let users = uses.entry(name.to_string()).or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_string());
        }
    };
    for node in &sources.graph.nodes {
        for name in node.prompts.iter().chain(&node.plays) {
            add(name, &node.id);
        }
    }
    for name in &sources.graph.welcome {
        add(name, "welcome");
    }
    for name in sources.menu_prompts {
        let owned = (sources.graph.nodes.iter())
            .any(|node| node.prompts.contains(name) || node.plays.contains(name));
        if !owned && !sources.graph.welcome.contains(name) {
            add(name, "menu");
        }
    }
    uses
}

/// Which of the server's modules play each prompt.
fn server_uses(language: &str) -> BTreeMap<String, Vec<String>> {
    let digits: Vec<String> = (0..10).map(|d| format!("digit-{d}")).collect();
    let in_language = (SERVER_PROMPTS.iter().copied())
        .chain(digits.iter().map(|d| (d.as_str(), AGENT_NUMBER_MODULE)))
        .chain(NUMBER_WORDS.iter().map(|w| (*w, "queues::announce")))
        .map(|(id, module)| (format!("{language}/{id}"), module));
    let hold = std::iter::once((HOLD_MUSIC.0.to_string(), HOLD_MUSIC.1));
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, module) in in_language.chain(hold) {
        let modules = uses.entry(name).or_default();
        if !modules.iter().any(|m| m == module) {
            modules.push(module.to_string());
        }
    }
    uses
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
