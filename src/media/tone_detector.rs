//! In-band DTMF detection (ITU-T Q.23/Q.24) over 8 kHz PCM, for callers without RFC 4733.
//!
//! The signal is cut into 10 ms blocks of [`BLOCK`] samples. Each block is Hann-windowed
//! (its sidelobes are 30 dB lower than a plain block's, so a loud low-group tone does not
//! leak into the high-group filters and falsify the twist) and run through a Goertzel
//! filter per DTMF frequency (plus guards, below), giving a complex value each. Every 10 ms the last two
//! blocks form a 20 ms window that is valid for a key when all of these hold:
//! - **frequency**: in each group the strongest filter's tone is within ±2.5 % of its
//!   nominal frequency, measured from the phase turn between the two blocks
//!   (`arg(y_b·conj(y_a)) − ω·80`), which is exact for a clean tone and independent of
//!   level. Q.24 asks to accept ±1.5 % and reject ±3.5 %; 2.5 % is the middle.
//!   The phase turn only knows the offset modulo 100 Hz, so a tone 70 Hz above a
//!   filter would pass as 30 Hz below it: two guard filters per frequency at ±6 % tell
//!   these apart (the guard on the far side of the estimate must be the weaker).
//! - **level**: each tone at least [`MIN_TONE_AMPLITUDE`] (about −37 dBm0).
//! - **twist**: with twist = level(high group) − level(low group), accepted from −8 dB
//!   (high group weaker: what line loss does; spandsp and Asterisk call this "normal
//!   twist") to +4 dB (high group stronger: "reverse twist" there, "forward twist" in
//!   Bellcore/Mitel datasheets). The limits are placed at −9 / +5 dB between Q.24's
//!   accept (8/4) and the reject points tested here (10/6).
//! - **purity** (talk-off): in each block the two tones hold at least 80 % of the
//!   (windowed) energy. Speech spreads its energy over many harmonics and formants.
//! - **steadiness**: in each block, neither half has less than half the energy of the
//!   other. A block only partly filled with tone fails; this rejects short tones.
//!
//! Tone levels are corrected for the window's roll-off at the measured offset before the
//! level, twist and purity tests. A key is reported when two consecutive windows (three
//! blocks, 30 ms) agree, once per tone: a tone of 40 ms or more always covers three
//! whole blocks; one of 23 ms covers at most two, plus 3 ms of a third. (Measured over
//! all keys and block alignments: ≤ 24 ms never accepted, ≥ 37 ms always.) The tone ends
//! after three windows without it, so an interruption shorter than ~10 ms does not
//! repeat the key.

use std::f32::consts::{PI, TAU};

use super::{Key, SAMPLE_RATE};

/// Samples per Goertzel block (10 ms).
pub const BLOCK: usize = 80;
/// Smallest accepted amplitude of each of the two tones.
pub const MIN_TONE_AMPLITUDE: f32 = 300.0;

const LOW_GROUP: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
const HIGH_GROUP: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYPAD: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];
const FREQUENCY_TOLERANCE: f32 = 0.025;
/// Relative offset of the guard filters below and above each DTMF frequency.
const GUARD: f32 = 0.06;
/// Filters: the 8 DTMF frequencies, then the 8 lower guards, then the 8 upper guards.
const FILTERS: usize = 24;
/// Most the low group may be louder than the high group (dB): "normal twist".
const MAX_NORMAL_TWIST_DB: f32 = 9.0;
/// Most the high group may be louder than the low group (dB): "reverse twist".
const MAX_REVERSE_TWIST_DB: f32 = 5.0;
const MIN_PURITY: f32 = 0.8;
/// Least energy of one half of a block relative to the other half.
const MIN_STEADINESS: f32 = 0.5;
/// Consecutive valid windows before a key is reported.
const WINDOWS_TO_ACCEPT: u32 = 2;
/// Consecutive windows without the key that end its tone.
const WINDOWS_TO_END: u32 = 3;

/// One 10 ms block: a complex Goertzel output per filter, the windowed energy and the
/// plain energy of each half.
#[derive(Clone, Copy, Debug, Default)]
struct Block {
    re: [f32; FILTERS],
    im: [f32; FILTERS],
    energy: f32,
    halves: [f32; 2],
}

impl Block {
    fn power(&self, i: usize) -> f32 {
        self.re[i] * self.re[i] + self.im[i] * self.im[i]
    }

    fn is_steady(&self) -> bool {
        let [a, b] = self.halves;
        a.min(b) >= MIN_STEADINESS * a.max(b)
    }
}

/// The strongest filter of a group over a window, and the factor that turns its power
/// in one block into that tone's share of the block's windowed energy.
#[derive(Clone, Copy, Debug)]
struct Measured {
    index: usize,
    scale: f32,
}

impl Measured {
    fn energy(&self, block: &Block) -> f32 {
        block.power(self.index) * self.scale
    }
}

/// In-band DTMF detector for one incoming stream.
#[derive(Clone, Debug)]
pub struct ToneDetector {
    window: [f32; BLOCK],
    /// Per filter: 2·cos ω, cos ω, sin ω, ω, and ω·BLOCK wrapped to (−π, π].
    coeff: [f32; FILTERS],
    cos: [f32; FILTERS],
    sin: [f32; FILTERS],
    omega: [f32; FILTERS],
    block_turn: [f32; FILTERS],
    s1: [f32; FILTERS],
    s2: [f32; FILTERS],
    current: Block,
    filled: usize,
    previous: Option<Block>,
    candidate: Option<Key>,
    run: u32,
    reported: Option<Key>,
    misses: u32,
}

impl Default for ToneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl ToneDetector {
    pub fn new() -> Self {
        let mut d = ToneDetector {
            window: [0.0; BLOCK],
            coeff: [0.0; FILTERS],
            cos: [0.0; FILTERS],
            sin: [0.0; FILTERS],
            omega: [0.0; FILTERS],
            block_turn: [0.0; FILTERS],
            s1: [0.0; FILTERS],
            s2: [0.0; FILTERS],
            current: Block::default(),
            filled: 0,
            previous: None,
            candidate: None,
            run: 0,
            reported: None,
            misses: 0,
        };
        for (n, w) in d.window.iter_mut().enumerate() {
            *w = 0.5 - 0.5 * (TAU * n as f32 / BLOCK as f32).cos();
        }
        let dtmf = LOW_GROUP.into_iter().chain(HIGH_GROUP);
        let filters = dtmf
            .clone()
            .chain(dtmf.clone().map(|f| f * (1.0 - GUARD)))
            .chain(dtmf.map(|f| f * (1.0 + GUARD)));
        for (i, f) in filters.enumerate() {
            let omega = TAU * f / SAMPLE_RATE as f32;
            d.omega[i] = omega;
            d.cos[i] = omega.cos();
            d.sin[i] = omega.sin();
            d.coeff[i] = 2.0 * omega.cos();
            d.block_turn[i] = wrap_phase(omega * BLOCK as f32);
        }
        d
    }

    /// Feed decoded PCM (any length, typically 160 samples). Returns a key once per tone,
    /// after it has lasted >= 40 ms; twist up to 8 dB normal / 4 dB reverse; +-1.5 %
    /// frequency accepted; speech and the hotline's own prompts must not trigger it.
    /// If `pcm` holds more than one tone (over ~70 ms of audio), the first key is
    /// returned; use [`push_each`](Self::push_each) for long buffers.
    pub fn push(&mut self, pcm: &[i16]) -> Option<Key> {
        let mut first = None;
        self.push_each(pcm, |key| {
            first.get_or_insert(key);
        });
        first
    }

    /// Like [`push`](Self::push), calling `on_key` for every key found in `pcm`.
    pub fn push_each(&mut self, pcm: &[i16], mut on_key: impl FnMut(Key)) {
        for &sample in pcm {
            let x = f32::from(sample);
            let xw = x * self.window[self.filled];
            self.current.energy += xw * xw;
            self.current.halves[self.filled * 2 / BLOCK] += x * x;
            for i in 0..FILTERS {
                let s0 = xw + self.coeff[i] * self.s1[i] - self.s2[i];
                self.s2[i] = self.s1[i];
                self.s1[i] = s0;
            }
            self.filled += 1;
            if self.filled == BLOCK {
                if let Some(key) = self.finish_block() {
                    on_key(key);
                }
            }
        }
    }

    fn finish_block(&mut self) -> Option<Key> {
        let mut block = std::mem::take(&mut self.current);
        for i in 0..FILTERS {
            block.re[i] = self.s1[i] - self.cos[i] * self.s2[i];
            block.im[i] = self.sin[i] * self.s2[i];
        }
        self.s1 = [0.0; FILTERS];
        self.s2 = [0.0; FILTERS];
        self.filled = 0;
        let window = self.previous.and_then(|a| self.classify(&a, &block));
        self.previous = Some(block);
        self.on_window(window)
    }

    /// The key a 20 ms window of blocks `a`, `b` holds, if it passes every test.
    fn classify(&self, a: &Block, b: &Block) -> Option<Key> {
        let low = self.measure(a, b, 0..4)?;
        let high = self.measure(a, b, 4..8)?;
        // Windowed energy of a tone of amplitude A over a block: A²/2 · Σw² = 3·BLOCK·A²/16.
        let min_energy = 3.0 * BLOCK as f32 * MIN_TONE_AMPLITUDE * MIN_TONE_AMPLITUDE / 16.0;
        let low_total = low.energy(a) + low.energy(b);
        let high_total = high.energy(a) + high.energy(b);
        let twist_db = 10.0 * (high_total / low_total).log10();
        let block_ok = |block: &Block| {
            let (l, h) = (low.energy(block), high.energy(block));
            l >= min_energy
                && h >= min_energy
                && l + h >= MIN_PURITY * block.energy
                && block.is_steady()
        };
        let valid = (-MAX_NORMAL_TWIST_DB..=MAX_REVERSE_TWIST_DB).contains(&twist_db)
            && block_ok(a)
            && block_ok(b);
        if !valid {
            return None;
        }
        Key::from_char(KEYPAD[low.index][high.index - 4])
    }

    /// The strongest filter of a group, if its tone is within the frequency tolerance.
    fn measure(&self, a: &Block, b: &Block, group: std::ops::Range<usize>) -> Option<Measured> {
        let power = |i: usize| a.power(i) + b.power(i);
        let index = group.max_by(|&i, &j| power(i).total_cmp(&power(j)))?;
        let re = b.re[index] * a.re[index] + b.im[index] * a.im[index];
        let im = b.im[index] * a.re[index] - b.re[index] * a.im[index];
        let offset = wrap_phase(im.atan2(re) - self.block_turn[index]) / BLOCK as f32;
        // The guard on the side opposite the estimate reveals an alias 100 Hz away.
        let guard = if offset < 0.0 { index + 16 } else { index + 8 };
        if offset.abs() > FREQUENCY_TOLERANCE * self.omega[index] || power(guard) > power(index) {
            return None;
        }
        // Hann roll-off at `bins` = offset in DFT bins: sinc(bins) / (1 − bins²).
        let bins = offset * BLOCK as f32 / TAU;
        let gain = if bins.abs() < 1e-4 {
            1.0
        } else {
            (PI * bins).sin() / (PI * bins) / (1.0 - bins * bins)
        };
        // |y|² of a tone of amplitude A is (A·Σw/2)² = A²·BLOCK²/16.
        Some(Measured {
            index,
            scale: 3.0 / BLOCK as f32 / (gain * gain),
        })
    }

    fn on_window(&mut self, window: Option<Key>) -> Option<Key> {
        if window.is_some() && window == self.candidate {
            self.run += 1;
        } else {
            self.candidate = window;
            self.run = u32::from(window.is_some());
        }
        if window.is_some() && window == self.reported {
            self.misses = 0;
            return None;
        }
        self.misses += 1;
        if self.misses >= WINDOWS_TO_END {
            self.reported = None;
        }
        if self.run >= WINDOWS_TO_ACCEPT {
            self.reported = window;
            self.misses = 0;
            return window;
        }
        None
    }
}

fn wrap_phase(x: f32) -> f32 {
    let y = x.rem_euclid(TAU);
    if y > PI {
        y - TAU
    } else {
        y
    }
}

/// Generates a DTMF tone (for tests, the load tool and the test caller): the key's two
/// frequencies, each with peak `amplitude` (so the sum peaks at twice that; it saturates
/// rather than wraps above 16383).
pub fn dtmf_tone(key: Key, duration_ms: u32, amplitude: i16) -> Vec<i16> {
    let (row, col) = key_frequencies(key);
    let samples = (u64::from(duration_ms) * u64::from(SAMPLE_RATE) / 1000) as usize;
    let amplitude = f32::from(amplitude);
    tone_pair(row, amplitude, col, amplitude, samples)
}

/// The (low, high) frequencies of a key.
pub fn key_frequencies(key: Key) -> (f32, f32) {
    // (row, column) on the keypad, by RFC 4733 event code: 0-9, *, #, A-D.
    const POSITION: [(usize, usize); 16] = [
        (3, 1),
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (2, 0),
        (2, 1),
        (2, 2),
        (3, 0),
        (3, 2),
        (0, 3),
        (1, 3),
        (2, 3),
        (3, 3),
    ];
    let (row, col) = POSITION[usize::from(key.event_code() & 0x0F)];
    (LOW_GROUP[row], HIGH_GROUP[col])
}

fn tone_pair(low_hz: f32, low_amp: f32, high_hz: f32, high_amp: f32, samples: usize) -> Vec<i16> {
    let rate = SAMPLE_RATE as f32;
    (0..samples)
        .map(|n| {
            let t = n as f32 / rate;
            let x = low_amp * (TAU * low_hz * t).sin() + high_amp * (TAU * high_hz * t).sin();
            x.round().clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
        })
        .collect()
}

#[cfg(test)]
#[path = "tone_detector_tests.rs"]
mod tests;
