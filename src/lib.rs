//! hotline: an IVR and voice-menu server for a telecom customer-service hotline.
//!
//! One call's data flow reads top to bottom:
//! socket ([`sip::transport`]) → SIP ([`sip`], pure) → call task ([`call`]) →
//! menu engine ([`menu`], pure) → media ([`media`], [`prompts`]).
//! The pure cores take time as an argument and own no sockets; the shells
//! (`sip::transport`, `call`, `server`, `http`) are thin tokio tasks around them.

pub mod accounts;
pub mod agents;
pub mod call;
pub mod caller;
pub mod clock;
pub mod config;
pub mod http;
pub mod live;
pub mod load;
pub mod media;
pub mod menu;
pub mod metrics;
pub mod passwords;
pub mod prompts;
pub mod queues;
pub mod records;
pub mod reports;
pub mod sdp;
pub mod server;
pub mod sip;
pub mod store;
pub mod tickets;
