//! The command line as typed: raw flags, every setting optional so that `config` can tell a flag
//! from a default. Resolution (flag > environment > file > default) happens in `config`. The
//! larger commands' flags have a file each here (`fetch`, `refresh`, `report`, `export`,
//! `thumbnails`); this file holds the command tree and the flags several commands share.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{EXIT_CODES_HELP, THUMBNAILS_EXIT_CODES_HELP};

mod export;
mod fetch;
mod refresh;
mod report;
mod thumbnails;

pub use export::*;
pub use fetch::*;
pub use refresh::*;
pub use report::*;
pub use thumbnails::*;

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
