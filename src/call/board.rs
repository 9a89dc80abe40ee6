//! The call board: a card for each call handed to a queue, with what the menu learnt (the
//! caller, their line, the path through the menu with its keys, the ticket draft, the
//! ticket made) and where the call stands (waiting, ringing an agent, talking, ended), so
//! that the agent whose phone rings sees it at once on the console. Changes are
//! broadcast to whoever listens (the console's live updates).
//!
//! Decisions: the board holds the calls of this server in memory, updated a few times per
//! call (never per packet), behind one mutex; a card stays for [`KEEP_ENDED`] after its
//! call ends so the agent can finish the ticket; secret entries never reach it (the path
//! shows them as `******` and the draft holds no password or PIN).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::tickets::model::Line;

/// How long a card stays on the board after its call ended.
pub const KEEP_ENDED: Duration = Duration::from_secs(3600);

/// Changes kept for a listener that is behind; one further behind misses some and is
/// told so by the channel (it then reloads the board).
const CHANGES_BUFFERED: usize = 256;

/// Where a queued call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Waiting,
    Ringing,
    Talking,
    Ended,
}

/// One call as the agents see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallCard {
    /// The caller's SIP Call-ID: the console's `/console/calls/{call_id}`.
    pub call_id: String,
    pub caller: String,
    /// The caller's line, if the store knows it.
    pub line: Option<Line>,
    /// The way through the menu: `menu main`, `key 3`, `entry 075512345678`, `entry ******`.
    pub path: Vec<String>,
    /// The ticket fields the menu learnt (number, product, phenomenon, contact …).
    pub draft: Vec<(String, String)>,
    /// The serial of the ticket the menu made in this call.
    pub ticket: Option<String>,
    pub queue: String,
    /// The agent offered the call (ringing) or talking to the caller.
    pub agent: Option<String>,
    pub stage: Stage,
    pub since: DateTime<Utc>,
}

/// The board; cheap to clone.
#[derive(Clone)]
pub struct CallBoard {
    cards: Arc<Mutex<HashMap<String, CallCard>>>,
    changes: broadcast::Sender<CallCard>,
}

impl Default for CallBoard {
    fn default() -> Self {
        CallBoard {
            cards: Arc::default(),
            changes: broadcast::channel(CHANGES_BUFFERED).0,
        }
    }
}

impl CallBoard {
    /// Puts a call's card up (or replaces it) and tells the listeners.
    pub fn post(&self, card: CallCard) {
        self.lock().insert(card.call_id.clone(), card.clone());
        let _ = self.changes.send(card);
    }

    /// Changes a call's card, if it is up, and tells the listeners.
    pub fn update(&self, call_id: &str, change: impl FnOnce(&mut CallCard)) {
        let changed = {
            let mut cards = self.lock();
            let Some(card) = cards.get_mut(call_id) else {
                return;
            };
            change(card);
            card.clone()
        };
        let _ = self.changes.send(changed);
    }

    /// The card of one call.
    pub fn card(&self, call_id: &str) -> Option<CallCard> {
        self.lock().get(call_id).cloned()
    }

    /// Every card up, oldest first; cards ended longer than [`KEEP_ENDED`] ago are taken
    /// down on the way.
    pub fn cards(&self, now: DateTime<Utc>) -> Vec<CallCard> {
        let mut cards = self.lock();
        let keep = chrono::Duration::from_std(KEEP_ENDED).unwrap_or(chrono::Duration::MAX);
        cards.retain(|_, card| card.stage != Stage::Ended || now - card.since < keep);
        let mut all: Vec<CallCard> = cards.values().cloned().collect();
        all.sort_by_key(|card| card.since);
        all
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CallCard> {
        self.changes.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, CallCard>> {
        // A panic while holding the lock leaves whole cards behind: still usable.
        self.cards
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(call_id: &str, since: DateTime<Utc>) -> CallCard {
        CallCard {
            call_id: call_id.to_string(),
            caller: "075512345678".to_string(),
            line: None,
            path: vec!["menu main".to_string(), "key 0".to_string()],
            draft: Vec::new(),
            ticket: None,
            queue: "general".to_string(),
            agent: None,
            stage: Stage::Waiting,
            since,
        }
    }

    #[test]
    fn cards_are_posted_updated_and_broadcast() {
        let board = CallBoard::default();
        let mut changes = board.subscribe();
        let t0 = Utc::now();
        board.post(card("a", t0));
        board.update("a", |c| {
            c.stage = Stage::Ringing;
            c.agent = Some("1001".to_string());
        });
        board.update("unknown", |c| c.stage = Stage::Ended);
        assert_eq!(changes.try_recv().expect("posted").stage, Stage::Waiting);
        let ringing = changes.try_recv().expect("updated");
        assert_eq!(
            (ringing.stage, ringing.agent.as_deref()),
            (Stage::Ringing, Some("1001"))
        );
        assert!(changes.try_recv().is_err(), "nothing for an unknown call");
        assert_eq!(board.card("a").expect("up").stage, Stage::Ringing);
    }

    #[test]
    fn ended_cards_are_taken_down_after_an_hour() {
        let board = CallBoard::default();
        let t0 = Utc::now();
        board.post(card("old", t0));
        board.post(card("new", t0 + chrono::Duration::minutes(30)));
        board.update("old", |c| c.stage = Stage::Ended);
        let later = t0 + chrono::Duration::minutes(59);
        assert_eq!(board.cards(later).len(), 2);
        let ids: Vec<String> = (board.cards(t0 + chrono::Duration::minutes(61)).into_iter())
            .map(|c| c.call_id)
            .collect();
        assert_eq!(ids, ["new"]);
    }
}
