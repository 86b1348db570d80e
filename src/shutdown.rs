//! Stopping a run early: SIGINT/SIGTERM, the deadline, API answers that make further requests
//! pointless (quota spent, key or request rejected, the first charts all failing alike) and a
//! store that fails mid-run all go through one [`RunControl`].
//!
//! Two tokens, because the causes differ in what they stop: every cause stops new requests
//! (`halt`); all but an exhausted quota also drop the requests in flight (`abort`), since an
//! in-flight request after a quota error may still succeed and costs nothing more.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{Exit, Halt};

/// Shared by every chart task of a run.
#[derive(Debug, Default)]
pub struct RunControl {
    halt: CancellationToken,
    abort: CancellationToken,
    reason: OnceLock<Halt>,
    /// What the first stop said (the API's words, the store's error), for the closing line.
    detail: OnceLock<String>,
}

impl RunControl {
    /// A control with nothing stopped.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the run for `reason`. The first reason is the one reported; later ones still apply
    /// their cancellations (a signal after a quota error also drops requests in flight).
    pub fn stop(&self, reason: Halt) {
        let _ = self.reason.set(reason);
        self.cancel(reason);
    }

    /// [`RunControl::stop`], with what the operator must read about it (kept when this is the
    /// first reason).
    pub fn stop_with(&self, reason: Halt, detail: String) {
        if self.reason.set(reason).is_ok() {
            let _ = self.detail.set(detail);
        }
        self.cancel(reason);
    }

    fn cancel(&self, reason: Halt) {
        self.halt.cancel();
        if reason != Halt::Quota {
            self.abort.cancel();
        }
    }

    /// Cancelled when no new request may start.
    pub fn halt_token(&self) -> &CancellationToken {
        &self.halt
    }

    /// Cancelled when requests in flight must be dropped.
    pub fn abort_token(&self) -> &CancellationToken {
        &self.abort
    }

    /// Why the run stopped early, if it did.
    pub fn reason(&self) -> Option<Halt> {
        self.reason.get().copied()
    }

    /// What the first stop said about itself, if it said anything.
    pub fn detail(&self) -> Option<&str> {
        self.detail.get().map(String::as_str)
    }
}

/// Watches SIGINT and SIGTERM for the rest of the process: the first stops the run (complete
/// charts are still stored); a second exits at once without storing.
pub fn watch_signals(ctl: Arc<RunControl>) -> std::io::Result<()> {
    watch_signals_saying(ctl, "no new request starts; complete charts will be stored")
}

/// [`watch_signals`] for another command, whose warning at the first signal says `what` it
/// does then.
pub fn watch_signals_saying(ctl: Arc<RunControl>, what: &'static str) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        let mut seen = false;
        loop {
            let (halt, exit) = tokio::select! {
                _ = sigint.recv() => (Halt::Sigint, Exit::Sigint),
                _ = sigterm.recv() => (Halt::Sigterm, Exit::Sigterm),
            };
            if seen {
                eprintln!("trendtap: second signal, exiting at once without storing");
                // The one deliberate exit below main: the operator asked twice.
                std::process::exit(exit as i32);
            }
            seen = true;
            tracing::warn!(signal = %halt, "stopping: {what} (signal again to exit at once)");
            ctl.stop(halt);
        }
    });
    Ok(())
}

/// Stops the run when `deadline` has passed.
pub fn watch_deadline(ctl: Arc<RunControl>, deadline: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(deadline).await;
        tracing::warn!(
            seconds = deadline.as_secs(),
            "deadline passed: no new request starts; complete charts will be stored"
        );
        ctl.stop(Halt::Deadline);
    });
}

/// Stops the run when the store fails mid-run (`failure` resolves with why: a write failed, the
/// connection holding the run lock was lost), so that no more quota is spent on charts that
/// cannot be stored. When a raw archive is being written under `archive`, the fetch goes on
/// instead, so that the archive is complete, and the operator is told how to store it later.
pub fn watch_store(
    ctl: Arc<RunControl>,
    failure: impl Future<Output = Option<String>> + Send + 'static,
    archive: Option<PathBuf>,
) {
    tokio::spawn(async move {
        let Some(why) = failure.await else {
            return;
        };
        match archive {
            Some(root) => tracing::error!(
                "the store failed mid-run: {why}. The fetch goes on so that the raw archive is complete: store it later with `trendtap fetch --from-raw {}`",
                root.display()
            ),
            None => {
                tracing::error!("the store failed mid-run: {why}. No new request starts");
                ctl.stop_with(Halt::Store, why);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_halts_but_does_not_abort() {
        let ctl = RunControl::new();
        ctl.stop(Halt::Quota);
        assert!(ctl.halt_token().is_cancelled());
        assert!(!ctl.abort_token().is_cancelled());
        ctl.stop(Halt::Sigint);
        assert!(ctl.abort_token().is_cancelled());
        assert_eq!(
            ctl.reason(),
            Some(Halt::Quota),
            "the first reason is reported"
        );
    }
}
