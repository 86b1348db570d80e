//! trendtap: collects YouTube's most-popular charts for many regions at once, cleans the titles,
//! merges the regions by video and keeps the history in PostgreSQL or an embedded SQLite file.
//!
//! This file holds the module tree and the dispatch to [`commands`], one file per subcommand.
//! ARCHITECTURE.md (at the top of the repository) is the map: the data flow, each module's job,
//! and the recipes for the changes people make often.

#![warn(missing_docs)]

pub mod alloc;
pub mod budget;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dedup;
pub mod error;
pub mod export;
pub mod fetch;
pub mod language;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod output;
pub mod progress;
pub mod raw;
pub mod regions;
pub mod report;
pub mod secret;
pub mod shutdown;
pub mod store;
pub mod thumbnails;
pub mod youtube;

use cli::{Cli, Command};
use commands::Context;
use error::Exit;

/// Runs a parsed command line to its exit code. Errors are reported on stderr, redacted.
pub async fn run(cli: Cli) -> Exit {
    let ctx = Context::new(&cli);
    match cli.command {
        Command::Fetch(args) => commands::fetch::run(&args, &ctx).await,
        Command::Migrate(args) => commands::migrate::run(&args, &ctx).await,
        Command::Top(args) => commands::top::run(&args, &ctx).await,
        Command::Quota(args) => commands::quota::run(&args, &ctx).await,
        Command::Refresh(args) => commands::refresh::run(&args, &ctx).await,
        Command::Report(args) => commands::report::run(&args, &ctx).await,
        Command::Export(args) => commands::export::run(&args, &ctx).await,
        Command::Doctor(args) => commands::doctor::run(&args, &ctx).await,
        Command::Regions => commands::regions::run(),
        Command::Completions { shell } => commands::completions::completions(shell),
        Command::Man => commands::completions::man(),
        Command::Thumbnails(args) => commands::thumbnails::run(&args, &ctx).await,
    }
}
