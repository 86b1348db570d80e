//! `trendtap fetch`: the charts from the API (or a raw archive), merged by video, stored (or
//! printed with `--dry-run`). This file wires the parts: the database is connected, migrated and
//! locked before the first request (an outage or a concurrent run spends no quota); the
//! concurrent fetch ([`crate::fetch`]) hands its pages to the raw archive and its charts to the
//! store's writer; then the channel-language pass, the merge, the store and the closing lines.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::{fail, Context};
use crate::cli::FetchArgs;
use crate::config::{self, DbConfig, FetchConfig, Source};
use crate::dedup;
use crate::error::{Error, Exit, Halt, RunEnd};
use crate::fetch::{self, ChartSink, Fetch, Limits, PageSink};
use crate::model::{Chart, ChartKey, ChartOutcome, MergedVideo};
use crate::output;
use crate::progress::{self, record, Progress};
use crate::raw::{self, Archive};
use crate::secret::Redactor;
use crate::shutdown::{self, RunControl};
use crate::store::{LockState, RunSummary, RunWriter, Store};
use crate::youtube::{self, Client, ClientSettings};

/// Runs `trendtap fetch`: resolves its settings, watches signals and the deadline, shows
/// progress on a terminal, and ends with one line on stderr for any run that did not end
/// cleanly.
pub async fn run(args: &FetchArgs, ctx: &Context) -> Exit {
    let cfg = match ctx
        .config_file(args.db.config.as_deref())
        .and_then(|loaded| {
            Ok(config::resolve_fetch(
                args,
                &loaded.file,
                loaded.path.as_deref(),
                ctx.env,
            )?)
        }) {
        Ok(cfg) => cfg,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let ctl = RunControl::new();
    if let Err(e) = shutdown::watch_signals(ctl.clone()) {
        tracing::warn!("cannot watch signals: {e}");
    }
    if let Some(deadline) = cfg.deadline {
        shutdown::watch_deadline(ctl.clone(), deadline);
    }
    let progress = Arc::new(Progress::default());
    let display = ctx
        .interactive
        .then(|| progress::Display::start(progress.clone()));
    let clock = Instant::now();
    let result = execute(
        &cfg,
        ctl.clone(),
        progress.clone(),
        &mut std::io::stdout().lock(),
    )
    .await;
    if let Some(display) = display {
        display.finish();
        if let Ok(end) = &result {
            let seconds = clock.elapsed().as_secs_f64();
            eprintln!("{}", progress::summary(end, &progress, seconds));
        }
    }
    match result {
        // What stopped the run, in its own words (the API's, the store's): redacted.
        Ok(end) => report_end(&end, ctl.detail().map(|d| cfg.redactor().redact(d))),
        Err(e) => fail(&e, &cfg.redactor()),
    }
}

/// The run itself, for a resolved configuration: what `trendtap fetch` does between parsing
/// and the exit code (the capture generator and the tests call it directly). Dry-run output
/// goes to `stdout`.
pub async fn execute(
    cfg: &FetchConfig,
    ctl: Arc<RunControl>,
    progress: Arc<Progress>,
    stdout: &mut dyn std::io::Write,
) -> Result<RunEnd, Error> {
    let started_at = Utc::now();
    let clock = Instant::now();
    // Issue 18: a --save-raw folder that cannot be written is a usage error (exit 2), found
    // before the store is opened and before any request.
    if let (Some(root), Source::Api(_)) = (&cfg.save_raw, &cfg.source) {
        raw::check_writable(root)?;
    }
    let replayed = read_archive(cfg, &progress)?;
    let (regions, categories) = match &replayed {
        Some((fetch, _)) => charts_of(&fetch.outcomes),
        None => (cfg.regions.clone(), cfg.categories.clone()),
    };
    let setup = Instant::now();
    let store = match &cfg.database {
        Some(db) => Some(open_run(db, &regions, &categories, started_at).await?),
        None => None,
    };
    record(&progress.timings.setup_us, setup);
    // Issue 18: a store that fails mid-run stops the fetch (with --save-raw, the archive is
    // completed instead, to be stored later).
    if let Some((store, _)) = &store {
        shutdown::watch_store(ctl.clone(), store.failure(), cfg.save_raw.clone());
    }
    let seen_at = replayed
        .as_ref()
        .map_or(started_at, |(_, seen_at)| *seen_at);
    let mut writer = store
        .as_ref()
        .map(|(store, run_id)| store.begin_writes(*run_id, seen_at));

    let (mut fetch, requests, bytes) = match (replayed, &cfg.source) {
        (Some((fetch, _)), _) => {
            count_replayed(&fetch, &progress);
            (fetch, 0, 0)
        }
        (None, Source::Api(api)) => {
            let mut sink = StoreSink {
                writer: writer.as_mut(),
                progress: &progress,
            };
            from_api(cfg, api, &ctl, &mut sink, &progress, started_at).await?
        }
        (None, Source::Archive(_)) => unreachable!("an archive source is replayed above"),
    };
    // The channel's language fills titles that detection left undetermined.
    crate::language::apply_channel_languages(&mut fetch.charts);
    let merging = Instant::now();
    let merged = dedup::merge(&fetch.charts);
    record(&progress.timings.dedup_us, merging);
    let mut end = run_end(&fetch.outcomes, ctl.reason());

    let storing = Instant::now();
    match (&store, writer) {
        (Some((store, run_id)), Some(writer)) => {
            let summary = RunSummary {
                status: end.status(),
                halt_reason: end.halt.map(|h| h.to_string()),
                charts: &fetch.outcomes,
                api_requests: requests,
            };
            end.stored = store_run(store, *run_id, writer, &fetch, &merged, &summary, cfg)
                .await
                .map_err(|e| e.with_archive(cfg.save_raw.as_deref()))?;
        }
        _ => output::write(stdout, cfg.dry_run.unwrap_or_default(), &merged)
            .map_err(Error::Output)?,
    }
    record(&progress.timings.store_us, storing);
    let run_id = store.as_ref().map(|(_, id)| id.to_string());
    log_finished(
        run_id.as_deref(),
        &end,
        &fetch,
        &merged,
        (requests, bytes),
        &progress,
        clock,
    );
    Ok(end)
}

/// A replay reads its archive first (no quota is at stake), so that the run records what it
/// replays; it keeps the original run's time as the time the videos were seen.
fn read_archive(
    cfg: &FetchConfig,
    progress: &Progress,
) -> Result<Option<(Fetch, DateTime<Utc>)>, Error> {
    let Source::Archive(dir) = &cfg.source else {
        return Ok(None);
    };
    let reading = Instant::now();
    let replayed = fetch::replay::replay(dir, &cfg.regions, &cfg.categories, progress)?;
    record(&progress.timings.fetch_us, reading);
    Ok(Some(replayed))
}

/// Fetches the plan from the API, saving the pages when `--save-raw` is on. Chart errors are
/// redacted here: they reach the log, the archive's manifest and the runs table.
async fn from_api(
    cfg: &FetchConfig,
    api: &ClientSettings,
    ctl: &Arc<RunControl>,
    sink: &mut impl ChartSink,
    progress: &Arc<Progress>,
    started_at: DateTime<Utc>,
) -> Result<(Fetch, u64, u64), Error> {
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
    let plan = fetch::plan(&cfg.regions, &cfg.categories);
    tracing::info!(
        charts = plan.len(),
        concurrency = cfg.concurrency,
        "fetching"
    );
    let limits = Limits {
        max_pages: cfg.max_pages,
        concurrency: cfg.concurrency,
    };
    let pages = archive.clone().map(|a| a as Arc<dyn PageSink>);
    let mut fetch = fetch::fetch_all(&client, plan, limits, ctl, pages, sink, progress).await;
    let redactor = cfg.redactor();
    for error in fetch.outcomes.iter_mut().filter_map(|o| o.error.as_mut()) {
        *error = redactor.redact(error);
    }
    if let Some(archive) = &archive {
        write_manifest(archive, started_at, &fetch);
    }
    Ok((fetch, client.requests_made(), client.bytes_received()))
}

/// The raw archive takes every page as received.
impl PageSink for Archive {
    fn page(&self, key: &ChartKey, page: u32, body: &[u8]) -> std::io::Result<()> {
        self.save_page(key, page, body)
    }
}

/// The store's writer takes every complete chart while the others are still fetching
/// (PostgreSQL copies its entries into the run's transaction; see `store`).
struct StoreSink<'w, 's> {
    writer: Option<&'w mut RunWriter<'s>>,
    progress: &'w Progress,
}

impl ChartSink for StoreSink<'_, '_> {
    async fn chart(&mut self, chart: &Chart, last: bool) {
        let Some(writer) = self.writer.as_deref_mut() else {
            return;
        };
        let writing = Instant::now();
        writer.add_chart(chart).await;
        // Writes while charts are still fetching overlap the network; the last does not.
        let timings = &self.progress.timings;
        let stage = if last {
            &timings.store_us
        } else {
            &timings.store_streamed_us
        };
        record(stage, writing);
    }
}

fn write_manifest(archive: &Archive, started_at: DateTime<Utc>, fetch: &Fetch) {
    let fetched_at: HashMap<(&str, &str), DateTime<Utc>> = fetch
        .charts
        .iter()
        .map(|c| ((c.key.region, c.key.category_id.as_str()), c.fetched_at))
        .collect();
    let when = |o: &ChartOutcome| fetched_at.get(&(o.region, o.category_id.as_str())).copied();
    match archive.write_manifest(started_at, &fetch.outcomes, when) {
        Ok(()) => tracing::info!(dir = %archive.dir().display(), "raw pages saved"),
        Err(e) => {
            tracing::error!(dir = %archive.dir().display(), "cannot write the raw archive's manifest: {e}")
        }
    }
}

/// A replay's counters: every chart done at once.
fn count_replayed(fetch: &Fetch, progress: &Progress) {
    let charts = fetch.outcomes.len();
    progress.charts_total.store(charts, Ordering::Relaxed);
    progress.charts_done.store(charts, Ordering::Relaxed);
    let pages: u32 = fetch.outcomes.iter().map(|o| o.pages).sum();
    progress.pages.store(u64::from(pages), Ordering::Relaxed);
}

/// The run's end from its charts' outcomes; each chart not stored is logged with its error.
fn run_end(outcomes: &[ChartOutcome], halt: Option<Halt>) -> RunEnd {
    let done = outcomes.iter().filter(|o| o.is_done()).count();
    for o in outcomes.iter().filter(|o| !o.is_done()) {
        tracing::error!(chart = %format_args!("{}/{}", o.region, o.category_id), status = ?o.status,
            "chart not stored: {}", o.error.as_deref().unwrap_or(""));
    }
    RunEnd {
        charts_done: done,
        charts_failed: outcomes.len() - done,
        halt,
        stored: false,
    }
}

/// Commits the run (or records why nothing was stored); returns whether its data was stored.
async fn store_run(
    store: &Store,
    run_id: i64,
    writer: RunWriter<'_>,
    fetch: &Fetch,
    merged: &[MergedVideo<'_>],
    summary: &RunSummary<'_>,
    cfg: &FetchConfig,
) -> Result<bool, Error> {
    if fetch.charts.is_empty() {
        drop(writer);
        store.record_unsaved_run(run_id, summary, None).await?;
        return Ok(false);
    }
    if let Err(err) = writer.finish(&fetch.charts, merged, summary).await {
        // The transaction rolled back: record why, keep the original error for the exit.
        let message = cfg.redactor().redact(&err.to_string());
        if let Err(e) = store
            .record_unsaved_run(run_id, summary, Some(&message))
            .await
        {
            tracing::error!("could not record the failed run: {e}");
        }
        return Err(err.into());
    }
    Ok(true)
}

/// The closing log line: counts, stage times, peak memory (the benchmark reads it).
fn log_finished(
    run_id: Option<&str>,
    end: &RunEnd,
    fetch: &Fetch,
    merged: &[MergedVideo<'_>],
    (requests, bytes): (u64, u64),
    progress: &Progress,
    clock: Instant,
) {
    let entries: usize = fetch.charts.iter().map(|c| c.entries.len()).sum();
    let ms = |c: &AtomicU64| c.load(Ordering::Relaxed) / 1000;
    let t = &progress.timings;
    tracing::info!(
        run_id = run_id.unwrap_or("dry-run"),
        status = end.status(),
        charts_done = end.charts_done,
        charts_failed = end.charts_failed,
        videos = merged.len(),
        chart_entries = entries,
        requests,
        bytes,
        seconds = format_args!("{:.2}", clock.elapsed().as_secs_f64()),
        setup_ms = ms(&t.setup_us),
        fetch_ms = ms(&t.fetch_us),
        normalize_cpu_ms = ms(&t.normalize_us),
        dedup_ms = ms(&t.dedup_us),
        store_ms = ms(&t.store_us),
        store_streamed_ms = ms(&t.store_streamed_us),
        peak_memory_mb = progress::peak_memory().map(|b| b / (1024 * 1024)),
        "run finished"
    );
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

/// Connects, migrates and locks the store, and records the run's start: its id.
async fn open_run(
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
    if let LockState::Busy { run_id, started_at } = store.lock(db.wait_lock).await? {
        return Err(Error::Locked {
            run_id: run_id.map_or_else(|| "unknown".to_owned(), |id| id.to_string()),
            started_at: started_at.map_or_else(|| "unknown".to_owned(), |t| t.to_rfc3339()),
        });
    }
    let run_id = store.begin_run(started_at, regions, categories).await?;
    tracing::info!(run_id, database = store.target(), "run started");
    Ok((store, run_id))
}

/// One closing line for runs that did not end cleanly; cron mails stderr, so it must say it all.
fn report_end(end: &RunEnd, detail: Option<String>) -> Exit {
    let total = end.charts_done + end.charts_failed;
    let done = end.charts_done;
    let stored = if end.stored { "stored" } else { "kept" };
    match end.halt {
        Some(Halt::Quota) => {
            let reset = youtube::quota::next_reset(Utc::now());
            eprintln!(
                "trendtap: the daily YouTube API quota is exhausted; it resets at midnight Pacific time ({}). {done} of {total} charts were {stored}.",
                reset.format("%Y-%m-%d %H:%M UTC"),
            );
        }
        Some(Halt::BadKey) => eprintln!(
            "trendtap: error: {}. {done} of {total} charts were {stored}.",
            detail.unwrap_or_else(|| "the YouTube API rejected the key: check the key (YOUTUBE_API_KEY or api_key_file) and that it may call the YouTube Data API v3".to_owned())
        ),
        // Issue 18: a request every chart shares refused, the first charts failing alike, a
        // store failing mid-run: the run stopped at once, and says why in the words it got.
        Some(h @ (Halt::Rejected | Halt::Repeated | Halt::Store)) => eprintln!(
            "trendtap: error: the run stopped ({h}): {}. {done} of {total} charts were {stored}.",
            detail.as_deref().unwrap_or("see above")
        ),
        Some(h @ (Halt::Sigint | Halt::Sigterm)) => eprintln!(
            "trendtap: interrupted ({h}); {done} of {total} complete charts were {stored}."
        ),
        Some(Halt::Deadline) => eprintln!(
            "trendtap: error: the run's deadline passed; {done} of {total} complete charts were {stored}."
        ),
        None if end.charts_failed > 0 && done > 0 => eprintln!(
            "trendtap: {} of {total} charts failed (see above); the other {done} were {stored}.",
            end.charts_failed
        ),
        None if end.charts_failed > 0 => eprintln!("trendtap: error: every chart failed (see above); nothing was stored."),
        None => {}
    }
    end.exit()
}
