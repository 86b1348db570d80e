//! `trendtap fetch`'s flags, and the dry-run output format the refresh shares.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::*;

/// `trendtap fetch`.
#[derive(Debug, Args, Default, Clone)]
pub struct FetchArgs {
    /// Region code(s), case-insensitive; repeatable and comma-separated [default: `regions` in the config file].
    #[arg(long = "region", value_name = "CODE", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Video category id(s) (videoCategoryId); repeatable and comma-separated; `all`: category
    /// 0 and every assignable category of each region (videoCategories.list, kept 7 days)
    /// [default: 0, all categories].
    #[arg(long = "category", value_name = "ID", value_delimiter = ',')]
    pub categories: Vec<String>,

    /// Pages per chart, 50 videos a page; a chart holds at most 200 videos [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4))]
    pub max_pages: Option<u32>,

    /// Most API requests in flight at once [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: Option<u32>,

    /// Print the merged videos on stdout instead of storing them; the database is not touched.
    #[arg(long)]
    pub dry_run: bool,

    /// Output format of --dry-run [default: json].
    #[arg(long, value_enum, requires = "dry_run")]
    pub format: Option<Format>,

    /// YouTube Data API base URL, for a proxy or a local test server
    /// [env: YOUTUBE_API_BASE_URL] [default: https://www.googleapis.com/youtube/v3].
    #[arg(long, value_name = "URL")]
    pub api_base_url: Option<String>,

    /// Timeout of one API request, in seconds [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,

    /// Attempts per API request, the first included (1 disables retries) [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,

    /// Deadline for the whole run, in seconds: then no new request starts, complete charts are
    /// stored, and the run exits 1 [default: none].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline: Option<u64>,

    /// Save every API page as received (gzip) under DIR/run-<time>/REGION/CATEGORY/, with a
    /// manifest, for replay with --from-raw.
    #[arg(long, value_name = "DIR", conflicts_with = "from_raw")]
    pub save_raw: Option<PathBuf>,

    /// Replay a raw archive instead of calling the API (no key needed): DIR is a run folder, or
    /// an archive root whose latest run is replayed. --region/--category filter its charts.
    #[arg(long, value_name = "DIR")]
    pub from_raw: Option<PathBuf>,

    /// Wait up to SECONDS for another run's lock instead of exiting 4 at once.
    #[arg(long, value_name = "SECONDS")]
    pub wait_lock: Option<u64>,

    /// When the run's estimated cost does not fit in today's quota, fetch the charts that fit
    /// (in the order given) and exit 3, instead of making no request and exiting 5.
    #[arg(long)]
    pub fit_budget: bool,

    /// Run even though Google said today's quota is exhausted (after raising the project's
    /// quota, for instance) [default: such a run exits 5 without a request].
    #[arg(long)]
    pub ignore_exhausted: bool,

    /// Also request and store each video's description (snippet.description; about 1.2 KB
    /// more per video on the wire before gzip) [default: `descriptions` in the config file,
    /// else off].
    #[arg(long)]
    pub descriptions: bool,

    /// Write the run's figures in the Prometheus text format to PATH (atomically), for
    /// node_exporter's textfile collector.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub quota: QuotaFlags,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// The dry-run output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON array.
    #[default]
    Json,
    /// One JSON object per line.
    Ndjson,
}
