//! The bridge on real loopback sockets: a media clock with one shard, a caller's phone
//! speaking PCMU and an agent's phone speaking PCMA (both plain UDP sockets here), driven
//! through [`MediaHandle`] as the call task drives it.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::media_clock::{MediaClock, MediaEvent, MediaHandle};
use crate::media::{parse_rtp, FRAME_SAMPLES, G711};
use crate::metrics::{DtmfMethod, Metrics};
use crate::sdp::{Direction, Negotiated};

const CALLER_EVENT_PT: u8 = 101;
const AGENT_EVENT_PT: u8 = 96;

#[derive(Debug, Clone)]
struct Packet {
    payload_type: u8,
    marker: bool,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    payload: Vec<u8>,
}

/// A phone: its socket, its outgoing RTP numbering, and what it has received.
struct Phone {
    socket: UdpSocket,
    codec: G711,
    sequence: u16,
    timestamp: u32,
    received: Vec<Packet>,
}

impl Phone {
    fn new(codec: G711) -> Phone {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        Phone {
            socket,
            codec,
            sequence: 1,
            timestamp: 1000,
            received: Vec::new(),
        }
    }

    /// What the server negotiated with this phone.
    fn negotiated(&self, telephone_event: u8) -> Negotiated {
        Negotiated {
            remote_rtp: self.socket.local_addr().unwrap(),
            codec: self.codec,
            codec_pt: self.codec.payload_type(),
            telephone_event: Some(telephone_event),
            direction: Direction::SendRecv,
            audio_index: 0,
            declined: Vec::new(),
            latch_first: false,
        }
    }

    fn send(&mut self, to: SocketAddr, payload_type: u8, timestamp: u32, payload: &[u8]) {
        let mut datagram = vec![0x80, payload_type];
        datagram.extend(self.sequence.to_be_bytes());
        datagram.extend(timestamp.to_be_bytes());
        datagram.extend(0x5EED_u32.to_be_bytes());
        datagram.extend(payload);
        self.socket.send_to(&datagram, to).unwrap();
        self.sequence = self.sequence.wrapping_add(1);
    }

    fn send_audio(&mut self, to: SocketAddr, frame: &[u8]) {
        self.send(to, self.codec.payload_type(), self.timestamp, frame);
        self.timestamp = self.timestamp.wrapping_add(frame.len() as u32);
    }

    fn receive(&mut self) {
        let mut buffer = [0u8; 2048];
        while let Ok((len, _)) = self.socket.recv_from(&mut buffer) {
            let view = parse_rtp(&buffer[..len]).expect("the server sends RTP");
            self.received.push(Packet {
                payload_type: view.payload_type,
                marker: view.marker,
                sequence: view.sequence,
                timestamp: view.timestamp,
                ssrc: view.ssrc,
                payload: view.payload.to_vec(),
            });
        }
    }

    /// The audio frames received, silence left out.
    fn heard(&self) -> Vec<Vec<u8>> {
        let silence = self.codec.encode(0);
        self.received
            .iter()
            .filter(|packet| packet.payload_type == self.codec.payload_type())
            .filter(|packet| packet.payload.iter().any(|&byte| byte != silence))
            .map(|packet| packet.payload.clone())
            .collect()
    }
}

/// Frame `index` of a 440 Hz tone whose loudness grows frame by frame (each frame
/// differs from the others).
fn tone_frame(index: usize) -> Vec<i16> {
    let amplitude = 2000.0 + 400.0 * index as f64;
    (index * FRAME_SAMPLES..(index + 1) * FRAME_SAMPLES)
        .map(|n| (amplitude * (n as f64 * std::f64::consts::TAU * 440.0 / 8000.0).sin()) as i16)
        .collect()
}

/// Checks that `heard` is `sent` (PCM) as it comes through `from` → `to`: byte for byte
/// the transcoded frames, in order, few lost, and close to the original samples.
fn assert_heard(heard: &[Vec<u8>], sent: &[Vec<i16>], from: G711, to: G711) {
    let expected: Vec<Vec<u8>> = sent
        .iter()
        .map(|pcm| {
            pcm.iter()
                .map(|&sample| to.encode(from.decode(from.encode(sample))))
                .collect()
        })
        .collect();
    assert!(
        heard.len() + 2 >= expected.len(),
        "heard {} of {} frames",
        heard.len(),
        expected.len()
    );
    let mut next = 0;
    for frame in heard {
        let position = expected[next..]
            .iter()
            .position(|candidate| candidate == frame)
            .expect("a frame that was sent, in order");
        let index = next + position;
        for (&byte, &original) in frame.iter().zip(&sent[index]) {
            let error = (i32::from(to.decode(byte)) - i32::from(original)).abs();
            assert!(error <= i32::from(original).abs() / 10 + 64, "{original}");
        }
        next = index + 1;
    }
}

struct Bridged {
    _clock: MediaClock,
    handle: MediaHandle,
    caller: Phone,
    agent: Phone,
    to_caller_side: SocketAddr,
    to_agent_side: SocketAddr,
    start: Instant,
    ticks: u32,
}

impl Bridged {
    /// A call from a PCMU caller with an agent's PCMA leg added (not bridged yet).
    fn start() -> Bridged {
        let clock = MediaClock::start(1, Arc::new(Metrics::new())).unwrap();
        let caller = Phone::new(G711::Ulaw);
        let agent = Phone::new(G711::Alaw);
        let caller_side = UdpSocket::bind("127.0.0.1:0").unwrap();
        let agent_side = UdpSocket::bind("127.0.0.1:0").unwrap();
        caller_side.set_nonblocking(true).unwrap();
        agent_side.set_nonblocking(true).unwrap();
        let to_caller_side = caller_side.local_addr().unwrap();
        let to_agent_side = agent_side.local_addr().unwrap();
        let handle = clock.attach(caller_side, &caller.negotiated(CALLER_EVENT_PT));
        handle.add_leg(agent_side, &agent.negotiated(AGENT_EVENT_PT));
        Bridged {
            _clock: clock,
            handle,
            caller,
            agent,
            to_caller_side,
            to_agent_side,
            start: Instant::now(),
            ticks: 0,
        }
    }

    /// Waits for the next 20 ms step of the phones, then reads what they received.
    fn step(&mut self) {
        self.ticks += 1;
        let due = self.start + Duration::from_millis(20) * self.ticks;
        sleep(due.saturating_duration_since(Instant::now()));
        self.caller.receive();
        self.agent.receive();
    }

    /// `count` steps of nothing sent, then forget what was received.
    fn settle(&mut self, count: usize) {
        for _ in 0..count {
            self.step();
        }
        self.caller.received.clear();
        self.agent.received.clear();
    }

    /// Both phones talk for `frames` steps (then a few to drain the queues); returns
    /// what each sent as PCM (caller's, agent's).
    fn talk(&mut self, frames: usize) -> (Vec<Vec<i16>>, Vec<Vec<i16>>) {
        let (mut from_caller, mut from_agent) = (Vec::new(), Vec::new());
        for index in 0..frames {
            let caller_pcm = tone_frame(index);
            let agent_pcm = tone_frame(index + 100);
            let (caller_codec, agent_codec) = (self.caller.codec, self.agent.codec);
            let caller_bytes: Vec<u8> =
                caller_pcm.iter().map(|&s| caller_codec.encode(s)).collect();
            let agent_bytes: Vec<u8> = agent_pcm.iter().map(|&s| agent_codec.encode(s)).collect();
            self.caller.send_audio(self.to_caller_side, &caller_bytes);
            self.agent.send_audio(self.to_agent_side, &agent_bytes);
            from_caller.push(caller_pcm);
            from_agent.push(agent_pcm);
            self.step();
        }
        for _ in 0..8 {
            self.step();
        }
        (from_caller, from_agent)
    }
}

fn next_event(handle: &mut MediaHandle) -> Option<MediaEvent> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(1), handle.next_event())
                .await
                .ok()
                .flatten()
        })
}

#[test]
fn a_leg_sends_silence_and_is_not_heard_until_bridged() {
    let mut call = Bridged::start();
    call.settle(2);
    call.talk(10);
    let to_agent = &call.agent.received;
    assert!(
        to_agent.len() >= 8,
        "paced silence to the agent: {}",
        to_agent.len()
    );
    assert!(to_agent
        .iter()
        .all(|packet| packet.payload_type == 8 && packet.payload == [0xD5; FRAME_SAMPLES]));
    assert!(call.caller.received.len() >= 8);
    assert_eq!(
        call.caller.heard(),
        Vec::<Vec<u8>>::new(),
        "the agent unheard"
    );
}

#[test]
fn bridged_phones_hear_each_other_transcoded_and_keys_cross_with_the_agents_type() {
    let mut call = Bridged::start();
    call.handle.bridge();
    call.settle(3);

    let (from_caller, from_agent) = call.talk(25);
    assert_heard(&call.agent.heard(), &from_caller, G711::Ulaw, G711::Alaw);
    assert_heard(&call.caller.heard(), &from_agent, G711::Alaw, G711::Ulaw);
    // The agent's side is one RTP stream: consecutive sequence numbers, 160 a frame (a
    // multiple of it if the loaded test machine made the clock skip frames).
    for pair in call.agent.received.windows(2) {
        assert_eq!(pair[1].sequence, pair[0].sequence.wrapping_add(1));
        let advance = pair[1].timestamp.wrapping_sub(pair[0].timestamp);
        assert!(advance >= 160 && advance % 160 == 0, "{advance}");
        assert_eq!(pair[1].ssrc, pair[0].ssrc);
    }
    let agent_stream = call.agent.received[0].ssrc;
    call.settle(0);

    // The caller presses 5: start, two updates, the end packet three times.
    let blocks = [
        [5, 0x0A, 0x00, 0x00],
        [5, 0x0A, 0x00, 0xA0],
        [5, 0x0A, 0x01, 0x40],
        [5, 0x8A, 0x01, 0xE0],
        [5, 0x8A, 0x01, 0xE0],
        [5, 0x8A, 0x01, 0xE0],
    ];
    for (index, block) in blocks.iter().enumerate() {
        let (to, timestamp) = (call.to_caller_side, call.caller.timestamp);
        call.caller.send(
            to,
            CALLER_EVENT_PT | if index == 0 { 0x80 } else { 0 },
            timestamp,
            block,
        );
        call.step();
    }
    for _ in 0..4 {
        call.step();
    }
    let events: Vec<&Packet> = call
        .agent
        .received
        .iter()
        .filter(|packet| packet.payload_type != 8)
        .collect();
    assert_eq!(events.len(), blocks.len(), "{events:?}");
    for (index, (event, block)) in events.iter().zip(&blocks).enumerate() {
        assert_eq!(event.payload_type, AGENT_EVENT_PT);
        assert_eq!(event.payload, block);
        assert_eq!(
            event.timestamp, events[0].timestamp,
            "one timestamp per event"
        );
        assert_eq!(event.marker, index == 0);
        assert_eq!(event.ssrc, agent_stream);
    }
    for pair in call.agent.received.windows(2) {
        assert_eq!(pair[1].sequence, pair[0].sequence.wrapping_add(1));
    }
    // Key detection goes on on the caller's path while bridged.
    match next_event(&mut call.handle) {
        Some(MediaEvent::Key(key, DtmfMethod::Rfc4733)) => assert_eq!(key.as_char(), '5'),
        other => panic!("expected the key 5, got {other:?}"),
    }
}

#[test]
fn a_dropped_leg_stops_the_agent_side_and_the_caller_hears_silence_again() {
    let mut call = Bridged::start();
    call.handle.bridge();
    call.settle(3);
    let (_, from_agent) = call.talk(5);
    assert_heard(&call.caller.heard(), &from_agent, G711::Alaw, G711::Ulaw);

    call.handle.drop_leg();
    call.settle(3);
    call.talk(10);
    assert!(call.agent.received.is_empty(), "nothing more to the agent");
    assert!(call.caller.received.len() >= 8, "the caller's path goes on");
    assert_eq!(call.caller.heard(), Vec::<Vec<u8>>::new());
}

#[test]
fn an_agent_renegotiating_its_codec_mid_bridge_is_still_heard_right() {
    let mut call = Bridged::start();
    call.handle.bridge();
    call.settle(3);
    call.agent.codec = G711::Ulaw;
    call.handle
        .renegotiate_leg(&call.agent.negotiated(AGENT_EVENT_PT));
    call.settle(3);
    let (from_caller, from_agent) = call.talk(10);
    assert_heard(&call.agent.heard(), &from_caller, G711::Ulaw, G711::Ulaw);
    assert_heard(&call.caller.heard(), &from_agent, G711::Ulaw, G711::Ulaw);
    assert!(call
        .agent
        .received
        .iter()
        .all(|packet| packet.payload_type == 0));
}

#[test]
fn a_caller_renegotiating_its_codec_mid_bridge_is_still_heard_right() {
    let mut call = Bridged::start();
    call.handle.bridge();
    call.settle(3);
    call.caller.codec = G711::Alaw;
    call.handle
        .renegotiate(&call.caller.negotiated(CALLER_EVENT_PT));
    call.settle(3);
    let (from_caller, from_agent) = call.talk(10);
    assert_heard(&call.agent.heard(), &from_caller, G711::Alaw, G711::Alaw);
    assert_heard(&call.caller.heard(), &from_agent, G711::Alaw, G711::Alaw);
    assert!(call
        .caller
        .received
        .iter()
        .all(|packet| packet.payload_type == 8));
}
