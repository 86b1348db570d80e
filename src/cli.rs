//! The command line as typed: raw flags, every setting optional so that `config` can tell a flag
//! from a default. Resolution (flag > environment > file > default) happens in `config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_CODES_HELP;

/// trendtap: collect YouTube's most-popular charts for many regions into PostgreSQL or SQLite.
#[derive(Debug, Parser)]
#[command(name = "trendtap", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// More log output on stderr (-v: info, -vv: debug, -vvv: trace) [default: warnings and
    /// errors; RUST_LOG overrides].
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Less log output on stderr (errors only) and no progress display.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log format on stderr: text, or json (one object per line) for log collectors.
    #[arg(long, value_enum, global = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch the charts, merge them by video and store them (or print them with --dry-run).
    #[command(after_help = EXIT_CODES_HELP)]
    Fetch(FetchArgs),
    /// Apply pending database migrations (fetch does this by itself).
    Migrate(DbArgs),
    /// Show the top of each chart stored by the latest run.
    Top(TopArgs),
    /// Today's quota for the configured key: limit, used, reserved, remaining, reset time.
    Quota(QuotaArgs),
    /// Export the stored history: both Kaggle trending-dataset layouts, NDJSON, or Parquet
    /// partitioned by month.
    Export(ExportArgs),
    /// List the region codes YouTube supports.
    Regions,
    /// Check the configuration, the API key (one request, 1 quota unit), the database and the
    /// last run; exits 1 when anything fails.
    Doctor(DoctorArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: `trendtap man > trendtap.1`.
    Man,
}

/// `trendtap doctor`.
#[derive(Debug, Args, Default, Clone)]
pub struct DoctorArgs {
    /// YouTube Data API base URL [env: YOUTUBE_API_BASE_URL].
    #[arg(long, value_name = "URL")]
    pub api_base_url: Option<String>,

    /// Skip the API key check (it spends 1 quota unit).
    #[arg(long)]
    pub offline: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// `trendtap top`.
#[derive(Debug, Args, Default, Clone)]
pub struct TopArgs {
    /// Only this region.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,

    /// Videos per chart.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub limit: u32,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

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

/// Flags shared by every command that talks to the database.
#[derive(Debug, Args, Default, Clone)]
pub struct DbArgs {
    /// Config file [default: ./trendtap.toml when it exists].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// PostgreSQL URL, e.g. postgres://user@host/db [env: DATABASE_URL].
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

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

/// The budget flags shared by the commands that spend or report quota.
#[derive(Debug, Args, Default, Clone)]
pub struct QuotaFlags {
    /// Quota units the project gets a day [default: 10000].
    #[arg(long, value_name = "N")]
    pub daily_quota: Option<u64>,

    /// Units left for other programs on the same project [default: 0].
    #[arg(long, value_name = "N")]
    pub quota_reserve: Option<u64>,
}

/// `trendtap quota`.
#[derive(Debug, Args, Default, Clone)]
pub struct QuotaArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub quota: QuotaFlags,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// The format of a command's result on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// Lines for a person.
    #[default]
    Text,
    /// One JSON object.
    Json,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn regions_are_repeatable_and_comma_separated() {
        let cli = Cli::try_parse_from(["trendtap", "fetch", "--region", "ae,us", "--region", "JP"])
            .unwrap();
        let Command::Fetch(args) = cli.command else {
            panic!("not fetch")
        };
        assert_eq!(args.regions, ["ae", "us", "JP"]);
    }

    #[test]
    fn out_of_range_values_are_usage_errors() {
        for args in [
            &["trendtap", "fetch", "--max-pages", "5"][..],
            &["trendtap", "fetch", "--concurrency", "0"],
            &["trendtap", "fetch", "--format", "ndjson"],
            &["trendtap", "fetch", "--api-key", "x"],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }
}
