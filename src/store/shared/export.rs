//! The export's reads, stated once: which chart entries an [`ExportQuery`] selects, what "one
//! row per region, video and day" means, and the order of the rows, with each dialect's SQL
//! side by side. Each backend binds the parameters in [`Bind`] order and decodes the columns
//! by position (`store::{postgres, sqlite}::export`).
//!
//! - Every read takes `chart_entries` in `[since, until)` by `fetched_at`, optionally of some
//!   regions and chart categories. The counts are the entry's own.
//! - [`Shape::Daily`] (the Kaggle layouts): per region, video and UTC day of `fetched_at`,
//!   the entry fetched last that day (a tie between charts of the same fetch goes to category
//!   0, then to the better rank), ordered by region, day, rank, category, video, each joined
//!   to its `videos` row (the newest metadata) and its run's start ([`selected`]).
//! - [`Shape::Entries`] (NDJSON, Parquet): every entry, bare ([`ENTRY_COLUMNS`]), ordered by
//!   fetch time only: the `fetched_at` index gives that order without a sort, where sorting
//!   by region, category and rank too took the server 12 s instead of 4.5 s on a month; the
//!   reader orders the entries of one fetch time (one chart, mostly) itself
//!   (`export::join::Order`). Their videos and runs are read apart by key
//!   ([`videos`], [`runs`]), once per video rather than once per entry: sending a video's 20
//!   columns with each of its ~40 entries made the server the bottleneck (BENCHMARKS.md,
//!   "Export").
//!
//! The statements depend on which filters are present (an absent filter is absent from the
//! SQL, so that the planner sees exactly the indexes' shape); each distinct statement is
//! built once and kept for the process ([`intern`]), as sqlx wants a statement that outlives
//! its row stream.

use std::collections::HashSet;
use std::sync::Mutex;

use super::types::ExportQuery;

/// Which rows a read returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One per region, video and UTC day, with its video and run ([`selected`]).
    Daily,
    /// Every entry, bare ([`ENTRY_COLUMNS`]).
    Entries,
}

/// The columns a [`Shape::Entries`] read returns, in this order.
pub(crate) const ENTRY_COLUMNS: &[&str] = &[
    "e.run_id",
    "e.fetched_at",
    "e.region",
    "e.category_id",
    "e.rank",
    "e.video_id",
    "e.view_count",
    "e.like_count",
    "e.comment_count",
];

/// The columns of a video [`videos`] returns, in this order; the daily read holds the same
/// ([`selected`]).
pub(crate) const VIDEO_COLUMNS: &[&str] = &[
    "v.video_id",
    "v.title",
    "v.channel_id",
    "v.channel_title",
    "v.category_id",
    "v.published_at",
    "v.duration_seconds",
    "v.language",
    "v.language_source",
    "v.tags",
    "v.thumbnail_url",
    "v.age_restricted",
    "v.blocked_regions",
    "v.allowed_regions",
    "v.caption",
    "v.definition",
    "v.licensed_content",
    "v.live_broadcast_content",
    "v.description",
];

/// The columns a [`Shape::Daily`] read returns before its video's ([`selected`]).
const DAILY_ENTRY_COLUMNS: [&str; 10] = [
    "e.run_id",
    "r.started_at",
    "e.fetched_at",
    "e.region",
    "e.category_id",
    "e.rank",
    "e.video_id",
    "e.view_count",
    "e.like_count",
    "e.comment_count",
];

/// Where a [`Shape::Daily`] row's video columns start: [`VIDEO_COLUMNS`] after `v.video_id`
/// (the entry's `e.video_id` stands for it), so one decoder reads a video from either read.
pub(crate) const SELECTED_VIDEO_AT: usize = DAILY_ENTRY_COLUMNS.len();

/// The columns a [`Shape::Daily`] read returns, in this order.
fn selected() -> String {
    let mut columns = DAILY_ENTRY_COLUMNS.to_vec();
    columns.extend_from_slice(&VIDEO_COLUMNS[1..]);
    columns.join(", ")
}

/// A parameter of the statement, in bind order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bind {
    /// `since`, a time.
    Since,
    /// `until`, a time.
    Until,
    /// The one region.
    Region,
    /// The regions, a list.
    Regions,
    /// The one category.
    Category,
    /// The categories, a list.
    Categories,
}

/// A statement and the parameters it takes, in order.
#[derive(Debug)]
pub(crate) struct Statement {
    /// The SQL.
    pub sql: &'static str,
    /// What to bind, in order.
    pub binds: Vec<Bind>,
}

/// The `WHERE` conditions on `chart_entries e` and their parameters; `param(n)` names the
/// n-th parameter, `list(p)` tests a column against a list parameter.
fn conditions(
    q: &ExportQuery,
    param: fn(usize) -> String,
    list: fn(&str, &str) -> String,
) -> (String, Vec<Bind>) {
    let mut binds = vec![Bind::Since, Bind::Until];
    let mut sql = format!(
        "e.fetched_at >= {} AND e.fetched_at < {}",
        param(1),
        param(2)
    );
    for (column, values, one, many) in [
        ("e.region", &q.regions, Bind::Region, Bind::Regions),
        (
            "e.category_id",
            &q.categories,
            Bind::Category,
            Bind::Categories,
        ),
    ] {
        let p = param(binds.len() + 1);
        match values.len() {
            0 => continue,
            1 => {
                sql.push_str(&format!(" AND {column} = {p}"));
                binds.push(one);
            }
            _ => {
                sql.push_str(&format!(" AND {}", list(column, &p)));
                binds.push(many);
            }
        }
    }
    (sql, binds)
}

/// PostgreSQL: `DISTINCT ON` keeps the first row of each (region, video, day) in the order
/// given, which puts the day's last fetch first. Each kept row then finds its video and its run
/// by their primary keys (`LATERAL ... LIMIT 1`, which the planner cannot turn into a join):
/// left to itself, it sorts the whole `videos` table for every region's file to merge-join a
/// few thousand rows (BENCHMARKS.md, "Export").
pub(crate) fn postgres(q: &ExportQuery, shape: Shape) -> Statement {
    let (filter, binds) = conditions(
        q,
        |n| format!("${n}"),
        |column, p| format!("{column} = ANY({p})"),
    );
    let select = selected();
    let day = "(e.fetched_at AT TIME ZONE 'UTC')::date";
    let sql = if shape == Shape::Daily {
        format!(
            "SELECT {select} FROM (
               SELECT DISTINCT ON (e.region, e.video_id, {day}) e.*, {day} AS day
               FROM chart_entries e WHERE {filter}
               ORDER BY e.region, e.video_id, {day}, e.fetched_at DESC, e.category_id <> '0', e.rank
             ) e
             CROSS JOIN LATERAL (SELECT * FROM videos v WHERE v.video_id = e.video_id LIMIT 1) v
             CROSS JOIN LATERAL (SELECT started_at FROM runs r WHERE r.run_id = e.run_id LIMIT 1) r
             ORDER BY e.region, e.day, e.rank, e.category_id, e.video_id"
        )
    } else {
        entries(&filter)
    };
    Statement {
        sql: intern(sql),
        binds,
    }
}

/// SQLite: `row_number()` over the same order keeps the same row; times are fixed-width UTC
/// text, so a day is the first 10 characters and text order is time order.
pub(crate) fn sqlite(q: &ExportQuery, shape: Shape) -> Statement {
    let (filter, binds) = conditions(
        q,
        |n| format!("?{n}"),
        |column, p| format!("{column} IN (SELECT value FROM json_each({p}))"),
    );
    let select = selected();
    let sql = if shape == Shape::Daily {
        format!(
            "SELECT {select} FROM (
               SELECT e.*, substr(e.fetched_at, 1, 10) AS day,
                      row_number() OVER (
                        PARTITION BY e.region, e.video_id, substr(e.fetched_at, 1, 10)
                        ORDER BY e.fetched_at DESC, e.category_id <> '0', e.rank) AS nth
               FROM chart_entries e WHERE {filter}
             ) e
             JOIN videos v ON v.video_id = e.video_id
             JOIN runs r ON r.run_id = e.run_id
             WHERE e.nth = 1
             ORDER BY e.region, e.day, e.rank, e.category_id, e.video_id"
        )
    } else {
        entries(&filter)
    };
    Statement {
        sql: intern(sql),
        binds,
    }
}

/// Every entry of `filter`, bare, in `fetched_at` order (both dialects).
fn entries(filter: &str) -> String {
    format!(
        "SELECT {} FROM chart_entries e WHERE {filter} ORDER BY e.fetched_at",
        ENTRY_COLUMNS.join(", ")
    )
}

/// The videos of a list of ids ([`VIDEO_COLUMNS`]), its one parameter, in dialect
/// `postgres` or not; in no particular order.
pub(crate) fn videos(postgres: bool) -> &'static str {
    let select = VIDEO_COLUMNS.join(", ");
    intern(if postgres {
        format!("SELECT {select} FROM videos v WHERE v.video_id = ANY($1)")
    } else {
        format!(
            "SELECT {select} FROM videos v WHERE v.video_id IN (SELECT value FROM json_each(?1))"
        )
    })
}

/// The start of each run of a list of ids (`run_id, started_at`), its one parameter.
pub(crate) fn runs(postgres: bool) -> &'static str {
    intern(if postgres {
        "SELECT run_id, started_at FROM runs WHERE run_id = ANY($1)".to_owned()
    } else {
        "SELECT run_id, started_at FROM runs WHERE run_id IN (SELECT value FROM json_each(?1))"
            .to_owned()
    })
}

/// The first and last `fetched_at` of the entries `q` selects (per entry), in dialect
/// `postgres` or not: which months a partitioned export spans.
pub(crate) fn bounds(q: &ExportQuery, postgres: bool) -> Statement {
    let (filter, binds) = if postgres {
        conditions(
            q,
            |n| format!("${n}"),
            |column, p| format!("{column} = ANY({p})"),
        )
    } else {
        conditions(
            q,
            |n| format!("?{n}"),
            |column, p| format!("{column} IN (SELECT value FROM json_each({p}))"),
        )
    };
    Statement {
        sql: intern(format!(
            "SELECT min(e.fetched_at), max(e.fetched_at) FROM chart_entries e WHERE {filter}"
        )),
        binds,
    }
}

/// The statement `sql`, built once per process: there are at most a few dozen distinct ones
/// (two shapes, two dialects, three forms of each filter).
fn intern(sql: String) -> &'static str {
    static KNOWN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut known = KNOWN.lock().expect("not poisoned");
    let known = known.get_or_insert_with(HashSet::new);
    if let Some(s) = known.get(sql.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(sql.into_boxed_str());
    known.insert(s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn query(regions: &[&str], categories: &[&str]) -> ExportQuery {
        ExportQuery {
            regions: regions.iter().map(|s| s.to_string()).collect(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            since: Utc::now(),
            until: Utc::now(),
        }
    }

    #[test]
    fn absent_filters_are_absent_and_binds_follow_the_parameters() {
        let s = postgres(&query(&[], &[]), Shape::Entries);
        assert_eq!(s.binds, [Bind::Since, Bind::Until]);
        assert!(!s.sql.contains("e.region ="));
        let s = postgres(&query(&["US"], &["0", "10"]), Shape::Daily);
        assert_eq!(
            s.binds,
            [Bind::Since, Bind::Until, Bind::Region, Bind::Categories]
        );
        assert!(s.sql.contains("e.region = $3 AND e.category_id = ANY($4)"));
        let s = sqlite(&query(&["US", "CA"], &[]), Shape::Daily);
        assert_eq!(s.binds, [Bind::Since, Bind::Until, Bind::Regions]);
        assert!(s
            .sql
            .contains("e.region IN (SELECT value FROM json_each(?3))"));
    }

    #[test]
    fn the_same_statement_is_built_once() {
        let a = postgres(&query(&["US"], &[]), Shape::Daily).sql;
        let b = postgres(&query(&["CA"], &[]), Shape::Daily).sql;
        assert!(std::ptr::eq(a, b));
    }

    /// The daily read holds the video's id where the decoder takes it, and its other columns
    /// from `SELECTED_VIDEO_AT` on, in the lookup's order.
    #[test]
    fn the_daily_read_holds_the_video_columns_in_lookup_order() {
        let columns: Vec<String> = selected().split(", ").map(str::to_owned).collect();
        assert_eq!(columns[6], VIDEO_COLUMNS[0].replace("v.", "e."));
        assert_eq!(columns[SELECTED_VIDEO_AT..], VIDEO_COLUMNS[1..]);
    }
}
