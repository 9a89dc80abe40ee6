//! The caller's SIP socket (UDP, or one TCP connection) and its reader task. The reader
//! parses what the server sends and answers the server's own requests at once, as a
//! phone would (200 for BYE, INFO, OPTIONS …, 202 for REFER); it re-sends the ACK when
//! the server retransmits its 200 OK, and passes responses, BYE and REFER on to the call
//! as events.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc::UnboundedSender;

use super::call::Event;
use super::message::{response_to, ResponseInfo};
use super::AbortOnDrop;
use crate::sip::{take_stream_message, Transport};

/// The Refer-To value of a REFER (long or compact header name), empty if missing.
fn refer_to(request: &rsip::Request) -> String {
    request
        .headers
        .iter()
        .find_map(|header| match header {
            rsip::Header::Other(name, value)
                if name.eq_ignore_ascii_case("refer-to") || name.eq_ignore_ascii_case("r") =>
            {
                Some(value.trim().to_owned())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Largest datagram read.
const MAX_DATAGRAM: usize = 65_535;

#[derive(Clone)]
enum Sender {
    Udp(Arc<UdpSocket>),
    Tcp(Arc<tokio::sync::Mutex<OwnedWriteHalf>>),
}

impl Sender {
    async fn send(&self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sender::Udp(socket) => socket.send(bytes).await.map(drop),
            Sender::Tcp(writer) => writer.lock().await.write_all(bytes).await,
        }
    }
}

/// The ACK for the server's 2xx, shared with the reader so it can answer retransmissions.
type SharedAck = Arc<Mutex<Option<Arc<[u8]>>>>;

pub struct Signalling {
    sender: Sender,
    local: SocketAddr,
    ack: SharedAck,
    _reader: AbortOnDrop,
}

/// The wildcard address of the server's family, or loopback when the server is local.
fn bind_ip(server: SocketAddr) -> IpAddr {
    match server.ip() {
        ip if ip.is_loopback() => ip,
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

impl Signalling {
    /// Opens the socket (connected UDP, or a TCP connection) and starts the reader.
    pub async fn connect(
        transport: Transport,
        server: SocketAddr,
        events: UnboundedSender<Event>,
    ) -> io::Result<Signalling> {
        let ack = SharedAck::default();
        let (sender, local, reader) = match transport {
            Transport::Udp => {
                let socket = UdpSocket::bind(SocketAddr::new(bind_ip(server), 0)).await?;
                socket.connect(server).await?;
                let socket = Arc::new(socket);
                let local = socket.local_addr()?;
                let sender = Sender::Udp(Arc::clone(&socket));
                let reader = tokio::spawn(read_udp(socket, sender.clone(), ack.clone(), events));
                (sender, local, reader)
            }
            Transport::Tcp => {
                let stream = TcpStream::connect(server).await?;
                stream.set_nodelay(true)?;
                let local = stream.local_addr()?;
                let (read, write) = stream.into_split();
                let sender = Sender::Tcp(Arc::new(tokio::sync::Mutex::new(write)));
                let reader = tokio::spawn(read_tcp(read, sender.clone(), ack.clone(), events));
                (sender, local, reader)
            }
        };
        Ok(Signalling {
            sender,
            local,
            ack,
            _reader: AbortOnDrop(reader),
        })
    }

    /// Local address of the SIP socket (for Via and Contact).
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    pub async fn send(&self, bytes: &[u8]) -> io::Result<()> {
        self.sender.send(bytes).await
    }

    /// Sends the ACK for the 2xx and keeps it for the server's retransmissions.
    pub async fn send_ack(&self, ack: &str) -> io::Result<()> {
        let bytes: Arc<[u8]> = Arc::from(ack.as_bytes());
        if let Ok(mut slot) = self.ack.lock() {
            *slot = Some(Arc::clone(&bytes));
        }
        self.sender.send(&bytes).await
    }
}

async fn read_udp(
    socket: Arc<UdpSocket>,
    sender: Sender,
    ack: SharedAck,
    events: UnboundedSender<Event>,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        match socket.recv(&mut buf).await {
            Ok(n) => handle_message(&buf[..n], &sender, &ack, &events).await,
            // ICMP port unreachable and the like: the server may just not be up yet.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
            Err(_) => break,
        }
    }
    let _ = events.send(Event::Closed);
}

async fn read_tcp(
    mut read: OwnedReadHalf,
    sender: Sender,
    ack: SharedAck,
    events: UnboundedSender<Event>,
) {
    let mut buf = BytesMut::with_capacity(8192);
    'connection: loop {
        loop {
            match take_stream_message(&mut buf) {
                Ok(Some(message)) => handle_message(&message, &sender, &ack, &events).await,
                Ok(None) => break,
                Err(_) => break 'connection,
            }
        }
        match read.read_buf(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = events.send(Event::Closed);
}

async fn handle_message(
    bytes: &[u8],
    sender: &Sender,
    ack: &SharedAck,
    events: &UnboundedSender<Event>,
) {
    match rsip::SipMessage::try_from(bytes) {
        Ok(rsip::SipMessage::Response(response)) => {
            let Ok(info) = ResponseInfo::from_response(&response) else {
                return;
            };
            if info.method == "INVITE" && (200..300).contains(&info.status) {
                let stored = ack.lock().ok().and_then(|slot| slot.clone());
                if let Some(ack) = stored {
                    let _ = sender.send(&ack).await;
                }
            }
            let _ = events.send(Event::Response(info));
        }
        Ok(rsip::SipMessage::Request(request)) => {
            let method = request.method;
            if method == rsip::Method::Ack {
                return;
            }
            let (status, reason) = match method {
                rsip::Method::Refer => (202, "Accepted"),
                // A re-INVITE would need an SDP answer this caller does not give.
                rsip::Method::Invite => (488, "Not Acceptable Here"),
                _ => (200, "OK"),
            };
            let _ = sender
                .send(response_to(&request, status, reason).as_bytes())
                .await;
            match method {
                rsip::Method::Bye => {
                    let _ = events.send(Event::ByeReceived);
                }
                rsip::Method::Refer => {
                    let _ = events.send(Event::Refer(refer_to(&request)));
                }
                _ => {}
            }
        }
        Err(_) => {}
    }
}
