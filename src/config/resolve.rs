//! Resolution: flags + environment + config file + defaults into the settings of
//! [`super`], checked (ranges, region codes, URLs), every error naming the setting and where
//! its value came from.

use std::path::Path;
use std::time::Duration;

use super::file::{CategoryValue, FileConfig};
use super::{
    DbConfig, EnvFn, FetchConfig, Source, DEFAULT_CATEGORY, DEFAULT_CONCURRENCY,
    DEFAULT_DATABASE_URL, DEFAULT_MAX_PAGES,
};
use crate::budget::{self, Budget};
use crate::cli::{DbArgs, FetchArgs, QuotaFlags};
use crate::error::ConfigError;
use crate::regions;
use crate::secret::{ApiKey, DatabaseUrl};
use crate::youtube::{settings, ClientSettings, RetryPolicy};

/// Resolves `fetch`'s configuration.
pub fn resolve_fetch(
    args: &FetchArgs,
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<FetchConfig, ConfigError> {
    let file_origin = || match file_path {
        Some(p) => format!("config file {}", p.display()),
        None => "config file".to_owned(),
    };

    // A replay without --region replays every region of the archive.
    let regions = match resolve_regions(args, file, &file_origin) {
        Err(ConfigError::NoRegions) if args.from_raw.is_some() => Vec::new(),
        other => other?,
    };
    let (categories, all_categories) = resolve_categories(args, file, &file_origin)?;

    let max_pages = pick_u32(args.max_pages, None, file.max_pages, DEFAULT_MAX_PAGES);
    check_range("max_pages", max_pages, 1..=4, &file_origin)?;
    let concurrency = pick_u32(
        args.concurrency,
        None,
        file.concurrency,
        DEFAULT_CONCURRENCY,
    );
    check_range("concurrency", concurrency, 1..=64, &file_origin)?;

    let deadline = args
        .deadline
        .or(file.deadline_secs)
        .map(Duration::from_secs);

    let database = if args.dry_run {
        None
    } else {
        Some(DbConfig {
            url: resolve_db_url(&args.db, file, file_path, env)?,
            wait_lock: args
                .wait_lock
                .or(file.wait_lock_secs)
                .map(Duration::from_secs),
        })
    };

    Ok(FetchConfig {
        regions,
        categories,
        max_pages,
        concurrency: concurrency as usize,
        dry_run: args.dry_run.then(|| args.format.unwrap_or_default()),
        source: match &args.from_raw {
            // A replay needs no key: its pages are already on disk.
            Some(dir) if !dir.is_dir() => {
                return Err(invalid(
                    "from_raw",
                    "--from-raw".to_owned(),
                    &format!("{} is not a folder", dir.display()),
                ))
            }
            Some(dir) => Source::Archive(dir.clone()),
            None => Source::Api(resolve_api(args, file, file_path, env)?),
        },
        save_raw: args.save_raw.clone(),
        database,
        deadline,
        all_categories,
        no_chart_skip_days: file
            .no_chart_skip_days
            .unwrap_or(budget::DEFAULT_NO_CHART_SKIP_DAYS),
        budget: Budget {
            fit: args.fit_budget,
            ignore_exhausted: args.ignore_exhausted,
            ..resolve_budget(&args.quota, file, &file_origin)?
        },
        metrics_file: args.metrics_file.clone().or(file.metrics_file.clone()),
    })
}

/// Resolves the daily quota and the units left for others.
pub fn resolve_budget(
    flags: &QuotaFlags,
    file: &FileConfig,
    file_origin: &dyn Fn() -> String,
) -> Result<Budget, ConfigError> {
    let daily_quota = flags
        .daily_quota
        .or(file.daily_quota)
        .unwrap_or(budget::DEFAULT_DAILY_QUOTA);
    let quota_reserve = flags.quota_reserve.or(file.quota_reserve).unwrap_or(0);
    if daily_quota == 0 {
        return Err(invalid("daily_quota", file_origin(), "must be at least 1"));
    }
    if quota_reserve >= daily_quota {
        return Err(invalid(
            "quota_reserve",
            file_origin(),
            &format!("{quota_reserve} leaves nothing of the daily quota ({daily_quota})"),
        ));
    }
    Ok(Budget {
        daily_quota,
        quota_reserve,
        ..Budget::default()
    })
}

/// Resolves how to talk to the API: base URL, key, timeouts, retries.
pub fn resolve_api(
    args: &FetchArgs,
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<ClientSettings, ConfigError> {
    let file_origin = || match file_path {
        Some(p) => format!("config file {}", p.display()),
        None => "config file".to_owned(),
    };
    let (base_url, base_origin) = first_of([
        (args.api_base_url.clone(), "--api-base-url".to_owned()),
        (
            env("YOUTUBE_API_BASE_URL"),
            "YOUTUBE_API_BASE_URL".to_owned(),
        ),
        (file.api_base_url.clone(), file_origin()),
    ])
    .unwrap_or_else(|| (settings::DEFAULT_BASE_URL.to_owned(), "default".to_owned()));
    let base_url = check_http_url(&base_url, "api_base_url", base_origin)?;

    let defaults = ClientSettings::new(resolve_key(file, file_path, env)?);
    let secs = |flag: Option<u64>, from_file: Option<u64>, default: Duration| {
        flag.or(from_file).unwrap_or(default.as_secs())
    };
    let timeout = secs(args.timeout, file.timeout_secs, defaults.timeout);
    let connect_timeout = secs(None, file.connect_timeout_secs, defaults.connect_timeout);
    let max_backoff = secs(None, file.max_backoff_secs, defaults.retry.max_backoff);
    for (name, value) in [
        ("timeout_secs", timeout),
        ("connect_timeout_secs", connect_timeout),
        ("max_backoff_secs", max_backoff),
    ] {
        if value == 0 {
            return Err(invalid(name, file_origin(), "must be at least 1 second"));
        }
    }
    let max_attempts = pick_u32(
        args.max_attempts,
        None,
        file.max_attempts,
        defaults.retry.max_attempts,
    );
    check_range("max_attempts", max_attempts, 1..=20, &file_origin)?;

    Ok(ClientSettings {
        base_url,
        connect_timeout: Duration::from_secs(connect_timeout),
        timeout: Duration::from_secs(timeout),
        retry: RetryPolicy {
            max_attempts,
            max_backoff: Duration::from_secs(max_backoff),
            ..defaults.retry
        },
        partial_response: file.partial_response.unwrap_or(defaults.partial_response),
        ..defaults
    })
}

/// Resolves the database URL alone (for `migrate`, and for `fetch` without `--dry-run`).
pub fn resolve_db_url(
    args: &DbArgs,
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<DatabaseUrl, ConfigError> {
    let file_origin = match file_path {
        Some(p) => format!("config file {}", p.display()),
        None => "config file".to_owned(),
    };
    let (url, origin) = first_of([
        (args.database_url.clone(), "--database-url".to_owned()),
        (env("DATABASE_URL"), "DATABASE_URL".to_owned()),
        (file.database_url.clone(), file_origin),
    ])
    .unwrap_or_else(|| (DEFAULT_DATABASE_URL.to_owned(), "default".to_owned()));
    let url = DatabaseUrl::new(url.trim());
    let scheme_ok = ["postgres://", "postgresql://", "sqlite:"]
        .iter()
        .any(|s| url.expose().starts_with(s));
    if !scheme_ok {
        return Err(invalid(
            "database_url",
            origin,
            &format!("`{url}` is not a postgres://, postgresql:// or sqlite:// URL"),
        ));
    }
    Ok(url)
}

fn resolve_regions(
    args: &FetchArgs,
    file: &FileConfig,
    file_origin: &dyn Fn() -> String,
) -> Result<Vec<&'static str>, ConfigError> {
    let (raw, origin) = if !args.regions.is_empty() {
        (args.regions.clone(), "--region".to_owned())
    } else if let Some(r) = file.regions.as_ref().filter(|r| !r.is_empty()) {
        (r.clone(), file_origin())
    } else {
        return Err(ConfigError::NoRegions);
    };
    let mut regions = Vec::new();
    for code in raw.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let canonical = regions::canonical(code).ok_or_else(|| {
            invalid(
                "region",
                origin.clone(),
                &format!("unknown region code `{code}`; `trendtap regions` lists the {} YouTube supports", regions::REGIONS.len()),
            )
        })?;
        if !regions.contains(&canonical) {
            regions.push(canonical);
        }
    }
    if regions.is_empty() {
        return Err(ConfigError::NoRegions);
    }
    Ok(regions)
}

/// The categories, and whether `all` was asked for (then the list is `["0"]`, and each region's
/// own categories join it at run time).
fn resolve_categories(
    args: &FetchArgs,
    file: &FileConfig,
    file_origin: &dyn Fn() -> String,
) -> Result<(Vec<String>, bool), ConfigError> {
    let (raw, origin): (Vec<String>, String) = if !args.categories.is_empty() {
        (args.categories.clone(), "--category".to_owned())
    } else if let Some(c) = file.categories.as_ref().filter(|c| !c.is_empty()) {
        let values = c
            .iter()
            .map(|v| match v {
                CategoryValue::Int(i) => i.to_string(),
                CategoryValue::Str(s) => s.clone(),
            })
            .collect();
        (values, file_origin())
    } else if args.from_raw.is_some() {
        // A replay without --category replays every category of the archive.
        return Ok((Vec::new(), false));
    } else {
        (vec![DEFAULT_CATEGORY.to_owned()], "default".to_owned())
    };
    if raw.iter().any(|c| c.trim().eq_ignore_ascii_case("all")) {
        if args.from_raw.is_some() {
            // A replay's `all` is every category of the archive.
            return Ok((Vec::new(), false));
        }
        if raw.len() > 1 {
            return Err(invalid(
                "category",
                origin,
                "`all` already holds every category: give it alone",
            ));
        }
        return Ok((vec![DEFAULT_CATEGORY.to_owned()], true));
    }
    let mut categories: Vec<String> = Vec::new();
    for id in raw.iter().map(|c| c.trim()) {
        let valid = !id.is_empty() && id.len() <= 4 && id.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(invalid(
                "category",
                origin.clone(),
                &format!("`{id}` is not a video category id (a number such as 0, 10 or 24)"),
            ));
        }
        // "010" and "10" are the same category.
        let id = id.trim_start_matches('0');
        let id = if id.is_empty() { "0" } else { id }.to_owned();
        if !categories.contains(&id) {
            categories.push(id);
        }
    }
    Ok((categories, false))
}

fn resolve_key(
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<ApiKey, ConfigError> {
    if let Some(raw) = env("YOUTUBE_API_KEY") {
        return ApiKey::new(&raw).ok_or(ConfigError::MissingApiKey);
    }
    let Some(key_file) = &file.api_key_file else {
        return Err(ConfigError::MissingApiKey);
    };
    // A relative key file is relative to the config file, not to the working directory.
    let path = match file_path.and_then(Path::parent) {
        Some(dir) if key_file.is_relative() => dir.join(key_file),
        _ => key_file.clone(),
    };
    let key_error = |message: String| ConfigError::KeyFile {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| key_error(e.to_string()))?;
    ApiKey::new(&text).ok_or_else(|| key_error("the file is empty".to_owned()))
}

fn pick_u32(flag: Option<u32>, env: Option<u32>, file: Option<u32>, default: u32) -> u32 {
    flag.or(env).or(file).unwrap_or(default)
}

fn check_range(
    name: &'static str,
    value: u32,
    range: std::ops::RangeInclusive<u32>,
    file_origin: &dyn Fn() -> String,
) -> Result<(), ConfigError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            name,
            file_origin(),
            &format!(
                "{value} is out of range {}..={}",
                range.start(),
                range.end()
            ),
        ))
    }
}

fn first_of<const N: usize>(candidates: [(Option<String>, String); N]) -> Option<(String, String)> {
    candidates
        .into_iter()
        .find_map(|(value, origin)| value.filter(|v| !v.trim().is_empty()).map(|v| (v, origin)))
}

fn check_http_url(url: &str, setting: &'static str, origin: String) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    let ok =
        (url.starts_with("http://") || url.starts_with("https://")) && url.len() > "https://".len();
    if ok {
        Ok(url.to_owned())
    } else {
        Err(invalid(
            setting,
            origin,
            &format!("`{url}` is not an http:// or https:// URL"),
        ))
    }
}

pub(super) fn invalid(setting: &'static str, origin: String, message: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        origin,
        message: message.to_owned(),
    }
}
