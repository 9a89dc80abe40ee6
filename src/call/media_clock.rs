//! The media clock: a few threads, each driving the RTP of many calls on one 20 ms
//! schedule, so that a packet costs a `sendto` and a share of one wake-up rather than a
//! timer, a task wake-up and a poll of its own.
//!
//! Each clock thread ("shard") owns the [`MediaPath`] of the calls attached to it. Every
//! tick it goes through them in order: takes the call task's commands (play, stop,
//! renegotiate, recording), drains the call's socket without blocking (keys detected go
//! back to the call task as [`MediaEvent`]s), and sends the frames due. Between ticks it
//! sleeps until the next one, computed from its start so lateness never accumulates;
//! a tick that overran is not repeated (each call's [`crate::media::Pacer`] catches up or
//! skips, as before). An idle shard blocks until a call is attached. The threads and
//! their schedule are [`crate::clock`]; this module is what they do for the server.
//!
//! Decisions and their costs:
//! - keys are seen at the next tick after their packet arrives (at most 20 ms later),
//!   which no caller can hear; the call task is woken only for a key, the end of a
//!   prompt, silence, or a recording it asked for;
//! - commands and events go through channels, never a lock shared per packet; a call
//!   task that ends drops its [`MediaHandle`], and the shard drops the call's media (and
//!   its socket) at the next tick;
//! - `PlaybackFinished` carries the number of the `play` it ends, so a prompt that ends
//!   just as the caller barges in is not taken for the end of the next one;
//! - each call keeps its own socket (one port per call, as its SDP says): symmetric RTP
//!   latching stays unambiguous, at the price of one `sendto` per packet (`sendmmsg`
//!   batches only on one socket).
//! - the agent's leg of a bridged call ([`MediaHandle::add_leg`]) lives in the caller's
//!   stream, so the bridge relays packets inside one thread, on the caller's tick (see
//!   [`super::media_bridge`]); its socket failing or going silent is reported as
//!   [`MediaEvent::LegSocketFailed`] (the leg is dropped, the caller's media goes on)
//!   or [`MediaEvent::LegSilent`] (once per leg);
//! - while bridged the caller hears the agent: `bridge` stops the prompt playing, and
//!   a `play` during the bridge waits, unheard, until `drop_leg` (its
//!   `PlaybackFinished` comes only after it has been heard).

use std::io;
use std::sync::mpsc::{self as sync_channel, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::media_bridge::AgentLeg;
use super::media_path::MediaPath;
use crate::clock::{ClockThreads, Shard};
use crate::media::{Key, Recorded};
use crate::metrics::{DtmfMethod, Metrics};
use crate::prompts::Prompt;
use crate::sdp::Negotiated;

/// A caller silent this long (no RTP at all) is reported as [`MediaEvent::CallerSilent`].
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);

/// What the media of a call tells its call task.
#[derive(Debug)]
pub enum MediaEvent {
    /// The caller pressed a key (RFC 4733 event or in-band tone).
    Key(Key, DtmfMethod),
    /// The playlist of the `play` with this number has been sent to its end.
    PlaybackFinished(u64),
    /// No RTP from the caller for [`MEDIA_TIMEOUT`].
    CallerSilent,
    /// The call's RTP socket failed; its media has stopped.
    SocketFailed(io::Error),
    /// No RTP from the agent's leg for [`MEDIA_TIMEOUT`] (reported once per leg).
    LegSilent,
    /// The agent's leg's RTP socket failed; the leg is dropped (and the bridge with it),
    /// the caller's media goes on.
    LegSocketFailed(io::Error),
}

/// What a call task asks of its media.
enum Command {
    Play(u64, Vec<Arc<Prompt>>),
    Stop,
    Renegotiate(Box<Negotiated>),
    StartRecording(Duration),
    StopRecording,
    TakeRecording(oneshot::Sender<Option<Recorded>>),
    AddLeg(std::net::UdpSocket, Box<Negotiated>),
    RenegotiateLeg(Box<Negotiated>),
    Bridge,
    DropLeg,
}

/// A call's media, handed to a shard.
struct Attach {
    socket: std::net::UdpSocket,
    negotiated: Negotiated,
    commands: Receiver<Command>,
    events: mpsc::UnboundedSender<MediaEvent>,
}

/// The clock threads; calls are attached to them in turn.
pub struct MediaClock {
    threads: ClockThreads<Attach>,
}

impl MediaClock {
    /// Starts `shards` clock threads (at least one).
    pub fn start(shards: usize, metrics: Arc<Metrics>) -> io::Result<MediaClock> {
        let threads = ClockThreads::start("media-clock", shards, || MediaShard {
            metrics: metrics.clone(),
        })?;
        Ok(MediaClock { threads })
    }

    /// Starts the media of an answered call on `socket` (non-blocking); the first frame
    /// goes out at the next tick.
    pub fn attach(&self, socket: std::net::UdpSocket, negotiated: &Negotiated) -> MediaHandle {
        let (commands, commands_received) = sync_channel::channel();
        let (events_sent, events) = mpsc::unbounded_channel();
        let attach = Attach {
            socket,
            negotiated: negotiated.clone(),
            commands: commands_received,
            events: events_sent,
        };
        if let Err(refused) = self.threads.attach(attach) {
            // The clock thread is gone (it panicked): the call hears nothing and ends.
            let _ = refused
                .events
                .send(MediaEvent::SocketFailed(io::Error::other(
                    "media clock thread stopped",
                )));
        }
        MediaHandle {
            commands,
            events,
            plays: 0,
        }
    }
}

/// One clock thread's share of the calls: their media, and the counters they add to.
struct MediaShard {
    metrics: Arc<Metrics>,
}

impl Shard for MediaShard {
    type Attach = Attach;
    type Stream = Stream;

    fn attach(&mut self, attach: Attach, tick: Instant) -> Stream {
        Stream {
            path: MediaPath::new(attach.socket, &attach.negotiated, tick),
            agent: None,
            commands: attach.commands,
            events: attach.events,
            playing: None,
            reported_silent: false,
        }
    }

    fn tick(&mut self, stream: &mut Stream, now: Instant) -> bool {
        stream.tick(now, &self.metrics)
    }
}

/// The call task's end of its media: commands in, events out. Dropping it ends the media.
pub struct MediaHandle {
    commands: Sender<Command>,
    events: mpsc::UnboundedReceiver<MediaEvent>,
    plays: u64,
}

impl MediaHandle {
    /// Replaces what is playing with `prompts`; returns the number its
    /// [`MediaEvent::PlaybackFinished`] will carry.
    pub fn play(&mut self, prompts: Vec<Arc<Prompt>>) -> u64 {
        self.plays += 1;
        self.send(Command::Play(self.plays, prompts));
        self.plays
    }

    /// Stops what is playing (silence follows).
    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    /// Takes a new SDP negotiation (re-INVITE).
    pub fn renegotiate(&self, negotiated: &Negotiated) {
        self.send(Command::Renegotiate(Box::new(negotiated.clone())));
    }

    /// Starts recording the caller (at most `max`), replacing an earlier recording.
    pub fn start_recording(&self, max: Duration) {
        self.send(Command::StartRecording(max));
    }

    /// Stops recording; the recording waits for [`MediaHandle::take_recording`].
    pub fn stop_recording(&self) {
        self.send(Command::StopRecording);
    }

    /// Stops recording and asks for what was recorded since the last take (None when
    /// too short to keep); the answer comes at the next tick.
    pub fn take_recording(&self) -> oneshot::Receiver<Option<Recorded>> {
        let (reply, recording) = oneshot::channel();
        self.send(Command::TakeRecording(reply));
        recording
    }

    /// Adds the agent's leg to this call's media: RTP on `socket` (non-blocking, already
    /// bound) towards the agent's phone as `negotiated` (the agent's SDP answer run
    /// through `sdp::parse_offer` + `sdp::negotiate`). Until [`MediaHandle::bridge`],
    /// the leg sends paced silence to the agent and its received audio is discarded. A
    /// leg added while another exists replaces it.
    pub fn add_leg(&self, socket: std::net::UdpSocket, negotiated: &Negotiated) {
        self.send(Command::AddLeg(socket, Box::new(negotiated.clone())));
    }

    /// Takes a new SDP negotiation of the agent's leg (a re-INVITE from the agent's
    /// phone): destination, codec, hold. Without a leg, nothing happens.
    pub fn renegotiate_leg(&self, negotiated: &Negotiated) {
        self.send(Command::RenegotiateLeg(Box::new(negotiated.clone())));
    }

    /// From the next tick: the caller's audio to the agent's leg and the agent's to the
    /// caller, stopping any prompt playing to the caller. RFC 4733 events received on
    /// one side are relayed to the other with that side's negotiated telephone-event
    /// payload type, and dropped when that side negotiated none. Without a leg, nothing
    /// happens.
    pub fn bridge(&self) {
        self.send(Command::Bridge);
    }

    /// Ends the bridge and drops the agent's leg (its socket closes); the caller's path
    /// goes back to silence and prompts.
    pub fn drop_leg(&self) {
        self.send(Command::DropLeg);
    }

    /// The next event of the call's media; None only if the clock thread is gone.
    pub async fn next_event(&mut self) -> Option<MediaEvent> {
        self.events.recv().await
    }

    fn send(&self, command: Command) {
        // A send fails only when the shard has already dropped this call's media after
        // a socket failure, which the call task hears as an event.
        let _ = self.commands.send(command);
    }
}

/// One attached call, as its shard holds it.
struct Stream {
    path: MediaPath,
    agent: Option<AgentLeg>,
    commands: Receiver<Command>,
    events: mpsc::UnboundedSender<MediaEvent>,
    playing: Option<u64>,
    reported_silent: bool,
}

impl Stream {
    /// One tick of this call's media. Returns false when the call's media has ended.
    fn tick(&mut self, now: Instant, metrics: &Metrics) -> bool {
        loop {
            match self.commands.try_recv() {
                Ok(command) => self.apply(command, now, metrics),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.flush_counts(metrics);
                    return false;
                }
            }
        }
        let events = &self.events;
        let to_agent = self.agent.as_mut().and_then(AgentLeg::relay_to_agent);
        if let Err(error) = self.path.drain_received(now, to_agent, |key, method| {
            let _ = events.send(MediaEvent::Key(key, method));
        }) {
            let _ = self.events.send(MediaEvent::SocketFailed(error));
            self.flush_counts(metrics);
            return false;
        }
        if let Some(agent) = self.agent.as_mut() {
            if let Err(error) = agent.drain_received(now) {
                let _ = self.events.send(MediaEvent::LegSocketFailed(error));
                self.drop_leg(metrics);
            }
        }
        if !self.reported_silent && self.path.silent_for(MEDIA_TIMEOUT, now) {
            self.reported_silent = true;
            let _ = self.events.send(MediaEvent::CallerSilent);
        }
        if let Some(agent) = self.agent.as_mut() {
            if agent.newly_silent(MEDIA_TIMEOUT, now) {
                let _ = self.events.send(MediaEvent::LegSilent);
            }
        }
        let from_agent = self.agent.as_mut().and_then(AgentLeg::relay_to_caller);
        if self.path.send_due(now, metrics, from_agent) {
            if let Some(play) = self.playing.take() {
                let _ = self.events.send(MediaEvent::PlaybackFinished(play));
            }
        }
        if let Some(agent) = self.agent.as_mut() {
            agent.send_due(now, metrics);
        }
        true
    }

    fn drop_leg(&mut self, metrics: &Metrics) {
        if let Some(mut agent) = self.agent.take() {
            agent.flush_counts(metrics);
        }
    }

    fn flush_counts(&mut self, metrics: &Metrics) {
        self.path.flush_counts(metrics);
        if let Some(agent) = self.agent.as_mut() {
            agent.flush_counts(metrics);
        }
    }

    fn apply(&mut self, command: Command, now: Instant, metrics: &Metrics) {
        match command {
            Command::Play(play, prompts) => {
                self.path.play(prompts);
                self.playing = Some(play);
            }
            Command::Stop => {
                self.path.stop();
                self.playing = None;
            }
            Command::Renegotiate(negotiated) => {
                self.path.renegotiate(&negotiated);
                if let Some(agent) = self.agent.as_mut() {
                    agent.rebuild_bridge(&self.path);
                }
            }
            Command::StartRecording(max) => self.path.start_recording(max),
            Command::StopRecording => self.path.stop_recording(),
            Command::TakeRecording(reply) => {
                let _ = reply.send(self.path.take_recording());
            }
            Command::AddLeg(socket, negotiated) => {
                self.drop_leg(metrics);
                self.agent = Some(AgentLeg::new(socket, &negotiated, now));
            }
            Command::RenegotiateLeg(negotiated) => {
                if let Some(agent) = self.agent.as_mut() {
                    agent.renegotiate(&negotiated, &self.path);
                }
            }
            Command::Bridge => {
                if let Some(agent) = self.agent.as_mut() {
                    self.path.stop();
                    self.playing = None;
                    agent.bridge(&self.path);
                }
            }
            Command::DropLeg => self.drop_leg(metrics),
        }
    }
}
