//! PostgreSQL: connection, migrations, the run lock and the `runs` row. The run's data is
//! written by [`super::pg_writer`].

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row};

use super::pg_writer::PgRunWriter;
use super::{LockState, RunSummary, StoreError, TopRow};
use crate::secret::DatabaseUrl;

/// The migrations of the PostgreSQL schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The advisory-lock key held by a running `fetch`: "trendtap" in ASCII.
pub const LOCK_KEY: i64 = 0x7472_656e_6474_6170;

/// A connected store.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    target: String,
    /// The first connection: it proves the server reachable (failing fast on a refused
    /// connection, where a pool would retry until its timeout) and then holds the advisory lock,
    /// which the server releases when it closes, even if we crash.
    session: PgConnection,
}

/// How long to wait for the database server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn query_error(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

impl PgStore {
    /// Connects: one session now, and a small pool for the run's writes.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let options =
            PgConnectOptions::from_str(url.expose()).map_err(|e| StoreError::Connect {
                target: url.redacted(),
                cause: e.to_string(),
            })?;
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
            session,
        })
    }

    /// `host:port/database`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The pool, for read-only queries by tests and tools.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await;
        MIGRATOR.run(&mut self.session).await?;
        let after = self.applied_migrations().await;
        Ok(after.saturating_sub(before))
    }

    /// Migrations applied so far.
    pub async fn applied_migrations(&mut self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut self.session)
            .await
            .map_or(0, |n| n as usize)
    }

    /// Takes the run lock, waiting up to `wait` for another run to release it.
    pub async fn lock(&mut self, wait: Option<Duration>) -> Result<LockState, StoreError> {
        let deadline = wait.map(|w| tokio::time::Instant::now() + w);
        loop {
            let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LOCK_KEY)
                .fetch_one(&mut self.session)
                .await
                .map_err(query_error("taking the run lock"))?;
            if acquired {
                // A run still marked running now has no process behind it.
                sqlx::query("UPDATE runs SET status = 'abandoned', finished_at = now() WHERE status = 'running'")
                    .execute(&mut self.session)
                    .await
                    .map_err(query_error("marking abandoned runs"))?;
                return Ok(LockState::Acquired);
            }
            match deadline {
                Some(d) if tokio::time::Instant::now() < d => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                _ => break,
            }
        }
        let row = sqlx::query(
            "SELECT run_id, started_at FROM runs WHERE status = 'running' ORDER BY run_id DESC LIMIT 1",
        )
        .fetch_optional(&mut self.session)
        .await
        .map_err(query_error("reading the running run"))?;
        Ok(LockState::Busy {
            run_id: row.as_ref().map(|r| r.get("run_id")),
            started_at: row.as_ref().map(|r| r.get("started_at")),
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
             VALUES ($1, 'running', $2, $3, $4) RETURNING run_id",
        )
        .bind(started_at)
        .bind(regions)
        .bind(categories)
        .bind(env!("CARGO_PKG_VERSION"))
        .fetch_one(&self.pool)
        .await
        .map_err(query_error("recording the start of the run"))
    }

    /// A writer for the data of run `run_id`, whose videos were seen at `seen_at`: nothing is
    /// sent before its first rows ([`PgRunWriter`]).
    pub fn begin_writes(&self, run_id: i64, seen_at: DateTime<Utc>) -> PgRunWriter {
        PgRunWriter::new(self.pool.clone(), run_id, seen_at)
    }

    /// Completes the `runs` row of a run whose data was not stored (after a rollback, or when
    /// nothing could be fetched).
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
        finish_run(&mut conn, run_id, summary, Stored::default(), error).await
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
        .bind(limit as i32)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error("reading the latest charts"))
    }
}

/// What a run stored, for its `runs` row.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stored {
    /// Distinct videos.
    pub videos: i64,
    /// Chart entries.
    pub entries: i64,
}

/// Completes the `runs` row of a run: its outcome, what it stored, or why it stored nothing.
pub(super) async fn finish_run(
    conn: &mut PgConnection,
    run_id: i64,
    summary: &RunSummary<'_>,
    stored: Stored,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let counts = summary.counts();
    let charts = serde_json::to_value(summary.charts).expect("chart outcomes serialize");
    sqlx::query(
        "UPDATE runs SET finished_at = now(), status = $2, halt_reason = $3, charts = $4,
                charts_ok = $5, charts_no_chart = $6, charts_failed = $7, api_requests = $8, error = $9,
                videos_count = $10, entries_count = $11
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(if error.is_some() { "failed" } else { summary.status })
    .bind(summary.halt_reason.as_deref())
    .bind(charts)
    .bind(counts.ok)
    .bind(counts.no_chart)
    .bind(counts.failed)
    .bind(i64::try_from(summary.api_requests).unwrap_or(i64::MAX) as i32)
    .bind(error)
    .bind(stored.videos as i32)
    .bind(stored.entries as i32)
    .execute(&mut *conn)
    .await
    .map_err(query_error("completing the runs row"))?;
    Ok(())
}
