//! The engine's side of the password actions (spec §2): `password_status`,
//! `check_password`, `set_password` and `say: weakness`. The store and argon2 work is the
//! shell's; here only the requests and the choice of branch.
//!
//! Rules (the spec leaves them to us):
//! - `password_status: line` asks about the form's `number`, else the caller's own
//!   number; `password_status: contract` about the form's `contract`. When the reply is
//!   `no_password` or `has_password`, that account becomes the call's password account;
//!   `check_password` and `set_password` act on it. Before there is one they take their
//!   `unavailable` branch without asking anything.
//! - The password fields of the form are taken out of it when their request is sent, so
//!   no digits stay in the form (or go with a later request).
//! - Wrong entries (a wrong password, a contract number no line has, a recharge card
//!   refused) are counted over the call: the second one takes `too_many_wrong` instead of `wrong` or `unknown` ("two
//!   wrong entries end the service"); an accepted password starts the count again.
//! - A `weak` reply keeps its reason for `say: weakness`.
//! - A line whose password was accepted is the call's verified line: the bill queries
//!   (`query_balance`, `redeem_card`) act on it and on nothing else.

use std::sync::Arc;

use super::Session;
use crate::menu::requests::{
    PasswordChecked, PasswordSet, PasswordStatus, PasswordSubject, Reply, Request, Secret, Weakness,
};
use crate::menu::schema::{AccountKind, Action, ActionId, Branch};

/// The wrong entries in a call that end the service.
const WRONG_ENTRIES: u32 = 2;

/// What the call knows about its passwords.
#[derive(Default)]
pub(super) struct Passwords {
    /// The account the `password_status` out asks about.
    asked: Option<PasswordSubject>,
    /// The account `check_password` and `set_password` act on.
    account: Option<PasswordSubject>,
    /// Wrong entries since the start of the call or the last accepted password.
    wrong: u32,
    /// Why the last new password was refused.
    weakness: Option<Weakness>,
    /// The line whose password was accepted in this call.
    verified_line: Option<String>,
}

impl Passwords {
    /// The line whose password was accepted in this call, for the bill queries.
    pub(super) fn verified_line(&self) -> Option<&str> {
        self.verified_line.as_deref()
    }

    /// Why the last new password was refused.
    pub(super) fn weakness(&self) -> Option<Weakness> {
        self.weakness
    }

    /// `branch`, or `too_many_wrong` when it is the call's second wrong entry (a wrong
    /// password, an unknown contract number, a refused recharge card).
    pub(super) fn counted(&mut self, branch: Branch) -> Branch {
        if !matches!(branch, Branch::Wrong | Branch::Unknown | Branch::Refused) {
            return branch;
        }
        self.wrong += 1;
        match self.wrong >= WRONG_ENTRIES {
            true => Branch::TooManyWrong,
            false => branch,
        }
    }
}

impl Session {
    /// Sends the request of password action `id`, or takes its `unavailable` branch when
    /// there is no account to ask about yet.
    pub(super) fn ask_password(&mut self, id: ActionId) {
        let menu = Arc::clone(&self.menu);
        let action = menu.action(id);
        let account = self.passwords.account.clone();
        let request = match action {
            Action::PasswordStatus { account, .. } => {
                let account = match account {
                    AccountKind::Line => PasswordSubject::Line(
                        (self.form.number.clone()).unwrap_or_else(|| self.call.caller.clone()),
                    ),
                    AccountKind::Contract => {
                        PasswordSubject::Contract(self.form.contract.clone().unwrap_or_default())
                    }
                };
                self.passwords.asked = Some(account.clone());
                Some(Request::PasswordStatus { account })
            }
            Action::CheckPassword { .. } => account.map(|account| Request::CheckPassword {
                account,
                password: taken(&mut self.form.password),
            }),
            Action::SetPassword { .. } => account.map(|account| Request::SetPassword {
                account,
                new: taken(&mut self.form.new_password),
                again: taken(&mut self.form.new_password_again),
            }),
            _ => None,
        };
        self.ask_or_unavailable(id, request);
    }

    /// The reply to password action `id`: remembers what it tells, counts wrong entries
    /// and runs its branch.
    pub(super) fn password_reply(&mut self, id: ActionId, reply: &Reply) {
        match reply {
            Reply::PasswordStatus(PasswordStatus::NoPassword | PasswordStatus::HasPassword) => {
                self.passwords.account = self.passwords.asked.take();
            }
            Reply::PasswordChecked(PasswordChecked::Accepted) => {
                self.passwords.wrong = 0;
                if let Some(PasswordSubject::Line(number)) = &self.passwords.account {
                    self.passwords.verified_line = Some(number.clone());
                }
            }
            Reply::PasswordSet(PasswordSet::Weak(weakness)) => {
                self.passwords.weakness = Some(*weakness);
            }
            _ => {}
        }
        let branch = self.passwords.counted(reply.branch());
        let menu = Arc::clone(&self.menu);
        if let Some(next) = menu.action(id).branch(branch) {
            self.run(next);
        }
    }
}

/// The secret of a password field, leaving the field empty (no entry: no digits).
pub(super) fn taken(field: &mut Option<Secret>) -> Secret {
    field.take().unwrap_or_else(|| Secret::new(String::new()))
}
