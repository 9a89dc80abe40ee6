//! The caller's RTP: a clock thread sends every call's outgoing stream (silence, tones,
//! telephone-events) on one 20 ms schedule, and on each tick drains every call's socket
//! into its statistics and prompt matcher. A call talks to its stream by commands and
//! hears each prompt identified as an event, each RFC 4733 key received as an event, and
//! (when it asks) whether a test tone arrived.
//!
//! One thread serving many calls is what lets the load tool hold thousands of calls on
//! the box it measures without spending a core on wake-ups. Arrival times are the
//! kernel's (`SO_TIMESTAMPNS`), not the moment the tick read the packet, so the
//! server's inter-arrival figures are measured as the network delivered them.
//! [`CallerClock::shared`] is the one-thread clock every call uses unless its
//! [`super::CallerConfig`] names another (the load tool starts one per core).

use std::collections::VecDeque;
use std::io::{self, IoSliceMut};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{self as sync_channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use nix::sys::socket::{
    recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, SockaddrStorage,
};
use nix::sys::time::TimeSpec;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;

use super::call::Event;
use super::outgoing::{Outgoing, OutgoingStream};
use super::prompt_match::{PromptIndex, PromptMatcher};
use super::rtp_stats::RtpStats;
use super::tone::{tone_pcm, ToneMeter};
use crate::clock::{ClockThreads, Shard};
use crate::media::{parse_rtp, TelephoneEventReceiver, FRAME_SAMPLES, G711};

/// Largest RTP datagram read.
const MAX_DATAGRAM: usize = 2048;

enum Command {
    /// Queue this for sending; the sender fires once it has gone out completely.
    Send(Outgoing, oneshot::Sender<()>),
    Stats(oneshot::Sender<RtpStats>),
    /// Measure the audio received from now on; the sender fires once the tone is heard.
    Listen(ToneMeter, oneshot::Sender<()>),
}

/// What a call's stream needs to know about the negotiated session.
pub struct MediaSetup {
    pub socket: UdpSocket,
    pub remote: SocketAddr,
    pub codec: G711,
    pub telephone_event: Option<u8>,
    pub prompts: Option<Arc<PromptIndex>>,
}

struct Attach {
    setup: MediaSetup,
    commands: Receiver<Command>,
    events: UnboundedSender<Event>,
}

/// The threads that send and read callers' RTP; calls are attached to them in turn.
pub struct CallerClock {
    threads: ClockThreads<Attach>,
}

impl CallerClock {
    /// Starts `threads` clock threads (at least one).
    pub fn start(threads: usize) -> io::Result<CallerClock> {
        let threads = ClockThreads::start("caller-clock", threads, || CallerShard {
            buffers: Buffers {
                datagram: Box::new([0; MAX_DATAGRAM]),
                control: nix::cmsg_space!(TimeSpec),
                out: Vec::with_capacity(MAX_DATAGRAM),
            },
            arrival: ArrivalClock::now(),
        })?;
        Ok(CallerClock { threads })
    }

    /// The process's one-thread clock, started on first use.
    pub fn shared() -> Arc<CallerClock> {
        static SHARED: OnceLock<Arc<CallerClock>> = OnceLock::new();
        SHARED
            .get_or_init(|| Arc::new(CallerClock::start(1).expect("starting a thread")))
            .clone()
    }

    /// Starts a call's stream (`setup.socket` is made non-blocking); the first packet
    /// goes out at the next tick.
    pub fn attach(
        &self,
        setup: MediaSetup,
        events: UnboundedSender<Event>,
    ) -> io::Result<StreamHandle> {
        setup.socket.set_nonblocking(true)?;
        setsockopt(&setup.socket, sockopt::ReceiveTimestampns, &true)?;
        let (commands, commands_received) = sync_channel::channel();
        self.threads
            .attach(Attach {
                setup,
                commands: commands_received,
                events,
            })
            .map_err(|_| io::Error::other("caller clock thread stopped"))?;
        Ok(StreamHandle { commands })
    }

    /// A stream of PCMU silence to `remote` with no prompt matching and no events: the
    /// caller side of the load tool's bare path.
    pub fn attach_plain(&self, socket: UdpSocket, remote: SocketAddr) -> io::Result<StreamHandle> {
        let (events, _ignored) = tokio::sync::mpsc::unbounded_channel();
        let setup = MediaSetup {
            socket,
            remote,
            codec: G711::Ulaw,
            telephone_event: None,
            prompts: None,
        };
        self.attach(setup, events)
    }
}

/// A call's end of its stream. Dropping it ends the stream.
pub struct StreamHandle {
    commands: Sender<Command>,
}

impl StreamHandle {
    /// Sends `item` and waits until it has gone out; false if the stream refused it
    /// (an event with no telephone-event negotiated) or has ended.
    pub async fn send(&self, item: Outgoing) -> bool {
        let (done, sent) = oneshot::channel();
        self.commands.send(Command::Send(item, done)).is_ok() && sent.await.is_ok()
    }

    /// Queues `item` behind those already queued without waiting for it to go out;
    /// false if the stream has ended.
    pub fn queue(&self, item: Outgoing) -> bool {
        let (done, _not_awaited) = oneshot::channel();
        self.commands.send(Command::Send(item, done)).is_ok()
    }

    /// Queues `duration` of a sine at `hz` as audio; false if the stream has ended.
    pub fn queue_tone(&self, hz: f32, duration: Duration) -> bool {
        self.queue(Outgoing::Audio(tone_pcm(hz, duration)))
    }

    /// Waits until a tone of `hz` is heard in the audio received from now on.
    pub async fn hear_tone(&self, hz: f32, within: Duration) -> Result<(), ToneNotHeard> {
        match tokio::time::timeout(within, self.listen(hz)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(ToneNotHeard::StreamEnded),
            Err(_) => Err(ToneNotHeard::Timeout),
        }
    }

    /// Starts measuring the received audio for a tone of `hz` (replacing any earlier
    /// listening); the receiver fires once it is heard, and is dropped (an error) if
    /// the stream ends first. Dropping the receiver stops the measuring.
    fn listen(&self, hz: f32) -> oneshot::Receiver<()> {
        let (heard, receiver) = oneshot::channel();
        let _ = self
            .commands
            .send(Command::Listen(ToneMeter::new(hz), heard));
        receiver
    }

    pub async fn stats(&self) -> Option<RtpStats> {
        let (reply, stats) = oneshot::channel();
        self.commands.send(Command::Stats(reply)).ok()?;
        stats.await.ok()
    }
}

/// Why [`StreamHandle::hear_tone`] gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToneNotHeard {
    Timeout,
    StreamEnded,
}

/// One call's stream, as its clock thread holds it.
struct Stream {
    socket: UdpSocket,
    remote: SocketAddr,
    codec: G711,
    telephone_event: Option<u8>,
    outgoing: OutgoingStream,
    matcher: Option<PromptMatcher>,
    keys: TelephoneEventReceiver,
    listener: Option<(ToneMeter, oneshot::Sender<()>)>,
    stats: RtpStats,
    waiting: VecDeque<oneshot::Sender<()>>,
    commands: Receiver<Command>,
    events: UnboundedSender<Event>,
}

impl Stream {
    fn attached(attach: Attach) -> Stream {
        let MediaSetup {
            socket,
            remote,
            codec,
            telephone_event,
            prompts,
        } = attach.setup;
        Stream {
            socket,
            remote,
            codec,
            telephone_event,
            outgoing: OutgoingStream::new(
                rand::random(),
                rand::random(),
                rand::random(),
                codec,
                telephone_event,
            ),
            matcher: prompts.map(|index| PromptMatcher::new(index, codec)),
            keys: TelephoneEventReceiver::new(),
            listener: None,
            stats: RtpStats::default(),
            waiting: VecDeque::new(),
            commands: attach.commands,
            events: attach.events,
        }
    }

    /// One tick: commands, then every packet waiting, then one packet out. Returns
    /// false when the call has dropped its handle.
    fn tick(&mut self, buffers: &mut Buffers, arrival: &ArrivalClock) -> bool {
        loop {
            match self.commands.try_recv() {
                Ok(Command::Send(item, done)) => {
                    if self.outgoing.push(item).is_ok() {
                        self.waiting.push_back(done);
                    }
                }
                Ok(Command::Stats(reply)) => {
                    let _ = reply.send(self.stats.clone());
                }
                Ok(Command::Listen(meter, heard)) => self.listener = Some((meter, heard)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
        if self
            .listener
            .as_ref()
            .is_some_and(|(_, heard)| heard.is_closed())
        {
            self.listener = None;
        }
        while let Some((len, at)) = buffers.receive(&self.socket, arrival) {
            self.on_packet(&buffers.datagram[..len], at);
        }
        if self.outgoing.next_packet(&mut buffers.out) {
            if let Some(done) = self.waiting.pop_front() {
                let _ = done.send(());
            }
        }
        // A lost packet is what UDP does; the stream goes on.
        let _ = self.socket.send_to(&buffers.out, self.remote);
        true
    }

    fn on_packet(&mut self, datagram: &[u8], at: Instant) {
        let Some(packet) = parse_rtp(datagram) else {
            return;
        };
        if Some(packet.payload_type) == self.telephone_event {
            if let Some(key) = self.keys.on_packet(&packet, at) {
                let _ = self.events.send(Event::Key(key));
            }
            return;
        }
        if packet.payload_type != self.codec.payload_type() {
            return;
        }
        self.stats.record(
            packet.marker,
            packet.sequence,
            packet.timestamp,
            packet.ssrc,
            packet.payload.len() as u32,
            at,
        );
        let heard = self
            .matcher
            .as_mut()
            .and_then(|matcher| matcher.on_frame(packet.sequence, packet.payload));
        if let Some(prompt) = heard {
            let _ = self.events.send(Event::Heard(prompt));
        }
        if let Some((meter, _)) = &mut self.listener {
            let mut pcm = [0i16; FRAME_SAMPLES];
            let samples = packet.payload.len().min(FRAME_SAMPLES);
            self.codec.decode_into(packet.payload, &mut pcm);
            if meter.push(&pcm[..samples]) {
                if let Some((_, heard)) = self.listener.take() {
                    let _ = heard.send(());
                }
            }
        }
    }
}

/// A clock thread's reusable buffers.
struct Buffers {
    datagram: Box<[u8; MAX_DATAGRAM]>,
    control: Vec<u8>,
    out: Vec<u8>,
}

impl Buffers {
    /// The next datagram waiting on `socket` (its length and the kernel's arrival time),
    /// or None when nothing is waiting (or the socket failed: the call notices by its
    /// signalling, as a phone would).
    fn receive(&mut self, socket: &UdpSocket, arrival: &ArrivalClock) -> Option<(usize, Instant)> {
        let mut iov = [IoSliceMut::new(&mut self.datagram[..])];
        let message = loop {
            match recvmsg::<SockaddrStorage>(
                socket.as_raw_fd(),
                &mut iov,
                Some(&mut self.control),
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(message) => break message,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return None,
            }
        };
        let kernel_time = message.cmsgs().ok()?.find_map(|control| match control {
            ControlMessageOwned::ScmTimestampns(time) => Some(time),
            _ => None,
        });
        let at = kernel_time.map_or_else(Instant::now, |time| arrival.instant_of(time));
        Some((message.bytes, at))
    }
}

/// Turns the kernel's wall-clock arrival stamps into `Instant`s, from one pair of
/// readings taken when the thread started.
struct ArrivalClock {
    instant: Instant,
    wall: SystemTime,
}

impl ArrivalClock {
    fn now() -> ArrivalClock {
        ArrivalClock {
            instant: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    fn instant_of(&self, time: TimeSpec) -> Instant {
        let wall = SystemTime::UNIX_EPOCH + Duration::from(time);
        match wall.duration_since(self.wall) {
            Ok(after) => self.instant + after,
            Err(before) => self
                .instant
                .checked_sub(before.duration())
                .unwrap_or(self.instant),
        }
    }
}

/// One clock thread's buffers and arrival clock, shared by its streams.
struct CallerShard {
    buffers: Buffers,
    arrival: ArrivalClock,
}

impl Shard for CallerShard {
    type Attach = Attach;
    type Stream = Stream;

    fn attach(&mut self, attach: Attach, _tick: Instant) -> Stream {
        Stream::attached(attach)
    }

    fn tick(&mut self, stream: &mut Stream, _now: Instant) -> bool {
        stream.tick(&mut self.buffers, &self.arrival)
    }
}
