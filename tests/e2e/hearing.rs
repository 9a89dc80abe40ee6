//! What a client heard: reads the WAV a client recorded of the call and finds the server's
//! prompts in it.
//!
//! A prompt is found by normalized correlation of short windows of its decoded G.711
//! frames against the recording: the client decodes the same G.711 bytes the server sent,
//! so a window of real speech matches almost exactly (r > 0.97) and nothing else does.
//! Gain differences and a client's jitter buffer delay do not matter.
//! Must not touch: the clients or the server; it only reads files and prompt frames.

#![allow(dead_code)] // each test binary uses a different part of this file

use std::path::Path;
use std::time::Duration;

use hotline::media::G711;
use hotline::prompts::Prompt;

const RATE: usize = 8000;
/// Samples compared at once: 60 ms of speech.
const WINDOW: usize = 480;
/// Windows of a prompt tried as anchors (the loudest ones of its opening).
const ANCHORS: usize = 4;
const MIN_CORRELATION: f64 = 0.97;

/// A recording as 8 kHz mono samples.
pub struct Recording {
    pub samples: Vec<i16>,
}

impl Recording {
    /// Reads a client's WAV recording (16-bit PCM, 8 kHz; the first channel if several).
    pub fn read(path: &Path) -> Recording {
        let mut reader = hound::WavReader::open(path)
            .unwrap_or_else(|error| panic!("reading the recording {}: {error}", path.display()));
        let spec = reader.spec();
        assert_eq!(
            spec.sample_rate as usize,
            RATE,
            "{} is not 8 kHz: {spec:?}",
            path.display()
        );
        assert_eq!(
            spec.bits_per_sample,
            16,
            "{} is not 16-bit: {spec:?}",
            path.display()
        );
        let channels = usize::from(spec.channels.max(1));
        // Up to the first unreadable sample: linphone's header claims 44 bytes more data
        // than its file holds (it counts the header in).
        let samples: Vec<i16> = reader
            .samples::<i16>()
            .map_while(Result::ok)
            .step_by(channels)
            .collect();
        Recording { samples }
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.samples.len() as f64 / RATE as f64)
    }

    /// Time with sound in it (20 ms frames whose RMS is above -40 dBFS).
    pub fn audible(&self) -> Duration {
        let loud = self
            .samples
            .chunks(160)
            .filter(|frame| rms(frame) > 328.0)
            .count();
        Duration::from_millis(loud as u64 * 20)
    }

    /// Where (from the start of the recording) `prompt` is heard at or after `after`;
    /// tries the prompt as µ-law and as A-law. `None` when it is not in the recording.
    pub fn find(&self, prompt: &Prompt, after: Duration) -> Option<Duration> {
        let from = (after.as_secs_f64() * RATE as f64) as usize;
        [G711::Ulaw, G711::Alaw]
            .into_iter()
            .filter_map(|codec| self.find_pcm(&decode(prompt, codec), from))
            .min()
            .map(|start| Duration::from_secs_f64(start as f64 / RATE as f64))
    }

    /// The sample where `pcm` starts in the recording, at or after sample `from`.
    fn find_pcm(&self, pcm: &[i16], from: usize) -> Option<usize> {
        let last = self.samples.len().checked_sub(WINDOW)?;
        anchors(pcm).into_iter().find_map(|anchor| {
            let window = &pcm[anchor..anchor + WINDOW];
            (from + anchor..=last)
                .find(|&at| matches(&self.samples[at..at + WINDOW], window))
                .map(|at| at - anchor)
        })
    }

    /// A short description for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "{:.2?} recorded, {:.2?} audible",
            self.duration(),
            self.audible()
        )
    }
}

/// The prompt's frames decoded to PCM, the way a client decodes what it receives.
fn decode(prompt: &Prompt, codec: G711) -> Vec<i16> {
    prompt
        .frames(codec)
        .iter()
        .flat_map(|frame| frame.iter().map(move |&byte| codec.decode(byte)))
        .collect()
}

/// Offsets of the loudest windows in the prompt's first 1.5 s (so that a prompt cut
/// short by a key or a hang-up is still found), loudest first.
fn anchors(pcm: &[i16]) -> Vec<usize> {
    let opening = pcm.len().min(RATE * 3 / 2);
    let mut windows: Vec<(f64, usize)> = (0..opening.saturating_sub(WINDOW))
        .step_by(WINDOW)
        .map(|at| (rms(&pcm[at..at + WINDOW]), at))
        .filter(|(level, _)| *level > 1000.0)
        .collect();
    windows.sort_by(|a, b| b.0.total_cmp(&a.0));
    windows
        .into_iter()
        .take(ANCHORS)
        .map(|(_, at)| at)
        .collect()
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Whether two windows hold the same sound: a cheap test on a prefix first (most offsets
/// fail it), then the whole window.
fn matches(heard: &[i16], expected: &[i16]) -> bool {
    const PREFIX: usize = 48;
    correlation(&heard[..PREFIX], &expected[..PREFIX]) > MIN_CORRELATION - 0.1
        && correlation(heard, expected) > MIN_CORRELATION
}

fn correlation(a: &[i16], b: &[i16]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa * bb).sqrt()
}
