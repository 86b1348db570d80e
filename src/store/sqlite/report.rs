//! SQLite's report queries (`trendtap report`): one statement per report table, each
//! aggregating in the database, over the summaries `summary.rs` keeps. Every report starts from [`selection`];
//! [`statements`] says which statements each report runs; `report_run.rs` runs them. The
//! PostgreSQL twins are in `store/postgres/report.rs`; what differs: days and hours are
//! prefixes of the fixed-width UTC text (`substr`), hours between two times come from
//! `unixepoch`, and the percentiles are PostgreSQL's `percentile_cont` (linear interpolation)
//! written with window functions.

use crate::report::Query;
use crate::store::shared::report::{first_entries, firsts, limit, totals, Filter};

/// What every report starts from, as two CTEs: `rv`, one row per region and video on the
/// selected charts (its days, entries, best rank, first and last entry in the period), and
/// `av`, one per video over all the selected regions. Without a period or a category they
/// are the all-time totals (`region_videos`, and `video_totals` when no region is chosen);
/// otherwise they are aggregated from `chart_days`.
pub(super) fn selection(f: &Filter, totals: bool) -> String {
    let w = f.on("d");
    let stats = "count(DISTINCT d.day) AS days, sum(d.entries) AS entries, \
                 min(d.best_rank) AS best_rank, min(d.first_at) AS first_at, \
                 max(d.last_at) AS last_at";
    let rv = if totals {
        format!(
            "SELECT d.region, d.video_id, d.days, d.entries, d.best_rank, d.first_at, d.last_at,
           d.channel_id, d.channel_title, d.hours_to_trend
    FROM region_videos d WHERE {w}"
        )
    } else {
        format!(
            "SELECT d.region, d.video_id, {stats}
    FROM chart_days d WHERE {w} GROUP BY d.region, d.video_id"
        )
    };
    let av = if totals && f.is_empty() {
        "SELECT video_id, days, entries, best_rank, first_at, last_at, channel_id, channel_title,
           hours_to_trend
    FROM video_totals"
            .to_owned()
    } else {
        format!("SELECT d.video_id, {stats} FROM chart_days d WHERE {w} GROUP BY d.video_id")
    };
    format!("rv AS (\n    {rv}\n), av AS (\n    {av}\n)")
}

/// The order of the longest-trending videos.
const DAYS_ORDER: &str = "days DESC, best_rank, first_at, video_id";

/// The longest-trending videos: each region's first `limit` rows in [`DAYS_ORDER`] (SQLite has
/// no `LATERAL`: every pair is ranked, in the order of `region_videos_days_idx` with the
/// totals), and over all regions.
pub(super) fn days_sql(sel: &str, limit: i64) -> String {
    format!(
        "WITH {sel}, top AS (
    SELECT region, video_id, days, best_rank, first_at, last_at FROM (
        SELECT rv.*, row_number() OVER (PARTITION BY region ORDER BY {DAYS_ORDER}) AS n FROM rv
    ) x WHERE n <= {limit}
    UNION ALL
    SELECT 'all', * FROM (
        SELECT video_id, days, best_rank, first_at, last_at FROM av
        ORDER BY {DAYS_ORDER} LIMIT {limit}
    ) a
)
SELECT r.region, r.video_id,
       (SELECT v.title FROM videos v WHERE v.video_id = r.video_id) AS title,
       (SELECT v.channel_title FROM videos v WHERE v.video_id = r.video_id) AS channel_title,
       r.days,
       r.first_at AS first_seen_at, r.last_at AS last_seen_at, r.best_rank
FROM top r
ORDER BY r.region <> 'all', r.region, r.days DESC, r.best_rank, r.first_at, r.video_id"
    )
}

pub(super) fn distribution_sql(sel: &str) -> String {
    format!(
        "WITH {sel}, scoped AS (
    SELECT region, days FROM rv
    UNION ALL
    SELECT 'all', days FROM av
)
SELECT region, days, count(*) AS videos FROM scoped
GROUP BY region, days ORDER BY region <> 'all', region, days"
    )
}

/// Hours from `published` to `first` (a video's first chart entry); NULL without a
/// publication time. The totals keep it (`hours_to_trend`), computed by this same expression.
pub(super) fn hours(first: &str, published: &str) -> String {
    format!("(unixepoch({first}) - unixepoch({published})) / 3600.0")
}

/// Videos that entered a region's charts (or any selected chart: `all`) in the period, and
/// the hours from `published_at` to that first chart entry. `{before}`: the same charts before
/// the period (a video seen there did not enter in the period). `carried`: whether the rows of
/// `rv` and `av` carry the hours (`hours_to_trend`: the totals do), else they are computed with
/// `published_at` looked up by key.
pub(super) fn time_to_trend_sql(sel: &str, before: Option<&str>, carried: [bool; 2]) -> String {
    let published = |alias: &str, carried: bool| {
        if carried {
            format!("{alias}.hours_to_trend")
        } else {
            let p = format!(
                "(SELECT v.published_at FROM videos v WHERE v.video_id = {alias}.video_id)"
            );
            hours(&format!("{alias}.first_at"), &p)
        }
    };
    let (pr, pa) = (published("r", carried[0]), published("a", carried[1]));
    let (new_here, new_anywhere) = match before {
        Some(b) => (
            format!(
                "WHERE NOT EXISTS (SELECT 1 FROM chart_days b
                   WHERE b.region = r.region AND b.video_id = r.video_id AND {b})"
            ),
            format!(
                "WHERE NOT EXISTS (SELECT 1 FROM chart_days b WHERE b.video_id = a.video_id AND {b})"
            ),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "WITH {sel}, entered AS (
    SELECT r.region, {pr} AS hours FROM rv r {new_here}
    UNION ALL
    SELECT 'all', {pa} FROM av a {new_anywhere}
), timed AS MATERIALIZED (
    SELECT region, hours FROM entered
), counts AS (
    SELECT region, count(*) AS videos, count(hours) AS timed FROM timed GROUP BY region
), ordered AS MATERIALIZED (
    SELECT region, hours, row_number() OVER (PARTITION BY region ORDER BY hours) - 1 AS i
    FROM timed WHERE hours IS NOT NULL
), positions AS (
    SELECT c.region, q.q, (c.timed - 1) * q.q AS p
    FROM counts c, (SELECT 0.5 AS q UNION ALL SELECT 0.9) q WHERE c.timed > 0
), percentiles AS (
    SELECT p.region, p.q,
           lo.hours + (p.p - CAST(p.p AS INTEGER)) * (hi.hours - lo.hours) AS hours
    FROM positions p
    JOIN ordered lo ON lo.region = p.region AND lo.i = CAST(p.p AS INTEGER)
    JOIN ordered hi ON hi.region = p.region
                   AND hi.i = CAST(p.p AS INTEGER) + (p.p > CAST(p.p AS INTEGER))
)
SELECT c.region, c.videos, c.timed,
       (SELECT x.hours FROM percentiles x WHERE x.region = c.region AND x.q = 0.5) AS median_hours,
       (SELECT x.hours FROM percentiles x WHERE x.region = c.region AND x.q = 0.9) AS p90_hours
FROM counts c ORDER BY c.region <> 'all', c.region"
    )
}

/// `by_pairs` (the totals; the condition on the regions of `g`): the regions' sizes and shared
/// videos are read from `region_pairs`, else counted from `rv` (a self-join on the video).
pub(super) fn overlap_sql(sel: &str, limit: i64, by_pairs: Option<&str>) -> String {
    let counts = match by_pairs {
        Some(w) => format!(
            "sizes AS (
    SELECT g.region, g.shared AS videos FROM region_pairs g
    WHERE g.region = g.other_region AND {w}
), pairs AS (
    SELECT region, other_region, shared FROM region_pairs WHERE region <> other_region
)"
        ),
        None => "sizes AS (
    SELECT region, count(*) AS videos FROM rv GROUP BY region
), pairs AS (
    SELECT a.region, b.region AS other_region, count(*) AS shared
    FROM rv a JOIN rv b ON b.video_id = a.video_id AND b.region <> a.region
    GROUP BY a.region, b.region
)"
        .to_owned(),
    };
    format!(
        "WITH {sel}, {counts}, scored AS (
    SELECT p.region, p.other_region, sa.videos, sb.videos AS other_videos, p.shared,
           p.shared * 1.0 / (sa.videos + sb.videos - p.shared) AS jaccard
    FROM pairs p JOIN sizes sa ON sa.region = p.region JOIN sizes sb ON sb.region = p.other_region
), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY region
                                   ORDER BY jaccard DESC, shared DESC, other_region) AS n
    FROM scored s
)
SELECT region, other_region, videos, other_videos, shared, jaccard FROM ranked
WHERE n <= {limit} ORDER BY region, n"
    )
}

/// A video is exported by the region(s) where it was first seen, to the hour (the charts of
/// one run count as simultaneous), when it then trended in other regions. `by_totals` (the
/// totals of every region): the regions after the first hour are `video_totals.later_regions`,
/// and only the videos that have some are read (`video_totals_exported_idx`).
pub(super) fn exported_sql(sel: &str, limit: i64, by_totals: bool) -> String {
    let ranked = if by_totals {
        "ranked AS (
    SELECT r.region, r.video_id, r.first_at, t.later_regions AS later,
           row_number() OVER (PARTITION BY r.region
                              ORDER BY t.later_regions DESC, r.first_at, r.video_id) AS n
    FROM video_totals t
    JOIN region_videos r ON r.video_id = t.video_id
                        AND substr(r.first_at, 1, 13) = substr(t.first_at, 1, 13)
    WHERE t.later_regions > 0
)"
    } else {
        EXPORTED_RANKED
    };
    format!(
        "WITH {sel}, {ranked}
SELECT r.region, r.video_id,
       (SELECT v.title FROM videos v WHERE v.video_id = r.video_id) AS title,
       (SELECT v.channel_title FROM videos v WHERE v.video_id = r.video_id) AS channel_title,
       r.first_at AS first_seen_at,
       r.later AS other_regions
FROM ranked r
WHERE r.n <= {limit} ORDER BY r.region, r.n"
    )
}

/// The exported videos ranked from `rv`: each pair's first hour against the video's first.
const EXPORTED_RANKED: &str = "firsts AS (
    SELECT region, video_id, first_at, substr(first_at, 1, 13) AS hour FROM rv
), origins AS (
    SELECT video_id, min(hour) AS hour FROM firsts GROUP BY video_id
), spread AS (
    SELECT f.video_id, o.hour, sum(CASE WHEN f.hour > o.hour THEN 1 ELSE 0 END) AS later
    FROM firsts f JOIN origins o ON o.video_id = f.video_id
    GROUP BY f.video_id, o.hour
    HAVING sum(CASE WHEN f.hour > o.hour THEN 1 ELSE 0 END) > 0
), ranked AS (
    SELECT f.region, f.video_id, f.first_at, s.later,
           row_number() OVER (PARTITION BY f.region ORDER BY s.later DESC, f.first_at, f.video_id) AS n
    FROM firsts f JOIN spread s ON s.video_id = f.video_id AND s.hour = f.hour
)";

/// The videos of each region's selected charts, and of all of them (`all`).
const SCOPED_VIDEOS: &str = "scoped AS (
    SELECT region, video_id FROM rv
    UNION ALL
    SELECT 'all', video_id FROM av
)";

pub(super) fn languages_sql(sel: &str, limit: i64) -> String {
    format!(
        "WITH {sel}, {SCOPED_VIDEOS}, counted AS (
    SELECT s.region, v.language, count(*) AS videos,
           sum(CASE WHEN v.language_source = 'api' THEN 1 ELSE 0 END) AS source_api,
           sum(CASE WHEN v.language_source = 'channel' THEN 1 ELSE 0 END) AS source_channel,
           sum(CASE WHEN v.language_source = 'detected' THEN 1 ELSE 0 END) AS source_detected,
           sum(CASE WHEN v.language_source = 'none' THEN 1 ELSE 0 END) AS source_none
    FROM scoped s JOIN videos v ON v.video_id = s.video_id
    GROUP BY s.region, v.language
), ranked AS (
    SELECT c.*, c.videos * 1.0 / sum(c.videos) OVER (PARTITION BY c.region) AS share,
           row_number() OVER (PARTITION BY c.region ORDER BY c.videos DESC, c.language) AS n
    FROM counted c
)
SELECT region, language, videos, share, source_api, source_channel, source_detected, source_none
FROM ranked WHERE n <= {limit} ORDER BY region <> 'all', region, n"
    )
}

pub(super) fn categories_sql(sel: &str, limit: i64) -> String {
    format!(
        "WITH {sel}, {SCOPED_VIDEOS}, counted AS (
    SELECT s.region, v.category_id, count(*) AS videos
    FROM scoped s JOIN videos v ON v.video_id = s.video_id
    GROUP BY s.region, v.category_id
), ranked AS (
    SELECT c.*, c.videos * 1.0 / sum(c.videos) OVER (PARTITION BY c.region) AS share,
           row_number() OVER (PARTITION BY c.region ORDER BY c.videos DESC, c.category_id) AS n
    FROM counted c
)
SELECT r.region, r.category_id,
       coalesce(t.title, (SELECT min(x.title) FROM video_categories x
                          WHERE x.category_id = r.category_id)) AS title,
       r.videos, r.share
FROM ranked r LEFT JOIN video_categories t ON t.region = r.region AND t.category_id = r.category_id
WHERE r.n <= {limit} ORDER BY r.region <> 'all', r.region, r.n"
    )
}

/// `rv_channel`, `av_channel`: the rows of `rv`, `av` carry each video's channel (they are the
/// all-time totals); otherwise it comes from `videos`.
pub(super) fn channels_sql(sel: &str, limit: i64, rv_channel: bool, av_channel: bool) -> String {
    let part = |cte: &str, scope: &str, carried: bool| {
        let (channel, join) = if carried {
            ("s", String::new())
        } else {
            ("v", " JOIN videos v ON v.video_id = s.video_id".to_owned())
        };
        format!(
            "SELECT {scope}, s.video_id, s.entries, {channel}.channel_id, {channel}.channel_title
    FROM {cte} s{join}"
        )
    };
    let (here, all) = (
        part("rv", "s.region", rv_channel),
        part("av", "'all'", av_channel),
    );
    format!(
        "WITH {sel}, scoped AS (
    {here}
    UNION ALL
    {all}
), counted AS (
    SELECT region, channel_id, max(channel_title) AS channel_title, sum(entries) AS entries,
           count(*) AS videos
    FROM scoped WHERE channel_id IS NOT NULL
    GROUP BY region, channel_id
), ranked AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY region ORDER BY entries DESC, videos DESC, channel_id)
               AS entries_rank,
           row_number() OVER (PARTITION BY region ORDER BY videos DESC, entries DESC, channel_id)
               AS videos_rank
    FROM counted c
)
SELECT region, channel_id, channel_title, entries, videos, entries_rank,
       videos_rank
FROM ranked WHERE entries_rank <= {limit} OR videos_rank <= {limit}
ORDER BY region <> 'all', region, entries_rank"
    )
}

pub(super) const VIDEO_SQL: &str =
    "SELECT video_id, title, channel_title, category_id, published_at, language, view_count
FROM videos WHERE video_id = ?1";

/// One video's chart entries: the one place its history is read (when the refresh command's
/// `video_observations` arrives, the views below gain its rows).
pub(super) fn ranks_sql(w: &str) -> String {
    format!(
        "SELECT e.fetched_at, e.run_id, e.region, e.category_id, e.rank, e.view_count
FROM chart_entries e WHERE e.video_id = ?1 AND {w}
ORDER BY e.fetched_at, e.region, e.category_id"
    )
}

pub(super) fn views_sql(w: &str) -> String {
    format!(
        "SELECT min(e.fetched_at) AS fetched_at, e.run_id, max(e.view_count) AS view_count
FROM chart_entries e WHERE e.video_id = ?1 AND {w}
GROUP BY e.run_id ORDER BY 1, 2"
    )
}

/// What the selected history covers; `everything` (no filter at all): from `video_totals`,
/// and the distinct days by skipping through `chart_days_day_idx` one day at a time.
pub(super) fn coverage_sql(w: &str, everything: bool) -> String {
    if everything {
        return "WITH RECURSIVE days (day) AS (
    SELECT min(day) FROM chart_days
    UNION ALL
    SELECT (SELECT min(c.day) FROM chart_days c WHERE c.day > d.day) FROM days d
    WHERE d.day IS NOT NULL
)
SELECT min(t.first_at) AS first_at, max(t.last_at) AS last_at,
       (SELECT count(day) FROM days) AS days, count(*) AS videos,
       coalesce(sum(t.entries), 0) AS entries
FROM video_totals t"
            .to_owned();
    }
    format!(
        "SELECT min(d.first_at) AS first_at, max(d.last_at) AS last_at,
       count(DISTINCT d.day) AS days, count(DISTINCT d.video_id) AS videos,
       coalesce(sum(d.entries), 0) AS entries
FROM chart_days d WHERE {w}"
    )
}

/// The regions the selected history covers: from `region_pairs` (each region with itself)
/// with the totals, else from `chart_days`.
pub(super) fn regions_sql(f: &Filter, totals: bool) -> String {
    if totals {
        format!(
            "SELECT g.region FROM region_pairs g WHERE g.region = g.other_region AND {} ORDER BY 1",
            f.on("g")
        )
    } else {
        format!(
            "SELECT DISTINCT d.region FROM chart_days d WHERE {} ORDER BY 1",
            f.on("d")
        )
    }
}

/// The statements a report runs, in order (one per table; `video`'s first reads `videos`).
pub(super) fn statements(
    query: Query<'_>,
    f: &Filter,
    filters: &crate::report::Filters,
    n: Option<u32>,
) -> Vec<String> {
    let t = totals(filters);
    let (sel, l) = (selection(f, t), limit(n));
    match query {
        Query::DaysOnTrending => vec![days_sql(&sel, l), distribution_sql(&sel)],
        Query::TimeToTrend if firsts(filters) => {
            let sel = first_entries(f);
            vec![time_to_trend_sql(&sel, None, [true, true])]
        }
        Query::TimeToTrend => {
            let before = f.before("b");
            vec![time_to_trend_sql(
                &sel,
                before.as_deref(),
                [t, t && f.is_empty()],
            )]
        }
        Query::Overlap => {
            let regions = t.then(|| f.on("g"));
            vec![
                overlap_sql(&sel, l, regions.as_deref()),
                exported_sql(&sel, l, t && f.is_empty()),
            ]
        }
        Query::Languages => vec![languages_sql(&sel, l)],
        Query::Categories => vec![categories_sql(&sel, l)],
        Query::Channels => vec![channels_sql(&sel, l, t, t && f.is_empty())],
        Query::Video(_) => vec![ranks_sql(&f.on("e")), views_sql(&f.on("e"))],
    }
}
