use super::*;

/// A 1 kHz tone at 8 kHz, `len` samples from sample `start`.
fn tone(start: usize, len: usize) -> Vec<i16> {
    (start..start + len)
        .map(|n| (8000.0 * (n as f64 * std::f64::consts::TAU / 8.0).sin()) as i16)
        .collect()
}

fn encode(law: G711, pcm: &[i16]) -> Vec<u8> {
    pcm.iter().map(|&sample| law.encode(sample)).collect()
}

/// Every packet waiting, as (audio frame | event fields), B's timestamp moving 160 a tick
/// from `timestamp`.
fn drain(relay: &mut Relay, mut timestamp: u32) -> Vec<Sent> {
    let mut sent = Vec::new();
    while let Some(outgoing) = relay.next(timestamp) {
        sent.push(match outgoing {
            Outgoing::Audio(frame) => Sent::Audio(frame.to_vec()),
            Outgoing::Event {
                payload_type,
                timestamp,
                marker,
                block,
            } => Sent::Event(payload_type, timestamp, marker, *block),
        });
        timestamp = timestamp.wrapping_add(FRAME_SAMPLES as u32);
    }
    sent
}

#[derive(Debug, PartialEq, Eq)]
enum Sent {
    Audio(Vec<u8>),
    Event(u8, u32, bool, [u8; 4]),
}

#[test]
fn ulaw_frames_come_out_as_the_same_sound_in_alaw() {
    let pcm = tone(0, FRAME_SAMPLES);
    let ulaw = encode(G711::Ulaw, &pcm);
    let mut relay = Relay::new(G711::Ulaw, G711::Alaw, None);
    relay.push_audio(&ulaw);
    let sent = drain(&mut relay, 0);
    let [Sent::Audio(alaw)] = &sent[..] else {
        panic!("one frame expected, got {sent:?}");
    };
    for ((&u, &a), &original) in ulaw.iter().zip(alaw).zip(&pcm) {
        assert_eq!(a, G711::Alaw.encode(G711::Ulaw.decode(u)));
        let heard = i32::from(G711::Alaw.decode(a));
        let error = (heard - i32::from(original)).abs();
        assert!(
            error <= i32::from(original).abs() / 12 + 40,
            "{original} -> {heard}"
        );
    }
}

#[test]
fn alaw_to_ulaw_and_same_law_pass_the_sound() {
    let pcm = tone(3, FRAME_SAMPLES);
    let alaw = encode(G711::Alaw, &pcm);
    let mut to_ulaw = Relay::new(G711::Alaw, G711::Ulaw, None);
    to_ulaw.push_audio(&alaw);
    let expected: Vec<u8> = alaw
        .iter()
        .map(|&a| G711::Ulaw.encode(G711::Alaw.decode(a)))
        .collect();
    assert_eq!(drain(&mut to_ulaw, 0), [Sent::Audio(expected)]);

    // Same law: byte for byte, including µ-law's second zero code 0x7F.
    let mut ulaw = encode(G711::Ulaw, &pcm);
    ulaw[0] = 0x7F;
    let mut same = Relay::new(G711::Ulaw, G711::Ulaw, None);
    same.push_audio(&ulaw);
    assert_eq!(drain(&mut same, 0), [Sent::Audio(ulaw)]);
}

#[test]
fn a_full_queue_drops_the_oldest_frames() {
    let mut relay = Relay::new(G711::Alaw, G711::Alaw, None);
    for frame in 0..RELAY_QUEUE_FRAMES as u8 + 2 {
        relay.push_audio(&[frame; FRAME_SAMPLES]);
    }
    let sent = drain(&mut relay, 0);
    let first_bytes: Vec<u8> = sent
        .iter()
        .map(|sent| match sent {
            Sent::Audio(frame) => frame[0],
            Sent::Event(..) => panic!("no event was sent"),
        })
        .collect();
    assert_eq!(first_bytes, [2, 3, 4, 5, 6]);
    // Drained: nothing waits, and the queue fills again from empty.
    assert_eq!(relay.next(0), None);
    relay.push_audio(&[9; FRAME_SAMPLES]);
    assert_eq!(drain(&mut relay, 0), [Sent::Audio(vec![9; FRAME_SAMPLES])]);
}

#[test]
fn a_standing_queue_drains_one_frame_a_second() {
    let mut relay = Relay::new(G711::Alaw, G711::Alaw, None);
    // A burst left three frames waiting; from then on one comes per tick.
    for id in 0..3u8 {
        relay.push_audio(&[id; FRAME_SAMPLES]);
    }
    let mut taken = Vec::new();
    for tick in 0..200u32 {
        relay.push_audio(&[(tick + 3) as u8; FRAME_SAMPLES]);
        match relay.next(0) {
            Some(Outgoing::Audio(frame)) => taken.push(u32::from(frame[0])),
            other => panic!("tick {tick}: {other:?}"),
        }
    }
    // Nothing is dropped in the first second; then one frame each second until the
    // frame taken is the one just pushed.
    assert_eq!(taken[..49], (0..49).collect::<Vec<u32>>()[..]);
    let skipped: Vec<u32> = taken
        .windows(2)
        .filter(|pair| pair[1] != pair[0] + 1)
        .map(|pair| pair[0] + 1)
        .collect();
    assert_eq!(skipped, [49, 100, 151]);
    assert_eq!(taken.last(), Some(&(199 + 3)));

    // A queue that empties at every tick never loses a frame, however long.
    let mut steady = Relay::new(G711::Alaw, G711::Alaw, None);
    for tick in 0..200u32 {
        steady.push_audio(&[tick as u8; FRAME_SAMPLES]);
        let Some(Outgoing::Audio(frame)) = steady.next(0) else {
            panic!("a frame each tick");
        };
        assert_eq!(frame[0], tick as u8);
    }
}

#[test]
fn thirty_and_ten_ms_packets_are_reframed_to_twenty() {
    let pcm = tone(0, 720);
    let ulaw = encode(G711::Ulaw, &pcm);

    let mut from_thirty = Relay::new(G711::Ulaw, G711::Ulaw, None);
    for packet in ulaw.chunks(240) {
        from_thirty.push_audio(packet);
    }
    let expected: Vec<Sent> = ulaw
        .chunks(FRAME_SAMPLES)
        .filter(|frame| frame.len() == FRAME_SAMPLES)
        .map(|frame| Sent::Audio(frame.to_vec()))
        .collect();
    assert_eq!(expected.len(), 4);
    assert_eq!(drain(&mut from_thirty, 0), expected);
    // The last 80 samples wait for the next packet.
    from_thirty.push_audio(&[0xFF; 80]);
    let mut completed = ulaw[640..].to_vec();
    completed.extend([0xFF; 80]);
    assert_eq!(drain(&mut from_thirty, 0), [Sent::Audio(completed)]);

    let mut from_ten = Relay::new(G711::Ulaw, G711::Ulaw, None);
    let mut sent = Vec::new();
    for packet in ulaw[..640].chunks(80) {
        from_ten.push_audio(packet);
        sent.extend(drain(&mut from_ten, 0));
    }
    assert_eq!(sent, expected);
}

#[test]
fn events_keep_their_block_and_get_one_timestamp_of_the_target_timeline() {
    let mut relay = Relay::new(G711::Ulaw, G711::Alaw, Some(96));
    // A's press of '5' stamped 1000: start, update, end sent three times (volume 10).
    let packets = [
        [5, 0x0A, 0x00, 0x00],
        [5, 0x0A, 0x01, 0x90],
        [5, 0x8A, 0x03, 0x20],
        [5, 0x8A, 0x03, 0x20],
        [5, 0x8A, 0x03, 0x20],
    ];
    let mut sent = Vec::new();
    let mut b_timestamp = 70_000u32;
    for packet in packets {
        relay.push_event(&packet, 1000);
        sent.extend(drain(&mut relay, b_timestamp));
        b_timestamp += FRAME_SAMPLES as u32;
    }
    let expected: Vec<Sent> = packets
        .iter()
        .enumerate()
        .map(|(index, block)| Sent::Event(96, 70_000, index == 0, *block))
        .collect();
    assert_eq!(sent, expected);

    // Audio between presses, then a press of '#' stamped 9000: a new B timestamp.
    relay.push_audio(&[0xFF; FRAME_SAMPLES]);
    relay.push_event(&[11, 0x0A, 0, 0], 9000);
    relay.push_event(&[11, 0x8A, 0, 160], 9000);
    let sent = drain(&mut relay, b_timestamp);
    assert_eq!(
        sent,
        [
            Sent::Audio(vec![G711::Alaw.encode(0); FRAME_SAMPLES]),
            Sent::Event(96, b_timestamp + 160, true, [11, 0x0A, 0, 0]),
            Sent::Event(96, b_timestamp + 160, false, [11, 0x8A, 0, 160]),
        ]
    );
}

#[test]
fn events_are_dropped_without_a_target_payload_type_or_a_whole_block() {
    let mut without = Relay::new(G711::Ulaw, G711::Ulaw, None);
    without.push_event(&[1, 0x0A, 0, 0], 1000);
    assert_eq!(without.next(0), None);

    let mut with = Relay::new(G711::Ulaw, G711::Ulaw, Some(101));
    with.push_event(&[1, 0x0A, 0], 1000);
    assert_eq!(with.next(0), None);
    // A payload with a second (redundant) block: the first only.
    with.push_event(&[1, 0x8A, 0, 80, 2, 0x0A, 0, 0], 1000);
    assert_eq!(
        drain(&mut with, 320),
        [Sent::Event(101, 320, true, [1, 0x8A, 0, 80])]
    );
}
