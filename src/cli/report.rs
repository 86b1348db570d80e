//! `trendtap report`'s kinds and flags.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::*;

/// `trendtap report`.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Which report.
    #[command(subcommand)]
    pub kind: ReportKind,
}

/// The reports.
#[derive(Debug, Subcommand, Clone)]
pub enum ReportKind {
    /// Per video, the distinct UTC days it was on the charts (per region and over all), first
    /// and last seen, best rank; and how many videos stayed 1, 2, ... days.
    DaysOnTrending(ReportTableArgs),
    /// Per region, the median and 90th percentile of the hours from publication to the first
    /// chart entry, for the videos that entered the charts in the period.
    TimeToTrend(ReportTableArgs),
    /// For each region, the regions whose charts shared the most videos (count and Jaccard
    /// index), and its most exported videos.
    Overlap(ReportTableArgs),
    /// Per region, the share of each language among its videos, and how it was known.
    Languages(ReportTableArgs),
    /// Per region, the share of each category among its videos, with its title.
    Categories(ReportTableArgs),
    /// The channels with the most chart entries and the most distinct videos, per region and
    /// overall.
    Channels(ReportTableArgs),
    /// One video's rank in each chart at each run, and its view count over time.
    Video(ReportVideoArgs),
    /// Every report as one self-contained HTML page with charts (no script, no network).
    Html(ReportHtmlArgs),
}

/// What every report looks at.
#[derive(Debug, Args, Default, Clone)]
pub struct ReportFilterArgs {
    /// Only these regions' charts; repeatable and comma-separated [default: every region].
    #[arg(long = "region", value_name = "CODE", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Only these chart categories; repeatable and comma-separated [default: every category].
    #[arg(long = "category", value_name = "ID", value_delimiter = ',')]
    pub categories: Vec<String>,

    /// From this UTC day on (YYYY-MM-DD, included) [default: the first stored].
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,

    /// Up to this UTC day (YYYY-MM-DD, included) [default: the last stored].
    #[arg(long, value_name = "DATE")]
    pub until: Option<chrono::NaiveDate>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// A report printed as tables.
#[derive(Debug, Args, Default, Clone)]
pub struct ReportTableArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub filters: ReportFilterArgs,

    /// Rows per region (and for `all`) in the ranked tables; 0: every row [default: 20].
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,

    /// Output: text (aligned tables), csv (one table, for programs), json (every table).
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,

    /// Only this table of the report (csv prints the report's first table by default).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Print the SQL the report runs, with its parameters, and the database's plan for each
    /// statement (PostgreSQL: EXPLAIN ANALYZE, which runs it), instead of the report.
    #[arg(long)]
    pub explain: bool,
}

/// `trendtap report video ID`.
#[derive(Debug, Args, Default, Clone)]
pub struct ReportVideoArgs {
    /// The video id (ids may start with `-`).
    #[arg(value_name = "ID", allow_hyphen_values = true)]
    pub id: String,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub filters: ReportFilterArgs,

    /// Output: text (aligned tables), csv (one table, for programs), json (every table).
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,

    /// Only this table (video, ranks, views; csv prints `ranks` by default).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Print the SQL the report runs, with its parameters, and the database's plan for each
    /// statement, instead of the report.
    #[arg(long)]
    pub explain: bool,
}

/// `trendtap report html`.
#[derive(Debug, Args, Default, Clone)]
pub struct ReportHtmlArgs {
    /// The HTML file to write (atomically: a temporary file beside it, then renamed).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub filters: ReportFilterArgs,

    /// Rows of each table on the page [default: 10].
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

/// The output of a report printed as tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TableFormat {
    /// Aligned tables for a terminal.
    #[default]
    Text,
    /// Comma-separated values, a header line of column names.
    Csv,
    /// One JSON object.
    Json,
}
