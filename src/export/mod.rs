//! `trendtap export`'s formats: rows in, bytes out. Each format is one file here and knows no
//! SQL; `commands/export.rs` plans the files, reads the store and hands each row to a
//! [`RowWriter`].
//!
//! - [`kaggle`], [`kaggle2017`]: the two Kaggle trending datasets' CSV layouts, one file per
//!   region (one row per region, video and UTC day), with [`categories`]' `XX_category_id.json`;
//! - [`ndjson`], [`parquet`]: the full-fidelity record of [`record`], one per chart entry;
//! - [`atomic`]: files that appear whole or not at all.

pub mod atomic;
pub mod categories;
pub mod kaggle;
pub mod kaggle2017;
pub mod ndjson;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod record;

use std::io::{self, Write};

use crate::model::Observation;
use categories::Titles;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The 2020-and-later Kaggle dataset's CSV.
    Kaggle,
    /// The 2017-18 Kaggle dataset's CSV.
    Kaggle2017,
    /// One JSON object per chart entry.
    Ndjson,
    /// Parquet, partitioned by month.
    #[cfg(feature = "parquet")]
    Parquet,
}

impl Layout {
    /// Whether rows are one per region, video and day (the Kaggle layouts), not one per entry.
    pub fn daily(self) -> bool {
        matches!(self, Layout::Kaggle | Layout::Kaggle2017)
    }
}

/// Bytes of formatted rows gathered before they are written out.
const CHUNK: usize = 64 * 1024;

/// Rows of one file on their way to `out`.
pub struct RowWriter<'t, W: Write + Send> {
    inner: Inner<W>,
    titles: &'t Titles,
    rows: u64,
}

enum Inner<W: Write + Send> {
    Text {
        layout: Layout,
        out: W,
        buf: Vec<u8>,
    },
    #[cfg(feature = "parquet")]
    Parquet(parquet::ParquetWriter<W>),
}

impl<'t, W: Write + Send> RowWriter<'t, W> {
    /// Starts a file of `layout` on `out` (the CSV header is written now).
    pub fn new(layout: Layout, out: W, titles: &'t Titles) -> io::Result<Self> {
        let inner = match layout {
            #[cfg(feature = "parquet")]
            Layout::Parquet => {
                Inner::Parquet(parquet::ParquetWriter::new(out).map_err(io::Error::other)?)
            }
            _ => {
                let mut buf = Vec::with_capacity(CHUNK + 16 * 1024);
                buf.extend_from_slice(match layout {
                    Layout::Kaggle => kaggle::HEADER.as_bytes(),
                    Layout::Kaggle2017 => kaggle2017::HEADER.as_bytes(),
                    _ => b"",
                });
                Inner::Text { layout, out, buf }
            }
        };
        Ok(RowWriter {
            inner,
            titles,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds the row of `o`.
    pub fn write(&mut self, o: &Observation) -> io::Result<()> {
        self.rows += 1;
        match &mut self.inner {
            Inner::Text { layout, out, buf } => {
                match layout {
                    Layout::Kaggle => kaggle::write_row(buf, o),
                    Layout::Kaggle2017 => kaggle2017::write_row(buf, o),
                    _ => ndjson::write_row(buf, &record::values(o, self.titles)),
                }
                if buf.len() >= CHUNK {
                    out.write_all(buf)?;
                    buf.clear();
                }
                Ok(())
            }
            #[cfg(feature = "parquet")]
            Inner::Parquet(w) => w
                .write(&record::values(o, self.titles))
                .map_err(io::Error::other),
        }
    }

    /// Writes what is left; returns the output, flushed.
    pub fn finish(self) -> io::Result<W> {
        match self.inner {
            Inner::Text { mut out, buf, .. } => {
                out.write_all(&buf)?;
                out.flush()?;
                Ok(out)
            }
            #[cfg(feature = "parquet")]
            Inner::Parquet(w) => {
                let mut out = w.finish().map_err(io::Error::other)?;
                out.flush()?;
                Ok(out)
            }
        }
    }
}
