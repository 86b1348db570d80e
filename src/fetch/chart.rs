//! One chart: its pages requested in turn (each under a slot of the run's semaphore), each page
//! handed to the page sink and normalized as it arrives; the chart is returned only complete.

use std::sync::atomic::Ordering;
use std::time::Instant;

use chrono::Utc;
use tokio::sync::Semaphore;

use super::PageSink;
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
}

/// Fetches one chart, following nextPageToken up to `max_pages`, normalizing each page as it
/// arrives (and handing it to the page sink). Returns the chart only when complete.
pub(super) async fn fetch_chart(
    run: Shared<'_>,
    key: ChartKey,
    max_pages: u32,
) -> (Option<Chart>, ChartOutcome) {
    let mut outcome = new_outcome(&key);
    let mut entries = Vec::new();
    let mut position = 0;
    let mut token: Option<String> = None;

    while outcome.pages < max_pages {
        let Some(page) = next_page(&run, &key, token.as_deref(), &mut outcome).await else {
            return (None, outcome);
        };
        collect_page(
            &key,
            &page.response,
            &mut position,
            &mut entries,
            &mut outcome,
            run.progress,
        );
        match page.response.next_page_token {
            Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
            // No token (or the same one again): the chart is complete.
            _ => break,
        }
    }
    outcome.videos = entries.len() as u32;
    let chart = Chart {
        key,
        fetched_at: Utc::now(),
        entries,
    };
    (Some(chart), outcome)
}

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
        Err(err) => return failed(key, err, fetched.attempts, ctl, outcome),
    };
    // The slot is for the network: the next request may start while this page is saved
    // and normalized.
    drop(permit);
    progress.pages.fetch_add(1, Ordering::Relaxed);
    if let Some(pages) = run.pages {
        // Pages are tens of kilobytes: writing one is quick enough to do in place.
        if let Err(e) = pages.page(key, outcome.pages + 1, &page.body) {
            outcome.status = ChartStatus::Failed;
            outcome.error = Some(format!(
                "{key} page {}: cannot save the raw page: {e}",
                outcome.pages + 1
            ));
            return None;
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
/// whole run (quota, key).
fn failed(
    key: &ChartKey,
    err: ApiError,
    attempts: u32,
    ctl: &RunControl,
    outcome: &mut ChartOutcome,
) -> Option<Page> {
    if matches!(err, ApiError::NoChart { .. }) && outcome.pages == 0 {
        tracing::info!(chart = %key, "no chart for this region and category");
        outcome.status = ChartStatus::NoChart;
        return None;
    }
    match (&err, err.scope()) {
        (ApiError::Quota { .. }, _) => ctl.stop(Halt::Quota),
        (_, Scope::Run) => ctl.stop(Halt::BadKey),
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
    None
}

/// Normalizes a page's items into `entries`. Ranks are positions in the chart (`position` counts
/// the items so far), so a skipped item keeps its place.
pub(crate) fn collect_page(
    key: &ChartKey,
    response: &VideoListResponse,
    position: &mut u32,
    entries: &mut Vec<(u32, Video)>,
    outcome: &mut ChartOutcome,
    progress: &Progress,
) {
    let started = Instant::now();
    outcome.pages += 1;
    for item in response.videos() {
        *position += 1;
        let position = *position;
        let video = item
            .map_err(|e| e.to_string())
            .and_then(|v| normalize::video(v, key.region).map_err(|e| e.to_string()));
        match video {
            Ok(video) => entries.push((position, video)),
            Err(why) => {
                outcome.skipped_items += 1;
                tracing::warn!(chart = %key, rank = position, "skipping item: {why}");
            }
        }
    }
    record(&progress.timings.normalize_us, started);
}

fn halted_message(ctl: &RunControl) -> String {
    match ctl.reason() {
        Some(Halt::Quota) => "not completed: the daily quota is exhausted".to_owned(),
        Some(Halt::BadKey) => "not completed: the API rejected the key".to_owned(),
        Some(Halt::Sigint) => "not completed: interrupted by SIGINT".to_owned(),
        Some(Halt::Sigterm) => "not completed: interrupted by SIGTERM".to_owned(),
        Some(Halt::Deadline) => "not completed: the run's deadline passed".to_owned(),
        Some(Halt::QuotaKnown { .. } | Halt::OverBudget { .. }) => {
            "not requested: the day's quota budget".to_owned()
        }
        None => "not completed".to_owned(),
    }
}
