//! SQLite's report queries (`trendtap report`), one statement per table, each aggregating in
//! the database over `chart_days` (the daily summary of `chart_entries`, brought up to date by
//! [`SqliteStore::refresh_chart_days`]). `{w}` is the report's filter on `chart_days d`
//! (`shared::report::Filter`), `{limit}` the rows per region. The PostgreSQL twins are in
//! `store/postgres/report.rs`; what differs: days and hours are prefixes of the fixed-width UTC
//! text (`substr`), hours between two times come from `unixepoch`, and the percentiles are
//! PostgreSQL's `percentile_cont` (linear interpolation) written with window functions.

use sqlx::query::QueryAs;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{FromRow, Sqlite};

use super::time::ts;
use super::SqliteStore;
use crate::report::{
    CategoryRow, ChannelRow, Coverage, DaysBucket, DaysRow, Explained, ExportedRow, Filters,
    LanguageRow, OverlapRow, Query, RankRow, TimeToTrendRow, VideoInfo, ViewsRow,
};
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::report::{limit, Bind, Filter, Grain, Sql, SUMMARY};

/// Adds the new runs' chart entries to `chart_days`, one row per video per chart per UTC day.
const REFRESH_SQL: &str = "
INSERT INTO chart_days (region, video_id, day, category_id, entries, best_rank, first_at, last_at)
SELECT region, video_id, substr(fetched_at, 1, 10), category_id,
       count(*), min(rank), min(fetched_at), max(fetched_at)
FROM chart_entries
WHERE run_id > ?1 AND run_id <= ?2
GROUP BY 1, 2, 3, 4
ON CONFLICT (region, video_id, day, category_id) DO UPDATE SET
    entries = chart_days.entries + excluded.entries,
    best_rank = min(chart_days.best_rank, excluded.best_rank),
    first_at = min(chart_days.first_at, excluded.first_at),
    last_at = max(chart_days.last_at, excluded.last_at)";

fn days_sql(w: &str, limit: i64) -> String {
    format!(
        "WITH sel AS (
    SELECT d.region, d.video_id, d.day, d.best_rank, d.first_at, d.last_at
    FROM chart_days d WHERE {w}
), scoped AS (
    SELECT region, video_id, count(DISTINCT day) AS days, min(first_at) AS first_seen_at,
           max(last_at) AS last_seen_at, min(best_rank) AS best_rank
    FROM sel GROUP BY region, video_id
    UNION ALL
    SELECT 'all', video_id, count(DISTINCT day), min(first_at), max(last_at), min(best_rank)
    FROM sel GROUP BY video_id
), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY region
                                   ORDER BY days DESC, best_rank, first_seen_at, video_id) AS n
    FROM scoped s
)
SELECT r.region, r.video_id, v.title, v.channel_title, r.days, r.first_seen_at, r.last_seen_at,
       r.best_rank
FROM ranked r LEFT JOIN videos v ON v.video_id = r.video_id
WHERE r.n <= {limit}
ORDER BY r.region <> 'all', r.region, r.n"
    )
}

fn distribution_sql(w: &str) -> String {
    format!(
        "WITH sel AS (
    SELECT d.region, d.video_id, d.day FROM chart_days d WHERE {w}
), scoped AS (
    SELECT region, video_id, count(DISTINCT day) AS days FROM sel GROUP BY region, video_id
    UNION ALL
    SELECT 'all', video_id, count(DISTINCT day) FROM sel GROUP BY video_id
)
SELECT region, days, count(*) AS videos FROM scoped
GROUP BY region, days ORDER BY region <> 'all', region, days"
    )
}

/// Videos that entered a region's charts (or any selected chart: `all`) in the period, and
/// the hours from `published_at` to that first chart entry. `{before}`: the same charts before
/// the period (a video seen there did not enter in the period).
fn time_to_trend_sql(w: &str, before: Option<&str>) -> String {
    let (new_here, new_anywhere) = match before {
        Some(b) => (
            format!(
                "WHERE NOT EXISTS (SELECT 1 FROM chart_days b
                   WHERE b.region = f.region AND b.video_id = f.video_id AND {b})"
            ),
            format!(
                "WHERE NOT EXISTS (SELECT 1 FROM chart_days b WHERE b.video_id = f.video_id AND {b})"
            ),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "WITH firsts AS (
    SELECT d.region, d.video_id, min(d.first_at) AS first_at
    FROM chart_days d WHERE {w} GROUP BY d.region, d.video_id
), entered AS (
    SELECT f.region, f.video_id, f.first_at FROM firsts f {new_here}
    UNION ALL
    SELECT 'all', f.video_id, min(f.first_at) FROM firsts f {new_anywhere} GROUP BY f.video_id
), timed AS (
    SELECT e.region, (unixepoch(e.first_at) - unixepoch(v.published_at)) / 3600.0 AS hours
    FROM entered e LEFT JOIN videos v ON v.video_id = e.video_id
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

fn overlap_sql(w: &str, limit: i64) -> String {
    format!(
        "WITH rv AS (
    SELECT DISTINCT d.region, d.video_id FROM chart_days d WHERE {w}
), sizes AS (
    SELECT region, count(*) AS videos FROM rv GROUP BY region
), pairs AS (
    SELECT a.region, b.region AS other_region, count(*) AS shared
    FROM rv a JOIN rv b ON b.video_id = a.video_id AND b.region <> a.region
    GROUP BY a.region, b.region
), scored AS (
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
/// one run count as simultaneous), when it then trended in other regions.
fn exported_sql(w: &str, limit: i64) -> String {
    format!(
        "WITH firsts AS (
    SELECT d.region, d.video_id, min(d.first_at) AS first_at,
           substr(min(d.first_at), 1, 13) AS hour
    FROM chart_days d WHERE {w} GROUP BY d.region, d.video_id
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
)
SELECT r.region, r.video_id, v.title, v.channel_title, r.first_at AS first_seen_at,
       r.later AS other_regions
FROM ranked r LEFT JOIN videos v ON v.video_id = r.video_id
WHERE r.n <= {limit} ORDER BY r.region, r.n"
    )
}

/// The distinct videos of each region's selected charts, and of all of them (`all`).
fn scoped_videos(w: &str) -> String {
    format!(
        "rv AS (
    SELECT DISTINCT d.region, d.video_id FROM chart_days d WHERE {w}
), scoped AS (
    SELECT region, video_id FROM rv
    UNION ALL
    SELECT DISTINCT 'all', video_id FROM rv
)"
    )
}

fn languages_sql(w: &str, limit: i64) -> String {
    let scoped = scoped_videos(w);
    format!(
        "WITH {scoped}, counted AS (
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

fn categories_sql(w: &str, limit: i64) -> String {
    let scoped = scoped_videos(w);
    format!(
        "WITH {scoped}, counted AS (
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

fn channels_sql(w: &str, limit: i64) -> String {
    format!(
        "WITH rv AS (
    SELECT d.region, d.video_id, sum(d.entries) AS entries
    FROM chart_days d WHERE {w} GROUP BY d.region, d.video_id
), scoped AS (
    SELECT region, video_id, entries FROM rv
    UNION ALL
    SELECT 'all', video_id, sum(entries) FROM rv GROUP BY video_id
), counted AS (
    SELECT s.region, v.channel_id, max(v.channel_title) AS channel_title,
           sum(s.entries) AS entries, count(*) AS videos
    FROM scoped s JOIN videos v ON v.video_id = s.video_id
    WHERE v.channel_id IS NOT NULL
    GROUP BY s.region, v.channel_id
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

const VIDEO_SQL: &str =
    "SELECT video_id, title, channel_title, category_id, published_at, language, view_count
FROM videos WHERE video_id = ?1";

/// One video's chart entries: the one place its history is read (when the refresh command's
/// `video_observations` arrives, the views below gain its rows).
fn ranks_sql(w: &str) -> String {
    format!(
        "SELECT e.fetched_at, e.run_id, e.region, e.category_id, e.rank, e.view_count
FROM chart_entries e WHERE e.video_id = ?1 AND {w}
ORDER BY e.fetched_at, e.region, e.category_id"
    )
}

fn views_sql(w: &str) -> String {
    format!(
        "SELECT min(e.fetched_at) AS fetched_at, e.run_id, max(e.view_count) AS view_count
FROM chart_entries e WHERE e.video_id = ?1 AND {w}
GROUP BY e.run_id ORDER BY 1, 2"
    )
}

fn coverage_sql(w: &str) -> String {
    format!(
        "SELECT min(d.first_at) AS first_at, max(d.last_at) AS last_at,
       count(DISTINCT d.day) AS days, count(DISTINCT d.video_id) AS videos,
       coalesce(sum(d.entries), 0) AS entries
FROM chart_days d WHERE {w}"
    )
}

fn bind<'q, O>(
    q: QueryAs<'q, Sqlite, O, SqliteArguments<'q>>,
    binds: &'q [Bind],
) -> QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
    binds.iter().fold(q, |q, b| match b {
        Bind::Texts(v) => q.bind(serde_json::to_string(v).expect("plain strings")),
        Bind::Day(d) => q.bind(d.to_string()),
        Bind::Time(t) => q.bind(ts(*t)),
    })
}

/// A report's filter: on `chart_days`, or on `chart_entries` after the video id for `video`.
fn filter(query: Query<'_>, filters: &Filters) -> Filter {
    match query {
        Query::Video(_) => Filter::new(Sql::Sqlite, Grain::Entries, filters, 2),
        _ => Filter::new(Sql::Sqlite, Grain::Days, filters, 1),
    }
}

/// The statements a report runs, in order (one per table; `video`'s first reads `videos`).
fn statements(query: Query<'_>, f: &Filter, n: Option<u32>) -> Vec<String> {
    let (w, l) = (f.on("d"), limit(n));
    match query {
        Query::DaysOnTrending => vec![days_sql(&w, l), distribution_sql(&w)],
        Query::TimeToTrend => vec![time_to_trend_sql(&w, f.before("b").as_deref())],
        Query::Overlap => vec![overlap_sql(&w, l), exported_sql(&w, l)],
        Query::Languages => vec![languages_sql(&w, l)],
        Query::Categories => vec![categories_sql(&w, l)],
        Query::Channels => vec![channels_sql(&w, l)],
        Query::Video(_) => vec![ranks_sql(&f.on("e")), views_sql(&f.on("e"))],
    }
}

/// `sql` followed by its parameters' values, as comments.
fn with_params(sql: &str, query: Query<'_>, f: &Filter) -> String {
    let mut out = sql.to_owned();
    let first = match query {
        Query::Video(id) => {
            out.push_str(&format!("\n-- 1: {id:?}"));
            2
        }
        _ => 1,
    };
    for (i, b) in f.binds().iter().enumerate() {
        out.push_str(&format!("\n-- {}: {b:?}", first + i));
    }
    out
}

impl SqliteStore {
    /// Brings `chart_days` up to date with the runs stored since it last was (in a
    /// `BEGIN IMMEDIATE` transaction, so that two reports never add the same run twice).
    pub async fn refresh_chart_days(&self) -> Result<(), StoreError> {
        let error = query_error("bringing the report summary up to date");
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(error)?;
        let (through, newest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT s.through_run_id, (SELECT max(run_id) FROM chart_entries)
             FROM summaries s WHERE s.name = ?1",
        )
        .bind(SUMMARY)
        .fetch_one(&mut *tx)
        .await
        .map_err(error)?;
        let Some(newest) = newest.filter(|n| *n > through) else {
            return Ok(());
        };
        sqlx::query(REFRESH_SQL)
            .bind(through)
            .bind(newest)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        sqlx::query("UPDATE summaries SET through_run_id = ?2 WHERE name = ?1")
            .bind(SUMMARY)
            .bind(newest)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        tx.commit().await.map_err(error)
    }

    async fn rows<O>(&self, sql: &str, f: &Filter, what: &'static str) -> Result<Vec<O>, StoreError>
    where
        O: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        bind(sqlx::query_as(sql), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))
    }

    /// `days-on-trending`: the longest-trending videos per region and overall, and the
    /// distribution of days.
    pub async fn days_on_trending(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<(Vec<DaysRow>, Vec<DaysBucket>), StoreError> {
        let f = filter(Query::DaysOnTrending, filters);
        let [videos, buckets] = <[String; 2]>::try_from(statements(Query::DaysOnTrending, &f, n))
            .expect("two statements");
        let what = "reading days on trending";
        Ok((
            self.rows(&videos, &f, what).await?,
            self.rows(&buckets, &f, what).await?,
        ))
    }

    /// `time-to-trend`: per region, hours from publication to the first chart entry.
    pub async fn time_to_trend(
        &self,
        filters: &Filters,
    ) -> Result<Vec<TimeToTrendRow>, StoreError> {
        let f = filter(Query::TimeToTrend, filters);
        let sql = &statements(Query::TimeToTrend, &f, None)[0];
        self.rows(sql, &f, "reading time to trend").await
    }

    /// `overlap`: each region's most similar regions, and its most exported videos.
    pub async fn overlap(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<(Vec<OverlapRow>, Vec<ExportedRow>), StoreError> {
        let f = filter(Query::Overlap, filters);
        let [pairs, exported] =
            <[String; 2]>::try_from(statements(Query::Overlap, &f, n)).expect("two statements");
        let what = "reading the overlap of regions";
        Ok((
            self.rows(&pairs, &f, what).await?,
            self.rows(&exported, &f, what).await?,
        ))
    }

    /// `languages`: each language's share of each region's videos.
    pub async fn languages(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<LanguageRow>, StoreError> {
        let f = filter(Query::Languages, filters);
        let sql = &statements(Query::Languages, &f, n)[0];
        self.rows(sql, &f, "reading the language mix").await
    }

    /// `categories`: each category's share of each region's videos.
    pub async fn categories(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<CategoryRow>, StoreError> {
        let f = filter(Query::Categories, filters);
        let sql = &statements(Query::Categories, &f, n)[0];
        self.rows(sql, &f, "reading the category mix").await
    }

    /// `channels`: the channels with the most chart entries and the most videos.
    pub async fn channels(
        &self,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<ChannelRow>, StoreError> {
        let f = filter(Query::Channels, filters);
        let sql = &statements(Query::Channels, &f, n)[0];
        self.rows(sql, &f, "reading the channels").await
    }

    /// `video ID`: the video, its rank in each chart at each run, its views at each run.
    pub async fn video_history(
        &self,
        video_id: &str,
        filters: &Filters,
    ) -> Result<(Option<VideoInfo>, Vec<RankRow>, Vec<ViewsRow>), StoreError> {
        let what = "reading a video's history";
        let info = sqlx::query_as(VIDEO_SQL)
            .bind(video_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error(what))?;
        let query = Query::Video(video_id);
        let f = filter(query, filters);
        let [ranks, views] =
            <[String; 2]>::try_from(statements(query, &f, None)).expect("two statements");
        let ranks = bind(sqlx::query_as(&ranks).bind(video_id), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))?;
        let views = bind(sqlx::query_as(&views).bind(video_id), f.binds())
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(what))?;
        Ok((info, ranks, views))
    }

    /// What the selected history covers, and its regions.
    pub async fn coverage(&self, filters: &Filters) -> Result<(Coverage, Vec<String>), StoreError> {
        let f = filter(Query::DaysOnTrending, filters);
        let what = "reading what the history covers";
        let coverage = bind(sqlx::query_as(&coverage_sql(&f.on("d"))), f.binds())
            .fetch_one(&self.pool)
            .await
            .map_err(query_error(what))?;
        let sql = format!(
            "SELECT DISTINCT d.region FROM chart_days d WHERE {} ORDER BY 1",
            f.on("d")
        );
        let regions: Vec<(String,)> = self.rows(&sql, &f, what).await?;
        Ok((coverage, regions.into_iter().map(|(r,)| r).collect()))
    }

    /// Each statement of `query` with its parameters, and SQLite's plan for it
    /// (`EXPLAIN QUERY PLAN`, indented as its tree).
    pub async fn explain(
        &self,
        query: Query<'_>,
        filters: &Filters,
        n: Option<u32>,
    ) -> Result<Vec<Explained>, StoreError> {
        let f = filter(query, filters);
        let mut out = Vec::new();
        for sql in statements(query, &f, n) {
            let text = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&text);
            if let Query::Video(id) = query {
                q = q.bind(id.to_owned());
            }
            let rows = bind(q, f.binds())
                .fetch_all(&self.pool)
                .await
                .map_err(query_error("explaining a report"))?;
            let mut depth: std::collections::HashMap<i64, usize> = Default::default();
            let plan: Vec<String> = rows
                .into_iter()
                .map(|(id, parent, _, detail)| {
                    let d = depth.get(&parent).map_or(0, |d| d + 1);
                    depth.insert(id, d);
                    format!("{}{detail}", "  ".repeat(d))
                })
                .collect();
            out.push(Explained {
                sql: with_params(&sql, query, &f),
                plan: plan.join("\n"),
            });
        }
        Ok(out)
    }
}
