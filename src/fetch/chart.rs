//! One chart: its pages requested in turn (each under a slot of the run's semaphore), each page
//! handed to the page sink and normalized as it arrives; the chart is returned only complete.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

use chrono::Utc;
use tokio::sync::Semaphore;

use super::{EarlyFailures, PageSink};
use crate::error::Halt;
use crate::model::{Chart, ChartKey, ChartOutcome, ChartStatus, Video};
use crate::normalize;
use crate::progress::{record, Progress};
use crate::shutdown::RunControl;
use crate::youtube::wire::VideoListResponse;
use crate::youtube::{ApiError, Client, Page, Scope};

/// A fresh outcome for `key`: ok, nothing fetched yet.
pub(crate) fn new_outcome(key: &ChartKey) -> ChartOutcome {
    ChartOutcome {
        region: key.region,
        category_id: key.category_id.clone(),
        status: ChartStatus::Ok,
        pages: 0,
        videos: 0,
        skipped_items: 0,
        requests: 0,
        error: None,
    }
}

/// What a chart task works with: the run's shared parts, borrowed.
pub(super) struct Shared<'a> {
    /// The API client.
    pub client: &'a Client,
    /// The run's request slots.
    pub slots: &'a Semaphore,
    /// Stop conditions.
    pub ctl: &'a RunControl,
    /// Where pages go as received.
    pub pages: Option<&'a dyn PageSink>,
    /// Counters.
    pub progress: &'a Progress,
    /// The run's check of its first charts to finish.
    pub early: &'a Mutex<EarlyFailures>,
}

impl Shared<'_> {
    /// Counts a chart that finished (`cause`: its failure's [`ApiError::signature`]), and stops
    /// the run when its first charts all failed alike. A failed chart is counted while its
    /// request slot is still held, so that no other request starts before the stop.
    fn finished(&self, cause: Option<String>, error: Option<&str>) {
        let mut early = self.early.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(why) = early.finished(cause, error) {
            tracing::error!("{why}: stopping the run");
            self.ctl.stop_with(Halt::Repeated, why);
        }
    }
}

/// A chart task's result: the chart when complete, and its outcome.
pub(super) struct Finished {
    /// The complete chart.
    pub chart: Option<Chart>,
    /// How it ended.
    pub outcome: ChartOutcome,
}

/// Fetches one chart, following nextPageToken up to `max_pages`, normalizing each page as it
/// arrives (and handing it to the page sink). Returns the chart only when complete.
///
/// Paging stops, with a warning and the chart kept as fetched, when the API offers a page past
/// the chart's [`CHART_CAP`] videos or a `nextPageToken` it gave before (a loop).
pub(super) async fn fetch_chart(run: Shared<'_>, key: ChartKey, max_pages: u32) -> Finished {
    let mut outcome = new_outcome(&key);
    let mut collected = Collected::default();
    let mut token: Option<String> = None;
    let mut tokens = HashSet::new();

    loop {
        let Some(page) = next_page(&run, &key, token.as_deref(), &mut outcome).await else {
            return Finished {
                chart: None,
                outcome,
            };
        };
        collect_page(
            &key,
            &page.response,
            &mut collected,
            &mut outcome,
            run.progress,
        );
        let Some(next) = page.response.next_page_token else {
            break;
        };
        if outcome.pages >= max_pages {
            break;
        }
        if collected.position >= CHART_CAP {
            tracing::warn!(chart = %key, videos = collected.position,
                "the API offers a page past the chart's {CHART_CAP} videos: paging stops, the chart is kept as fetched");
            break;
        }
        if !tokens.insert(next.clone()) {
            tracing::warn!(chart = %key, page = outcome.pages,
                "the API repeats an earlier nextPageToken: paging stops, the chart is kept as fetched");
            break;
        }
        token = Some(next);
    }
    outcome.videos = collected.entries.len() as u32;
    run.finished(None, None);
    let chart = Chart {
        key,
        fetched_at: Utc::now(),
        entries: collected.entries,
    };
    Finished {
        chart: Some(chart),
        outcome,
    }
}

/// Videos a chart holds at most (four pages of 50): items past it are not kept.
pub const CHART_CAP: u32 = 200;

/// The chart's next page, requested under a slot and handed to the page sink; or `None` when
/// the chart ends here, with `outcome` saying why.
async fn next_page(
    run: &Shared<'_>,
    key: &ChartKey,
    token: Option<&str>,
    outcome: &mut ChartOutcome,
) -> Option<Page> {
    let (ctl, progress) = (run.ctl, run.progress);
    let permit = tokio::select! {
        biased;
        () = ctl.halt_token().cancelled() => None,
        permit = run.slots.acquire() => Some(permit.expect("the semaphore is never closed")),
    };
    // Held until the answer is classified: a quota or key error stops the run before
    // another request can take the slot.
    let Some(permit) = permit else {
        return stopped(outcome, halted_message(ctl));
    };
    let fetched = tokio::select! {
        () = ctl.abort_token().cancelled() => None,
        fetched = run.client.chart_page(key.region, &key.category_id, token, ctl.halt_token()) => Some(fetched),
    };
    let Some(fetched) = fetched else {
        let why = format!("{} (request cancelled in flight)", halted_message(ctl));
        return stopped(outcome, why);
    };
    outcome.requests += fetched.attempts;
    progress
        .requests
        .fetch_add(u64::from(fetched.attempts), Ordering::Relaxed);
    progress.answered.fetch_add(1, Ordering::Relaxed);
    let page = match fetched.result {
        Ok(page) => page,
        Err(err) => {
            failed(run, key, err, fetched.attempts, outcome);
            return None;
        }
    };
    // The slot is for the network: the next request may start while this page is saved
    // and normalized.
    drop(permit);
    progress.pages.fetch_add(1, Ordering::Relaxed);
    if let Some(pages) = run.pages {
        // Pages are tens of kilobytes: writing one is quick enough to do in place. A page that
        // cannot be saved is the sink's to report: the chart's data still reaches the store.
        if let Err(e) = pages.page(key, outcome.pages + 1, &page.body) {
            tracing::debug!(chart = %key, "raw page not saved: {e}");
        }
    }
    Some(page)
}

/// The chart stopped before completion (the run is halting).
fn stopped(outcome: &mut ChartOutcome, why: String) -> Option<Page> {
    outcome.status = ChartStatus::Incomplete;
    outcome.error = Some(why);
    None
}

/// The page's request failed: a missing chart, a failure of this chart, or one that stops the
/// whole run (quota, key, a request every chart shares refused).
fn failed(
    run: &Shared<'_>,
    key: &ChartKey,
    err: ApiError,
    attempts: u32,
    outcome: &mut ChartOutcome,
) {
    let ctl = run.ctl;
    if matches!(err, ApiError::NoChart { .. }) && outcome.pages == 0 {
        tracing::info!(chart = %key, "no chart for this region and category");
        outcome.status = ChartStatus::NoChart;
        run.finished(None, None);
        return;
    }
    match (&err, err.scope()) {
        (ApiError::Quota { .. }, _) => ctl.stop_with(Halt::Quota, err.to_string()),
        (ApiError::BadKey { .. }, _) => ctl.stop_with(Halt::BadKey, err.to_string()),
        (_, Scope::Run) => ctl.stop_with(Halt::Rejected, err.to_string()),
        _ => {}
    }
    let attempts = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    outcome.status = if err.scope() == Scope::Transient && ctl.reason().is_some() {
        ChartStatus::Incomplete
    } else {
        ChartStatus::Failed
    };
    outcome.error = Some(format!("{key} page {}: {err}{attempts}", outcome.pages + 1));
    run.finished(err.signature(), outcome.error.as_deref());
}

/// A chart's entries as its pages arrive.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// (rank, video), in rank order.
    pub entries: Vec<(u32, Video)>,
    /// Items seen so far, kept or not: the next item's rank is `position + 1`.
    pub position: u32,
    /// The ids kept so far.
    seen: HashSet<String>,
}

/// Normalizes a page's items into `collected`. Ranks are positions in the chart, so a skipped
/// item keeps its place; a video the chart already holds keeps its first rank and is counted
/// once; items past the chart's [`CHART_CAP`] are not kept.
pub(crate) fn collect_page(
    key: &ChartKey,
    response: &VideoListResponse,
    collected: &mut Collected,
    outcome: &mut ChartOutcome,
    progress: &Progress,
) {
    let started = Instant::now();
    outcome.pages += 1;
    let items = response.videos();
    let room = CHART_CAP.saturating_sub(collected.position) as usize;
    if response.items.len() > room {
        tracing::warn!(chart = %key, items = response.items.len(),
            "the page goes past the chart's {CHART_CAP} videos: the items past it are not kept");
    }
    for item in items.take(room) {
        collected.position += 1;
        let position = collected.position;
        let video = item
            .map_err(|e| e.to_string())
            .and_then(|v| normalize::video(v, key.region).map_err(|e| e.to_string()));
        match video {
            Ok(video) if !collected.seen.insert(video.video_id.clone()) => {
                tracing::warn!(chart = %key, rank = position, video = %video.video_id,
                    "the video is already in this chart: its first rank is kept");
            }
            Ok(video) => collected.entries.push((position, video)),
            Err(why) => {
                outcome.skipped_items += 1;
                tracing::warn!(chart = %key, rank = position, "skipping item: {why}");
            }
        }
    }
    record(&progress.timings.normalize_us, started);
}

fn halted_message(ctl: &RunControl) -> String {
    let why = match ctl.reason() {
        Some(Halt::Quota) => "the daily quota is exhausted",
        Some(Halt::BadKey) => "the API rejected the key",
        Some(Halt::Rejected) => "the API refused a request every chart shares",
        Some(Halt::Repeated) => "the first charts all failed with the same error",
        Some(Halt::Store) => "the store failed",
        Some(Halt::Sigint) => "interrupted by SIGINT",
        Some(Halt::Sigterm) => "interrupted by SIGTERM",
        Some(Halt::Deadline) => "the run's deadline passed",
        Some(Halt::QuotaKnown { .. } | Halt::OverBudget { .. }) => {
            return "not requested: the day's quota budget".to_owned()
        }
        None => return "not completed".to_owned(),
    };
    format!("not completed: {why}")
}
