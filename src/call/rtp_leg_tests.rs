//! Where a leg sends: to the SDP address at once when it is trusted, and, when the
//! negotiation says `latch_first`, nowhere until the phone's first RTP packet, then only
//! to where that packet came from.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use super::RtpLeg;
use crate::media::G711;
use crate::sdp::{Direction, Negotiated};

fn socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    socket
}

fn negotiated(remote_rtp: SocketAddr, latch_first: bool) -> Negotiated {
    Negotiated {
        remote_rtp,
        codec: G711::Ulaw,
        codec_pt: 0,
        telephone_event: None,
        direction: Direction::SendRecv,
        audio_index: 0,
        declined: Vec::new(),
        latch_first,
    }
}

fn leg(remote_rtp: SocketAddr, latch_first: bool) -> (RtpLeg, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("the leg's socket");
    socket.set_nonblocking(true).expect("non-blocking");
    let local = socket.local_addr().expect("an address");
    let leg = RtpLeg::new(socket, &negotiated(remote_rtp, latch_first), Instant::now());
    (leg, local)
}

/// Whether a datagram reaches `socket` within its read timeout.
fn receives(socket: &UdpSocket) -> bool {
    let mut buffer = [0u8; 2048];
    socket.recv_from(&mut buffer).is_ok()
}

/// A 20 ms PCMU packet with SSRC 7.
fn rtp_packet() -> Vec<u8> {
    let mut packet = vec![0x80, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7];
    packet.resize(12 + 160, 0xff);
    packet
}

#[test]
fn a_trusted_sdp_address_gets_media_at_once() {
    let phone = socket();
    let (mut leg, _) = leg(phone.local_addr().unwrap(), false);
    leg.send_silence();
    assert!(receives(&phone));
}

#[test]
fn an_untrusted_sdp_address_gets_nothing_and_media_follows_the_phones_first_packet() {
    let named_in_sdp = socket();
    let phone = socket();
    let (mut leg, leg_address) = leg(named_in_sdp.local_addr().unwrap(), true);
    leg.send_silence();
    assert!(
        !receives(&named_in_sdp),
        "nothing is sent before the phone's first packet"
    );

    phone.send_to(&rtp_packet(), leg_address).expect("sent");
    std::thread::sleep(Duration::from_millis(50));
    let mut heard = 0;
    leg.drain_received(Instant::now(), |_| heard += 1)
        .expect("read");
    assert_eq!(heard, 1);
    leg.send_silence();
    assert!(
        receives(&phone),
        "the media goes where the phone's RTP comes from"
    );
    assert!(!receives(&named_in_sdp));
}

#[test]
fn an_offer_naming_another_host_than_the_signallings_waits_for_the_first_packet() {
    let offer = |host: &str| format!("v=0\r\nc=IN IP4 {host}\r\nm=audio 4000 RTP/AVP 0\r\n");
    let from: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let same = super::super::task::negotiate_from(offer("192.0.2.1").as_bytes(), from);
    assert!(!same.expect("negotiated").latch_first);
    let other = super::super::task::negotiate_from(offer("198.51.100.9").as_bytes(), from);
    assert!(other.expect("negotiated").latch_first);
}
