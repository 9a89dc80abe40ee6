//! The per-call playout cursor: which frame of which prompt goes out next.

use std::sync::Arc;

use super::{Frame, Prompt};
use crate::media::{FRAME_SAMPLES, G711};

static ULAW_SILENCE: Frame = [0xFF; FRAME_SAMPLES];
static ALAW_SILENCE: Frame = [0xD5; FRAME_SAMPLES];

/// One frame of digital silence in `codec`'s law (what `encode(0)` gives).
pub fn silence(codec: G711) -> &'static Frame {
    match codec {
        G711::Ulaw => &ULAW_SILENCE,
        G711::Alaw => &ALAW_SILENCE,
    }
}

/// What a call is playing: a playlist of prompts, one frame at a time. Looping for hold
/// music. Advancing is index arithmetic: no allocation per frame.
#[derive(Debug)]
pub struct Playout {
    items: Vec<Arc<Prompt>>,
    codec: G711,
    item: usize,
    frame: usize,
    looping: bool,
}

impl Playout {
    /// Plays `items` in order, once.
    pub fn new(items: Vec<Arc<Prompt>>, codec: G711) -> Self {
        Playout {
            items,
            codec,
            item: 0,
            frame: 0,
            looping: false,
        }
    }

    /// Plays `item` over and over (hold music). A prompt without frames plays nothing.
    pub fn looping(item: Arc<Prompt>, codec: G711) -> Self {
        let looping = !item.frames(codec).is_empty();
        Playout {
            looping,
            ..Playout::new(vec![item], codec)
        }
    }

    /// The next 20 ms frame; `None` when the playlist is finished.
    pub fn next_frame(&mut self) -> Option<&Frame> {
        // Skip prompts that are exhausted (or empty); a loop restarts at the first one.
        loop {
            let frames = self.items.get(self.item)?.frames(self.codec);
            if self.frame < frames.len() {
                break;
            }
            self.item += 1;
            self.frame = 0;
            if self.looping && self.item == self.items.len() {
                self.item = 0;
            }
        }
        let frame = self.frame;
        self.frame += 1;
        Some(&self.items[self.item].frames(self.codec)[frame])
    }

    /// Whether every frame has been returned (never, for a loop).
    pub fn is_finished(&self) -> bool {
        !self.looping
            && self.items[self.item.min(self.items.len())..]
                .iter()
                .enumerate()
                .all(|(i, prompt)| {
                    let played = if i == 0 { self.frame } else { 0 };
                    played >= prompt.frames(self.codec).len()
                })
    }
}
