//! PostgreSQL: connection, migrations, the run lock, and the run's set-based writes.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row};

use super::pg_copy::CopyRows;
use super::{entry_rows, region_ranks, LockState, RunSummary, StoreError, TopRow, VIDEO_COLUMNS};
use crate::model::{Chart, MergedVideo, Video};
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

fn query_error(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
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

    /// Stores a run in one transaction: videos and video_regions upserted, chart_entries appended,
    /// the `runs` row completed. On error nothing of it is kept.
    ///
    /// Rows new to a table go in by `COPY`, the fastest way into PostgreSQL; rows already there
    /// are updated by one set-based `UPDATE` per table. Telling the two apart first is safe
    /// because the transaction locks both upserted tables against other writers (readers are
    /// not blocked), and every trendtap run holds the run lock besides.
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
        sqlx::query("LOCK TABLE videos, video_regions IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(query_error("locking the videos tables"))?;
        write_videos(&mut tx, run_id, seen_at, merged).await?;
        write_video_regions(&mut tx, seen_at, merged).await?;
        let entries = copy_chart_entries(&mut tx, run_id, charts).await?;
        let stored = Stored {
            videos: merged.len() as i64,
            entries,
        };
        finish_run(&mut tx, run_id, summary, stored, None).await?;
        tx.commit().await.map_err(query_error("committing the run"))
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
struct Stored {
    videos: i64,
    entries: i64,
}

async fn finish_run(
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

/// Sends `items` to a `COPY ... FROM STDIN` statement, encoded by `encode`, in chunks of about
/// [`COPY_CHUNK`] bytes: the server parses one chunk while the next is encoded, and memory stays
/// bounded however large the run. Returns the rows copied.
async fn copy_in<T>(
    conn: &mut PgConnection,
    statement: &str,
    what: &'static str,
    items: impl IntoIterator<Item = T>,
    mut encode: impl FnMut(&mut CopyRows, T),
) -> Result<u64, StoreError> {
    let mut items = items.into_iter().peekable();
    if items.peek().is_none() {
        return Ok(0);
    }
    let started = std::time::Instant::now();
    let mut copy = conn
        .copy_in_raw(statement)
        .await
        .map_err(query_error(what))?;
    let mut rows = CopyRows::with_capacity(COPY_CHUNK + COPY_CHUNK / 4);
    for item in items {
        encode(&mut rows, item);
        rows.end_row();
        if rows.len() >= COPY_CHUNK {
            copy.send(rows.as_bytes())
                .await
                .map_err(query_error(what))?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        copy.send(rows.as_bytes())
            .await
            .map_err(query_error(what))?;
    }
    let copied = copy.finish().await.map_err(query_error(what))?;
    tracing::debug!(
        rows = copied,
        ms = started.elapsed().as_millis() as u64,
        "{what}"
    );
    Ok(copied)
}

/// Bytes of COPY data per message.
const COPY_CHUNK: usize = 256 * 1024;

/// The `videos` columns trendtap writes, in COPY order.
fn video_copy_columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        format!(
            "video_id, {}, first_seen_at, last_seen_at",
            VIDEO_COLUMNS.join(", ")
        )
    })
}

/// One `videos` row, in [`video_copy_columns`] order.
fn encode_video(rows: &mut CopyRows, v: &Video, run_id: i64, seen_at: DateTime<Utc>) {
    rows.text(&v.video_id)
        .text(&v.title)
        .opt_text(v.channel_id.as_deref())
        .opt_text(v.channel_title.as_deref())
        .opt_text(v.category_id.as_deref())
        .opt_time(v.published_at)
        .opt_int(v.duration_seconds)
        .text(&v.language)
        .text(v.language_source.as_str())
        .opt_int(v.view_count)
        .opt_int(v.like_count)
        .opt_int(v.comment_count)
        .opt_text_array(Some(&v.tags[..]))
        .opt_text(v.thumbnail_url.as_deref())
        .opt_bool(v.age_restricted)
        .opt_text_array(v.blocked_regions.as_deref())
        .opt_text_array(v.allowed_regions.as_deref())
        .opt_bool(v.caption)
        .opt_text(v.definition.as_deref())
        .opt_bool(v.licensed_content)
        .opt_text(v.live_broadcast_content.as_deref())
        .int(run_id)
        .time(seen_at)
        .time(seen_at);
}

/// The update of videos already stored. Data columns take the incoming values only when the
/// incoming run is not older than the stored one, so replaying an old capture never overwrites
/// newer data.
fn update_videos_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let updates: Vec<String> = VIDEO_COLUMNS
            .iter()
            .map(|c| {
                format!(
                    "{c} = CASE WHEN u.last_seen_at >= v.last_seen_at THEN u.{c} ELSE v.{c} END"
                )
            })
            .collect();
        format!(
            "UPDATE videos AS v SET {updates},
                 first_seen_at = LEAST(v.first_seen_at, u.first_seen_at),
                 last_seen_at = GREATEST(v.last_seen_at, u.last_seen_at)
             FROM incoming_videos AS u
             WHERE v.video_id = u.video_id",
            updates = updates.join(",\n                 "),
        )
    })
}

/// Upserts the run's videos: new ones copied in, known ones copied to a temporary table and
/// updated from it in one statement. `merged` is sorted by video id, which keeps lock order
/// stable.
async fn write_videos(
    conn: &mut PgConnection,
    run_id: i64,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = merged.iter().map(|m| m.video.video_id.as_str()).collect();
    let known: HashSet<String> =
        sqlx::query_scalar("SELECT video_id FROM videos WHERE video_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(query_error("reading the videos already stored"))?
            .into_iter()
            .collect();
    let (old, new): (Vec<&Video>, Vec<&Video>) = merged
        .iter()
        .map(|m| &*m.video)
        .partition(|v| known.contains(&v.video_id));
    let encode = |rows: &mut CopyRows, v: &Video| encode_video(rows, v, run_id, seen_at);
    copy_in(
        conn,
        &format!("COPY videos ({}) FROM STDIN", video_copy_columns()),
        "copying new videos",
        new,
        encode,
    )
    .await?;
    if old.is_empty() {
        return Ok(());
    }
    sqlx::query("CREATE TEMPORARY TABLE incoming_videos (LIKE videos) ON COMMIT DROP")
        .execute(&mut *conn)
        .await
        .map_err(query_error("staging known videos"))?;
    copy_in(
        conn,
        &format!("COPY incoming_videos ({}) FROM STDIN", video_copy_columns()),
        "staging known videos",
        old,
        encode,
    )
    .await?;
    sqlx::query(update_videos_sql())
        .execute(&mut *conn)
        .await
        .map_err(query_error("updating known videos"))?;
    Ok(())
}

/// Upserts the run's `video_regions`: new (video, region) pairs copied in, known ones updated
/// in one statement.
async fn write_video_regions(
    conn: &mut PgConnection,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    let ids: Vec<&str> = merged.iter().map(|m| m.video.video_id.as_str()).collect();
    let known: HashSet<(String, String)> =
        sqlx::query_as("SELECT video_id, region FROM video_regions WHERE video_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(query_error("reading the video regions already stored"))?
            .into_iter()
            .collect();
    let is_known = |video_id: &str, region: &str| {
        !known.is_empty() && known.contains(&(video_id.to_owned(), region.to_owned()))
    };
    let (old, new): (Vec<_>, Vec<_>) =
        region_ranks(merged).partition(|(video_id, region, _)| is_known(video_id, region));
    copy_in(
        conn,
        "COPY video_regions (video_id, region, first_seen_at, last_seen_at, last_rank, best_rank)
         FROM STDIN",
        "copying new video_regions",
        new,
        |rows, (video_id, region, rank)| {
            rows.text(video_id)
                .text(region)
                .time(seen_at)
                .time(seen_at)
                .int(i64::from(rank))
                .int(i64::from(rank));
        },
    )
    .await?;
    if old.is_empty() {
        return Ok(());
    }
    let (mut video_ids, mut regions, mut ranks) = (Vec::new(), Vec::new(), Vec::<i32>::new());
    for (video_id, region, rank) in old {
        video_ids.push(video_id);
        regions.push(region);
        ranks.push(rank as i32);
    }
    sqlx::query(
        "UPDATE video_regions AS r SET
             first_seen_at = LEAST(r.first_seen_at, $4),
             last_seen_at = GREATEST(r.last_seen_at, $4),
             last_rank = CASE WHEN $4 >= r.last_seen_at THEN u.rank ELSE r.last_rank END,
             best_rank = LEAST(r.best_rank, u.rank),
             runs_seen = r.runs_seen + 1
         FROM UNNEST($1::text[], $2::text[], $3::int4[]) AS u(video_id, region, rank)
         WHERE r.video_id = u.video_id AND r.region = u.region",
    )
    .bind(video_ids)
    .bind(regions)
    .bind(ranks)
    .bind(seen_at)
    .execute(&mut *conn)
    .await
    .map_err(query_error("updating known video_regions"))?;
    Ok(())
}

/// Appends the run's `chart_entries`; returns how many.
async fn copy_chart_entries(
    conn: &mut PgConnection,
    run_id: i64,
    charts: &[Chart],
) -> Result<i64, StoreError> {
    let copied = copy_in(
        conn,
        "COPY chart_entries (run_id, region, category_id, rank, video_id, view_count, like_count,
                             comment_count, fetched_at)
         FROM STDIN",
        "copying chart_entries",
        entry_rows(charts),
        |rows, (chart, rank, v)| {
            rows.int(run_id)
                .text(chart.key.region)
                .text(&chart.key.category_id)
                .int(i64::from(rank))
                .text(&v.video_id)
                .opt_int(v.view_count)
                .opt_int(v.like_count)
                .opt_int(v.comment_count)
                .time(chart.fetched_at);
        },
    )
    .await?;
    Ok(copied as i64)
}
