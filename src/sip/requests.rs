//! Incoming requests: the checks every request goes through (retransmission, version,
//! malformed, URI scheme, method, Require) and one handler per method.
//!
//! Decisions (RFC 4475's torture messages, see `torture_tests`):
//! - Max-Forwards is not checked: this is an endpoint, which processes a request with
//!   Max-Forwards 0 as if it were still positive (RFC 4475 3.3.11; 483 is a proxy's).
//! - A method we do not recognise gets 501, one we know but do not serve 405 with Allow
//!   (RFC 3261 8.2.1, 21.5.2).
//! - A Request-URI with headers (`?`) gets 400 (RFC 4475 3.1.2.11 allows it).
//! - An INVITE whose body is not `application/sdp` gets 415 with Accept (3.3.6); one
//!   whose Accept leaves SDP out gets 406, as our 200 carries SDP (3.3.15).

use std::time::Instant;

use super::call::{Call, PendingInvite, Phase};
use super::dialog::Dialog;
use super::endpoint::{Ctx, Endpoint, ServerEntry, ServerTx, TxKey, ACCEPT, ALLOW, SUPPORTED};
use super::header::{user_number, Uri};
use super::message::{Builder, Message, StartLine};
use super::transaction::ServerInviteTx;
use super::{CallEvent, CallHandle, EndReason, Transport};
use crate::media::Key;

const METHODS: &[&str] = &[
    "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "NOTIFY", "REGISTER",
];

/// Methods of RFC 3261 and its extensions we recognise but do not serve (405, not 501).
const KNOWN_METHODS: &[&str] = &[
    "SUBSCRIBE",
    "PUBLISH",
    "MESSAGE",
    "UPDATE",
    "PRACK",
    "REFER",
];

impl Endpoint {
    pub(super) fn on_request(&mut self, req: Message, ctx: &Ctx, now: Instant) {
        let StartLine::Request {
            method,
            uri,
            version,
        } = &req.start
        else {
            return;
        };
        let (method, uri, version) = (method.clone(), uri.clone(), version.clone());
        if method == "ACK" {
            return self.on_ack(&req, now);
        }
        if !req.is_answerable() {
            return tracing::warn!(from = %ctx.source, %method, "dropping unanswerable request: {:?}", req.defect);
        }
        if let Some(entry) = TxKey::of(&req, &method).and_then(|key| self.server_txs.get(&key)) {
            let last = match &entry.tx {
                ServerTx::Invite(tx) => tx.last_response().map(<[u8]>::to_vec),
                ServerTx::NonInvite(tx) => Some(tx.last_response().to_vec()),
            };
            let dest = entry.dest;
            if let Some(bytes) = last {
                self.transmit(dest, bytes);
            }
            return;
        }
        if version != "SIP/2.0" {
            return self.reply_simple(&req, ctx, 505, None, &[], now);
        }
        if let Some(defect) = req.defect.clone() {
            tracing::warn!(from = %ctx.source, %method, "malformed request: {defect}");
            return self.reply_400(&req, ctx, &defect, now);
        }
        match Uri::parse(&uri) {
            None => {
                return self.reply_400(&req, ctx, "Bad Request-URI", now);
            }
            Some(u) if !matches!(u.scheme.as_str(), "sip" | "sips" | "tel") => {
                return self.reply_simple(&req, ctx, 416, None, &[], now);
            }
            Some(_) if Uri::has_headers(&uri) => {
                return self.reply_400(&req, ctx, "Headers in Request-URI", now);
            }
            Some(_) => {}
        }
        if KNOWN_METHODS.contains(&method.as_str()) {
            return self.reply_simple(&req, ctx, 405, None, &[("Allow", ALLOW)], now);
        }
        if !METHODS.contains(&method.as_str()) {
            return self.reply_simple(&req, ctx, 501, None, &[], now);
        }
        let unsupported: Vec<&str> = req
            .header_values("Require")
            .into_iter()
            .filter(|t| !t.eq_ignore_ascii_case(SUPPORTED))
            .collect();
        if !unsupported.is_empty() && method != "CANCEL" {
            return self.reply_simple(
                &req,
                ctx,
                420,
                None,
                &[("Unsupported", &unsupported.join(", "))],
                now,
            );
        }
        let to_tag = req.to().and_then(|t| t.tag().map(str::to_string));
        match (method.as_str(), to_tag) {
            ("INVITE", None) => self.on_invite(req, ctx, now),
            ("CANCEL", _) => self.on_cancel(&req, ctx, now),
            ("REGISTER", _) => self.on_register(req, ctx.clone(), now),
            ("OPTIONS", _) => {
                let headers = [
                    ("Allow", ALLOW),
                    ("Accept", ACCEPT),
                    ("Supported", SUPPORTED),
                ];
                self.reply_simple(&req, ctx, 200, Some(&random_tag()), &headers, now)
            }
            (_, None) => self.reply_simple(&req, ctx, 481, None, &[], now),
            (_, Some(tag)) => match self.dialog_call(&req, &tag) {
                None => self.reply_simple(&req, ctx, 481, None, &[], now),
                Some(call) => self.on_in_dialog(call, req, ctx, now),
            },
        }
    }

    /// The call whose dialog the request (To tag `to_tag`) belongs to.
    fn dialog_call(&self, req: &Message, to_tag: &str) -> Option<CallHandle> {
        let call_id = req.call_id()?;
        let from_tag = req
            .from()
            .and_then(|f| f.tag().map(str::to_string))
            .unwrap_or_default();
        self.calls_with_id(call_id)
            .find(|(_, c)| c.dialog.matches(call_id, to_tag, &from_tag))
            .map(|(h, _)| h)
    }

    fn on_invite(&mut self, req: Message, ctx: &Ctx, now: Instant) {
        if !req.body.is_empty() && req.content_type().is_some_and(|t| t != "application/sdp") {
            let accept = [("Accept", "application/sdp")];
            return self.reply_simple(&req, ctx, 415, None, &accept, now);
        }
        if !accepts_sdp(&req) {
            return self.reply_simple(&req, ctx, 406, None, &[], now);
        }
        let call_id = req.call_id().unwrap_or_default();
        let from_tag = req
            .from()
            .and_then(|f| f.tag().map(str::to_string))
            .unwrap_or_default();
        let cseq = req.cseq().map(|c| c.number);
        let merged = self.calls_with_id(call_id).any(|(_, c)| {
            c.dialog.remote_tag == from_tag
                && c.invite
                    .as_ref()
                    .is_some_and(|i| i.request.cseq().map(|c| c.number) == cseq)
        });
        if merged {
            return self.reply_simple(&req, ctx, 482, None, &[], now);
        }
        let local_tag = random_tag();
        let (Some(key), Some(dialog)) = (
            TxKey::of(&req, "INVITE"),
            Dialog::from_invite(&req, local_tag, ctx.transport, ctx.source),
        ) else {
            return tracing::warn!(from = %ctx.source, "INVITE without a usable Via/From/To: dropped");
        };
        let call = self.new_call_handle();
        self.start_invite_tx(&req, ctx, &key, Some(call), now);
        let caller = req
            .header_values("P-Asserted-Identity")
            .first()
            .and_then(|p| super::header::NameAddr::parse(p))
            .or_else(|| req.from())
            .and_then(|na| user_number(&na.uri))
            .unwrap_or_default();
        let request_uri = match &req.start {
            StartLine::Request { uri, .. } => Uri::parse(uri),
            StartLine::Response { .. } => None,
        };
        let called = request_uri
            .and_then(|u| user_number(&u))
            .or_else(|| req.to().and_then(|t| user_number(&t.uri)))
            .unwrap_or_default();
        let event = CallEvent::Incoming {
            call,
            caller,
            called,
            offer: req.body.clone(),
            signalling_from: ctx.source,
            call_id: dialog.call_id.clone(),
        };
        let invite = PendingInvite {
            request: req,
            key,
            top_via: ctx.top_via.clone(),
        };
        let state = Call {
            dialog,
            phase: Phase::Offered,
            invite: Some(invite),
            outgoing_branch: None,
            reoffer: None,
            awaiting_ack: None,
            local_sdp: None,
            hangup_after_ack: false,
            transfer_reported: false,
        };
        self.insert_call(call, state);
        self.event(event);
    }

    /// Creates the INVITE server transaction and sends 100 Trying at once.
    fn start_invite_tx(
        &mut self,
        req: &Message,
        ctx: &Ctx,
        key: &TxKey,
        call: Option<CallHandle>,
        now: Instant,
    ) {
        let trying = self.response(req, &ctx.top_via, 100, None).finish(None);
        let mut tx = ServerInviteTx::new(ctx.transport == Transport::Tcp);
        tx.respond(100, trying.clone(), now);
        self.server_txs.insert(
            key.clone(),
            ServerEntry {
                tx: ServerTx::Invite(tx),
                dest: ctx.dest,
                call,
            },
        );
        self.rearm_server(key);
        self.transmit(ctx.dest, trying);
    }

    fn on_ack(&mut self, req: &Message, now: Instant) {
        if req.defect.is_some() {
            return tracing::warn!("malformed ACK dropped: {:?}", req.defect);
        }
        if let Some(key) = TxKey::of(req, "ACK") {
            if let Some(ServerEntry {
                tx: ServerTx::Invite(tx),
                ..
            }) = self.server_txs.get_mut(&key)
            {
                // ACK for a non-2xx final response: same branch as the INVITE.
                if tx.ack_non_2xx(now) {
                    self.rearm_server(&key);
                    return;
                }
            }
        }
        let to_tag = req
            .to()
            .and_then(|t| t.tag().map(str::to_string))
            .unwrap_or_default();
        match (self.dialog_call(req, &to_tag), req.cseq()) {
            (Some(call), Some(cseq)) => self.on_2xx_ack(call, cseq.number, now),
            _ => tracing::debug!("ACK matching nothing dropped"),
        }
    }

    fn on_cancel(&mut self, req: &Message, ctx: &Ctx, now: Instant) {
        let key = TxKey::of(req, "INVITE");
        let target = match key.as_ref().and_then(|k| self.server_txs.get(k)) {
            Some(ServerEntry {
                tx: ServerTx::Invite(tx),
                call,
                ..
            }) => Some((tx.is_proceeding(), *call)),
            _ => None,
        };
        let (Some(key), Some((proceeding, call))) = (key, target) else {
            return self.reply_simple(req, ctx, 481, None, &[], now);
        };
        let to_tag = call
            .and_then(|h| self.calls.get(&h))
            .map(|c| c.dialog.local_tag.clone());
        self.reply_simple(req, ctx, 200, to_tag.as_deref(), &[], now);
        let Some((call, c)) = call
            .filter(|_| proceeding)
            .and_then(|h| Some((h, self.calls.get(&h)?)))
        else {
            return;
        };
        if c.invite.as_ref().is_some_and(|i| i.key == key) && c.phase == Phase::Offered {
            self.send_invite_final(call, false, 487, now);
            self.remove_call(call);
            self.event(CallEvent::Cancelled { call });
        } else if c.reoffer.as_ref().is_some_and(|r| r.key == key) {
            self.send_invite_final(call, true, 487, now);
        }
    }

    fn on_in_dialog(&mut self, call: CallHandle, req: Message, ctx: &Ctx, now: Instant) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if !req
            .cseq()
            .is_some_and(|cseq| c.dialog.accept_remote_cseq(cseq.number))
        {
            return self.reply_simple(&req, ctx, 500, None, &[], now);
        }
        match req.method().unwrap_or_default() {
            "INVITE" => self.on_reinvite(call, req, ctx, now),
            "BYE" => {
                self.reply_simple(&req, ctx, 200, None, &[], now);
                self.end_call(call, EndReason::RemoteBye);
            }
            "INFO" => self.on_info(call, &req, ctx, now),
            "NOTIFY" => self.on_notify(call, &req, ctx, now),
            _ => self.reply_simple(&req, ctx, 405, None, &[("Allow", ALLOW)], now),
        }
    }

    fn on_reinvite(&mut self, call: CallHandle, req: Message, ctx: &Ctx, now: Instant) {
        let Some(key) = TxKey::of(&req, "INVITE") else {
            return;
        };
        let busy = self.calls.get(&call).is_none_or(|c| {
            c.reoffer.is_some() || c.awaiting_ack.is_some() || c.phase != Phase::Confirmed
        });
        if busy {
            // RFC 3261 14.2: an INVITE while another is being answered.
            let retry = format!("{}", rand::random::<u8>() % 10 + 1);
            return self.reply_simple(&req, ctx, 500, None, &[("Retry-After", &retry)], now);
        }
        self.start_invite_tx(&req, ctx, &key, Some(call), now);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.dialog.refresh_target(&req, ctx.source);
        let offer = req.body.clone();
        c.reoffer = Some(PendingInvite {
            request: req,
            key,
            top_via: ctx.top_via.clone(),
        });
        if !offer.is_empty() {
            return self.event(CallEvent::Reoffer { call, offer });
        }
        // No SDP: the offer goes in our 200 (the last SDP we answered with).
        match c.local_sdp.clone() {
            Some(sdp) => self.send_invite_ok(call, true, sdp, now),
            None => self.send_invite_final(call, true, 488, now),
        }
    }

    fn on_info(&mut self, call: CallHandle, req: &Message, ctx: &Ctx, now: Instant) {
        let body = String::from_utf8_lossy(&req.body);
        let key = match req.content_type().as_deref() {
            _ if body.trim().is_empty() => return self.reply_simple(req, ctx, 200, None, &[], now),
            Some("application/dtmf-relay") => body
                .lines()
                .filter_map(|l| l.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("signal"))
                .and_then(|(_, value)| parse_dtmf(value)),
            Some("application/dtmf") => parse_dtmf(&body),
            _ => return self.reply_simple(req, ctx, 415, None, &[("Accept", ACCEPT)], now),
        };
        match key {
            Some(key) => {
                self.reply_simple(req, ctx, 200, None, &[], now);
                self.event(CallEvent::Key { call, key });
            }
            None => self.reply_400(req, ctx, "Bad DTMF body", now),
        }
    }

    fn on_notify(&mut self, call: CallHandle, req: &Message, ctx: &Ctx, now: Instant) {
        let event = req
            .header("Event")
            .and_then(|e| e.split(';').next())
            .unwrap_or_default()
            .trim();
        if !event.eq_ignore_ascii_case("refer") {
            return self.reply_simple(req, ctx, 489, None, &[], now);
        }
        self.reply_simple(req, ctx, 200, None, &[], now);
        // message/sipfrag: "SIP/2.0 200 OK".
        let body = String::from_utf8_lossy(&req.body);
        let status = body
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok());
        if let Some(status) = status.filter(|s| *s >= 200) {
            self.transfer_outcome(call, status);
        }
    }

    /// A 400 whose reason phrase says what is wrong.
    pub(super) fn reply_400(&mut self, req: &Message, ctx: &Ctx, why: &str, now: Instant) {
        let phrase: String = why.chars().filter(|c| !c.is_control()).collect();
        let bytes = Builder::response_to(req, 400, &phrase, &ctx.top_via, None)
            .header("Server", &self.config.user_agent)
            .finish(None);
        self.reply(req, ctx, bytes, 400, now);
    }
}

/// No Accept header, or one that lets `application/sdp` through (RFC 3261 20.1).
fn accepts_sdp(req: &Message) -> bool {
    let types = req.header_values("Accept");
    types.is_empty()
        || types.iter().any(|t| {
            let t = t.split(';').next().unwrap_or_default().trim();
            ["application/sdp", "application/*", "*/*"]
                .iter()
                .any(|ok| t.eq_ignore_ascii_case(ok))
        })
}

pub(super) fn random_tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A DTMF key from an INFO `Signal=` value or an application/dtmf body: the key
/// character, or its RFC 4733 event code (10 = `*`, 11 = `#`, 12-15 = A-D).
fn parse_dtmf(value: &str) -> Option<Key> {
    let value = value.trim();
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Key::from_char(c),
        _ => value.parse::<u8>().ok().and_then(Key::from_event_code),
    }
}
