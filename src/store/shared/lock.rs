//! The run lock's protocol, once for both backends: try to take the lock, and retry every
//! [`POLL`] until it is taken or the wait passes; once taken, the runs still marked running have
//! no process behind them and are marked abandoned; otherwise the holder is named from its
//! `runs` row. Each backend supplies the lock itself ([`RunLock`]): a PostgreSQL session
//! advisory lock, an OS file lock beside the SQLite file.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::error::StoreError;
use super::types::LockState;

/// How often a waiting run tries the lock again.
pub(crate) const POLL: Duration = Duration::from_millis(500);

/// One backend's run lock.
pub(crate) trait RunLock {
    /// Tries to take the lock once; whether it was taken.
    async fn try_lock(&mut self) -> Result<bool, StoreError>;
    /// Marks the runs still `running` abandoned (see [`super::jobs::Job::abandon_sql`]).
    async fn mark_abandoned(&mut self) -> Result<(), StoreError>;
    /// The id and start of the run that holds the lock (see [`super::jobs::Job::running_sql`]).
    async fn holder(&mut self) -> Result<(Option<i64>, Option<DateTime<Utc>>), StoreError>;
}

/// Takes the run lock, waiting up to `wait` for another run to release it.
pub(crate) async fn lock(
    lock: &mut impl RunLock,
    wait: Option<Duration>,
) -> Result<LockState, StoreError> {
    let deadline = wait.map(|w| tokio::time::Instant::now() + w);
    loop {
        if lock.try_lock().await? {
            lock.mark_abandoned().await?;
            return Ok(LockState::Acquired);
        }
        match deadline {
            Some(d) if tokio::time::Instant::now() < d => tokio::time::sleep(POLL).await,
            _ => break,
        }
    }
    let (run_id, started_at) = lock.holder().await?;
    Ok(LockState::Busy { run_id, started_at })
}
