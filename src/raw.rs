//! The raw-response archive: every API page as received, gzip-compressed, one file per page,
//! plus a small manifest per run. `fetch --save-raw DIR` writes it; `fetch --from-raw DIR`
//! reads it back, so history can be re-processed after a normalization change or a capture
//! loaded from another machine.
//!
//! Layout: `DIR/run-YYYYMMDDTHHMMSSZ/REGION/CATEGORY/page-N.json.gz` and
//! `DIR/run-.../manifest.json`. Every file is written to a temporary name and renamed, so a
//! reader never sees half a file.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::model::{ChartKey, ChartOutcome, ChartStatus};

/// The manifest's file name in a run folder.
pub const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;

/// What a run folder holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Layout version.
    pub format: u32,
    /// The trendtap that wrote it.
    pub trendtap_version: String,
    /// When the run started: a replay uses it as the time the videos were seen.
    pub started_at: DateTime<Utc>,
    /// When the fetch ended.
    pub finished_at: DateTime<Utc>,
    /// Every chart of the run.
    pub charts: Vec<ManifestChart>,
}

/// One chart in a manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestChart {
    /// Region code.
    pub region: String,
    /// Category id.
    pub category_id: String,
    /// How it ended.
    pub status: ChartStatus,
    /// Pages saved (`page-1` .. `page-N`).
    pub pages: u32,
    /// When its last page arrived.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fetched_at: Option<DateTime<Utc>>,
    /// The error of a failed or incomplete chart.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// A run folder being written.
#[derive(Debug)]
pub struct Archive {
    dir: PathBuf,
    /// The charts a page of which could not be saved, with why.
    unsaved: Mutex<HashMap<ChartKey, String>>,
}

/// Checks that `root` can hold an archive (created if missing, a file written and removed in
/// it), so that `--save-raw` fails before the first request rather than at the first page.
pub fn check_writable(root: &Path) -> Result<(), ArchiveError> {
    let not_writable = |source| ArchiveError::NotWritable {
        path: root.display().to_string(),
        source,
    };
    std::fs::create_dir_all(root).map_err(not_writable)?;
    let probe = root.join(format!(".trendtap-write-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| f.write_all(b"ok"));
    let _ = std::fs::remove_file(&probe);
    written.map_err(not_writable)
}

impl Archive {
    /// Creates `root/run-<started_at>` (with a suffix if that exists already).
    pub fn create(root: &Path, started_at: DateTime<Utc>) -> std::io::Result<Self> {
        let base = format!("run-{}", started_at.format("%Y%m%dT%H%M%SZ"));
        std::fs::create_dir_all(root)?;
        for n in 1.. {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let dir = root.join(name);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    return Ok(Archive {
                        dir,
                        unsaved: Mutex::default(),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("some suffix is free")
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Saves one page (1-based) of a chart as received. A page that cannot be written (a full
    /// disk) is reported with its path, the first time at error level, and its chart is
    /// recorded as failed in the manifest; the run goes on (its data still reaches the store).
    pub fn save_page(&self, key: &ChartKey, page: u32, body: &[u8]) -> std::io::Result<()> {
        let dir = self.dir.join(key.region).join(&key.category_id);
        let path = dir.join(format!("page-{page}.json.gz"));
        let saved = std::fs::create_dir_all(&dir).and_then(|()| {
            let mut gz = GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::default(),
            );
            gz.write_all(body)?;
            write_atomically(&path, &gz.finish()?)
        });
        saved.map_err(|e| {
            let why = format!("cannot write {}: {e}", path.display());
            let mut unsaved = self.unsaved.lock().unwrap_or_else(|p| p.into_inner());
            if unsaved.is_empty() {
                tracing::error!(chart = %key, "{why}: the raw archive will lack this chart (and any other that fails so); the run goes on and its data is still stored");
            }
            unsaved.entry(key.clone()).or_insert_with(|| why.clone());
            std::io::Error::new(e.kind(), why)
        })
    }

    /// Writes the manifest of the run from the charts' outcomes.
    pub fn write_manifest(
        &self,
        started_at: DateTime<Utc>,
        outcomes: &[ChartOutcome],
        fetched_at: impl Fn(&ChartOutcome) -> Option<DateTime<Utc>>,
    ) -> std::io::Result<()> {
        let unsaved = self.unsaved.lock().unwrap_or_else(|p| p.into_inner());
        if !unsaved.is_empty() {
            tracing::error!(dir = %self.dir.display(), charts = unsaved.len(),
                "the raw archive is incomplete: the charts whose pages could not be written are recorded as failed in its manifest");
        }
        let manifest = Manifest {
            format: FORMAT,
            trendtap_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            finished_at: Utc::now(),
            charts: outcomes
                .iter()
                .map(|o| {
                    let key = ChartKey {
                        region: o.region,
                        category_id: o.category_id.clone(),
                    };
                    let lost = unsaved.get(&key);
                    ManifestChart {
                        region: o.region.to_owned(),
                        category_id: o.category_id.clone(),
                        status: lost.map_or(o.status, |_| ChartStatus::Failed),
                        pages: o.pages,
                        fetched_at: fetched_at(o),
                        error: lost.cloned().or_else(|| o.error.clone()),
                    }
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        write_atomically(&self.dir.join(MANIFEST), &json)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    // A half-written temporary file (a full disk) is not left behind.
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// A problem reading an archive; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Neither a run folder nor an archive root holding one.
    #[error(
        "{0} is not a trendtap raw archive: no manifest.json in it nor in a run-* folder below it"
    )]
    NoRun(String),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file or folder could not be written.
    #[error("cannot write the raw archive at {path}: {source}")]
    Write {
        /// The file or folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The `--save-raw` folder cannot be written (checked before the first request).
    #[error("--save-raw {path} is not writable: {source}")]
    NotWritable {
        /// The folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The manifest is not valid.
    #[error("invalid manifest {path}: {message}")]
    Manifest {
        /// The file.
        path: String,
        /// serde's message.
        message: String,
    },
}

/// The run folder to replay: `dir` itself when it holds a manifest, else its latest `run-*`
/// folder that does.
pub fn resolve_run(dir: &Path) -> Result<PathBuf, ArchiveError> {
    if dir.join(MANIFEST).is_file() {
        return Ok(dir.to_path_buf());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| ArchiveError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let mut runs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("run-"))
                && p.join(MANIFEST).is_file()
        })
        .collect();
    // Names are timestamps, so the greatest is the latest.
    runs.sort();
    runs.pop()
        .ok_or_else(|| ArchiveError::NoRun(dir.display().to_string()))
}

/// Reads a run folder's manifest.
pub fn read_manifest(run: &Path) -> Result<Manifest, ArchiveError> {
    let path = run.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|source| ArchiveError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ArchiveError::Manifest {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The path of a saved page.
pub fn page_path(run: &Path, region: &str, category_id: &str, page: u32) -> PathBuf {
    run.join(region)
        .join(category_id)
        .join(format!("page-{page}.json.gz"))
}

/// Reads one saved page back, decompressed.
pub fn read_page(path: &Path) -> Result<Vec<u8>, ArchiveError> {
    let read_error = |source| ArchiveError::Read {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut body = Vec::new();
    GzDecoder::new(file)
        .read_to_end(&mut body)
        .map_err(read_error)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_manifest_round_trip() {
        let root = std::env::temp_dir().join(format!("trendtap-raw-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let t: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
        let a = Archive::create(&root, t).unwrap();
        let b = Archive::create(&root, t).unwrap();
        assert!(a.dir().ends_with("run-20261122T060000Z"));
        assert!(
            b.dir().ends_with("run-20261122T060000Z-2"),
            "same second: a new folder"
        );

        let key = ChartKey {
            region: "AE",
            category_id: "0".into(),
        };
        a.save_page(&key, 1, br#"{"items":[]}"#).unwrap();
        let outcome = ChartOutcome {
            region: "AE",
            category_id: "0".into(),
            status: ChartStatus::Ok,
            pages: 1,
            videos: 0,
            skipped_items: 0,
            requests: 1,
            error: None,
        };
        a.write_manifest(t, &[outcome], |_| Some(t)).unwrap();
        // `b` has no manifest, so the latest complete run is `a`.
        assert_eq!(resolve_run(&root).unwrap(), a.dir());
        let m = read_manifest(a.dir()).unwrap();
        assert_eq!((m.started_at, m.charts.len(), m.charts[0].pages), (t, 1, 1));
        let body = read_page(&page_path(a.dir(), "AE", "0", 1)).unwrap();
        assert_eq!(body, br#"{"items":[]}"#);
        assert!(matches!(resolve_run(b.dir()), Err(ArchiveError::NoRun(_))));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
