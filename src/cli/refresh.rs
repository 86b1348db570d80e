//! `trendtap refresh`'s flags.

use std::path::PathBuf;

use clap::Args;

use super::*;

/// `trendtap refresh`.
#[derive(Debug, Args, Default, Clone)]
pub struct RefreshArgs {
    /// Refresh the videos seen in a chart within this long (`90m`, `6h`, `7d`) [default: 7d].
    #[arg(long, value_name = "DURATION")]
    pub seen_within: Option<String>,

    /// ... whose newest observation (chart or refresh) is older than this; `0s`: any age
    /// [default: 6h].
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,

    /// At most N videos, the most recently trending first [default: no limit].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Refresh exactly these video ids instead (repeatable, comma-separated).
    #[arg(long = "video", value_name = "ID", value_delimiter = ',')]
    pub videos: Vec<String>,

    /// Also ask for videos already found unavailable.
    #[arg(long)]
    pub include_unavailable: bool,

    /// Print the refreshed videos on stdout instead of storing them (the store is read to
    /// choose the videos; only the quota ledger is written).
    #[arg(long)]
    pub dry_run: bool,

    /// Output format of --dry-run [default: json].
    #[arg(long, value_enum, requires = "dry_run")]
    pub format: Option<Format>,

    /// Most API requests in flight at once [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: Option<u32>,

    /// When the estimate (one unit per 50 videos) does not fit in today's quota, refresh as
    /// many as fit (most recently trending first) and exit 3, instead of exiting 5.
    #[arg(long)]
    pub fit_budget: bool,

    /// Run even though Google said earlier today that the key's quota is exhausted.
    #[arg(long)]
    pub ignore_exhausted: bool,

    /// Write the run's figures in the Prometheus text format to PATH (atomically).
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,

    /// YouTube Data API base URL [env: YOUTUBE_API_BASE_URL].
    #[arg(long, value_name = "URL")]
    pub api_base_url: Option<String>,

    /// Timeout of one API request, in seconds [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,

    /// Attempts per API request, the first included [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,

    /// Deadline for the whole run, in seconds [default: none].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline: Option<u64>,

    /// Wait up to SECONDS for another refresh's lock instead of exiting 4 at once.
    #[arg(long, value_name = "SECONDS")]
    pub wait_lock: Option<u64>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub quota: QuotaFlags,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}
