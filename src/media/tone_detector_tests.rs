//! Tests of the in-band DTMF detector at the Q.24 acceptance limits and for talk-off.

use std::path::{Path, PathBuf};

use super::*;

const ALL_KEYS: &str = "0123456789*#ABCD";
/// Amplitude of each tone: about −10 dBm0.
const LEVEL: f32 = 7000.0;

fn keys() -> impl Iterator<Item = Key> {
    ALL_KEYS.chars().filter_map(Key::from_char)
}

fn ms(n: usize) -> usize {
    n * 8
}

/// Runs `signal`, with `lead` samples of silence before and 200 ms after, through a fresh
/// detector in 20 ms frames and returns the keys found.
fn detect(signal: &[i16], lead: usize) -> String {
    let mut audio = vec![0i16; lead];
    audio.extend_from_slice(signal);
    audio.extend(std::iter::repeat_n(0, ms(200)));
    detect_all(&audio)
}

fn detect_all(audio: &[i16]) -> String {
    let mut d = ToneDetector::new();
    let mut found = String::new();
    for frame in audio.chunks(160) {
        if let Some(key) = d.push(frame) {
            found.push(key.as_char());
        }
    }
    found
}

/// A key's tone with each frequency scaled by (1 + offset) and the given twist
/// (level(high) − level(low), dB), the louder tone at `LEVEL`.
fn shaped(key: Key, len: usize, low_offset: f32, high_offset: f32, twist_db: f32) -> Vec<i16> {
    let (low, high) = key_frequencies(key);
    let ratio = 10f32.powf(twist_db / 20.0);
    let (low_amp, high_amp) = if ratio > 1.0 {
        (LEVEL / ratio, LEVEL)
    } else {
        (LEVEL, LEVEL * ratio)
    };
    tone_pair(
        low * (1.0 + low_offset),
        low_amp,
        high * (1.0 + high_offset),
        high_amp,
        len,
    )
}

/// Lead-in silences that put the tone at different phases of the 80-sample blocks.
const LEADS: [usize; 6] = [0, 13, 27, 40, 55, 79];

fn assert_each_key(len: usize, low_offset: f32, high_offset: f32, twist_db: f32, accepted: bool) {
    for key in keys() {
        let tone = shaped(key, len, low_offset, high_offset, twist_db);
        for lead in LEADS {
            let want = if accepted {
                key.to_string()
            } else {
                String::new()
            };
            assert_eq!(
                detect(&tone, lead),
                want,
                "key {key} {len} samples, offsets {low_offset}/{high_offset}, twist {twist_db} dB, lead {lead}"
            );
        }
    }
}

#[test]
fn every_key_is_detected_once_from_generated_tones() {
    for key in keys() {
        assert_eq!(detect(&dtmf_tone(key, 100, 7000), 0), key.to_string());
        assert_eq!(detect(&dtmf_tone(key, 2000, 7000), 33), key.to_string());
    }
}

#[test]
fn tone_of_40_ms_is_accepted() {
    assert_each_key(ms(40), 0.0, 0.0, 0.0, true);
}

#[test]
fn tone_of_20_ms_is_rejected() {
    assert_each_key(ms(20), 0.0, 0.0, 0.0, false);
}

#[test]
fn tone_of_23_ms_is_rejected() {
    assert_each_key(ms(23), 0.0, 0.0, 0.0, false);
}

#[test]
fn normal_twist_of_8_db_is_accepted() {
    assert_each_key(ms(40), 0.0, 0.0, -8.0, true);
}

#[test]
fn normal_twist_of_10_db_is_rejected() {
    assert_each_key(ms(60), 0.0, 0.0, -10.0, false);
}

#[test]
fn reverse_twist_of_4_db_is_accepted() {
    assert_each_key(ms(40), 0.0, 0.0, 4.0, true);
}

#[test]
fn reverse_twist_of_6_db_is_rejected() {
    assert_each_key(ms(60), 0.0, 0.0, 6.0, false);
}

#[test]
fn frequency_off_by_1_5_percent_is_accepted() {
    for (low, high) in [
        (0.015, 0.015),
        (-0.015, -0.015),
        (0.015, -0.015),
        (-0.015, 0.015),
    ] {
        assert_each_key(ms(40), low, high, 0.0, true);
    }
}

#[test]
fn frequency_off_by_3_5_percent_is_rejected() {
    for (low, high) in [(0.035, 0.0), (-0.035, 0.0), (0.0, 0.035), (0.0, -0.035)] {
        assert_each_key(ms(100), low, high, 0.0, false);
    }
}

#[test]
fn frequency_further_off_is_rejected() {
    for offset in [0.05, -0.05, 0.07, -0.07] {
        assert_each_key(ms(100), offset, 0.0, 0.0, false);
        assert_each_key(ms(100), 0.0, offset, 0.0, false);
    }
}

#[test]
fn limits_combined_are_still_accepted() {
    assert_each_key(ms(40), 0.015, -0.015, -8.0, true);
    assert_each_key(ms(40), -0.015, 0.015, 4.0, true);
}

/// Deterministic white noise with the given RMS.
fn noise(len: usize, rms: f32, seed: u64) -> Vec<f32> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            // Sum of 4 uniforms: close enough to Gaussian, variance 4/12.
            let mut sum = 0.0;
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                sum += (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            }
            sum * rms * 3f32.sqrt()
        })
        .collect()
}

fn add_noise(signal: &[i16], snr_db: f32, seed: u64) -> Vec<i16> {
    // Each tone at LEVEL has power LEVEL²/2; noise power relative to one tone.
    let rms = (LEVEL * LEVEL / 2.0 / 10f32.powf(snr_db / 10.0)).sqrt();
    signal
        .iter()
        .zip(noise(signal.len(), rms, seed))
        .map(|(&s, n)| (f32::from(s) + n).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

#[test]
fn tones_in_noise_at_15_db_snr_are_detected_once() {
    for (seed, key) in keys().enumerate() {
        let mut audio = vec![0i16; ms(100)];
        audio.extend(shaped(key, ms(60), 0.01, -0.01, -3.0));
        audio.extend(vec![0; ms(200)]);
        assert_eq!(
            detect_all(&add_noise(&audio, 15.0, seed as u64 + 1)),
            key.to_string()
        );
    }
}

#[test]
fn noise_alone_is_not_a_key() {
    let audio = add_noise(&vec![0; ms(5000)], 0.0, 42);
    assert_eq!(detect_all(&audio), "");
}

#[test]
fn long_press_is_reported_once() {
    let tone = add_noise(
        &dtmf_tone(Key::from_char('5').unwrap(), 3000, 7000),
        20.0,
        7,
    );
    assert_eq!(detect(&tone, 17), "5");
}

#[test]
fn same_key_after_a_40_ms_pause_is_reported_again() {
    let key = Key::from_char('8').unwrap();
    let mut audio = dtmf_tone(key, 50, 7000);
    audio.extend(vec![0; ms(40)]);
    audio.extend(dtmf_tone(key, 50, 7000));
    for lead in LEADS {
        assert_eq!(detect(&audio, lead), "88", "lead {lead}");
    }
}

#[test]
fn interruption_of_5_ms_does_not_repeat_the_key() {
    let key = Key::from_char('3').unwrap();
    let mut audio = dtmf_tone(key, 100, 7000);
    audio.extend(vec![0; ms(5)]);
    audio.extend(dtmf_tone(key, 100, 7000));
    assert_eq!(detect(&audio, 11), "3");
}

#[test]
fn dialled_sequence_is_read_in_order() {
    let mut audio = Vec::new();
    for key in keys() {
        audio.extend(dtmf_tone(key, 50, 5000));
        audio.extend(vec![0; ms(50)]);
    }
    assert_eq!(detect(&audio, 0), ALL_KEYS);
    let mut d = ToneDetector::new();
    let mut found = String::new();
    d.push_each(&audio, |k| found.push(k.as_char()));
    assert_eq!(found, ALL_KEYS);
}

#[test]
fn too_quiet_tone_is_rejected() {
    let key = Key::from_char('1').unwrap();
    assert_eq!(detect(&dtmf_tone(key, 100, 150), 0), "");
    assert_eq!(detect(&dtmf_tone(key, 100, 600), 0), "1");
}

#[test]
fn single_tones_and_two_low_group_tones_are_rejected() {
    let one = tone_pair(770.0, LEVEL, 770.0, 0.0, ms(200));
    assert_eq!(detect(&one, 0), "");
    let two_low = tone_pair(697.0, LEVEL, 852.0, LEVEL, ms(200));
    assert_eq!(detect(&two_low, 0), "");
    let mut three = tone_pair(697.0, LEVEL, 1209.0, LEVEL, ms(200));
    for (s, extra) in three
        .iter_mut()
        .zip(tone_pair(852.0, LEVEL, 0.0, 0.0, ms(200)))
    {
        *s = s.saturating_add(extra);
    }
    assert_eq!(detect(&three, 0), "");
}

fn read_wav_8k_mono(path: &Path) -> Option<Vec<i16>> {
    let reader = hound::WavReader::open(path).ok()?;
    let spec = reader.spec();
    let usable = spec.sample_rate == 8000
        && spec.channels == 1
        && spec.bits_per_sample == 16
        && spec.sample_format == hound::SampleFormat::Int;
    if !usable {
        return None;
    }
    reader.into_samples::<i16>().collect::<Result<_, _>>().ok()
}

fn wav_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            wav_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"))
        {
            out.push(path);
        }
    }
}

/// Plays `audio` at several levels and block alignments, asserting that no key is found.
fn assert_no_talk_off(name: &str, audio: &[i16]) {
    for gain in [1.0f32, 0.25, 0.05] {
        for lead in [0, 40] {
            let mut scaled = vec![0i16; lead];
            scaled.extend(audio.iter().map(|&s| (f32::from(s) * gain) as i16));
            assert_eq!(
                detect_all(&scaled),
                "",
                "{name} at gain {gain}, lead {lead}"
            );
        }
    }
}

#[test]
fn speech_recordings_do_not_talk_off() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media");
    let mut files = Vec::new();
    wav_files(&dir, &mut files);
    files.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("speech-"))
    });
    assert!(
        files.len() >= 3,
        "speech fixtures missing in {}",
        dir.display()
    );
    for path in files {
        let audio = read_wav_8k_mono(&path).expect("fixtures are 8 kHz mono 16-bit");
        assert_no_talk_off(&path.display().to_string(), &audio);
    }
}

#[test]
fn hotline_prompts_do_not_talk_off() {
    let mut files = Vec::new();
    wav_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts"),
        &mut files,
    );
    for path in files {
        // Prompts in other formats are the prompt loader's business; skip them here.
        if let Some(audio) = read_wav_8k_mono(&path) {
            assert_no_talk_off(&path.display().to_string(), &audio);
        }
    }
}

#[test]
fn speech_does_not_hide_a_following_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/speech-zh.wav");
    let mut audio = read_wav_8k_mono(&path).expect("speech fixture");
    audio.extend(dtmf_tone(Key::from_char('7').unwrap(), 60, 5000));
    audio.extend(vec![0; ms(100)]);
    assert_eq!(detect_all(&audio), "7");
}
