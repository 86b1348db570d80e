//! The jobs that hold a run lock and keep a table of their runs: `fetch` (`runs`) and `refresh`
//! (`refresh_runs`). Each has its own lock, so a refresh may run while a fetch runs (the quota
//! ledger coordinates their spending) but two of the same job may not.

/// A job with a run lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `trendtap fetch`.
    Fetch,
    /// `trendtap refresh`.
    Refresh,
}

/// The advisory-lock key held by a running `fetch`: "trendtap" in ASCII.
pub const FETCH_LOCK_KEY: i64 = 0x7472_656e_6474_6170;

/// The advisory-lock key held by a running `refresh`: "refresh" in ASCII.
pub(crate) const REFRESH_LOCK_KEY: i64 = 0x72_6566_7265_7368;

impl Job {
    /// Its name in the quota ledger and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Job::Fetch => "fetch",
            Job::Refresh => "refresh",
        }
    }

    /// Its runs' table and id column.
    pub(crate) fn table(self) -> (&'static str, &'static str) {
        match self {
            Job::Fetch => ("runs", "run_id"),
            Job::Refresh => ("refresh_runs", "refresh_id"),
        }
    }

    /// Runs still marked running once we hold the lock have no process behind them.
    pub(crate) fn abandon_sql(self, now: &str) -> String {
        let (table, _) = self.table();
        format!(
            "UPDATE {table} SET status = 'abandoned', finished_at = {now} WHERE status = 'running'"
        )
    }

    /// The run that holds the lock, as its row says: `run_id`, `started_at`.
    pub(crate) fn running_sql(self) -> String {
        let (table, id) = self.table();
        format!(
            "SELECT {id} AS run_id, started_at FROM {table} WHERE status = 'running' ORDER BY {id} DESC LIMIT 1"
        )
    }

    /// PostgreSQL's advisory-lock key.
    pub(crate) fn lock_key(self) -> i64 {
        match self {
            Job::Fetch => FETCH_LOCK_KEY,
            Job::Refresh => REFRESH_LOCK_KEY,
        }
    }

    /// The suffix of SQLite's lock file beside the database.
    pub(crate) fn lock_suffix(self) -> &'static str {
        match self {
            Job::Fetch => ".lock",
            Job::Refresh => ".refresh.lock",
        }
    }
}
