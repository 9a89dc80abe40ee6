//! The scripted agent phone (`hotline::caller::AgentPhone`): registering against a real
//! in-process server (on SQLite, and on PostgreSQL too when `DATABASE_URL` names one),
//! and its INVITE handling against a peer scripted in the test from plain UDP sockets:
//! ringing, answering with PCMA, RTP both ways (a 1 kHz tone in, RFC 4733 keys both
//! ways), the server's BYE and ours, rejecting with 486, and a CANCEL while ringing;
//! and the scripted caller dialling the phone directly, each hearing the other's tone.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use common::agents::add_agent;
use common::{key, on_every_backend, TestServer, WAIT};
use hotline::agents::digest::Algorithm;
use hotline::caller::{
    AgentPhone, AgentPhoneConfig, Call, CallerConfig, IncomingInvite, PhoneError,
};
use hotline::media::{parse_rtp, G711};
use hotline::sip::Transport;
use store_common::{backends, TestDb};
use tokio::net::UdpSocket;
use tokio::time::{timeout, Instant};

const AGENT: &str = "1001";
const PASSWORD: &str = "seat-1001-pass";

async fn server_on(db: &TestDb) -> TestServer {
    let server = TestServer::with_lines(&db.url, &[]).await;
    add_agent(&server.server, AGENT, "ordinary", PASSWORD).await;
    server
}

async fn bindings_of(server: &TestServer) -> Vec<String> {
    let store = server.server.store();
    let bindings = store.bindings(AGENT, Utc::now()).await.expect("bindings");
    bindings.into_iter().map(|b| b.contact).collect()
}

async fn register_refuse_unregister(server: &TestServer) {
    let config = AgentPhoneConfig::new(server.server.sip, AGENT, PASSWORD);
    let mut phone = AgentPhone::register(config.clone())
        .await
        .expect("registered");
    assert!(phone.contact().starts_with("sip:1001@127.0.0.1:"));
    assert_eq!(bindings_of(server).await, [phone.contact()]);

    let md5 = AgentPhoneConfig {
        algorithm: Algorithm::Md5,
        ..config.clone()
    };
    let mut second = AgentPhone::register(md5)
        .await
        .expect("registered with MD5");
    let mut both = bindings_of(server).await;
    both.sort();
    let mut expected = vec![phone.contact(), second.contact()];
    expected.sort();
    assert_eq!(both, expected);
    second.unregister().await.expect("unregistered");

    let wrong = AgentPhoneConfig {
        password: "not-it".to_string(),
        ..config
    };
    match AgentPhone::register(wrong).await {
        Err(PhoneError::Refused { request, status }) => {
            assert_eq!((request.as_str(), status), ("REGISTER", 403))
        }
        Err(other) => panic!("refused expected, got {other}"),
        Ok(_) => panic!("a wrong password registered"),
    }
    assert_eq!(bindings_of(server).await, [phone.contact()]);

    phone.unregister().await.expect("unregistered");
    assert_eq!(bindings_of(server).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_phone_registers_is_refused_with_a_wrong_password_and_unregisters() {
    on_every_backend!(server_on, register_refuse_unregister);
}

/// The far end scripted by the test: a SIP socket (registrar and caller of the phone)
/// and an RTP socket.
struct Peer {
    sip: UdpSocket,
    rtp: UdpSocket,
    /// The phone's SIP address, learnt from its REGISTER.
    phone: SocketAddr,
    call_id: String,
    branch: String,
}

/// The first value of header `name` in `message`.
fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    let head = message.split("\r\n\r\n").next().unwrap_or_default();
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn status(message: &str) -> Option<u16> {
    message.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

fn body(message: &str) -> &str {
    message.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

impl Peer {
    /// Binds the sockets and registers `phone` with them: the REGISTER is answered 200
    /// without a challenge.
    async fn with_registered_phone() -> (Peer, AgentPhone) {
        let sip = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let config = AgentPhoneConfig::new(sip.local_addr().unwrap(), AGENT, PASSWORD);
        let registrar = async {
            let (register, from) = receive(&sip).await;
            assert!(register.starts_with("REGISTER "), "{register}");
            assert_eq!(header(&register, "Expires"), Some("3600"));
            let ok = reply(&register, "200 OK", "");
            sip.send_to(ok.as_bytes(), from).await.unwrap();
            from
        };
        let (phone, from) = tokio::join!(AgentPhone::register(config), registrar);
        let phone = phone.expect("registered");
        assert_eq!(phone.contact(), format!("sip:{AGENT}@{from}"));
        let peer = Peer {
            sip,
            rtp,
            phone: from,
            call_id: String::new(),
            branch: String::new(),
        };
        (peer, phone)
    }

    /// Sends an INVITE offering `codecs` and telephone-event 101; returns the phone's
    /// view of it with the 100 and 180 it answered, checked.
    async fn invite(
        &mut self,
        phone: &mut AgentPhone,
        codecs: &[G711],
    ) -> (IncomingInvite, String) {
        self.call_id = format!("{:08x}@peer", rand::random::<u32>());
        self.branch = format!("z9hG4bK{:08x}", rand::random::<u32>());
        let rtp = self.rtp.local_addr().unwrap();
        let sdp = hotline::sdp::offer(rtp, codecs, Some(101), 7);
        let text = self.request(
            "INVITE",
            &self.branch,
            "",
            "X-Hotline-Queue: ordinary\r\n",
            &sdp,
        );
        self.sip.send_to(text.as_bytes(), self.phone).await.unwrap();
        let invite = phone.next_invite(WAIT).await.expect("an INVITE");
        assert_eq!(invite.request_uri(), format!("sip:{AGENT}@{}", self.phone));
        assert_eq!(invite.header("x-hotline-queue"), Some("ordinary"));
        assert_eq!(invite.offer(), sdp.as_bytes());
        let trying = self.response().await;
        assert_eq!(status(&trying), Some(100), "{trying}");
        let ringing = self.response().await;
        assert_eq!(status(&ringing), Some(180), "{ringing}");
        let to = header(&ringing, "To").unwrap().to_string();
        assert!(to.contains(";tag="), "{to}");
        (invite, to)
    }

    fn request(&self, method: &str, branch: &str, to_tag: &str, extra: &str, sdp: &str) -> String {
        let (peer, phone) = (self.sip.local_addr().unwrap(), self.phone);
        let cseq = match method {
            "BYE" => 2,
            _ => 1,
        };
        let cseq_method = if method == "ACK" { "ACK" } else { method };
        let content_type = if sdp.is_empty() {
            ""
        } else {
            "Content-Type: application/sdp\r\n"
        };
        format!(
            "{method} sip:{AGENT}@{phone} SIP/2.0\r\nVia: SIP/2.0/UDP {peer};branch={branch}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:hotline@{peer}>;tag=peer\r\n\
             To: <sip:{AGENT}@{phone}>{to_tag}\r\nCall-ID: {}\r\nCSeq: {cseq} {cseq_method}\r\n\
             Contact: <sip:hotline@{peer}>\r\n{extra}{content_type}Content-Length: {}\r\n\r\n{sdp}",
            self.call_id,
            sdp.len()
        )
    }

    async fn response(&self) -> String {
        let (text, from) = receive(&self.sip).await;
        assert_eq!(from, self.phone);
        text
    }

    /// Sends `method` in the dialog (To carrying the phone's tag as `to`).
    async fn send(&self, method: &str, branch: &str, to: &str) {
        let tag = to.split_once(";tag=").map(|(_, t)| format!(";tag={t}"));
        let text = self.request(method, branch, &tag.unwrap_or_default(), "", "");
        self.sip.send_to(text.as_bytes(), self.phone).await.unwrap();
    }
}

async fn receive(socket: &UdpSocket) -> (String, SocketAddr) {
    let mut buffer = vec![0u8; 65_535];
    let read = timeout(WAIT, socket.recv_from(&mut buffer));
    let (n, from) = read.await.expect("a datagram in time").expect("received");
    (String::from_utf8_lossy(&buffer[..n]).into_owned(), from)
}

/// A response to `request` copying its transaction headers.
fn reply(request: &str, status_line: &str, to_tag: &str) -> String {
    let copy = |name| header(request, name).unwrap_or_default();
    format!(
        "SIP/2.0 {status_line}\r\nVia: {}\r\nFrom: {}\r\nTo: {}{to_tag}\r\nCall-ID: {}\r\n\
         CSeq: {}\r\nContent-Length: 0\r\n\r\n",
        copy("Via"),
        copy("From"),
        copy("To"),
        copy("Call-ID"),
        copy("CSeq")
    )
}

/// An RTP packet of `payload`.
fn rtp_packet(
    payload_type: u8,
    marker: bool,
    sequence: u16,
    timestamp: u32,
    payload: &[u8],
) -> Vec<u8> {
    let mut packet = vec![0x80, payload_type | (u8::from(marker) << 7)];
    packet.extend(sequence.to_be_bytes());
    packet.extend(timestamp.to_be_bytes());
    packet.extend(0x5eed_u32.to_be_bytes());
    packet.extend(payload);
    packet
}

/// The phone's RTP address in its SDP answer.
fn rtp_address(sdp: &str) -> SocketAddr {
    let answer = hotline::sdp::parse_offer(sdp.as_bytes()).expect("an SDP answer");
    answer.remote_rtp
}

/// Streams `seconds` of a 1 kHz tone in PCMA to `to`, paced at 20 ms, then an RFC 4733
/// key '7' (three frames, three end packets).
async fn stream_tone_then_key(rtp: &UdpSocket, to: SocketAddr) {
    let pcm: Vec<i16> = (0..8000)
        .map(|n| (8000.0 * (std::f32::consts::TAU * 1000.0 * n as f32 / 8000.0).sin()) as i16)
        .collect();
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    let mut sequence = 0u16;
    for (i, frame) in pcm.chunks(160).enumerate() {
        ticker.tick().await;
        let mut payload = vec![0u8; 160];
        G711::Alaw.encode_into(frame, &mut payload);
        let packet = rtp_packet(8, i == 0, sequence, 160 * i as u32, &payload);
        rtp.send_to(&packet, to).await.unwrap();
        sequence += 1;
    }
    let start = 160 * 50;
    for n in 0..6u16 {
        ticker.tick().await;
        let end = if n >= 3 { 0x80 } else { 0 };
        let duration = 160 * (n.min(2) + 1);
        let payload = [7, end | 10, (duration >> 8) as u8, duration as u8];
        let packet = rtp_packet(101, n == 0, sequence, start, &payload);
        rtp.send_to(&packet, to).await.unwrap();
        sequence += 1;
    }
}

/// Reads the phone's RTP until a telephone-event packet for event `code` arrives;
/// returns the audio packets (payload type 8) seen before it.
async fn until_event(rtp: &UdpSocket, code: u8) -> Vec<Vec<u8>> {
    let mut audio = Vec::new();
    let deadline = Instant::now() + WAIT;
    let mut buffer = vec![0u8; 2048];
    loop {
        let read = tokio::time::timeout_at(deadline, rtp.recv_from(&mut buffer));
        let (n, _) = read.await.expect("the key in time").unwrap();
        let packet = parse_rtp(&buffer[..n]).expect("RTP");
        match packet.payload_type {
            101 if packet.payload[0] == code => return audio,
            8 => audio.push(packet.payload.to_vec()),
            other => panic!("payload type {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_call_rings_talks_and_is_hung_up_by_the_server() {
    let (mut peer, mut phone) = Peer::with_registered_phone().await;
    let (invite, to) = peer.invite(&mut phone, &[G711::Ulaw, G711::Alaw]).await;

    // The 200 is retransmitted until the ACK: the peer ACKs only the second copy.
    let caller = async {
        let ok = peer.response().await;
        assert_eq!(status(&ok), Some(200), "{ok}");
        assert_eq!(header(&ok, "To"), Some(to.as_str()));
        assert_eq!(
            header(&ok, "Contact"),
            Some(format!("<{}>", phone.contact()).as_str())
        );
        let sdp = body(&ok).to_string();
        assert!(
            sdp.contains("m=audio ") && sdp.contains(" RTP/AVP 8 101\r\n"),
            "{sdp}"
        );
        assert!(sdp.contains("a=rtpmap:8 PCMA/8000\r\n"), "{sdp}");
        let again = peer.response().await;
        assert_eq!(status(&again), Some(200));
        peer.send("ACK", "z9hG4bKack", &to).await;
        rtp_address(&sdp)
    };
    let (call, phone_rtp) = tokio::join!(invite.answer(G711::Alaw), caller);
    let mut call = call.expect("answered");
    assert_eq!(
        (call.codec(), call.telephone_event()),
        (G711::Alaw, Some(101))
    );

    // Tone and key in: what the agent hears.
    let (heard, ()) = tokio::join!(
        call.expect_tone(1000.0, WAIT),
        stream_tone_then_key(&peer.rtp, phone_rtp)
    );
    heard.expect("the 1 kHz tone heard");
    call.expect_key(key('7'), WAIT)
        .await
        .expect("key 7 received");
    call.expect_tone(1000.0, Duration::from_millis(300))
        .await
        .expect_err("no tone any more");
    let stats = call.rtp_stats().await.expect("stats");
    assert!(stats.packets >= 40, "{stats:?}");

    // A tone then a key out: audio with the tone, then RFC 4733.
    call.send_tone(1000.0, Duration::from_millis(200));
    call.send_key(key('5'));
    let audio = until_event(&peer.rtp, 5).await;
    let silence = vec![G711::Alaw.encode(0); 160];
    assert!(
        audio.iter().any(|frame| frame != &silence),
        "the tone went out"
    );

    peer.send("BYE", "z9hG4bKbye", &to).await;
    let ok = peer.response().await;
    assert_eq!(
        (status(&ok), header(&ok, "CSeq")),
        (Some(200), Some("2 BYE"))
    );
    call.wait_hung_up(WAIT)
        .await
        .expect("hung up by the server");
    call.hang_up().await.expect("nothing left to hang up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_hangs_up_with_bye() {
    let (mut peer, mut phone) = Peer::with_registered_phone().await;
    let (invite, to) = peer.invite(&mut phone, &[G711::Alaw]).await;
    let caller = async {
        let ok = peer.response().await;
        assert_eq!(status(&ok), Some(200), "{ok}");
        peer.send("ACK", "z9hG4bKack", &to).await;
    };
    let (call, ()) = tokio::join!(invite.answer(G711::Alaw), caller);
    let call = call.expect("answered");
    let server = async {
        let bye = peer.response().await;
        assert!(bye.starts_with(&format!(
            "BYE sip:hotline@{} ",
            peer.sip.local_addr().unwrap()
        )));
        assert_eq!(header(&bye, "Call-ID"), Some(peer.call_id.as_str()));
        assert_eq!(header(&bye, "From"), Some(to.as_str()));
        let ok = reply(&bye, "200 OK", "");
        peer.sip.send_to(ok.as_bytes(), peer.phone).await.unwrap();
    };
    let (hung_up, ()) = tokio::join!(call.hang_up(), server);
    hung_up.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_invite_gets_486_and_a_codec_not_offered_488() {
    let (mut peer, mut phone) = Peer::with_registered_phone().await;
    for (codec, expected) in [(None, 486), (Some(G711::Alaw), 488)] {
        let (invite, to) = peer.invite(&mut phone, &[G711::Ulaw]).await;
        let caller = async {
            let refused = peer.response().await;
            assert_eq!(status(&refused), Some(expected), "{refused}");
            assert_eq!(header(&refused, "To"), Some(to.as_str()));
            let branch = peer.branch.clone();
            peer.send("ACK", &branch, &to).await;
        };
        let outcome = async {
            match codec {
                None => invite.reject(486).await,
                Some(codec) => match invite.answer(codec).await {
                    Err(PhoneError::NotOffered(G711::Alaw)) => Ok(()),
                    Err(other) => Err(other),
                    Ok(_) => panic!("answered with a codec not offered"),
                },
            }
        };
        let (outcome, ()) = tokio::join!(outcome, caller);
        outcome.expect("refused and ACKed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ringing_invite_is_cancelled() {
    let (mut peer, mut phone) = Peer::with_registered_phone().await;
    let (invite, to) = peer.invite(&mut phone, &[G711::Ulaw, G711::Alaw]).await;
    let caller = async {
        let branch = peer.branch.clone();
        peer.send("CANCEL", &branch, "").await;
        // The 200 to the CANCEL and the 487 to the INVITE, in either order.
        let mut answers = Vec::new();
        for _ in 0..2 {
            let response = peer.response().await;
            answers.push((
                status(&response),
                header(&response, "CSeq").map(str::to_owned),
            ));
        }
        answers.sort();
        assert_eq!(
            answers,
            [
                (Some(200), Some("1 CANCEL".to_owned())),
                (Some(487), Some("1 INVITE".to_owned()))
            ]
        );
        peer.send("ACK", &branch, &to).await;
    };
    let (cancelled, ()) = tokio::join!(invite.wait_cancel(WAIT), caller);
    cancelled.expect("cancelled");

    // Cancelled before the agent answers: the answer is a 487, not a 200.
    let (invite, to) = peer.invite(&mut phone, &[G711::Alaw]).await;
    let branch = peer.branch.clone();
    peer.send("CANCEL", &branch, "").await;
    let cancelled = peer.response().await;
    assert_eq!(status(&cancelled), Some(200), "{cancelled}");
    let caller = async {
        let terminated = peer.response().await;
        assert_eq!(status(&terminated), Some(487), "{terminated}");
        peer.send("ACK", &branch, &to).await;
    };
    let (answered, ()) = tokio::join!(invite.answer(G711::Alaw), caller);
    assert!(matches!(answered, Err(PhoneError::Cancelled)));
    let quiet = phone.next_invite(Duration::from_millis(200)).await;
    assert!(matches!(quiet, Err(PhoneError::Timeout(_))));
}

/// The scripted caller dials the phone directly: the two talk, each hears the other's
/// tone (the caller's `send_tone`/`expect_tone` share the phone's tone meter), and the
/// caller's BYE ends the agent's call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripted_caller_and_the_agent_phone_hear_each_others_tones() {
    let (peer, mut phone) = Peer::with_registered_phone().await;
    let mut config = CallerConfig::new(peer.phone, Transport::Udp);
    config.codecs = vec![G711::Alaw, G711::Ulaw];
    let agent = async {
        let invite = phone.next_invite(WAIT).await.expect("the caller's INVITE");
        invite.answer(G711::Ulaw).await.expect("answered")
    };
    let (call, agent_call) = tokio::join!(Call::dial(config), agent);
    let (mut call, mut agent_call) = (call.expect("the caller connected"), agent_call);
    assert_eq!(call.codec(), G711::Ulaw);
    assert_eq!(call.provisional(), [100, 180]);

    call.send_tone(1000.0, Duration::from_millis(500));
    agent_call
        .expect_tone(1000.0, WAIT)
        .await
        .expect("the agent hears 1 kHz");
    agent_call.send_tone(600.0, Duration::from_millis(500));
    call.expect_tone(600.0, WAIT)
        .await
        .expect("the caller hears 600 Hz");
    call.expect_tone(1000.0, Duration::from_millis(300))
        .await
        .expect_err("the agent never sent 1 kHz");

    call.hang_up().await.expect("the caller hung up");
    agent_call
        .wait_hung_up(WAIT)
        .await
        .expect("the agent was hung up on");
}
