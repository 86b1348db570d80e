//! `trendtap refresh`'s settings: its flags over the environment, the config file and the
//! defaults, resolved as the fetch's are (the API client, the store, the budget, the metrics
//! file come from the same settings).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::FileConfig;
use super::resolve::{invalid, resolve_api, resolve_budget, resolve_db_url};
use super::{DbConfig, EnvFn, DEFAULT_CONCURRENCY};
use crate::budget::Budget;
use crate::cli::{FetchArgs, Format, RefreshArgs};
use crate::error::ConfigError;
use crate::secret::Redactor;
use crate::youtube::ClientSettings;

/// Videos seen in a chart within this long are refreshed.
pub const DEFAULT_SEEN_WITHIN: &str = "7d";
/// ... when their newest observation is older than this.
pub const DEFAULT_OLDER_THAN: &str = "6h";

/// Everything `trendtap refresh` needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct RefreshConfig {
    /// Videos last seen in a chart within this long.
    pub seen_within: chrono::Duration,
    /// Whose newest observation is older than this.
    pub older_than: chrono::Duration,
    /// At most this many.
    pub limit: Option<u64>,
    /// Exactly these ids instead (`--video`).
    pub videos: Vec<String>,
    /// Ask for unavailable videos too.
    pub include_unavailable: bool,
    /// `Some(format)` for a dry run.
    pub dry_run: Option<Format>,
    /// Most requests in flight.
    pub concurrency: usize,
    /// The API client's settings.
    pub api: ClientSettings,
    /// The store (a dry run reads it too).
    pub database: DbConfig,
    /// Deadline for the whole run.
    pub deadline: Option<Duration>,
    /// The quota budget.
    pub budget: Budget,
    /// Where to write the run's metrics.
    pub metrics_file: Option<PathBuf>,
}

impl RefreshConfig {
    /// A redactor that knows every secret of this configuration.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(
            [Some(self.api.key.expose()), self.database.url.password()]
                .into_iter()
                .flatten(),
        )
    }
}

/// Resolves `refresh`'s configuration.
pub fn resolve_refresh(
    args: &RefreshArgs,
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<RefreshConfig, ConfigError> {
    let file_origin = || match file_path {
        Some(p) => format!("config file {}", p.display()),
        None => "config file".to_owned(),
    };
    // The API settings are the fetch's: the same flags, the same file keys.
    let api_args = FetchArgs {
        api_base_url: args.api_base_url.clone(),
        timeout: args.timeout,
        max_attempts: args.max_attempts,
        db: args.db.clone(),
        ..FetchArgs::default()
    };
    let concurrency = args
        .concurrency
        .or(file.concurrency)
        .unwrap_or(DEFAULT_CONCURRENCY);
    if !(1..=64).contains(&concurrency) {
        return Err(invalid(
            "concurrency",
            file_origin(),
            &format!("{concurrency} is out of range 1..=64"),
        ));
    }
    Ok(RefreshConfig {
        seen_within: duration(
            "--seen-within",
            args.seen_within.as_deref(),
            DEFAULT_SEEN_WITHIN,
        )?,
        older_than: duration(
            "--older-than",
            args.older_than.as_deref(),
            DEFAULT_OLDER_THAN,
        )?,
        limit: args.limit,
        videos: video_ids(&args.videos)?,
        include_unavailable: args.include_unavailable,
        dry_run: args.dry_run.then(|| args.format.unwrap_or_default()),
        concurrency: concurrency as usize,
        api: resolve_api(&api_args, file, file_path, env)?,
        database: DbConfig {
            url: resolve_db_url(&args.db, file, file_path, env)?,
            wait_lock: args
                .wait_lock
                .or(file.wait_lock_secs)
                .map(Duration::from_secs),
        },
        deadline: args
            .deadline
            .or(file.deadline_secs)
            .map(Duration::from_secs),
        budget: Budget {
            fit: args.fit_budget,
            ignore_exhausted: args.ignore_exhausted,
            ..resolve_budget(&args.quota, file, &file_origin)?
        },
        metrics_file: args.metrics_file.clone().or(file.metrics_file.clone()),
    })
}

/// A duration written `90m`, `6h`, `7d` or `0s` (humantime's syntax).
fn duration(
    flag: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<chrono::Duration, ConfigError> {
    let text = value.unwrap_or(default).trim();
    let parsed = humantime::parse_duration(text).map_err(|e| {
        invalid(
            flag,
            flag.to_owned(),
            &format!("`{text}` is not a duration such as 90m, 6h or 7d: {e}"),
        )
    })?;
    chrono::Duration::from_std(parsed)
        .map_err(|_| invalid(flag, flag.to_owned(), &format!("`{text}` is too long")))
}

/// Video ids: 11 characters of `A-Z a-z 0-9 - _`, without duplicates, in the order given.
fn video_ids(raw: &[String]) -> Result<Vec<String>, ConfigError> {
    let mut ids: Vec<String> = Vec::new();
    for id in raw.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let valid = id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(invalid(
                "video",
                "--video".to_owned(),
                &format!(
                    "`{id}` is not a YouTube video id (11 characters: letters, digits, - and _)"
                ),
            ));
        }
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_ids_are_checked() {
        assert_eq!(
            duration("--x", Some("90m"), "1h").unwrap(),
            chrono::Duration::minutes(90)
        );
        assert_eq!(
            duration("--x", Some("7d"), "1h").unwrap(),
            chrono::Duration::days(7)
        );
        assert_eq!(
            duration("--x", Some("0s"), "1h").unwrap(),
            chrono::Duration::zero()
        );
        assert_eq!(
            duration("--x", None, "6h").unwrap(),
            chrono::Duration::hours(6)
        );
        let err = duration("--older-than", Some("six hours"), "6h")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--older-than") && err.contains("six hours"),
            "{err}"
        );
        assert_eq!(
            video_ids(&["dQw4w9WgXcQ".into(), "dQw4w9WgXcQ".into()])
                .unwrap()
                .len(),
            1
        );
        let err = video_ids(&["not-an-id".into()]).unwrap_err().to_string();
        assert!(err.contains("not-an-id"), "{err}");
    }
}
