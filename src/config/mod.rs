//! Configuration: the TOML file ([`file`], which only reads and validates it), the resolution of
//! flags + environment + file + defaults ([`resolve`]), and here the resolved settings each
//! command needs, which hand out ready-built parts (the API client's settings, the store URL).
//! Precedence: flag > environment > file > default. The fetch's defaults are defined here; the
//! API client's in [`crate::youtube::settings`].
//!
//! The environment is passed in as a function so that tests can show the precedence without
//! touching the process environment.

pub mod file;
pub mod refresh;
pub mod resolve;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Duration;

use crate::budget::Budget;
use crate::cli::Format;
use crate::secret::{DatabaseUrl, Redactor};
use crate::youtube::ClientSettings;

pub use file::{load_file, parse_file, FileConfig, Loaded, DEFAULT_CONFIG_FILE};
pub use refresh::{resolve_refresh, RefreshConfig};
pub use resolve::{resolve_api, resolve_budget, resolve_db_url, resolve_fetch};

/// The store when no database URL is configured: SQLite in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://trendtap.db";
/// The chart fetched when no category is given: all categories.
pub const DEFAULT_CATEGORY: &str = "0";
/// Pages per chart (a chart holds at most 4 pages of 50).
pub const DEFAULT_MAX_PAGES: u32 = 4;
/// Most API requests in flight.
pub const DEFAULT_CONCURRENCY: u32 = 4;

/// A lookup in the environment (`std::env::var` in production, a map in tests).
pub type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, with empty variables treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Everything `trendtap fetch` needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Canonical region codes, in the order given, without duplicates.
    pub regions: Vec<&'static str>,
    /// Category ids (digits), without duplicates.
    pub categories: Vec<String>,
    /// Pages per chart (1 to 4).
    pub max_pages: u32,
    /// Most requests in flight.
    pub concurrency: usize,
    /// `Some(format)` for a dry run.
    pub dry_run: Option<Format>,
    /// Where the pages come from.
    pub source: Source,
    /// Save every API page under this folder (`--save-raw`).
    pub save_raw: Option<PathBuf>,
    /// The database; `None` for a dry run.
    pub database: Option<DbConfig>,
    /// Deadline for the whole run.
    pub deadline: Option<Duration>,
    /// `--category all`: `categories` holds `0`, and each region's assignable categories join
    /// it from the store's category list (asked again after a week).
    pub all_categories: bool,
    /// Days a pair that answered "no chart" is not asked again.
    pub no_chart_skip_days: u32,
    /// The quota budget.
    pub budget: Budget,
    /// Where to write the run's metrics.
    pub metrics_file: Option<PathBuf>,
}

/// Where a run's pages come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The YouTube Data API.
    Api(ClientSettings),
    /// A raw archive written by `--save-raw` (`--from-raw DIR`): no key, no request.
    Archive(PathBuf),
}

/// Where to store.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// The URL (password redacted when printed).
    pub url: DatabaseUrl,
    /// How long to wait for another run's lock (`None`: do not wait).
    pub wait_lock: Option<Duration>,
}

impl FetchConfig {
    /// A redactor that knows every secret of this configuration.
    pub fn redactor(&self) -> Redactor {
        let db_password = self.database.as_ref().and_then(|d| d.url.password());
        Redactor::new(
            [self.api().map(|a| a.key.expose()), db_password]
                .into_iter()
                .flatten(),
        )
    }

    /// The API settings, unless the run replays an archive.
    pub fn api(&self) -> Option<&ClientSettings> {
        match &self.source {
            Source::Api(api) => Some(api),
            Source::Archive(_) => None,
        }
    }

    /// The API settings, mutably (tests shorten timeouts and backoffs).
    pub fn api_mut(&mut self) -> Option<&mut ClientSettings> {
        match &mut self.source {
            Source::Api(api) => Some(api),
            Source::Archive(_) => None,
        }
    }
}
