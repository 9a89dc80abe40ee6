//! The bare UDP path: the same RTP streams as a load run (one socket per stream, one
//! 172-byte G.711 packet every 20 ms each way) with no SIP, no menu and no prompts. It
//! is the machine's own limit that the server's figures are divided by.
//!
//! [`serve_streams`] is the server stand-in, run as a child process so that `/proc`
//! measures it like the server: one thread, one 20 ms schedule for all streams, a
//! non-blocking drain of every socket and one `send_to` per stream per tick — the
//! cheapest shape of the packet path. [`run_stream`] is one caller-side stream in the
//! tool, on the same caller clock as the load calls' RTP.

use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket as StdUdpSocket};
use std::time::{Duration, Instant};

use crate::caller::{CallerClock, RtpStats};
use crate::media::{RtpPacketizer, FRAME_DURATION, FRAME_SAMPLES};

const SILENCE: [u8; FRAME_SAMPLES] = [0xFF; FRAME_SAMPLES];

struct Stream {
    socket: StdUdpSocket,
    peer: Option<SocketAddr>,
    packetizer: RtpPacketizer,
}

/// Binds `count` loopback sockets, writes their ports on one line (space-separated) to
/// `ports`, then for `lifetime` sends a packet every 20 ms on each stream whose peer has
/// been heard (the peer is latched from its first packet, as symmetric RTP does).
pub fn serve_streams(count: usize, lifetime: Duration, mut ports: impl Write) -> io::Result<()> {
    let mut streams = Vec::with_capacity(count);
    let mut line = String::new();
    for i in 0..count {
        let socket = StdUdpSocket::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        line.push_str(&socket.local_addr()?.port().to_string());
        line.push(' ');
        streams.push(Stream {
            socket,
            peer: None,
            packetizer: RtpPacketizer::new(i as u32, 0, 0, 0),
        });
    }
    writeln!(ports, "{}", line.trim_end())?;
    ports.flush()?;
    let start = Instant::now();
    let mut out = Vec::with_capacity(12 + FRAME_SAMPLES);
    let mut buf = [0u8; 2048];
    let mut tick: u32 = 0;
    while start.elapsed() < lifetime {
        for stream in &mut streams {
            while let Ok((_, from)) = stream.socket.recv_from(&mut buf) {
                stream.peer.get_or_insert(from);
            }
            if let Some(peer) = stream.peer {
                stream
                    .packetizer
                    .write_packet(&SILENCE, FRAME_SAMPLES as u32, &mut out);
                let _ = stream.socket.send_to(&out, peer);
            }
        }
        tick += 1;
        let due = start + FRAME_DURATION * tick;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    Ok(())
}

/// One caller-side bare stream for `hold`, on the tool's caller clock like a load
/// call's RTP: a packet every 20 ms to `server`, and the server's packets recorded as a
/// load call records them.
pub async fn run_stream(
    clock: &CallerClock,
    server: SocketAddr,
    hold: Duration,
) -> io::Result<RtpStats> {
    let socket = StdUdpSocket::bind("127.0.0.1:0")?;
    let stream = clock.attach_plain(socket, server)?;
    tokio::time::sleep(hold).await;
    stream
        .stats()
        .await
        .ok_or_else(|| io::Error::other("caller clock thread stopped"))
}
