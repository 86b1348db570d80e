//! The newest-wins rule, stated once for `videos` and `video_regions` and spelled in each
//! dialect ([`Dialect`]): when a run writes a row whose key is already stored, every data column
//! takes the value of the run that saw the row last, so replaying an old capture never
//! overwrites newer data (and a run at the same time as the stored one wins). The seen times
//! widen to cover both runs, the best rank is the best of both, and `runs_seen` counts the run.
//!
//! The rule compares `last_seen_at`, the time the run saw the row (its start, or the original
//! run's for a replay), never the time it was written; for `videos` the stored side is the
//! newer of `last_seen_at` and `refreshed_at` (the refresh's observation), so that a fetch
//! never overwrites newer data from a refresh ([`super::refresh`] states the other direction).
//! What it generates, in each dialect (`videos` compares with [`video_data_time`]):
//!
//! ```text
//! PostgreSQL: UPDATE videos SET ... FROM (incoming rows) AS u WHERE videos.video_id = u.video_id
//!   title = CASE WHEN u.last_seen_at >= videos.last_seen_at THEN u.title ELSE videos.title END
//!   first_seen_at = LEAST(videos.first_seen_at, u.first_seen_at)
//! SQLite: INSERT INTO videos ... ON CONFLICT (video_id) DO UPDATE SET ...
//!   title = CASE WHEN excluded.last_seen_at >= videos.last_seen_at THEN excluded.title ELSE videos.title END
//!   first_seen_at = min(videos.first_seen_at, excluded.first_seen_at)
//! ```
//!
//! Both dialects evaluate every right-hand side against the stored row before assigning, so the
//! order of the assignments does not matter.

use super::columns::{
    SEEN_COLUMNS, VIDEO_COLUMNS, VIDEO_REGION_COLUMNS, VIDEO_REGION_KEY, VIDEO_REGION_RUNS_SEEN,
};
use super::dialect::Dialect;

/// How a stored value and an incoming one for the same key combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The value of the newer row: the incoming one unless the stored row was seen later.
    Newest,
    /// The newer row's value when it has one, else the other's: a run that did not collect
    /// descriptions keeps the one stored.
    NewestKnown,
    /// The smaller value.
    Least,
    /// The larger value.
    Greatest,
    /// One more than stored.
    Count,
}

/// The rule of a `videos` column: seen times widen, every data column follows the newest run.
fn video_rule(column: &str) -> Rule {
    match column {
        "first_seen_at" => Rule::Least,
        "last_seen_at" => Rule::Greatest,
        "description" => Rule::NewestKnown,
        _ => Rule::Newest,
    }
}

/// The rule of a `video_regions` column (a new column must say which it follows).
fn video_region_rule(column: &str) -> Rule {
    match column {
        "first_seen_at" => Rule::Least,
        "last_seen_at" => Rule::Greatest,
        "last_rank" => Rule::Newest,
        "best_rank" => Rule::Least,
        VIDEO_REGION_RUNS_SEEN => Rule::Count,
        other => panic!("video_regions.{other} has no newest-wins rule"),
    }
}

/// The assignment of `column` of `table` under `rule`, in dialect `d`.
fn assignment(d: &Dialect, table: &str, column: &str, rule: Rule) -> String {
    let (stored, incoming) = (
        format!("{table}.{column}"),
        format!("{}.{column}", d.incoming),
    );
    let stored_time = if table == "videos" {
        video_data_time(d)
    } else {
        format!("{table}.last_seen_at")
    };
    let value = match rule {
        Rule::Newest => format!(
            "CASE WHEN {i}.last_seen_at >= {stored_time} THEN {incoming} ELSE {stored} END",
            i = d.incoming
        ),
        Rule::NewestKnown => format!(
            "CASE WHEN {i}.last_seen_at >= {table}.last_seen_at \
             THEN COALESCE({incoming}, {stored}) ELSE COALESCE({stored}, {incoming}) END",
            i = d.incoming
        ),
        Rule::Least => format!("{}({stored}, {incoming})", d.least),
        Rule::Greatest => format!("{}({stored}, {incoming})", d.greatest),
        Rule::Count => format!("{stored} + 1"),
    };
    format!("{column} = {value}")
}

/// When a stored `videos` row's data was observed: the newer of the last chart that showed it
/// and the last refresh.
pub(crate) fn video_data_time(d: &Dialect) -> String {
    format!(
        "{}(videos.last_seen_at, coalesce(videos.refreshed_at, videos.last_seen_at))",
        d.greatest
    )
}

/// The `SET` list that applies the rule to a `videos` row already stored; the incoming row
/// has every column of [`super::columns::video_columns`].
pub(crate) fn video_updates(d: &Dialect) -> String {
    let sets: Vec<String> = VIDEO_COLUMNS
        .iter()
        .copied()
        .chain(SEEN_COLUMNS)
        .map(|c| assignment(d, "videos", c, video_rule(c)))
        .collect();
    sets.join(",\n    ")
}

/// The `SET` list that applies the rule to a `video_regions` row already stored; the incoming
/// row has the columns of [`VIDEO_REGION_COLUMNS`].
pub(crate) fn video_region_updates(d: &Dialect) -> String {
    let sets: Vec<String> = VIDEO_REGION_COLUMNS
        .iter()
        .copied()
        .filter(|c| !VIDEO_REGION_KEY.contains(c))
        .chain([VIDEO_REGION_RUNS_SEEN])
        .map(|c| assignment(d, "video_regions", c, video_region_rule(c)))
        .collect();
    sets.join(",\n    ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::dialect::{POSTGRES, SQLITE};

    #[test]
    fn the_rule_reads_the_same_in_both_dialects() {
        assert_eq!(
            video_region_updates(&POSTGRES),
            "first_seen_at = LEAST(video_regions.first_seen_at, u.first_seen_at),
    last_seen_at = GREATEST(video_regions.last_seen_at, u.last_seen_at),
    last_rank = CASE WHEN u.last_seen_at >= video_regions.last_seen_at THEN u.last_rank ELSE video_regions.last_rank END,
    best_rank = LEAST(video_regions.best_rank, u.best_rank),
    runs_seen = video_regions.runs_seen + 1"
        );
        let sqlite = video_updates(&SQLITE);
        assert!(sqlite.starts_with(
            "title = CASE WHEN excluded.last_seen_at >= max(videos.last_seen_at, \
             coalesce(videos.refreshed_at, videos.last_seen_at)) \
             THEN excluded.title ELSE videos.title END"
        ));
        assert!(sqlite.ends_with("last_seen_at = max(videos.last_seen_at, excluded.last_seen_at)"));
        assert_eq!(
            video_updates(&POSTGRES).matches("CASE WHEN").count(),
            VIDEO_COLUMNS.len()
        );
    }
}
