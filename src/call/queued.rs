//! A call the menu handed to one of our queues, until an agent has talked to the caller
//! or the call has ended: waiting with prompt 13 and hold music, hearing its place now
//! and then, ringing the agent the distributor offers (an outgoing INVITE from our SIP
//! endpoint to the agent's registered phone, with the call's context in its headers), then
//! prompt 30 with the agent's work number and the two legs bridged until either side
//! hangs up, which ends the other.
//!
//! Decisions the spec is silent on:
//! - a caller who cannot wait (queue closed, no agent logged in, queue full, maximum wait
//!   reached) hears 12 (busy, or the "not opening hours" prompt when closed), a call-back
//!   request is kept for their number, they hear that it was, and the call ends: the call
//!   is not lost;
//! - while waiting, the caller's place is spoken every `announce_every` ("您前面还有N位…",
//!   or "您是下一位" when next), followed by the call-back offer; the call-back key leaves
//!   the queue with a call-back request; other keys are ignored;
//! - the agent's newest registration is rung (one phone per agent); an agent with no
//!   registration, a phone that refuses, or an answer without usable SDP counts as "not
//!   answered" (the distributor re-queues the caller at the head);
//! - the INVITE's From shows the caller's number; `Call-Info` links to the call's page on
//!   the console and `X-Hotline-Caller` / `X-Hotline-Ticket` carry the number and the
//!   serial of a ticket made in this call, for phones that show them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::mpsc;

use super::board::{self, CallCard};
use super::call_record::Recorder;
use super::media_clock::{MediaEvent, MediaHandle};
use super::queue_exits::{hand_to_acd, leave_with_callback};
use super::switchboard::{event_call, Command, CommandSender};
use super::task::{advertised_ip, playlist, Answer, CallSetup};
use super::CallContext;
use crate::live::Release;
use crate::media::G711;
use crate::metrics::CallOutcome;
use crate::queues::announce::place_announcement;
use crate::queues::center::{Notice, Refusal};
use crate::queues::config::Standing;
use crate::queues::seat::CallId;
use crate::sdp;
use crate::sip::{CallEvent, OutgoingInvite, Transport};
use crate::store::CallbackReason;
use crate::tickets::model::Tier;

/// The hold music prompt (it loops while the caller waits).
const HOLD_MUSIC: &str = "music/hold";

/// Where the call stands.
pub(super) enum Stage {
    Waiting,
    /// The agent's phone rings.
    Ringing {
        leg: CommandSender,
        agent: String,
        socket: Option<std::net::UdpSocket>,
        /// Our side of the leg's SDP.
        leg_sdp: Answer,
    },
    /// The agent answered; the caller hears 30 with the agent's number.
    Connecting {
        leg: CommandSender,
        leg_sdp: Answer,
    },
    Bridged {
        leg: CommandSender,
        leg_sdp: Answer,
    },
}

/// A queued call and what it needs.
pub(super) struct QueuedCall<'a> {
    pub context: &'a CallContext,
    /// The menu and prompts the call started with.
    pub release: &'a Release,
    pub setup: &'a CallSetup,
    pub media: &'a mut MediaHandle,
    pub events: &'a mut mpsc::UnboundedReceiver<CallEvent>,
    pub commands: &'a CommandSender,
    pub answer: &'a mut Answer,
    /// The serial of a ticket the menu made in this call.
    pub ticket: Option<String>,
    /// When the menu handed the call over.
    pub handed_over: Instant,
    /// The number of the playlist whose end is awaited (0: none).
    pub playing: u64,
    /// The way through the menu and the ticket fields it learnt, for the call's card.
    pub path: Vec<String>,
    pub draft: Vec<(String, String)>,
    /// The call's record: the queue, the wait, the agent and the talk.
    pub record: &'a mut Recorder,
}

impl QueuedCall<'_> {
    pub(super) fn id(&self) -> CallId {
        CallId(self.commands.call().0)
    }

    /// What an agent's phone (or an external ACD) is told about the call: the caller's
    /// number, a link to the call's card, the ticket the menu made.
    pub(super) fn context_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![
            ("X-Hotline-Caller".to_string(), self.setup.caller.clone()),
            (
                "Call-Info".to_string(),
                format!(
                    "<{}/console/calls/{}>;purpose=info",
                    self.context.console_base, self.setup.call_id
                ),
            ),
        ];
        if let Some(ticket) = &self.ticket {
            headers.push(("X-Hotline-Ticket".to_string(), ticket.clone()));
        }
        headers
    }

    /// The offered agent's phone did not take the call: the caller waits again.
    fn ring_failed(&self) {
        self.context.distributor.ring_failed(self.id());
        self.show(board::Stage::Waiting, None);
    }

    /// Moves the call's card on the board to `stage`, with the agent it is offered to.
    pub(super) fn show(&self, stage: board::Stage, agent: Option<&str>) {
        self.context.board.update(&self.setup.call_id, |card| {
            card.stage = stage;
            card.agent = agent.map(str::to_string);
            card.since = Utc::now();
        });
    }

    fn prompt(&self, id: &str) -> String {
        format!("{}/{id}", self.release.menu.language())
    }

    pub(super) fn play(&mut self, ids: &[&str]) {
        let names: Vec<String> = ids.iter().map(|id| self.prompt(id)).collect();
        self.play_names(&names);
    }

    fn play_names(&mut self, names: &[String]) {
        let playlist = playlist(&self.release.prompts, names);
        self.playing = self.media.play(playlist);
    }

    /// Plays `ids` then the hold music (once: its end is heard as `PlaybackFinished`
    /// and it starts again); how long `ids` take, before the music.
    pub(super) fn play_then_hold(&mut self, ids: &[&str]) -> Duration {
        let names: Vec<String> = ids.iter().map(|id| self.prompt(id)).collect();
        let spoken = (playlist(&self.release.prompts, &names).iter())
            .map(|prompt| prompt.duration)
            .sum();
        let mut names = names;
        names.push(HOLD_MUSIC.to_string());
        self.play_names(&names);
        spoken
    }
}

/// Serves the call in `queue` until it ends; how it ended.
pub(super) async fn serve(mut call: QueuedCall<'_>, requested: &str) -> CallOutcome {
    let context = call.context;
    let line = context.desk.line(&call.setup.caller).await;
    let config = &context.queues;
    let tier = line.as_ref().map_or(Tier::Ordinary, |l| l.tier);
    let Some(spec) = config.route(requested, Standing::of(line.as_ref())) else {
        tracing::error!(
            queue = requested,
            "the menu names a queue that is not configured"
        );
        let (stage, reason) = (&Stage::Waiting, CallbackReason::NoAgents);
        return leave_with_callback(
            &mut call,
            stage,
            requested,
            reason,
            &["12", "queue-callback-taken"],
        )
        .await;
    };
    let queue = spec.name.clone();
    call.record.routed_to(&queue);
    if !spec.hours.is_open(Utc::now(), context.desk.utc_offset()) {
        tracing::info!(%queue, "queue closed: call-back request kept");
        return leave_with_callback(
            &mut call,
            &Stage::Waiting,
            &queue,
            CallbackReason::Closed,
            &["queue-closed"],
        )
        .await;
    }
    if let Some(acd) = &spec.refer_to {
        return hand_to_acd(&mut call, &queue, acd).await;
    }
    let joined = (context.distributor)
        .join(
            call.id(),
            &call.setup.call_id,
            &call.setup.caller,
            &queue,
            tier,
        )
        .await;
    let notices = match joined {
        Ok(Ok(notices)) => notices,
        Ok(Err(refusal)) => {
            tracing::info!(%queue, %refusal, "caller refused by the queue: call-back request kept");
            let reason = match refusal {
                Refusal::Full => CallbackReason::QueueFull,
                Refusal::NoAgents | Refusal::UnknownQueue => CallbackReason::NoAgents,
            };
            return leave_with_callback(
                &mut call,
                &Stage::Waiting,
                &queue,
                reason,
                &["12", "queue-callback-taken"],
            )
            .await;
        }
        Err(stopped) => {
            tracing::error!(%stopped, "no distributor; ending the call");
            call.commands.send(Command::Hangup);
            return CallOutcome::Failed;
        }
    };
    tracing::info!(%queue, ?tier, "caller waiting for an agent");
    context.board.post(CallCard {
        call_id: call.setup.call_id.clone(),
        caller: call.setup.caller.clone(),
        line,
        path: std::mem::take(&mut call.path),
        draft: std::mem::take(&mut call.draft),
        ticket: call.ticket.clone(),
        queue: queue.clone(),
        agent: None,
        stage: board::Stage::Waiting,
        since: Utc::now(),
    });
    let outcome = in_queue(&mut call, &queue, notices).await;
    context.board.update(&call.setup.call_id, |card| {
        card.stage = board::Stage::Ended;
        card.since = Utc::now();
    });
    outcome
}

/// The call from joining `queue` until it ends.
async fn in_queue(
    call: &mut QueuedCall<'_>,
    queue: &str,
    mut notices: mpsc::UnboundedReceiver<Notice>,
) -> CallOutcome {
    let context = call.context;
    let config = &context.queues;
    let entered = call.handed_over;
    let spoken = call.play_then_hold(&["13"]);
    let mut stage = Stage::Waiting;
    let announce_every = config.announce_every;
    // The next place is told `announce_every` after the last announcement has ended.
    let mut next_announcement = Instant::now() + spoken + announce_every;
    loop {
        let waiting = matches!(stage, Stage::Waiting | Stage::Ringing { .. });
        let announce_at = if waiting {
            next_announcement
        } else {
            Instant::now() + Duration::from_secs(3600)
        };
        tokio::select! {
            event = call.events.recv() => {
                let Some(event) = event else { return CallOutcome::Failed };
                let callback_key = matches!(&event, CallEvent::Key { key, .. } if *key == config.callback_key);
                if waiting && callback_key {
                    return leave_with_callback(call, &stage, queue, CallbackReason::CallerAsked, &["queue-callback-taken"]).await;
                }
                if let Some(outcome) = on_sip_event(call, &mut stage, event, entered).await {
                    return outcome;
                }
            }
            media_event = call.media.next_event() => {
                let Some(media_event) = media_event else {
                    return end_both(call, &stage, CallOutcome::Failed);
                };
                match media_event {
                    MediaEvent::Key(key, _) if waiting => {
                        if key == config.callback_key {
                            return leave_with_callback(call, &stage, queue, CallbackReason::CallerAsked, &["queue-callback-taken"]).await;
                        }
                    }
                    MediaEvent::Key(..) => {}
                    MediaEvent::PlaybackFinished(play) if play == call.playing => match &stage {
                        Stage::Waiting | Stage::Ringing { .. } => {
                            call.play_then_hold(&[]);
                        }
                        Stage::Connecting { .. } => {
                            call.media.bridge();
                            call.record.bridged();
                            tracing::info!("caller and agent bridged");
                            if let Stage::Connecting { leg, leg_sdp } = std::mem::replace(&mut stage, Stage::Waiting) {
                                stage = Stage::Bridged { leg, leg_sdp };
                            }
                        }
                        Stage::Bridged { .. } => {}
                    },
                    MediaEvent::PlaybackFinished(_) => {}
                    MediaEvent::CallerSilent | MediaEvent::SocketFailed(_) => {
                        tracing::warn!("caller's media failed or went silent; ending the call");
                        call.context.distributor.leave(call.id());
                        return end_both(call, &stage, CallOutcome::Failed);
                    }
                    MediaEvent::LegSilent | MediaEvent::LegSocketFailed(_) => {
                        tracing::warn!("agent's media failed or went silent; ending the call");
                        call.context.distributor.ended(call.id());
                        return end_both(call, &stage, CallOutcome::AnsweredByAgent);
                    }
                }
            }
            notice = notices.recv() => {
                let Some(notice) = notice else {
                    return end_both(call, &stage, CallOutcome::Failed);
                };
                match notice {
                    Notice::Offer { agent, .. } => {
                        if let Some(ringing) = ring(call, &agent).await {
                            stage = ringing;
                            call.show(board::Stage::Ringing, Some(&agent));
                        } else {
                            call.ring_failed();
                        }
                    }
                    Notice::RingTimeout { .. } => {
                        if let Stage::Ringing { leg, agent, .. } = &stage {
                            tracing::info!(%agent, "the agent did not answer in time; waiting again");
                            leg.send(Command::Hangup);
                            stage = Stage::Waiting;
                            call.show(board::Stage::Waiting, None);
                        }
                    }
                    Notice::MaxWait { .. } => {
                        tracing::info!(%queue, "maximum wait reached: call-back request kept");
                        return leave_with_callback(call, &stage, queue, CallbackReason::MaxWait, &["12", "queue-callback-taken"]).await;
                    }
                }
            }
            () = tokio::time::sleep_until(announce_at.into()) => {
                next_announcement = Instant::now() + announce_every;
                if let Some(place) = context.distributor.position(call.id()).await {
                    next_announcement += announce(call, place);
                }
            }
        }
    }
}

/// The caller's place, then the call-back offer, then the hold music again; how long
/// the words take.
fn announce(call: &mut QueuedCall<'_>, place: usize) -> Duration {
    let mut ids = place_announcement(place);
    ids.push("queue-callback-offer");
    call.play_then_hold(&ids)
}

/// Handles one SIP event of the caller's leg or the agent's; the outcome when the call
/// is over.
async fn on_sip_event(
    call: &mut QueuedCall<'_>,
    stage: &mut Stage,
    event: CallEvent,
    entered: Instant,
) -> Option<CallOutcome> {
    let from_caller = event_call(&event) == call.commands.call();
    if from_caller {
        return match event {
            CallEvent::Ended { .. } => {
                let talked = matches!(stage, Stage::Connecting { .. } | Stage::Bridged { .. });
                if talked {
                    call.context.distributor.ended(call.id());
                } else {
                    tracing::info!(waited = ?entered.elapsed(), "caller hung up while waiting");
                    call.context.distributor.leave(call.id());
                }
                if let Some(leg) = leg_of(stage) {
                    leg.send(Command::Hangup);
                }
                Some(if talked {
                    CallOutcome::AnsweredByAgent
                } else {
                    CallOutcome::Abandoned
                })
            }
            CallEvent::Reoffer { offer, .. } => {
                super::task::answer_reoffer(
                    call.media,
                    call.answer,
                    call.commands,
                    &offer,
                    call.setup.signalling_from,
                );
                None
            }
            _ => None,
        };
    }
    let is_current_leg = leg_of(stage).is_some_and(|leg| leg.call() == event_call(&event));
    if !is_current_leg {
        return None; // a leg given up (ring timeout) finishing its CANCEL
    }
    match event {
        CallEvent::Progress { status, .. } => {
            tracing::debug!(status, "agent's phone progress");
            None
        }
        CallEvent::Answered { answer, .. } => {
            let Stage::Ringing {
                leg,
                agent,
                socket,
                leg_sdp,
            } = std::mem::replace(stage, Stage::Waiting)
            else {
                return None;
            };
            let negotiated = sdp::parse_offer(&answer).and_then(|a| sdp::negotiate(&a));
            let (Ok(negotiated), Some(socket)) = (negotiated, socket) else {
                tracing::warn!(%agent, "the agent's answer has no usable SDP; hanging up that leg");
                leg.send(Command::Hangup);
                call.ring_failed();
                return None;
            };
            tracing::info!(%agent, codec = ?negotiated.codec, "agent answered");
            call.media.add_leg(socket, &negotiated);
            call.context.distributor.answered(call.id());
            call.record.agent_answered(&agent);
            call.show(board::Stage::Talking, Some(&agent));
            let mut ids: Vec<String> = agent.chars().map(|d| format!("digit-{d}")).collect();
            ids.push("30".to_string());
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            call.play(&ids);
            *stage = Stage::Connecting { leg, leg_sdp };
            None
        }
        CallEvent::Reoffer { offer, .. } => {
            if let Stage::Connecting { leg, leg_sdp } | Stage::Bridged { leg, leg_sdp } = stage {
                let negotiated = sdp::parse_offer(&offer).and_then(|o| sdp::negotiate(&o));
                match negotiated {
                    Ok(negotiated) => {
                        call.media.renegotiate_leg(&negotiated);
                        leg_sdp.version += 1;
                        leg.send(Command::AnswerReoffer(leg_sdp.sdp(&negotiated)));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the agent's re-INVITE refused with 488");
                        leg.send(Command::RejectReoffer(488));
                    }
                }
            }
            None
        }
        CallEvent::Ended { reason, .. } => match stage {
            Stage::Ringing { agent, .. } => {
                tracing::info!(%agent, ?reason, "the agent's phone did not take the call");
                call.ring_failed();
                *stage = Stage::Waiting;
                None
            }
            _ => {
                tracing::info!(?reason, "the agent hung up; ending the caller's leg");
                call.context.distributor.ended(call.id());
                call.commands.send(Command::Hangup);
                Some(CallOutcome::AnsweredByAgent)
            }
        },
        _ => None,
    }
}

/// Rings `agent`'s newest registered phone; None when there is none or no RTP port.
async fn ring(call: &mut QueuedCall<'_>, agent: &str) -> Option<Stage> {
    let context = call.context;
    let binding = context.desk.newest_binding(agent).await?;
    let Ok(destination) = binding.source.parse::<SocketAddr>() else {
        tracing::warn!(%agent, source = %binding.source, "binding with an unusable source address");
        return None;
    };
    let socket = context.rtp_ports.bind(context.rtp_ip).ok()?;
    let port = socket.local_addr().ok()?.port();
    let local_rtp = SocketAddr::new(advertised_ip(context.rtp_ip, destination), port);
    let leg_sdp = Answer {
        local_rtp,
        session_id: u64::from(rand::random::<u32>()),
        version: 1,
    };
    let offer = sdp::offer(
        local_rtp,
        &[G711::Ulaw, G711::Alaw],
        Some(101),
        leg_sdp.session_id,
    );
    let caller = &call.setup.caller;
    let headers = call.context_headers();
    let invite = OutgoingInvite {
        request_uri: binding.contact.clone(),
        destination,
        transport: if binding.transport.eq_ignore_ascii_case("tcp") {
            Transport::Tcp
        } else {
            Transport::Udp
        },
        from: format!("\"{caller}\" <sip:{caller}@{}>", context.sip_host),
        to: format!("<sip:{agent}@{}>", context.sip_host),
        sdp: offer,
        headers,
    };
    tracing::info!(%agent, contact = %binding.contact, "ringing the agent's phone");
    let leg = call.commands.dial(invite).await?;
    Some(Stage::Ringing {
        leg,
        agent: agent.to_string(),
        socket: Some(socket),
        leg_sdp,
    })
}

/// Hangs up the caller and the agent's leg if there is one.
fn end_both(call: &QueuedCall<'_>, stage: &Stage, outcome: CallOutcome) -> CallOutcome {
    if let Some(leg) = leg_of(stage) {
        leg.send(Command::Hangup);
    }
    call.commands.send(Command::Hangup);
    outcome
}

pub(super) fn leg_of(stage: &Stage) -> Option<&CommandSender> {
    match stage {
        Stage::Ringing { leg, .. } | Stage::Connecting { leg, .. } | Stage::Bridged { leg, .. } => {
            Some(leg)
        }
        Stage::Waiting => None,
    }
}
