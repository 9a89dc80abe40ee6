//! Test tones for the scripted phones (caller and agent): a sine of a given frequency to
//! send as audio, and a single-frequency Goertzel meter that tells whether the frames
//! received carry it. Pure: PCM in, a verdict out.
//!
//! Decisions: each 20 ms frame is measured on its own (Goertzel at exactly the asked
//! frequency, which need not be a DFT bin). A frame carries the tone when the tone holds
//! at least [`MIN_SHARE`] of the frame's energy and is louder than [`MIN_AMPLITUDE`]; the
//! tone is heard after [`FRAMES_TO_HEAR`] such frames in a row (60 ms). With 160-sample
//! frames this accepts a tone within about ±15 Hz of the asked frequency and refuses
//! silence, speech-like mixtures and other tones; G.711 noise is far below the limits.

use std::f32::consts::TAU;
use std::time::Duration;

use crate::media::SAMPLE_RATE;

/// Share of a frame's energy the tone must hold.
pub const MIN_SHARE: f32 = 0.6;
/// Smallest amplitude of a tone that counts (about −40 dBm0).
pub const MIN_AMPLITUDE: f32 = 200.0;
/// Consecutive frames with the tone before it counts as heard.
pub const FRAMES_TO_HEAR: u32 = 3;
/// Amplitude of the tones the phones send (about −10 dBm0).
pub const TONE_AMPLITUDE: f32 = 8000.0;

/// `duration` of a sine at `hz`, 8 kHz PCM at [`TONE_AMPLITUDE`].
pub fn tone_pcm(hz: f32, duration: Duration) -> Vec<i16> {
    let samples = (duration.as_secs_f64() * f64::from(SAMPLE_RATE)).round() as usize;
    let step = f64::from(TAU) * f64::from(hz) / f64::from(SAMPLE_RATE);
    (0..samples)
        .map(|n| (f64::from(TONE_AMPLITUDE) * (step * n as f64).sin()) as i16)
        .collect()
}

/// Listens for one frequency in a stream of frames.
#[derive(Clone, Debug)]
pub struct ToneMeter {
    coefficient: f32,
    run: u32,
}

impl ToneMeter {
    pub fn new(hz: f32) -> ToneMeter {
        ToneMeter {
            coefficient: 2.0 * (TAU * hz / SAMPLE_RATE as f32).cos(),
            run: 0,
        }
    }

    /// Measures one frame; true once the tone has been in enough frames in a row.
    pub fn push(&mut self, frame: &[i16]) -> bool {
        if self.carries_tone(frame) {
            self.run += 1;
        } else {
            self.run = 0;
        }
        self.run >= FRAMES_TO_HEAR
    }

    fn carries_tone(&self, frame: &[i16]) -> bool {
        if frame.is_empty() {
            return false;
        }
        let (mut s1, mut s2, mut energy) = (0.0f32, 0.0f32, 0.0f32);
        for &sample in frame {
            let x = f32::from(sample);
            energy += x * x;
            let s0 = x + self.coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let power = s1 * s1 + s2 * s2 - self.coefficient * s1 * s2;
        let n = frame.len() as f32;
        // A sine of amplitude A gives power (A·n/2)² and energy A²·n/2.
        let tone_energy = power * 2.0 / n;
        let amplitude = (tone_energy * 2.0 / n).sqrt();
        tone_energy >= MIN_SHARE * energy && amplitude >= MIN_AMPLITUDE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{FRAME_SAMPLES, G711};

    /// Frames of `pcm` through G.711 and back, as a phone hears them.
    fn heard(meter: &mut ToneMeter, pcm: &[i16], codec: G711) -> Vec<bool> {
        pcm.chunks(FRAME_SAMPLES)
            .map(|chunk| {
                let mut bytes = vec![0u8; chunk.len()];
                codec.encode_into(chunk, &mut bytes);
                let mut frame = vec![0i16; chunk.len()];
                codec.decode_into(&bytes, &mut frame);
                meter.push(&frame)
            })
            .collect()
    }

    #[test]
    fn a_tone_is_heard_after_three_frames_through_either_codec() {
        for codec in [G711::Ulaw, G711::Alaw] {
            let pcm = tone_pcm(1000.0, Duration::from_millis(100));
            assert_eq!(pcm.len(), 800);
            let verdicts = heard(&mut ToneMeter::new(1000.0), &pcm, codec);
            assert_eq!(verdicts, [false, false, true, true, true], "{codec:?}");
        }
    }

    #[test]
    fn off_bin_frequencies_and_small_offsets_are_heard() {
        for (sent, asked) in [(697.0, 697.0), (1010.0, 1000.0), (440.0, 450.0)] {
            let pcm = tone_pcm(sent, Duration::from_millis(60));
            let verdicts = heard(&mut ToneMeter::new(asked), &pcm, G711::Alaw);
            assert_eq!(verdicts.last(), Some(&true), "{sent} for {asked}");
        }
    }

    #[test]
    fn silence_other_tones_and_mixtures_are_not_heard() {
        let silence = vec![0i16; 800];
        let other = tone_pcm(1500.0, Duration::from_millis(100));
        let near = tone_pcm(1050.0, Duration::from_millis(100));
        let target = tone_pcm(1000.0, Duration::from_millis(100));
        let mixture: Vec<i16> = (target.iter().zip(&other))
            .map(|(a, b)| a / 2 + b)
            .collect();
        let quiet: Vec<i16> = target.iter().map(|s| s / 80).collect();
        for pcm in [silence, other, near, mixture, quiet] {
            let verdicts = heard(&mut ToneMeter::new(1000.0), &pcm, G711::Ulaw);
            assert!(verdicts.iter().all(|v| !v), "{verdicts:?}");
        }
    }

    #[test]
    fn an_interruption_restarts_the_count() {
        let mut pcm = tone_pcm(1000.0, Duration::from_millis(40));
        pcm.extend([0i16; FRAME_SAMPLES]);
        pcm.extend(tone_pcm(1000.0, Duration::from_millis(60)));
        let verdicts = heard(&mut ToneMeter::new(1000.0), &pcm, G711::Ulaw);
        assert_eq!(verdicts, [false, false, false, false, false, true]);
    }
}
