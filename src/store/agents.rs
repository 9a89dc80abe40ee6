//! The human agents in the store: who they are (work number 工号, name, skills), their
//! password, and the registrations ("bindings") of their phones with the SIP registrar
//! (tables of migration 0004; queries in `agents_queries.rs`, one text for both backends
//! like `queries.rs`).
//!
//! Decisions the contract leaves open:
//! - A password is kept twice: as an argon2id PHC string for the console login, and as the
//!   digest HA1s H(work number:realm:password) in SHA-256 and MD5 for the registrar, which
//!   can't check a slow salted hash. The HA1s hold for one realm (stored beside them):
//!   another realm needs every password set again. argon2 runs on a blocking thread
//!   before any transaction.
//! - Skills are rows of `agent_skills` with their position: both backends read them back
//!   in order, and a queue finds its agents by skill through an index, where a text column
//!   would need `LIKE` patterns or each backend's own JSON functions.
//! - Every agent, new or changed, is checked by [`NewAgent::validate`] inside the store,
//!   so the CLI and the API give the same messages: a work number is 1 to 10 digits
//!   (prompt 30 speaks it digit by digit), a name is text without control characters, at
//!   least one skill of letters, digits, `-` and `_` (they are named in configuration),
//!   none twice, and a password is not empty.
//! - Disabling an agent removes their bindings in the same transaction, so no call is
//!   offered to their phone; with no HA1 they can't register again until enabled.
//! - A binding is only made for an enabled agent (checked in the same statement); the
//!   registrar decides everything else (Call-ID and CSeq order, expiry limits). A binding
//!   has expired at its `expires_at`; "newest first" is the latest expiry first.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::agents::digest::{ha1, Algorithm};
use crate::passwords::hash::hash_password;
use crate::passwords::Secret;

use super::{postgres, sqlite, Backend, Result, Store, StoreError};

/// The realm of SIP digest authentication unless configured otherwise (the server's
/// configuration and `hotline agents` both default to it).
pub const DEFAULT_SIP_REALM: &str = "hotline";

/// An agent as stored (the password only as hashes, never read back here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub work_number: String,
    pub name: String,
    /// In the order given.
    pub skills: Vec<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An agent to add, with their password in clear (hashed by [`Store::add_agent`]).
#[derive(Clone, Debug)]
pub struct NewAgent {
    pub work_number: String,
    pub name: String,
    pub skills: Vec<String>,
    pub password: Secret,
}

/// One registered contact of an agent's phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub work_number: String,
    /// The Contact URI the phone registered.
    pub contact: String,
    /// Where the REGISTER came from (`address:port`).
    pub source: String,
    pub transport: String,
    pub call_id: String,
    pub cseq: u32,
    pub user_agent: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Why an agent can't be added or given that password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAgent {
    #[error("work number {0:?} is not 1 to 10 digits")]
    WorkNumber(String),
    #[error("name {0:?} is empty or holds control characters")]
    Name(String),
    #[error("an agent needs at least one skill")]
    NoSkills,
    #[error("skill {0:?} is not letters, digits, `-` and `_`")]
    Skill(String),
    #[error("skill {0:?} is given twice")]
    DuplicateSkill(String),
    #[error("the password is empty")]
    EmptyPassword,
}

impl NewAgent {
    /// Checks the work number, name, skills and password (see the module's decisions).
    pub fn validate(&self) -> Result<(), InvalidAgent> {
        let number = &self.work_number;
        if !(1..=10).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidAgent::WorkNumber(number.clone()));
        }
        if self.name.trim().is_empty() || self.name.chars().any(char::is_control) {
            return Err(InvalidAgent::Name(self.name.clone()));
        }
        if self.skills.is_empty() {
            return Err(InvalidAgent::NoSkills);
        }
        for (index, skill) in self.skills.iter().enumerate() {
            let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
            if skill.is_empty() || !skill.chars().all(allowed) {
                return Err(InvalidAgent::Skill(skill.clone()));
            }
            if self.skills[..index].contains(skill) {
                return Err(InvalidAgent::DuplicateSkill(skill.clone()));
            }
        }
        check_password(&self.password)
    }
}

fn check_password(password: &Secret) -> Result<(), InvalidAgent> {
    if password.expose().is_empty() {
        return Err(InvalidAgent::EmptyPassword);
    }
    Ok(())
}

/// What is stored of a password: its argon2id hash and its HA1s for `realm`.
pub(super) struct Credentials {
    pub password_hash: String,
    pub ha1_sha256: String,
    pub ha1_md5: String,
    pub realm: String,
}

impl Credentials {
    async fn of(work_number: &str, password: &Secret, realm: &str) -> Result<Credentials> {
        let secret = password.clone();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&secret)).await?;
        let ha1_of = |algorithm| ha1(algorithm, work_number, realm, password.expose());
        Ok(Credentials {
            password_hash,
            ha1_sha256: ha1_of(Algorithm::Sha256),
            ha1_md5: ha1_of(Algorithm::Md5),
            realm: realm.to_string(),
        })
    }
}

impl Store {
    /// Adds an agent: argon2id hash of the password (console login) and its digest HA1s
    /// for `realm` (SHA-256 and MD5). `InvalidAgent` on bad input, `DuplicateAgent` when
    /// the work number is taken.
    pub async fn add_agent(&self, agent: &NewAgent, realm: &str, now: DateTime<Utc>) -> Result<()> {
        agent.validate()?;
        let credentials = Credentials::of(&agent.work_number, &agent.password, realm).await?;
        if !on_backend!(self, insert_agent(agent, &credentials, now))? {
            return Err(StoreError::DuplicateAgent(agent.work_number.clone()));
        }
        Ok(())
    }

    /// Every agent, by work number.
    pub async fn agents(&self) -> Result<Vec<Agent>> {
        on_backend!(self, read_agents(None))
    }

    pub async fn agent(&self, work_number: &str) -> Result<Option<Agent>> {
        Ok(on_backend!(self, read_agents(Some(work_number)))?.pop())
    }

    /// New password (both the argon2 hash and the HA1s); false when no such agent.
    pub async fn set_agent_password(
        &self,
        work_number: &str,
        password: &Secret,
        realm: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        check_password(password)?;
        let credentials = Credentials::of(work_number, password, realm).await?;
        on_backend!(self, set_agent_password(work_number, &credentials, now))
    }

    /// Disables (and unbinds) or enables an agent; false when no such agent.
    pub async fn set_agent_disabled(&self, work_number: &str, disabled: bool) -> Result<bool> {
        on_backend!(self, set_agent_disabled(work_number, disabled))
    }

    /// The HA1 of an enabled agent for `algorithm`; None for unknown or disabled agents.
    pub async fn agent_ha1(
        &self,
        work_number: &str,
        algorithm: Algorithm,
    ) -> Result<Option<String>> {
        on_backend!(self, agent_ha1(work_number, algorithm))
    }

    /// Console login: true when the agent is enabled and the password matches.
    pub async fn verify_agent_password(
        &self,
        work_number: &str,
        password: &Secret,
    ) -> Result<bool> {
        let hash = on_backend!(self, agent_password_hash(work_number))?;
        match hash {
            Some(hash) => super::accounts::verify(password, hash).await,
            None => Ok(false),
        }
    }

    /// Adds or refreshes the binding (work_number, contact): upsert. `NoAgent` unless the
    /// agent exists and is enabled.
    pub async fn bind(&self, binding: &Binding) -> Result<()> {
        if !on_backend!(self, bind(binding))? {
            return Err(StoreError::NoAgent(binding.work_number.clone()));
        }
        Ok(())
    }

    /// Removes one contact's binding, or all of the agent's when `contact` is None; how
    /// many.
    pub async fn unbind(&self, work_number: &str, contact: Option<&str>) -> Result<u64> {
        on_backend!(self, unbind(work_number, contact))
    }

    /// The agent's bindings not yet expired at `now`, newest (latest expiry) first.
    pub async fn bindings(&self, work_number: &str, now: DateTime<Utc>) -> Result<Vec<Binding>> {
        on_backend!(self, bindings(work_number, now))
    }

    /// Deletes bindings expired at `now`; how many.
    pub async fn expire_bindings(&self, now: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, expire_bindings(now))
    }
}
