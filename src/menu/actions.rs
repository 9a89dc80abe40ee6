//! What keys do: the menu file's actions once decoded, and what they refer to (form
//! fields, digit sources, what `say` speaks). The operator's reference for writing them
//! is the doc of [`super::schema`].

use super::branches::Branch;
use super::schema::{ActionId, NodeId, PromptRef};
use super::{Product, SubmitKind};

/// Where a `transfer` hands the call: a queue of this server's agents, or another SIP
/// address by REFER (an external ACD, the long-distance operator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handoff {
    Queue(String),
    Refer(String),
}

impl std::fmt::Display for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handoff::Queue(name) => write!(f, "queue {name}"),
            Handoff::Refer(uri) => write!(f, "refer {uri}"),
        }
    }
}

/// What a key (or a finished entry, or too many failures) does.
#[derive(Debug)]
pub(crate) enum Action {
    Goto(NodeId),
    Back,
    Top,
    Repeat,
    Play {
        prompts: Vec<PromptRef>,
        then: ActionId,
    },
    SayDigits {
        source: Source,
        then: ActionId,
    },
    /// `None`: the menu's `goodbye_prompt`.
    Hangup {
        goodbye: Option<Vec<PromptRef>>,
    },
    Transfer {
        to: Handoff,
    },
    /// Fills in fields of the call's form.
    Set {
        assignments: Vec<Assignment>,
        then: ActionId,
    },
    /// Asks which line the form's number is; the reply picks a branch.
    LookupLine {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks for a ticket from the form; the reply picks a branch.
    Submit {
        kind: SubmitKind,
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks whether the line or contract has a password and the caller may set it.
    PasswordStatus {
        account: AccountKind,
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks whether the form's `password` is the account's.
    CheckPassword {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks to make the form's `new_password` the account's.
    SetPassword {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks for a line's balance and charges (after its password was accepted).
    QueryBalance {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks to redeem the form's recharge card onto that line.
    RedeemCard {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks for the installation order of the form's `order` (or `number`).
    OrderStatus {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Asks for the open fault ticket of the form's `number` (or the caller's).
    RepairStatus {
        branches: Vec<(Branch, ActionId)>,
    },
    /// Speaks what the last reply told, then `then`.
    Say {
        what: Said,
        then: ActionId,
    },
}

impl Action {
    /// The actions that can follow this one: its `then`, or every branch of a request.
    pub fn next(&self) -> Vec<ActionId> {
        match self {
            Action::Play { then, .. }
            | Action::SayDigits { then, .. }
            | Action::Set { then, .. }
            | Action::Say { then, .. } => {
                vec![*then]
            }
            _ => (self.branches().iter()).map(|(_, a)| *a).collect(),
        }
    }

    /// The branches of a request (none for other actions).
    pub(super) fn branches(&self) -> &[(Branch, ActionId)] {
        match self {
            Action::LookupLine { branches }
            | Action::Submit { branches, .. }
            | Action::PasswordStatus { branches, .. }
            | Action::CheckPassword { branches }
            | Action::SetPassword { branches }
            | Action::QueryBalance { branches }
            | Action::RedeemCard { branches }
            | Action::OrderStatus { branches }
            | Action::RepairStatus { branches } => branches,
            _ => &[],
        }
    }

    /// The action a request's reply leads to. A branch the request does not have (a
    /// suggestion answered `urged`) takes `unavailable`, which every request has.
    pub fn branch(&self, branch: Branch) -> Option<ActionId> {
        let branches = self.branches();
        let find = |wanted: Branch| branches.iter().find(|(b, _)| *b == wanted);
        find(branch)
            .or_else(|| find(Branch::Unavailable))
            .map(|(_, a)| *a)
    }
}

/// Where the text of `say_digits` or of a `set` field comes from.
#[derive(Debug)]
pub(crate) enum Source {
    /// The last completed entry.
    Collected,
    /// The caller's number.
    Caller,
    /// The serial of the last ticket made.
    Serial,
    /// Digits or a code written in the file.
    Literal(String),
}

/// One field of a `set` action.
#[derive(Debug)]
pub(crate) enum Assignment {
    Product(Product),
    Text(TextField, Source),
    /// The digits of the secret entry just made.
    Secret(SecretField),
}

/// The password fields of the form, filled only from a secret entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretField {
    Password,
    NewPassword,
    NewPasswordAgain,
    CardPin,
}

/// Whose password `password_status` asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccountKind {
    /// The form's `number`, else the caller's own number.
    Line,
    /// The form's `contract`.
    Contract,
}

/// What `say` speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Said {
    /// Why the last new password was refused (`Weakness::prompt`).
    Weakness,
    /// "Your balance is …" (or "you owe …") from the last `query_balance`.
    Balance,
    /// "This month's charges are …" from the last `query_balance`.
    Charges,
    /// The amount of the balance after the last `redeem_card` (after `topup-done`).
    NewBalance,
    /// The state of the order of the last `order_status`.
    Order,
    /// The stage and promised time of the fault of the last `repair_status`.
    Repair,
}

/// The text fields of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextField {
    Number,
    Phenomenon,
    Contact,
    ComplaintType,
    Order,
    Contract,
    Card,
}
