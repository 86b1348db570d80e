//! PostgreSQL, for production and for several machines sharing one store: the connection, the
//! migrations, the run lock (a session advisory lock) and the reads. A run's data is written by
//! [`writer`] (binary `COPY`, [`copy`]; known rows updated by [`upsert`]).

mod copy;
mod export;
mod ledger;
mod refresh;
mod report;
mod report_run;
mod summary;
mod thumbnails;
mod upsert;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::model::{HistoryEntry, Observation, Video};
use crate::secret::DatabaseUrl;
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::health::StoreHealth;
use crate::store::shared::jobs::Job;
use crate::store::shared::lock::{self, RunLock};
use crate::store::shared::runs::{self, RUNNING};
use crate::store::shared::types::{ExportQuery, LockState, RunSummary, TopRow};
use crate::store::shared::writer::record_unsaved_run;
pub(crate) use writer::PgRunWriter;

/// The migrations of the PostgreSQL schema.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The advisory-lock key held by a running `fetch`.
pub use crate::store::shared::jobs::FETCH_LOCK_KEY as LOCK_KEY;

/// How long to wait for the database server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the session holding the run lock is checked while a run holds it: a lost lock
/// stops the fetch well within a second.
const LOCK_CHECK_EVERY: Duration = Duration::from_millis(250);

/// How long a check of the lock's session may take before the session is taken as lost.
const LOCK_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// A connected store.
#[derive(Debug)]
pub(crate) struct PgStore {
    pool: PgPool,
    target: String,
    /// The first connection: it proves the server reachable (failing fast on a refused
    /// connection, where a pool would retry until its timeout) and then holds the advisory lock,
    /// which the server releases when it closes, even if we crash. Shared with the lock's
    /// watcher once the lock is held.
    session: Arc<Mutex<PgConnection>>,
    /// Whether the store can still take the run.
    health: Arc<StoreHealth>,
    /// Stops the lock's watcher when the store closes.
    watcher: CancellationToken,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.watcher.cancel();
        self.health.close();
    }
}

impl PgStore {
    /// Connects: one session now, and a small pool for the run's writes.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url.expose())
            .map_err(|e| StoreError::Connect {
                target: url.redacted(),
                cause: e.to_string(),
            })?
            // trendtap's statements are short writes or I/O-bound reads: compiling them (on by
            // default above a cost) only adds time, 0.2-0.3 s to each export query
            // (BENCHMARKS.md, "Export").
            .options([("jit", "off")]);
        let target = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("")
        );
        let connect_error = |cause: String| StoreError::Connect {
            target: target.clone(),
            cause,
        };
        let session = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| connect_error(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| connect_error(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(15))
            .connect_lazy_with(options);
        Ok(PgStore {
            pool,
            target,
            session: Arc::new(Mutex::new(session)),
            health: Arc::default(),
            watcher: CancellationToken::new(),
        })
    }

    /// `host:port/database`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await;
        MIGRATOR.run(&mut *self.session.lock().await).await?;
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// Migrations this binary has that the database has not applied.
    pub async fn pending_migrations(&mut self) -> usize {
        MIGRATOR
            .iter()
            .count()
            .saturating_sub(self.applied_migrations().await)
    }

    async fn applied_migrations(&mut self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *self.session.lock().await)
            .await
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// Takes `job`'s run lock, waiting up to `wait` for another run to release it. Once it is
    /// held, its session is checked every [`LOCK_CHECK_EVERY`] ([`watch_session`]).
    pub async fn lock(
        &mut self,
        job: Job,
        wait: Option<Duration>,
    ) -> Result<LockState, StoreError> {
        let state = lock::lock(&mut PgJobLock { store: self, job }, wait).await?;
        if state == LockState::Acquired {
            tokio::spawn(watch_session(
                self.session.clone(),
                self.health.clone(),
                self.watcher.clone(),
            ));
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
        sqlx::query_scalar(&runs::start_sql(&POSTGRES))
            .bind(started_at)
            .bind(RUNNING)
            .bind(regions)
            .bind(categories)
            .bind(env!("CARGO_PKG_VERSION"))
            .fetch_one(&self.pool)
            .await
            .map_err(query_error("recording the start of the run"))
    }

    /// A writer for the data of run `run_id`, whose videos were seen at `seen_at`.
    pub fn begin_writes(&self, run_id: i64, seen_at: DateTime<Utc>) -> PgRunWriter {
        PgRunWriter::new(self.pool.clone(), run_id, seen_at, self.health.clone())
    }

    /// Completes the `runs` row of a run whose data was not stored.
    pub async fn record_unsaved_run(
        &self,
        run_id: i64,
        summary: &RunSummary<'_>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        record_unsaved_run::<writer::Pg>(&self.pool, run_id, summary, error).await
    }

    /// The latest run: id, status, start time.
    pub async fn latest_run(&self) -> Result<Option<(i64, String, String)>, StoreError> {
        sqlx::query_as(
            "SELECT run_id, status, started_at::text FROM runs ORDER BY run_id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(query_error("reading the latest run"))
    }

    /// The top of each chart of the latest run that stored charts.
    pub async fn top(&self, region: Option<&str>, limit: u32) -> Result<Vec<TopRow>, StoreError> {
        sqlx::query_as::<_, TopRow>(
            "SELECT e.run_id, e.region, e.category_id, e.rank::int8 AS rank, v.title, v.channel_title, v.language,
                    e.view_count
             FROM chart_entries e JOIN videos v USING (video_id)
             WHERE e.run_id = (SELECT max(run_id) FROM chart_entries)
               AND ($1::text IS NULL OR e.region = $1) AND e.rank <= $2
             ORDER BY e.region, e.category_id, e.rank",
        )
        .bind(region)
        .bind(i64::from(limit))
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

    /// The videos of `ids`, read while an entries' stream is open.
    pub async fn export_videos(&self, ids: &[String]) -> Result<Vec<Video>, StoreError> {
        export::videos(&self.pool, ids).await
    }

    /// The start of each run of `ids`, read while an entries' stream is open.
    pub async fn export_runs(&self, ids: &[i64]) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        export::runs(&self.pool, ids).await
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
        sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(&self.pool)
        .await
        .expect("the columns are readable")
    }
}

/// A job's advisory lock on the store's session, while [`PgStore::lock`] tries it.
struct PgJobLock<'s> {
    store: &'s mut PgStore,
    job: Job,
}

impl RunLock for PgJobLock<'_> {
    async fn try_lock(&mut self) -> Result<bool, StoreError> {
        sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(self.job.lock_key())
            .fetch_one(&mut *self.store.session.lock().await)
            .await
            .map_err(query_error("taking the run lock"))
    }

    async fn mark_abandoned(&mut self) -> Result<(), StoreError> {
        sqlx::query(&self.job.abandon_sql("now()"))
            .execute(&mut *self.store.session.lock().await)
            .await
            .map_err(query_error("marking abandoned runs"))?;
        Ok(())
    }

    async fn holder(&mut self) -> Result<(Option<i64>, Option<DateTime<Utc>>), StoreError> {
        let row = sqlx::query(&self.job.running_sql())
            .fetch_optional(&mut *self.store.session.lock().await)
            .await
            .map_err(query_error("reading the running run"))?;
        Ok((
            row.as_ref().map(|r| r.get("run_id")),
            row.as_ref().map(|r| r.get("started_at")),
        ))
    }
}

/// Checks the session holding the run lock every [`LOCK_CHECK_EVERY`] until the store closes
/// (`stop`); a session that fails its check (killed, the server restarted, no answer within
/// [`LOCK_CHECK_TIMEOUT`]) has lost the lock: the store's health says so, and the watch ends.
async fn watch_session(
    session: Arc<Mutex<PgConnection>>,
    health: Arc<StoreHealth>,
    stop: CancellationToken,
) {
    let mut every = tokio::time::interval(LOCK_CHECK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        let mut conn = session.lock().await;
        let why = match tokio::time::timeout(LOCK_CHECK_TIMEOUT, conn.ping()).await {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {}s", LOCK_CHECK_TIMEOUT.as_secs()),
        };
        if stop.is_cancelled() {
            return;
        }
        tracing::error!("the connection holding the run lock was lost: {why}");
        health.lock_lost(why);
        return;
    }
}
