//! One call, from the INVITE to the last BYE: negotiate the SDP, answer, wait for the
//! ACK, then run the menu engine against the media path until the call ends.
//!
//! Decisions made here (the spec is silent on them):
//! - an offer we can't use (malformed, no audio, no G.711) is refused with 488, and a
//!   call for which no RTP port is free with 503;
//! - an INVITE without SDP (late offer) is refused with 488: every phone the hotline
//!   serves sends its offer in the INVITE;
//! - a call whose caller has sent no RTP for [`MEDIA_TIMEOUT`], or that lasts longer
//!   than [`MAX_CALL_DURATION`], is ended with a BYE;
//! - while the server drains (SIGTERM), new calls are refused with 503 and calls in
//!   progress go on;
//! - a transfer the far end refuses ends the call (the menu has already played 05);
//! - the menu's requests (line lookups, reports) run beside the media: the 20 ms sends
//!   and key detection go on while the store works (see [`super::desk`]);
//! - a key pressed while the caller is in a secret entry (a password) is logged without
//!   the key itself;
//! - the RTP itself is sent and read by the media clock ([`super::media_clock`]); this
//!   task hears from it only keys, prompt ends, silence and recordings.

use std::future::Future;
use std::net::{IpAddr, SocketAddr, UdpSocket as StdUdpSocket};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tracing::Instrument;

use super::call_record::Recorder;
use super::media_clock::{MediaEvent, MediaHandle, MEDIA_TIMEOUT};
use super::queued::{self, QueuedCall};
use super::switchboard::{Command, CommandSender};
use super::CallContext;
use crate::live::Release;
use crate::menu::{CallInfo, Handoff, Input, Output, PathStep, Reply, Request, Session};
use crate::metrics::{CallOutcome, DtmfMethod, Metrics};
use crate::prompts::{Prompt, PromptStore};
use crate::sdp::{self, Negotiated};
use crate::sip::CallEvent;

/// No call stays in the menu longer than this.
pub const MAX_CALL_DURATION: Duration = Duration::from_secs(2 * 3600);

/// What the INVITE told us.
pub struct CallSetup {
    pub caller: String,
    pub called: String,
    pub offer: Vec<u8>,
    pub signalling_from: SocketAddr,
    pub call_id: String,
}

/// Runs one call to its end and counts how it ended.
pub async fn run(
    context: Arc<CallContext>,
    setup: CallSetup,
    mut events: mpsc::UnboundedReceiver<CallEvent>,
    commands: CommandSender,
) {
    let span = tracing::info_span!("call", call_id = %setup.call_id, caller = %setup.caller);
    let mut record = Recorder::new(&setup);
    let outcome = serve(&context, setup, &mut events, &commands, &mut record)
        .instrument(span.clone())
        .await;
    span.in_scope(|| tracing::info!(?outcome, "call ended"));
    context.metrics.call_ended(outcome);
    let record = record.finish(outcome, context.live.current().version);
    context.records.keep(record);
}

async fn serve(
    context: &CallContext,
    setup: CallSetup,
    events: &mut mpsc::UnboundedReceiver<CallEvent>,
    commands: &CommandSender,
    record: &mut Recorder,
) -> CallOutcome {
    if context.draining.load(Ordering::Relaxed) {
        tracing::info!("the server is draining; call refused with 503");
        commands.send(Command::Reject(503));
        return CallOutcome::Rejected;
    }
    let negotiated = match negotiate_from(&setup.offer, setup.signalling_from) {
        Ok(negotiated) => negotiated,
        Err(error) => {
            tracing::warn!(%error, "offer refused with 488");
            commands.send(Command::Reject(488));
            return CallOutcome::Rejected;
        }
    };
    let socket = match context.rtp_ports.bind(context.rtp_ip) {
        Ok(socket) => socket,
        Err(error) => {
            tracing::error!(%error, "no RTP port; call refused with 503");
            commands.send(Command::Reject(503));
            return CallOutcome::Rejected;
        }
    };
    let local_rtp = match socket.local_addr() {
        Ok(addr) => SocketAddr::new(
            advertised_ip(context.rtp_ip, setup.signalling_from),
            addr.port(),
        ),
        Err(error) => {
            tracing::error!(%error, "RTP socket has no address; call refused with 503");
            commands.send(Command::Reject(503));
            return CallOutcome::Rejected;
        }
    };
    let mut answer = Answer {
        local_rtp,
        session_id: u64::from(rand::random::<u32>()),
        version: 1,
    };
    commands.send(Command::Answer(answer.sdp(&negotiated)));
    let _active = ActiveCall::count(&context.metrics);
    tracing::info!(codec = ?negotiated.codec, telephone_event = ?negotiated.telephone_event, %local_rtp, "answered");

    loop {
        match events.recv().await {
            Some(CallEvent::Confirmed { .. }) => break,
            Some(CallEvent::Cancelled { .. }) => return CallOutcome::Cancelled,
            Some(CallEvent::Ended { .. }) | None => return CallOutcome::Failed,
            Some(CallEvent::Reoffer { .. }) => commands.send(Command::RejectReoffer(491)),
            Some(_) => {}
        }
    }

    let mut media = context.media_clock.attach(socket, &negotiated);
    let release = context.live.current();
    tracing::debug!(menu_version = release.version, "menu release taken");
    record.answered(release.version);
    let now = Instant::now();
    let mut engine = Session::new(
        release.menu.clone(),
        CallInfo {
            caller: setup.caller.clone(),
            called: setup.called.clone(),
        },
    );
    engine.start(now);
    let mut call = MenuCall {
        context,
        signalling_from: setup.signalling_from,
        release: &release,
        engine: &mut engine,
        media: &mut media,
        caller: &setup.caller,
        commands,
        record: &mut *record,
        transferring: false,
        pending: None,
        playing: None,
    };
    let end = walk_menu(&mut call, &mut answer, events).await;
    for step in engine.path() {
        if let PathStep::Menu(node) = step {
            context.metrics.menu_entered(node);
        }
    }
    record.menu_ended(engine.path());
    match end {
        MenuEnd::Over(outcome) => outcome,
        MenuEnd::Queue(queue) => {
            record.handed_to_queue(&queue);
            let ticket = engine.ticket_serial().map(str::to_string);
            let queued = QueuedCall {
                context,
                release: &release,
                setup: &setup,
                media: &mut media,
                events,
                commands,
                answer: &mut answer,
                ticket,
                handed_over: Instant::now(),
                playing: 0,
                path: engine.path().iter().map(ToString::to_string).collect(),
                draft: engine.draft(),
                record,
            };
            queued::serve(queued, &queue).await
        }
    }
}

/// A request to the desk in progress; its reply goes to the engine.
type PendingReply = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// One answered call in the menu: what the loop and `act` share.
struct MenuCall<'a> {
    context: &'a CallContext,
    /// Where the caller's signalling comes from (re-INVITEs are judged against it).
    signalling_from: SocketAddr,
    /// The menu and prompts this call started with.
    release: &'a Release,
    engine: &'a mut Session,
    media: &'a mut MediaHandle,
    caller: &'a str,
    commands: &'a CommandSender,
    /// The call's record: the desk's replies go into it.
    record: &'a mut Recorder,
    transferring: bool,
    pending: Option<PendingReply>,
    /// The number of the `play` whose end the engine waits for.
    playing: Option<u64>,
}

/// How the walk through the menu ended.
enum MenuEnd {
    Over(CallOutcome),
    /// Handed to one of our queues.
    Queue(String),
}

impl From<CallOutcome> for MenuEnd {
    fn from(outcome: CallOutcome) -> Self {
        MenuEnd::Over(outcome)
    }
}

/// Runs the menu against the media until the call ends or the menu hands it to a queue.
async fn walk_menu(
    call: &mut MenuCall<'_>,
    answer: &mut Answer,
    events: &mut mpsc::UnboundedReceiver<CallEvent>,
) -> MenuEnd {
    let hard_deadline = Instant::now() + MAX_CALL_DURATION;
    // One timer per call, moved to the earliest of its deadlines each turn (moving a
    // registered tokio timer is an atomic update, not a new timer-wheel entry).
    let wake = tokio::time::sleep_until(hard_deadline.into());
    tokio::pin!(wake);
    loop {
        if let Some(outcome) = call.act() {
            return outcome;
        }
        let (context, commands) = (call.context, call.commands);
        let engine_due = call.engine.poll_timeout().unwrap_or(hard_deadline);
        wake.as_mut().reset(engine_due.min(hard_deadline).into());
        let waiting = call.pending.is_some();
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { return CallOutcome::Failed.into() };
                match event {
                    CallEvent::Ended { .. } => {
                        return if call.transferring { CallOutcome::Transferred } else { CallOutcome::HungUpByCaller }.into()
                    }
                    CallEvent::Key { key, .. } => {
                        context.metrics.key_received(DtmfMethod::Info);
                        if call.engine.is_secret_entry() {
                            tracing::debug!("key by SIP INFO (secret entry)");
                        } else {
                            tracing::debug!(%key, "key by SIP INFO");
                        }
                        call.engine.handle(Input::Key(key), Instant::now());
                    }
                    CallEvent::Reoffer { offer, .. } => answer_reoffer(call.media, answer, commands, &offer, call.signalling_from),
                    CallEvent::TransferAccepted { .. } => {
                        commands.send(Command::Hangup);
                        return CallOutcome::Transferred.into();
                    }
                    CallEvent::TransferFailed { status, .. } => {
                        tracing::warn!(status, "transfer refused; ending the call");
                        commands.send(Command::Hangup);
                        return CallOutcome::Failed.into();
                    }
                    CallEvent::Incoming { .. }
                    | CallEvent::Confirmed { .. }
                    | CallEvent::Cancelled { .. }
                    | CallEvent::Progress { .. }
                    | CallEvent::Answered { .. } => {}
                }
            }
            media_event = call.media.next_event() => match media_event {
                Some(MediaEvent::Key(key, method)) => {
                    context.metrics.key_received(method);
                    if call.engine.is_secret_entry() {
                        tracing::debug!(?method, "key (secret entry)");
                    } else {
                        tracing::debug!(%key, ?method, "key");
                    }
                    call.engine.handle(Input::Key(key), Instant::now());
                }
                Some(MediaEvent::PlaybackFinished(play)) => {
                    if call.playing == Some(play) {
                        call.playing = None;
                        call.engine.handle(Input::PlaybackFinished, Instant::now());
                    }
                }
                Some(MediaEvent::CallerSilent) => {
                    tracing::warn!(timeout = ?MEDIA_TIMEOUT, "no RTP from the caller for too long; hanging up");
                    commands.send(Command::Hangup);
                    return CallOutcome::Failed.into();
                }
                // The agent's leg is not wired into the call task yet: no leg, no leg events.
                Some(MediaEvent::LegSilent | MediaEvent::LegSocketFailed(_)) => {}
                Some(MediaEvent::SocketFailed(error)) => {
                    tracing::error!(%error, "RTP socket failed; ending the call");
                    commands.send(Command::Hangup);
                    return CallOutcome::Failed.into();
                }
                None => {
                    tracing::error!("media clock stopped; ending the call");
                    commands.send(Command::Hangup);
                    return CallOutcome::Failed.into();
                }
            },
            reply = async { call.pending.as_mut().expect("guarded by `waiting`").await }, if waiting => {
                call.pending = None;
                tracing::debug!(?reply, "desk replied");
                call.record.heard(&reply);
                call.engine.handle(Input::Reply(reply), Instant::now());
            }
            () = &mut wake => {
                let now = Instant::now();
                if now >= hard_deadline {
                    tracing::warn!(limit = ?MAX_CALL_DURATION, "the call is too long; hanging up");
                    commands.send(Command::Hangup);
                    return CallOutcome::Failed.into();
                }
                if call.engine.poll_timeout().is_some_and(|due| due <= now) {
                    call.engine.handle(Input::Timeout, now);
                }
            }
        }
    }
}

impl MenuCall<'_> {
    /// Carries out what the engine decided. Returns how the menu ended when it did.
    fn act(&mut self) -> Option<MenuEnd> {
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::Play { prompts, .. } => {
                    tracing::debug!(?prompts, "play");
                    let playlist = playlist(&self.release.prompts, &prompts);
                    self.playing = Some(self.media.play(playlist));
                }
                Output::StopPlayback => {
                    self.playing = None;
                    self.media.stop();
                }
                Output::StartRecording { max } => self.media.start_recording(max),
                Output::StopRecording => self.media.stop_recording(),
                Output::DiscardRecording => drop(self.media.take_recording()),
                Output::Request(request) => self.ask_desk(request),
                Output::Transfer {
                    target: Handoff::Refer(target),
                } => {
                    tracing::info!(%target, "transfer by REFER");
                    self.transferring = true;
                    self.commands.send(Command::Refer(target));
                }
                Output::Transfer {
                    target: Handoff::Queue(queue),
                } => return Some(MenuEnd::Queue(queue)),
                Output::Hangup => {
                    self.commands.send(Command::Hangup);
                    return Some(MenuEnd::Over(CallOutcome::HungUpByMenu));
                }
            }
        }
        None
    }

    /// Hands a request to the desk; a report takes the call's latest recording along.
    fn ask_desk(&mut self, request: Request) {
        tracing::info!(?request, "request to the desk");
        let recording = match request {
            Request::Submit { .. } => Some(self.media.take_recording()),
            _ => None,
        };
        let desk = self.context.desk.clone();
        let caller = self.caller.to_string();
        self.pending = Some(Box::pin(async move {
            let recording = match recording {
                Some(taken) => taken.await.ok().flatten(),
                None => None,
            };
            desk.carry_out(request, &caller, recording).await
        }));
    }
}

/// Negotiates a caller's offer sent from `signalling_from`: when the offer's RTP address
/// is on another host, nothing is sent there until the caller's first RTP packet comes
/// (`latch_first`; a phone behind NAT or a media relay sends first anyway).
pub(super) fn negotiate_from(
    offer: &[u8],
    signalling_from: SocketAddr,
) -> Result<Negotiated, sdp::SdpError> {
    let mut negotiated = sdp::negotiate(&sdp::parse_offer(offer)?)?;
    negotiated.latch_first = negotiated.remote_rtp.ip() != signalling_from.ip();
    Ok(negotiated)
}

/// Answers a re-INVITE's offer from `signalling_from` (the media follows it), or refuses
/// it with 488.
pub(super) fn answer_reoffer(
    media: &MediaHandle,
    answer: &mut Answer,
    commands: &CommandSender,
    offer: &[u8],
    signalling_from: SocketAddr,
) {
    match negotiate_from(offer, signalling_from) {
        Ok(negotiated) => {
            media.renegotiate(&negotiated);
            answer.version += 1;
            commands.send(Command::AnswerReoffer(answer.sdp(&negotiated)));
        }
        Err(error) => {
            tracing::warn!(%error, "re-INVITE offer refused with 488");
            commands.send(Command::RejectReoffer(488));
        }
    }
}

/// The prompts called `names` from the store; a missing one is logged and skipped.
pub(super) fn playlist(prompts: &PromptStore, names: &[String]) -> Vec<Arc<Prompt>> {
    names
        .iter()
        .filter_map(|name| {
            let prompt = prompts.get(name).cloned();
            if prompt.is_none() {
                tracing::error!(name, "prompt missing from the store; skipped");
            }
            prompt
        })
        .collect()
}

/// Our side of the SDP: the address and the o= line's identity.
pub(super) struct Answer {
    pub local_rtp: SocketAddr,
    pub session_id: u64,
    pub version: u64,
}

impl Answer {
    pub fn sdp(&self, negotiated: &Negotiated) -> String {
        sdp::answer(negotiated, self.local_rtp, self.session_id, self.version)
    }
}

/// Holds the active-calls gauge up while the call lives.
struct ActiveCall<'a>(&'a Metrics);

impl<'a> ActiveCall<'a> {
    fn count(metrics: &'a Metrics) -> Self {
        metrics.active_calls.inc();
        ActiveCall(metrics)
    }
}

impl Drop for ActiveCall<'_> {
    fn drop(&mut self) {
        self.0.active_calls.dec();
    }
}

/// The IP to put in our SDP: the bound one, or (bound to all interfaces) the local
/// address the kernel would use to reach the caller.
pub(super) fn advertised_ip(bound: IpAddr, caller: SocketAddr) -> IpAddr {
    if !bound.is_unspecified() {
        return bound;
    }
    let unspecified: SocketAddr = if caller.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    StdUdpSocket::bind(unspecified)
        .and_then(|socket| socket.connect(caller).and_then(|()| socket.local_addr()))
        .map(|addr| addr.ip())
        .unwrap_or(bound)
}
