//! The password actions: `password_status: line|contract` with its branches beside it,
//! `check_password: {…}` and `set_password: {…}` with their branches as a map. The
//! secret fields of `set` are checked in `flows`; `say: weakness` is in `queries`.

use super::super::schema::{AccountKind, Action, Branch};
use super::{Decoder, Entry};

/// How a password field may be set (after its name).
pub(super) const SECRET_ONLY: &str = "takes only `collected`, in the `then:` of a `collect:` \
     with `secret: true` (the digits of a secret entry)";
/// Why `say_digits: collected` is refused after a secret entry.
pub(super) const SECRET_NOT_SPOKEN: &str = "the digits of a secret entry are never spoken: \
     `say_digits: collected` cannot follow a `collect:` with `secret: true`";
/// Why a text field may not take `collected` after a secret entry (after its name).
pub(super) const SECRET_NOT_COPIED: &str = "the digits of a secret entry go only to \
     `password`, `new_password`, `new_password_again` or `card_pin`";

impl Decoder {
    /// `{password_status: line|contract, BRANCH: ACTION, …}`; `branches` are the entries
    /// beside `password_status`.
    pub(super) fn password_status(&mut self, kind: Entry, branches: &[Entry]) -> Option<Action> {
        let text = self.text(kind.value, "password_status")?;
        let (account, needed) = match text {
            "line" => (AccountKind::Line, Branch::LINE_STATUS),
            "contract" => (AccountKind::Contract, Branch::CONTRACT_STATUS),
            _ => {
                let message = format!("`password_status` takes line or contract, found `{text}`");
                self.problem(kind.value.pos, message);
                return None;
            }
        };
        let what = format!("`password_status: {text}`");
        let branches = self.branches(branches, kind.pos, &what, needed)?;
        Some(Action::PasswordStatus { account, branches })
    }

    /// `{check_password: {…}}` or `{set_password: {…}}`; `kind` is that entry.
    pub(super) fn password_request(&mut self, kind: Entry) -> Option<Action> {
        if kind.name == "check_password" {
            let branches = self.branch_map(kind, Branch::CHECK)?;
            Some(Action::CheckPassword { branches })
        } else {
            let branches = self.branch_map(kind, Branch::SET_PASSWORD)?;
            Some(Action::SetPassword { branches })
        }
    }
}
