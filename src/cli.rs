//! The command line as typed: raw flags, every setting optional so that `config` can tell a flag
//! from a default. Resolution (flag > environment > file > default) happens in `config`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{EXIT_CODES_HELP, THUMBNAILS_EXIT_CODES_HELP};
use crate::thumbnails::Quality;

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
    Fetch(Box<FetchArgs>),
    /// Apply pending database migrations (fetch does this by itself).
    Migrate(DbArgs),
    /// Show the top of each chart stored by the latest run.
    Top(TopArgs),
    /// Today's quota for the configured key: limit, used, reserved, remaining, reset time.
    Quota(QuotaArgs),
    /// Follow videos after they leave the chart: their newest counts and metadata, by id in
    /// batches of 50 (1 quota unit each), and the ones no longer available.
    #[command(after_help = EXIT_CODES_HELP)]
    Refresh(Box<RefreshArgs>),
    /// Reports over the stored history: days on trending, time to trend, overlap of regions,
    /// language and category mix, channels, one video's history; or all of them as one HTML
    /// page with charts. Days are UTC days of the charts' fetch times.
    Report(ReportArgs),
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
    /// Download the thumbnails of the charted videos into a folder (bounded, streaming,
    /// idempotent) and record each in the `thumbnails` table.
    #[command(after_help = THUMBNAILS_EXIT_CODES_HELP)]
    Thumbnails(ThumbnailsArgs),
}

/// `trendtap thumbnails`.
#[derive(Debug, Args, Default, Clone)]
pub struct ThumbnailsArgs {
    /// The image folder (created if missing): each image goes to
    /// DIR/<first two characters of the video id>/<video_id>.jpg.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// The videos seen in a chart within this long, e.g. 90m, 6h, 7d [default: the videos of
    /// the latest complete run].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub since: Option<Duration>,

    /// Only the charts of these region(s); repeatable and comma-separated [default: every
    /// region].
    #[arg(long = "region", value_name = "CODE", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// At most N videos, the best-ranked first.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,

    /// Most downloads in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// The image size; a video never gets more than its best [default: the best available].
    #[arg(long, value_enum, value_name = "QUALITY")]
    pub quality: Option<Quality>,

    /// Ask the host whether each image already in the folder changed (If-None-Match,
    /// If-Modified-Since, from what was recorded) and replace it only when it sends a new one.
    #[arg(long)]
    pub revalidate: bool,

    /// The largest image accepted, in bytes [default: 5242880, 5 MiB].
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bytes: Option<u64>,

    /// Write the run's figures in the Prometheus text format to PATH (atomically), for
    /// node_exporter's textfile collector.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
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
    fn a_video_id_may_start_with_a_hyphen() {
        let cli = Cli::try_parse_from(["trendtap", "report", "video", "-0xc26Z4nxk"]).unwrap();
        let Command::Report(ReportArgs {
            kind: ReportKind::Video(args),
        }) = cli.command
        else {
            panic!("not report video")
        };
        assert_eq!(args.id, "-0xc26Z4nxk");
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
