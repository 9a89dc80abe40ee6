//! The engine's side of the queries (spec §1 menu 1, issue 5): `query_balance`,
//! `redeem_card`, `order_status`, `repair_status`, and `say`, which speaks what their
//! replies (and a refused new password) told. The store work is the shell's.
//!
//! Rules:
//! - The bill is confidential (spec §2): `query_balance` and `redeem_card` ask about the
//!   call's verified line (its password accepted in this call) and nothing else; without
//!   one they take `unavailable` without asking.
//! - `redeem_card` takes the card's number and PIN out of the form when it asks, so no
//!   PIN stays in the form; a refused card is a wrong entry of the call (see
//!   `passwords`), so PINs can't be guessed over and over in one call.
//! - `order_status` asks about the form's `order`, else its `number`, else the caller's
//!   number; `repair_status` about the form's `number`, else the caller's.
//! - `say` speaks what the last reply of its kind told; with nothing told yet it speaks
//!   nothing and goes on.

use std::sync::Arc;

use super::passwords::taken;
use super::Session;
use crate::menu::requests::{
    BalanceFound, CardRedeemed, Cents, OrderFound, OrderState, RepairFound, RepairProgress, Reply,
    Request,
};
use crate::menu::say;
use crate::menu::schema::{Action, ActionId, Said};

/// What the call's queries have found so far, for `say`.
#[derive(Default)]
pub(super) struct Found {
    balance: Option<Cents>,
    charges: Option<Cents>,
    new_balance: Option<Cents>,
    order: Option<OrderState>,
    repair: Option<RepairProgress>,
}

impl Session {
    /// Sends the request of query action `id`, or takes its `unavailable` branch when a
    /// bill query has no verified line to ask about.
    pub(super) fn ask_query(&mut self, id: ActionId) {
        let menu = Arc::clone(&self.menu);
        let action = menu.action(id);
        let verified = self.passwords.verified_line().map(str::to_string);
        let own_number = || self.form.number.clone().unwrap_or(self.call.caller.clone());
        let request = match action {
            Action::QueryBalance { .. } => verified.map(|number| Request::QueryBalance { number }),
            Action::RedeemCard { .. } => verified.map(|number| Request::RedeemCard {
                number,
                card: self.form.card.take().unwrap_or_default(),
                pin: taken(&mut self.form.card_pin),
            }),
            Action::OrderStatus { .. } => Some(Request::OrderStatus {
                order_or_number: self.form.order.clone().unwrap_or_else(own_number),
            }),
            Action::RepairStatus { .. } => Some(Request::RepairStatus {
                number: own_number(),
            }),
            _ => None,
        };
        self.ask_or_unavailable(id, request);
    }

    /// The reply to query action `id`: remembers what it found and runs its branch.
    pub(super) fn query_reply(&mut self, id: ActionId, reply: &Reply) {
        let found = &mut self.found;
        match reply {
            Reply::Balance(BalanceFound::Found { balance, charges }) => {
                found.balance = Some(*balance);
                found.charges = Some(*charges);
            }
            Reply::CardRedeemed(CardRedeemed::ToppedUp { balance }) => {
                found.new_balance = Some(*balance);
            }
            Reply::Order(OrderFound::Found(state)) => found.order = Some(*state),
            Reply::Repair(RepairFound::Open(progress)) => found.repair = Some(progress.clone()),
            _ => {}
        }
        let branch = match reply {
            Reply::CardRedeemed(_) => self.passwords.counted(reply.branch()),
            _ => reply.branch(),
        };
        let menu = Arc::clone(&self.menu);
        if let Some(next) = menu.action(id).branch(branch) {
            self.run(next);
        }
    }

    /// The prompts `say` speaks now (none when there is nothing to tell).
    pub(super) fn said(&self, what: Said) -> Vec<String> {
        let found = &self.found;
        let prompts = match what {
            Said::Weakness => self.passwords.weakness().map(say::weakness),
            Said::Balance => found.balance.map(say::balance),
            Said::Charges => found.charges.map(say::charges),
            Said::NewBalance => found.new_balance.map(say::new_balance),
            Said::Order => found.order.map(say::order),
            Said::Repair => found.repair.as_ref().map(say::repair),
        };
        let language = &self.menu.language;
        (prompts.unwrap_or_default().iter())
            .map(|prompt| format!("{language}/{prompt}"))
            .collect()
    }
}
