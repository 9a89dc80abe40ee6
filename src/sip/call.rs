//! The calls the endpoint holds, incoming and outgoing, and the integrator's commands on
//! them (answer, reject, re-INVITE answers, hangup, refer), with the INVITE responses and
//! in-dialog requests they send.

use std::time::Instant;

use super::dialog::{contact, Dialog};
use super::endpoint::{
    ClientEntry, Dest, Endpoint, Purpose, ServerEntry, ServerTx, TxKey, ALLOW, SUPPORTED,
};
use super::message::{reason_phrase, Builder, Message};
use super::timers::TimerKey;
use super::transaction::ClientNonInviteTx;
use super::{CallEvent, CallHandle, EndReason, Transport};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// `Incoming` reported; waiting for `answer` / `reject`.
    Offered,
    /// 200 sent; waiting for the ACK.
    Answered,
    Confirmed,
    /// Our BYE is out.
    Ending,
    /// Outgoing: our INVITE is out, no provisional response yet.
    Inviting,
    /// Outgoing: a provisional response arrived, no final one yet.
    Proceeding,
    /// Outgoing: `hangup` before a final response; the CANCEL is out, or goes out with
    /// the first provisional response.
    Cancelling,
}

/// A re-INVITE waiting for `answer_reoffer` / `reject_reoffer`.
pub(crate) struct PendingInvite {
    pub request: Message,
    pub key: TxKey,
    /// The top Via as stamped for responses.
    pub top_via: String,
}

pub(crate) struct Call {
    pub dialog: Dialog,
    pub phase: Phase,
    /// Incoming calls: the INVITE being answered.
    pub invite: Option<PendingInvite>,
    /// Outgoing calls: the branch of our INVITE (its client transaction).
    pub outgoing_branch: Option<String>,
    pub reoffer: Option<PendingInvite>,
    /// CSeq number and transaction of the INVITE whose 2xx waits for its ACK.
    pub awaiting_ack: Option<(u32, TxKey)>,
    pub local_sdp: Option<String>,
    pub hangup_after_ack: bool,
    pub transfer_reported: bool,
}

impl Endpoint {
    /// 200 OK with `sdp` to the INVITE of an offered call, retransmitted until the ACK.
    pub fn answer(&mut self, call: CallHandle, sdp: String, now: Instant) {
        if !self.awaiting_answer(call, "answer") {
            return;
        }
        self.send_invite_ok(call, false, sdp, now);
        if let Some(c) = self.calls.get_mut(&call) {
            c.phase = Phase::Answered;
        }
    }

    /// A final non-2xx (e.g. 488, 503) to an offered call, which then ends (`Ended{Rejected}`).
    pub fn reject(&mut self, call: CallHandle, status: u16, now: Instant) {
        if !self.awaiting_answer(call, "reject") {
            return;
        }
        let status = final_status(status);
        self.send_invite_final(call, false, status, now);
        self.end_call(call, EndReason::Rejected { status });
    }

    /// 200 OK with `sdp` to a pending re-INVITE.
    pub fn answer_reoffer(&mut self, call: CallHandle, sdp: String, now: Instant) {
        if self.calls.get(&call).is_some_and(|c| c.reoffer.is_some()) {
            self.send_invite_ok(call, true, sdp, now);
        }
    }

    /// A final non-2xx to a pending re-INVITE; the call goes on as before.
    pub fn reject_reoffer(&mut self, call: CallHandle, status: u16, now: Instant) {
        if self.calls.get(&call).is_some_and(|c| c.reoffer.is_some()) {
            self.send_invite_final(call, true, final_status(status), now);
        }
    }

    /// Ends a call: BYE once confirmed (after the ACK if it is still due); before the
    /// answer a 480 instead; an outgoing call before its final response with CANCEL.
    pub fn hangup(&mut self, call: CallHandle, now: Instant) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        match c.phase {
            Phase::Offered => self.reject(call, 480, now),
            Phase::Answered => c.hangup_after_ack = true,
            Phase::Confirmed => {
                c.phase = Phase::Ending;
                self.send_in_dialog(call, "BYE", &[], Purpose::Bye, now);
            }
            Phase::Inviting | Phase::Proceeding => self.cancel_invite(call, now),
            Phase::Ending | Phase::Cancelling => {}
        }
    }

    /// Blind transfer: REFER to `target_uri`; the outcome comes as TransferAccepted /
    /// TransferFailed from the NOTIFYs (or the REFER's failure).
    pub fn refer(&mut self, call: CallHandle, target_uri: &str, now: Instant) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.phase != Phase::Confirmed {
            return self.event(CallEvent::TransferFailed { call, status: 491 });
        }
        c.transfer_reported = false;
        let refer_to = format!("<{}>", target_uri.trim_matches(|c| c == '<' || c == '>'));
        let referred_by = contact(&self.config, c.dialog.transport);
        self.send_in_dialog(
            call,
            "REFER",
            &[("Refer-To", &refer_to), ("Referred-By", &referred_by)],
            Purpose::Refer,
            now,
        );
    }

    pub fn active_calls(&self) -> usize {
        self.calls.len()
    }

    /// Whether `call` is offered, waiting for `answer` / `reject`; if not, logs that
    /// `command` is ignored.
    fn awaiting_answer(&self, call: CallHandle, command: &str) -> bool {
        match self.calls.get(&call).map(|c| c.phase) {
            Some(Phase::Offered) => true,
            other => {
                tracing::debug!(
                    ?call,
                    ?other,
                    "{command} ignored: call not awaiting an answer"
                );
                false
            }
        }
    }

    /// Sends the 2xx for the call's initial INVITE or its pending re-INVITE.
    pub(super) fn send_invite_ok(
        &mut self,
        call: CallHandle,
        reoffer: bool,
        sdp: String,
        now: Instant,
    ) {
        self.send_invite_response(call, reoffer, 200, Some(sdp), now);
    }

    /// Sends a final non-2xx for the call's initial INVITE or pending re-INVITE.
    pub(super) fn send_invite_final(
        &mut self,
        call: CallHandle,
        reoffer: bool,
        status: u16,
        now: Instant,
    ) {
        self.send_invite_response(call, reoffer, status, None, now);
    }

    /// Sends the final response `status` to the call's initial INVITE or, with `reoffer`,
    /// to its pending re-INVITE (taken from the call). With `sdp` it is the 2xx carrying
    /// our SDP (and Contact, Allow, Supported, the session timer echoed), whose ACK is
    /// then awaited; without, a bodiless failure.
    fn send_invite_response(
        &mut self,
        call: CallHandle,
        reoffer: bool,
        status: u16,
        sdp: Option<String>,
        now: Instant,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let pending = if reoffer { c.reoffer.take() } else { None };
        let Some(invite) = pending.as_ref().or(c.invite.as_ref()) else {
            return;
        };
        let (req, key) = (&invite.request, invite.key.clone());
        let b = Builder::response_to(
            req,
            status,
            reason_phrase(status),
            &invite.top_via,
            Some(&c.dialog.local_tag),
        )
        .header("Server", &self.config.user_agent);
        let Some(sdp) = sdp else {
            return self.respond_in_tx(&key, status, b.finish(None), now);
        };
        let mut b = b
            .header("Contact", &contact(&self.config, c.dialog.transport))
            .header("Allow", ALLOW)
            .header("Supported", SUPPORTED);
        if let Some(se) = req.header("Session-Expires") {
            let delta = se.split(';').next().unwrap_or_default().trim();
            b = b.header("Session-Expires", &format!("{delta};refresher=uac"));
            if req
                .header_values("Supported")
                .iter()
                .any(|t| t.eq_ignore_ascii_case("timer"))
            {
                b = b.header("Require", "timer");
            }
        }
        let bytes = b.finish(Some(("application/sdp", sdp.as_bytes())));
        c.awaiting_ack = req.cseq().map(|cs| (cs.number, key.clone()));
        c.local_sdp = Some(sdp);
        self.respond_in_tx(&key, status, bytes, now);
    }

    /// Hands a response to an INVITE server transaction and sends it.
    pub(super) fn respond_in_tx(&mut self, key: &TxKey, code: u16, bytes: Vec<u8>, now: Instant) {
        let Some(entry) = self.server_txs.get_mut(key) else {
            return;
        };
        if let ServerTx::Invite(tx) = &mut entry.tx {
            if !tx.is_proceeding() {
                return;
            }
            tx.respond(code, bytes.clone(), now);
        }
        let dest = entry.dest;
        self.rearm_server(key);
        self.transmit(dest, bytes);
    }

    /// Sends BYE or REFER in the call's dialog as a non-INVITE client transaction.
    pub(super) fn send_in_dialog(
        &mut self,
        call: CallHandle,
        method: &str,
        extra: &[(&str, &str)],
        purpose: Purpose,
        now: Instant,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let branch = new_branch();
        let (mut b, to) = c.dialog.request(method, &branch, &self.config);
        for (name, value) in extra {
            b = b.header(name, value);
        }
        let dest = Dest {
            transport: c.dialog.transport,
            to,
        };
        self.start_client_tx(branch, b.finish(None), dest, call, purpose, now);
    }

    /// Sends `bytes`, a non-INVITE request with top Via `branch`, as a client transaction.
    pub(super) fn start_client_tx(
        &mut self,
        branch: String,
        bytes: Vec<u8>,
        dest: Dest,
        call: CallHandle,
        purpose: Purpose,
        now: Instant,
    ) {
        let tx = ClientNonInviteTx::new(bytes.clone(), now, dest.transport == Transport::Tcp);
        self.client_txs.insert(
            branch.clone(),
            ClientEntry {
                tx,
                dest,
                call,
                purpose,
            },
        );
        self.rearm_client(&branch);
        self.transmit(dest, bytes);
    }

    /// Reports the end and forgets the call; its 2xx stops being retransmitted.
    pub(super) fn end_call(&mut self, call: CallHandle, reason: EndReason) {
        let Some(c) = self.remove_call(call) else {
            return;
        };
        if let Some((_, key)) = &c.awaiting_ack {
            if let Some(ServerEntry {
                tx: ServerTx::Invite(tx),
                ..
            }) = self.server_txs.get_mut(key)
            {
                tx.stop_retransmitting();
            }
            self.rearm_server(key);
        }
        self.event(CallEvent::Ended { call, reason });
    }

    /// ACK for a 2xx (matched by dialog and CSeq).
    pub(super) fn on_2xx_ack(&mut self, call: CallHandle, cseq: u32, now: Instant) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some((_, key)) = c.awaiting_ack.take_if(|(n, _)| *n == cseq) else {
            return;
        };
        if let Some(ServerEntry {
            tx: ServerTx::Invite(tx),
            ..
        }) = self.server_txs.get_mut(&key)
        {
            tx.ack_2xx();
            // `c` holds `self.calls`, so the deadline is indexed field by field.
            if let Some(at) = tx.poll_timeout() {
                self.timers.push(at, TimerKey::Server(key.clone()));
            }
        }
        if c.phase == Phase::Answered {
            c.phase = Phase::Confirmed;
            let hangup = c.hangup_after_ack;
            self.event(CallEvent::Confirmed { call });
            if hangup {
                self.hangup(call, now);
            }
        }
    }

    /// Reports a transfer's final outcome once.
    pub(super) fn transfer_outcome(&mut self, call: CallHandle, status: u16) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if std::mem::replace(&mut c.transfer_reported, true) {
            return;
        }
        self.event(if (200..300).contains(&status) {
            CallEvent::TransferAccepted { call }
        } else {
            CallEvent::TransferFailed { call, status }
        });
    }
}

/// A new RFC 3261 branch for a request we send.
pub(super) fn new_branch() -> String {
    format!("z9hG4bK{:016x}", rand::random::<u64>())
}

/// A status usable as a final non-2xx response: 300-699, else 500.
fn final_status(status: u16) -> u16 {
    if (300..700).contains(&status) {
        status
    } else {
        500
    }
}
