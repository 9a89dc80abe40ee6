//! SIP digest authentication on the registrar's side (RFC 3261 §22 with the algorithms of
//! RFC 7616 as RFC 8760 brings them to SIP): parse an `Authorization` value
//! ([`Credentials::parse`]), challenge with [`NonceIssuer::challenges`], judge with
//! [`Verifier::verify`]. Pure: time is an argument (unix seconds), no sockets, no store.
//!
//! Decisions:
//! - SHA-256 and MD5, offered in that order (RFC 8760 §2.4: preferred first); no `-sess`
//!   variants, no `userhash`. A credential without `algorithm` means MD5 (RFC 7616 §3.4).
//! - qop=auth is required: the RFC 2069 mode without `qop`, `nc` and `cnonce` offers no
//!   replay protection and is refused at parse time, as is `auth-int`.
//! - The store keeps [`ha1`] per agent and algorithm, not only the argon2 hash of the
//!   password: digest needs H(username:realm:password) and argon2 can't give it. An HA1
//!   opens this realm like the password does, so it is kept as secret as the password.
//! - Nonces need no server state: `<issued unix seconds, hex>.<HMAC-SHA256(key, issued
//!   as 8 big-endian bytes ‖ realm), first 16 bytes, hex>`. A nonce that is not ours is
//!   rejected; one of ours older than the lifetime, with a correct response, is [`Stale`]
//!   so the phone retries with the new nonce without asking the agent. A nonce from the
//!   future (the clock stepped back) counts as fresh.
//! - A wrong response is rejected whatever the nonce's age, and an unknown user gets the
//!   same verdict as a wrong password ([`Rejection`] tells them apart for the log only).
//!   Responses and nonce MACs are compared in constant time (`subtle`).
//! - Replays: all phones challenged within the same second get the same nonce, so the
//!   count is kept per nonce *and* username and cnonce; `nc` must grow strictly there.
//!   Entries are made only by accepted requests and dropped, on each verify, once their
//!   nonce has expired: the memory holds at most one entry per nonce, username and
//!   cnonce accepted within one lifetime.
//!   A replay after that meets an expired nonce and gets [`Stale`], never [`Accepted`].
//! - The `uri` parameter is the client's; comparing it with the Request-URI is the SIP
//!   shell's job. `opaque` is never sent, so it is ignored like any unknown parameter.
//!
//! [`Stale`]: Verdict::Stale
//! [`Accepted`]: Verdict::Accepted

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The digest algorithms the registrar speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Sha256,
    Md5,
}

impl Algorithm {
    /// Preferred first: the order of the challenges.
    pub const PREFERRED: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Md5];

    /// The name on the wire: `SHA-256` or `MD5`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Md5 => "MD5",
        }
    }

    /// H(parts joined by `:`), lower-case hex.
    fn hash(self, parts: &[&str]) -> String {
        match self {
            Algorithm::Sha256 => hash_hex::<Sha256>(parts),
            Algorithm::Md5 => hash_hex::<Md5>(parts),
        }
    }
}

fn hash_hex<D: Digest>(parts: &[&str]) -> String {
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = DigestError;

    /// Case-insensitive: `sha-256` is SHA-256.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::PREFERRED
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| DigestError::UnsupportedAlgorithm(name.to_owned()))
    }
}

/// HA1 = H(username:realm:password), lower-case hex: what the store keeps per agent and
/// algorithm.
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> String {
    algorithm.hash(&[username, realm, password])
}

/// Why an `Authorization` value is not usable Digest credentials. Text from the client
/// is shown escaped (`{:?}`) so it can't forge log lines.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("not Digest credentials (scheme {0:?})")]
    NotDigest(String),
    #[error("malformed Digest credentials at byte {at}: expected {expected}")]
    Malformed { at: usize, expected: &'static str },
    #[error("Digest parameter {0:?} given twice")]
    Duplicate(String),
    #[error("Digest parameter `{0}` missing")]
    Missing(&'static str),
    #[error("Digest algorithm {0:?} not supported (SHA-256 and MD5 are)")]
    UnsupportedAlgorithm(String),
    #[error("qop {0:?} not supported: qop=auth is required")]
    UnsupportedQop(String),
    #[error("nc {0:?} is not 8 lower-case hex digits")]
    BadNonceCount(String),
}

/// The parameters of an `Authorization: Digest …` value that the verdict depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    /// The request digest, as sent (hex).
    pub response: String,
    pub algorithm: Algorithm,
    /// The nonce count, sent as 8 lower-case hex digits; qop is always `auth`.
    pub nc: u32,
    pub cnonce: String,
}

impl Credentials {
    /// Parses an `Authorization` (or `Proxy-Authorization`) header value. Scheme and
    /// parameter names are case-insensitive; values are tokens or quoted strings (with
    /// `\` escapes, commas allowed inside); unknown parameters are ignored; a parameter
    /// given twice, or a required one missing, is an error.
    pub fn parse(value: &str) -> Result<Credentials, DigestError> {
        let mut params = Params::parse(value)?;
        let qop = params.required("qop")?;
        if qop != "auth" {
            return Err(DigestError::UnsupportedQop(qop));
        }
        let algorithm = match params.take("algorithm") {
            Some(name) => name.parse()?,
            None => Algorithm::Md5,
        };
        Ok(Credentials {
            username: params.required("username")?,
            realm: params.required("realm")?,
            nonce: params.required("nonce")?,
            uri: params.required("uri")?,
            response: params.required("response")?,
            algorithm,
            nc: parse_nonce_count(&params.required("nc")?)?,
            cnonce: params.required("cnonce")?,
        })
    }

    /// The response these credentials must carry for `method` when the password's HA1
    /// is `ha1`: KD(HA1, nonce:nc:cnonce:auth:HA2) with HA2 = H(method:uri).
    pub fn expected_response(&self, ha1: &str, method: &str) -> String {
        let ha2 = self.algorithm.hash(&[method, &self.uri]);
        let nc = format!("{:08x}", self.nc);
        self.algorithm
            .hash(&[ha1, &self.nonce, &nc, &self.cnonce, "auth", &ha2])
    }
}

/// The `Authorization` value, parameters in the usual order (what a test phone sends).
impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}, \
             qop=auth, nc={:08x}, cnonce={}",
            Quoted(&self.username),
            Quoted(&self.realm),
            Quoted(&self.nonce),
            Quoted(&self.uri),
            Quoted(&self.response),
            self.algorithm,
            self.nc,
            Quoted(&self.cnonce),
        )
    }
}

fn parse_nonce_count(text: &str) -> Result<u32, DigestError> {
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if text.len() != 8 || !text.bytes().all(lower_hex) {
        return Err(DigestError::BadNonceCount(text.to_owned()));
    }
    u32::from_str_radix(text, 16).map_err(|_| DigestError::BadNonceCount(text.to_owned()))
}

/// A value as an RFC 3261 quoted-string: `"` and `\` escaped.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            if c == '"' || c == '\\' {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")
    }
}

/// The auth-params of a Digest value: lower-cased names, unquoted values.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(value: &str) -> Result<Params, DigestError> {
        let mut cursor = Cursor {
            whole: value,
            rest: value,
        };
        cursor.skip_whitespace();
        let scheme = cursor.token();
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(DigestError::NotDigest(scheme.to_owned()));
        }
        let mut params = Vec::new();
        loop {
            cursor.skip_whitespace();
            if cursor.rest.is_empty() {
                return Ok(Params(params));
            }
            if cursor.eat(',') {
                continue; // empty list elements are allowed
            }
            let name = cursor.token().to_ascii_lowercase();
            if name.is_empty() {
                return Err(cursor.malformed("a parameter name"));
            }
            cursor.skip_whitespace();
            if !cursor.eat('=') {
                return Err(cursor.malformed("`=` after a parameter name"));
            }
            cursor.skip_whitespace();
            let value = if cursor.rest.starts_with('"') {
                cursor.quoted_string()?
            } else {
                match cursor.token() {
                    "" => return Err(cursor.malformed("a token or a quoted string")),
                    token => token.to_owned(),
                }
            };
            if params.iter().any(|(seen, _)| *seen == name) {
                return Err(DigestError::Duplicate(name));
            }
            params.push((name, value));
            cursor.skip_whitespace();
            if !cursor.rest.is_empty() && !cursor.eat(',') {
                return Err(cursor.malformed("`,` between parameters"));
            }
        }
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let index = self.0.iter().position(|(seen, _)| seen == name)?;
        Some(self.0.swap_remove(index).1)
    }

    fn required(&mut self, name: &'static str) -> Result<String, DigestError> {
        self.take(name).ok_or(DigestError::Missing(name))
    }
}

/// Reads a header value left to right; delimiters are ASCII, so slicing at them is
/// always on a character boundary.
struct Cursor<'a> {
    whole: &'a str,
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn malformed(&self, expected: &'static str) -> DigestError {
        DigestError::Malformed {
            at: self.whole.len() - self.rest.len(),
            expected,
        }
    }

    fn skip_whitespace(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', '\r', '\n']);
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// The longest run of RFC 7230 token characters (possibly empty).
    fn token(&mut self) -> &'a str {
        let is_token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        let end = self
            .rest
            .find(|c| !is_token_char(c))
            .unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        token
    }

    /// A quoted string starting at the cursor, unescaped.
    fn quoted_string(&mut self) -> Result<String, DigestError> {
        let opening = self.malformed("a closing quote");
        let mut value = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(value);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => value.push(escaped),
                    None => break,
                },
                c => value.push(c),
            }
        }
        Err(opening)
    }
}

/// Makes and recognises the registrar's nonces; holds the key, so one per server.
pub struct NonceIssuer {
    mac: Hmac<Sha256>,
    realm: String,
    lifetime_secs: u64,
    /// The algorithms challenged with, preferred first.
    algorithms: Vec<Algorithm>,
}

/// Bytes of HMAC-SHA256 kept in a nonce.
const NONCE_MAC_LEN: usize = 16;

impl NonceIssuer {
    pub fn new(key: [u8; 32], realm: impl Into<String>, lifetime: Duration) -> NonceIssuer {
        NonceIssuer {
            mac: Hmac::new_from_slice(&key).expect("HMAC takes keys of any length"),
            realm: realm.into(),
            lifetime_secs: lifetime.as_secs(),
            algorithms: Algorithm::PREFERRED.to_vec(),
        }
    }

    /// Challenges with only `algorithms`, in this order (default: SHA-256 then MD5).
    /// Phones whose stack gives up on any challenge it can't answer (libre before 2.x,
    /// the baresip of Debian 12) need MD5 alone.
    pub fn with_algorithms(mut self, algorithms: Vec<Algorithm>) -> NonceIssuer {
        self.algorithms = algorithms;
        self
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Whether credentials of `algorithm` answer one of our challenges.
    pub fn offers(&self, algorithm: Algorithm) -> bool {
        self.algorithms.contains(&algorithm)
    }

    /// The `WWW-Authenticate` values for a 401 at `now_unix`, one per algorithm in order,
    /// with `stale=true` when the last credentials were right but their nonce expired.
    pub fn challenges(&self, now_unix: u64, stale: bool) -> Vec<String> {
        let nonce = self.nonce(now_unix);
        (self.algorithms.iter())
            .map(|algorithm| {
                format!(
                    "Digest realm={}, nonce={}, qop=\"auth\", algorithm={algorithm}{}",
                    Quoted(&self.realm),
                    Quoted(&nonce),
                    if stale { ", stale=true" } else { "" },
                )
            })
            .collect()
    }

    fn nonce(&self, issued: u64) -> String {
        format!("{issued:x}.{}", hex::encode(self.nonce_mac(issued)))
    }

    fn nonce_mac(&self, issued: u64) -> [u8; NONCE_MAC_LEN] {
        let mut mac = self.mac.clone();
        mac.update(&issued.to_be_bytes());
        mac.update(self.realm.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut truncated = [0; NONCE_MAC_LEN];
        truncated.copy_from_slice(&full[..NONCE_MAC_LEN]);
        truncated
    }

    /// When `nonce` was issued, if it is one of ours (MAC checked in constant time).
    /// Only the canonical spelling counts, so that one nonce has one text.
    fn issued_at(&self, nonce: &str) -> Option<u64> {
        let (issued_hex, mac_hex) = nonce.split_once('.')?;
        let issued = u64::from_str_radix(issued_hex, 16).ok()?;
        if format!("{issued:x}") != issued_hex {
            return None;
        }
        let expected = hex::encode(self.nonce_mac(issued));
        bool::from(expected.as_bytes().ct_eq(mac_hex.as_bytes())).then_some(issued)
    }

    /// The oldest issue time still fresh at `now`: a nonce lives `lifetime` seconds.
    fn oldest_fresh(&self, now: u64) -> u64 {
        match now.checked_sub(self.lifetime_secs) {
            Some(limit) => limit.saturating_add(1),
            None => 0,
        }
    }
}

/// The verdict on one request's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Answer 401 with a fresh challenge; the reason is for the log only.
    Rejected(Rejection),
    /// Right password, expired nonce: answer 401 with `stale=true`.
    Stale,
    /// A nonce count already used: answer 401 with a fresh challenge.
    Replayed,
}

/// Why credentials were rejected, for the log: the client is told no more than 401.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("realm is not ours")]
    OtherRealm,
    #[error("nonce is not ours")]
    ForeignNonce,
    #[error("no password for this user and algorithm")]
    UnknownUser,
    #[error("wrong response (wrong password?)")]
    WrongResponse,
}

/// One registrar's judge of credentials: the nonce issuer and the nonce counts seen.
pub struct Verifier {
    issuer: NonceIssuer,
    /// The last accepted nc per (nonce issue time, nonce, username, cnonce), oldest
    /// nonces first so that expired entries split off cheaply.
    accepted: BTreeMap<ReplayKey, u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct ReplayKey {
    issued: u64,
    nonce: String,
    username: String,
    cnonce: String,
}

impl Verifier {
    pub fn new(issuer: NonceIssuer) -> Verifier {
        Verifier {
            issuer,
            accepted: BTreeMap::new(),
        }
    }

    /// The issuer, for the challenges of a 401.
    pub fn issuer(&self) -> &NonceIssuer {
        &self.issuer
    }

    /// Judges `creds` on a request of `method` at `now_unix`. `ha1_for` gives the
    /// [`ha1`] stored for the credentials' username and that algorithm, if any.
    pub fn verify(
        &mut self,
        creds: &Credentials,
        method: &str,
        ha1_for: impl Fn(Algorithm) -> Option<String>,
        now_unix: u64,
    ) -> Verdict {
        let oldest_fresh = self.issuer.oldest_fresh(now_unix);
        let fresh = self.accepted.split_off(&ReplayKey {
            issued: oldest_fresh,
            ..ReplayKey::default()
        });
        self.accepted = fresh;

        if creds.realm != self.issuer.realm {
            return Verdict::Rejected(Rejection::OtherRealm);
        }
        let Some(issued) = self.issuer.issued_at(&creds.nonce) else {
            return Verdict::Rejected(Rejection::ForeignNonce);
        };
        let Some(ha1) = ha1_for(creds.algorithm) else {
            return Verdict::Rejected(Rejection::UnknownUser);
        };
        let expected = creds.expected_response(&ha1, method);
        let sent = creds.response.to_ascii_lowercase();
        if !bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
            return Verdict::Rejected(Rejection::WrongResponse);
        }
        if issued < oldest_fresh {
            return Verdict::Stale;
        }
        let key = ReplayKey {
            issued,
            nonce: creds.nonce.clone(),
            username: creds.username.clone(),
            cnonce: creds.cnonce.clone(),
        };
        match self.accepted.get(&key) {
            Some(&last) if creds.nc <= last => Verdict::Replayed,
            _ => {
                self.accepted.insert(key, creds.nc);
                Verdict::Accepted
            }
        }
    }
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
