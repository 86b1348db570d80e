//! `trendtap fetch`: the charts from the API (or a raw archive), merged by video, stored (or
//! printed with `--dry-run`). This file wires the parts: the database is connected, migrated and
//! locked before the first request (an outage or a concurrent run spends no quota); the
//! concurrent fetch ([`crate::fetch`]) hands its pages to the raw archive and its charts to the
//! store's writer; then the channel-language pass, the merge, the store and the closing lines.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

mod budget;
mod end;
mod outcomes;
mod sinks;

use super::booking::Booking;
use super::{fail, Context, Watch};
use crate::budget::Usage;
use crate::cli::FetchArgs;
use crate::config::{self, DbConfig, FetchConfig, Source};
use crate::dedup;
use crate::error::{Error, Exit, RunEnd};
use crate::fetch::{self, ChartSink, Fetch, Limits, PageSink};
use crate::model::{ChartKey, MergedVideo};
use crate::output;
use crate::progress::{self, record, Progress};
use crate::raw::{self, Archive};
use crate::secret::Redactor;
use crate::shutdown::RunControl;
use crate::store::{LockState, RunSummary, RunWriter, Store};
use crate::youtube::Client;
use budget::Planned;
use outcomes::{chart_counts, charts_of, count_replayed, run_end, sort_outcomes};
use sinks::{write_manifest, StoreSink};

/// Runs `trendtap fetch`: resolves its settings, watches signals and the deadline, shows
/// progress on a terminal, ends with one line on stderr for any run that did not end cleanly,
/// and writes the metrics file when one is configured.
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
    let Watch {
        ctl,
        progress,
        display,
    } = Watch::start(ctx, cfg.deadline);
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
        if let Ok(done) = &result {
            let seconds = clock.elapsed().as_secs_f64();
            eprintln!(
                "{}{}",
                progress::summary(&done.end, &progress, seconds),
                end::quota_note(done)
            );
        }
    }
    let exit = match &result {
        // What stopped the run, in its own words (the API's, the store's): redacted.
        Ok(done) => end::report(done, ctl.detail().map(|d| cfg.redactor().redact(d))),
        Err(e) => fail(e, &cfg.redactor()),
    };
    if let Some(path) = &cfg.metrics_file {
        end::write_metrics(path, result.as_ref().ok(), exit, clock.elapsed());
    }
    exit
}

/// What a finished run reports: its end, its charts by status, the units it spent, the
/// ledger's figures after it.
#[derive(Debug, Clone)]
pub struct Finished {
    /// How it ended.
    pub end: RunEnd,
    /// Charts per status: ok, no_chart, failed (incomplete included), skipped.
    pub charts: [(&'static str, u64); 4],
    /// Requests sent to the API.
    pub requests: u64,
    /// Units the no-chart skipping saved.
    pub saved_units: u64,
    /// The ledger's figures for today after the run (`None`: no ledger, a dry run or replay).
    pub usage: Option<Usage>,
    /// Whether this was a dry run (its units are not booked).
    pub dry_run: bool,
}

/// The run itself, for a resolved configuration: what `trendtap fetch` does between parsing
/// and the exit code (the capture generator and the tests call it directly). Dry-run output
/// goes to `stdout`.
pub async fn execute(
    cfg: &FetchConfig,
    ctl: Arc<RunControl>,
    progress: Arc<Progress>,
    stdout: &mut dyn std::io::Write,
) -> Result<Finished, Error> {
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
    // Issue 18: a store that fails mid-run stops the fetch (with --save-raw, the archive is
    // completed instead, to be stored later).
    if let Some((store, _)) = &store {
        crate::shutdown::watch_store(ctl.clone(), store.failure(), cfg.save_raw.clone());
    }
    let client = match (&replayed, &cfg.source) {
        (None, Source::Api(api)) => Some(Arc::new(Client::new(api).map_err(Error::Usage)?)),
        _ => None,
    };
    // The ledger books API runs that store; a dry run has no database, a replay no requests.
    let booking = match (&store, cfg.api(), &client) {
        (Some((_, run_id)), Some(api), Some(_)) => {
            Some(Booking::new("fetch", *run_id, &api.key, started_at))
        }
        _ => None,
    };
    let run = Run {
        cfg,
        ctl: &ctl,
        progress: &progress,
        store: store.as_ref(),
        client: client.as_ref(),
        booking: booking.as_ref(),
        started_at,
    };
    let result = run.charts(replayed, setup, stdout).await;
    let requests = client.as_ref().map_or(0, |c| c.requests_made());
    let usage = match (&store, &booking) {
        (Some((store, _)), Some(booking)) => {
            booking
                .settle(store, &cfg.budget, requests, ctl.reason())
                .await
        }
        _ => None,
    };
    let charted = result?;
    let run_id = store.as_ref().map(|(_, id)| id.to_string());
    let bytes = client.as_ref().map_or(0, |c| c.bytes_received());
    end::log_finished(
        run_id.as_deref(),
        &charted,
        (requests, bytes),
        &progress,
        clock,
    );
    Ok(Finished {
        end: charted.end,
        charts: charted.charts,
        requests,
        saved_units: charted.saved_units,
        usage,
        dry_run: cfg.dry_run.is_some(),
    })
}

/// What the charts of a run came to.
struct Charted {
    end: RunEnd,
    charts: [(&'static str, u64); 4],
    saved_units: u64,
    videos: usize,
    entries: usize,
}

/// One run's parts, borrowed while its charts are planned, fetched, merged and stored.
struct Run<'a> {
    cfg: &'a FetchConfig,
    ctl: &'a Arc<RunControl>,
    progress: &'a Arc<Progress>,
    store: Option<&'a (Store, i64)>,
    client: Option<&'a Arc<Client>>,
    booking: Option<&'a Booking>,
    started_at: DateTime<Utc>,
}

impl Run<'_> {
    /// Plans (the budget), fetches or replays, merges, and stores or prints the charts.
    async fn charts(
        &self,
        replayed: Option<(Fetch, DateTime<Utc>)>,
        setup: Instant,
        stdout: &mut dyn std::io::Write,
    ) -> Result<Charted, Error> {
        let (cfg, progress) = (self.cfg, self.progress);
        let planned = match (self.store, self.client, self.booking) {
            (Some((store, _)), Some(client), Some(booking)) => {
                budget::plan(store, booking, cfg, client, self.ctl, self.started_at).await?
            }
            _ => Planned::everything(cfg),
        };
        if let Some(halt) = planned.refused {
            self.ctl.stop(halt);
        }
        record(&progress.timings.setup_us, setup);
        let seen_at = replayed
            .as_ref()
            .map_or(self.started_at, |(_, seen_at)| *seen_at);
        let mut writer = self
            .store
            .map(|(store, run_id)| store.begin_writes(*run_id, seen_at));
        let mut fetch = match (replayed, self.client) {
            (Some((fetch, _)), _) => {
                count_replayed(&fetch, progress);
                fetch
            }
            (None, Some(client)) => {
                let mut sink = StoreSink {
                    writer: writer.as_mut(),
                    progress,
                };
                self.fetch_api(client, planned.charts, &mut sink).await?
            }
            (None, None) => unreachable!("a run without an archive has a client"),
        };
        fetch.outcomes.extend(planned.skipped);
        sort_outcomes(&mut fetch.outcomes, &cfg.regions);
        // The channel's language fills titles that detection left undetermined.
        crate::language::apply_channel_languages(&mut fetch.charts);
        let merging = Instant::now();
        let merged = dedup::merge(&fetch.charts);
        record(&progress.timings.dedup_us, merging);
        let mut end = run_end(&fetch.outcomes, self.ctl.reason());
        let requests = self.client.map_or(0, |c| c.requests_made());
        let storing = Instant::now();
        match (self.store, writer) {
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
        Ok(Charted {
            end,
            charts: chart_counts(&fetch.outcomes),
            saved_units: planned.saved_units,
            videos: merged.len(),
            entries: fetch.charts.iter().map(|c| c.entries.len()).sum(),
        })
    }
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

impl Run<'_> {
    /// Fetches `plan` from the API, saving the pages when `--save-raw` is on. Chart errors are
    /// redacted here: they reach the log, the archive's manifest and the runs table.
    async fn fetch_api(
        &self,
        client: &Arc<Client>,
        plan: Vec<ChartKey>,
        sink: &mut impl ChartSink,
    ) -> Result<Fetch, Error> {
        let cfg = self.cfg;
        let archive = match &cfg.save_raw {
            Some(root) => Some(Arc::new(Archive::create(root, self.started_at).map_err(
                |e| {
                    Error::Archive(raw::ArchiveError::Write {
                        path: root.display().to_string(),
                        source: e,
                    })
                },
            )?)),
            None => None,
        };
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
        let mut fetch =
            fetch::fetch_all(client, plan, limits, self.ctl, pages, sink, self.progress).await;
        let redactor = cfg.redactor();
        for error in fetch.outcomes.iter_mut().filter_map(|o| o.error.as_mut()) {
            *error = redactor.redact(error);
        }
        if let Some(archive) = &archive {
            write_manifest(archive, self.started_at, &fetch);
        }
        Ok(fetch)
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
