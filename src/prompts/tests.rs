use std::f32::consts::PI;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::media::{FRAME_SAMPLES, G711};

fn hound_wav<S: hound::Sample + Copy>(
    channels: u16,
    rate: u32,
    bits: u16,
    format: hound::SampleFormat,
    samples: &[S],
) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: format,
    };
    let mut cursor = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("writer");
    for &sample in samples {
        writer.write_sample(sample).expect("write");
    }
    writer.finalize().expect("finalize");
    cursor.into_inner()
}

/// A WAV written by hand: `fmt ` (16 bytes) then `data`.
fn raw_wav(format: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block_align = channels * bits / 8;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn tone(frequency: f32, rate: u32, seconds: f32, amplitude: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| amplitude * (2.0 * PI * frequency * i as f32 / rate as f32).sin())
        .collect()
}

/// Sign changes per second, over the middle of the signal (away from edge transients).
fn zero_crossings_per_second(pcm: &[i16]) -> f32 {
    let middle = &pcm[pcm.len() / 4..pcm.len() * 3 / 4];
    let crossings = middle
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f32 * 8000.0 / middle.len() as f32
}

const PCM: hound::SampleFormat = hound::SampleFormat::Int;

#[test]
fn pcm16_8khz_mono_decodes_to_the_same_samples() {
    let samples: Vec<i16> = vec![0, 1, -1, 1000, -1000, i16::MAX, i16::MIN, 12345];
    let decoded = decode_wav(&hound_wav(1, 8000, 16, PCM, &samples)).expect("decodes");
    assert_eq!(decoded, samples);
}

#[test]
fn pcm8_24_32_and_float_decode_to_the_expected_samples() {
    let expected = vec![0i16, 256, -256, 32512, -32768];
    let eight: Vec<i8> = vec![0, 1, -1, 127, -128];
    assert_eq!(
        decode_wav(&hound_wav(1, 8000, 8, PCM, &eight)),
        Ok(expected.clone())
    );
    let wide: Vec<i32> = expected.iter().map(|&s| i32::from(s) << 8).collect();
    assert_eq!(
        decode_wav(&hound_wav(1, 8000, 24, PCM, &wide)),
        Ok(expected.clone())
    );
    let wide: Vec<i32> = expected.iter().map(|&s| i32::from(s) << 16).collect();
    assert_eq!(
        decode_wav(&hound_wav(1, 8000, 32, PCM, &wide)),
        Ok(expected.clone())
    );
    let float: Vec<f32> = expected.iter().map(|&s| f32::from(s) / 32768.0).collect();
    let float_wav = hound_wav(1, 8000, 32, hound::SampleFormat::Float, &float);
    assert_eq!(decode_wav(&float_wav), Ok(expected));
}

#[test]
fn float_beyond_full_scale_is_clipped() {
    let wav = hound_wav(1, 8000, 32, hound::SampleFormat::Float, &[1.5f32, -2.0]);
    assert_eq!(decode_wav(&wav), Ok(vec![i16::MAX, i16::MIN]));
}

#[test]
fn ulaw_and_alaw_wavs_decode_with_g711() {
    let bytes: Vec<u8> = (0..=255).collect();
    for (tag, codec) in [(7u16, G711::Ulaw), (6, G711::Alaw)] {
        let decoded = decode_wav(&raw_wav(tag, 1, 8000, 8, &bytes)).expect("decodes");
        let expected: Vec<i16> = bytes.iter().map(|&b| codec.decode(b)).collect();
        assert_eq!(decoded, expected, "{codec:?}");
    }
}

#[test]
fn extensible_ulaw_wav_is_decoded() {
    let mut wav = raw_wav(7, 1, 8000, 8, &[0xFF, 0x80]);
    // Rewrite as WAVE_FORMAT_EXTENSIBLE: fmt chunk of 40 bytes, sub-format GUID 7.
    let mut fmt = wav[20..36].to_vec();
    fmt[0..2].copy_from_slice(&0xFFFEu16.to_le_bytes());
    fmt.extend_from_slice(&22u16.to_le_bytes()); // cbSize
    fmt.extend_from_slice(&8u16.to_le_bytes()); // valid bits
    fmt.extend_from_slice(&4u32.to_le_bytes()); // channel mask
    fmt.extend_from_slice(&7u16.to_le_bytes());
    fmt.extend_from_slice(&[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
    let data = wav.split_off(36);
    wav.truncate(12);
    wav.extend_from_slice(b"fmt ");
    wav.extend_from_slice(&40u32.to_le_bytes());
    wav.extend_from_slice(&fmt);
    wav.extend_from_slice(&data);
    let expected = vec![G711::Ulaw.decode(0xFF), G711::Ulaw.decode(0x80)];
    assert_eq!(decode_wav(&wav), Ok(expected));
}

#[test]
fn chunks_after_the_data_are_ignored_even_if_broken() {
    let mut wav = hound_wav(1, 8000, 16, PCM, &[5i16, -5]);
    wav.extend_from_slice(b"LIST");
    wav.extend_from_slice(&1000u32.to_le_bytes());
    wav.extend_from_slice(b"INFO");
    assert_eq!(decode_wav(&wav), Ok(vec![5, -5]));
}

#[test]
fn stereo_is_mixed_to_mono() {
    let interleaved: Vec<i16> = vec![1000, 3000, -2000, 0];
    let decoded = decode_wav(&hound_wav(2, 8000, 16, PCM, &interleaved)).expect("decodes");
    assert_eq!(decoded, vec![2000, -1000]);
}

#[test]
fn sixteen_khz_is_converted_to_8khz_with_the_same_duration_and_pitch() {
    let samples: Vec<i16> = tone(1000.0, 16000, 1.0, 16000.0)
        .into_iter()
        .map(|s| s as i16)
        .collect();
    let decoded = decode_wav(&hound_wav(1, 16000, 16, PCM, &samples)).expect("decodes");
    assert!(
        decoded.len().abs_diff(8000) <= FRAME_SAMPLES,
        "{}",
        decoded.len()
    );
    let rate = zero_crossings_per_second(&decoded);
    assert!((rate - 2000.0).abs() < 20.0, "{rate} crossings/s");
}

#[test]
fn stereo_44k1_is_converted_to_8khz_mono_with_the_same_duration_and_pitch() {
    let left = tone(1000.0, 44100, 1.5, 12000.0);
    let interleaved: Vec<i16> = left.iter().flat_map(|&s| [s as i16, s as i16]).collect();
    let decoded = decode_wav(&hound_wav(2, 44100, 16, PCM, &interleaved)).expect("decodes");
    assert!(
        decoded.len().abs_diff(12000) <= FRAME_SAMPLES,
        "{}",
        decoded.len()
    );
    let rate = zero_crossings_per_second(&decoded);
    assert!((rate - 2000.0).abs() < 20.0, "{rate} crossings/s");
    let peak = decoded[2000..10000].iter().map(|s| s.unsigned_abs()).max();
    assert!(
        peak.is_some_and(|p| (11000..13000).contains(&p)),
        "{peak:?}"
    );
}

#[test]
fn tone_above_4khz_is_filtered_out_not_aliased() {
    let samples: Vec<i16> = tone(6000.0, 44100, 0.5, 16000.0)
        .into_iter()
        .map(|s| s as i16)
        .collect();
    let decoded = decode_wav(&hound_wav(1, 44100, 16, PCM, &samples)).expect("decodes");
    let peak = decoded[1000..3000].iter().map(|s| s.unsigned_abs()).max();
    assert!(peak.is_some_and(|p| p < 200), "{peak:?}");
}

fn bad_files() -> Vec<(&'static str, Vec<u8>)> {
    let good = raw_wav(1, 1, 8000, 16, &[0; 320]);
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 100);
    let mut huge_data = good.clone();
    huge_data[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut huge_fmt = good.clone();
    huge_fmt[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    vec![
        ("empty.wav", Vec::new()),
        ("truncated.wav", truncated),
        ("not-riff.wav", b"ID3\x03 this is an mp3 really".to_vec()),
        ("zero-channels.wav", raw_wav(1, 0, 8000, 16, &[0; 320])),
        ("huge-data-size.wav", huge_data),
        ("huge-fmt-size.wav", huge_fmt),
        ("huge-rate.wav", raw_wav(1, 1, u32::MAX, 16, &[0; 320])),
        ("zero-rate.wav", raw_wav(1, 1, 0, 16, &[0; 320])),
        ("no-samples.wav", raw_wav(1, 1, 8000, 16, &[])),
        ("adpcm.wav", raw_wav(2, 1, 8000, 4, &[0; 64])),
        ("ulaw-16bit.wav", raw_wav(7, 1, 8000, 16, &[0; 64])),
        ("header-only.wav", good[..12].to_vec()),
    ]
}

#[test]
fn bad_files_give_errors_not_panics() {
    for (name, bytes) in bad_files() {
        let result = decode_wav(&bytes);
        assert!(result.is_err(), "{name} decoded to {result:?}");
    }
}

fn write(dir: &Path, relative: &str, bytes: &[u8]) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

#[test]
fn load_dir_reports_every_bad_file_by_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "zh/01.wav", &raw_wav(1, 1, 8000, 16, &[0; 320]));
    let bad = bad_files();
    for (name, bytes) in &bad {
        write(dir.path(), &format!("zh/{name}"), bytes);
    }
    let errors = PromptStore::load_dir(dir.path()).expect_err("bad files");
    assert_eq!(errors.len(), bad.len(), "{errors:#?}");
    for (name, _) in &bad {
        let error = errors
            .iter()
            .find(|e| e.path.ends_with(format!("zh/{name}")))
            .unwrap_or_else(|| panic!("no error for {name}"));
        let shown = error.to_string();
        assert!(shown.contains(name) && shown.contains(": "), "{shown}");
    }
}

#[test]
fn load_dir_names_prompts_by_relative_path_without_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = raw_wav(1, 1, 8000, 16, &[0; 3200]);
    write(dir.path(), "zh/02.wav", &wav);
    write(dir.path(), "zh/digit-7.WAV", &wav);
    write(dir.path(), "music/hold.wav", &wav);
    write(dir.path(), "zh/prompts.tsv", b"02\ttext\n");
    write(dir.path(), "README.md", b"not a prompt");
    let store = PromptStore::load_dir(dir.path()).expect("loads");
    assert_eq!(
        store.names().collect::<Vec<_>>(),
        ["music/hold", "zh/02", "zh/digit-7"]
    );
    let prompt = store.get("zh/02").expect("zh/02");
    assert_eq!(prompt.name, "zh/02");
    assert_eq!(prompt.duration, std::time::Duration::from_millis(200));
    assert!(store.get("zh/03").is_none());
}

#[test]
fn load_dir_of_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    let errors = PromptStore::load_dir(&missing).expect_err("missing");
    assert_eq!(errors[0].path, missing);
}

#[test]
fn frames_are_20ms_with_the_last_padded_with_silence() {
    let pcm: Vec<i16> = (0..170).map(|i| i as i16 * 100).collect();
    let prompt = Prompt::from_pcm("t", &pcm);
    assert_eq!(prompt.duration, std::time::Duration::from_millis(40));
    for codec in [G711::Ulaw, G711::Alaw] {
        let frames = prompt.frames(codec);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0][5], codec.encode(500));
        assert_eq!(frames[1][9], codec.encode(16900));
        assert!(frames[1][10..].iter().all(|&b| b == silence(codec)[0]));
    }
}

#[test]
fn silence_is_encoded_zero() {
    for codec in [G711::Ulaw, G711::Alaw] {
        assert!(silence(codec).iter().all(|&b| b == codec.encode(0)));
    }
}

fn prompt_of(name: &str, frames: usize, level: i16) -> Arc<Prompt> {
    Arc::new(Prompt::from_pcm(name, &vec![level; frames * FRAME_SAMPLES]))
}

#[test]
fn playout_plays_the_playlist_in_order_then_finishes() {
    let a = prompt_of("a", 2, 1000);
    let b = prompt_of("b", 1, -1000);
    let empty = Arc::new(Prompt::from_pcm("empty", &[]));
    let mut playout = Playout::new(vec![a, empty, b], G711::Alaw);
    let mut heard = Vec::new();
    while let Some(frame) = playout.next_frame() {
        heard.push(frame[0]);
    }
    let (one, two) = (G711::Alaw.encode(1000), G711::Alaw.encode(-1000));
    assert_eq!(heard, vec![one, one, two]);
    assert!(playout.is_finished());
    assert!(playout.next_frame().is_none());
}

#[test]
fn playout_is_finished_only_after_the_last_frame() {
    let mut playout = Playout::new(vec![prompt_of("a", 1, 5)], G711::Ulaw);
    assert!(!playout.is_finished());
    assert!(playout.next_frame().is_some());
    assert!(playout.is_finished());
    assert!(Playout::new(Vec::new(), G711::Ulaw).is_finished());
}

#[test]
fn looping_playout_restarts_and_never_finishes() {
    let music = Arc::new(Prompt::from_pcm("hold", &[7000; 2 * FRAME_SAMPLES + 10]));
    let mut playout = Playout::looping(music.clone(), G711::Ulaw);
    for round in 0..3 {
        for index in 0..3 {
            let frame = playout.next_frame().expect("loops");
            assert_eq!(frame, &music.ulaw[index], "round {round} frame {index}");
            assert!(!playout.is_finished());
        }
    }
}

#[test]
fn looping_an_empty_prompt_finishes_at_once() {
    let mut playout = Playout::looping(Arc::new(Prompt::from_pcm("x", &[])), G711::Ulaw);
    assert!(playout.next_frame().is_none());
    assert!(playout.is_finished());
}

#[test]
fn bundled_prompts_load_and_cover_every_listed_id() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
    let store = PromptStore::load_dir(&root).unwrap_or_else(|errors| panic!("{errors:#?}"));
    let tsv = std::fs::read_to_string(root.join("zh/prompts.tsv")).expect("prompts.tsv");
    let listed: Vec<&str> = tsv
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .collect();
    let spec_ids = (1..=31).filter(|id| *id != 26).map(|id| format!("{id:02}"));
    let digits = (0..10).map(|d| format!("digit-{d}"));
    for id in spec_ids.chain(digits).chain(["102".to_string()]) {
        assert!(
            listed.contains(&id.as_str()),
            "{id} missing from prompts.tsv"
        );
    }
    for id in &listed {
        let prompt = store
            .get(&format!("zh/{id}"))
            .unwrap_or_else(|| panic!("zh/{id}.wav missing"));
        assert!(
            prompt.duration >= std::time::Duration::from_millis(200),
            "{id}"
        );
    }
    assert!(store.get("music/hold").is_some());
    assert_eq!(
        store.names().count(),
        listed.len() + 1,
        "a .wav not listed in prompts.tsv"
    );
}

#[test]
fn the_header_says_the_format_and_whether_it_is_the_lines() {
    let telephone = raw_wav(1, 1, 8000, 16, &[0; 320]);
    let format = wav_format(&telephone).expect("a WAV");
    assert!(format.is_telephone(), "{format}");
    assert!(wav_format(&raw_wav(7, 1, 8000, 8, &[0xff; 160]))
        .expect("µ-law")
        .is_telephone());
    let stereo = raw_wav(1, 2, 44100, 16, &[0; 400]);
    let format = wav_format(&stereo).expect("a WAV");
    assert!(!format.is_telephone());
    assert_eq!(format.to_string(), "44100 Hz, 2 channels, 16-bit PCM");
    assert!(wav_format(b"ID3 an mp3").is_err());
}

#[test]
fn an_upload_is_converted_to_8khz_mono_16bit_pcm() {
    let mono = tone(440.0, 16000, 0.5, 0.5);
    let stereo: Vec<i16> = (mono.iter())
        .flat_map(|s| {
            let s = (s * 32767.0) as i16;
            [s, s]
        })
        .collect();
    let upload = hound_wav(2, 16000, 16, hound::SampleFormat::Int, &stereo);
    let converted = to_telephone_wav(&upload).expect("converted");
    let reader = hound::WavReader::new(Cursor::new(&converted)).expect("a WAV");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 8000, 16)
    );
    assert_eq!(spec.sample_format, hound::SampleFormat::Int);
    let pcm: Vec<i16> = reader.into_samples().map(|s| s.expect("sample")).collect();
    assert_eq!(pcm.len(), 4000, "half a second");
    let crossings = zero_crossings_per_second(&pcm);
    assert!(
        (800.0..960.0).contains(&crossings),
        "a 440 Hz tone: {crossings}"
    );
    assert!(to_telephone_wav(b"not audio").is_err());
}
