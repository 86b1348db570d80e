//! What the rest of the program exchanges with the store besides charts: the lock's answer, a
//! run's end as its `runs` row records it, and a line of `trendtap top`.

use chrono::{DateTime, Utc};

use crate::model::ChartOutcome;

/// What [`Store::lock`](crate::store::Store::lock) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// We hold the lock.
    Acquired,
    /// Another run holds it: its id and start time, when its `runs` row says so.
    Busy {
        /// The running run's id.
        run_id: Option<i64>,
        /// When it started.
        started_at: Option<DateTime<Utc>>,
    },
}

/// The end of a run, as recorded in its `runs` row.
#[derive(Debug, Clone)]
pub struct RunSummary<'a> {
    /// ok, partial, failed or interrupted.
    pub status: &'static str,
    /// What stopped the run early.
    pub halt_reason: Option<String>,
    /// Every chart's outcome.
    pub charts: &'a [ChartOutcome],
    /// Requests sent to the API.
    pub api_requests: u64,
}

/// One line of `trendtap top`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TopRow {
    /// The run.
    pub run_id: i64,
    /// Region.
    pub region: String,
    /// Category.
    pub category_id: String,
    /// Rank.
    pub rank: i64,
    /// Title.
    pub title: String,
    /// Channel.
    pub channel_title: Option<String>,
    /// Language.
    pub language: String,
    /// Views in that chart.
    pub view_count: Option<i64>,
}

/// What `trendtap export` reads: the chart entries of a period, filtered
/// ([`Store::export_daily`](crate::store::Store::export_daily),
/// [`Store::export_entries`](crate::store::Store::export_entries)).
#[derive(Debug, Clone)]
pub struct ExportQuery {
    /// Only these regions (empty: all).
    pub regions: Vec<String>,
    /// Only these chart categories (empty: all).
    pub categories: Vec<String>,
    /// Entries fetched at or after this time.
    pub since: DateTime<Utc>,
    /// Entries fetched before this time.
    pub until: DateTime<Utc>,
}
