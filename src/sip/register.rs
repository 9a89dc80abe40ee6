//! REGISTER (RFC 3261 §10) at the UAS core: the endpoint checks the request's form and
//! hands it on as a [`Registration`] (an [`Output::Registration`]); the registrar, which
//! knows agents, digest and the store, answers with [`Endpoint::answer_registration`].
//! The endpoint knows nothing of who may register.
//!
//! Decisions:
//! - Contacts are read here: `*` (only alone and with `Expires: 0`, else 400), or a list
//!   of URIs each with its own `expires` parameter; no Contact is a query for the current
//!   bindings. A Contact that does not parse, or an `Expires` that is not a number, is a
//!   400 answered here.
//! - At most [`MAX_PENDING`] registrations wait for the registrar at once; more get 503
//!   with `Retry-After` (a REGISTER flood can't grow memory without bound).
//! - A retransmission of a REGISTER still waiting for its answer is dropped: the answer,
//!   once sent, is kept by the server transaction and repeated to later copies.
//! - The answer carries a To tag of ours, as every final response to a request outside a
//!   dialog does (§8.2.6.2).

use std::net::SocketAddr;
use std::time::Instant;

use super::endpoint::{Ctx, Endpoint, TxKey};
use super::header::NameAddr;
use super::message::Message;
use super::requests::random_tag;
use super::{Output, Transport};

/// Registrations waiting for the registrar at one time, at most.
pub const MAX_PENDING: usize = 256;

/// Identifies a REGISTER waiting for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegistrationHandle(pub u64);

/// A REGISTER for the registrar to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub handle: RegistrationHandle,
    /// The user part of the To URI: the address of record (an agent's work number).
    pub user: String,
    /// The `Authorization` header's value, if any.
    pub authorization: Option<String>,
    /// The Request-URI as written, for the digest `uri` check.
    pub request_uri: String,
    pub contacts: Contacts,
    /// The `Expires` header, the default for contacts without their own.
    pub expires: Option<u32>,
    pub call_id: String,
    pub cseq: u32,
    pub source: SocketAddr,
    pub transport: Transport,
    pub user_agent: Option<String>,
}

/// What the REGISTER asks of the bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contacts {
    /// No Contact: the current bindings, unchanged.
    Query,
    /// `Contact: *` with `Expires: 0`: remove them all.
    RemoveAll,
    /// Add, refresh or (expires 0) remove these.
    List(Vec<ContactBinding>),
}

/// One Contact of a REGISTER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactBinding {
    /// The URI as written between the angle brackets.
    pub uri: String,
    /// Its `expires` parameter, if any.
    pub expires: Option<u32>,
}

/// A REGISTER waiting for the registrar.
pub(super) struct PendingRegistration {
    request: Message,
    key: Option<TxKey>,
    ctx: Ctx,
}

impl Endpoint {
    pub(super) fn on_register(&mut self, req: Message, ctx: Ctx, now: Instant) {
        let key = TxKey::of(&req, "REGISTER");
        if key.is_some() && self.registrations.values().any(|p| p.key == key) {
            return;
        }
        if self.registrations.len() >= MAX_PENDING {
            tracing::warn!(from = %ctx.source, "too many REGISTERs waiting: 503");
            let headers = [("Retry-After", "5")];
            return self.reply_simple(&req, &ctx, 503, Some(&random_tag()), &headers, now);
        }
        let form = match read_form(&req) {
            Ok(form) => form,
            Err(reason) => {
                tracing::warn!(from = %ctx.source, "bad REGISTER: {reason}");
                return self.reply_400(&req, &ctx, reason, now);
            }
        };
        let handle = RegistrationHandle(self.next_registration);
        self.next_registration += 1;
        let registration = Registration {
            handle,
            user: form.user,
            authorization: req.header("Authorization").map(str::to_string),
            request_uri: form.request_uri,
            contacts: form.contacts,
            expires: form.expires,
            call_id: req.call_id().unwrap_or_default().to_string(),
            cseq: req.cseq().map_or(0, |c| c.number),
            source: ctx.source,
            transport: ctx.transport,
            user_agent: req.header("User-Agent").map(str::to_string),
        };
        let pending = PendingRegistration {
            request: req,
            key,
            ctx,
        };
        self.registrations.insert(handle, pending);
        self.outputs.push_back(Output::Registration(registration));
    }

    /// The registrar's answer to a REGISTER: `code` with `headers` (WWW-Authenticate,
    /// Contact …). An unknown or already answered handle is ignored.
    pub fn answer_registration(
        &mut self,
        handle: RegistrationHandle,
        code: u16,
        headers: &[(String, String)],
        now: Instant,
    ) {
        let Some(pending) = self.registrations.remove(&handle) else {
            return;
        };
        let tag = random_tag();
        let mut response = self.response(&pending.request, &pending.ctx.top_via, code, Some(&tag));
        for (name, value) in headers {
            response = response.header(name, value);
        }
        let bytes = response.finish(None);
        self.reply(&pending.request, &pending.ctx, bytes, code, now);
    }
}

/// What the endpoint reads of a REGISTER.
struct Form {
    user: String,
    request_uri: String,
    contacts: Contacts,
    expires: Option<u32>,
}

fn read_form(req: &Message) -> Result<Form, &'static str> {
    let to = req.to().ok_or("no usable To header")?;
    let user = to.uri.user.clone().ok_or("the To URI has no user part")?;
    let request_uri = match &req.start {
        super::message::StartLine::Request { uri, .. } => uri.clone(),
        super::message::StartLine::Response { .. } => String::new(),
    };
    let expires = match req.header("Expires") {
        None => None,
        Some(value) => Some(
            value
                .trim()
                .parse()
                .map_err(|_| "Expires is not a number")?,
        ),
    };
    let values = req.header_values("Contact");
    let contacts = match values.as_slice() {
        [] => Contacts::Query,
        ["*"] if expires == Some(0) => Contacts::RemoveAll,
        values if values.contains(&"*") => {
            return Err("Contact: * must be alone and with Expires: 0")
        }
        values => Contacts::List(
            values
                .iter()
                .map(|v| contact(v))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Form {
        user,
        request_uri,
        contacts,
        expires,
    })
}

fn contact(value: &str) -> Result<ContactBinding, &'static str> {
    let addr = NameAddr::parse(value).ok_or("a Contact that does not parse")?;
    let expires = match addr
        .params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("expires"))
    {
        None => None,
        Some((_, value)) => Some(
            (value.as_deref().unwrap_or_default().trim().parse())
                .map_err(|_| "a Contact expires parameter is not a number")?,
        ),
    };
    Ok(ContactBinding {
        uri: addr.uri_text,
        expires,
    })
}
