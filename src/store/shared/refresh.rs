//! The refresh's rules, stated once; each backend supplies the rows (PostgreSQL from
//! `jsonb_to_recordset`, SQLite from `json_each`) and its dialect's words:
//!
//! - **Which videos**: seen in a chart since the `seen` cutoff, whose newest observation (the
//!   newer of `last_seen_at` and `refreshed_at`) is older than the `stale` cutoff, available
//!   unless asked otherwise; most recently trending first.
//! - **Newest wins, both ways**: a refreshed value replaces the stored one only when the
//!   refresh's observation is not older than the row's data ([`super::newest::video_data_time`]);
//!   the fetch's rule compares with the same time, so neither overwrites the other's newer data.
//!   The language (decided with a chart's region) and the run stay the fetch's.
//! - **Unavailable**: an id the API no longer returns gets `unavailable_since` the first time it
//!   is missing; a refresh that gets it back clears it.

use super::columns::video_refreshed_columns;
use super::dialect::Dialect;
use super::newest::video_data_time;

/// How a refresh ended, for its `refresh_runs` row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshSummary {
    /// ok, partial, failed or interrupted.
    pub status: &'static str,
    /// What stopped it early (as `runs.halt_reason`).
    pub halt_reason: Option<String>,
    /// Ids asked for.
    pub requested: u64,
    /// Ids the API returned.
    pub refreshed: u64,
    /// Ids newly missing.
    pub unavailable: u64,
    /// Batches that failed.
    pub batches_failed: u64,
    /// Requests sent (quota units).
    pub api_requests: u64,
    /// Each failed batch's error.
    pub errors: Vec<String>,
}

/// The statement that ends a `refresh_runs` row. Parameters: 1 the id, 2 the end time, 3
/// status, 4 halt reason, 5 requested, 6 refreshed, 7 unavailable, 8 batches failed, 9 requests,
/// 10 errors (JSON), 11 error.
pub(crate) fn end_sql(d: &Dialect) -> String {
    let p = d.param;
    format!(
        "UPDATE refresh_runs SET finished_at = {}, status = {}, halt_reason = {},
            videos_requested = {}, videos_refreshed = {}, videos_unavailable = {},
            batches_failed = {}, api_requests = {}, errors = {}, error = {}
         WHERE refresh_id = {}",
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9),
        (d.json_param)(10),
        p(11),
        p(1)
    )
}

/// `SELECT video_id` of the videos to refresh. Parameters: 1 the `seen` cutoff, 2 the `stale`
/// cutoff, 3 whether unavailable videos are included, 4 the limit.
pub(crate) fn stale_sql(d: &Dialect) -> String {
    let p = d.param;
    format!(
        "SELECT video_id FROM videos
         WHERE last_seen_at >= {seen}
           AND {data_time} <= {stale}
           AND ({include} OR unavailable_since IS NULL)
         ORDER BY last_seen_at DESC, video_id
         LIMIT {limit}",
        seen = p(1),
        stale = p(2),
        include = p(3),
        limit = p(4),
        data_time = video_data_time(d),
    )
}

/// The `SET` list of a refreshed `videos` row: `incoming(column)` is the refreshed value,
/// `observed` the refresh's observation time (an expression of the dialect).
pub(crate) fn video_updates(
    d: &Dialect,
    incoming: impl Fn(&str) -> String,
    observed: &str,
) -> String {
    let data_time = video_data_time(d);
    let mut sets: Vec<String> = video_refreshed_columns()
        .map(|c| {
            // A refresh that did not ask for descriptions keeps the one stored (as the fetch).
            let value = match c {
                "description" => format!("coalesce({}, videos.{c})", incoming(c)),
                _ => incoming(c),
            };
            format!("{c} = CASE WHEN {observed} >= {data_time} THEN {value} ELSE videos.{c} END")
        })
        .collect();
    sets.push(format!(
        "refreshed_at = {}(coalesce(videos.refreshed_at, {observed}), {observed})",
        d.greatest
    ));
    sets.push("unavailable_since = NULL".to_owned());
    sets.join(",\n    ")
}

/// PostgreSQL's type of each refreshed column, for `jsonb_to_recordset`'s column list (a new
/// column of `videos` the refresh updates must say its type here; a test checks every one does).
pub(crate) fn pg_type(column: &str) -> &'static str {
    match column {
        "video_id"
        | "title"
        | "channel_id"
        | "channel_title"
        | "category_id"
        | "thumbnail_url"
        | "definition"
        | "live_broadcast_content"
        | "description" => "text",
        "published_at" => "timestamptz",
        "duration_seconds" | "view_count" | "like_count" | "comment_count" => "bigint",
        "tags" | "blocked_regions" | "allowed_regions" => "text[]",
        "age_restricted" | "caption" | "licensed_content" => "boolean",
        other => panic!("videos.{other} has no PostgreSQL type for the refresh"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::dialect::{POSTGRES, SQLITE};

    #[test]
    fn every_refreshed_column_has_a_type_and_the_rule_reads_the_same_in_both_dialects() {
        for c in video_refreshed_columns() {
            pg_type(c);
        }
        let pg = video_updates(&POSTGRES, |c| format!("u.{c}"), "$2");
        assert!(pg.starts_with(
            "title = CASE WHEN $2 >= GREATEST(videos.last_seen_at, coalesce(videos.refreshed_at, videos.last_seen_at)) THEN u.title ELSE videos.title END"
        ));
        assert!(!pg.contains("language =") && !pg.contains("last_run_id ="));
        assert!(pg.ends_with("unavailable_since = NULL"));
        let sqlite = video_updates(&SQLITE, |c| format!("u.{c}"), "?2");
        assert!(sqlite.contains("refreshed_at = max(coalesce(videos.refreshed_at, ?2), ?2)"));
        assert!(stale_sql(&SQLITE).contains("LIMIT ?4"));
    }
}
