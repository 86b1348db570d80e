//! `trendtap export`'s flags.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::*;

/// `trendtap export`.
#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    /// What to write: kaggle and kaggle-2017 (one CSV per region, the Kaggle datasets'
    /// layouts), ndjson (one JSON object per chart entry) or parquet (DIR/month=YYYY-MM/).
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// Only these region(s); repeatable and comma-separated [default: every region].
    #[arg(long = "region", value_name = "CODE", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Only the charts of these category id(s); repeatable and comma-separated [default: every
    /// chart].
    #[arg(long = "category", value_name = "ID", value_delimiter = ',')]
    pub categories: Vec<String>,

    /// From this day (YYYY-MM-DD, 00:00 UTC) or instant (RFC 3339) on.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Up to this day, included (YYYY-MM-DD, UTC), or before this instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    /// Write the files into DIR, atomically (required for kaggle with several regions, and for
    /// parquet) [default: stdout].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// The formats of `trendtap export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// "YouTube Trending Video Dataset (updated daily)": XX_youtube_trending_data.csv.
    Kaggle,
    /// "Trending YouTube Video Statistics" (2017-18): XXvideos.csv.
    #[value(name = "kaggle-2017")]
    Kaggle2017,
    /// One JSON object per chart entry and line.
    Ndjson,
    /// Parquet files partitioned by month (Hive style).
    #[cfg(feature = "parquet")]
    Parquet,
}
