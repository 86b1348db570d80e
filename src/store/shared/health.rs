//! Whether the store can still take the run, once for both backends: the first write that
//! failed ([`super::writer`]), or the loss of the connection that holds the run lock (a
//! PostgreSQL session killed, the server restarted: another run may have taken the lock). The
//! fetch command stops the fetch on either ([`StoreHealth::failed`]); the writer refuses to
//! commit a run whose lock was lost.

use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

/// A store's health, shared by the store, its writer and its lock's watcher.
#[derive(Debug, Default)]
pub(crate) struct StoreHealth {
    /// Cancelled at the first failure.
    failed: CancellationToken,
    /// Cancelled when the store closes.
    closed: CancellationToken,
    /// Why it failed.
    why: OnceLock<String>,
    /// Why the run lock was lost, if it was.
    lock_lost: OnceLock<String>,
}

impl StoreHealth {
    /// A write failed: the store cannot take the rest of the run.
    pub fn write_failed(&self, why: String) {
        let _ = self.why.set(why);
        self.failed.cancel();
    }

    /// The connection holding the run lock is gone (`why`: what its check met).
    pub fn lock_lost(&self, why: String) {
        let _ = self.lock_lost.set(why.clone());
        let _ = self.why.set(format!(
            "the connection holding the run lock was lost ({why}); another run may have started"
        ));
        self.failed.cancel();
    }

    /// Why the run lock was lost, if it was.
    pub fn lost_lock(&self) -> Option<&str> {
        self.lock_lost.get().map(String::as_str)
    }

    /// The store closes: [`StoreHealth::failed`] ends without a failure.
    pub fn close(&self) {
        self.closed.cancel();
    }

    /// Waits for the first failure (its message), or for the store to close (`None`).
    pub async fn failed(&self) -> Option<String> {
        tokio::select! {
            biased;
            () = self.failed.cancelled() => self.why.get().cloned(),
            () = self.closed.cancelled() => None,
        }
    }
}
