//! Synthesized prompts for IVR platforms without Vietnamese text-to-speech: `espeak-ng` (a
//! Vietnamese voice) renders the prompt, tracuu resamples it to telephony audio (8 kHz, mono,
//! 16-bit PCM WAV) and caches the file on disk, keyed by a hash of the voice and the text.
//! Only texts tracuu itself put in a document can be synthesized: a URL names a key, never a
//! text, so nobody can make the server speak (or burn CPU on) arbitrary words.

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{bail, Context};
use dashmap::DashMap;
use sha2::{Digest, Sha256};

/// Telephony sample rate.
pub const SAMPLE_RATE: u32 = 8000;

/// Most prompt texts remembered (status reports differ per dossier); past it the oldest half of
/// the work is simply forgotten and those URLs answer 404 until a document names them again.
const MAX_TEXTS: usize = 20_000;

/// Known prompt texts and the cache directory.
pub struct AudioStore {
    dir: PathBuf,
    voice: String,
    texts: DashMap<String, String>,
    /// Serializes synthesis of one key at a time per process (cheap: ~15 ms per prompt).
    lock: tokio::sync::Mutex<()>,
}

impl AudioStore {
    /// A store caching under `dir`, speaking with `voice`.
    pub fn new(dir: PathBuf, voice: String) -> Self {
        Self {
            dir,
            voice,
            texts: DashMap::new(),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The key of `text` (registered so that its audio can be fetched).
    pub fn register(&self, text: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(self.voice.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        let key = hex::encode(&hash.finalize()[..16]);
        if self.texts.len() >= MAX_TEXTS {
            self.texts.clear();
        }
        self.texts
            .entry(key.clone())
            .or_insert_with(|| text.to_owned());
        key
    }

    /// The WAV bytes of a registered key (from the cache, or synthesized now); `None` for a key
    /// that was never registered.
    pub async fn wav(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let path = self.dir.join(format!("{key}.wav"));
        if let Ok(bytes) = tokio::fs::read(&path).await {
            return Ok(Some(bytes));
        }
        let Some(text) = self.texts.get(key).map(|t| t.clone()) else {
            return Ok(None);
        };
        let _guard = self.lock.lock().await;
        if let Ok(bytes) = tokio::fs::read(&path).await {
            return Ok(Some(bytes));
        }
        let wav = synthesize(&self.voice, &text).await?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let partial = self.dir.join(format!("{key}.wav.part"));
        tokio::fs::write(&partial, &wav).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(Some(wav))
    }
}

/// Whether `espeak-ng` can be run.
pub fn espeak_available() -> bool {
    std::process::Command::new("espeak-ng")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Speaks `text` with espeak-ng and returns 8 kHz mono 16-bit WAV bytes.
pub async fn synthesize(voice: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("tracuu-espeak-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;
    let out = dir.join(format!("{}.wav", crate::staff::tokens::random_token()));
    // The text goes on standard input, never on the command line (no option injection).
    let mut child = tokio::process::Command::new("espeak-ng")
        .arg("-v")
        .arg(voice)
        .arg("-w")
        .arg(&out)
        .arg("--stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("running espeak-ng (install the espeak-ng package)")?;
    if let Some(mut stdin) = child.stdin.take() {
        use tokio::io::AsyncWriteExt;
        stdin.write_all(text.as_bytes()).await?;
        stdin.shutdown().await?;
    }
    let output = child.wait_with_output().await?;
    let produced = tokio::fs::read(&out).await;
    let _ = tokio::fs::remove_file(&out).await;
    if !output.status.success() {
        bail!(
            "espeak-ng failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let (rate, samples) = read_wav(&produced.context("espeak-ng wrote no file")?)?;
    Ok(write_wav(
        SAMPLE_RATE,
        &resample(&samples, rate, SAMPLE_RATE),
    ))
}

/// Reads a 16-bit PCM WAV (mono, or the first channel): sample rate and samples.
pub fn read_wav(bytes: &[u8]) -> anyhow::Result<(u32, Vec<i16>)> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        bail!("not a WAV file");
    }
    let mut pos = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let declared = u32::from_le_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]) as usize;
        let body = pos + 8;
        // Streams written to a pipe declare a huge size: take what is there.
        let end = body.saturating_add(declared).min(bytes.len());
        match id {
            b"fmt " if end - body >= 16 => {
                let b = &bytes[body..end];
                format = Some((
                    u16::from_le_bytes([b[0], b[1]]),
                    u16::from_le_bytes([b[2], b[3]]),
                    u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                    u16::from_le_bytes([b[14], b[15]]),
                ));
            }
            b"data" => {
                let Some((1, channels, rate, 16)) = format else {
                    bail!("only 16-bit PCM WAV is supported");
                };
                let step = 2 * usize::from(channels.max(1));
                let samples = bytes[body..end]
                    .chunks_exact(step)
                    .map(|c| i16::from_le_bytes([c[0], c[1]]))
                    .collect();
                return Ok((rate, samples));
            }
            _ => {}
        }
        pos = body + declared + (declared & 1);
    }
    bail!("WAV file without data")
}

/// Resamples with a windowed-sinc low-pass (cut below the new Nyquist frequency) and linear
/// interpolation; plenty for speech on a telephone line.
pub fn resample(samples: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to || samples.is_empty() || from == 0 || to == 0 {
        return samples.to_vec();
    }
    let filtered: Vec<f32> = if to < from {
        let cutoff = 0.45 * f64::from(to) / f64::from(from);
        let half = 16i64;
        let taps: Vec<f64> = (-half..=half)
            .map(|n| {
                let x = n as f64;
                let sinc = if n == 0 {
                    2.0 * cutoff
                } else {
                    (2.0 * std::f64::consts::PI * cutoff * x).sin() / (std::f64::consts::PI * x)
                };
                let window = 0.54 + 0.46 * (std::f64::consts::PI * x / (half as f64 + 1.0)).cos();
                sinc * window
            })
            .collect();
        let len = samples.len() as i64;
        (0..len)
            .map(|i| {
                let mut acc = 0.0;
                for (k, tap) in taps.iter().enumerate() {
                    let j = i + k as i64 - half;
                    if (0..len).contains(&j) {
                        acc += tap * f64::from(samples[j as usize]);
                    }
                }
                acc as f32
            })
            .collect()
    } else {
        samples.iter().map(|&s| f32::from(s)).collect()
    };
    let out_len = (samples.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    let ratio = f64::from(from) / f64::from(to);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * ratio;
            let j = pos.floor() as usize;
            let frac = (pos - j as f64) as f32;
            let a = filtered[j.min(filtered.len() - 1)];
            let b = filtered[(j + 1).min(filtered.len() - 1)];
            (a + (b - a) * frac).round().clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

/// A mono 16-bit PCM WAV file.
pub fn write_wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_wav_reads_back() {
        let samples: Vec<i16> = (0..800).map(|i| ((i % 50) * 100) as i16).collect();
        let wav = write_wav(8000, &samples);
        assert_eq!(wav.len(), 44 + 1600);
        let (rate, back) = read_wav(&wav).expect("valid wav");
        assert_eq!(rate, 8000);
        assert_eq!(back, samples);
    }

    #[test]
    fn resampling_keeps_duration_and_a_low_tone() {
        // One second of a 440 Hz tone at 22 050 Hz becomes one second at 8 kHz with the same
        // number of zero crossings (880), give or take the edges.
        let input: Vec<i16> = (0..22_050)
            .map(|i| {
                let t = f64::from(i) / 22_050.0;
                ((2.0 * std::f64::consts::PI * 440.0 * t).sin() * 10_000.0) as i16
            })
            .collect();
        let out = resample(&input, 22_050, 8000);
        assert_eq!(out.len(), 8000);
        let crossings = out
            .windows(2)
            .filter(|w| (w[0] >= 0) != (w[1] >= 0))
            .count();
        assert!((870..=890).contains(&crossings), "{crossings}");
        let peak = out.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!(peak > 8000, "the tone keeps its level: {peak}");
    }

    #[test]
    fn a_high_tone_above_the_telephone_band_is_filtered_out() {
        let input: Vec<i16> = (0..22_050)
            .map(|i| {
                let t = f64::from(i) / 22_050.0;
                ((2.0 * std::f64::consts::PI * 7000.0 * t).sin() * 10_000.0) as i16
            })
            .collect();
        let out = resample(&input, 22_050, 8000);
        let peak = out[100..7900]
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap_or(0);
        assert!(
            peak < 2500,
            "a 7 kHz tone must not alias into the band: {peak}"
        );
    }

    #[test]
    fn unknown_or_malformed_keys_have_no_audio() {
        let store = AudioStore::new(std::env::temp_dir().join("tracuu-audio-unit"), "vi".into());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        assert!(rt
            .block_on(store.wav("../../etc/passwd"))
            .expect("ok")
            .is_none());
        assert!(rt
            .block_on(store.wav("0123456789abcdef0123456789abcdef"))
            .expect("ok")
            .is_none());
    }
}
