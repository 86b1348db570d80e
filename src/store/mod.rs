//! Storage. All SQL lives under this module, one file per backend: PostgreSQL (production, shared
//! by several machines) and SQLite (the embedded default, `trendtap.db`). The rest of the program
//! sees [`Store`] and the domain types. Every write is set-based (one statement per table per
//! run) and a run's data is written in one transaction.
//!
//! [`Store`] is an enum rather than a trait object: async trait methods are not object-safe, and
//! with two backends a `match` per method keeps the dispatch visible and cheap.

mod pg_copy;
mod pg_writer;
mod postgres;
mod sqlite;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use pg_writer::{PgRunWriter, STREAM_BYTES};
pub use postgres::{PgStore, LOCK_KEY};
pub use sqlite::SqliteStore;

use crate::model::{Chart, ChartOutcome, ChartStatus, MergedVideo};
use crate::secret::DatabaseUrl;

/// A database failure. Messages name what was being done and where (never the password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database at {target}: {cause}")]
    Connect {
        /// Host, port and database, or the SQLite file (no user, no password).
        target: String,
        /// What went wrong.
        cause: String,
    },
    /// Migrations failed.
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database error while {what}: {source}")]
    Query {
        /// What trendtap was doing.
        what: &'static str,
        /// sqlx's error.
        source: sqlx::Error,
    },
}

/// What [`Store::lock`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// We hold the lock.
    Acquired,
    /// Another run holds it: its id and start time, when its `runs` row says so.
    Busy {
        /// The running run's id.
        run_id: Option<i64>,
        /// When it started.
        started_at: Option<DateTime<Utc>>,
    },
}

/// The end of a run, as recorded in its `runs` row.
#[derive(Debug, Clone)]
pub struct RunSummary<'a> {
    /// ok, partial, failed or interrupted.
    pub status: &'static str,
    /// What stopped the run early.
    pub halt_reason: Option<String>,
    /// Every chart's outcome.
    pub charts: &'a [ChartOutcome],
    /// Requests sent to the API.
    pub api_requests: u64,
}

/// Chart counts for the `runs` row.
struct ChartCounts {
    ok: i32,
    no_chart: i32,
    failed: i32,
}

impl RunSummary<'_> {
    fn counts(&self) -> ChartCounts {
        let count =
            |status: ChartStatus| self.charts.iter().filter(|c| c.status == status).count() as i32;
        ChartCounts {
            ok: count(ChartStatus::Ok),
            no_chart: count(ChartStatus::NoChart),
            failed: self.charts.iter().filter(|c| !c.is_done()).count() as i32,
        }
    }
}

/// One line of `trendtap top`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TopRow {
    /// The run.
    pub run_id: i64,
    /// Region.
    pub region: String,
    /// Category.
    pub category_id: String,
    /// Rank.
    pub rank: i64,
    /// Title.
    pub title: String,
    /// Channel.
    pub channel_title: Option<String>,
    /// Language.
    pub language: String,
    /// Views in that chart.
    pub view_count: Option<i64>,
}

/// Columns of `videos` that follow the newest run (every data column but the id and seen times).
const VIDEO_COLUMNS: &[&str] = &[
    "title",
    "channel_id",
    "channel_title",
    "category_id",
    "published_at",
    "duration_seconds",
    "language",
    "language_source",
    "view_count",
    "like_count",
    "comment_count",
    "tags",
    "thumbnail_url",
    "age_restricted",
    "blocked_regions",
    "allowed_regions",
    "caption",
    "definition",
    "licensed_content",
    "live_broadcast_content",
    "last_run_id",
];

/// `video_regions` rows of a run: one per (video, region), with the video's best rank over the
/// region's charts. `merged` is sorted by video and each video's appearances by region, so
/// equal keys are adjacent and the rows come out sorted (stable lock order for the upsert).
fn region_ranks<'a>(
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

/// The store of a run: PostgreSQL for `postgres://` URLs, SQLite for `sqlite:` ones.
#[derive(Debug)]
pub enum Store {
    /// PostgreSQL.
    Postgres(PgStore),
    /// SQLite.
    Sqlite(SqliteStore),
}

macro_rules! dispatch {
    ($self:expr, $store:ident => $body:expr) => {
        match $self {
            Store::Postgres($store) => $body,
            Store::Sqlite($store) => $body,
        }
    };
}

impl Store {
    /// Connects to (or creates, for SQLite) the database of `url`.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        if is_sqlite(url.expose()) {
            Ok(Store::Sqlite(SqliteStore::connect(url).await?))
        } else {
            Ok(Store::Postgres(PgStore::connect(url).await?))
        }
    }

    /// Where the data goes, for messages (no password).
    pub fn target(&self) -> &str {
        dispatch!(self, s => s.target())
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&mut self) -> Result<usize, StoreError> {
        dispatch!(self, s => s.migrate().await)
    }

    /// Migrations this binary has that the database has not applied.
    pub async fn pending_migrations(&mut self) -> usize {
        let (known, applied) = match self {
            Store::Postgres(s) => (
                postgres::MIGRATOR.iter().count(),
                s.applied_migrations().await,
            ),
            Store::Sqlite(s) => (
                sqlite::MIGRATOR.iter().count(),
                s.applied_migrations().await,
            ),
        };
        known.saturating_sub(applied)
    }

    /// Takes the run lock, waiting up to `wait` for another run to release it.
    pub async fn lock(&mut self, wait: Option<Duration>) -> Result<LockState, StoreError> {
        dispatch!(self, s => s.lock(wait).await)
    }

    /// Records the start of a run (status `running`) and returns its id.
    pub async fn begin_run(
        &self,
        started_at: DateTime<Utc>,
        regions: &[&str],
        categories: &[String],
    ) -> Result<i64, StoreError> {
        dispatch!(self, s => s.begin_run(started_at, regions, categories).await)
    }

    /// A writer for the data of run `run_id`, whose videos were seen at `seen_at`: charts are
    /// added as they arrive ([`RunWriter::add_chart`]) and the run is stored by
    /// [`RunWriter::finish`], all of it or none of it.
    pub fn begin_writes(&self, run_id: i64, seen_at: DateTime<Utc>) -> RunWriter<'_> {
        let backend = match self {
            Store::Postgres(s) => Writer::Postgres(s.begin_writes(run_id, seen_at)),
            Store::Sqlite(store) => Writer::Sqlite {
                store,
                run_id,
                seen_at,
            },
        };
        RunWriter {
            backend,
            failed: None,
        }
    }

    /// Stores a run in one transaction: all of it, or none of it.
    pub async fn save_run(
        &self,
        run_id: i64,
        seen_at: DateTime<Utc>,
        charts: &[Chart],
        merged: &[MergedVideo<'_>],
        summary: &RunSummary<'_>,
    ) -> Result<(), StoreError> {
        self.begin_writes(run_id, seen_at)
            .finish(charts, merged, summary)
            .await
    }

    /// Completes the `runs` row of a run whose data was not stored.
    pub async fn record_unsaved_run(
        &self,
        run_id: i64,
        summary: &RunSummary<'_>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.record_unsaved_run(run_id, summary, error).await)
    }

    /// The latest run: id, status and start time (as text).
    pub async fn latest_run(&self) -> Result<Option<(i64, String, String)>, StoreError> {
        dispatch!(self, s => s.latest_run().await)
    }

    /// The top `limit` of each chart of the latest run that stored charts.
    pub async fn top(&self, region: Option<&str>, limit: u32) -> Result<Vec<TopRow>, StoreError> {
        dispatch!(self, s => s.top(region, limit).await)
    }
}

/// A run's data on its way into the database, in one transaction.
///
/// PostgreSQL writes each chart's `chart_entries` while the run is still fetching
/// ([`PgRunWriter`]); SQLite, whose writes are local, writes the whole run in
/// [`RunWriter::finish`]. A failed write is kept: later charts are not written, and `finish`
/// returns it. Dropping the writer rolls the run back.
#[derive(Debug)]
pub struct RunWriter<'s> {
    backend: Writer<'s>,
    failed: Option<StoreError>,
}

#[derive(Debug)]
enum Writer<'s> {
    Postgres(PgRunWriter),
    Sqlite {
        store: &'s SqliteStore,
        run_id: i64,
        seen_at: DateTime<Utc>,
    },
}

impl RunWriter<'_> {
    /// Adds a complete chart (PostgreSQL writes its entries now or with the next ones; SQLite
    /// leaves it for `finish`). After a failure this does nothing: the error waits for
    /// `finish`.
    pub async fn add_chart(&mut self, chart: &Chart) {
        if self.failed.is_some() {
            return;
        }
        if let Writer::Postgres(writer) = &mut self.backend {
            if let Err(e) = writer.add_chart(chart).await {
                tracing::error!(chart = %chart.key, "cannot write the chart's entries: the run will not be stored");
                self.failed = Some(e);
            }
        }
    }

    /// Sends waiting rows once `bytes` of them wait (PostgreSQL; see [`STREAM_BYTES`]).
    pub fn stream_every(&mut self, bytes: usize) {
        if let Writer::Postgres(writer) = &mut self.backend {
            writer.stream_every(bytes);
        }
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
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.backend {
            Writer::Postgres(writer) => writer.finish(charts, merged, summary).await,
            Writer::Sqlite {
                store,
                run_id,
                seen_at,
            } => {
                store
                    .save_run(run_id, seen_at, charts, merged, summary)
                    .await
            }
        }
    }
}

/// Whether a database URL names SQLite.
pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}
