//! Prompts: WAV files decoded once at load into shared 20 ms G.711 frames, and the
//! playout cursor a call uses to play a playlist of them.
//!
//! Owns: reading the prompt directory ([`PromptStore::load_dir`]), WAV decoding and
//! resampling ([`wav`]), µ-law and A-law frames per prompt ([`Prompt`]), and the
//! per-call playout position ([`Playout`]). Must not touch: RTP, sockets, the menu (which
//! only names prompts), the clock: the call task asks for one frame per 20 ms tick.
//!
//! Also the operators' view of the folder: the prompt lists' texts ([`texts`]) and the
//! catalogue ([`catalogue`]), which reads the menu's graph to say where each prompt is
//! played (the one place this module looks at the menu).
//!
//! Each prompt is decoded once and encoded to both laws, so playing it is indexing into an
//! `Arc<[Frame]>`: no decoding, allocation or lock per packet.

pub mod catalogue;
mod playout;
pub mod texts;
mod wav;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::media::{FRAME_DURATION, FRAME_SAMPLES, G711};

pub use playout::{silence, Playout};
pub use wav::{decode_wav, to_telephone_wav, wav_format, WavFormat};

/// One 20 ms G.711 frame.
pub type Frame = [u8; FRAME_SAMPLES];

/// Files larger than this are refused rather than read (an hour of 8 kHz mono is 58 MB).
const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// Directory nesting followed at most (guards against symlink loops).
const MAX_DEPTH: usize = 16;

/// A prompt ready to play in either law.
pub struct Prompt {
    /// Store name, e.g. `zh/02`.
    pub name: String,
    pub ulaw: Arc<[Frame]>,
    pub alaw: Arc<[Frame]>,
    /// Playing time: the number of frames × 20 ms (the last frame is padded with silence).
    pub duration: Duration,
}

impl Prompt {
    /// Builds a prompt from 8 kHz mono PCM, padding the last frame with silence.
    pub fn from_pcm(name: impl Into<String>, pcm: &[i16]) -> Prompt {
        let encode = |codec: G711| -> Arc<[Frame]> {
            pcm.chunks(FRAME_SAMPLES)
                .map(|chunk| {
                    let mut padded = [0i16; FRAME_SAMPLES];
                    padded[..chunk.len()].copy_from_slice(chunk);
                    let mut frame = [0u8; FRAME_SAMPLES];
                    codec.encode_into(&padded, &mut frame);
                    frame
                })
                .collect()
        };
        let ulaw = encode(G711::Ulaw);
        let frames = u32::try_from(ulaw.len()).unwrap_or(u32::MAX);
        Prompt {
            name: name.into(),
            alaw: encode(G711::Alaw),
            ulaw,
            duration: FRAME_DURATION * frames,
        }
    }

    /// The frames in `codec`'s law.
    pub fn frames(&self, codec: G711) -> &Arc<[Frame]> {
        match codec {
            G711::Ulaw => &self.ulaw,
            G711::Alaw => &self.alaw,
        }
    }
}

impl fmt::Debug for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prompt")
            .field("name", &self.name)
            .field("frames", &self.ulaw.len())
            .field("duration", &self.duration)
            .finish()
    }
}

/// A prompt file that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for PromptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for PromptError {}

/// All prompts by name. Cloning is cheap (one `Arc`).
#[derive(Clone, Debug, Default)]
pub struct PromptStore {
    prompts: Arc<BTreeMap<String, Arc<Prompt>>>,
}

impl PromptStore {
    /// Loads every *.wav under `dir` recursively; name = relative path without ".wav",
    /// '/'-separated: "zh/02", "zh/digit-7", "music/hold". Errors list every bad file.
    pub fn load_dir(dir: &Path) -> Result<PromptStore, Vec<PromptError>> {
        let (files, mut errors) = read_folder(dir);
        match PromptStore::from_folder(&files) {
            Ok(store) if errors.is_empty() => Ok(store),
            Ok(_) => Err(errors),
            Err(decode_errors) => {
                errors.extend(decode_errors);
                Err(errors)
            }
        }
    }

    /// Decodes the WAV files of a folder read by [`read_folder`] (other files are
    /// skipped). Errors list every file that can't be decoded.
    pub fn from_folder(files: &[FolderFile]) -> Result<PromptStore, Vec<PromptError>> {
        let mut prompts = BTreeMap::new();
        let mut errors = Vec::new();
        for file in files {
            let Some(name) = file.prompt_name() else {
                continue;
            };
            if prompts.contains_key(name) {
                let message = format!("another file already provides prompt {name}");
                errors.push(PromptError {
                    path: file.path.clone(),
                    message,
                });
                continue;
            }
            match decode_wav(&file.bytes) {
                Ok(pcm) => {
                    let prompt = Arc::new(Prompt::from_pcm(name, &pcm));
                    prompts.insert(name.to_string(), prompt);
                }
                Err(message) => errors.push(PromptError {
                    path: file.path.clone(),
                    message,
                }),
            }
        }
        match errors.is_empty() {
            true => Ok(PromptStore {
                prompts: Arc::new(prompts),
            }),
            false => Err(errors),
        }
    }

    /// A store holding exactly `prompts` (tests, tools).
    pub fn from_prompts(prompts: impl IntoIterator<Item = Prompt>) -> PromptStore {
        let prompts = prompts
            .into_iter()
            .map(|p| (p.name.clone(), Arc::new(p)))
            .collect();
        PromptStore {
            prompts: Arc::new(prompts),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Prompt>> {
        self.prompts.get(name)
    }

    /// Prompt names in sorted order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.prompts.keys().map(String::as_str)
    }
}

/// A file of the prompt folder as read: a recording (`*.wav`) or a prompt list (`*.tsv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderFile {
    /// Its path relative to the folder, '/'-separated, with its extension
    /// (`zh/02.wav`, `zh/prompts.tsv`).
    pub relative: String,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl FolderFile {
    /// The prompt a WAV file provides (`zh/02`); `None` for other files.
    pub fn prompt_name(&self) -> Option<&str> {
        wav_stem(&self.relative)
    }
}

/// Reads every `*.wav` and `*.tsv` below `dir` (sorted by relative path), with the files
/// that could not be read.
pub fn read_folder(dir: &Path) -> (Vec<FolderFile>, Vec<PromptError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    find_files(dir, Vec::new(), &mut found, &mut errors);
    found.sort();
    let mut files = Vec::with_capacity(found.len());
    for (relative, path) in found {
        match read_file(&path) {
            Ok(bytes) => files.push(FolderFile {
                relative,
                path,
                bytes,
            }),
            Err(message) => errors.push(PromptError { path, message }),
        }
    }
    (files, errors)
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is {size} bytes, more than the {MAX_FILE_BYTES} allowed"
        ));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

/// Collects `(relative path, path)` of every `*.wav` and `*.tsv` below `dir`; `prefix`
/// holds the components of `dir` relative to the folder.
fn find_files(
    dir: &Path,
    prefix: Vec<String>,
    files: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<PromptError>,
) {
    let error = |path: &Path, message: String| PromptError {
        path: path.to_path_buf(),
        message,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return errors.push(error(dir, format!("cannot read directory: {e}"))),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(error(dir, format!("cannot read directory: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
            errors.push(error(&path, "file name is not UTF-8".into()));
            continue;
        };
        // Follows symlinks; MAX_DEPTH stops loops.
        let Ok(metadata) = std::fs::metadata(&path) else {
            errors.push(error(
                &path,
                "cannot read file metadata (broken link?)".into(),
            ));
            continue;
        };
        let mut name = prefix.clone();
        if metadata.is_dir() {
            if prefix.len() >= MAX_DEPTH {
                errors.push(error(
                    &path,
                    format!("nested deeper than {MAX_DEPTH} levels"),
                ));
                continue;
            }
            name.push(file_name);
            find_files(&path, name, files, errors);
        } else if wav_stem(&file_name).is_some() || has_extension(&file_name, ".tsv") {
            name.push(file_name);
            files.push((name.join("/"), path));
        }
    }
}

/// `"02.wav"` → `"02"`, `"zh/02.wav"` → `"zh/02"`; the extension is matched
/// case-insensitively.
fn wav_stem(file_name: &str) -> Option<&str> {
    let dot = file_name.len().checked_sub(4)?;
    let (stem, _) = file_name.split_at_checked(dot)?;
    (has_extension(file_name, ".wav") && !stem.is_empty() && !stem.ends_with('/')).then_some(stem)
}

fn has_extension(file_name: &str, extension: &str) -> bool {
    let Some(dot) = file_name.len().checked_sub(extension.len()) else {
        return false;
    };
    file_name
        .split_at_checked(dot)
        .is_some_and(|(_, end)| end.eq_ignore_ascii_case(extension))
}

#[cfg(test)]
mod tests;
