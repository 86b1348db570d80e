//! The domain model: what trendtap knows about a video and where it was seen, independent of the
//! API's wire format and of the database. The dry-run JSON is these types serialized.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One chart: a region and a video category.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ChartKey {
    /// Upper-case region code.
    pub region: &'static str,
    /// Category id (`"0"`: all categories).
    pub category_id: String,
}

impl std::fmt::Display for ChartKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.region, self.category_id)
    }
}

/// Where the `language` of a video came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageSource {
    /// The API's defaultAudioLanguage or defaultLanguage.
    Api,
    /// The API's language for the same channel's other videos in the run.
    Channel,
    /// Detected from the normalized title.
    Detected,
    /// Unknown: the language is "und".
    None,
}

impl LanguageSource {
    /// The value stored in `videos.language_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            LanguageSource::Api => "api",
            LanguageSource::Channel => "channel",
            LanguageSource::Detected => "detected",
            LanguageSource::None => "none",
        }
    }

    /// The source a stored `videos.language_source` names.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Api, Self::Channel, Self::Detected, Self::None]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A video, cleaned: the fields of a `videos` row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Video {
    /// YouTube's video id.
    pub video_id: String,
    /// Title: BiDi marks removed, NFC, trimmed.
    pub title: String,
    /// Channel id.
    pub channel_id: Option<String>,
    /// Channel title, cleaned like the title.
    pub channel_title: Option<String>,
    /// Category id.
    pub category_id: Option<String>,
    /// Upload time.
    pub published_at: Option<DateTime<Utc>>,
    /// Duration in seconds (0 for live streams that report `P0D`).
    pub duration_seconds: Option<i64>,
    /// ISO 639-1 code (or the API's primary subtag), "und" when unknown.
    pub language: String,
    /// Where `language` came from.
    pub language_source: LanguageSource,
    /// Views; `None` when the API did not send it.
    pub view_count: Option<i64>,
    /// Likes; `None` when hidden (never 0 for hidden).
    pub like_count: Option<i64>,
    /// Comments; `None` when comments are off.
    pub comment_count: Option<i64>,
    /// Tags, cleaned like the title; empty when none.
    pub tags: Vec<String>,
    /// The largest thumbnail available (maxres, standard, high, medium, default).
    pub thumbnail_url: Option<String>,
    /// Age-restricted (`contentRating.ytRating = ytAgeRestricted`); `None` without contentDetails.
    pub age_restricted: Option<bool>,
    /// Regions where the video is blocked; `None`: no such list.
    pub blocked_regions: Option<Vec<String>>,
    /// The only regions where the video is viewable; `None`: no such list (empty: nowhere).
    pub allowed_regions: Option<Vec<String>>,
    /// Has captions.
    pub caption: Option<bool>,
    /// `hd` or `sd`.
    pub definition: Option<String>,
    /// Licensed content.
    pub licensed_content: Option<bool>,
    /// `none`, `upcoming`, `live` or `completed`.
    pub live_broadcast_content: Option<String>,
    /// `snippet.description` as sent (newlines kept), when descriptions are collected
    /// (`descriptions = true`); `None`: not collected; `Some("")`: the video has none.
    pub description: Option<String>,
}

#[cfg(test)]
impl Video {
    /// A video with an id and a title and nothing else known, for unit tests.
    pub(crate) fn minimal(id: &str, title: &str) -> Video {
        Video {
            video_id: id.into(),
            title: title.into(),
            channel_id: None,
            channel_title: None,
            category_id: None,
            published_at: None,
            duration_seconds: None,
            language: "und".into(),
            language_source: LanguageSource::None,
            view_count: None,
            like_count: None,
            comment_count: None,
            tags: vec![],
            thumbnail_url: None,
            age_restricted: None,
            blocked_regions: None,
            allowed_regions: None,
            caption: None,
            definition: None,
            licensed_content: None,
            live_broadcast_content: None,
            description: None,
        }
    }
}

/// A video's place in one chart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Appearance {
    /// Region code.
    pub region: &'static str,
    /// Category id.
    pub category_id: String,
    /// 1 is the top of the chart.
    pub rank: u32,
}

/// A video with every chart of the run it was seen in: one element of the dry-run output.
///
/// The video is borrowed from the first chart that has it, and copied only when another chart
/// reports larger counts: most videos trend in one chart, and a run holds tens of thousands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedVideo<'a> {
    /// The video.
    #[serde(flatten)]
    pub video: std::borrow::Cow<'a, Video>,
    /// Every (region, category, rank) where it was seen, sorted.
    pub charts: Vec<Appearance>,
}

/// One chart's videos, in rank order, after normalization.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Which chart.
    pub key: ChartKey,
    /// When its last page arrived.
    pub fetched_at: DateTime<Utc>,
    /// `(rank, video)`; ranks are positions in the API's list (a skipped item leaves a gap).
    pub entries: Vec<(u32, Video)>,
}

/// How one chart of a run ended (an element of `runs.charts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartStatus {
    /// Every page fetched.
    Ok,
    /// The API has no chart for this region and category: done, not a failure.
    NoChart,
    /// An error ended the chart.
    Failed,
    /// Not completed because the run stopped early (quota, key, signal, deadline).
    Incomplete,
    /// Not requested: it answered "no chart" within `no_chart_skip_days` (done, like no_chart).
    SkippedNoChart,
    /// Not requested: it did not fit in the day's quota budget (`--fit-budget`, or a refused run).
    SkippedBudget,
}

/// The record of one chart in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartOutcome {
    /// Region code.
    pub region: &'static str,
    /// Category id.
    pub category_id: String,
    /// How it ended.
    pub status: ChartStatus,
    /// Pages fetched.
    pub pages: u32,
    /// Videos kept.
    pub videos: u32,
    /// Items skipped (no id or title, or malformed).
    pub skipped_items: u32,
    /// Requests sent, retries included.
    pub requests: u32,
    /// The error of a failed or incomplete chart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ChartOutcome {
    /// Whether the chart counts as done (stored, or known to have no chart).
    pub fn is_done(&self) -> bool {
        matches!(
            self.status,
            ChartStatus::Ok | ChartStatus::NoChart | ChartStatus::SkippedNoChart
        )
    }
}

/// One chart entry of the history without its video, as the full-fidelity exports (NDJSON,
/// Parquet) stream it: the entry's own columns. Its video and its run are looked up apart, once
/// each per export rather than once per entry (`export::join`).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The run that saw it.
    pub run_id: i64,
    /// When the chart was fetched (its last page arrived).
    pub fetched_at: DateTime<Utc>,
    /// Region code.
    pub region: String,
    /// The chart's category (`"0"`: all categories).
    pub chart_category_id: String,
    /// 1 is the top of the chart.
    pub rank: i32,
    /// The video.
    pub video_id: String,
    /// The counts this entry observed (`None`: hidden or unknown).
    pub view_count: Option<i64>,
    /// See `view_count`.
    pub like_count: Option<i64>,
    /// See `view_count`.
    pub comment_count: Option<i64>,
}

/// One chart entry of the history with its video, as the Kaggle exports read it (one per
/// region, video and day).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The run that saw it.
    pub run_id: i64,
    /// When that run started.
    pub run_started_at: DateTime<Utc>,
    /// When the chart was fetched (its last page arrived).
    pub fetched_at: DateTime<Utc>,
    /// Region code.
    pub region: String,
    /// The chart's category (`"0"`: all categories).
    pub chart_category_id: String,
    /// 1 is the top of the chart.
    pub rank: i32,
    /// The video's stored metadata (the newest run's), with this entry's counts in
    /// `view_count`, `like_count` and `comment_count`.
    pub video: Video,
}
