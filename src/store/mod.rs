//! Storage. All SQL lives under this module: one folder per backend, PostgreSQL (production,
//! shared by several machines: `store/postgres/`) and SQLite (the embedded default,
//! `trendtap.db`: `store/sqlite/`), and what both share stated once in `store/shared/` (the
//! column lists, the newest-wins rule, the `runs` row's bookkeeping, the lock's protocol, the
//! shape of a run's writes). The rest of the program sees [`Store`], [`RunWriter`] and the
//! domain types. Every write is set-based (one statement per table per batch) and a run's data
//! is written in one transaction.
//!
//! [`Store`] dispatches with a `match` rather than a trait object: async trait methods are not
//! object-safe, and with two backends a `match` per method keeps the dispatch visible and cheap.
//! A new read (a subcommand's query) is one method per backend and one line here.

mod postgres;
mod shared;
mod sqlite;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::budget::{Category, ChartMemory, Grant, Reservation, Spender};
use crate::model::{Chart, ChartKey, HistoryEntry, MergedVideo, Observation, Video};
use crate::secret::DatabaseUrl;
pub use postgres::LOCK_KEY;
use postgres::{PgRunWriter, PgStore};
pub use shared::error::StoreError;
pub use shared::jobs::Job;
pub use shared::refresh::RefreshSummary;
pub use shared::thumbnails::{
    ThumbnailRecord, ThumbnailSelection, ThumbnailStatus, ThumbnailTarget,
};
pub use shared::types::{ExportQuery, LockState, RunSummary, TopRow};
pub use shared::writer::STREAM_BYTES;
use sqlite::{SqliteRunWriter, SqliteStore};

/// The store of a run: PostgreSQL for `postgres://` URLs, SQLite for `sqlite:` ones.
#[derive(Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

/// `match` on the backend of a [`Store`] (`Backend`) or a [`RunWriter`] (`Writes`), binding it
/// to `$b` in `$body`.
macro_rules! dispatch {
    ($enum:ident, $value:expr, $b:ident => $body:expr) => {
        match $value {
            $enum::Postgres($b) => $body,
            $enum::Sqlite($b) => $body,
        }
    };
}

// The reports' reads, one dispatch line each (after the macro: macro scope is textual).
mod reports;

impl Store {
    /// Connects to (or creates, for SQLite) the database of `url`.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let backend = if is_sqlite(url.expose()) {
            Backend::Sqlite(SqliteStore::connect(url).await?)
        } else {
            Backend::Postgres(PgStore::connect(url).await?)
        };
        Ok(Store { backend })
    }

    /// Where the data goes, for messages (no password).
    pub fn target(&self) -> &str {
        dispatch!(Backend, &self.backend, s => s.target())
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        dispatch!(Backend, &mut self.backend, s => s.migrate().await)
    }

    /// Migrations this binary has that the database has not applied.
    pub async fn pending_migrations(&mut self) -> usize {
        dispatch!(Backend, &mut self.backend, s => s.pending_migrations().await)
    }

    /// Takes the run lock, waiting up to `wait` for another run to release it.
    pub async fn lock(&mut self, wait: Option<Duration>) -> Result<LockState, StoreError> {
        self.lock_job(Job::Fetch, wait).await
    }

    /// Takes `job`'s run lock (each job has its own: a refresh may run beside a fetch),
    /// waiting up to `wait`; runs of that job left `running` by a dead process are marked
    /// `abandoned`.
    pub async fn lock_job(
        &mut self,
        job: Job,
        wait: Option<Duration>,
    ) -> Result<LockState, StoreError> {
        dispatch!(Backend, &mut self.backend, s => s.lock(job, wait).await)
    }

    /// Resolves with why the store failed mid-run (a write failed, the connection holding the
    /// run lock was lost), or with `None` when the store closes first. Independent of the
    /// store's lifetime, so that it can be awaited by a task of its own.
    pub fn failure(&self) -> impl std::future::Future<Output = Option<String>> + Send + 'static {
        let health = dispatch!(Backend, &self.backend, s => s.health());
        async move { health.failed().await }
    }

    /// Records the start of a run (status `running`) and returns its id.
    pub async fn begin_run(
        &self,
        started_at: DateTime<Utc>,
        regions: &[&str],
        categories: &[String],
    ) -> Result<i64, StoreError> {
        dispatch!(Backend, &self.backend, s => s.begin_run(started_at, regions, categories).await)
    }

    /// A writer for the data of run `run_id`, whose videos were seen at `seen_at`: charts are
    /// added as they arrive ([`RunWriter::add_chart`]) and the run is stored by
    /// [`RunWriter::finish`], all of it or none of it.
    pub fn begin_writes(&self, run_id: i64, seen_at: DateTime<Utc>) -> RunWriter<'_> {
        let writes = match &self.backend {
            Backend::Postgres(s) => Writes::Postgres(s.begin_writes(run_id, seen_at)),
            Backend::Sqlite(s) => Writes::Sqlite(s.begin_writes(run_id, seen_at)),
        };
        RunWriter {
            writes,
            store: PhantomData,
        }
    }

    /// Completes the `runs` row of a run whose data was not stored.
    pub async fn record_unsaved_run(
        &self,
        run_id: i64,
        summary: &RunSummary<'_>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.record_unsaved_run(run_id, summary, error).await)
    }

    /// The latest run: id, status and start time (as text).
    pub async fn latest_run(&self) -> Result<Option<(i64, String, String)>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.latest_run().await)
    }

    /// The top `limit` of each chart of the latest run that stored charts.
    pub async fn top(&self, region: Option<&str>, limit: u32) -> Result<Vec<TopRow>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.top(region, limit).await)
    }

    /// One observation per region, video and UTC day of `q` (the day's last), with its video,
    /// streamed in the daily order by one query: rows are read as the stream is polled, so
    /// memory stays flat however many there are.
    pub fn export_daily<'a>(
        &'a self,
        q: &ExportQuery,
    ) -> futures_util::stream::BoxStream<'a, Result<Observation, StoreError>> {
        dispatch!(Backend, &self.backend, s => s.export_daily(q))
    }

    /// Every chart entry of `q`, bare (no video, no run), streamed in time order by one query.
    /// Their videos and runs come from [`Self::export_videos`] and [`Self::export_runs`], which
    /// may be called while the stream is open.
    pub fn export_entries<'a>(
        &'a self,
        q: &ExportQuery,
    ) -> futures_util::stream::BoxStream<'a, Result<HistoryEntry, StoreError>> {
        dispatch!(Backend, &self.backend, s => s.export_entries(q))
    }

    /// The stored videos of `ids` (those that exist, in no order), counts unknown.
    pub async fn export_videos(&self, ids: &[String]) -> Result<Vec<Video>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.export_videos(ids).await)
    }

    /// The start time of each run of `ids` (those that exist).
    pub async fn export_runs(&self, ids: &[i64]) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.export_runs(ids).await)
    }

    /// The first and last fetch time of the entries `q` selects (`None`: there is none).
    pub async fn export_bounds(
        &self,
        q: &ExportQuery,
    ) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.export_bounds(q).await)
    }

    /// The quota ledger's rows of `day` for a key, and when Google said its quota was
    /// exhausted that day.
    pub async fn quota_day(
        &self,
        day: NaiveDate,
        fingerprint: &str,
    ) -> Result<(Vec<Spender>, Option<DateTime<Utc>>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.quota_day(day, fingerprint).await)
    }

    /// Checks a reservation against the day's ledger and books it, atomically across every
    /// process using this database.
    pub async fn reserve_quota(&self, reservation: &Reservation<'_>) -> Result<Grant, StoreError> {
        dispatch!(Backend, &self.backend, s => s.reserve_quota(reservation).await)
    }

    /// Settles a run's reservation to the units it spent.
    pub async fn settle_quota(&self, job: &str, run_id: i64, spent: u64) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.settle_quota(job, run_id, spent).await)
    }

    /// Remembers that Google said the day's quota is exhausted for a key.
    pub async fn mark_exhausted(
        &self,
        day: NaiveDate,
        fingerprint: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.mark_exhausted(day, fingerprint, reason).await)
    }

    /// What the runs started since `since` say of each chart (pages, "no chart").
    pub async fn chart_memory(
        &self,
        since: DateTime<Utc>,
    ) -> Result<HashMap<ChartKey, ChartMemory>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.chart_memory(since).await)
    }

    /// A region's stored categories and when they were asked.
    pub async fn video_categories(
        &self,
        region: &str,
    ) -> Result<(Vec<Category>, Option<DateTime<Utc>>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.video_categories(region).await)
    }

    /// Replaces a region's categories with a fresh list.
    pub async fn save_video_categories(
        &self,
        region: &str,
        categories: &[Category],
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.save_video_categories(region, categories, fetched_at).await)
    }

    /// The ids a refresh should ask for: seen in a chart since `seen_since`, newest
    /// observation before `stale_before`, most recently trending first, at most `limit`.
    pub async fn stale_videos(
        &self,
        seen_since: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        include_unavailable: bool,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.stale_videos(seen_since, stale_before, include_unavailable, limit).await)
    }

    /// Records the start of a refresh (status `running`); its id.
    pub async fn begin_refresh(&self, started_at: DateTime<Utc>) -> Result<i64, StoreError> {
        dispatch!(Backend, &self.backend, s => s.begin_refresh(started_at).await)
    }

    /// Stores a refresh in one transaction (observations, the videos' newest data, the ids now
    /// missing, its `refresh_runs` row); how many videos became unavailable.
    pub async fn save_refresh(
        &self,
        refresh_id: i64,
        observed_at: DateTime<Utc>,
        videos: &[crate::model::Video],
        missing: &[String],
        summary: &RefreshSummary,
    ) -> Result<u64, StoreError> {
        dispatch!(Backend, &self.backend, s => s.save_refresh(refresh_id, observed_at, videos, missing, summary).await)
    }

    /// Ends the `refresh_runs` row of a refresh whose data was not stored.
    pub async fn record_unsaved_refresh(
        &self,
        refresh_id: i64,
        summary: &RefreshSummary,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.record_unsaved_refresh(refresh_id, summary, error).await)
    }

    /// The videos whose thumbnails `selection` wants (`trendtap thumbnails`), most prominent
    /// first, each with its `thumbnails` row when it has one.
    pub async fn thumbnail_targets(
        &self,
        selection: &ThumbnailSelection,
    ) -> Result<Vec<ThumbnailTarget>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.thumbnail_targets(selection).await)
    }

    /// Writes `thumbnails` rows in one statement, each replacing the row of its video.
    pub async fn save_thumbnails(&self, rows: &[ThumbnailRecord]) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.save_thumbnails(rows).await)
    }

    #[cfg(test)]
    async fn table_columns(&self, table: &str) -> Vec<String> {
        dispatch!(Backend, &self.backend, s => s.table_columns(table).await)
    }
}

/// A run's data on its way into the database, in one transaction: the same for both backends
/// (`store::shared::writer`).
///
/// Each complete chart's `chart_entries` rows are written while the run is still fetching,
/// once [`STREAM_BYTES`] of them wait; `videos` and `video_regions` at the end. A failed write
/// is kept: later charts are not written, and `finish` returns it. Dropping the writer rolls the
/// run back. It borrows its store: the run's writes end before the store closes.
#[derive(Debug)]
pub struct RunWriter<'s> {
    writes: Writes,
    store: PhantomData<&'s Store>,
}

#[derive(Debug)]
enum Writes {
    Postgres(PgRunWriter),
    Sqlite(SqliteRunWriter),
}

impl RunWriter<'_> {
    /// Adds a complete chart: its entries are written now or with the next ones. A chart added
    /// twice is written once. After a failure this does nothing: the error waits for `finish`.
    pub async fn add_chart(&mut self, chart: &Chart) {
        dispatch!(Writes, &mut self.writes, w => w.add_chart(chart).await)
    }

    /// Sends waiting rows once `bytes` of them wait, instead of [`STREAM_BYTES`] (tests make a
    /// small run stream).
    pub fn stream_every(&mut self, bytes: usize) {
        dispatch!(Writes, &mut self.writes, w => w.stream_every(bytes))
    }

    /// Writes what is left of the run (every chart of `charts` not added yet, the merged
    /// videos), completes its `runs` row and commits; or returns the first failure, and nothing
    /// of the run is kept.
    pub async fn finish(
        self,
        charts: &[Chart],
        merged: &[MergedVideo<'_>],
        summary: &RunSummary<'_>,
    ) -> Result<(), StoreError> {
        dispatch!(Writes, self.writes, w => w.finish(charts, merged, summary).await)
    }
}

/// The PostgreSQL statement [`Store::export_daily`] (`daily`) or [`Store::export_entries`]
/// runs for `q`, its parameters written in as literals: for `EXPLAIN`, and for `psql`'s
/// `\copy (...) TO file CSV` (the benchmark's reference).
pub fn postgres_export_sql(q: &ExportQuery, daily: bool) -> String {
    let shape = if daily {
        shared::export::Shape::Daily
    } else {
        shared::export::Shape::Entries
    };
    let statement = shared::export::postgres(q, shape);
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| quote(s)).collect();
        format!("ARRAY[{}]::text[]", items.join(", "))
    };
    let mut sql = statement.sql.to_owned();
    for (i, bind) in statement.binds.iter().enumerate().rev() {
        use shared::export::Bind;
        let literal = match bind {
            Bind::Since => format!("{}::timestamptz", quote(&q.since.to_rfc3339())),
            Bind::Until => format!("{}::timestamptz", quote(&q.until.to_rfc3339())),
            Bind::Region => quote(&q.regions[0]),
            Bind::Regions => list(&q.regions),
            Bind::Category => quote(&q.categories[0]),
            Bind::Categories => list(&q.categories),
        };
        sql = sql.replace(&format!("${}", i + 1), &literal);
    }
    sql
}

/// Whether a database URL names SQLite.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}
