//! SQLite, the embedded default store: one file (WAL mode), the same tables as PostgreSQL, the
//! run lock as an OS file lock beside the database, and the run's writes as one statement per
//! table over a JSON array (`json_each`), the SQLite counterpart of PostgreSQL's UNNEST. Each
//! element is converted to JSONB once (`jsonb(value)`), so that reading its many fields does not
//! parse the text again for each.

use std::fs::{File, TryLockError};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, SqliteConnection};

use super::{region_ranks, LockState, RunSummary, StoreError, TopRow, VIDEO_COLUMNS};
use crate::model::{Chart, MergedVideo};
use crate::secret::DatabaseUrl;

/// Rows per statement: large enough to be set-based, small enough to keep the JSON text small.
const BATCH: usize = 2_000;

/// The migrations of the SQLite schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    target: String,
    /// `<database>.lock`, locked for the run; the OS releases it when the process ends.
    lock: Option<File>,
}

fn query_error(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

/// Timestamps as fixed-width UTC text, so that text order is time order.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file of a `sqlite://PATH` URL.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let connect_error = |cause: String| StoreError::Connect {
            target: url.redacted(),
            cause,
        };
        let options = SqliteConnectOptions::from_str(url.expose())
            .map_err(|e| connect_error(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| connect_error(format!("cannot create {}: {e}", dir.display())))?;
        }
        // One connection: SQLite has one writer anyway, and a run writes in one transaction.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| connect_error(e.to_string()))?;
        Ok(SqliteStore {
            pool,
            target: format!("sqlite://{}", path.display()),
            path,
            lock: None,
        })
    }

    /// `sqlite://PATH`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The pool, for read-only queries by tests and tools.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await;
        MIGRATOR.run(&self.pool).await?;
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// Migrations applied so far.
    pub async fn applied_migrations(&self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_or(0, |n| n as usize)
    }

    /// Takes the run lock (a file lock on `<database>.lock`), waiting up to `wait`.
    pub async fn lock(&mut self, wait: Option<Duration>) -> Result<LockState, StoreError> {
        let lock_path = {
            let mut p = self.path.clone().into_os_string();
            p.push(".lock");
            PathBuf::from(p)
        };
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::Connect {
                target: self.target.clone(),
                cause: format!("cannot open the lock file {}: {e}", lock_path.display()),
            })?;
        let deadline = wait.map(|w| tokio::time::Instant::now() + w);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    self.lock = Some(file);
                    sqlx::query("UPDATE runs SET status = 'abandoned', finished_at = ?1 WHERE status = 'running'")
                        .bind(ts(Utc::now()))
                        .execute(&self.pool)
                        .await
                        .map_err(query_error("marking abandoned runs"))?;
                    return Ok(LockState::Acquired);
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(StoreError::Connect {
                        target: self.target.clone(),
                        cause: format!("cannot lock {}: {e}", lock_path.display()),
                    })
                }
            }
            match deadline {
                Some(d) if tokio::time::Instant::now() < d => {
                    tokio::time::sleep(Duration::from_millis(500)).await
                }
                _ => break,
            }
        }
        let row = sqlx::query("SELECT run_id, started_at FROM runs WHERE status = 'running' ORDER BY run_id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading the running run"))?;
        Ok(LockState::Busy {
            run_id: row.as_ref().map(|r| r.get("run_id")),
            started_at: row.as_ref().and_then(|r| {
                r.get::<String, _>("started_at")
                    .parse::<DateTime<Utc>>()
                    .ok()
            }),
        })
    }

    /// Records the start of a run (status `running`) and returns its id.
    pub async fn begin_run(
        &self,
        started_at: DateTime<Utc>,
        regions: &[&str],
        categories: &[String],
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO runs (started_at, status, regions, categories, trendtap_version)
             VALUES (?1, 'running', ?2, ?3, ?4) RETURNING run_id",
        )
        .bind(ts(started_at))
        .bind(json!(regions).to_string())
        .bind(json!(categories).to_string())
        .bind(env!("CARGO_PKG_VERSION"))
        .fetch_one(&self.pool)
        .await
        .map_err(query_error("recording the start of the run"))
    }

    /// Stores a run in one transaction (see `PgStore::save_run`).
    pub async fn save_run(
        &self,
        run_id: i64,
        seen_at: DateTime<Utc>,
        charts: &[Chart],
        merged: &[MergedVideo<'_>],
        summary: &RunSummary<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(query_error("starting the transaction"))?;
        let seen = ts(seen_at);
        if !merged.is_empty() {
            // In batches (here and below): the JSON text of every row at once would double the
            // run's memory.
            for batch in merged.chunks(BATCH) {
                let videos: Vec<_> = batch.iter().map(|m| &m.video).collect();
                sqlx::query(upsert_videos_sql())
                    .bind(serde_json::to_string(&videos).expect("videos serialize"))
                    .bind(&seen)
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_error("upserting videos"))?;
            }

            let regions: Vec<RegionRow> = region_ranks(merged)
                .map(|(video_id, region, rank)| RegionRow {
                    video_id,
                    region,
                    rank,
                })
                .collect();
            for batch in regions.chunks(BATCH) {
                sqlx::query(
                    "INSERT INTO video_regions (video_id, region, first_seen_at, last_seen_at, last_rank, best_rank)
                     SELECT value ->> 'video_id', value ->> 'region', ?2, ?2, value ->> 'rank', value ->> 'rank'
                     FROM (SELECT jsonb(value) AS value FROM json_each(?1)) WHERE true
                     ON CONFLICT (video_id, region) DO UPDATE SET
                         first_seen_at = min(video_regions.first_seen_at, excluded.first_seen_at),
                         last_seen_at = max(video_regions.last_seen_at, excluded.last_seen_at),
                         last_rank = CASE WHEN excluded.last_seen_at >= video_regions.last_seen_at
                                          THEN excluded.last_rank ELSE video_regions.last_rank END,
                         best_rank = min(video_regions.best_rank, excluded.best_rank),
                         runs_seen = video_regions.runs_seen + 1",
                )
                .bind(serde_json::to_string(batch).expect("rows serialize"))
                .bind(&seen)
                .execute(&mut *tx)
                .await
                .map_err(query_error("upserting video_regions"))?;
            }
        }
        let fetched_at: Vec<String> = charts.iter().map(|c| ts(c.fetched_at)).collect();
        let entries: Vec<EntryRow> = charts
            .iter()
            .zip(&fetched_at)
            .flat_map(|(chart, at)| {
                chart.entries.iter().map(move |(rank, v)| EntryRow {
                    region: chart.key.region,
                    category_id: &chart.key.category_id,
                    rank: *rank,
                    video_id: &v.video_id,
                    view_count: v.view_count,
                    like_count: v.like_count,
                    comment_count: v.comment_count,
                    fetched_at: at,
                })
            })
            .collect();
        for batch in entries.chunks(BATCH) {
            sqlx::query(
                "INSERT INTO chart_entries (run_id, region, category_id, rank, video_id, view_count, like_count,
                                            comment_count, fetched_at)
                 SELECT ?1, value ->> 'region', value ->> 'category_id', value ->> 'rank', value ->> 'video_id',
                        value ->> 'view_count', value ->> 'like_count', value ->> 'comment_count',
                        value ->> 'fetched_at'
                 FROM (SELECT jsonb(value) AS value FROM json_each(?2))",
            )
            .bind(run_id)
            .bind(serde_json::to_string(batch).expect("rows serialize"))
            .execute(&mut *tx)
            .await
            .map_err(query_error("inserting chart_entries"))?;
        }
        finish_run(&mut tx, run_id, summary, None).await?;
        tx.commit().await.map_err(query_error("committing the run"))
    }

    /// Completes the `runs` row of a run whose data was not stored.
    pub async fn record_unsaved_run(
        &self,
        run_id: i64,
        summary: &RunSummary<'_>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(query_error("recording the run"))?;
        finish_run(&mut conn, run_id, summary, error).await
    }

    /// The latest run: id, status, start time.
    pub async fn latest_run(&self) -> Result<Option<(i64, String, String)>, StoreError> {
        sqlx::query_as("SELECT run_id, status, started_at FROM runs ORDER BY run_id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading the latest run"))
    }

    /// The top of each region's chart in the latest run that stored charts.
    pub async fn top(&self, region: Option<&str>, limit: u32) -> Result<Vec<TopRow>, StoreError> {
        sqlx::query_as::<_, TopRow>(
            "SELECT e.run_id, e.region, e.category_id, e.rank, v.title, v.channel_title, v.language, e.view_count
             FROM chart_entries e JOIN videos v ON v.video_id = e.video_id
             WHERE e.run_id = (SELECT max(run_id) FROM chart_entries)
               AND (?1 IS NULL OR e.region = ?1) AND e.rank <= ?2
             ORDER BY e.region, e.category_id, e.rank",
        )
        .bind(region)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error("reading the latest charts"))
    }
}

/// A `video_regions` row on its way into `json_each`.
#[derive(serde::Serialize)]
struct RegionRow<'a> {
    video_id: &'a str,
    region: &'a str,
    rank: u32,
}

/// A `chart_entries` row on its way into `json_each`.
#[derive(serde::Serialize)]
struct EntryRow<'a> {
    region: &'a str,
    category_id: &'a str,
    rank: u32,
    video_id: &'a str,
    view_count: Option<i64>,
    like_count: Option<i64>,
    comment_count: Option<i64>,
    fetched_at: &'a str,
}

async fn finish_run(
    conn: &mut SqliteConnection,
    run_id: i64,
    summary: &RunSummary<'_>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let counts = summary.counts();
    sqlx::query(
        "UPDATE runs SET finished_at = ?2, status = ?3, halt_reason = ?4, charts = ?5,
                charts_ok = ?6, charts_no_chart = ?7, charts_failed = ?8, api_requests = ?9, error = ?10,
                videos_count = (SELECT count(DISTINCT video_id) FROM chart_entries WHERE run_id = ?1),
                entries_count = (SELECT count(*) FROM chart_entries WHERE run_id = ?1)
         WHERE run_id = ?1",
    )
    .bind(run_id)
    .bind(ts(Utc::now()))
    .bind(if error.is_some() { "failed" } else { summary.status })
    .bind(summary.halt_reason.as_deref())
    .bind(serde_json::to_string(summary.charts).expect("chart outcomes serialize"))
    .bind(counts.ok)
    .bind(counts.no_chart)
    .bind(counts.failed)
    .bind(summary.api_requests as i64)
    .bind(error)
    .execute(&mut *conn)
    .await
    .map_err(query_error("completing the runs row"))?;
    Ok(())
}

/// The videos upsert over a JSON array of `Video`s: newest run wins, as in PostgreSQL.
fn upsert_videos_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let updates: Vec<String> = VIDEO_COLUMNS
            .iter()
            .map(|c| format!("{c} = CASE WHEN excluded.last_seen_at >= videos.last_seen_at THEN excluded.{c} ELSE videos.{c} END"))
            .collect();
        let selects: Vec<String> = VIDEO_COLUMNS
            .iter()
            .filter(|c| **c != "last_run_id")
            .map(|c| match *c {
                // Arrays stay JSON text (`->` keeps JSON); a JSON null must become SQL NULL.
                "tags" => format!("value -> '{c}'"),
                "blocked_regions" | "allowed_regions" => format!("nullif(value -> '{c}', 'null')"),
                _ => format!("value ->> '{c}'"),
            })
            .collect();
        format!(
            "INSERT INTO videos (video_id, {columns}, first_seen_at, last_seen_at)
             SELECT value ->> 'video_id', {selects}, ?3, ?2, ?2
             FROM (SELECT jsonb(value) AS value FROM json_each(?1)) WHERE true
             ON CONFLICT (video_id) DO UPDATE SET {updates},
                 first_seen_at = min(videos.first_seen_at, excluded.first_seen_at),
                 last_seen_at = max(videos.last_seen_at, excluded.last_seen_at)",
            columns = VIDEO_COLUMNS.join(", "),
            selects = selects.join(", "),
            updates = updates.join(", "),
        )
    })
}
