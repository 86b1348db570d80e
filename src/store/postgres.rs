//! PostgreSQL: connection, migrations, the run lock, and the run's set-based writes.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Row};

use super::{entry_rows, region_ranks, LockState, RunSummary, StoreError, TopRow, VIDEO_COLUMNS};
use crate::model::{Chart, MergedVideo};
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
        upsert_videos(&mut tx, run_id, seen_at, merged).await?;
        upsert_video_regions(&mut tx, seen_at, merged).await?;
        insert_chart_entries(&mut tx, run_id, charts).await?;
        finish_run(&mut tx, run_id, summary, None).await?;
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
        finish_run(&mut conn, run_id, summary, error).await
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

async fn finish_run(
    conn: &mut PgConnection,
    run_id: i64,
    summary: &RunSummary<'_>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let counts = summary.counts();
    let charts = serde_json::to_value(summary.charts).expect("chart outcomes serialize");
    sqlx::query(
        "UPDATE runs SET finished_at = now(), status = $2, halt_reason = $3, charts = $4,
                charts_ok = $5, charts_no_chart = $6, charts_failed = $7, api_requests = $8, error = $9,
                videos_count = (SELECT count(DISTINCT video_id) FROM chart_entries WHERE run_id = $1),
                entries_count = (SELECT count(*) FROM chart_entries WHERE run_id = $1)
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
    .execute(&mut *conn)
    .await
    .map_err(query_error("completing the runs row"))?;
    Ok(())
}

/// The videos upsert. Data columns take the incoming values only when the incoming run is not
/// older than the stored one, so replaying an old capture never overwrites newer data.
fn upsert_videos_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let updates: Vec<String> = VIDEO_COLUMNS
            .iter()
            .map(|c| {
                format!("{c} = CASE WHEN EXCLUDED.last_seen_at >= videos.last_seen_at THEN EXCLUDED.{c} ELSE videos.{c} END")
            })
            .collect();
        format!(
            "INSERT INTO videos (video_id, {columns}, first_seen_at, last_seen_at)
             SELECT u.video_id, u.title, u.channel_id, u.channel_title, u.category_id, u.published_at,
                    u.duration_seconds, u.language, u.language_source, u.view_count, u.like_count,
                    u.comment_count, string_to_array(u.tags, E'\\x1F'), u.thumbnail_url,
                    u.age_restricted,
                    string_to_array(u.blocked, E'\\x1F'),
                    string_to_array(u.allowed, E'\\x1F'),
                    u.caption, u.definition, u.licensed_content, u.live_broadcast_content, $21, $22, $22
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                         $7::int8[], $8::text[], $9::text[], $10::int8[], $11::int8[], $12::int8[], $13::text[],
                         $14::text[], $15::bool[], $16::text[], $17::text[], $18::bool[], $19::text[],
                         $20::bool[], $23::text[])
                  AS u(video_id, title, channel_id, channel_title, category_id, published_at, duration_seconds,
                       language, language_source, view_count, like_count, comment_count, tags, thumbnail_url,
                       age_restricted, blocked, allowed, caption, definition, licensed_content,
                       live_broadcast_content)
             ON CONFLICT (video_id) DO UPDATE SET {updates},
                 first_seen_at = LEAST(videos.first_seen_at, EXCLUDED.first_seen_at),
                 last_seen_at = GREATEST(videos.last_seen_at, EXCLUDED.last_seen_at)",
            columns = VIDEO_COLUMNS.join(", "),
            updates = updates.join(",\n                 "),
        )
    })
}

async fn upsert_videos(
    conn: &mut PgConnection,
    run_id: i64,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    if merged.is_empty() {
        return Ok(());
    }
    // Column-wise arrays; `merged` is sorted by video id, which keeps lock order stable.
    let v = || merged.iter().map(|m| &m.video);
    // Text arrays travel as one string per row, joined by the unit separator (U+001F) and split
    // by `string_to_array`: a ragged text[][] cannot be bound, and parsing JSON per row costs
    // several times more. No element ever holds U+001F: `normalize` removes control characters.
    let joined = |list: Option<&Vec<String>>| list.map(|l| l.join("\u{1F}"));
    sqlx::query(upsert_videos_sql())
        .bind(v().map(|x| x.video_id.as_str()).collect::<Vec<_>>())
        .bind(v().map(|x| x.title.as_str()).collect::<Vec<_>>())
        .bind(v().map(|x| x.channel_id.as_deref()).collect::<Vec<_>>())
        .bind(v().map(|x| x.channel_title.as_deref()).collect::<Vec<_>>())
        .bind(v().map(|x| x.category_id.as_deref()).collect::<Vec<_>>())
        .bind(v().map(|x| x.published_at).collect::<Vec<_>>())
        .bind(v().map(|x| x.duration_seconds).collect::<Vec<_>>())
        .bind(v().map(|x| x.language.as_str()).collect::<Vec<_>>())
        .bind(v().map(|x| x.language_source.as_str()).collect::<Vec<_>>())
        .bind(v().map(|x| x.view_count).collect::<Vec<_>>())
        .bind(v().map(|x| x.like_count).collect::<Vec<_>>())
        .bind(v().map(|x| x.comment_count).collect::<Vec<_>>())
        .bind(v().map(|x| joined(Some(&x.tags))).collect::<Vec<_>>())
        .bind(v().map(|x| x.thumbnail_url.as_deref()).collect::<Vec<_>>())
        .bind(v().map(|x| x.age_restricted).collect::<Vec<_>>())
        .bind(
            v().map(|x| joined(x.blocked_regions.as_ref()))
                .collect::<Vec<_>>(),
        )
        .bind(
            v().map(|x| joined(x.allowed_regions.as_ref()))
                .collect::<Vec<_>>(),
        )
        .bind(v().map(|x| x.caption).collect::<Vec<_>>())
        .bind(v().map(|x| x.definition.as_deref()).collect::<Vec<_>>())
        .bind(v().map(|x| x.licensed_content).collect::<Vec<_>>())
        .bind(run_id)
        .bind(seen_at)
        .bind(
            v().map(|x| x.live_broadcast_content.as_deref())
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .map_err(query_error("upserting videos"))?;
    Ok(())
}

async fn upsert_video_regions(
    conn: &mut PgConnection,
    seen_at: DateTime<Utc>,
    merged: &[MergedVideo<'_>],
) -> Result<(), StoreError> {
    let mut video_ids = Vec::new();
    let mut regions = Vec::new();
    let mut ranks: Vec<i32> = Vec::new();
    for (video_id, region, rank) in region_ranks(merged) {
        video_ids.push(video_id);
        regions.push(region);
        ranks.push(rank as i32);
    }
    if video_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO video_regions (video_id, region, first_seen_at, last_seen_at, last_rank, best_rank)
         SELECT u.video_id, u.region, $4, $4, u.rank, u.rank
         FROM UNNEST($1::text[], $2::text[], $3::int4[]) AS u(video_id, region, rank)
         ON CONFLICT (video_id, region) DO UPDATE SET
             first_seen_at = LEAST(video_regions.first_seen_at, EXCLUDED.first_seen_at),
             last_seen_at = GREATEST(video_regions.last_seen_at, EXCLUDED.last_seen_at),
             last_rank = CASE WHEN EXCLUDED.last_seen_at >= video_regions.last_seen_at
                              THEN EXCLUDED.last_rank ELSE video_regions.last_rank END,
             best_rank = LEAST(video_regions.best_rank, EXCLUDED.best_rank),
             runs_seen = video_regions.runs_seen + 1",
    )
    .bind(video_ids)
    .bind(regions)
    .bind(ranks)
    .bind(seen_at)
    .execute(&mut *conn)
    .await
    .map_err(query_error("upserting video_regions"))?;
    Ok(())
}

async fn insert_chart_entries(
    conn: &mut PgConnection,
    run_id: i64,
    charts: &[Chart],
) -> Result<(), StoreError> {
    let rows = || entry_rows(charts);
    if rows().next().is_none() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO chart_entries (run_id, region, category_id, rank, video_id, view_count, like_count,
                                    comment_count, fetched_at)
         SELECT $1, u.* FROM UNNEST($2::text[], $3::text[], $4::int4[], $5::text[], $6::int8[], $7::int8[],
                                    $8::int8[], $9::timestamptz[])
                AS u(region, category_id, rank, video_id, view_count, like_count, comment_count, fetched_at)",
    )
    .bind(run_id)
    .bind(rows().map(|(c, _, _)| c.key.region).collect::<Vec<_>>())
    .bind(rows().map(|(c, _, _)| c.key.category_id.as_str()).collect::<Vec<_>>())
    .bind(rows().map(|(_, rank, _)| rank as i32).collect::<Vec<_>>())
    .bind(rows().map(|(_, _, v)| v.video_id.as_str()).collect::<Vec<_>>())
    .bind(rows().map(|(_, _, v)| v.view_count).collect::<Vec<_>>())
    .bind(rows().map(|(_, _, v)| v.like_count).collect::<Vec<_>>())
    .bind(rows().map(|(_, _, v)| v.comment_count).collect::<Vec<_>>())
    .bind(rows().map(|(c, _, _)| c.fetched_at).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .map_err(query_error("inserting chart_entries"))?;
    Ok(())
}
