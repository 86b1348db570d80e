//! Wire types: serde mirrors of the videos.list JSON, as the API really sends it
//! (see `shared/youtube-api/FACTS.md` §5 and §7). Counts are strings and may be absent, `caption`
//! is a string, optional parts are optional, unknown fields are ignored. These types never leave
//! the `youtube` and `normalize` modules.

use serde::Deserialize;
use serde_json::value::RawValue;

/// A `youtube#videoListResponse` page. Items stay raw so that one malformed item cannot sink the
/// page: each is parsed on its own by [`VideoListResponse::videos`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoListResponse {
    /// The items, unparsed.
    #[serde(default)]
    pub items: Vec<Box<RawValue>>,
    /// The token of the next page; absent on the last page.
    pub next_page_token: Option<String>,
    /// Informational totals.
    pub page_info: Option<PageInfo>,
}

impl VideoListResponse {
    /// Each item parsed as a [`Video`], or the parse error of that item (kept in position, so
    /// that ranks stay those of the chart).
    pub fn videos(&self) -> impl Iterator<Item = Result<Video, serde_json::Error>> + '_ {
        self.items.iter().map(|raw| serde_json::from_str(raw.get()))
    }
}

/// A `youtube#videoCategoryListResponse` (videoCategories.list).
#[derive(Debug, Deserialize)]
pub struct VideoCategoryListResponse {
    /// The region's categories.
    #[serde(default)]
    pub items: Vec<VideoCategory>,
}

/// One `youtube#videoCategory`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct VideoCategory {
    /// The id (`"10"`).
    pub id: String,
    /// Its title and whether videos can be assigned to it.
    #[serde(default)]
    pub snippet: CategorySnippet,
}

/// A category's `snippet`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct CategorySnippet {
    /// The title in the request's `hl` language.
    #[serde(default)]
    pub title: String,
    /// Whether videos can be assigned to it (only those have charts).
    #[serde(default)]
    pub assignable: bool,
}

/// `pageInfo`.
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Videos in the chart (at most 200 observed).
    pub total_results: Option<i64>,
    /// Videos per page.
    pub results_per_page: Option<i64>,
}

/// A `youtube#video` resource.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// The video id.
    pub id: Option<String>,
    /// `snippet` part.
    pub snippet: Option<Snippet>,
    /// `contentDetails` part.
    pub content_details: Option<ContentDetails>,
    /// `statistics` part.
    pub statistics: Option<Statistics>,
}

/// `snippet`.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Snippet {
    /// RFC 3339, with or without fractional seconds.
    pub published_at: Option<String>,
    /// The channel id.
    pub channel_id: Option<String>,
    /// The title, as uploaded (may carry BiDi marks, may be NFD).
    pub title: Option<String>,
    /// The channel's title.
    pub channel_title: Option<String>,
    /// Tags; often absent.
    pub tags: Option<Vec<String>>,
    /// The description; requested only with `descriptions = true` (`fetch --descriptions`).
    pub description: Option<String>,
    /// The category id, a string such as `"24"`.
    pub category_id: Option<String>,
    /// `none`, `upcoming`, `live` or `completed`.
    pub live_broadcast_content: Option<String>,
    /// Language of the title and description (BCP-47).
    pub default_language: Option<String>,
    /// Language of the audio (BCP-47).
    pub default_audio_language: Option<String>,
    /// Thumbnails by size.
    pub thumbnails: Option<Thumbnails>,
}

/// `snippet.thumbnails`: `standard` and `maxres` are often missing.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct Thumbnails {
    /// 120x90.
    pub default: Option<Thumbnail>,
    /// 320x180.
    pub medium: Option<Thumbnail>,
    /// 480x360.
    pub high: Option<Thumbnail>,
    /// 640x480.
    pub standard: Option<Thumbnail>,
    /// 1280x720.
    pub maxres: Option<Thumbnail>,
}

/// One thumbnail.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct Thumbnail {
    /// Its URL.
    pub url: Option<String>,
}

/// `statistics`: every count is a decimal string, and any may be absent (hidden likes, comments
/// turned off, no dislikes since 2021).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    /// Views.
    pub view_count: Option<Count>,
    /// Likes; absent when hidden.
    pub like_count: Option<Count>,
    /// Comments; absent when comments are off.
    pub comment_count: Option<Count>,
}

/// A count as sent: a string per the discovery document, tolerated as a number too.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum Count {
    /// `"12345"`.
    Text(String),
    /// `12345`.
    Number(u64),
}

/// `contentDetails`.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ContentDetails {
    /// ISO 8601 duration, e.g. `PT1H8M25S`.
    pub duration: Option<String>,
    /// `sd` or `hd`.
    pub definition: Option<String>,
    /// `"true"` or `"false"`: a string, not a boolean.
    pub caption: Option<String>,
    /// Licensed content (a real boolean).
    pub licensed_content: Option<bool>,
    /// Content ratings; `ytRating: ytAgeRestricted` marks age restriction.
    pub content_rating: Option<ContentRating>,
    /// Where the video can (not) be watched.
    pub region_restriction: Option<RegionRestriction>,
}

/// `contentDetails.contentRating` (only the field we use).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ContentRating {
    /// `ytAgeRestricted` when age-restricted.
    pub yt_rating: Option<String>,
}

/// `contentDetails.regionRestriction`.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct RegionRestriction {
    /// Viewable only here (empty: nowhere).
    pub allowed: Option<Vec<String>>,
    /// Blocked here.
    pub blocked: Option<Vec<String>>,
}

/// An error body: `{"error": {...}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// The inner error object.
#[derive(Debug, Deserialize, Default)]
pub struct ErrorBody {
    /// The HTTP status again.
    pub code: Option<u16>,
    /// Human text (may hold escaped HTML: never match on it).
    pub message: Option<String>,
    /// Legacy per-error reasons (`quotaExceeded`, `keyInvalid`, ...).
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
    /// gRPC-style status (`PERMISSION_DENIED`, ...), on newer errors.
    pub status: Option<String>,
    /// ErrorInfo details (`API_KEY_INVALID`, ...), on newer errors.
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

/// One entry of `error.errors`.
#[derive(Debug, Deserialize, Default)]
pub struct ErrorItem {
    /// The reason, e.g. `quotaExceeded`.
    pub reason: Option<String>,
    /// The domain, e.g. `youtube.quota`.
    pub domain: Option<String>,
    /// The item's own text (may hold escaped HTML).
    pub message: Option<String>,
    /// The parameter at fault on legacy errors (`fields` for a rejected selector).
    pub location: Option<String>,
}

/// One entry of `error.details`.
#[derive(Debug, Deserialize, Default)]
pub struct ErrorDetail {
    /// The ErrorInfo reason, e.g. `API_KEY_INVALID`.
    pub reason: Option<String>,
    /// A BadRequest detail's violations: which parameter was refused.
    #[serde(default, rename = "fieldViolations")]
    pub field_violations: Vec<FieldViolation>,
}

/// One `google.rpc.BadRequest` field violation.
#[derive(Debug, Deserialize, Default)]
pub struct FieldViolation {
    /// The parameter, e.g. `fields`.
    pub field: Option<String>,
}

impl ErrorBody {
    /// Every reason the body gives: `errors[].reason`, `details[].reason`, then `status`.
    pub fn reasons(&self) -> impl Iterator<Item = &str> {
        self.errors
            .iter()
            .filter_map(|e| e.reason.as_deref())
            .chain(self.details.iter().filter_map(|d| d.reason.as_deref()))
            .chain(self.status.as_deref())
    }

    /// The most specific reason, for messages: `errors[0].reason`, else a detail's, else `status`.
    pub fn main_reason(&self) -> Option<&str> {
        self.reasons().next()
    }

    /// Every human text the body gives: `message`, then each `errors[].message`.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.message
            .as_deref()
            .into_iter()
            .chain(self.errors.iter().filter_map(|e| e.message.as_deref()))
    }

    /// The parameters the body names as at fault (`errors[].location`, field violations).
    pub fn locations(&self) -> impl Iterator<Item = &str> {
        self.errors
            .iter()
            .filter_map(|e| e.location.as_deref())
            .chain(
                self.details
                    .iter()
                    .flat_map(|d| d.field_violations.iter())
                    .filter_map(|v| v.field.as_deref()),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hidden_counts_and_missing_thumbnails() {
        let page: VideoListResponse = serde_json::from_str(
            r#"{"kind":"youtube#videoListResponse","items":[
                {"id":"KCDg03P0oN4","snippet":{"title":"t","thumbnails":{"default":{"url":"d"},"high":{"url":"h"}}},
                 "statistics":{"viewCount":"123","favoriteCount":"0"},"unknownPart":{"x":1}},
                {"id":7},
                {"id":"b","statistics":{"viewCount":5}}
            ],"pageInfo":{"totalResults":200,"resultsPerPage":50},"nextPageToken":"CAUQAA"}"#,
        )
        .unwrap();
        assert_eq!(page.next_page_token.as_deref(), Some("CAUQAA"));
        let videos: Vec<_> = page.videos().collect();
        let first = videos[0].as_ref().unwrap();
        let stats = first.statistics.as_ref().unwrap();
        assert_eq!(stats.view_count, Some(Count::Text("123".into())));
        assert_eq!(stats.like_count, None);
        assert!(first
            .snippet
            .as_ref()
            .unwrap()
            .thumbnails
            .as_ref()
            .unwrap()
            .maxres
            .is_none());
        assert!(videos[1].is_err(), "a wrongly typed item fails alone");
        assert_eq!(
            videos[2]
                .as_ref()
                .unwrap()
                .statistics
                .as_ref()
                .unwrap()
                .view_count,
            Some(Count::Number(5))
        );
    }

    #[test]
    fn error_reasons_come_from_errors_details_and_status() {
        let body: ErrorResponse = serde_json::from_str(include_str!(
            "../../tests/data/errors/apiKeyInvalid_400_current_shape.json"
        ))
        .unwrap();
        let reasons: Vec<_> = body.error.reasons().collect();
        assert_eq!(
            reasons,
            ["badRequest", "API_KEY_INVALID", "INVALID_ARGUMENT"]
        );
        let body: ErrorResponse = serde_json::from_str(include_str!(
            "../../tests/data/errors/quotaExceeded_403.json"
        ))
        .unwrap();
        assert_eq!(body.error.main_reason(), Some("quotaExceeded"));
    }
}
