//! The query actions: `query_balance`, `redeem_card`, `order_status` and
//! `repair_status`, each with its branches as a map, and `say: …`, which speaks what the
//! last reply told (its prompts are noted for the prompt check).

use super::super::say;
use super::super::schema::{Action, Branch, Said};
use super::super::yaml::Node;
use super::{Decoder, Entry};

/// What `say` takes, by name.
const SAID: [(&str, Said); 6] = [
    ("weakness", Said::Weakness),
    ("balance", Said::Balance),
    ("charges", Said::Charges),
    ("new_balance", Said::NewBalance),
    ("order", Said::Order),
    ("repair", Said::Repair),
];

impl Decoder {
    /// `{query_balance: {…}}`, `{redeem_card: {…}}`, `{order_status: {…}}` or
    /// `{repair_status: {…}}`; `kind` is that entry.
    pub(super) fn query(&mut self, kind: Entry) -> Option<Action> {
        let action = match kind.name {
            "query_balance" => Action::QueryBalance {
                branches: self.branch_map(kind, Branch::FOUND)?,
            },
            "redeem_card" => Action::RedeemCard {
                branches: self.branch_map(kind, Branch::REDEEM)?,
            },
            "order_status" => Action::OrderStatus {
                branches: self.branch_map(kind, Branch::FOUND)?,
            },
            _ => Action::RepairStatus {
                branches: self.branch_map(kind, Branch::REPAIR)?,
            },
        };
        Some(action)
    }

    /// What `say` speaks; notes the prompts it can play.
    pub(super) fn said(&mut self, node: &Node) -> Option<Said> {
        let text = self.text(node, "say")?;
        let Some(&(_, what)) = SAID.iter().find(|(name, _)| *name == text) else {
            let names: Vec<&str> = SAID.iter().map(|(name, _)| *name).collect();
            let message = format!("`say` takes {}, found `{text}`", names.join(", "));
            self.problem(node.pos, message);
            return None;
        };
        for prompt in say::every_prompt(what) {
            let name = format!("{}/{prompt}", self.language);
            self.use_prompt(name, node.pos);
        }
        Some(what)
    }
}
