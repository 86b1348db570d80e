//! `trendtap thumbnails`' flags.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::*;
use crate::thumbnails::Quality;

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
