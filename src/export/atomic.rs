//! Files that appear whole or not at all: written under a temporary name in the same
//! directory (`.NAME.PID.tmp`, hidden from readers that glob `*.csv` or `*.parquet`), flushed
//! and synced, then renamed to their final name. A writer dropped before
//! [`AtomicFile::commit`] (an error, a panic) removes its temporary file, so a failed export
//! leaves nothing under the final name (an older file of that name stays as it was).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Bytes buffered before a write reaches the file.
const BUFFER: usize = 256 * 1024;

/// A file being written atomically.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    out: BufWriter<File>,
    committed: bool,
}

impl AtomicFile {
    /// Starts `path` (creating its directory): writes go to a temporary file beside it.
    pub fn create(path: &Path) -> io::Result<Self> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
        }
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let temp = path.with_file_name(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&temp)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp,
            out: BufWriter::with_capacity(BUFFER, file),
            committed: false,
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where to write.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.out
    }

    /// Flushes, syncs and renames the file to its final name.
    pub fn commit(mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.temp, &self.path)?;
        self.committed = true;
        // The rename is durable once the directory is synced (best effort: not every
        // platform can open a directory).
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

/// Writes go to the temporary file (what [`AtomicFile::writer`] gives, by value: the file can
/// be handed to a thread that writes it and handed back to be committed).
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("trendtap-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_committed_file_appears_whole_and_a_dropped_one_not_at_all() {
        let dir = dir("commit");
        let path = dir.join("sub/a.csv");
        let mut file = AtomicFile::create(&path).unwrap();
        file.writer().write_all(b"x,y\n").unwrap();
        assert!(!path.exists(), "not visible before the commit");
        file.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x,y\n");

        let mut file = AtomicFile::create(&path).unwrap();
        file.writer().write_all(b"half").unwrap();
        drop(file);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"x,y\n",
            "the old file stays"
        );
        let names: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
