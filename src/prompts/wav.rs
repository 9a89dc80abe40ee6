//! Any WAV file → 8 kHz mono i16.
//!
//! The RIFF chunks are read here first (so every file gets the same checks: truncation,
//! zero channels, absurd rates, header sizes past the end of the file), then PCM and float
//! data are decoded with `hound`, and µ-law (format 7) / A-law (format 6), which hound
//! refuses, with [`G711`]. Channels are averaged to mono; other rates are converted with
//! `rubato`'s FFT resampler (band-limited, so no aliasing from 44.1 kHz material).
//!
//! Also: what a file's header says ([`wav_format`], for the prompt catalogue) and the
//! conversion of an uploaded recording to 8 kHz mono 16-bit PCM ([`to_telephone_wav`]).

use std::io::Cursor;

use rubato::{FftFixedIn, Resampler};

use crate::media::{telephone_wav, G711, SAMPLE_RATE};

const FORMAT_PCM: u16 = 1;
const FORMAT_FLOAT: u16 = 3;
const FORMAT_ALAW: u16 = 6;
const FORMAT_ULAW: u16 = 7;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Sample rates accepted (the resampler's work and output stay bounded).
const RATES: std::ops::RangeInclusive<u32> = 4_000..=768_000;

/// Decodes any WAV (PCM 8/16/24/32-bit, float, µ-law (format 7), A-law (format 6), any
/// rate, any channel count) into 8 kHz mono i16, resampling with `rubato`.
pub fn decode_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let wav = read_riff(bytes)?;
    let mono = match wav.format {
        FORMAT_ULAW => decode_g711(&wav, G711::Ulaw)?,
        FORMAT_ALAW => decode_g711(&wav, G711::Alaw)?,
        FORMAT_PCM | FORMAT_FLOAT => decode_with_hound(bytes, wav.channels)?,
        other => {
            return Err(format!(
                "unsupported WAV format tag {other} (use PCM, float, µ-law or A-law)"
            ))
        }
    };
    if mono.is_empty() {
        return Err("no audio samples in the data chunk".into());
    }
    let resampled = resample(mono, wav.rate)?;
    Ok(resampled.into_iter().map(to_i16).collect())
}

/// How a WAV file is encoded, as its header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavFormat {
    /// The format tag (WAVE_FORMAT_EXTENSIBLE resolved to its sub-format).
    pub tag: u16,
    pub channels: u16,
    pub rate: u32,
    pub bits: u16,
}

impl WavFormat {
    /// Whether the file is what the phone line carries: 8 kHz mono, 16-bit PCM or 8-bit
    /// G.711. Anything else is converted at load.
    pub fn is_telephone(&self) -> bool {
        let coding = matches!(
            (self.tag, self.bits),
            (FORMAT_PCM, 16) | (FORMAT_ALAW, 8) | (FORMAT_ULAW, 8)
        );
        coding && self.channels == 1 && self.rate == SAMPLE_RATE
    }
}

impl std::fmt::Display for WavFormat {
    /// `44100 Hz, 2 channels, 16-bit PCM`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let coding = match self.tag {
            FORMAT_PCM => format!("{}-bit PCM", self.bits),
            FORMAT_FLOAT => format!("{}-bit float", self.bits),
            FORMAT_ALAW => "A-law".to_string(),
            FORMAT_ULAW => "µ-law".to_string(),
            other => format!("format tag {other}"),
        };
        let channels = match self.channels {
            1 => "mono".to_string(),
            n => format!("{n} channels"),
        };
        write!(f, "{} Hz, {channels}, {coding}", self.rate)
    }
}

/// The format the header of a WAV file says, checked as [`decode_wav`] checks it.
pub fn wav_format(bytes: &[u8]) -> Result<WavFormat, String> {
    let wav = read_riff(bytes)?;
    Ok(WavFormat {
        tag: wav.format,
        channels: wav.channels,
        rate: wav.rate,
        bits: wav.bits,
    })
}

/// Any WAV [`decode_wav`] reads, rewritten as 8 kHz mono 16-bit PCM.
pub fn to_telephone_wav(bytes: &[u8]) -> Result<Vec<u8>, String> {
    decode_wav(bytes).map(|pcm| telephone_wav(&pcm))
}

/// What the `fmt ` and `data` chunks say.
struct RiffWav<'a> {
    /// Format tag, with WAVE_FORMAT_EXTENSIBLE resolved to its sub-format.
    format: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    block_align: u16,
    data: &'a [u8],
}

fn read_riff(bytes: &[u8]) -> Result<RiffWav<'_>, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a WAV file (no RIFF/WAVE header)".into());
    }
    let mut fmt = None;
    let mut data = None;
    let mut position = 12usize;
    // Stops once both chunks are found: trailing chunks (LIST, id3 …) are not our business.
    while position + 8 <= bytes.len() && (fmt.is_none() || data.is_none()) {
        let id = &bytes[position..position + 4];
        let size = u32_at(bytes, position + 4) as usize;
        let start = position + 8;
        let body = bytes
            .get(start..start.saturating_add(size))
            .ok_or_else(|| {
                format!(
                    "'{}' chunk says {size} bytes but only {} remain (truncated file?)",
                    String::from_utf8_lossy(id),
                    bytes.len() - start
                )
            })?;
        match id {
            b"fmt " => fmt = Some(body),
            b"data" => data = Some(body),
            _ => {}
        }
        position = start + size + (size & 1);
    }
    let fmt = fmt.ok_or("no 'fmt ' chunk")?;
    let data = data.ok_or("no 'data' chunk")?;
    if fmt.len() < 16 {
        return Err(format!("'fmt ' chunk too short ({} bytes)", fmt.len()));
    }
    let mut format = u16_at(fmt, 0);
    if format == FORMAT_EXTENSIBLE {
        if fmt.len() < 26 {
            return Err("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk too short".into());
        }
        format = u16_at(fmt, 24); // first two bytes of the sub-format GUID
    }
    let wav = RiffWav {
        format,
        channels: u16_at(fmt, 2),
        rate: u32_at(fmt, 4),
        block_align: u16_at(fmt, 12),
        bits: u16_at(fmt, 14),
        data,
    };
    if wav.channels == 0 {
        return Err("the header says 0 channels".into());
    }
    if !RATES.contains(&wav.rate) {
        return Err(format!(
            "sample rate {} Hz is outside {}..={} Hz",
            wav.rate,
            RATES.start(),
            RATES.end()
        ));
    }
    Ok(wav)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// µ-law / A-law: one byte per sample per channel.
fn decode_g711(wav: &RiffWav<'_>, codec: G711) -> Result<Vec<f32>, String> {
    let channels = usize::from(wav.channels);
    if wav.bits != 8 || usize::from(wav.block_align) != channels {
        return Err(format!(
            "{} WAV must have 8 bits per sample and block align = channels (has {} bits, align {})",
            codec.encoding_name(),
            wav.bits,
            wav.block_align
        ));
    }
    Ok(wav
        .data
        .chunks_exact(channels)
        .map(|frame| {
            let sum: f32 = frame.iter().map(|&b| f32::from(codec.decode(b))).sum();
            sum / 32768.0 / channels as f32
        })
        .collect())
}

/// PCM integer (any width hound reads) and 32-bit float.
fn decode_with_hound(bytes: &[u8], channels: u16) -> Result<Vec<f32>, String> {
    let reader = hound::WavReader::new(Cursor::new(bytes)).map_err(|e| format!("WAV: {e}"))?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .into_samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("WAV data: {e}"))?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|s| s as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("WAV data: {e}"))?
        }
    };
    let channels = usize::from(channels);
    Ok(interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect())
}

/// Converts `input` at `rate` to 8 kHz, compensating the resampler's delay so the output
/// lines up with the input and lasts as long.
fn resample(input: Vec<f32>, rate: u32) -> Result<Vec<f32>, String> {
    if rate == SAMPLE_RATE {
        return Ok(input);
    }
    let error = |e: &dyn std::fmt::Display| format!("resampling {rate} Hz to 8 kHz: {e}");
    let mut resampler = FftFixedIn::<f32>::new(rate as usize, SAMPLE_RATE as usize, 1024, 2, 1)
        .map_err(|e| error(&e))?;
    let wanted = ((input.len() as u64 * u64::from(SAMPLE_RATE) + u64::from(rate / 2))
        / u64::from(rate)) as usize;
    let delay = resampler.output_delay();
    let mut output = Vec::with_capacity(wanted + delay + resampler.output_frames_max());
    let mut buffer = resampler.output_buffer_allocate(true);
    let mut position = 0;
    while output.len() < wanted + delay {
        let needed = resampler.input_frames_next();
        let (consumed, produced) = match input.get(position..position + needed) {
            Some(chunk) => resampler.process_into_buffer(&[chunk], &mut buffer, None),
            // Past the end: zero padding (rubato wants `None`, not an empty slice).
            None => match input.get(position..).filter(|rest| !rest.is_empty()) {
                Some(rest) => {
                    resampler.process_partial_into_buffer(Some(&[rest]), &mut buffer, None)
                }
                None => resampler.process_partial_into_buffer(None::<&[&[f32]]>, &mut buffer, None),
            },
        }
        .map_err(|e| error(&e))?;
        if produced == 0 {
            return Err(error(&"the resampler produced no output"));
        }
        position += consumed;
        output.extend_from_slice(&buffer[0][..produced]);
    }
    output.drain(..delay);
    output.truncate(wanted);
    Ok(output)
}

fn to_i16(sample: f32) -> i16 {
    (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}
