//! A caller's spoken description, captured from the audio they send: decoded 8 kHz PCM
//! appended frame by frame up to a maximum length, then written out as a mono 16-bit
//! PCM WAV (hound) for the store.
//!
//! The buffer for the whole maximum is reserved when a capture starts, so appending a
//! frame never allocates. A capture shorter than [`MIN_RECORDING`] (the caller pressed
//! `#` at the tone) counts as no recording at all.

use std::io::Cursor;
use std::time::Duration;

use super::SAMPLE_RATE;

/// Shorter than this is "no description".
pub const MIN_RECORDING: Duration = Duration::from_millis(500);

/// A finished recording: a WAV file and its length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub wav: Vec<u8>,
    pub duration_ms: u32,
}

/// One call's capture of caller audio.
#[derive(Debug, Default)]
pub struct Recorder {
    samples: Vec<i16>,
    max_samples: usize,
    capturing: bool,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Starts a new capture of at most `max`, dropping any earlier one.
    pub fn start(&mut self, max: Duration) {
        self.max_samples = samples_in(max);
        self.samples = Vec::with_capacity(self.max_samples);
        self.capturing = true;
    }

    /// Stops capturing; what was captured is kept for [`Recorder::take`].
    pub fn stop(&mut self) {
        self.capturing = false;
    }

    pub fn is_capturing(&self) -> bool {
        self.capturing
    }

    /// Appends decoded audio while capturing, up to the maximum length.
    pub fn push(&mut self, pcm: &[i16]) {
        if !self.capturing {
            return;
        }
        let room = self.max_samples - self.samples.len();
        self.samples.extend_from_slice(&pcm[..pcm.len().min(room)]);
    }

    /// The captured audio as a WAV, once; `None` when it is shorter than
    /// [`MIN_RECORDING`] or there was none. Stops any capture in progress.
    pub fn take(&mut self) -> Option<Recorded> {
        self.capturing = false;
        let samples = std::mem::take(&mut self.samples);
        if samples.len() < samples_in(MIN_RECORDING) {
            return None;
        }
        Some(Recorded {
            wav: telephone_wav(&samples),
            duration_ms: (samples.len() as u64 * 1000 / u64::from(SAMPLE_RATE)) as u32,
        })
    }
}

fn samples_in(duration: Duration) -> usize {
    (duration.as_millis() * u128::from(SAMPLE_RATE) / 1000) as usize
}

/// `samples` as a mono 8 kHz 16-bit PCM WAV file (a recording, an uploaded prompt).
pub fn telephone_wav(samples: &[i16]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    // Writing to memory cannot fail but for a file over 4 GiB: a recording's `max` and
    // the upload limit rule it out.
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("WAV header in memory");
    let mut samples_writer = writer.get_i16_writer(samples.len() as u32);
    for &sample in samples {
        samples_writer.write_sample(sample);
    }
    samples_writer.flush().expect("WAV samples in memory");
    writer.finalize().expect("WAV in memory");
    cursor.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(recorder: &mut Recorder, n: usize, value: i16) {
        for _ in 0..n {
            recorder.push(&[value; 160]);
        }
    }

    #[test]
    fn a_capture_becomes_a_wav_that_reads_back_the_same_samples() {
        let mut recorder = Recorder::new();
        recorder.start(Duration::from_secs(10));
        frames(&mut recorder, 50, 1234);
        recorder.stop();
        frames(&mut recorder, 50, 99); // after stop: not kept
        let recorded = recorder.take().expect("one second recorded");
        assert_eq!(recorded.duration_ms, 1000);
        let reader = hound::WavReader::new(Cursor::new(recorded.wav)).unwrap();
        let spec = reader.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, 8000, 16)
        );
        let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
        assert_eq!(samples.len(), 8000);
        assert!(samples.iter().all(|&s| s == 1234));
    }

    #[test]
    fn the_capture_stops_growing_at_its_maximum() {
        let mut recorder = Recorder::new();
        recorder.start(Duration::from_millis(1010));
        frames(&mut recorder, 100, 1);
        assert_eq!(recorder.take().unwrap().duration_ms, 1010);
    }

    #[test]
    fn a_capture_under_half_a_second_is_no_recording() {
        let mut recorder = Recorder::new();
        recorder.start(Duration::from_secs(60));
        frames(&mut recorder, 24, 1); // 480 ms
        assert_eq!(recorder.take(), None);
        assert_eq!(recorder.take(), None, "nothing left after a take");
    }

    #[test]
    fn a_new_capture_replaces_the_earlier_one() {
        let mut recorder = Recorder::new();
        recorder.start(Duration::from_secs(60));
        frames(&mut recorder, 100, 1);
        recorder.start(Duration::from_secs(60));
        frames(&mut recorder, 30, 2);
        assert_eq!(recorder.take().unwrap().duration_ms, 600);
    }

    #[test]
    fn nothing_is_captured_before_a_start() {
        let mut recorder = Recorder::new();
        frames(&mut recorder, 100, 1);
        assert!(!recorder.is_capturing());
        assert_eq!(recorder.take(), None);
    }
}
