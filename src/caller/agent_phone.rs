//! A scripted agent softphone over loopback UDP, for the integration tests and the load
//! tool: it registers with digest authentication, is offered calls by INVITE, rings,
//! answers (or rejects, or lets the server cancel), exchanges RTP with the server's
//! bridge, and hangs up or is hung up on.
//!
//! What it does:
//! - [`AgentPhone::register`] binds one UDP socket on 127.0.0.1 and REGISTERs its contact
//!   `sip:<work number>@127.0.0.1:<port>` for 3600 s: the server's 401 is answered with
//!   credentials for the configured digest algorithm (SHA-256 unless told otherwise).
//!   [`AgentPhone::unregister`] does the same with `Expires: 0`.
//! - Every INVITE on a new Call-ID is answered 100 Trying and 180 Ringing at once by the
//!   socket's reader and queued for [`AgentPhone::next_invite`]. The test then decides:
//!   [`IncomingInvite::answer`] (200 with an SDP answer, retransmitted until the ACK),
//!   [`IncomingInvite::reject`] or [`IncomingInvite::wait_cancel`].
//! - An answered call ([`AgentCall`]) sends RTP like a phone from the caller's clock
//!   thread: silence, a test tone or an RFC 4733 key when asked; it hears tones
//!   (Goertzel on the decoded frames), RFC 4733 keys and, with a [`PromptIndex`], prompts.
//!
//! What it does not do: TCP or TLS, re-INVITEs (answered 488), digest challenges on
//! anything but REGISTER, registration refresh before expiry, Record-Route (in-dialog
//! requests go straight to the server's Contact, sent to the address the INVITE came
//! from), DNS, or codecs other than G.711 with their static payload types.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::time::{timeout, Instant};

use super::agent_call::AgentCall;
use super::agent_phone_link::{branch, token, Channel, Link, NewInvite};
use super::agent_phone_sip::{authorization, response, Message, Registration};
use super::media_clock::{CallerClock, MediaSetup};
use super::prompt_match::PromptIndex;
use crate::agents::digest::Algorithm;
use crate::media::{Key, G711};
use crate::sdp::{self, Negotiated};

/// How long a registration asks for.
pub const REGISTRATION_EXPIRES: u32 = 3600;

/// Who the phone is and where it registers.
#[derive(Clone)]
pub struct AgentPhoneConfig {
    pub server: SocketAddr,
    pub work_number: String,
    pub password: String,
    /// The digest algorithm whose challenge the phone answers.
    pub algorithm: Algorithm,
    /// The prompts to recognise in what the agent hears; `None` recognises nothing.
    pub prompts: Option<Arc<PromptIndex>>,
}

impl AgentPhoneConfig {
    /// A phone for `work_number` answering the SHA-256 challenge, recognising no prompts.
    pub fn new(server: SocketAddr, work_number: &str, password: &str) -> AgentPhoneConfig {
        AgentPhoneConfig {
            server,
            work_number: work_number.to_owned(),
            password: password.to_owned(),
            algorithm: Algorithm::Sha256,
            prompts: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the server answered {status} to {request}")]
    Refused { request: String, status: u16 },
    #[error("timed out waiting for {0}")]
    Timeout(String),
    #[error("bad message from the server: {0}")]
    Protocol(String),
    #[error("the server cancelled the INVITE before it was answered")]
    Cancelled,
    #[error("the offer has no {0:?}")]
    NotOffered(G711),
    #[error("expected key {expected:?}, received {received:?}")]
    UnexpectedKey { expected: Key, received: Key },
    #[error("the phone's socket or media stream closed")]
    Closed,
}

/// A registered agent phone. Its socket's reader lives as long as it does: keep it while
/// its invites and calls are in use (dropping it does not unregister).
pub struct AgentPhone {
    config: AgentPhoneConfig,
    link: Arc<Link>,
    registration: Registration,
    invites: UnboundedReceiver<NewInvite>,
}

impl AgentPhone {
    /// Binds a UDP socket on 127.0.0.1 and REGISTERs (401 challenge → credentials →
    /// 200) for [`REGISTRATION_EXPIRES`] seconds.
    pub async fn register(config: AgentPhoneConfig) -> Result<AgentPhone, PhoneError> {
        let (queue, invites) = mpsc::unbounded_channel();
        let link = Link::bind(&config.work_number, queue).await?;
        let registration = Registration {
            user: config.work_number.clone(),
            server: config.server,
            local: link.local(),
            call_id: format!("{}@hotline-agent-phone", token()),
            from_tag: token(),
            cseq: 0,
        };
        let mut phone = AgentPhone {
            config,
            link,
            registration,
            invites,
        };
        phone.bind(REGISTRATION_EXPIRES).await?;
        Ok(phone)
    }

    /// Our contact URI as registered: `sip:<work number>@127.0.0.1:<port>`.
    pub fn contact(&self) -> String {
        self.registration.contact()
    }

    /// Waits for the next INVITE (already answered 100 Trying + 180 Ringing) and
    /// returns it.
    pub async fn next_invite(&mut self, within: Duration) -> Result<IncomingInvite, PhoneError> {
        let new = timeout(within, self.invites.recv())
            .await
            .map_err(|_| PhoneError::Timeout("an INVITE".into()))?
            .ok_or(PhoneError::Closed)?;
        Ok(IncomingInvite {
            invite: new.invite,
            to_tag: new.to_tag,
            channel: new.channel,
            contact: self.contact(),
            prompts: self.config.prompts.clone(),
        })
    }

    /// Removes our binding (REGISTER with `Expires: 0`, challenged like the first).
    pub async fn unregister(&mut self) -> Result<(), PhoneError> {
        self.bind(0).await
    }

    /// One REGISTER for `expires` seconds, answering the server's challenge.
    async fn bind(&mut self, expires: u32) -> Result<(), PhoneError> {
        let mut channel = self
            .link
            .open(&self.registration.call_id, self.config.server);
        let (text, cseq) = self.registration.register(&branch(), expires, None);
        let mut answer = channel.request(&text, cseq, "REGISTER").await?;
        if answer.status() == Some(401) {
            let challenges = answer.headers("WWW-Authenticate");
            let credentials = authorization(
                &challenges,
                self.config.algorithm,
                &self.config.work_number,
                &self.config.password,
                &self.registration.uri(),
                &token(),
            )
            .map_err(PhoneError::Protocol)?;
            let (text, cseq) = self
                .registration
                .register(&branch(), expires, Some(&credentials));
            answer = channel.request(&text, cseq, "REGISTER").await?;
        }
        match answer.status() {
            Some(200..=299) => Ok(()),
            status => Err(PhoneError::Refused {
                request: "REGISTER".into(),
                status: status.unwrap_or_default(),
            }),
        }
    }
}

/// An INVITE the phone is ringing for. Dropped without a final response, it leaves the
/// server's INVITE ringing until the server gives up (later requests on its Call-ID are
/// answered 481).
pub struct IncomingInvite {
    invite: Message,
    to_tag: String,
    channel: Channel,
    contact: String,
    prompts: Option<Arc<PromptIndex>>,
}

impl IncomingInvite {
    /// The first value of header `name` (case-insensitive; compact names accepted).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.invite.header(name)
    }

    /// Every value of header `name`, one per header line, in order.
    pub fn headers(&self, name: &str) -> Vec<&str> {
        self.invite.headers(name)
    }

    pub fn request_uri(&self) -> &str {
        self.invite.request_uri()
    }

    /// The SDP offer, as received.
    pub fn offer(&self) -> &[u8] {
        self.invite.body()
    }

    pub fn call_id(&self) -> &str {
        self.invite.call_id().unwrap_or_default()
    }

    /// 200 OK with our SDP answer (`codec`, in the offer's payload type, and
    /// telephone-event if offered), retransmitted until the ACK; then RTP starts. A
    /// codec the offer lacks is refused with 488 (ACKed) and [`PhoneError::NotOffered`];
    /// an INVITE the server has already cancelled gets 487 and [`PhoneError::Cancelled`].
    pub async fn answer(mut self, codec: G711) -> Result<AgentCall, PhoneError> {
        if self
            .channel
            .wait_for(Instant::now(), is_cancel)
            .await?
            .is_some()
        {
            self.finish(487).await?;
            return Err(PhoneError::Cancelled);
        }
        let offer = sdp::parse_offer(self.offer())
            .map_err(|e| PhoneError::Protocol(format!("SDP offer: {e}")))?;
        let Some(&(codec_pt, _)) = offer.g711.iter().find(|(_, c)| *c == codec) else {
            self.finish(488).await?;
            return Err(PhoneError::NotOffered(codec));
        };
        let rtp = std::net::UdpSocket::bind("127.0.0.1:0")?;
        let negotiated = Negotiated {
            remote_rtp: offer.remote_rtp,
            codec,
            codec_pt,
            telephone_event: offer.telephone_event,
            direction: offer.direction.mirrored(),
            audio_index: offer.audio_index,
            declined: offer.declined,
            latch_first: false,
        };
        let session = u64::from(rand::random::<u32>());
        let body = sdp::answer(&negotiated, rtp.local_addr()?, session, session);
        let contact = format!("Contact: <{}>\r\n", self.contact);
        let ok = response(
            &self.invite,
            200,
            Some(&self.to_tag),
            &contact,
            Some(("application/sdp", &body)),
        );
        self.channel.respond_until_ack(&self.invite, &ok).await?;
        let setup = MediaSetup {
            socket: rtp,
            remote: offer.remote_rtp,
            codec,
            telephone_event: offer.telephone_event,
            prompts: self.prompts,
        };
        AgentCall::start(
            &self.invite,
            &self.to_tag,
            self.channel,
            setup,
            &CallerClock::shared(),
        )
    }

    /// Answers with the final error `status` (486, 603 …) and waits for the ACK.
    pub async fn reject(mut self, status: u16) -> Result<(), PhoneError> {
        self.finish(status).await
    }

    /// Doesn't answer: waits until the server CANCELs (the CANCEL is answered 200 by the
    /// reader), answers the INVITE 487 and takes the ACK.
    pub async fn wait_cancel(mut self, within: Duration) -> Result<(), PhoneError> {
        let deadline = Instant::now() + within;
        if self.channel.wait_for(deadline, is_cancel).await?.is_none() {
            return Err(PhoneError::Timeout("a CANCEL".into()));
        }
        self.finish(487).await
    }

    async fn finish(&mut self, status: u16) -> Result<(), PhoneError> {
        let text = response(&self.invite, status, Some(&self.to_tag), "", None);
        self.channel.respond_until_ack(&self.invite, &text).await
    }
}

fn is_cancel(message: &Message) -> bool {
    message.method() == Some("CANCEL")
}
