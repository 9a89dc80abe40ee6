//! The accounts in the store: balances and this month's charges, installation orders,
//! recharge cards, and line and contract passwords with their failed attempts and locks
//! (tables of migration 0003; queries in `accounts_queries.rs`, one text for both
//! backends like `queries.rs`).
//!
//! Decisions the contracts leave open:
//! - A card is redeemed only onto a number that has a balance row (the menu speaks the
//!   balance before it offers a top-up); otherwise, and when the new balance would not fit,
//!   the redemption is `Refused` and the card stays unused. The PIN is verified before the
//!   writing transaction, so the database's write lock is not held while argon2 runs; the
//!   conditional `UPDATE … WHERE redeemed_at IS NULL` decides between concurrent callers.
//! - A password check verifies the entry before its transaction too, then reads the
//!   attempts again inside it and lets `LockoutPolicy::judge` decide: a lock that came
//!   into force meanwhile still wins. A subject without a password is `Wrong` and counts
//!   nothing. A lock is lifted by clearing the attempts and stamping its record.
//! - Imports are upserts. A card already redeemed keeps its redemption and its value.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::accounts::money::Cents;
use crate::accounts::orders::{OrderKind, OrderState};
use crate::passwords::lockout::{LockoutPolicy, Verdict};
use crate::passwords::Secret;
use crate::tickets::model::Tier;

use super::{postgres, sqlite, Backend, Result, Store};

/// Whose password: a line's (by number) or a contract's (by contract number).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "subject", rename_all = "lowercase")]
pub enum PasswordSubject {
    Line(String),
    Contract(String),
}

impl PasswordSubject {
    /// From the stored or routed kind (`line`, `contract`) and subject.
    pub fn from_parts(kind: &str, subject: &str) -> Result<PasswordSubject, String> {
        match kind {
            "line" => Ok(PasswordSubject::Line(subject.to_string())),
            "contract" => Ok(PasswordSubject::Contract(subject.to_string())),
            _ => Err(format!("`{kind}` is not line or contract")),
        }
    }

    /// The stored kind: `line` or `contract`.
    pub fn kind(&self) -> &'static str {
        match self {
            PasswordSubject::Line(_) => "line",
            PasswordSubject::Contract(_) => "contract",
        }
    }

    /// The line number or contract number.
    pub fn subject(&self) -> &str {
        match self {
            PasswordSubject::Line(subject) | PasswordSubject::Contract(subject) => subject,
        }
    }
}

/// A number's balance and its charges so far in `month`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub number: String,
    pub balance: Cents,
    /// `YYYY-MM`.
    pub month: String,
    pub charges: Cents,
}

/// What a card redemption did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redeemed {
    ToppedUp {
        balance: Cents,
    },
    /// Unknown card, wrong PIN, already used (or no balance to top up).
    Refused,
}

/// An installation or move order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallOrder {
    pub order_number: String,
    /// The line it installs or moves.
    pub number: String,
    pub kind: OrderKind,
    pub state: OrderState,
    pub tier: Tier,
    pub created_at: DateTime<Utc>,
    /// From `accounts::orders::appointment_due` when the order was made.
    pub appointment_due: DateTime<Utc>,
}

/// A recharge card to load: the PIN only as its argon2id hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCard {
    pub card_number: String,
    pub pin_hash: String,
    pub value: Cents,
}

/// The record of one lock of a password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordLock {
    pub id: i64,
    #[serde(flatten)]
    pub subject: PasswordSubject,
    pub locked_at: DateTime<Utc>,
    pub locked_until: DateTime<Utc>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lifted_by: Option<String>,
}

impl Store {
    pub async fn balance(&self, number: &str) -> Result<Option<Balance>> {
        on_backend!(self, balance(number))
    }

    /// Redeems a card once only: exactly one of two concurrent callers tops up.
    pub async fn redeem_card(
        &self,
        card_number: &str,
        pin: &Secret,
        number: &str,
        now: DateTime<Utc>,
    ) -> Result<Redeemed> {
        on_backend!(self, redeem_card(card_number, pin, number, now))
    }

    /// The order with that order number, else the newest order of that line number.
    pub async fn install_order(&self, order_or_number: &str) -> Result<Option<InstallOrder>> {
        on_backend!(self, install_order(order_or_number))
    }

    /// Whether some line has this contract number.
    pub async fn contract_known(&self, contract: &str) -> Result<bool> {
        on_backend!(self, contract_known(contract))
    }

    /// The PHC string of the subject's password, if one is set.
    pub async fn password_hash(&self, subject: &PasswordSubject) -> Result<Option<String>> {
        on_backend!(self, password_hash(subject))
    }

    /// Sets or replaces the subject's password (`phc` from `passwords::hash`).
    pub async fn set_password(
        &self,
        subject: &PasswordSubject,
        phc: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, set_password(subject, phc, now))
    }

    /// Checks `secret` against the subject's password under `policy`, keeping the
    /// failures and recording a lock when this check locks it.
    pub async fn check_password(
        &self,
        subject: &PasswordSubject,
        secret: &Secret,
        policy: &LockoutPolicy,
        now: DateTime<Utc>,
    ) -> Result<Verdict> {
        on_backend!(self, check_password(subject, secret, policy, now))
    }

    /// Lock records, newest first: only the locks in force at `now`, or all.
    pub async fn password_locks(
        &self,
        only_active: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<PasswordLock>> {
        on_backend!(self, password_locks(only_active, now))
    }

    /// Lifts the subject's lock in force at `now` (and forgets its failures); false when
    /// it is not locked.
    pub async fn lift_lock(
        &self,
        subject: &PasswordSubject,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_backend!(self, lift_lock(subject, by, now))
    }

    /// Inserts or replaces balances, stamped `now`; returns how many.
    pub async fn import_balances(&self, rows: &[Balance], now: DateTime<Utc>) -> Result<usize> {
        on_backend!(self, import_balances(rows, now))
    }

    /// Inserts or replaces orders; returns how many.
    pub async fn import_orders(&self, rows: &[InstallOrder]) -> Result<usize> {
        on_backend!(self, import_orders(rows))
    }

    /// Loads cards, stamped `now` (a redeemed card is left as it is); returns how many
    /// rows were given.
    pub async fn import_cards(&self, rows: &[NewCard], now: DateTime<Utc>) -> Result<usize> {
        on_backend!(self, import_cards(rows, now))
    }
}

/// Whether `secret` is the password of `phc`, on a blocking thread (argon2 is slow on
/// purpose).
pub(super) async fn verify(secret: &Secret, phc: String) -> Result<bool> {
    let secret = secret.clone();
    let check = move || crate::passwords::hash::verify_password(&secret, &phc);
    Ok(tokio::task::spawn_blocking(check).await?)
}
