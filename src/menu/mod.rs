//! The menu: the YAML tree operators edit (`menus/*.yaml`), its loading and validation
//! with exact `file:line:column` diagnostics (`hotline check`), the pure engine that walks
//! one call through it (keys, timeouts and the store's replies in; prompts, actions,
//! recordings and requests to the store out: tickets, line passwords and the bill,
//! order and repair queries) and `simulate`.
//!
//! Owns: the schema (the operator's reference is [`schema`]'s doc), the YAML position
//! tree (`yaml`), decoding with positions (`decode`: values, actions), graph checks
//! (`validate`), the prompt-file check ([`check()`]), [`Session`], [`simulate()`] and the
//! menu drawn as nodes and edges for the console ([`graph`]). Must not touch sockets,
//! audio, the clock or the prompt store: prompts are names (`zh/02`) that the call task
//! resolves; time is an argument.

mod actions;
mod branches;
mod check;
mod decode;
mod engine;
pub mod graph;
mod requests;
mod say;
pub mod schema;
mod simulate;
mod validate;
mod yaml;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

pub use check::{check, prompt_problems};
pub use engine::{CallInfo, Input, Output, PathStep, Session};
pub use graph::{GraphKey, GraphNode, MenuGraph, NodeKind};
pub use requests::{
    BalanceFound, CardRedeemed, Cents, Form, LineFound, OrderFound, OrderState, PasswordChecked,
    PasswordSet, PasswordStatus, Product, RepairFound, RepairProgress, RepairStage, Reply, Request,
    SubmitKind, Submitted,
};
pub use schema::{Handoff, Menu};
pub use simulate::simulate;

/// One problem an operator must fix, at a 1-based line and column of a file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// A 1-based position in the menu file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A problem found in the text, before the file name is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub pos: Pos,
    pub message: String,
}

impl Problem {
    pub fn new(pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            pos,
            message: message.into(),
        }
    }

    pub fn in_file(self, file: &std::path::Path) -> Diagnostic {
        Diagnostic {
            file: file.to_path_buf(),
            line: self.pos.line,
            column: self.pos.column,
            message: self.message,
        }
    }
}
