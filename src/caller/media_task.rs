//! The caller's RTP task: sends a packet every 20 ms from the outgoing stream (silence,
//! tones, telephone-events), and receives the server's stream into the statistics and
//! the prompt matcher. One task per call owns the socket; the call talks to it by
//! commands, and it reports each prompt heard as an event.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio::time::{interval_at, Instant, MissedTickBehavior};

use super::call::Event;
use super::outgoing::{Outgoing, OutgoingStream};
use super::prompt_match::{PromptIndex, PromptMatcher};
use super::rtp_stats::RtpStats;
use super::AbortOnDrop;
use crate::media::{parse_rtp, FRAME_DURATION, G711};

/// Largest RTP datagram read.
const MAX_DATAGRAM: usize = 2048;

pub enum Command {
    /// Queue this for sending; the sender fires once it has gone out completely.
    Send(Outgoing, oneshot::Sender<()>),
    Stats(oneshot::Sender<RtpStats>),
}

/// What the media task needs to know about the negotiated session.
pub struct MediaSetup {
    pub socket: UdpSocket,
    pub remote: SocketAddr,
    pub codec: G711,
    pub telephone_event: Option<u8>,
    pub prompts: Option<Arc<PromptIndex>>,
}

pub struct MediaHandle {
    commands: UnboundedSender<Command>,
    _task: AbortOnDrop,
}

impl MediaHandle {
    pub fn spawn(setup: MediaSetup, events: UnboundedSender<Event>) -> MediaHandle {
        let (commands, receiver) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(setup, receiver, events));
        MediaHandle {
            commands,
            _task: AbortOnDrop(task),
        }
    }

    /// Sends `item` and waits until it has gone out; false if the stream refused it
    /// (an event with no telephone-event negotiated) or the task has ended.
    pub async fn send(&self, item: Outgoing) -> bool {
        let (done, sent) = oneshot::channel();
        self.commands.send(Command::Send(item, done)).is_ok() && sent.await.is_ok()
    }

    pub async fn stats(&self) -> Option<RtpStats> {
        let (reply, stats) = oneshot::channel();
        self.commands.send(Command::Stats(reply)).ok()?;
        stats.await.ok()
    }
}

async fn run(
    setup: MediaSetup,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) {
    let MediaSetup {
        socket,
        remote,
        codec,
        telephone_event,
        prompts,
    } = setup;
    let mut stream = OutgoingStream::new(
        rand::random(),
        rand::random(),
        rand::random(),
        codec,
        telephone_event,
    );
    let mut matcher = prompts.map(|index| PromptMatcher::new(index, codec));
    let mut stats = RtpStats::default();
    let mut waiting: VecDeque<oneshot::Sender<()>> = VecDeque::new();
    let mut ticks = interval_at(Instant::now(), FRAME_DURATION);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut out = Vec::with_capacity(MAX_DATAGRAM);
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if stream.next_packet(&mut out) {
                    if let Some(done) = waiting.pop_front() {
                        let _ = done.send(());
                    }
                }
                // A lost packet is what UDP does; the stream goes on.
                let _ = socket.send_to(&out, remote).await;
            }
            received = socket.recv_from(&mut buf) => {
                let Ok((n, _from)) = received else { continue };
                let now = std::time::Instant::now();
                let Some(packet) = parse_rtp(&buf[..n]) else { continue };
                if packet.payload_type != codec.payload_type() {
                    continue;
                }
                stats.record(
                    packet.marker,
                    packet.sequence,
                    packet.timestamp,
                    packet.ssrc,
                    packet.payload.len() as u32,
                    now,
                );
                let heard = matcher.as_mut().and_then(|m| m.on_frame(packet.sequence, packet.payload));
                if let Some(prompt) = heard {
                    let _ = events.send(Event::Heard(prompt));
                }
            }
            command = commands.recv() => match command {
                None => break,
                Some(Command::Send(item, done)) => {
                    if stream.push(item).is_ok() {
                        waiting.push_back(done);
                    }
                }
                Some(Command::Stats(reply)) => {
                    let _ = reply.send(stats.clone());
                }
            },
        }
    }
}
