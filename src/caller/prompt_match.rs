//! Which prompts the caller is hearing: received G.711 frames are looked up, byte for
//! byte, among the PromptStore's frames, and a prompt counts as heard when a run of its
//! frames arrives in order. Pure and allocation-free per frame.
//!
//! The server plays the store's frames unchanged, so equality is exact. Near-silent
//! frames (lead-in and pauses) are common to many prompts and are not indexed; a run
//! tolerates them and packet loss because it only asks that frame indexes increase
//! by no more than the sequence numbers did (plus a little slack). Frames several
//! prompts share (espeak says 对不起 the same way at the start of 08, 23 and 28) keep
//! their runs going but only frames found in one prompt count towards hearing it.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::media::G711;
use crate::prompts::{Frame, PromptStore};

/// Distinctive frames in order that make a prompt heard (fewer if the prompt has fewer).
const RUN_TO_HEAR: u32 = 5;
/// Frames with no sample louder than this are not indexed.
const SILENCE_LEVEL: i16 = 64;
/// A frame found in more places than this identifies nothing and is not indexed.
const MAX_PLACES: usize = 8;
/// Extra frame-index advance a run accepts beyond the sequence-number advance.
const SLACK: u64 = 10;
/// Unconfirmed runs not extended for this many packets are dropped.
const STALE: u64 = 50;
/// Runs followed at once (bounded so a frame costs a bounded time).
const MAX_RUNS: usize = 16;

fn codec_slot(codec: G711) -> usize {
    match codec {
        G711::Ulaw => 0,
        G711::Alaw => 1,
    }
}

fn frame_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Every prompt's frames, indexed by content, for both codecs. Build once, share by Arc.
pub struct PromptIndex {
    names: Vec<String>,
    /// Per prompt, its frames for [µ-law, A-law].
    frames: Vec<[Arc<[Frame]>; 2]>,
    /// Per prompt and codec, the distinctive frames in a run that make it heard
    /// (`u32::MAX`: none, the prompt cannot be told apart from others).
    run_to_hear: Vec<[u32; 2]>,
    /// Per codec, frame hash → (prompt, frame index).
    places: [HashMap<u64, Vec<(u32, u32)>>; 2],
}

impl PromptIndex {
    pub fn new(store: &PromptStore) -> PromptIndex {
        PromptIndex::from_frames(store.names().filter_map(|name| {
            let prompt = store.get(name)?;
            let frames = [
                prompt.frames(G711::Ulaw).clone(),
                prompt.frames(G711::Alaw).clone(),
            ];
            Some((name.to_owned(), frames))
        }))
    }

    /// Index of named prompts given as their [µ-law, A-law] frames.
    pub fn from_frames(prompts: impl IntoIterator<Item = (String, [Arc<[Frame]>; 2])>) -> Self {
        let mut prompts: Vec<_> = prompts.into_iter().collect();
        prompts.sort_by(|a, b| a.0.cmp(&b.0));
        let mut index = PromptIndex {
            names: Vec::with_capacity(prompts.len()),
            frames: Vec::with_capacity(prompts.len()),
            run_to_hear: Vec::with_capacity(prompts.len()),
            places: [HashMap::new(), HashMap::new()],
        };
        for (id, (name, frames)) in prompts.into_iter().enumerate() {
            for codec in [G711::Ulaw, G711::Alaw] {
                let slot = codec_slot(codec);
                for (i, frame) in frames[slot].iter().enumerate() {
                    if !is_near_silent(codec, frame) {
                        index.places[slot]
                            .entry(frame_hash(frame))
                            .or_default()
                            .push((id as u32, i as u32));
                    }
                }
            }
            index.names.push(name);
            index.frames.push(frames);
        }
        let mut distinctive = vec![[0u32; 2]; index.names.len()];
        for (slot, places) in index.places.iter_mut().enumerate() {
            places.retain(|_, at| at.len() <= MAX_PLACES);
            for at in places.values() {
                if at.iter().all(|&(prompt, _)| prompt == at[0].0) {
                    distinctive[at[0].0 as usize][slot] += at.len() as u32;
                }
            }
        }
        index.run_to_hear = distinctive
            .into_iter()
            .map(|counts| counts.map(|n| if n == 0 { u32::MAX } else { n.min(RUN_TO_HEAR) }))
            .collect();
        index
    }

    /// Name of prompt `id` as the store names it ("zh/02").
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// Id of the prompt called `name`.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).ok()
    }

    /// Where `payload` occurs among the prompts' frames for `codec`, checked byte for byte.
    fn places<'a>(
        &'a self,
        codec: G711,
        payload: &'a [u8],
    ) -> impl Iterator<Item = (u32, u32)> + 'a {
        let slot = codec_slot(codec);
        self.places[slot]
            .get(&frame_hash(payload))
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&(prompt, frame)| {
                self.frames[prompt as usize][slot]
                    .get(frame as usize)
                    .is_some_and(|f| f.as_slice() == payload)
            })
    }
}

fn is_near_silent(codec: G711, frame: &Frame) -> bool {
    frame
        .iter()
        .all(|&b| codec.decode(b).unsigned_abs() < SILENCE_LEVEL as u16)
}

#[derive(Clone, Copy, Debug)]
struct Run {
    prompt: u32,
    last_frame: u32,
    last_position: u64,
    len: u32,
    heard: bool,
}

/// Follows one received stream and reports each prompt once per playing.
pub struct PromptMatcher {
    index: Arc<PromptIndex>,
    codec: G711,
    position: u64,
    last_sequence: Option<u16>,
    runs: Vec<Run>,
}

impl PromptMatcher {
    pub fn new(index: Arc<PromptIndex>, codec: G711) -> Self {
        PromptMatcher {
            index,
            codec,
            position: 0,
            last_sequence: None,
            runs: Vec::with_capacity(MAX_RUNS + 1),
        }
    }

    /// Feeds one received audio frame. Returns the id of a prompt that has just become
    /// heard (its run reached the length that identifies it).
    pub fn on_frame(&mut self, sequence: u16, payload: &[u8]) -> Option<usize> {
        if let Some(last) = self.last_sequence {
            let step = sequence.wrapping_sub(last);
            if step == 0 || step >= 0x8000 {
                return None; // duplicate or late: its place is already past
            }
            self.position += u64::from(step);
        }
        self.last_sequence = Some(sequence);
        let position = self.position;
        let index = Arc::clone(&self.index);
        let mut places = index.places(self.codec, payload);
        let Some((first, _)) = places.next() else {
            return self.forget_stale(position);
        };
        let distinctive = places.all(|(prompt, _)| prompt == first);
        let mut heard = None;
        for (prompt, frame) in index.places(self.codec, payload) {
            let continues = self.runs.iter_mut().find(|run| {
                run.prompt == prompt
                    && frame > run.last_frame
                    && u64::from(frame - run.last_frame) <= position - run.last_position + SLACK
            });
            let run = match continues {
                Some(run) => {
                    run.last_frame = frame;
                    run.last_position = position;
                    run.len += u32::from(distinctive);
                    run
                }
                None => {
                    if self.runs.len() >= MAX_RUNS {
                        self.drop_oldest_unheard();
                    }
                    self.runs.push(Run {
                        prompt,
                        last_frame: frame,
                        last_position: position,
                        len: u32::from(distinctive),
                        heard: false,
                    });
                    let last = self.runs.len() - 1;
                    &mut self.runs[last]
                }
            };
            let needed = index.run_to_hear[prompt as usize][codec_slot(self.codec)];
            if !run.heard && run.len >= needed {
                run.heard = true;
                heard = Some(prompt);
            }
        }
        match heard {
            // A newly heard prompt replaces everything followed so far.
            Some(prompt) => {
                self.runs
                    .retain(|r| r.prompt == prompt && r.heard && r.last_position == position);
                Some(prompt as usize)
            }
            None => self.forget_stale(position),
        }
    }

    /// Drops the unconfirmed runs not extended for a while; hears nothing.
    fn forget_stale(&mut self, position: u64) -> Option<usize> {
        self.runs
            .retain(|r| r.heard || position - r.last_position <= STALE);
        None
    }

    fn drop_oldest_unheard(&mut self) {
        let oldest = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.heard)
            .min_by_key(|(_, r)| r.last_position)
            .map(|(i, _)| i);
        if let Some(i) = oldest {
            self.runs.swap_remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prompt of `n` distinct loud frames, seeded so that prompts differ; µ-law bytes
    /// in the first slot (small byte values decode loud), the same bytes as "A-law".
    fn prompt(name: &str, seed: u8, n: usize) -> (String, [Arc<[Frame]>; 2]) {
        let frames: Arc<[Frame]> = (0..n)
            .map(|i| {
                let mut f = [0u8; 160];
                f[0] = seed;
                f[1] = i as u8;
                f
            })
            .collect();
        (name.to_owned(), [frames.clone(), frames])
    }

    fn index() -> Arc<PromptIndex> {
        Arc::new(PromptIndex::from_frames([
            prompt("zh/01", 1, 20),
            prompt("zh/02", 2, 40),
            prompt("zh/digit-1", 3, 3),
        ]))
    }

    /// Plays `frames` of `prompt` from the index, numbering packets from `seq`, and
    /// returns the names heard.
    fn play(
        m: &mut PromptMatcher,
        seq: &mut u16,
        played: &[(&str, std::ops::Range<usize>)],
    ) -> Vec<String> {
        let index = Arc::clone(&m.index);
        let mut heard = Vec::new();
        for (name, range) in played {
            let id = index.id(name).unwrap();
            for i in range.clone() {
                let frame = index.frames[id][0][i];
                if let Some(p) = m.on_frame(*seq, &frame) {
                    heard.push(index.name(p).to_owned());
                }
                *seq = seq.wrapping_add(1);
            }
        }
        heard
    }

    #[test]
    fn prompts_played_back_to_back_are_heard_in_order_once_each() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let mut seq = 65000;
        let heard = play(&mut m, &mut seq, &[("zh/01", 0..20), ("zh/02", 0..40)]);
        assert_eq!(heard, ["zh/01", "zh/02"]);
    }

    #[test]
    fn the_same_prompt_played_again_is_heard_again() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let mut seq = 0;
        let heard = play(&mut m, &mut seq, &[("zh/02", 0..40), ("zh/02", 0..40)]);
        assert_eq!(heard, ["zh/02", "zh/02"]);
    }

    #[test]
    fn interrupted_prompt_counts_once_and_the_next_one_is_heard() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let mut seq = 0;
        let heard = play(&mut m, &mut seq, &[("zh/02", 0..12), ("zh/01", 0..20)]);
        assert_eq!(heard, ["zh/02", "zh/01"]);
    }

    #[test]
    fn loss_and_silence_inside_a_prompt_do_not_make_it_heard_twice() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let silence = [0xFFu8; 160];
        let mut seq = 0;
        let mut heard = play(&mut m, &mut seq, &[("zh/02", 0..10)]);
        for _ in 0..100 {
            assert_eq!(m.on_frame(seq, &silence), None);
            seq += 1;
        }
        seq += 3; // three packets lost
        heard.extend(play(&mut m, &mut seq, &[("zh/02", 13..40)]));
        assert_eq!(heard, ["zh/02"]);
    }

    #[test]
    fn prompts_sharing_their_opening_frames_are_told_apart_by_the_rest() {
        let (_, [opening, _]) = prompt("sorry", 9, 8);
        let with_opening = |name: &str, seed: u8| {
            let (name, [rest, _]) = prompt(name, seed, 30);
            let frames: Arc<[Frame]> = opening.iter().chain(rest.iter()).copied().collect();
            (name, [frames.clone(), frames])
        };
        let index = Arc::new(PromptIndex::from_frames([
            with_opening("zh/08", 1),
            with_opening("zh/23", 2),
            with_opening("zh/28", 3),
            prompt("zh/06", 4, 30),
        ]));
        let mut m = PromptMatcher::new(index, G711::Ulaw);
        let mut seq = 0;
        let heard = play(
            &mut m,
            &mut seq,
            &[("zh/28", 0..38), ("zh/06", 0..30), ("zh/23", 0..38)],
        );
        assert_eq!(heard, ["zh/28", "zh/06", "zh/23"]);
    }

    #[test]
    fn short_prompt_is_heard_with_all_its_frames() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let mut seq = 0;
        let heard = play(
            &mut m,
            &mut seq,
            &[("zh/digit-1", 0..3), ("zh/digit-1", 0..3)],
        );
        assert_eq!(heard, ["zh/digit-1", "zh/digit-1"]);
    }

    #[test]
    fn frames_out_of_order_within_a_prompt_never_make_it_heard() {
        let mut m = PromptMatcher::new(index(), G711::Ulaw);
        let mut seq = 0;
        let heard = play(
            &mut m,
            &mut seq,
            &[
                ("zh/02", 30..31),
                ("zh/02", 20..21),
                ("zh/02", 10..11),
                ("zh/02", 0..1),
            ],
        );
        assert!(heard.is_empty());
    }

    #[test]
    fn near_silent_frames_are_not_indexed() {
        let quiet: Arc<[Frame]> = vec![[0xFFu8; 160]; 10].into();
        let index = PromptIndex::from_frames([("zh/quiet".to_owned(), [quiet.clone(), quiet])]);
        let mut m = PromptMatcher::new(Arc::new(index), G711::Ulaw);
        assert!((0..10).all(|s| m.on_frame(s, &[0xFF; 160]).is_none()));
    }
}
