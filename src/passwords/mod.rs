//! Line and contract passwords (spec §2): six digits typed on the keypad, held as a
//! [`secret::Secret`] that never prints, checked for weakness ([`strength`]), stored only
//! as argon2id PHC strings ([`hash`]), and locked after repeated failures ([`lockout`]).
//! Pure: no I/O, time is an argument; the store keeps hashes and attempts.

pub mod hash;
pub mod lockout;
pub mod secret;
pub mod strength;

pub use secret::Secret;
