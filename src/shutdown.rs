//! Stopping a run early: SIGINT/SIGTERM, the deadline, and API answers that make further
//! requests pointless (quota spent, key rejected) all go through one [`RunControl`].
//!
//! Two tokens, because the causes differ in what they stop: every cause stops new requests
//! (`halt`); all but an exhausted quota also drop the requests in flight (`abort`), since an
//! in-flight request after a quota error may still succeed and costs nothing more.

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
