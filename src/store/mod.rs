//! Storage. All SQL lives under this module; the rest of the program sees [`PgStore`] and the
//! domain types. Every statement is set-based (UNNEST arrays, one statement per table per run),
//! and a run's data is written in one transaction.

mod postgres;

pub use postgres::{LockState, PgStore, LOCK_KEY};

use crate::model::ChartOutcome;

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database failure. Messages name what was being done and the host (never the password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached.
    #[error("cannot connect to the database at {target}: {cause}")]
    Connect {
        /// Host, port and database (no user, no password).
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
