//! Subscriber accounts as the self-service queries speak them (menu 1 → 2 and 1 → 3):
//! exact amounts of money ([`money`]), Mandarin readings of amounts, quantities and dates
//! as prompt lists ([`spoken`]), and installation orders with their appointment
//! deadlines ([`orders`]). Pure: no I/O, time is an argument.

pub mod money;
pub mod orders;
pub mod spoken;
