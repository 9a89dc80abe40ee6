//! The load tool's library side (`hotline-load`): what a run expects, measures and
//! reports. Pure parts (the menu path's expected prompts, percentiles, `/proc` parsing,
//! the report and its ratios) are unit-tested; [`bare`] is the shell of the bare UDP
//! baseline (std sockets, no server logic), run by the tool as a child process.
//!
//! Owns nothing of the server: it talks to it only over the network (through
//! [`crate::caller`]) and reads its `/proc` entries. Must not touch server internals.

pub mod bare;
pub mod plan;
pub mod procfs;
pub mod report;
