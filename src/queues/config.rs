//! The queues' configuration, `config/queues.yaml` (its header documents every field):
//! the timings of the seats and the waiting line, the queues with the skills serving
//! them and their limits, opening hours, the call-back key and which callers go to the
//! senior queue. Loaded with `file:line:column` errors like the ticket files
//! ([`crate::tickets::config`], whose [`ConfigError`] and position machinery it shares).
//!
//! Decisions where the spec is silent:
//! - times are written like the menu's (`800ms`, `15s`, `1.5s`) plus minutes and hours
//!   (`5m`, `1h`); the menu's reader belongs to its decoder, so the few lines are here;
//!   every time is more than zero and at most a day;
//! - the queues are a mapping by name whose order is kept: equally urgent callers go to
//!   the queue listed first (see [`super::dispatch`]);
//! - opening hours are the same every day, holidays included (a hotline's seats are
//!   staffed by shift, not by working day); local time is the calendar's UTC offset,
//!   given to [`OpeningHours::is_open`]; a range may run over midnight;
//! - "big, important and leased-line customers go to senior agents" (spec §5): big is the
//!   line's `big_customer`, leased-line its `leased_line` flag or a line of kind
//!   `leased-line`, and important is a tier listed in `senior_routing.tiers`; only
//!   callers asking for `senior_routing.from` are moved, so the supervisor and directory
//!   queues keep everyone who asks for them;
//! - an unknown caller (no line found) routes as an ordinary customer.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Timelike, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::media::Key;
use crate::tickets::config::{read, ConfigError, Doc};
use crate::tickets::model::{Line, LineKind, Tier};

/// The whole of `queues.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// An offered agent's phone rings this long before the caller goes back to the head.
    pub ring_timeout: Duration,
    /// After a call, the agent is in wrap-up this long, then ready.
    pub wrap_up: Duration,
    /// A waiting caller hears their place this often.
    pub announce_every: Duration,
    /// A caller who has waited this long goes before every tier.
    pub starvation_bound: Duration,
    /// "Answered within" for the service level (the spec's 15 seconds).
    pub service_level_threshold: Duration,
    /// In the file's order, which is the order of precedence between queues.
    pub queues: Vec<QueueSpec>,
    /// Who goes to the senior queue instead of the one asked for; `None`: nobody moves.
    pub senior_routing: Option<SeniorRouting>,
    /// The key a waiting caller presses to leave a call-back request and hang up.
    pub callback_key: Key,
}

/// One queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    /// Lower-case letters, digits and `-`: how the menu and the console name it.
    pub name: String,
    /// The console's name for it (the queue's name unless given).
    pub title: String,
    /// The agents' skills that serve it; an agent needs one of them.
    pub skills: Vec<String>,
    /// How many callers may wait at once (at least one).
    pub max_waiting: usize,
    /// A caller who has waited this long is told nobody can take the call.
    pub max_wait: Duration,
    pub hours: OpeningHours,
    /// An external ACD that takes this queue's callers instead of our agents: they are
    /// handed to it by SIP REFER (with the call's context), and `skills` may be empty.
    pub refer_to: Option<String>,
}

/// Callers asking for `from` go to `to` when they are big, important or leased-line
/// customers.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeniorRouting {
    pub from: String,
    pub to: String,
    /// The important customers' tiers.
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

/// What routing needs to know of the caller's line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub tier: Tier,
    pub big_customer: bool,
    pub leased_line: bool,
}

impl Standing {
    /// The standing of the caller's line; an unknown caller is an ordinary customer.
    pub fn of(line: Option<&Line>) -> Standing {
        match line {
            Some(line) => Standing {
                tier: line.tier,
                big_customer: line.big_customer,
                leased_line: line.leased_line || line.kind == LineKind::LeasedLine,
            },
            None => Standing {
                tier: Tier::Ordinary,
                big_customer: false,
                leased_line: false,
            },
        }
    }
}

/// When a queue takes callers: always, or during local times of day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpeningHours {
    Always,
    /// Minutes after local midnight, `[from, until)`; `until` may be 1440 (24:00) and a
    /// range with `until <= from` runs over midnight.
    Daily(Vec<(u16, u16)>),
}

impl OpeningHours {
    /// Whether the queue is open at `at`, local time being UTC + `offset`.
    pub fn is_open(&self, at: DateTime<Utc>, offset: FixedOffset) -> bool {
        let ranges = match self {
            OpeningHours::Always => return true,
            OpeningHours::Daily(ranges) => ranges,
        };
        let local = at.with_timezone(&offset);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        ranges.iter().any(|&(from, until)| {
            if from < until {
                (from..until).contains(&minute)
            } else {
                minute >= from || minute < until
            }
        })
    }

    /// `always`, or `HH:MM-HH:MM` ranges separated by commas.
    fn parse(text: &str) -> Option<OpeningHours> {
        if text.trim() == "always" {
            return Some(OpeningHours::Always);
        }
        let range = |part: &str| {
            let (from, until) = part.split_once('-')?;
            let (from, until) = (clock_minutes(from)?, clock_minutes(until)?);
            (from < 1440 && from != until).then_some((from, until))
        };
        let ranges = text.split(',').map(range).collect::<Option<Vec<_>>>()?;
        Some(OpeningHours::Daily(ranges))
    }
}

/// `08:00` as minutes after midnight; `24:00` is 1440.
fn clock_minutes(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    match (hours, minutes) {
        (0..=23, 0..=59) | (24, 0) => Some(hours * 60 + minutes),
        _ => None,
    }
}

/// A time like `800ms`, `15s`, `1.5s`, `5m` or `1h`: more than zero, at most a day.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit_seconds) = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
        .into_iter()
        .find_map(|(unit, seconds)| Some((text.strip_suffix(unit)?, seconds)))?;
    let value: f64 = number.trim().parse().ok()?;
    let seconds = value * unit_seconds;
    (seconds > 0.0 && seconds <= 86_400.0).then(|| Duration::from_secs_f64(seconds))
}

impl QueueConfig {
    /// Those of `names` that are not queues here, each once.
    pub fn missing_queues<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut missing: Vec<&str> = Vec::new();
        for name in names {
            if self.queue(name).is_none() && !missing.contains(&name) {
                missing.push(name);
            }
        }
        missing
    }

    /// The queue named `name`.
    pub fn queue(&self, name: &str) -> Option<&QueueSpec> {
        self.queues.iter().find(|queue| queue.name == name)
    }

    /// The queue a caller asking for `requested` goes to: `senior_routing.to` instead of
    /// its `from` for big, important and leased-line customers, else the one asked for.
    /// `None` when `requested` is not a queue.
    pub fn route(&self, requested: &str, caller: Standing) -> Option<&QueueSpec> {
        let senior = self.senior_routing.as_ref().filter(|routing| {
            routing.from == requested
                && (caller.big_customer
                    || caller.leased_line
                    || routing.tiers.contains(&caller.tier))
        });
        match senior {
            Some(routing) => self.queue(&routing.to),
            None => self.queue(requested),
        }
    }
}

pub fn load_queue_config(path: &Path) -> Result<QueueConfig, ConfigError> {
    parse_queue_config(&read(path)?, path)
}

/// `text` is the content of `file` (named in errors).
pub fn parse_queue_config(text: &str, file: &Path) -> Result<QueueConfig, ConfigError> {
    let doc = Doc::new(text, file)?;
    let parsed: QueuesFile = doc.decode()?;
    let mut queues: Vec<QueueSpec> = Vec::new();
    for (name, raw) in parsed.queues.0 {
        let at = |field: &str| format!("queues.{name}.{field}");
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        if name.is_empty() || !name.bytes().all(allowed) {
            let message = format!("queue name `{name}` must be lower-case letters, digits and `-`");
            return Err(doc.error(&format!("queues.{name}"), &message));
        }
        if queues.iter().any(|queue| queue.name == name) {
            let message = format!("queue `{name}` is defined twice");
            return Err(doc.error(&format!("queues.{name}"), &message));
        }
        if let Some(uri) = &raw.refer_to {
            let sip = ["sip:", "sips:"].iter().any(|scheme| {
                uri.strip_prefix(scheme)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(['?', '<', '>', ' ']))
            });
            if !sip {
                let message =
                    format!("refer_to needs a SIP address like sip:acd@10.0.0.9, found `{uri}`");
                return Err(doc.error(&at("refer_to"), &message));
            }
        } else if raw.skills.is_empty() {
            let message = format!("queue `{name}` needs at least one skill");
            return Err(doc.error(&at("skills"), &message));
        }
        for (index, skill) in raw.skills.iter().enumerate() {
            let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
            if skill.is_empty() || !skill.chars().all(allowed) {
                let message = format!("skill `{skill}` must be letters, digits, `-` and `_`");
                return Err(doc.error(&at(&format!("skills.{index}")), &message));
            }
            if raw.skills[..index].contains(skill) {
                let message = format!("skill `{skill}` is listed twice");
                return Err(doc.error(&at(&format!("skills.{index}")), &message));
            }
        }
        if raw.max_waiting == 0 {
            let message = "max_waiting must be at least 1 (a queue nobody may wait in is no queue)";
            return Err(doc.error(&at("max_waiting"), message));
        }
        queues.push(QueueSpec {
            title: raw.title.unwrap_or_else(|| name.clone()),
            name,
            skills: raw.skills,
            max_waiting: raw.max_waiting,
            max_wait: raw.max_wait.0,
            hours: raw.hours.map_or_else(|| parsed.hours.clone(), |h| h.0),
            refer_to: raw.refer_to,
        });
    }
    if queues.is_empty() {
        return Err(doc.error("queues", "at least one queue is needed"));
    }
    if let Some(routing) = &parsed.senior_routing {
        for (field, target) in [("from", &routing.from), ("to", &routing.to)] {
            if !queues.iter().any(|queue| &queue.name == target) {
                let message = format!("senior_routing.{field}: `{target}` is not a queue");
                return Err(doc.error(&format!("senior_routing.{field}"), &message));
            }
        }
        if routing.from == routing.to {
            let message = "senior_routing.to must be another queue than `from`";
            return Err(doc.error("senior_routing.to", message));
        }
    }
    Ok(QueueConfig {
        ring_timeout: parsed.ring_timeout.0,
        wrap_up: parsed.wrap_up.0,
        announce_every: parsed.announce_every.0,
        starvation_bound: parsed.starvation_bound.0,
        service_level_threshold: parsed.service_level_threshold.0,
        queues,
        senior_routing: parsed.senior_routing,
        callback_key: parsed.callback_key.0,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueuesFile {
    ring_timeout: TimeText,
    wrap_up: TimeText,
    announce_every: TimeText,
    starvation_bound: TimeText,
    service_level_threshold: TimeText,
    callback_key: KeyText,
    #[serde(default = "always", deserialize_with = "hours_text")]
    hours: OpeningHours,
    #[serde(default)]
    senior_routing: Option<SeniorRouting>,
    queues: QueuesInOrder,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
    max_waiting: usize,
    max_wait: TimeText,
    #[serde(default)]
    hours: Option<HoursText>,
    #[serde(default)]
    refer_to: Option<String>,
}

fn always() -> OpeningHours {
    OpeningHours::Always
}

fn hours_text<'de, D: Deserializer<'de>>(d: D) -> Result<OpeningHours, D::Error> {
    HoursText::deserialize(d).map(|hours| hours.0)
}

/// A scalar read and checked by `parse`, so serde reports a bad one at its position.
macro_rules! checked_text {
    ($name:ident($inner:ty), $expecting:literal, $parse:expr) => {
        struct $name($inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Text;
                impl Visitor<'_> for Text {
                    type Value = $inner;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$inner, E> {
                        let parse: fn(&str) -> Option<$inner> = $parse;
                        parse(text)
                            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
                    }
                }
                d.deserialize_str(Text).map($name)
            }
        }
    };
}

checked_text!(
    TimeText(Duration),
    "a time like 800ms, 15s, 1.5s, 5m or 1h (more than zero, at most a day)",
    parse_duration
);
checked_text!(
    HoursText(OpeningHours),
    "`always` or local times like \"08:00-22:00\" (several separated by commas)",
    OpeningHours::parse
);
checked_text!(
    KeyText(Key),
    "one key: 0-9, \"*\", \"#\" or A-D (quoted)",
    |text| {
        let mut chars = text.chars();
        chars
            .next()
            .and_then(Key::from_char)
            .filter(|_| chars.next().is_none())
    }
);

/// The `queues:` mapping with its order kept.
struct QueuesInOrder(Vec<(String, RawQueue)>);

impl<'de> Deserialize<'de> for QueuesInOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = QueuesInOrder;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("queues by name")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<QueuesInOrder, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(QueuesInOrder(entries))
            }
        }
        d.deserialize_map(Entries)
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
