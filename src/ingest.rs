//! Orchestration of `trendtap fetch`: database checks, the pages (from the API, concurrently, or
//! from a raw archive), merge, then store or print. This is the only module where concurrency
//! happens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::{DbConfig, FetchConfig, Source};
use crate::dedup;
use crate::error::{Error, Halt, RunEnd};
use crate::model::{Chart, ChartKey, ChartOutcome, ChartStatus, Video};
use crate::normalize;
use crate::output;
pub use crate::progress::{Progress, Timings};
use crate::raw::{self, Archive};
use crate::shutdown::RunControl;
use crate::store::{LockState, RunSummary, RunWriter, Store};
use crate::youtube::wire::VideoListResponse;
use crate::youtube::{ApiError, Client};

mod replay;
use replay::replay;

/// Everything a finished fetch knows.
#[derive(Debug)]
pub struct Fetch {
    /// The complete charts.
    pub charts: Vec<Chart>,
    /// Every chart's outcome, in plan order.
    pub outcomes: Vec<ChartOutcome>,
}

/// Adds the time since `since` to a stage's counter.
fn record(counter: &AtomicU64, since: Instant) {
    counter.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
}

/// Runs `trendtap fetch`. The database (when not a dry run) is connected, migrated and locked
/// before the first API request, so an outage or a concurrent run spends no quota.
pub async fn run(
    cfg: &FetchConfig,
    ctl: Arc<RunControl>,
    progress: Arc<Progress>,
    stdout: &mut dyn std::io::Write,
) -> Result<RunEnd, Error> {
    let started_at = Utc::now();
    let clock = Instant::now();
    // A replay reads its archive first (no quota is at stake), so that the run records what it
    // replays; it keeps the original run's time as the time the videos were seen.
    let replay = match &cfg.source {
        Source::Archive(dir) => {
            let reading = Instant::now();
            let replayed = replay(dir, cfg, &progress)?;
            record(&progress.timings.fetch_us, reading);
            Some(replayed)
        }
        Source::Api(_) => None,
    };
    let (regions, categories) = match &replay {
        Some((fetch, _)) => charts_of(&fetch.outcomes),
        None => (cfg.regions.clone(), cfg.categories.clone()),
    };
    let setup = Instant::now();
    let store = match &cfg.database {
        Some(db) => Some(open_store(db, &regions, &categories, started_at).await?),
        None => None,
    };
    record(&progress.timings.setup_us, setup);
    // A replay keeps the original run's time as the time its videos were seen.
    let seen_at = replay.as_ref().map_or(started_at, |(_, seen_at)| *seen_at);
    let mut writer = store
        .as_ref()
        .map(|(store, run_id)| store.begin_writes(*run_id, seen_at));

    let (mut fetch, requests, bytes) = match (replay, &cfg.source) {
        (Some((fetch, _)), _) => {
            progress
                .charts_total
                .store(fetch.outcomes.len(), Ordering::Relaxed);
            progress
                .charts_done
                .store(fetch.outcomes.len(), Ordering::Relaxed);
            let pages: u32 = fetch.outcomes.iter().map(|o| o.pages).sum();
            progress.pages.store(u64::from(pages), Ordering::Relaxed);
            (fetch, 0, 0)
        }
        (None, Source::Api(api)) => {
            let client = Arc::new(Client::new(api).map_err(Error::Usage)?);
            let archive = match &cfg.save_raw {
                Some(root) => Some(Arc::new(Archive::create(root, started_at).map_err(
                    |e| {
                        Error::Archive(raw::ArchiveError::Write {
                            path: root.display().to_string(),
                            source: e,
                        })
                    },
                )?)),
                None => None,
            };
            let plan = plan(cfg);
            tracing::info!(
                charts = plan.len(),
                concurrency = cfg.concurrency,
                "fetching"
            );
            // fetch_all times the fetch itself: until the last chart arrived.
            let mut fetch = fetch_all(
                &client,
                plan,
                cfg,
                &ctl,
                archive.as_ref(),
                writer.as_mut(),
                &progress,
            )
            .await;
            // Chart errors reach the log, the archive's manifest and the runs table: make sure
            // no secret rides along.
            let redactor = cfg.redactor();
            for error in fetch.outcomes.iter_mut().filter_map(|o| o.error.as_mut()) {
                *error = redactor.redact(error);
            }
            if let Some(archive) = &archive {
                let fetched_at: HashMap<(&str, &str), DateTime<Utc>> = fetch
                    .charts
                    .iter()
                    .map(|c| ((c.key.region, c.key.category_id.as_str()), c.fetched_at))
                    .collect();
                let when =
                    |o: &ChartOutcome| fetched_at.get(&(o.region, o.category_id.as_str())).copied();
                match archive.write_manifest(started_at, &fetch.outcomes, when) {
                    Ok(()) => tracing::info!(dir = %archive.dir().display(), "raw pages saved"),
                    Err(e) => {
                        tracing::error!(dir = %archive.dir().display(), "cannot write the raw archive's manifest: {e}")
                    }
                }
            }
            (fetch, client.requests_made(), client.bytes_received())
        }
        (None, Source::Archive(_)) => unreachable!("an archive source is replayed above"),
    };
    // The channel's language fills titles that detection left undetermined.
    crate::language::apply_channel_languages(&mut fetch.charts);
    let redactor = cfg.redactor();
    let merging = Instant::now();
    let merged = dedup::merge(&fetch.charts);
    record(&progress.timings.dedup_us, merging);
    let done = fetch.outcomes.iter().filter(|o| o.is_done()).count();
    let mut end = RunEnd {
        charts_done: done,
        charts_failed: fetch.outcomes.len() - done,
        halt: ctl.reason(),
        stored: false,
    };
    for o in fetch.outcomes.iter().filter(|o| !o.is_done()) {
        tracing::error!(chart = %format_args!("{}/{}", o.region, o.category_id), status = ?o.status,
            "chart not stored: {}", o.error.as_deref().unwrap_or(""));
    }

    let storing = Instant::now();
    match (&store, writer) {
        (Some((store, run_id)), Some(writer)) => {
            let summary = RunSummary {
                status: end.status(),
                halt_reason: end.halt.map(|h| h.to_string()),
                charts: &fetch.outcomes,
                api_requests: requests,
            };
            if fetch.charts.is_empty() {
                drop(writer);
                store.record_unsaved_run(*run_id, &summary, None).await?;
            } else if let Err(err) = writer.finish(&fetch.charts, &merged, &summary).await {
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
        _ => {
            output::write(stdout, cfg.dry_run.unwrap_or_default(), &merged)
                .map_err(Error::Output)?;
        }
    }

    record(&progress.timings.store_us, storing);
    let entries: usize = fetch.charts.iter().map(|c| c.entries.len()).sum();
    let ms = |c: &AtomicU64| c.load(Ordering::Relaxed) / 1000;
    let run_id = store.as_ref().map(|(_, id)| id.to_string());
    tracing::info!(
        run_id = run_id.as_deref().unwrap_or("dry-run"),
        status = end.status(),
        charts_done = end.charts_done,
        charts_failed = end.charts_failed,
        videos = merged.len(),
        chart_entries = entries,
        requests,
        bytes,
        seconds = format_args!("{:.2}", clock.elapsed().as_secs_f64()),
        setup_ms = ms(&progress.timings.setup_us),
        fetch_ms = ms(&progress.timings.fetch_us),
        normalize_cpu_ms = ms(&progress.timings.normalize_us),
        dedup_ms = ms(&progress.timings.dedup_us),
        store_ms = ms(&progress.timings.store_us),
        store_streamed_ms = ms(&progress.timings.store_streamed_us),
        peak_memory_mb = crate::progress::peak_memory().map(|b| b / (1024 * 1024)),
        "run finished"
    );
    Ok(end)
}

/// The regions and categories of a set of charts, in first-seen order.
fn charts_of(outcomes: &[ChartOutcome]) -> (Vec<&'static str>, Vec<String>) {
    let mut regions: Vec<&'static str> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for o in outcomes {
        if !regions.contains(&o.region) {
            regions.push(o.region);
        }
        if !categories.contains(&o.category_id) {
            categories.push(o.category_id.clone());
        }
    }
    (regions, categories)
}

async fn open_store(
    db: &DbConfig,
    regions: &[&str],
    categories: &[String],
    started_at: DateTime<Utc>,
) -> Result<(Store, i64), Error> {
    let mut store = Store::open(&db.url).await?;
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
    let run_id = store.begin_run(started_at, regions, categories).await?;
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

/// Fetches every chart of `plan`: one task per chart, at most `cfg.concurrency` requests in
/// flight, up to `cfg.max_pages` pages per chart. Each complete chart is handed to `writer`
/// (when storing) as soon as it is collected, while the other charts are still fetching.
///
/// This is the only concurrent part of the pipeline. The semaphore is taken around each page's
/// request, its retries included (not around a chart): a throttled API sees no more requests
/// while a backoff is waited out, and saving and normalizing a page hold no slot.
/// The writes happen here, in the collecting loop, one chart at a time: the database sees one
/// writer, and the chart tasks keep fetching while it writes.
pub async fn fetch_all(
    client: &Arc<Client>,
    plan: Vec<ChartKey>,
    cfg: &FetchConfig,
    ctl: &Arc<RunControl>,
    archive: Option<&Arc<Archive>>,
    mut writer: Option<&mut RunWriter<'_>>,
    progress: &Arc<Progress>,
) -> Fetch {
    let fetching = Instant::now();
    let max_pages = cfg.max_pages;
    let slots = Arc::new(Semaphore::new(cfg.concurrency));
    progress.charts_total.store(plan.len(), Ordering::Relaxed);
    let mut tasks = JoinSet::new();
    for (index, key) in plan.into_iter().enumerate() {
        let (client, slots, ctl, progress) =
            (client.clone(), slots.clone(), ctl.clone(), progress.clone());
        let archive = archive.cloned();
        tasks.spawn(async move {
            let chart = fetch_chart(
                &client,
                key,
                max_pages,
                &slots,
                &ctl,
                archive.as_deref(),
                &progress,
            )
            .await;
            progress.charts_done.fetch_add(1, Ordering::Relaxed);
            (index, chart)
        });
    }
    let mut results = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        let (index, (chart, outcome)) = joined.expect("chart tasks do not panic");
        let last = tasks.is_empty();
        if last {
            record(&progress.timings.fetch_us, fetching);
        }
        if let (Some(writer), Some(chart)) = (writer.as_deref_mut(), &chart) {
            let writing = Instant::now();
            writer.add_chart(chart).await;
            // Writes while charts are still fetching overlap the network; the last does not.
            let stage = if last {
                &progress.timings.store_us
            } else {
                &progress.timings.store_streamed_us
            };
            record(stage, writing);
        }
        results.push((index, (chart, outcome)));
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

fn new_outcome(key: &ChartKey) -> ChartOutcome {
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

/// Fetches one chart, following nextPageToken up to `max_pages`, normalizing each page as it
/// arrives (and saving it as received when archiving). Returns the chart only when complete.
async fn fetch_chart(
    client: &Client,
    key: ChartKey,
    max_pages: u32,
    slots: &Semaphore,
    ctl: &RunControl,
    archive: Option<&Archive>,
    progress: &Progress,
) -> (Option<Chart>, ChartOutcome) {
    let mut outcome = new_outcome(&key);
    let stopped = |outcome: &mut ChartOutcome, why: String| {
        outcome.status = ChartStatus::Incomplete;
        outcome.error = Some(why);
    };
    let mut entries = Vec::new();
    let mut position = 0;
    let mut token: Option<String> = None;

    while outcome.pages < max_pages {
        let permit = tokio::select! {
            biased;
            () = ctl.halt_token().cancelled() => None,
            permit = slots.acquire() => Some(permit.expect("the semaphore is never closed")),
        };
        // Held until the answer is classified: a quota or key error stops the run before
        // another request can take the slot.
        let Some(permit) = permit else {
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
        progress
            .requests
            .fetch_add(u64::from(fetched.attempts), Ordering::Relaxed);
        progress.answered.fetch_add(1, Ordering::Relaxed);
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
        // The slot is for the network: the next request may start while this page is saved
        // and normalized.
        drop(permit);
        progress.pages.fetch_add(1, Ordering::Relaxed);
        if let Some(archive) = archive {
            // Pages are tens of kilobytes: writing one is quick enough to do in place.
            if let Err(e) = archive.save_page(&key, outcome.pages + 1, &page.body) {
                outcome.status = ChartStatus::Failed;
                outcome.error = Some(format!(
                    "{key} page {}: cannot save the raw page: {e}",
                    outcome.pages + 1
                ));
                return (None, outcome);
            }
        }
        collect_page(
            &key,
            &page.response,
            &mut position,
            &mut entries,
            &mut outcome,
            progress,
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

/// Normalizes a page's items into `entries`. Ranks are positions in the chart (`position` counts
/// the items so far), so a skipped item keeps its place.
fn collect_page(
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
        None => "not completed".to_owned(),
    }
}
