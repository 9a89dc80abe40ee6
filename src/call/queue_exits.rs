//! The ways a queued call leaves without one of our agents: a call-back request kept for
//! the caller (who then hears that it was and is let go), or a hand-over to an external
//! ACD by SIP REFER.
//!
//! Decisions: the REFER's `Refer-To` carries the call's context as URI headers
//! (RFC 3261 §19.1.1: `sip:acd@host?X-Hotline-Caller=…&Call-Info=…`), which the caller's
//! phone copies into its INVITE to the ACD, so the centre's own ACD sees what our agents
//! would; the caller hears the hold music meanwhile. When the ACD's side refuses or the
//! phone can't transfer, the caller hears 12 and a call-back request is kept.

use chrono::Utc;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::media_clock::MediaEvent;
use super::queued::{leg_of, QueuedCall, Stage};
use super::switchboard::Command;
use crate::metrics::CallOutcome;
use crate::sip::CallEvent;
use crate::store::{CallbackReason, NewCallback};

/// What stays unescaped in a URI header value: the RFC 3986 unreserved characters.
const HEADER_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Keeps a call-back request for the caller, plays `ids` and ends the call.
pub(super) async fn leave_with_callback(
    call: &mut QueuedCall<'_>,
    stage: &Stage,
    queue: &str,
    reason: CallbackReason,
    ids: &[&str],
) -> CallOutcome {
    call.context.distributor.leave(call.id());
    call.record.left_queue();
    if let Some(leg) = leg_of(stage) {
        leg.send(Command::Hangup);
    }
    let request = NewCallback {
        created_at: Utc::now(),
        caller: call.setup.caller.clone(),
        callback_number: None,
        queue: queue.to_string(),
        reason,
        call_id: call.setup.call_id.clone(),
        waited_ms: u64::try_from(call.handed_over.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    if let Err(error) = call.context.desk.keep_callback(&request).await {
        tracing::error!(%error, "call-back request could not be kept");
    }
    call.play(ids);
    // The goodbye plays to its end unless the caller hangs up first.
    loop {
        tokio::select! {
            event = call.events.recv() => match event {
                Some(CallEvent::Ended { .. }) | None => return CallOutcome::CallbackKept,
                _ => {}
            },
            media_event = call.media.next_event() => match media_event {
                Some(MediaEvent::PlaybackFinished(play)) if play == call.playing => break,
                Some(MediaEvent::PlaybackFinished(_) | MediaEvent::Key(..)) => {}
                _ => break,
            },
        }
    }
    call.commands.send(Command::Hangup);
    CallOutcome::CallbackKept
}

/// Hands the caller to the external ACD at `acd` by REFER, with the call's context.
pub(super) async fn hand_to_acd(call: &mut QueuedCall<'_>, queue: &str, acd: &str) -> CallOutcome {
    let target = with_headers(acd, &call.context_headers());
    tracing::info!(%queue, %acd, "handing the caller to the external ACD by REFER");
    call.play_then_hold(&[]);
    call.commands.send(Command::Refer(target));
    loop {
        tokio::select! {
            event = call.events.recv() => match event {
                Some(CallEvent::TransferAccepted { .. }) => {
                    call.commands.send(Command::Hangup);
                    return CallOutcome::Transferred;
                }
                Some(CallEvent::TransferFailed { status, .. }) => {
                    tracing::warn!(status, %acd, "the external ACD did not take the caller");
                    let busy = ["12", "queue-callback-taken"];
                    return leave_with_callback(call, &Stage::Waiting, queue, CallbackReason::NoAgents, &busy).await;
                }
                Some(CallEvent::Ended { .. }) | None => return CallOutcome::HungUpByCaller,
                Some(_) => {}
            },
            media_event = call.media.next_event() => match media_event {
                Some(MediaEvent::PlaybackFinished(play)) if play == call.playing => {
                    call.play_then_hold(&[]);
                }
                Some(MediaEvent::CallerSilent | MediaEvent::SocketFailed(_)) | None => {
                    call.commands.send(Command::Hangup);
                    return CallOutcome::Failed;
                }
                Some(_) => {}
            },
        }
    }
}

/// `uri` with `headers` as URI headers (`?name=value&…`, values percent-encoded).
fn with_headers(uri: &str, headers: &[(String, String)]) -> String {
    let query: Vec<String> = headers
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, HEADER_VALUE)))
        .collect();
    format!("{uri}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_goes_into_the_refer_to_uri_as_escaped_headers() {
        let headers = [
            ("X-Hotline-Caller".to_string(), "+8675512345678".to_string()),
            (
                "Call-Info".to_string(),
                "<http://h:8080/console/calls/a@b>;purpose=info".to_string(),
            ),
        ];
        assert_eq!(
            with_headers("sip:acd@10.0.0.9", &headers),
            "sip:acd@10.0.0.9?X-Hotline-Caller=%2B8675512345678\
             &Call-Info=%3Chttp%3A%2F%2Fh%3A8080%2Fconsole%2Fcalls%2Fa%40b%3E%3Bpurpose%3Dinfo"
        );
    }
}
