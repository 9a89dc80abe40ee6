//! The branches of the menu's requests: each reply the store can give is a branch name
//! in the file (`created`, `wrong`, …), and each request has its fixed set of them, all
//! required.

/// A reply a request can get, named as its branch in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Branch {
    Telephone,
    Broadband,
    Unknown,
    Not112,
    Created,
    Urged,
    RemindToPay,
    Supervisor,
    Refused,
    Unavailable,
    NoPassword,
    HasPassword,
    OtherLine,
    NotAllowed,
    TooManyWrong,
    Accepted,
    Wrong,
    Locked,
    Stored,
    Mismatch,
    Weak,
    Found,
    ToppedUp,
    Open,
    NoOpenFault,
}

impl Branch {
    /// The branches of `lookup_line`, all required.
    pub const LOOKUP: &'static [Branch] = &[
        Branch::Telephone,
        Branch::Broadband,
        Branch::Unknown,
        Branch::Not112,
        Branch::Unavailable,
    ];
    /// The branches of `submit: fault` and `submit: complaint`, all required.
    pub const SUBMIT: &'static [Branch] = &[
        Branch::Created,
        Branch::Urged,
        Branch::RemindToPay,
        Branch::Supervisor,
        Branch::Refused,
        Branch::Unavailable,
    ];
    /// The branches of `submit: suggestion`, all required (no other is allowed).
    pub const SUGGESTION: &'static [Branch] =
        &[Branch::Created, Branch::Refused, Branch::Unavailable];
    /// The branches of `password_status: line`, all required.
    pub const LINE_STATUS: &'static [Branch] = &[
        Branch::NoPassword,
        Branch::HasPassword,
        Branch::OtherLine,
        Branch::NotAllowed,
        Branch::Unavailable,
    ];
    /// The branches of `password_status: contract`, all required.
    pub const CONTRACT_STATUS: &'static [Branch] = &[
        Branch::NoPassword,
        Branch::HasPassword,
        Branch::Unknown,
        Branch::TooManyWrong,
        Branch::OtherLine,
        Branch::NotAllowed,
        Branch::Unavailable,
    ];
    /// The branches of `check_password`, all required.
    pub const CHECK: &'static [Branch] = &[
        Branch::Accepted,
        Branch::Wrong,
        Branch::TooManyWrong,
        Branch::Locked,
        Branch::Unavailable,
    ];
    /// The branches of `set_password`, all required.
    pub const SET_PASSWORD: &'static [Branch] = &[
        Branch::Stored,
        Branch::Mismatch,
        Branch::Weak,
        Branch::Unavailable,
    ];
    /// The branches of `query_balance` and `order_status`, all required.
    pub const FOUND: &'static [Branch] = &[Branch::Found, Branch::Unknown, Branch::Unavailable];
    /// The branches of `redeem_card`, all required.
    pub const REDEEM: &'static [Branch] = &[
        Branch::ToppedUp,
        Branch::Refused,
        Branch::TooManyWrong,
        Branch::Unavailable,
    ];
    /// The branches of `repair_status`, all required.
    pub const REPAIR: &'static [Branch] = &[Branch::Open, Branch::NoOpenFault, Branch::Unavailable];

    /// The branch's name in the menu file.
    pub fn name(self) -> &'static str {
        match self {
            Branch::Telephone => "telephone",
            Branch::Broadband => "broadband",
            Branch::Unknown => "unknown",
            Branch::Not112 => "not_112",
            Branch::Created => "created",
            Branch::Urged => "urged",
            Branch::RemindToPay => "remind_to_pay",
            Branch::Supervisor => "supervisor",
            Branch::Refused => "refused",
            Branch::Unavailable => "unavailable",
            Branch::NoPassword => "no_password",
            Branch::HasPassword => "has_password",
            Branch::OtherLine => "other_line",
            Branch::NotAllowed => "not_allowed",
            Branch::TooManyWrong => "too_many_wrong",
            Branch::Accepted => "accepted",
            Branch::Wrong => "wrong",
            Branch::Locked => "locked",
            Branch::Stored => "stored",
            Branch::Mismatch => "mismatch",
            Branch::Weak => "weak",
            Branch::Found => "found",
            Branch::ToppedUp => "topped_up",
            Branch::Open => "open",
            Branch::NoOpenFault => "none",
        }
    }

    pub fn from_name(name: &str) -> Option<Branch> {
        let all = [
            Branch::LOOKUP,
            Branch::SUBMIT,
            Branch::CONTRACT_STATUS,
            Branch::CHECK,
            Branch::SET_PASSWORD,
            Branch::FOUND,
            Branch::REDEEM,
            Branch::REPAIR,
        ];
        all.concat().into_iter().find(|b| b.name() == name)
    }
}
