//! The switchboard: one task that drives the pure SIP [`Endpoint`] with inbound
//! messages, timers and call commands, sends what it outputs, starts a call task for each
//! new INVITE, routes each call's SIP events to its task, and has each REGISTER judged by
//! the [`Registrar`] in a task of its own (at most [`REGISTRAR_TIMEOUT`]; then 503).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use super::task::{self, CallSetup};
use super::CallContext;
use crate::agents::registrar::{Answer, Registrar};
use crate::sip::transport::{Inbound, TransportSender};
use crate::sip::{
    CallEvent, CallHandle, Endpoint, Incoming, OutgoingInvite, Output, Registration,
    RegistrationHandle,
};

/// The longest a REGISTER waits for the registrar (the store) before a 503.
pub const REGISTRAR_TIMEOUT: Duration = Duration::from_secs(5);

/// What a call task asks of the SIP endpoint.
#[derive(Debug)]
pub enum Command {
    /// 200 OK with this SDP answer.
    Answer(String),
    /// A final error response (488, 503 …).
    Reject(u16),
    /// 200 OK to a re-INVITE with this SDP.
    AnswerReoffer(String),
    /// An error response to a re-INVITE.
    RejectReoffer(u16),
    /// BYE.
    Hangup,
    /// REFER to this URI.
    Refer(String),
    /// Place an outgoing call (to an agent's phone) whose events come to this call's
    /// task; the new leg's command line is sent back.
    Dial(Box<OutgoingInvite>, oneshot::Sender<CommandSender>),
}

/// A call task's line to the endpoint.
#[derive(Clone, Debug)]
pub struct CommandSender {
    call: CallHandle,
    queue: mpsc::UnboundedSender<(CallHandle, Command)>,
}

impl CommandSender {
    /// The call these commands are for.
    pub fn call(&self) -> CallHandle {
        self.call
    }

    /// Places an outgoing call whose events come to this call's task; its command line,
    /// or None if the server is shutting down.
    pub async fn dial(&self, invite: OutgoingInvite) -> Option<CommandSender> {
        let (reply, leg) = oneshot::channel();
        self.send(Command::Dial(Box::new(invite), reply));
        leg.await.ok()
    }

    /// Queues a command for this call (lost only if the server is shutting down).
    pub fn send(&self, command: Command) {
        let _ = self.queue.send((self.call, command));
    }
}

/// Runs the endpoint until `inbound` closes.
pub async fn run(
    mut endpoint: Endpoint,
    sender: TransportSender,
    mut inbound: mpsc::Receiver<Inbound>,
    context: Arc<CallContext>,
    registrar: Registrar,
) {
    let (command_queue, mut commands) = mpsc::unbounded_channel();
    let (answer_queue, mut answers) = mpsc::unbounded_channel();
    let mut registrations = JoinSet::new();
    let mut calls: HashMap<CallHandle, mpsc::UnboundedSender<CallEvent>> = HashMap::new();
    let mut call_tasks = JoinSet::new();
    loop {
        let deadline = endpoint
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            message = inbound.recv() => {
                let Some(message) = message else { return };
                let input = Incoming { transport: message.transport, from: message.from, bytes: &message.bytes };
                endpoint.handle_input(input, Instant::now());
            }
            Some((call, command)) = commands.recv() => {
                apply(&mut endpoint, &mut calls, &command_queue, call, command)
            }
            Some((handle, answer)) = answers.recv() => {
                let Answer { code, headers } = answer;
                endpoint.answer_registration(handle, code, &headers, Instant::now());
            }
            Some(_) = registrations.join_next() => {}
            () = tokio::time::sleep_until(deadline.into()) => endpoint.handle_timeout(Instant::now()),
            Some(_) = call_tasks.join_next() => {}
        }
        while let Some(output) = endpoint.poll_output() {
            match output {
                Output::Transmit {
                    transport,
                    to,
                    bytes,
                } => sender.send(transport, to, bytes),
                Output::Event(event) => {
                    route(event, &mut calls, &mut call_tasks, &context, &command_queue)
                }
                Output::Registration(registration) => {
                    registrations.spawn(judge(
                        registrar.clone(),
                        registration,
                        answer_queue.clone(),
                    ));
                }
            }
        }
    }
}

/// Has the registrar judge `registration` and queues the answer for the endpoint.
async fn judge(
    registrar: Registrar,
    registration: Registration,
    answers: mpsc::UnboundedSender<(RegistrationHandle, Answer)>,
) {
    let answer = match tokio::time::timeout(REGISTRAR_TIMEOUT, registrar.judge(&registration)).await
    {
        Ok(answer) => answer,
        Err(_) => {
            tracing::warn!(user = %registration.user, "the registrar did not answer in time: 503");
            Answer::unavailable()
        }
    };
    let _ = answers.send((registration.handle, answer));
}

fn apply(
    endpoint: &mut Endpoint,
    calls: &mut HashMap<CallHandle, mpsc::UnboundedSender<CallEvent>>,
    command_queue: &mpsc::UnboundedSender<(CallHandle, Command)>,
    call: CallHandle,
    command: Command,
) {
    let now = Instant::now();
    match command {
        Command::Answer(sdp) => endpoint.answer(call, sdp, now),
        Command::Reject(status) => endpoint.reject(call, status, now),
        Command::AnswerReoffer(sdp) => endpoint.answer_reoffer(call, sdp, now),
        Command::RejectReoffer(status) => endpoint.reject_reoffer(call, status, now),
        Command::Hangup => endpoint.hangup(call, now),
        Command::Refer(target) => endpoint.refer(call, &target, now),
        Command::Dial(invite, reply) => {
            let leg = endpoint.invite(*invite, now);
            if let Some(events) = calls.get(&call).cloned() {
                calls.insert(leg, events);
            }
            let queue = command_queue.clone();
            let _ = reply.send(CommandSender { call: leg, queue });
        }
    }
}

fn route(
    event: CallEvent,
    calls: &mut HashMap<CallHandle, mpsc::UnboundedSender<CallEvent>>,
    call_tasks: &mut JoinSet<()>,
    context: &Arc<CallContext>,
    command_queue: &mpsc::UnboundedSender<(CallHandle, Command)>,
) {
    if let CallEvent::Incoming {
        call,
        caller,
        called,
        offer,
        signalling_from,
        call_id,
    } = event
    {
        let (events, receiver) = mpsc::unbounded_channel();
        calls.insert(call, events);
        let setup = CallSetup {
            caller,
            called,
            offer,
            signalling_from,
            call_id,
        };
        let commands = CommandSender {
            call,
            queue: command_queue.clone(),
        };
        call_tasks.spawn(task::run(context.clone(), setup, receiver, commands));
        return;
    }
    let call = event_call(&event);
    let last = matches!(event, CallEvent::Ended { .. } | CallEvent::Cancelled { .. });
    if let Some(events) = calls.get(&call) {
        // A task that already finished has dropped its receiver; nothing to tell it.
        let _ = events.send(event);
    }
    if last {
        calls.remove(&call);
    }
}

/// The call an event is about.
pub(super) fn event_call(event: &CallEvent) -> CallHandle {
    match event {
        CallEvent::Incoming { call, .. }
        | CallEvent::Confirmed { call }
        | CallEvent::Progress { call, .. }
        | CallEvent::Answered { call, .. }
        | CallEvent::Cancelled { call }
        | CallEvent::Ended { call, .. }
        | CallEvent::Key { call, .. }
        | CallEvent::Reoffer { call, .. }
        | CallEvent::TransferAccepted { call }
        | CallEvent::TransferFailed { call, .. } => *call,
    }
}
