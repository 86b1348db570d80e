//! The thumbnail downloader behind `trendtap thumbnails`: a bounded pool of downloads over one
//! HTTP client ([`download_all`], the downloader's only concurrency), one image at a time
//! streamed into place ([`download`]), the folder's layout and temporary files ([`files`]),
//! and which image of a video to fetch ([`quality`]).
//!
//! It knows nothing of the store: it is handed [`Job`]s and returns each one's [`Outcome`];
//! `commands/thumbnails.rs` picks the jobs from the store and records the outcomes there.

pub mod download;
pub mod files;
pub mod quality;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::shutdown::RunControl;
pub use download::{DownloadError, Downloader, Got, HttpSettings, Image, Validators};
pub use quality::Quality;

/// The image folder cannot be used: nothing can be downloaded (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("the image folder {path} is not writable: {source}")]
pub struct FolderError {
    /// The folder.
    pub path: String,
    /// Why.
    pub source: std::io::Error,
}

/// One image to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The video.
    pub video_id: String,
    /// The image's URL.
    pub url: String,
    /// Its file, relative to the folder ([`files::relative_path`]).
    pub path: String,
    /// To revalidate the file in place: what the host said of it last time.
    pub validators: Option<Validators>,
}

/// What became of a job.
#[derive(Debug)]
pub struct Outcome {
    /// The job.
    pub job: Job,
    /// Its result.
    pub result: Result<Got, DownloadError>,
    /// Requests sent for it.
    pub attempts: u32,
}

/// Live counters of a run, for the progress bar and the summary.
#[derive(Debug, Default)]
pub struct Counters {
    /// Videos selected.
    pub total: AtomicU64,
    /// Videos dealt with (in any way).
    pub done: AtomicU64,
    /// Images downloaded (replaced ones included).
    pub downloaded: AtomicU64,
    /// Images already in place (not modified, when revalidating).
    pub present: AtomicU64,
    /// Images the host does not have.
    pub missing: AtomicU64,
    /// Images that could not be had.
    pub failed: AtomicU64,
    /// Bytes downloaded.
    pub bytes: AtomicU64,
}

impl Counters {
    /// Counts one video dealt with, in `counter`.
    pub fn count(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn count_outcome(&self, outcome: &Outcome) {
        match &outcome.result {
            Ok(Got::Image(image)) => {
                self.bytes.fetch_add(image.bytes, Ordering::Relaxed);
                self.count(&self.downloaded);
            }
            Ok(Got::NotModified(_)) => self.count(&self.present),
            Err(DownloadError::Missing { .. }) => self.count(&self.missing),
            Err(_) => self.count(&self.failed),
        }
    }
}

/// Fetches every job into `dir`, at most `concurrency` at once, and returns the outcome of
/// each job that ran to its end (in the order they ended).
///
/// **The downloader's only concurrency**: one semaphore bounds the downloads in flight; a slot
/// is held from a job's first request to its end, backoff waits included (a throttling host
/// gets no more requests while it asks us to wait), and the next job starts only when a slot is
/// free, so at most `concurrency` tasks exist at once. Once `ctl`'s halt token is cancelled
/// (SIGINT/SIGTERM) no job starts; its abort token drops the downloads in flight, whose
/// temporary files their drop removes; those jobs have no outcome. A job whose task panics
/// fails with the panic's message.
pub async fn download_all(
    downloader: &Arc<Downloader>,
    dir: &Path,
    jobs: Vec<Job>,
    concurrency: usize,
    ctl: &Arc<RunControl>,
    counters: &Arc<Counters>,
) -> Vec<Outcome> {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut running = HashMap::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let slot = tokio::select! {
            biased;
            () = ctl.halt_token().cancelled() => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        while let Some(joined) = tasks.try_join_next_with_id() {
            collect(joined, &mut running, &mut outcomes, counters);
        }
        let (downloader, ctl, dir) = (downloader.clone(), ctl.clone(), dir.to_path_buf());
        let task_job = job.clone();
        let handle = tasks.spawn(async move {
            let _slot = slot;
            let dest = dir.join(&task_job.path);
            let fetch = downloader.fetch(
                &task_job.url,
                &dest,
                &dir,
                task_job.validators.as_ref(),
                ctl.halt_token(),
            );
            tokio::select! {
                biased;
                () = ctl.abort_token().cancelled() => None,
                (result, attempts) = fetch => Some(Outcome { job: task_job, result, attempts }),
            }
        });
        running.insert(handle.id(), job);
    }
    while let Some(joined) = tasks.join_next_with_id().await {
        collect(joined, &mut running, &mut outcomes, counters);
    }
    outcomes
}

type Joined = Result<(tokio::task::Id, Option<Outcome>), tokio::task::JoinError>;

/// Keeps a finished task's outcome (a panic becomes a failure of its job).
fn collect(
    joined: Joined,
    running: &mut HashMap<tokio::task::Id, Job>,
    outcomes: &mut Vec<Outcome>,
    counters: &Counters,
) {
    let outcome = match joined {
        Ok((id, outcome)) => {
            running.remove(&id);
            outcome
        }
        Err(err) => running.remove(&err.id()).map(|job| {
            tracing::error!(video_id = %job.video_id, "the download's task panicked: {err}");
            Outcome {
                job,
                result: Err(DownloadError::Internal(err.to_string())),
                attempts: 0,
            }
        }),
    };
    if let Some(outcome) = outcome {
        counters.count_outcome(&outcome);
        outcomes.push(outcome);
    }
}
