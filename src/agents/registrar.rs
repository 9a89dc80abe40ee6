//! The registrar (RFC 3261 §10, digest authentication of RFC 8760): judges each REGISTER
//! the SIP endpoint hands on against the agents in the store, keeps their phones'
//! bindings there, and says what to answer. The switchboard carries the answer back.
//!
//! Decisions:
//! - The address of record is the agent's work number (the To user); the digest
//!   username must be the same.
//! - No credentials, a nonce that is not ours (from before a restart, or another realm)
//!   or a replayed one: 401 with fresh SHA-256 and MD5 challenges, so a phone that has
//!   done nothing wrong registers again by itself. The right answer on an expired nonce:
//!   401 with `stale=true`.
//! - The challenges offer the configured algorithms (`--sip-digest`, SHA-256 then MD5 by
//!   default); credentials of an algorithm not offered are refused (no downgrade).
//! - A wrong password, an unknown or disabled agent, or a username that is not the To
//!   user: 403, no new challenge (a phone with a wrong password stops instead of retrying
//!   for ever). The log says which; the phone is not told.
//! - An `Authorization` of another scheme than Digest counts as none: 401 with our
//!   challenges (RFC 4475 3.3.7). A malformed Digest `Authorization`: 400.
//! - Expiry: a contact's own `expires`, else the `Expires` header, else [`DEFAULT_EXPIRES`];
//!   longer than [`MAX_EXPIRES`] is shortened (the 200 says by how much); shorter than
//!   [`MIN_EXPIRES`] but not 0 is 423 with `Min-Expires`. 0 removes the binding.
//! - The 200 lists every binding of the agent with its remaining seconds.
//! - Store trouble: 503 with `Retry-After`, and the phone keeps its binding as it was.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use super::digest::{Algorithm, Credentials, NonceIssuer, Rejection, Verdict, Verifier};
use crate::sip::{ContactBinding, Contacts, Registration, Transport};
use crate::store::{Binding, Store};

/// Expiry of a binding that asks for none.
pub const DEFAULT_EXPIRES: u32 = 3600;
/// The longest binding granted.
pub const MAX_EXPIRES: u32 = 3600;
/// The shortest binding granted (a phone asking for less gets 423).
pub const MIN_EXPIRES: u32 = 60;
/// How long a nonce is good for.
pub const NONCE_LIFETIME: Duration = Duration::from_secs(300);

/// What to send back: a status and its extra headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub code: u16,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    fn plain(code: u16) -> Answer {
        Answer {
            code,
            headers: Vec::new(),
        }
    }

    /// 503 with `Retry-After`: the store could not be asked; try again later.
    pub fn unavailable() -> Answer {
        Answer {
            code: 503,
            headers: vec![("Retry-After".to_string(), "30".to_string())],
        }
    }
}

/// The registrar of one server; cheap to clone.
#[derive(Clone)]
pub struct Registrar {
    store: Store,
    verifier: Arc<Mutex<Verifier>>,
}

impl Registrar {
    /// A registrar for `realm` that challenges with `algorithms` (preferred first), with
    /// a random nonce key.
    pub fn new(store: Store, realm: &str, algorithms: Vec<Algorithm>) -> Registrar {
        let issuer =
            NonceIssuer::new(rand::random(), realm, NONCE_LIFETIME).with_algorithms(algorithms);
        Registrar {
            store,
            verifier: Arc::new(Mutex::new(Verifier::new(issuer))),
        }
    }

    /// Judges `registration` and, when it is an agent's, updates the bindings.
    pub async fn judge(&self, registration: &Registration) -> Answer {
        let now = Utc::now();
        let digest = |header: &&String| {
            let scheme = header.split_whitespace().next().unwrap_or_default();
            scheme.eq_ignore_ascii_case("Digest")
        };
        let Some(header) = registration.authorization.as_ref().filter(digest) else {
            return self.challenge(false);
        };
        let credentials = match Credentials::parse(header) {
            Ok(credentials) => credentials,
            Err(error) => {
                tracing::warn!(user = %registration.user, %error, "REGISTER with a bad Authorization");
                return Answer::plain(400);
            }
        };
        if !lock(&self.verifier).issuer().offers(credentials.algorithm) {
            tracing::warn!(user = %registration.user, algorithm = %credentials.algorithm, "REGISTER with an algorithm not offered: 403");
            return Answer::plain(403);
        }
        if credentials.username != registration.user {
            tracing::warn!(user = %registration.user, username = ?credentials.username, "REGISTER for another user's address: 403");
            return Answer::plain(403);
        }
        let ha1 = match self
            .store
            .agent_ha1(&credentials.username, credentials.algorithm)
            .await
        {
            Ok(ha1) => ha1,
            Err(error) => {
                tracing::error!(%error, "agent not read");
                return Answer::unavailable();
            }
        };
        let verdict = {
            let mut verifier = lock(&self.verifier);
            let ha1_for =
                |algorithm: Algorithm| ha1.clone().filter(|_| algorithm == credentials.algorithm);
            verifier.verify(&credentials, "REGISTER", ha1_for, unix_seconds(now))
        };
        match verdict {
            Verdict::Accepted => self.bind(registration, now).await,
            Verdict::Stale => self.challenge(true),
            Verdict::Replayed => {
                tracing::warn!(user = %registration.user, "replayed REGISTER credentials: challenged again");
                self.challenge(false)
            }
            Verdict::Rejected(why @ (Rejection::UnknownUser | Rejection::WrongResponse)) => {
                tracing::warn!(user = %registration.user, reason = %why, source = %registration.source, "REGISTER refused: 403");
                Answer::plain(403)
            }
            Verdict::Rejected(why) => {
                tracing::info!(user = %registration.user, reason = %why, "REGISTER with a nonce not ours: challenged again");
                self.challenge(false)
            }
        }
    }

    fn challenge(&self, stale: bool) -> Answer {
        let verifier = lock(&self.verifier);
        let now = unix_seconds(Utc::now());
        let headers = (verifier.issuer().challenges(now, stale).into_iter())
            .map(|value| ("WWW-Authenticate".to_string(), value))
            .collect();
        Answer { code: 401, headers }
    }

    /// Applies the REGISTER's contacts to the agent's bindings; the 200 with all of them.
    async fn bind(&self, registration: &Registration, now: DateTime<Utc>) -> Answer {
        let user = &registration.user;
        let changed = match &registration.contacts {
            Contacts::Query => Ok(()),
            Contacts::RemoveAll => self.store.unbind(user, None).await.map(|_| ()),
            Contacts::List(contacts) => {
                let mut granted = Vec::new();
                for contact in contacts {
                    match granted_expiry(contact, registration.expires) {
                        Ok(seconds) => granted.push((contact, seconds)),
                        Err(answer) => return answer,
                    }
                }
                self.apply(registration, &granted, now).await
            }
        };
        if let Err(error) = changed {
            tracing::error!(%error, %user, "bindings not written");
            return Answer::unavailable();
        }
        match self.store.bindings(user, now).await {
            Ok(bindings) => {
                tracing::info!(%user, bindings = bindings.len(), source = %registration.source, "agent registered");
                let headers = (bindings.iter())
                    .map(|b| ("Contact".to_string(), contact_header(b, now)))
                    .collect();
                Answer { code: 200, headers }
            }
            Err(error) => {
                tracing::error!(%error, %user, "bindings not read");
                Answer::unavailable()
            }
        }
    }

    async fn apply(
        &self,
        registration: &Registration,
        granted: &[(&ContactBinding, u32)],
        now: DateTime<Utc>,
    ) -> crate::store::Result<()> {
        for (contact, seconds) in granted {
            if *seconds == 0 {
                self.store
                    .unbind(&registration.user, Some(&contact.uri))
                    .await?;
                continue;
            }
            let binding = Binding {
                work_number: registration.user.clone(),
                contact: contact.uri.clone(),
                source: registration.source.to_string(),
                transport: transport_name(registration.transport).to_string(),
                call_id: registration.call_id.clone(),
                cseq: registration.cseq,
                user_agent: registration.user_agent.clone(),
                expires_at: now + chrono::Duration::seconds(i64::from(*seconds)),
            };
            self.store.bind(&binding).await?;
        }
        Ok(())
    }
}

/// The seconds granted to `contact`, or the 423 that refuses it.
fn granted_expiry(contact: &ContactBinding, header: Option<u32>) -> Result<u32, Answer> {
    let asked = contact.expires.or(header).unwrap_or(DEFAULT_EXPIRES);
    match asked {
        0 => Ok(0),
        too_brief if too_brief < MIN_EXPIRES => Err(Answer {
            code: 423,
            headers: vec![("Min-Expires".to_string(), MIN_EXPIRES.to_string())],
        }),
        asked => Ok(asked.min(MAX_EXPIRES)),
    }
}

/// `<sip:1001@192.0.2.7:5060>;expires=3599`.
fn contact_header(binding: &Binding, now: DateTime<Utc>) -> String {
    let left = (binding.expires_at - now).num_seconds().max(0);
    format!("<{}>;expires={left}", binding.contact)
}

fn transport_name(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "udp",
        Transport::Tcp => "tcp",
    }
}

fn unix_seconds(now: DateTime<Utc>) -> u64 {
    let at: SystemTime = now.into();
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn lock(verifier: &Mutex<Verifier>) -> std::sync::MutexGuard<'_, Verifier> {
    // The verifier's replay memory stays consistent even if a holder panicked.
    verifier
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(expires: Option<u32>) -> ContactBinding {
        ContactBinding {
            uri: "sip:1001@192.0.2.7:5060".into(),
            expires,
        }
    }

    #[test]
    fn a_contacts_own_expiry_wins_then_the_header_then_the_default() {
        assert_eq!(granted_expiry(&contact(Some(120)), Some(600)), Ok(120));
        assert_eq!(granted_expiry(&contact(None), Some(600)), Ok(600));
        assert_eq!(granted_expiry(&contact(None), None), Ok(DEFAULT_EXPIRES));
        assert_eq!(granted_expiry(&contact(Some(0)), Some(600)), Ok(0));
    }

    #[test]
    fn long_bindings_are_shortened_and_too_brief_ones_refused_with_423() {
        assert_eq!(
            granted_expiry(&contact(Some(86_400)), None),
            Ok(MAX_EXPIRES)
        );
        let refused = granted_expiry(&contact(Some(30)), None).unwrap_err();
        assert_eq!(refused.code, 423);
        assert_eq!(
            refused.headers,
            [("Min-Expires".to_string(), "60".to_string())]
        );
        assert_eq!(
            granted_expiry(&contact(Some(MIN_EXPIRES)), None),
            Ok(MIN_EXPIRES)
        );
    }
}
