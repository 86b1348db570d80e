//! SQLite's statements that keep the reports' summaries up to date with the runs stored since
//! the last report (`chart_days`, `region_videos`, `video_totals`, `region_pairs`), and the
//! refresh that runs them: the twins of `store/postgres/summary.rs`, the rules in
//! `store::shared::report`. Days and hours are prefixes of the fixed-width UTC text.

use super::report::hours;
use super::SqliteStore;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::report::SUMMARY;

/// New runs after which the refresh refreshes the planner's statistics too (a day's worth at
/// a run every 3 hours).
const ANALYZE_AFTER_RUNS: i64 = 8;

/// Adds the new runs' chart entries to `chart_days`, one row per video per chart per UTC day.
const DAYS_SQL: &str = "
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

/// Recomputes, from `chart_days`, the all-time totals of the (region, video) pairs the new runs
/// touched (`{touched}`), or of every pair; `{hours}`: `report::hours` from the first entry to
/// the publication.
const REGION_VIDEOS_SQL: &str = "
INSERT INTO region_videos (region, video_id, days, entries, best_rank, first_at, last_at,
                           channel_id, channel_title, hours_to_trend)
SELECT d.region, d.video_id, count(DISTINCT d.day), sum(d.entries), min(d.best_rank),
       min(d.first_at), max(d.last_at), max(v.channel_id), max(v.channel_title),
       {hours}
FROM chart_days d LEFT JOIN videos v ON v.video_id = d.video_id
{touched}
GROUP BY d.region, d.video_id
ON CONFLICT (region, video_id) DO UPDATE SET
    days = excluded.days, entries = excluded.entries, best_rank = excluded.best_rank,
    first_at = excluded.first_at, last_at = excluded.last_at,
    channel_id = excluded.channel_id, channel_title = excluded.channel_title,
    hours_to_trend = excluded.hours_to_trend";

/// The same for the videos the new runs touched, over every region, with the regions that had
/// them first in a later hour (read from `region_videos`, already up to date).
const VIDEO_TOTALS_SQL: &str = "
INSERT INTO video_totals (video_id, days, entries, best_rank, first_at, last_at,
                          channel_id, channel_title, hours_to_trend, later_regions)
SELECT s.video_id, s.days, s.entries, s.best_rank, s.first_at, s.last_at, s.channel_id,
       s.channel_title, {hours},
       (SELECT count(*) FROM region_videos r
        WHERE r.video_id = s.video_id
          AND substr(r.first_at, 1, 13) > substr(s.first_at, 1, 13))
FROM (
    SELECT d.video_id, count(DISTINCT d.day) AS days, sum(d.entries) AS entries,
           min(d.best_rank) AS best_rank, min(d.first_at) AS first_at, max(d.last_at) AS last_at,
           max(v.channel_id) AS channel_id, max(v.channel_title) AS channel_title,
           max(v.published_at) AS published_at
    FROM chart_days d LEFT JOIN videos v ON v.video_id = d.video_id
    {touched}
    GROUP BY d.video_id
) s
WHERE true
ON CONFLICT (video_id) DO UPDATE SET
    days = excluded.days, entries = excluded.entries, best_rank = excluded.best_rank,
    first_at = excluded.first_at, last_at = excluded.last_at,
    channel_id = excluded.channel_id, channel_title = excluded.channel_title,
    hours_to_trend = excluded.hours_to_trend, later_regions = excluded.later_regions";

/// Adds to `region_pairs` what the (region, video) pairs new in these runs share: run before
/// `region_videos` takes them in, so that "new" is "not in `region_videos` yet". Every pair of
/// regions holding one of their videos, one of them new, gains that video once.
const PAIRS_ADDED_SQL: &str = "
WITH new AS (
    SELECT DISTINCT e.region, e.video_id FROM chart_entries e
    WHERE e.run_id > ?1 AND e.run_id <= ?2
      AND NOT EXISTS (SELECT 1 FROM region_videos t
                      WHERE t.region = e.region AND t.video_id = e.video_id)
), present AS (
    SELECT t.region, t.video_id, 0 AS new FROM region_videos t
    WHERE t.video_id IN (SELECT video_id FROM new)
    UNION ALL
    SELECT region, video_id, 1 FROM new
)
INSERT INTO region_pairs (region, other_region, shared)
SELECT a.region, b.region, count(*)
FROM present a JOIN present b ON b.video_id = a.video_id
WHERE a.new = 1 OR b.new = 1
GROUP BY a.region, b.region
ON CONFLICT (region, other_region) DO UPDATE SET shared = region_pairs.shared + excluded.shared";

/// `region_pairs` from nothing, from every pair of `region_videos`.
const PAIRS_ALL_SQL: &str = "
DELETE FROM region_pairs;
INSERT INTO region_pairs (region, other_region, shared)
SELECT a.region, b.region, count(*)
FROM region_videos a JOIN region_videos b ON b.video_id = a.video_id
GROUP BY a.region, b.region";

/// One statement of the refresh.
pub(super) enum Step {
    /// Runs with the range of new runs (`?1` < `run_id` <= `?2`).
    Runs(String),
    /// Runs without parameters (may hold several statements).
    Plain(&'static str),
}

/// The statements that bring the summaries up to date with the runs after `?1` up to `?2`,
/// in order; `all`: every total is recomputed and the pairs counted from nothing (the first
/// time, when that is cheaper than finding what the runs touched).
pub(super) fn refresh_sql(all: bool) -> Vec<Step> {
    let runs = "FROM chart_entries WHERE run_id > ?1 AND run_id <= ?2";
    let touched = |pairs: bool| match (all, pairs) {
        (true, _) => String::new(),
        (false, true) => {
            format!("WHERE (d.region, d.video_id) IN (SELECT region, video_id {runs})")
        }
        (false, false) => format!("WHERE d.video_id IN (SELECT video_id {runs})"),
    };
    let mut steps = vec![Step::Runs(DAYS_SQL.to_owned())];
    if !all {
        steps.push(Step::Runs(PAIRS_ADDED_SQL.to_owned()));
    }
    let pair_hours = hours("min(d.first_at)", "max(v.published_at)");
    let video_hours = hours("s.first_at", "s.published_at");
    steps.push(Step::Runs(
        REGION_VIDEOS_SQL
            .replace("{touched}", &touched(true))
            .replace("{hours}", &pair_hours),
    ));
    steps.push(Step::Runs(
        VIDEO_TOTALS_SQL
            .replace("{touched}", &touched(false))
            .replace("{hours}", &video_hours),
    ));
    if all {
        steps.push(Step::Plain(PAIRS_ALL_SQL));
    }
    steps
}

impl SqliteStore {
    /// Brings the summaries up to date with the runs stored since they last were (in a
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
        for step in refresh_sql(through == 0) {
            let done = match &step {
                Step::Runs(sql) => {
                    sqlx::query(sql)
                        .bind(through)
                        .bind(newest)
                        .execute(&mut *tx)
                        .await
                }
                Step::Plain(sql) => sqlx::raw_sql(sql).execute(&mut *tx).await,
            };
            done.map_err(error)?;
        }
        sqlx::query("UPDATE summaries SET through_run_id = ?2 WHERE name = ?1")
            .bind(SUMMARY)
            .bind(newest)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        tx.commit().await.map_err(error)?;
        // The planner's statistics, after many new rows (sampled: `analysis_limit`).
        if newest - through >= ANALYZE_AFTER_RUNS || through == 0 {
            sqlx::raw_sql(
                "PRAGMA analysis_limit = 1000;
                 ANALYZE chart_days; ANALYZE region_videos; ANALYZE video_totals;
                 ANALYZE region_pairs;",
            )
            .execute(&self.pool)
            .await
            .map_err(error)?;
        }
        Ok(())
    }
}
