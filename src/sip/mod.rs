//! SIP (RFC 3261) as a pure state machine: message parsing over rsip with our fixes,
//! transactions and their timers, dialogs, and the UAS endpoint. Owns no sockets and
//! reads no clock; `transport` is the thin tokio shell that feeds it datagrams.
