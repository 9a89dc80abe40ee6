//! SIP transport: the UDP socket and the TCP listener with its connections (tokio).
//!
//! Owns sockets only. Datagrams and framed stream messages go to the endpoint driver
//! ([`crate::call::switchboard`]) as [`Inbound`] values; what the endpoint wants sent
//! comes back through [`TransportSender`]. SIP parsing and state live in the pure
//! endpoint, never here.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{take_stream_message, Transport};

/// The largest SIP message we buffer on a stream before giving up on the connection.
const MAX_STREAM_BUFFER: usize = 64 * 1024;
/// Outgoing messages queued per TCP connection before new ones are dropped.
const TCP_QUEUE: usize = 256;

/// One SIP message received, with where it came from.
#[derive(Debug)]
pub struct Inbound {
    /// UDP or TCP.
    pub transport: Transport,
    /// The peer's address (source of the datagram, or the connection's peer).
    pub from: SocketAddr,
    /// The whole message.
    pub bytes: Bytes,
}

type Connections = Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Bytes>>>>;

/// Sends what the endpoint produced; cheap to clone.
#[derive(Clone)]
pub struct TransportSender {
    udp: Arc<UdpSocket>,
    connections: Connections,
}

impl TransportSender {
    /// Sends one message. Never waits: a full socket or queue drops the message with a log
    /// event (SIP retransmissions recover from a loss).
    pub fn send(&self, transport: Transport, to: SocketAddr, bytes: Vec<u8>) {
        match transport {
            Transport::Udp => {
                if let Err(error) = self.udp.try_send_to(&bytes, to) {
                    tracing::warn!(%to, %error, "SIP datagram not sent");
                }
            }
            Transport::Tcp => {
                let connection = lock(&self.connections).get(&to).cloned();
                match connection {
                    Some(queue) => {
                        if queue.try_send(Bytes::from(bytes)).is_err() {
                            tracing::warn!(%to, "TCP connection gone or full; SIP message dropped");
                        }
                    }
                    None => {
                        tracing::warn!(%to, "no TCP connection to the peer; SIP message dropped")
                    }
                }
            }
        }
    }
}

fn lock(
    connections: &Connections,
) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, mpsc::Sender<Bytes>>> {
    // A panic while holding this lock cannot leave the map inconsistent.
    connections
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bound SIP sockets: UDP and TCP on the same port.
pub struct SipSockets {
    udp: UdpSocket,
    tcp: TcpListener,
}

impl SipSockets {
    /// Binds UDP and TCP on `addr`. With port 0 an ephemeral port free for both is chosen.
    pub async fn bind(addr: SocketAddr) -> io::Result<SipSockets> {
        if addr.port() != 0 {
            let udp = UdpSocket::bind(addr).await?;
            let tcp = TcpListener::bind(addr).await?;
            return Ok(SipSockets { udp, tcp });
        }
        let mut last_error = None;
        for _ in 0..20 {
            let udp = UdpSocket::bind(addr).await?;
            match TcpListener::bind(udp.local_addr()?).await {
                Ok(tcp) => return Ok(SipSockets { udp, tcp }),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no port free for UDP and TCP")))
    }

    /// The bound address (the same port serves UDP and TCP).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.udp.local_addr()
    }

    /// Starts the receive tasks; inbound messages go to `inbound`.
    pub fn spawn(self, inbound: mpsc::Sender<Inbound>, tasks: &mut JoinSet<()>) -> TransportSender {
        let udp = Arc::new(self.udp);
        let connections: Connections = Arc::default();
        tasks.spawn(receive_datagrams(udp.clone(), inbound.clone()));
        tasks.spawn(accept_connections(self.tcp, connections.clone(), inbound));
        TransportSender { udp, connections }
    }
}

async fn receive_datagrams(udp: Arc<UdpSocket>, inbound: mpsc::Sender<Inbound>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        match udp.recv_from(&mut buf).await {
            Ok((len, from)) => {
                let message = Inbound {
                    transport: Transport::Udp,
                    from,
                    bytes: Bytes::copy_from_slice(&buf[..len]),
                };
                if inbound.send(message).await.is_err() {
                    return;
                }
            }
            // ICMP port-unreachable from an earlier send shows up here on some systems.
            Err(error) => tracing::debug!(%error, "SIP UDP receive error"),
        }
    }
}

async fn accept_connections(
    listener: TcpListener,
    connections: Connections,
    inbound: mpsc::Sender<Inbound>,
) {
    let mut streams = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let (queue, outgoing) = mpsc::channel(TCP_QUEUE);
                    lock(&connections).insert(peer, queue);
                    streams.spawn(serve_connection(stream, peer, outgoing, connections.clone(), inbound.clone()));
                }
                Err(error) => tracing::warn!(%error, "SIP TCP accept failed"),
            },
            Some(_) = streams.join_next() => {}
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    mut outgoing: mpsc::Receiver<Bytes>,
    connections: Connections,
    inbound: mpsc::Sender<Inbound>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let writing = async {
        while let Some(bytes) = outgoing.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
    };
    let reading = async {
        let mut buffer = BytesMut::with_capacity(8 * 1024);
        loop {
            loop {
                match take_stream_message(&mut buffer) {
                    Ok(Some(bytes)) => {
                        let message = Inbound {
                            transport: Transport::Tcp,
                            from: peer,
                            bytes,
                        };
                        if inbound.send(message).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!(%peer, %error, "bad SIP stream framing; closing the connection");
                        return;
                    }
                }
            }
            if buffer.len() > MAX_STREAM_BUFFER {
                tracing::warn!(%peer, "SIP message over {MAX_STREAM_BUFFER} bytes; closing the connection");
                return;
            }
            match reader.read_buf(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::select! {
        () = writing => {}
        () = reading => {}
    }
    lock(&connections).remove(&peer);
}
