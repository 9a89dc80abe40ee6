//! Tests of the menu module: loading and its diagnostics, the engine, check, simulate.

mod bundled_flows;
mod call;
mod diagnostics;
mod engine;
mod flow_diagnostics;
mod flows;
mod password_diagnostics;
mod passwords;
mod queries;
mod tools;

use std::path::Path;
use std::sync::Arc;

use super::{Diagnostic, Menu};

pub(super) const BUNDLED: &str = include_str!("../../../menus/hotline.yaml");

pub(super) fn bundled() -> Arc<Menu> {
    Arc::new(load(BUNDLED).expect("the bundled menu loads"))
}

pub(super) fn load(text: &str) -> Result<Menu, Vec<Diagnostic>> {
    Menu::from_str(Path::new("menus/hotline.yaml"), text)
}

/// 1-based line and column (in characters) of the `nth` occurrence of `needle`.
pub(super) fn locate(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let (at, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

/// `text` with `from` replaced by `to` exactly once.
pub(super) fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}
