//! What the menu asks the ticket store and what it is told back: the call's [`Form`],
//! the [`Request`]s the engine sends (`lookup_line`, `submit`) and the [`Reply`] the
//! call shell answers with, which picks the menu file's branch.

use super::schema::{Branch, TextField};
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
}

impl Form {
    pub(super) fn text_mut(&mut self, field: TextField) -> &mut Option<String> {
        match field {
            TextField::Number => &mut self.number,
            TextField::Phenomenon => &mut self.phenomenon,
            TextField::Contact => &mut self.contact,
            TextField::ComplaintType => &mut self.complaint_type,
            TextField::Order => &mut self.order,
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
        form: Form,
        menu_path: String,
    },
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
    Urged,
    RemindToPay,
    Supervisor,
    Refused,
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Line(LineFound),
    Submitted(Submitted),
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
            Reply::Submitted(Submitted::Urged) => Branch::Urged,
            Reply::Submitted(Submitted::RemindToPay) => Branch::RemindToPay,
            Reply::Submitted(Submitted::Supervisor) => Branch::Supervisor,
            Reply::Submitted(Submitted::Refused) => Branch::Refused,
            Reply::Line(LineFound::Unavailable) | Reply::Submitted(Submitted::Unavailable) => {
                Branch::Unavailable
            }
        }
    }
}
