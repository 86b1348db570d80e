//! A run's data on its way into PostgreSQL: one transaction, opened when the first rows are
//! sent, committed by [`PgRunWriter::finish`] with the `runs` row; dropping the writer instead
//! rolls it all back.
//!
//! `chart_entries` rows depend on their chart alone, so they are sent while the run is still
//! fetching: each complete chart's rows are encoded as it arrives ([`PgRunWriter::add_chart`])
//! and copied in once [`STREAM_BYTES`] of them wait, so that the server inserts them (and
//! maintains their two indexes) while the network is awaited. `videos` and `video_regions`
//! depend on every chart of the run (a video's largest counts, its best rank per region), so
//! they are written at the end, from the merged run.
//!
//! Rows new to a table go in by `COPY`, the fastest way into PostgreSQL; rows already stored
//! are updated by one set-based statement per table. Telling the two apart first is safe
//! because the transaction locks both upserted tables against other writers (readers are not
//! blocked), and every trendtap run holds the run lock besides.
//!
//! The transaction stays open from the first rows sent to the end of the run. A server that
//! ends sessions idle in a transaction (`idle_in_transaction_session_timeout`) sooner than the
//! longest pause between two batches of charts would fail the run, and store none of it.

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use super::pg_copy::{CopyRows, HEADER, TRAILER};
use super::postgres::{finish_run, query_error, Stored};
use super::{region_ranks, RunSummary, StoreError, VIDEO_COLUMNS};
use crate::model::{Chart, ChartKey, MergedVideo, Video};

/// Bytes of encoded `chart_entries` rows (about 3,500 rows) that are sent as soon as they wait:
/// few statements per run, and memory bounded however large the run.
pub const STREAM_BYTES: usize = 256 * 1024;

/// The writes of one run (see the module's documentation).
#[derive(Debug)]
pub struct PgRunWriter {
    pool: PgPool,
    /// The run's transaction, once the first rows are sent.
    tx: Option<Transaction<'static, Postgres>>,
    run_id: i64,
    seen_at: DateTime<Utc>,
    /// `chart_entries` rows encoded and not sent yet.
    pending: CopyRows,
    /// The charts whose rows are encoded.
    added: HashSet<ChartKey>,
    /// `chart_entries` rows sent.
    entries: i64,
    /// How many bytes of rows wait before they are sent.
    stream_bytes: usize,
}

impl PgRunWriter {
    pub(super) fn new(pool: PgPool, run_id: i64, seen_at: DateTime<Utc>) -> Self {
        PgRunWriter {
            pool,
            tx: None,
            run_id,
            seen_at,
            pending: CopyRows::default(),
            added: HashSet::new(),
            entries: 0,
            stream_bytes: STREAM_BYTES,
        }
    }

    /// Sends waiting rows once `bytes` of them wait, instead of [`STREAM_BYTES`] (tests make a
    /// small run stream).
    pub fn stream_every(&mut self, bytes: usize) {
        self.stream_bytes = bytes;
    }

    /// Adds a complete chart: its `chart_entries` rows are encoded, and sent with the others
    /// waiting once there are enough of them. A chart already added is not added again.
    pub async fn add_chart(&mut self, chart: &Chart) -> Result<(), StoreError> {
        if !self.added.insert(chart.key.clone()) {
            return Ok(());
        }
        for (rank, video) in &chart.entries {
            self.pending
                .int(self.run_id)
                .text(chart.key.region)
                .text(&chart.key.category_id)
                .int4(*rank as i32)
                .text(&video.video_id)
                .opt_int(video.view_count)
                .opt_int(video.like_count)
                .opt_int(video.comment_count)
                .time(chart.fetched_at);
            self.pending.end_row();
        }
        if self.pending.len() >= self.stream_bytes {
            self.send_entries().await?;
        }
        Ok(())
    }

    /// Writes the rest of the run (the rows of any chart of `charts` not added yet, then
    /// `videos` and `video_regions` from `merged`, the merge of `charts`), completes its `runs`
    /// row and commits. On error nothing of the run is kept.
    pub async fn finish(
        mut self,
        charts: &[Chart],
        merged: &[MergedVideo<'_>],
        summary: &RunSummary<'_>,
    ) -> Result<(), StoreError> {
        for chart in charts {
            self.add_chart(chart).await?;
        }
        self.send_entries().await?;
        let (run_id, seen_at, entries) = (self.run_id, self.seen_at, self.entries);
        let tx = self.transaction().await?;
        sqlx::query("LOCK TABLE videos, video_regions IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await
            .map_err(query_error("locking the videos tables"))?;
        write_videos(tx, run_id, seen_at, merged).await?;
        write_video_regions(tx, seen_at, merged).await?;
        let stored = Stored {
            videos: merged.len() as i64,
            entries,
        };
        finish_run(tx, run_id, summary, stored, None).await?;
        let tx = self.tx.take().expect("the transaction is open");
        tx.commit().await.map_err(query_error("committing the run"))
    }

    /// The run's transaction, begun on first use.
    async fn transaction(&mut self) -> Result<&mut Transaction<'static, Postgres>, StoreError> {
        if self.tx.is_none() {
            let tx = self
                .pool
                .begin()
                .await
                .map_err(query_error("starting the transaction"))?;
            self.tx = Some(tx);
        }
        Ok(self.tx.as_mut().expect("the transaction was just begun"))
    }

    /// Copies the waiting `chart_entries` rows in.
    async fn send_entries(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.transaction().await?;
        let tx = self.tx.as_mut().expect("the transaction is open");
        let what = "copying chart_entries";
        let mut copy = tx
            .copy_in_raw(
                "COPY chart_entries (run_id, region, category_id, rank, video_id, view_count,
                                     like_count, comment_count, fetched_at)
                 FROM STDIN WITH (FORMAT binary)",
            )
            .await
            .map_err(query_error(what))?;
        for part in [HEADER, self.pending.as_bytes(), TRAILER] {
            copy.send(part).await.map_err(query_error(what))?;
        }
        let copied = copy.finish().await.map_err(query_error(what))?;
        self.entries += copied as i64;
        self.pending.clear();
        Ok(())
    }
}

/// Sends `items` to a binary `COPY ... FROM STDIN` statement, encoded by `encode`, in chunks of
/// about [`COPY_CHUNK`] bytes: the server parses one chunk while the next is encoded, and memory
/// stays bounded however large the run. Returns the rows copied.
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
    copy.send(HEADER).await.map_err(query_error(what))?;
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
    rows.extend_from(TRAILER);
    copy.send(rows.as_bytes())
        .await
        .map_err(query_error(what))?;
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
        &format!(
            "COPY videos ({}) FROM STDIN WITH (FORMAT binary)",
            video_copy_columns()
        ),
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
        &format!(
            "COPY incoming_videos ({}) FROM STDIN WITH (FORMAT binary)",
            video_copy_columns()
        ),
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
         FROM STDIN WITH (FORMAT binary)",
        "copying new video_regions",
        new,
        |rows, (video_id, region, rank)| {
            rows.text(video_id)
                .text(region)
                .time(seen_at)
                .time(seen_at)
                .int4(rank as i32)
                .int4(rank as i32);
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
