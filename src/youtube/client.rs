//! The HTTP client: one `reqwest::Client` for the run (connection reuse, gzip), one videos.list
//! page per call, every failure classified into an [`ApiError`], transient ones retried.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;

use super::error::{body_start, classify, transport_error, ApiError};
use super::retry::{parse_retry_after, RetryPolicy};
use super::settings::ClientSettings;
use super::wire::{VideoCategory, VideoCategoryListResponse, VideoListResponse};
use crate::secret::ApiKey;

/// The parts requested for every chart page.
pub const PARTS: &str = "snippet,contentDetails,statistics";
/// The partial-response selector (`fields=`) with `$description` (empty, or `description,`)
/// among the snippet's fields.
macro_rules! fields {
    ($description:literal) => {
        concat!(
            "nextPageToken,pageInfo,items(id,snippet(publishedAt,channelId,title,",
            $description,
            "channelTitle,tags,categoryId,liveBroadcastContent,defaultLanguage,defaultAudioLanguage,",
            "thumbnails(maxres/url,standard/url,high/url,medium/url,default/url)),",
            "contentDetails(duration,definition,caption,licensedContent,contentRating/ytRating,regionRestriction),",
            "statistics(viewCount,likeCount,commentCount))"
        )
    };
}

/// The partial-response selector (`fields=`): exactly what normalization reads, plus the
/// paging fields. It shrinks a page several times over (BENCHMARKS.md); it is sent unless
/// `partial_response = false`.
pub const FIELDS: &str = fields!("");

/// [`FIELDS`] with `snippet.description`, sent when descriptions are collected
/// (`descriptions = true`, `fetch --descriptions`).
pub const FIELDS_WITH_DESCRIPTION: &str = fields!("description,");

/// The selector for a run that does or does not collect descriptions.
pub fn fields(descriptions: bool) -> &'static str {
    if descriptions {
        FIELDS_WITH_DESCRIPTION
    } else {
        FIELDS
    }
}

/// Videos per page, the API's maximum.
pub const PAGE_SIZE: u32 = 50;

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

/// A videos.list body (of a 2xx answer with status `status`) as a page, or the typed error of
/// a body that is not one: whatever the bytes, never a panic.
pub fn parse_page(status: u16, body: bytes::Bytes) -> Result<Page, ApiError> {
    match serde_json::from_slice::<VideoListResponse>(&body) {
        Ok(response) => Ok(Page { response, body }),
        Err(e) => Err(ApiError::Malformed {
            status,
            detail: e.to_string(),
            body_start: body_start(&body),
        }),
    }
}

/// The YouTube Data API client for one run.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    key: ApiKey,
    retry: RetryPolicy,
    partial_response: bool,
    max_body_bytes: usize,
    descriptions: bool,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Client {
    /// Builds the client (timeouts, gzip, a User-Agent containing "gzip" as Google asks).
    pub fn new(cfg: &ClientSettings) -> Result<Self, String> {
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
            max_body_bytes: cfg.max_body_bytes,
            descriptions: cfg.descriptions,
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
        let (result, attempts) = self
            .retrying(region, category, halt, || {
                self.attempt(region, category, page_token)
            })
            .await;
        Fetched { result, attempts }
    }

    /// The videos with these ids (videos.list `id=`, at most [`PAGE_SIZE`] ids, 1 unit), with the
    /// same parts and `fields=` as a chart page, retried like one. Ids the API no longer has
    /// are simply absent from the answer.
    pub async fn videos_by_id(&self, ids: &[String], halt: &CancellationToken) -> Fetched {
        assert!(ids.len() <= PAGE_SIZE as usize, "at most 50 ids a request");
        let joined = ids.join(",");
        let (result, attempts) = self
            .retrying("-", "by id", halt, || async {
                let mut query: Vec<(&str, &str)> =
                    vec![("part", PARTS), ("id", &joined), ("prettyPrint", "false")];
                if self.partial_response {
                    query.push(("fields", fields(self.descriptions)));
                }
                let (status, body) = self.get("videos", &query).await?;
                parse_page(status, body)
            })
            .await;
        Fetched { result, attempts }
    }

    /// The categories of `region` (videoCategories.list, `hl=en_US` titles, 1 unit), retried
    /// like a chart page; returns them with the attempts made.
    pub async fn video_categories(
        &self,
        region: &str,
        halt: &CancellationToken,
    ) -> (Result<Vec<VideoCategory>, ApiError>, u32) {
        let query = [
            ("part", "snippet"),
            ("regionCode", region),
            ("hl", "en_US"),
            ("prettyPrint", "false"),
        ];
        self.retrying(region, "categories", halt, || async {
            let (status, body) = self.get("videoCategories", &query).await?;
            serde_json::from_slice::<VideoCategoryListResponse>(&body)
                .map(|r| r.items)
                .map_err(|e| ApiError::Malformed {
                    status,
                    detail: e.to_string(),
                    body_start: body_start(&body),
                })
        })
        .await
    }

    /// Runs `attempt` until it succeeds, fails for good, runs out of attempts, or `halt` is
    /// cancelled; transient failures wait out the policy's backoff. Returns the last result and
    /// the attempts made (each one a request, each one a quota unit).
    async fn retrying<T, F, Fut>(
        &self,
        region: &str,
        what: &str,
        halt: &CancellationToken,
        mut attempt: F,
    ) -> (Result<T, ApiError>, u32)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let err = match attempt().await {
                Ok(value) => return (Ok(value), attempts),
                Err(err) => err,
            };
            if !err.is_transient() || attempts >= self.retry.max_attempts {
                return (Err(err), attempts);
            }
            let wait = self.retry.delay(attempts, err.retry_after());
            tracing::warn!(region, category = what, attempt = attempts, wait_ms = wait.as_millis() as u64, error = %err, "retrying");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = halt.cancelled() => return (Err(err), attempts),
            }
            if halt.is_cancelled() {
                return (Err(err), attempts);
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
            query.push(("fields", fields(self.descriptions)));
        }
        let (status, body) = self.get("videos", &query).await?;
        parse_page(status, body)
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
        // An error body is read only as far as its classification needs.
        let limit = if status.is_success() {
            self.max_body_bytes
        } else {
            self.max_body_bytes.min(ERROR_BODY_BYTES)
        };
        let (body, whole) = read_body(response, limit, &self.bytes).await?;
        if !status.is_success() {
            return Err(classify(status, &body, retry_after));
        }
        if !whole {
            return Err(ApiError::TooLarge {
                status: status.as_u16(),
                limit,
            });
        }
        Ok((status.as_u16(), body))
    }
}

/// How much of an error body is read: API errors are a few hundred bytes.
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// Reads a body (decompressed, as reqwest hands it over) chunk by chunk, up to `limit` bytes:
/// returns what was read and whether that is the whole body. Reading stops at the limit, so a
/// gzip bomb or a runaway body is never held in memory; `received` counts the bytes read.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    received: &AtomicU64,
) -> Result<(bytes::Bytes, bool), ApiError> {
    let expected = response.content_length().unwrap_or(0);
    let mut body = bytes::BytesMut::with_capacity(expected.min(limit as u64) as usize);
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        received.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.freeze(), false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), true))
}
