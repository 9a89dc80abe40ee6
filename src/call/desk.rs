//! The desk of a call: carries out the menu's requests against the store (which line
//! did the caller key, make the fault, complaint or suggestion ticket, the line and
//! contract passwords of [`passwords`], and the balance, recharge card, order and repair
//! queries of [`queries`]) and turns the store's answer into the reply the menu branches
//! on.
//!
//! Decisions made here (the spec is silent on them):
//! - every request runs in a task of its own, so a caller hanging up or a slow store
//!   never leaves a transaction half-done; the call waits at most [`REQUEST_TIMEOUT`] and
//!   then tells the caller the system can't take it now (`Unavailable`). A ticket
//!   committed after that still stands, and a repeat report of it is an urge, not a
//!   duplicate;
//! - the contact phone is the number the caller keyed at the contact prompt, else the
//!   number they call from (when it is all digits); the contact name is the line's owner;
//! - a report is about the number the caller keyed or chose (`set: {number: caller}`),
//!   as the store finds its line (also as an `adsl`/`lan` account), else the digits as
//!   keyed; a suggestion without one is about the caller's own number;
//! - an installation complaint's order is the acceptance number keyed by the caller, its
//!   state "to be checked" ([`KEYED_ORDER_STATE`]) until an agent fills it in;
//! - the menu path written on the ticket is the keys the caller chose, e.g. `3-1-1-1-5`;
//! - the recording made last in the call goes with the next report, and only a ticket
//!   made or urged keeps it.

mod passwords;
mod queries;
mod queueing;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tracing::Instrument;

use crate::media::Recorded;
use crate::menu::{
    BalanceFound, CardRedeemed, Form, LineFound, OrderFound, PasswordChecked, PasswordSet,
    PasswordStatus, RepairFound, Reply, Request, SubmitKind, Submitted,
};
use crate::metrics::Metrics;
use crate::passwords::lockout::LockoutPolicy;
use crate::passwords::strength::StrengthRules;
use crate::store::{NewRecording, Outcome, Store};
use crate::tickets::calendar::Calendar;
use crate::tickets::config::{Catalogue, PasswordRules};
use crate::tickets::lifecycle::{Actor, ActorKind};
use crate::tickets::model::{Line, OrderRef, Product, TicketId};
use crate::tickets::rules::{ComplaintRequest, Decision, FaultReport, SuggestionRequest};

/// The longest a caller waits for the store before hearing it can't be done now.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The state written on an order a caller keyed, until an agent checks it.
pub const KEYED_ORDER_STATE: &str = "来电按键提供，状态待查";

/// What a call's requests need: the store, the ticket rules' configuration and the
/// password rules.
#[derive(Clone)]
pub struct Desk {
    store: Store,
    calendar: Arc<Calendar>,
    catalogue: Arc<Catalogue>,
    strength: StrengthRules,
    lockout: LockoutPolicy,
    metrics: Arc<Metrics>,
}

impl Desk {
    pub fn new(
        store: Store,
        calendar: Calendar,
        catalogue: Catalogue,
        passwords: PasswordRules,
        metrics: Arc<Metrics>,
    ) -> Desk {
        Desk {
            store,
            calendar: Arc::new(calendar),
            catalogue: Arc::new(catalogue),
            strength: passwords.strength,
            lockout: passwords.lockout,
            metrics,
        }
    }

    /// Carries out `request` for the call from `caller`, with the call's latest
    /// recording; the reply for the menu. Never fails: store trouble is `Unavailable`.
    pub fn carry_out(
        &self,
        request: Request,
        caller: &str,
        recording: Option<Recorded>,
    ) -> impl Future<Output = Reply> + Send + 'static {
        let desk = self.clone();
        let caller = caller_number(caller);
        let unavailable = unavailable_reply(&request);
        let work = async move {
            match request {
                Request::LookupLine { number, product } => {
                    Reply::Line(desk.lookup(&number, product).await)
                }
                Request::Submit {
                    kind,
                    form,
                    menu_path,
                } => {
                    let report = Report {
                        caller,
                        form: *form,
                        menu_path,
                        recording: recording.map(|r| NewRecording {
                            wav: r.wav,
                            duration_ms: r.duration_ms,
                        }),
                    };
                    Reply::Submitted(desk.submit(kind, report).await)
                }
                Request::PasswordStatus { account } => {
                    Reply::PasswordStatus(desk.password_status(&account, &caller).await)
                }
                Request::CheckPassword { account, password } => {
                    Reply::PasswordChecked(desk.check_password(&account, &password).await)
                }
                Request::SetPassword {
                    account,
                    new,
                    again,
                } => Reply::PasswordSet(desk.set_password(&account, new, &again).await),
                Request::QueryBalance { number } => {
                    Reply::Balance(desk.query_balance(&number).await)
                }
                Request::RedeemCard { number, card, pin } => {
                    Reply::CardRedeemed(desk.redeem_card(&number, &card, &pin).await)
                }
                Request::OrderStatus { order_or_number } => {
                    Reply::Order(desk.order_status(&order_or_number).await)
                }
                Request::RepairStatus { number } => {
                    Reply::Repair(desk.repair_status(&number, &caller).await)
                }
            }
        };
        // A task of its own, in the call's span (call id, caller) like the rest of the call.
        let work = tokio::spawn(work.instrument(tracing::Span::current()));
        async move {
            match tokio::time::timeout(REQUEST_TIMEOUT, work).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(error)) => {
                    tracing::error!(%error, "desk request task failed");
                    unavailable
                }
                Err(_) => {
                    tracing::warn!(timeout = ?REQUEST_TIMEOUT, "the store did not answer in time");
                    unavailable
                }
            }
        }
    }

    /// The serial of a ticket, for the call record of a report that urged it; none when
    /// the store can't tell.
    async fn serial_of(&self, ticket: TicketId) -> Option<String> {
        match self.store.ticket(ticket).await {
            Ok(detail) => detail.map(|detail| detail.ticket.serial.as_str().to_string()),
            Err(error) => {
                tracing::warn!(%error, %ticket, "urged ticket's serial not readable");
                None
            }
        }
    }

    async fn lookup(&self, number: &str, product: Option<Product>) -> LineFound {
        if number.is_empty() {
            return LineFound::Unknown;
        }
        match self.store.find_keyed_line(number, product).await {
            Ok(Some(line)) => line_found(&line),
            Ok(None) => LineFound::Unknown,
            Err(error) => {
                tracing::error!(%error, "line lookup failed");
                LineFound::Unavailable
            }
        }
    }

    async fn submit(&self, kind: SubmitKind, report: Report) -> Submitted {
        let started = std::time::Instant::now();
        match self.file(kind, &report).await {
            Ok(outcome) => {
                self.metrics.ticket_filed(kind.as_str(), started.elapsed());
                tracing::info!(
                    decision = decision_name(&outcome.decision),
                    serial = outcome.created.as_ref().map(|c| c.serial.as_str()),
                    recording = outcome.recording.map(|r| r.0),
                    "report filed"
                );
                let urged = match outcome.decision {
                    Decision::Urge { ticket } => self.serial_of(ticket).await,
                    _ => None,
                };
                submitted(&outcome, urged)
            }
            Err(error) => {
                tracing::error!(%error, "report not filed");
                Submitted::Unavailable
            }
        }
    }

    async fn file(&self, kind: SubmitKind, report: &Report) -> crate::store::Result<Outcome> {
        let keyed = report.form.number.as_deref().unwrap_or_default();
        let (line, number) = self
            .keyed_line(keyed, report.form.product, &report.caller)
            .await?;
        let contact_name = line.map(|line| line.owner_name).unwrap_or_default();
        let contact_phone = report
            .form
            .contact
            .clone()
            .filter(|contact| !contact.is_empty())
            .unwrap_or_else(|| report.caller.clone());
        let actor = menu_actor(&report.caller);
        let recording = report.recording.as_ref();
        let now = Utc::now();
        let (store, calendar) = (&self.store, &*self.calendar);
        match kind {
            SubmitKind::Fault => {
                let fault = FaultReport {
                    contact_name,
                    contact_phone,
                    phenomenon: report.form.phenomenon.clone().unwrap_or_default(),
                    description: String::new(),
                    no_call_back: false,
                    menu_path: report.menu_path.clone(),
                };
                (store.report_fault(&number, &fault, &actor, calendar, now, recording)).await
            }
            SubmitKind::Complaint => {
                let complaint = ComplaintRequest {
                    complaint_type: report.form.complaint_type.clone().unwrap_or_default(),
                    contact_name,
                    contact_phone,
                    description: String::new(),
                    order: report.form.order.clone().map(|acceptance_number| OrderRef {
                        acceptance_number,
                        state: KEYED_ORDER_STATE.to_string(),
                    }),
                    menu_path: report.menu_path.clone(),
                };
                let catalogue = &*self.catalogue;
                (store.file_complaint(
                    &number, &complaint, &actor, catalogue, calendar, now, recording,
                ))
                .await
            }
            SubmitKind::Suggestion => {
                let suggestion = SuggestionRequest {
                    contact_name,
                    contact_phone,
                    description: String::new(),
                    menu_path: report.menu_path.clone(),
                };
                (store.file_suggestion(&number, &suggestion, &actor, calendar, now, recording))
                    .await
            }
        }
    }

    /// The line `keyed` names (of `product`; None: any) and the number a request is
    /// about: that line's, else the digits as keyed, else (nothing keyed) `caller`.
    async fn keyed_line(
        &self,
        keyed: &str,
        product: Option<Product>,
        caller: &str,
    ) -> crate::store::Result<(Option<Line>, String)> {
        if keyed.is_empty() {
            return Ok((None, caller.to_string()));
        }
        let line = self.store.find_keyed_line(keyed, product).await?;
        let number = line
            .as_ref()
            .map_or_else(|| keyed.to_string(), |line| line.number.clone());
        Ok((line, number))
    }
}

/// A report as the menu gathered it.
struct Report {
    /// The caller's number when it is a number, else empty.
    caller: String,
    form: Form,
    menu_path: String,
    recording: Option<NewRecording>,
}

/// The caller's number if it is one (digits, an E.164 `+` dropped), not `anonymous`
/// or a SIP name.
fn caller_number(caller: &str) -> String {
    let digits = caller.strip_prefix('+').unwrap_or(caller);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.to_string()
    } else {
        String::new()
    }
}

/// The voice menu acting on the caller's behalf (`caller`: digits, or empty).
fn menu_actor(caller: &str) -> Actor {
    Actor {
        kind: ActorKind::Ivr,
        id: caller.to_string(),
    }
}

/// The reply that tells the menu the store could not answer.
fn unavailable_reply(request: &Request) -> Reply {
    match request {
        Request::LookupLine { .. } => Reply::Line(LineFound::Unavailable),
        Request::Submit { .. } => Reply::Submitted(Submitted::Unavailable),
        Request::PasswordStatus { .. } => Reply::PasswordStatus(PasswordStatus::Unavailable),
        Request::CheckPassword { .. } => Reply::PasswordChecked(PasswordChecked::Unavailable),
        Request::SetPassword { .. } => Reply::PasswordSet(PasswordSet::Unavailable),
        Request::QueryBalance { .. } => Reply::Balance(BalanceFound::Unavailable),
        Request::RedeemCard { .. } => Reply::CardRedeemed(CardRedeemed::Unavailable),
        Request::OrderStatus { .. } => Reply::Order(OrderFound::Unavailable),
        Request::RepairStatus { .. } => Reply::Repair(RepairFound::Unavailable),
    }
}

/// How the menu branches on a line that was found.
fn line_found(line: &Line) -> LineFound {
    if !line.kind.takes_112() {
        return LineFound::NotOn112;
    }
    match line.kind.product() {
        Product::Telephone => LineFound::Telephone,
        Product::Broadband => LineFound::Broadband,
    }
}

/// What the caller hears about a filed report. The serial is spoken only for a ticket
/// the store has committed; an urged ticket's serial (`urged`) is for the call record.
fn submitted(outcome: &Outcome, urged: Option<String>) -> Submitted {
    if let Some(created) = &outcome.created {
        return Submitted::Created {
            serial: created.serial.as_str().to_string(),
        };
    }
    match outcome.decision {
        Decision::Urge { .. } => Submitted::Urged { serial: urged },
        Decision::RemindToPay => Submitted::RemindToPay,
        Decision::Supervisor { .. } => Submitted::Supervisor,
        Decision::Refused { .. } => Submitted::Refused,
        // A ticket decision always comes back with the committed ticket.
        Decision::NewFault { .. }
        | Decision::Complaint { .. }
        | Decision::Declaration { .. }
        | Decision::Suggestion { .. } => Submitted::Unavailable,
    }
}

fn decision_name(decision: &Decision) -> &'static str {
    match decision {
        Decision::NewFault { .. } => "new-fault",
        Decision::Urge { .. } => "urge",
        Decision::Complaint { .. } => "complaint",
        Decision::Declaration { .. } => "declaration",
        Decision::Suggestion { .. } => "suggestion",
        Decision::RemindToPay => "remind-to-pay",
        Decision::Supervisor { .. } => "supervisor",
        Decision::Refused { .. } => "refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Created;
    use crate::tickets::model::{LineKind, LineStatus, TicketId, Tier};
    use crate::tickets::rules::{Refusal, SupervisorReason};
    use crate::tickets::serial::Serial;

    pub(super) fn line(kind: LineKind) -> Line {
        Line {
            number: "05512345678".into(),
            kind,
            status: LineStatus::Active,
            tier: Tier::Ordinary,
            big_customer: false,
            leased_line: false,
            prefecture: "jinghe".into(),
            owner_name: "王".into(),
            contact_phone: None,
            contract_number: None,
        }
    }

    fn outcome(decision: Decision, created: Option<Created>) -> Outcome {
        Outcome {
            decision,
            created,
            recording: None,
        }
    }

    fn submitted_without_urge(outcome: &Outcome) -> Submitted {
        submitted(outcome, None)
    }

    #[test]
    fn a_found_line_branches_by_its_product_and_leased_lines_are_off_112() {
        assert_eq!(line_found(&line(LineKind::Landline)), LineFound::Telephone);
        assert_eq!(
            line_found(&line(LineKind::PublicCardPhone)),
            LineFound::Telephone
        );
        assert_eq!(line_found(&line(LineKind::Broadband)), LineFound::Broadband);
        assert_eq!(
            line_found(&line(LineKind::WirelessBroadband)),
            LineFound::Broadband
        );
        assert_eq!(line_found(&line(LineKind::LeasedLine)), LineFound::NotOn112);
    }

    #[test]
    fn the_serial_is_spoken_only_for_a_committed_ticket() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let serial = Serial::new(date, 1).unwrap();
        let created = Created {
            id: TicketId(7),
            serial: serial.clone(),
        };
        let reply = submitted_without_urge(&outcome(Decision::RemindToPay, Some(created)));
        let spoken = Submitted::Created {
            serial: serial.as_str().to_string(),
        };
        assert_eq!(reply, spoken);
        let urge = Decision::Urge {
            ticket: TicketId(3),
        };
        assert_eq!(
            submitted(&outcome(urge, None), Some("1".into())),
            Submitted::Urged {
                serial: Some("1".into())
            }
        );
        assert_eq!(
            submitted_without_urge(&outcome(Decision::RemindToPay, None)),
            Submitted::RemindToPay
        );
        let supervisor = Decision::Supervisor {
            reason: SupervisorReason::VacantNumber,
            ticket: None,
        };
        assert_eq!(
            submitted_without_urge(&outcome(supervisor, None)),
            Submitted::Supervisor
        );
        let refused = Decision::Refused {
            reason: Refusal::MissingContactPhone,
        };
        assert_eq!(
            submitted_without_urge(&outcome(refused, None)),
            Submitted::Refused
        );
    }

    #[test]
    fn only_a_caller_that_is_a_number_is_a_contact_number() {
        assert_eq!(caller_number("075512345678"), "075512345678");
        assert_eq!(caller_number("anonymous"), "");
        assert_eq!(caller_number(""), "");
        assert_eq!(caller_number("+8655112345"), "8655112345");
        assert_eq!(caller_number("+"), "");
    }

    #[test]
    fn a_request_the_store_cannot_answer_gets_the_unavailable_branch() {
        let lookup = Request::LookupLine {
            number: "1".into(),
            product: None,
        };
        assert_eq!(
            unavailable_reply(&lookup),
            Reply::Line(LineFound::Unavailable)
        );
        let submit = Request::Submit {
            kind: SubmitKind::Fault,
            form: Box::default(),
            menu_path: String::new(),
        };
        assert_eq!(
            unavailable_reply(&submit),
            Reply::Submitted(Submitted::Unavailable)
        );
    }
}
