//! What one report makes (spec §3, §4): a pure decision over the number's line facts,
//! its ticket history (every ticket of the number, any status) and `now`.
//!
//! Times count from the first report (the fault ticket's `created_at`). "Within 24 h"
//! is `< 24 h`: at exactly 24 h a fault is "not repaired after 24 hours". "Within the
//! last 3 days" and "within 4 hours" include their end (`<= 72 h`, `<= 4 h`). Night is
//! local 18:00 up to, not including, 08:00.
//!
//! Precedence for a fault report, first match wins:
//! 1. unknown number → `Refused(UnknownNumber)`;
//! 2. line status: vacant or suspended with the number retained → `Supervisor`,
//!    suspended for arrears → `RemindToPay` (no ticket and no complaint, whatever the
//!    history);
//! 3. a product that does not take 112 (leased line) → `Refused(NotOn112)`;
//! 4. an incomplete report (contact name / phone, wireless contact = account, a
//!    "no call-back" that is not a card phone, no phenomenon) → `Refused`;
//! 5. no earlier fault (withdrawn ones do not count), or the last one was cleared more
//!    than 3 days ago and first reported 24 h or more ago → `NewFault`;
//! 6. the last fault is open (any status before cleared: "whatever the system shows"):
//!    under 24 h → `Urge` it; from 24 h → complaint "repair time limit";
//! 7. the last fault was cleared and this is a repeat: first reported at night →
//!    `Supervisor`; under 24 h from the first report → "repair time limit"; otherwise
//!    (cleared within 3 days) → "repair quality";
//! 8. a complaint outcome of 6–7: another complaint on the number within 4 h →
//!    `Declaration` (a new, escalated complaint); else an open complaint about the same
//!    fault → `Urge` it (no duplicate); else `Complaint`.
//!
//! One decision per report, so a report never makes both a fault and a complaint. A
//! complaint from the 3 → 2 menu or an agent ([`decide_complaint`]) goes through 1, 2, 4,
//! the catalogue and 8.
//!
//! A suggestion (3 → 3, [`decide_suggestion`]) reads no history and no line status: any
//! caller may make one, from a number we serve or not (then with an empty prefecture),
//! and only a missing contact phone refuses it.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::config::Catalogue;
use super::model::{
    named_enum, FaultComplaint, Line, LineKind, LineStatus, NewTicket, OrderRef, Priority, Team,
    TicketFacts, TicketId, TicketKind, TicketStatus, Tier,
};

/// A fault report from the 3 → 1 menu or an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultReport {
    pub contact_name: String,
    pub contact_phone: String,
    /// The phenomenon the caller chose (from the product's menu).
    pub phenomenon: String,
    /// The caller's description (remarks; a recording is linked by the store).
    pub description: String,
    /// Card phones only: no call-back needed.
    pub no_call_back: bool,
    pub menu_path: String,
}

/// A complaint from the 3 → 2 menu or an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRequest {
    /// A catalogue type code.
    pub complaint_type: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub description: String,
    /// Required for types with `needs_order`.
    pub order: Option<OrderRef>,
    pub menu_path: String,
}

/// A suggestion from the 3 → 3 menu or an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionRequest {
    /// May be empty: the menu cannot ask for a name.
    pub contact_name: String,
    pub contact_phone: String,
    /// The caller's words (remarks; a recording is linked by the store).
    pub description: String,
    pub menu_path: String,
}

named_enum! {
    /// Why a case goes to a supervisor instead of a ticket.
    SupervisorReason, "supervisor reason" {
        VacantNumber = "vacant-number",
        NumberRetained = "number-retained",
        /// A first fault recorded 18:00–08:00, cleared, reported again.
        NightFaultReportedAgain = "night-fault-reported-again",
    }
}

named_enum! {
    /// Why no ticket is made (the API answers 422, the call flow tells the caller).
    Refusal, "refusal" {
        UnknownNumber = "unknown-number",
        NotOn112 = "not-on-112",
        MissingContactName = "missing-contact-name",
        MissingContactPhone = "missing-contact-phone",
        /// Wireless broadband needs a contact number other than its account.
        ContactIsTheWirelessAccount = "contact-is-the-wireless-account",
        NoCallBackOnlyForCardPhones = "no-call-back-only-for-card-phones",
        MissingPhenomenon = "missing-phenomenon",
        UnknownComplaintType = "unknown-complaint-type",
        MissingOrder = "missing-order",
    }
}

/// The outcome of one report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Make this fault ticket; speak its serial (prompt 31).
    NewFault { ticket: NewTicket },
    /// No new ticket: urge the open one; the caller hears it is being handled.
    Urge { ticket: TicketId },
    /// Make this complaint ticket; speak its serial.
    Complaint { ticket: NewTicket },
    /// A second complaint within 4 h: make this escalated complaint (申告).
    Declaration {
        earlier: TicketId,
        ticket: NewTicket,
    },
    /// Arrears: no ticket; remind the caller politely to pay.
    RemindToPay,
    /// No ticket; hand the call to a supervisor.
    Supervisor {
        reason: SupervisorReason,
        ticket: Option<TicketId>,
    },
    /// No ticket; tell the caller (or the API client) why.
    Refused { reason: Refusal },
    /// Make this suggestion ticket; speak its serial.
    Suggestion { ticket: NewTicket },
}

const DAY: i64 = 24;

/// Working days to answer a suggestion: the spec is silent, the hotline answers them
/// like complaints (`Calendar::deadlines` sets no working-day deadline for them).
pub const SUGGESTION_WORKING_DAYS: u32 = 7;

/// Decides what a fault report about `line` (`None`: not a known number) makes.
pub fn decide_fault_report(
    report: &FaultReport,
    line: Option<&Line>,
    history: &[TicketFacts],
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Decision {
    let Some(line) = line else {
        return refused(Refusal::UnknownNumber);
    };
    if let Some(decision) = status_gate(line) {
        return decision;
    }
    if !line.kind.takes_112() {
        return refused(Refusal::NotOn112);
    }
    let checked = check_contact(line, &report.contact_name, &report.contact_phone)
        .and_then(|()| check_fault_fields(line, report));
    if let Err(reason) = checked {
        return refused(reason);
    }
    let draft = Draft {
        line,
        contact_name: &report.contact_name,
        contact_phone: &report.contact_phone,
        menu_path: &report.menu_path,
        calendar,
        now,
    };
    let Some(fault) = last_fault(history) else {
        return new_fault(&draft, report);
    };
    let since_first = now - fault.created_at;
    let complaint = match cleared_at(fault) {
        None if since_first < Duration::hours(DAY) => return Decision::Urge { ticket: fault.id },
        None => FaultComplaint::RepairTimeLimit,
        Some(cleared) => {
            if since_first >= Duration::hours(DAY) && now - cleared > Duration::hours(3 * DAY) {
                return new_fault(&draft, report);
            }
            if is_night(calendar, fault.created_at) {
                return Decision::Supervisor {
                    reason: SupervisorReason::NightFaultReportedAgain,
                    ticket: Some(fault.id),
                };
            }
            if since_first < Duration::hours(DAY) {
                FaultComplaint::RepairTimeLimit
            } else {
                FaultComplaint::RepairQuality
            }
        }
    };
    if let Some(open) = history.iter().find(|t| {
        t.kind == TicketKind::Complaint && t.about == Some(fault.id) && t.status.is_open()
    }) {
        if recent_complaint(history, now).is_none() {
            return Decision::Urge { ticket: open.id };
        }
    }
    let mut ticket = draft.ticket(TicketKind::Complaint, Team::CustomerService);
    ticket.priority = ticket.priority.min(Priority::Important);
    ticket.category = Some("fault-repair".to_string());
    ticket.complaint_type = Some(complaint.as_str().to_string());
    ticket.about = Some(fault.id);
    ticket.phenomenon = Some(report.phenomenon.clone());
    ticket.content = repeat_fault_text(complaint, fault, calendar, &report.description);
    complaint_or_declaration(ticket, history, calendar, now)
}

/// Decides what a complaint (3 → 2, or an agent's) makes.
pub fn decide_complaint(
    request: &ComplaintRequest,
    line: Option<&Line>,
    history: &[TicketFacts],
    catalogue: &Catalogue,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Decision {
    let Some(line) = line else {
        return refused(Refusal::UnknownNumber);
    };
    if let Some(decision) = status_gate(line) {
        return decision;
    }
    if let Err(reason) = check_contact(line, &request.contact_name, &request.contact_phone) {
        return refused(reason);
    }
    let Some((category, kind)) = catalogue.find(&request.complaint_type) else {
        return refused(Refusal::UnknownComplaintType);
    };
    let order = request
        .order
        .as_ref()
        .filter(|o| !o.acceptance_number.trim().is_empty() && !o.state.trim().is_empty());
    if kind.needs_order && order.is_none() {
        return refused(Refusal::MissingOrder);
    }
    let draft = Draft {
        line,
        contact_name: &request.contact_name,
        contact_phone: &request.contact_phone,
        menu_path: &request.menu_path,
        calendar,
        now,
    };
    let mut ticket = draft.ticket(TicketKind::Complaint, Team::CustomerService);
    ticket.category = Some(category.code.clone());
    ticket.complaint_type = Some(kind.code.clone());
    ticket.order = order.cloned();
    ticket.content = request.description.clone();
    complaint_or_declaration(ticket, history, calendar, now)
}

/// Decides what a suggestion about `number` (the caller's, or the one they gave) makes:
/// a general-priority ticket for customer service, due in 7 working days.
pub fn decide_suggestion(
    request: &SuggestionRequest,
    number: &str,
    line: Option<&Line>,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Decision {
    if let Err(reason) = check_phone(&request.contact_phone) {
        return refused(reason);
    }
    let kind = TicketKind::Suggestion;
    let mut deadlines = calendar.deadlines(kind, Priority::General, false, now);
    deadlines.resolve_by = Some(calendar.working_days_after(now, SUGGESTION_WORKING_DAYS));
    Decision::Suggestion {
        ticket: NewTicket {
            kind,
            number: number.to_string(),
            prefecture: line.map(|line| line.prefecture.clone()).unwrap_or_default(),
            team: Team::CustomerService,
            priority: Priority::General,
            rush: false,
            subscriber_name: line.map(|line| line.owner_name.clone()).unwrap_or_default(),
            contact_name: request.contact_name.trim().to_string(),
            contact_phone: request.contact_phone.trim().to_string(),
            no_call_back: false,
            category: None,
            complaint_type: None,
            about: None,
            escalates: None,
            order: None,
            phenomenon: None,
            content: request.description.clone(),
            menu_path: request.menu_path.clone(),
            created_at: now,
            deadlines,
        },
    }
}

/// Step 2: no ticket unless the line is in service.
fn status_gate(line: &Line) -> Option<Decision> {
    let supervisor = |reason| Decision::Supervisor {
        reason,
        ticket: None,
    };
    match line.status {
        LineStatus::Active => None,
        LineStatus::SuspendedForArrears => Some(Decision::RemindToPay),
        LineStatus::Vacant => Some(supervisor(SupervisorReason::VacantNumber)),
        LineStatus::SuspendedNumberRetained => Some(supervisor(SupervisorReason::NumberRetained)),
    }
}

fn refused(reason: Refusal) -> Decision {
    Decision::Refused { reason }
}

fn check_contact(line: &Line, name: &str, phone: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::MissingContactName);
    }
    check_phone(phone)?;
    if line.kind == LineKind::WirelessBroadband && phone.trim() == line.number {
        return Err(Refusal::ContactIsTheWirelessAccount);
    }
    Ok(())
}

/// A contact phone is 5 to 15 digits.
fn check_phone(phone: &str) -> Result<(), Refusal> {
    let phone = phone.trim();
    if !(5..=15).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::MissingContactPhone);
    }
    Ok(())
}

fn check_fault_fields(line: &Line, report: &FaultReport) -> Result<(), Refusal> {
    if report.no_call_back && line.kind != LineKind::PublicCardPhone {
        return Err(Refusal::NoCallBackOnlyForCardPhones);
    }
    if report.phenomenon.trim().is_empty() {
        return Err(Refusal::MissingPhenomenon);
    }
    Ok(())
}

/// The number's latest fault ticket that was not withdrawn.
fn last_fault(history: &[TicketFacts]) -> Option<&TicketFacts> {
    history
        .iter()
        .filter(|t| t.kind == TicketKind::Fault && t.status != TicketStatus::Withdrawn)
        .max_by_key(|t| (t.created_at, t.id))
}

/// When a fault stopped being open; `None` while it is open.
fn cleared_at(fault: &TicketFacts) -> Option<DateTime<Utc>> {
    if fault.status.is_open() {
        None
    } else {
        Some(fault.cleared_at.unwrap_or(fault.created_at))
    }
}

/// Local 18:00 up to (not including) 08:00.
fn is_night(calendar: &Calendar, at: DateTime<Utc>) -> bool {
    let hour = calendar.local(at).hour();
    !(8..18).contains(&hour)
}

/// The latest complaint on the number made within the last 4 hours (not withdrawn).
fn recent_complaint(history: &[TicketFacts], now: DateTime<Utc>) -> Option<&TicketFacts> {
    history
        .iter()
        .filter(|t| t.kind == TicketKind::Complaint)
        .filter(|t| t.status != TicketStatus::Withdrawn)
        .filter(|t| now - t.created_at <= Duration::hours(4))
        .max_by_key(|t| (t.created_at, t.id))
}

/// Step 8, for a complaint ticket about to be made.
fn complaint_or_declaration(
    mut ticket: NewTicket,
    history: &[TicketFacts],
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Decision {
    let Some(earlier) = recent_complaint(history, now) else {
        return Decision::Complaint { ticket };
    };
    ticket.priority = Priority::Urgent;
    ticket.rush = true;
    ticket.escalates = Some(earlier.id);
    ticket.deadlines = calendar.deadlines(TicketKind::Complaint, Priority::Urgent, true, now);
    Decision::Declaration {
        earlier: earlier.id,
        ticket,
    }
}

fn new_fault(draft: &Draft<'_>, report: &FaultReport) -> Decision {
    let team = if draft.line.kind.is_broadband() {
        Team::LanMaintenanceBranch
    } else {
        Team::RepairCentre
    };
    let mut ticket = draft.ticket(TicketKind::Fault, team);
    ticket.no_call_back = report.no_call_back;
    ticket.phenomenon = Some(report.phenomenon.clone());
    ticket.content = report.description.clone();
    Decision::NewFault { ticket }
}

/// What every ticket of one report shares.
struct Draft<'a> {
    line: &'a Line,
    contact_name: &'a str,
    contact_phone: &'a str,
    menu_path: &'a str,
    calendar: &'a Calendar,
    now: DateTime<Utc>,
}

impl Draft<'_> {
    /// A ticket with the line's priority and deadlines; the caller fills in the rest.
    fn ticket(&self, kind: TicketKind, team: Team) -> NewTicket {
        let line = self.line;
        let priority = if line.big_customer || line.leased_line {
            Priority::Urgent
        } else {
            match line.tier {
                Tier::Diamond | Tier::Gold => Priority::Important,
                Tier::Silver => Priority::Minor,
                Tier::Ordinary => Priority::General,
            }
        };
        let rush = line.big_customer || priority == Priority::Urgent;
        NewTicket {
            kind,
            number: line.number.clone(),
            prefecture: line.prefecture.clone(),
            team,
            priority,
            rush,
            subscriber_name: line.owner_name.clone(),
            contact_name: self.contact_name.trim().to_string(),
            contact_phone: self.contact_phone.trim().to_string(),
            no_call_back: false,
            category: None,
            complaint_type: None,
            about: None,
            escalates: None,
            order: None,
            phenomenon: None,
            content: String::new(),
            menu_path: self.menu_path.to_string(),
            created_at: self.now,
            deadlines: self.calendar.deadlines(kind, priority, rush, self.now),
        }
    }
}

/// Spec §3.4: the first report time (date, hour, minute, local), the clearing result and
/// that it is a repeat-fault complaint, then the caller's words.
fn repeat_fault_text(
    complaint: FaultComplaint,
    fault: &TicketFacts,
    calendar: &Calendar,
    description: &str,
) -> String {
    let kind = match complaint {
        FaultComplaint::RepairTimeLimit => "修障时限",
        FaultComplaint::RepairQuality => "修障质量",
    };
    let first = calendar.local(fault.created_at).format("%Y-%m-%d %H:%M");
    let result = match (cleared_at(fault), &fault.clearing_result) {
        (None, _) => format!("未修复（系统状态：{}）", fault.status),
        (Some(_), Some(result)) if !result.trim().is_empty() => result.trim().to_string(),
        (Some(_), _) => "已销障（无修复结果）".to_string(),
    };
    let mut text = format!(
        "重复障碍投诉（{kind}）。首次申告时间：{first}；原障碍单：{id}；修复结果：{result}。",
        id = fault.id
    );
    if !description.trim().is_empty() {
        text.push_str("本次申告：");
        text.push_str(description.trim());
    }
    text
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
