//! The desk's password work (spec §2): whether an account has a password and whether the
//! caller may set it, checking a password under the lockout policy, and setting a new one
//! (argon2id, on a blocking thread).
//!
//! Decisions made here (the spec is silent on them):
//! - "only from the line itself": a line's password is the caller's own number's, and
//!   that number must be a line in the store; a contract's is open only to a caller whose
//!   line carries that contract number. Anyone else is `OtherLine`. A line that is not
//!   active (suspended or vacant) is `NotAllowed`. A contract number no line has is
//!   `Unknown`, a wrong entry;
//! - a failure that locks the password is answered `Locked` at once (the caller hears
//!   why), not `Wrong`;
//! - the new password's two entries are compared first (`Mismatch`), then its strength
//!   (`Weak`, with the line's own number, or for a contract its contract number, for the
//!   suffix rule);
//! - the strength rules and the lockout policy are the pure modules' defaults (weak
//!   passwords refused by every rule; 5 failures lock for 30 minutes); configuration of
//!   them may come later;
//! - logs name the account, never the digits (`Secret` prints `******`).

use chrono::Utc;

use super::{caller_number, Desk};
use crate::menu::{PasswordChecked, PasswordSet, PasswordStatus};
use crate::passwords::hash::hash_password;
use crate::passwords::lockout::Verdict;
use crate::passwords::strength::check_strength;
use crate::passwords::Secret;
use crate::store::{PasswordSubject, Result};
use crate::tickets::model::{Line, LineStatus};

impl Desk {
    /// Whether `account` has a password and whether `caller` (digits, or empty) may set it.
    pub(super) async fn password_status(
        &self,
        account: &PasswordSubject,
        caller: &str,
    ) -> PasswordStatus {
        match self.status(account, caller).await {
            Ok(status) => status,
            Err(error) => {
                tracing::error!(%error, kind = account.kind(), "password status not read");
                PasswordStatus::Unavailable
            }
        }
    }

    async fn status(&self, account: &PasswordSubject, caller: &str) -> Result<PasswordStatus> {
        let line = match caller.is_empty() {
            true => None,
            false => self.store.line(caller).await?,
        };
        if let PasswordSubject::Contract(contract) = account {
            if contract.is_empty() || !self.store.contract_known(contract).await? {
                return Ok(PasswordStatus::Unknown);
            }
        }
        let subject = stored_subject(account);
        let Some(line) = line.filter(|line| owns(line, &subject)) else {
            return Ok(PasswordStatus::OtherLine);
        };
        if line.status != LineStatus::Active {
            return Ok(PasswordStatus::NotAllowed);
        }
        Ok(match self.store.password_hash(&subject).await? {
            Some(_) => PasswordStatus::HasPassword,
            None => PasswordStatus::NoPassword,
        })
    }

    /// Checks `password` against the account's under the lockout policy.
    pub(super) async fn check_password(
        &self,
        account: &PasswordSubject,
        password: &Secret,
    ) -> PasswordChecked {
        let subject = stored_subject(account);
        let verdict = (self.store)
            .check_password(&subject, password, &self.lockout, Utc::now())
            .await;
        match verdict {
            Ok(verdict) => {
                tracing::info!(
                    kind = subject.kind(),
                    subject = subject.subject(),
                    ?verdict,
                    "password checked"
                );
                checked(verdict)
            }
            Err(error) => {
                tracing::error!(%error, kind = subject.kind(), "password not checked");
                PasswordChecked::Unavailable
            }
        }
    }

    /// Makes `new` the account's password when `again` matches and it is strong enough.
    pub(super) async fn set_password(
        &self,
        account: &PasswordSubject,
        new: Secret,
        again: &Secret,
    ) -> PasswordSet {
        if new != *again {
            return PasswordSet::Mismatch;
        }
        let subject = stored_subject(account);
        if let Err(weakness) = check_strength(&self.strength, &new, subject.subject()) {
            return PasswordSet::Weak(weakness);
        }
        let stored = match tokio::task::spawn_blocking(move || hash_password(&new)).await {
            Ok(phc) => self.store.set_password(&subject, &phc, Utc::now()).await,
            Err(error) => Err(error.into()),
        };
        match stored {
            Ok(()) => {
                tracing::info!(
                    kind = subject.kind(),
                    subject = subject.subject(),
                    "password set"
                );
                PasswordSet::Stored
            }
            Err(error) => {
                tracing::error!(%error, kind = subject.kind(), "password not set");
                PasswordSet::Unavailable
            }
        }
    }
}

/// The account as the store keys it: a line by its number as digits (an E.164 `+`
/// dropped), a contract by its number.
fn stored_subject(account: &PasswordSubject) -> PasswordSubject {
    match account {
        PasswordSubject::Line(number) => PasswordSubject::Line(caller_number(number)),
        PasswordSubject::Contract(contract) => PasswordSubject::Contract(contract.clone()),
    }
}

/// Whether the caller's `line` is the account's line, or carries the account's contract.
fn owns(line: &Line, subject: &PasswordSubject) -> bool {
    match subject {
        PasswordSubject::Line(number) => line.number == *number,
        PasswordSubject::Contract(contract) => line.contract_number.as_ref() == Some(contract),
    }
}

/// What the menu hears of a verdict: a failure that locked the password is `Locked`.
fn checked(verdict: Verdict) -> PasswordChecked {
    match verdict {
        Verdict::Accepted => PasswordChecked::Accepted,
        Verdict::Wrong { locked_until: None } => PasswordChecked::Wrong,
        Verdict::Wrong {
            locked_until: Some(_),
        }
        | Verdict::Locked { .. } => PasswordChecked::Locked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::model::LineKind;

    fn line(contract: Option<&str>) -> Line {
        let contract_number = contract.map(str::to_string);
        Line {
            contract_number,
            ..super::super::tests::line(LineKind::Landline)
        }
    }

    #[test]
    fn only_the_line_itself_or_a_line_of_the_contract_owns_the_password() {
        let own = line(Some("88001"));
        let account = PasswordSubject::Line("+05512345678".into());
        assert!(owns(&own, &stored_subject(&account)));
        assert!(!owns(&own, &PasswordSubject::Line("05512345679".into())));
        assert!(owns(&own, &PasswordSubject::Contract("88001".into())));
        assert!(!owns(&own, &PasswordSubject::Contract("88002".into())));
        let no_contract = line(None);
        assert!(!owns(
            &no_contract,
            &PasswordSubject::Contract("88001".into())
        ));
    }

    #[test]
    fn a_failure_that_locks_is_heard_as_locked() {
        let until = Utc::now();
        assert_eq!(checked(Verdict::Accepted), PasswordChecked::Accepted);
        let wrong = Verdict::Wrong { locked_until: None };
        assert_eq!(checked(wrong), PasswordChecked::Wrong);
        let locking = Verdict::Wrong {
            locked_until: Some(until),
        };
        assert_eq!(checked(locking), PasswordChecked::Locked);
        assert_eq!(checked(Verdict::Locked { until }), PasswordChecked::Locked);
    }
}
