//! One live call from the caller's side: dialling (INVITE retransmitted per timer A,
//! ACK, optional CANCEL), keys, waiting for prompts and for the server's BYE, hanging up.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::time::{timeout_at, Instant};

use super::media_clock::{MediaSetup, StreamHandle, ToneNotHeard};
use super::message::{
    dtmf_relay_body, retransmit_interval, Ids, Leg, ResponseInfo, TRANSACTION_TIMEOUT,
};
use super::outgoing::{Outgoing, KEY_MS};
use super::prompt_match::PromptIndex;
use super::rtp_stats::RtpStats;
use super::signalling::Signalling;
use super::{CallError, CallerConfig, KeyMethod};
use crate::media::{Key, G711};
use crate::sip::Transport;

/// What the signalling reader and the media task tell the call.
pub enum Event {
    Response(ResponseInfo),
    ByeReceived,
    /// A REFER (already answered 202), with its Refer-To value.
    Refer(String),
    Heard(usize),
    /// A key received as RFC 4733 telephone-events.
    Key(Key),
    Closed,
}

enum Waited {
    Response(ResponseInfo),
    Other,
    Deadline,
}

fn token() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn branch() -> String {
    format!("z9hG4bK{}", token())
}

/// The signalling side of a call and what it has learnt so far.
struct Dialog {
    transport: Transport,
    server: SocketAddr,
    signalling: Signalling,
    events: UnboundedReceiver<Event>,
    prompts: Option<Arc<PromptIndex>>,
    heard: Vec<String>,
    bye_received: bool,
    refers: Vec<String>,
    closed: bool,
    /// Distinct To tags of the 2xx responses to our INVITE.
    answer_tags: Vec<String>,
}

impl Dialog {
    async fn connect(config: &CallerConfig) -> Result<(Dialog, UnboundedSender<Event>), CallError> {
        let (sender, events) = mpsc::unbounded_channel();
        let signalling =
            Signalling::connect(config.transport, config.server, sender.clone()).await?;
        let dialog = Dialog {
            transport: config.transport,
            server: config.server,
            signalling,
            events,
            prompts: config.prompts.clone(),
            heard: Vec::new(),
            bye_received: false,
            refers: Vec::new(),
            closed: false,
            answer_tags: Vec::new(),
        };
        Ok((dialog, sender))
    }

    fn leg(&self, config: &CallerConfig) -> Leg {
        let ids = Ids {
            call_id: format!("{}@hotline-caller", token()),
            from_tag: token(),
        };
        Leg::new(
            self.transport,
            self.signalling.local(),
            self.server,
            &config.caller_number,
            &config.called_number,
            ids,
        )
    }

    fn absorb(&mut self, event: Event) -> Option<ResponseInfo> {
        match event {
            Event::Response(info) => {
                if info.method == "INVITE" && (200..300).contains(&info.status) {
                    if let Some(tag) = &info.to_tag {
                        if !self.answer_tags.contains(tag) {
                            self.answer_tags.push(tag.clone());
                        }
                    }
                }
                return Some(info);
            }
            Event::ByeReceived => self.bye_received = true,
            Event::Refer(target) => self.refers.push(target),
            Event::Heard(id) => {
                if let Some(index) = &self.prompts {
                    self.heard.push(index.name(id).to_owned());
                }
            }
            // The server does not send keys to callers; nothing here waits for them.
            Event::Key(_) => {}
            Event::Closed => self.closed = true,
        }
        None
    }

    /// The next event before `deadline`, already absorbed.
    async fn wait(&mut self, deadline: Instant) -> Result<Waited, CallError> {
        if self.closed {
            return Err(CallError::Closed);
        }
        match timeout_at(deadline, self.events.recv()).await {
            Err(_) => Ok(Waited::Deadline),
            Ok(None) => Err(CallError::Closed),
            Ok(Some(event)) => match self.absorb(event) {
                Some(info) => Ok(Waited::Response(info)),
                None if self.closed => Err(CallError::Closed),
                None => Ok(Waited::Other),
            },
        }
    }

    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.absorb(event);
        }
    }

    /// A non-INVITE client transaction: sends `text`, retransmits per timer E on UDP,
    /// returns the final response (timer F: an error after 64*T1).
    async fn transact(
        &mut self,
        text: &str,
        cseq: u32,
        method: &str,
    ) -> Result<ResponseInfo, CallError> {
        self.signalling.send(text.as_bytes()).await?;
        let start = Instant::now();
        let deadline = start + TRANSACTION_TIMEOUT;
        let mut sent = 0;
        let mut retransmit =
            (self.transport == Transport::Udp).then(|| start + retransmit_interval(0, false));
        loop {
            let wake = retransmit.map_or(deadline, |at| at.min(deadline));
            match self.wait(wake).await? {
                Waited::Response(info)
                    if info.cseq == cseq && info.method == method && info.status >= 200 =>
                {
                    return Ok(info);
                }
                Waited::Deadline if Instant::now() >= deadline => {
                    return Err(CallError::Timeout(format!("a response to {method}")));
                }
                Waited::Deadline => {
                    self.signalling.send(text.as_bytes()).await?;
                    sent += 1;
                    retransmit = Some(Instant::now() + retransmit_interval(sent, false));
                }
                _ => {}
            }
        }
    }
}

/// How a call placed with `Call::dial_and_cancel` ended.
pub enum CancelOutcome {
    /// The INVITE was cancelled: its final status (487 expected) and the CANCEL's.
    Cancelled {
        invite_status: u16,
        cancel_status: Option<u16>,
    },
    /// The server answered before the CANCEL took effect; the call is up (hang it up).
    Answered(Box<Call>),
}

enum Placed {
    Answered(Box<Call>),
    Failed {
        status: u16,
        cancel_status: Option<u16>,
    },
}

/// One live call.
pub struct Call {
    dialog: Dialog,
    leg: Leg,
    media: StreamHandle,
    invite: String,
    codec: G711,
    telephone_event: Option<u8>,
    setup_time: Duration,
    provisional: Vec<u16>,
    /// Entries of `dialog.heard` already matched by `expect_prompts`.
    cursor: usize,
}

impl Call {
    /// Places a call: INVITE with an SDP offer, provisional responses, 200, ACK.
    /// A failure response is ACKed and returned as `CallError::Rejected`.
    pub async fn dial(config: CallerConfig) -> Result<Call, CallError> {
        match Call::place(config, false).await? {
            Placed::Answered(call) => Ok(*call),
            Placed::Failed { status, .. } => Err(CallError::Rejected { status }),
        }
    }

    /// Places a call and sends CANCEL as soon as a provisional response arrives.
    pub async fn dial_and_cancel(config: CallerConfig) -> Result<CancelOutcome, CallError> {
        Ok(match Call::place(config, true).await? {
            Placed::Answered(call) => CancelOutcome::Answered(call),
            Placed::Failed {
                status,
                cancel_status,
            } => CancelOutcome::Cancelled {
                invite_status: status,
                cancel_status,
            },
        })
    }

    async fn place(config: CallerConfig, cancel: bool) -> Result<Placed, CallError> {
        let (mut dialog, events) = Dialog::connect(&config).await?;
        let rtp = UdpSocket::bind(SocketAddr::new(dialog.signalling.local().ip(), 0)).await?;
        let offer = crate::sdp::offer(
            rtp.local_addr()?,
            &config.codecs,
            config.telephone_event,
            rand::random::<u32>().into(),
        );
        let mut leg = dialog.leg(&config);
        let invite = leg.invite(branch(), &offer);
        let started = Instant::now();
        for _ in 0..=config.extra_invite_copies {
            dialog.signalling.send(invite.as_bytes()).await?;
        }
        let deadline = started + config.answer_timeout;
        let mut sent = 0;
        let mut retransmit =
            (config.transport == Transport::Udp).then(|| started + retransmit_interval(0, true));
        let mut provisional = Vec::new();
        let mut cancel_status = None;
        let mut cancel_sent = false;
        let answer = loop {
            let wake = retransmit.map_or(deadline, |at| at.min(deadline));
            let info = match dialog.wait(wake).await? {
                Waited::Response(info) => info,
                Waited::Other => continue,
                Waited::Deadline if Instant::now() >= deadline => {
                    return Err(CallError::Timeout("a final response to INVITE".into()));
                }
                Waited::Deadline => {
                    dialog.signalling.send(invite.as_bytes()).await?;
                    sent += 1;
                    retransmit = Some(Instant::now() + retransmit_interval(sent, true));
                    continue;
                }
            };
            if info.method == "CANCEL" {
                cancel_status = Some(info.status);
                continue;
            }
            if info.method != "INVITE" || info.cseq != leg.invite_cseq() {
                continue;
            }
            retransmit = None;
            match info.status {
                100..=199 => {
                    provisional.push(info.status);
                    if cancel && !cancel_sent {
                        dialog.signalling.send(leg.cancel().as_bytes()).await?;
                        cancel_sent = true;
                    }
                }
                200..=299 => break info,
                status => {
                    leg.on_invite_response(info.to_tag, None);
                    dialog
                        .signalling
                        .send(leg.ack_for_failure().as_bytes())
                        .await?;
                    while cancel_sent && cancel_status.is_none() {
                        match dialog.wait(deadline).await? {
                            Waited::Response(r) if r.method == "CANCEL" => {
                                cancel_status = Some(r.status)
                            }
                            Waited::Deadline => break,
                            _ => {}
                        }
                    }
                    return Ok(Placed::Failed {
                        status,
                        cancel_status,
                    });
                }
            }
        };
        let setup_time = started.elapsed();
        leg.on_invite_response(answer.to_tag.clone(), answer.contact.clone());
        dialog
            .signalling
            .send_ack(&leg.ack_for_2xx(&branch()))
            .await?;
        let sdp = crate::sdp::parse_offer(&answer.body)
            .map_err(|e| CallError::Protocol(format!("SDP answer: {e}")))?;
        let &(_, codec) = sdp
            .g711
            .first()
            .ok_or_else(|| CallError::Protocol("SDP answer without G.711".into()))?;
        let setup = MediaSetup {
            socket: rtp.into_std()?,
            remote: sdp.remote_rtp,
            codec,
            telephone_event: sdp.telephone_event,
            prompts: config.prompts.clone(),
        };
        Ok(Placed::Answered(Box::new(Call {
            media: config.clock.attach(setup, events)?,
            dialog,
            leg,
            invite,
            codec,
            telephone_event: sdp.telephone_event,
            setup_time,
            provisional,
            cursor: 0,
        })))
    }

    /// The codec the server chose.
    pub fn codec(&self) -> G711 {
        self.codec
    }

    /// The telephone-event payload type the server accepted, if any.
    pub fn telephone_event(&self) -> Option<u8> {
        self.telephone_event
    }

    /// Time from sending the INVITE to receiving the 200 OK.
    pub fn setup_time(&self) -> Duration {
        self.setup_time
    }

    /// Provisional statuses received before the answer (100, 180 …).
    pub fn provisional(&self) -> &[u16] {
        &self.provisional
    }

    /// Distinct To tags of the 200 OKs received for the INVITE: one dialog means one tag.
    pub fn answer_tags(&mut self) -> &[String] {
        self.dialog.drain();
        &self.dialog.answer_tags
    }

    pub fn call_id(&self) -> &str {
        self.leg.call_id()
    }

    /// Sends the original INVITE again, byte for byte (same branch): a retransmission.
    pub async fn resend_invite(&self) -> Result<(), CallError> {
        Ok(self.dialog.signalling.send(self.invite.as_bytes()).await?)
    }

    /// An OPTIONS request from this call's SIP socket (outside the dialog); its status.
    /// Answers arrive in order on one socket, so this also shows that the server has
    /// processed everything sent before it.
    pub async fn ping(&mut self, config: &CallerConfig) -> Result<u16, CallError> {
        let mut leg = self.dialog.leg(config);
        let (text, cseq) = leg.options(&branch());
        Ok(self.dialog.transact(&text, cseq, "OPTIONS").await?.status)
    }

    /// Sends one key and returns once it has gone out completely.
    pub async fn press(&mut self, key: Key, how: KeyMethod) -> Result<(), CallError> {
        let sent = match how {
            KeyMethod::Rfc4733 => {
                if self.telephone_event.is_none() {
                    return Err(CallError::NoTelephoneEvent);
                }
                self.media.send(Outgoing::key_event(key)).await
            }
            KeyMethod::InBand => self.media.send(Outgoing::key_tone(key)).await,
            KeyMethod::SipInfo => {
                let body = dtmf_relay_body(key.as_char(), KEY_MS);
                let (text, cseq) =
                    self.leg
                        .in_dialog("INFO", &branch(), Some(("application/dtmf-relay", &body)));
                let status = self.dialog.transact(&text, cseq, "INFO").await?.status;
                if !(200..300).contains(&status) {
                    return Err(CallError::Rejected { status });
                }
                true
            }
        };
        if sent {
            Ok(())
        } else {
            Err(CallError::Closed)
        }
    }

    /// Sends each key of `keys` ("3 1 *"; spaces ignored) in turn.
    pub async fn press_keys(&mut self, keys: &str, how: KeyMethod) -> Result<(), CallError> {
        for c in keys.chars().filter(|c| !c.is_whitespace()) {
            let key = Key::from_char(c)
                .ok_or_else(|| CallError::Protocol(format!("not a DTMF key: {c:?}")))?;
            self.press(key, how).await?;
        }
        Ok(())
    }

    /// Sends `pcm` (8 kHz) as the caller's voice, 20 ms a packet, after any keys still
    /// queued; returns once the last of it has gone out.
    pub async fn speak(&mut self, pcm: Vec<i16>) -> Result<(), CallError> {
        if self.media.send(Outgoing::Audio(pcm)).await {
            Ok(())
        } else {
            Err(CallError::Closed)
        }
    }

    /// Queues a sine of `hz` lasting `for_` as the caller's voice, after anything queued.
    pub fn send_tone(&mut self, hz: f32, for_: Duration) {
        self.media.queue_tone(hz, for_);
    }

    /// Waits until a tone of `hz` is heard in what the server sends from now on.
    pub async fn expect_tone(&mut self, hz: f32, within: Duration) -> Result<(), CallError> {
        match self.media.hear_tone(hz, within).await {
            Ok(()) => Ok(()),
            Err(ToneNotHeard::Timeout) => Err(CallError::Timeout(format!("a {hz} Hz tone"))),
            Err(ToneNotHeard::StreamEnded) => Err(CallError::Closed),
        }
    }

    /// Waits until the next prompts heard are exactly `prompts` (PromptStore names), in
    /// this order. Errors with what was heard instead, at the first wrong prompt, when
    /// the server hangs up, or after `within`.
    pub async fn expect_prompts(
        &mut self,
        prompts: &[&str],
        within: Duration,
    ) -> Result<(), CallError> {
        let index = self.dialog.prompts.clone().ok_or(CallError::NoPrompts)?;
        if let Some(unknown) = prompts.iter().find(|p| index.id(p).is_none()) {
            return Err(CallError::Protocol(format!("no prompt named {unknown:?}")));
        }
        let deadline = Instant::now() + within;
        let expected = || prompts.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        loop {
            let new = &self.dialog.heard[self.cursor..];
            let n = new.len().min(prompts.len());
            if new[..n] != prompts[..n] {
                return Err(CallError::Prompts {
                    expected: expected(),
                    heard: new.to_vec(),
                });
            }
            if new.len() >= prompts.len() {
                self.cursor += prompts.len();
                return Ok(());
            }
            if self.dialog.bye_received {
                return Err(CallError::EndedByServer {
                    heard: new.to_vec(),
                });
            }
            if let Waited::Deadline = self.dialog.wait(deadline).await? {
                let heard = self.dialog.heard[self.cursor..].to_vec();
                return Err(CallError::Timeout(format!(
                    "prompts {:?} (heard {heard:?})",
                    expected()
                )));
            }
        }
    }

    /// Forgets the prompts heard so far: the next `expect_prompts` starts after them.
    pub fn skip_heard(&mut self) {
        self.dialog.drain();
        self.cursor = self.dialog.heard.len();
    }

    /// Every prompt identified since the call was answered, in order.
    pub fn heard(&mut self) -> &[String] {
        self.dialog.drain();
        &self.dialog.heard
    }

    /// Statistics of the server's RTP so far.
    pub async fn rtp_stats(&self) -> Result<RtpStats, CallError> {
        self.media.stats().await.ok_or(CallError::Closed)
    }

    /// Whether the server has sent BYE.
    pub fn bye_received(&mut self) -> bool {
        self.dialog.drain();
        self.dialog.bye_received
    }

    /// Waits for the server's BYE (already answered with 200 by the reader).
    pub async fn wait_for_bye(&mut self, within: Duration) -> Result<(), CallError> {
        let deadline = Instant::now() + within;
        while !self.dialog.bye_received {
            if let Waited::Deadline = self.dialog.wait(deadline).await? {
                let heard = self.dialog.heard[self.cursor..].to_vec();
                return Err(CallError::Timeout(format!("BYE (heard {heard:?})")));
            }
        }
        Ok(())
    }

    /// Waits for the server's REFER (answered 202 by the reader); its Refer-To value.
    pub async fn wait_for_refer(&mut self, within: Duration) -> Result<String, CallError> {
        let deadline = Instant::now() + within;
        loop {
            if !self.dialog.refers.is_empty() {
                return Ok(self.dialog.refers.remove(0));
            }
            if self.dialog.bye_received {
                return Err(CallError::EndedByServer {
                    heard: self.dialog.heard[self.cursor..].to_vec(),
                });
            }
            if let Waited::Deadline = self.dialog.wait(deadline).await? {
                return Err(CallError::Timeout("REFER".into()));
            }
        }
    }

    /// Reports the outcome of the transfer the server asked for: a NOTIFY (event refer)
    /// carrying `SIP/2.0 <status>` as message/sipfrag, ending the subscription.
    pub async fn notify_transfer(&mut self, status: u16) -> Result<u16, CallError> {
        let body = format!("SIP/2.0 {status}\r\n");
        let (text, cseq) = self.leg.notify_refer(&branch(), &body);
        Ok(self.dialog.transact(&text, cseq, "NOTIFY").await?.status)
    }

    /// Sends BYE and waits for its final response; a call the server already ended is
    /// left as it is.
    pub async fn hang_up(mut self) -> Result<(), CallError> {
        if self.bye_received() {
            return Ok(());
        }
        let (text, cseq) = self.leg.in_dialog("BYE", &branch(), None);
        match self.dialog.transact(&text, cseq, "BYE").await?.status {
            200..=299 => Ok(()),
            status => Err(CallError::Rejected { status }),
        }
    }
}

/// Sends OPTIONS to the server outside any call and returns the response status.
pub async fn options(config: &CallerConfig) -> Result<u16, CallError> {
    let (mut dialog, _events) = Dialog::connect(config).await?;
    let mut leg = dialog.leg(config);
    let (text, cseq) = leg.options(&branch());
    Ok(dialog.transact(&text, cseq, "OPTIONS").await?.status)
}
