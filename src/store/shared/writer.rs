//! A run's writes, the same for both backends: one transaction, opened when the first rows are
//! sent and committed by [`Writer::finish`] with the `runs` row; dropping the writer instead
//! rolls it all back. Each backend supplies its SQL ([`Backend`]).
//!
//! `chart_entries` rows depend on their chart alone, so they are sent while the run is still
//! fetching: each complete chart's rows are encoded as it arrives ([`Writer::add_chart`]) and
//! sent once [`STREAM_BYTES`] of them wait, so that the database inserts them while the network
//! is awaited. `videos` and `video_regions` depend on every chart of the run (a video's largest
//! counts, its best rank per region), so they are written at the end, from the merged run.
//!
//! A failed write is kept: later charts are not written, and `finish` returns it. It is also
//! told to the store's [`StoreHealth`] at once, so that the fetch stops (issue 18); a run whose
//! lock was lost meanwhile is not committed.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{Database, Pool, Transaction};

use super::error::{int8, query_error, StoreError};
use super::health::StoreHealth;
use super::runs::{RunEnd, Stored};
use super::types::RunSummary;
use crate::model::{Chart, ChartKey, MergedVideo};

/// Bytes of encoded `chart_entries` rows sent as soon as they wait (about 3,500 rows in
/// PostgreSQL's binary COPY, 1,500 in SQLite's JSON): few statements per run, and memory bounded
/// however large the run.
pub const STREAM_BYTES: usize = 256 * 1024;

/// The connection type of a backend's database.
pub(crate) type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// What a backend supplies to [`Writer`]: its encoding of `chart_entries` rows and its SQL.
pub(crate) trait Backend {
    /// The database.
    type Db: Database;
    /// Encoded `chart_entries` rows waiting to be sent.
    type Entries: Entries;
    /// Sends `rows` of run `run_id`; returns how many rows were written.
    async fn send_entries(
        conn: &mut Conn<Self>,
        run_id: i64,
        rows: &Self::Entries,
    ) -> Result<u64, StoreError>;
    /// Writes the run's `videos` and `video_regions` (newest wins, [`super::newest`]).
    async fn write_videos(
        conn: &mut Conn<Self>,
        run_id: i64,
        seen_at: DateTime<Utc>,
        merged: &[MergedVideo<'_>],
    ) -> Result<(), StoreError>;
    /// Completes the run's `runs` row ([`super::runs::end_sql`]).
    async fn end_run(
        conn: &mut Conn<Self>,
        run_id: i64,
        end: &RunEnd<'_>,
    ) -> Result<(), StoreError>;
}

/// A backend's buffer of encoded `chart_entries` rows.
pub(crate) trait Entries: Default {
    /// Encodes the rows of `chart`, of run `run_id`.
    fn push_chart(&mut self, run_id: i64, chart: &Chart) -> Result<(), StoreError>;
    /// Bytes encoded so far.
    fn bytes(&self) -> usize;
    /// Forgets the rows (they were sent).
    fn clear(&mut self);
}

/// The writes of one run (see the module's documentation).
#[derive(Debug)]
pub(crate) struct Writer<B: Backend> {
    pool: Pool<B::Db>,
    /// The run's transaction, once the first rows are sent.
    tx: Option<Transaction<'static, B::Db>>,
    run_id: i64,
    seen_at: DateTime<Utc>,
    /// `chart_entries` rows encoded and not sent yet.
    pending: B::Entries,
    /// The charts whose rows are encoded.
    added: HashSet<ChartKey>,
    /// `chart_entries` rows sent.
    entries: i64,
    /// How many bytes of rows wait before they are sent.
    stream_bytes: usize,
    /// The first failed write.
    failed: Option<StoreError>,
    /// The store's health, told of that failure.
    health: Arc<StoreHealth>,
}

impl<B: Backend> Writer<B> {
    /// A writer for run `run_id`, whose videos were seen at `seen_at`: nothing is sent before
    /// its first rows.
    pub fn new(
        pool: Pool<B::Db>,
        run_id: i64,
        seen_at: DateTime<Utc>,
        health: Arc<StoreHealth>,
    ) -> Self {
        Writer {
            pool,
            tx: None,
            run_id,
            seen_at,
            pending: B::Entries::default(),
            added: HashSet::new(),
            entries: 0,
            stream_bytes: STREAM_BYTES,
            failed: None,
            health,
        }
    }

    /// Sends waiting rows once `bytes` of them wait, instead of [`STREAM_BYTES`].
    pub fn stream_every(&mut self, bytes: usize) {
        self.stream_bytes = bytes;
    }

    /// Adds a complete chart: its `chart_entries` rows are encoded, and sent with the others
    /// waiting once there are enough of them. A chart already added is not added again. After
    /// a failure this does nothing: the error waits for `finish`.
    pub async fn add_chart(&mut self, chart: &Chart) {
        if self.failed.is_some() {
            return;
        }
        if let Err(e) = self.try_add_chart(chart).await {
            tracing::error!(chart = %chart.key, "cannot write the chart's entries: the run will not be stored");
            self.health.write_failed(e.to_string());
            self.failed = Some(e);
        }
    }

    async fn try_add_chart(&mut self, chart: &Chart) -> Result<(), StoreError> {
        if !self.added.insert(chart.key.clone()) {
            return Ok(());
        }
        self.pending.push_chart(self.run_id, chart)?;
        if self.pending.bytes() >= self.stream_bytes {
            self.send_entries().await?;
        }
        Ok(())
    }

    /// Writes the rest of the run (the rows of any chart of `charts` not added yet, then
    /// `videos` and `video_regions` from `merged`, the merge of `charts`), completes its `runs`
    /// row and commits; or returns the first failure, and nothing of the run is kept.
    pub async fn finish(
        mut self,
        charts: &[Chart],
        merged: &[MergedVideo<'_>],
        summary: &RunSummary<'_>,
    ) -> Result<(), StoreError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.lock_held()?;
        for chart in charts {
            self.try_add_chart(chart).await?;
        }
        self.send_entries().await?;
        let stored = Stored {
            videos: int8("videos_count", merged.len())?,
            entries: self.entries,
        };
        let end = RunEnd::new(summary, stored, None)?;
        let (run_id, seen_at) = (self.run_id, self.seen_at);
        let conn = open(&self.pool, &mut self.tx).await?;
        B::write_videos(conn, run_id, seen_at, merged).await?;
        B::end_run(conn, run_id, &end).await?;
        self.lock_held()?;
        let tx = self.tx.take().expect("the transaction is open");
        tx.commit().await.map_err(query_error("committing the run"))
    }

    /// An error when the run lock was lost: the run must not be committed.
    fn lock_held(&self) -> Result<(), StoreError> {
        match self.health.lost_lock() {
            Some(cause) => Err(StoreError::LockLost {
                cause: cause.to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Sends the waiting `chart_entries` rows.
    async fn send_entries(&mut self) -> Result<(), StoreError> {
        if self.pending.bytes() == 0 {
            return Ok(());
        }
        let conn = open(&self.pool, &mut self.tx).await?;
        let sent = B::send_entries(conn, self.run_id, &self.pending).await?;
        self.entries += int8("entries_count", sent)?;
        self.pending.clear();
        Ok(())
    }
}

/// The run's transaction, begun on first use.
async fn open<'t, DB: Database>(
    pool: &Pool<DB>,
    tx: &'t mut Option<Transaction<'static, DB>>,
) -> Result<&'t mut DB::Connection, StoreError> {
    if tx.is_none() {
        let begun = pool
            .begin()
            .await
            .map_err(query_error("starting the transaction"))?;
        *tx = Some(begun);
    }
    Ok(&mut **tx.as_mut().expect("the transaction was just begun"))
}

/// Completes the `runs` row of a run whose data was not stored (after a rollback, or when
/// nothing could be fetched).
pub(crate) async fn record_unsaved_run<B: Backend>(
    pool: &Pool<B::Db>,
    run_id: i64,
    summary: &RunSummary<'_>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let end = RunEnd::new(summary, Stored::default(), error)?;
    let mut conn = pool
        .acquire()
        .await
        .map_err(query_error("recording the run"))?;
    B::end_run(&mut conn, run_id, &end).await
}

/// `video_regions` rows of a run: one per (video, region), with the video's best rank over the
/// region's charts. `merged` is sorted by video and each video's appearances by region, so
/// equal keys are adjacent and the rows come out sorted (stable lock order for the upsert).
pub(crate) fn region_ranks<'a>(
    merged: &'a [MergedVideo<'_>],
) -> impl Iterator<Item = (&'a str, &'static str, u32)> {
    merged.iter().flat_map(|m| {
        let mut rows: Vec<(&str, &'static str, u32)> = Vec::new();
        for a in &m.charts {
            match rows.last_mut() {
                Some(last) if last.1 == a.region => last.2 = last.2.min(a.rank),
                _ => rows.push((m.video.video_id.as_str(), a.region, a.rank)),
            }
        }
        rows
    })
}
