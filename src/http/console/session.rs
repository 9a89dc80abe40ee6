//! The console's login sessions.
//!
//! Decisions: sessions live in this server's memory (a restart logs everybody out; one
//! server serves the console); a session is named by 32 random bytes in hex (the
//! `hotline_session` cookie, HttpOnly, SameSite=Strict) and ends after [`IDLE_EXPIRY`]
//! without a request, or at logout. Each session has its own CSRF token, also 32 random
//! bytes in hex, which the page carries in a meta tag and sends back as `X-CSRF-Token`
//! on every state-changing request; tokens are compared in constant time. The login
//! form is protected by a double submit: the login page sets a random `hotline_login`
//! cookie (SameSite=Strict, Path=/console) and carries the same value in a hidden field;
//! a login whose field does not match the cookie is refused (no server state needed).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::RngCore;
use subtle::ConstantTimeEq;

/// A session ends after this long without a request.
pub const IDLE_EXPIRY: Duration = Duration::from_secs(12 * 3600);

/// The cookie that names the session.
pub const COOKIE: &str = "hotline_session";

/// The cookie that carries the login form's token (double submit, see [`tokens_match`]).
pub const LOGIN_COOKIE: &str = "hotline_login";

/// The header that carries the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// One logged-in agent's session.
#[derive(Clone, Debug)]
pub struct Session {
    pub work_number: String,
    pub csrf: String,
    last_seen: Instant,
}

impl Session {
    /// Whether `token` is this session's CSRF token.
    pub fn csrf_matches(&self, token: &str) -> bool {
        tokens_match(&self.csrf, token)
    }
}

/// Whether two tokens are the same (in constant time); an empty token matches nothing.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Every live session, by its cookie value.
#[derive(Default)]
pub struct Sessions {
    by_token: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Opens a session for `work_number`; returns the cookie value and the session.
    pub fn open(&self, work_number: &str, now: Instant) -> (String, Session) {
        let token = random_hex();
        let session = Session {
            work_number: work_number.to_string(),
            csrf: random_hex(),
            last_seen: now,
        };
        let mut sessions = self.lock();
        sessions.retain(|_, s| now.duration_since(s.last_seen) < IDLE_EXPIRY);
        sessions.insert(token.clone(), session.clone());
        (token, session)
    }

    /// The session named `token`, if it has not expired; the request counts as activity.
    pub fn touch(&self, token: &str, now: Instant) -> Option<Session> {
        let mut sessions = self.lock();
        let session = sessions.get_mut(token)?;
        if now.duration_since(session.last_seen) >= IDLE_EXPIRY {
            sessions.remove(token);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends the session named `token`.
    pub fn close(&self, token: &str) {
        self.lock().remove(token);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // Whole entries only: a panic elsewhere leaves the map usable.
        self.by_token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// 32 random bytes in hex: a session's name, its CSRF token, a login form's token.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_after_twelve_idle_hours() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        let (token, session) = sessions.open("1001", t0);
        assert_eq!((token.len(), session.csrf.len()), (64, 64));
        assert_ne!(token, session.csrf);
        let later = t0 + IDLE_EXPIRY - Duration::from_secs(1);
        assert!(sessions.touch(&token, later).is_some(), "activity keeps it");
        assert!(sessions.touch(&token, later + IDLE_EXPIRY).is_none());
        assert!(sessions.touch(&token, later).is_none(), "gone for good");
    }

    #[test]
    fn logout_closes_and_csrf_is_checked() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let (token, session) = sessions.open("1001", now);
        assert!(session.csrf_matches(&session.csrf.clone()));
        assert!(!session.csrf_matches("wrong"));
        assert!(!session.csrf_matches(""));
        assert!(!tokens_match("", ""), "an empty token matches nothing");
        sessions.close(&token);
        assert!(sessions.touch(&token, now).is_none());
    }
}
