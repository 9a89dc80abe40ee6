//! Who gets which caller next (spec §5): the agents' seats and their states, the waiting
//! callers of each queue in order (customer tier, then waiting time, with a bound so
//! nobody starves), which ready agent is offered which caller, and the service level
//! (answered within 15 seconds), the whole centre they make up ([`center`]), and what a waiting caller hears of their place
//! ([`announce`]). Pure: time is an argument, no sockets, no store. Their settings come
//! from `config/queues.yaml` ([`config`]).

pub mod announce;
pub mod center;
#[cfg(test)]
mod center_tests;
pub mod config;
pub mod dispatch;
pub mod seat;
pub mod service_level;
pub mod waiting;
