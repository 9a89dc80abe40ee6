//! The human agents of the hotline (spec §5): who they are (work number 工号, name,
//! skills, password) and how their softphones prove it to the registrar (SIP digest
//! authentication, [`digest`]). Owns no sockets and no store: the SIP shell and the
//! store call into it.

pub mod digest;
