//! The image folder on disk: where each video's file goes (`<first two characters of the
//! id>/<video_id>.jpg`, so that no directory holds more than a few thousand files), the
//! temporary files downloads are written to, and the checks a run makes before its first
//! download.
//!
//! A temporary file is named `.trendtap-<pid>-<n>.part` in the folder itself (the same file
//! system, so the final rename is atomic). It is removed when its [`TempFile`] is dropped
//! without being committed: a failed check, an error, or a download dropped by a signal.
//! Only a process killed outright (SIGKILL, power loss) can leave one; the next run removes
//! those older than an hour.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncWriteExt, BufWriter};

/// The prefix and suffix of temporary files.
pub const TEMP_PREFIX: &str = ".trendtap-";
/// See [`TEMP_PREFIX`].
pub const TEMP_SUFFIX: &str = ".part";
/// Temporary files older than this are a dead process's: removed at the start of a run.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A video's file, relative to the folder: `<first two characters of the id>/<video_id>.jpg`.
/// `None` for an id that is not a YouTube id's shape (letters, digits, `-`, `_`): such an id
/// must not become a path.
pub fn relative_path(video_id: &str) -> Option<String> {
    let safe = (2..=64).contains(&video_id.len())
        && video_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    safe.then(|| format!("{}/{video_id}.jpg", &video_id[..2]))
}

/// Creates the folder if needed and proves it writable by creating and removing a file in it.
pub fn check_writable(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(
        "{TEMP_PREFIX}{}-probe{TEMP_SUFFIX}",
        std::process::id()
    ));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// Removes the temporary files a killed run left in `dir`; returns how many.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && stale
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// The size and hex SHA-256 of a file (one found in place without a record).
pub async fn hash_file(path: PathBuf) -> io::Result<(u64, String)> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        let bytes = io::copy(&mut file, &mut hasher)?;
        Ok((bytes, hex(&hasher.finalize())))
    })
    .await
    .map_err(io::Error::other)?
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A download's temporary file: written as the body arrives, renamed into place by
/// [`TempFile::commit`], removed when dropped uncommitted.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: BufWriter<tokio::fs::File>,
    committed: bool,
}

impl TempFile {
    /// Creates a new temporary file in `dir`. The file is created synchronously, so that it
    /// exists (and will be removed by the drop) from the moment this returns: a future dropped
    /// halfway through an asynchronous create could leave a file no one removes.
    pub fn create(dir: &Path) -> io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(
            "{TEMP_PREFIX}{}-{n}{TEMP_SUFFIX}",
            std::process::id()
        ));
        let file = std::fs::File::create_new(&path)?;
        Ok(TempFile {
            path,
            file: BufWriter::with_capacity(64 * 1024, tokio::fs::File::from_std(file)),
            committed: false,
        })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a chunk of the body.
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await
    }

    /// Flushes and syncs the file, then renames it to `dest` (creating its directory), which
    /// it replaces atomically: `dest` is the whole old file or the whole new one, never a part.
    pub async fn commit(mut self, dest: &Path) -> io::Result<()> {
        self.file.flush().await?;
        self.file.get_mut().sync_data().await?;
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&self.path, dest).await?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            // Synchronous on purpose: a drop during shutdown must not leave the file behind.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_sharded_by_the_first_two_characters() {
        assert_eq!(relative_path("KCDg03P0oN4").unwrap(), "KC/KCDg03P0oN4.jpg");
        assert_eq!(relative_path("-_x").unwrap(), "-_/-_x.jpg");
    }

    #[test]
    fn ids_that_could_escape_the_folder_get_no_path() {
        for id in ["../etc/passwd", "a/b", "", "x", "ab c", "ab\0", "é€ab"] {
            assert_eq!(relative_path(id), None, "{id:?}");
        }
    }

    #[tokio::test]
    async fn a_temporary_file_is_removed_unless_committed() {
        let dir = std::env::temp_dir().join(format!("trendtap-temp-{}", std::process::id()));
        check_writable(&dir).unwrap();
        let mut dropped = TempFile::create(&dir).unwrap();
        dropped.write(b"half").await.unwrap();
        let path = dropped.path().to_path_buf();
        assert!(path.exists());
        drop(dropped);
        assert!(!path.exists());

        let mut kept = TempFile::create(&dir).unwrap();
        kept.write(b"whole").await.unwrap();
        let dest = dir.join("ab/abc.jpg");
        kept.commit(&dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        let (bytes, sha) = hash_file(dest).await.unwrap();
        assert_eq!(bytes, 5);
        assert_eq!(sha, hex(&Sha256::digest(b"whole")));
        assert_eq!(remove_stale_temps(&dir), 0, "nothing stale");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
