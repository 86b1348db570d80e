//! The dry-run result on stdout: the merged videos (fetch) or the refreshed ones (refresh) as one
//! JSON array or as NDJSON. Nothing else is ever written to stdout.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::Format;

/// Writes the videos; a closed pipe (`| head`) is not an error.
pub fn write<T: Serialize>(out: &mut dyn Write, format: Format, videos: &[T]) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let result = (|| {
        match format {
            Format::Json => {
                serde_json::to_writer(&mut out, videos)?;
                out.write_all(b"\n")?;
            }
            Format::Ndjson => {
                for video in videos {
                    serde_json::to_writer(&mut out, video)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        out.flush()
    })();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
