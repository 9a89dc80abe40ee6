//! The steps of a call's way through the menu ([`PathStep`]), as the agents' console and
//! the call records show them: `menu main`, `key 3`, `entry ******`, `timeout`,
//! `wrong key 7`, `wrong entry 12`.

use crate::media::Key;

/// One step of the call's way through the menu, for agents and records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A menu entered (its id).
    Menu(String),
    /// A key that chose an action.
    Key(Key),
    /// A completed digit entry; `******` when the entry is secret.
    Entry(String),
    /// No key before the menu's timeout.
    Timeout,
    /// A key no action of the menu answers.
    WrongKey(Key),
    /// An entry refused (too short, or not matching the pattern); `******` when secret,
    /// empty when no digit was keyed.
    WrongEntry(String),
}

impl std::fmt::Display for PathStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathStep::Menu(id) => write!(f, "menu {id}"),
            PathStep::Key(key) => write!(f, "key {key}"),
            PathStep::Entry(digits) => write!(f, "entry {digits}"),
            PathStep::Timeout => f.write_str("timeout"),
            PathStep::WrongKey(key) => write!(f, "wrong key {key}"),
            PathStep::WrongEntry(digits) if digits.is_empty() => f.write_str("wrong entry"),
            PathStep::WrongEntry(digits) => write!(f, "wrong entry {digits}"),
        }
    }
}

/// Masked form of a secret entry (its length is not revealed either).
pub(super) const MASK: &str = "******";
