//! The UAC side of the endpoint: the server calling a phone ([`Endpoint::invite`]), the
//! responses to that INVITE, their ACKs, and its CANCEL. Once answered the call is a
//! dialog like an incoming one (BYE, INFO, re-INVITE, REFER, `hangup` work the same).
//!
//! Decisions where RFC 3261 leaves room or the brief is silent:
//! - No authentication: a 401/407 from a phone ends the call like any other non-2xx
//!   (`Ended{Refused}`); a phone that challenges our INVITEs cannot be called.
//! - No early dialogs: a To tag on a 1xx is not remembered, and `Progress` is reported
//!   for the first 180 and the first 183 only (100 and other 1xx are silent, as is any
//!   1xx after our `hangup`).
//! - The INVITE, its CANCEL and the ACK of a non-2xx go to `destination` (the phone's
//!   registration source, right behind a NAT); the ACK of a 2xx and later requests follow
//!   the dialog's next hop (`dialog`).
//! - `hangup` before a final response: CANCEL at once if a provisional (100 included)
//!   arrived, else with the first one. The INVITE then ends with its final response
//!   (`Refused{487}`), or `Refused{408}` when none comes within 64·T1 of the CANCEL. A 2xx
//!   crossing the CANCEL is ACKed and BYEd and never reported as `Answered`: the call ends
//!   `LocalBye{status}` with the BYE's final status.
//! - Timer B (64·T1) runs only until a provisional response: a phone may ring as long as
//!   the integrator lets it (it hangs up on its own ring timeout).
//! - An extra 2xx with another To tag (forking), or a 2xx for a call already gone, is
//!   ACKed and BYEd in a dialog of its own and never reported. Retransmissions of any
//!   2xx get the same ACK again; the INVITE transaction keeps them coming to us for
//!   64·T1 (timer M). A 2xx after timer B fired matches nothing and is dropped (the phone
//!   stops retransmitting it after 64·T1 and ends its side).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use super::call::{new_branch, Call, Phase};
use super::client_invite::{ClientInviteTx, InviteResponse};
use super::dialog::{via, Dialog};
use super::endpoint::{Dest, Endpoint, Purpose, ALLOW, SUPPORTED};
use super::message::{Builder, Message};
use super::requests::random_tag;
use super::timers::TimerKey;
use super::transaction::TxEvent;
use super::{CallEvent, CallHandle, EndReason, EndpointConfig, Transport};

/// The CSeq number of our INVITE (the first request of its dialog).
const INVITE_CSEQ: u32 = 1;

/// An outgoing INVITE: the server calling an agent's phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingInvite {
    /// Request-URI: the Contact the phone registered, e.g. `sip:1001@127.0.0.1:5062;transport=udp`.
    pub request_uri: String,
    /// Where to send it (the binding's source address for NAT'd phones).
    pub destination: SocketAddr,
    /// UDP is retransmitted by timer A; TCP goes to `destination` like other TCP output.
    pub transport: Transport,
    /// From value without tag, e.g. `"075512345678" <sip:075512345678@127.0.0.1:5060>`;
    /// the endpoint adds `;tag=`.
    pub from: String,
    /// To value, e.g. `<sip:1001@127.0.0.1>`.
    pub to: String,
    /// Our SDP offer.
    pub sdp: String,
    /// Extra headers, e.g. `("Call-Info", "<http://…/tickets/7>;purpose=info")`.
    pub headers: Vec<(String, String)>,
}

/// Our outgoing INVITE's client transaction and what answering its responses needs.
pub(super) struct InviteEntry {
    pub tx: ClientInviteTx,
    dest: Dest,
    call: CallHandle,
    /// The INVITE's top Via, which its CANCEL and its non-2xx ACK repeat.
    via: String,
    /// The dialog as of the INVITE: its From, To, Call-ID and Request-URI, and the copy
    /// an extra 2xx from another fork establishes.
    early: Dialog,
    /// The ACK sent for the 2xx of each To tag, re-sent for its retransmissions.
    acks: HashMap<String, (Dest, Vec<u8>)>,
    /// The ACK sent for the non-2xx final, re-sent for its retransmissions.
    failure_ack: Option<Vec<u8>>,
    progress_reported: Vec<u16>,
    cancel_sent: bool,
}

impl Endpoint {
    /// Sends the INVITE (new Call-ID, From tag, branch; Contact, Allow, Supported,
    /// Max-Forwards, User-Agent, Content-Type application/sdp) and returns its handle.
    /// Over UDP retransmitted per timer A; no response in 64·T1 (timer B) ends the call
    /// with `Refused{408}`.
    pub fn invite(&mut self, invite: OutgoingInvite, now: Instant) -> CallHandle {
        let call = self.new_call_handle();
        let call_id = format!("{}{}@hotline", random_tag(), random_tag());
        let mut dialog = Dialog::from_outgoing(
            call_id,
            random_tag(),
            &invite.from,
            invite.to,
            &invite.request_uri,
            invite.transport,
            invite.destination,
        );
        let early = dialog.clone();
        let branch = new_branch();
        let (mut b, _) = dialog.request("INVITE", &branch, &self.config);
        b = b.header("Allow", ALLOW).header("Supported", SUPPORTED);
        for (name, value) in &invite.headers {
            b = b.header(name, value);
        }
        let bytes = b.finish(Some(("application/sdp", invite.sdp.as_bytes())));
        let dest = Dest {
            transport: invite.transport,
            to: invite.destination,
        };
        let entry = InviteEntry {
            tx: ClientInviteTx::new(bytes.clone(), now, invite.transport == Transport::Tcp),
            dest,
            call,
            via: via(&self.config, invite.transport, &branch),
            early,
            acks: HashMap::new(),
            failure_ack: None,
            progress_reported: Vec::new(),
            cancel_sent: false,
        };
        self.invite_txs.insert(branch.clone(), entry);
        self.rearm_invite(&branch);
        let state = Call {
            dialog,
            phase: Phase::Inviting,
            invite: None,
            outgoing_branch: Some(branch),
            reoffer: None,
            awaiting_ack: None,
            local_sdp: Some(invite.sdp),
            hangup_after_ack: false,
            transfer_reported: false,
        };
        self.insert_call(call, state);
        self.transmit(dest, bytes);
        call
    }

    /// `hangup` of an outgoing call before its final response: CANCEL now if a
    /// provisional response arrived, else once one does.
    pub(super) fn cancel_invite(&mut self, call: CallHandle, now: Instant) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(branch) = c.outgoing_branch.clone() else {
            return;
        };
        let was = std::mem::replace(&mut c.phase, Phase::Cancelling);
        if was == Phase::Proceeding {
            self.send_cancel(&branch, now);
        }
    }

    /// Indexes the INVITE transaction's deadline after it may have changed.
    fn rearm_invite(&mut self, branch: &str) {
        if let Some(at) = self
            .invite_txs
            .get(branch)
            .and_then(|e| e.tx.poll_timeout())
        {
            self.timers.push(at, TimerKey::Invite(branch.to_owned()));
        }
    }

    /// Timer A retransmits; timer B (or 64·T1 after our CANCEL) ends the call with 408;
    /// timers D and M forget the transaction.
    pub(super) fn on_invite_timeout(&mut self, branch: &str, now: Instant) {
        while let Some(event) = self
            .invite_txs
            .get_mut(branch)
            .and_then(|e| e.tx.handle_timeout(now))
        {
            match event {
                TxEvent::Retransmit(bytes) => {
                    if let Some(dest) = self.invite_txs.get(branch).map(|e| e.dest) {
                        self.transmit(dest, bytes);
                    }
                }
                TxEvent::TimedOut => {
                    if let Some(entry) = self.invite_txs.remove(branch) {
                        tracing::info!(call = ?entry.call, "no final response to our INVITE: 408");
                        self.end_call(entry.call, EndReason::Refused { status: 408 });
                    }
                }
                TxEvent::Terminated => {
                    self.invite_txs.remove(branch);
                }
            }
        }
        self.rearm_invite(branch);
    }

    /// A response whose CSeq method is INVITE, matched to our INVITE by `branch`.
    pub(super) fn on_invite_response(
        &mut self,
        branch: &str,
        msg: &Message,
        code: u16,
        now: Instant,
    ) {
        let Some(entry) = self.invite_txs.get_mut(branch) else {
            return tracing::debug!(code, "INVITE response matching no transaction ignored");
        };
        let outcome = entry.tx.on_response(code, now);
        self.rearm_invite(branch);
        match outcome {
            InviteResponse::Provisional => self.on_provisional(branch, code, now),
            InviteResponse::Success => self.on_success(branch, msg, now),
            InviteResponse::Failure => self.on_failure(branch, msg, code),
            InviteResponse::FailureAgain => {
                if let Some((dest, Some(ack))) = self
                    .invite_txs
                    .get(branch)
                    .map(|e| (e.dest, e.failure_ack.clone()))
                {
                    self.transmit(dest, ack);
                }
            }
            InviteResponse::Stray => tracing::debug!(code, "late INVITE response ignored"),
        }
    }

    fn on_provisional(&mut self, branch: &str, code: u16, now: Instant) {
        let Some(entry) = self.invite_txs.get_mut(branch) else {
            return;
        };
        let call = entry.call;
        let first_of_its_kind =
            matches!(code, 180 | 183) && !entry.progress_reported.contains(&code);
        if first_of_its_kind {
            entry.progress_reported.push(code);
        }
        let cancel_due = !entry.cancel_sent;
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        match c.phase {
            Phase::Inviting | Phase::Proceeding => {
                c.phase = Phase::Proceeding;
                if first_of_its_kind {
                    self.event(CallEvent::Progress { call, status: code });
                }
            }
            Phase::Cancelling if cancel_due => self.send_cancel(branch, now),
            _ => {}
        }
    }

    /// CANCEL for our INVITE (RFC 3261 9.1): its Request-URI, Via, From, To, Call-ID and
    /// CSeq number, to where the INVITE went.
    fn send_cancel(&mut self, branch: &str, now: Instant) {
        let Some(entry) = self.invite_txs.get_mut(branch) else {
            return;
        };
        entry.cancel_sent = true;
        entry.tx.cancelled(now);
        let bytes = entry
            .request_copy("CANCEL", &entry.early.remote_party, &self.config.user_agent)
            .finish(None);
        let (dest, call) = (entry.dest, entry.call);
        self.rearm_invite(branch);
        self.start_client_tx(branch.to_owned(), bytes, dest, call, Purpose::Cancel, now);
    }

    /// The first non-2xx final: ACK in the transaction, the call ends `Refused`.
    fn on_failure(&mut self, branch: &str, msg: &Message, code: u16) {
        let Some(entry) = self.invite_txs.get_mut(branch) else {
            return;
        };
        let to = msg.header("To").unwrap_or(&entry.early.remote_party);
        let ack = entry
            .request_copy("ACK", to, &self.config.user_agent)
            .finish(None);
        entry.failure_ack = Some(ack.clone());
        let (dest, call) = (entry.dest, entry.call);
        self.transmit(dest, ack);
        self.end_call(call, EndReason::Refused { status: code });
    }

    /// A 2xx: the first one answers the call (or, after our `hangup`, is BYEd); a
    /// retransmission gets its ACK again; any other is ACKed and BYEd on its own.
    fn on_success(&mut self, branch: &str, msg: &Message, now: Instant) {
        let Some(entry) = self.invite_txs.get(branch) else {
            return;
        };
        let tag = msg
            .to()
            .and_then(|t| t.tag().map(str::to_string))
            .unwrap_or_default();
        if let Some((dest, ack)) = entry.acks.get(&tag) {
            let (dest, ack) = (*dest, ack.clone());
            return self.transmit(dest, ack);
        }
        let (call, first) = (entry.call, entry.acks.is_empty());
        let answering = |c: &&mut Call| {
            first
                && matches!(
                    c.phase,
                    Phase::Inviting | Phase::Proceeding | Phase::Cancelling
                )
        };
        let Some(c) = self.calls.get_mut(&call).filter(answering) else {
            return self.end_stray_2xx(branch, msg, tag, now);
        };
        c.dialog.establish(msg);
        let ack = ack_for_2xx(&c.dialog, &self.config);
        let crossed_cancel = c.phase == Phase::Cancelling;
        c.phase = if crossed_cancel {
            Phase::Ending
        } else {
            Phase::Confirmed
        };
        self.record_ack(branch, tag, ack);
        if crossed_cancel {
            tracing::debug!(?call, "2xx crossed our CANCEL: BYE");
            self.send_in_dialog(call, "BYE", &[], Purpose::Bye, now);
        } else {
            let answer = msg.body.clone();
            self.event(CallEvent::Answered { call, answer });
        }
    }

    /// A 2xx no call is kept for (another fork's, or for a call already gone): ACK and
    /// BYE in a dialog of its own.
    fn end_stray_2xx(&mut self, branch: &str, msg: &Message, tag: String, now: Instant) {
        let Some(entry) = self.invite_txs.get(branch) else {
            return;
        };
        let (call, mut dialog) = (entry.call, entry.early.clone());
        tracing::debug!(?call, %tag, "extra 2xx (fork or late): ACK and BYE");
        dialog.establish(msg);
        let ack = ack_for_2xx(&dialog, &self.config);
        self.record_ack(branch, tag, ack);
        let bye_branch = new_branch();
        let (b, to) = dialog.request("BYE", &bye_branch, &self.config);
        let dest = Dest {
            transport: dialog.transport,
            to,
        };
        let bytes = b.finish(None);
        self.start_client_tx(bye_branch, bytes, dest, call, Purpose::StrayBye, now);
    }

    /// Sends the ACK for the 2xx with To tag `tag` and keeps it for retransmissions.
    fn record_ack(&mut self, branch: &str, tag: String, (dest, ack): (Dest, Vec<u8>)) {
        if let Some(entry) = self.invite_txs.get_mut(branch) {
            entry.acks.insert(tag, (dest, ack.clone()));
        }
        self.transmit(dest, ack);
    }
}

impl InviteEntry {
    /// CANCEL or the ACK of a non-2xx (RFC 3261 9.1, 17.1.1.3): the INVITE's
    /// Request-URI, Via, From, Call-ID and CSeq number, with `method` and To value `to`.
    fn request_copy(&self, method: &str, to: &str, user_agent: &str) -> Builder {
        let request_uri = self.early.remote_target_uri();
        Builder::request(method, request_uri)
            .header("Via", &self.via)
            .header("Max-Forwards", "70")
            .header("From", &self.early.local_party)
            .header("To", to)
            .header("Call-ID", &self.early.call_id)
            .header("CSeq", &format!("{INVITE_CSEQ} {method}"))
            .header("User-Agent", user_agent)
    }
}

/// The ACK of a 2xx in `dialog` (new branch, the INVITE's CSeq number) and where it goes.
fn ack_for_2xx(dialog: &Dialog, config: &EndpointConfig) -> (Dest, Vec<u8>) {
    let (b, to) = dialog.ack(INVITE_CSEQ, &new_branch(), config);
    let dest = Dest {
        transport: dialog.transport,
        to,
    };
    (dest, b.finish(None))
}
