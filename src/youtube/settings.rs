//! How to talk to the API: base URL, key, timeouts, retries, `fields=`. The defaults of these
//! settings are defined here, once; `config` resolves flags, environment and file over them.

use std::time::Duration;

use super::retry::RetryPolicy;
use crate::secret::ApiKey;

/// The API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://www.googleapis.com/youtube/v3";
/// TCP/TLS connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Total timeout of one request, the body included: a body that trickles forever is cut by it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body read, after decompression: a real page is a few hundred
/// kilobytes at most, so a larger one (a gzip bomb, a runaway proxy) fails its chart without
/// being held in memory.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Everything [`super::Client::new`] needs.
#[derive(Debug, Clone)]
pub struct ClientSettings {
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
    /// The largest response body read, after decompression.
    pub max_body_bytes: usize,
    /// Request (and so store) `snippet.description` (`descriptions = true`).
    pub descriptions: bool,
}

impl ClientSettings {
    /// The defaults, with `key`.
    pub fn new(key: ApiKey) -> Self {
        ClientSettings {
            base_url: DEFAULT_BASE_URL.to_owned(),
            key,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::DEFAULT,
            partial_response: true,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            descriptions: false,
        }
    }
}
