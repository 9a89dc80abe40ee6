//! What the menu asks the store and what it is told back: the call's [`Form`], the
//! [`Request`]s the engine sends (`lookup_line`, `submit`, the password actions
//! `password_status`, `check_password`, `set_password`, and the queries `query_balance`,
//! `redeem_card`, `order_status`, `repair_status`) and the [`Reply`] the call shell
//! answers with, which picks the menu file's branch (and, for a query, what `say`
//! speaks).
//!
//! Password digits travel only as [`Secret`]s, which print as `******`: a request or a
//! form written to a log shows no digits.

use chrono::NaiveDateTime;

use super::schema::{Branch, SecretField, TextField};
pub use crate::accounts::money::Cents;
pub use crate::accounts::orders::OrderState;
pub use crate::passwords::strength::Weakness;
pub use crate::passwords::Secret;
pub use crate::store::PasswordSubject;
pub use crate::tickets::model::Product;

/// What the caller has told the menu so far, for the next request. Cleared after each
/// `Submit` reply (the last serial is kept for `say_digits: serial`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pub product: Option<Product>,
    pub number: Option<String>,
    pub phenomenon: Option<String>,
    pub contact: Option<String>,
    pub complaint_type: Option<String>,
    pub order: Option<String>,
    /// The contract number whose password the caller means (`password_status: contract`).
    pub contract: Option<String>,
    /// The password now, for `check_password`.
    pub password: Option<Secret>,
    /// The new password and its second entry, for `set_password`.
    pub new_password: Option<Secret>,
    pub new_password_again: Option<Secret>,
    /// The recharge card's number, for `redeem_card`.
    pub card: Option<String>,
    /// The recharge card's PIN (a secret entry), for `redeem_card`.
    pub card_pin: Option<Secret>,
}

impl Form {
    /// The fields an agent may see, named as the tickets API names them: never a
    /// password, a PIN or a recharge card's number.
    pub fn draft(&self) -> Vec<(String, String)> {
        let product = self.product.map(|p| p.to_string());
        let fields = [
            ("product", product.as_ref()),
            ("number", self.number.as_ref()),
            ("phenomenon", self.phenomenon.as_ref()),
            ("contact_phone", self.contact.as_ref()),
            ("complaint_type", self.complaint_type.as_ref()),
            ("order", self.order.as_ref()),
            ("contract", self.contract.as_ref()),
        ];
        (fields.into_iter())
            .filter_map(|(name, value)| Some((name.to_string(), value?.clone())))
            .collect()
    }

    pub(super) fn text_mut(&mut self, field: TextField) -> &mut Option<String> {
        match field {
            TextField::Number => &mut self.number,
            TextField::Phenomenon => &mut self.phenomenon,
            TextField::Contact => &mut self.contact,
            TextField::ComplaintType => &mut self.complaint_type,
            TextField::Order => &mut self.order,
            TextField::Contract => &mut self.contract,
            TextField::Card => &mut self.card,
        }
    }

    pub(super) fn secret_mut(&mut self, field: SecretField) -> &mut Option<Secret> {
        match field {
            SecretField::Password => &mut self.password,
            SecretField::NewPassword => &mut self.new_password,
            SecretField::NewPasswordAgain => &mut self.new_password_again,
            SecretField::CardPin => &mut self.card_pin,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmitKind {
    Fault,
    Complaint,
    Suggestion,
}

impl SubmitKind {
    /// The name in the menu file (`submit: fault`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubmitKind::Fault => "fault",
            SubmitKind::Complaint => "complaint",
            SubmitKind::Suggestion => "suggestion",
        }
    }
}

/// What the engine needs from the ticket store; the shell answers with `Input::Reply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Which line is `number` (as keyed, or the caller's) of `product` (None: any)?
    /// Answered with `Input::Reply(Reply::Line(..))`.
    LookupLine {
        number: String,
        product: Option<Product>,
    },
    /// Make the ticket. `menu_path` is the keys chosen so far joined by '-' ("3-1-1-1").
    /// Answered with `Input::Reply(Reply::Submitted(..))`.
    Submit {
        kind: SubmitKind,
        form: Box<Form>,
        menu_path: String,
    },
    /// Has `account` a password, and may the caller set it (their own line, or a contract
    /// of their own line, in service)? Answered with `Reply::PasswordStatus(..)`.
    PasswordStatus { account: PasswordSubject },
    /// Is `password` the account's password (under the lockout policy)? Answered with
    /// `Reply::PasswordChecked(..)`.
    CheckPassword {
        account: PasswordSubject,
        password: Secret,
    },
    /// Make `new` the account's password when `again` is the same and it is not weak.
    /// Answered with `Reply::PasswordSet(..)`.
    SetPassword {
        account: PasswordSubject,
        new: Secret,
        again: Secret,
    },
    /// The balance and this month's charges of line `number`, whose password was accepted
    /// in this call. Answered with `Reply::Balance(..)`.
    QueryBalance { number: String },
    /// Redeem recharge card `card` with its `pin` onto line `number` (whose password was
    /// accepted in this call), once only. Answered with `Reply::CardRedeemed(..)`.
    RedeemCard {
        number: String,
        card: String,
        pin: Secret,
    },
    /// The installation or move order with this order number, else the newest order of
    /// that line number. Answered with `Reply::Order(..)`.
    OrderStatus { order_or_number: String },
    /// The newest open fault ticket of `number`. Answered with `Reply::Repair(..)`.
    RepairStatus { number: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFound {
    Telephone,
    Broadband,
    Unknown,
    NotOn112,
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A ticket was committed; `serial` is its digits (spoken only now).
    Created {
        serial: String,
    },
    /// An open ticket about the same thing was urged; its serial when the desk knows it.
    Urged {
        serial: Option<String>,
    },
    RemindToPay,
    Supervisor,
    Refused,
    Unavailable,
}

/// Whether an account has a password and whether this caller may set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordStatus {
    NoPassword,
    HasPassword,
    /// The caller is not the line (nor on a line of the contract).
    OtherLine,
    /// The caller's line is suspended or vacant.
    NotAllowed,
    /// No line has that contract number: a wrong entry.
    Unknown,
    Unavailable,
}

/// The verdict on a password entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordChecked {
    Accepted,
    /// A wrong entry.
    Wrong,
    /// Too many failures (in this call or earlier ones): not checked now.
    Locked,
    Unavailable,
}

/// What became of a new password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordSet {
    Stored,
    /// The two entries differ.
    Mismatch,
    /// Refused, for this reason (its prompt is spoken by `say: weakness`).
    Weak(Weakness),
    /// The store could not keep it.
    Unavailable,
}

/// A line's balance, as `query_balance` found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BalanceFound {
    /// The balance (negative: owing) and this month's charges so far.
    Found {
        balance: Cents,
        charges: Cents,
    },
    /// The store has no balance for the line.
    Unknown,
    Unavailable,
}

/// What became of a recharge card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardRedeemed {
    /// Redeemed; the line's balance now.
    ToppedUp {
        balance: Cents,
    },
    /// Unknown card, wrong PIN or already used.
    Refused,
    Unavailable,
}

/// An installation order, as `order_status` found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderFound {
    Found(OrderState),
    Unknown,
    Unavailable,
}

/// The newest open fault ticket of a number, as `repair_status` found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepairFound {
    Open(RepairProgress),
    /// The number has no open fault ticket.
    NoOpenFault,
    Unavailable,
}

/// Where an open fault ticket stands, to be spoken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairProgress {
    /// The ticket's serial digits.
    pub serial: String,
    pub stage: RepairStage,
    /// The promised repair time (24 hours after the first report), local wall-clock time.
    pub due: NaiveDateTime,
    /// The promised time has passed (and the ticket was urged).
    pub overdue: bool,
}

/// The caller's view of an open fault ticket's lifecycle status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepairStage {
    /// Created, not yet dispatched.
    Accepted,
    /// Dispatched to the repair team (accepted or returned by it).
    Dispatched,
    /// The repair team is working on it.
    InProgress,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Line(LineFound),
    Submitted(Submitted),
    PasswordStatus(PasswordStatus),
    PasswordChecked(PasswordChecked),
    PasswordSet(PasswordSet),
    Balance(BalanceFound),
    CardRedeemed(CardRedeemed),
    Order(OrderFound),
    Repair(RepairFound),
}

impl Reply {
    /// The branch of the menu file this reply takes.
    pub(super) fn branch(&self) -> Branch {
        match self {
            Reply::Line(LineFound::Telephone) => Branch::Telephone,
            Reply::Line(LineFound::Broadband) => Branch::Broadband,
            Reply::Line(LineFound::Unknown) => Branch::Unknown,
            Reply::Line(LineFound::NotOn112) => Branch::Not112,
            Reply::Submitted(Submitted::Created { .. }) => Branch::Created,
            Reply::Submitted(Submitted::Urged { .. }) => Branch::Urged,
            Reply::Submitted(Submitted::RemindToPay) => Branch::RemindToPay,
            Reply::Submitted(Submitted::Supervisor) => Branch::Supervisor,
            Reply::Submitted(Submitted::Refused) => Branch::Refused,
            Reply::PasswordStatus(PasswordStatus::NoPassword) => Branch::NoPassword,
            Reply::PasswordStatus(PasswordStatus::HasPassword) => Branch::HasPassword,
            Reply::PasswordStatus(PasswordStatus::OtherLine) => Branch::OtherLine,
            Reply::PasswordStatus(PasswordStatus::NotAllowed) => Branch::NotAllowed,
            Reply::PasswordStatus(PasswordStatus::Unknown) => Branch::Unknown,
            Reply::PasswordChecked(PasswordChecked::Accepted) => Branch::Accepted,
            Reply::PasswordChecked(PasswordChecked::Wrong) => Branch::Wrong,
            Reply::PasswordChecked(PasswordChecked::Locked) => Branch::Locked,
            Reply::PasswordSet(PasswordSet::Stored) => Branch::Stored,
            Reply::PasswordSet(PasswordSet::Mismatch) => Branch::Mismatch,
            Reply::PasswordSet(PasswordSet::Weak(_)) => Branch::Weak,
            Reply::Balance(BalanceFound::Found { .. }) => Branch::Found,
            Reply::Balance(BalanceFound::Unknown) => Branch::Unknown,
            Reply::CardRedeemed(CardRedeemed::ToppedUp { .. }) => Branch::ToppedUp,
            Reply::CardRedeemed(CardRedeemed::Refused) => Branch::Refused,
            Reply::Order(OrderFound::Found(_)) => Branch::Found,
            Reply::Order(OrderFound::Unknown) => Branch::Unknown,
            Reply::Repair(RepairFound::Open(_)) => Branch::Open,
            Reply::Repair(RepairFound::NoOpenFault) => Branch::NoOpenFault,
            Reply::Line(LineFound::Unavailable)
            | Reply::Submitted(Submitted::Unavailable)
            | Reply::PasswordStatus(PasswordStatus::Unavailable)
            | Reply::PasswordChecked(PasswordChecked::Unavailable)
            | Reply::PasswordSet(PasswordSet::Unavailable)
            | Reply::Balance(BalanceFound::Unavailable)
            | Reply::CardRedeemed(CardRedeemed::Unavailable)
            | Reply::Order(OrderFound::Unavailable)
            | Reply::Repair(RepairFound::Unavailable) => Branch::Unavailable,
        }
    }
}
