//! What can go wrong with a request, and how each failure is classified: transient (retried
//! by [`super::retry`]), fatal for the whole run (quota spent, key rejected), or specific to one
//! chart (no chart, a broken body, any other HTTP error). The retry policy and the fetch act on
//! these classes; only this file reads statuses and the API's reasons (FACTS.md section 7).

use std::time::Duration;

use reqwest::StatusCode;

use super::wire::ErrorResponse;

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

/// What a failure means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Another attempt may succeed: retried with backoff.
    Transient,
    /// Every later request would fail the same way (quota spent, key rejected): stop the run.
    Run,
    /// This chart (or page) only: the other charts go on.
    Chart,
}

impl ApiError {
    /// The failure's class.
    pub fn scope(&self) -> Scope {
        match self {
            _ if self.is_transient() => Scope::Transient,
            ApiError::Quota { .. } | ApiError::BadKey { .. } => Scope::Run,
            _ => Scope::Chart,
        }
    }

    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Transient { .. } => true,
            ApiError::Transport { retryable, .. } => *retryable,
            _ => false,
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Transient { retry_after, .. } => *retry_after,
            _ => None,
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

pub(crate) fn transport_error(err: reqwest::Error) -> ApiError {
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
pub(crate) fn body_start(body: &[u8]) -> String {
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
