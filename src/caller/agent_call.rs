//! An answered call on the agent phone: its dialog (the server's BYE, our BYE), its RTP
//! stream on the caller's clock thread (silence, test tones, keys out; tones, keys and
//! prompts in).
//!
//! Keys go out as RFC 4733 telephone-events when the offer had them, as in-band DTMF
//! otherwise. Keys received are RFC 4733 only. A tone is looked for in the audio that
//! arrives after [`AgentCall::expect_tone`] is called, not in what came before.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::time::Instant;

use super::agent_phone::PhoneError;
use super::agent_phone_link::{branch, Channel};
use super::agent_phone_sip::{CalleeDialog, Message};
use super::call::Event;
use super::media_clock::{CallerClock, MediaSetup, StreamHandle, ToneNotHeard};
use super::outgoing::Outgoing;
use super::prompt_match::PromptIndex;
use super::rtp_stats::RtpStats;
use crate::media::{Key, G711};

/// One answered call.
pub struct AgentCall {
    dialog: CalleeDialog,
    channel: Channel,
    media: StreamHandle,
    events: UnboundedReceiver<Event>,
    codec: G711,
    telephone_event: Option<u8>,
    prompts: Option<Arc<PromptIndex>>,
    /// Keys received and not yet taken by `expect_key`.
    keys: VecDeque<Key>,
    heard: Vec<String>,
    hung_up: bool,
}

impl AgentCall {
    /// Starts the call's RTP on `clock` once the INVITE's 200 has been ACKed.
    pub(super) fn start(
        invite: &Message,
        to_tag: &str,
        channel: Channel,
        setup: MediaSetup,
        clock: &CallerClock,
    ) -> Result<AgentCall, PhoneError> {
        let (codec, telephone_event) = (setup.codec, setup.telephone_event);
        let prompts = setup.prompts.clone();
        let (sender, events) = mpsc::unbounded_channel();
        Ok(AgentCall {
            dialog: CalleeDialog::new(invite, to_tag),
            channel,
            media: clock.attach(setup, sender)?,
            events,
            codec,
            telephone_event,
            prompts,
            keys: VecDeque::new(),
            heard: Vec::new(),
            hung_up: false,
        })
    }

    /// The codec answered.
    pub fn codec(&self) -> G711 {
        self.codec
    }

    /// The telephone-event payload type in use (the offer's), if any.
    pub fn telephone_event(&self) -> Option<u8> {
        self.telephone_event
    }

    pub fn call_id(&self) -> &str {
        self.dialog.call_id()
    }

    /// Queues a sine of `hz` lasting `for_` as the agent's voice, after anything queued.
    pub fn send_tone(&mut self, hz: f32, for_: Duration) {
        self.media.queue_tone(hz, for_);
    }

    /// Queues a key: RFC 4733 when negotiated, an in-band DTMF tone otherwise.
    pub fn send_key(&mut self, key: Key) {
        let item = match self.telephone_event {
            Some(_) => Outgoing::key_event(key),
            None => Outgoing::key_tone(key),
        };
        self.media.queue(item);
    }

    /// Waits until a tone of `hz` is heard in the audio received from now on.
    pub async fn expect_tone(&mut self, hz: f32, within: Duration) -> Result<(), PhoneError> {
        match self.media.hear_tone(hz, within).await {
            Ok(()) => Ok(()),
            Err(ToneNotHeard::Timeout) => Err(PhoneError::Timeout(format!("a {hz} Hz tone"))),
            Err(ToneNotHeard::StreamEnded) => Err(PhoneError::Closed),
        }
    }

    /// Waits for the next key received (RFC 4733) and checks that it is `key`.
    pub async fn expect_key(&mut self, key: Key, within: Duration) -> Result<(), PhoneError> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(received) = self.keys.pop_front() {
                return match received == key {
                    true => Ok(()),
                    false => Err(PhoneError::UnexpectedKey {
                        expected: key,
                        received,
                    }),
                };
            }
            if !self.wait(deadline).await? {
                return Err(PhoneError::Timeout(format!("key {}", key.as_char())));
            }
        }
    }

    /// Every prompt identified so far (with a [`PromptIndex`] in the config), in order.
    pub fn heard(&mut self) -> &[String] {
        while let Ok(event) = self.events.try_recv() {
            self.absorb(event);
        }
        &self.heard
    }

    /// Statistics of the RTP received so far.
    pub async fn rtp_stats(&self) -> Result<RtpStats, PhoneError> {
        self.media.stats().await.ok_or(PhoneError::Closed)
    }

    /// Sends BYE and waits for its final response; a call the server already ended is
    /// left as it is.
    pub async fn hang_up(mut self) -> Result<(), PhoneError> {
        while let Some(message) = self.channel.next(Instant::now()).await? {
            self.hung_up |= message.method() == Some("BYE");
        }
        if self.hung_up {
            return Ok(());
        }
        let (text, cseq) = self.dialog.bye(&branch(), self.channel.local()?);
        match self.channel.request(&text, cseq, "BYE").await?.status() {
            Some(200..=299) => Ok(()),
            status => Err(PhoneError::Refused {
                request: "BYE".into(),
                status: status.unwrap_or_default(),
            }),
        }
    }

    /// Waits for the server's BYE (answered 200 by the phone's reader).
    pub async fn wait_hung_up(&mut self, within: Duration) -> Result<(), PhoneError> {
        let deadline = Instant::now() + within;
        while !self.hung_up {
            if !self.wait(deadline).await? {
                return Err(PhoneError::Timeout("the server's BYE".into()));
            }
        }
        Ok(())
    }

    /// Takes the next signalling message or media event; false at `deadline`.
    async fn wait(&mut self, deadline: Instant) -> Result<bool, PhoneError> {
        tokio::select! {
            message = self.channel.next(deadline) => match message? {
                Some(message) => {
                    self.hung_up |= message.method() == Some("BYE");
                    Ok(true)
                }
                None => Ok(false),
            },
            event = self.events.recv() => {
                self.absorb(event.ok_or(PhoneError::Closed)?);
                Ok(true)
            }
        }
    }

    fn absorb(&mut self, event: Event) {
        match event {
            Event::Key(key) => self.keys.push_back(key),
            Event::Heard(id) => {
                if let Some(index) = &self.prompts {
                    self.heard.push(index.name(id).to_owned());
                }
            }
            Event::Response(_) | Event::ByeReceived | Event::Refer(_) | Event::Closed => {}
        }
    }
}
