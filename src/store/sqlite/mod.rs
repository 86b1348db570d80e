//! SQLite, the embedded default store: one file (WAL mode) with the same tables as PostgreSQL,
//! the run lock as an OS file lock beside it (`<database>.lock`), the reads, and a run's data
//! written by [`writer`] (`json_each`). Timestamps are fixed-width UTC text ([`time`]).

mod export;
mod ledger;
mod refresh;
mod report;
mod report_run;
mod summary;
mod thumbnails;
mod time;
mod writer;

use std::fs::{File, TryLockError};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, Row, SqliteConnection};

use crate::model::{HistoryEntry, Observation, Video};
use crate::secret::DatabaseUrl;
use crate::store::shared::dialect::SQLITE;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::health::StoreHealth;
use crate::store::shared::jobs::Job;
use crate::store::shared::lock::{self, RunLock};
use crate::store::shared::runs::{self, RUNNING};
use crate::store::shared::types::{ExportQuery, LockState, RunSummary, TopRow};
use crate::store::shared::writer::record_unsaved_run;
use time::ts;
pub(crate) use writer::SqliteRunWriter;

/// The migrations of the SQLite schema.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A SQLite store.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    target: String,
    /// The lock files held (`<database>.lock` ...); the OS releases them when the process ends.
    locks: Vec<File>,
    /// Whether the store can still take the run (the lock files cannot be lost while the
    /// process lives: only writes can fail mid-run).
    health: Arc<StoreHealth>,
    /// The export's second, read-only connection ([`Self::export_videos`]).
    reader: tokio::sync::Mutex<Option<SqliteConnection>>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.health.close();
    }
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
            locks: Vec::new(),
            health: Arc::default(),
            reader: tokio::sync::Mutex::default(),
        })
    }

    /// `sqlite://PATH`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await;
        MIGRATOR.run(&self.pool).await?;
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// Migrations this binary has that the database has not applied.
    pub async fn pending_migrations(&mut self) -> usize {
        MIGRATOR
            .iter()
            .count()
            .saturating_sub(self.applied_migrations().await)
    }

    async fn applied_migrations(&self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// Takes `job`'s run lock (a file lock on `<database>.lock`, `<database>.refresh.lock`),
    /// waiting up to `wait`.
    pub async fn lock(
        &mut self,
        job: Job,
        wait: Option<Duration>,
    ) -> Result<LockState, StoreError> {
        let path = {
            let mut p = self.path.clone().into_os_string();
            p.push(job.lock_suffix());
            PathBuf::from(p)
        };
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Connect {
                target: self.target.clone(),
                cause: format!("cannot open the lock file {}: {e}", path.display()),
            })?;
        let mut attempt = LockFile {
            file,
            path,
            job,
            target: &self.target,
            pool: &self.pool,
        };
        let state = lock::lock(&mut attempt, wait).await?;
        if state == LockState::Acquired {
            self.locks.push(attempt.file);
        }
        Ok(state)
    }

    /// Whether the store can still take the run.
    pub fn health(&self) -> Arc<StoreHealth> {
        self.health.clone()
    }

    /// Records the start of a run (status `running`) and returns its id.
    pub async fn begin_run(
        &self,
        started_at: DateTime<Utc>,
        regions: &[&str],
        categories: &[String],
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(&runs::start_sql(&SQLITE))
            .bind(ts(started_at))
            .bind(RUNNING)
            .bind(json!(regions).to_string())
            .bind(json!(categories).to_string())
            .bind(env!("CARGO_PKG_VERSION"))
            .fetch_one(&self.pool)
            .await
            .map_err(query_error("recording the start of the run"))
    }

    /// A writer for the data of run `run_id`, whose videos were seen at `seen_at`.
    pub fn begin_writes(&self, run_id: i64, seen_at: DateTime<Utc>) -> SqliteRunWriter {
        SqliteRunWriter::new(self.pool.clone(), run_id, seen_at, self.health.clone())
    }

    /// Completes the `runs` row of a run whose data was not stored.
    pub async fn record_unsaved_run(
        &self,
        run_id: i64,
        summary: &RunSummary<'_>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        record_unsaved_run::<writer::SqliteSql>(&self.pool, run_id, summary, error).await
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

    /// One observation per region, video and day of an export query, streamed ([`export`]).
    pub fn export_daily<'a>(
        &'a self,
        q: &ExportQuery,
    ) -> futures_util::stream::BoxStream<'a, Result<Observation, StoreError>> {
        export::daily(&self.pool, q)
    }

    /// Every chart entry of an export query, bare, streamed ([`export`]).
    pub fn export_entries<'a>(
        &'a self,
        q: &ExportQuery,
    ) -> futures_util::stream::BoxStream<'a, Result<HistoryEntry, StoreError>> {
        export::entries(&self.pool, q)
    }

    /// The videos of `ids`, read while an entries' stream holds the pool's connection: on a
    /// read-only connection of their own (WAL lets it read beside the stream).
    pub async fn export_videos(&self, ids: &[String]) -> Result<Vec<Video>, StoreError> {
        let mut reader = self.reader().await?;
        export::videos(reader.as_mut().expect("opened"), ids).await
    }

    /// The start of each run of `ids`, on the same connection as [`Self::export_videos`].
    pub async fn export_runs(&self, ids: &[i64]) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let mut reader = self.reader().await?;
        export::runs(reader.as_mut().expect("opened"), ids).await
    }

    /// The export's read-only connection, opened on first use.
    async fn reader(
        &self,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<SqliteConnection>>, StoreError> {
        let mut reader = self.reader.lock().await;
        if reader.is_none() {
            let options = SqliteConnectOptions::new()
                .filename(&self.path)
                .read_only(true)
                .busy_timeout(Duration::from_secs(10));
            let connection = SqliteConnection::connect_with(&options)
                .await
                .map_err(|e| StoreError::Connect {
                    target: self.target.clone(),
                    cause: e.to_string(),
                })?;
            *reader = Some(connection);
        }
        Ok(reader)
    }

    /// The first and last fetch time of the entries an export query selects.
    pub async fn export_bounds(
        &self,
        q: &ExportQuery,
    ) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
        export::bounds(&self.pool, q).await
    }

    /// The columns of `table` in the database (for the schema test).
    #[cfg(test)]
    pub async fn table_columns(&self, table: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(&self.pool)
            .await
            .expect("the columns are readable")
    }
}

/// The lock file, while [`SqliteStore::lock`] tries it.
struct LockFile<'s> {
    file: File,
    path: PathBuf,
    job: Job,
    target: &'s str,
    pool: &'s SqlitePool,
}

impl RunLock for LockFile<'_> {
    async fn try_lock(&mut self) -> Result<bool, StoreError> {
        match self.file.try_lock() {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(StoreError::Connect {
                target: self.target.to_owned(),
                cause: format!("cannot lock {}: {e}", self.path.display()),
            }),
        }
    }

    async fn mark_abandoned(&mut self) -> Result<(), StoreError> {
        sqlx::query(&self.job.abandon_sql("?1"))
            .bind(ts(Utc::now()))
            .execute(self.pool)
            .await
            .map_err(query_error("marking abandoned runs"))?;
        Ok(())
    }

    async fn holder(&mut self) -> Result<(Option<i64>, Option<DateTime<Utc>>), StoreError> {
        let row = sqlx::query(&self.job.running_sql())
            .fetch_optional(self.pool)
            .await
            .map_err(query_error("reading the running run"))?;
        Ok((
            row.as_ref().map(|r| r.get("run_id")),
            row.as_ref().and_then(|r| {
                r.get::<String, _>("started_at")
                    .parse::<DateTime<Utc>>()
                    .ok()
            }),
        ))
    }
}
