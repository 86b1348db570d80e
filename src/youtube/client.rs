//! The HTTP client: one `reqwest::Client` for the run (connection reuse, gzip), one videos.list
//! page per call, every failure classified into an [`ApiError`], transient ones retried.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use tokio_util::sync::CancellationToken;

use super::retry::{parse_retry_after, RetryPolicy};
use super::wire::{ErrorResponse, VideoListResponse};
use crate::config::ApiConfig;
use crate::secret::ApiKey;

/// The parts requested for every chart page.
pub const PARTS: &str = "snippet,contentDetails,statistics";
/// The partial-response selector (`fields=`): exactly what normalization reads, plus the
/// paging fields. It shrinks a page several times over (BENCHMARKS.md); it is sent unless
/// `partial_response = false`.
pub const FIELDS: &str = "nextPageToken,pageInfo,items(id,snippet(publishedAt,channelId,title,channelTitle,tags,\
categoryId,liveBroadcastContent,defaultLanguage,defaultAudioLanguage,\
thumbnails(maxres/url,standard/url,high/url,medium/url,default/url)),\
contentDetails(duration,definition,caption,licensedContent,contentRating/ytRating,regionRestriction),\
statistics(viewCount,likeCount,commentCount))";

/// Videos per page, the API's maximum.
pub const PAGE_SIZE: u32 = 50;

/// Why a page could not be had. Messages never include the request URL (it carries the key).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400 videoChartNotFound, or 404: this region has no chart for this category.
    #[error("no chart for this region and category (HTTP {status}{})", reason_suffix(.reason))]
    NoChart {
        /// 400 or 404.
        status: u16,
        /// The API's reason.
        reason: Option<String>,
    },
    /// 403 quotaExceeded or dailyLimitExceeded: the day's quota is spent.
    #[error("the daily quota is exhausted (HTTP {status}, {reason})")]
    Quota {
        /// 403.
        status: u16,
        /// quotaExceeded or dailyLimitExceeded.
        reason: String,
    },
    /// The API rejected the key (invalid, blocked, API not enabled).
    #[error("the API rejected the key (HTTP {status}, {reason}): check YOUTUBE_API_KEY / api_key_file and the key's API restrictions")]
    BadKey {
        /// 400 or 403.
        status: u16,
        /// keyInvalid, API_KEY_INVALID, forbidden, accessNotConfigured, API_KEY_SERVICE_BLOCKED.
        reason: String,
    },
    /// A status worth retrying: 429, 500, 502, 503, 504, or a 403 rate limit.
    #[error("HTTP {status}{}", reason_suffix(.reason))]
    Transient {
        /// The status.
        status: u16,
        /// The API's reason, if the body had one.
        reason: Option<String>,
        /// The server's Retry-After.
        retry_after: Option<Duration>,
    },
    /// Any other HTTP error: fatal for this chart.
    #[error("HTTP {status}{}: {message}", reason_suffix(.reason))]
    Http {
        /// The status.
        status: u16,
        /// The API's reason.
        reason: Option<String>,
        /// The API's message, or the first bytes of a body that was not an API error.
        message: String,
    },
    /// No HTTP response: connection refused or reset, timeout, truncated body.
    #[error("{kind}: {message}")]
    Transport {
        /// "timeout", "connection error" or "body error".
        kind: &'static str,
        /// reqwest's message, without the URL.
        message: String,
        /// Worth retrying.
        retryable: bool,
    },
    /// HTTP 2xx with a body that is not a videoListResponse.
    #[error("HTTP {status} with a body that is not a video list ({detail}); body starts: {body_start:?}")]
    Malformed {
        /// The status.
        status: u16,
        /// serde_json's message.
        detail: String,
        /// The first bytes of the body.
        body_start: String,
    },
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_deref()
        .map(|r| format!(", {r}"))
        .unwrap_or_default()
}

impl ApiError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Transient { .. } => true,
            ApiError::Transport { retryable, .. } => *retryable,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Transient { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// One page of a chart.
#[derive(Debug)]
pub struct Page {
    /// The parsed response.
    pub response: VideoListResponse,
    /// The body as received (after HTTP decompression), for the raw archive.
    pub body: bytes::Bytes,
}

/// A page request's outcome, with the attempts it took.
#[derive(Debug)]
pub struct Fetched {
    /// The page, or the last error.
    pub result: Result<Page, ApiError>,
    /// Requests sent for this page.
    pub attempts: u32,
}

/// The YouTube Data API client for one run.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    key: ApiKey,
    retry: RetryPolicy,
    partial_response: bool,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Client {
    /// Builds the client (timeouts, gzip, a User-Agent containing "gzip" as Google asks).
    pub fn new(cfg: &ApiConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("trendtap/", env!("CARGO_PKG_VERSION"), " (gzip)"))
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Client {
            http,
            base_url: cfg.base_url.clone(),
            key: cfg.key.clone(),
            retry: cfg.retry,
            partial_response: cfg.partial_response,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// Requests sent so far (each attempt counts: each costs a quota unit).
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Response bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// One chart page, retrying transient failures per the policy. No attempt starts once `halt`
    /// is cancelled (quota spent, key rejected, signal, deadline); a backoff wait ends early then.
    pub async fn chart_page(
        &self,
        region: &str,
        category: &str,
        page_token: Option<&str>,
        halt: &CancellationToken,
    ) -> Fetched {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self.attempt(region, category, page_token).await;
            let err = match result {
                Ok(page) => {
                    return Fetched {
                        result: Ok(page),
                        attempts,
                    }
                }
                Err(err) => err,
            };
            if !err.is_transient() || attempts >= self.retry.max_attempts {
                return Fetched {
                    result: Err(err),
                    attempts,
                };
            }
            let wait = self.retry.delay(attempts, err.retry_after());
            tracing::warn!(region, category, attempt = attempts, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = halt.cancelled() => return Fetched { result: Err(err), attempts },
            }
            if halt.is_cancelled() {
                return Fetched {
                    result: Err(err),
                    attempts,
                };
            }
        }
    }

    /// One request, classified.
    async fn attempt(
        &self,
        region: &str,
        category: &str,
        page_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let max_results = PAGE_SIZE.to_string();
        let mut query: Vec<(&str, &str)> = vec![
            ("part", PARTS),
            ("chart", "mostPopular"),
            ("regionCode", region),
            ("videoCategoryId", category),
            ("maxResults", &max_results),
            ("prettyPrint", "false"),
        ];
        if let Some(token) = page_token {
            query.push(("pageToken", token));
        }
        if self.partial_response {
            query.push(("fields", FIELDS));
        }
        let (status, body) = self.get("videos", &query).await?;
        match serde_json::from_slice::<VideoListResponse>(&body) {
            Ok(response) => Ok(Page { response, body }),
            Err(e) => Err(ApiError::Malformed {
                status,
                detail: e.to_string(),
                body_start: body_start(&body),
            }),
        }
    }

    /// Checks the key with the cheapest call there is (i18nRegions.list, 1 quota unit, no
    /// retry); returns how many regions the API lists.
    pub async fn check_key(&self) -> Result<usize, ApiError> {
        let (status, body) = self
            .get("i18nRegions", &[("part", "snippet"), ("hl", "en_US")])
            .await?;
        #[derive(serde::Deserialize)]
        struct Regions {
            items: Vec<serde::de::IgnoredAny>,
        }
        serde_json::from_slice::<Regions>(&body)
            .map(|r| r.items.len())
            .map_err(|e| ApiError::Malformed {
                status,
                detail: e.to_string(),
                body_start: body_start(&body),
            })
    }

    /// One GET of `base/path?query&key=...`: the body of a 2xx answer, or the classified error.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<(u16, bytes::Bytes), ApiError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .get(format!("{}/{path}", self.base_url))
            .query(query)
            .query(&[("key", self.key.expose())])
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let body = response.bytes().await.map_err(transport_error)?;
        self.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        if status.is_success() {
            Ok((status.as_u16(), body))
        } else {
            Err(classify(status, &body, retry_after))
        }
    }
}

/// Classifies an HTTP error response by status and the API's reason (FACTS.md §7).
pub fn classify(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> ApiError {
    let parsed = serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .map(|r| r.error);
    let has = |names: &[&str]| {
        parsed
            .as_ref()
            .is_some_and(|e| e.reasons().any(|r| names.contains(&r)))
    };
    let reason = parsed
        .as_ref()
        .and_then(|e| e.main_reason())
        .map(str::to_owned);
    let code = status.as_u16();

    if has(&["quotaExceeded", "dailyLimitExceeded"]) {
        let reason = if has(&["quotaExceeded"]) {
            "quotaExceeded"
        } else {
            "dailyLimitExceeded"
        };
        return ApiError::Quota {
            status: code,
            reason: reason.to_owned(),
        };
    }
    const BAD_KEY: &[&str] = &[
        "keyInvalid",
        "API_KEY_INVALID",
        "accessNotConfigured",
        "API_KEY_SERVICE_BLOCKED",
        "keyExpired",
        "ipRefererBlocked",
    ];
    if has(BAD_KEY) || (code == 403 && has(&["forbidden"])) {
        let reason = parsed
            .as_ref()
            .and_then(|e| {
                e.reasons()
                    .find(|r| BAD_KEY.contains(r))
                    .or(e.main_reason())
            })
            .unwrap_or("forbidden")
            .to_owned();
        return ApiError::BadKey {
            status: code,
            reason,
        };
    }
    if code == 404 || has(&["videoChartNotFound"]) {
        return ApiError::NoChart {
            status: code,
            reason,
        };
    }
    let rate_limited = has(&[
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "RATE_LIMIT_EXCEEDED",
    ]);
    if matches!(code, 429 | 500 | 502 | 503 | 504) || rate_limited {
        return ApiError::Transient {
            status: code,
            reason,
            retry_after,
        };
    }
    let message = match parsed.as_ref().and_then(|e| e.message.clone()) {
        Some(m) => m,
        None => format!("body starts: {:?}", body_start(body)),
    };
    ApiError::Http {
        status: code,
        reason,
        message,
    }
}

fn transport_error(err: reqwest::Error) -> ApiError {
    // The URL holds the key: drop it from the error before anything can print it.
    let (kind, retryable) = if err.is_timeout() {
        ("timeout", true)
    } else if err.is_connect() {
        ("connection error", true)
    } else if err.is_body() || err.is_decode() || err.is_request() {
        ("body error", true)
    } else {
        ("request error", false)
    };
    let mut causes = String::new();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        causes.push_str(": ");
        causes.push_str(&s.to_string());
        source = s.source();
    }
    let message = format!("{}{causes}", err.without_url());
    ApiError::Transport {
        kind,
        message,
        retryable,
    }
}

/// The first bytes of a body, as text, for error messages.
fn body_start(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.len() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: u16, body: &str) -> ApiError {
        classify(StatusCode::from_u16(status).unwrap(), body.as_bytes(), None)
    }

    fn body(status: u16, reason: &str) -> String {
        format!(
            r#"{{"error":{{"code":{status},"message":"m","errors":[{{"reason":"{reason}","domain":"d"}}]}}}}"#
        )
    }

    #[test]
    fn recorded_error_bodies_are_classified() {
        let quota = include_str!("../../tests/data/errors/quotaExceeded_403.json");
        assert!(matches!(c(403, quota), ApiError::Quota { .. }));
        let blocked =
            include_str!("../../tests/data/errors/forbidden_API_KEY_SERVICE_BLOCKED_403.json");
        assert!(
            matches!(c(403, blocked), ApiError::BadKey { ref reason, .. } if reason == "API_KEY_SERVICE_BLOCKED")
        );
        let legacy = include_str!("../../tests/data/errors/keyInvalid_400_legacy.json");
        assert!(
            matches!(c(400, legacy), ApiError::BadKey { ref reason, .. } if reason == "keyInvalid")
        );
        let current = include_str!("../../tests/data/errors/apiKeyInvalid_400_current_shape.json");
        assert!(
            matches!(c(400, current), ApiError::BadKey { ref reason, .. } if reason == "API_KEY_INVALID")
        );
    }

    #[test]
    fn retry_classification() {
        for status in [429, 500, 502, 503, 504] {
            assert!(c(status, "<html>oops</html>").is_transient(), "{status}");
        }
        assert!(c(403, &body(403, "rateLimitExceeded")).is_transient());
        assert!(c(403, &body(403, "userRateLimitExceeded")).is_transient());
        assert!(!c(403, &body(403, "quotaExceeded")).is_transient());
        assert!(!c(400, &body(400, "invalidPageToken")).is_transient());
        assert!(!c(401, "").is_transient());
        assert!(matches!(
            c(403, &body(403, "dailyLimitExceeded")),
            ApiError::Quota { .. }
        ));
        assert!(matches!(
            c(403, &body(403, "accessNotConfigured")),
            ApiError::BadKey { .. }
        ));
    }

    #[test]
    fn missing_charts_are_not_failures() {
        assert!(matches!(
            c(400, &body(400, "videoChartNotFound")),
            ApiError::NoChart { status: 400, .. }
        ));
        assert!(matches!(
            c(404, &body(404, "notFound")),
            ApiError::NoChart { status: 404, .. }
        ));
    }

    #[test]
    fn other_errors_keep_status_reason_and_body() {
        let err = c(400, &body(400, "invalidFilters")).to_string();
        assert!(
            err.contains("HTTP 400") && err.contains("invalidFilters"),
            "{err}"
        );
        let err = c(418, "<!DOCTYPE html><title>teapot</title>").to_string();
        assert!(
            err.contains("HTTP 418") && err.contains("<!DOCTYPE html>"),
            "{err}"
        );
    }
}
