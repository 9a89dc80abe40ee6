//! The engine's side of every request to the store: sending it (the call waits, keys
//! ignored, until the reply) and the reply, which picks the action's branch. Password
//! and query replies are judged further in `passwords` and `queries`.

use std::sync::Arc;

use super::{Session, State};
use crate::menu::requests::{Form, Reply, Request, Submitted};
use crate::menu::schema::{Action, ActionId, Branch};
use crate::menu::Output;

impl Session {
    /// The reply to the request of `action`: a `Submit` reply clears the form (keeping a
    /// new serial), then the reply's branch runs. A reply of the other kind is stale.
    pub(super) fn on_reply(&mut self, action: ActionId, reply: Reply) {
        let menu = Arc::clone(&self.menu);
        let request = menu.action(action);
        match (request, &reply) {
            (Action::LookupLine { .. }, Reply::Line(_)) => {}
            (Action::Submit { .. }, Reply::Submitted(submitted)) => {
                self.form = Form::default();
                if let Submitted::Created { serial } = submitted {
                    self.serial.clone_from(serial);
                }
            }
            (Action::PasswordStatus { .. }, Reply::PasswordStatus(_))
            | (Action::CheckPassword { .. }, Reply::PasswordChecked(_))
            | (Action::SetPassword { .. }, Reply::PasswordSet(_)) => {
                return self.password_reply(action, &reply)
            }
            (Action::QueryBalance { .. }, Reply::Balance(_))
            | (Action::RedeemCard { .. }, Reply::CardRedeemed(_))
            | (Action::OrderStatus { .. }, Reply::Order(_))
            | (Action::RepairStatus { .. }, Reply::Repair(_)) => {
                return self.query_reply(action, &reply)
            }
            _ => return,
        }
        if let Some(next) = request.branch(reply.branch()) {
            self.run(next);
        }
    }

    /// Sends `request` for action `id`; with nothing to ask, takes its `unavailable`
    /// branch instead.
    pub(super) fn ask_or_unavailable(&mut self, id: ActionId, request: Option<Request>) {
        let Some(request) = request else {
            let menu = Arc::clone(&self.menu);
            if let Some(next) = menu.action(id).branch(Branch::Unavailable) {
                self.run(next);
            }
            return;
        };
        self.ask(id, request);
    }

    pub(super) fn ask(&mut self, action: ActionId, request: Request) {
        self.outputs.push_back(Output::Request(request));
        self.state = State::Waiting { action };
    }
}
