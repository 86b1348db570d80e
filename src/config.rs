//! The resolved configuration: command-line flags, environment and the TOML file merged into one
//! [`FetchConfig`], with every default in this file. Precedence: flag > environment > file > default.
//!
//! The environment is passed in as a function so that tests can show the precedence without
//! touching the process environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{DbArgs, FetchArgs, Format};
use crate::error::ConfigError;
use crate::regions;
use crate::secret::{ApiKey, DatabaseUrl, Redactor};
use crate::youtube::RetryPolicy;

/// The default API base URL.
pub const DEFAULT_API_BASE_URL: &str = "https://www.googleapis.com/youtube/v3";
/// The store when no database URL is configured: SQLite in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://trendtap.db";
/// The config file read when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "trendtap.toml";

const DEFAULT_CATEGORY: &str = "0";
const DEFAULT_MAX_PAGES: u32 = 4;
const DEFAULT_CONCURRENCY: u32 = 4;
const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const DEFAULT_MAX_ATTEMPTS: u32 = 4;
const DEFAULT_MAX_BACKOFF_SECS: u64 = 30;

/// A lookup in the environment (`std::env::var` in production, a map in tests).
pub type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, with empty variables treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The settings of `trendtap.toml`. Every field is optional; unknown fields are errors so that a
/// typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    regions: Option<Vec<String>>,
    categories: Option<Vec<CategoryValue>>,
    max_pages: Option<u32>,
    concurrency: Option<u32>,
    database_url: Option<String>,
    api_base_url: Option<String>,
    api_key_file: Option<PathBuf>,
    connect_timeout_secs: Option<u64>,
    timeout_secs: Option<u64>,
    max_attempts: Option<u32>,
    max_backoff_secs: Option<u64>,
    partial_response: Option<bool>,
    deadline_secs: Option<u64>,
    wait_lock_secs: Option<u64>,
}

/// A category id in the file may be written `10` or `"10"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CategoryValue {
    Int(u64),
    Str(String),
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
}

/// Where a run's pages come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The YouTube Data API.
    Api(ApiConfig),
    /// A raw archive written by `--save-raw` (`--from-raw DIR`): no key, no request.
    Archive(PathBuf),
}

/// How to talk to the YouTube Data API.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// The key.
    pub key: ApiKey,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout of one request.
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Send `fields=` so that the API returns only what trendtap uses.
    pub partial_response: bool,
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
    pub fn api(&self) -> Option<&ApiConfig> {
        match &self.source {
            Source::Api(api) => Some(api),
            Source::Archive(_) => None,
        }
    }

    /// The API settings, mutably (tests shorten timeouts and backoffs).
    pub fn api_mut(&mut self) -> Option<&mut ApiConfig> {
        match &mut self.source {
            Source::Api(api) => Some(api),
            Source::Archive(_) => None,
        }
    }
}

/// Reads the config file: `--config PATH` (which must exist), else `./trendtap.toml` if present.
pub fn load_file(
    explicit: Option<&Path>,
    cwd: &Path,
) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = cwd.join(DEFAULT_CONFIG_FILE);
            if !default.is_file() {
                return Ok((FileConfig::default(), None));
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::ReadFile {
        path: path.display().to_string(),
        source,
    })?;
    let file = parse_file(&text, &path)?;
    Ok((file, Some(path)))
}

/// Parses the TOML text of a config file; errors name the file, line and column.
pub fn parse_file(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::ParseFile {
        path: path.display().to_string(),
        message: e.to_string().trim_end().replace('\n', "\n  "),
    })
}

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
    let categories = resolve_categories(args, file, &file_origin)?;

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
    })
}

/// Resolves how to talk to the API: base URL, key, timeouts, retries.
pub fn resolve_api(
    args: &FetchArgs,
    file: &FileConfig,
    file_path: Option<&Path>,
    env: EnvFn<'_>,
) -> Result<ApiConfig, ConfigError> {
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
    .unwrap_or_else(|| (DEFAULT_API_BASE_URL.to_owned(), "default".to_owned()));
    let base_url = check_http_url(&base_url, "api_base_url", base_origin)?;

    let key = resolve_key(file, file_path, env)?;

    let secs = |flag: Option<u64>, from_file: Option<u64>, default: u64| {
        flag.or(from_file).unwrap_or(default)
    };
    let timeout = secs(args.timeout, file.timeout_secs, DEFAULT_TIMEOUT_SECS);
    let connect_timeout = secs(
        None,
        file.connect_timeout_secs,
        DEFAULT_CONNECT_TIMEOUT_SECS,
    );
    let max_backoff = secs(None, file.max_backoff_secs, DEFAULT_MAX_BACKOFF_SECS);
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
        DEFAULT_MAX_ATTEMPTS,
    );
    check_range("max_attempts", max_attempts, 1..=20, &file_origin)?;

    Ok(ApiConfig {
        base_url,
        key,
        connect_timeout: Duration::from_secs(connect_timeout),
        timeout: Duration::from_secs(timeout),
        retry: RetryPolicy {
            max_attempts,
            max_backoff: Duration::from_secs(max_backoff),
            ..RetryPolicy::default()
        },
        partial_response: file.partial_response.unwrap_or(true),
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

fn resolve_categories(
    args: &FetchArgs,
    file: &FileConfig,
    file_origin: &dyn Fn() -> String,
) -> Result<Vec<String>, ConfigError> {
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
        return Ok(Vec::new());
    } else {
        (vec![DEFAULT_CATEGORY.to_owned()], "default".to_owned())
    };
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
    Ok(categories)
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

fn invalid(setting: &'static str, origin: String, message: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        origin,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> FileConfig {
        parse_file(text, Path::new("trendtap.toml")).unwrap()
    }

    fn args(regions: &[&str]) -> FetchArgs {
        FetchArgs {
            regions: regions.iter().map(|s| s.to_string()).collect(),
            ..FetchArgs::default()
        }
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let f = file(
            r#"
            regions = ["jp"]
            database_url = "postgres://file@h/db"
            api_base_url = "http://file.example"
            concurrency = 7
            "#,
        );
        let env = env_of(&[
            ("YOUTUBE_API_KEY", "k"),
            ("DATABASE_URL", "postgres://env@h/db"),
            ("YOUTUBE_API_BASE_URL", "http://env.example/"),
        ]);

        // Flags win over everything.
        let mut a = args(&["ae"]);
        a.db.database_url = Some("postgres://flag@h/db".into());
        a.api_base_url = Some("http://flag.example".into());
        a.concurrency = Some(2);
        let c = resolve_fetch(&a, &f, None, &env).unwrap();
        assert_eq!(c.regions, ["AE"]);
        assert_eq!(
            c.database.as_ref().unwrap().url.expose(),
            "postgres://flag@h/db"
        );
        assert_eq!(c.api().unwrap().base_url, "http://flag.example");
        assert_eq!(c.concurrency, 2);

        // Without flags, the environment wins over the file.
        let c = resolve_fetch(&args(&[]), &f, None, &env).unwrap();
        assert_eq!(c.regions, ["JP"]);
        assert_eq!(
            c.database.as_ref().unwrap().url.expose(),
            "postgres://env@h/db"
        );
        assert_eq!(c.api().unwrap().base_url, "http://env.example");
        assert_eq!(c.concurrency, 7);

        // Without flags and environment, the file wins over the defaults.
        let only_key = env_of(&[("YOUTUBE_API_KEY", "k")]);
        let c = resolve_fetch(&args(&[]), &f, None, &only_key).unwrap();
        assert_eq!(
            c.database.as_ref().unwrap().url.expose(),
            "postgres://file@h/db"
        );
        assert_eq!(c.api().unwrap().base_url, "http://file.example");

        // Defaults when nothing says otherwise.
        let mut dry = args(&["us"]);
        dry.dry_run = true;
        let c = resolve_fetch(&dry, &FileConfig::default(), None, &only_key).unwrap();
        assert_eq!(c.api().unwrap().base_url, DEFAULT_API_BASE_URL);
        assert_eq!((c.max_pages, c.concurrency), (4, 4));
        assert_eq!(c.categories, ["0"]);
        assert_eq!(c.api().unwrap().timeout, Duration::from_secs(30));
        assert_eq!(c.api().unwrap().retry.max_attempts, 4);
        assert_eq!(c.dry_run, Some(Format::Json));
        assert!(c.database.is_none());
    }

    #[test]
    fn regions_are_checked_deduplicated_and_named_in_errors() {
        let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
        let mut a = args(&["ae", "AE", " us"]);
        a.dry_run = true;
        assert_eq!(
            resolve_fetch(&a, &FileConfig::default(), None, &env)
                .unwrap()
                .regions,
            ["AE", "US"]
        );

        let mut a = args(&["ae", "xx"]);
        a.dry_run = true;
        let err = resolve_fetch(&a, &FileConfig::default(), None, &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`xx`") && err.contains("--region"), "{err}");

        let err = resolve_fetch(&args(&[]), &FileConfig::default(), None, &env).unwrap_err();
        assert!(matches!(err, ConfigError::NoRegions));
    }

    #[test]
    fn categories_accept_numbers_and_strings_and_reject_others() {
        let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
        let mut a = args(&["us"]);
        a.dry_run = true;
        let f = file(r#"categories = [10, "24", "010"]"#);
        assert_eq!(
            resolve_fetch(&a, &f, None, &env).unwrap().categories,
            ["10", "24"]
        );
        a.categories = vec!["music".into()];
        let err = resolve_fetch(&a, &f, None, &env).unwrap_err().to_string();
        assert!(err.contains("`music`"), "{err}");
    }

    #[test]
    fn key_comes_from_env_or_key_file_and_is_required() {
        let dir = std::env::temp_dir().join(format!("trendtap-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("key.txt"), "AIzaFromFile\n").unwrap();
        let cfg_path = dir.join("trendtap.toml");
        let f = file(r#"api_key_file = "key.txt""#);
        let mut a = args(&["us"]);
        a.dry_run = true;

        let c = resolve_fetch(&a, &f, Some(&cfg_path), &env_of(&[])).unwrap();
        assert_eq!(c.api().unwrap().key.expose(), "AIzaFromFile");
        let c = resolve_fetch(
            &a,
            &f,
            Some(&cfg_path),
            &env_of(&[("YOUTUBE_API_KEY", "AIzaEnv")]),
        )
        .unwrap();
        assert_eq!(c.api().unwrap().key.expose(), "AIzaEnv");

        let err = resolve_fetch(&a, &FileConfig::default(), None, &env_of(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::MissingApiKey));
        let missing = file(r#"api_key_file = "nope.txt""#);
        let err = resolve_fetch(&a, &missing, Some(&cfg_path), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope.txt"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn database_defaults_to_sqlite_and_must_be_postgres_or_sqlite() {
        let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
        let c = resolve_fetch(&args(&["us"]), &FileConfig::default(), None, &env).unwrap();
        assert_eq!(
            c.database.as_ref().unwrap().url.expose(),
            "sqlite://trendtap.db"
        );
        let mut a = args(&["us"]);
        a.db.database_url = Some("mysql://root:pw@h/db".into());
        let err = resolve_fetch(&a, &FileConfig::default(), None, &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--database-url") && !err.contains("pw"),
            "{err}"
        );
    }

    #[test]
    fn file_errors_name_the_file_and_line() {
        let err = parse_file(
            "regions = [\"us\"]\nconcurency = 3\n",
            Path::new("/etc/trendtap.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("/etc/trendtap.toml")
                && err.contains("line 2")
                && err.contains("concurency"),
            "{err}"
        );
    }

    #[test]
    fn example_config_parses() {
        // The example documents every setting, so every field must be set by it.
        let text = include_str!("../config.example.toml");
        let f = parse_file(text, Path::new("config.example.toml")).unwrap();
        let debug = format!("{f:?}");
        assert!(
            !debug.contains("None"),
            "a setting is missing from config.example.toml: {debug}"
        );
    }
}
