//! The endpoint core: routes each message to its transaction or dialog and runs the
//! timers. The calls and the integrator's commands are in `call.rs`, the request handlers
//! per method in `requests.rs`, our outgoing INVITEs and their responses in
//! `outgoing.rs`; this file has the state, the entry points, the response plumbing and
//! the transaction timer outcomes.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use super::call::{Call, Phase};
use super::header::Via;
use super::message::{reason_phrase, Builder, Message, StartLine};
use super::outgoing::InviteEntry;
use super::register::{PendingRegistration, RegistrationHandle};
use super::timers::{TimerKey, Timers};
use super::transaction::{ClientNonInviteTx, ServerInviteTx, ServerNonInviteTx, TxEvent};
use super::{CallEvent, CallHandle, EndReason, EndpointConfig, Incoming, Output, Transport};

pub(super) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REGISTER";
pub(super) const ACCEPT: &str = "application/sdp, application/dtmf-relay, application/dtmf";
pub(super) const SUPPORTED: &str = "timer";

/// Server transaction id (RFC 3261 17.2.3): branch + sent-by + method (ACK → INVITE).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct TxKey {
    branch: String,
    sent_by: String,
    method: String,
}

impl TxKey {
    /// The key of `req`'s transaction, under `method` (e.g. "INVITE" for a CANCEL's target).
    pub(super) fn of(req: &Message, method: &str) -> Option<TxKey> {
        let via = req.top_via()?;
        let method = if method == "ACK" { "INVITE" } else { method }.to_string();
        let branch = match via.branch() {
            Some(b) if b.starts_with("z9hG4bK") && b.len() > "z9hG4bK".len() => b.to_string(),
            // RFC 2543 peers, and a bare magic cookie (RFC 4475 3.2.1): Call-ID, From
            // tag, CSeq number and top Via identify it.
            _ => format!(
                "2543|{}|{}|{}|{}",
                req.call_id().unwrap_or_default(),
                req.from()
                    .as_ref()
                    .and_then(|f| f.tag().map(str::to_string))
                    .unwrap_or_default(),
                req.cseq().map_or(0, |c| c.number),
                via.sent_by()
            ),
        };
        Some(TxKey {
            branch,
            sent_by: via.sent_by(),
            method,
        })
    }
}

/// Where a transaction's messages go.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dest {
    pub transport: Transport,
    pub to: SocketAddr,
}

pub(super) enum ServerTx {
    Invite(ServerInviteTx),
    NonInvite(ServerNonInviteTx),
}

pub(super) struct ServerEntry {
    pub tx: ServerTx,
    pub dest: Dest,
    pub call: Option<CallHandle>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    Bye,
    Refer,
    /// The CANCEL of our outgoing INVITE (same branch): its response changes nothing.
    Cancel,
    /// The BYE ending a dialog no call is kept for (an extra 2xx from another fork, or
    /// one for a call already gone): its response changes nothing.
    StrayBye,
}

impl Purpose {
    fn method(self) -> &'static str {
        match self {
            Purpose::Bye | Purpose::StrayBye => "BYE",
            Purpose::Refer => "REFER",
            Purpose::Cancel => "CANCEL",
        }
    }
}

pub(super) struct ClientEntry {
    pub tx: ClientNonInviteTx,
    pub dest: Dest,
    pub call: CallHandle,
    pub purpose: Purpose,
}

/// The request being handled: how it came in and where its responses go.
#[derive(Clone)]
pub(super) struct Ctx {
    pub transport: Transport,
    pub source: SocketAddr,
    pub dest: Dest,
    pub top_via: String,
}

impl Ctx {
    /// Response routing with RFC 3581: the top Via gets `received` (and `rport=` filled
    /// in); over UDP the response goes where the Via rules say, over TCP to the peer.
    fn new(req: &Message, input: &Incoming<'_>) -> Ctx {
        let raw_top = req
            .header_values("Via")
            .first()
            .map_or(String::new(), |v| v.to_string());
        let (top_via, to) = match req.top_via() {
            Some(via) => (
                stamp_via(&via, input.from),
                via.response_destination(input.from),
            ),
            None => (raw_top, input.from),
        };
        let to = if input.transport == Transport::Tcp {
            input.from
        } else {
            to
        };
        Ctx {
            transport: input.transport,
            source: input.from,
            dest: Dest {
                transport: input.transport,
                to,
            },
            top_via,
        }
    }
}

fn stamp_via(via: &Via, source: SocketAddr) -> String {
    let host = if via.host.contains(':') {
        format!("[{}]", via.host)
    } else {
        via.host.clone()
    };
    let mut text = format!("SIP/2.0/{} {host}", via.transport);
    if let Some(port) = via.port {
        text.push_str(&format!(":{port}"));
    }
    let rport = via.param("rport").is_some();
    let host_is_source = via.host.parse().ok() == Some(source.ip());
    for (name, value) in &via.params {
        match (name.as_str(), value) {
            ("received", _) => {}
            ("rport", _) => text.push_str(&format!(";rport={}", source.port())),
            (_, Some(v)) => text.push_str(&format!(";{name}={v}")),
            (_, None) => text.push_str(&format!(";{name}")),
        }
    }
    if rport || !host_is_source {
        text.push_str(&format!(";received={}", source.ip()));
    }
    text
}

/// The SIP UAS endpoint. See the module docs of `crate::sip`.
pub struct Endpoint {
    pub(super) config: EndpointConfig,
    pub(super) calls: HashMap<CallHandle, Call>,
    /// The calls of each Call-ID (almost always one), so that finding a request's dialog
    /// costs the same with 10 calls up as with 5000.
    calls_by_id: HashMap<String, Vec<CallHandle>>,
    pub(super) server_txs: HashMap<TxKey, ServerEntry>,
    /// Non-INVITE client transactions by branch (a CANCEL has its INVITE's).
    pub(super) client_txs: HashMap<String, ClientEntry>,
    /// Our outgoing INVITEs' client transactions by branch.
    pub(super) invite_txs: HashMap<String, InviteEntry>,
    pub(super) outputs: VecDeque<Output>,
    pub(super) timers: Timers,
    /// REGISTERs waiting for the registrar's answer.
    pub(super) registrations: HashMap<RegistrationHandle, PendingRegistration>,
    pub(super) next_registration: u64,
    next_call: u64,
}

impl Endpoint {
    pub fn new(config: EndpointConfig) -> Self {
        Endpoint {
            config,
            calls: HashMap::new(),
            calls_by_id: HashMap::new(),
            server_txs: HashMap::new(),
            client_txs: HashMap::new(),
            invite_txs: HashMap::new(),
            outputs: VecDeque::new(),
            timers: Timers::default(),
            registrations: HashMap::new(),
            next_registration: 1,
            next_call: 1,
        }
    }

    /// Parses and handles one message. Bad input: a 400 where it can still be answered
    /// (a Transmit), else dropped with a tracing event. Never panics.
    pub fn handle_input(&mut self, input: Incoming<'_>, now: Instant) {
        let msg = match Message::parse(input.bytes) {
            Ok(msg) => msg,
            Err(e) => {
                tracing::warn!(from = %input.from, "dropping unparseable SIP message: {}", e.0);
                return;
            }
        };
        match msg.start {
            StartLine::Response { code, .. } => self.on_response(&msg, code, now),
            StartLine::Request { .. } => {
                let ctx = Ctx::new(&msg, &input);
                self.on_request(msg, &ctx, now);
            }
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        for key in self.timers.take_due(now) {
            match key {
                TimerKey::Server(key) => {
                    while let Some(event) =
                        self.server_txs.get_mut(&key).and_then(|e| match &mut e.tx {
                            ServerTx::Invite(tx) => tx.handle_timeout(now),
                            ServerTx::NonInvite(tx) => tx.handle_timeout(now),
                        })
                    {
                        self.on_server_tx_event(&key, event, now);
                    }
                    self.rearm_server(&key);
                }
                TimerKey::Client(branch) => {
                    while let Some(event) = self
                        .client_txs
                        .get_mut(&branch)
                        .and_then(|e| e.tx.handle_timeout(now))
                    {
                        self.on_client_tx_event(&branch, event, now);
                    }
                    self.rearm_client(&branch);
                }
                TimerKey::Invite(branch) => self.on_invite_timeout(&branch, now),
            }
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Endpoint::handle_timeout`] is next wanted.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        let (server_txs, client_txs) = (&self.server_txs, &self.client_txs);
        let invite_txs = &self.invite_txs;
        self.timers.earliest(|key| match key {
            TimerKey::Server(key) => server_txs.get(key).and_then(|e| server_timeout(&e.tx)),
            TimerKey::Client(branch) => client_txs.get(branch).and_then(|e| e.tx.poll_timeout()),
            TimerKey::Invite(branch) => invite_txs.get(branch).and_then(|e| e.tx.poll_timeout()),
        })
    }

    /// Indexes the server transaction's deadline after it may have changed.
    pub(super) fn rearm_server(&mut self, key: &TxKey) {
        if let Some(at) = self.server_txs.get(key).and_then(|e| server_timeout(&e.tx)) {
            self.timers.push(at, TimerKey::Server(key.clone()));
        }
    }

    /// Indexes the client transaction's deadline after it may have changed.
    pub(super) fn rearm_client(&mut self, branch: &str) {
        if let Some(at) = self
            .client_txs
            .get(branch)
            .and_then(|e| e.tx.poll_timeout())
        {
            self.timers.push(at, TimerKey::Client(branch.to_owned()));
        }
    }

    pub(super) fn event(&mut self, event: CallEvent) {
        self.outputs.push_back(Output::Event(event));
    }

    pub(super) fn transmit(&mut self, dest: Dest, bytes: Vec<u8>) {
        self.outputs.push_back(Output::Transmit {
            transport: dest.transport,
            to: dest.to,
            bytes,
        });
    }

    /// Adds a call, indexed by its Call-ID.
    pub(super) fn insert_call(&mut self, handle: CallHandle, call: Call) {
        let id = call.dialog.call_id.clone();
        self.calls_by_id.entry(id).or_default().push(handle);
        self.calls.insert(handle, call);
    }

    /// Forgets a call (and its index entry); the call, if there was one.
    pub(super) fn remove_call(&mut self, handle: CallHandle) -> Option<Call> {
        let call = self.calls.remove(&handle)?;
        if let Some(handles) = self.calls_by_id.get_mut(&call.dialog.call_id) {
            handles.retain(|h| *h != handle);
            if handles.is_empty() {
                self.calls_by_id.remove(&call.dialog.call_id);
            }
        }
        Some(call)
    }

    /// The calls whose Call-ID is `call_id`.
    pub(super) fn calls_with_id(&self, call_id: &str) -> impl Iterator<Item = (CallHandle, &Call)> {
        (self.calls_by_id.get(call_id).into_iter().flatten())
            .filter_map(|h| Some((*h, self.calls.get(h)?)))
    }

    pub(super) fn new_call_handle(&mut self) -> CallHandle {
        self.next_call += 1;
        CallHandle(self.next_call - 1)
    }

    /// A response to `req`: its Vias, From, To (+ `to_tag`), Call-ID, CSeq, then Server.
    pub(super) fn response(
        &self,
        req: &Message,
        top_via: &str,
        code: u16,
        to_tag: Option<&str>,
    ) -> Builder {
        Builder::response_to(req, code, reason_phrase(code), top_via, to_tag)
            .header("Server", &self.config.user_agent)
    }

    /// Sends a final response and, when the request has a transaction key, keeps a
    /// server transaction that answers its retransmissions (and, for INVITE, absorbs the ACK).
    pub(super) fn reply(
        &mut self,
        req: &Message,
        ctx: &Ctx,
        bytes: Vec<u8>,
        code: u16,
        now: Instant,
    ) {
        self.transmit(ctx.dest, bytes.clone());
        let Some(method) = req.method() else { return };
        let Some(key) = TxKey::of(req, method) else {
            return;
        };
        let reliable = ctx.transport == Transport::Tcp;
        let tx = if method == "INVITE" {
            let mut tx = ServerInviteTx::new(reliable);
            tx.respond(code, bytes, now);
            ServerTx::Invite(tx)
        } else {
            ServerTx::NonInvite(ServerNonInviteTx::completed(bytes, now, reliable))
        };
        self.server_txs.insert(
            key.clone(),
            ServerEntry {
                tx,
                dest: ctx.dest,
                call: None,
            },
        );
        self.rearm_server(&key);
    }

    /// A complete response with no body but `headers`, sent with [`Self::reply`].
    pub(super) fn reply_simple(
        &mut self,
        req: &Message,
        ctx: &Ctx,
        code: u16,
        to_tag: Option<&str>,
        headers: &[(&str, &str)],
        now: Instant,
    ) {
        let mut b = self.response(req, &ctx.top_via, code, to_tag);
        for (name, value) in headers {
            b = b.header(name, value);
        }
        self.reply(req, ctx, b.finish(None), code, now);
    }

    fn on_server_tx_event(&mut self, key: &TxKey, event: TxEvent, now: Instant) {
        match event {
            TxEvent::Retransmit(bytes) => {
                if let Some(dest) = self.server_txs.get(key).map(|e| e.dest) {
                    self.transmit(dest, bytes);
                }
            }
            TxEvent::TimedOut | TxEvent::Terminated => {
                self.server_txs.remove(key);
                let no_ack = self
                    .calls
                    .iter()
                    .find(|(_, c)| c.awaiting_ack.as_ref().is_some_and(|(_, k)| k == key))
                    .map(|(h, _)| *h);
                if let (TxEvent::TimedOut, Some(call)) = (event, no_ack) {
                    tracing::warn!(
                        ?call,
                        "no ACK for our 2xx within 64*T1: ending the call with BYE"
                    );
                    self.send_in_dialog(call, "BYE", &[], Purpose::Bye, now);
                    self.end_call(call, EndReason::NoAck);
                }
            }
        }
    }

    fn on_client_tx_event(&mut self, branch: &str, event: TxEvent, now: Instant) {
        match event {
            TxEvent::Retransmit(bytes) => {
                if let Some(dest) = self.client_txs.get(branch).map(|e| e.dest) {
                    self.transmit(dest, bytes);
                }
            }
            TxEvent::TimedOut => self.on_client_final(branch, 408, now),
            TxEvent::Terminated => {
                self.client_txs.remove(branch);
            }
        }
    }

    fn on_response(&mut self, msg: &Message, code: u16, now: Instant) {
        let branch = msg
            .top_via()
            .and_then(|v| v.branch().map(str::to_string))
            .unwrap_or_default();
        if msg.cseq().is_some_and(|c| c.method == "INVITE") {
            return self.on_invite_response(&branch, msg, code, now);
        }
        let Some(entry) = self.client_txs.get_mut(&branch) else {
            return tracing::debug!(code, "response matching no transaction ignored");
        };
        if msg
            .cseq()
            .is_none_or(|c| c.method != entry.purpose.method())
        {
            return tracing::debug!(code, "response with a foreign CSeq method ignored");
        }
        let final_response = entry.tx.on_response(code, now);
        self.rearm_client(&branch);
        if final_response {
            self.on_client_final(&branch, code, now);
        }
    }

    /// The first final response (or 408 on timeout) of our BYE, REFER or CANCEL.
    fn on_client_final(&mut self, branch: &str, code: u16, _now: Instant) {
        let Some(entry) = self.client_txs.get(branch) else {
            return;
        };
        let (call, purpose) = (entry.call, entry.purpose);
        match purpose {
            Purpose::Bye
                if self
                    .calls
                    .get(&call)
                    .is_some_and(|c| c.phase == Phase::Ending) =>
            {
                self.end_call(call, EndReason::LocalBye { status: code });
            }
            Purpose::Refer if code >= 300 => self.transfer_outcome(call, code),
            _ => {}
        }
    }
}

fn server_timeout(tx: &ServerTx) -> Option<Instant> {
    match tx {
        ServerTx::Invite(tx) => tx.poll_timeout(),
        ServerTx::NonInvite(tx) => tx.poll_timeout(),
    }
}
