//! Per-packet cost of the media path, in nanoseconds per call.
//!
//! Run with `cargo bench --bench media`. A plain timing loop (no criterion): each case
//! runs for about half a second after a warm-up and prints the mean time per call.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hotline::media::{
    dtmf_tone, parse_rtp, Key, RtpPacketizer, RtpView, TelephoneEventReceiver, ToneDetector, G711,
};

fn measure(name: &str, mut f: impl FnMut()) {
    for _ in 0..10_000 {
        f();
    }
    let mut calls: u64 = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) {
        for _ in 0..1_000 {
            f();
        }
        calls += 1_000;
    }
    let ns = start.elapsed().as_nanos() as f64 / calls as f64;
    println!("{name:<40} {ns:>9.1} ns");
}

fn main() {
    let pcm: Vec<i16> = (0..160)
        .map(|n| ((n * 977) % 20_000 - 10_000) as i16)
        .collect();
    let mut frame = [0u8; 160];
    measure("G711::encode_into (160 samples, PCMU)", || {
        G711::Ulaw.encode_into(black_box(&pcm), &mut frame);
        black_box(&frame);
    });
    let mut decoded = [0i16; 160];
    measure("G711::decode_into (160 bytes, PCMA)", || {
        G711::Alaw.decode_into(black_box(&frame), &mut decoded);
        black_box(&decoded);
    });

    let mut packetizer = RtpPacketizer::new(0x1234_5678, 1, 1, 0);
    let mut out = Vec::with_capacity(1500);
    measure("RtpPacketizer::write_packet (160 B)", || {
        packetizer.write_packet(black_box(&frame), 160, &mut out);
        black_box(&out);
    });

    let datagram = out.clone();
    measure("parse_rtp (172 B)", || {
        black_box(parse_rtp(black_box(&datagram)));
    });

    let mut receiver = TelephoneEventReceiver::new();
    let start = Instant::now();
    let mut n: u32 = 0;
    measure("TelephoneEventReceiver::on_packet", || {
        // A press every 8 packets: start, 4 updates, 3 end packets, 20 ms apart.
        let phase = n % 8;
        let payload = [5, if phase >= 5 { 0x8A } else { 0x0A }, 0, 160];
        let view = RtpView {
            payload_type: 101,
            marker: phase == 0,
            sequence: n as u16,
            timestamp: (n / 8) * 1600,
            ssrc: 0x1234_5678,
            payload: &payload,
        };
        let now = start + Duration::from_millis(u64::from(n) * 20);
        black_box(receiver.on_packet(black_box(&view), now));
        n = n.wrapping_add(1);
    });

    let mut detector = ToneDetector::new();
    let mut audio = dtmf_tone(Key::from_char('5').expect("a DTMF key"), 100, 5000);
    audio.extend(&pcm);
    audio.resize(1600, 0);
    let mut offset = 0;
    measure("ToneDetector::push (160 samples)", || {
        black_box(detector.push(black_box(&audio[offset..offset + 160])));
        offset = (offset + 160) % audio.len();
    });
}
