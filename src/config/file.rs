//! The config file (`trendtap.toml`): found, read and checked, nothing more. Every field is
//! optional; an unknown one is an error naming the file and line. What the settings mean and
//! their precedence over flags and environment is [`super::resolve`]'s business.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::ConfigError;

/// The config file read when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "trendtap.toml";

/// The settings of `trendtap.toml`. Every field is optional; unknown fields are errors so that a
/// typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub(crate) regions: Option<Vec<String>>,
    pub(crate) categories: Option<Vec<CategoryValue>>,
    pub(crate) max_pages: Option<u32>,
    pub(crate) concurrency: Option<u32>,
    pub(crate) database_url: Option<String>,
    pub(crate) api_base_url: Option<String>,
    pub(crate) api_key_file: Option<PathBuf>,
    pub(crate) connect_timeout_secs: Option<u64>,
    pub(crate) timeout_secs: Option<u64>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) max_backoff_secs: Option<u64>,
    pub(crate) partial_response: Option<bool>,
    pub(crate) descriptions: Option<bool>,
    pub(crate) deadline_secs: Option<u64>,
    pub(crate) wait_lock_secs: Option<u64>,
    pub(crate) daily_quota: Option<u64>,
    pub(crate) quota_reserve: Option<u64>,
    pub(crate) no_chart_skip_days: Option<u32>,
    pub(crate) metrics_file: Option<PathBuf>,
}

/// A category id in the file may be written `10` or `"10"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum CategoryValue {
    Int(u64),
    Str(String),
}

/// A config file as read, with where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Its settings (all unset when there is no file).
    pub file: FileConfig,
    /// Its path, when there is one.
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Reads `--config PATH` (which must exist), else `./trendtap.toml` if present.
    pub fn read(explicit: Option<&Path>, cwd: &Path) -> Result<Self, ConfigError> {
        let (file, path) = load_file(explicit, cwd)?;
        Ok(Loaded { file, path })
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
