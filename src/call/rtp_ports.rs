//! The pool of UDP ports for RTP: each call binds one even port of the configured range.
//!
//! Ports are tried from a rotating cursor, so a port just released is not reused at once
//! (late packets of the old call would land in the new one) and ports held by other
//! programs are skipped.

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU32, Ordering};

/// Hands out RTP sockets from a port range.
pub struct RtpPorts {
    first_even: u16,
    pairs: u32,
    cursor: AtomicU32,
}

impl RtpPorts {
    /// A pool over the even ports of `range`, starting at a random one.
    pub fn new(range: RangeInclusive<u16>) -> RtpPorts {
        let first_even = range.start() + range.start() % 2;
        let pairs = (u32::from(*range.end()) + 1).saturating_sub(u32::from(first_even)) / 2;
        let start = if pairs == 0 {
            0
        } else {
            rand::random::<u32>() % pairs
        };
        RtpPorts {
            first_even,
            pairs: pairs.max(1),
            cursor: AtomicU32::new(start),
        }
    }

    /// Binds a non-blocking UDP socket on the next free even port of the range (the
    /// media clock drains it on its schedule; it is not registered with tokio).
    pub fn bind(&self, ip: IpAddr) -> io::Result<UdpSocket> {
        for _ in 0..self.pairs.min(512) {
            let index = self.cursor.fetch_add(1, Ordering::Relaxed) % self.pairs;
            let port = self.first_even + (index * 2) as u16;
            if let Ok(socket) = UdpSocket::bind(SocketAddr::new(ip, port)) {
                socket.set_nonblocking(true)?;
                return Ok(socket);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            "no free RTP port in the range",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_even_inside_the_range_and_distinct() {
        let pool = RtpPorts::new(41000..=41019);
        let ip = IpAddr::from([127, 0, 0, 1]);
        let sockets: Vec<_> = (0..5).map(|_| pool.bind(ip).unwrap()).collect();
        let mut ports: Vec<u16> = sockets
            .iter()
            .map(|s| s.local_addr().unwrap().port())
            .collect();
        assert!(ports
            .iter()
            .all(|p| p % 2 == 0 && (41000..=41019).contains(p)));
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 5);
    }

    #[test]
    fn a_full_range_reports_addr_in_use() {
        let pool = RtpPorts::new(41100..=41103);
        let ip = IpAddr::from([127, 0, 0, 1]);
        let _held: Vec<_> = (0..2).map(|_| pool.bind(ip).unwrap()).collect();
        assert_eq!(pool.bind(ip).unwrap_err().kind(), io::ErrorKind::AddrInUse);
    }
}
