//! The agent phone's one UDP socket and its reader task, which routes what arrives by
//! Call-ID: to the registration's or a call's [`Channel`], or, for an INVITE on a new
//! Call-ID, to the phone's queue of incoming calls.
//!
//! The reader answers at once what a phone answers without asking its user: 100 Trying
//! and 180 Ringing to a new INVITE, the INVITE's latest response again to a
//! retransmission of it (the 200 OK's own retransmissions until the ACK are the
//! channel owner's; the server's are absorbed here), 200 OK to CANCEL, BYE,
//! OPTIONS and anything else in a known dialog, 481 to requests in an unknown one, and
//! 488 to a re-INVITE (not supported). Responses go back to the address the request
//! came from; requests of ours go to the address a channel was opened towards.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::time::{timeout_at, Instant};

use super::agent_phone::PhoneError;
use super::agent_phone_sip::{response, Message};
use super::message::{retransmit_interval, T2, TRANSACTION_TIMEOUT};
use super::AbortOnDrop;

/// Largest datagram read.
const MAX_DATAGRAM: usize = 65_535;

/// A random token for tags, branches and Call-IDs.
pub fn token() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A branch with the RFC 3261 magic cookie.
pub fn branch() -> String {
    format!("z9hG4bK{}", token())
}

/// An INVITE on a Call-ID the phone did not know, already answered 100 and 180.
pub struct NewInvite {
    pub invite: Message,
    pub to_tag: String,
    pub channel: Channel,
}

struct Route {
    messages: UnboundedSender<Message>,
    /// For a dialog the server opened: its INVITE's branch and our latest response.
    invite: Option<(String, Arc<[u8]>)>,
}

type Routes = Arc<Mutex<HashMap<String, Route>>>;

/// The phone's socket, shared by its registration and its calls.
pub struct Link {
    socket: Arc<UdpSocket>,
    local: SocketAddr,
    routes: Routes,
    _reader: AbortOnDrop,
}

impl Link {
    /// Binds 127.0.0.1:0 and starts the reader; new calls go to `invites`, and their
    /// provisional responses carry `contact` (our URI).
    pub async fn bind(
        contact_user: &str,
        invites: UnboundedSender<NewInvite>,
    ) -> io::Result<Arc<Link>> {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let local = socket.local_addr()?;
        let routes = Routes::default();
        let reader = Reader {
            socket: Arc::clone(&socket),
            routes: Arc::clone(&routes),
            invites,
            contact: format!("Contact: <sip:{contact_user}@{local}>\r\n"),
        };
        Ok(Arc::new(Link {
            socket,
            local,
            routes,
            _reader: AbortOnDrop(tokio::spawn(reader.run())),
        }))
    }

    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// A channel for our own requests on `call_id`, sent to `peer`.
    pub fn open(&self, call_id: &str, peer: SocketAddr) -> Channel {
        Channel::open(&self.socket, &self.routes, call_id, peer)
    }
}

fn lock(routes: &Routes) -> std::sync::MutexGuard<'_, HashMap<String, Route>> {
    routes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Reader {
    socket: Arc<UdpSocket>,
    routes: Routes,
    invites: UnboundedSender<NewInvite>,
    contact: String,
}

impl Reader {
    async fn run(self) {
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        loop {
            let (n, from) = match self.socket.recv_from(&mut buffer).await {
                Ok(received) => received,
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(_) => break,
            };
            if let Some(message) = Message::parse(&buffer[..n]) {
                self.dispatch(message, from).await;
            }
        }
    }

    async fn dispatch(&self, message: Message, from: SocketAddr) {
        let call_id = message.call_id().unwrap_or_default().to_owned();
        let Some(method) = message.method().map(str::to_owned) else {
            if let Some(route) = lock(&self.routes).get(&call_id) {
                let _ = route.messages.send(message);
            }
            return;
        };
        let answer = |status| Some(response(&message, status, None, "", None).into_bytes());
        let (reply, forward) = match (method.as_str(), self.route_invite(&call_id)) {
            ("INVITE", None) => return self.new_invite(message, from).await,
            ("INVITE", Some(Some((branch, last)))) if message.branch() == Some(&branch) => {
                (Some(last.to_vec()), false)
            }
            ("INVITE", Some(_)) => (answer(488), false),
            ("ACK", route) => (None, route.is_some()),
            (_, Some(_)) => (answer(200), true),
            ("OPTIONS", None) => (answer(200), false),
            (_, None) => (answer(481), false),
        };
        // Forwarded before the reply, so a peer that has the reply knows the phone has
        // the request (a CANCEL answered 200 is seen by the next `answer`).
        if forward {
            if let Some(route) = lock(&self.routes).get(&call_id) {
                let _ = route.messages.send(message);
            }
        }
        if let Some(reply) = reply {
            let _ = self.socket.send_to(&reply, from).await;
        }
    }

    /// For a known Call-ID, the INVITE branch and latest response of its dialog if the
    /// server opened it; `None` for an unknown Call-ID.
    fn route_invite(&self, call_id: &str) -> Option<Option<(String, Arc<[u8]>)>> {
        lock(&self.routes)
            .get(call_id)
            .map(|route| route.invite.clone())
    }

    async fn new_invite(&self, invite: Message, from: SocketAddr) {
        let to_tag = token();
        let trying = response(&invite, 100, None, "", None);
        let ringing = response(&invite, 180, Some(&to_tag), &self.contact, None);
        let call_id = invite.call_id().unwrap_or_default();
        let mut channel = Channel::open(&self.socket, &self.routes, call_id, from);
        channel.set_invite_reply(invite.branch().unwrap_or_default(), ringing.as_bytes());
        // Routed before ringing: a CANCEL sent on the 180 finds the call.
        let _ = self.socket.send_to(trying.as_bytes(), from).await;
        let _ = self.socket.send_to(ringing.as_bytes(), from).await;
        let _ = self.invites.send(NewInvite {
            invite,
            to_tag,
            channel,
        });
    }
}

/// The messages of one Call-ID, and our requests and responses on it. Dropping it
/// forgets the Call-ID (later messages on it are answered 481).
pub struct Channel {
    socket: Arc<UdpSocket>,
    routes: Routes,
    call_id: String,
    peer: SocketAddr,
    messages: UnboundedReceiver<Message>,
    /// Messages received while waiting for another, in order.
    stash: VecDeque<Message>,
}

impl Channel {
    fn open(socket: &Arc<UdpSocket>, routes: &Routes, call_id: &str, peer: SocketAddr) -> Channel {
        let (sender, messages) = mpsc::unbounded_channel();
        let route = Route {
            messages: sender,
            invite: None,
        };
        lock(routes).insert(call_id.to_owned(), route);
        Channel {
            socket: Arc::clone(socket),
            routes: Arc::clone(routes),
            call_id: call_id.to_owned(),
            peer,
            messages,
            stash: VecDeque::new(),
        }
    }

    pub fn local(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    fn set_invite_reply(&mut self, branch: &str, reply: &[u8]) {
        if let Some(route) = lock(&self.routes).get_mut(&self.call_id) {
            route.invite = Some((branch.to_owned(), Arc::from(reply)));
        }
    }

    async fn send(&self, bytes: &[u8]) -> Result<(), PhoneError> {
        self.socket.send_to(bytes, self.peer).await?;
        Ok(())
    }

    /// The next message (stashed ones first); `None` at `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Result<Option<Message>, PhoneError> {
        if let Some(message) = self.stash.pop_front() {
            return Ok(Some(message));
        }
        match timeout_at(deadline, self.messages.recv()).await {
            Ok(Some(message)) => Ok(Some(message)),
            Ok(None) => Err(PhoneError::Closed),
            Err(_) => Ok(None),
        }
    }

    /// The first message that `wanted` accepts before `deadline`, keeping the others
    /// for [`next`](Self::next); `None` at the deadline.
    pub async fn wait_for(
        &mut self,
        deadline: Instant,
        wanted: impl Fn(&Message) -> bool,
    ) -> Result<Option<Message>, PhoneError> {
        if let Some(at) = self.stash.iter().position(&wanted) {
            return Ok(self.stash.remove(at));
        }
        loop {
            match timeout_at(deadline, self.messages.recv()).await {
                Ok(Some(message)) if wanted(&message) => return Ok(Some(message)),
                Ok(Some(message)) => self.stash.push_back(message),
                Ok(None) => return Err(PhoneError::Closed),
                Err(_) => return Ok(None),
            }
        }
    }

    /// A non-INVITE client transaction: sends `text` (CSeq `cseq`, `method`),
    /// retransmits it per timer E and returns its final response (timer F: 64*T1).
    pub async fn request(
        &mut self,
        text: &str,
        cseq: u32,
        method: &str,
    ) -> Result<Message, PhoneError> {
        let start = Instant::now();
        let deadline = start + TRANSACTION_TIMEOUT;
        self.send(text.as_bytes()).await?;
        let is_final =
            |m: &Message| m.status().is_some_and(|s| s >= 200) && m.cseq() == Some((cseq, method));
        for sent in 0.. {
            let wake = (Instant::now() + retransmit_interval(sent, false)).min(deadline);
            if let Some(final_response) = self.wait_for(wake, is_final).await? {
                return Ok(final_response);
            }
            if Instant::now() >= deadline {
                break;
            }
            self.send(text.as_bytes()).await?;
        }
        Err(PhoneError::Timeout(format!("a final response to {method}")))
    }

    /// Sends our final response to the server's INVITE, retransmits it per timer G until
    /// the ACK arrives and gives up after timer H (64*T1).
    pub async fn respond_until_ack(
        &mut self,
        invite: &Message,
        text: &str,
    ) -> Result<(), PhoneError> {
        self.set_invite_reply(invite.branch().unwrap_or_default(), text.as_bytes());
        let deadline = Instant::now() + TRANSACTION_TIMEOUT;
        let mut interval = retransmit_interval(0, false);
        loop {
            self.send(text.as_bytes()).await?;
            let wake = (Instant::now() + interval).min(deadline);
            if self
                .wait_for(wake, |m| m.method() == Some("ACK"))
                .await?
                .is_some()
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(PhoneError::Timeout("the ACK".into()));
            }
            interval = (interval * 2).min(T2);
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        lock(&self.routes).remove(&self.call_id);
    }
}
