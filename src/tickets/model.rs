//! The facts the ticket rules work on: a subscriber line, a ticket kind, its status,
//! priority and team, and the summary of a past ticket the repeat rules read.
//!
//! Every enum has a stable lower-case `as_str` name, `FromStr` and serde through that
//! name: these are the values the store writes in its text columns and the API speaks.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A name that is not one of an enum's stable names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}` (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

/// An enum with stable names: `as_str`, `ALL`, `FromStr`, `Display` and serde by name.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable name stored in the database and used by the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::tickets::model::UnknownName;
            fn from_str(s: &str) -> Result<Self, $crate::tickets::model::UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::tickets::model::UnknownName {
                        what: $what,
                        given: s.to_string(),
                        expected: [$($text,)+].join(", "),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// The product a number belongs to.
    LineKind, "line kind" {
        Landline = "landline",
        Broadband = "broadband",
        WirelessBroadband = "wireless-broadband",
        PublicCardPhone = "public-card-phone",
        LeasedLine = "leased-line",
    }
}

impl LineKind {
    /// Spec §3: only telephone (landline, card phone) and broadband (wired, wireless)
    /// faults take the 112 path.
    pub fn takes_112(self) -> bool {
        !matches!(self, LineKind::LeasedLine)
    }

    pub fn is_broadband(self) -> bool {
        matches!(self, LineKind::Broadband | LineKind::WirelessBroadband)
    }
}

named_enum! {
    /// The product a caller reports about, chosen from the keypad (telephone 1,
    /// broadband 2): it picks the phenomenon menu and how keyed digits name a line.
    Product, "product" {
        /// Landlines, card phones and leased lines: the number as keyed.
        Telephone = "telephone",
        /// Wired and wireless broadband: the number as keyed, or `adsl`/`lan` + digits.
        Broadband = "broadband",
    }
}

impl LineKind {
    /// The keypad product this kind of line is reported under.
    pub fn product(self) -> Product {
        if self.is_broadband() {
            Product::Broadband
        } else {
            Product::Telephone
        }
    }
}

named_enum! {
    /// Whether the number is in service.
    LineStatus, "line status" {
        Active = "active",
        SuspendedForArrears = "suspended-arrears",
        SuspendedNumberRetained = "suspended-number-retained",
        Vacant = "vacant",
    }
}

named_enum! {
    /// The customer tier (spec §5), best first.
    Tier, "customer tier" {
        Diamond = "diamond",
        Gold = "gold",
        Silver = "silver",
        Ordinary = "ordinary",
    }
}

/// One subscriber number and what the rules need to know about it (one table row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// A landline with its area code (`05512345678`) or a broadband account
    /// (`adsl…`, `lan…`, `104…`/`108…`, a wireless broadband number).
    pub number: String,
    pub kind: LineKind,
    pub status: LineStatus,
    pub tier: Tier,
    pub big_customer: bool,
    pub leased_line: bool,
    /// The prefecture code from `config/prefectures.yaml`.
    pub prefecture: String,
    pub owner_name: String,
    pub contact_phone: Option<String>,
    pub contract_number: Option<String>,
}

named_enum! {
    /// What a ticket is.
    TicketKind, "ticket kind" {
        Fault = "fault",
        Complaint = "complaint",
        Suggestion = "suggestion",
        Consultation = "consultation",
    }
}

named_enum! {
    /// Where a ticket stands in its lifecycle (see `lifecycle`).
    TicketStatus, "ticket status" {
        Created = "created",
        Dispatched = "dispatched",
        Accepted = "accepted",
        Returned = "returned",
        InProgress = "in-progress",
        Cleared = "cleared",
        CalledBack = "called-back",
        Archived = "archived",
        Withdrawn = "withdrawn",
    }
}

impl TicketStatus {
    /// Not yet cleared (and not withdrawn): the work is still to be done.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TicketStatus::Created
                | TicketStatus::Dispatched
                | TicketStatus::Accepted
                | TicketStatus::Returned
                | TicketStatus::InProgress
        )
    }

    /// An "active ticket" in the spec's sense: not archived nor withdrawn. The rest are
    /// "history tickets".
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Archived | TicketStatus::Withdrawn)
    }
}

named_enum! {
    /// Priority with its reply and hand-on deadlines (spec §4).
    Priority, "priority" {
        Urgent = "urgent",
        Important = "important",
        Minor = "minor",
        General = "general",
    }
}

impl Priority {
    /// Time to reply to the caller.
    pub fn reply_within(self) -> Duration {
        Duration::hours(match self {
            Priority::Urgent => 4,
            Priority::Important => 14,
            Priority::Minor => 30,
            Priority::General => 144,
        })
    }

    /// Time to hand the ticket on to the team that works it.
    pub fn hand_on_within(self) -> Duration {
        Duration::hours(match self {
            Priority::Urgent => 1,
            Priority::Important => 2,
            Priority::Minor => 3,
            Priority::General => 60,
        })
    }
}

named_enum! {
    /// The team a ticket is dispatched to.
    Team, "team" {
        /// Landline repair (the measurement centre).
        RepairCentre = "repair-centre",
        /// Broadband faults (spec §3).
        LanMaintenanceBranch = "lan-maintenance-branch",
        /// Complaints, suggestions and consultations.
        CustomerService = "customer-service",
        /// Big customers and leased lines.
        BigCustomerDept = "big-customer-dept",
    }
}

named_enum! {
    /// The two complaint types the 112 repeat rules produce. Their names are catalogue
    /// type codes: `config/complaint-catalogue.yaml` must define both.
    FaultComplaint, "fault complaint" {
        /// 修障时限: not repaired in 24 h, or a repeat within 24 h after clearing.
        RepairTimeLimit = "repair-time-limit",
        /// 修障质量: cleared within the last 3 days and reported again.
        RepairQuality = "repair-quality",
    }
}

/// The database id of a ticket (assigned by the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub i64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What the repeat rules read of one past ticket of a number (a row of its history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    pub id: TicketId,
    pub kind: TicketKind,
    pub status: TicketStatus,
    /// When the ticket was made: for a fault, the first report.
    pub created_at: DateTime<Utc>,
    /// When it was cleared (the `Clear` step), if it was.
    pub cleared_at: Option<DateTime<Utc>>,
    /// What the team wrote when clearing it.
    pub clearing_result: Option<String>,
    /// For a complaint: the fault ticket it is about, if any.
    pub about: Option<TicketId>,
}

/// The deadlines of a new ticket, all in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Dispatch at once for rush tickets, within an hour otherwise.
    pub dispatch_by: DateTime<Utc>,
    pub hand_on_by: DateTime<Utc>,
    pub reply_by: DateTime<Utc>,
    /// Working-day deadline: complaints 7, consultations 3 working days.
    pub resolve_by: Option<DateTime<Utc>>,
}

/// An installation or move order a complaint is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRef {
    /// The order's acceptance number.
    pub acceptance_number: String,
    /// Its current state, as the caller or the order system gave it.
    pub state: String,
}

/// A ticket the rules decided to make, ready for the store to insert (status `created`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub number: String,
    pub prefecture: String,
    /// The team it is to be dispatched to (dispatch itself is a lifecycle step).
    pub team: Team,
    pub priority: Priority,
    /// 加急: big customers and urgent cases, dispatched at once.
    pub rush: bool,
    pub subscriber_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// Card phones only: the caller needs no call-back.
    pub no_call_back: bool,
    /// Complaint category and type codes from the catalogue.
    pub category: Option<String>,
    pub complaint_type: Option<String>,
    /// A complaint about a fault: that fault ticket.
    pub about: Option<TicketId>,
    /// A declaration (a second complaint within 4 hours): the earlier complaint.
    pub escalates: Option<TicketId>,
    /// Installation/move time-limit complaints: the order and its current state.
    pub order: Option<OrderRef>,
    /// The fault phenomenon the caller chose.
    pub phenomenon: Option<String>,
    /// The ticket text: the caller's words, and for a repeat-fault complaint the first
    /// report time, the clearing result and "repeat fault".
    pub content: String,
    /// The menu path that produced it (e.g. `3-1`), empty for agents.
    pub menu_path: String,
    pub created_at: DateTime<Utc>,
    pub deadlines: Deadlines,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_name_round_trips_through_from_str() {
        for kind in LineKind::ALL {
            assert_eq!(kind.as_str().parse::<LineKind>(), Ok(*kind));
        }
        for status in TicketStatus::ALL {
            assert_eq!(status.as_str().parse::<TicketStatus>(), Ok(*status));
        }
        for team in Team::ALL {
            assert_eq!(team.as_str().parse::<Team>(), Ok(*team));
        }
        let err = "cable".parse::<LineKind>().unwrap_err();
        assert!(err.to_string().contains("landline, broadband"), "{err}");
    }

    #[test]
    fn priority_deadlines_are_the_spec_hours() {
        let hours = |p: Priority| (p.reply_within().num_hours(), p.hand_on_within().num_hours());
        assert_eq!(hours(Priority::Urgent), (4, 1));
        assert_eq!(hours(Priority::Important), (14, 2));
        assert_eq!(hours(Priority::Minor), (30, 3));
        assert_eq!(hours(Priority::General), (144, 60));
    }

    #[test]
    fn only_leased_lines_stay_off_the_112_path() {
        let on: Vec<_> = LineKind::ALL.iter().filter(|k| k.takes_112()).collect();
        assert_eq!(on.len(), 4);
        assert!(!LineKind::LeasedLine.takes_112());
    }

    #[test]
    fn enums_serialize_by_their_stable_name() {
        let json = serde_yaml::to_string(&TicketStatus::InProgress).unwrap();
        assert_eq!(json.trim(), "in-progress");
        let back: TicketStatus = serde_yaml::from_str("called-back").unwrap();
        assert_eq!(back, TicketStatus::CalledBack);
    }
}
