//! SIP (RFC 3261) as a pure state machine, in the sans-IO style of quinn-proto / str0m:
//! bytes and instants in, [`Output`]s out. `message` and `header` parse and build
//! messages (our own tokenizer: rsip 0.4 fails on IPv6 hosts, tel: URIs and `;` in the
//! user part, see `message`), `transaction` has the RFC 3261 §17 state machines and
//! timers (`client_invite` the one of our outgoing INVITE), `dialog` the dialog state
//! and next-hop choice, `endpoint` / `call` / `requests` the UAS [`Endpoint`],
//! `outgoing` its UAC side (the server calling a phone: [`Endpoint::invite`]),
//! `register` the REGISTER hand-off to the registrar. Owns no sockets and reads no clock: `transport` (the
//! integrator's tokio shell) feeds it datagrams and stream messages (framed by
//! [`take_stream_message`]) and sends what it outputs. Must not touch media, menus or SDP
//! content: SDP bodies pass through as bytes.
//!
//! RFC 4475's torture messages are all answered as `torture_tests` (and its table,
//! `tests/fixtures/rfc4475/expected.tsv`) says. These needed a fix here:
//! - intmeth: `?` in a URI's user part is not the start of its headers;
//! - intmeth, esc02: an unrecognised method gets 501 (405 stays for known ones);
//! - badinv01: empty Via / Contact parameters or list elements are a 400;
//! - lwsruri: LWS inside the Request-URI is read and answered 400, not dropped;
//! - escruri: headers in the Request-URI are a 400;
//! - regbadct: a URI with headers or a comma outside `<>` does not parse (400);
//! - badaspec: LWS inside `<>` does not parse (400);
//! - baddn: an unquoted display name with ASCII separators does not parse (400);
//! - badbranch: a bare `z9hG4bK` branch falls back to the RFC 2543 transaction key;
//! - insuf: a request with a Via and a CSeq but no From/To/Call-ID gets 400 echoing
//!   what it has (it used to be dropped);
//! - invut: an INVITE body that is not SDP gets 415 with Accept;
//! - sdp01: an INVITE whose Accept leaves out SDP gets 406;
//! - zeromf: Max-Forwards 0 is processed as if positive (no more 483: we are no proxy);
//! - esc01, longreq, baddate, badinv01…: their SDP's `a=rtpmap:31 LPC` (no clock rate)
//!   no longer makes `crate::sdp` refuse the whole offer.

mod call;
mod client_invite;
mod dialog;
mod endpoint;
mod framing;
mod header;
mod message;
mod outgoing;
mod register;
mod requests;
mod timers;
mod transaction;
pub mod transport;

#[cfg(test)]
mod endpoint_tests;
#[cfg(test)]
mod endpoint_tests_dialog;
#[cfg(test)]
mod endpoint_tests_input;
#[cfg(test)]
mod endpoint_tests_outgoing;
#[cfg(test)]
mod endpoint_tests_register;
#[cfg(test)]
mod torture_tests;

use std::net::SocketAddr;

use crate::media::Key;

pub use endpoint::Endpoint;
pub use framing::{take_stream_message, FramingError};
pub use outgoing::OutgoingInvite;
pub use register::{ContactBinding, Contacts, Registration, RegistrationHandle, MAX_PENDING};

/// The transport a message came in on (and its responses go out on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
}

/// One datagram, or one framed stream message, from `from`.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    pub transport: Transport,
    pub from: SocketAddr,
    pub bytes: &'a [u8],
}

/// What the endpoint wants done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send `bytes` to `to` over `transport` (for TCP, on the connection with that peer).
    Transmit {
        transport: Transport,
        to: SocketAddr,
        bytes: Vec<u8>,
    },
    Event(CallEvent),
    /// A REGISTER for the registrar: answer with `Endpoint::answer_registration`.
    Registration(Registration),
}

/// Identifies one call (one INVITE dialog) for the endpoint's commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallHandle(pub u64);

/// What happened to a call. Every `Incoming` is followed, eventually, by exactly one
/// `Cancelled` or `Ended`; every call from [`Endpoint::invite`] by exactly one `Ended`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallEvent {
    Incoming {
        call: CallHandle,
        /// User part of P-Asserted-Identity, else of From; phone numbers as `+` and digits.
        caller: String,
        /// User part of the Request-URI, else of To.
        called: String,
        /// SDP body, may be empty (offer in our 200, answer in the ACK, which is ignored).
        offer: Vec<u8>,
        signalling_from: SocketAddr,
        call_id: String,
    },
    /// Outgoing calls: the first 180 and the first 183 (each reported once).
    Progress {
        call: CallHandle,
        status: u16,
    },
    /// Outgoing calls: the first 2xx, with its SDP answer. The endpoint has already sent
    /// the ACK; the dialog is confirmed.
    Answered {
        call: CallHandle,
        answer: Vec<u8>,
    },
    /// ACK for our 2xx to the initial INVITE.
    Confirmed {
        call: CallHandle,
    },
    /// CANCEL before the answer; the endpoint already sent 200 and 487.
    Cancelled {
        call: CallHandle,
    },
    Ended {
        call: CallHandle,
        reason: EndReason,
    },
    /// SIP INFO with application/dtmf-relay or application/dtmf.
    Key {
        call: CallHandle,
        key: Key,
    },
    /// re-INVITE with an SDP offer: answer with `answer_reoffer` or `reject_reoffer`.
    Reoffer {
        call: CallHandle,
        offer: Vec<u8>,
    },
    /// The REFER's NOTIFY reported a 2xx.
    TransferAccepted {
        call: CallHandle,
    },
    /// The REFER was refused or timed out (408), or its NOTIFY reported a failure.
    TransferFailed {
        call: CallHandle,
        status: u16,
    },
}

/// Why a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The caller sent BYE.
    RemoteBye,
    /// Our BYE (from `hangup`) completed, with this final status, or 408 when it timed out.
    LocalBye { status: u16 },
    /// No ACK for our 2xx within 64·T1 (timer H / L); the endpoint sent a BYE.
    NoAck,
    /// `reject` (or `hangup` before the answer) sent this final status.
    Rejected { status: u16 },
    /// Outgoing calls: the phone's non-2xx final (486, 603, 480, also 401/407: no
    /// authentication), 408 when it never answered (timer B), 487 after our CANCEL.
    Refused { status: u16 },
}

/// Static configuration of the endpoint.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
    /// Our signalling address (Contact and Via of requests we send).
    pub local: SocketAddr,
    /// `Server:` / `User-Agent:` value.
    pub user_agent: String,
}
