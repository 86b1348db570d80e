//! What can go wrong with a request, and how each failure is classified: transient (retried
//! by [`super::retry`]), fatal for the whole run (quota spent, key rejected, a request every
//! chart shares refused), or specific to one chart (no chart, a broken body, any other HTTP
//! error). The retry policy and the fetch act on these classes; only this file reads statuses
//! and the API's reasons (FACTS.md section 7).

#[cfg(test)]
mod tests;

use std::time::Duration;

use reqwest::StatusCode;

use super::wire::{ErrorBody, ErrorResponse};

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
    #[error("the API rejected the key (HTTP {status}, {reason}{}): check the key (YOUTUBE_API_KEY or api_key_file) and that it may call the YouTube Data API v3", quoted(.message))]
    BadKey {
        /// 400, 401 or 403.
        status: u16,
        /// keyInvalid, API_KEY_INVALID, forbidden, accessNotConfigured, API_KEY_SERVICE_BLOCKED,
        /// or the main reason of a body whose message points at the key.
        reason: String,
        /// The API's words.
        message: String,
    },
    /// A 400 that is not about the chart or the page token, or a 401: every request shares the
    /// parameters at fault, so every other request would be refused the same way.
    #[error("the API refused the request (HTTP {status}{}{}){}", reason_suffix(.reason), quoted(.message), fields_hint(*.fields))]
    Rejected {
        /// 400 or 401.
        status: u16,
        /// The API's reason.
        reason: Option<String>,
        /// The API's words.
        message: String,
        /// The API named the `fields=` selector.
        fields: bool,
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
    /// A body (after decompression) larger than the client's cap: reading stopped there.
    #[error("HTTP {status} with a body larger than {limit} bytes (after decompression): not read further")]
    TooLarge {
        /// The status.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
    },
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_deref()
        .map(|r| format!(", {r}"))
        .unwrap_or_default()
}

fn quoted(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": \"{message}\"")
    }
}

fn fields_hint(fields: bool) -> &'static str {
    if fields {
        "; the API rejected the `fields=` selector: set `partial_response = false` in the config \
         file to fetch whole pages without it"
    } else {
        ""
    }
}

/// What a failure means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Another attempt may succeed: retried with backoff.
    Transient,
    /// Every later request would fail the same way (quota spent, key rejected, a parameter all
    /// requests share refused): stop the run.
    Run,
    /// This chart (or page) only: the other charts go on.
    Chart,
}

impl ApiError {
    /// The failure's class.
    pub fn scope(&self) -> Scope {
        match self {
            _ if self.is_transient() => Scope::Transient,
            ApiError::Quota { .. } | ApiError::BadKey { .. } | ApiError::Rejected { .. } => {
                Scope::Run
            }
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

    /// What two charts failing "with the same error" share, without what names the chart (the
    /// first bytes of each body, serde's line and column); `None` for a failure that is not
    /// one (a missing chart) or that another attempt might not repeat (transient).
    pub fn signature(&self) -> Option<String> {
        match self {
            _ if self.is_transient() => None,
            ApiError::NoChart { .. } => None,
            ApiError::Malformed { status, detail, .. } => {
                // serde's words without where they apply: "expected value", "EOF while ...".
                let what = detail.split(" at line ").next().unwrap_or(detail);
                Some(format!(
                    "HTTP {status} with a body that is not a video list ({what})"
                ))
            }
            other => Some(other.to_string()),
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Transient { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Reasons that say the key itself is refused.
const BAD_KEY: &[&str] = &[
    "keyInvalid",
    "API_KEY_INVALID",
    "accessNotConfigured",
    "API_KEY_SERVICE_BLOCKED",
    "API_KEY_HTTP_REFERRER_BLOCKED",
    "API_KEY_IP_ADDRESS_BLOCKED",
    "API_KEY_ANDROID_APP_BLOCKED",
    "API_KEY_IOS_APP_BLOCKED",
    "SERVICE_DISABLED",
    "keyExpired",
    "ipRefererBlocked",
];

/// 400 reasons about this chart or this page, not about what every request shares.
const CHART_REASONS: &[&str] = &[
    "videoChartNotFound",
    "invalidRegionCode",
    "invalidPageToken",
];

/// Classifies an HTTP error response by status and the API's reason (FACTS.md §7).
pub fn classify(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> ApiError {
    let parsed = serde_json::from_slice::<ErrorResponse>(body)
        .ok()
        .map(|r| r.error);
    let error = parsed.as_ref();
    let has = |names: &[&str]| error.is_some_and(|e| e.reasons().any(|r| names.contains(&r)));
    let reason = error.and_then(|e| e.main_reason()).map(str::to_owned);
    let code = status.as_u16();
    let message = || error.map(api_message).unwrap_or_default();

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
    let about_the_key = has(BAD_KEY)
        || (code == 403 && has(&["forbidden"]))
        || (matches!(code, 400 | 401 | 403) && error.is_some_and(points_at_the_key));
    if about_the_key {
        let reason = error
            .and_then(|e| {
                e.reasons()
                    .find(|r| BAD_KEY.contains(r))
                    .or(e.main_reason())
            })
            .unwrap_or(if code == 403 {
                "forbidden"
            } else {
                "unauthorized"
            })
            .to_owned();
        return ApiError::BadKey {
            status: code,
            reason,
            message: message(),
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
    if code == 401 || (code == 400 && !has(CHART_REASONS)) {
        return ApiError::Rejected {
            status: code,
            reason,
            message: message(),
            fields: error.is_some_and(points_at_fields),
        };
    }
    let message = match error.and_then(|e| e.message.as_deref()) {
        Some(_) => message(),
        None => format!("body starts: {:?}", body_start(body)),
    };
    ApiError::Http {
        status: code,
        reason,
        message,
    }
}

/// Whether the body's reasons, status or words are about the API key (the current 400 shape
/// may come without its `details`: badRequest, INVALID_ARGUMENT, "API key not valid").
fn points_at_the_key(error: &ErrorBody) -> bool {
    error.reasons().any(|r| r.starts_with("API_KEY"))
        || error
            .messages()
            .any(|m| m.to_ascii_lowercase().contains("api key"))
}

/// Whether the body says the `fields=` selector is at fault (legacy `location: "fields"`, a
/// field violation on `fields`, or Google's "Invalid field selection").
fn points_at_fields(error: &ErrorBody) -> bool {
    error.locations().any(|l| l == "fields")
        || error.messages().any(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("field selection")
                || m.contains("'fields'")
                || m.contains("fields parameter")
        })
}

/// The API's message as plain text: tags of its escaped HTML dropped, whitespace collapsed,
/// at most 300 characters.
fn api_message(error: &ErrorBody) -> String {
    let Some(message) = error.messages().next() else {
        return String::new();
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in message.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if in_tag || c.is_control() => {}
            c => text.push(c),
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
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
