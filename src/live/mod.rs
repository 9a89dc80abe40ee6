//! The menu and prompts in service, and how they change while calls go on.
//!
//! A [`Release`] is one version of the menu file and the prompt folder, loaded and
//! validated as a whole; [`LiveMenu`] holds the release new calls get. A call takes the
//! current release once, when it is answered, and keeps it to its end: a switch never
//! changes what a call in progress hears or how its keys are read.
//!
//! Owns: the release in service and the swap (one atomic pointer store, no lock on the
//! call path). Reading files, validating and recording versions is the reloader's.

pub mod diff;
pub mod reload;
pub mod restore;
pub mod snapshot;
pub mod watch;

use std::collections::BTreeMap;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::menu::Menu;
use crate::prompts::texts::PromptText;
use crate::prompts::PromptStore;

pub use reload::{Attempt, MenuStatus, Reloader, Trigger};

/// One version of the menu and its prompts, validated together.
pub struct Release {
    /// The version number in the store's `menu_versions` (0 before the store has one).
    pub version: i64,
    pub menu: Arc<Menu>,
    pub prompts: PromptStore,
    /// What each prompt says, from the prompt lists (`zh/prompts.tsv`), by prompt name.
    pub texts: BTreeMap<String, PromptText>,
}

/// The release new calls get. Cheap to clone; every clone sees the same switches.
#[derive(Clone)]
pub struct LiveMenu {
    current: Arc<ArcSwap<Release>>,
}

impl LiveMenu {
    /// Serves `first` until the first switch.
    pub fn new(first: Release) -> LiveMenu {
        LiveMenu {
            current: Arc::new(ArcSwap::from_pointee(first)),
        }
    }

    /// The release in service now; a call keeps the one it took.
    pub fn current(&self) -> Arc<Release> {
        self.current.load_full()
    }

    /// Puts `release` in service for every call answered from now on.
    pub fn switch(&self, release: Release) {
        self.current.store(Arc::new(release));
    }
}
