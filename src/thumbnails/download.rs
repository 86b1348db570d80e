//! One image from the host: a GET over the run's one HTTP client (pooled connections, the API
//! client's timeouts), retried like an API request (`youtube::RetryPolicy`: 429 and 5xx,
//! timeouts and broken connections, with capped jittered backoff and Retry-After), streamed
//! chunk by chunk into a temporary file while it is hashed, and renamed into place only when
//! complete and checked: a 200, an `image/*` Content-Type, no more bytes than the cap, exactly
//! as many as Content-Length announced. 404 and 410 mean the image does not exist: not retried.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::files::{hex, TempFile};
use crate::youtube::error::{body_start, transport_error};
use crate::youtube::retry::parse_retry_after;
use crate::youtube::{ApiError, RetryPolicy};

/// How the downloader talks to the image host.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout of one request, its body included.
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// The largest image accepted, in bytes.
    pub max_bytes: u64,
}

/// What the host last said of an image, sent back to ask whether it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// Its ETag (`If-None-Match`).
    pub etag: Option<String>,
    /// Its Last-Modified (`If-Modified-Since`).
    pub last_modified: Option<DateTime<Utc>>,
}

/// A downloaded image, in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The Content-Type the host sent.
    pub content_type: String,
    /// What the host says of it now.
    pub validators: Validators,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    /// 200: the image, written to its final path.
    Image(Image),
    /// 304 to a revalidation: the file in place is current.
    NotModified(Validators),
}

/// Why an image could not be had.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// 404 or 410: the host has no such image.
    #[error("HTTP {status}: the image host has no such image")]
    Missing {
        /// The status.
        status: u16,
    },
    /// Another status than 200 (and 304 to a revalidation).
    #[error("HTTP {status}")]
    Status {
        /// The status.
        status: u16,
        /// The host's Retry-After.
        retry_after: Option<Duration>,
    },
    /// No complete HTTP answer: connection refused or reset, timeout, body cut short.
    #[error("{0}")]
    Transport(ApiError),
    /// A 200 whose body is not an image (an HTML error page, a captive portal).
    #[error(
        "HTTP 200 with Content-Type {content_type:?}, not an image; body starts: {body_start:?}"
    )]
    NotAnImage {
        /// The Content-Type sent, if any.
        content_type: String,
        /// The first bytes of the body.
        body_start: String,
    },
    /// More bytes than the cap (announced, or received).
    #[error("the image is larger than the {limit}-byte cap ({what})")]
    TooLarge {
        /// The cap.
        limit: u64,
        /// "Content-Length: N" or "more received".
        what: String,
    },
    /// The body ended before the length that Content-Length announced.
    #[error("body cut short: {received} of the {expected} bytes announced by Content-Length")]
    CutShort {
        /// Bytes received.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// The file could not be written.
    #[error("cannot write the image: {0}")]
    Io(#[from] std::io::Error),
    /// A bug: the download's task panicked.
    #[error("internal error (the download's task panicked: {0})")]
    Internal(String),
}

impl DownloadError {
    /// Whether another attempt may succeed: the API client's classes (429 and 5xx, transport
    /// failures it retries), and a body cut short.
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Status { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            DownloadError::Transport(err) => err.is_transient(),
            DownloadError::CutShort { .. } => true,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            DownloadError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The image host client of a run: one `reqwest::Client` (its connection pool is shared by
/// every download), the retry policy, the size cap, and the folder for temporary files.
#[derive(Debug)]
pub struct Downloader {
    http: reqwest::Client,
    settings: HttpSettings,
    requests: AtomicU64,
}

impl Downloader {
    /// Builds the client.
    pub fn new(settings: HttpSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("trendtap/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Downloader {
            http,
            settings,
            requests: AtomicU64::new(0),
        })
    }

    /// Requests sent so far, retries included.
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Fetches `url` into `dest` (through a temporary file in `tmp_dir`), retrying transient
    /// failures per the policy; with `validators`, asks whether the image changed first. No
    /// attempt starts once `halt` is cancelled; a backoff wait ends early then. Returns the
    /// outcome and the attempts made.
    pub async fn fetch(
        &self,
        url: &str,
        dest: &Path,
        tmp_dir: &Path,
        validators: Option<&Validators>,
        halt: &CancellationToken,
    ) -> (Result<Got, DownloadError>, u32) {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let err = match self.attempt(url, dest, tmp_dir, validators).await {
                Ok(got) => return (Ok(got), attempts),
                Err(err) => err,
            };
            if !err.is_transient() || attempts >= self.settings.retry.max_attempts {
                return (Err(err), attempts);
            }
            let wait = self.settings.retry.delay(attempts, err.retry_after());
            tracing::debug!(url, attempt = attempts, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = halt.cancelled() => return (Err(err), attempts),
            }
        }
    }

    /// One request: its answer classified, its body streamed into place.
    async fn attempt(
        &self,
        url: &str,
        dest: &Path,
        tmp_dir: &Path,
        validators: Option<&Validators>,
    ) -> Result<Got, DownloadError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(at) = v.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, http_date(at));
            }
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match status {
            200 => {}
            304 if validators.is_some() => return Ok(Got::NotModified(validators_of(&headers))),
            404 | 410 => return Err(DownloadError::Missing { status }),
            _ => {
                let retry_after = text(&headers, header::RETRY_AFTER)
                    .and_then(|v| parse_retry_after(&v, Utc::now()));
                return Err(DownloadError::Status {
                    status,
                    retry_after,
                });
            }
        }
        let content_type = text(&headers, header::CONTENT_TYPE).unwrap_or_default();
        if !content_type.to_ascii_lowercase().starts_with("image/") {
            let first = response.chunk().await.ok().flatten().unwrap_or_default();
            return Err(DownloadError::NotAnImage {
                content_type,
                body_start: body_start(&first),
            });
        }
        let limit = self.settings.max_bytes;
        let expected = response.content_length();
        if let Some(length) = expected.filter(|&n| n > limit) {
            return Err(DownloadError::TooLarge {
                limit,
                what: format!("Content-Length: {length}"),
            });
        }
        let (bytes, sha256) = self.stream(response, dest, tmp_dir, expected).await?;
        Ok(Got::Image(Image {
            bytes,
            sha256,
            content_type,
            validators: validators_of(&headers),
        }))
    }

    /// Writes the body to a temporary file in `tmp_dir` chunk by chunk, hashed on the way
    /// (never whole in memory), and renames it to `dest` once complete: no more than the cap,
    /// exactly the announced length. Returns its size and hex SHA-256.
    async fn stream(
        &self,
        mut response: reqwest::Response,
        dest: &Path,
        tmp_dir: &Path,
        expected: Option<u64>,
    ) -> Result<(u64, String), DownloadError> {
        let limit = self.settings.max_bytes;
        let mut file = TempFile::create(tmp_dir)?;
        let mut hasher = Sha256::new();
        let mut received: u64 = 0;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                // The connection ended before the announced length (a timeout stays a timeout).
                Err(err) if !err.is_timeout() && expected.is_some_and(|n| received < n) => {
                    return Err(DownloadError::CutShort {
                        received,
                        expected: expected.unwrap_or_default(),
                    })
                }
                Err(err) => return Err(transport(err)),
            };
            received += chunk.len() as u64;
            if received > limit {
                return Err(DownloadError::TooLarge {
                    limit,
                    what: "more received".to_owned(),
                });
            }
            hasher.update(&chunk);
            file.write(&chunk).await?;
        }
        if let Some(expected) = expected.filter(|&n| n != received) {
            return Err(DownloadError::CutShort { received, expected });
        }
        file.commit(dest).await?;
        Ok((received, hex(&hasher.finalize())))
    }
}

/// reqwest's error without the URL, classified as the API client classifies it.
fn transport(err: reqwest::Error) -> DownloadError {
    DownloadError::Transport(transport_error(err))
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

fn validators_of(headers: &HeaderMap) -> Validators {
    Validators {
        etag: text(headers, header::ETAG),
        last_modified: text(headers, header::LAST_MODIFIED)
            .and_then(|v| DateTime::parse_from_rfc2822(&v).ok())
            .map(|t| t.to_utc()),
    }
}

/// An HTTP date (IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retried_like_an_api_request_and_404_is_not() {
        let status = |status| DownloadError::Status {
            status,
            retry_after: None,
        };
        for s in [429, 500, 502, 503, 504] {
            assert!(status(s).is_transient(), "{s}");
        }
        for s in [400, 401, 403, 418] {
            assert!(!status(s).is_transient(), "{s}");
        }
        assert!(!DownloadError::Missing { status: 404 }.is_transient());
        assert!(DownloadError::CutShort {
            received: 1,
            expected: 2
        }
        .is_transient());
        let html = DownloadError::NotAnImage {
            content_type: "text/html".into(),
            body_start: "<html>".into(),
        };
        assert!(!html.is_transient());
    }

    #[test]
    fn http_dates_round_trip() {
        let at = DateTime::parse_from_rfc3339("1994-11-06T08:49:37Z")
            .unwrap()
            .to_utc();
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
        let mut headers = HeaderMap::new();
        headers.insert(header::LAST_MODIFIED, http_date(at).parse().unwrap());
        headers.insert(header::ETAG, "\"abc\"".parse().unwrap());
        let v = validators_of(&headers);
        assert_eq!(v.last_modified, Some(at));
        assert_eq!(v.etag.as_deref(), Some("\"abc\""));
    }
}
