//! The RFC 4475 torture messages through the pure endpoint, one row each.
//!
//! The table is `tests/fixtures/rfc4475/expected.tsv` (`file`, the final status sent
//! back or `dropped`, why), shared with the socket test `tests/sip_torture.rs`. Every
//! `.dat` file must have a row and every row a file. Each message is fed as one UDP
//! datagram to a fresh endpoint; what the layers above the endpoint decide is played
//! here as they do it: an accepted INVITE is answered 200 when `crate::sdp` can
//! negotiate its offer, else refused 488 (as `call::task` does); an accepted REGISTER
//! gets 401, the registrar's answer to a REGISTER without usable digest credentials (none
//! of the messages has any; the real registrar is asked over the socket). Then the clock
//! runs past every timer: nothing may be left.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::endpoint_tests::{caller, drain, endpoint, feed_from, ms, sent, status, SDP};
use super::message::{Message, StartLine};
use super::*;

/// One row of the table.
struct Expected {
    file: String,
    /// The final status, or `None` for "dropped".
    status: Option<u16>,
    why: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc4475")
}

fn table() -> Vec<Expected> {
    let text = std::fs::read_to_string(fixtures().join("expected.tsv")).expect("the table");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut cells = line.split('\t');
            let (file, expected, why) = (cells.next(), cells.next(), cells.next());
            let (Some(file), Some(expected), Some(why)) = (file, expected, why) else {
                panic!("a row needs file, status and why: {line:?}");
            };
            let status = match expected {
                "dropped" => None,
                code => Some(
                    code.parse()
                        .unwrap_or_else(|_| panic!("bad status {code:?}")),
                ),
            };
            Expected {
                file: file.to_string(),
                status,
                why: why.to_string(),
            }
        })
        .collect()
}

/// The registrar's answer to a REGISTER without usable credentials: a digest challenge.
const CHALLENGE: u16 = 401;

/// What the endpoint sent for `bytes`, with the layers above played: every response,
/// in order.
fn answer(bytes: &[u8], t0: Instant) -> (Endpoint, Vec<Message>) {
    let mut ep = endpoint();
    feed_from(&mut ep, Transport::Udp, caller(), bytes, t0);
    let mut responses = Vec::new();
    let mut outputs = drain(&mut ep);
    while !outputs.is_empty() {
        responses.extend(sent(&outputs).into_iter().map(|(_, m)| m));
        for output in outputs {
            match output {
                Output::Event(CallEvent::Incoming { call, offer, .. }) => {
                    match crate::sdp::parse_offer(&offer).and_then(|o| crate::sdp::negotiate(&o)) {
                        Ok(_) => ep.answer(call, SDP.into(), t0),
                        Err(_) => ep.reject(call, 488, t0),
                    }
                }
                Output::Registration(registration) => {
                    ep.answer_registration(registration.handle, CHALLENGE, &[], t0);
                }
                _ => {}
            }
        }
        outputs = drain(&mut ep);
    }
    (ep, responses)
}

#[test]
fn every_fixture_has_a_row_and_every_row_a_fixture() {
    let files: BTreeSet<String> = std::fs::read_dir(fixtures())
        .expect("fixtures present")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "dat").then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    let rows: BTreeSet<String> = table().into_iter().map(|row| row.file).collect();
    assert_eq!(files.len(), 50, "the 50 messages");
    assert_eq!(files, rows);
}

#[test]
fn each_torture_message_gets_its_status_and_leaves_no_state() {
    let mut wrong = Vec::new();
    for row in table() {
        let bytes = std::fs::read(fixtures().join(format!("{}.dat", row.file))).unwrap();
        let t0 = Instant::now();
        let (mut ep, responses) = answer(&bytes, t0);
        let finals: Vec<&Message> = responses.iter().filter(|m| status(m) >= 200).collect();
        let provisional_ok = responses
            .iter()
            .all(|m| status(m) >= 200 || status(m) == 100);
        let got = match finals.as_slice() {
            [] if responses.is_empty() => None,
            [only] => Some(status(only)),
            _ => Some(0), // no final after a 100, or several: never right
        };
        // A 400 says what is wrong in its reason phrase.
        let vague_400 = responses.iter().any(|m| {
            matches!(&m.start, StartLine::Response { code: 400, reason, .. } if reason == "Bad Request")
        });
        if got != row.status || !provisional_ok || vague_400 {
            let phrases: Vec<String> = responses
                .iter()
                .map(|m| match &m.start {
                    StartLine::Response { code, reason, .. } => format!("{code} {reason}"),
                    StartLine::Request { method, .. } => method.clone(),
                })
                .collect();
            wrong.push(format!(
                "{}: expected {:?} ({}), sent {phrases:?}",
                row.file, row.status, row.why
            ));
        }
        // Past every timer (an unacknowledged 200 ends with our BYE and its timeout).
        let mut now = t0;
        for _ in 0..100 {
            let Some(at) = ep.poll_timeout() else { break };
            now = now.max(at) + ms(1);
            ep.handle_timeout(now);
            drain(&mut ep);
        }
        assert_eq!(ep.poll_timeout(), None, "{}: timers left", row.file);
        assert_eq!(ep.active_calls(), 0, "{}: a call left", row.file);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
