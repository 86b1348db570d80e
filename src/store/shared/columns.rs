//! The columns of the four tables, as trendtap writes them: the one list each backend's
//! statements are generated from (column lists of `COPY` and `INSERT`, the upserts' `SET`), and
//! which `store::tests` compares with the columns of both migrated databases, so that a column
//! added on one side only fails a test.
//!
//! Adding a column: the migration of each backend, the list here, then what the compiler and the
//! tests point at (the row encoders of each backend, the domain type).

/// `videos`' key.
pub(crate) const VIDEO_KEY: &str = "video_id";

/// Columns of `videos` that follow the newest run: every column but the key and the seen times.
pub(crate) const VIDEO_COLUMNS: &[&str] = &[
    "title",
    "channel_id",
    "channel_title",
    "category_id",
    "published_at",
    "duration_seconds",
    "language",
    "language_source",
    "view_count",
    "like_count",
    "comment_count",
    "tags",
    "thumbnail_url",
    "age_restricted",
    "blocked_regions",
    "allowed_regions",
    "caption",
    "definition",
    "licensed_content",
    "live_broadcast_content",
    "description",
    "last_run_id",
];

#[cfg(test)]
/// Columns of `videos` that only the refresh writes: when the API stopped returning the video,
/// and when a refresh last observed it (the fetch's newest-wins rule reads the latter).
pub(crate) const VIDEO_REFRESH_COLUMNS: [&str; 2] = ["unavailable_since", "refreshed_at"];

/// The columns of `videos` a refresh updates from the API (the fetch's data columns but the
/// ones a refresh cannot know: the language, decided with the chart's region, and the run).
pub(crate) fn video_refreshed_columns() -> impl Iterator<Item = &'static str> {
    VIDEO_COLUMNS
        .iter()
        .copied()
        .filter(|c| !["language", "language_source", "last_run_id"].contains(c))
}

/// The columns of a `video_stats` row, in the order both backends write them.
pub(crate) const VIDEO_STATS_COLUMNS: &[&str] = &[
    "refresh_id",
    "video_id",
    "observed_at",
    "view_count",
    "like_count",
    "comment_count",
];

#[cfg(test)]
/// The columns of a `refresh_runs` row.
pub(crate) const REFRESH_RUN_COLUMNS: &[&str] = &[
    "refresh_id",
    "started_at",
    "finished_at",
    "status",
    "halt_reason",
    "videos_requested",
    "videos_refreshed",
    "videos_unavailable",
    "batches_failed",
    "api_requests",
    "errors",
    "error",
    "trendtap_version",
];

/// When a `videos` or `video_regions` row was first and last seen.
pub(crate) const SEEN_COLUMNS: [&str; 2] = ["first_seen_at", "last_seen_at"];

/// The columns of a `videos` row in the order both backends write them: key, data, seen times.
pub(crate) fn video_columns() -> impl Iterator<Item = &'static str> {
    std::iter::once(VIDEO_KEY)
        .chain(VIDEO_COLUMNS.iter().copied())
        .chain(SEEN_COLUMNS)
}

/// `video_regions`' key.
pub(crate) const VIDEO_REGION_KEY: [&str; 2] = ["video_id", "region"];

/// The columns of a new `video_regions` row, in the order both backends write them.
pub(crate) const VIDEO_REGION_COLUMNS: &[&str] = &[
    "video_id",
    "region",
    "first_seen_at",
    "last_seen_at",
    "last_rank",
    "best_rank",
];

/// The `video_regions` column a new row takes from its default (1) and a rerun counts up.
pub(crate) const VIDEO_REGION_RUNS_SEEN: &str = "runs_seen";

/// The columns of a `chart_entries` row, in the order both backends write them.
pub(crate) const CHART_ENTRY_COLUMNS: &[&str] = &[
    "run_id",
    "region",
    "category_id",
    "rank",
    "video_id",
    "view_count",
    "like_count",
    "comment_count",
    "fetched_at",
];

/// The `runs` columns written when a run starts, in bind order.
pub(crate) const RUN_START_COLUMNS: &[&str] = &[
    "started_at",
    "status",
    "regions",
    "categories",
    "trendtap_version",
];

/// The `runs` columns written when a run ends, in bind order after the run id (`finished_at`
/// aside: each backend's clock).
pub(crate) const RUN_END_COLUMNS: &[&str] = &[
    "status",
    "halt_reason",
    "charts",
    "charts_ok",
    "charts_no_chart",
    "charts_failed",
    "api_requests",
    "error",
    "videos_count",
    "entries_count",
];

/// `a, b, c`.
pub(crate) fn list<'a>(columns: impl IntoIterator<Item = &'a str>) -> String {
    columns.into_iter().collect::<Vec<_>>().join(", ")
}

/// Every table with every column trendtap knows it to have, sorted (for the schema test).
#[cfg(test)]
pub(crate) fn tables() -> Vec<(&'static str, Vec<&'static str>)> {
    let sorted = |columns: Vec<&'static str>| {
        let mut columns = columns;
        columns.sort_unstable();
        columns.dedup();
        columns
    };
    let summaries = super::report::SUMMARY_TABLES
        .iter()
        .map(|(table, columns)| (*table, sorted(columns.to_vec())));
    let mut tables = vec![
        (
            "videos",
            sorted(video_columns().chain(VIDEO_REFRESH_COLUMNS).collect()),
        ),
        ("video_stats", sorted(VIDEO_STATS_COLUMNS.to_vec())),
        ("refresh_runs", sorted(REFRESH_RUN_COLUMNS.to_vec())),
        (
            "video_regions",
            sorted([VIDEO_REGION_COLUMNS, &[VIDEO_REGION_RUNS_SEEN]].concat()),
        ),
        ("chart_entries", sorted(CHART_ENTRY_COLUMNS.to_vec())),
        (
            "thumbnails",
            sorted(super::thumbnails::THUMBNAIL_COLUMNS.to_vec()),
        ),
        (
            "runs",
            // And the columns filled otherwise: the id (the database's), the end time.
            sorted(
                [
                    RUN_START_COLUMNS,
                    RUN_END_COLUMNS,
                    &["run_id", "finished_at"],
                ]
                .concat(),
            ),
        ),
    ];
    tables.extend(summaries);
    tables
}
