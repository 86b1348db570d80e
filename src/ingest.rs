//! Orchestration of `trendtap fetch`: database checks, the concurrent fetch, merge, then store
//! or print. This is the only module where concurrency happens.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::{DbConfig, FetchConfig};
use crate::dedup;
use crate::error::{Error, Halt, RunEnd};
use crate::model::{Chart, ChartKey, ChartOutcome, ChartStatus};
use crate::normalize;
use crate::output;
use crate::shutdown::RunControl;
use crate::store::{LockState, PgStore, RunSummary};
use crate::youtube::{ApiError, Client};

/// Everything a finished fetch knows.
#[derive(Debug)]
pub struct Fetch {
    /// The complete charts.
    pub charts: Vec<Chart>,
    /// Every chart's outcome, in plan order.
    pub outcomes: Vec<ChartOutcome>,
}

/// Runs `trendtap fetch`. The database (when not a dry run) is connected, migrated and locked
/// before the first API request, so an outage or a concurrent run spends no quota.
pub async fn run(
    cfg: &FetchConfig,
    ctl: Arc<RunControl>,
    stdout: &mut dyn std::io::Write,
) -> Result<RunEnd, Error> {
    let started_at = Utc::now();
    let mut store = match &cfg.database {
        Some(db) => Some(open_store(db, cfg, started_at).await?),
        None => None,
    };

    let client = Arc::new(Client::new(&cfg.api).map_err(Error::Usage)?);
    let plan = plan(cfg);
    tracing::info!(
        charts = plan.len(),
        concurrency = cfg.concurrency,
        "fetching"
    );
    let clock = Instant::now();
    let mut fetch = fetch_all(&client, plan, cfg.max_pages, cfg.concurrency, &ctl).await;
    crate::language::apply_channel_languages(&mut fetch.charts);
    // Chart errors reach the log and the runs table: make sure no secret rides along.
    let redactor = cfg.redactor();
    for error in fetch.outcomes.iter_mut().filter_map(|o| o.error.as_mut()) {
        *error = redactor.redact(error);
    }
    let merged = dedup::merge(&fetch.charts);
    let done = fetch.outcomes.iter().filter(|o| o.is_done()).count();
    let mut end = RunEnd {
        charts_done: done,
        charts_failed: fetch.outcomes.len() - done,
        halt: ctl.reason(),
        stored: false,
    };
    for o in fetch.outcomes.iter().filter(|o| !o.is_done()) {
        tracing::error!(chart = %format_args!("{}/{}", o.region, o.category_id), status = ?o.status, "chart not stored: {}", o.error.as_deref().unwrap_or(""));
    }

    match store.as_mut() {
        None => {
            output::write(stdout, cfg.dry_run.unwrap_or_default(), &merged)
                .map_err(Error::Output)?;
        }
        Some((store, run_id)) => {
            let summary = RunSummary {
                status: end.status(),
                halt_reason: end.halt.map(|h| h.to_string()),
                charts: &fetch.outcomes,
                api_requests: client.requests_made(),
            };
            if fetch.charts.is_empty() {
                store.record_unsaved_run(*run_id, &summary, None).await?;
            } else if let Err(err) = store
                .save_run(*run_id, started_at, &fetch.charts, &merged, &summary)
                .await
            {
                // The transaction rolled back: record why, keep the original error for the exit.
                let message = redactor.redact(&err.to_string());
                if let Err(e) = store
                    .record_unsaved_run(*run_id, &summary, Some(&message))
                    .await
                {
                    tracing::error!("could not record the failed run: {e}");
                }
                return Err(err.into());
            } else {
                end.stored = true;
            }
        }
    }

    let entries: usize = fetch.charts.iter().map(|c| c.entries.len()).sum();
    let run_id = store.as_ref().map(|(_, id)| id.to_string());
    tracing::info!(
        run_id = run_id.as_deref().unwrap_or("dry-run"),
        status = end.status(),
        charts_done = end.charts_done,
        charts_failed = end.charts_failed,
        videos = merged.len(),
        chart_entries = entries,
        requests = client.requests_made(),
        bytes = client.bytes_received(),
        seconds = format_args!("{:.2}", clock.elapsed().as_secs_f64()),
        "run finished"
    );
    Ok(end)
}

async fn open_store(
    db: &DbConfig,
    cfg: &FetchConfig,
    started_at: DateTime<Utc>,
) -> Result<(PgStore, i64), Error> {
    let mut store = PgStore::connect(&db.url).await?;
    let applied = store.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    match store.lock(db.wait_lock).await? {
        LockState::Acquired => {}
        LockState::Busy { run_id, started_at } => {
            return Err(Error::Locked {
                run_id: run_id.map_or_else(|| "unknown".to_owned(), |id| id.to_string()),
                started_at: started_at.map_or_else(|| "unknown".to_owned(), |t| t.to_rfc3339()),
            })
        }
    }
    let run_id = store
        .begin_run(started_at, &cfg.regions, &cfg.categories)
        .await?;
    tracing::info!(run_id, database = store.target(), "run started");
    Ok((store, run_id))
}

/// Every (region, category) pair, region-major.
pub fn plan(cfg: &FetchConfig) -> Vec<ChartKey> {
    cfg.regions
        .iter()
        .flat_map(|region| {
            cfg.categories.iter().map(move |category| ChartKey {
                region,
                category_id: category.clone(),
            })
        })
        .collect()
}

/// Fetches every chart: one task per chart, at most `concurrency` requests in flight.
///
/// This is the only concurrent part of the pipeline. The semaphore is taken around each request
/// (not each chart), so a chart waiting out a backoff holds no slot longer than its request.
pub async fn fetch_all(
    client: &Arc<Client>,
    plan: Vec<ChartKey>,
    max_pages: u32,
    concurrency: usize,
    ctl: &Arc<RunControl>,
) -> Fetch {
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut tasks = JoinSet::new();
    for (index, key) in plan.into_iter().enumerate() {
        let (client, slots, ctl) = (Arc::clone(client), Arc::clone(&slots), Arc::clone(ctl));
        tasks.spawn(async move {
            (
                index,
                fetch_chart(&client, key, max_pages, &slots, &ctl).await,
            )
        });
    }
    let mut results = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.expect("chart tasks do not panic"));
    }
    results.sort_by_key(|(index, _)| *index);
    let mut charts = Vec::new();
    let mut outcomes = Vec::with_capacity(results.len());
    for (_, (chart, outcome)) in results {
        charts.extend(chart);
        outcomes.push(outcome);
    }
    Fetch { charts, outcomes }
}

/// Fetches one chart, following nextPageToken up to `max_pages`, normalizing each page as it
/// arrives. Returns the chart only when it is complete.
async fn fetch_chart(
    client: &Client,
    key: ChartKey,
    max_pages: u32,
    slots: &Semaphore,
    ctl: &RunControl,
) -> (Option<Chart>, ChartOutcome) {
    let mut outcome = ChartOutcome {
        region: key.region,
        category_id: key.category_id.clone(),
        status: ChartStatus::Ok,
        pages: 0,
        videos: 0,
        skipped_items: 0,
        requests: 0,
        error: None,
    };
    let stopped = |outcome: &mut ChartOutcome, why: String| {
        outcome.status = ChartStatus::Incomplete;
        outcome.error = Some(why);
    };
    let mut entries = Vec::new();
    let mut token: Option<String> = None;
    let mut position: u32 = 0;

    while outcome.pages < max_pages {
        let permit = tokio::select! {
            biased;
            () = ctl.halt_token().cancelled() => None,
            permit = slots.acquire() => Some(permit.expect("the semaphore is never closed")),
        };
        let Some(_permit) = permit else {
            stopped(&mut outcome, halted_message(ctl));
            return (None, outcome);
        };
        let fetched = tokio::select! {
            () = ctl.abort_token().cancelled() => None,
            fetched = client.chart_page(key.region, &key.category_id, token.as_deref(), ctl.halt_token()) => Some(fetched),
        };
        let Some(fetched) = fetched else {
            stopped(
                &mut outcome,
                format!("{} (request cancelled in flight)", halted_message(ctl)),
            );
            return (None, outcome);
        };
        outcome.requests += fetched.attempts;
        let page = match fetched.result {
            Ok(page) => page,
            Err(ApiError::NoChart { .. }) if outcome.pages == 0 => {
                tracing::info!(chart = %key, "no chart for this region and category");
                outcome.status = ChartStatus::NoChart;
                return (None, outcome);
            }
            Err(err) => {
                match &err {
                    ApiError::Quota { .. } => ctl.stop(Halt::Quota),
                    ApiError::BadKey { .. } => ctl.stop(Halt::BadKey),
                    _ => {}
                }
                let attempts = if fetched.attempts > 1 {
                    format!(" after {} attempts", fetched.attempts)
                } else {
                    String::new()
                };
                outcome.status = if err.is_transient() && ctl.reason().is_some() {
                    ChartStatus::Incomplete
                } else {
                    ChartStatus::Failed
                };
                outcome.error = Some(format!("{key} page {}: {err}{attempts}", outcome.pages + 1));
                return (None, outcome);
            }
        };
        outcome.pages += 1;
        for item in page.response.videos() {
            position += 1;
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

fn halted_message(ctl: &RunControl) -> String {
    match ctl.reason() {
        Some(Halt::Quota) => "not completed: the daily quota is exhausted".to_owned(),
        Some(Halt::BadKey) => "not completed: the API rejected the key".to_owned(),
        Some(Halt::Sigint) => "not completed: interrupted by SIGINT".to_owned(),
        Some(Halt::Sigterm) => "not completed: interrupted by SIGTERM".to_owned(),
        Some(Halt::Deadline) => "not completed: the run's deadline passed".to_owned(),
        None => "not completed".to_owned(),
    }
}
