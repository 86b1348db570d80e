//! `trendtap export`'s formats: rows in, bytes out. Each format is one file here and knows no
//! SQL; `commands/export.rs` plans the files, reads the store and hands each row to a
//! [`DailyWriter`] or a [`RecordWriter`].
//!
//! - [`kaggle`], [`kaggle2017`]: the two Kaggle trending datasets' CSV layouts, one file per
//!   region (one row per region, video and UTC day), with [`categories`]' `XX_category_id.json`;
//! - [`ndjson`], [`parquet`]: the full-fidelity record of [`record`], one per chart entry,
//!   each entry joined to its video and run by [`join`];
//! - [`atomic`]: files that appear whole or not at all.

pub mod atomic;
pub mod categories;
pub mod join;
pub mod kaggle;
pub mod kaggle2017;
pub mod ndjson;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod record;

use std::io::{self, Write};

use crate::model::Observation;
use categories::Titles;
use record::Row;

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

/// The Kaggle layouts' rows of one file on their way to `out`.
pub struct DailyWriter<W: Write> {
    layout: Layout,
    out: W,
    buf: Vec<u8>,
    rows: u64,
}

impl<W: Write> DailyWriter<W> {
    /// Starts a CSV file of `layout` (a Kaggle one) on `out`; its header is written now.
    pub fn new(layout: Layout, out: W) -> Self {
        let mut buf = Vec::with_capacity(CHUNK + 16 * 1024);
        buf.extend_from_slice(match layout {
            Layout::Kaggle2017 => kaggle2017::HEADER.as_bytes(),
            _ => kaggle::HEADER.as_bytes(),
        });
        DailyWriter {
            layout,
            out,
            buf,
            rows: 0,
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds the row of `o`.
    pub fn write(&mut self, o: &Observation) -> io::Result<()> {
        self.rows += 1;
        match self.layout {
            Layout::Kaggle2017 => kaggle2017::write_row(&mut self.buf, o),
            _ => kaggle::write_row(&mut self.buf, o),
        }
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is left; returns the output, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The full-fidelity records of one file (NDJSON or Parquet) on their way to `out`.
pub struct RecordWriter<'t, W: Write + Send> {
    inner: Records<W>,
    titles: &'t Titles,
    rows: u64,
}

enum Records<W: Write + Send> {
    Ndjson {
        out: W,
        buf: Vec<u8>,
    },
    #[cfg(feature = "parquet")]
    Parquet(parquet::ParquetWriter<W>),
}

impl<'t, W: Write + Send> RecordWriter<'t, W> {
    /// Starts a file of `layout` (NDJSON or Parquet) on `out`, the category titles from
    /// `titles`.
    pub fn new(layout: Layout, out: W, titles: &'t Titles) -> io::Result<Self> {
        let inner = match layout {
            #[cfg(feature = "parquet")]
            Layout::Parquet => {
                Records::Parquet(parquet::ParquetWriter::new(out).map_err(parquet::io_error)?)
            }
            _ => Records::Ndjson {
                out,
                buf: Vec::with_capacity(CHUNK + 16 * 1024),
            },
        };
        Ok(RecordWriter {
            inner,
            titles,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds the record of `row`.
    pub fn write(&mut self, row: Row<'_>) -> io::Result<()> {
        self.rows += 1;
        let values = record::values(row, self.titles);
        match &mut self.inner {
            Records::Ndjson { out, buf } => {
                ndjson::write_row(buf, &values);
                if buf.len() >= CHUNK {
                    out.write_all(buf)?;
                    buf.clear();
                }
                Ok(())
            }
            #[cfg(feature = "parquet")]
            Records::Parquet(w) => w.write(&values).map_err(parquet::io_error),
        }
    }

    /// Writes what is left; returns the output, flushed.
    pub fn finish(self) -> io::Result<W> {
        match self.inner {
            Records::Ndjson { mut out, buf } => {
                out.write_all(&buf)?;
                out.flush()?;
                Ok(out)
            }
            #[cfg(feature = "parquet")]
            Records::Parquet(w) => {
                let mut out = w.finish().map_err(parquet::io_error)?;
                out.flush()?;
                Ok(out)
            }
        }
    }
}
