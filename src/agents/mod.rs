//! The human agents of the hotline (spec §5): who they are (work number 工号, name,
//! skills, password) and how their softphones prove it to the registrar (SIP digest
//! authentication, [`digest`]), and the [`registrar`] that judges their REGISTERs
//! against the store and keeps their phones' bindings. Owns no sockets: the switchboard
//! hands REGISTERs to the registrar and carries its answers back.

pub mod digest;
pub mod registrar;
